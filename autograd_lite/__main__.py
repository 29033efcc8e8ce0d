"""``python -m autograd_lite``: see :mod:`autograd_lite.cli`."""

import sys

from autograd_lite.cli import main

sys.exit(main())

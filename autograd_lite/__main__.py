"""``python -m autograd_lite``: see :mod:`autograd_lite.cli.main`."""

import sys

from autograd_lite.cli.main import main

sys.exit(main())

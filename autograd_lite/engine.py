"""micrograd's import path for ``Value``: ``from autograd_lite.engine import Value``.

micrograd keeps its ``Value`` in ``micrograd.engine``; code written for micrograd switches to
autograd_lite by changing that import (and ``micrograd.nn`` to ``autograd_lite.nn``).  This
is the one public :class:`autograd_lite.core.value.Value`, re-exported, not a second
implementation.  See the how-to "Migrate from micrograd" (docs/how-to/micrograd.md).
"""

from autograd_lite.core.value import Value

__all__ = ["Value"]

"""The activation functions PyTorch users expect, as functions (``torch.nn.functional``).

Each is a primitive of the rule table, so it works on numbers, Values, Duals, traced symbols
and NumPy arrays alike, and is also a ``Value`` method (``x.gelu()``)::

    from autograd_lite.nn import functional as F
    y = F.gelu(x) + F.clamp(x, min=0.0, max=6.0)
"""

from __future__ import annotations

from typing import Any

from autograd_lite.core import rules
from autograd_lite.core.value import clamp_bounds

sigmoid = rules.sigmoid
relu = rules.relu
softplus = rules.softplus
gelu = rules.gelu
silu = rules.silu
minimum = rules.minimum
maximum = rules.maximum


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x for x > 0, ``negative_slope * x`` otherwise.

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn import functional as F
        >>> x = Value(-2.0)
        >>> F.leaky_relu(x, 0.1).data, grad(F.leaky_relu(x, 0.1), x)
        (-0.2, 0.1)
    """
    return rules.leaky_relu(x, negative_slope)


def clamp(x: Any, min: float | None = None, max: float | None = None) -> Any:
    """x limited to [min, max] (either may be None); gradient 1 inside, bounds included.

    Examples:
        >>> from autograd_lite import Value, grad
        >>> from autograd_lite.nn import functional as F
        >>> x = Value(6.0)
        >>> F.clamp(x, min=0.0, max=6.0).data, grad(F.clamp(x, 0.0, 6.0), x)   # a bound: slope 1
        (6.0, 1.0)
        >>> grad(F.clamp(Value(7.0), max=6.0), x, allow_unused=True) is None
        True
    """
    return rules.clamp(x, *clamp_bounds(min, max))


__all__ = ["clamp", "gelu", "leaky_relu", "maximum", "minimum", "relu", "sigmoid", "silu",
           "softplus"]

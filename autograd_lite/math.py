"""Differentiable functions under the names of Python's :mod:`math`.

Each function is a primitive of the rule table: on floats and ints it returns a float (and
raises :class:`~autograd_lite.core.errors.DomainError`, a ValueError, outside its domain);
on a ``Value`` it records a node; on a ``Dual`` it carries the tangent; on traced symbols it
writes code; on NumPy arrays it works element by element.  So ``from autograd_lite import
math`` in place of ``import math`` makes scalar code differentiable, and derivative rules
of your own primitives are written with these functions::

    from autograd_lite import math as am, primitive
    softplus = primitive("softplus", lambda x: ..., lambda out, x: (1 / (1 + am.exp(-x)),))
"""

from __future__ import annotations

import math as _math
from typing import Any

from autograd_lite.core import arrays as _arrays  # noqa: F401 -- NumPy arrays as arguments
from autograd_lite.core import rules as _rules

pi = _math.pi
e = _math.e
tau = _math.tau
inf = _math.inf
nan = _math.nan

exp = _rules.exp
log = _rules.log
sqrt = _rules.sqrt
sin = _rules.sin
cos = _rules.cos
tanh = _rules.tanh
fabs = _rules.fabs


def pow(x: Any, y: Any) -> Any:
    """``x ** y``: a Value exponent needs ``x > 0``; a number exponent any real result."""
    if isinstance(y, int | float) and not isinstance(y, bool):
        return _rules.powc(x, y)
    return _rules.pow(x, y)


__all__ = ["cos", "e", "exp", "fabs", "inf", "log", "nan", "pi", "pow", "sin", "sqrt", "tanh",
           "tau"]

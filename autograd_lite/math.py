"""Differentiable functions under the names and signatures of Python's :mod:`math`.

``from autograd_lite import math`` in place of ``import math`` makes scalar code
differentiable.  Each function is a primitive of the rule table (or, for ``log`` with a
base and ``dist``, a composition of them): on floats and ints it returns what :mod:`math`
returns (the same float, computed by the same function) and refuses a domain error with
:class:`~autograd_lite.core.errors.DomainError` (a ValueError) naming the function and its
arguments; on a ``Value`` it records a node; on a ``Dual`` it carries the tangent; on traced
symbols it writes code; on NumPy arrays it works element by element.  Derivative rules of
your own primitives are written with these functions::

    from autograd_lite import math as am, primitive
    softplus = primitive("my_softplus", lambda x: ..., lambda out, x: (1 / (1 + am.exp(-x)),))

Beyond :mod:`math`: ``digamma(x)`` and ``polygamma(n, x)`` (the derivatives of ``lgamma``),
and ``logsumexp(iterable)`` (``log sum e^x``, computed without overflow).
"""

from __future__ import annotations

import math as _math
import numbers as _numbers
import typing as _typing

from autograd_lite.core import arrays as _arrays  # noqa: F401 -- NumPy arrays as arguments
from autograd_lite.core import errors as _errors
from autograd_lite.core import rules as _rules

if _typing.TYPE_CHECKING:  # names for the annotations only: the namespace holds math's names
    from collections.abc import Iterable
    from typing import Any

pi = _math.pi
e = _math.e
tau = _math.tau
inf = _math.inf
nan = _math.nan

acos = _rules.acos
acosh = _rules.acosh
asin = _rules.asin
asinh = _rules.asinh
atan = _rules.atan
atan2 = _rules.atan2
atanh = _rules.atanh
cbrt = _rules.cbrt
copysign = _rules.copysign
cos = _rules.cos
cosh = _rules.cosh
degrees = _rules.degrees
erf = _rules.erf
erfc = _rules.erfc
exp = _rules.exp
exp2 = _rules.exp2
expm1 = _rules.expm1
fabs = _rules.fabs
fmod = _rules.fmod
gamma = _rules.gamma
lgamma = _rules.lgamma
log10 = _rules.log10
log1p = _rules.log1p
log2 = _rules.log2
radians = _rules.radians
remainder = _rules.remainder
sin = _rules.sin
sinh = _rules.sinh
sqrt = _rules.sqrt
tan = _rules.tan
tanh = _rules.tanh


def _is_number(x: Any) -> bool:
    return isinstance(x, _numbers.Real) and not isinstance(x, bool)


def floor(x: Any) -> Any:
    """The largest integer <= x: an int on numbers (as :func:`math.floor`), a node of
    derivative 0 on Values.

    Examples:
        >>> from autograd_lite import Value, math
        >>> math.floor(2.5)
        2
        >>> x = Value(2.5)
        >>> y = math.floor(x) + x
        >>> y.backward()
        >>> y.data, x.grad
        (4.5, 1.0)
    """
    if _is_number(x):
        return _math.floor(_rules.to_float(x, "floor"))
    return _rules.floor(x)


def ceil(x: Any) -> Any:
    """The smallest integer >= x: an int on numbers, a node of derivative 0 on Values.

    Examples:
        >>> from autograd_lite import math
        >>> math.ceil(2.1), math.ceil(-2.1)
        (3, -2)
    """
    if _is_number(x):
        return _math.ceil(_rules.to_float(x, "ceil"))
    return _rules.ceil(x)


def trunc(x: Any) -> Any:
    """x rounded towards 0: an int on numbers, a node of derivative 0 on Values.

    Examples:
        >>> from autograd_lite import math
        >>> math.trunc(-2.7)
        -2
    """
    if _is_number(x):
        return _math.trunc(_rules.to_float(x, "trunc"))
    return _rules.trunc(x)


def pow(x: Any, y: Any) -> Any:
    """``x ** y``: a Value exponent needs ``x > 0``; a number exponent any real result.

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> x = Value(2.0)
        >>> grad(math.pow(x, 3), x)     # 3 x^2
        12.0
        >>> math.pow(-8.0, 2)
        64.0
    """
    if isinstance(y, int | float) and not isinstance(y, bool):
        return _rules.powc(x, y)
    return _rules.pow(x, y)


def log(x: Any, base: Any = None) -> Any:
    """The natural logarithm, or ``log(x) / log(base)`` (as :func:`math.log`).

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> math.log(8.0, 2)
        3.0
        >>> x = Value(8.0)
        >>> grad(math.log(x, 2), x)     # 1 / (x ln 2)
        0.18033688011112042
    """
    if base is None:
        return _rules.log(x)
    try:
        return _rules.log(x) / _rules.log(base)
    except (_errors.DomainError, ZeroDivisionError) as error:
        if isinstance(error, _errors.DomainError) and error.op != "div":
            raise
        shown = tuple(getattr(a, "data", getattr(a, "primal", a)) for a in (x, base))
        raise _errors.DomainError("log", shown, "base 1 has logarithm 0") from None


def ldexp(x: Any, i: int) -> Any:
    """``x * 2 ** i`` for an int ``i`` (a parameter: no derivative).

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> math.ldexp(1.5, 3)
        12.0
        >>> x = Value(1.5)
        >>> grad(math.ldexp(x, 3), x)   # 2 ** 3
        8.0
    """
    if not isinstance(i, int):
        raise TypeError(f"ldexp: expected an int as second argument, got {type(i).__name__}")
    return _rules.ldexp(x, max(-100_000, min(100_000, i)))  # beyond: 0 or an overflow


def hypot(*coordinates: Any) -> Any:
    """The Euclidean norm ``sqrt(sum(x * x))``, without overflow; gradient 0 at the origin.

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> x, y = Value(3.0), Value(4.0)
        >>> r = math.hypot(x, y)
        >>> r.data, grad(r, [x, y])     # d/dx = x / r
        (5.0, [0.6, 0.8])
    """
    return _rules.hypot(*coordinates)


def dist(p: Iterable[Any], q: Iterable[Any]) -> Any:
    """The Euclidean distance between points ``p`` and ``q`` (``hypot`` of the differences).

    Examples:
        >>> from autograd_lite import math
        >>> math.dist((1.0, 1.0), (4.0, 5.0))
        5.0
    """
    p, q = tuple(p), tuple(q)
    if len(p) != len(q):
        raise ValueError("dist: both points must have the same number of dimensions")
    return _rules.hypot(*[a - b for a, b in zip(p, q)])


def fsum(iterable: Iterable[Any]) -> Any:
    """The exactly rounded sum (:func:`math.fsum`); each derivative is 1.

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> math.fsum([0.1] * 10)
        1.0
        >>> xs = [Value(0.5), Value(0.25)]
        >>> grad(math.fsum(xs), xs)
        [1.0, 1.0]
    """
    return _rules.fsum(*iterable)


def logsumexp(iterable: Iterable[Any]) -> Any:
    """``log(e^x1 + ... + e^xn)`` as one node, computed as ``m + log sum e^(x_i - m)`` with
    ``m = max x`` (no term overflows, as ``scipy.special.logsumexp``); d/dx_i = e^(x_i -
    out), the softmax.

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> math.logsumexp([1000.0, 1000.0]) == 1000.0 + math.log(2.0)   # exp(1000) overflows
        True
        >>> xs = [Value(0.0), Value(0.0)]
        >>> grad(math.logsumexp(xs), xs)            # softmax
        [0.5, 0.5]
    """
    return _rules.logsumexp(*iterable)


def prod(iterable: Iterable[Any], *, start: Any = 1) -> Any:
    """``start * x1 * x2 * ...`` as one node; d/dx_i is the product of the others.

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> xs = [Value(2.0), Value(3.0), Value(4.0)]
        >>> p = math.prod(xs)
        >>> p.data, grad(p, xs)         # each derivative: the product of the others
        (24.0, [12.0, 8.0, 6.0])
    """
    items = tuple(iterable)
    if _is_number(start) and start == 1:
        return _rules.prod(*items)
    return _rules.prod(start, *items)


def digamma(x: Any) -> Any:
    """psi(x) = d/dx lgamma(x), to full double precision (poles at 0, -1, -2...).

    Examples:
        >>> from autograd_lite import Value, grad, math
        >>> math.digamma(1.0)           # -0.5772..., minus the Euler-Mascheroni constant
        -0.57721566490153
        >>> x = Value(3.0)
        >>> grad(math.lgamma(x), x) == math.digamma(3.0)
        True
    """
    return _rules.polygamma(x, 0.0)


def polygamma(n: int, x: Any) -> Any:
    """The n-th derivative of digamma (``n`` a non-negative int, a parameter): orders 0..100
    on numbers, 0..99 on Values and Duals (which also compute its derivative, of order n + 1).

    Examples:
        >>> from autograd_lite import math
        >>> math.polygamma(1, 1.0)      # pi^2 / 6
        1.6449340668482264
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma: the order n must be an int, got {type(n).__name__}")
    return _rules.polygamma(x, n)


del annotations  # the __future__ switch, not a name of this module

__all__ = [
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "copysign",
    "cos",
    "cosh",
    "degrees",
    "digamma",
    "dist",
    "e",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "floor",
    "fmod",
    "fsum",
    "gamma",
    "hypot",
    "inf",
    "ldexp",
    "lgamma",
    "log",
    "log1p",
    "log2",
    "log10",
    "logsumexp",
    "nan",
    "pi",
    "polygamma",
    "pow",
    "prod",
    "radians",
    "remainder",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "tau",
    "trunc",
]

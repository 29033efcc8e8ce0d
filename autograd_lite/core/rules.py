"""The rule table: every primitive's forward function and local derivative, declared once.

A rule is written against a *math namespace* ``m`` instead of a concrete number type:

* :class:`FloatMath` (here) evaluates it on plain floats -- the fast path, and forward mode;
* ``engine.ValueMath`` evaluates the derivative on ``Value``\\ s -- differentiable gradients,
  hence higher-order derivatives;
* ``symbolic.SymbolMath`` evaluates it on symbols -- the Wengert list and generated code.

So one entry in :data:`OPS` serves every mode.  ``forward(m, *args)`` returns the output,
``grad(m, out, *args)`` returns one local derivative d out / d arg per differentiable
argument.  An op may take trailing *parameters* (the exponent of ``x ** 2``, the slope of
``leaky_relu``): constants that are recorded with the node but have no local derivative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd_lite.core.errors import DomainError

Rule = Callable[..., Any]


class FloatMath:
    """Plain-float implementations with domain checks that name the operation and value."""

    @staticmethod
    def div(x: float, y: float) -> float:
        """x / y, refusing y = 0."""
        if y == 0.0:
            raise DomainError("div", (x, y), "division by zero")
        return x / y

    @staticmethod
    def pow(x: float, c: float) -> float:
        """x ** c for real results only (a negative base needs an integer exponent)."""
        if x < 0.0 and c != math.floor(c):
            raise DomainError("pow", (x, c), "negative base to a non-integer power is complex")
        if x == 0.0 and c < 0.0:
            raise DomainError("pow", (x, c), "zero to a negative power divides by zero")
        try:
            return float(x**c)
        except OverflowError:
            raise DomainError("pow", (x, c), "result overflows a float") from None

    @staticmethod
    def powv(x: float, y: float) -> float:
        """x ** y for a differentiable exponent y: needs x > 0, since d/dy x**y = x**y log x."""
        if x <= 0.0:
            raise DomainError("pow", (x, y), "a Value exponent needs a positive base "
                              "(d/dy x**y = x**y * log x); use a number exponent")
        return FloatMath.pow(x, y)

    @staticmethod
    def dpow(x: float, c: float) -> float:
        """d/dx x ** c = c * x ** (c - 1); 0 when c = 0, +inf at x = 0 for 0 < c < 1, and
        +-inf where x ** (c - 1) overflows (x ** -1 at x = 1e-200): the value is finite there,
        only the slope is not (as for 1 / x)."""
        if c == 0.0:
            return 0.0
        if x == 0.0 and c < 1.0:
            return math.inf
        try:
            return c * FloatMath.pow(x, c - 1.0)
        except DomainError as error:
            if not error.reason.endswith("overflows a float"):
                raise  # a complex or infinite power: as x ** c itself
            sign = -1.0 if x < 0.0 and (c - 1.0) % 2.0 == 1.0 else 1.0
            return c * sign * math.inf

    @staticmethod
    def exp(x: float) -> float:
        """e ** x, refusing overflow."""
        try:
            return math.exp(x)
        except OverflowError:
            raise DomainError("exp", (x,), "result overflows a float") from None

    @staticmethod
    def log(x: float) -> float:
        """Natural logarithm, for x > 0."""
        if x <= 0.0:
            raise DomainError("log", (x,), "logarithm needs a positive argument")
        return math.log(x)

    @staticmethod
    def sqrt(x: float) -> float:
        """Square root, for x >= 0."""
        if x < 0.0:
            raise DomainError("sqrt", (x,), "square root needs a non-negative argument")
        return math.sqrt(x)

    tanh = staticmethod(math.tanh)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    abs = staticmethod(abs)

    @staticmethod
    def sigmoid(x: float) -> float:
        """1 / (1 + e^-x), computed without overflow on either tail."""
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def relu(x: float) -> float:
        """max(x, 0)."""
        return x if x > 0.0 else 0.0

    @staticmethod
    def leaky_relu(x: float, slope: float) -> float:
        """x for x > 0, slope * x otherwise."""
        return x if x > 0.0 else slope * x

    @staticmethod
    def step(x: Any, low: float = 0.0) -> float:
        """1 for x > 0, else ``low``: the derivative of relu (low = 0) and leaky_relu."""
        return 1.0 if x > 0.0 else low

    @staticmethod
    def sign(x: Any) -> float:
        """-1, 0 or 1: the derivative of abs (0 at the kink, as PyTorch)."""
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)

    @staticmethod
    def sum(xs: Sequence[float]) -> float:
        """x1 + x2 + ... + xn, left to right."""
        return sum(xs, 0.0)

    @staticmethod
    def dot(xs: Sequence[float]) -> float:
        """w . x for xs = (w1..wn, x1..xn), accumulated left to right."""
        n = len(xs) // 2
        return sum(map(float.__mul__, xs[:n], xs[n:]), 0.0)


@dataclass(frozen=True, slots=True)
class Op:
    """One primitive: its name, how it is drawn, and its forward and derivative rules.

    ``arity`` counts differentiable arguments (``None``: any number), ``params`` the
    trailing constant parameters.
    """

    name: str
    symbol: str
    arity: int | None
    forward: Rule
    grad: Rule
    params: int = 0


def _dot_grad(m: Any, out: Any, *xs: Any) -> tuple[Any, ...]:
    """d(w.x)/dw_i = x_i and d(w.x)/dx_i = w_i."""
    n = len(xs) // 2
    return xs[n:] + xs[:n]


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("add", "+", 2, lambda m, x, y: x + y, lambda m, out, x, y: (1.0, 1.0)),
        Op("sub", "-", 2, lambda m, x, y: x - y, lambda m, out, x, y: (1.0, -1.0)),
        Op("mul", "*", 2, lambda m, x, y: x * y, lambda m, out, x, y: (y, x)),
        Op("div", "/", 2, lambda m, x, y: m.div(x, y), lambda m, out, x, y: (1.0 / y, -out / y)),
        Op("neg", "neg", 1, lambda m, x: -x, lambda m, out, x: (-1.0,)),
        # x ** y with a differentiable exponent: needs x > 0, d/dy = x**y * log x.
        Op("pow", "**", 2, lambda m, x, y: m.powv(x, y),
           lambda m, out, x, y: (y * out / x, out * m.log(x))),
        # x ** c with a constant exponent c.
        Op("powc", "**", 1, lambda m, x, c: m.pow(x, c), lambda m, out, x, c: (m.dpow(x, c),),
           params=1),
        Op("exp", "exp", 1, lambda m, x: m.exp(x), lambda m, out, x: (out,)),
        Op("log", "log", 1, lambda m, x: m.log(x), lambda m, out, x: (1.0 / x,)),
        Op("sqrt", "sqrt", 1, lambda m, x: m.sqrt(x), lambda m, out, x: (m.dpow(x, 0.5),)),
        Op("tanh", "tanh", 1, lambda m, x: m.tanh(x), lambda m, out, x: (1.0 - out * out,)),
        Op("sigmoid", "sigmoid", 1, lambda m, x: m.sigmoid(x),
           lambda m, out, x: (out * (1.0 - out),)),
        Op("relu", "relu", 1, lambda m, x: m.relu(x), lambda m, out, x: (m.step(x),)),
        Op("leaky_relu", "leaky_relu", 1, lambda m, x, s: m.leaky_relu(x, s),
           lambda m, out, x, s: (m.step(x, s),), params=1),
        Op("abs", "abs", 1, lambda m, x: m.abs(x), lambda m, out, x: (m.sign(x),)),
        Op("sin", "sin", 1, lambda m, x: m.sin(x), lambda m, out, x: (m.cos(x),)),
        Op("cos", "cos", 1, lambda m, x: m.cos(x), lambda m, out, x: (-m.sin(x),)),
        Op("sum", "sum", None, lambda m, *xs: m.sum(xs), lambda m, out, *xs: (1.0,) * len(xs)),
        Op("dot", "dot", None, lambda m, *xs: m.dot(xs), _dot_grad),
    )
}

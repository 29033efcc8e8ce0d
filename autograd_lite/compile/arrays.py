"""The rule table's float functions on NumPy arrays, one element per example.

Used by the compiled tape's batch replay (:meth:`autograd_lite.compile.Tape.batch`): the
generated code is the same, only its math namespace is :class:`NumpyMath` instead of
:class:`~autograd_lite.core.rules.FloatMath`.  This module imports NumPy (the ``batch`` extra), so
nothing imports it until a batch runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy

from autograd_lite.core.errors import DomainError
from autograd_lite.core.rules import FloatMath


def chain_terms(g: Any, d: Any) -> Any:
    """:func:`~autograd_lite.core.value.chain_term` per example."""
    return numpy.where((numpy.asarray(g) != 0.0) & (numpy.asarray(d) != 0.0), g * d, 0.0)


def all_finite(s: Any) -> bool:
    """Whether every element is finite (the generated code's ``_ok`` on arrays)."""
    return bool(numpy.isfinite(s).all())


def fail_like(rule: Callable[..., Any], bad: Any, *args: Any) -> None:
    """Call the float rule on the first bad example: it raises the eager DomainError."""
    np = numpy
    mask = np.broadcast_to(bad, np.broadcast(*args).shape) if args else bad
    e = int(np.argmax(mask))
    rule(*(float(np.broadcast_to(a, mask.shape).flat[e]) for a in args))
    raise DomainError(getattr(rule, "__name__", "op"), (), "invalid argument")  # unreachable


class NumpyMath:
    """:class:`~autograd_lite.core.rules.FloatMath` on NumPy arrays, one element per example.

    Same formulas, same domain checks: where an element is out of the domain, the float
    rule is called on it, so the error is exactly the eager one.
    """

    inf = math.inf

    @staticmethod
    def div(x: Any, y: Any) -> Any:
        bad = numpy.asarray(y) == 0.0
        if bad.any():
            fail_like(FloatMath.div, bad, x, y)
        return x / y

    @staticmethod
    def pow(x: Any, c: Any) -> Any:
        np = numpy
        bad = ((np.asarray(x) < 0.0) & (np.asarray(c) != np.floor(c))) | (
            (np.asarray(x) == 0.0) & (np.asarray(c) < 0.0))
        if bad.any():
            fail_like(FloatMath.pow, bad, x, c)
        out = np.power(x, c)
        overflow = ~np.isfinite(out)
        if overflow.any():
            fail_like(FloatMath.pow, overflow, x, c)
        return out

    @staticmethod
    def powv(x: Any, y: Any) -> Any:
        bad = numpy.asarray(x) <= 0.0
        if bad.any():
            fail_like(FloatMath.powv, bad, x, y)
        return NumpyMath.pow(x, y)

    @staticmethod
    def dpow(x: Any, c: Any) -> Any:
        np = numpy
        zero_c = np.asarray(c) == 0.0
        infinite = (np.asarray(x) == 0.0) & (np.asarray(c) < 1.0) & ~zero_c
        safe_x = np.where(zero_c | infinite, 1.0, x)
        slope = np.asarray(c) * np.power(safe_x, np.asarray(c) - 1.0)
        complex_ = np.isnan(slope)
        if complex_.any():  # a negative base to a fractional power
            fail_like(FloatMath.dpow, complex_, x, c)
        # where x ** (c - 1) overflows the slope is +-inf, as in FloatMath.dpow
        return np.where(zero_c, 0.0, np.where(infinite, math.inf, slope))

    @staticmethod
    def exp(x: Any) -> Any:
        out = numpy.exp(x)
        bad = ~numpy.isfinite(out)
        if bad.any():
            fail_like(FloatMath.exp, bad, x)
        return out

    @staticmethod
    def log(x: Any) -> Any:
        bad = numpy.asarray(x) <= 0.0
        if bad.any():
            fail_like(FloatMath.log, bad, x)
        return numpy.log(x)

    @staticmethod
    def sqrt(x: Any) -> Any:
        bad = numpy.asarray(x) < 0.0
        if bad.any():
            fail_like(FloatMath.sqrt, bad, x)
        return numpy.sqrt(x)

    tanh = staticmethod(numpy.tanh)
    sin = staticmethod(numpy.sin)
    cos = staticmethod(numpy.cos)
    abs = staticmethod(numpy.abs)

    @staticmethod
    def sigmoid(x: Any) -> Any:
        """1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) otherwise (as FloatMath)."""
        e = numpy.exp(-numpy.abs(x))
        return numpy.where(numpy.asarray(x) >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    @staticmethod
    def relu(x: Any) -> Any:
        return numpy.where(x > 0.0, x, 0.0)

    @staticmethod
    def leaky_relu(x: Any, slope: float) -> Any:
        return numpy.where(x > 0.0, x, slope * x)

    @staticmethod
    def step(x: Any, low: float = 0.0) -> Any:
        return numpy.where(x > 0.0, 1.0, low)

    @staticmethod
    def sign(x: Any) -> Any:
        x = numpy.asarray(x)
        return numpy.where(x > 0.0, 1.0, numpy.where(x < 0.0, -1.0, 0.0))

    @staticmethod
    def sum(xs: Sequence[Any]) -> Any:
        total: Any = 0.0
        for x in xs:
            total = total + x
        return total

    @staticmethod
    def dot(xs: Sequence[Any]) -> Any:
        n = len(xs) // 2
        total: Any = 0.0
        for w, x in zip(xs[:n], xs[n:]):
            total = total + w * x
        return total

"""The rule table evaluated on symbols: each rule becomes a Python expression string.

``SymbolMath(code=False)`` renders rules for people (``v1 * v2``, ``exp(v1)``, ``1 - v3 ** 2``):
the Wengert list.  ``SymbolMath(code=True)`` renders them as Python source that calls the
float implementations of :class:`autograd_lite.core.rules.FloatMath` through the name ``_F``, so
generated code raises exactly the errors eager evaluation raises.  Numbers are written with
``repr(float)``; names are only ever the identifiers the caller passes in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from autograd_lite.core.rules import Op


def literal(x: float) -> str:
    """A float as source text that reads back exactly (``repr``), infinities included."""
    if math.isinf(x):
        return "_F.inf" if x > 0 else "(-_F.inf)"
    if x != x:
        raise ValueError("literal: nan has no place in generated code")
    return repr(float(x))


class Sym:
    """A symbolic scalar: the text of an expression, with arithmetic that builds text."""

    __slots__ = ("text", "atomic")

    def __init__(self, text: str, atomic: bool = False) -> None:
        self.text = text
        self.atomic = atomic

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Sym({self.text!r})"

    @property
    def operand(self) -> str:
        """The text, parenthesised unless atomic: safe inside a larger expression."""
        return self.text if self.atomic else f"({self.text})"

    def __add__(self, other: Any) -> Any:
        return _infix(self, "+", other)

    def __radd__(self, other: Any) -> Any:
        return _infix(other, "+", self)

    def __sub__(self, other: Any) -> Any:
        return _infix(self, "-", other)

    def __rsub__(self, other: Any) -> Any:
        return _infix(other, "-", self)

    def __mul__(self, other: Any) -> Any:
        return _infix(self, "*", other)

    def __rmul__(self, other: Any) -> Any:
        return _infix(other, "*", self)

    def __truediv__(self, other: Any) -> Any:
        return _infix(self, "/", other)

    def __rtruediv__(self, other: Any) -> Any:
        return _infix(other, "/", self)

    def __neg__(self) -> Sym:
        return Sym(f"-{self.operand}")


def _operand(x: Any) -> str:
    return x.operand if isinstance(x, Sym) else _number(x)


def _number(x: float) -> str:
    text = literal(x)
    return f"({text})" if text.startswith("-") else text


def _infix(a: Any, symbol: str, b: Any) -> Any:
    """``a symbol b``, dropping the identities x*1, 1*x, x+0, 0+x and x-0."""
    if symbol == "*":
        if isinstance(b, float | int) and b == 1.0:
            return a
        if isinstance(a, float | int) and a == 1.0:
            return b
    if symbol in "+-" and isinstance(b, float | int) and b == 0.0:
        return a
    if symbol == "+" and isinstance(a, float | int) and a == 0.0:
        return b
    return Sym(f"{_operand(a)} {symbol} {_operand(b)}")


class SymbolMath:
    """The rule table's math namespace on :class:`Sym` (see the module docstring)."""

    def __init__(self, code: bool) -> None:
        self.code = code

    def _call(self, name: str, *args: Any) -> Sym:
        prefix = "_F." if self.code else ""
        return Sym(f"{prefix}{name}({', '.join(_text(a) for a in args)})", atomic=True)

    def div(self, x: Any, y: Any) -> Any:
        return self._call("div", x, y) if self.code else _infix(x, "/", y)

    def pow(self, x: Any, c: Any) -> Any:
        return self._call("pow", x, c) if self.code else Sym(f"{_operand(x)} ** {_operand(c)}")

    def powv(self, x: Any, y: Any) -> Any:
        return self._call("powv", x, y) if self.code else Sym(f"{_operand(x)} ** {_operand(y)}")

    def dpow(self, x: Any, c: Any) -> Any:
        if self.code:
            return self._call("dpow", x, c)
        if c == 0.0:
            return 0.0
        return Sym(f"{_number(c)} * {_operand(x)} ** {_number(c - 1.0)}")

    def step(self, x: Any, low: float = 0.0) -> Any:
        if self.code:
            return self._call("step", x, low)
        return Sym(f"(1 if {_text(x)} > 0 else {_number(low)})", atomic=True)

    def sum(self, xs: Sequence[Any]) -> Any:
        if self.code:
            return Sym(" + ".join(_operand(x) for x in xs) or "0.0")
        return Sym(" + ".join(_operand(x) for x in xs) or "0")

    def dot(self, xs: Sequence[Any]) -> Any:
        n = len(xs) // 2
        return Sym(" + ".join(f"{_operand(w)} * {_operand(x)}" for w, x in zip(xs[:n], xs[n:]))
                   or "0.0")

    def __getattr__(self, name: str) -> Any:
        """exp, log, sqrt, tanh, sigmoid, relu, leaky_relu, abs, sign, sin, cos: calls."""
        return lambda *args: self._call(name, *args)


def _text(x: Any) -> str:
    return x.text if isinstance(x, Sym) else literal(x)


def forward_text(op: Op, math_: SymbolMath, args: Sequence[Any]) -> str:
    """The forward rule of ``op`` as text, e.g. ``v1 * v2`` or ``_F.exp(v1)``."""
    return _text(op.forward(math_, *args))


def grad_texts(op: Op, math_: SymbolMath, out: Any, args: Sequence[Any]) -> list[str]:
    """The local derivative rules of ``op`` as text, one per differentiable argument."""
    return [_text(g) for g in op.grad(math_, out, *args)]

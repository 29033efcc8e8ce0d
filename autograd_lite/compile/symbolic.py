"""The rule table evaluated on symbols: each rule becomes a Python expression string.

A :class:`Sym` is the text of an expression.  Calling a primitive with a Sym argument
(directly, or through ``+ - * / **``) hands the call to the Sym's :class:`Writer`:

* ``Writer(code=False)`` writes for people (``v1 * v2``, ``exp(v1)``, ``1 - v3 * v3``):
  the Wengert list.
* ``Writer(code=True)`` writes Python source for the compiled tape: ``+ - *`` and negation
  inline, every other primitive as a call of a register name ``_p0, _p1 ...`` that the tape
  binds to the primitive's float (or array) function, so generated code raises exactly the
  errors eager evaluation raises.  A primitive's name never enters the code.

Numbers are written with ``repr(float)``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

from autograd_lite.core import rules
from autograd_lite.core.rules import Primitive

MAX_INLINE_TERMS = 64
"""``sum`` and ``dot`` of at most this many arguments are written out in generated code
(``a + b + ...``: no call); longer ones call the primitive (Python's compiler recurses on
long ``a + b + c + ...`` chains)."""
_INLINE_IN_CODE = frozenset({"add", "sub", "mul"})
"""Primitives written as operators in generated code: they cannot raise (an overflow gives
an infinity, which the tape's finiteness check catches)."""


_UNSHOWABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters no reader can see for what they are: lone surrogates (which UTF-8 cannot
encode), control characters other than tab and newline, and the bidirectional embeddings,
overrides and isolates (which reorder the text after them)."""


def printable(text: str) -> str:
    r"""``text`` with every character of :data:`_UNSHOWABLE` written as its Python escape
    (``\ud800``, ``\x00``, ``\u202e``): safe to encode as UTF-8 and shown as what it is.

    Examples:
        >>> from autograd_lite.compile.symbolic import printable
        >>> print(printable("x\ud800y"), printable("tab\tand\nnewline kept"))
        x\ud800y tab	and
        newline kept
    """
    if not isinstance(text, str):
        raise TypeError(f"printable: text must be a str, got {type(text).__name__}")
    return _UNSHOWABLE.sub(lambda m: ascii(m.group())[1:-1], text)


_PLAIN_CODE = re.compile(r"[^`|\s]([^`|\n\t]*[^`|\s])?")
"""Text a Markdown code span holds as it is: no backtick or pipe, no line break, no space
at either end (Python-Markdown strips it)."""
_MARKDOWN_ENTITIES = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~^=:$\n\t"}
"""Markdown's own punctuation (and Python-Markdown's extensions'), written as character
references: Markdown leaves them alone and HTML reads them back as the character."""


def markdown_code(text: str) -> str:
    """``text`` as inline code in Markdown (a table cell included) that renders as exactly
    ``printable(text)``: a code span when that is plain, else a ``<code>`` element with
    HTML's and Markdown's special characters written as character references, so no
    backtick, pipe, ``<`` or ``&`` in ``text`` can end the code or make markup.

    Examples:
        >>> from autograd_lite.compile.symbolic import markdown_code
        >>> markdown_code("weight[0][1]")
        '`weight[0][1]`'
        >>> markdown_code("a`<b>|c")
        '<code>a&#96;&lt;b&gt;&#124;c</code>'
    """
    if not isinstance(text, str):
        raise TypeError(f"markdown_code: text must be a str, got {type(text).__name__}")
    shown = printable(text)
    if _PLAIN_CODE.fullmatch(shown):
        return f"`{shown}`"
    return "<code>" + "".join(_MARKDOWN_ENTITIES.get(c) or html.escape(c) for c in shown) \
        + "</code>"


def literal(x: float) -> str:
    """A float as source text that reads back exactly (``repr``), infinities included."""
    if math.isinf(x):
        return "_inf" if x > 0 else "(-_inf)"
    if x != x:
        raise ValueError("literal: nan has no place in generated code")
    return repr(float(x))


def from_zero(gradient: str) -> str:
    """An input's gradient in code as eager's ``.grad`` has it, ``0.0 + `` its adjoint: never
    -0.0 (a zero adjoint times a negative derivative is -0.0; eager adds it to 0.0)."""
    return gradient if gradient == "0.0" else f"0.0 + {gradient}"


class Writer:
    """Writes primitive applications as text (see the module docstring).

    In code mode, :attr:`functions` lists the primitives called, in the order of their
    register names ``_p0, _p1 ...``.
    """

    def __init__(self, code: bool) -> None:
        self.code = code
        self.functions: list[Primitive] = []
        self._names: dict[Primitive, str] = {}

    def sym(self, text: str) -> Sym:
        """An atomic symbol (a register name) written by this writer."""
        return Sym(text, self, atomic=True)

    def apply(self, op: Primitive, args: Sequence[Any]) -> Any:
        """The text of ``op(*args)``."""
        n = len(args) - op.params
        if op.infix and (not self.code or op.name in _INLINE_IN_CODE):
            if op.name == "add" or op.name == "sub" or op.name == "mul":
                return self._infix(args[0], op.symbol, args[1])
            return Sym(f"{_operand(args[0])} {op.symbol} {_operand(args[1])}", self)
        if not self.code and op.text is not None and not any(isinstance(a, Sym)
                                                              for a in args[n:]):
            return Sym(op.text(*[_operand(a) if isinstance(a, Sym) else a for a in args]),
                       self, atomic=True)
        if op.name == "neg":
            return Sym(f"-{_operand(args[0])}", self)
        inline = not self.code or 0 < n <= MAX_INLINE_TERMS
        start = ["0.0"] if self.code else []  # as the float function: sum(terms, 0.0)
        if inline and op.name == "add_n":
            return Sym(" + ".join([*start, *(_operand(x) for x in args)]) or "0", self)
        if inline and op.name == "dot":
            half = n // 2
            return Sym(" + ".join([*start, *(f"{_operand(w)} * {_operand(x)}"
                                             for w, x in zip(args[:half], args[half:]))])
                       or "0", self)
        return Sym(f"{self.function_name(op)}({', '.join(_text(a) for a in args)})", self,
                   atomic=True)

    def function_name(self, op: Primitive) -> str:
        """How a call of ``op`` is written: its name for people, a register name in code."""
        if not self.code:
            return op.name if op.name.isidentifier() else ascii(op.name)
        name = self._names.get(op)
        if name is None:
            name = self._names[op] = f"_p{len(self.functions)}"
            self.functions.append(op)
        return name

    def _infix(self, a: Any, symbol: str, b: Any) -> Any:
        """``a symbol b``, dropping the identities x*1, 1*x, x+0, 0+x and x-0 -- in code only
        those that hold for every float: x + (-0.0), (-0.0) + x and x - 0.0 (x + 0.0 is 0.0
        at x = -0.0)."""
        if symbol == "*":
            if _is_number(b) and b == 1.0:
                return a
            if _is_number(a) and a == 1.0:
                return b
        if symbol in "+-" and _is_number(b) and b == 0.0 and (
                not self.code or math.copysign(1.0, b) == (1.0 if symbol == "-" else -1.0)):
            return a
        if symbol == "+" and _is_number(a) and a == 0.0 and (
                not self.code or math.copysign(1.0, a) < 0.0):
            return b
        return Sym(f"{_operand(a)} {symbol} {_operand(b)}", self)


class Sym:
    """A symbolic scalar: the text of an expression, with arithmetic that writes text."""

    __slots__ = ("text", "writer", "atomic")

    def __init__(self, text: str, writer: Writer, atomic: bool = False) -> None:
        self.text = text
        self.writer = writer
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
        return rules.add(self, other)

    def __radd__(self, other: Any) -> Any:
        return rules.add(other, self)

    def __sub__(self, other: Any) -> Any:
        return rules.sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        return rules.sub(other, self)

    def __mul__(self, other: Any) -> Any:
        return rules.mul(self, other)

    def __rmul__(self, other: Any) -> Any:
        return rules.mul(other, self)

    def __truediv__(self, other: Any) -> Any:
        return rules.div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return rules.div(other, self)

    def __pow__(self, other: Any) -> Any:
        return rules.pow(self, other) if isinstance(other, Sym) else rules.powc(self, other)

    def __neg__(self) -> Any:
        return rules.neg(self)


def _carry(op: Primitive, args: tuple[Any, ...]) -> Any:
    writer = next(a.writer for a in args if isinstance(a, Sym))
    return writer.apply(op, args)


rules.register_carrier(Sym, _carry)


def _is_number(x: Any) -> bool:
    return isinstance(x, float | int)


def _operand(x: Any) -> str:
    if isinstance(x, Sym):
        return x.operand
    text = literal(x)
    return f"({text})" if text.startswith("-") else text


def _text(x: Any) -> str:
    return x.text if isinstance(x, Sym) else literal(x)


def forward_text(op: Primitive, writer: Writer, args: Sequence[Any]) -> str:
    """``op`` applied to ``args`` (Syms and numbers) as text."""
    return _text(writer.apply(op, args))


def grad_texts(op: Primitive, out: Sym, args: Sequence[Any]) -> list[str]:
    """The local derivative rules of ``op`` as text, one per differentiable argument."""
    return [_text(g) for g in op.partials(out, *args)]


def rule_table_markdown(primitives: Sequence[Primitive]) -> str:
    """The rule table as a Markdown table: each primitive written on symbols ``x, y``
    (parameters ``c``), its local derivatives in terms of them and of ``out``."""
    writer = Writer(code=False)
    rows = ["| primitive | value | local derivatives (d out / d argument) |", "|---|---|---|"]
    for op in primitives:
        n = 2 if op.arity is None else op.arity
        names = (["x", "y"] if n == 2 else ["x"])[:n] if op.arity is not None else ["x1", "x2"]
        args: list[Any] = [writer.sym(a) for a in names]
        args += [writer.sym("c" if op.params == 1 else f"c{k + 1}") for k in range(op.params)]
        value = _text(writer.apply(op, args))
        local = ", ".join(_text(d) for d in op.partials(writer.sym("out"), *args))
        if op.arity is None:  # "x1 + x2 + ...", "hypot(x1, x2, ...)"
            more = f"{value[:-1]}, ...)" if value.endswith(")") else f"{value} + ..."
            value, local = more, f"{local}, ..."
        rows.append(f"| {markdown_code(op.name)} | {markdown_code(value)} | "
                    f"{markdown_code(local)} |")
    return "\n".join(rows)

"""Text of the Wengert list as LaTeX math: expressions, labels and numbers.

:func:`expression` reads a rule's text as the trace writes it (``v₋₁ * v₀``,
``v̄₂ * (1.0 / v₁)``, ``sigmoid(v₃)``: Python syntax with value names) and writes LaTeX
(``v_{-1} \\cdot v_{0}``, ``\\bar{v}_{2} \\cdot \\frac{1}{v_{1}}``, ``\\sigma(v_{3})``).
Text it cannot read (a custom primitive's own ``text``) is written as ``\\texttt`` text.
Only standard LaTeX math is used (no package needed), so the output also converts with
``latex2mathml``.
"""

from __future__ import annotations

import ast
import math
import re

from autograd_lite.compile.symbolic import printable

_NAME = re.compile(r"(?<![\w.])v(\u0304?)(\u208b?[\u2080-\u2089]+|\d+)(?![\w.])")
"""A value name of the trace, ``v12`` or ``v₋₂`` (Griewank's subscripts), ``v̄...`` its adjoint."""
_SUBSCRIPT_DIGITS = str.maketrans("\u208b\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087"
                                  "\u2088\u2089", "-0123456789")
_PLACEHOLDER = re.compile(r"_(v|b)(m?)(\d+)")

_FUNCTIONS = {
    "exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan",
    "sinh": r"\sinh", "cosh": r"\cosh", "tanh": r"\tanh", "asin": r"\arcsin",
    "acos": r"\arccos", "atan": r"\arctan", "sigmoid": r"\sigma", "log10": r"\log_{10}",
    "log2": r"\log_{2}", "lgamma": r"\ln\Gamma", "gamma": r"\Gamma", "digamma": r"\psi",
}
"""Functions LaTeX has a name for; any other is ``\\operatorname{name}``."""
_COMPARISONS = {ast.Gt: ">", ast.GtE: r"\geq", ast.Lt: "<", ast.LtE: r"\leq", ast.Eq: "=",
                ast.NotEq: r"\neq"}
_TEXT_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                  "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}",
                  "~": r"\textasciitilde{}"}
"""LaTeX's special characters, as text mode writes them."""


def name(index: int, adjoint: bool = False) -> str:
    """``v_{index}``, or ``\\bar{v}_{index}`` for the adjoint."""
    head = r"\bar{v}" if adjoint else "v"
    return f"{head}_{{{index}}}"


def text(raw: str, command: str = r"\text") -> str:
    """``raw`` as upright text in math mode, every LaTeX special escaped (characters nothing
    could show, such as a lone surrogate, as their Python escapes)."""
    return command + "{" + "".join(_TEXT_SPECIALS.get(c, c) for c in printable(raw)) + "}"


def label(raw: str) -> str:
    """A value's label in math: ``x1`` -> ``x_{1}``, ``W21`` -> ``W_{21}``, ``y`` -> ``y``
    (letters then digits, as a teacher writes them); anything else as text."""
    found = re.fullmatch(r"([A-Za-z])([A-Za-z]*)(\d*)", raw)
    if not found:
        return text(raw)
    head = found[1] if not found[2] else rf"\mathit{{{found[1]}{found[2]}}}"
    return head + (f"_{{{found[3]}}}" if found[3] else "")


def number(shown: str) -> str:
    """A number as the trace prints it (``-0.5``, ``1e-05``, ``inf``) in LaTeX."""
    mantissa, e, exponent = shown.partition("e")
    if e:
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if shown.lstrip("-") == "inf":
        return shown.replace("inf", r"\infty")
    if shown == "nan":
        return r"\mathrm{NaN}"
    return shown


def expression(source: str) -> str:
    """The trace's text of a rule (Python syntax, value names ``v…``) as LaTeX math."""
    python = _NAME.sub(_placeholder, source)
    try:
        tree = ast.parse(python, mode="eval").body
        return _Latex().write(tree)
    except (SyntaxError, ValueError, RecursionError):
        return text(source, r"\texttt")


def _placeholder(match: re.Match[str]) -> str:
    index = int(match[2].translate(_SUBSCRIPT_DIGITS))
    return f"_{'b' if match[1] else 'v'}{'m' if index < 0 else ''}{abs(index)}"


_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


class _Latex:
    """Writes a parsed expression; ``ValueError`` for anything it does not know."""

    def write(self, node: ast.expr) -> str:
        return self._write(node)[0]

    def _write(self, node: ast.expr) -> tuple[str, int]:
        """The LaTeX of ``node`` and its binding strength (5: an atom)."""
        if isinstance(node, ast.Name):
            found = _PLACEHOLDER.fullmatch(node.id)
            if found:
                index = int(found[3]) * (-1 if found[2] else 1)
                return name(index, adjoint=found[1] == "b"), 5
            return label(node.id), 5
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
                and not isinstance(node.value, bool):
            value = float(node.value)
            shown = repr(value).removesuffix(".0") if math.isfinite(value) else str(value)
            return number(shown), 2 if "e" in shown else 5
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self._operand(node.operand, 3)
            return ("-" if isinstance(node.op, ast.USub) else "+") + operand, 3
        if isinstance(node, ast.BinOp) and type(node.op) in _PRECEDENCE:
            return self._binary(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self._call(node.func.id, node.args), 5
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and type(node.ops[0]) in _COMPARISONS:
            left, right = self.write(node.left), self.write(node.comparators[0])
            return f"{left} {_COMPARISONS[type(node.ops[0])]} {right}", 0
        if isinstance(node, ast.IfExp):
            return (rf"\left({self.write(node.body)} \text{{ if }} {self.write(node.test)}"
                    rf" \text{{ else }} {self.write(node.orelse)}\right)"), 5
        raise ValueError(f"no LaTeX for {type(node).__name__}")

    def _operand(self, node: ast.expr, strength: int) -> str:
        """``node``, parenthesised unless it binds at least as tightly as ``strength``."""
        written, own = self._write(node)
        return written if own >= strength else rf"\left({written}\right)"

    def _binary(self, node: ast.BinOp) -> tuple[str, int]:
        strength = _PRECEDENCE[type(node.op)]
        if isinstance(node.op, ast.Div):
            return rf"\frac{{{self.write(node.left)}}}{{{self.write(node.right)}}}", 5
        if isinstance(node.op, ast.Pow):
            base = self._operand(node.left, 5)
            return f"{{{base}}}^{{{self.write(node.right)}}}", strength
        left = self._operand(node.left, strength)
        # a - (b + c), a * (b * c) keep their parentheses on the right; a * -b gets them
        right = self._operand(node.right, strength + 1 if strength == 1 else 4)
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\cdot"}[type(node.op)]
        return f"{left} {symbol} {right}", strength

    def _call(self, function: str, args: list[ast.expr]) -> str:
        written = [self.write(a) for a in args]
        if function == "sqrt" and len(written) == 1:
            return rf"\sqrt{{{written[0]}}}"
        if function == "fabs" and len(written) == 1:
            return rf"\left\lvert {written[0]} \right\rvert"
        escaped = function.replace("_", r"\_")
        head = _FUNCTIONS.get(function, rf"\operatorname{{{escaped}}}")
        return rf"{head}\left({', '.join(written)}\right)"


__all__: list[str] = []

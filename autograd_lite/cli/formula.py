"""A safe parser for one-line formulas such as ``x*y + exp(x)``, evaluated on Values.

The text is parsed by :mod:`ast` and checked against a whitelist before anything runs:
numbers, the constants ``pi``, ``e`` and ``tau``, variable names, ``+ - * / **``, unary
``-`` / ``+``, parentheses and calls of the functions in :data:`FUNCTIONS`.  Nothing is
ever passed to ``eval``.  Anything else (attributes, subscripts, lambdas, comprehensions,
names starting with ``_``, other calls...) raises :class:`FormulaError`, whose message
shows the text with a caret under the offending token.  Size limits keep hostile input
cheap: at most :data:`MAX_LENGTH` characters and :data:`MAX_DEPTH` levels of nesting, and
numbers are floats, so ``10**10**10`` overflows at once (a
:class:`~autograd_lite.core.errors.DomainError`) instead of computing a huge integer.
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from autograd_lite import math as public_math
from autograd_lite.core import rules
from autograd_lite.core.errors import DomainError
from autograd_lite.core.rules import Primitive, to_float
from autograd_lite.core.value import Value, constant

MAX_LENGTH = 2000
"""Longest expression accepted, in characters."""
MAX_DEPTH = 200
"""Deepest nesting accepted (parentheses, operators and calls each count one level)."""

FUNCTIONS: dict[str, Primitive] = {
    name: p for name, p in rules.PRIMITIVES.items()
    if p.builtin and not p.infix and p.arity == 1 and name != "neg"
    and (name in public_math.__all__ or callable(getattr(Value, name, None)))} | {"abs": rules.fabs}
"""Callable names: every one-argument built-in primitive a user can call by name (a
function of :mod:`autograd_lite.math` or a ``Value`` method), called with its argument and
then its parameters (``leaky_relu(x, slope)``), and ``abs``, Python's name for ``fabs``.
The helpers that only derivative rules use (``dpow``, ``relu_slope``...) are not offered."""

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}
"""Names that are numbers, as in :mod:`math`; they cannot be given a value."""

_BINARY: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: Value.__add__,
    ast.Sub: Value.__sub__,
    ast.Mult: Value.__mul__,
    ast.Div: Value.__truediv__,
}
_OPERATOR_HINTS: dict[type[ast.AST], str] = {
    ast.BitXor: "'^' is not allowed (for a power write **)",
    ast.FloorDiv: "'//' is not allowed (use /)",
    ast.Mod: "'%' is not allowed",
    ast.MatMult: "'@' is not allowed",
    ast.Invert: "'~' is not allowed",
    ast.Not: "'not' is not allowed",
}
_NODE_HINTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "indexing ('[...]') is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.IfExp: "'if ... else' is not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Tuple: "tuples are not allowed (one expression only)",
    ast.List: "lists are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Set: "sets are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}


class FormulaError(ValueError):
    """An expression that is not allowed or not well formed; the message points at it.

    ``text`` is the expression, ``column`` the 0-based character position of the
    offending token and ``reason`` what is wrong with it.
    """

    def __init__(self, text: str, column: int, reason: str) -> None:
        self.text = text
        self.column = max(0, min(column, len(text)))
        self.reason = reason
        start = max(0, self.column - 60)
        visible = "".join(c if " " <= c != "\x7f" else "?" for c in text[start:start + 120])
        shown = ("..." if start else "") + visible
        caret = " " * (self.column - start + (3 if start else 0)) + "^"
        super().__init__(f"{reason} (column {self.column + 1})\n  {shown}\n  {caret}")


@dataclass(frozen=True)
class Formula:
    """A checked expression: its text, syntax tree and variable names (in order of use)."""

    text: str
    tree: ast.expr
    variables: tuple[str, ...]

    def evaluate(self, values: Mapping[str, Value | float]) -> Value:
        """The expression computed on Values: every variable needs a Value or a number.

        Numbers become Values labelled with their name, so their gradients can be read.
        Names are NFKC-normalised, as Python reads the expression's identifiers: a value
        for a fullwidth x (U+FF58) is the value of ``x``.
        """
        by_name: dict[str, Value | float] = {}
        for key, given in values.items():
            if not isinstance(key, str):
                raise TypeError(f"evaluate: variable names must be str, got "
                                f"{type(key).__name__} {key!r}")
            name = unicodedata.normalize("NFKC", key)
            if name in by_name:
                raise ValueError(f"evaluate: variable {name!r} is given twice ({key!r} is "
                                 f"{name!r} once normalised)")
            if name in CONSTANTS:
                raise ValueError(f"evaluate: {name} is a constant ({CONSTANTS[name]!r}), "
                                 "not a variable; it cannot be given a value")
            by_name[name] = given
        values = by_name
        leaves: dict[str, Value] = {}
        for name in self.variables:
            if name not in values:
                node = next(n for n in ast.walk(self.tree)
                            if isinstance(n, ast.Name) and n.id == name)
                raise FormulaError(self.text, _column(self.text, node),
                                      f"no value given for variable {name!r} "
                                      f"(pass {name}=NUMBER)")
            given = values[name]
            leaves[name] = given if isinstance(given, Value) else \
                Value(to_float(given, f"evaluate: variable {name}"), name)
        return _Evaluator(self.text, leaves).value(self.tree)


def parse_formula(text: str) -> Formula:
    """Check ``text`` against the whitelist and return it as a :class:`Formula`."""
    if not isinstance(text, str):
        raise TypeError(f"parse_formula: text must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(text, MAX_LENGTH, f"expression too long: {len(text)} characters "
                              f"(at most {MAX_LENGTH})")
    for i, c in enumerate(text):
        if c < " " or c == "\x7f":
            raise FormulaError(text, i, "control characters and line breaks are not "
                                  "allowed (one line only)")
    _check_bracket_depth(text)
    if not text.strip():
        raise FormulaError(text, 0, "empty expression")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        column = (exc.offset or 1) - 1
        raise FormulaError(text, column, f"syntax error: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise FormulaError(text, 0, f"expression nested too deeply (at most {MAX_DEPTH} "
                              "levels)") from None
    variables: list[str] = []
    _check(text, tree, 0, variables)
    return Formula(text, tree, tuple(variables))


def evaluate(text: str, values: Mapping[str, Value | float]) -> Value:
    """Parse ``text`` safely and compute it with ``values`` for its variables."""
    return parse_formula(text).evaluate(values)


def _check_bracket_depth(text: str) -> None:
    depth = 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FormulaError(text, i, f"expression nested too deeply (at most "
                                      f"{MAX_DEPTH} levels)")
        elif c in ")]}":
            depth -= 1


def _column(text: str, node: ast.AST, end: bool = False) -> int:
    """The character column where ``node`` starts, or ends (ast gives UTF-8 byte offsets)."""
    offset = getattr(node, "end_col_offset" if end else "col_offset", None) or 0
    return len(text.encode("utf-8")[:offset].decode("utf-8", "replace"))


def _check(text: str, node: ast.AST, depth: int, variables: list[str]) -> None:
    """Refuse anything outside the whitelist; collect variable names in ``variables``."""
    def fail(where: ast.AST | int, reason: str) -> FormulaError:
        column = where if isinstance(where, int) else _column(text, where)
        return FormulaError(text, column, reason)

    if depth > MAX_DEPTH:
        raise fail(node, f"expression nested too deeply (at most {MAX_DEPTH} levels)")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise fail(node, f"only numbers are allowed, not {type(node.value).__name__} "
                       f"{node.value!r:.40}")
        try:
            to_float(node.value, "number")
        except (OverflowError, DomainError):
            raise fail(node, "number too large (it must fit in a float)") from None
    elif isinstance(node, ast.Name):
        _check_name(text, node)
        if node.id in FUNCTIONS:
            raise fail(node, f"{node.id!r} is a function: call it, as in {node.id}(x)")
        if node.id not in variables and node.id not in CONSTANTS:
            variables.append(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY and not isinstance(node.op, ast.Pow):
            hint = _OPERATOR_HINTS.get(type(node.op), f"operator {type(node.op).__name__} "
                                       "is not allowed")
            raise fail(node.right, hint)
        _check(text, node.left, depth + 1, variables)
        _check(text, node.right, depth + 1, variables)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise fail(node, _OPERATOR_HINTS.get(type(node.op), "operator not allowed"))
        _check(text, node.operand, depth + 1, variables)
    elif isinstance(node, ast.Call):
        _check_call(text, node)
        for argument in node.args:
            _check(text, argument, depth + 1, variables)
    elif isinstance(node, ast.Attribute):
        dot = _column(text, node.value, end=True)
        raise fail(dot, _NODE_HINTS[ast.Attribute])
    else:
        raise fail(node, _NODE_HINTS.get(type(node), f"{type(node).__name__} is not allowed "
                                         "(only numbers, variables, + - * / **, and calls of "
                                         f"{', '.join(FUNCTIONS)})"))


def _check_name(text: str, node: ast.Name) -> None:
    if node.id.startswith("_"):
        raise FormulaError(text, _column(text, node),
                              f"names starting with '_' are not allowed: {node.id!r}")


def _check_call(text: str, node: ast.Call) -> None:
    func = node.func
    if not isinstance(func, ast.Name):
        reason = _NODE_HINTS.get(type(func), "only named functions can be called")
        raise FormulaError(text, _column(text, func), reason)
    _check_name(text, func)
    if func.id not in FUNCTIONS:
        raise FormulaError(text, _column(text, func),
                              f"unknown function {func.id!r}; allowed: {', '.join(FUNCTIONS)}")
    if node.keywords:
        raise FormulaError(text, _column(text, node.keywords[0].value),
                              f"{func.id}: keyword arguments are not allowed")
    op = FUNCTIONS[func.id]
    arity = 1 + op.params
    if len(node.args) != arity:
        raise FormulaError(text, _column(text, node),
                              f"{func.id} takes {arity} argument{'s' * (arity > 1)}, "
                              f"got {len(node.args)}")


class _Evaluator:
    """Computes a checked tree on Values (numbers become constants)."""

    def __init__(self, text: str, leaves: Mapping[str, Value]) -> None:
        self.text = text
        self.leaves = leaves

    def value(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            return constant(node.value)
        if isinstance(node, ast.Name):
            return constant(CONSTANTS[node.id]) if node.id in CONSTANTS else self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left = self.value(node.left)
            if isinstance(node.op, ast.Pow):
                return self._power(left, node.right)
            return _BINARY[type(node.op)](left, self.value(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            op = FUNCTIONS[node.func.id]
            args = [self.value(a) for a in node.args]
            params = [self._number(n, v) for n, v in zip(node.args[1:], args[1:])]
            result: Value = op(args[0], *params)
            return result
        raise FormulaError(self.text, _column(self.text, node), "not allowed")

    def _power(self, base: Value, exponent_node: ast.expr) -> Value:
        """``base ** e``: a constant exponent is a number (any base), else a Value (base > 0)."""
        exponent = self.value(exponent_node)
        if _is_constant(exponent_node):
            return base ** exponent.data
        return base ** exponent

    def _number(self, node: ast.expr, value: Value) -> float:
        if not _is_constant(node):
            raise FormulaError(self.text, _column(self.text, node),
                                  "this argument must be a number, not depend on variables")
        return value.data


def _is_constant(node: ast.expr) -> bool:
    """True when ``node`` uses no variable."""
    return not any(isinstance(n, ast.Name) and n.id not in FUNCTIONS and n.id not in CONSTANTS
                   for n in ast.walk(node))

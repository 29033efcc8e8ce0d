"""The Wengert list of a graph: its evaluation trace and its adjoint trace.

The evaluation trace names every value ``v1, v2, ...`` in the order it was computed and
writes each as the rule that made it (``v5 = v1 * v2``, read from the rule table through
:class:`~autograd_lite.compile.symbolic.Writer`).  The adjoint trace runs the chain rule
backwards, one line per edge::

    v̄_parent += v̄_node * d node / d parent

so ``v̄i`` ends as d root / d vi.  Unlabelled constants (the ``5`` in ``y - 5``, the
exponent of ``x ** 2``) are written inline as numbers and have no adjoint.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograd_lite.compile.symbolic import (
    Sym,
    Writer,
    forward_text,
    grad_texts,
    markdown_code,
    printable,
)
from autograd_lite.core.reverse import reverse_pass
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value, arguments, of_parents, topological_order

BAR = "\u0304"
"""Combining macron: ``v`` + BAR prints as v̄, the adjoint of v."""


def is_inlined(node: Value) -> bool:
    """True for unlabelled constants, which the trace writes as numbers rather than names."""
    if not isinstance(node, Value):
        raise TypeError(f"is_inlined: node must be a Value, got {type(node).__name__}")
    return node.is_leaf and not node.requires_grad and not node.label


def value_names(order: Sequence[Value]) -> dict[Value, str]:
    """``v1, v2, ...`` for the values of ``order`` (a topological order ending at the root);
    inlined constants other than the root get no name.

    Examples:
        >>> from autograd_lite import Value, topological_order
        >>> from autograd_lite.graph.wengert import value_names
        >>> x = Value(2.0, "x")
        >>> f = x * x + 1.0
        >>> list(value_names(topological_order(f)).values())
        ['v1', 'v2', 'v3']
    """
    if not isinstance(order, Sequence) or not all(isinstance(v, Value) for v in order):
        raise TypeError("value_names: order must be a sequence of Values (topological_order("
                        f"root)), got {type(order).__name__}")
    names: dict[Value, str] = {}
    for node in order:
        if not is_inlined(node) or node is order[-1]:
            names[node] = f"v{len(names) + 1}"
    return names


def definition(node: Value, names: Mapping[Value, str]) -> str:
    """How ``node`` was computed, from the rule table: ``v1 * v2``, ``sigmoid(v12)``, ``x``.

    Operands are written by their ``names``, unnamed ones as numbers; a leaf is its label
    (or its number).
    """
    if not isinstance(node, Value):
        raise TypeError(f"definition: node must be a Value, got {type(node).__name__}")
    if node.op is None:
        return node.label or format(node.data, "g")
    writer = Writer(code=False)
    return forward_text(node.op, writer, _symbols(node, names, writer))


def _symbols(node: Value, names: Mapping[Value, str], writer: Writer) -> list[Sym | float]:
    """A node's arguments for its rule's text: named Values as symbols, the rest as numbers."""
    return [(writer.sym(names[a]) if a in names else a.data) if isinstance(a, Value) else a
            for a in arguments(node)]


@dataclass(frozen=True, slots=True)
class ForwardRow:
    """``name = text`` evaluates to ``value``; ``label`` is the value's own label.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.wengert import wengert_list
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> wengert_list(x * y).forward[2]
        ForwardRow(name='v3', text='v1 * v2', value=6.0, label='')
    """

    name: str
    text: str
    value: float
    label: str


@dataclass(frozen=True, slots=True)
class AdjointRow:
    """``target += text`` adds ``term``, after which the adjoint ``target`` is ``total``.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.wengert import wengert_list
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> wengert_list(x * y).adjoint[1]
        AdjointRow(target='v̄1', text='v̄3 * v2', term=3.0, total=3.0, label='x')
    """

    target: str
    text: str
    term: float
    total: float
    label: str


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` columns (a combining BAR takes no column)."""
    return text + " " * (width - len(text) + text.count(BAR))


def _wrap(text: str) -> str:
    """``text`` parenthesised when it has an operator outside parentheses at its top level."""
    if " " not in text or (text.startswith("(") and text.endswith(")")):
        return text
    return f"({text})"


def _product(bar: str, local: str) -> str:
    if local in ("1", "1.0"):
        return bar
    if local in ("-1", "-1.0"):
        return f"-{bar}"
    return f"{bar} * {_wrap(local)}"


class WengertList:
    """The Wengert list of one graph: ``forward`` and ``adjoint`` rows, printable as text,
    Markdown (:meth:`to_markdown`) and HTML (:meth:`to_html`, shown inline by Jupyter).

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.wengert import wengert_list
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> trace = wengert_list(x * y)
        >>> print(trace.to_markdown().splitlines()[5])
        | `v2` | `y` | 3 |  |
        >>> trace.to_html().startswith('<div class="autograd-lite-trace">')
        True
    """

    def __init__(self, forward: Sequence[ForwardRow], adjoint: Sequence[AdjointRow],
                 digits: int = 4) -> None:
        self.forward = tuple(forward)
        self.adjoint = tuple(adjoint)
        self.digits = digits

    def _num(self, x: float) -> str:
        return f"{x + 0.0:.{self.digits}g}"  # + 0.0 prints -0.0 as 0

    def forward_table(self) -> list[list[str]]:
        """Rows ``[value, definition, number, label]`` of the evaluation trace."""
        return [[r.name, r.text, self._num(r.value), r.label] for r in self.forward]

    def adjoint_table(self) -> list[list[str]]:
        """Rows ``[adjoint, += term, term value, adjoint so far, label]`` of the adjoint trace."""
        return [[r.target, r.text, self._num(r.term), self._num(r.total), r.label]
                for r in self.adjoint]

    FORWARD_HEADER = ("name", "definition", "value", "label")
    ADJOINT_HEADER = ("adjoint", "+=", "term", "adjoint so far", "label")

    def to_text(self) -> str:
        """Both traces as aligned plain text: ``v3 = v1 * v2  = 6  (label)`` (labels and
        names through :func:`~autograd_lite.compile.symbolic.printable`)."""
        lines = ["Evaluation trace (forward)"]
        for name, text, value, label in self.forward_table():
            lines.append(_pad(f"  {name} = {text}", 40) + f" = {value}" +
                         (f"   ({label})" if label else ""))
        lines.append("Adjoint trace (reverse): v̄ = d root / d v")
        for target, text, term, total, label in self.adjoint_table():
            if text == "seed":
                line = _pad(f"  {target} = {term}", 52)
            else:
                line = _pad(_pad(f"  {target} += {text}", 40) + f" = {term}", 52)
            lines.append(line + f"  -> {target} = {total}" + (f"   ({label})" if label else ""))
        return printable("\n".join(lines))

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<WengertList: {len(self.forward)} values, {len(self.adjoint)} adjoint terms>"

    def to_markdown(self) -> str:
        """Both traces as Markdown pipe tables.  Names, definitions and labels are inline
        code (:func:`~autograd_lite.compile.symbolic.markdown_code`): rendered, each shows
        exactly its text (``printable``), whatever backticks, pipes, ``<``, ``&`` or
        backslashes it holds, and a label such as ``weight[0][1]`` is never read as a link."""
        def table(header: Sequence[str], rows: list[list[str]]) -> list[str]:
            out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            code = {0, 1, len(header) - 1}
            for row in rows:
                out.append("| " + " | ".join(markdown_code(c) if c and i in code else c
                                             for i, c in enumerate(row)) + " |")
            return out
        return "\n".join(["**Evaluation trace**", "",
                          *table(self.FORWARD_HEADER, self.forward_table()), "",
                          "**Adjoint trace** (v̄ = d root / d v)", "",
                          *table(self.ADJOINT_HEADER, self.adjoint_table())])

    def to_html(self) -> str:
        """Both traces as HTML tables (every cell escaped, through ``printable``)."""
        def table(caption: str, header: Sequence[str], rows: list[list[str]]) -> str:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(printable(c))}</td>" for c in row) +
                           "</tr>" for row in rows)
            return (f"<table><caption>{html.escape(caption)}</caption>"
                    f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return ("<div class=\"autograd-lite-trace\">"
                + table("Evaluation trace", self.FORWARD_HEADER, self.forward_table())
                + table("Adjoint trace (v̄ = d root / d v)", self.ADJOINT_HEADER,
                        self.adjoint_table())
                + "</div>")

    def _repr_html_(self) -> str:
        return self.to_html()


def wengert_list(root: Value, gradient: float = 1.0, *, digits: int = 4) -> WengertList:
    """The Wengert list of the graph computing ``root``, seeded with d root / d root = ``gradient``.

    Reads the graph only: no ``.grad`` is changed.  Numbers are shown to ``digits``
    significant digits.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.wengert import wengert_list
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> print(wengert_list(x * y + x.exp()))
        Evaluation trace (forward)
          v1 = x                                 = 2
          v2 = y                                 = 3
          v3 = v1 * v2                           = 6
          v4 = exp(v1)                           = 7.389
          v5 = v3 + v4                           = 13.39
        Adjoint trace (reverse): v̄ = d root / d v
          v̄5 = 1                                              -> v̄5 = 1
          v̄3 += v̄5                               = 1          -> v̄3 = 1
          v̄4 += v̄5                               = 1          -> v̄4 = 1
          v̄1 += v̄4 * v4                          = 7.389      -> v̄1 = 7.389   (x)
          v̄1 += v̄3 * v2                          = 3          -> v̄1 = 10.39   (x)
          v̄2 += v̄3 * v1                          = 2          -> v̄2 = 2   (y)
    """
    if not isinstance(root, Value):
        raise TypeError(f"wengert_list: root must be a Value, got {type(root).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"wengert_list: digits must be an int between 1 and 17, got {digits!r}")
    seed = to_float(gradient, "wengert_list gradient")
    order = topological_order(root)
    names = value_names(order)
    writer = Writer(code=False)
    forward = [ForwardRow(names[node], definition(node, names), node.data,
                          node.label if node.op is not None else "")
               for node in order if node in names]

    def bar(v: Value) -> str:
        return names[v][0] + BAR + names[v][1:]

    rows = [AdjointRow(bar(root), "seed", seed, seed, root.label)]
    texts: dict[Value, list[str]] = {}

    def on_term(node: Value, k: int, parent: Value, upstream: float, local: float,
                term: float, total: float) -> None:
        if parent not in names or not parent.requires_grad or node.op is None:
            return
        if node not in texts:
            texts[node] = of_parents(node, grad_texts(node.op, writer.sym(names[node]),
                                                      _symbols(node, names, writer)))
        rows.append(AdjointRow(bar(parent), _product(bar(node), texts[node][k]),
                               term, total, parent.label))

    reverse_pass(order, root, seed, on_term=on_term)
    return WengertList(forward, rows, digits)


__all__ = ["AdjointRow", "ForwardRow", "WengertList", "value_names", "wengert_list"]

"""The Wengert list of a graph: its evaluation trace and its adjoint trace.

The evaluation trace numbers the values as Griewank's tables do (*Evaluating Derivatives*,
Griewank and Walther): the independent variables first, ``v₋₂, v₋₁, v₀`` (every named
leaf, in the order the computation first uses it), then each operation in the order it was
computed, ``v₁, v₂, ...``, written as the rule that made it (``v₁ = v₋₂ * v₋₁``, read from
the rule table through :class:`~autograd_lite.compile.symbolic.Writer`).
``numbering="one-based"`` numbers the same rows ``v1, v2, ...`` instead.  The adjoint trace
runs the chain rule backwards, one line per edge::

    v̄_parent += v̄_node * d node / d parent

so ``v̄i`` ends as d root / d vi.  Unlabelled constants (the ``5`` in ``y - 5``, the
exponent of ``x ** 2``) are written inline as numbers and have no adjoint.  Both traces
print as text, Markdown, HTML and LaTeX.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

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
from autograd_lite.graph import latex

BAR = "\u0304"
"""Combining macron: ``v`` + BAR prints as v̄, the adjoint of v."""

Numbering = Literal["griewank", "one-based"]
NUMBERINGS: tuple[Numbering, ...] = ("griewank", "one-based")
"""How :func:`wengert_list` numbers values: Griewank's ``v₋₁, v₀, v₁...`` (the independent
variables end at ``v₀``) or ``v1, v2, ...`` in the same order."""
_SUBSCRIPTS = str.maketrans("-0123456789", "\u208b\u2080\u2081\u2082\u2083\u2084\u2085"
                                           "\u2086\u2087\u2088\u2089")


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


def trace_numbers(order: Sequence[Value], numbering: Numbering = "griewank"
                  ) -> dict[Value, int]:
    """The number of each value the Wengert list names, in the list's order: the independent
    variables (named leaves, in the order the computation first uses them), then the
    operations in the order of ``order`` (a topological order ending at the root).
    Griewank's numbering ends the independent variables at 0; ``"one-based"`` starts at 1.

    Examples:
        >>> from autograd_lite import Value, topological_order
        >>> from autograd_lite.graph.wengert import trace_numbers
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> f = x * y + x.exp()
        >>> [(v.label or v.op.name, k) for v, k in trace_numbers(topological_order(f)).items()]
        [('x', -1), ('y', 0), ('mul', 1), ('exp', 2), ('add', 3)]
    """
    if numbering not in NUMBERINGS:
        raise ValueError(f"trace_numbers: numbering must be one of {', '.join(NUMBERINGS)}, "
                         f"got {numbering!r}")
    named = value_names(order)
    leaves: dict[Value, None] = {}
    for node in order:
        if node.op is not None:
            leaves.update((a, None) for a in arguments(node)
                          if isinstance(a, Value) and a.op is None and a in named)
    if order[-1].op is None:  # the root is a leaf: the list is that one value
        leaves[order[-1]] = None
    rows = [*leaves, *(node for node in named if node.op is not None)]
    first = 1 - len(leaves) if numbering == "griewank" else 1
    return {node: first + k for k, node in enumerate(rows)}


def trace_name(number: int, numbering: Numbering = "griewank") -> str:
    """``v₋₁``, ``v₀``, ``v₁`` (Griewank's, subscripts) or ``v1`` (one-based)."""
    return f"v{number}" if numbering == "one-based" else "v" + str(number).translate(_SUBSCRIPTS)


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
        ForwardRow(name='v₁', text='v₋₁ * v₀', value=6.0, label='')
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
        AdjointRow(target='v̄₋₁', text='v̄₁ * v₀', term=3.0, total=3.0, label='x')
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
    Markdown (:meth:`to_markdown`), HTML (:meth:`to_html`, shown inline by Jupyter) and
    LaTeX (:meth:`to_latex`).

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.wengert import wengert_list
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> trace = wengert_list(x * y)
        >>> print(trace.to_markdown().splitlines()[5])
        | `v₀` | `y` | 3 |  |
        >>> trace.to_html().startswith('<div class="autograd-lite-trace">')
        True
    """

    def __init__(self, forward: Sequence[ForwardRow], adjoint: Sequence[AdjointRow],
                 digits: int = 4, leaves: int = 0) -> None:
        self.forward = tuple(forward)
        self.adjoint = tuple(adjoint)
        self.digits = digits
        self.leaves = leaves
        """How many of the first forward rows are the independent variables (leaves)."""

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

    def to_latex(self) -> str:
        r"""Both traces as LaTeX for a slide or a paper: two ``array`` environments in
        display math (``\[ ... \]``), standard LaTeX needing no package.  Values are
        ``v_{-1}``, adjoints ``\bar{v}_{-1}``, labels as a teacher writes them (``x1`` is
        ``x_{1}``), rules in LaTeX (``\frac``, ``\sigma``, ``\exp``...).

        Examples:
            >>> from autograd_lite import Value
            >>> from autograd_lite.graph.wengert import wengert_list
            >>> x, y = Value(2.0, "x"), Value(3.0, "y")
            >>> print(wengert_list(x * y).to_latex())
            % Evaluation trace (forward)
            \[
            \begin{array}{rclll}
            v_{-1} & = & x & = 2 & \\
            v_{0} & = & y & = 3 & \\
            v_{1} & = & v_{-1} \cdot v_{0} & = 6 &
            \end{array}
            \]
            % Adjoint trace (reverse): \bar{v}_i = d root / d v_i
            \[
            \begin{array}{rclll}
            \bar{v}_{1} & = & 1 & & \\
            \bar{v}_{-1} & \mathrel{+}= & \bar{v}_{1} \cdot v_{0} & = 3 & \bar{v}_{-1} = 3
            \quad (x) \\
            \bar{v}_{0} & \mathrel{+}= & \bar{v}_{1} \cdot v_{-1} & = 2 & \bar{v}_{0} = 2 \quad (y)
            \end{array}
            \]
        """
        forward = []
        for k, (name, text, value, label) in enumerate(self.forward_table()):
            definition = _latex_number_or_label(text) if k < self.leaves else \
                latex.expression(text)
            forward.append(f"{latex.expression(name)} & = & {definition} & = "
                           f"{latex.number(value)} & {f'({latex.label(label)})' if label else ''}")
        adjoint = []
        for target, text, term, total, label in self.adjoint_table():
            bar = latex.expression(target)
            shown = f" \\quad ({latex.label(label)})" if label else ""
            if text == "seed":
                adjoint.append(f"{bar} & = & {latex.number(term)} & & {shown.lstrip()}")
            else:
                adjoint.append(f"{bar} & \\mathrel{{+}}= & {latex.expression(text)} & = "
                               f"{latex.number(term)} & {bar} = {latex.number(total)}{shown}")

        def array(rows: list[str]) -> str:
            body = " \\\\\n".join(row.rstrip() for row in rows)
            return f"\\[\n\\begin{{array}}{{rclll}}\n{body}\n\\end{{array}}\n\\]"
        return "\n".join(["% Evaluation trace (forward)", array(forward),
                          "% Adjoint trace (reverse): \\bar{v}_i = d root / d v_i",
                          array(adjoint)])


def wengert_list(root: Value, gradient: float = 1.0, *, digits: int = 4,
                 numbering: Numbering = "griewank") -> WengertList:
    """The Wengert list of the graph computing ``root``, seeded with d root / d root = ``gradient``.

    Reads the graph only: no ``.grad`` is changed.  Numbers are shown to ``digits``
    significant digits.  Values are numbered as Griewank does, the independent variables
    first and ending at ``v₀``; ``numbering="one-based"`` numbers the same rows from ``v1``
    (:func:`trace_numbers`).

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.wengert import wengert_list
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> print(wengert_list(x * y + x.exp()))
        Evaluation trace (forward)
          v₋₁ = x                                = 2
          v₀ = y                                 = 3
          v₁ = v₋₁ * v₀                          = 6
          v₂ = exp(v₋₁)                          = 7.389
          v₃ = v₁ + v₂                           = 13.39
        Adjoint trace (reverse): v̄ = d root / d v
          v̄₃ = 1                                              -> v̄₃ = 1
          v̄₁ += v̄₃                               = 1          -> v̄₁ = 1
          v̄₂ += v̄₃                               = 1          -> v̄₂ = 1
          v̄₋₁ += v̄₂ * v₂                         = 7.389      -> v̄₋₁ = 7.389   (x)
          v̄₋₁ += v̄₁ * v₀                         = 3          -> v̄₋₁ = 10.39   (x)
          v̄₀ += v̄₁ * v₋₁                         = 2          -> v̄₀ = 2   (y)
        >>> print(wengert_list(x * y, numbering="one-based").to_text().splitlines()[3])
          v3 = v1 * v2                           = 6
    """
    if not isinstance(root, Value):
        raise TypeError(f"wengert_list: root must be a Value, got {type(root).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"wengert_list: digits must be an int between 1 and 17, got {digits!r}")
    if numbering not in NUMBERINGS:
        raise ValueError(f"wengert_list: numbering must be one of {', '.join(NUMBERINGS)}, "
                         f"got {numbering!r}")
    seed = to_float(gradient, "wengert_list gradient")
    order = topological_order(root)
    numbers = trace_numbers(order, numbering)
    names = {node: trace_name(number, numbering) for node, number in numbers.items()}
    writer = Writer(code=False)
    forward = [ForwardRow(names[node], definition(node, names), node.data,
                          node.label if node.op is not None else "")
               for node in numbers]

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
    return WengertList(forward, rows, digits, leaves=sum(node.op is None for node in numbers))


def _latex_number_or_label(text: str) -> str:
    """A leaf's definition in LaTeX: its label, or its number when it has none."""
    try:
        float(text)
    except ValueError:
        return latex.label(text)
    return latex.number(text)


__all__ = ["AdjointRow", "ForwardRow", "WengertList", "trace_numbers", "value_names",
           "wengert_list"]

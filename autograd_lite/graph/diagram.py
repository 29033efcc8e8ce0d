"""Diagrams of a compute graph: one box per value, one small node per operation.

``draw_dot(root)`` returns a ``graphviz.Digraph`` (as micrograd's ``draw_dot`` does) of
the subclass :func:`diagram_type`, which also draws itself without a Graphviz
installation (``.svg()``, ``.save(path)``, inline SVG in Jupyter) through
:mod:`autograd_lite.graph.render`.  Needs the ``viz`` extra: ``pip install "autograd-lite[viz]"``.

Each value is a record ``{ label | data 2 | grad 1 }`` (4 significant digits by default);
node ids come from the topological order, so the same graph always gives the same DOT.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from autograd_lite.core.value import Value, topological_order
from autograd_lite.graph.render import Backend, render_svg, save_source

HIGHLIGHT_COLOUR = "#d62728"
"""Outline and edge colour of highlighted nodes and edges."""
FILL_COLOURS = {
    "parameter": "#c6dbef",
    "input": "#c7e9c0",
    "loss": "#fdd0a2",
    "constant": "#eeeeee",
    "value": "#ffffff",
    "group": "#efedf5",
}
"""Fill colour of each kind of value box (constants are also dashed and grey)."""
DEFAULT_MAX_NODES = 500
"""Boxes (values + operations) drawn before draw_dot refuses and suggests collapse=True."""

Grouping = Callable[[Value], "str | None"]


class GraphTooLargeError(ValueError):
    """The graph has more boxes than ``max_nodes``: drawing it would take too long to read."""


def _import_graphviz() -> Any:
    try:
        import graphviz  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ImportError('draw_dot needs the graphviz package: pip install "autograd-lite[viz]"'
                          ) from exc
    return graphviz


@functools.cache
def diagram_type() -> Any:
    """The ``graphviz.Digraph`` subclass :func:`draw_dot` returns (created on first use).

    Adds ``svg()`` (SVG text), ``save(path)`` (format from the suffix: .svg, .png, .pdf,
    .dot/.gv) and a Jupyter display that renders without the ``dot`` program and falls
    back to the DOT text with a note instead of raising.
    """
    graphviz = _import_graphviz()

    class Diagram(graphviz.Digraph):  # type: ignore[misc,name-defined]
        """A graphviz.Digraph that renders with system Graphviz or its WebAssembly build."""

        def svg(self, *, backend: Backend = "auto") -> str:
            """The diagram as SVG text."""
            return render_svg(self.source, backend=backend)

        def save(self, path: str | Path, *, backend: Backend = "auto") -> Path:
            """Write the diagram to ``path`` in the format its suffix names."""
            return save_source(self.source, path, backend=backend)

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                              **_: Any) -> dict[str, str]:
            try:
                return {"image/svg+xml": self.svg()}
            except Exception as exc:  # display must never raise: show the DOT instead
                note = f"(could not draw the graph: {exc}; its DOT source follows)\n"
                return {"text/plain": note + self.source}

    Diagram.__qualname__ = "Diagram"

    return Diagram


# -- labels --------------------------------------------------------------------------------
_RECORD_SPECIALS = {c: "\\" + c for c in '\\{}|<>"'}


def escape_record(text: str) -> str:
    r"""``text`` made literal inside a DOT record label: \ { } | < > " escaped, breaks kept."""
    out = []
    for c in text:
        if c in _RECORD_SPECIALS:
            out.append(_RECORD_SPECIALS[c])
        elif c == "\n":
            out.append("\\n")
        elif c < " " or c == "\x7f":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def format_number(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits (general format: 0.1192, -11.19, 2, 1e+06)."""
    return f"{x + 0.0:.{digits}g}"  # + 0.0 prints -0.0 as 0


def _record(fields: Iterable[str]) -> str:
    return "{ " + " | ".join(escape_record(f) for f in fields) + " }"


# -- grouping for the collapsed view --------------------------------------------------------
_UNIT_LABEL = re.compile(r"(?P<module>.+)\.[A-Za-z_]\w*\[(?P<unit>\d+)\](?:\[\d+\])*")


def label_group(value: Value) -> str | None:
    """The unit a label names, for the collapsed view; ``None`` for no group.

    ``layers.0.weight[3][1]``, ``layers.0.bias[3]``, ``layers.0.z[3]`` -> ``layers.0[3]``
    (neuron 3 of layer 0, as :mod:`autograd_lite.nn` labels); other dotted labels group by
    the part before the last dot (``L0.N3.w1`` -> ``L0.N3``); undotted labels stay alone.
    """
    unit = _UNIT_LABEL.fullmatch(value.label)
    if unit:
        return f"{unit['module']}[{unit['unit']}]"
    head, dot, _ = value.label.rpartition(".")
    return head if dot and head else None


def infer_groups(root: Value, group_of: Grouping = label_group) -> dict[Value, str]:
    """Assign every value ``root`` depends on to a group, where one can be inferred.

    A value's own group (``group_of``) wins; an unlabelled result of an operation joins the
    one group of its leaf operands (``dot(w, x)`` joins its weights' neuron), else the one
    group of its computed operands (``tanh`` of a neuron's sum stays in the neuron); an
    unlabelled constant joins the one group of the values it feeds.
    """
    order = topological_order(root)
    groups: dict[Value, str] = {}
    for node in order:
        own = group_of(node)
        if own is None and node.op is not None and not node.label:
            from_leaves = {groups[p] for p in node.parents if p.is_leaf and p in groups}
            from_results = {groups.get(p) for p in node.parents if not p.is_leaf}
            if len(from_leaves) == 1:
                own = from_leaves.pop()
            elif not from_leaves and len(from_results) == 1:
                own = from_results.pop()
        if own is not None:
            groups[node] = own
    fed: dict[Value, set[str | None]] = {}
    for node in order:
        for parent in node.parents:
            if parent.is_leaf and not parent.requires_grad and not parent.label:
                fed.setdefault(parent, set()).add(groups.get(node))
    for value, consumers in fed.items():
        only = consumers.pop() if len(consumers) == 1 else None
        if value not in groups and only is not None:
            groups[value] = only
    return groups


# -- drawing --------------------------------------------------------------------------------
def _kind(node: Value, root: Value, params: Collection[Value], inputs: Collection[Value],
          show_loss: bool) -> str:
    if node is root and show_loss:
        return "loss"
    if node in params:
        return "parameter"
    if node in inputs:
        return "input"
    if node.is_leaf and not node.requires_grad:
        return "constant"
    return "value"


def _value_attrs(kind: str, highlighted: bool) -> dict[str, str]:
    attrs = {"shape": "record", "style": "filled", "fillcolor": FILL_COLOURS[kind]}
    if kind == "constant":
        attrs.update(style="dashed,filled", fontcolor="#555555", color="#777777")
    if highlighted:
        attrs.update(color=HIGHLIGHT_COLOUR, penwidth="2.5")
    return attrs


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *, digits: int = 4,
             grads: bool = True,
             highlight: Iterable[Value] = (),
             highlight_edges: Iterable[tuple[Value, Value]] = (),
             params: Iterable[Value] = (), inputs: Iterable[Value] = (), loss: bool = True,
             collapse: bool | Grouping = False,
             max_nodes: int | None = DEFAULT_MAX_NODES, title: str = "",
             names: Mapping[Value, str] | None = None) -> Any:
    """Draw the graph that computes ``root`` as a ``graphviz.Digraph`` (see :func:`diagram_type`).

    ``format`` (the Digraph's output format) and ``rankdir`` come in micrograd's order.
    ``digits``: significant digits shown; ``grads``: also show ``.grad`` (else only data);
    ``highlight``: values outlined in red with their operation node; ``highlight_edges``:
    ``(parent, child)`` edges drawn red; ``params`` / ``inputs``: values filled blue / green;
    ``loss``: fill ``root`` orange; constants (leaves with ``requires_grad=False``) are grey
    and dashed, without a grad.  ``collapse=True`` draws one box per label group
    (:func:`label_group`, e.g. one per neuron; or pass a function value -> group name or
    None).  More than ``max_nodes`` boxes raises :class:`GraphTooLargeError` instead of a
    layout that takes minutes (``None``: no cap).
    ``title`` is drawn above the graph; ``names`` adds a first field to some boxes (e.g. the
    ``v7`` of :func:`autograd_lite.graph.wengert.value_names`).
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_dot: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    if not 1 <= digits <= 17:
        raise ValueError(f"draw_dot: digits must be between 1 and 17, got {digits}")
    order = topological_order(root)
    diagram = diagram_type()(format=format, graph_attr={"rankdir": rankdir},
                             node_attr={"fontsize": "11"})
    if title:
        diagram.attr(label=escape_record(title), labelloc="t", fontsize="13")
    style = _Style(root, digits, grads, set(highlight), set(highlight_edges), set(params),
                   set(inputs), loss, names or {})
    if collapse:
        group_of = label_group if collapse is True else collapse
        _draw_collapsed(diagram, order, infer_groups(root, group_of), style, max_nodes)
    else:
        _check_size(sum(1 + (n.op is not None) for n in order), len(order), max_nodes)
        _draw_full(diagram, order, style)
    return diagram


class _Style:
    """The drawing options of one :func:`draw_dot` call."""

    def __init__(self, root: Value, digits: int, grads: bool, highlight: set[Value],
                 highlight_edges: set[tuple[Value, Value]], params: set[Value],
                 inputs: set[Value], loss: bool, names: Mapping[Value, str]) -> None:
        self.root = root
        self.digits = digits
        self.grads = grads
        self.highlight = highlight
        self.highlight_edges = highlight_edges
        self.params = params
        self.inputs = inputs
        self.loss = loss
        self.names = names

    def fields(self, node: Value, head: str = "") -> list[str]:
        fields = [f for f in (head, self.names.get(node, ""), node.label) if f]
        fields.append(f"data {format_number(node.data, self.digits)}")
        if self.grads and node.requires_grad:  # a constant's grad means nothing
            fields.append(f"grad {format_number(node.grad, self.digits)}")
        return fields

    def value_attrs(self, node: Value) -> dict[str, str]:
        kind = _kind(node, self.root, self.params, self.inputs, self.loss)
        return _value_attrs(kind, node in self.highlight)

    def edge_attrs(self, parent: Value, child: Value) -> dict[str, str]:
        if (parent, child) in self.highlight_edges:
            return {"color": HIGHLIGHT_COLOUR, "penwidth": "2.5"}
        return {}


def _check_size(boxes: int, values: int, max_nodes: int | None) -> None:
    if max_nodes is not None and boxes > max_nodes:
        raise GraphTooLargeError(
            f"draw_dot: the graph has {values} values ({boxes} boxes with the operations), "
            f"more than max_nodes={max_nodes}; draw a collapsed view with collapse=True "
            "(one box per neuron, from labels such as 'layers.0.weight[3][1]'), or pass a "
            "larger max_nodes "
            "(layout time grows quickly)")


def _draw_full(diagram: Any, order: list[Value], style: _Style) -> None:
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    graphviz = _import_graphviz()
    for node in order:
        nid = ids[node]
        diagram.node(nid, graphviz.nohtml(_record(style.fields(node))), **style.value_attrs(node))
        if node.op is None:
            continue
        op_attrs = {"shape": "circle", "width": "0.3", "margin": "0.02", "fontsize": "10"}
        if node in style.highlight:
            op_attrs.update(color=HIGHLIGHT_COLOUR, penwidth="2.5")
        diagram.node(nid + "op", graphviz.nohtml(escape_record(node.op.symbol)), **op_attrs)
        for parent in node.parents:
            diagram.edge(ids[parent], nid + "op", **style.edge_attrs(parent, node))
        out_attrs = {"color": HIGHLIGHT_COLOUR, "penwidth": "2.5"} if node in style.highlight \
            else {}
        diagram.edge(nid + "op", nid, **out_attrs)


def _draw_collapsed(diagram: Any, order: list[Value], groups: dict[Value, str], style: _Style,
                    max_nodes: int | None) -> None:
    ids: dict[Value, str] = {}
    members: dict[str, list[Value]] = {}
    for i, node in enumerate(order):
        name = groups.get(node)
        if name is None:
            ids[node] = f"n{i}"
        else:
            members.setdefault(name, []).append(node)
    group_ids = {name: f"g{i}" for i, name in enumerate(members)}
    for node, name in groups.items():
        ids[node] = group_ids[name]
    _check_size(len(group_ids) + len(order) - len(groups), len(order), max_nodes)
    graphviz = _import_graphviz()
    drawn: set[str] = set()
    edges: dict[tuple[str, str], bool] = {}
    for node in order:
        nid = ids[node]
        if nid not in drawn:
            drawn.add(nid)
            name = groups.get(node)
            if name is None:
                head = node.op.symbol if node.op is not None else ""
                diagram.node(nid, graphviz.nohtml(_record(style.fields(node, head))),
                             **style.value_attrs(node))
            else:
                group = members[name]
                lit = any(v in style.highlight for v in group)
                attrs = _value_attrs("group", lit)
                attrs["shape"] = "box3d"
                text = f"{name}\n{len(group)} values"
                diagram.node(nid, graphviz.nohtml(escape_record(text)), **attrs)
        for parent in node.parents:
            key = (ids[parent], nid)
            if key[0] != key[1]:
                edges[key] = edges.get(key, False) or (parent, node) in style.highlight_edges
    for (tail, head), lit in edges.items():
        diagram.edge(tail, head, **({"color": HIGHLIGHT_COLOUR, "penwidth": "2.5"} if lit else {}))

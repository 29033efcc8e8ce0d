"""Diagrams of a compute graph: one box per value, one small node per operation.

``draw_dot(root)`` returns a ``graphviz.Digraph`` (as micrograd's ``draw_dot`` does) of
the subclass :func:`diagram_type`, which also draws itself without a Graphviz
installation (``.svg()``, ``.save(path)``, ``.render()``, ``.view()``, ``.pipe()``, Jupyter) via
:mod:`autograd_lite.graph.render`.  Needs the ``viz`` extra: ``pip install "autograd-lite[viz]"``.

Each value is a record ``{ label | data 2 | grad 1 }`` (4 significant digits by default);
node ids come from the topological order, so the same graph always gives the same DOT.
"""

from __future__ import annotations

import functools
import itertools
import numbers
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from autograd_lite.compile.symbolic import printable
from autograd_lite.core.files import write_atomically
from autograd_lite.core.value import Value, topological_order
from autograd_lite.graph.render import (
    GRAPHVIZ_FORMATS,
    INSTALL_GRAPHVIZ_PROGRAMS,
    INSTALL_VIZ,
    Backend,
    RenderError,
    render_svg,
    require_system_dot,
    save_source,
)
from autograd_lite.graph.render import render as render_source

SLIDE_WIDTH_INCHES = 13.33
"""Widest drawing of ``draw_dot(..., slide=True)``: a 16:9 slide (1280 px at 96 dpi)."""
SLIDE_HEIGHT_INCHES = 7.5
"""Tallest drawing of ``draw_dot(..., slide=True)``."""
_ENTRY_SIDE = {"LR": "w", "RL": "e", "TB": "n", "BT": "s"}
"""The side of a node the edges come in from, for each rankdir (a compass point)."""
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
    """The graph has more boxes than ``max_nodes``: drawing it would take too long to read.

    Examples:
        >>> from autograd_lite import MLP, draw_dot
        >>> from autograd_lite.graph.diagram import GraphTooLargeError
        >>> from autograd_lite.nn.losses import squared_error
        >>> net = MLP(2, [16, 16, 1], seed=0)
        >>> loss = squared_error(net([1.0, 1.0]), 1.0)
        >>> try:
        ...     draw_dot(loss)
        ... except GraphTooLargeError as error:
        ...     print(str(error)[:44])
        draw_dot: the graph has 440 values (507 boxe
        >>> diagram = draw_dot(loss, collapse=True)     # one box per neuron instead
    """


def require_graphviz(where: str = "draw_dot") -> Any:
    """The ``graphviz`` module, or ImportError ``"{where} needs the graphviz package: pip
    install ..."`` naming the function the user called."""
    try:
        import graphviz  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ImportError(f'{where} needs the graphviz package: {INSTALL_VIZ}') from exc
    return graphviz


@functools.cache
def diagram_type() -> Any:
    """The ``graphviz.Digraph`` subclass :func:`draw_dot` returns (created on first use).

    Every graphviz method that draws (``render``, ``view``, ``pipe``, the Jupyter hooks)
    goes through :func:`autograd_lite.graph.render.render`, as ``svg()`` does: the system
    ``dot`` when it is on PATH, otherwise the bundled WebAssembly Graphviz, which draws SVG
    (the default format here; graphviz's is PDF) and the text layouts, and PNG and PDF
    converted from its SVG (:mod:`autograd_lite.graph.convert`).  A format only the
    system program can produce raises :class:`~autograd_lite.graph.render.RenderError`
    naming the command that installs it.  Adds ``svg()`` (SVG text) and makes ``save(path)``
    write the format its suffix names (.svg, .png, .pdf; .dot/.gv: the DOT text).  The
    Jupyter display falls back to the DOT text with a note instead of raising.
    """
    graphviz = require_graphviz()

    class Diagram(graphviz.Digraph):  # type: ignore[misc,name-defined]
        """A graphviz.Digraph that renders with system Graphviz or its WebAssembly build."""

        _format = "svg"  # graphviz's default, PDF, needs the system program

        def svg(self, *, backend: Backend = "auto") -> str:
            """The diagram as SVG text."""
            return render_svg(self.source, backend=backend, where="Diagram.svg")

        def save(self, filename: str | os.PathLike[str] | None = None,
                 directory: str | os.PathLike[str] | None = None, *,
                 skip_existing: bool | None = False, backend: Backend = "auto",
                 dpi: float | None = None, width: int | None = None) -> Path:
            """Write the diagram to ``directory/filename`` in the format its suffix names.

            ``.svg``, ``.png`` (at ``dpi``, default 96, or ``width`` pixels wide) and
            ``.pdf`` draw it, with or without a Graphviz installation; ``.dot`` and ``.gv``
            write the DOT text.  Defaults as graphviz's ``save``: ``self.filename`` (a
            ``.gv`` file) in ``self.directory``.  Nothing is written when drawing fails;
            the file is replaced atomically, through a fresh temporary file.
            """
            target = Path(self.directory if directory is None else directory,
                          self.filename if filename is None else filename)
            if skip_existing and target.exists():
                return target
            return save_source(self.source, target, backend=backend, where="Diagram.save",
                               dpi=dpi, width=width)

        def render(self, filename: str | os.PathLike[str] | None = None,
                   directory: str | os.PathLike[str] | None = None, view: bool = False,
                   cleanup: bool = False, format: str | None = None,
                   renderer: str | None = None, formatter: str | None = None,
                   neato_no_op: bool | int | None = None, quiet: bool = False,
                   quiet_view: bool = False, *, outfile: str | os.PathLike[str] | None = None,
                   engine: str | None = None, raise_if_result_exists: bool = False,
                   overwrite_source: bool = False, backend: Backend = "auto",
                   dpi: float | None = None, width: int | None = None) -> str:
            """graphviz's ``render``: save the DOT text, draw it, return the drawing's path.

            The DOT text goes to ``directory/filename`` (default ``self.filepath``), the
            drawing to ``outfile`` or to that path plus ``.format`` (default ``svg``);
            ``cleanup`` deletes the DOT file, ``view`` opens the drawing; a PNG is drawn
            at ``dpi`` or ``width`` pixels wide.  Drawing comes
            first, so a format that cannot be drawn writes nothing.  ``renderer``,
            ``formatter`` and ``neato_no_op`` are handed to the system ``dot`` (only it
            has them).
            """
            if renderer is not None or formatter is not None or neato_no_op:
                require_system_dot("Diagram.render: renderer, formatter and neato_no_op need")
                return str(super().render(
                    filename, directory, view=view, cleanup=cleanup, format=format,
                    renderer=renderer, formatter=formatter, neato_no_op=neato_no_op,
                    quiet=quiet, quiet_view=quiet_view, outfile=outfile, engine=engine,
                    raise_if_result_exists=raise_if_result_exists,
                    overwrite_source=overwrite_source))
            base = Path(self.directory if directory is None else directory)
            if outfile is not None:
                out = Path(outfile) if directory is not None else base / outfile
                suffix = out.suffix.lstrip(".").lower()
                fmt = format or (suffix if suffix in GRAPHVIZ_FORMATS else self.format)
                source_path = out.with_suffix(".gv") if filename is None else base / filename
                if source_path.resolve() == out.resolve() and not overwrite_source:
                    raise ValueError(f"Diagram.render: outfile {os.fspath(out)!r} is the DOT "
                                     "source file itself; pass overwrite_source=True or "
                                     "another outfile")
            else:
                fmt = format or self.format
                source_path = base / (self.filename if filename is None else filename)
                out = source_path.with_name(f"{source_path.name}.{fmt}")
            if raise_if_result_exists and out.exists():
                raise graphviz.FileExistsError(f"Diagram.render: output file exists: "
                                               f"{os.fspath(out)!r}")
            drawn = render_source(self.source, fmt, backend=backend,
                                  engine=engine or self.engine, where="Diagram.render",
                                  dpi=dpi, width=width)
            source_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(source_path, self.source.encode("utf-8"))
            out.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(out, drawn)
            if cleanup:
                source_path.unlink()
            if view or quiet_view:
                self._view(os.fspath(out), format=fmt, quiet=quiet_view)
            return os.fspath(out)

        def pipe(self, format: str | None = None,
                 renderer: str | None = None, formatter: str | None = None,
                 neato_no_op: bool | int | None = None, quiet: bool = False, *,
                 engine: str | None = None, encoding: str | None = None,
                 backend: Backend = "auto", dpi: float | None = None,
                 width: int | None = None) -> bytes | str:
            """graphviz's ``pipe``: the drawing as bytes (text when ``encoding`` is given; a
            PNG at ``dpi`` or ``width`` pixels wide)."""
            if renderer is not None or formatter is not None or neato_no_op:
                require_system_dot("Diagram.pipe: renderer, formatter and neato_no_op need")
                piped: bytes | str = super().pipe(
                    format, renderer=renderer, formatter=formatter, neato_no_op=neato_no_op,
                    quiet=quiet, engine=engine, encoding=encoding)
                return piped
            drawn = render_source(self.source, format or self.format, backend=backend,
                                  engine=engine or self.engine, where="Diagram.pipe",
                                  dpi=dpi, width=width)
            return drawn if encoding is None else drawn.decode(encoding)

        def unflatten(self, stagger: int | None = None, fanout: bool = False,
                      chain: int | None = None) -> Any:
            """graphviz's ``unflatten``, which runs the system ``unflatten`` program."""
            if shutil.which("unflatten") is None:
                raise RenderError("Diagram.unflatten: needs the Graphviz `unflatten` program, "
                                  f"which is not on PATH: {INSTALL_GRAPHVIZ_PROGRAMS}")
            return super().unflatten(stagger=stagger, fanout=fanout, chain=chain)

        def _repr_image_svg_xml(self) -> str:
            return self.svg()

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
_RECORD_SPECIALS = {c: "\\" + c for c in '\\{}|<>"'} | {"&": "&amp;"}


def escape_record(text: str) -> str:
    r"""``text`` made literal inside a DOT label (record or not): \ { } | < > " escaped,
    ``&`` written ``&amp;`` (Graphviz reads entities such as ``&amp;`` in every label),
    line breaks kept, tabs as spaces, and what :func:`~autograd_lite.compile.symbolic.printable`
    escapes (a lone surrogate, which UTF-8 cannot encode, a control or bidi character)
    shown as its escape.

    Examples:
        >>> from autograd_lite.graph.diagram import escape_record
        >>> print(escape_record('{a|b} &amp; "\ud800"'))
        \{a\|b\} &amp;amp; \"\\ud800\"
    """
    if not isinstance(text, str):
        raise TypeError(f"escape_record: text must be a str, got {type(text).__name__}")
    out = []
    for c in printable(text):
        if c in _RECORD_SPECIALS:
            out.append(_RECORD_SPECIALS[c])
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def format_number(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits (general format: 0.1192, -11.19, 2, 1e+06)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"format_number: x must be a real number, got {type(x).__name__}")
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

    Examples:
        >>> from autograd_lite import MLP
        >>> from autograd_lite.graph.diagram import label_group
        >>> net = MLP(2, [3, 1], seed=0)
        >>> out = net([1.0, 2.0])
        >>> out.label, label_group(out)
        ('layers.1.z[0]', 'layers.1[0]')
        >>> label_group(net.parameters()[0])            # layers.0.weight[0][0]
        'layers.0[0]'
    """
    if not isinstance(value, Value):
        raise TypeError(f"label_group: value must be a Value, got {type(value).__name__}")
    unit = _UNIT_LABEL.fullmatch(value.label)
    if unit:
        return f"{unit['module']}[{unit['unit']}]"
    head, dot, _ = value.label.rpartition(".")
    return head if dot and head else None


def infer_groups(root: Value, group_of: Grouping = label_group) -> dict[Value, str]:
    """Assign every value ``root`` depends on to a group, where one can be inferred.

    A value's own group (``group_of``) wins; an unlabelled result of an operation joins the
    one group of its leaf operands (``dot(w, x)`` joins its weights' neuron), else the one
    group of its computed operands (``tanh`` of a neuron's sum stays in the neuron) unless
    one of them is a labelled result (a module's named output, such as ``layers.1.z[0]``:
    what is computed from it, like ``y - t``, is outside the module); an unlabelled constant
    joins the one group of the values it feeds.  ``root`` (the loss) joins no group unless
    ``group_of`` names one for it: it keeps its own box and value.
    """
    if not isinstance(root, Value):
        raise TypeError(f"infer_groups: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    groups: dict[Value, str] = {}
    for node in order:
        own = group_of(node)
        if own is None and node.op is not None and node is not root:
            from_leaves = {groups[p] for p in node.parents if p.is_leaf and p in groups}
            from_results = {groups.get(p) for p in node.parents if not p.is_leaf}
            named_output = any(p.label and not p.is_leaf and p in groups for p in node.parents)
            if len(from_leaves) == 1:
                own = from_leaves.pop()
            elif not from_leaves and not named_output and len(from_results) == 1:
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


def draw_dot(root: Value, format: str = "svg", rankdir: str | None = None, *, digits: int = 4,
             grads: bool = True,
             highlight: Iterable[Value] = (),
             highlight_edges: Iterable[tuple[Value, Value]] = (),
             params: Iterable[Value] = (), inputs: Iterable[Value] = (), loss: bool = True,
             collapse: bool | Grouping = False,
             max_nodes: int | None = DEFAULT_MAX_NODES, title: str = "",
             names: Mapping[Value, str] | None = None,
             adjoints: Mapping[Value, float] | None = None, slide: bool = False) -> Any:
    """Draw the graph that computes ``root`` as a ``graphviz.Digraph`` (see :func:`diagram_type`).

    ``format`` (the Digraph's output format) and ``rankdir`` come in micrograd's order
    (``rankdir`` by default ``"LR"``, left to right, and ``"TB"`` for a slide).
    ``digits``: significant digits shown; ``grads``: also show ``.grad`` (else only data);
    ``highlight``: values outlined in red with their operation node; ``highlight_edges``:
    ``(parent, child)`` edges drawn red; ``params`` / ``inputs``: values filled blue / green;
    ``loss``: fill ``root`` orange; constants (leaves with ``requires_grad=False``) are grey
    and dashed, without a grad.  ``collapse=True`` draws one box per label group
    (:func:`label_group`, e.g. one per neuron; or pass a function value -> group name or
    None).  More than ``max_nodes`` boxes raises :class:`GraphTooLargeError` instead of a
    layout that takes minutes (``None``: no cap).
    ``title`` is drawn above the graph; ``names`` adds a first field to some boxes (e.g. the
    ``v7`` of :func:`autograd_lite.graph.wengert.value_names`); ``adjoints`` gives the
    grads to show instead of ``.grad`` (a value missing from it shows grad 0).

    ``slide=True`` is the preset for a slide: unlabelled constants (a neuron's bias input
    1, the target of a loss) are not drawn as boxes but written into the operation they
    feed (the bias input's 1 at its ``dot`` port, ``- 5``), the graph runs top to bottom
    (records stack their fields, so boxes stay narrow), the text is larger and the ranks
    closer, and the drawing is scaled to fit :data:`SLIDE_WIDTH_INCHES` wide (a 16:9
    slide) if wider.

    A ``dot`` node draws one port per product, and ``w_i`` and ``x_i`` both enter port ``i``
    from the side the graph flows in (no edge curls round the node).
    The collapsed view keeps the root (the loss) as its own box, orders groups by their
    names (``layers.0[2]`` before ``layers.0[10]``) and shows each group's output value
    (data and grad).

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: ``rankdir`` or ``digits`` is out of range.
        GraphTooLargeError: more than ``max_nodes`` boxes.

    Examples:
        >>> from autograd_lite import Value, draw_dot
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> f = x * y + x.exp()
        >>> f.backward()
        >>> dot = draw_dot(f, inputs=[x, y])            # a graphviz.Digraph
        >>> svg = dot.svg(backend="wasm")               # no Graphviz program needed
        >>> svg.count('class="node"'), "grad 10.39" in svg  # 5 values + 3 operations
        (8, True)
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    if rankdir is None:
        rankdir = "TB" if slide else "LR"
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_dot: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    if not 1 <= digits <= 17:
        raise ValueError(f"draw_dot: digits must be between 1 and 17, got {digits}")
    order = topological_order(root)
    graph_attr = {"rankdir": rankdir}
    if slide:
        graph_attr.update(size=f"{SLIDE_WIDTH_INCHES:g},{SLIDE_HEIGHT_INCHES:g}",
                          ranksep="0.3", nodesep="0.15")
    diagram = diagram_type()(format=format, graph_attr=graph_attr,
                             node_attr={"fontsize": "14" if slide else "11"})
    if title:
        diagram.attr(label=escape_record(title), labelloc="t", fontsize="13")
    style = _Style(root, digits, grads, set(highlight), set(highlight_edges), set(params),
                   set(inputs), loss, names or {}, adjoints, slide=slide, rankdir=rankdir)
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
                 inputs: set[Value], loss: bool, names: Mapping[Value, str],
                 adjoints: Mapping[Value, float] | None = None, *, slide: bool = False,
                 rankdir: str = "LR") -> None:
        self.root = root
        self.digits = digits
        self.grads = grads
        self.highlight = highlight
        self.highlight_edges = highlight_edges
        self.params = params
        self.inputs = inputs
        self.loss = loss
        self.names = names
        self.adjoints = adjoints
        self.slide = slide
        self.entry = _ENTRY_SIDE[rankdir]

    def hidden(self, node: Value) -> bool:
        """True for a value the slide preset writes into its operation instead of a box."""
        return (self.slide and node is not self.root and node.is_leaf
                and not node.requires_grad and not node.label)

    def grad_of(self, node: Value) -> float:
        """The grad to show for ``node``: from ``adjoints`` when given, else ``.grad``."""
        if self.adjoints is None:
            return node.grad
        return self.adjoints.get(node, 0.0)

    def fields(self, node: Value, head: str = "") -> list[str]:
        fields = [f for f in (head, self.names.get(node, ""), node.label) if f]
        fields.append(f"data {format_number(node.data, self.digits)}")
        if self.grads and node.requires_grad:  # a constant's grad means nothing
            fields.append(f"grad {format_number(self.grad_of(node), self.digits)}")
        return fields

    def value_attrs(self, node: Value) -> dict[str, str]:
        kind = _kind(node, self.root, self.params, self.inputs, self.loss)
        return _value_attrs(kind, node in self.highlight)

    def edge_attrs(self, parent: Value, child: Value) -> dict[str, str]:
        if (parent, child) in self.highlight_edges:
            return {"color": HIGHLIGHT_COLOUR, "penwidth": "2.5"}
        return {}


def _check_size(boxes: int, values: int, max_nodes: int | None, collapsed: bool = False) -> None:
    if max_nodes is None or boxes <= max_nodes:
        return
    if collapsed:  # the hint must not suggest the collapse=True already given
        raise GraphTooLargeError(
            f"draw_dot: the collapsed graph of {values} values still has {boxes} boxes, more "
            f"than max_nodes={max_nodes}; group more coarsely (collapse= a function from a "
            "value to its group name), draw a subsample (the loss of one example instead of "
            "the batch), or pass a larger max_nodes (layout time grows quickly)")
    raise GraphTooLargeError(
        f"draw_dot: the graph has {values} values ({boxes} boxes with the operations), "
        f"more than max_nodes={max_nodes}; draw a collapsed view with collapse=True "
        "(one box per neuron, from labels such as 'layers.0.weight[3][1]'), draw a "
        "subsample (the loss of one example instead of the batch), or pass a larger "
        "max_nodes (layout time grows quickly)")


def dot_pairs(node: Value) -> int:
    """For a ``dot`` node of Values, the number of products ``w_i * x_i`` (its parents are
    ``w_1..w_n, x_1..x_n``); 0 for any other node (and for a dot with number operands)."""
    if node.op is None or node.op.name != "dot" or node.args is not None or len(node.parents) % 2:
        return 0
    return len(node.parents) // 2


def op_label(node: Value, digits: int = 4,
             hidden: Callable[[Value], bool] = lambda value: False) -> str:
    """How an operation is drawn: its symbol, with the numbers it was applied to in their
    places (``* 1.01``, ``5 -``, ``** 2``, ``leaky_relu 0.01``): numbers are kept with the
    node, not drawn as boxes; so are the data of the operands ``hidden`` picks (the slide
    preset's constants)."""
    op = node.op
    if op is None:
        return ""
    symbol = op.symbol
    args = node.args if node.args is not None else node.parents
    if not any(not isinstance(a, Value) or hidden(a) for a in args):
        return symbol
    numbers = [format_number(a.data, digits) if isinstance(a, Value) and hidden(a) else
               None if isinstance(a, Value) else format_number(a, digits) for a in args]
    if op.infix and len(numbers) == 2:
        left, right = numbers
        return f"{left + ' ' if left else ''}{symbol}{' ' + right if right else ''}"
    return f"{symbol} {', '.join(n for n in numbers if n is not None)}"


_NATURAL = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, str], ...]:
    """Sort key that orders numbers by value: ``layers.0[2]`` before ``layers.0[10]``."""
    return tuple((int(part), "") if part.isdigit() else (-1, part)
                 for part in _NATURAL.split(name))


def group_outputs(order: list[Value], groups: Mapping[Value, str]) -> dict[str, Value]:
    """The value each group stands for: its last computed member (topological order) used
    outside the group or being the root, else its last computed member, else its last."""
    used_outside: set[Value] = {order[-1]} if order else set()
    for node in order:
        for parent in node.parents:
            if groups.get(parent) != groups.get(node):
                used_outside.add(parent)
    outputs: dict[str, Value] = {}
    rank: dict[str, int] = {}
    for node in order:
        name = groups.get(node)
        if name is None:
            continue
        score = 2 if (node.op is not None and node in used_outside) else \
            1 if node.op is not None else 0
        if score >= rank.get(name, 0):
            outputs[name], rank[name] = node, score
    return outputs


def _port_text(node: Value, i: int, pairs: int, style: _Style) -> str:
    """Port ``i`` of a ``dot`` node: its index, or "times c" for a product with a constant c
    the slide preset does not draw (a neuron's bias input 1)."""
    hidden = [v for v in (node.parents[i], node.parents[pairs + i]) if style.hidden(v)]
    return f"\u00d7{format_number(hidden[0].data, style.digits)}" if hidden else str(i)


def _draw_full(diagram: Any, order: list[Value], style: _Style) -> None:
    ids = box_ids(order)
    graphviz = require_graphviz()
    for node in order:
        nid = ids[node]
        if style.hidden(node):
            continue
        diagram.node(nid, graphviz.nohtml(_record(style.fields(node))), **style.value_attrs(node))
        if node.op is None:
            continue
        op_attrs = {"shape": "circle", "width": "0.3", "margin": "0.02",
                    "fontsize": "13" if style.slide else "10"}
        if node in style.highlight:
            op_attrs.update(color=HIGHLIGHT_COLOUR, penwidth="2.5")
        pairs = dot_pairs(node)
        if pairs:
            ports = " | ".join(f"<p{i}> {_port_text(node, i, pairs, style)}"
                               for i in range(pairs))
            op_attrs.update(shape="record", width="0", height="0")
            # the ports on the side the edges come from, each entered from that side
            diagram.node(nid + "op", graphviz.nohtml(f"{{ {{ {ports} }} | "
                                                       f"{escape_record(node.op.symbol)} }}"),
                         **op_attrs)
            for i in range(pairs):  # w_i and x_i side by side, into the same port
                for parent in (node.parents[i], node.parents[pairs + i]):
                    if not style.hidden(parent):
                        diagram.edge(ids[parent], f"{nid}op:p{i}:{style.entry}",
                                     **style.edge_attrs(parent, node))
        else:
            text = op_label(node, style.digits, hidden=style.hidden)
            diagram.node(nid + "op", graphviz.nohtml(escape_record(text)), **op_attrs)
            for parent in node.parents:
                if not style.hidden(parent):
                    diagram.edge(ids[parent], nid + "op", **style.edge_attrs(parent, node))
        out_attrs = {"color": HIGHLIGHT_COLOUR, "penwidth": "2.5"} if node in style.highlight \
            else {}
        diagram.edge(nid + "op", nid, **out_attrs)


_UNIT_INDEX = re.compile(r"(?P<module>.*)\[\d+\]")


def _keep_unit_order(diagram: Any, ordered: list[str], group_ids: Mapping[str, str]) -> None:
    """Units of one module (``layers.1[0]``, ``layers.1[1]``...) side by side, in index order.

    Graphviz's crossing minimisation may rotate a column (10..15 above 0..9); one rank and
    invisible edges between neighbours keep the order of the names."""
    modules: dict[str, list[str]] = {}
    for name in ordered:
        unit = _UNIT_INDEX.fullmatch(name)
        if unit:
            modules.setdefault(unit["module"], []).append(group_ids[name])
    for units in modules.values():
        if len(units) > 1:
            with diagram.subgraph() as column:
                column.attr(rank="same")
                for upper, lower in itertools.pairwise(units):
                    column.edge(upper, lower, style="invis")


def box_ids(order: list[Value], groups: Mapping[Value, str] | None = None
            ) -> dict[Value, str]:
    """The DOT id of the box that draws each value (``n<i>``, the operation node of a result
    being ``n<i>op``; ``g<j>`` for the boxes of the collapsed view, ``groups`` given)."""
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    if groups is not None:
        names = sorted(set(groups.values()), key=natural_key)
        group_ids = {name: f"g{j}" for j, name in enumerate(names)}
        ids.update((node, group_ids[name]) for node, name in groups.items())
    return ids


def _draw_collapsed(diagram: Any, order: list[Value], groups: dict[Value, str], style: _Style,
                    max_nodes: int | None) -> None:
    ids = box_ids(order, groups)
    members: dict[str, list[Value]] = {}
    for node in order:
        if node in groups:
            members.setdefault(groups[node], []).append(node)
    ordered = sorted(members, key=natural_key)
    group_ids = {name: ids[members[name][0]] for name in ordered}
    _check_size(len(group_ids) + len(order) - len(groups), len(order), max_nodes, True)
    graphviz = require_graphviz()
    outputs = group_outputs(order, groups)
    for name in ordered:  # groups first, by name: graphviz keeps this order within a rank
        group, out = members[name], outputs[name]
        attrs = _value_attrs("group", any(v in style.highlight for v in group))
        attrs["shape"] = "box3d"
        lines = [name, *style.fields(out)[-1 - (style.grads and out.requires_grad):],
                 f"{len(group)} values"]
        diagram.node(group_ids[name], graphviz.nohtml(escape_record("\n".join(lines))),
                     **attrs)
    _keep_unit_order(diagram, ordered, group_ids)
    edges: dict[tuple[str, str], bool] = {}
    for node in order:
        nid = ids[node]
        if node not in groups:
            head = node.op.symbol if node.op is not None else ""
            diagram.node(nid, graphviz.nohtml(_record(style.fields(node, head))),
                         **style.value_attrs(node))
        for parent in node.parents:
            key = (ids[parent], nid)
            if key[0] != key[1]:
                edges[key] = edges.get(key, False) or (parent, node) in style.highlight_edges
    for (tail, head), lit in edges.items():
        diagram.edge(tail, head, **({"color": HIGHLIGHT_COLOUR, "penwidth": "2.5"} if lit else {}))


__all__ = ["GraphTooLargeError", "draw_dot", "label_group"]

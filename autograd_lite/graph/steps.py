"""The backward pass one node at a time, and pictures of it ("Where are we", note 000).

:func:`backward_steps` does exactly what ``root.backward(gradient)`` does, in the same
order (reversed topological order), but stops after each node to say what happened::

    node.grad is complete (upstream);  for each parent:  parent.grad += upstream * local

:func:`backward_frames` draws the graph after each step with that node and its edges in
red; :func:`backward_html` makes one self-contained page: the graph laid out once, the
steps as data (the current node, the adjoints so far, the caption) applied by a small
inline script, with zoom, pan and a search box.  Neither reads nor writes ``.grad``: both
show the frames of a fresh graph, whatever ``backward`` calls came before.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd_lite.compile.symbolic import printable
from autograd_lite.core.files import write_atomically
from autograd_lite.core.hooks import HOOKS, run_hooks
from autograd_lite.core.reverse import reverse_pass
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value, topological_order
from autograd_lite.graph.diagram import (
    DEFAULT_MAX_NODES,
    FILL_COLOURS,
    HIGHLIGHT_COLOUR,
    GraphTooLargeError,
    Grouping,
    box_ids,
    draw_dot,
    format_number,
    group_outputs,
    infer_groups,
    label_group,
    require_graphviz,
)
from autograd_lite.graph.render import Backend, require_renderer
from autograd_lite.graph.wengert import definition, value_names

MAX_FRAMES = 300
"""Frames :func:`backward_frames` draws before refusing (each one is a full layout)."""
MAX_STEPS = 20_000
"""Steps :func:`backward_html` puts in one page before refusing (each is a few numbers)."""
_SHOWN_PARENTS = 6


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """Step ``index`` of ``total``: ``node`` passes ``upstream`` (= d root / d node, complete
    now) to its parents: ``contributions[k] = (parent_k, upstream * local_grads[k])``.

    Examples:
        >>> from autograd_lite import Value, backward_steps
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> first = next(backward_steps(x * y))
        >>> first.index, first.total, first.upstream, first.local_grads
        (1, 1, 1.0, (3.0, 2.0))
        >>> [(parent.label, term) for parent, term in first.contributions]
        [('x', 3.0), ('y', 2.0)]
    """

    index: int
    total: int
    node: Value
    upstream: float
    local_grads: tuple[float, ...]
    contributions: tuple[tuple[Value, float], ...]
    hooked_from: float | None = None
    """The gradient ``node``'s hooks (``register_hook``) were given, when it has some:
    ``upstream`` is then what they returned."""


def _check_root(root: Value, gradient: float, caller: str) -> float:
    if not isinstance(root, Value):
        raise TypeError(f"{caller}: root must be a Value, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(f"{caller}: {root!r} does not require gradients (a constant, "
                           "a detached value, or computed under no_grad)")
    return to_float(gradient, "backward gradient")


def _pass(order: list[Value], root: Value, seed: float
          ) -> tuple[dict[Value, float], list[BackwardStep], dict[Value, float]]:
    """The reverse pass (:func:`~autograd_lite.core.reverse.reverse_pass`, which leaves
    ``.grad`` alone) cut into steps: each operation node, in the order backward visits it,
    handing its complete adjoint times each local derivative to a parent.  Returns every
    adjoint d root / d v (times ``seed``, after the gradient hooks), the steps -- the single
    source of every number shown here -- and, for each hooked leaf, the gradient its hooks
    were given."""
    visits: list[tuple[Value, float, float | None]] = []
    terms: dict[Value, list[tuple[Value, float]]] = {}
    hooked_leaves: dict[Value, float] = {}

    def visit(node: Value, upstream: float) -> float | None:
        replaced = run_hooks(node, upstream) if node in HOOKS else None
        if node.op is not None:
            hooked = upstream if node in HOOKS else None
            visits.append((node, upstream if replaced is None else replaced, hooked))
            terms[node] = []
        elif node in HOOKS:
            hooked_leaves[node] = upstream
        return replaced

    def on_term(node: Value, k: int, parent: Value, upstream: float, local: float,
                term: float, total: float) -> None:
        terms[node].append((parent, term))

    adjoint = reverse_pass(order, root, seed, visit=visit, on_term=on_term)
    steps = [BackwardStep(index, len(visits), node, upstream, node.local_grads,
                          tuple(terms[node]), hooked)
             for index, (node, upstream, hooked) in enumerate(visits, start=1)]
    return adjoint, steps, hooked_leaves


def backward_steps(root: Value, gradient: float = 1.0) -> Iterator[BackwardStep]:
    """Run ``root.backward(gradient)`` one operation node at a time, yielding each step.

    Each step has been applied (its parents' ``.grad`` updated) when it is yielded; once the
    iterator is exhausted every ``.grad`` equals what ``root.backward(gradient)`` leaves.
    As ``backward``: non-leaf grads restart from 0, leaf grads accumulate -- so stepping
    through a graph you already called ``backward`` on doubles its leaves' ``.grad``; call
    ``zero_grad(leaves)`` first to see the one-pass numbers.  The steps themselves (upstream,
    contributions) never depend on ``.grad``: they are the same on a fresh graph.

    Examples:
        >>> from autograd_lite import Value, backward_steps
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> f = x * y + x.exp()
        >>> for step in backward_steps(f):
        ...     print(step.index, step.node.op.name, [round(t, 3) for _, t in step.contributions])
        1 add [1.0, 1.0]
        2 exp [7.389]
        3 mul [3.0, 2.0]
        >>> x.grad, y.grad                              # applied, as backward() would
        (10.38905609893065, 2.0)
    """
    seed = _check_root(root, gradient, "backward_steps")
    order = topological_order(root)
    adjoint, steps, hooked_leaves = _pass(order, root, seed)
    return _apply(order, steps, root, seed, {leaf: adjoint[leaf] for leaf in hooked_leaves})


def _apply(order: list[Value], steps: list[BackwardStep], root: Value, seed: float,
           hooked_leaves: dict[Value, float]) -> Iterator[BackwardStep]:
    """Apply the steps to ``.grad`` one at a time; a hooked leaf accumulates what its hooks
    returned (``hooked_leaves``) instead of the sum of its terms, once the last step is
    applied."""
    for node in order:
        if node.op is not None:
            node.grad = 0.0
    before = {leaf: leaf.grad for leaf in hooked_leaves}
    root.grad += seed
    for k, step in enumerate([None, *steps]):  # None: before the first step
        if step is not None:
            if step.hooked_from is not None:
                step.node.grad = step.upstream
            for parent, term in step.contributions:
                if parent.requires_grad:  # a constant never receives a gradient
                    parent.grad += term
        if k == len(steps):  # every leaf's gradient is complete
            for leaf, total in hooked_leaves.items():
                leaf.grad = before[leaf] + total
        if step is not None:
            yield step


def describe(step: BackwardStep, names: Mapping[Value, str], digits: int = 4) -> str:
    """One line saying what ``step`` did, with values named as in ``names`` (``v1`` ...)."""
    if not isinstance(step, BackwardStep):
        raise TypeError(f"describe: step must be a BackwardStep (from backward_steps), got "
                        f"{type(step).__name__}")
    def name(v: Value) -> str:
        if v not in names:
            return f"constant {format_number(v.data, digits)}"
        return f"{names[v]} ({v.label})" if v.label else names[v]

    node = step.node
    adds = [f"{format_number(term, digits)} to {name(parent)}"
            for parent, term in step.contributions[:_SHOWN_PARENTS]]
    if len(step.contributions) > _SHOWN_PARENTS:
        adds.append(f"... ({len(step.contributions)} parents)")
    locals_ = ", ".join(format_number(g, digits) for g in step.local_grads[:_SHOWN_PARENTS])
    hooked = "" if step.hooked_from is None else (
        f" (its hook replaced {format_number(step.hooked_from, digits)})"
        if step.hooked_from != step.upstream else " (its hook kept it)")
    return (f"Step {step.index} of {step.total}: {name(node)} = {definition(node, names)}; "
            f"upstream grad {format_number(step.upstream, digits)}{hooked}; "
            f"local grads {locals_}; adds {', '.join(adds)}")


def _check_page_size(root: Value, order: list[Value], *, collapse: bool | Grouping,
                     max_nodes: int | None, max_steps: int | None, caller: str) -> None:
    """Refuse a graph too large to lay out or to step through, before anything is computed
    (no adjoint, no layout, ``.grad`` untouched), saying how to collapse or subsample."""
    steps = sum(node.op is not None for node in order)
    subsample = ("or step through a smaller graph: the loss of one example instead of a "
                 "batch (subsample), or a smaller network")
    if max_steps is not None and steps > max_steps:
        raise GraphTooLargeError(
            f"{caller}: the backward pass has {steps} steps, more than max_steps={max_steps}; "
            f"{subsample}, or pass a larger max_steps")
    if max_nodes is None:
        return
    if collapse:
        groups = infer_groups(root, label_group if collapse is True else collapse)
        boxes = len(set(groups.values())) + len(order) - len(groups)
        if boxes > max_nodes:
            raise GraphTooLargeError(
                f"{caller}: collapsed, the graph still has {boxes} boxes ({len(order)} values),"
                f" more than max_nodes={max_nodes}; group more values per box (pass collapse="
                f"a function value -> group name, e.g. one box per layer), {subsample}")
        return
    boxes = sum(1 + (node.op is not None) for node in order)
    if boxes > max_nodes:
        raise GraphTooLargeError(
            f"{caller}: the graph has {len(order)} values ({boxes} boxes with the operations), "
            f"more than max_nodes={max_nodes}; draw it collapsed with collapse=True (one box "
            f"per neuron, from labels such as 'layers.0.weight[3][1]'), {subsample}, "
            "or pass a larger max_nodes (layout time grows quickly)")


def backward_frames(root: Value, gradient: float = 1.0, *, digits: int = 4,
                    max_frames: int = MAX_FRAMES, **draw_options: Any) -> list[Any]:
    """The graph drawn after each backward step, that step's node and edges highlighted.

    The grads shown are those of the backward pass of a fresh graph (``.grad`` is neither
    read nor written).  ``draw_options`` go to :func:`~autograd_lite.graph.diagram.draw_dot`
    (``params``, ``inputs``, ``rankdir``...).  Each frame is a full layout: for large graphs
    use :func:`backward_html`, which lays out once.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.graph.steps import backward_frames
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> frames = backward_frames(x * y + x.exp())   # one graphviz.Digraph per step
        >>> len(frames)
        3
    """
    seed = _check_root(root, gradient, "backward_frames")
    require_graphviz("backward_frames")
    order = topological_order(root)
    count = sum(node.op is not None for node in order)
    if count > max_frames:
        raise GraphTooLargeError(
            f"backward_frames: {count} steps, more than max_frames={max_frames}; step through "
            "a smaller graph, use backward_html (one layout for all steps), or raise max_frames")
    _check_page_size(root, order, collapse=draw_options.get("collapse", False),
                     max_nodes=draw_options.get("max_nodes", DEFAULT_MAX_NODES), max_steps=None,
                     caller="backward_frames")
    names = value_names(order)
    so_far = dict.fromkeys(order, 0.0)
    so_far[root] = seed
    frames = []
    for step in _pass(order, root, seed)[1]:
        node = step.node
        so_far[node] = step.upstream  # what its hooks returned, if it has any
        for parent, term in step.contributions:
            so_far[parent] += term
        frames.append(draw_dot(root, digits=digits, highlight=[node],
                               highlight_edges=[(p, node) for p in node.parents],
                               names=names, title=describe(step, names, digits),
                               adjoints=dict(so_far), **draw_options))
    return frames


class StepPage(str):
    """The HTML text of a step-through page (a ``str``: ``str(page)`` is the page), which
    Jupyter shows inline: its ``_repr_html_`` is the page in an ``<iframe srcdoc>`` (its
    script and ids stay apart from the notebook's and from other pages).  Its ``repr`` is one
    line, so a REPL does not print the whole page.

    Examples:
        >>> from autograd_lite import Value, backward_html
        >>> x = Value(2.0, "x")
        >>> page = backward_html(x * x, backend="wasm")
        >>> page                                        # doctest: +ELLIPSIS
        <StepPage: 1 step, ... kB; .save(path), shown inline in Jupyter>
        >>> isinstance(page, str), str(page).startswith("<!DOCTYPE html>")
        (True, True)
        >>> page._repr_html_().startswith("<iframe")  # how Jupyter shows it
        True
    """

    steps: int

    def __new__(cls, text: str, steps: int = 0) -> StepPage:
        page = super().__new__(cls, text)
        page.steps = steps
        return page

    def __repr__(self) -> str:
        size = len(self.encode("utf-8")) / 1000
        return (f"<StepPage: {self.steps} step{'s' * (self.steps != 1)}, {size:.0f} kB; "
                ".save(path), shown inline in Jupyter>")

    height = 720

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self, quote=True)}" style="width:100%;'
                f'height:{self.height}px;border:1px solid #ccc" '
                'title="backward pass, step by step"></iframe>')

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (UTF-8), replacing any file there atomically."""
        target = Path(path)
        write_atomically(target, self.encode("utf-8"))
        return target


def _inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration, doctype or comments before it)."""
    return svg[svg.index("<svg"):].strip()


def _number(x: float, digits: int) -> str:
    return format_number(x, digits) if math.isfinite(x) else str(x)


def _script_json(data: object) -> str:
    """JSON safe inside ``<script>``: no ``</script>`` or ``<!--`` can close or open it."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).replace("<", "\\u003c")


def backward_html(root: Value, gradient: float = 1.0, *, title: str = "The backward pass",
                  backend: Backend = "auto", digits: int = 4, collapse: bool | Grouping = False,
                  max_nodes: int | None = DEFAULT_MAX_NODES, max_steps: int | None = MAX_STEPS,
                  **draw_options: Any) -> StepPage:
    """One self-contained HTML page stepping through the backward pass of ``root``.

    The graph is laid out once (:func:`~autograd_lite.graph.diagram.draw_dot`, options
    ``params``, ``inputs``, ``rankdir``... and ``collapse``); the steps are data a small
    inline script applies: the current node in red, its operands in orange, the grads so
    far in the boxes, and a caption with each product ``upstream x local = contribution``.
    Step 0 shows the forward values.  Arrow keys or buttons step; the mouse wheel, ``+``
    ``-`` ``0`` and Shift+arrows (or dragging) zoom and pan; the view follows the current
    node; a search box jumps to a node by label or name (``v7``); ``#step=K`` in the URL
    opens step K.  Nothing is fetched.  Refused before anything is computed
    (:class:`~autograd_lite.graph.diagram.GraphTooLargeError`) beyond ``max_nodes`` boxes
    or ``max_steps`` steps.  The result is a ``str`` that Jupyter displays inline.

    Raises:
        GraphTooLargeError: more than ``max_nodes`` boxes or ``max_steps`` steps, before
            anything is computed.
        RuntimeError: ``root`` does not require grad.

    Examples:
        >>> import os, tempfile
        >>> from autograd_lite import Value, backward_html
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> page = backward_html(x * y + x.exp(), title="f = x y + exp(x)", backend="wasm")
        >>> path = page.save(os.path.join(tempfile.mkdtemp(), "steps.html"))   # one offline file
        >>> path.name, "f = x y + exp(x)" in path.read_text(encoding="utf-8")
        ('steps.html', True)
    """
    seed = _check_root(root, gradient, "backward_html")
    require_graphviz("backward_html")
    require_renderer(backend, "backward_html")
    draw_options.pop("max_frames", None)  # accepted for compatibility: frames are not drawn
    order = topological_order(root)
    _check_page_size(root, order, collapse=collapse, max_nodes=max_nodes, max_steps=max_steps,
                     caller="backward_html")
    adjoint, steps, hooked_leaves = _pass(order, root, seed)
    names = value_names(order)
    groups = infer_groups(root, label_group if collapse is True else collapse) \
        if collapse else None
    diagram = draw_dot(root, digits=digits, collapse=collapse, adjoints=adjoint,
                       names=names, max_nodes=max_nodes, **draw_options)
    svg = _inline_svg(diagram.svg(backend=backend))
    ids = box_ids(order, groups)
    shows = set(order) if groups is None else \
        set(group_outputs(order, groups).values()) | (set(order) - set(groups))
    index = {node: i for i, node in enumerate(order)}
    nodes = [[ids[node], names.get(node, ""), printable(node.label), _number(node.data, digits),
              int(node in shows and node.requires_grad and draw_options.get("grads", True)),
              int(not node.requires_grad),
              printable(definition(node, names)) if node.op is not None else ""]
             for node in order]
    so_far = dict.fromkeys(order, 0.0)
    so_far[root] = seed
    data_steps = []
    for step in steps:
        rows = []
        for parent, local, (_, term) in zip(step.node.parents, step.local_grads,
                                            step.contributions):
            so_far[parent] += term
            rows.append([index[parent], _number(local, digits), _number(term, digits),
                         _number(so_far[parent], digits)])
        hooked = "" if step.hooked_from is None else _number(step.hooked_from, digits)
        data_steps.append([index[step.node], _number(step.upstream, digits), rows, hooked])
    leaf_hooks = [[index[leaf], _number(given, digits), _number(adjoint[leaf], digits)]
                  for leaf, given in hooked_leaves.items()]
    data = {"nodes": nodes, "steps": data_steps, "root": index[root],
            "seed": _number(seed, digits), "collapsed": groups is not None,
            "leafHooks": leaf_hooks}
    heading = html.escape(printable(title))
    legend = "".join(
        f'<span class="key"><svg width="22" height="14"><rect x="1" y="1" width="20" '
        f'height="12" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/></svg>{text}</span>'
        for fill, stroke, width, text in (
            (FILL_COLOURS["parameter"], "#000", 1, "parameter"),
            (FILL_COLOURS["input"], "#000", 1, "input"),
            (FILL_COLOURS["loss"], "#000", 1, "loss (the root)"),
            (FILL_COLOURS["constant"], "#777", 1, "constant (no grad)"),
            (FILL_COLOURS["group"], "#000", 1, "group (collapsed)"),
            ("#fff", HIGHLIGHT_COLOUR, 3, "current node: its grad is complete"),
            ("#fff", _RECEIVING_COLOUR, 3, "its operands: receive upstream &times; local"),
        ))
    datalist = "".join(f'<option value="{html.escape(printable(text))}">'
                       for text in sorted({n.label for n in order if n.label}
                                          | set(names.values())))
    return StepPage(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{heading}</title><style>{_PAGE_STYLE}</style></head><body>"
        f"<h1>{heading}</h1>"
        '<div id="controls">'
        '<button id="first" type="button" title="first step (Home)" aria-label="first step">'
        "&laquo;</button>"
        '<button id="prev" type="button" title="previous step (left arrow)" '
        'aria-label="previous step">&#9664;</button>'
        '<span id="pos">step 0</span>'
        '<button id="next" type="button" title="next step (right arrow)" '
        'aria-label="next step">&#9654;</button>'
        '<button id="last" type="button" title="last step (End)" aria-label="last step">'
        "&raquo;</button>"
        '<input id="slider" type="range" min="0" value="0" aria-label="step">'
        '<button id="zin" type="button" title="zoom in (+)" aria-label="zoom in">+</button>'
        '<button id="zout" type="button" title="zoom out (-)" aria-label="zoom out">'
        "&minus;</button>"
        '<button id="fit" type="button" title="the whole graph (0)">fit</button>'
        '<input id="find" list="labels" placeholder="go to node" aria-label="go to node '
        f'(label or name, e.g. v7)"><datalist id="labels">{datalist}</datalist>'
        '<span id="found"></span></div>'
        f'<div id="view">{svg}</div>'
        '<div id="caption" aria-live="polite"><noscript>The script is off: the graph shows '
        "the values and gradients after the whole backward pass.</noscript></div>"
        f'<details id="legend"><summary>colours and keys</summary>{legend}<span class="key">'
        "keys: &larr; &rarr; step, Home/End, + &minus; 0 zoom, Shift+arrows or drag to pan, "
        "wheel to zoom; #step=K in the address opens step K</span></details>"
        f'<script id="steps-data" type="application/json">{_script_json(data)}</script>'
        f"<script>{_PAGE_SCRIPT}</script></body></html>\n", steps=len(steps))


_RECEIVING_COLOUR = "#ff7f0e"

_PAGE_STYLE = f"""html,body{{height:100%;margin:0}}
body{{font-family:system-ui,sans-serif;color:#222;box-sizing:border-box;padding:.3em .7em;
display:flex;flex-direction:column;overflow:auto}}
h1{{font-size:1.15em;margin:.1em 0 .25em;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis;flex:none}}
#controls{{display:flex;flex-wrap:nowrap;gap:.25em;align-items:center;flex:none;
white-space:nowrap}}
#controls button{{padding:.1em .5em;min-width:2em}}
#pos{{min-width:6.5em;text-align:center;font-weight:bold}}
#slider{{flex:1 1 6em;min-width:3em}}
#find{{flex:0 1 9em;min-width:4em;width:9em}}
#found{{color:#a00;overflow:hidden;text-overflow:ellipsis}}
#view{{flex:1 1 0;min-height:9em;border:1px solid #ccc;overflow:hidden;cursor:grab;
touch-action:none;margin-top:.3em}}
#view svg{{width:100%;height:100%;display:block}}
#caption{{flex:none;margin:.35em 0;line-height:1.35;font-size:.92em}}
#caption p{{margin:.2em 0}}
#caption table{{border-collapse:collapse;font-variant-numeric:tabular-nums}}
#caption td,#caption th{{border-bottom:1px solid #eee;padding:0 .6em;text-align:left}}
#caption .n{{font-family:ui-monospace,monospace}}
#legend{{font-size:.85em;color:#444;flex:none}}.key{{margin-right:1em;white-space:nowrap}}
.key svg{{vertical-align:middle;margin-right:.3em}}
g.cur>polygon,g.cur>ellipse,g.cur>path{{stroke:{HIGHLIGHT_COLOUR};stroke-width:3px}}
g.edge.cur>path,g.edge.cur>polygon{{stroke:{HIGHLIGHT_COLOUR};stroke-width:2.5px}}
g.edge.cur>polygon{{fill:{HIGHLIGHT_COLOUR}}}
g.recv>polygon,g.recv>ellipse,g.recv>path{{stroke:{_RECEIVING_COLOUR};stroke-width:3px}}"""

_PAGE_SCRIPT = r"""(function(){"use strict";
var D=JSON.parse(document.getElementById("steps-data").textContent);
var N=D.steps.length,nodes=D.nodes,cur=-1,applied=0,lit=[],follow=true;
var view=document.getElementById("view"),svg=view.querySelector("svg");
var boxes={},edges={},gradText={},stepOf={},lastUse={};
svg.querySelectorAll("g.node").forEach(function(g){
  boxes[g.querySelector("title").textContent]=g;});
svg.querySelectorAll("g.edge").forEach(function(g){
  var t=g.querySelector("title").textContent.split("->");
  var key=t[0].split(":")[0]+"->"+t[1].split(":")[0];
  (edges[key]=edges[key]||[]).push(g);});
nodes.forEach(function(n,i){
  if(!n[4]||!boxes[n[0]])return;
  var texts=boxes[n[0]].querySelectorAll("text"),el=null;
  for(var j=0;j<texts.length;j++){if(texts[j].textContent.indexOf("grad ")===0)el=texts[j];}
  if(el){el.classList.add("grad");gradText[i]=el;}});
D.steps.forEach(function(s,k){stepOf[s[0]]=k+1;
  s[2].forEach(function(r){lastUse[r[0]]=k+1;});});
function name(i){var n=nodes[i];
  if(!n[1])return n[2]||"constant "+n[3];
  return n[2]?n[1]+" ("+n[2]+")":n[1];}
var R=nodes[D.root][2]||nodes[D.root][1];
function setGrad(i,text){var el=gradText[i];if(el)el.textContent="grad "+text;}
function reset(){for(var i in gradText)gradText[i].textContent="grad \u2013";applied=0;}
function apply(k){if(k===1)setGrad(D.root,D.seed);var s=D.steps[k-1];
  if(s[3])setGrad(s[0],s[1]);s[2].forEach(function(r){setGrad(r[0],r[3]);});
  if(k===N)D.leafHooks.forEach(function(h){setGrad(h[0],h[2]);});applied=k;}
function mark(el,c){if(el){el.classList.add(c);lit.push([el,c]);}}
function el(tag,text,cls){var e=document.createElement(tag);
  if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;}
function caption(k){var box=document.getElementById("caption");box.textContent="";
  var p=el("p");p.appendChild(el("b","Step "+k+" of "+N));
  if(k===0){p.appendChild(document.createTextNode(": the forward pass. Every box shows "+
    "its value (data); no gradient is known yet. Next, the backward pass starts at "+
    name(D.root)+" with \u2202"+R+"/\u2202"+R+" = "+D.seed+"."));box.appendChild(p);return;}
  var s=D.steps[k-1],n=nodes[s[0]];
  p.appendChild(document.createTextNode(": "));p.appendChild(el("span",name(s[0]),"n"));
  p.appendChild(document.createTextNode(" = "+n[6]+" = "+n[3]+". Its gradient \u2202"+R+
    "/\u2202"+(n[1]||n[2])+" = "));p.appendChild(el("b",s[1]));
  p.appendChild(document.createTextNode(" is complete (every use of it has reported)"+
    (s[3]?" -- its hook (register_hook) was given "+s[3]+" and returned this":"")+"; it "+
    "passes upstream \u00d7 local to each operand:"));box.appendChild(p);
  var t=el("table"),h=el("tr");
  ["operand","upstream \u00d7 local = contribution","operand's grad so far"].forEach(
    function(x){h.appendChild(el("th",x));});t.appendChild(h);
  s[2].forEach(function(r){var tr=el("tr");tr.appendChild(el("td",name(r[0]),"n"));
    tr.appendChild(el("td",s[1]+" \u00d7 "+r[1]+" = "+r[2],"n"));
    tr.appendChild(el("td",nodes[r[0]][5]?"(a constant: no grad)":r[3],"n"));
    t.appendChild(tr);});box.appendChild(t);
  D.leafHooks.forEach(function(h){if(k===N)box.appendChild(el("p","Hooked leaf "+name(h[0])+
    ": its hook was given "+h[1]+" and returned "+h[2]+", which it accumulates."));});
  if(k===N)box.appendChild(el("p","Done: every gradient is complete."));}
function show(k,centre){k=Math.max(0,Math.min(N,k|0));
  if(k<applied)reset();while(applied<k)apply(applied+1);
  lit.forEach(function(x){x[0].classList.remove(x[1]);});lit=[];
  var focus=boxes[nodes[D.root][0]];
  if(k>0){var s=D.steps[k-1],b=nodes[s[0]][0],head=D.collapsed?b:b+"op";
    focus=boxes[b];mark(focus,"cur");if(!D.collapsed)mark(boxes[head],"cur");
    s[2].forEach(function(r){var pb=nodes[r[0]][0];if(pb===b)return;
      mark(boxes[pb],"recv");(edges[pb+"->"+head]||[]).forEach(function(e){mark(e,"cur");});});}
  cur=k;document.getElementById("pos").textContent="step "+k+" of "+N;
  if(hashStep()!==k){try{history.replaceState(null,"","#step="+k);}catch(e){}}
  document.getElementById("slider").value=k;caption(k);
  if(focus&&(follow||centre))see(focus,centre);}
/* zoom and pan: the viewBox, in the SVG's own units */
var full=[svg.viewBox.baseVal.x,svg.viewBox.baseVal.y,svg.viewBox.baseVal.width,
  svg.viewBox.baseVal.height],vb=full.slice();
svg.removeAttribute("width");svg.removeAttribute("height");
svg.setAttribute("preserveAspectRatio","xMidYMid meet");
function setVB(){svg.setAttribute("viewBox",vb.join(" "));}
function toSvg(x,y){var p=svg.createSVGPoint();p.x=x;p.y=y;
  return p.matrixTransform(svg.getScreenCTM().inverse());}
function zoom(f,px,py){if(px===undefined){px=vb[0]+vb[2]/2;py=vb[1]+vb[3]/2;}
  var w=Math.max(20,Math.min(full[2]*4,vb[2]/f));f=vb[2]/w;
  vb=[px-(px-vb[0])/f,py-(py-vb[1])/f,w,vb[3]/f];setVB();}
function fit(){vb=full.slice();setVB();}
function pan(dx,dy){vb[0]+=dx*vb[2];vb[1]+=dy*vb[3];setVB();}
function see(g,centre){var b=g.getBBox(),m=svg.getScreenCTM().inverse().multiply(g.getScreenCTM());
  var p=svg.createSVGPoint();p.x=b.x+b.width/2;p.y=b.y+b.height/2;p=p.matrixTransform(m);
  var inside=p.x>vb[0]&&p.x<vb[0]+vb[2]&&p.y>vb[1]&&p.y<vb[1]+vb[3];
  if(!inside||centre){vb[0]=p.x-vb[2]/2;vb[1]=p.y-vb[3]/2;setVB();}}
view.addEventListener("wheel",function(e){e.preventDefault();var p=toSvg(e.clientX,e.clientY);
  zoom(e.deltaY<0?1.25:0.8,p.x,p.y);},{passive:false});
var drag=null;
view.addEventListener("pointerdown",function(e){drag=[e.clientX,e.clientY,vb[0],vb[1]];
  view.setPointerCapture(e.pointerId);});
view.addEventListener("pointermove",function(e){if(!drag)return;
  var s=Math.max(vb[2]/view.clientWidth,vb[3]/view.clientHeight);
  vb[0]=drag[2]-(e.clientX-drag[0])*s;vb[1]=drag[3]-(e.clientY-drag[1])*s;setVB();});
view.addEventListener("pointerup",function(){drag=null;});
function go(d){show(cur+d);}
document.getElementById("first").onclick=function(){show(0);};
document.getElementById("prev").onclick=function(){go(-1);};
document.getElementById("next").onclick=function(){go(1);};
document.getElementById("last").onclick=function(){show(N);};
document.getElementById("zin").onclick=function(){zoom(1.25);};
document.getElementById("zout").onclick=function(){zoom(0.8);};
document.getElementById("fit").onclick=fit;
var slider=document.getElementById("slider");slider.max=N;
slider.oninput=function(){show(+slider.value);};
var find=document.getElementById("find");
function jump(){var q=find.value.trim(),hit=-1,lq=q.toLowerCase();if(!q)return;
  for(var i=0;i<nodes.length&&hit<0;i++){if(nodes[i][2]===q||nodes[i][1]===q)hit=i;}
  for(i=0;i<nodes.length&&hit<0;i++){if(nodes[i][2].toLowerCase().indexOf(lq)>=0)hit=i;}
  document.getElementById("found").textContent=hit<0?"no node named "+q:"";
  if(hit<0)return;
  show(stepOf[hit]!==undefined?stepOf[hit]:(lastUse[hit]||0),false);
  see(boxes[nodes[hit][0]],true);}
find.addEventListener("change",jump);
find.addEventListener("keydown",function(e){if(e.key==="Enter")jump();e.stopPropagation();});
document.addEventListener("keydown",function(e){if(e.ctrlKey||e.metaKey||e.altKey)return;
  var k=e.key,done=true;
  if(e.shiftKey&&k.indexOf("Arrow")===0){pan(k==="ArrowLeft"?-0.1:k==="ArrowRight"?0.1:0,
    k==="ArrowUp"?-0.1:k==="ArrowDown"?0.1:0);}
  else if(k==="ArrowRight")go(1);else if(k==="ArrowLeft")go(-1);
  else if(k==="Home")show(0);else if(k==="End")show(N);
  else if(k==="+"||k==="=")zoom(1.25);else if(k==="-"||k==="_")zoom(0.8);
  else if(k==="0")fit();else done=false;
  if(done)e.preventDefault();});
/* #step=K in the address: opens step K, follows the steps, and a new hash steps there */
function hashStep(){var m=location.hash.match(/step=(\d+)/);return m?+m[1]:null;}
window.addEventListener("hashchange",function(){var k=hashStep();
  if(k!==null&&k!==cur)show(k);});
reset();fit();show(hashStep()||0,false);
window.autogradSteps={show:show,total:N,zoom:zoom,fit:fit,pan:pan,
  step:function(){return cur;},viewBox:function(){return vb.slice();},
  readyMs:performance.now()};})();"""


__all__ = ["BackwardStep", "StepPage", "backward_frames", "backward_html", "backward_steps"]

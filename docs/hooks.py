"""MkDocs hooks: what the site shows that the engine itself makes at build time.

* **Home page** -- ``docs/index.md`` is the README (``<!-- include: README.md -->``), its
  links into ``docs/`` made relative to the site.
* **Tutorials from the notebooks** -- each ``notebooks/*.ipynb`` (stored without outputs) is
  executed in a ``python3`` kernel of this interpreter and written as a Markdown page
  ``tutorials/<name>.md``: Markdown cells as they are, code cells as Python blocks, and
  their outputs (text, Markdown tables, SVG diagrams, plots, HTML) after them.
  ``AUTOGRAD_LITE_DOCS_NOTEBOOKS=skip`` renders the code without running it (quick
  previews; the page then says so).  Under ``mkdocs serve`` (or with
  ``AUTOGRAD_LITE_DOCS_CACHE=1``) executed notebooks are cached in ``build/docs-cache/`` (or
  ``AUTOGRAD_LITE_DOCS_CACHE_DIR``) by the hash of the notebook and the package's sources;
  the test suite puts the notebooks ``tests/docs/test_notebooks.py`` executed there, so they
  run once per suite.
* **Figures** -- :data:`FIGURES`: diagrams drawn by :func:`autograd_lite.draw_dot` and the
  step-through page of :func:`autograd_lite.backward_html`, written into ``figures/``.
* **Readable diagrams** -- every Graphviz diagram (a notebook's SVG output, an ``<img>`` of
  an SVG figure) is shown no smaller than keeps its text :data:`MIN_TEXT_PX` high
  (:func:`readable_svg`), scrolling sideways in the column when it is wider; clicking any
  diagram or picture opens it full size, to zoom and pan (``javascripts/diagrams.js``).
* **Generated Markdown** -- ``<!-- generated: op-table -->`` becomes the rule table
  (``docs/op_table.py``) and ``<!-- generated: cli -->`` the command line's ``--help`` texts.
* **Maths** -- ``$...$`` and ``$$...$$`` (found by ``pymdownx.arithmatex``) become MathML
  (``latex2mathml``), which browsers draw with no script and no font download.
* **Playground** -- ``docs/playground/build.py``: the runtimes (pinned npm packages), the
  wheel of this checkout and the presets of the in-browser playground, under
  ``playground/``; a "Run in the playground" button under each self-contained Python block
  of the tutorials and how-to guides.  Skipped, with a message, where npm is missing
  (outside CI).
* **Docstrings** -- Sphinx roles left in docstrings (``:func:`grad```) become links where
  the reference documents the name, code otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import io
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.autograd_lite")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "autograd_lite"
CACHE = ROOT / "build" / "docs-cache"
CELL_TIMEOUT_SECONDS = 600

_stash: dict[str, list[str]] = {}  # page src_uri -> HTML kept out of the Markdown
_figures: dict[str, bytes] = {}  # SVG file name -> its text, for readable <img> sizes
MIN_TEXT_PX = 11.0
"""The smallest text of a diagram on the site, in CSS px, at its default size."""
_playground: dict[str, str | None] = {"skipped": None}  # why the playground was not built


# -- events -------------------------------------------------------------------------------


def on_startup(command: str, dirty: bool) -> None:
    # an environment variable, not a global: `mkdocs serve` loads this file again for each
    # rebuild, and calls on_startup only once
    if command == "serve":
        os.environ.setdefault("AUTOGRAD_LITE_DOCS_CACHE", "1")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the tutorial pages made from the notebooks and the figures drawn by the engine."""
    for name, make in FIGURES.items():
        content = make()
        _figures[name] = content
        files.append(File.generated(config, f"figures/{name}", content=content))
    _figures["graph.svg"] = (DOCS / "graph.svg").read_bytes()
    add_playground(files, config)
    mode = os.environ.get("AUTOGRAD_LITE_DOCS_NOTEBOOKS", "execute")
    if mode not in ("execute", "skip"):
        raise ValueError(f"AUTOGRAD_LITE_DOCS_NOTEBOOKS must be execute or skip, got {mode!r}")
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        uri = f"tutorials/{path.stem}.md"
        markdown, stash = notebook_markdown(path, execute=mode == "execute",
                                            cache=os.environ.get("AUTOGRAD_LITE_DOCS_CACHE") == "1")
        _stash[uri] = stash
        files.append(File.generated(config, uri, content=markdown))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    skipped = _playground["skipped"]
    if page.file.src_uri == "playground/index.md" and skipped:
        return "# Playground\n\n" + _load(PLAYGROUND).not_built_note(skipped)
    return expand_markers(markdown)


def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    html_text = unstash(html_text, _stash.get(page.file.src_uri, []))
    html_text = readable_images(html_text)
    if not _playground["skipped"] and page.file.src_uri.startswith(("tutorials/", "how-to/")):
        html_text = _load(PLAYGROUND).add_run_buttons(html_text, page.url)
    html_text = maths_to_mathml(html_text, page.file.src_uri)
    return sphinx_roles(html_text)


# -- generated Markdown ---------------------------------------------------------------------


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"autograd_lite_docs_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def readme_for_site(readme: str) -> str:
    """The README as the site's home page: ``docs/x`` links become ``x``."""
    return re.sub(r"(\]\()docs/", r"\1", readme)


def cli_help() -> str:
    """The ``--help`` of ``autograd-lite`` and of ``autograd-lite grad``, as the parsers
    print them, each in a text block under its own heading."""
    from autograd_lite.cli.main import main

    parts = []
    for heading, argv in (("`autograd-lite`", ["--help"]),
                          ("`autograd-lite grad`", ["grad", "--help"])):
        out = io.StringIO()
        with redirect_stdout(out):
            status = main(argv)
        if status != 0:
            raise RuntimeError(f"autograd-lite {' '.join(argv)} exited with {status}")
        parts.append(f"## {heading}\n\n```text\n{out.getvalue().rstrip()}\n```")
    return "\n\n".join(parts)


def math_table() -> str:
    """The names of ``autograd_lite.math`` that are primitives of the rule table, each with
    ``math``'s signature and its primitive; then the constants."""
    import inspect
    import math

    from autograd_lite import Primitive
    from autograd_lite import math as am

    rows = ["| `autograd_lite.math` | as `math` | primitive (its rule) |", "|---|---|---|"]
    constants = []
    for name in am.__all__:
        obj = getattr(am, name)
        if isinstance(obj, Primitive):
            signature = name + str(inspect.signature(getattr(math, name))).replace(", /", "")
            rows.append(f"| `{name}` | `{signature}` | [`{obj.name}`](rules.md) |")
        elif isinstance(obj, float):
            constants.append(f"`{name}`")
    return ("These are primitives of the [rule table](rules.md), each called as `math` "
            "calls it:\n\n" + "\n".join(rows) + "\n\nConstants, as `math`'s: "
            + ", ".join(constants) + ".  The functions below wrap primitives where `math`'s "
            "signature or return type needs it (ints from `floor`, a base for `log`, an "
            "iterable for `fsum`...).")


GENERATED: dict[str, Callable[[], str]] = {
    "op-table": lambda: str(_load(DOCS / "op_table.py").current_table()),
    "cli": cli_help,
    "math-table": math_table,
    "readme": lambda: readme_for_site((ROOT / "README.md").read_text(encoding="utf-8")),
}
"""``<!-- generated: NAME -->`` in a page becomes ``GENERATED[NAME]()``."""

_MARKER = re.compile(r"<!-- generated: ([\w-]+) -->")


def expand_markers(markdown: str) -> str:
    """``markdown`` with each ``<!-- generated: NAME -->`` replaced by what it names."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATED:
            raise ValueError(f"unknown generated block {name!r}; known: {sorted(GENERATED)}")
        return GENERATED[name]()
    return _MARKER.sub(replace, markdown)


# -- the playground --------------------------------------------------------------------------

PLAYGROUND = DOCS / "playground" / "build.py"


def add_playground(files: Files, config: MkDocsConfig) -> None:
    """The playground's runtimes, wheels, runner and presets, under ``playground/``."""
    playground = _load(PLAYGROUND)
    reason = playground.skip_reason()
    if reason is not None and playground.in_ci():
        raise RuntimeError(f"the playground must be built under CI=true, but {reason}")
    _playground["skipped"] = reason
    if reason is not None:
        log.info("playground: not built: %s", reason)
        return
    copies, written = playground.build()
    for path, source in copies.items():
        files.append(File.generated(config, f"playground/{path}", abs_src_path=str(source)))
    for path, content in written.items():
        files.append(File.generated(config, f"playground/{path}", content=content))
    log.info("playground: %s", playground.summary(copies, written))


# -- figures ------------------------------------------------------------------------------


def _svg(diagram: Any) -> bytes:
    return str(diagram.svg(backend="wasm")).encode("utf-8")


def _xy_exp() -> tuple[Any, Any, Any]:
    from autograd_lite import Value

    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x.exp()
    f.label = "f"
    return x, y, f


def recorded_svg() -> bytes:
    """x*y + exp(x) as recorded: data only, before any backward pass."""
    from autograd_lite import draw_dot

    x, y, f = _xy_exp()
    return _svg(draw_dot(f, inputs=[x, y], grads=False))


def backward_svg() -> bytes:
    """The same graph after ``f.backward()``: every grad filled in."""
    from autograd_lite import draw_dot

    x, y, f = _xy_exp()
    f.backward()
    return _svg(draw_dot(f, inputs=[x, y]))


def _frame(index: int) -> Callable[[], bytes]:
    def make() -> bytes:
        from autograd_lite.graph.steps import backward_frames

        x, y, f = _xy_exp()
        return _svg(backward_frames(f, inputs=[x, y])[index])
    make.__doc__ = f"Step {index + 1} of the reverse pass of x*y + exp(x)."
    return make


def neuron_svg() -> bytes:
    """A neuron tanh(w . x + b): one ``dot`` node with a port per product."""
    from autograd_lite import Neuron, draw_dot

    neuron = Neuron(2, "tanh", seed=0)
    out = neuron([0.5, -1.0])
    out.backward()
    return _svg(draw_dot(out, params=neuron.parameters()))


def second_derivative_svg() -> bytes:
    """d/dt t**3 with create_graph=True: the derivative is a graph itself."""
    from autograd_lite import Value, draw_dot, grad

    t = Value(1.5, "t")
    d1 = grad(t ** 3, t, create_graph=True)
    d1.label = "dt3/dt"
    return _svg(draw_dot(d1, inputs=[t], grads=False))


def _note003() -> Any:
    from autograd_lite.examples import note_003

    return note_003.loss_graph()


def mlp_collapsed_svg() -> bytes:
    """MLP(2, [16, 16, 1]) on one example, one box per neuron (``collapse=True``)."""
    from autograd_lite import MLP, draw_dot
    from autograd_lite.nn.losses import squared_error

    net = MLP(2, [16, 16, 1], seed=0)
    loss = squared_error(net([0.5, -0.25]), 1.0)
    loss.backward()
    return _svg(draw_dot(loss, collapse=True, params=net.parameters()))


def note003_steps_html() -> bytes:
    """Note 003's backward pass, step by step: the interactive page."""
    from autograd_lite import backward_html

    loss, params, inputs = _note003()
    return backward_html(loss, title="Note 003: the backward pass of L = (y - 5)^2",
                         params=params, inputs=inputs, backend="wasm").encode("utf-8")


FIGURES: dict[str, Callable[[], bytes]] = {
    "recorded.svg": recorded_svg,
    "backward.svg": backward_svg,
    "reverse-step-1.svg": _frame(0),
    "reverse-step-2.svg": _frame(1),
    "reverse-step-3.svg": _frame(2),
    "neuron.svg": neuron_svg,
    "second-derivative.svg": second_derivative_svg,
    "mlp-collapsed.svg": mlp_collapsed_svg,
    "note003-steps.html": note003_steps_html,
}
"""Every file the build draws under ``figures/``: its name and its maker."""


# -- notebooks ----------------------------------------------------------------------------


@contextmanager
def python3_kernel() -> Iterator[None]:
    """A ``python3`` kernelspec running this interpreter, found before any installed one."""
    with tempfile.TemporaryDirectory(prefix="autograd-lite-docs-jupyter-") as home:
        spec_dir = Path(home) / "kernels" / "python3"
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (home, old) if p)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


def _sources_hash(notebook: Path) -> str:
    digest = hashlib.sha256(notebook.read_bytes())
    for path in sorted([*PACKAGE.rglob("*.py"), *NOTEBOOKS.glob("*.py")]):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:20]


def cached_path(notebook: Path, directory: Path | None = None) -> Path:
    """Where the executed ``notebook`` is cached: its name and the hash of the notebook and
    of every source it can run (the package, ``notebooks/*.py``)."""
    where = directory or Path(os.environ.get("AUTOGRAD_LITE_DOCS_CACHE_DIR", CACHE))
    return where / f"{notebook.stem}-{_sources_hash(notebook)}.ipynb"


def executed(path: Path, cache: bool = False) -> Any:
    """The notebook at ``path`` with its outputs, run with its folder as the cwd."""
    import nbformat
    from nbclient import NotebookClient

    cached = cached_path(path)
    if cache and cached.is_file():
        return nbformat.read(cached, as_version=4)
    nb = nbformat.read(path, as_version=4)
    log.info("executing %s", path.name)
    with python3_kernel():
        NotebookClient(nb, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    if cache:
        cached.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, cached)
    return nb


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _text_block(text: str) -> str:
    text = _ANSI.sub("", text).rstrip("\n")
    fence = "````" if "```" in text else "```"
    return f"{fence}text\n{text}\n{fence}"


def _join(text: str | list[str]) -> str:
    return "".join(text) if isinstance(text, list) else text


def render_output(output: dict[str, Any], stash: list[str]) -> str | None:
    """One cell output as Markdown; HTML and images go to ``stash`` (a placeholder stays)."""
    kind = output["output_type"]
    if kind == "stream":
        return None if output["name"] == "stderr" else _text_block(_join(output["text"]))
    if kind == "error":
        raise RuntimeError(f"a notebook cell raised {output['ename']}: {output['evalue']}")
    data = output.get("data", {})

    def keep(fragment: str) -> str:
        stash.append(f'<div class="nb-output">{fragment}</div>')
        return f"AGLSTASH{len(stash) - 1}X"

    if "text/markdown" in data:
        return _join(data["text/markdown"])
    if "image/svg+xml" in data:
        svg = _join(data["image/svg+xml"])
        return keep(readable_svg(svg[svg.index("<svg"):]))
    if "image/png" in data:
        png = _join(data["image/png"]).replace("\n", "")
        base64.b64decode(png, validate=True)
        return keep(f'<img alt="a plot" src="data:image/png;base64,{png}">')
    if "text/html" in data:
        return keep(_join(data["text/html"]))
    if "text/plain" in data:
        return _text_block(_join(data["text/plain"]))
    return None


def _sizes(svg: str) -> tuple[float, float] | None:
    """A Graphviz SVG's natural width in CSS px and the narrowest it may be drawn: the width
    at which its smallest text is :data:`MIN_TEXT_PX` high (1 pt is 4/3 px)."""
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    fonts = [float(f) for f in re.findall(r'font-size="([\d.]+)"', svg)]
    if width is None or not fonts:
        return None
    natural = float(width.group(1)) * 4 / 3
    return natural, natural * min(1.0, MIN_TEXT_PX / (min(fonts) * 4 / 3))


def readable_svg(svg: str) -> str:
    """An inline diagram drawn at its natural size, narrowed to the column but never below
    the width that keeps its text readable (its box then scrolls sideways)."""
    sizes = _sizes(svg)
    if sizes is None:
        return svg
    style = (f'class="diagram" style="width:{sizes[0]:.0f}px;max-width:100%;'
             f'min-width:{sizes[1]:.0f}px;height:auto"')
    return re.sub(r"<svg\b", f"<svg {style}", svg, count=1)


def readable_images(html_text: str) -> str:
    """Each ``<img>`` of an SVG diagram sized as :func:`readable_svg` does, in a box that
    scrolls sideways when the diagram is wider than the column."""
    def size(match: re.Match[str]) -> str:
        content = _figures.get(Path(match.group(1)).name)
        sizes = None if content is None else _sizes(content.decode("utf-8"))
        if sizes is None:
            return match.group(0)
        return (f'<span class="diagram-box">{match.group(0)[:-1]} class="diagram" '
                f'style="width:{sizes[0]:.0f}px;max-width:100%;min-width:{sizes[1]:.0f}px">'
                "</span>")
    return re.sub(r'<img\b[^>]*\bsrc="([^"]+\.svg)"[^>]*>', size, html_text)


def notebook_markdown(path: Path, execute: bool = True,
                      cache: bool = False) -> tuple[str, list[str]]:
    """The notebook at ``path`` as a Markdown page, and the HTML its placeholders stand for."""
    import nbformat

    nb = executed(path, cache) if execute else nbformat.read(path, as_version=4)
    stash: list[str] = []
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code" and cell.source.strip():
            parts.append(f"```python\n{cell.source}\n```")
            for output in cell.get("outputs", []):
                rendered = render_output(output, stash)
                if rendered:
                    parts.append(rendered)
    where = f"`notebooks/{path.name}`"
    note = (f"!!! note \"A notebook\"\n    This page is {where}, executed when the site was "
            "built. Run it yourself with `jupyter notebook notebooks/` (the `notebooks` "
            "extra).")
    if not execute:
        note = (f"!!! warning \"Not executed\"\n    This page shows {where} without its "
                "outputs: the site was built with `AUTOGRAD_LITE_DOCS_NOTEBOOKS=skip`.")
    body = "\n\n".join(parts)
    title, _, rest = body.partition("\n")
    if not title.startswith("# "):
        return f"{note}\n\n{body}\n", stash
    return f"{title}\n\n{note}\n{rest}\n", stash


def unstash(html_text: str, stash: list[str]) -> str:
    """Put back the HTML that :func:`render_output` kept out of the Markdown."""
    def back(match: re.Match[str]) -> str:
        return stash[int(match.group(1))]
    return re.sub(r"<p>AGLSTASH(\d+)X</p>", back, html_text)


# -- maths and docstrings -------------------------------------------------------------------

_MATH = re.compile(r'<(span|div) class="arithmatex">\s*\\[(\[](.*?)\\[)\]]\s*</\1>', re.S)


def maths_to_mathml(html_text: str, where: str = "") -> str:
    """Each arithmatex span (``\\(...\\)``) or block (``\\[...\\]``) as MathML."""
    from latex2mathml.converter import convert

    def mathml(match: re.Match[str]) -> str:
        tex = html.unescape(match.group(2)).strip()
        display = "block" if match.group(1) == "div" else "inline"
        try:
            return str(convert(tex, display=display))
        except Exception as error:  # an unsupported command: say where, keep the TeX
            log.warning("%s: cannot turn $%s$ into MathML: %s", where, tex, error)
            return f"<code>{html.escape(tex)}</code>"
    return _MATH.sub(mathml, html_text)


_ROLE = re.compile(r":(?:func|class|data|mod|meth|attr|exc):<code>~?([\w.]+?)(\(\))?</code>")


def sphinx_roles(html_text: str) -> str:
    """``:func:<code>x</code>`` (a Sphinx role in a docstring) as an optional cross-reference:
    a link when the reference documents ``x``, its code otherwise."""
    def link(match: re.Match[str]) -> str:
        target = match.group(1)
        shown = target.rsplit(".", 1)[-1] if match.group(0).startswith(
            tuple(f":{r}:<code>~" for r in ("func", "class", "data", "mod", "meth", "attr",
                                            "exc"))) else target
        return (f'<autoref identifier="{target}" optional><code>{shown}'
                f'{match.group(2) or ""}</code></autoref>')
    return _ROLE.sub(link, html_text)

"""Regenerate every file in docs/ that the project draws, with autograd_lite's own code.

    python docs/make_figures.py            # write them
    python docs/make_figures.py --check    # exit 1, naming them, if any file on disk differs

:data:`FIGURES` is the single list of the files whose bytes this script determines: each
file's name under docs/ and the function making it.  ``tests/docs/test_docs.py`` compares them
with the files on disk, so a figure that no longer matches the code fails the suite.  To
add a figure, add one entry there.  Uses the WebAssembly Graphviz so the output does not
depend on a local Graphviz.

It also writes the slide pictures of the how-to (:data:`PICTURES`, PNGs drawn without
Graphviz; ``tests/graph/test_export.py`` checks their sizes) and three screenshots of note 003's
step-through page in headless Chromium (:data:`SCREENSHOTS`: step 0, a middle step, the
last step).  Pixels depend on the fonts of the machine, so these are not compared byte for
byte; without Chromium (Debian: apt-get install chromium) the screenshots are skipped with
a note.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from autograd_lite import MLP, Value, backward_html, draw_dot, topological_order
from autograd_lite.examples import note_003
from autograd_lite.nn.losses import squared_error

HERE = Path(__file__).resolve().parent
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--hide-scrollbars")


def graph_svg() -> bytes:
    """x*y + exp(x) at x = 2, y = 3 after backward (the README's first picture)."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x.exp()
    f.label = "f"
    f.backward()
    return draw_dot(f, inputs=[x, y]).svg(backend="wasm").encode("utf-8")


def note003_loss() -> note_003.NoteGraph:
    """Note 003's network on its input, its loss L = (y - 5)^2, its parameters and inputs,
    labelled with the note's symbols."""
    return note_003.loss_graph()


def backward_steps_html() -> bytes:
    """Note 003's backward pass, step by step: the interactive page."""
    loss, params, inputs = note003_loss()
    page = backward_html(loss, title="Note 003: the backward pass of L = (y - 5)^2, step by step",
                         params=params, inputs=inputs, backend="wasm")
    return page.encode("utf-8")


FIGURES: dict[str, Callable[[], bytes]] = {
    "graph.svg": graph_svg,
    "backward_steps.html": backward_steps_html,
}
"""Every file whose bytes this script determines: its name under docs/ and its maker."""


def _steps() -> int:
    loss, _, _ = note003_loss()
    return sum(node.op is not None for node in topological_order(loss))


SCREENSHOTS: dict[str, Callable[[], int]] = {
    "backward_steps_0.png": lambda: 0,
    "backward_steps_mid.png": lambda: _steps() // 2 + 1,
    "backward_steps_end.png": _steps,
}
"""The screenshots of docs/backward_steps.html: name under docs/ and the step shown."""


def slide_png(slide: bool) -> bytes:
    """A 2-2-1 tanh network's graph as a PNG drawn without Graphviz (WebAssembly layout,
    resvg), with and without the slide preset: the how-to's before and after."""
    net = MLP(2, [2, 1], activation="tanh", seed=0)
    out = net([0.5, -1.0])
    out.label = "y"
    loss = squared_error(out, 1.0)
    loss.label = "L"
    loss.backward()
    drawn = draw_dot(loss, params=net.parameters(), slide=slide).pipe("png", backend="wasm")
    assert isinstance(drawn, bytes)
    return drawn


PICTURES: dict[str, Callable[[], bytes]] = {
    "slide_before.png": lambda: slide_png(False),
    "slide_after.png": lambda: slide_png(True),
}
"""PNGs drawn without Graphviz for the how-to: not compared byte for byte (their pixels
depend on the machine's fonts)."""


def figures() -> dict[str, bytes]:
    """What this script writes, screenshots aside: ``{name under docs/: bytes}``."""
    return {name: make() for name, make in FIGURES.items()}


def stale(directory: Path = HERE) -> list[str]:
    """The figures whose file in ``directory`` is missing or differs from what would be written."""
    return [name for name, data in figures().items()
            if not (directory / name).is_file() or (directory / name).read_bytes() != data]


def screenshot(page: Path, step: int, out: Path) -> None:
    """``page`` opened at ``#step=<step>`` in headless Chromium, saved as a PNG."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print(f"note: no chromium on PATH, {out.name} not regenerated", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="autograd-lite-chromium-") as profile:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        "--window-size=1200,900", f"--screenshot={out}",
                        f"{page.as_uri()}#step={step}"],
                       check=True, capture_output=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        names = stale()
        for name in names:
            print(f"docs/{name} is out of date: run python docs/make_figures.py",
                  file=sys.stderr)
        return 1 if names else 0
    if args:
        print("usage: python docs/make_figures.py [--check]", file=sys.stderr)
        return 2
    for name, data in figures().items():
        (HERE / name).write_bytes(data)
        print(f"wrote docs/{name}")
    for name, make in PICTURES.items():
        (HERE / name).write_bytes(make())
        print(f"wrote docs/{name}")
    for name, step in SCREENSHOTS.items():
        screenshot(HERE / "backward_steps.html", step(), HERE / name)
        print(f"wrote docs/{name} (step {step()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

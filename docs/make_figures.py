"""Regenerate the README figures with autograd_lite's own drawing code.

    python docs/make_figures.py

Writes docs/graph.svg (x*y + exp(x) at x=2, y=3 after backward), docs/backward_steps.html
(note 003's network, its backward pass step by step) and three screenshots of that page in
headless Chromium: docs/backward_steps_0.png (step 0, the forward values),
docs/backward_steps_mid.png (a middle step) and docs/backward_steps_end.png (the last step).
Uses the WebAssembly Graphviz so the output does not depend on a local Graphviz; the
screenshots need Chromium (Debian: apt-get install chromium) and are skipped, with a note,
without it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograd_lite import Value, backward_html, draw_dot, topological_order
from autograd_lite.examples import note_003
from autograd_lite.nn.losses import squared_error

HERE = Path(__file__).resolve().parent
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--hide-scrollbars")


def note003_page() -> tuple[str, int]:
    """Note 003's page and its number of steps."""
    net = note_003.build_network()
    loss = squared_error(net(list(note_003.X)), note_003.TARGET)
    loss.label = "L"
    page = backward_html(loss, title="Note 003: the backward pass of L = (y - 5)^2, step by step",
                         params=net.parameters(), backend="wasm")
    return page, sum(node.op is not None for node in topological_order(loss))


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


def main() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x.exp()
    f.label = "f"
    f.backward()
    draw_dot(f, inputs=[x, y]).save(HERE / "graph.svg", backend="wasm")

    page, total = note003_page()
    path = HERE / "backward_steps.html"
    path.write_text(page, encoding="utf-8")
    for step, name in ((0, "0"), (total // 2 + 1, "mid"), (total, "end")):
        screenshot(path, step, HERE / f"backward_steps_{name}.png")


if __name__ == "__main__":
    main()

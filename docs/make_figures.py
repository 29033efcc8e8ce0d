"""Regenerate every file in docs/ that the project draws, with autograd_lite's own code.

    python docs/make_figures.py            # write them
    python docs/make_figures.py --check    # exit 1, naming them, if any file on disk differs

:func:`figures` is the single list of what this script writes: each file's name under docs/
and its exact bytes.  ``tests/test_docs.py`` compares it with the files on disk, so a figure
that no longer matches the code fails the suite.  To add a figure, add one entry there.
Uses the WebAssembly Graphviz so the output does not depend on a local Graphviz.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from autograd_lite import Value
from autograd_lite.graph.diagram import draw_dot
from autograd_lite.graph.steps import backward_html

HERE = Path(__file__).resolve().parent


def graph_svg() -> bytes:
    """x*y + exp(x) at x = 2, y = 3 after backward (the README's first picture)."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x.exp()
    f.label = "f"
    f.backward()
    return draw_dot(f, inputs=[x, y]).svg(backend="wasm").encode("utf-8")


def backward_steps_html() -> bytes:
    """The backward pass of one sigmoid neuron and a squared error, step by step (note 000):
    L = (sigmoid(w*x + b) - 1)^2."""
    w, b, xin = Value(0.5, "w"), Value(-0.2, "b"), Value(1.5, "x")
    p = (w * xin + b).sigmoid()
    p.label = "p"
    loss = (p - 1.0) ** 2
    loss.label = "L"
    page = backward_html(loss, title="Backward pass of L = (sigmoid(w*x + b) - 1)^2",
                         params=[w, b], inputs=[xin], backend="wasm")
    return page.encode("utf-8")


FIGURES: dict[str, Callable[[], bytes]] = {
    "graph.svg": graph_svg,
    "backward_steps.html": backward_steps_html,
}
"""Every file this script writes: its name under docs/ and the function making its bytes."""


def figures() -> dict[str, bytes]:
    """What this script writes: ``{name under docs/: bytes}``."""
    return {name: make() for name, make in FIGURES.items()}


def stale(directory: Path = HERE) -> list[str]:
    """The figures whose file in ``directory`` is missing or differs from what would be written."""
    return [name for name, data in figures().items()
            if not (directory / name).is_file() or (directory / name).read_bytes() != data]


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
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Regenerate the README figures with autograd_lite's own drawing code.

    python docs/make_figures.py

Writes docs/graph.svg (x*y + exp(x) at x=2, y=3 after backward) and
docs/backward_steps.html (the backward pass of one sigmoid neuron, step by step).
Uses the WebAssembly Graphviz so the output does not depend on a local Graphviz.
"""

from __future__ import annotations

from pathlib import Path

from autograd_lite import Value
from autograd_lite.graph.diagram import draw_dot
from autograd_lite.graph.steps import backward_html

HERE = Path(__file__).resolve().parent


def main() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x.exp()
    f.label = "f"
    f.backward()
    draw_dot(f, inputs=[x, y]).save(HERE / "graph.svg", backend="wasm")

    # one sigmoid neuron and a squared error, as in note 000: L = (sigmoid(w*x + b) - t)^2
    w, b, xin = Value(0.5, "w"), Value(-0.2, "b"), Value(1.5, "x")
    p = (w * xin + b).sigmoid()
    p.label = "p"
    loss = (p - 1.0) ** 2
    loss.label = "L"
    page = backward_html(loss, title="Backward pass of L = (sigmoid(w*x + b) - 1)^2",
                         params=[w, b], inputs=[xin], backend="wasm")
    (HERE / "backward_steps.html").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()

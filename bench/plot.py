"""Log-log plots of the benchmark, for the README and the speed page.

    python bench/plot.py bench/results/results.json docs/scaling.png

Run by ``bench/run.py`` in the bench venv (matplotlib is a bench dependency only; the
package itself needs nothing).  The chain: ns per node against graph size (solid lines:
forward; dashed: backward; one colour per engine; dotted: goal 1's bound, 1.3x
autograd_lite's cost at 2e4 nodes).  When the run measured the transforms, also
``transforms.png`` beside it: the gradient's and the Hessian's time against n, every engine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

COLOURS = {"autograd_lite": "tab:blue", "micrograd": "tab:orange", "torch": "tab:red",
           "floats": "tab:gray", "autograd_lite_large_graphs": "tab:green"}
LABELS = {"autograd_lite": "autograd_lite (eager)", "micrograd": "micrograd 0.1.0",
          "autograd_lite_large_graphs": "autograd_lite in large_graphs()",
          "torch": "PyTorch (0-d tensors)", "floats": "plain floats (forward only)"}
GOAL = 1.3


def plot(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    chain: dict[str, Any] = results["chain"]
    fig, ax = plt.subplots(figsize=(7.5, 5.6), dpi=110)
    for engine, rep in chain.items():
        if not rep:
            continue
        for p, style in (("forward", "-"), ("backward", "--")):
            points = sorted((int(n), s[p + "_ns"]) for n, s in rep["sizes"].items()
                            if p + "_ns" in s)
            if not points:
                continue
            xs, ys = zip(*points)
            ax.plot(xs, ys, style, marker="o", markersize=4, color=COLOURS.get(engine),
                    label=f"{LABELS.get(engine, engine)}, {p}")
    lite = chain.get("autograd_lite") or {}
    sizes = lite.get("sizes", {})
    top = max((int(n) for n in sizes), default=0)
    for p in ("forward", "backward"):
        base = sizes.get("20000", {}).get(p + "_ns")
        if base and top > 20_000:
            ax.plot([20_000, top], [GOAL * base] * 2, ":", color="tab:blue", linewidth=1.2,
                    label=f"goal 1: {GOAL}x autograd_lite's 2e4 cost" if p == "forward"
                    else None)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = sorted({int(n) for rep in chain.values() if rep for n in rep["sizes"]})
    ax.set_xticks(ticks, [f"{n:.0e}".replace("+0", "") for n in ticks])
    ax.minorticks_off()
    ax.set_xlabel("graph size (nodes): y = y * a + b, N steps = 2N nodes")
    ax.set_ylabel("ns per node (median)")
    quick = " (--quick)" if results.get("quick") else ""
    ax.set_title(f"Chain scaling: medians, GC on as users run it{quick}", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
              frameon=False, handlelength=3.5)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)


TRANSFORM_LINES = {  # (engine, variant) -> (label, colour)
    ("autograd_lite", "func.grad"): ("autograd_lite func.grad", "tab:blue"),
    ("autograd_lite", "backward by hand"): ("autograd_lite backward by hand", "tab:cyan"),
    ("autograd_lite", "func.hessian"): ("autograd_lite func.hessian", "tab:blue"),
    ("autograd_lite", "compiled_transform(func.grad)"): ("autograd_lite compiled_transform",
                                                          "navy"),
    ("autograd_lite", "compiled_transform(func.hessian)"): ("autograd_lite compiled_transform",
                                                             "navy"),
    ("autograd_lite", "compiled_transform(func.grad, backend=numpy)"): (
        "autograd_lite compiled_transform, backend=numpy", "tab:olive"),
    ("autograd_lite (baseline)", "func.grad"): ("autograd_lite func.grad, before", "tab:purple"),
    ("autograd_lite (baseline)", "func.hessian"): ("autograd_lite func.hessian, before",
                                                   "tab:purple"),
    ("hips", "HIPS autograd: grad"): ("HIPS autograd", "tab:orange"),
    ("hips", "HIPS autograd: hessian"): ("HIPS autograd", "tab:orange"),
    ("torch", "torch.func.grad"): ("torch.func", "tab:red"),
    ("torch", "torch.func.hessian"): ("torch.func", "tab:red"),
    ("torch", "PyTorch tensors: backward"): ("PyTorch tensors (backward)", "tab:brown"),
    ("jax", "jax.jit(jax.grad)"): ("jax.jit", "tab:green"),
    ("jax", "jax.jit(jax.hessian)"): ("jax.jit", "tab:green"),
    ("floats", "hand-written floats"): ("hand-written floats", "tab:gray"),
}


def plot_transforms(rows: list[dict[str, Any]], out: Path, quick: bool) -> None:
    """Two panels, log-log: seconds against n for the gradient and for the Hessian; solid:
    Rosenbrock, dashed: the dense quadratic form."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 6.2), dpi=110)
    for ax, workload in zip(axes, ("gradient", "hessian")):
        for (engine, variant), (label, colour) in TRANSFORM_LINES.items():
            for function, style in (("rosenbrock", "-"), ("quadratic", "--")):
                points = sorted((r["n"], r["seconds"]) for r in rows
                                if r["status"] == "ok" and r["workload"] == workload
                                and r["engine"] == engine and r["variant"] == variant
                                and r["function"] == function)
                if points:
                    xs, ys = zip(*points)
                    ax.plot(xs, ys, style, marker="o", markersize=4, color=colour,
                            label=label if function == "rosenbrock" else None)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (inputs)")
        ax.set_ylabel("seconds per call (median)")
        ax.set_title(f"{workload}: solid Rosenbrock, dashed x^T A x"
                     + (" (--quick)" if quick else ""), fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.13),
                  ncol=2)  # below the panel: the lines fill it
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)


def main(argv: list[str]) -> int:
    results = json.loads(Path(argv[0]).read_text())
    if results.get("chain"):
        plot(results, Path(argv[1]))
    if results.get("transforms"):
        plot_transforms(results["transforms"], Path(argv[1]).with_name("transforms.png"),
                        bool(results.get("quick")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

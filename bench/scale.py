"""Scale and leak figures: a million nodes, a million terms, 10,000 training steps.

    python bench/scale.py                 # about 3 minutes; writes bench/results/scale.json

* ``chain``: ``v <- v * c`` 1,000,000 times from one leaf, then ``backward``;
* ``sum``: ``add_n`` of 1,000,000 leaves (one n-ary node), then ``backward``;

each measured with ``tracemalloc`` (bytes held by the graph, and left after ``del``);

* ``training``: the moons demo model ``MLP(2, [16, 16, 1])`` (micrograd's, 337 parameters),
  SGD on the hinge loss over minibatches of ``--batch`` points, ``--steps`` steps; memory as
  allocated blocks (``sys.getallocatedblocks``, no tracing overhead) and peak RSS, sampled
  every 1,000 steps -- flat means no leak.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from autograd_lite import MLP, SGD, Value, add_n
from autograd_lite.examples.moons import make_moons
from autograd_lite.nn.losses import hinge, mean

RESULTS = Path(__file__).parent / "results" / "scale.json"
MB = 1024 * 1024


def _graph_figures(n: int, build: str) -> dict[str, Any]:
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        t0 = time.perf_counter()
        if build == "chain":
            x = Value(0.5)
            root = x
            for _ in range(n):
                root = root * (1.0 + 1e-7)
            leaves = [x]
        else:
            leaves = [Value(float(i % 7)) for i in range(n)]
            root = add_n(leaves)
        t1 = time.perf_counter()
        root.backward()
        t2 = time.perf_counter()
        held = tracemalloc.get_traced_memory()[0] - base
        peak = tracemalloc.get_traced_memory()[1] - base
        check = leaves[0].grad
        del root, leaves
        gc.collect()
        t3 = time.perf_counter()
        left = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return {"nodes": n, "build_s": round(t1 - t0, 2), "backward_s": round(t2 - t1, 2),
            "del_s": round(t3 - t2, 2), "held_MB": round(held / MB, 1),
            "peak_MB": round(peak / MB, 1), "left_after_del_bytes": left,
            "grad_of_first_leaf": check, "note": "times include tracemalloc's overhead"}


def _training(steps: int, batch: int) -> dict[str, Any]:
    xs, ys = make_moons(100, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    optimiser = SGD(model.parameters(), lr=0.05)
    samples = []
    start = time.perf_counter()
    for k in range(steps):
        i = (k * batch) % len(xs)
        rows, labels = xs[i:i + batch], ys[i:i + batch]
        loss = mean([hinge(model(r), t) for r, t in zip(rows, labels)])  # type: ignore[arg-type]
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if (k + 1) % 1000 == 0:
            gc.collect()
            samples.append({"step": k + 1, "blocks": sys.getallocatedblocks(),
                            "max_rss_MB": round(resource.getrusage(
                                resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                            "loss": round(loss.data, 4)})
            print(samples[-1], flush=True)
    blocks = [s["blocks"] for s in samples]
    return {"model": "MLP(2, [16, 16, 1])", "steps": steps, "batch": batch,
            "seconds": round(time.perf_counter() - start, 1), "samples": samples,
            "blocks_growth_after_first_1000_steps": blocks[-1] - blocks[0] if blocks else 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    for build in ("chain", "sum"):
        report[build] = _graph_figures(args.nodes, build)
        print(build, report[build], flush=True)
    report["training"] = _training(args.steps, args.batch)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

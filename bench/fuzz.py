"""Differential fuzzing campaigns: ``autograd_lite.testing.differential`` over every tier.

Run a campaign (fixed seed and example budget; results in ``bench/results/fuzz.json``)::

    python bench/fuzz.py                     # 2,000 examples per tier, seed 0
    python bench/fuzz.py --examples 200      # a quick one

``tests/transforms/test_differential.py`` runs a short campaign in the suite.  The checker itself
is in the package (``autograd_lite.testing.differential``), so it can be run against your
own primitives too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from autograd_lite.testing.differential import TIERS, Stats, campaign

RESULTS = Path(__file__).parent / "results" / "fuzz.json"


def summary(stats: Stats, seconds: float) -> dict[str, Any]:
    nodes = sorted(stats.nodes)
    return {
        "examples": stats.examples,
        "graphs_evaluated": len(nodes),
        "forward_domain_errors_all_modes_agree": stats.domain_errors,
        "nonfinite_gradients_caught_by_anomaly_mode": stats.nonfinite_gradients,
        "nodes_max": nodes[-1] if nodes else 0,
        "nodes_median": nodes[len(nodes) // 2] if nodes else 0,
        "graphs_over_500_nodes": sum(1 for k in nodes if k > 500),
        "modes_checked": dict(stats.modes),
        "ops_covered": sorted(stats.ops),
        "failures": len(stats.failures),
        "failure_details": stats.failures[:20],
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000,
                        help="examples per tier (small graphs and large graphs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-ops", type=int, default=500,
                        help="primitives in a large graph, at most (guards come on top)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"seed": args.seed, "command": " ".join(["python", *sys.argv])}
    for tier, (_, max_ops) in TIERS.items():
        max_ops = args.max_ops if tier == "large" else max_ops
        start = time.perf_counter()
        stats = campaign(args.examples, max_ops, args.seed, tier=tier)
        report[tier] = {"max_ops": max_ops, **summary(stats, time.perf_counter() - start)}
        print(f"{tier}: {json.dumps(report[tier], indent=1)}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    failures = sum(report[tier]["failures"] for tier in TIERS)
    print(f"{len(TIERS) * args.examples} examples, {failures} failures; written to {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark autograd_lite against micrograd 0.1.0 and plain Python floats: one command.

    python3 bench/run.py            # full run (about 2-4 minutes)
    python3 bench/run.py --quick    # smaller sizes, a smoke test (about 30 seconds)

Creates (once) ``bench/.venv-micrograd`` (micrograd==0.1.0 from PyPI) and
``bench/.venv-autograd_lite`` (this checkout, editable, plus NumPy for batch replay), runs
each engine in its own process (``bench/workloads.py``), prints a Markdown table and writes
``bench/results/results.json``.  ``--current-python`` skips the venvs and uses this
interpreter for every engine (it must have micrograd installed).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS: dict[str, tuple[str, list[str]]] = {
    # venv name -> (module that proves it is ready, pip install arguments)
    "micrograd": ("micrograd", ["micrograd==0.1.0"]),
    "autograd_lite": ("autograd_lite", ["-e", str(ROOT), "numpy>=1.26"]),
}
# engine -> venv it runs in (``floats`` needs nothing, any interpreter will do)
ENGINE_VENV = {"floats": "autograd_lite", "micrograd": "micrograd",
               "autograd_lite": "autograd_lite", "compiled": "autograd_lite"}


def venv_python(name: str, reinstall: bool) -> str:
    """The interpreter of ``bench/.venv-<name>``, created and filled on first use."""
    module, packages = VENVS[name]
    venv = BENCH / f".venv-{name}"
    python = venv / "bin" / "python"
    ready = python.exists() and subprocess.run(
        [str(python), "-c", f"import {module}"], capture_output=True).returncode == 0
    if reinstall or not ready:
        print(f"setting up {venv.relative_to(ROOT)} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
    return str(python)


def run_engine(engine: str, python: str, quick: bool) -> dict[str, Any]:
    """Run ``workloads.py ENGINE`` in a fresh interpreter and parse its JSON."""
    print(f"running {engine} ...", file=sys.stderr)
    args = [python, str(BENCH / "workloads.py"), engine] + (["--quick"] if quick else [])
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench: engine {engine} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def seconds(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1.0 else f"{s:.2f} s"


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: one line per measurement, speed-up against micrograd's row of the workload."""
    base = {r["workload"]: r["seconds"] for r in rows
            if r["variant"] == "micrograd" and r["status"] == "ok" and "seconds" in r}
    lines = ["| workload | engine | time (median) | vs micrograd | notes |",
             "|---|---|---:|---:|---|"]
    for r in rows:
        if r["workload"] == "memory":
            continue
        if r["status"] != "ok":
            lines.append(f"| {r['workload']} | {r['variant']} | fails | | {r['error']} |")
            continue
        ref = base.get(r["workload"])
        ratio = f"{ref / r['seconds']:.1f}x" if ref and not r.get("one_off") else ""
        notes = []
        if "forward" in r:
            notes.append(f"forward {seconds(r['forward'])}, backward {seconds(r['backward'])}")
        if r.get("gc_seconds"):
            notes.append(f"{r['gc_seconds'] / r['seconds']:.0%} in gc")
        if r.get("note"):
            notes.append(r["note"])
        lines.append(f"| {r['workload']} | {r['variant']} | {seconds(r['seconds'])} | "
                     f"{ratio} | {'; '.join(notes)} |")
    memory = [r for r in rows if r["workload"] == "memory"]
    if memory:
        lines += ["", "| memory: back-propagated sum-of-products graph | bytes per node "
                  "(all) | per leaf | per operation node |", "|---|---:|---:|---:|"]
        lines += [f"| {r['variant']} | {r['bytes_per_node']:.0f} | {r['bytes_per_leaf']:.0f} "
                  f"| {r['bytes_per_op_node']:.0f} |" for r in memory]
    return "\n".join(lines)


def check_same_computation(rows: list[dict[str, Any]]) -> list[str]:
    """Every engine must compute the same numbers, or the comparison means nothing."""
    problems = []
    for key in ("loss", "result"):
        values = [(r["variant"], r[key]) for r in rows if key in r]
        if values:
            ref = values[0][1]
            problems += [f"{v}: {key} {x!r} differs from {ref!r}" for v, x in values
                         if abs(x - ref) > 1e-9 * max(1.0, abs(ref))]
    problems += [f"{r['variant']}: d sum / d a0 = {r['grad_a0']!r}, expected b0 = "
                 f"{r['expected_grad_a0']!r}" for r in rows
                 if "grad_a0" in r and r["grad_a0"] != r["expected_grad_a0"]]
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--current-python", action="store_true",
                        help="run every engine with this interpreter instead of bench venvs")
    parser.add_argument("--reinstall", action="store_true", help="recreate the bench venvs")
    parser.add_argument("--engines", default="floats,micrograd,autograd_lite,compiled",
                        help="comma-separated subset to run")
    args = parser.parse_args()
    engines = args.engines.split(",")
    rows: list[dict[str, Any]] = []
    meta = {}
    for engine in engines:
        python = (sys.executable if args.current_python
                  else venv_python(ENGINE_VENV[engine], args.reinstall))
        result = run_engine(engine, python, args.quick)
        meta[engine] = {"python": result["python"], "gc_enabled": result["gc_enabled"]}
        rows += result["rows"]
    order = ["mlp_step", "sum_of_products"]
    rows.sort(key=lambda r: (order.index(r["workload"]) if r["workload"] in order else 2,
                             r["workload"].startswith("chain") and int(r["workload"][6:])))
    problems = check_same_computation(rows)
    report = table(rows)
    print(report)
    for p in problems:
        print(f"\nWARNING: {p}")
    out = BENCH / "results" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"quick": args.quick, "engines": meta, "rows": rows,
                               "problems": problems, "markdown": report}, indent=1))
    print(f"\n(written to {out.relative_to(ROOT)})", file=sys.stderr)


if __name__ == "__main__":
    main()

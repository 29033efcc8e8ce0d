"""Benchmark autograd_lite against micrograd 0.1.0, PyTorch and plain Python floats.

    python3 bench/run.py            # full run (10-20 minutes on a loaded 2-core machine)
    python3 bench/run.py --quick    # smaller sizes, fewer repeats: a smoke test (~1-2 min)

Creates (once) ``bench/.venv-micrograd`` (micrograd==0.1.0), ``bench/.venv-autograd_lite``
(this checkout, editable, plus NumPy for batch replay and matplotlib for the plot) and, if it
installs, ``bench/.venv-torch`` (torch==2.13.0, CPU); runs each engine in its own process
(``bench/workloads.py``), the engines interleaved round by round; prints the MLP-step table,
the chain-scaling table and the goals of the performance issue with PASS / FAIL; writes
``bench/results/results.json`` and a log-log plot of ns per node against graph size
(``docs/scaling.png``; ``bench/results/scaling.png`` with ``--quick``).
``--current-python`` skips the venvs and uses this interpreter for every engine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from workloads import CHAIN_MEMORY_NODES, CHAIN_NODES, CHAIN_NODES_QUICK, summarise

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS: dict[str, tuple[list[str], list[str]]] = {
    # venv name -> (modules that prove it is ready, pip install arguments)
    "micrograd": (["micrograd"], ["micrograd==0.1.0"]),
    "autograd_lite": (["autograd_lite", "numpy", "matplotlib"],
                      ["-e", str(ROOT), "numpy>=1.26", "matplotlib>=3.8"]),
    # CPU build; a plain ``torch`` could pull a multi-GB CUDA build
    "torch": (["torch", "numpy"], ["torch==2.13.0", "numpy>=1.26"]),
    # the peers of the function transforms (bench/transforms.py)
    "hips": (["autograd", "numpy"], ["autograd==1.9.1", "numpy>=1.26"]),
    "jax": (["jax", "jaxlib"], ["jax==0.10.2", "jaxlib==0.10.2"]),
}
OPTIONAL_VENVS = {"torch", "hips", "jax"}  # if one does not install, its rows say so
# engine -> venv it runs in (``floats`` needs nothing, any interpreter will do)
ENGINE_VENV = {"floats": "autograd_lite", "micrograd": "micrograd", "torch": "torch",
               "autograd_lite": "autograd_lite", "compiled": "autograd_lite",
               "autograd_lite_large_graphs": "autograd_lite"}
ENGINES = ["floats", "micrograd", "torch", "autograd_lite", "compiled"]
CHAIN_ENGINES = ["floats", "micrograd", "torch", "autograd_lite", "autograd_lite_large_graphs"]
# run with the autograd_lite engine when it is selected (same venv: one more chain engine)
CHAIN_COMPANIONS = {"autograd_lite": ["autograd_lite_large_graphs"]}
# the transforms (bench/transforms.py): engine -> venv it runs in
TRANSFORM_VENV = {"floats": "autograd_lite", "autograd_lite": "autograd_lite", "hips": "hips",
                  "torch": "torch", "jax": "jax"}
BASELINE = "autograd_lite (baseline)"
"""The autograd_lite of ``--baseline DIR``, run beside this checkout: the before of a change."""
ROUNDS, ROUNDS_QUICK = 3, 1  # MLP-step rounds: each engine's repeats split over them
CHAIN_RUNS, CHAIN_RUNS_QUICK = 5, 3  # chain: one run per size per round (process)
BIG, BIG_RUNS = 2_000_000, 3  # micrograd and PyTorch: 3 runs at 2e6 nodes (~1 min each)
EAGER = {"mlp_step": "autograd_lite eager", "sum_of_products": "autograd_lite"}
MLP_ORDER = ["micrograd", "PyTorch: batched tensors", "PyTorch: 0-d tensors, one per scalar",
             "autograd_lite eager",
             "autograd_lite compiled: trace + generate + compile (once)",
             "autograd_lite compiled replay", "autograd_lite compiled_loss (python)",
             "autograd_lite compiled_loss (NumPy batch)", "floats: forward only",
             "floats: hand-written forward + backward + SGD"]
TORCH_ROWS = MLP_ORDER[1:3]
GOAL_CHAIN_RATIO, GOAL_BYTES = 1.3, 152.0  # 144 + 8: the data clock's slot (2026-12-07)
GOAL_LOSS_PY, GOAL_LOSS_NUMPY, GOAL_EAGER = 8.0, 30.0, 20.0


def venv_python(name: str, reinstall: bool) -> str | None:
    """The interpreter of ``bench/.venv-<name>``, created and filled on first use (None if
    an optional one does not install)."""
    modules, packages = VENVS[name]
    venv = BENCH / f".venv-{name}"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import " + ", ".join(modules)]
    ready = python.exists() and subprocess.run(check, capture_output=True).returncode == 0
    if reinstall or not ready:
        print(f"setting up {venv.relative_to(ROOT)} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages])
        if done.returncode != 0 or subprocess.run(check, capture_output=True).returncode:
            if name in OPTIONAL_VENVS:
                print(f"{name} did not install: its rows say 'not installed'", file=sys.stderr)
                return None
            raise SystemExit(f"bench: could not install {packages} into {venv}")
    return str(python)


def current_python_has(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"],
                          capture_output=True).returncode == 0


def run_json(args: list[str], what: str, baseline: Path | None = None
             ) -> tuple[dict[str, Any] | None, str]:
    """Run a workloads.py command in a fresh interpreter: (its JSON, or None and why); with
    ``baseline``, importing autograd_lite from that directory (PYTHONPATH comes first)."""
    print(f"running {what} ...", end="", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    env = None if baseline is None else {**os.environ, "PYTHONPATH": str(baseline)}
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env)
    print(f" {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return None, f"{lines[-1][:120]} (exit {done.returncode})"
    result: dict[str, Any] = json.loads(done.stdout)
    return result, ""


# -- the MLP-step / sum-of-products table ---------------------------------------------------
def pool(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge the rows of the same measurement from several rounds: all samples, one median."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["workload"], r["variant"])
        if key in merged and "samples" in r:
            m = merged[key]
            m["samples"] = m["samples"] + r["samples"]
            m["gc_samples"] = m["gc_samples"] + r["gc_samples"]
            m["per_sample_range"] = (min(m["per_sample_range"][0], r.get("per_sample", 1)),
                                     max(m["per_sample_range"][1], r.get("per_sample", 1)))
        elif key not in merged:
            merged[key] = dict(r)
            merged[key]["per_sample_range"] = (r.get("per_sample", 1),) * 2
    for m in merged.values():
        if "samples" in m:
            m.update(seconds=statistics.median(m["samples"]), min=min(m["samples"]),
                     max=max(m["samples"]), gc_seconds=statistics.median(m["gc_samples"]),
                     repeats=len(m["samples"]))
    return list(merged.values())


def seconds(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1.0 else f"{s:.2f} s"


def ratio(ref: float | None, t: float) -> str:
    return f"{ref / t:.1f}x" if ref else ""


def order_key(r: dict[str, Any]) -> tuple[int, int]:
    workloads = ["mlp_step", "sum_of_products"]
    w = workloads.index(r["workload"]) if r["workload"] in workloads else 2
    v = MLP_ORDER.index(r["variant"]) if r["variant"] in MLP_ORDER else len(MLP_ORDER)
    return w, v


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: one line per measurement, speed-ups against micrograd and against eager."""
    def base(variant: dict[str, str] | str) -> dict[str, float]:
        return {r["workload"]: r["seconds"] for r in rows if r["status"] == "ok"
                and "seconds" in r and r["variant"] == (
                    variant if isinstance(variant, str) else variant.get(r["workload"]))}
    micrograd, eager = base("micrograd"), base(EAGER)
    lines = ["| workload | engine | time (median) | vs micrograd | vs eager | notes |",
             "|---|---|---:|---:|---:|---|"]
    for r in sorted((r for r in rows if r["workload"] != "memory"), key=order_key):
        if r["status"] == "not installed":
            lines.append(f"| {r['workload']} | {r['variant']} | not installed | | | "
                         f"{r.get('error', '')} |")
            continue
        if r["status"] != "ok":
            lines.append(f"| {r['workload']} | {r['variant']} | fails | | | {r['error']} |")
            continue
        one_off = r.get("one_off")
        t = r["seconds"]
        notes = []
        if "forward" in r:
            notes.append(f"forward {seconds(r['forward'])}, backward {seconds(r['backward'])}")
        if r.get("gc_seconds"):
            notes.append(f"{r['gc_seconds'] / t:.0%} in gc")
        if r.get("note"):
            notes.append(r["note"])
        if "repeats" in r and not one_off:
            low, high = r["per_sample_range"]  # set by pool() for every row
            steps = "" if high == 1 else (f" x {low} steps" if low == high else
                                          f" x {low}-{high} steps")
            notes.append(f"n={r['repeats']}{steps}")
        lines.append(
            f"| {r['workload']} | {r['variant']} | {seconds(t)} | "
            f"{'' if one_off else ratio(micrograd.get(r['workload']), t)} | "
            f"{'' if one_off else ratio(eager.get(r['workload']), t)} | {'; '.join(notes)} |")
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


# -- chain scaling --------------------------------------------------------------------------
def merge_chain(reports: list[dict[str, Any]], errors: list[str]) -> dict[str, Any]:
    """One engine's chain rounds: runs pooled per size, medians recomputed."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for rep in reports:
        for n, rs in rep["runs"].items():
            runs.setdefault(n, []).extend(rs)
    first = reports[0] if reports else {}
    failures: dict[str, str] = {}
    for rep in reports:
        failures.update(rep["failures"])
    return {"note": first.get("note", ""), "runs": runs,
            "sizes": {n: summarise(rs) for n, rs in runs.items()},
            "failures": failures, "errors": errors,
            "memory": next((r["memory"] for r in reports if r.get("memory")), None),
            "default_limit": first.get("default_limit"),
            "gc_settings_unchanged": all(r["gc_settings_unchanged"] for r in reports),
            "gc_settings": first.get("gc_before")}


def run_chain(pythons: dict[str, str | None], quick: bool) -> dict[str, Any]:
    """Every chain engine, round by round (one process per engine and round)."""
    nodes = list(CHAIN_NODES_QUICK if quick else CHAIN_NODES)
    rounds = CHAIN_RUNS_QUICK if quick else CHAIN_RUNS
    reports: dict[str, list[dict[str, Any]]] = {e: [] for e in pythons}
    errors: dict[str, list[str]] = {e: [] for e in pythons}
    sizes = {e: list(nodes) for e in pythons}
    for k in range(rounds):
        for engine, python in pythons.items():
            if python is None or not sizes[engine]:
                continue
            todo = [n for n in sizes[engine] if n < BIG or k < BIG_RUNS
                    or engine.startswith(("floats", "autograd_lite"))]
            args = [python, str(BENCH / "workloads.py"), "chain", engine,
                    "--nodes", ",".join(map(str, todo))]
            if k == 0:
                args += ["--memory", str(CHAIN_MEMORY_NODES), "--probe"]
            result, error = run_json(args, f"chain {engine} (round {k + 1}/{rounds}, "
                                     f"{max(todo):.0e} nodes)")
            if result is None:  # a crash (memory?): drop the largest size from now on
                errors[engine].append(f"{max(todo):,} nodes: {error}")
                sizes[engine] = [n for n in sizes[engine] if n < max(todo)]
                continue
            reports[engine].append(result)
    return {e: merge_chain(reports[e], errors[e]) if python else None
            for e, python in pythons.items()}


def short(n: int) -> str:
    """2000 -> 2e3."""
    exponent = len(str(n)) - 1
    mantissa = n / 10**exponent
    return f"{mantissa:g}e{exponent}"


def chain_table(chain: dict[str, Any], nodes: list[int]) -> str:
    """ns per node (median) at each size, forward and backward, and the growth ratio."""
    big = max(nodes)
    head = " | ".join(short(n) for n in nodes)
    lines = ["| chain y = y * a + b: ns per node | pass | " + head
             + f" | {short(big)} / 2e4 | GC share at {short(big)} | runs | notes |",
             "|---|---|" + "---:|" * (len(nodes) + 3) + "---|"]
    for engine, rep in chain.items():
        if rep is None:
            lines.append(f"| {engine} | | not installed |" + " |" * (len(nodes) + 3))
            continue
        passes = ["forward", "backward"] if engine != "floats" else ["forward"]
        for p in passes:
            cells = []
            for n in nodes:
                s = rep["sizes"].get(str(n), {})
                cells.append(f"{s[p + '_ns']:,.0f}" if p + "_ns" in s
                             else "fails" if str(n) in rep["failures"]
                             else "crashed" if any(e.startswith(f"{n:,} ") for e in
                                                   rep["errors"]) else "")
            ratio_cell = chain_ratio(rep, p, big)
            top = rep["sizes"].get(str(big), {})
            share = top.get(p + "_gc_share")
            runs = "/".join(str(rep["sizes"].get(str(n), {}).get("runs", 0)) for n in nodes)
            notes = rep["note"] if p == "forward" else ""
            if p == "forward" and rep.get("default_limit"):
                notes += f"; {rep['default_limit']}"
            if p == "forward" and rep["errors"]:
                notes += "; crashed: " + ", ".join(rep["errors"])
            lines.append(f"| {engine} | {p} | {' | '.join(cells)} | "
                         f"{'' if ratio_cell is None else f'{ratio_cell:.2f}x'} | "
                         f"{'' if share is None else f'{share:.0%}'} | {runs} | {notes} |")
    mem = [(e, r["memory"]) for e, r in chain.items() if r and r.get("memory")]
    if mem:
        lines += ["", f"| chain memory at {short(CHAIN_MEMORY_NODES)} nodes (tracemalloc) | "
                  "bytes per node, forward graph | after backward (with .grad) | "
                  "mid-chain .grad kept |", "|---|---:|---:|---|"]
        lines += [f"| {e} | {m['forward_bytes_per_node']:.0f} | "
                  f"{m['backward_bytes_per_node']:.0f} | "
                  f"{'yes' if m['mid_grad_kept'] else 'NO'} |" for e, m in mem]
        if chain.get("torch"):
            lines.append("| torch | n/a | n/a | (C++ allocations: tracemalloc cannot see "
                         "them) |")
    return "\n".join(lines)


def chain_ratio(rep: dict[str, Any] | None, p: str, big: int) -> float | None:
    """ns per node at ``big`` over ns per node at 2e4 (the goal-1 ratio)."""
    if rep is None:
        return None
    hi = rep["sizes"].get(str(big), {}).get(p + "_ns")
    lo = rep["sizes"].get("20000", {}).get(p + "_ns")
    return hi / lo if hi and lo else None


def check_chain(chain: dict[str, Any]) -> list[str]:
    """Same output value at each size for every engine; d y / d x = a**N for each run."""
    problems = []
    ref: dict[str, float] = {}
    for engine, rep in chain.items():
        for n, runs in (rep or {}).get("runs", {}).items():
            for r in runs:
                ref.setdefault(n, r["value"])
                if abs(r["value"] - ref[n]) > 1e-9 * abs(ref[n]):
                    problems.append(f"chain {engine} {n}: value {r['value']!r} != {ref[n]!r}")
                if r.get("grad_ok") is False:
                    problems.append(f"chain {engine} {n}: d y / d x is not a**N")
    return sorted(set(problems))


# -- the goals of the performance issue -----------------------------------------------------
def goals(rows: list[dict[str, Any]], chain: dict[str, Any] | None, nodes: list[int],
          plot: Path | None, quick: bool) -> tuple[str, list[dict[str, Any]]]:
    """Each goal: the measured ratio and PASS / FAIL (or n/a when not measured)."""
    t = {r["variant"]: r["seconds"] for r in rows
         if r["workload"] == "mlp_step" and r["status"] == "ok" and not r.get("one_off")}
    out: list[dict[str, Any]] = []

    def goal(number: int, text: str, measured: str, ok: bool | None) -> None:
        verdict = "n/a" if ok is None else "PASS" if ok else "FAIL"
        out.append({"goal": number, "text": text, "measured": measured, "verdict": verdict})

    lite = (chain or {}).get("autograd_lite")
    large = (chain or {}).get("autograd_lite_large_graphs")
    big = max(nodes)
    where = f"{short(big)} / 2e4" + (" (--quick: the goal is 2e6 / 2e4)" if big != BIG else "")
    plain = (chain_ratio(lite, "forward", big), chain_ratio(lite, "backward", big))
    fwd, bwd = chain_ratio(large, "forward", big), chain_ratio(large, "backward", big)
    if large and lite and fwd and bwd and all(plain):
        untouched = large["gc_settings_unchanged"] and lite["gc_settings_unchanged"]
        gc_on = large["gc_settings"]
        goal(1, f"chain per-node cost {where} <= {GOAL_CHAIN_RATIO}x, forward and backward, "
             "GC on, GC settings untouched",
             f"in large_graphs(): forward {fwd:.2f}x, backward {bwd:.2f}x (by default: "
             f"forward {plain[0]:.2f}x, backward {plain[1]:.2f}x); GC settings (on: "
             f"{gc_on['enabled']}, thresholds {tuple(gc_on['threshold'])}) "
             f"{'unchanged' if untouched else 'CHANGED'}",
             None if big != BIG and untouched  # not the goal's size: no verdict
             else max(fwd, bwd) <= GOAL_CHAIN_RATIO and untouched)
    else:
        goal(1, "chain per-node cost 2e6 / 2e4 <= 1.3x", "not measured", None)
    mem = (lite or {}).get("memory")
    if mem:
        goal(2, f"chain memory <= {GOAL_BYTES:.0f} B/node at {short(CHAIN_MEMORY_NODES)} "
             "nodes (tracemalloc), per-node .grad kept",
             f"{mem['forward_bytes_per_node']:.0f} B/node forward graph, "
             f"{mem['backward_bytes_per_node']:.0f} after backward; mid-chain .grad "
             f"{'kept' if mem['mid_grad_kept'] else 'LOST'}",
             # whole bytes, as shown: the measurement's own few hundred bytes, spread over
             # the nodes (152.03 at 2e4 nodes), are not a node's
             round(mem["backward_bytes_per_node"]) <= GOAL_BYTES and mem["mid_grad_kept"])
    else:
        goal(2, f"chain memory <= {GOAL_BYTES:.0f} B/node", "not measured", None)
    eager = t.get("autograd_lite eager")
    py, npy = t.get("autograd_lite compiled_loss (python)"), t.get(
        "autograd_lite compiled_loss (NumPy batch)")
    if eager and py and npy:
        goal(3, f"compiled_loss python >= {GOAL_LOSS_PY:g}x eager step; NumPy batch >= "
             f"{GOAL_LOSS_NUMPY:g}x eager", f"python {eager / py:.1f}x, NumPy {eager / npy:.1f}x",
             eager / py >= GOAL_LOSS_PY and eager / npy >= GOAL_LOSS_NUMPY)
    else:
        goal(3, "compiled_loss python >= 8x eager; NumPy batch >= 30x", "not measured", None)
    micrograd = t.get("micrograd")
    if eager and micrograd:
        goal(4, f"eager MLP(2, [16, 16, 1]) step >= {GOAL_EAGER:g}x micrograd 0.1.0",
             f"{micrograd / eager:.1f}x", micrograd / eager >= GOAL_EAGER)
    else:
        goal(4, "eager MLP step >= 20x micrograd", "not measured", None)
    present = {r["variant"] for r in rows if r["workload"] == "mlp_step"}
    missing = [v for v in MLP_ORDER if v not in present]
    chain_missing = [e for e in CHAIN_ENGINES if chain is not None and e not in chain]
    goal(5, "one command: table micrograd / PyTorch / eager / compiled / batch / float floor "
         "with ratios, and a log-log plot of ns per node against graph size",
         (f"all {len(MLP_ORDER)} MLP rows" if not missing else f"missing rows {missing}")
         + (f", chain engines {sorted(chain or {})}" if not chain_missing else
            f", chain missing {chain_missing}")
         + (f"; plot {shown(plot)}" if plot else "; NO plot"),
         None if not rows and chain is None  # neither part run (--parts transforms)
         else not missing and not chain_missing and plot is not None)
    lines = ["| goal | target | measured (this run) | verdict |", "|---|---|---|---|"]
    lines += [f"| {g['goal']} | {g['text']} | {g['measured']} | {g['verdict']} |" for g in out]
    if quick:
        lines.append("\n(--quick: smaller sizes and fewer repeats; a smoke test, not the goals)")
    return "\n".join(lines), out


# -- the function transforms (issue 25) ------------------------------------------------------
GOAL_GRAD_RATIO, GOAL_N50_VS_TORCH, GOAL_VS_JAX = 1.2, 2.0, 10.0
NON_COMPILING = {  # goal 3's peers: (engine, variant) of each workload
    "gradient": (("hips", "HIPS autograd: grad"), ("torch", "torch.func.grad"),
                 ("torch", "PyTorch tensors: backward")),
    "hessian": (("hips", "HIPS autograd: hessian"), ("torch", "torch.func.hessian"),
                ("torch", "PyTorch: autograd.functional.hessian"))}
REFERENCE = {"gradient": "func.grad", "hessian": "func.hessian",
             "jacobian": "func.jacobian(func.grad)"}
"""autograd_lite's row of each transform workload, the one the others are compared with."""


def run_transforms(pythons: dict[str, str | None], baseline: Path | None,
                   quick: bool) -> list[dict[str, Any]]:
    """bench/transforms.py for every engine (and the baseline), round by round; the samples
    of a variant pooled over the rounds."""
    rounds = ROUNDS_QUICK if quick else ROUNDS
    runs: list[tuple[str, str, str | None, Path | None]] = [
        (engine, engine, python, None) for engine, python in pythons.items()]
    if baseline is not None:
        runs.append((BASELINE, "autograd_lite", pythons.get("autograd_lite"), baseline))
    rows: list[dict[str, Any]] = [{"workload": "all", "engine": label, "status": "not installed"}
                                  for label, _, python, _ in runs if python is None]
    for k in range(rounds):
        for label, engine, python, path in runs:
            if python is None:
                continue
            cmd = [python, str(BENCH / "transforms.py"), engine, "--round", str(k),
                   "--rounds", str(rounds)] + (["--quick"] if quick else [])
            result, error = run_json(cmd, f"transforms {label} (round {k + 1}/{rounds})", path)
            if result is None:
                rows.append({"workload": "all", "engine": label, "status": "fails",
                             "error": error})
                continue
            rows += [{**r, "engine": label} for r in result["rows"]]
    pooled: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = (r["workload"], r.get("function"), r.get("n"), r["engine"], r.get("variant"))
        if key in pooled and "samples" in r:
            pooled[key]["samples"] = pooled[key]["samples"] + r["samples"]
        elif key not in pooled:
            pooled[key] = dict(r)
    for r in pooled.values():
        if "samples" in r:
            r["seconds"] = statistics.median(r["samples"])
    return list(pooled.values())


def transform_time(rows: list[dict[str, Any]], workload: str, function: str, n: int,
                   variant: str, engine: str = "autograd_lite") -> float | None:
    """The median seconds of one transform row, or None if it was not measured."""
    for r in rows:
        if (r["workload"], r.get("function"), r.get("n"), r["engine"], r.get("variant")) == (
                workload, function, n, engine, variant) and r["status"] == "ok":
            return float(r["seconds"])
    return None


def paired_ratio(rows: list[dict[str, Any]], function: str, n: int, variant: str,
                 reference: str) -> float | None:
    """The median of ``variant``'s gradient samples each over the ``reference`` sample of the
    same turn (the variants are sampled in turn, round by round; the reference first): a slow
    second on the machine slows both of a pair, where a ratio of the two medians can take a
    slow sample of one against a fast one of the other.  None if either was not measured."""
    found = {}
    for r in rows:
        if ((r["workload"], r.get("function"), r.get("n"), r["engine"]) ==
                ("gradient", function, n, "autograd_lite") and r["status"] == "ok"
                and r.get("variant") in (variant, reference)):
            found[r["variant"]] = r["samples"]
    if len(found) < 2:
        return None
    return statistics.median(t / before for t, before in
                             zip(found[variant], found[reference], strict=True))


def transforms_table(rows: list[dict[str, Any]]) -> str:
    """Markdown: each transform workload and size, every engine's variants, and the ratio of
    each time to autograd_lite's (``func.grad``, ``func.hessian``, ``func.jacobian``)."""
    lines = ["| transform | function | n | engine: variant | time (median) | "
             "/ autograd_lite's | notes |", "|---|---|---:|---|---:|---:|---|"]
    measured = [r for r in rows if r["status"] == "ok"]
    order = ["gradient", "hessian", "jacobian"]
    engines = ["autograd_lite", BASELINE, "floats", "hips", "torch", "jax"]
    measured.sort(key=lambda r: (order.index(r["workload"]), r["function"], r["n"],
                                 engines.index(r["engine"]) if r["engine"] in engines else 9))
    for r in measured:
        ours = transform_time(rows, r["workload"], r["function"], r["n"],
                              REFERENCE[r["workload"]])
        note = f"n={len(r['samples'])}" + ("; " + r["note"] if r["engine"] == BASELINE else "")
        t = r["seconds"]
        shown_time = seconds(t) if t >= 1e-3 else f"{t * 1e6:.1f} µs"
        versus = "" if ours is None else f"{t / ours:.2f}x"
        lines.append(f"| {r['workload']} | {r['function']} | {r['n']} | {r['engine']}: "
                     f"{r['variant']} | {shown_time} | {versus} | {note} |")
    lines += [f"| (all) | | | {r['engine']} | {r['status']} | | {r.get('error', '')} |"
              for r in rows if r["status"] != "ok"]
    return "\n".join(lines)


def check_transforms(rows: list[dict[str, Any]]) -> list[str]:
    """Every engine must compute the same derivatives: the sums of their entries agree."""
    problems = []
    ref: dict[tuple[Any, ...], float] = {}
    for r in rows:
        if r["status"] != "ok":
            continue
        key = ("matrix" if r["workload"] != "gradient" else "gradient", r["function"], r["n"])
        ref.setdefault(key, r["checksum"])
        if abs(r["checksum"] - ref[key]) > 1e-9 * max(1.0, abs(ref[key])):
            problems.append(f"{r['workload']} {r['function']} n={r['n']} {r['engine']} "
                            f"{r['variant']}: sum {r['checksum']!r} != {ref[key]!r}")
    return problems


def transform_goals(rows: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Issue 25's goals 1, 2 and 3, each ratio from this run, PASS / FAIL (n/a: not
    measured)."""
    out: list[dict[str, Any]] = []

    def goal(name: str, text: str, measured: str, ok: bool | None) -> None:
        verdict = "n/a" if ok is None else "PASS" if ok else "FAIL"
        out.append({"goal": name, "text": text, "measured": measured, "verdict": verdict})

    sizes = sorted({(r["function"], r["n"]) for r in rows
                    if r["status"] == "ok" and r["workload"] == "gradient"
                    and r["engine"] == "autograd_lite"})
    for variant in ("func.grad", "func.vjp"):
        ratios = []
        for function, n in sizes:
            q = paired_ratio(rows, function, n, variant, "backward by hand")
            if q is not None:
                ratios.append((q, f"{function} {n}"))
        goal(f"T1 {variant}", f"{variant} within {GOAL_GRAD_RATIO}x of recording f and "
             "calling backward by hand, every n (median of the ratios of samples taken in the "
             "same turn)", ", ".join(f"{w}: {q:.2f}x" for q, w in ratios)
             or "not measured",
             max(q for q, _ in ratios) <= GOAL_GRAD_RATIO if ratios else None)
    peers = {"hessian": (("hips", "HIPS autograd: hessian"), ("torch", "torch.func.hessian")),
             "jacobian": (("hips", "HIPS autograd: jacobian(grad)"),
                          ("torch", "torch.func.jacrev(grad)"))}
    for workload, against in peers.items():
        cells, oks = [], []
        for function in ("rosenbrock", "quadratic"):
            ours = transform_time(rows, workload, function, 10, REFERENCE[workload])
            for engine, variant in against:
                theirs = transform_time(rows, workload, function, 10, variant, engine)
                if ours and theirs:
                    cells.append(f"{function} vs {engine} {theirs / ours:.2f}x")
                    oks.append(ours < theirs)
        goal(f"T2 {workload} n=10", f"{REFERENCE[workload]} faster than HIPS autograd and "
             "torch.func at n = 10 (their time / ours > 1)", ", ".join(cells) or
             "not measured", all(oks) if oks else None)
    def hessian_at_50(ours_variant: str, engine: str, theirs_variant: str,
                      limit: float) -> tuple[list[str], list[bool]]:
        """Our Hessian's time over a peer's at n = 50, each function; within ``limit``?"""
        cells, oks = [], []
        for function in ("rosenbrock", "quadratic"):
            ours = transform_time(rows, "hessian", function, 50, ours_variant)
            theirs = transform_time(rows, "hessian", function, 50, theirs_variant, engine)
            if ours and theirs:
                cells.append(f"{function} {ours / theirs:.2f}x")
                oks.append(ours <= limit * theirs)
        return cells, oks

    cells, oks = hessian_at_50("func.hessian", "torch", "torch.func.hessian", GOAL_N50_VS_TORCH)
    goal("T2 hessian n=50", f"func.hessian within {GOAL_N50_VS_TORCH:g}x of torch.func.hessian "
         "at n = 50 (ours / theirs)", ", ".join(cells) or "not measured",
         all(oks) if oks else None)
    cells, oks = [], []
    for function in ("rosenbrock", "quadratic"):
        h10, h50 = (transform_time(rows, "hessian", function, n, "func.hessian")
                    for n in (10, 50))
        g10, g50 = (transform_time(rows, "gradient", function, n, "func.grad") for n in (10, 50))
        if h10 and h50 and g10 and g50:
            bound = 5.0 * g50 / g10
            cells.append(f"{function}: hessian x{h50 / h10:.1f}, 5 x gradient x{bound:.1f}")
            oks.append(h50 / h10 <= bound)
    goal("T2 growth", "func.hessian grows no faster than n x (one gradient), n = 10 -> 50",
         ", ".join(cells) or "not measured", all(oks) if oks else None)
    for workload, variant in (("gradient", "compiled_transform(func.grad, backend=numpy)"),
                              ("hessian", "compiled_transform(func.hessian)")):
        for function in ("rosenbrock", "quadratic"):
            cells, oks = [], []
            for n in (50, 200):
                ours = transform_time(rows, workload, function, n, variant)
                for engine, theirs_variant in NON_COMPILING[workload]:
                    theirs = transform_time(rows, workload, function, n, theirs_variant, engine)
                    if ours and theirs:
                        cells.append(f"n={n} {theirs_variant} {theirs / ours:.2f}x")
                        oks.append(ours < theirs)
            goal(f"T3 {variant} {function}", f"{variant} faster than every non-compiling peer "
                 "(HIPS, torch.func, PyTorch tensors) at n = 50 and 200 (their time / ours > 1)",
                 ", ".join(cells) or "not measured", all(oks) if oks else None)
    cells, oks = hessian_at_50("compiled_transform(func.hessian)", "jax", "jax.jit(jax.hessian)",
                               GOAL_VS_JAX)
    goal("T3 vs jax.jit n=50", f"compiled_transform(func.hessian) within {GOAL_VS_JAX:g}x of "
         "jax.jit(jax.hessian) at n = 50 (ours / theirs)", ", ".join(cells) or "not measured",
         all(oks) if oks else None)
    lines = ["| goal (issue 25) | target | measured (this run) | verdict |", "|---|---|---|---|"]
    lines += [f"| {g['goal']} | {g['text']} | {g['measured']} | {g['verdict']} |" for g in out]
    return "\n".join(lines), out


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the checkout where it is inside it."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def make_plot(python: str | None, results: Path, out: Path) -> Path | None:
    """bench/plot.py in an interpreter that has matplotlib (the bench venv)."""
    if python is None:
        return None
    done = subprocess.run([python, str(BENCH / "plot.py"), str(results), str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
        return None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--current-python", action="store_true",
                        help="run every engine with this interpreter instead of bench venvs")
    parser.add_argument("--reinstall", action="store_true", help="recreate the bench venvs")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated subset to run")
    parser.add_argument("--parts", default="table,chain,transforms",
                        help="table (MLP step, sum of products), chain (scaling), transforms "
                             "(func.grad, hessian, jacobian against HIPS autograd, torch.func, "
                             "JAX): a comma-separated subset")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout of autograd_lite (e.g. `git archive` of an older "
                             "commit) run beside this one in the table and transforms parts: "
                             "rows marked [baseline] / 'autograd_lite (baseline)'")
    parser.add_argument("--plot", type=Path, default=None,
                        help="where the PNG goes (default docs/scaling.png; with --quick "
                             "bench/results/scaling.png)")
    args = parser.parse_args()
    started = time.perf_counter()
    engines = [e for e in args.engines.split(",") if e]
    parts = set(args.parts.split(","))
    pythons: dict[str, str | None] = {}
    for engine in engines:
        if args.current_python:
            need = "torch" if engine == "torch" else None
            pythons[engine] = (sys.executable if need is None or current_python_has(need)
                               else None)
        else:
            pythons[engine] = venv_python(ENGINE_VENV[engine], args.reinstall)
    rows: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    if "table" in parts:
        rounds = ROUNDS_QUICK if args.quick else ROUNDS
        for k in range(rounds):
            for engine in engines:
                python = pythons[engine]
                if python is None:
                    if k == 0:
                        rows += [{"workload": "mlp_step", "variant": v,
                                  "status": "not installed",
                                  "error": "torch==2.13.0 is not installed"}
                                 for v in TORCH_ROWS]
                    continue
                cmd = [python, str(BENCH / "workloads.py"), engine, "--round", str(k),
                       "--rounds", str(rounds)] + (["--quick"] if args.quick else [])
                result, error = run_json(cmd, f"{engine} (round {k + 1}/{rounds})")
                if result is None:
                    raise SystemExit(f"bench: engine {engine} failed: {error}")
                meta[engine] = {"python": result["python"], "gc_enabled": result["gc_enabled"]}
                rows += result["rows"]
                if args.baseline and engine in ("autograd_lite", "compiled"):
                    result, error = run_json(cmd, f"{engine} from {args.baseline} (round "
                                             f"{k + 1}/{rounds})", args.baseline)
                    if result is None:
                        raise SystemExit(f"bench: baseline {engine} failed: {error}")
                    rows += [{**r, "variant": r["variant"] + " [baseline]"}
                             for r in result["rows"]]
        rows = pool(rows)
        rows.sort(key=order_key)
    chain = None
    nodes = list(CHAIN_NODES_QUICK if args.quick else CHAIN_NODES)
    if "chain" in parts:
        chain_pythons = {e: pythons[e] for e in CHAIN_ENGINES if e in pythons}
        for engine, companions in CHAIN_COMPANIONS.items():
            if engine in pythons:
                chain_pythons.update(dict.fromkeys(companions, pythons[engine]))
        chain = run_chain(chain_pythons, args.quick)
    transform_rows: list[dict[str, Any]] = []
    if "transforms" in parts:
        transform_pythons = {}
        for engine, venv in TRANSFORM_VENV.items():
            if args.current_python:
                module = {"hips": "autograd", "torch": "torch", "jax": "jax"}.get(engine)
                transform_pythons[engine] = (sys.executable if module is None
                                             or current_python_has(module) else None)
            else:
                transform_pythons[engine] = venv_python(venv, args.reinstall)
        transform_rows = run_transforms(transform_pythons, args.baseline, args.quick)
    problems = check_same_computation(rows) + (check_chain(chain) if chain else [])
    problems += check_transforms(transform_rows)
    out = BENCH / "results" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"quick": args.quick, "engines": meta, "rows": rows,
                               "chain": chain, "chain_nodes": nodes,
                               "transforms": transform_rows}, indent=1))
    plot_path = args.plot or (BENCH / "results" / "scaling.png" if args.quick
                              else ROOT / "docs" / "scaling.png")
    plot = make_plot(sys.executable if args.current_python else pythons.get("autograd_lite")
                     or venv_python("autograd_lite", False), out, plot_path) if (
                         chain or transform_rows) else None
    report = []
    if rows:
        report.append(table(rows))
    if chain:
        report.append(chain_table(chain, nodes))
    goal_text, goal_list = goals(rows, chain, nodes, plot, args.quick)
    report.append(goal_text)
    if transform_rows:
        report.append(transforms_table(transform_rows))
        transform_text, transform_list = transform_goals(transform_rows)
        report.append(transform_text)
        goal_list += transform_list
    markdown = "\n\n".join(report)
    print(markdown)
    for p in problems:
        print(f"\nWARNING: {p}")
    out.write_text(json.dumps({"quick": args.quick, "engines": meta, "rows": rows,
                               "chain": chain, "chain_nodes": nodes,
                               "transforms": transform_rows, "goals": goal_list,
                               "problems": problems, "plot": str(plot) if plot else None,
                               "markdown": markdown,
                               "wall_seconds": time.perf_counter() - started}, indent=1))
    print(f"\n(written to {out.relative_to(ROOT)}"
          + (f" and {shown(plot)}" if plot else "") + "; "
          f"{time.perf_counter() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()

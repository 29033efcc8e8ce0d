"""The function-transform workloads of ``bench/`` (issue 25) at tiny sizes, in this process:
autograd_lite's variants and the hand-written floats compute the same derivatives, the
runner's check catches one that does not, and its table and goals read the rows as meant.
No timing is asserted (``bench/run.py`` times them; the peers are not installed here).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> Iterator[tuple[ModuleType, ModuleType]]:
    """``bench/transforms.py`` and ``bench/run.py`` (not a package: by path)."""
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("transforms"), importlib.import_module("run")
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture
def tiny(bench: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """transforms.py at tiny sizes, one sample of a few calls each."""
    transforms, _ = bench
    monkeypatch.setattr(transforms, "GRADIENT_SIZES_QUICK", {"rosenbrock": (2, 4),
                                                              "quadratic": (3,)})
    monkeypatch.setattr(transforms, "MATRIX_SIZES_QUICK", {"rosenbrock": (3,),
                                                            "quadratic": (3,)})
    monkeypatch.setattr(transforms, "SAMPLE_SECONDS", 1e-4)
    return transforms


def quick(transforms: ModuleType) -> Any:
    return transforms.Plan(quick=True, index=0, rounds=3)


def test_every_autograd_lite_variant_agrees_with_hand_written_derivatives(tiny: ModuleType
                                                                         ) -> None:
    rows = tiny.run_autograd_lite(quick(tiny)) + tiny.run_floats(quick(tiny))
    variants = {(r["workload"], r["function"], r["n"], r["variant"]) for r in rows}
    assert ("gradient", "rosenbrock", 4, "func.vjp") in variants
    assert ("hessian", "quadratic", 3, "func.hessian") in variants
    assert ("jacobian", "rosenbrock", 3, "func.jacobian(func.grad)") in variants
    floor = {(r["workload"], r["function"], r["n"]): r["checksum"] for r in rows
             if r["engine"] == "floats"}
    for r in rows:
        assert r["status"] == "ok" and r["seconds"] > 0.0 and len(r["samples"]) == 1
        workload = "hessian" if r["workload"] == "jacobian" else r["workload"]
        assert r["checksum"] == pytest.approx(floor[workload, r["function"], r["n"]],
                                              rel=1e-12, abs=1e-12)


def test_the_runner_reports_a_transform_that_computes_something_else(
        tiny: ModuleType, bench: tuple[ModuleType, ModuleType]) -> None:
    _, run = bench
    rows = tiny.run_autograd_lite(quick(tiny))
    assert run.check_transforms(rows) == []
    rows[1] = {**rows[1], "checksum": rows[1]["checksum"] + 1e-6}
    problems = run.check_transforms(rows)
    assert len(problems) == 1 and rows[1]["variant"] in problems[0]


def row(workload: str, function: str, n: int, engine: str, variant: str,
        seconds: float) -> dict[str, Any]:
    return {"workload": workload, "function": function, "n": n, "engine": engine,
            "variant": variant, "status": "ok", "seconds": seconds, "samples": [seconds],
            "checksum": 0.0, "note": ""}


def test_goals_read_the_ratios_of_one_run(bench: tuple[ModuleType, ModuleType]) -> None:
    _, run = bench
    rows = []
    for function in ("rosenbrock", "quadratic"):
        for n, t in ((10, 1.0), (50, 5.0)):
            rows += [row("gradient", function, n, "autograd_lite", "backward by hand", t),
                     row("gradient", function, n, "autograd_lite", "func.grad", 1.1 * t),
                     row("gradient", function, n, "autograd_lite", "func.vjp", 1.3 * t),
                     row("hessian", function, n, "autograd_lite", "func.hessian", 4.0 * t),
                     row("hessian", function, n, "torch", "torch.func.hessian", 3.0 * t),
                     row("hessian", function, n, "hips", "HIPS autograd: hessian", 9.0 * t)]
    text, goals = run.transform_goals(rows)
    verdicts = {g["goal"]: g["verdict"] for g in goals}
    assert verdicts["T1 func.grad"] == "PASS"  # 1.1x
    assert verdicts["T1 func.vjp"] == "FAIL"  # 1.3x
    assert verdicts["T2 hessian n=10"] == "FAIL"  # torch.func 3 < ours 4
    assert verdicts["T2 hessian n=50"] == "PASS"  # 4 / 3 <= 2
    assert verdicts["T2 growth"] == "PASS"  # x5 for 5 x x5 allowed
    assert verdicts["T2 jacobian n=10"] == "n/a"  # not measured
    assert "| T1 func.vjp |" in text
    absent = {"workload": "all", "engine": "jax", "status": "not installed"}
    table = run.transforms_table([*rows, absent])
    assert "| hessian | quadratic | 50 | torch: torch.func.hessian | 15.00 s | 0.75x |" in table
    assert "| (all) | | | jax | not installed |" in table


def test_goal_t1_pairs_each_sample_with_the_one_taken_just_before(
        bench: tuple[ModuleType, ModuleType]) -> None:
    _, run = bench
    by_hand = {**row("gradient", "rosenbrock", 10, "autograd_lite", "backward by hand", 1.0),
               "samples": [1.0, 2.0, 1.0]}  # the machine slow during the second pair
    grad = {**row("gradient", "rosenbrock", 10, "autograd_lite", "func.grad", 1.6),
            "samples": [1.1, 2.2, 1.6]}  # its medians' ratio: 1.6 / 1.0
    _, goals = run.transform_goals([by_hand, grad])
    t1 = next(g for g in goals if g["goal"] == "T1 func.grad")
    assert (t1["measured"], t1["verdict"]) == ("rosenbrock 10: 1.10x", "PASS")
    grad["samples"] = [1.1, 2.6, 1.3]  # pairs 1.1, 1.3, 1.3
    _, goals = run.transform_goals([by_hand, grad])
    t1 = next(g for g in goals if g["goal"] == "T1 func.grad")
    assert (t1["measured"], t1["verdict"]) == ("rosenbrock 10: 1.30x", "FAIL")

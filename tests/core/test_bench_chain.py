"""The chain-scaling workload of ``bench/`` at tiny sizes, in this process: its report's
structure, its checks (d y / d x = a**N, a mid-chain ``.grad`` kept), the assertion that an
engine left the user's GC settings alone, and the tables and goals ``bench/run.py`` prints
from it; and how a step is sampled.  No timing is asserted: the numbers on a shared machine
are noise at these sizes.
"""

from __future__ import annotations

import gc
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
    """``bench/workloads.py`` and ``bench/run.py`` (not a package: by path)."""
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("workloads"), importlib.import_module("run")
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(autouse=True)
def gc_restored() -> Iterator[None]:
    """Whatever a probe does to the GC, the next test gets the settings back."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    (gc.enable if enabled else gc.disable)()


NODES = (20, 200)


def test_autograd_lite_chain_report(bench: tuple[ModuleType, ModuleType]) -> None:
    workloads, _ = bench
    engine = workloads.chain_engine("autograd_lite")
    report = workloads.chain_scaling(engine, NODES, repeats=2, memory_nodes=200, warmup=20)
    assert report["engine"] == "autograd_lite"
    assert report["failures"] == {}
    assert report["gc_settings_unchanged"] is True
    assert report["gc_before"] == report["gc_after"] == workloads.gc_settings()
    assert set(report["sizes"]) == set(report["runs"]) == {"20", "200"}
    for n in NODES:
        runs = report["runs"][str(n)]
        assert len(runs) == 2
        for run in runs:
            assert run["nodes"] == n
            assert run["forward_ns"] > 0 and run["backward_ns"] > 0
            assert run["grad_ok"] is True  # d y / d x = a**(n/2)
            assert run["value"] == pytest.approx(
                workloads.CHAIN_A ** (n // 2) + workloads.CHAIN_B * sum(
                    workloads.CHAIN_A ** k for k in range(n // 2)), rel=1e-12)
        summary = report["sizes"][str(n)]
        assert summary["runs"] == 2
        assert summary["forward_ns_min"] <= summary["forward_ns"] <= summary["forward_ns_max"]
        assert 0.0 <= summary["forward_gc_share"] <= 1.0
    memory = report["memory"]
    assert memory["nodes"] == 200 and memory["mid_grad_kept"] is True
    assert 0 < memory["forward_bytes_per_node"] <= memory["backward_bytes_per_node"]


def test_a_sample_is_one_collection_then_steps_back_to_back(
        bench: tuple[ModuleType, ModuleType]) -> None:
    """time_it: a warm-up, three steps to size the samples, then each sample runs one
    untimed step and ``per_sample`` timed ones in a row (k counting on, as a training loop's
    step number) and reports seconds per step."""
    workloads, _ = bench
    steps: list[int] = []
    collections = []
    gc.callbacks.append(lambda phase, info: collections.append(phase == "start"))
    try:
        report = workloads.time_it(lambda k: steps.append(k) or sum(range(2000)), repeats=3)
    finally:
        gc.callbacks.pop()
    per_sample = report["per_sample"]
    assert 1 <= per_sample <= workloads.MAX_PER_SAMPLE
    assert steps == list(range(1 + 3 + 3 * (1 + per_sample)))
    assert len(report["samples"]) == len(report["gc_samples"]) == report["repeats"] == 3
    assert sum(collections) >= 3  # at least the one before each sample
    assert report["min"] <= report["seconds"] <= report["max"]


def test_floats_are_forward_only(bench: tuple[ModuleType, ModuleType]) -> None:
    workloads, _ = bench
    report = workloads.chain_scaling(workloads.chain_engine("floats"), NODES, warmup=0)
    run = report["runs"]["200"][0]
    assert "backward_ns" not in run and "grad_ok" not in run
    assert report["memory"] is None and report["gc_settings_unchanged"] is True


class _GcMeddler(float):
    """A number whose multiplication changes the GC threshold: an engine that tunes the
    collector behind the user's back."""

    def __mul__(self, other: object) -> _GcMeddler:
        gc.set_threshold(50_000, 20, 20)
        return _GcMeddler(float(self) * float(other))  # type: ignore[arg-type]

    def __add__(self, other: object) -> _GcMeddler:
        return _GcMeddler(float(self) + float(other))  # type: ignore[arg-type]


class _GcDisabler(_GcMeddler):
    def __mul__(self, other: object) -> _GcMeddler:
        gc.disable()
        return _GcDisabler(float(self) * float(other))  # type: ignore[arg-type]


@pytest.mark.parametrize("number", [_GcMeddler, _GcDisabler])
def test_an_engine_that_changes_the_gc_settings_fails_the_run(
        bench: tuple[ModuleType, ModuleType], number: type[float]) -> None:
    workloads, _ = bench
    engine = workloads.ChainEngine("meddler", leaf=number, data=float)
    with pytest.raises(AssertionError, match="changed the GC settings"):
        workloads.chain_scaling(engine, NODES, warmup=0)


def test_run_reports_a_gc_meddler_as_a_goal_1_failure(
        bench: tuple[ModuleType, ModuleType]) -> None:
    workloads, run = bench
    engine = workloads.ChainEngine("autograd_lite", leaf=_GcMeddler, data=float,
                                   backward=lambda v: None, grad=lambda v: 1.0)
    sizes = [2_000, 20_000]
    report = workloads.chain_scaling(engine, sizes, memory_nodes=None, warmup=0,
                                     strict=False)
    assert report["gc_settings_unchanged"] is False
    chain = {name: run.merge_chain([report], [])  # by default and in large_graphs()
             for name in ("autograd_lite", "autograd_lite_large_graphs")}
    _, goals = run.goals([], chain, [20_000, run.BIG], None, quick=False)
    assert goals[0]["verdict"] == "n/a"  # no 2e6 run here: nothing to compare ...
    for rep in chain.values():
        rep["sizes"][str(run.BIG)] = rep["sizes"]["20000"]
    _, goals = run.goals([], chain, [20_000, run.BIG], None, quick=False)
    assert goals[0]["verdict"] == "FAIL"  # ... and with one, a flat cost still fails
    assert "CHANGED" in goals[0]["measured"]


class _Recursive:
    """micrograd's shape: one parent per node and a recursive topological sort."""

    def __init__(self, data: float, parent: _Recursive | None = None,
                 local: float = 1.0) -> None:
        self.data, self.parent, self.local, self.grad = data, parent, local, 0.0

    def __mul__(self, c: float) -> _Recursive:
        return _Recursive(self.data * c, self, c)

    def __add__(self, c: float) -> _Recursive:
        return _Recursive(self.data + c, self)

    def backward(self) -> None:
        order: list[_Recursive] = []

        def visit(v: _Recursive | None) -> None:
            if v is not None:
                visit(v.parent)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            if v.parent is not None:
                v.parent.grad += v.local * v.grad


def test_a_recursion_error_is_reported_per_size_not_raised(
        bench: tuple[ModuleType, ModuleType]) -> None:
    workloads, _ = bench
    deep = 4 * sys.getrecursionlimit()
    engine = workloads.ChainEngine(
        "recursive", leaf=_Recursive, data=lambda v: v.data, backward=lambda v: v.backward(),
        grad=lambda v: v.grad)
    report = workloads.chain_scaling(engine, (200, deep), repeats=2, memory_nodes=None,
                                     warmup=0)
    assert report["failures"] == {str(deep): report["failures"][str(deep)]}
    assert report["failures"][str(deep)].startswith("RecursionError")
    assert set(report["sizes"]) == {"200"} and report["sizes"]["200"]["runs"] == 2
    assert "default recursion limit" in str(workloads.default_limit_probe(
        workloads.ChainEngine("recursive", leaf=_Recursive, data=lambda v: v.data,
                              backward=lambda v: v.backward(), grad=lambda v: v.grad,
                              recursion_limit=10**6), deep))


def test_micrograd_runs_with_its_raised_recursion_limit(
        bench: tuple[ModuleType, ModuleType]) -> None:
    pytest.importorskip("micrograd")
    workloads, _ = bench
    engine = workloads.chain_engine("micrograd")
    limit = sys.getrecursionlimit()
    nodes = 2 * limit + 2  # deeper than the default limit allows
    report = workloads.chain_scaling(engine, (nodes,), memory_nodes=200, warmup=0)
    assert sys.getrecursionlimit() == limit  # put back
    assert report["failures"] == {} and report["runs"][str(nodes)][0]["grad_ok"] is True
    assert report["memory"]["mid_grad_kept"] is True
    assert "RecursionError" in str(workloads.default_limit_probe(engine, nodes))


def test_run_prints_the_chain_table_and_the_goals(
        bench: tuple[ModuleType, ModuleType]) -> None:
    workloads, run = bench
    sizes = [2_000, 20_000]
    lite = workloads.chain_scaling(workloads.chain_engine("autograd_lite"), sizes,
                                   memory_nodes=200, warmup=0)
    large = workloads.chain_scaling(workloads.chain_engine("autograd_lite_large_graphs"),
                                    sizes, memory_nodes=200, warmup=0)
    floats = workloads.chain_scaling(workloads.chain_engine("floats"), sizes, warmup=0)
    chain: dict[str, Any] = {"floats": run.merge_chain([floats], []), "micrograd": None,
                             "autograd_lite": run.merge_chain([lite, lite], []),
                             "autograd_lite_large_graphs": run.merge_chain([large], [])}
    assert chain["autograd_lite"]["sizes"]["2000"]["runs"] == 2  # rounds pooled
    assert run.check_chain(chain) == []
    text = run.chain_table(chain, sizes)
    assert "| autograd_lite | forward |" in text and "| autograd_lite | backward |" in text
    assert "| micrograd | | not installed |" in text
    assert "mid-chain .grad kept" in text
    rows = [{"workload": "mlp_step", "variant": v, "status": "ok", "seconds": s}
            for v, s in (("micrograd", 1.0), ("autograd_lite eager", 0.1),
                         ("autograd_lite compiled_loss (python)", 0.01),
                         ("autograd_lite compiled_loss (NumPy batch)", 0.002))]
    goals_text, goals = run.goals(rows, chain, sizes, None, quick=True)
    assert [g["goal"] for g in goals] == [1, 2, 3, 4, 5]
    assert [g["verdict"] for g in goals][2:] == ["PASS", "FAIL", "FAIL"]  # 10x, 50x; 10x; no plot
    assert goals[0]["verdict"] == "n/a" and ") unchanged" in goals_text  # 2e4 is not 2e6
    assert goals[1]["verdict"] in ("PASS", "FAIL") and "B/node" in goals[1]["measured"]

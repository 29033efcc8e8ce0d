"""Scale and leaks: a million nodes back-propagate, and every byte comes back after ``del``.

Graphs hold no reference cycles (a node points only at its parents), so reference counting
frees a whole graph the moment its root is dropped.  These tests measure it:

* a 1,000,000-node chain ``v <- v * c``: d v_n / d x = c**n (closed form), and after ``del``
  the number of allocated memory blocks (``sys.getallocatedblocks``, which counts every small
  Python object and costs nothing to keep on) is back to its baseline;
* a 1,000,000-term ``add_n``: every d sum / d x_i = 1, and ``tracemalloc`` reports the
  memory back to its baseline after ``del``;
* 10,000 SGD steps of a small MLP (the moons demo of micrograd.txt, scaled down to run in
  seconds): no growth in allocated blocks between step 1,000 and step 10,000.

Full-size figures (the demo MLP(2, [16, 16, 1]), memory in MB): ``python bench/scale.py``.
"""

from __future__ import annotations

import gc
import math
import sys
import tracemalloc
import weakref

import pytest

from autograd_lite import MLP, SGD, Value, add_n, large_graphs
from autograd_lite.nn.losses import hinge, mean

N = 1_000_000
SLACK_BLOCKS = 2_000
"""Allowed drift in allocated blocks: interpreter caches (free lists, interned floats) move a
little; a leak of one object per node would be 1,000,000."""


def _blocks() -> int:
    gc.collect()
    return sys.getallocatedblocks()


@pytest.mark.slow
def test_million_node_chain_back_propagates_and_frees_every_block() -> None:
    c = 1.0 + 1e-7
    x = Value(0.5, "x")
    baseline = _blocks()
    v = x
    for _ in range(N):
        v = v * c
    assert _blocks() - baseline > N  # the graph really is in memory: > 1 block per node
    v.backward()
    # d v / d x = c**N = exp(N log c) ~ e**0.1; N roundings of a product: relative error ~ N eps
    assert x.grad == pytest.approx(c**N, rel=N * 2.3e-16)
    assert x.grad == pytest.approx(math.exp(0.1), rel=1e-7)
    del v
    assert abs(_blocks() - baseline) < SLACK_BLOCKS


@pytest.mark.slow
def test_million_term_sum_back_propagates_and_tracemalloc_returns_to_baseline() -> None:
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        xs = [Value(float(i % 7)) for i in range(N)]
        total = add_n(xs)
        total.backward()
        assert total.data == sum(float(i % 7) for i in range(N))  # integers: exact
        assert all(x.grad == 1.0 for x in xs)
        held = tracemalloc.get_traced_memory()[0] - baseline
        del xs, total
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert held > 50 * N  # at least 50 bytes per term were held ...
    assert after < 64 * 1024  # ... and less than 64 KB remains


def _two_moons_batch() -> tuple[list[list[float]], list[float]]:
    """Four points of micrograd's two-moons picture: (x, y) and label +-1."""
    return [[1.0, 0.0], [-1.0, 0.5], [0.0, -0.4], [2.0, 0.3]], [-1.0, -1.0, 1.0, 1.0]


@pytest.mark.slow  # a training run
def test_ten_thousand_training_steps_do_not_grow_memory() -> None:
    points, labels = _two_moons_batch()
    model = MLP(2, [4, 1], activation="relu", seed=0)
    optimiser = SGD(model.parameters(), lr=0.05)

    def step() -> float:
        scores = [model(p) for p in points]
        loss = mean([hinge(s, t) for s, t in zip(scores, labels)])  # type: ignore[arg-type]
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss.data

    first = step()
    for _ in range(999):
        step()
    after_warm_up = _blocks()
    for _ in range(9_000):
        last = step()  # nothing kept but the last loss
    growth = _blocks() - after_warm_up
    assert growth < SLACK_BLOCKS // 10, f"{growth} blocks more after 9,000 more steps"
    assert last < first  # it did train
    kept = [model(points[0]) for _ in range(100)]  # the probe sees a real leak: 100 graphs
    assert _blocks() - after_warm_up > 100 * 20
    del kept


def test_a_chain_node_is_one_object_of_at_most_152_bytes_with_its_grad() -> None:
    """``y = y * a + b`` with float a, b: each step records two nodes and nothing else (the
    numbers are kept with the node, the edges inline: no tuple, no constant node), and each
    node costs at most 152 bytes once ``backward`` has given it its own float ``.grad`` --
    128 + 24 on CPython 3.11 (144 before the ninth slot, the data clock that lets a graph
    refuse to be read after a leaf changed: the budget is 144 + 8)."""
    y = x = Value(0.5)
    gc.collect()
    tracked = len(gc.get_objects())
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            y = y * 1.0000001 + 1e-9
        graph = (tracemalloc.get_traced_memory()[0] - baseline) / 20_000
        y.backward()
        with_grads = (tracemalloc.get_traced_memory()[0] - baseline) / 20_000
    finally:
        tracemalloc.stop()
    assert len(gc.get_objects()) - tracked <= 20_000 + 100  # one tracked object per node
    assert graph < 152 - 24 + 1, graph  # + 1: tracemalloc's own bytes over 20,000 nodes
    assert with_grads < 152 + 1, with_grads
    assert x.grad == pytest.approx(1.0000001 ** 10_000)
    assert y.first.first.first.grad == pytest.approx(1.0000001)  # every node keeps its .grad


def _gc_settings() -> tuple[object, ...]:
    return gc.isenabled(), gc.get_threshold(), list(gc.callbacks), gc.get_freeze_count()


def test_large_graphs_keeps_the_collector_off_the_graph_and_restores_it() -> None:
    """Inside the block a growing graph moves to the permanent generation (the collector no
    longer scans it); afterwards every setting is as before and the gradient is the same."""
    before = _gc_settings()
    with large_graphs():
        y = x = Value(1.0)
        for _ in range(20_000):
            y = y * 1.00001
        gc.collect(1)  # a middle-generation collection, as 20,000 allocations would run
        assert gc.get_freeze_count() >= 20_000  # the chain is out of the collector's reach
        assert gc.isenabled() and gc.get_threshold() == before[1]
        y.backward()
    assert _gc_settings() == before
    assert x.grad == pytest.approx(1.00001 ** 20_000, rel=1e-12)


def test_large_graphs_nests_and_still_collects_cycles_afterwards() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    before = _gc_settings()
    with large_graphs(), large_graphs():
        garbage = Cycle()
        probe = weakref.ref(garbage)
        gc.collect(1)
        del garbage
    assert _gc_settings() == before
    gc.collect()
    assert probe() is None  # frozen inside, collected once the block handed it back


def test_large_graphs_refuses_to_start_when_other_code_has_frozen_objects() -> None:
    gc.freeze()
    try:
        callbacks = list(gc.callbacks)
        refused = pytest.raises(RuntimeError, match=r"large_graphs: \d+ objects are already")
        with refused, large_graphs():
            pass  # pragma: no cover
        # nothing half-changed: no hook left behind, the other code's objects still frozen
        assert gc.callbacks == callbacks and gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()

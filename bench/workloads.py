"""The benchmark workloads, for ONE engine per process (run by ``bench/run.py``).

    python bench/workloads.py ENGINE [--quick] [--round R --rounds K]   ->  JSON on stdout
    python bench/workloads.py chain ENGINE --nodes 2000,20000 [--memory N] [--probe]

ENGINE is ``floats`` (plain Python floats: the floor), ``micrograd`` (micrograd 0.1.0 from
PyPI), ``torch`` (PyTorch, CPU, one thread), ``autograd_lite`` (eager Values) or
``compiled`` (autograd_lite.compile replay and ``compiled_loss``).  Each engine runs in its
own interpreter so that garbage left by one engine is never collected while another is being
timed; ``run.py`` runs the engines in interleaved rounds (``--round R --rounds K``: round R
of K takes its share of the repeats; round 0 also runs the one-off and heavy workloads) and
pools the samples.  The garbage collector stays ON, as users run it; ``gc.collect()`` is only
called between measurements, never inside a timed region.

Workloads:

* ``mlp_step`` -- micrograd's demo step: MLP(2, [16, 16, 1]) on 100 two-moons points,
  hinge loss + 1e-4 * L2, forward + backward + SGD update;
* ``sum_of_products`` -- sum(a_i * b_i) over 100,000 terms, forward + backward;
* ``memory`` -- bytes per graph node (tracemalloc) of a sum-of-products graph;
* ``chain`` (its own processes) -- ``y = y * a + b`` from one leaf, N steps = 2N nodes, at
  several sizes: forward and backward ns per node, the GC's share, bytes per node
  (tracemalloc), and a check that the engine left the GC settings as they were
  (:func:`chain_scaling`, which ``tests/core/test_bench_chain.py`` also runs in-process).
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
SEED = 1337
N_POINTS = 100
LAYERS = (2, 16, 16, 1)
ALPHA = 1e-4
N_TERMS = 100_000
MEMORY_TERMS = 20_000
CHAIN_A = 1.0000001
CHAIN_B = 1e-9
CHAIN_NODES = (2_000, 20_000, 200_000, 2_000_000)
CHAIN_NODES_QUICK = (2_000, 20_000, 100_000)
CHAIN_MEMORY_NODES = 20_000
DEEP_RECURSION = 10**7
"""micrograd's recursive topological sort goes one frame per node: the limit for 2e6 nodes."""


def gc_settings() -> dict[str, Any]:
    """The user-visible GC settings an engine must leave alone."""
    return {"enabled": gc.isenabled(), "threshold": list(gc.get_threshold())}


GC_AT_START = gc_settings()
"""Taken when this module is imported, before any engine is: an engine that changes the
GC settings on import is caught too."""


# -- shared data ---------------------------------------------------------------------------
def make_moons(n: int = N_POINTS, noise: float = 0.1,
               seed: int = SEED) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as sklearn's make_moons), labels -1 / +1.

    Not autograd_lite.examples.moons.make_moons: the micrograd process runs in a venv
    without autograd_lite, and every engine must see the same points."""
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    xs: list[list[float]] = []
    ys: list[float] = []
    for i in range(n_out):
        t = math.pi * i / (n_out - 1)
        xs.append([math.cos(t) + rng.gauss(0.0, noise), math.sin(t) + rng.gauss(0.0, noise)])
        ys.append(-1.0)
    for i in range(n_in):
        t = math.pi * i / (n_in - 1)
        xs.append([1.0 - math.cos(t) + rng.gauss(0.0, noise),
                   0.5 - math.sin(t) + rng.gauss(0.0, noise)])
        ys.append(1.0)
    return xs, ys


def initial_weights(seed: int = SEED) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights, bias) -- uniform(-1, 1) weights, zero bias (micrograd)."""
    rng = random.Random(seed)
    return [[([rng.uniform(-1.0, 1.0) for _ in range(nin)], 0.0) for _ in range(nout)]
            for nin, nout in itertools.pairwise(LAYERS)]


LEARNING_RATE = 0.0
"""Every timed step is the demo's first step: the SGD update runs and moves nothing, so every
engine and every sample times the same work.  Training would not keep it the same: with
micrograd's schedule, 77 of the 100 hinge terms are 0 after 10 steps and all of them after
200, and an engine that skips zero gradients (autograd_lite's ``backward``, and
``compiled_loss``, which skips a satisfied example's backward pass) then does less per step
than one that does not (micrograd), by as much as it has trained."""


class GcClock:
    """Seconds spent inside the garbage collector (a ``gc.callbacks`` hook), to report it."""

    def __init__(self) -> None:
        self.total = 0.0
        self.collections = 0
        self.full = 0
        self._start = 0.0
        gc.callbacks.append(self._hook)

    def _hook(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start
            self.collections += 1
            self.full += info.get("generation") == 2


GC_CLOCK = GcClock()


SAMPLE_SECONDS = 0.05
"""A sample of a step lasts at least this long: one step of micrograd's (0.4 s), dozens of
a compiled one (1 ms), run back to back as in a training loop."""
MAX_PER_SAMPLE = 1000


def time_it(fn: Callable[[int], Any], repeats: int, warmup: int = 1) -> dict[str, Any]:
    """Median and spread of wall-clock seconds per call of fn(k) over ``repeats`` samples
    (GC on), and the median time per call spent in the garbage collector.

    A sample is ``gc.collect()``, one untimed call, then ``per_sample`` timed calls back to
    back, as many as last :data:`SAMPLE_SECONDS` (one for a step slower than that; sized by
    the median of three calls).  So every timed call follows another call, as in a training
    loop: it pays for collecting the garbage the previous one left, and none pays for the
    caches the forced collection flushed (a 1 ms step alone after it would, in full).
    """
    k = 0
    for _ in range(warmup):
        fn(k)
        k += 1
    sizing = []
    for _ in range(3):
        t0 = time.perf_counter()
        fn(k)
        k += 1
        sizing.append(max(time.perf_counter() - t0, 1e-9))
    per_sample = min(MAX_PER_SAMPLE,
                     max(1, math.ceil(SAMPLE_SECONDS / statistics.median(sizing))))
    times = []
    in_gc = []
    for _ in range(repeats):
        gc.collect()
        fn(k)  # the step before: its garbage is the timed steps' to collect
        k += 1
        gc0 = GC_CLOCK.total
        t0 = time.perf_counter()
        for _ in range(per_sample):
            fn(k)
            k += 1
        times.append((time.perf_counter() - t0) / per_sample)
        in_gc.append((GC_CLOCK.total - gc0) / per_sample)
    return {"seconds": statistics.median(times), "min": min(times), "max": max(times),
            "gc_seconds": statistics.median(in_gc), "repeats": repeats,
            "per_sample": per_sample, "samples": times, "gc_samples": in_gc}


@dataclass(frozen=True)
class Plan:
    """This process's share of the work: round ``index`` of ``rounds`` (run.py interleaves
    the engines round by round and pools the samples)."""

    quick: bool = False
    index: int = 0
    rounds: int = 1

    @property
    def first(self) -> bool:
        """Round 0 also runs the one-off and the heavy workloads (measured once)."""
        return self.index == 0

    def repeats(self, quick: int, full: int) -> int:
        """This round's share of a total number of repeats."""
        return max(1, -(-(quick if self.quick else full) // self.rounds))


def record(workload: str, variant: str, **fields: Any) -> Record:
    """One measured row of the table."""
    return {"workload": workload, "variant": variant, "status": "ok", **fields}


def failed(workload: str, variant: str, exc: BaseException) -> Record:
    """A row for a workload the engine cannot run."""
    return {"workload": workload, "variant": variant, "status": "fails",
            "error": f"{type(exc).__name__}: {str(exc)[:80]}"}


def memory_terms(plan: Plan) -> int:
    """tracemalloc slows micrograd's deep recursion to ~20 s at full size: --quick is 10x
    smaller (bytes per node barely depend on the size)."""
    return MEMORY_TERMS // 10 if plan.quick else MEMORY_TERMS


def memory(value: Callable[[float], Any], n: int = MEMORY_TERMS) -> dict[str, float]:
    """Bytes per node retained (tracemalloc) by a back-propagated sum-of-products graph.

    sum(a_i * b_i) over n terms with Python's sum has 4n + 1 nodes: 2n leaves, n products,
    n additions and the start 0.  Reported per node (all of them), per leaf, and per
    operation node (everything made after the leaves, gradients included, over 2n + 1).
    """
    rng = random.Random(SEED)
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    a = [value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    b = [value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    leaves = tracemalloc.get_traced_memory()[0]
    out = python_sum(a, b)
    with deep_recursion():
        out.backward()
    gc.collect()
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"bytes_per_node": (end - start) / (4 * n + 1),
            "bytes_per_leaf": (leaves - start) / (2 * n),
            "bytes_per_op_node": (end - leaves) / (2 * n + 1)}


# -- plain floats: the floor --------------------------------------------------------------
def floats_forward(weights: list[list[tuple[list[float], float]]], xs: list[list[float]],
                   ys: list[float]) -> float:
    """The demo loss in floats, no derivatives."""
    total = 0.0
    last = len(weights) - 1
    for x, y in zip(xs, ys):
        act = x
        for i, layer in enumerate(weights):
            nxt = []
            for w, b in layer:
                s = b + sum(map(float.__mul__, w, act))
                nxt.append(s if i == last or s > 0.0 else 0.0)
            act = nxt
        margin = 1.0 - y * act[0]
        total += margin if margin > 0.0 else 0.0
    reg = sum(wi * wi for layer in weights for w, b in layer for wi in (*w, b))
    return total / len(xs) + ALPHA * reg


def floats_step(weights: list[list[tuple[list[float], float]]], xs: list[list[float]],
                ys: list[float], lr: float) -> tuple[float, list[list[tuple[list[float], float]]]]:
    """Hand-written forward + backward + SGD in floats (what a compiler could at best do)."""
    gws = [[[0.0] * len(w) for w, _ in layer] for layer in weights]
    gbs = [[0.0] * len(layer) for layer in weights]
    total = 0.0
    last = len(weights) - 1
    scale = 1.0 / len(xs)
    for x, y in zip(xs, ys):
        acts = [x]
        pre: list[list[float]] = []
        for i, layer in enumerate(weights):
            z = [b + sum(map(float.__mul__, w, acts[-1])) for w, b in layer]
            pre.append(z)
            acts.append(z if i == last else [v if v > 0.0 else 0.0 for v in z])
        margin = 1.0 - y * acts[-1][0]
        if margin <= 0.0:
            continue
        total += margin
        delta = [-y * scale]
        for i in range(last, -1, -1):
            if i != last:
                delta = [d if z > 0.0 else 0.0 for d, z in zip(delta, pre[i])]
            a = acts[i]
            back = [0.0] * len(a)
            for j, (w, _) in enumerate(weights[i]):
                d = delta[j]
                if d == 0.0:
                    continue
                gbs[i][j] += d
                row = gws[i][j]
                for k, ak in enumerate(a):
                    row[k] += d * ak
                    back[k] += d * w[k]
            delta = back
    reg = 0.0
    new = []
    for i, layer in enumerate(weights):
        new_layer = []
        for j, (w, b) in enumerate(layer):
            reg += sum(wi * wi for wi in w) + b * b
            nw = [wi - lr * (g + 2.0 * ALPHA * wi) for wi, g in zip(w, gws[i][j])]
            new_layer.append((nw, b - lr * (gbs[i][j] + 2.0 * ALPHA * b)))
        new.append(new_layer)
    return total * scale + ALPHA * reg, new


def run_floats(plan: Plan) -> list[Record]:
    xs, ys = make_moons()
    weights = initial_weights()
    reps = plan.repeats(5, 20)
    out = [record("mlp_step", "floats: forward only", **time_it(
        lambda k: floats_forward(weights, xs, ys), reps),
        loss=floats_forward(weights, xs, ys))]
    loss, _ = floats_step(weights, xs, ys, LEARNING_RATE)
    state = {"w": weights}

    def step(k: int) -> None:
        state["w"] = floats_step(state["w"], xs, ys, LEARNING_RATE)[1]
    out.append(record("mlp_step", "floats: hand-written forward + backward + SGD",
                      **time_it(step, reps), loss=loss))
    return out


# -- micrograd 0.1.0 -----------------------------------------------------------------------
def run_micrograd(plan: Plan) -> list[Record]:
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP as MMLP

    xs, ys = make_moons()
    model = MMLP(LAYERS[0], list(LAYERS[1:]))
    for layer, init in zip(model.layers, initial_weights()):
        for neuron, (w, b) in zip(layer.neurons, init):
            for v, wi in zip(neuron.w, w):
                v.data = wi
            neuron.b.data = b
    params = model.parameters()

    def loss() -> Any:
        inputs = [list(map(MValue, row)) for row in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + ALPHA * sum(p * p for p in params)

    first = loss().data

    def step(k: int) -> None:
        total = loss()
        model.zero_grad()
        total.backward()
        lr = LEARNING_RATE
        for p in params:
            p.data -= lr * p.grad

    out = [record("mlp_step", "micrograd", **time_it(step, plan.repeats(3, 7)), loss=first)]
    if plan.first:
        out += sum_of_products_rows("micrograd", MValue, {"sum": python_sum}, plan.quick,
                                    note="needs sys.setrecursionlimit(10**6)")
        out.append(record("memory", "micrograd", **memory(MValue, memory_terms(plan))))
    return out


# -- PyTorch (CPU, float64, one thread) ----------------------------------------------------
def run_torch(plan: Plan) -> list[Record]:
    """The demo step in PyTorch: the same weights, points, loss and SGD as the others.

    Two rows: the way PyTorch is meant to be used (float64 tensors, the 100 points as one
    batch of matrix products) and micrograd's way (one 0-d tensor per weight, a graph of
    scalar operations), which is what a scalar engine is compared with op for op."""
    import torch

    torch.set_num_threads(1)  # the other engines use one core; the machine has two
    f64 = torch.float64
    xs, ys = make_moons()
    init = initial_weights()
    last = len(init) - 1
    x_batch = torch.tensor(xs, dtype=f64)
    y_batch = torch.tensor(ys, dtype=f64)
    mats = [torch.tensor([w for w, _ in layer], dtype=f64, requires_grad=True)
            for layer in init]
    biases = [torch.tensor([b for _, b in layer], dtype=f64, requires_grad=True)
              for layer in init]
    tensors = [*mats, *biases]

    def batched_loss() -> Any:
        h = x_batch
        for i, (w, b) in enumerate(zip(mats, biases)):
            h = h @ w.T + b
            if i != last:
                h = torch.relu(h)
        data_loss = torch.relu(1.0 - y_batch * h[:, 0]).mean()
        return data_loss + ALPHA * sum((t * t).sum() for t in tensors)

    # micrograd's layout: one leaf tensor per scalar weight
    scalars = [[([torch.tensor(wi, dtype=f64, requires_grad=True) for wi in w],
                 torch.tensor(b, dtype=f64, requires_grad=True)) for w, b in layer]
               for layer in init]
    leaves = [p for layer in scalars for w, b in layer for p in (*w, b)]

    def scalar_loss() -> Any:
        total: Any = 0.0
        for x, y in zip(xs, ys):
            act: list[Any] = list(x)
            for i, layer in enumerate(scalars):
                act = [sum((wi * ai for wi, ai in zip(w, act)), b) for w, b in layer]
                if i != last:
                    act = [torch.relu(a) for a in act]
            total = total + torch.relu(1.0 - y * act[0])
        return total * (1.0 / len(xs)) + ALPHA * sum(p * p for p in leaves)

    def stepper(loss: Callable[[], Any], params: list[Any]) -> Callable[[int], None]:
        def step(k: int) -> None:
            for p in params:
                p.grad = None
            loss().backward()
            lr = LEARNING_RATE
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
        return step

    version = f"torch {torch.__version__}, CPU, 1 thread, float64"
    first = float(batched_loss())
    out = [record("mlp_step", "PyTorch: batched tensors", **time_it(
        stepper(batched_loss, tensors), plan.repeats(5, 20)),
        loss=first, note=f"{version}; 100 x 2 batch, matrix products")]
    first = float(scalar_loss())
    out.append(record("mlp_step", "PyTorch: 0-d tensors, one per scalar", **time_it(
        stepper(scalar_loss, leaves), plan.repeats(1, 3)),
        loss=first, note=f"{version}; micrograd's graph of scalar operations"))
    return out


# -- workloads (b) and (c), engine-generic -------------------------------------------------
@contextmanager
def deep_recursion() -> Iterator[None]:
    """Let micrograd's recursive topological sort go 10**6 deep (autograd_lite's is iterative)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10**6)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def python_sum(a: list[Any], b: list[Any]) -> Any:
    """sum(a_i * b_i) with Python's sum: a chain of n binary additions."""
    return sum(x * y for x, y in zip(a, b))


def sum_of_products_rows(engine: str, value: Callable[[float], Any],
                         builds: dict[str, Callable[[list[Any], list[Any]], Any]],
                         quick: bool, note: str = "") -> list[Record]:
    """Forward and backward times of each way ``builds`` makes sum(a_i * b_i) (3 repeats)."""
    n = N_TERMS // 10 if quick else N_TERMS
    rng = random.Random(SEED)
    a = [value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    b = [value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    rows = []
    with deep_recursion():
        for name, build in builds.items():
            timings: dict[str, list[float]] = {"forward": [], "backward": [], "gc": []}
            result = 0.0
            for _ in range(3):
                for v in (*a, *b):
                    v.grad = 0.0
                gc.collect()
                gc0 = GC_CLOCK.total
                t0 = time.perf_counter()
                out = build(a, b)
                t1 = time.perf_counter()
                out.backward()
                t2 = time.perf_counter()
                timings["forward"].append(t1 - t0)
                timings["backward"].append(t2 - t1)
                timings["gc"].append(GC_CLOCK.total - gc0)
                result = out.data
                del out
            fwd = statistics.median(timings["forward"])
            bwd = statistics.median(timings["backward"])
            variant = engine if name == "sum" else f"{engine} {name}"
            rows.append(record("sum_of_products", variant, seconds=fwd + bwd, forward=fwd,
                               backward=bwd, gc_seconds=statistics.median(timings["gc"]),
                               repeats=3, terms=n, result=result, note=note,
                               grad_a0=a[0].grad, expected_grad_a0=b[0].data))
    return rows


# -- autograd_lite (eager) -----------------------------------------------------------------
def lite_model() -> Any:
    """autograd_lite.nn.MLP(2, [16, 16, 1]) with the same initial weights as the others."""
    from autograd_lite.nn import MLP

    init = initial_weights()
    return MLP.from_weights([[w for w, _ in layer] for layer in init],
                            [[b for _, b in layer] for layer in init])


def lite_loss(model: Any, inputs: list[list[Any]], ys: list[float]) -> Any:
    """The demo loss: mean hinge + 1e-4 * L2 (autograd_lite.nn.losses)."""
    from autograd_lite.nn.losses import hinge, l2_penalty, mean

    scores = list(map(model, inputs))
    return (mean([hinge(s, y) for s, y in zip(scores, ys)])
            + ALPHA * l2_penalty(model.parameters()))


def run_autograd_lite(plan: Plan) -> list[Record]:
    from autograd_lite import Value, add_n, dot, zero_grad

    xs, ys = make_moons()
    model = lite_model()
    params = model.parameters()

    def loss() -> Value:
        inputs = [[Value(c, requires_grad=False) for c in row] for row in xs]
        return lite_loss(model, inputs, ys)

    first = loss().data

    def step(k: int) -> None:
        total = loss()
        zero_grad(params)
        total.backward()
        lr = LEARNING_RATE
        for p in params:
            p.data -= lr * p.grad

    out = [record("mlp_step", "autograd_lite eager", **time_it(step, plan.repeats(5, 15)),
                  loss=first)]
    if plan.first:
        out += sum_of_products_rows(
            "autograd_lite", Value,
            {"sum": python_sum, "add_n": lambda a, b: add_n([x * y for x, y in zip(a, b)]),
             "dot": dot}, plan.quick)
        out.append(record("memory", "autograd_lite", **memory(Value, memory_terms(plan))))
    return out


# -- autograd_lite.compile: replaying generated straight-line code ------------------------
def run_compiled(plan: Plan) -> list[Record]:
    from autograd_lite import Value, zero_grad
    from autograd_lite.compile import compiled, compiled_loss
    from autograd_lite.nn.losses import hinge, l2_penalty

    xs, ys = make_moons()
    model = lite_model()
    params = model.parameters()
    n = len(ys)
    flat = [c for row in xs for c in row] + ys

    def full_loss(*v: Value) -> Value:
        """The whole demo loss over the 100 points (inputs: the points and labels)."""
        return lite_loss(model, [list(v[2 * i:2 * i + 2]) for i in range(n)], list(v[2 * n:]))

    def sgd(k: int) -> None:
        lr = LEARNING_RATE
        for p in params:
            p.data -= lr * p.grad

    initial = [p.data for p in params]
    out = []
    t0 = time.perf_counter()
    tape = compiled(full_loss, wrt=())
    first = tape(*flat).value
    if plan.first:
        out.append(record("mlp_step", "autograd_lite compiled: trace + generate + compile "
                          "(once)", seconds=time.perf_counter() - t0, repeats=1, one_off=True,
                          note=f"{len(tape.source.splitlines())} lines of generated Python"))

    def step(k: int) -> None:
        zero_grad(params)
        tape(*flat)
        sgd(k)
    out.append(record("mlp_step", "autograd_lite compiled replay", **time_it(
        step, plan.repeats(5, 20)), loss=first, note="one tape of the whole 100-point loss"))

    # compiled_loss: one per-example tape of hinge(model(x), t) replayed over the rows (the
    # mean hinge's gradient lands in .grad); the L2 penalty is not per example: eager, as
    # compiled_loss's documentation says
    for backend, variant in (("python", "autograd_lite compiled_loss (python)"),
                             ("numpy", "autograd_lite compiled_loss (NumPy batch)")):
        for p, v in zip(params, initial):
            p.data = v
        step_loss = compiled_loss(model, hinge)

        def loss_step(k: int, step_loss: Any = step_loss, backend: str = backend) -> float:
            zero_grad(params)
            values = step_loss(xs, ys, backend=backend).values
            penalty = ALPHA * l2_penalty(params)
            penalty.backward()
            sgd(k)
            return float(sum(values)) / n + float(penalty.data)

        loss = loss_step(0)  # traces the tape, from the initial weights
        out.append(record("mlp_step", variant, **time_it(loss_step, plan.repeats(5, 20)),
                          loss=loss, note="compiled_loss(model, losses.hinge) + eager L2"))
    return out


ENGINES: dict[str, Callable[[Plan], list[Record]]] = {
    "floats": run_floats,
    "micrograd": run_micrograd,
    "torch": run_torch,
    "autograd_lite": run_autograd_lite,
    "compiled": run_compiled,
}


# -- chain scaling: y = y * a + b, ns per node against graph size --------------------------
@dataclass(frozen=True)
class ChainEngine:
    """How one engine makes a leaf, back-propagates and reads numbers (for the chain)."""

    name: str
    leaf: Callable[[float], Any]
    data: Callable[[Any], float]
    backward: Callable[[Any], None] | None = None  # None: forward only (plain floats)
    grad: Callable[[Any], float] | None = None
    recursion_limit: int | None = None  # raised around every run (micrograd)
    traced_by_tracemalloc: bool = True  # False: allocations tracemalloc cannot see (C++)
    note: str = ""
    context: Callable[[], Any] | None = None  # entered around each run (large_graphs)


def chain_engine(name: str) -> ChainEngine:
    """The chain adapter of ``floats``, ``micrograd``, ``torch``, ``autograd_lite`` or
    ``autograd_lite_large_graphs`` (the same, each run inside ``large_graphs()``)."""
    if name == "floats":
        return ChainEngine(name, leaf=float, data=float, note="forward only: the floor")
    if name == "micrograd":
        from micrograd.engine import Value as MValue

        return ChainEngine(name, leaf=MValue, data=lambda v: v.data,
                           backward=lambda v: v.backward(), grad=lambda v: v.grad,
                           recursion_limit=DEEP_RECURSION,
                           note="needs sys.setrecursionlimit(10**7): its topological sort "
                                "recurses once per node")
    if name == "torch":
        import torch

        torch.set_num_threads(1)

        def tensor_leaf(x: float) -> Any:
            return torch.tensor(x, dtype=torch.float64, requires_grad=True)
        return ChainEngine(name, leaf=tensor_leaf, data=lambda v: v.item(),
                           backward=lambda v: v.backward(), grad=lambda v: v.grad.item(),
                           traced_by_tracemalloc=False,
                           note=f"torch {torch.__version__}: 0-d float64 tensors, 1 thread")
    if name in ("autograd_lite", "autograd_lite_large_graphs"):
        from autograd_lite import Value, large_graphs

        inside = name == "autograd_lite_large_graphs"
        return ChainEngine(name, leaf=Value, data=lambda v: v.data,
                           backward=lambda v: v.backward(), grad=lambda v: v.grad,
                           context=large_graphs if inside else None,
                           note="inside `with large_graphs():` (the collector does not "
                                "rescan the growing graph)" if inside else "")
    raise SystemExit(f"workloads: no chain engine {name!r}")


@contextmanager
def recursion_limit(limit: int | None) -> Iterator[None]:
    """``sys.setrecursionlimit(limit)`` inside the block (nothing if ``limit`` is None)."""
    old = sys.getrecursionlimit()
    if limit is not None:
        sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def build_chain(leaf: Any, steps: int, keep: int = -1) -> tuple[Any, Any]:
    """``y = y * a + b``, ``steps`` times from ``leaf`` (2 nodes a step, a and b floats);
    returns the output and the node made at step ``keep`` (None unless asked)."""
    a, b = CHAIN_A, CHAIN_B
    y = leaf
    kept = None
    if keep < 0:
        for _ in range(steps):
            y = y * a + b
        return y, kept
    for i in range(steps):
        y = y * a + b
        if i == keep:
            kept = y
    return y, kept


def close(x: float, expected: float, steps: int) -> bool:
    """Within the rounding of ``steps`` multiply-adds of each other."""
    return abs(x - expected) <= (steps + 10) * 4.5e-16 * abs(expected)


def chain_once(engine: ChainEngine, nodes: int) -> Record:
    """One timed chain of ``nodes`` nodes: forward and backward ns per node, GC share."""
    steps = nodes // 2
    gc.collect()  # between measurements, never inside one
    x = engine.leaf(1.0)
    clock = GC_CLOCK
    with engine.context() if engine.context is not None else nullcontext():
        gc0, n0, f0 = clock.total, clock.collections, clock.full
        t0 = time.perf_counter()
        y, _ = build_chain(x, steps)
        t1 = time.perf_counter()
        gc1, n1, f1 = clock.total, clock.collections, clock.full
        if engine.backward is not None:
            engine.backward(y)
        t2 = time.perf_counter()
        gc2 = clock.total
    run: Record = {"nodes": 2 * steps, "forward_ns": (t1 - t0) / (2 * steps) * 1e9,
                   "forward_gc_share": (gc1 - gc0) / (t1 - t0),
                   "forward_collections": n1 - n0, "forward_full_collections": f1 - f0,
                   "value": engine.data(y)}
    if engine.backward is not None and engine.grad is not None:
        run.update(backward_ns=(t2 - t1) / (2 * steps) * 1e9,
                   backward_gc_share=(gc2 - gc1) / (t2 - t1) if t2 > t1 else 0.0,
                   grad_ok=close(engine.grad(x), CHAIN_A ** steps, steps))
    del x, y
    return run


def chain_memory(engine: ChainEngine, nodes: int = CHAIN_MEMORY_NODES) -> Record:
    """Bytes per node (tracemalloc) held by the chain: after the forward pass, and after
    backward (gradients included), and whether a node in the middle still has its .grad."""
    steps = nodes // 2
    keep = steps // 2 - 1
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        x = engine.leaf(1.0)
        y, mid = build_chain(x, steps, keep)
        forward = tracemalloc.get_traced_memory()[0] - base
        assert engine.backward is not None and engine.grad is not None
        engine.backward(y)
        after = tracemalloc.get_traced_memory()[0] - base
        grad_kept = close(engine.grad(mid), CHAIN_A ** (steps - keep - 1), steps)
    finally:
        tracemalloc.stop()
    return {"nodes": 2 * steps, "forward_bytes_per_node": forward / (2 * steps),
            "backward_bytes_per_node": after / (2 * steps), "mid_grad_kept": grad_kept}


def summarise(runs: Sequence[Record]) -> Record:
    """Medians (and spread) of the runs of one size."""
    out: Record = {"runs": len(runs)}
    for key in ("forward_ns", "backward_ns", "forward_gc_share", "backward_gc_share",
                "forward_full_collections"):
        values = [r[key] for r in runs if key in r]
        if values:
            out[key] = statistics.median(values)
            if key.endswith("_ns"):
                out[key + "_min"], out[key + "_max"] = min(values), max(values)
    return out


def chain_scaling(engine: ChainEngine, nodes: Sequence[int], repeats: int = 1,
                  memory_nodes: int | None = CHAIN_MEMORY_NODES,
                  warmup: int = 2_000, strict: bool = True) -> Record:
    """The chain at each size in ``nodes``, ``repeats`` rounds (sizes in order within a
    round), GC on as the caller has it; then bytes per node at ``memory_nodes``.

    Raises AssertionError if the GC settings (enabled, thresholds) differ after the run
    from before it: the engine must not change the user's GC settings behind their back
    (``strict=False``: reported as ``gc_settings_unchanged: False`` instead, for run.py).
    A size the engine cannot run (RecursionError ...) is reported under ``failures``."""
    before = gc_settings()
    runs: dict[int, list[Record]] = {n: [] for n in nodes}
    failures: dict[int, str] = {}
    memory_report: Record | None = None
    with recursion_limit(engine.recursion_limit):
        if warmup:
            chain_once(engine, warmup)
        for _ in range(repeats):
            for n in nodes:
                if n in failures:
                    continue
                try:
                    runs[n].append(chain_once(engine, n))
                except (RecursionError, MemoryError) as exc:
                    failures[n] = f"{type(exc).__name__}: {str(exc)[:80]}"
        if memory_nodes and engine.backward is not None and engine.traced_by_tracemalloc:
            memory_report = chain_memory(engine, memory_nodes)
    after = gc_settings()
    if strict:
        assert after == before, (f"{engine.name} changed the GC settings during the chain "
                                 f"run: {before} before, {after} after")
    return {"engine": engine.name, "note": engine.note,
            "runs": {str(n): r for n, r in runs.items() if r},
            "sizes": {str(n): summarise(r) for n, r in runs.items() if r},
            "failures": {str(n): e for n, e in failures.items()},
            "memory": memory_report, "gc_before": before, "gc_after": after,
            "gc_settings_unchanged": after == before}


def default_limit_probe(engine: ChainEngine, nodes: int) -> str | None:
    """For an engine that needs a raised recursion limit: what happens at the default."""
    if engine.recursion_limit is None:
        return None
    try:
        chain_once(engine, nodes)
    except RecursionError as exc:
        return (f"at the default recursion limit ({sys.getrecursionlimit()}) {nodes:,} nodes "
                f"fail: {type(exc).__name__}")
    return f"runs {nodes:,} nodes at the default recursion limit {sys.getrecursionlimit()}"


def chain_main(argv: list[str]) -> Record:
    """``chain ENGINE --nodes a,b,c [--memory N] [--probe]``: one round, as JSON."""
    engine = chain_engine(argv[0])
    nodes = [int(float(n)) for n in option(argv, "--nodes", "2000").split(",")]
    memory_nodes = int(float(option(argv, "--memory", "0")))
    probe = default_limit_probe(engine, min(nodes)) if "--probe" in argv else None
    report = chain_scaling(engine, nodes, 1, memory_nodes or None, strict=False)
    report["default_limit"] = probe
    report["gc_at_start"] = GC_AT_START  # before the engine was imported
    report["gc_settings_unchanged"] = report["gc_settings_unchanged"] and (
        gc_settings() == GC_AT_START)
    return report


def option(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv else default


def main(argv: list[str]) -> None:
    if argv[0] == "chain":
        json.dump(chain_main(argv[1:]), sys.stdout, indent=1)
        return
    engine = argv[0]
    plan = Plan("--quick" in argv, int(option(argv, "--round", "0")),
                int(option(argv, "--rounds", "1")))
    json.dump({"engine": engine, "python": sys.version.split()[0],
               "gc_enabled": gc.isenabled(), "rows": ENGINES[engine](plan)},
              sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])

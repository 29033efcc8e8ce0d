"""The benchmark workloads, for ONE engine per process (run by ``bench/run.py``).

    python bench/workloads.py ENGINE [--quick]    ->  JSON list of measurements on stdout

ENGINE is ``floats`` (plain Python floats: the floor), ``micrograd`` (micrograd 0.1.0 from
PyPI), ``autograd_lite`` (eager Values) or ``compiled`` (autograd_lite.compile replay).
Each engine runs in its own interpreter so that garbage left by one engine is never
collected while another is being timed.  The garbage collector stays ON, as users run it;
``gc.collect()`` is only called between measurements, never inside a timed region.

Workloads:

* ``mlp_step`` -- micrograd's demo step: MLP(2, [16, 16, 1]) on 100 two-moons points,
  hinge loss + 1e-4 * L2, forward + backward + SGD update;
* ``sum_of_products`` -- sum(a_i * b_i) over 100,000 terms, forward + backward;
* ``chain_N`` -- y = y * c applied N times, forward + backward;
* ``memory`` -- bytes per graph node (tracemalloc) of a sum-of-products graph.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Record = dict[str, Any]
SEED = 1337
N_POINTS = 100
LAYERS = (2, 16, 16, 1)
ALPHA = 1e-4
N_TERMS = 100_000
MEMORY_TERMS = 20_000


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


def learning_rate(k: int) -> float:
    """micrograd demo's schedule."""
    return 1.0 - 0.9 * k / 100


class GcClock:
    """Seconds spent inside the garbage collector (a ``gc.callbacks`` hook), to report it."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0
        gc.callbacks.append(self._hook)

    def _hook(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start


GC_CLOCK = GcClock()


def time_it(fn: Callable[[int], Any], repeats: int, warmup: int = 1) -> dict[str, Any]:
    """Median and spread of wall-clock seconds of fn(k) over ``repeats`` calls (GC on),
    and the median time spent in the garbage collector during a call."""
    for k in range(warmup):
        fn(k)
    times = []
    in_gc = []
    for k in range(repeats):
        gc.collect()
        gc0 = GC_CLOCK.total
        t0 = time.perf_counter()
        fn(warmup + k)
        times.append(time.perf_counter() - t0)
        in_gc.append(GC_CLOCK.total - gc0)
    return {"seconds": statistics.median(times), "min": min(times), "max": max(times),
            "gc_seconds": statistics.median(in_gc), "repeats": repeats}


def record(workload: str, variant: str, **fields: Any) -> Record:
    """One measured row of the table."""
    return {"workload": workload, "variant": variant, "status": "ok", **fields}


def failed(workload: str, variant: str, exc: BaseException) -> Record:
    """A row for a workload the engine cannot run."""
    return {"workload": workload, "variant": variant, "status": "fails",
            "error": f"{type(exc).__name__}: {str(exc)[:80]}"}


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


def run_floats(quick: bool) -> list[Record]:
    xs, ys = make_moons()
    weights = initial_weights()
    reps = 5 if quick else 20
    out = [record("mlp_step", "floats: forward only", **time_it(
        lambda k: floats_forward(weights, xs, ys), reps),
        loss=floats_forward(weights, xs, ys))]
    loss, _ = floats_step(weights, xs, ys, learning_rate(0))
    state = {"w": weights}

    def step(k: int) -> None:
        state["w"] = floats_step(state["w"], xs, ys, learning_rate(k))[1]
    out.append(record("mlp_step", "floats: hand-written forward + backward + SGD",
                      **time_it(step, reps), loss=loss))
    return out


# -- micrograd 0.1.0 -----------------------------------------------------------------------
def run_micrograd(quick: bool) -> list[Record]:
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
        lr = learning_rate(k)
        for p in params:
            p.data -= lr * p.grad

    out = [record("mlp_step", "micrograd", **time_it(step, 3 if quick else 7), loss=first)]
    out += sum_of_products_rows("micrograd", MValue, {"sum": python_sum}, quick,
                                note="needs sys.setrecursionlimit(10**6)")
    out += chain_rows("micrograd", MValue, (500, 1000))
    out.append(record("memory", "micrograd", **memory(MValue)))
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


def chain_rows(engine: str, value: Callable[[float], Any],
               lengths: tuple[int, ...]) -> list[Record]:
    """y = y * c, n times, then backward; "fails" where the engine raises RecursionError."""
    rows = []
    for n in lengths:
        x = value(1.0)
        c = value(1.0001)

        def run(_: int, x: Any = x, c: Any = c, n: int = n) -> None:
            y = x
            for _ in range(n):
                y = y * c
            y.backward()
        workload = f"chain_{n}"
        try:
            timing = time_it(run, 1 if n > 10_000 else 21, warmup=0 if n > 10_000 else 1)
        except RecursionError as exc:
            rows.append(failed(workload, engine, exc))
            continue
        rows.append(record(workload, engine, **timing))
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


def run_autograd_lite(quick: bool) -> list[Record]:
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
        lr = learning_rate(k)
        for p in params:
            p.data -= lr * p.grad

    out = [record("mlp_step", "autograd_lite", **time_it(step, 5 if quick else 15), loss=first)]
    out += sum_of_products_rows(
        "autograd_lite", Value,
        {"sum": python_sum, "add_n": lambda a, b: add_n([x * y for x, y in zip(a, b)]),
         "dot": dot}, quick)
    out += chain_rows("autograd_lite", Value, (500, 1000, 100_000 if quick else 1_000_000))
    out.append(record("memory", "autograd_lite", **memory(Value)))
    return out


# -- autograd_lite.compile: replaying generated straight-line code ------------------------
def run_compiled(quick: bool) -> list[Record]:
    from autograd_lite import Value, zero_grad
    from autograd_lite.compile import compiled
    from autograd_lite.nn.losses import hinge, l2_penalty

    xs, ys = make_moons()
    model = lite_model()
    params = model.parameters()
    n = len(ys)
    flat = [c for row in xs for c in row] + ys

    def full_loss(*v: Value) -> Value:
        """The whole demo loss over the 100 points (inputs: the points and labels)."""
        return lite_loss(model, [list(v[2 * i:2 * i + 2]) for i in range(n)], list(v[2 * n:]))

    def per_example(x1: Value, x2: Value, y: Value) -> Value:
        """One example's share: the mean over the batch is the demo loss."""
        return hinge(model([x1, x2]), y) + ALPHA * l2_penalty(params)

    def sgd(k: int) -> None:
        lr = learning_rate(k)
        for p in params:
            p.data -= lr * p.grad

    initial = [p.data for p in params]
    out = []
    t0 = time.perf_counter()
    tape = compiled(full_loss, wrt=())
    first = tape(*flat).value
    out.append(record("mlp_step", "autograd_lite compiled: trace + generate + compile (once)",
                      seconds=time.perf_counter() - t0, repeats=1, one_off=True,
                      note=f"{len(tape.source.splitlines())} lines of generated Python"))

    def step(k: int) -> None:
        zero_grad(params)
        tape(*flat)
        sgd(k)
    out.append(record("mlp_step", "autograd_lite compiled replay", **time_it(
        step, 5 if quick else 20), loss=first))
    columns = ([x[0] for x in xs], [x[1] for x in xs], ys)
    for backend in ("numpy", "python"):
        for p, v in zip(params, initial):
            p.data = v
        batch = compiled(per_example, wrt=())
        zero_grad(params)
        values = batch.batch(*columns, backend=backend).values
        loss = sum(values) / n

        def batch_step(k: int, batch: Any = batch, backend: str = backend) -> None:
            zero_grad(params)
            batch.batch(*columns, backend=backend)
            sgd(k)
        out.append(record("mlp_step", f"autograd_lite compiled batch replay ({backend})",
                          **time_it(batch_step, 5 if quick else 20), loss=loss,
                          note="per-example tape, mean gradient"))
    return out


ENGINES: dict[str, Callable[[bool], list[Record]]] = {
    "floats": run_floats,
    "micrograd": run_micrograd,
    "autograd_lite": run_autograd_lite,
    "compiled": run_compiled,
}


def main(argv: list[str]) -> None:
    engine = argv[0]
    quick = "--quick" in argv
    json.dump({"engine": engine, "python": sys.version.split()[0],
               "gc_enabled": gc.isenabled(), "rows": ENGINES[engine](quick)},
              sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])

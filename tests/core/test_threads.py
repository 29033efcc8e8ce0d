"""Threads: grad mode is per thread, and separate graphs back-propagate correctly in parallel.

``no_grad`` lives in a context variable, so a thread inside ``with no_grad():`` must not stop
another thread from recording.  The interpreter is told to switch threads every microsecond
so that the threads really interleave, operation by operation.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from autograd_lite import Value, enable_grad, grad, is_grad_enabled, no_grad

ROUNDS = 300


@pytest.fixture(autouse=True)
def _switch_threads_often() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _run(*targets: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as error:  # reported in the main thread below
                errors.append(error)
        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]


def test_no_grad_toggled_in_one_thread_never_leaks_into_another() -> None:
    # f(x) = x * x + sin(x): df/dx = 2x + cos(x) (closed form), recorded every round.
    recorded: list[bool] = []
    constants: list[bool] = []
    start = threading.Barrier(3)

    def toggler() -> None:
        start.wait()
        for _ in range(ROUNDS):
            with no_grad():
                y = Value(1.0) * 3.0
                constants.append(y.is_leaf and not y.requires_grad and not is_grad_enabled())

    def builder() -> None:
        start.wait()
        for i in range(ROUNDS):
            x = Value(0.01 * i)
            y = x * x + x.sin()
            y.backward()
            recorded.append(is_grad_enabled() and not y.is_leaf
                            and x.grad == pytest.approx(2 * x.data + math.cos(x.data)))

    _run(toggler, builder, builder)
    assert recorded == [True] * (2 * ROUNDS)
    assert constants == [True] * ROUNDS


def test_enable_grad_inside_no_grad_is_per_thread_too() -> None:
    seen: list[tuple[bool, bool]] = []
    start = threading.Barrier(2)

    def nested() -> None:
        start.wait()
        for _ in range(ROUNDS):
            with no_grad():
                with enable_grad():
                    inner = (Value(2.0) * 2.0).is_leaf
                outer = (Value(2.0) * 2.0).is_leaf
            seen.append((inner, outer))

    def plain() -> None:
        start.wait()
        for _ in range(ROUNDS):
            assert is_grad_enabled()
            assert not (Value(2.0) * 2.0).is_leaf

    _run(nested, plain)
    assert seen == [(False, True)] * ROUNDS


def test_parallel_backward_on_separate_graphs_matches_the_serial_result() -> None:
    # Each thread owns its graph: g(a, b) = tanh(a b) + a**3; the shared-nothing results must
    # equal d/da = b (1 - tanh^2(ab)) + 3a^2 and d/db = a (1 - tanh^2(ab)).
    def expected(a: float, b: float) -> tuple[float, float]:
        s = 1.0 - math.tanh(a * b) ** 2
        return b * s + 3 * a * a, a * s

    results: dict[int, list[tuple[float, float]]] = {}

    def worker(k: int) -> Callable[[], None]:
        def run() -> None:
            out = []
            for i in range(ROUNDS):
                a, b = Value(0.1 * k + 0.001 * i), Value(0.5 - 0.002 * i)
                y = (a * b).tanh() + a ** 3
                if i % 2:
                    y.backward()
                    out.append((a.grad, b.grad))
                else:
                    ga, gb = grad(y, [a, b])
                    out.append((ga, gb))
            results[k] = out
        return run

    _run(*(worker(k) for k in range(4)))
    for k, pairs in results.items():
        for i, (ga, gb) in enumerate(pairs):
            ea, eb = expected(0.1 * k + 0.001 * i, 0.5 - 0.002 * i)
            assert ga == pytest.approx(ea, rel=1e-12, abs=1e-15)
            assert gb == pytest.approx(eb, rel=1e-12, abs=1e-15)


# -- one mode object shared by many calls ------------------------------------------------
def test_a_no_grad_decorated_function_called_from_many_threads_keeps_each_threads_mode() -> None:
    # One decorator object serves every call: each call must set and undo the mode in its
    # own thread (not one thread undoing another's setting, nor a Token from elsewhere).
    # The barrier holds all four calls inside the function at once, every round.
    inside: list[bool] = []
    after: list[bool] = []
    all_inside = threading.Barrier(4, timeout=30)

    @no_grad
    def predict(x: float) -> Value:
        all_inside.wait()
        inside.append(is_grad_enabled())
        return Value(x, requires_grad=True) * 2.0

    def caller() -> None:
        for i in range(20):
            y = predict(float(i))
            assert y.is_leaf and not y.requires_grad
            after.append(is_grad_enabled())

    _run(caller, caller, caller, caller)
    assert inside == [False] * (4 * 20)
    assert after == [True] * (4 * 20)


def test_one_mode_object_reused_in_nested_blocks_and_across_threads() -> None:
    off, on = no_grad(), enable_grad()
    seen: list[tuple[bool, bool, bool, bool]] = []
    all_inside = threading.Barrier(3, timeout=30)

    def nest() -> None:
        for _ in range(20):
            with off:
                with on:
                    with off:
                        all_inside.wait()   # three threads inside the same objects at once
                        deepest = is_grad_enabled()
                    middle = is_grad_enabled()
                outer = is_grad_enabled()
            seen.append((deepest, middle, outer, is_grad_enabled()))

    _run(nest, nest, nest)
    assert seen == [(False, True, False, True)] * (3 * 20)


def test_leaving_a_mode_never_entered_in_this_thread_is_an_error() -> None:
    off = no_grad()
    with pytest.raises(RuntimeError, match=r"^no_grad: leaving a block that was not entered"):
        off.__exit__(None, None, None)
    assert is_grad_enabled()


def test_a_decorated_generator_runs_each_resumption_under_the_mode() -> None:
    # As PyTorch's test_set_grad_generator_functions: the body runs under the mode at every
    # resumption, and the caller's own mode is back in force at every yield.
    @no_grad
    def modes_seen() -> Iterator[bool]:
        for _ in range(3):
            yield is_grad_enabled()

    @enable_grad
    def modes_seen_enabled() -> Iterator[bool]:
        for _ in range(3):
            yield is_grad_enabled()

    between = []
    for inside in modes_seen():
        between.append(is_grad_enabled())
        assert inside is False
    assert between == [True] * 3
    with no_grad():
        between = []
        for inside in modes_seen_enabled():
            between.append(is_grad_enabled())
            assert inside is True
        assert between == [False] * 3


def test_a_decorated_generator_gets_sent_and_thrown_values_under_the_mode() -> None:
    @no_grad
    def doubler() -> Iterator[float]:
        received = 1.0
        while True:
            try:
                received = yield (Value(received, requires_grad=True) * 2.0).data
            except ValueError:
                received = -1.0 if not is_grad_enabled() else -2.0
            if received == 0.0:
                return

    gen = doubler()
    assert next(gen) == 2.0
    assert gen.send(5.0) == 10.0
    assert is_grad_enabled()
    assert gen.throw(ValueError("stop")) == -2.0   # the handler saw grad mode off: -1 * 2
    with pytest.raises(StopIteration):
        gen.send(0.0)
    assert is_grad_enabled()


def test_a_decorated_coroutine_runs_its_body_under_the_mode() -> None:
    import asyncio

    @no_grad
    async def inside() -> bool:
        await asyncio.sleep(0)
        return is_grad_enabled()

    assert asyncio.run(inside()) is False
    assert is_grad_enabled()


def test_a_detect_anomaly_decorated_function_called_from_many_threads() -> None:
    from autograd_lite import detect_anomaly
    from autograd_lite.core.anomaly import is_anomaly_enabled

    inside: list[bool] = []
    after: list[bool] = []
    all_inside = threading.Barrier(3, timeout=30)

    @detect_anomaly()
    def checked() -> None:
        all_inside.wait()
        inside.append(is_anomaly_enabled())

    def caller() -> None:
        for _ in range(20):
            checked()
            after.append(is_anomaly_enabled())

    _run(caller, caller, caller)
    assert inside == [True] * (3 * 20)
    assert after == [False] * (3 * 20)

"""Anomaly mode: the first NaN or infinity stops the computation, naming the op and the line.

The notes (backprop_explained.txt-style chain rule, d root / d parent += adjoint * local) never
produce an infinity by themselves; these tests build the two ways a gradient does: an
infinite local derivative (d sqrt(x) / dx = 1 / (2 sqrt x) = +inf at x = 0) and an
overflowing product of finite factors (1e200 * 1e200).
"""

from __future__ import annotations

import inspect
import math
import threading

import pytest
from live_nodes import live_values

from autograd_lite import DomainError, Value, add_n, dot, grad, no_grad
from autograd_lite.core.anomaly import (
    AnomalyError,
    creation_site,
    detect_anomaly,
    is_anomaly_enabled,
)
from autograd_lite.core.observers import ANOMALY_OBSERVER, observe_anomalies
from autograd_lite.testing import Expression


def _line_of(marker: str) -> int:
    """The line number in this file of the statement ending with the comment ``marker``."""
    with open(__file__, encoding="utf-8") as source:
        return next(n for n, text in enumerate(source, 1) if text.rstrip().endswith(marker))


def test_sqrt_at_zero_names_the_op_the_argument_and_the_creating_line() -> None:
    # d sqrt(x)/dx = 1 / (2 sqrt(x)) is +inf at x = 0; 3 * inf = inf reaches x.
    x = Value(0.0, "x")
    with detect_anomaly():
        y = x.sqrt()  # <- sqrt created here
        z = y * 3.0
        with pytest.raises(AnomalyError) as caught:
            z.backward()
    message = str(caught.value)
    assert message.startswith("sqrt(0.0): backward: the gradient reaching argument 0 'x' is inf")
    assert "adjoint 3.0 * local derivative inf" in message
    assert f"test_anomaly.py:{_line_of('# <- sqrt created here')} in " in message
    assert "y = x.sqrt()" in message
    assert caught.value.op == "sqrt" and caught.value.node is y
    assert isinstance(caught.value, DomainError)  # one except clause catches every bad number


def test_without_anomaly_mode_the_same_gradient_is_silently_inf() -> None:
    # The reason the mode exists: plain backward follows PyTorch and returns +inf.
    x = Value(0.0)
    (x.sqrt() * 3.0).backward()
    assert x.grad == math.inf


def test_overflow_of_finite_factors_is_caught_and_grads_are_left_unchanged() -> None:
    # z = (x * 1e200) * 1e200 at x = 1e-300: z = 1e100 is finite, dz/dx = 1e400 overflows.
    x = Value(1e-300, "x")
    w = Value(2.0, "w")
    w.grad = 5.0  # accumulated by an earlier backward: must survive the failed one
    x.grad = 7.0
    with detect_anomaly():
        y = x * 1e200
        z = y * 1e200 + w * 1.0  # <- overflowing mul
        with pytest.raises(AnomalyError) as caught:
            z.backward()
    assert caught.value.op == "mul"
    assert "the gradient reaching argument 0 'x' is inf (adjoint 1e+200 * local derivative " \
           "1e+200)" in str(caught.value)
    assert caught.value.site is not None
    assert caught.value.site.lineno == _line_of("y = x * 1e200")
    assert (x.grad, w.grad) == (7.0, 5.0)  # all or nothing


def test_grad_function_is_checked_too() -> None:
    x = Value(0.0, "x")
    with detect_anomaly():
        y = x.sqrt()
        with pytest.raises(AnomalyError, match=r"^sqrt\(0\.0\): backward: .* is inf"):
            grad(y, [x])
    assert x.grad == 0.0


def test_finite_graphs_give_the_same_gradients_in_anomaly_mode() -> None:
    # f = x*y + exp(x) at (1.5, -2): df/dx = y + e^x, df/dy = x (closed form).
    def f(x: Value, y: Value) -> Value:
        return x * y + x.exp()

    x, y = Value(1.5), Value(-2.0)
    with detect_anomaly():
        f(x, y).backward()
        gx, gy = grad(f(x, y), [x, y])
    assert x.grad == gx == pytest.approx(-2.0 + math.exp(1.5), rel=1e-15)
    assert y.grad == gy == 1.5


def test_a_domain_error_leaving_the_block_carries_the_users_line() -> None:
    x = Value(0.0)
    with pytest.raises(DomainError) as caught, detect_anomaly():
        x.log()  # <- log of zero
    assert str(caught.value) == "log(0.0): logarithm needs a positive argument"
    notes = caught.value.__notes__
    assert len(notes) == 1
    assert f"test_anomaly.py:{_line_of('# <- log of zero')} in " in notes[0]
    assert notes[0].endswith("x.log()  # <- log of zero")


def test_nested_blocks_add_one_note() -> None:
    with pytest.raises(DomainError) as caught, detect_anomaly(), detect_anomaly():
        Value(-1.0).sqrt()
    assert len(caught.value.__notes__) == 1


def test_creation_sites_are_recorded_only_in_anomaly_mode_and_do_not_keep_nodes_alive() -> None:
    x = Value(2.0)
    before = live_values()
    outside = x * x
    with detect_anomaly():
        inside = x * x
        summed = inside + 1.0
    assert creation_site(outside) is None
    site = creation_site(inside)
    assert site is not None and site.function == inspect.currentframe().f_code.co_name  # type: ignore[union-attr]
    assert creation_site(summed) is not None
    del outside, inside, summed  # the site lives in its node: nothing else holds them
    assert live_values() == before


def test_nodes_made_in_anomaly_mode_compute_what_other_nodes_do() -> None:
    """A node made in anomaly mode carries one more slot (its site); as an argument it
    takes the general path of recording, with the same results, sites and gradients."""
    def f(w: list[Value], x: list[float]) -> Value:
        a = [wi * xi for wi, xi in zip(w, x)]          # the a_i: inputs of dot and sum
        return (dot(a, [1.0, -2.0, 0.5]) + add_n(a) * a[0] - a[1]).tanh()

    x = [0.5, 1.5, -2.0]
    w = [Value(0.3), Value(-0.7), Value(1.1)]
    plain = f(w, x)
    expected = grad(plain, w)
    with detect_anomaly():
        sited = f(w, x)
        assert grad(sited, w) == expected
    assert sited.data == plain.data
    assert creation_site(sited) is not None
    assert all(creation_site(p) is not None for p in sited.parents[0].parents)
    program = Expression(1, (("exp", 0), ("mul", 1, 0)))  # the testing helpers take it too
    assert program(sited).data == program(plain).data


def test_an_observer_that_returns_nothing_keeps_the_node() -> None:
    """A hand-written observer of the older protocol (``created`` returns None) does not
    replace the recorded nodes by None."""
    class Counting:
        def __init__(self) -> None:
            self.created_nodes = 0

        def created(self, node: Value) -> None:
            self.created_nodes += 1

        def nonfinite(self, node: Value, argument: int, adjoint: float, local: float,
                      total: float) -> None:
            raise AssertionError("no non-finite gradient here")

    observer = Counting()
    token = observe_anomalies(observer)
    try:
        x = Value(2.0)
        y = x * x + 1.0
        y.backward()
    finally:
        ANOMALY_OBSERVER.reset(token)
    assert type(y) is Value and y.data == 5.0 and x.grad == 4.0
    assert observer.created_nodes == 2


def test_decorator_and_flag() -> None:
    @detect_anomaly()
    def inside() -> bool:
        return is_anomaly_enabled()

    assert not is_anomaly_enabled()
    assert inside()
    assert not is_anomaly_enabled()


def test_anomaly_mode_is_per_thread() -> None:
    # Another thread's nodes get no creation site and its backward is not checked.
    seen: dict[str, object] = {}

    def other() -> None:
        x = Value(0.0)
        y = x.sqrt()
        seen["site"] = creation_site(y)
        y.backward()  # unchecked here: inf, as PyTorch
        seen["grad"] = x.grad
        seen["enabled"] = is_anomaly_enabled()

    with detect_anomaly():
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert is_anomaly_enabled()
    assert seen == {"site": None, "grad": math.inf, "enabled": False}


def test_no_grad_inside_anomaly_mode_records_nothing() -> None:
    with detect_anomaly(), no_grad():
        y = Value(1.0) * 2.0
    assert creation_site(y) is None and y.is_leaf


def test_an_infinity_reaching_only_constants_is_not_an_anomaly() -> None:
    # z = sqrt(c) * x with a constant c = 0: dz/dc = x / (2 sqrt c) = inf, but nothing asked
    # for dz/dc; dz/dx = sqrt(c) = 0 is all backward and grad deliver.
    x = Value(2.0, "x")
    c = Value(0.0, "c", requires_grad=False)
    with detect_anomaly():
        z = c.sqrt() * x
        z.backward()
        assert grad(z, [x]) == [0.0]
    assert x.grad == 0.0


def test_anomaly_mode_ignores_an_infinity_between_constants() -> None:
    # mutant engine._leading_to: `any(p in live ...)` -> `not in` would call the node sqrt(c),
    # which depends on constants only, live: d sqrt(s)/ds = inf at s = sqrt(c) = 0 reaches it.
    x = Value(2.0)
    c = Value(0.0, requires_grad=False)
    with detect_anomaly():
        z = c.sqrt().sqrt() * x
        z.backward()
        assert grad(z, [x]) == [0.0]
    assert x.grad == 0.0


def test_grad_checks_only_paths_to_the_inputs_asked_for() -> None:
    # y = sqrt(a) + b at a = 0: dy/da = inf; asking for dy/db only is fine, asking for a raises.
    a, b = Value(0.0, "a"), Value(1.0, "b")
    with detect_anomaly():
        y = a.sqrt() + b
        assert grad(y, [b]) == [1.0]
        with pytest.raises(AnomalyError, match=r"argument 0 'a' is inf"):
            grad(y, [a, b])


def test_an_infinity_a_zero_local_derivative_stops_is_not_an_anomaly() -> None:
    # y = sqrt(relu(x)) at x = -1: sqrt'(0) = inf reaches relu, whose derivative at -1 is 0;
    # the chain rule's term 0 * inf counts as 0 (engine.chain_term), so dy/dx = 0 is finite.
    x = Value(-1.0, "x")
    with detect_anomaly():
        y = x.relu().sqrt()
        y.backward()
        assert grad(y, x) == 0.0
    assert x.grad == 0.0


def test_anomaly_mode_skips_zero_adjoints_like_plain_backward() -> None:
    # mutant engine._checked_backward: `node.parents and g != 0.0` -> `or` would multiply the
    # zero adjoint of sqrt(x) by sqrt'(0) = inf: nan.  y = sqrt(x) * 0 + x: dy/dx = 1.
    x = Value(0.0)
    with detect_anomaly():
        (x.sqrt() * 0.0 + x).backward()
    assert x.grad == 1.0


def test_anomaly_mode_reports_the_overflowing_slope() -> None:
    # found by the differential fuzzer: the slope of x ** -1.0 at 1e-200 overflows to -inf
    # (it used to raise in the forward pass; tests/core/test_ops.py)
    x = Value(1e-200, "x")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"^powc\(1e-200, -1\.0\): "
                                         r"backward: the gradient reaching argument 0 'x' is "
                                         r"-inf"):
        (x ** -1.0).backward()


def test_the_anomaly_names_the_step_where_the_infinity_arose_not_where_it_arrived() -> None:
    # y = exp(sqrt(x) + 1) at x = 0: the inf is born at sqrt and only passes through add.
    x = Value(0.0, "x")
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        ((x.sqrt() + 1.0).exp()).backward()
    assert caught.value.op == "sqrt"


def test_create_graph_works_in_anomaly_mode() -> None:
    # mutant engine.grad: `_anomaly_mode_used and not create_graph` -> `or` would check Values
    x = Value(1.5)
    with detect_anomaly():
        (first,) = grad(x * x * x, [x], create_graph=True)  # 3 x**2 = 6.75
        (second,) = grad(first, [x])  # 6 x = 9
    assert (first.data, second) == (6.75, 9.0)

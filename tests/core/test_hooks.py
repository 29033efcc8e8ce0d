"""Gradient hooks, ``Value.register_hook``: PyTorch's ``Tensor.register_hook`` semantics in
``backward``, ``grad``, ``grad(create_graph=True)``, ``backward(inputs=...)``, anomaly mode
and the step-through.

The reference graph is x = 2, h = 3x, y = h^2: dy/dh = 2h = 12, dy/dx = 36.  PyTorch's numbers
for the same graph and hooks are compared live in ``tests/core/test_pytorch_live.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from autograd_lite import (
    AnomalyError,
    Value,
    backward_html,
    backward_steps,
    constant,
    detect_anomaly,
    func,
    grad,
)
from autograd_lite import math as am
from autograd_lite.core.hooks import HOOKS, remove_hooks
from autograd_lite.graph.steps import describe
from autograd_lite.graph.wengert import value_names


@pytest.fixture(autouse=True)
def no_hook_outlives_its_test() -> Iterator[None]:
    yield
    leaked = dict(HOOKS)
    remove_hooks()
    assert not leaked, f"hooks left registered: {leaked}"


def reference() -> tuple[Value, Value, Value]:
    x = Value(2.0, "x")
    h = x * 3.0
    return x, h, h * h


def test_a_hook_sees_the_complete_gradient_and_its_result_flows_on() -> None:
    x, h, y = reference()
    seen: list[float] = []
    handle = h.register_hook(lambda g: seen.append(g) or g * 10)
    y.backward()
    assert seen == [12.0]  # once, complete: both uses of h reported
    assert (h.grad, x.grad) == (120.0, 360.0)
    handle.remove()


def test_a_hook_returning_none_changes_nothing() -> None:
    x, h, y = reference()
    seen: list[float] = []
    with h.register_hook(seen.append), x.register_hook(seen.append):
        y.backward()
    assert seen == [12.0, 36.0]  # h before x: reverse order
    assert (h.grad, x.grad) == (12.0, 36.0)


def test_a_leaf_hook_replaces_what_the_leaf_accumulates() -> None:
    x, _, y = reference()
    x.grad = 1.0
    with x.register_hook(lambda g: g + 1):
        y.backward()
        assert x.grad == 1.0 + 37.0
        y.backward()
        assert x.grad == 1.0 + 2 * 37.0


def test_the_roots_hook_gets_the_seed() -> None:
    x = Value(2.0)
    z = x * x
    with z.register_hook(lambda g: g * 3):
        z.backward(0.5)
    assert x.grad == 0.5 * 3 * 4.0


def test_hooks_of_one_value_chain_in_the_order_registered() -> None:
    x = Value(1.0)
    w = x * 2.0
    with w.register_hook(lambda g: g + 1), w.register_hook(lambda g: g * 10):
        w.backward()
    assert x.grad == (1.0 + 1) * 10 * 2.0  # PyTorch: 40


def test_remove_unregisters_once_and_frees_the_value() -> None:
    x, h, y = reference()
    handle = h.register_hook(lambda g: 0.0)
    assert h in HOOKS
    handle.remove()
    handle.remove()  # again: nothing
    assert h not in HOOKS and not HOOKS
    y.backward()
    assert x.grad == 36.0


def test_the_same_function_registered_twice_runs_twice_and_is_removed_once() -> None:
    x = Value(1.0)
    w = x * 1.0

    def double(g: float) -> float:
        return 2 * g

    first, second = w.register_hook(double), w.register_hook(double)
    w.backward()
    assert x.grad == 4.0
    first.remove()
    w.backward()
    assert x.grad == 4.0 + 2.0
    second.remove()
    assert not HOOKS


def test_a_hook_is_not_called_where_no_gradient_arrives() -> None:
    x, unused = Value(1.0), Value(5.0)
    branch = unused * 2.0
    called: list[float] = []
    with branch.register_hook(called.append):
        (x * 3.0).backward()
    assert called == []


def test_grad_runs_the_hooks_as_backward_does() -> None:
    x, h, y = reference()
    with h.register_hook(lambda g: g * 10), x.register_hook(lambda g: g + 1):
        assert grad(y, [x, h]) == [361.0, 120.0]  # PyTorch: 361, and 12 for h (see the docs)
        assert x.grad == 0.0 and h.grad == 0.0  # grad touches no .grad


def test_under_create_graph_a_hook_gets_and_may_return_a_value() -> None:
    """Hook on h returning g * h: dy/dx = (2h * h) * 3 = 6 h^2 = 54 x^2; d/dx = 108 x."""
    x, h, y = reference()
    given: list[Any] = []

    def times_h(g: Value) -> Value:
        given.append(g)
        return g * h

    with h.register_hook(times_h):
        first = grad(y, x, create_graph=True)
    assert isinstance(given[0], Value) and given[0].data == 12.0
    assert first.data == 54 * 4.0
    assert grad(first, x) == 108 * 2.0
    # registered during the second pass too, the hook runs there as well (float mode: a
    # Value returned gives its number): d/dx of 54 x^2 through h, times h = 6 -- PyTorch's 1296
    with h.register_hook(times_h):
        assert grad(first, x) == 108 * 2.0 * 6.0


def test_a_hook_behind_a_zero_gradient_runs_in_every_mode() -> None:
    """Found in review: y = tanh(w x) * 0 (a dropped unit).  The hook on w, given d y / d w =
    0, adds 0.5; backward and grad ran it, grad(create_graph=True) stopped at the zero
    adjoint and lost it.  Every mode gives 0.5 now, as PyTorch does."""
    w, x = Value(-2.0), Value(3.0)
    y = (w * x).tanh() * 0.0
    seen: list[Any] = []
    with w.register_hook(lambda g: seen.append(g) or g + 0.5):
        assert grad(y, w) == 0.5
        y.backward()
        assert w.grad == 0.5
        assert grad(y, w, create_graph=True).data == 0.5
    assert [g.data if isinstance(g, Value) else g for g in seen] == [0.0, 0.0, 0.0]


def test_backward_inputs_and_func_grad_run_the_hooks() -> None:
    _, h, y = reference()
    with h.register_hook(lambda g: 0.0):
        y.backward(inputs=[h])
        assert h.grad == 0.0  # PyTorch: 0
    w = Value(3.0)

    def f(t: Any) -> Any:
        scaled = t * w
        scaled.register_hook(lambda g: g * 2).remove()  # registered and removed: no effect
        return scaled * scaled

    assert func.grad(f)(1.0) == 2 * 9.0


@pytest.mark.parametrize("returned", ["a", None.__class__, [1.0]])
def test_a_hook_returning_something_else_is_refused_and_nothing_changes(returned: Any) -> None:
    x, h, y = reference()
    x.grad = 0.5
    with h.register_hook(lambda g: returned), pytest.raises(
            TypeError, match=r"^register_hook: the hook '<lambda>' of Value\(data=6\.0.* "
                             r"returned .*; expected a new gradient \(a number or a Value\) "
                             r"or None$"):
        y.backward()
    assert (x.grad, h.grad, y.grad) == (0.5, 0.0, 0.0)


def test_registering_refuses_a_constant_and_a_non_callable() -> None:
    with pytest.raises(RuntimeError, match=r"^register_hook: cannot register a hook on "
                                           r"Value\(data=1\.0, grad=0\.0\), which does not "
                                           r"require grad"):
        constant(1.0).register_hook(print)
    with pytest.raises(TypeError, match=r"^register_hook: hook must be callable \(grad -> new "
                                        r"grad or None\), got float 3\.0$"):
        Value(1.0).register_hook(3.0)  # type: ignore[arg-type]
    assert not HOOKS


def test_anomaly_mode_sees_what_the_hooks_return() -> None:
    x = Value(1.0)
    w = am.sqrt(x)
    with w.register_hook(lambda g: float("inf")), detect_anomaly(), \
            pytest.raises(AnomalyError):
        w.backward()
    assert x.grad == 0.0


def test_the_step_through_applies_and_says_so() -> None:
    x, h, y = reference()
    with h.register_hook(lambda g: g * 10), x.register_hook(lambda g: g + 1):
        names = value_names([x, h, y])
        steps = list(backward_steps(y))
        assert (x.grad, h.grad) == (361.0, 120.0)  # as backward
        lines = [describe(step, names) for step in steps]
        assert "upstream grad 120 (its hook replaced 12)" in lines[1]
        assert "hook" not in lines[0]
        page = backward_html(y, backend="wasm")
    data = json.loads(re.search(r'<script id="steps-data" type="application/json">(.*?)'
                                r"</script>", page, re.S)[1])  # type: ignore[index]
    assert [step[3] for step in data["steps"]] == ["", "12"]
    assert [step[1] for step in data["steps"]] == ["1", "120"]
    assert data["leafHooks"] == [[0, "360", "361"]]


def test_the_step_through_of_a_leaf_root_with_a_hook() -> None:
    x = Value(2.0)
    with x.register_hook(lambda g: g * 5):
        assert list(backward_steps(x)) == []
    assert x.grad == 5.0


def test_without_hooks_backward_takes_its_plain_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hot loop pays nothing for hooks: with none registered, backward is the specialised
    accumulate_into_grad; with one, the reverse pass that runs them."""
    from autograd_lite.core import value as value_module
    calls: list[str] = []
    original = value_module.accumulate_into_grad
    monkeypatch.setattr(value_module, "accumulate_into_grad",
                        lambda *a: calls.append("plain") or original(*a))
    x, h, y = reference()
    y.backward()
    with h.register_hook(lambda g: None):
        y.backward()
    assert calls == ["plain"]
    assert x.grad == 72.0

"""The semantics table of the reference (docs/reference/semantics.md), row by row: what a
PyTorch or micrograd user can expect."""

from __future__ import annotations

import math

import pytest

from autograd_lite import (
    Value,
    constant,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    zero_grad,
)
from autograd_lite import math as am


# -- requires_grad propagates as in PyTorch ---------------------------------------------
def test_a_value_tracks_gradients_by_default() -> None:
    assert Value(3.0).requires_grad


def test_an_operation_on_constants_is_a_constant_leaf() -> None:
    c = Value(1.0, requires_grad=False)
    for result in (c.exp(), c * 3.0, c + c, am.sin(c), Value(2.0).detach() * 3):
        assert not result.requires_grad
        assert result.is_leaf


def test_only_a_leaf_can_change_its_requires_grad_flag() -> None:
    w = Value(3.0)
    w.requires_grad = False                 # a leaf: now a constant, as torch allows
    assert not w.requires_grad and not (w * 2.0).requires_grad
    w.requires_grad = True
    assert (w * 2.0).requires_grad
    y = w * 2.0
    y.requires_grad = True                  # a recorded node already requires gradients
    with pytest.raises(RuntimeError, match=r"requires_grad: only a leaf.*result of mul"):
        y.requires_grad = False
    assert y.requires_grad and y.parents == (w,)   # nothing half-changed
    y.backward()
    assert w.grad == 2.0


def test_a_constant_input_never_receives_a_gradient() -> None:
    c = Value(2.0, requires_grad=False)
    w = Value(3.0)
    (c * w).backward()
    assert w.grad == 2.0
    assert c.grad == 0.0
    y = (c.exp() + w * c) * c   # c reached along three paths
    y.backward()
    assert c.grad == 0.0


def test_backward_from_a_constant_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Value(2.0).detach() * 3).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        constant(1.0).backward()


def test_backward_twice_accumulates_leaves_and_overwrites_the_rest() -> None:
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0     # leaves accumulate: 4 + 4
    assert y.grad == 1.0     # micrograd also resets the root's grad to 1


def test_grad_of_a_constant_output_raises_or_gives_zero_when_asked() -> None:
    x = Value(1.5)
    first = grad(x * 3.0, x, create_graph=True)  # 3: depends on nothing
    assert first.data == 3.0 and not first.requires_grad
    with pytest.raises(RuntimeError, match=r"does not require grad.*materialize_grads=True"):
        grad(first, x)
    assert grad(first, x, materialize_grads=True) == 0.0
    # x ** 0 records a derivative that still depends on x (dpow(x, 0)): 0 without asking
    assert grad(grad(x ** 0.0, x, create_graph=True), x) == 0.0


def test_grad_of_an_unused_input() -> None:
    x, unused = Value(1.0), Value(2.0)
    y = x * x
    with pytest.raises(RuntimeError, match=r"allow_unused=True"):
        grad(y, [x, unused])
    assert grad(y, [x, unused], allow_unused=True) == [2.0, None]
    assert grad(y, [x, unused], materialize_grads=True) == [2.0, 0.0]
    assert grad(y, [x, unused], allow_unused=True, materialize_grads=True) == [2.0, 0.0]
    with pytest.raises(ValueError, match=r"allow_unused=False"):  # as PyTorch: contradictory
        grad(y, [x, unused], allow_unused=False, materialize_grads=True)


def test_grad_with_respect_to_nothing_is_an_error() -> None:
    # PyTorch: "grad requires non-empty inputs"; an empty list back would hide a lost input.
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"^grad: inputs is empty"):
        grad(x * x, [])


def test_grad_wants_inputs_that_require_grad() -> None:
    with pytest.raises(RuntimeError, match=r"grad: input .* does not require grad"):
        grad(Value(1.0) * 2, [constant(1.0)])
    with pytest.raises(TypeError, match=r"grad: inputs must be a Value or a sequence of "
                                        r"Values, got float 2.0"):
        grad(Value(1.0) * 2, 2.0)  # type: ignore[call-overload]


def test_no_grad_as_context_decorator_and_bare_decorator() -> None:
    x = Value(1.0)
    with no_grad():
        assert not (x * 2).requires_grad

    @no_grad()
    def called() -> Value:
        return x * 2

    @no_grad
    def bare() -> Value:
        return x * 2

    assert not called().requires_grad and not bare().requires_grad
    assert (x * 2).requires_grad
    with pytest.raises(TypeError, match=r"no_grad: expected a function to decorate or "
                                        r"nothing, got float 3\.0"):
        no_grad(3.0)  # type: ignore[arg-type]


def test_set_grad_enabled_as_a_function_sets_the_mode_until_changed() -> None:
    x = Value(1.0)
    try:
        set_grad_enabled(False)
        assert not is_grad_enabled() and not (x * 2).requires_grad
        set_grad_enabled(True)
        assert is_grad_enabled() and (x * 2).requires_grad
    finally:
        set_grad_enabled(True)


@pytest.mark.parametrize("outside", [True, False])
@pytest.mark.parametrize("mode", [True, False])
def test_set_grad_enabled_as_a_context_manager_restores_the_mode_before_the_call(
        outside: bool, mode: bool) -> None:
    x = Value(1.0)
    with set_grad_enabled(outside):
        with set_grad_enabled(mode):
            assert is_grad_enabled() is mode and (x * 2).requires_grad is mode
        assert is_grad_enabled() is outside
    assert is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_applies_at_each_call_only() -> None:
    x = Value(1.0)

    @set_grad_enabled(False)
    def predict() -> Value:
        assert not is_grad_enabled()
        return x * 2

    assert is_grad_enabled()  # decorating undid the call's own setting
    assert not predict().requires_grad
    assert is_grad_enabled() and (x * 2).requires_grad
    with no_grad():
        recording = set_grad_enabled(True)(lambda: x * 2)
        assert not is_grad_enabled()
        assert recording().requires_grad


def test_one_set_grad_enabled_object_reentered_and_nested() -> None:
    mode = set_grad_enabled(False)
    assert not is_grad_enabled()
    with mode:
        with mode:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()  # the mode from before the call
    with enable_grad(), mode:
        assert not is_grad_enabled()
    assert is_grad_enabled()


@pytest.mark.parametrize("bad", [1, 0, None, "False", 1.0])
def test_set_grad_enabled_wants_a_bool_and_changes_nothing(bad: object) -> None:
    with pytest.raises(TypeError, match=rf"^set_grad_enabled: mode must be a bool, got "
                                        rf"{type(bad).__name__} "):
        set_grad_enabled(bad)  # type: ignore[arg-type]
    assert is_grad_enabled()


def test_backward_inputs_accumulates_only_into_the_given_values() -> None:
    # PyTorch's numbers (checked live in tests/core/test_pytorch_live.py): y = (3x)^2 + b at
    # x = 2, inputs [h, x, u] with h = 3x a recorded node and u unused: x 36, h 12, b none.
    x, b, u = Value(2.0), Value(1.0), Value(5.0)
    b.grad = 0.5
    h = x * 3.0
    y = h * h + b
    y.backward(inputs=[h, x, u])
    assert (x.grad, h.grad, b.grad, u.grad, y.grad) == (36.0, 12.0, 0.5, 0.0, 0.0)
    y.backward(inputs=[h, x])  # accumulates, a recorded node among them too
    assert (x.grad, h.grad, b.grad) == (72.0, 24.0, 0.5)
    y.backward(inputs=x)  # one Value; a repeated one counts once
    y.backward(inputs=[b, b])
    assert (x.grad, b.grad) == (108.0, 1.5)


def test_backward_inputs_follows_the_seed_and_anomaly_mode() -> None:
    from autograd_lite import AnomalyError, detect_anomaly
    x = Value(0.0)
    (x * 4.0).backward(0.5, inputs=[x])
    assert x.grad == 2.0
    y = am.sqrt(x) + x
    with detect_anomaly(), pytest.raises(AnomalyError):
        y.backward(inputs=[x])
    assert x.grad == 2.0  # all or nothing


@pytest.mark.parametrize(("inputs", "error", "message"), [
    ([], ValueError, r"^backward: inputs is empty \(\[\]\)"),
    (3.0, TypeError, r"^backward: inputs must be a Value or a sequence of Values, got float"),
    ([1.0], TypeError, r"^backward: inputs must be Values, got float 1\.0$"),
    ("x", TypeError, r"^backward: inputs must be a Value or a sequence of Values, got str"),
])
def test_backward_inputs_refuses_bad_inputs_and_changes_nothing(
        inputs: object, error: type[Exception], message: str) -> None:
    x = Value(2.0)
    x.grad = 0.25
    with pytest.raises(error, match=message):
        (x * x).backward(inputs=inputs)  # type: ignore[arg-type]
    assert x.grad == 0.25


def test_backward_inputs_refuses_a_constant_and_changes_nothing() -> None:
    x, c = Value(2.0), constant(3.0)
    with pytest.raises(RuntimeError, match=r"^backward: input Value\(data=3\.0.* does not "
                                           r"require grad$"):
        (x * c).backward(inputs=[x, c])
    assert (x.grad, c.grad) == (0.0, 0.0)


def test_zero_grad_takes_one_value_or_several() -> None:
    x, y = Value(1.0), Value(2.0)
    (x * y).backward()
    zero_grad(x)
    assert (x.grad, y.grad) == (0.0, 1.0)
    zero_grad([x, y])
    assert y.grad == 0.0
    with pytest.raises(TypeError, match=r"zero_grad: values must be Values, got float 1\.0"):
        zero_grad([x, 1.0])  # type: ignore[list-item]
    assert x.grad == 0.0


# -- no silent graph cut -----------------------------------------------------------------
@pytest.mark.parametrize("cut", [float, int, round, math.exp, math.sqrt],
                         ids=["float", "int", "round", "math.exp", "math.sqrt"])
def test_turning_a_tracked_value_into_a_number_is_refused(cut: object) -> None:
    v = Value(2.0)
    with pytest.raises(TypeError, match=r"would cut the graph: use v.item\(\)"):
        cut(v)  # type: ignore[operator]


def test_a_constant_is_a_number_for_python() -> None:
    c = Value(2.5, requires_grad=False)
    assert (float(c), int(c), round(c)) == (2.5, 2, 2)
    assert math.exp(c) == math.exp(2.5)


def test_item_always_gives_the_number() -> None:
    assert Value(2.5).item() == 2.5
    assert Value(2.5).data == 2.5


def test_truth_of_a_value_is_refused() -> None:
    with pytest.raises(TypeError, match="truth value of a Value is ambiguous"):
        bool(Value(0.0))
    with pytest.raises(TypeError, match="truth value"):
        if Value(1.0):  # pragma: no cover - the test is that this raises
            pass


def test_a_value_is_not_an_index() -> None:
    with pytest.raises(TypeError, match="cannot be used as an index"):
        [1, 2, 3][Value(1.0)]  # type: ignore[call-overload]


def test_format_formats_the_number() -> None:
    v = Value(2.0 / 3.0)
    assert format(v, ".3f") == "0.667"
    assert f"{v:.2e}" == "6.67e-01"
    assert f"{v}" == repr(v)


def test_comparisons_compare_numbers_and_equality_is_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and b >= a and not a > b
    assert a != b and a == a
    assert len({a, b, a}) == 2
    assert {a: "a"}[a] == "a"


def test_the_differentiable_math_keeps_the_gradient() -> None:
    v = Value(2.0)
    am.exp(v).backward()
    assert v.grad == math.exp(2.0)

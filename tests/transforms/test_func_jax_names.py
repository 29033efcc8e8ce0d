"""What JAX and torch.func users reach for: ``has_aux``, ``value_and_grad``, ``jacfwd`` and
``jacrev``, keyword arguments passed through.

Expected values are closed forms.  JAX's documented behaviour is the reference (no JAX here):
``grad(f, has_aux=True)(x) == (df, aux)``, ``value_and_grad(f, has_aux=True)(x) ==
((f, aux), df)``; torch.func's ``grad`` agrees, and is compared live when torch is installed.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd_lite import Value, no_grad
from autograd_lite import math as am
from autograd_lite.func import grad, hessian, jacfwd, jacobian, jacrev, jvp, value_and_grad


def loss(w: Any, x: Any, *, target: float = 0.0) -> tuple[Any, dict[str, Any]]:
    """(w x - target)^2 with the prediction and a note as auxiliary outputs."""
    prediction = w * x
    return (prediction - target) ** 2, {"prediction": prediction, "note": "fit", "seen": [x]}


def test_grad_with_aux_gives_the_derivative_and_the_aux_as_numbers() -> None:
    derivative, aux = grad(loss, has_aux=True)(2.0, 3.0, target=5.0)
    assert derivative == 2 * (6.0 - 5.0) * 3.0  # 2 (w x - t) x
    assert aux == {"prediction": 6.0, "note": "fit", "seen": [3.0]}
    assert type(aux["prediction"]) is float
    both, aux = grad(loss, (0, 1), has_aux=True)(2.0, 3.0, target=5.0)
    assert both == (6.0, 4.0)  # (2 (wx - t) x, 2 (wx - t) w)


def test_value_and_grad_gives_the_value_and_the_derivative() -> None:
    def f(x: Any, y: Any) -> Any:
        return am.sin(x) * y

    x, y = 0.3, 2.0
    value, derivative = value_and_grad(f)(x, y)
    assert value == math.sin(x) * y and derivative == pytest.approx(math.cos(x) * y, rel=1e-15)
    value, derivatives = value_and_grad(f, (0, 1))(x, y)
    assert derivatives == pytest.approx((math.cos(x) * y, math.sin(x)), rel=1e-15)
    (value, aux), derivative = value_and_grad(loss, has_aux=True)(2.0, 3.0, target=5.0)
    assert (value, derivative, aux["prediction"]) == (1.0, 6.0, 6.0)
    (value, aux), derivative = value_and_grad(loss, 1, True)(2.0, 3.0)
    assert (value, derivative) == (36.0, 24.0)  # 2 w^2 x


def test_value_and_grad_records_f_once() -> None:
    calls = []

    def counted(x: Any) -> Any:
        calls.append(x)
        return x * x

    assert value_and_grad(counted)(3.0) == (9.0, 6.0)
    assert len(calls) == 1


def test_they_nest_as_the_other_transforms() -> None:
    """d/dx of the derivative that value_and_grad returns is the second derivative; the
    value inside an outer transform is a recorded Value, differentiated like f."""
    def f(x: Any) -> Any:
        return am.exp(2.0 * x)

    x = 0.4
    assert grad(lambda t: value_and_grad(f)(t)[1])(x) == pytest.approx(4 * math.exp(0.8))
    assert grad(lambda t: value_and_grad(f)(t)[0])(x) == pytest.approx(2 * math.exp(0.8))
    tangent = jvp(lambda t: value_and_grad(f)(t)[1], (x,), (1.0,))[1]
    assert tangent == pytest.approx(4 * math.exp(0.8))
    # the aux inside an outer grad: a recorded Value, differentiable in its turn
    assert grad(lambda t: grad(lambda s: (s * s, s * t), has_aux=True)(t)[1])(x) == 2 * x
    assert hessian(lambda t: value_and_grad(f)(t)[0])(x) == pytest.approx(4 * math.exp(0.8))


def test_on_values_the_results_are_recorded_and_respect_no_grad() -> None:
    w = Value(2.0)
    value, derivative = value_and_grad(lambda t: t * t * t)(w)
    assert isinstance(value, Value) and isinstance(derivative, Value)
    derivative.backward()
    assert w.grad == 12.0  # d/dw 3 w^2
    with no_grad():
        value, derivative = value_and_grad(lambda t: t * t * t)(w)
    assert (value, derivative) == (8.0, 12.0)


def test_jacfwd_is_forward_mode_with_the_layout_of_jacrev() -> None:
    def f(x: Any, y: Any) -> tuple[Any, Any]:
        return x * y, am.sin(x) + y

    x, y = 0.5, 3.0
    expected = ((y, x), (math.cos(x), 1.0))  # J[i][j] = d out_i / d x_j
    rows = jacfwd(f, (0, 1))(x, y)
    assert [pytest.approx(row, rel=1e-15) for row in expected] == list(rows)
    assert jacfwd(f)(x, y) == pytest.approx((y, math.cos(x)), rel=1e-15)
    assert jacfwd(lambda a, b: a * b, (0, 1))(x, y) == (y, x)
    assert jacfwd(lambda a: a * a)(x) == 2 * x
    for argnums in (0, 1, (0, 1), (1, 0)):
        forward, reverse = jacfwd(f, argnums)(x, y), jacrev(f, argnums)(x, y)
        assert len(forward) == len(reverse) == 2
        for row_forward, row_reverse in zip(forward, reverse):
            assert row_forward == pytest.approx(row_reverse, rel=1e-15)
    assert jacrev is jacobian


def test_keyword_arguments_pass_through_the_new_names_undifferentiated() -> None:
    def scaled(x: Any, *, scale: Any) -> Any:
        return scale * x * x

    assert value_and_grad(scaled)(3.0, scale=2.0) == (18.0, 12.0)
    assert grad(lambda x, *, s: (s * x, s), has_aux=True)(1.0, s=4.0) == (4.0, 4.0)
    assert jacfwd(scaled)(3.0, scale=2.0) == 12.0
    assert jacrev(scaled)(3.0, scale=2.0) == 12.0


@pytest.mark.parametrize(("call", "message"), [
    (lambda: grad(loss, has_aux=1), r"^grad: has_aux must be a bool, got int 1$"),
    (lambda: value_and_grad(loss, has_aux="yes"),
     r"^value_and_grad: has_aux must be a bool, got str 'yes'$"),
    (lambda: grad(lambda x: x * x, has_aux=True)(1.0),
     r"^grad: with has_aux=True, f must return a pair \(output, aux\), got Value$"),
    (lambda: value_and_grad(lambda x: (x, x, x), has_aux=True)(1.0),
     r"^value_and_grad: with has_aux=True, f must return a pair \(output, aux\), got a "
     r"tuple of 3$"),
    (lambda: value_and_grad(loss)(1.0, 2.0),
     r"^value_and_grad: the function must return one number, got a tuple of 2"),
    (lambda: value_and_grad(3.0), r"^value_and_grad: f must be callable, got float$"),
    (lambda: value_and_grad(loss)("a", 2.0),
     r"^value_and_grad input: expected a real number, got str 'a'$"),
    (lambda: jacfwd(lambda x: x, argnums=(0, 0))(1.0),
     r"^jacfwd: argnums \(0, 0\) repeats an argument$"),
    (lambda: jacfwd(3.0), r"^jacfwd: f must be callable, got float$"),
    (lambda: jacfwd(lambda x: x)("a"), r"^jacfwd input: expected a real number, got str"),
])
def test_bad_inputs_name_the_function(call: Any, message: str) -> None:
    with pytest.raises(TypeError if "repeats" not in message else ValueError, match=message):
        call()


def test_value_and_grad_argnums_out_of_range_names_it() -> None:
    with pytest.raises(ValueError, match=r"^value_and_grad: argnums 2 is out of range for 1 "
                                         r"arguments$"):
        value_and_grad(lambda x: x, argnums=2)(1.0)


def test_torch_func_grad_with_aux_gives_the_same() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: the live comparison "
                                                "with torch.func is skipped")

    def torch_loss(w: Any, x: Any) -> Any:
        prediction = w * x
        return (prediction - 5.0) ** 2, prediction

    w, x = torch.tensor(2.0, dtype=torch.float64), torch.tensor(3.0, dtype=torch.float64)
    derivative, aux = torch.func.grad(torch_loss, has_aux=True)(w, x)
    ours = grad(lambda a, b: loss(a, b, target=5.0), has_aux=True)(2.0, 3.0)
    assert (ours[0], ours[1]["prediction"]) == (derivative.item(), aux.item())
    derivative, (value, aux) = torch.func.grad_and_value(torch_loss, has_aux=True)(w, x)
    (ours_value, ours_aux), ours_derivative = value_and_grad(
        lambda a, b: loss(a, b, target=5.0), has_aux=True)(2.0, 3.0)
    assert (ours_value, ours_aux["prediction"], ours_derivative) == (
        value.item(), aux.item(), derivative.item())
    jac = torch.func.jacfwd(lambda a, b: a * b + torch.sin(a), argnums=(0, 1))(w, x)
    assert jacfwd(lambda a, b: a * b + am.sin(a), (0, 1))(2.0, 3.0) == pytest.approx(
        tuple(j.item() for j in jac), rel=1e-15)

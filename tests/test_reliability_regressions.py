"""Regressions: bugs the differential fuzzer (bench/fuzz.py) found, each pinned by a test.

1. ``x ** -1.0`` at x = 1e-200 has the finite value 1e200, but recording it computed the local
   derivative -1 * x**-2 = -1e400 with the checked ``FloatMath.pow`` (the old layout), which raised
   ``DomainError: pow(1e-200, -2.0): result overflows a float`` -- an operation the user never
   wrote, in the *forward* pass -- while ``1.0 / x`` recorded fine and back-propagated -inf.
   Found as "eager evaluation raises a different DomainError than evaluation on floats"
   (tier "wild"); fixed in ``ops.FloatMath.dpow`` (now ``rules._dpow``, the ``dpow``
   primitive): an overflowing slope is +-inf, like every other rule's, and anomaly mode
   reports it.
2. Forward and reverse mode disagreed where a zero met an infinity (0 * inf = nan): reverse
   mode skipped a zero adjoint, forward mode a zero tangent, neither a zero local derivative.
   ``sqrt(relu(x))`` at x = -1 back-propagated nan (sqrt'(0) = inf times relu'(-1) = 0), and
   the jvp of ``(2.5 + x) + tanh(x ** -1)`` at x = 1e-172 was nan (tangent -inf times
   tanh' = 0).  Found as "jvp and backward disagree" (tier "wild"); fixed by one rule for
   every mode, ``engine.chain_term`` (now ``core.reverse.chain_term``): a term with either
   factor 0 adds exactly 0.
3. The NumPy batch replay raised "result overflows a float" for the slope of ``x ** -1`` at
   1e-200 where eager mode (after fix 1) gives -inf; ``NumpyMath.dpow`` (now
   ``rules._array_dpow``, the dpow primitive's array function) mirrors the float one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd_lite import Value, grad, jvp, no_grad
from autograd_lite.compile import compiled
from autograd_lite.core.anomaly import AnomalyError, detect_anomaly


def test_regression_powc_slope_overflow_does_not_refuse_a_finite_forward_value() -> None:
    with no_grad():
        assert (Value(1e-200) ** -1.0).data == 1e200  # the forward value is finite
    x = Value(1e-200)
    y = x ** -1.0
    assert y.data == 1e200
    y.backward()
    assert x.grad == -math.inf  # d/dx x**-1 = -x**-2 = -1e400: overflows, as for 1.0 / x
    z = Value(1e-200)
    (1.0 / z).backward()
    assert z.grad == x.grad


@pytest.mark.parametrize(("x", "c", "slope"), [
    (1e-200, -1.0, -math.inf),   # -1 * x**-2, x**-2 > 0
    (-1e-200, -1.0, -math.inf),  # -1 * x**-2, x**-2 > 0 for x < 0 too
    (1e-120, -2.0, -math.inf),   # -2 * x**-3, x**-3 > 0
    (-1e-120, -2.0, math.inf),   # -2 * x**-3, x**-3 < 0 for x < 0 (odd power)
])
def test_regression_an_overflowing_slope_has_the_sign_of_c_x_to_the_c_minus_1(
        x: float, c: float, slope: float) -> None:
    v = Value(x)
    (v ** c).backward()
    assert v.grad == slope


def test_regression_anomaly_mode_reports_the_overflowing_slope() -> None:
    x = Value(1e-200, "x")
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"^powc\(1e-200, -1\.0\): "
                                         r"backward: the gradient reaching argument 0 'x' is "
                                         r"-inf"):
        (x ** -1.0).backward()


def saturated_tanh_of_reciprocal(x: Value) -> Value:
    return (2.5 + x) + (x ** -1.0).tanh()


def sqrt_of_relu(x: Value) -> Value:
    return x.relu().sqrt()


@pytest.mark.parametrize(("f", "x", "slope"), [
    (saturated_tanh_of_reciprocal, 1.1575493636887382e-172, 1.0),  # tanh' = 0 stops -inf
    (sqrt_of_relu, -1.0, 0.0),  # relu' = 0 stops sqrt'(0) = inf
])
def test_regression_zero_times_infinity_is_zero_in_every_mode(
        f: Callable[[Value], Value], x: float, slope: float) -> None:
    v = Value(x)
    f(v).backward()
    assert v.grad == slope
    w = Value(x)
    assert grad(f(w), w) == slope
    assert jvp(f, [x], [1.0])[1] == slope
    assert compiled(f)(x).grads == (slope,)


def test_regression_zero_times_infinity_in_a_numpy_batch() -> None:
    pytest.importorskip("numpy")
    batch = compiled(sqrt_of_relu).batch([-1.0, 4.0], reduce="sum", backend="numpy")
    assert list(batch.grads[0]) == [0.0, 0.25]  # d sqrt(relu(x)) = 1 / (2 sqrt x) for x > 0


def test_regression_numpy_batch_gives_the_overflowing_slope_eager_mode_gives() -> None:
    pytest.importorskip("numpy")
    f = compiled(lambda x: x ** -1.0)
    assert f(1e-200).grads == (-math.inf,)
    batch = f.batch([1e-200, 2.0], reduce="sum", backend="numpy")
    assert list(batch.grads[0]) == [-math.inf, -0.25]

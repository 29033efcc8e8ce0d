"""autograd_lite.nn.losses: each loss against its formula, and its gradient against differences."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite.core.errors import DomainError
from autograd_lite.core.value import Value
from autograd_lite.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    half_squared_error,
    hinge,
    l2_penalty,
    mean,
    mean_squared_error,
    softmax_cross_entropy,
    squared_error,
)

finite = st.floats(-10, 10, allow_nan=False)


def _check_gradient(f: Callable[[list[Value]], Value], xs: Sequence[float],
                    h: float = 1e-6) -> None:
    """Engine gradient of f at xs equals the central difference in every input."""
    leaves = [Value(x) for x in xs]
    out = f(leaves)
    out.backward()
    for i, leaf in enumerate(leaves):
        up = f([Value(x + h if j == i else x) for j, x in enumerate(xs)]).data
        down = f([Value(x - h if j == i else x) for j, x in enumerate(xs)]).data
        assert leaf.grad == pytest.approx((up - down) / (2 * h), abs=1e-5, rel=1e-5)


@settings(max_examples=30)
@given(y=finite, t=finite)
def test_squared_error_is_y_minus_t_squared_with_slope_2_y_minus_t(y: float, t: float) -> None:
    yv = Value(y)
    loss = squared_error(yv, t)
    loss.backward()
    assert loss.data == pytest.approx((y - t) ** 2)
    assert yv.grad == pytest.approx(2 * (y - t))  # note 003: delta_o = 2 (y - t)


@settings(max_examples=30)
@given(y=finite, t=finite)
def test_half_squared_error_slope_is_y_minus_t(y: float, t: float) -> None:
    yv = Value(y)
    loss = half_squared_error(yv, t)
    loss.backward()
    assert loss.data == pytest.approx(0.5 * (t - y) ** 2)
    assert yv.grad == pytest.approx(y - t)  # notes 000 and 002: dC/da = a - y


@settings(max_examples=30)
@given(pairs=st.lists(st.tuples(finite, finite), min_size=1, max_size=6))
def test_mean_squared_error(pairs: list[tuple[float, float]]) -> None:
    ys, ts = [p[0] for p in pairs], [p[1] for p in pairs]
    expected = math.fsum((y - t) ** 2 for y, t in pairs) / len(pairs)
    assert mean_squared_error(ys, ts).data == pytest.approx(expected)
    _check_gradient(lambda v: mean_squared_error(v, ts), ys)


def test_mean_squared_error_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 predictions but 1 targets"):
        mean_squared_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="mean: no values"):
        mean([])


@settings(max_examples=40)
@given(p=st.floats(0.01, 0.99), t=st.floats(0, 1))
def test_binary_cross_entropy_value_and_gradient(p: float, t: float) -> None:
    expected = -(t * math.log(p) + (1 - t) * math.log(1 - p))
    assert binary_cross_entropy(p, t).data == pytest.approx(expected)
    _check_gradient(lambda v: binary_cross_entropy(v[0], t), [p])


def test_binary_cross_entropy_saturated_prediction() -> None:
    assert binary_cross_entropy(1.0, 1.0).data == 0.0
    assert binary_cross_entropy(0.0, 0.0).data == 0.0
    with pytest.raises(DomainError, match=r"saturated.*binary_cross_entropy_with_logits"):
        binary_cross_entropy(1.0, 0.0)
    with pytest.raises(DomainError, match="must be a probability"):
        binary_cross_entropy(1.5, 0.0)
    with pytest.raises(DomainError, match="target must be in \\[0, 1\\]"):
        binary_cross_entropy(0.5, 2.0)


@settings(max_examples=40)
@given(z=st.floats(-30, 30), t=st.floats(0, 1))
def test_bce_with_logits_equals_bce_of_sigmoid_and_slope_is_sigmoid_minus_t(
        z: float, t: float) -> None:
    p = 1 / (1 + math.exp(-z))
    zv = Value(z)
    loss = binary_cross_entropy_with_logits(zv, t)
    loss.backward()
    softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))  # log(1 + e^z), stable
    assert loss.data == pytest.approx(softplus - t * z, rel=1e-12, abs=1e-12)
    assert zv.grad == pytest.approx(p - t, abs=1e-12)  # note 004: dZ2 = A2 - Y


@pytest.mark.parametrize("z", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_bce_with_logits_is_finite_far_out_and_exact_at_zero(z: float) -> None:
    zv = Value(z)
    loss = binary_cross_entropy_with_logits(zv, 1.0)
    loss.backward()
    assert math.isfinite(loss.data) and loss.data >= 0.0
    sigmoid = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
    assert zv.grad == pytest.approx(sigmoid - 1.0, abs=1e-15)
    if z == -800.0:
        assert loss.data == pytest.approx(800.0)


def test_a_value_target_stays_in_the_graph() -> None:
    # The BCE losses used to read a Value target's .data, so a compiled tape froze it
    # (every row trained against the first row's target) and d loss / d t was 0.
    # Closed forms: d/dt [softplus(z) - t z] = -z;  d/dt BCE(p, t) = log(1 - p) - log p.
    z, t = Value(1.5), Value(0.25)
    binary_cross_entropy_with_logits(z, t).backward()
    assert t.grad == -1.5
    p, t = Value(0.8), Value(0.25)
    binary_cross_entropy(p, t).backward()
    assert t.grad == pytest.approx(math.log(0.2) - math.log(0.8), rel=1e-15)


def test_bce_checks_a_value_target_and_saturation_by_comparisons() -> None:
    with pytest.raises(DomainError, match=r"^binary_cross_entropy_with_logits\(1\.5\): the "
                                          r"target must be in \[0, 1\]$"):
        binary_cross_entropy_with_logits(Value(0.0), Value(1.5))
    assert binary_cross_entropy(Value(1.0), Value(1.0)).data == 0.0   # -(1 log 1)
    assert binary_cross_entropy(Value(0.0), Value(0.0)).data == 0.0
    with pytest.raises(DomainError, match="saturated"):
        binary_cross_entropy(Value(1.0), Value(0.5))


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_value_class_index_gives_the_loss_and_gradient_of_the_int(k: int) -> None:
    """The class index as a Value (as compiled_loss passes it): -log softmax(z)_k and
    d/dz = softmax(z) - one_hot(k), computed here in floats."""
    z = [0.3, -1.2, 2.0]
    total = sum(math.exp(v) for v in z)
    leaves = [Value(v) for v in z]
    target = Value(float(k), requires_grad=False)
    loss = softmax_cross_entropy(leaves, target)  # type: ignore[arg-type]
    assert loss.data == pytest.approx(math.log(total) - z[k], rel=1e-15)
    loss.backward()
    assert [leaf.grad for leaf in leaves] == pytest.approx(
        [math.exp(v) / total - (i == k) for i, v in enumerate(z)], rel=1e-14, abs=1e-16)
    assert target.grad == 0.0


@pytest.mark.parametrize("target", [-1.0, 3.0, 1.5, 0.25])
def test_a_value_target_that_is_not_a_class_index_is_refused(target: float) -> None:
    with pytest.raises(ValueError, match=rf"^softmax_cross_entropy: target must be a class "
                                         rf"index in \[0, 3\), got {re.escape(repr(target))}$"):
        softmax_cross_entropy([Value(0.0), Value(1.0), Value(2.0)],
                              Value(target))  # type: ignore[arg-type]


@settings(max_examples=30)
@given(s=finite, label=st.sampled_from([-1.0, 1.0]))
def test_hinge(s: float, label: float) -> None:
    assert hinge(s, label).data == pytest.approx(max(0.0, 1 - label * s))


@settings(max_examples=40)
@given(z=st.lists(st.floats(-20, 20), min_size=2, max_size=5), data=st.data())
def test_softmax_cross_entropy_value_and_gradient(z: list[float], data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(z) - 1))
    m = max(z)
    expected = m + math.log(math.fsum(math.exp(v - m) for v in z)) - z[k]
    assert softmax_cross_entropy(z, k).data == pytest.approx(expected, abs=1e-12)
    leaves = [Value(v) for v in z]
    softmax_cross_entropy(leaves, k).backward()
    total = math.fsum(math.exp(v - m) for v in z)
    for i, leaf in enumerate(leaves):
        assert leaf.grad == pytest.approx(math.exp(z[i] - m) / total - (i == k), abs=1e-12)


def test_softmax_cross_entropy_does_not_overflow_and_checks_target() -> None:
    assert softmax_cross_entropy([1000.0, 1000.0, 0.0], 0).data == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="class index in \\[0, 2\\), got 2"):
        softmax_cross_entropy([0.0, 1.0], 2)


def test_l2_penalty_is_sum_of_squares_with_slope_2p() -> None:
    ps = [Value(1.5), Value(-2.0), Value(0.25)]
    penalty = l2_penalty(ps)
    penalty.backward()
    assert penalty.data == 1.5**2 + 2.0**2 + 0.25**2
    assert [p.grad for p in ps] == [3.0, -4.0, 0.5]

"""autograd_lite.nn.optim: SGD, momentum and Adam against their update formulas, by hand."""

from __future__ import annotations

import math

import pytest

from autograd_lite.core.errors import DomainError
from autograd_lite.core.value import Value
from autograd_lite.nn.optim import SGD, Adam


def _params(*pairs: tuple[float, float]) -> list[Value]:
    """Values with given (data, grad)."""
    ps = []
    for data, grad in pairs:
        p = Value(data)
        p.grad = grad
        ps.append(p)
    return ps


def test_sgd_is_theta_minus_eta_gradient() -> None:
    # note 003's update: W_{0,1} <- 1 - 0.1 * 11.18 (its gradient dL/dW_{0,1} = delta_o * -1)
    (w,) = _params((1.0, 11.18))
    SGD([w], lr=0.1).step()
    assert round(w.data, 3) == -0.118


def test_sgd_momentum_two_steps_by_hand() -> None:
    (p,) = _params((1.0, 2.0))
    opt = SGD([p], lr=0.5, momentum=0.9)
    opt.step()            # v = 2, p = 1 - 0.5 * 2 = 0
    assert p.data == 0.0
    p.grad = 1.0
    opt.step()            # v = 0.9 * 2 + 1 = 2.8, p = 0 - 1.4
    assert p.data == pytest.approx(-1.4)


def test_adam_first_steps_by_hand() -> None:
    p, q = _params((1.0, 4.0), (2.0, -0.5))
    opt = Adam([p, q], lr=0.1)
    opt.step()  # bias-corrected m / sqrt(s) = g / |g| on the first step
    assert p.data == pytest.approx(1.0 - 0.1 * 4.0 / (4.0 + 1e-8))
    assert q.data == pytest.approx(2.0 + 0.1 * 0.5 / (0.5 + 1e-8))
    p.grad = 2.0
    opt.step()
    m = 0.9 * (0.1 * 4.0) + 0.1 * 2.0
    s = 0.999 * (0.001 * 16.0) + 0.001 * 4.0
    m_hat, s_hat = m / (1 - 0.9**2), s / (1 - 0.999**2)
    expected = 1.0 - 0.1 * 4.0 / (4.0 + 1e-8) - 0.1 * m_hat / (math.sqrt(s_hat) + 1e-8)
    assert p.data == pytest.approx(expected, rel=1e-12)


def test_optimisers_minimise_a_quadratic() -> None:
    for make in (lambda ps: SGD(ps, lr=0.1), lambda ps: SGD(ps, lr=0.05, momentum=0.9),
                 lambda ps: Adam(ps, lr=0.1)):
        x = Value(3.0)
        opt = make([x])
        for _ in range(300):
            loss = (x - 1.0) ** 2
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert x.data == pytest.approx(1.0, abs=1e-3)


def test_non_finite_update_raises_and_changes_nothing() -> None:
    p, q = _params((1.0, 1.0), (2.0, math.inf))
    q.label = "layers.0.bias[0]"
    with pytest.raises(DomainError, match=r"parameter 1 'layers\.0\.bias\[0\]' would become"):
        SGD([p, q], lr=0.1).step()
    assert (p.data, q.data) == (1.0, 2.0)


def test_zero_grad_and_bad_arguments() -> None:
    (p,) = _params((1.0, 5.0))
    opt = SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad == 0.0
    with pytest.raises(ValueError, match="SGD lr must be positive, got -1"):
        SGD([p], lr=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match="parameters must be Values, got float"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="momentum must be in \\[0, 1\\)"):
        SGD([p], lr=0.1, momentum=1.0)

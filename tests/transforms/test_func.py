"""The composable transforms of ``autograd_lite.func``: grad, jvp, vjp, jacobian, hessian.

Every nesting order must give the closed-form derivative, and none may confuse the
perturbations of two nested calls (Siskind & Pearlmutter's test: ``d/dx [x * d/dy (x + y)]``
at ``y = 1`` is 1, not 2).  On random expressions, Hessians are symmetric and equal to
central differences of gradients, forward mode equals reverse mode, and forward over reverse
equals reverse over reverse.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Dual, Value, no_grad
from autograd_lite import math as am
from autograd_lite.core.forward import Level, _carry_general
from autograd_lite.core.gradients import grad as core_grad
from autograd_lite.core.rules import PRIMITIVES
from autograd_lite.func import grad, hessian, hvp, jacobian, jvp, vjp
from autograd_lite.testing import OP_CASES, Expression, OpCase, expression_cases, safe_floats
from autograd_lite.testing.strategies import Domain, param_args


# -- perturbation confusion: the classic test, in all four combinations ------------------------
def _forward_derivative(f: Callable[[Any], Any], x: Any) -> Any:
    return jvp(f, (x,), (1.0,))[1]


def _reverse_derivative(f: Callable[[Any], Any], x: Any) -> Any:
    return grad(f)(x)


DERIVATIVES = {"forward": _forward_derivative, "reverse": _reverse_derivative}


@pytest.mark.parametrize("inner", sorted(DERIVATIVES))
@pytest.mark.parametrize("outer", sorted(DERIVATIVES))
def test_no_perturbation_confusion(outer: str, inner: str) -> None:
    """d/dx [x * (d/dy (x + y) at y = 1)] = d/dx [x * 1] = 1 at any x; confusing the two
    perturbations gives 2."""
    d_outer, d_inner = DERIVATIVES[outer], DERIVATIVES[inner]
    for x in (1.0, -3.5):
        result = d_outer(lambda x: x * d_inner(lambda y: x + y, 1.0), x)
        assert result == 1.0
        assert type(result) is float


@pytest.mark.parametrize("inner", sorted(DERIVATIVES))
@pytest.mark.parametrize("outer", sorted(DERIVATIVES))
def test_a_closure_over_the_outer_variable_is_differentiated_by_the_outer_call(
        outer: str, inner: str) -> None:
    """d/dx [d/dy (x y^2) at y = x] = d/dx [2 x y]_{y=x} = d/dx 2x^2 = 4x (the inner
    derivative is taken along y only; the outer one sees x through both paths)."""
    d_outer, d_inner = DERIVATIVES[outer], DERIVATIVES[inner]
    assert d_outer(lambda x: d_inner(lambda y: x * y * y, x), 1.5) == pytest.approx(6.0)


# -- nesting in every order against closed forms ------------------------------------------
def f(x: Any) -> Any:
    """sin(x) x^3."""
    return am.sin(x) * x ** 3


def d1(x: float) -> float:
    return math.cos(x) * x ** 3 + 3 * x ** 2 * math.sin(x)


def d2(x: float) -> float:
    return -math.sin(x) * x ** 3 + 6 * x ** 2 * math.cos(x) + 6 * x * math.sin(x)


def d3(x: float) -> float:
    return (-math.cos(x) * x ** 3 - 9 * x ** 2 * math.sin(x) + 18 * x * math.cos(x)
            + 6 * math.sin(x))


ORDERS = [(a, b) for a in DERIVATIVES for b in DERIVATIVES]


@pytest.mark.parametrize(("outer", "inner"), ORDERS, ids=[f"{a}-of-{b}" for a, b in ORDERS])
def test_second_derivative_in_every_order(outer: str, inner: str) -> None:
    d_outer, d_inner = DERIVATIVES[outer], DERIVATIVES[inner]
    for x in (0.7, -1.3, 2.0):
        assert d_outer(lambda x: d_inner(f, x), x) == pytest.approx(d2(x), rel=1e-12)
        assert d_inner(f, x) == pytest.approx(d1(x), rel=1e-12)


THIRD = [(a, b, c) for a in DERIVATIVES for b in DERIVATIVES for c in DERIVATIVES]


@pytest.mark.parametrize("modes", THIRD, ids=["-".join(m) for m in THIRD])
def test_third_derivative_in_every_order(modes: tuple[str, str, str]) -> None:
    a, b, c = (DERIVATIVES[m] for m in modes)
    x = 0.9
    result = a(lambda x: b(lambda x: c(f, x), x), x)
    assert result == pytest.approx(d3(x), rel=1e-12)
    assert type(result) is float


def g(x: Any, y: Any) -> Any:
    """e^(x y) + x y^2, whose mixed partial is e^(xy) (1 + x y) + 2 y."""
    return am.exp(x * y) + x * y * y


def gxy(x: float, y: float) -> float:
    return math.exp(x * y) * (1 + x * y) + 2 * y


def test_mixed_partials_in_every_order() -> None:
    x, y = 0.4, -1.1
    want = gxy(x, y)
    assert grad(grad(g, 1), 0)(x, y) == pytest.approx(want, rel=1e-12)
    assert grad(grad(g, 0), 1)(x, y) == pytest.approx(want, rel=1e-12)
    assert jvp(grad(g, 1), (x, y), (1.0, 0.0))[1] == pytest.approx(want, rel=1e-12)
    assert grad(lambda x, y: jvp(g, (x, y), (0.0, 1.0))[1], 0)(x, y) == pytest.approx(
        want, rel=1e-12)
    assert jvp(lambda x, y: jvp(g, (x, y), (0.0, 1.0))[1], (x, y), (1.0, 0.0))[1] == (
        pytest.approx(want, rel=1e-12))
    assert hessian(g, (0, 1))(x, y)[0][1] == pytest.approx(want, rel=1e-12)


def flat(rows: Any) -> list[float]:
    """A matrix (tuple of rows) as one list, for pytest.approx."""
    return [v for row in rows for v in row]


def rosenbrock(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_hessian_jacobian_and_hvp_of_rosenbrock() -> None:
    """H = [[2 - 400 (y - 3 x^2), -400 x], [-400 x, 200]]."""
    x, y = -1.2, 1.0
    h = ((2 - 400 * (y - 3 * x * x), -400 * x), (-400 * x, 200.0))
    assert flat(hessian(rosenbrock, (0, 1))(x, y)) == pytest.approx(flat(h), rel=1e-12)
    assert hessian(rosenbrock)(x, y) == pytest.approx(h[0][0], rel=1e-12)
    assert hessian(rosenbrock, 1)(x, y) == 200.0
    assert flat(jacobian(grad(rosenbrock, (0, 1)), (0, 1))(x, y)) == pytest.approx(
        flat(h), rel=1e-12)
    assert hvp(rosenbrock, (x, y), (0.5, -2.0)) == pytest.approx(
        tuple(0.5 * r[0] - 2.0 * r[1] for r in h), rel=1e-12)
    gradient = (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))
    assert jacobian(rosenbrock, (0, 1))(x, y) == pytest.approx(gradient, rel=1e-12)
    assert grad(rosenbrock, (0, 1))(x, y) == pytest.approx(gradient, rel=1e-12)


def test_jacobian_and_vjp_of_several_outputs() -> None:
    def h(x: Any, y: Any) -> tuple[Any, Any, Any]:
        return x * y, am.exp(x), 3.0

    assert jacobian(h, (0, 1))(2.0, 3.0) == ((3.0, 2.0), (math.exp(2.0), 0.0), (0.0, 0.0))
    assert jacobian(h)(2.0, 3.0) == (3.0, math.exp(2.0), 0.0)
    out, pullback = vjp(h, 2.0, 3.0)
    assert out == (6.0, math.exp(2.0), 3.0)
    assert pullback((1.0, 2.0, 5.0)) == pytest.approx((3.0 + 2 * math.exp(2.0), 2.0))
    value, pullback1 = vjp(lambda x: x * x, 3.0)
    assert (value, pullback1(2.0)) == (9.0, (12.0,))


def test_control_flow_sees_the_numbers_in_every_mode() -> None:
    """A branch on ``x > 0`` and on a comparison of a Dual with a Value picks the same side
    in every nesting: the second derivative of x^3 (x > 0) is 6x, of -x^2 (x <= 0) is -2."""
    def piecewise(x: Any) -> Any:
        return x ** 3 if x > 0 else -x * x

    for x, want in ((2.0, 12.0), (-1.0, -2.0)):
        assert grad(grad(piecewise))(x) == want
        assert hessian(piecewise)(x) == want
        assert jvp(grad(piecewise), (x,), (1.0,))[1] == want
        assert grad(lambda x: jvp(piecewise, (x,), (1.0,))[1])(x) == want
    y = Value(1.0)
    assert y < Dual(2.0, 1.0) and Dual(2.0) > y and not y >= Dual(Value(3.0), 1.0)


def test_vjp_and_jacobian_nest_too() -> None:
    x = 0.8
    assert grad(lambda x: vjp(f, x)[1](1.0)[0])(x) == pytest.approx(d2(x), rel=1e-12)
    assert jvp(lambda x: vjp(f, x)[1](1.0)[0], (x,), (1.0,))[1] == pytest.approx(d2(x),
                                                                               rel=1e-12)
    assert jacobian(grad(f))(x) == pytest.approx(d2(x), rel=1e-12)
    assert grad(jacobian(f))(x) == pytest.approx(d2(x), rel=1e-12)
    assert grad(hessian(f))(x) == pytest.approx(d3(x), rel=1e-12)
    assert hessian(grad(f))(x) == pytest.approx(d3(x), rel=1e-12)


def test_keyword_arguments_pass_through_every_transform_undifferentiated() -> None:
    """As jax.grad and torch.func: f(x, scale=s) = s sin(x) x is differentiated in x only;
    d/dx = s (cos(x) x + sin(x)), d2/dx2 = s (2 cos(x) - x sin(x))."""
    def scaled(x: Any, y: Any = 1.0, *, scale: Any = 1.0) -> Any:
        return scale * am.sin(x) * x * y

    x, s = 0.7, 2.5
    first = s * (math.cos(x) * x + math.sin(x))
    second = s * (2 * math.cos(x) - x * math.sin(x))
    assert grad(scaled)(x, scale=s) == pytest.approx(first, rel=1e-12)
    assert grad(scaled, (0, 1))(x, 2.0, scale=s) == pytest.approx(
        (2 * first, s * math.sin(x) * x), rel=1e-12)
    assert jacobian(scaled)(x, scale=s) == pytest.approx(first, rel=1e-12)
    assert hessian(scaled)(x, scale=s) == pytest.approx(second, rel=1e-12)
    assert grad(grad(scaled))(x, scale=s) == pytest.approx(second, rel=1e-12)
    assert grad(scaled)(x, y=3.0, scale=s) == pytest.approx(3 * first, rel=1e-12)
    # a Value given by keyword is a constant to the transform: d/dx only
    w = Value(s)
    assert grad(scaled)(x, scale=w) == pytest.approx(first, rel=1e-12)


def test_random_expressions_take_values_and_duals_together() -> None:
    """An argument differentiated by grad (a Value) beside one carried by jvp (a Dual)."""
    e = Expression(2, (("mul", 0, 1), ("sin", 2)))  # sin(x y)
    mixed = jvp(lambda y: grad(e, 0)(0.5, y), (1.5,), (1.0,))[1]  # d/dy [y cos(x y)]
    assert mixed == pytest.approx(math.cos(0.75) - 0.75 * math.sin(0.75), rel=1e-12)


def test_grad_of_a_function_that_ignores_an_argument_is_zero() -> None:
    assert grad(lambda x, y: x * 2.0, (0, 1))(1.0, 5.0) == (2.0, 0.0)
    assert grad(lambda x: 7.0)(1.0) == 0.0
    assert jvp(lambda x: 7.0, (1.0,), (1.0,)) == (7.0, 0.0)
    assert hessian(lambda x, y: x * y, (0, 1))(1.0, 2.0) == ((0.0, 1.0), (1.0, 0.0))


# -- random expressions -----------------------------------------------------------------
THREE = (0, 1, 2)


@settings(max_examples=60)
@given(expression_cases(n_inputs=3, max_ops=6))
def test_hessians_of_random_expressions_are_symmetric_and_match_differences_of_gradients(
        case: tuple[Expression, list[float]]) -> None:
    e, xs = case
    h = hessian(e, THREE)(*xs)
    gradient = grad(e, THREE)
    eps = 1e-6
    for i in THREE:
        for j in THREE:
            assert h[i][j] == pytest.approx(h[j][i], rel=1e-9, abs=1e-9)
        plus = gradient(*[x + eps * (k == i) for k, x in enumerate(xs)])
        minus = gradient(*[x - eps * (k == i) for k, x in enumerate(xs)])
        for j in THREE:
            numerical = (plus[j] - minus[j]) / (2 * eps)
            assert h[j][i] == pytest.approx(numerical, rel=1e-3, abs=1e-4)


@settings(max_examples=60)
@given(expression_cases(n_inputs=3, max_ops=6))
def test_forward_over_reverse_hessian_equals_reverse_over_reverse(
        case: tuple[Expression, list[float]]) -> None:
    e, xs = case
    h = hessian(e, THREE)(*xs)
    leaves = [Value(x) for x in xs]
    first = core_grad(e(*leaves), leaves, create_graph=True, materialize_grads=True)
    for i in THREE:
        row = core_grad(first[i], leaves, materialize_grads=True)
        assert h[i] == pytest.approx(tuple(row), rel=1e-9, abs=1e-9)
        assert jacobian(grad(e, THREE), THREE)(*xs)[i] == pytest.approx(h[i], rel=1e-9,
                                                                         abs=1e-9)


@given(expression_cases(n_inputs=3, max_ops=8), st.lists(safe_floats(-2.0, 2.0), min_size=3,
                                                        max_size=3))
def test_jvp_equals_grad_on_random_expressions(case: tuple[Expression, list[float]],
                                               v: list[float]) -> None:
    e, xs = case
    out, tangent = jvp(e, xs, v)
    gradient = grad(e, THREE)(*xs)
    assert out == e(*xs)
    assert tangent == pytest.approx(math.fsum(gi * vi for gi, vi in zip(gradient, v)),
                                    rel=1e-9, abs=1e-9)
    _, pullback = vjp(e, *xs)
    assert pullback(1.0) == pytest.approx(gradient, rel=1e-12, abs=1e-12)
    assert hvp(e, xs, v) == pytest.approx(
        tuple(math.fsum(hij * vj for hij, vj in zip(row, v)) for row in hessian(e, THREE)(*xs)),
        rel=1e-9, abs=1e-9)


# -- the existing API and Values keep working -------------------------------------------------
def test_grad_of_values_returns_a_recorded_value() -> None:
    """func.grad on a Value gives a Value recorded in its graph: torch.autograd.grad can
    take it further (the third derivative of x^4 at 2 is 48)."""
    x = Value(2.0)
    first = grad(lambda x: x ** 4)(x)
    assert isinstance(first, Value) and first.data == 32.0
    second = core_grad(first, x, create_graph=True)
    assert second.data == 48.0
    assert core_grad(second, x) == 48.0
    assert x.grad == 0.0
    assert grad(lambda x: x ** 4)(Value(2.0, requires_grad=False)) == 32.0


def test_transforms_work_under_no_grad() -> None:
    """The transforms record what they need even inside ``no_grad`` (as torch.func)."""
    with no_grad():
        x = Value(2.0)
        assert grad(lambda x: x ** 4)(2.0) == 32.0
        assert grad(grad(lambda x: x ** 4))(2.0) == 48.0
        assert grad(lambda x: x ** 4)(x) == 32.0
        assert hessian(lambda x: x ** 4)(2.0) == 48.0
        _, pullback = vjp(lambda x: x ** 4, x)
        assert pullback(Value(1.0)) == (32.0,)
    inside = grad(lambda x: x * grad(lambda y: no_grad()(lambda: x * y)())(1.0))(3.0)
    assert inside == 0.0  # no_grad inside f cuts the graph: d/dy (x y) is a constant there


def test_duals_may_hold_values_and_duals_of_older_levels() -> None:
    x = Value(3.0)
    d = Dual(x, 1.0) * Dual(x, 2.0)  # (x + e)(x + 2e) = x^2 + 3x e
    assert isinstance(d.primal, Value) and d.primal.data == 9.0
    assert isinstance(d.tangent, Value) and d.tangent.data == 9.0
    assert core_grad(d.tangent, x) == 3.0
    two: Any = Dual(2.0, 1.0)
    mixed = x * two  # a Value and a Dual: the Dual carrier takes it
    assert isinstance(mixed, Dual) and mixed.primal.data == 6.0 and mixed.tangent.data == 3.0
    assert isinstance(x ** two, Dual)
    older, newer = Level(), Level()
    nested = am.exp(Dual(Dual(0.0, 1.0, older), 1.0, newer))  # exp'' = exp
    assert (nested.primal.primal, nested.primal.tangent) == (1.0, 1.0)
    assert (nested.tangent.primal, nested.tangent.tangent) == (1.0, 1.0)
    assert nested.level is newer and nested.primal.level is older
    assert Dual(2.0, 1.0) < 3.0 and Dual(Value(2.0), 1.0) >= Dual(2.0)
    assert repr(Dual(1.0, 2.0)) == "Dual(primal=1.0, tangent=2.0)"
    with pytest.raises(ValueError, match="must be of an older level"):
        Dual(Dual(1.0, 1.0), 1.0)  # one level inside itself: which e is which?
    with pytest.raises(ValueError, match="must be of an older level"):
        Dual(1.0, Dual(1.0, 1.0, newer), older)


def _first_params(p: OpCase) -> list[Any]:
    """The primitive's parameter arguments for the case's first parameter (a pair of clamp
    bounds is two)."""
    return list(param_args(p.params[0])) if p.params else []


def _spells_its_primitive(p: OpCase) -> bool:
    """Whether the case's public call is its primitive applied to its arguments (``x * y``,
    ``x.exp()``), not a composite spelling of it (``dist(p, q)`` is ``hypot`` of
    differences): checked on floats at the middle of each domain."""
    xs = [(d.low + d.high) / 2 + 0.1234 for d in p.domains]
    floats = iter(xs)
    full = [next(floats) if isinstance(a, Domain) else a for a in p.args] + _first_params(p)
    try:
        spelled = p.call(*[Value(x) for x in xs], *p.params[:1])
        return bool(spelled.op is PRIMITIVES[p.op]
                    and spelled.data == PRIMITIVES[p.op].evaluate(full))
    except (DomainError, TypeError):
        return False


DIRECT_CASES = [p for p in OP_CASES if _spells_its_primitive(p)]


def test_nearly_every_case_is_a_direct_spelling() -> None:
    assert len(DIRECT_CASES) >= len(OP_CASES) - 3, sorted(
        {p.name for p in OP_CASES} - {p.name for p in DIRECT_CASES})


@pytest.mark.slow  # a per-primitive sweep; tests/core/test_primitives.py covers each mode quickly
@pytest.mark.parametrize("p", DIRECT_CASES, ids=[p.name for p in DIRECT_CASES])
@given(data=st.data())
def test_the_float_fast_paths_agree_with_the_general_carrier(p: OpCase,
                                                            data: st.DataObject) -> None:
    """The public spelling on float Duals (fast paths) and the general carrier on the same
    Duals give the same primal and tangent, for one level and for mixed float/Dual args."""
    level = Level()
    xs = [data.draw(d.floats(), label=f"x{i}") for i, d in enumerate(p.domains)]
    ts = [data.draw(safe_floats(-2.0, 2.0), label=f"t{i}") for i in range(len(xs))]
    params = p.params[:1]
    duals = [Dual(x, t, level) for x, t in zip(xs, ts)]
    fast = p.call(*duals, *params)
    op = PRIMITIVES[p.op]
    args = iter(duals)
    full = [next(args) if isinstance(a, Domain) else a for a in p.args] + _first_params(p)
    general = _carry_general(op, full)
    assert (fast.primal, fast.tangent, fast.level) == (general.primal, general.tangent, level)


def test_float_duals_and_the_old_jvp_are_unchanged() -> None:
    product = Dual(2.0, 1.0) * Dual(3.0, 4.0)
    assert (product.primal, product.tangent) == (6.0, 11.0)
    assert type(product.primal) is float and type(product.tangent) is float
    from autograd_lite import jvp as old_jvp
    assert old_jvp(lambda x: [x * 2], [Value(1.5)], [2]) == ((3.0,), (4.0,))


def test_transforms_check_their_arguments() -> None:
    with pytest.raises(ValueError, match="argnums 2 is out of range for 2 arguments"):
        grad(g, 2)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums must be an int or a non-empty sequence"):
        grad(g, "0")(1.0, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="repeats an argument"):
        hessian(g, (0, 0))(1.0, 2.0)
    with pytest.raises(TypeError, match="must return one number, got a tuple of 2"):
        grad(lambda x: (x, x))(1.0)
    with pytest.raises(ValueError, match="jvp: 2 primals but 1 tangents"):
        jvp(g, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="grad input: expected a real number, got str"):
        grad(f)("1")
    with pytest.raises(TypeError, match="f must be callable"):
        grad(3)  # type: ignore[arg-type]
    _, pullback = vjp(lambda x: (x, x), 1.0)
    with pytest.raises(ValueError, match="2 outputs but 1 cotangents"):
        pullback((1.0,))

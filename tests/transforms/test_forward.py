"""Forward mode (dual numbers) against reverse mode and central differences.

Seed note 004_a894338046b1c749.txt names the alternatives to reverse-mode automatic
differentiation: forward mode with dual numbers and numerical differentiation.  All three
exist here and must agree: for f: R^n -> R^m, a direction v and an output weighting u,

    <u, J v>  =  u . jvp(f, x, v)        (forward, one pass per v)
              =  grad(u . f(x), x) . v   (reverse, one pass per u)
              ~  u . (f(x + eps v) - f(x - eps v)) / (2 eps)   (numerical)
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd_lite import func
from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual, Level, jvp
from autograd_lite.core.gradients import grad
from autograd_lite.core.value import Value, add_n
from autograd_lite.testing import (
    OP_CASES,
    Expression,
    OpCase,
    expression_cases,
    expressions,
    safe_floats,
)

DIRECTION = safe_floats(-2.0, 2.0)


def _reverse_directional(f: Expression, xs: list[float], v: list[float]) -> float:
    """grad(f, x) . v by reverse mode."""
    leaves = [Value(x) for x in xs]
    grads = grad(f.evaluate(leaves), leaves, allow_unused=True)
    return math.fsum((0.0 if g is None else g) * d for g, d in zip(grads, v, strict=True))


@pytest.mark.slow  # a per-primitive sweep; tests/core/test_primitives.py covers each mode quickly
@pytest.mark.parametrize("p", OP_CASES, ids=[p.name for p in OP_CASES])
@given(data=st.data())
def test_each_rule_gives_the_same_derivative_forward_and_reverse(
        p: OpCase, data: st.DataObject) -> None:
    """One op: the tangent sum_i local_i v_i equals the reverse-mode directional derivative."""
    xs = [data.draw(d.floats(), label=f"x{i}") for i, d in enumerate(p.domains)]
    v = [data.draw(DIRECTION, label=f"v{i}") for i in range(len(xs))]
    param = data.draw(st.sampled_from(p.params), label="param") if p.params else None
    primal, tangent = jvp(p.expression(param), xs, v)
    assert primal == p.expression(param).evaluate(xs)
    assert tangent == pytest.approx(_reverse_directional(p.expression(param), xs, v),
                                    rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("p", [p for p in OP_CASES if p.op not in ("add_n", "dot")],
                         ids=[p.name for p in OP_CASES if p.op not in ("add_n", "dot")])
def test_functions_written_for_values_run_on_duals(p: OpCase) -> None:
    """The public spelling (``x * y``, ``x.exp()``, ``2.0 ** x``) works on Duals unchanged."""
    xs = [min(max(1.5, d.low), d.high) for d in p.domains]
    params = p.params[:1]
    out = p.call(*[Dual(x, 1.0) for x in xs], *params)
    assert isinstance(out, Dual)
    assert out.primal == p.call(*[Value(x) for x in xs], *params).data


@given(expression_cases(n_inputs=3, max_ops=10), st.lists(DIRECTION, min_size=3, max_size=3))
def test_random_graphs_forward_reverse_and_numerical_agree(
        case: tuple[Expression, list[float]], v: list[float]) -> None:
    """J v three ways on random graphs with shared sub-expressions.  Near a pole the central
    difference with h = 1e-6 is itself off (tan(tan(tan(1.5))): 174,505 for 172,726): then it
    is extrapolated to h = 0 from h and h / 2 (Richardson: the error is ~ h**2)."""
    f, xs = case
    _, forward = jvp(f, xs, v)
    reverse = _reverse_directional(f, xs, v)

    def central(h: float) -> float:
        plus = f.evaluate([x + h * d for x, d in zip(xs, v, strict=True)])
        minus = f.evaluate([x - h * d for x, d in zip(xs, v, strict=True)])
        return (plus - minus) / (2 * h)

    assert forward == pytest.approx(reverse, rel=1e-9, abs=1e-9)
    numerical = central(1e-6)
    if forward != pytest.approx(numerical, rel=1e-3, abs=1e-5):
        numerical = (4 * central(5e-7) - numerical) / 3  # 172,720 in the example below
    assert forward == pytest.approx(numerical, rel=1e-3, abs=1e-5)


def test_a_pole_needs_the_extrapolated_central_difference() -> None:
    """The example hypothesis found: J v of tan(tan(tan(x0))) + (2.5 + x0) at x0 = 1.5."""
    f = Expression(3, (("tan", 0), ("tan", 3), ("tan", 4), ("add", 2.5, 0), ("add_n", 5, 6)))
    test_random_graphs_forward_reverse_and_numerical_agree.hypothesis.inner_test(  # type: ignore[attr-defined]
        (f, [1.5, 0.0, 0.0]), [1.0, 0.0, 0.0])


@given(expressions(n_inputs=2, max_ops=6), expressions(n_inputs=2, max_ops=6),
       st.lists(safe_floats(-1.0, 1.0), min_size=2, max_size=2),
       st.lists(DIRECTION, min_size=2, max_size=2), st.lists(DIRECTION, min_size=2, max_size=2))
def test_u_dot_jv_is_the_same_forward_and_reverse(
        f1: Expression, f2: Expression, xs: list[float], u: list[float],
        v: list[float]) -> None:
    """<u, J v> for f = (f1, f2): u . jvp(f, x, v) == grad(u . f(x), x) . v."""
    assume(f1.checkable(xs) and f2.checkable(xs))

    def f(a: Any, b: Any) -> tuple[Any, Any]:
        return f1(a, b), f2(a, b)

    _, jv = jvp(f, xs, v)
    forward = math.fsum(ui * t for ui, t in zip(u, jv, strict=True))
    leaves = [Value(x) for x in xs]
    o1, o2 = f(*leaves)
    weighted = grad(u[0] * o1 + u[1] * o2, leaves, allow_unused=True)
    reverse = math.fsum((0.0 if g is None else g) * d for g, d in zip(weighted, v, strict=True))
    assert forward == pytest.approx(reverse, rel=1e-9, abs=1e-9)


# -- the jvp API ---------------------------------------------------------------------------
def test_jvp_of_a_scalar_function() -> None:
    """f = sin(x y) + e^x: J v = (y cos(xy) + e^x) v_x + x cos(xy) v_y (closed form)."""
    out, tangent = jvp(lambda x, y: (x * y).sin() + x.exp(), [1.0, 2.0], [1.0, 0.5])
    assert out == pytest.approx(math.sin(2.0) + math.e)
    assert tangent == pytest.approx((2 * math.cos(2.0) + math.e) + 0.5 * math.cos(2.0))


def test_jvp_of_a_tuple_or_list_gives_tuples() -> None:
    assert jvp(lambda x: (x, x ** 2, 3.0), [3.0], [1.0]) == ((3.0, 9.0, 3.0), (1.0, 6.0, 0.0))
    assert jvp(lambda x: [x * 2], [Value(1.5)], [2]) == ((3.0,), (4.0,))


def test_jvp_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="jvp: 2 primals but 1 tangents"):
        jvp(lambda x, y: x * y, [1.0, 2.0], [1.0])
    outside = Value(2.0)
    with pytest.raises(TypeError, match="the function returned a Value"):
        jvp(lambda x: outside, [1.0], [1.0])


def test_dual_numbers() -> None:
    """(a + b e)(c + d e) = ac + (ad + bc) e; a zero tangent stays exactly zero."""
    product = Dual(2.0, 1.0) * Dual(3.0, 4.0)
    assert (product.primal, product.tangent) == (6.0, 11.0)
    assert repr(product) == "Dual(primal=6.0, tangent=11.0)"
    assert Dual(0.0, 0.0).sqrt().tangent == 0.0
    assert Dual(0.0, 1.0).sqrt().tangent == math.inf  # sqrt'(0) = inf, as in reverse mode
    with pytest.raises(AttributeError, match="'Dual' object has no attribute 'erf'"):
        _ = Dual(1.0).erf


def test_a_dual_result_keeps_the_level_of_its_arguments() -> None:
    """sum of three Duals of one level (the general path, not the binary fast path): the
    result belongs to that level, not to the base level."""
    level = Level()
    total = add_n([Dual(1.0, 1.0, level), Dual(2.0, 0.0, level), 3.0])
    assert (total.primal, total.tangent, total.level) == (6.0, 1.0, level)


def test_a_dual_holding_a_value_records_through_the_general_path() -> None:
    """Forward over reverse: (v + 1 e) * 3 with v a Value is 3v + 3 e, v's node recorded;
    (3 + 1 e) * (v + 0 e) is 3v + v e, its tangent a Value too."""
    v = Value(2.0)
    product = Dual(v, 1.0) * 3.0
    assert isinstance(product.primal, Value) and product.primal.data == 6.0
    assert product.tangent == 3.0
    product.primal.backward()
    assert v.grad == 3.0
    mixed = Dual(3.0, 1.0) * Dual(v, 0.0)  # a float primal times a Value primal: 3v + v e
    assert isinstance(mixed.primal, Value) and mixed.primal.data == 6.0
    assert isinstance(mixed.tangent, Value) and mixed.tangent.data == 2.0


def test_a_dual_with_a_value_tangent_refuses_a_non_finite_result() -> None:
    """Reverse over forward: the primals are floats, the tangent a Value; 1e200 * 1e200
    overflows, and the nested path refuses it as the float path does."""
    with pytest.raises(DomainError, match="mul"):
        _ = Dual(1e200, Value(1.0)) * Dual(1e200, 1.0)


def test_duals_compare_by_their_numbers_strictly() -> None:
    """Control flow sees the primal: < and > are strict, <= and >= are not."""
    a, b = Dual(1.0, 5.0), Dual(1.0, -5.0)
    assert not a < b and not a > b and a <= b and a >= b
    assert Dual(0.5) < 1.0 and not Dual(1.5) < 1.0


# -- nesting: every jvp call has its own perturbation --------------------------------------
def test_nested_jvp_does_not_confuse_perturbations() -> None:
    """Siskind & Pearlmutter's test, d/dx [x * (d/dy (x + y) at y = 1)] = d/dx x = 1: the
    top-level jvp gave 2 (both calls perturbed the same base level), as func.jvp gives 1."""
    assert jvp(lambda x: x * jvp(lambda y: x + y, [1.0], [1.0])[1], [1.0], [1.0]) == (1.0, 1.0)
    # an inner function returning the outer x: d/dy x = 0, so the outer derivative is 0
    assert jvp(lambda x: jvp(lambda y: x, [1.0], [1.0])[1], [2.0], [1.0]) == (0.0, 0.0)
    # ... and its primal is x itself: d/dx x = 1 (the tangent was lost, 0)
    assert jvp(lambda x: jvp(lambda y: x, [1.0], [1.0])[0], [2.0], [1.0]) == (2.0, 1.0)
    # the outer Dual as the inner primal (a TypeError before): d/dy (x y^2) = 2 x y at y = x
    # is 2 x^2, whose derivative at x = 2 is 4 x = 8
    assert jvp(lambda x: jvp(lambda y: x * y * y, [x], [1.0])[1], [2.0], [1.0]) == (8.0, 8.0)


def test_jvp_nests_with_grad_in_every_order() -> None:
    """Closed forms at x = 1.5.  jvp inside grad: d/dx [d/dy y^3 at y = x] = 6x = 9 (it gave
    0: jvp read the Value x as a number).  grad inside jvp: d/dx [d/dy x y^2 at y = x] =
    d/dx 2 x^2 = 4x = 6.  jvp inside jvp inside grad: d/db (a^2 b^2 x) at b = a is 2 a^3 x,
    d/da of that at a = x is 6 x^3, and d/dx 6 x^3 = 18 x^2 = 40.5."""
    assert func.grad(lambda x: jvp(lambda y: y ** 3, [x], [1.0])[1])(1.5) == 9.0
    assert jvp(lambda x: func.grad(lambda y: x * y * y)(x), [1.5], [1.0]) == (4.5, 6.0)

    def inner(x: Any) -> Any:
        def along_a(a: Any) -> Any:
            return jvp(lambda b: a * a * b * b * x, [a], [1.0])[1]
        return jvp(along_a, [x], [1.0])[1]
    assert func.grad(inner)(1.5) == 40.5
    assert func.grad(lambda x: jvp(lambda y: x, [1.0], [1.0])[1])(1.5) == 0.0


@pytest.mark.parametrize("forward", [jvp, func.jvp], ids=["jvp", "func.jvp"])
@given(x=safe_floats(-3.0, 3.0), y=safe_floats(-3.0, 3.0))
def test_nested_jvp_matches_closed_forms(forward: Any, x: float, y: float) -> None:
    """d/dx [x * d/dy (x + y)] = 1 and d/dx [x * d/dy (x y)] = d/dx x^2 = 2x, at any (x, y),
    with the top-level jvp and with func.jvp."""
    assert forward(lambda a: a * forward(lambda b: a + b, [y], [1.0])[1],
                   [x], [1.0]) == (x, 1.0)
    assert forward(lambda a: a * forward(lambda b: a * b, [y], [1.0])[1],
                   [x], [1.0]) == (x * x, 2.0 * x)


@given(expression_cases(n_inputs=2, max_ops=8))
def test_nested_jvp_gives_the_mixed_partial(case: tuple[Expression, list[float]]) -> None:
    """d2 e / dx0 dx1 of a random expression by nested top-level jvp (x0 captured by the
    inner function) equals nested func.jvp bit for bit, and the forward-over-reverse Hessian
    entry H[0][1] to rounding."""
    e, (x0, x1) = case

    def mixed(forward: Any) -> Any:
        return forward(lambda a: forward(lambda b: e(a, b), [x1], [1.0])[1], [x0], [1.0])[1]

    try:
        top = mixed(jvp)
    except DomainError:
        assume(False)
    assert top == mixed(func.jvp)
    try:
        reference = func.hessian(e, (0, 1))(x0, x1)[0][1]
    except DomainError:  # a Value refuses an infinite second derivative that floats carry
        return
    assert top == pytest.approx(reference, rel=1e-9, abs=1e-9)

"""The float fast paths of ``autograd_lite.func`` (issue 25): on plain numbers, ``grad``,
``vjp`` and ``jacobian`` are one recording and one float reverse pass per output, equal to
``backward`` bit for bit; ``hessian`` is reverse over reverse, equal to the general
forward-over-reverse path (taken for Value arguments) to rounding, and visits only the part
of the gradient graph each row depends on.  Counted, never timed (``bench/`` times them).
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd_lite import (
    AnomalyError,
    DomainError,
    Value,
    constant,
    detect_anomaly,
    dot,
    no_grad,
)
from autograd_lite import math as am
from autograd_lite.core import func as func_module
from autograd_lite.core import gradients, value
from autograd_lite.func import grad, hessian, jacobian, jvp, vjp
from autograd_lite.testing import Expression, expression_cases


def rosenbrock(*x: Any) -> Any:
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2."""
    total: Any = 0.0
    for a, b in itertools.pairwise(x):
        total = total + 100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2
    return total


def quadratic_form(n: int, seed: int = 0) -> Callable[..., Any]:
    """x^T A x for a dense random A (one ``dot`` node per row): H = A + A^T."""
    rng = random.Random(seed)
    a = [[rng.uniform(-1.0, 1.0) for _ in range(n)] for _ in range(n)]

    def f(*x: Any) -> Any:
        return dot(list(x), [dot(row, list(x)) for row in a])

    f.matrix = a  # type: ignore[attr-defined]
    return f


def point(n: int) -> list[float]:
    return [0.3 + 0.07 * i - 0.01 * i * i for i in range(n)]


def by_backward(f: Callable[..., Any], xs: list[float], seed: float = 1.0) -> list[float]:
    leaves = [Value(x) for x in xs]
    f(*leaves).backward(seed)
    return [v.grad for v in leaves]


@pytest.mark.parametrize("n", [2, 3, 10, 57])
def test_grad_vjp_and_jacobian_on_numbers_equal_backward_bit_for_bit(n: int) -> None:
    xs = point(n)
    every = tuple(range(n))
    want = by_backward(rosenbrock, xs)
    assert list(grad(rosenbrock, every)(*xs)) == want
    assert list(jacobian(rosenbrock, every)(*xs)) == want
    value, pullback = vjp(rosenbrock, *xs)
    assert value == rosenbrock(*xs)
    assert list(pullback(1.0)) == want
    assert list(pullback(-2.5)) == by_backward(rosenbrock, xs, -2.5)
    assert list(pullback(3)) == by_backward(rosenbrock, xs, 3.0)  # an int: as a float


def test_the_float_path_records_no_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    """On numbers, grad, vjp and jacobian take only the float pass of ``_float_grads``: never
    the generic pass, nor the differentiable one of ``create_graph`` (which Values take)."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a generic or differentiable reverse pass ran")

    monkeypatch.setattr(gradients, "_value_adjoints", refuse)
    monkeypatch.setattr(value, "reverse_pass", refuse)
    xs = point(5)
    every = tuple(range(5))
    want = by_backward(rosenbrock, xs)
    assert list(grad(rosenbrock, every)(*xs)) == want
    assert list(vjp(rosenbrock, *xs)[1](1.0)) == want
    assert list(jacobian(rosenbrock, every)(*xs)) == want
    with pytest.raises(AssertionError, match="differentiable reverse pass"):
        grad(rosenbrock, every)(*[Value(x) for x in xs])


@pytest.mark.parametrize("f", [rosenbrock, quadratic_form(6)])
def test_hessian_on_numbers_equals_the_forward_over_reverse_path(f: Callable[..., Any]) -> None:
    """The general path (Values that do not require gradients as arguments: still floats
    out) is jvp of grad per row; the fast path reverse over reverse.  Same to rounding."""
    xs = point(6)
    every = tuple(range(6))
    fast = hessian(f, every)(*xs)
    general = hessian(f, every)(*[constant(x) for x in xs])
    assert all(type(h) is float for row in fast for h in row)
    for row_fast, row_general in zip(fast, general):
        assert row_fast == pytest.approx(row_general, rel=1e-12, abs=1e-12)
    for i in range(6):  # symmetric
        for j in range(6):
            assert fast[i][j] == pytest.approx(fast[j][i], rel=1e-12, abs=1e-12)
    assert hessian(f, 2)(*xs) == pytest.approx(general[2][2], rel=1e-12)
    sub = hessian(f, (1, 4))(*xs)
    for i, row in zip((1, 4), sub):
        assert row == pytest.approx((general[i][1], general[i][4]), rel=1e-12, abs=1e-12)


def test_hessian_of_a_quadratic_form_is_a_plus_a_transpose() -> None:
    f = quadratic_form(7, seed=3)
    a = f.matrix  # type: ignore[attr-defined]
    h = hessian(f, tuple(range(7)))(*point(7))
    for i in range(7):
        for j in range(7):
            assert h[i][j] == pytest.approx(a[i][j] + a[j][i], rel=1e-12, abs=1e-15)


def as_bits(rows: list[Any]) -> list[str]:
    """Every entry's repr: equal lists are equal bit for bit (0.0 and -0.0 told apart)."""
    return [repr(h) for row in rows for h in row]


def recorded_and_seeded(f: Callable[..., Any], xs: list[float]) -> tuple[list[str], list[str]]:
    """A Hessian's rows both ways: from the gradient recorded as ``n`` ``dot`` nodes (what
    ``compiled_transform`` replays) and from its combinations, seeded (``func.hessian``)."""
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    recorded = func_module._rows(func_module._gradient_graph(out, leaves), leaves, False)
    return as_bits(recorded), as_bits(func_module._hessian_rows(out, leaves, leaves, False))


@settings(max_examples=100)
@given(expression_cases(n_inputs=3, max_ops=8))
def test_hessian_rows_seeded_from_combinations_equal_the_recorded_gradients_rows(
        case: tuple[Expression, list[float]]) -> None:
    """Row i is one float pass seeded ``c_k`` at each ``v_k`` of ``g_i = sum_k c_k v_k``,
    not a pass from ``g_i`` recorded as a ``dot``: the same numbers, bit for bit."""
    e, xs = case
    recorded, seeded = recorded_and_seeded(lambda *x: e(*x) * 1.0, xs)
    assert seeded == recorded


def test_seeded_rows_of_terms_that_repeat_share_nodes_or_are_constants() -> None:
    """A leaf in several terms of one combination (its seeds add), a node reached both as a
    term and through another term, a captured constant Value, and the dense form."""
    k = constant(1.5)

    def f(x: Any, y: Any, z: Any) -> Any:
        u = x * y
        return u * u * k + am.sin(u) * x + z * z * z + x * k

    recorded, seeded = recorded_and_seeded(f, [0.7, -1.3, 0.4])
    assert seeded == recorded and len(seeded) == 9
    recorded, seeded = recorded_and_seeded(quadratic_form(8), point(8))
    assert seeded == recorded


def either_way(f: Callable[..., Any], xs: list[float]) -> tuple[str, str]:
    """A Hessian's rows recorded and seeded (:func:`recorded_and_seeded`), each as its bits
    or the error it raised."""
    leaves = [Value(x) for x in xs]
    out = f(*leaves)

    def shown(rows: Callable[[], list[Any]]) -> str:
        try:
            return repr(as_bits(rows()))
        except DomainError as error:
            return f"DomainError: {error}"

    return (shown(lambda: func_module._rows(func_module._gradient_graph(out, leaves), leaves,
                                            False)),
            shown(lambda: func_module._hessian_rows(out, leaves, leaves, False)))


EXTREMES = st.sampled_from([0.0, -0.0, 1e-310, -3.5, 0.75, 1e200, -1e200, 1e308])


@settings(max_examples=150)
@given(st.tuples(EXTREMES, EXTREMES, EXTREMES), st.tuples(EXTREMES, EXTREMES))
@example((0.0, 1e308, 1e308), (0.75, 0.75))  # d2f/dy2 = 2e308: inf, as grad would say
@example((1e200, 0.0, 1e200), (1e-310, 0.5))  # c0 c2 = inf meets cos x at a leaf: refused
def test_seeded_rows_at_extreme_constants_repeated_terms_and_signed_zeros(
        c: tuple[float, float, float], xy: tuple[float, float]) -> None:
    """``u = x y`` appears in several terms of each gradient (its seeds add), the constants
    (two of them multiplied before meeting a Value) reach past the largest float and below
    the smallest normal one, the inputs are signed zeros: where recording the gradient
    gives numbers, the seeded rows are the same bits; where it refuses, the seeded rows
    refuse the same way, unless what it refused is a gradient's combination itself (its
    ``dot`` overflowing): then they are the float pass's numbers, never nan (inf where a
    second derivative overflows, as ``grad`` gives an overflowing first one)."""
    def f(x: Any, y: Any) -> Any:
        u = x * y
        chained = c[0] * (c[2] * am.sin(x))  # constant factors meet before a Value
        return c[0] * u * u + c[1] * u * x + am.copysign(1.0, y) * c[2] * y * y + chained

    try:
        recorded, seeded = either_way(f, list(xy))
    except DomainError:
        return  # f itself overflows at this point: no rows either way
    if not recorded.startswith("DomainError") or seeded.startswith("DomainError"):
        assert seeded == recorded
    else:  # only a gradient's combination of finite numbers, its sum overflowing, differs
        combination = recorded.startswith("DomainError: dot(")
        finite = not re.search(r"inf|nan", recorded.split("):")[0])
        assert combination and finite and "nan" not in seeded, (recorded, seeded)


def test_an_infinite_coefficient_is_refused_as_when_the_gradient_was_recorded() -> None:
    """1e300 (1e300 sin x): the constant factors multiply to inf before meeting cos x.
    Recording the gradient refused it; seeding its rows with inf would give -inf for a
    second derivative of -1e290: the seeded path hands it to the recorded one."""
    def f(x: Any) -> Any:
        return 1e300 * (1e300 * am.sin(x))

    with pytest.raises(DomainError):
        hessian(f)(1e-310)
    with pytest.raises(DomainError):
        grad(grad(f))(1e-310)
    with pytest.raises(DomainError):
        jacobian(grad(f))(1e-310)


def test_the_jacobian_of_a_gradient_keeps_the_sign_of_a_zero_input() -> None:
    """copysign reads the sign of -0.0: each path differentiates at -0.0 itself (a nested
    transform's identity node is ``x - 0.0``, which keeps the sign, not ``x + 0.0``)."""
    def h(x: Any) -> Any:
        return am.copysign(1.0, x) * x * x

    assert hessian(h)(-0.0) == jacobian(grad(h))(-0.0) == -2.0
    assert jacobian(composed(grad(h)))(-0.0) == grad(grad(h))(-0.0) == -2.0
    assert hessian(h)(0.0) == jacobian(composed(grad(h)))(0.0) == 2.0


def test_the_jacobian_of_a_gradient_of_a_number_calls_the_function_once() -> None:
    calls = []

    def f(x: Any, y: Any) -> Any:
        calls.append(1)
        return 3.0

    assert jacobian(grad(f, (0, 1)), 1)(1.0, 2.0) == (0.0, 0.0)
    assert jacobian(grad(f), (0, 1))(1.0, 2.0) == (0.0, 0.0)
    assert len(calls) == 2
    with pytest.raises(TypeError, match=r"^grad: the function must return one number"):
        jacobian(grad(lambda x: (x, x)))(1.0)


def test_a_hessian_with_a_gradient_hook_differentiates_the_recorded_graph(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook may replace an adjoint as the recorded pass completes it, and runs in each
    row's pass: with one registered, the rows are those of the recorded gradient graph."""
    seen: list[Any] = []
    handles = []

    def f(x: Any, y: Any) -> Any:
        u = x * y
        handles.append(u.register_hook(seen.append))
        return u * u

    plain = hessian(lambda x, y: (x * y) * (x * y), (0, 1))(0.5, 2.0)
    monkeypatch.setattr(gradients, "linear_gradients", None)  # the seeded rows would fail
    try:
        assert hessian(f, (0, 1))(0.5, 2.0) == plain == ((8.0, 4.0), (4.0, 0.5))
    finally:
        for handle in handles:
            handle.remove()
    assert seen  # the hook ran


def composed(g: Callable[..., Any]) -> Callable[..., Any]:
    """``g`` as a function no transform made: ``jacobian`` of it takes the general path."""
    return lambda *x, **k: g(*x, **k)


@settings(max_examples=60)
@given(expression_cases(n_inputs=3, max_ops=8))
def test_the_jacobian_of_a_gradient_is_taken_as_a_hessian_with_the_same_numbers(
        case: tuple[Expression, list[float]]) -> None:
    """``jacobian(grad(f, a), b)`` on numbers is taken as a Hessian's rows (one recording of
    ``f``, no gradient Values), and equals the Jacobian of the gradient's recorded Values
    bit for bit, for every shape of ``a`` and ``b``, overlapping or not."""
    e, xs = case
    for a, b in [((0, 1, 2), (0, 1, 2)), (1, (0, 2)), ((0, 2), 1), (0, 0), ((1,), (2, 0))]:
        g = grad(e, a)
        fast, general = jacobian(g, b)(*xs), jacobian(composed(g), b)(*xs)
        assert repr(fast) == repr(general), (a, b)


def test_the_jacobian_of_a_gradient_records_no_gradient_and_keeps_shapes_and_keywords(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def f(x: Any, y: Any, scale: float = 1.0) -> Any:
        return scale * x * x * y + am.exp(y)

    j = jacobian(grad(f, (0, 1)), (0, 1))
    want = ((-4.0, 2.0), (2.0, math.exp(-1.0)))  # 2 scale y, 2 scale x; 2 scale x, e^y
    assert j(0.5, -1.0, scale=2.0) == want
    assert jacobian(grad(f), 1)(0.5, -1.0) == 2 * 0.5  # d/dy (2 x y) at x = 0.5
    assert jacobian(grad(lambda x: 3.0))(1.0) == 0.0  # f returns a number: the general path
    monkeypatch.setattr(gradients, "_finished", None)  # a recorded gradient would fail
    assert j(0.5, -1.0, scale=2.0) == want


def test_hessian_rows_visit_only_the_nodes_they_depend_on(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Rosenbrock's Hessian is tridiagonal: each row sorts and walks a few nodes, so the whole
    Hessian walks a number of nodes linear in n (counted, not timed), where one
    Hessian-vector product per row would walk the whole graph each time (n^2)."""
    sort = func_module.computed_order
    walked = [0]

    def counting(roots: list[Value]) -> list[Value]:
        order = sort(roots)
        walked[0] += len(order)
        return order

    monkeypatch.setattr(func_module, "computed_order", counting)

    def nodes(n: int) -> int:
        walked[0] = 0
        hessian(rosenbrock, tuple(range(n)))(*point(n))
        return walked[0]

    small, large = nodes(20), nodes(80)
    assert small > 0 and large <= 4.5 * small  # 4x the inputs, about 4x the nodes (not 16x)


def test_jacobian_of_several_outputs_on_numbers_equals_the_pullbacks() -> None:
    def f(x: Any, y: Any) -> Any:
        return (x * y, am.exp(x) + y, 3.0, x * x * y)

    fast = jacobian(f, (0, 1))(0.5, -1.5)
    general = jacobian(f, (0, 1))(constant(0.5), constant(-1.5))
    assert fast == general
    assert fast[2] == (0.0, 0.0)
    assert jacobian(f)(0.5, -1.5) == tuple(row[0] for row in general)


def test_fast_paths_under_no_grad_and_with_keywords() -> None:
    want = tuple(by_backward(rosenbrock, point(2)))
    with no_grad():  # a transform records inside f even under no_grad, as torch.func
        assert grad(rosenbrock, (0, 1))(*point(2)) == want
        assert hessian(lambda x, c: c * x ** 3)(2.0, c=0.5) == 6.0
    assert jacobian(lambda x, c: (c * x, x), 0)(2.0, c=3.0) == (3.0, 1.0)


def test_numbers_with_a_dual_captured_from_outside() -> None:
    """The arguments are numbers but f reads a Dual of an outer jvp: its result is a Dual,
    which the general route differentiates part by part."""
    def outer(t: Any) -> Any:
        return grad(lambda x: x * x * t)(2.0)        # 4 t

    assert jvp(outer, (3.0,), (1.0,)) == (12.0, 4.0)
    assert jvp(lambda t: hessian(lambda x: x ** 3 * t)(2.0), (3.0,), (1.0,)) == (36.0, 12.0)


def test_constant_and_unused_outputs_give_zeros() -> None:
    assert grad(lambda x, y: x * 2.0, (0, 1))(1.0, 5.0) == (2.0, 0.0)
    assert grad(lambda x: 7.0)(1.0) == 0.0
    assert hessian(lambda x, y: x * 2.0, (0, 1))(1.0, 5.0) == ((0.0, 0.0), (0.0, 0.0))
    assert jacobian(lambda x: (x, 1.0))(2.0) == (1.0, 0.0)


def test_anomaly_mode_applies_to_the_float_path() -> None:
    with detect_anomaly(), pytest.raises(AnomalyError):
        grad(am.sqrt)(0.0)
    assert grad(am.sqrt)(0.0) == math.inf


def test_an_infinite_second_derivative_in_the_rows() -> None:
    """d2/dx2 x^1.5 = 0.75 / sqrt(x) is inf at 0 (the first derivative is finite): the rows'
    pass gives inf, as ``backward`` gives an infinite slope (``grad(sqrt)(0)``), and anomaly
    mode reports it; the general path (forward over reverse) refuses it, a Dual's tangent
    being a finite number."""
    def f(x: Any, y: Any) -> Any:
        return x ** 1.5 * y

    assert hessian(f, (0, 1))(0.0, 2.0) == ((math.inf, 0.0), (0.0, 0.0))
    with pytest.raises(DomainError, match="Dual tangent"):
        hessian(f, (0, 1))(constant(0.0), constant(2.0))
    with detect_anomaly(), pytest.raises(AnomalyError, match="inf"):
        hessian(f, (0, 1))(0.0, 2.0)
    with detect_anomaly(), pytest.raises(AnomalyError, match="inf"):
        jacobian(grad(f, (0, 1)), (0, 1))(0.0, 2.0)


def test_errors_name_the_transform() -> None:
    with pytest.raises(TypeError, match="grad input"):
        grad(rosenbrock, (0, 1))(1.0, "2")
    with pytest.raises(TypeError, match="hessian input"):
        hessian(rosenbrock, (0, 1))(1.0, None)
    with pytest.raises(TypeError, match="use jacobian"):
        hessian(lambda x: (x, x))(1.0)
    with pytest.raises(ValueError, match="out of range"):
        grad(rosenbrock, 3)(1.0, 2.0)

"""``autograd_lite.math`` against Python's :mod:`math`: the same names, the same floats, the
same domain errors; derivatives to the third order; digamma and polygamma against known
values.  (Every mode against every other is tests/core/test_primitives.py; closed-form first and
second derivatives are tests/core/test_ops.py.)"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Dual, Value, grad, jvp, topological_order
from autograd_lite import math as am
from autograd_lite.core import special
from autograd_lite.nn import functional
from autograd_lite.testing import OP_CASES, OpCase

ISSUE_NAMES = [
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign",
    "cos", "cosh", "degrees", "dist", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "floor",
    "fmod", "fsum", "gamma", "hypot", "ldexp", "lgamma", "log", "log10", "log1p", "log2",
    "pow", "prod", "radians", "remainder", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
]

ONE_ARGUMENT = [n for n in ISSUE_NAMES if n not in (
    "atan2", "copysign", "dist", "fmod", "fsum", "hypot", "ldexp", "pow", "prod", "remainder")]

ANY_FLOAT = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                      st.floats(-5.0, 5.0), st.integers(-30, 30).map(float),
                      st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 710.0, 1e308]))


def test_every_function_and_constant_of_the_issue_is_there() -> None:
    for name in ISSUE_NAMES:
        assert callable(getattr(am, name)), name
    assert (am.pi, am.e, am.tau, am.inf) == (math.pi, math.e, math.tau, math.inf)
    assert math.isnan(am.nan)
    assert set(am.__all__) >= {*ISSUE_NAMES, "pi", "e", "tau", "inf", "nan"}


def test_the_namespace_holds_only_its_functions_and_constants() -> None:
    # dir(autograd_lite.math) offered Any, Iterable, annotations and DomainError
    public = sorted(name for name in dir(am) if not name.startswith("_"))
    assert public == sorted(am.__all__)
    assert not {"Any", "Iterable", "annotations", "DomainError"} & set(dir(am))


def _outcome(f: Callable[..., Any], *args: Any) -> Any:
    """f's result, or the kind of error: 'domain' for ValueError / OverflowError /
    ZeroDivisionError (math.log(x, 1)) -- the errors math raises for a real argument."""
    try:
        return f(*args)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        return ("domain", error)


def _assert_same(name: str, got: Any, want: Any) -> None:
    if isinstance(want, tuple):
        assert isinstance(got, tuple), f"{name}: math raised {want[1]!r}, ours gave {got!r}"
        assert isinstance(got[1], DomainError), got[1]
        assert str(got[1]).startswith(f"{name}("), got[1]  # names the function, then the args
        return
    assert not isinstance(got, tuple), f"{name}: math gave {want!r}, ours raised {got[1]!r}"
    assert type(got) is type(want), (name, got, want)
    assert got == want or (math.isinf(got) and got == want), (name, got, want)
    if isinstance(want, float) and want == 0.0:
        assert math.copysign(1.0, got) == math.copysign(1.0, want), (name, got, want)


@pytest.mark.slow  # a per-primitive hypothesis sweep; the full suite runs it
@pytest.mark.parametrize("name", ONE_ARGUMENT)
@settings(max_examples=150, deadline=None)
@given(x=ANY_FLOAT)
def test_one_argument_functions_are_math_on_floats(name: str, x: float) -> None:
    """The same float (the same function computes it), or a DomainError where math raises."""
    _assert_same(name, _outcome(getattr(am, name), x), _outcome(getattr(math, name), x))


@pytest.mark.parametrize("name", ["atan2", "copysign", "fmod", "remainder", "pow", "hypot",
                                  "log"])
@settings(max_examples=150, deadline=None)
@given(x=ANY_FLOAT, y=ANY_FLOAT)
def test_two_argument_functions_are_math_on_floats(name: str, x: float, y: float) -> None:
    _assert_same(name, _outcome(getattr(am, name), x, y), _outcome(getattr(math, name), x, y))


@settings(max_examples=150, deadline=None)
@given(xs=st.lists(ANY_FLOAT, max_size=5), i=st.integers(-1200, 1200),
       p=st.lists(st.floats(-1e100, 1e100), min_size=3, max_size=3),
       q=st.lists(st.floats(-1e100, 1e100), min_size=3, max_size=3))
def test_sequence_and_integer_functions_are_math_on_floats(xs: list[float], i: int,
                                                           p: list[float],
                                                           q: list[float]) -> None:
    _assert_same("fsum", _outcome(am.fsum, xs), _outcome(math.fsum, xs))
    _assert_same("hypot", _outcome(am.hypot, *xs), _outcome(math.hypot, *xs))
    for start in (1, 2.5):  # math's float (nan for inf * 0, as math), 1.0 for []
        got, want = am.prod(xs, start=start), math.prod(xs, start=start)
        assert got == want or (math.isnan(got) and math.isnan(want))
    assert am.dist(p, q) == math.dist(p, q)
    for x in xs:
        _assert_same("ldexp", _outcome(am.ldexp, x, i), _outcome(math.ldexp, x, i))


def test_prod_derivatives_are_the_products_of_the_others_even_at_zeros() -> None:
    xs = [Value(2.0), Value(0.0), Value(4.0), Value(5.0), Value(0.5)]
    # d/dx_i = the product of the other four, by hand: 0 wherever another factor is 0
    assert grad(am.prod(xs), xs) == [0.0, 20.0, 0.0, 0.0, 0.0]
    ys = [Value(2.0), Value(3.0), Value(4.0), Value(5.0)]
    assert grad(am.prod(ys), ys) == [60.0, 40.0, 30.0, 24.0]
    one = Value(7.0)
    assert grad(am.prod([one]), one) == 1.0
    assert grad(am.prod([one], start=3.0), one) == 3.0


def test_prod_of_n_factors_records_a_derivative_graph_linear_in_n() -> None:
    # The derivatives as Values (create_graph): the product of the others for each of n
    # factors took n products of n - 1 factors, n (n - 1) parent edges (39,800 for
    # n = 200, and 2.5 s to record a product of 6,000 floats).  Now: the product node (n
    # edges), prefix and suffix products (under 3n two-factor nodes) and the adjoint 1 times
    # each derivative (n two-factor nodes): under 9n edges.
    n = 200
    xs = [Value(1.0 + i / n) for i in range(n)]
    derivatives = grad(am.prod(xs), xs, create_graph=True)
    nodes: set[Value] = set()
    for d in derivatives:
        nodes.update(v for v in topological_order(d) if v.parents)
    edges = sum(len(v.parents) for v in nodes)
    assert edges <= 9 * n, edges
    for i in (0, 57, n - 1):  # and they are the products of the others
        others = math.prod(x.data for k, x in enumerate(xs) if k != i)
        assert derivatives[i].data == pytest.approx(others, rel=1e-12)


def test_ints_in_ints_out_where_math_gives_ints() -> None:
    assert (am.floor(2.5), am.ceil(2.5), am.trunc(-2.5)) == (2, 3, -2)
    assert type(am.floor(2.5)) is int and type(am.floor(7)) is int
    assert am.log(8, 2) == math.log(8, 2) and am.sqrt(16) == 4.0 and am.gamma(5) == 24.0
    assert am.ldexp(3, 4) == 48.0 and am.hypot(3, 4) == 5.0 and am.dist((0, 0), (3, 4)) == 5.0


def test_signature_errors_are_pythons() -> None:
    with pytest.raises(TypeError, match="ldexp: expected an int"):
        am.ldexp(1.0, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dist: both points must have the same number"):
        am.dist([1.0], [1.0, 2.0])
    with pytest.raises(DomainError, match=r"^log\(8, 1\): base 1 has logarithm 0$"):
        am.log(8, 1)
    with pytest.raises(TypeError, match="polygamma: the order n must be an int"):
        am.polygamma(1.5, 2.0)  # type: ignore[arg-type]


@pytest.mark.slow  # a per-primitive hypothesis sweep; the full suite runs it
@pytest.mark.parametrize("name", ONE_ARGUMENT)
@settings(max_examples=60, deadline=None)
@given(x=ANY_FLOAT)
def test_on_values_and_duals_the_same_number_or_the_same_error(name: str, x: float) -> None:
    f = getattr(am, name)
    want = _outcome(f, x)
    if isinstance(want, tuple) or not math.isfinite(want):  # a Value holds a finite float
        with pytest.raises(DomainError, match=rf"^{name}\("):
            f(Value(x))
        return
    v = f(Value(x))
    assert isinstance(v, Value) and v.data == want
    if v.requires_grad:
        assert jvp(f, [x], [1.0])[0] == want
    assert f(Dual(x, 1.0)).primal == want


# -- third derivatives: the derivative rules are differentiable twice more ------------------
SMOOTH = [c for c in OP_CASES if len(c.domains) == 1 and not c.params
          and c.op not in ("floor", "ceil", "trunc", "rint", "compare", "sign", "relu",
                           "fabs", "neg")]


def _second(case: OpCase, x: float) -> float:
    leaf = Value(x)
    first = grad(case.call(leaf), leaf, create_graph=True, materialize_grads=True)
    return grad(first, leaf, materialize_grads=True)


@pytest.mark.parametrize("case", SMOOTH, ids=[c.name for c in SMOOTH])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_third_derivatives_match_central_differences_of_the_second(case: OpCase,
                                                                   data: Any) -> None:
    domain = case.domains[0]
    x = data.draw(domain.floats())
    x = max(min(x, 20.0), -20.0) if domain.low < -20.0 else x  # keep the values moderate
    leaf = Value(x)
    first = grad(case.call(leaf), leaf, create_graph=True, materialize_grads=True)
    second = grad(first, leaf, create_graph=True, materialize_grads=True)
    third = grad(second, leaf, materialize_grads=True)
    # a step well inside the distance to the nearest singularity or end of the domain
    # (truncation ~ (h / d)**2), then Richardson's extrapolation from h and h / 2
    # (truncation ~ (h / d)**4): tan's pole at pi / 2 lies 0.18 from x = 1.39, where the
    # central difference alone is 1e-4 off the closed form 2 (1 + t^2) (1 + 3 t^2)
    ends = (domain.low, domain.high)
    distance = max(min([abs(x - k) for k in (*domain.avoid, *ends, 0.0)] + [1.0]), 1e-3)
    h = 1e-3 * distance
    if not domain.low <= x - h <= x + h <= domain.high:
        return
    coarse, fine = ((_second(case, x + s) - _second(case, x - s)) / (2 * s) for s in (h, h / 2))
    numerical = (4.0 * fine - coarse) / 3.0
    assert third == pytest.approx(numerical, rel=1e-4, abs=1e-4)


# -- digamma and polygamma: known values ------------------------------------------------------
EULER_GAMMA = 0.57721566490153286061
ZETA3 = 1.2020569031595942854
KNOWN = [  # (n, x, psi_n(x)): 25 digits (mpmath, 30-digit arithmetic) and closed forms
    (0, 1, "-0.5772156649015328606065121"),       # -gamma
    (0, 0.5, "-1.963510026021423479440976"),      # -gamma - 2 log 2
    (0, 2, "0.4227843350984671393934879"),        # 1 - gamma
    (0, 10, "2.251752589066721107647456"),
    (0, 100, "4.600161852738087400198606"),
    (0, 1e-05, "-100000.577199215672888681"),
    (0, -0.5, "0.03648997397857652055902367"),
    (0, -2.5, "1.10315664064524318722569"),
    (0, 1e10, "23.02585092989045684017908"),
    (1, 1, "1.644934066848226436472415"),         # pi**2 / 6
    (1, 0.5, "4.934802200544679309417245"),       # pi**2 / 2
    (1, 10, "0.105166335681685746122201"),
    (1, -0.5, "8.934802200544679309417245"),
    (1, 0.001, "1000001.64253319582734467"),
    (2, 1, "-2.404113806319188570799476"),        # -2 zeta(3)
    (2, 3.5, "-0.1082040516417274030037417"),
    (2, -1.5, "-0.2362040516417274030037417"),
    (3, 1, "6.493939402266829149096022"),         # pi**4 / 15
    (3, 0.25, "1538.782144009188396022791"),
    (5, 2, "2.081167438133896765742152"),
    (10, 7.5, "-0.001174531573589431386640867"),
]


@pytest.mark.parametrize(("n", "x", "value"), KNOWN)
def test_polygamma_to_full_double_precision(n: int, x: float, value: str) -> None:
    """Within 2 units in the last place of the exact value (n >= 1: the terms share a sign);
    digamma within 2 units in the last place of max(1, |psi|): absolute near its zeros."""
    exact = float(Decimal(value))
    got = am.polygamma(n, x)
    scale = exact if n else max(1.0, abs(exact))
    assert abs(got - exact) <= 2 * math.ulp(scale), (got, exact)
    assert am.digamma(x) == got if n == 0 else True


def test_polygamma_closed_forms() -> None:
    assert am.digamma(1.0) == pytest.approx(-EULER_GAMMA, rel=2.5e-16)
    assert am.digamma(0.5) == pytest.approx(-EULER_GAMMA - 2 * math.log(2), rel=2e-16)
    assert am.polygamma(1, 1.0) == pytest.approx(math.pi ** 2 / 6, rel=2e-16)
    assert am.polygamma(2, 1.0) == pytest.approx(-2 * ZETA3, rel=2e-16)
    assert am.polygamma(3, 1.0) == pytest.approx(math.pi ** 4 / 15, rel=3e-16)


def test_digamma_near_its_positive_zero_is_exact_in_absolute_terms() -> None:
    root = 1.4616321449683622  # psi(root) = -9.2e-17 (the float nearest the zero)
    assert abs(am.digamma(root) - -9.24126552172942747920073e-17) < 4.5e-16


def test_polygamma_poles_orders_and_overflow_are_named() -> None:
    for x in (0.0, -1.0, -7.0):
        with pytest.raises(DomainError, match=r"^digamma\(.*\): pole"):
            am.digamma(x)
    with pytest.raises(DomainError, match=r"^polygamma\(-1, 2\.0\): the order must be"):
        special.polygamma(-1.0, 2.0)
    assert am.polygamma(3, 1e-200) == math.inf  # on numbers an infinite slope is a result
    assert am.digamma(5e-324) == -math.inf      # (as dpow's at 0); a Value refuses it:
    assert am.digamma(-2.225073858507e-311) == math.inf
    assert am.polygamma(1, -2.225073858507e-311) == math.inf
    with pytest.raises(DomainError, match=r"^polygamma\(Value|^polygamma\(1e-200, 3\.0\)"):
        am.polygamma(3, Value(1e-200))


def test_polygamma_of_the_highest_order_on_a_value_names_the_order_asked_for() -> None:
    # A Value records psi_100's derivative psi_101, past the highest order: the error names
    # the order the user wrote, 100 (it used to say 101); numbers take order 100.
    assert math.isfinite(am.polygamma(100, 1.5))
    for x in (Value(1.5), Dual(1.5, 1.0)):
        with pytest.raises(DomainError, match=r"^polygamma\(100, 1\.5\): order 100 has no "
                                              r"derivative here: it would be polygamma of "
                                              r"order 101, beyond the highest order 100"):
            am.polygamma(100, x)
    assert math.isfinite(am.polygamma(99, Value(1.5)).data)


def test_lgamma_and_gamma_derivatives_are_digamma() -> None:
    x = Value(3.5)
    am.lgamma(x).backward()
    assert x.grad == special.digamma(3.5)
    second = grad(grad(am.gamma(x), x, create_graph=True), x)  # gamma (psi**2 + psi')
    want = math.gamma(3.5) * (special.digamma(3.5) ** 2 + special.polygamma(1, 3.5))
    assert second == pytest.approx(want, rel=1e-14)


# -- the machine-learning functions ------------------------------------------------------------
def test_ml_functions_are_value_methods_and_functions() -> None:
    x = Value(0.7)
    for method, function in [("sigmoid", functional.sigmoid), ("relu", functional.relu),
                             ("softplus", functional.softplus), ("gelu", functional.gelu),
                             ("silu", functional.silu)]:
        assert getattr(x, method)().data == function(x).data == function(0.7)
    assert x.leaky_relu(0.1).data == functional.leaky_relu(x, 0.1).data
    assert x.clamp(0.0, 0.5).data == functional.clamp(x, max=0.5).data == 0.5
    assert x.clamp(min=1.0).data == 1.0 and x.clamp(max=1.0).data == 0.7
    with pytest.raises(ValueError, match="clamp: at least one of min and max"):
        x.clamp()
    assert x.minimum(0.2).data == functional.minimum(x, 0.2).data == 0.2
    assert x.maximum(0.2).data == functional.maximum(0.2, x).data == 0.7
    assert functional.gelu(1.0) == pytest.approx(0.8413447460685429, rel=1e-15)
    assert functional.softplus(-800.0) == 0.0 and functional.softplus(800.0) == 800.0


@pytest.mark.parametrize(("name", "f", "x", "expected"), [
    ("clamp at its upper bound passes the gradient", lambda x: x.clamp(0.0, 6.0), 6.0, 1.0),
    ("clamp at its lower bound passes the gradient", lambda x: x.clamp(0.0, 6.0), 0.0, 1.0),
    ("clamp outside", lambda x: x.clamp(0.0, 6.0), 7.0, 0.0),
    ("minimum at a tie: half", lambda x: x.minimum(2.0), 2.0, 0.5),
    ("maximum at a tie: half", lambda x: x.maximum(2.0), 2.0, 0.5),
    ("floor' = 0", lambda x: am.floor(x), 2.0, 0.0),
    ("ceil' = 0", lambda x: am.ceil(x), 2.5, 0.0),
    ("trunc' = 0", lambda x: am.trunc(x), -2.5, 0.0),
    ("d/dy fmod(7, y) = -trunc(7 / y)", lambda y: am.fmod(7.0, y), 2.0, -3.0),
    ("d/dy remainder(7, y) = -round(7 / y), ties to even", lambda y: am.remainder(7.0, y),
     2.0, -4.0),
    ("cbrt'(0) = +inf", lambda x: am.cbrt(x), 0.0, math.inf),
    ("asin'(1) = +inf", lambda x: am.asin(x), 1.0, math.inf),
    ("acos'(1) = -inf", lambda x: am.acos(x), 1.0, -math.inf),
    ("acosh'(1) = +inf", lambda x: am.acosh(x), 1.0, math.inf),
    ("hypot at the origin: 0", lambda x: am.hypot(x, 0.0), 0.0, 0.0),
    ("atan2 at the origin: 0", lambda x: am.atan2(x, 0.0), 0.0, 0.0),
    ("copysign at x = 0: 0", lambda x: am.copysign(x, -1.0), 0.0, 0.0),
    ("copysign d/dx = sign(x) * sign(y)", lambda x: am.copysign(x, -1.0), 2.0, -1.0),
    ("fabs'(0) = 0", lambda x: am.fabs(x), 0.0, 0.0),
])
def test_kinks_follow_pytorch(name: str, f: Callable[[Value], Value], x: float,
                              expected: float) -> None:
    leaf = Value(x)
    out = f(leaf)
    out.backward()
    assert leaf.grad == expected
    assert grad(f(leaf), leaf) == expected
    assert jvp(f, [x], [1.0])[1] == expected


def test_clamp_takes_either_bound_alone_but_not_neither() -> None:
    x = Value(2.0)
    assert x.clamp(0.0).data == 2.0 and x.clamp(max=1.0).data == 1.0
    assert x.clamp(3.0).data == 3.0 and x.clamp(min=-1.0, max=1.5).data == 1.5
    with pytest.raises(ValueError, match=r"^clamp: at least one of min and max must be given$"):
        x.clamp()

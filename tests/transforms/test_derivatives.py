"""Testing your own derivatives: ``assert_derivative_matches``, ``keyword_arguments`` and
``differentiable`` (existing ``import math`` code run on Values).

The worked case is a library author's: a Black-Scholes price written for ``math``, with a
hand-written vega.  Expected numbers are closed forms computed here on floats; the planted
bug (a vega missing ``exp(-q T)``) must read as a ratio of ``e^{qT}``.
"""

from __future__ import annotations

import math
import re
from math import erf, exp, log, sqrt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import Dual, Value, differentiable, func, grad
from autograd_lite import math as am
from autograd_lite.testing import assert_derivative_matches, keyword_arguments


# -- a pricing library written for math, as it would be: module globals, helpers ---------------
def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + erf(x / sqrt(2.0)))


def norm_pdf(x: float) -> float:
    return exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def d1(spot: float, strike: float, maturity: float, rate: float, dividend: float,
       sigma: float) -> float:
    return ((log(spot / strike) + (rate - dividend + 0.5 * sigma * sigma) * maturity)
            / (sigma * sqrt(maturity)))


def price(spot: float, strike: float, maturity: float, rate: float, dividend: float,
          sigma: float) -> float:
    """A European call with a continuous dividend yield."""
    a = d1(spot, strike, maturity, rate, dividend, sigma)
    b = a - sigma * sqrt(maturity)
    return (spot * exp(-dividend * maturity) * norm_cdf(a)
            - strike * exp(-rate * maturity) * norm_cdf(b))


def vega(spot: float, strike: float, maturity: float, rate: float, dividend: float,
         sigma: float) -> float:
    a = d1(spot, strike, maturity, rate, dividend, sigma)
    return spot * exp(-dividend * maturity) * norm_pdf(a) * sqrt(maturity)


def vega_missing_the_dividend(spot: float, strike: float, maturity: float, rate: float,
                              dividend: float, sigma: float) -> float:
    a = d1(spot, strike, maturity, rate, dividend, sigma)
    return spot * norm_pdf(a) * sqrt(maturity)  # the planted bug: no exp(-q T)


MARKET = {"spot": 100.0, "strike": 95.0, "maturity": 1.5, "rate": 0.03, "dividend": 0.02,
          "sigma": 0.25}


# -- differentiable: math code on Values -------------------------------------------------------
def test_differentiable_runs_math_code_on_values_with_the_closed_form_derivative() -> None:
    sigma = Value(MARKET["sigma"])
    on_values = differentiable(price)(**{**MARKET, "sigma": sigma})
    assert on_values.data == pytest.approx(price(**MARKET), rel=1e-14)
    on_values.backward()
    assert sigma.grad == pytest.approx(vega(**MARKET), rel=1e-12)


def test_differentiable_changes_neither_the_function_nor_the_module() -> None:
    fast = differentiable(price)
    assert price(**MARKET) == fast(**MARKET)  # on floats, the same bits
    with pytest.raises(TypeError, match="would cut the graph"):
        price(**{**MARKET, "sigma": Value(0.25)})  # the original still calls math
    assert globals()["exp"] is math.exp and globals()["math"] is math
    assert fast.__name__ == "price" and fast.__doc__ == price.__doc__


def test_differentiable_follows_each_way_of_importing_math() -> None:
    import math as m  # a local alias: a closure variable, not a global

    def uses_alias(x: Any) -> Any:
        return m.sin(x)

    x = Value(0.3)
    with pytest.raises(TypeError, match="would cut the graph"):
        differentiable(uses_alias)(x)  # documented: globals only, not closures
    assert differentiable(norm_pdf)(Dual(0.5, 1.0)).tangent == pytest.approx(
        -0.5 * norm_pdf(0.5), rel=1e-14)


def test_differentiable_keeps_defaults_keyword_defaults_and_methods() -> None:
    def scaled(x: Any, factor: float = 2.0, *, shift: float = 1.0) -> Any:
        return factor * exp(x) + shift

    class Pricer:
        def __init__(self, strike: float) -> None:
            self.strike = strike

        def call(self, spot: Any) -> Any:
            return price(spot, self.strike, 1.0, 0.0, 0.0, 0.2)

    x = Value(0.0)
    y = differentiable(scaled)(x)
    assert y.data == 3.0
    y.backward()
    assert x.grad == 2.0
    spot = Value(100.0)
    differentiable(Pricer(100.0).call)(spot).backward()
    assert spot.grad == pytest.approx(norm_cdf(0.1), rel=1e-12)  # delta = N(d1), d1 = 0.1


def test_a_math_function_without_derivative_stays_maths() -> None:
    def close(x: Any) -> bool:
        return math.isclose(x, 1.0)

    assert differentiable(close)(1.0) is True


@pytest.mark.parametrize("bad", [math.exp, len, int, 3.0])
def test_differentiable_refuses_what_is_not_a_python_function(bad: object) -> None:
    with pytest.raises(TypeError, match=r"^differentiable: expected a Python function or "
                                        rf"method, got {re.escape(type(bad).__name__)} "):
        differentiable(bad)  # type: ignore[arg-type]


# -- assert_derivative_matches ---------------------------------------------------------------
def test_the_right_vega_passes_and_the_planted_bug_reads_as_a_ratio_of_e_to_the_qt() -> None:
    f = differentiable(price)
    assert_derivative_matches(f, vega, MARKET, "sigma")
    with pytest.raises(AssertionError) as info:
        assert_derivative_matches(f, vega_missing_the_dividend, MARKET, "sigma")
    message = str(info.value)
    assert message.startswith(
        "vega_missing_the_dividend does not match autograd_lite's derivative of price at "
        "spot=100.0, strike=95.0, maturity=1.5, rate=0.03, dividend=0.02, sigma=0.25 "
        "(rtol=1e-07, atol=1e-12):\n  d price / d sigma: yours ")
    found = re.search(r"yours (\S+), autograd_lite's (\S+); ratio yours / autograd_lite's "
                      r"(\S+) \(log (\S+)\), difference (\S+)$", message)
    assert found is not None, message
    yours, ours, ratio, logged, difference = (float(g) for g in found.groups())
    q_t = MARKET["dividend"] * MARKET["maturity"]
    assert yours == vega_missing_the_dividend(**MARKET)
    assert ours == pytest.approx(vega(**MARKET), rel=1e-12)
    assert ratio == pytest.approx(math.exp(q_t), rel=1e-12)
    assert logged == pytest.approx(q_t, rel=1e-5)
    assert difference == pytest.approx(yours - ours, rel=1e-12)


def test_several_parameters_and_every_mismatch_listed() -> None:
    def f(x: Any, y: Any, scale: float) -> Any:
        return scale * am.sin(x) * y

    def right(x: float, y: float, scale: float) -> tuple[float, float]:
        return scale * math.cos(x) * y, scale * math.sin(x)

    def both_wrong(x: float, y: float, scale: float) -> tuple[float, float]:
        return math.cos(x) * y, math.sin(x)  # scale forgotten in both

    inputs = {"x": 0.5, "y": 2.0, "scale": 3.0}
    assert_derivative_matches(f, right, inputs, ("x", "y"))
    with pytest.raises(AssertionError) as info:
        assert_derivative_matches(f, both_wrong, inputs, ["x", "y"])
    lines = str(info.value).splitlines()
    assert [line.split(":")[0] for line in lines[1:]] == ["  d f / d x", "  d f / d y"]
    assert all("ratio yours / autograd_lite's 0.333333333333" in line for line in lines[1:])


def test_wrt_none_takes_every_float_bound_to_a_positional_parameter() -> None:
    def f(x: Any, y: Any, n: int, *, label: str = "") -> Any:
        return x * x * y * n

    def df(x: float, y: float, n: int, *, label: str = "") -> tuple[float, float]:
        return 2 * x * y * n, x * x * n

    assert_derivative_matches(f, df, {"x": 3.0, "y": 2.0, "n": 2, "label": "a"})
    assert_derivative_matches(lambda x: x * x * x, lambda x: 3 * x * x, {"x": 2.0})


def test_a_jacobian_compared_entry_by_entry() -> None:
    def polar(r: Any, theta: Any) -> tuple[Any, Any]:
        return r * am.cos(theta), r * am.sin(theta)

    def jacobian(r: float, theta: float) -> tuple[tuple[float, float], tuple[float, float]]:
        return ((math.cos(theta), -r * math.sin(theta)),
                (math.sin(theta), r * math.cos(theta)))

    def jacobian_sign_slip(r: float, theta: float) -> Any:
        (a, b), (c, d) = jacobian(r, theta)
        return (a, -b), (c, d)

    inputs = {"r": 2.0, "theta": 0.7}
    assert_derivative_matches(polar, jacobian, inputs, ("r", "theta"), kind="jacobian")
    with pytest.raises(AssertionError, match=r"\n  d polar\[0\] / d theta: yours 1\.28.*ratio "
                                             r"yours / autograd_lite's -1\.0, difference"):
        assert_derivative_matches(polar, jacobian_sign_slip, inputs, ("r", "theta"),
                                  kind="jacobian")
    assert_derivative_matches(polar, lambda r, theta: (math.cos(theta), math.sin(theta)),
                              inputs, "r", kind="jacobian")


def test_a_hessian_compared_entry_by_entry() -> None:
    def f(x: Any, y: Any) -> Any:
        return x * x * y + y ** 3

    def hessian(x: float, y: float) -> tuple[tuple[float, float], tuple[float, float]]:
        return (2 * y, 2 * x), (2 * x, 6 * y)

    def hessian_off_diagonal_halved(x: float, y: float) -> Any:
        return (2 * y, x), (x, 6 * y)

    inputs = {"x": 1.0, "y": 2.0}
    assert_derivative_matches(f, hessian, inputs, ("x", "y"), kind="hessian")
    with pytest.raises(AssertionError) as info:
        assert_derivative_matches(f, hessian_off_diagonal_halved, inputs, ("x", "y"),
                                  kind="hessian")
    labels = [line.split(":")[0] for line in str(info.value).splitlines()[1:]]
    assert labels == ["  d2 f / d x d y", "  d2 f / d y d x"]
    assert_derivative_matches(f, lambda x, y: 6 * y, inputs, "y", kind="hessian")
    with pytest.raises(AssertionError, match=r"d2 f / d y\^2: yours 6\.0, autograd_lite's "
                                             r"12\.0; ratio yours / autograd_lite's 0\.5 "):
        assert_derivative_matches(f, lambda x, y: 6.0, inputs, "y", kind="hessian")


def test_another_shape_is_reported_with_what_was_expected() -> None:
    with pytest.raises(AssertionError, match=r"^df returned 'number' where autograd_lite's "
                                             r"derivative of f is \('number', 'number'\): "
                                             r"d f / d x, d f / d y$"):
        def f(x: Any, y: Any) -> Any:
            return x * y

        def df(x: float, y: float) -> float:
            return y

        assert_derivative_matches(f, df, {"x": 1.0, "y": 2.0}, ("x", "y"))


def test_an_infinite_or_zero_value_still_gives_a_message() -> None:
    with pytest.raises(AssertionError, match=r"yours 1\.0, autograd_lite's 0\.0; ratio "
                                             r"undefined \(autograd_lite's is 0\)"):
        assert_derivative_matches(lambda x: x * 0.0, lambda x: 1.0, {"x": 1.0})
    with pytest.raises(TypeError, match=r"^assert_derivative_matches: <lambda>'s d <lambda> "
                                        r"/ d x: expected a real number, got str"):
        assert_derivative_matches(lambda x: x * 2.0, lambda x: "2", {"x": 1.0})


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: assert_derivative_matches(3.0, vega, MARKET), TypeError,
     r"^assert_derivative_matches: f must be callable, got float 3\.0$"),
    (lambda: assert_derivative_matches(price, None, MARKET), TypeError,
     r"^assert_derivative_matches: derivative must be callable, got NoneType None$"),
    (lambda: assert_derivative_matches(price, vega, [1.0]), TypeError,
     r"^assert_derivative_matches: inputs must be a mapping of keyword arguments, got list"),
    (lambda: assert_derivative_matches(price, vega, MARKET, kind="laplacian"), ValueError,
     r"^assert_derivative_matches: kind must be one of \['grad', 'hessian', 'jacobian'\], "
     r"got 'laplacian'$"),
    (lambda: assert_derivative_matches(price, vega, MARKET, "vol"), ValueError,
     r"^assert_derivative_matches: wrt 'vol' is not a parameter of price given in inputs"),
    (lambda: assert_derivative_matches(price, vega, {"spot": 1.0}), TypeError,
     r"^assert_derivative_matches: inputs \['spot'\] do not fit price's parameters: "
     r"missing a required argument: 'strike'$"),
    (lambda: assert_derivative_matches(price, vega, MARKET, rtol=-1.0), ValueError,
     r"^assert_derivative_matches: rtol must be at least 0, got -1\.0$"),
    (lambda: assert_derivative_matches(lambda s: s, lambda s: 1.0, {"s": "a"}), ValueError,
     r"^assert_derivative_matches: nothing to differentiate: give wrt"),
])
def test_bad_inputs_name_the_function_and_the_argument(call: Any, error: type[Exception],
                                                      message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# -- keyword_arguments: drawn inputs -----------------------------------------------------------
RANGES = {"spot": (50.0, 150.0), "strike": (50.0, 150.0), "maturity": (0.1, 3.0),
          "rate": (0.0, 0.1), "dividend": (0.0, 0.1), "sigma": (0.05, 0.8)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keyword_arguments(price, **RANGES))
def test_the_right_vega_matches_on_drawn_markets(inputs: dict[str, float]) -> None:
    assert list(inputs) == list(RANGES)  # the signature's order
    assert all(low <= inputs[name] <= high for name, (low, high) in RANGES.items())
    assert_derivative_matches(differentiable(price), vega, inputs, "sigma", rtol=1e-6,
                              atol=1e-9)


@pytest.mark.slow  # a hypothesis search until it finds the bug
def test_hypothesis_finds_the_planted_bug_and_reports_the_ratio() -> None:
    @settings(max_examples=50, deadline=None, database=None)
    @given(keyword_arguments(price, **{**RANGES, "dividend": (0.01, 0.1)}))
    def check(inputs: dict[str, float]) -> None:
        assert_derivative_matches(differentiable(price), vega_missing_the_dividend, inputs,
                                  "sigma", rtol=1e-6, atol=1e-9)

    with pytest.raises(AssertionError, match=r"d price / d sigma: .*ratio yours / "
                                             r"autograd_lite's 1\.0"):
        check()


def test_keyword_arguments_shorthands_and_defaults() -> None:
    def f(x: float, y: float = 1.0, *, n: int = 2, tag: str = "") -> float:
        return x * y * n

    drawn = []

    @settings(max_examples=20, derandomize=True)
    @given(keyword_arguments(f, x=(0.0, 1.0), n=3, tag=st.sampled_from(["a", "b"])))
    def collect(inputs: dict[str, Any]) -> None:
        drawn.append(inputs)

    collect()
    assert drawn and all(list(d) == ["x", "n", "tag"] and d["n"] == 3 for d in drawn)
    assert {d["tag"] for d in drawn} <= {"a", "b"}


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: keyword_arguments(price, spot=(1.0, 2.0)), ValueError,
     r"^keyword_arguments: no strategy for strike, maturity, rate, dividend, sigma "
     r"\(parameters of 'price' without a default\)$"),
    (lambda: keyword_arguments(price, **RANGES, vol=(0.1, 0.2)), ValueError,
     r"^keyword_arguments: vol not a parameter of 'price' \(its parameters: spot, strike"),
    (lambda: keyword_arguments(price, **{**RANGES, "sigma": "wide"}), TypeError,
     r"^keyword_arguments: sigma: expected a strategy, a \(low, high\) pair or a number, got "
     r"str 'wide'$"),
    (lambda: keyword_arguments(3.0), TypeError,
     r"^keyword_arguments: f must be callable, got float 3\.0$"),
])
def test_keyword_arguments_refuses_with_the_parameter_named(call: Any, error: type[Exception],
                                                            message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_func_grad_agrees_with_the_closed_form_greeks_too() -> None:
    """The same differentiable price under func.grad and grad: delta N(d1) e^{-qT}."""
    f = differentiable(price)
    a = d1(**MARKET)
    delta = math.exp(-MARKET["dividend"] * MARKET["maturity"]) * norm_cdf(a)
    assert func.grad(f)(*MARKET.values()) == pytest.approx(delta, rel=1e-12)
    spot = Value(MARKET["spot"])
    assert grad(f(**{**MARKET, "spot": spot}), spot) == pytest.approx(delta, rel=1e-12)

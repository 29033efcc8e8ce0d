"""Numerical differentiation and gradcheck / gradgradcheck -- including that they can FAIL.

A checker that cannot fail proves nothing, so each check is also run on an op with a
deliberately wrong rule.  Those are private ``Primitive`` objects, called directly; a bare
``Primitive(...)`` is not registered, so the global rule table is never touched.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings

import autograd_lite.math as am
from autograd_lite.core.check import (
    GradcheckError,
    analytical_jacobian,
    central_difference,
    gradcheck,
    gradgradcheck,
    numerical_jacobian,
)
from autograd_lite.core.rules import PRIMITIVES, Primitive
from autograd_lite.core.value import Value
from autograd_lite.testing import Expression, expression_cases, safe_floats

# d/dx sin x = cos x; this rule has the sign wrong.
WRONG_SIN = Primitive("sin_wrong", math.sin, lambda out, x: (-am.cos(x),))
# x**2 with the right first derivative on floats, but .item() cuts it out of the graph (the
# rule gets floats in backward, Values under create_graph): its second derivative comes out
# 0 instead of 2.
DETACHED_SQUARE = Primitive(
    "square", lambda x: x * x,
    lambda out, x: (2.0 * (x.item() if isinstance(x, Value) else x),))

NUMBER = r"(-?[0-9.e+-]+)"


def test_the_wrong_rules_are_not_in_the_rule_table() -> None:
    assert WRONG_SIN not in PRIMITIVES.values() and DETACHED_SQUARE not in PRIMITIVES.values()
    assert PRIMITIVES["sin"] is not WRONG_SIN


def test_central_difference_of_x_cubed() -> None:
    """(f(x+eps) - f(x-eps)) / 2eps = 3x**2 + eps**2 for f = x**3: at x = 2, 12 + 1e-12."""
    assert central_difference(lambda x: x ** 3, [2.0], 0) == pytest.approx(12.0, rel=1e-8)
    assert central_difference(lambda x, y: x * y, [Value(2.0), 5.0], 1) == pytest.approx(2.0)
    with pytest.raises(TypeError, match="f returned 2 outputs"):
        central_difference(lambda x: (x, x), [1.0], 0)
    with pytest.raises(IndexError, match="input index 3 out of range for 1 inputs"):
        central_difference(lambda x: x, [1.0], 3)


def test_jacobians_have_one_row_per_output() -> None:
    """f(x, y) = (x y, sin x, 7): J = [[y, x], [cos x, 0], [0, 0]]."""
    def f(x: Value, y: Value) -> tuple[Value, Value, float]:
        return x * y, x.sin(), 7.0

    expected = [[3.0, 0.5], [math.cos(0.5), 0.0], [0.0, 0.0]]
    assert analytical_jacobian(f, [0.5, 3.0]) == expected
    numerical = numerical_jacobian(f, [0.5, 3.0])
    for row, expected_row in zip(numerical, expected, strict=True):
        assert row == pytest.approx(expected_row, abs=1e-8)


def test_gradcheck_leaves_value_inputs_alone() -> None:
    x = Value(1.2)
    assert gradcheck(lambda a: a.tanh() * a, [x])
    assert (x.grad, x.data) == (0.0, 1.2)


@given(expression_cases(n_inputs=3, max_ops=8))
def test_gradcheck_passes_on_random_graphs(case: tuple[Expression, list[float]]) -> None:
    f, xs = case
    assert gradcheck(f, xs)


@settings(max_examples=40)
@given(expression_cases(n_inputs=2, max_ops=5))
def test_gradgradcheck_passes_on_random_graphs(case: tuple[Expression, list[float]]) -> None:
    """Second derivatives through every rule applied to Values, on random programs."""
    f, xs = case
    assert gradgradcheck(f, xs, atol=1e-4)


@given(safe_floats(-3.0, 3.0, avoid=(-math.pi / 2, math.pi / 2), margin=0.1))
def test_gradcheck_fails_on_a_wrong_rule(x: float) -> None:
    """The wrong sin rule says -cos x; central differences say cos x."""
    f = lambda v: WRONG_SIN(v)  # noqa: E731
    assert gradcheck(f, [x], raise_exception=False) is False
    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [x])
    match = re.fullmatch(r"Jacobian mismatch for output 0 with respect to v \(input 0\),\n"
                         rf"numerical:{NUMBER}\nanalytical:{NUMBER}\n", str(info.value))
    assert match is not None
    assert float(match[1]) == pytest.approx(math.cos(x), rel=1e-6, abs=1e-8)
    assert float(match[2]) == pytest.approx(-math.cos(x), rel=1e-12)


def test_gradcheck_names_the_output_and_input_that_disagree() -> None:
    def f(x: Value, y: Value) -> tuple[Value, Value]:
        return x * y, WRONG_SIN(y) + x

    with pytest.raises(GradcheckError, match=r"^Jacobian mismatch for output 1 with respect "
                                             r"to y \(input 1\),\nnumerical:"):
        gradcheck(f, [0.3, 0.4])


def test_gradgradcheck_checks_second_derivatives() -> None:
    """f = x**2 y + sin(x y) (the Hessian test of test_engine): all second derivatives agree."""
    assert gradgradcheck(lambda x, y: x ** 2 * y + (x * y).sin(), [0.7, -1.3])


def test_gradgradcheck_fails_where_gradcheck_passes() -> None:
    """The detached square has the right first derivative 2x but second derivative 0, not 2."""
    f = lambda v: DETACHED_SQUARE(v) * 3.0  # noqa: E731
    assert gradcheck(f, [1.5])
    assert gradgradcheck(f, [1.5], raise_exception=False) is False
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(f, [1.5])
    # the derivative rule detached its result, so the second derivative's graph is cut
    match = re.match(r"gradgradcheck: f cut the graph between v \(input 0\) and d output 0 / "
                     rf"d v \(input 0\): .* \(numerical derivative {NUMBER}\) but does not "
                     r"depend on it through Value operations \(analytical derivative 0\.0\)",
                     str(info.value))
    assert match is not None, str(info.value)
    assert float(match[1]) == pytest.approx(6.0, rel=1e-6)


def test_a_math_function_on_a_value_is_refused_before_gradcheck_compares() -> None:
    """math.sin(a) would turn the Value into a float: refused at once, naming the fix."""
    with pytest.raises(TypeError, match=r"would cut the graph: use v\.item\(\).*"
                                        r"autograd_lite\.math"):
        gradcheck(lambda a: math.sin(a), [1.0])


def test_gradcheck_says_when_f_cut_the_graph() -> None:
    """Value(math.sin(a.data)) is a new leaf: d/da is lost, not 0."""
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: Value(math.sin(a.data)), [1.0])
    numerical = (math.sin(1.0 + 1e-6) - math.sin(1.0 - 1e-6)) / 2e-6
    assert str(info.value) == (
        "gradcheck: f cut the graph between a (input 0) and output 0: output 0 changes with a "
        f"(input 0) (numerical derivative {numerical!r}) but "
        "does not depend on it through Value operations (analytical derivative 0.0); compute "
        "with Value methods (x.sin(), x.exp() ...), not math functions, float(x) or x.data\n")
    assert gradcheck(lambda a: Value(math.sin(a.data)), [1.0], raise_exception=False) is False


def test_gradcheck_names_the_cut_input_among_connected_ones() -> None:
    """b enters only through b.data: the graph connects output 0 to a, not to b."""
    with pytest.raises(GradcheckError, match=r"^gradcheck: f cut the graph between b "
                                             r"\(input 1\) and output 0: "):
        gradcheck(lambda a, b: a * 2.0 + b.data ** 2, [1.0, 3.0])


# -- messages name the inputs by the function's parameters --------------------------------------
WRONG_SQUARE = Primitive("wrong_square_check", lambda x: x * x, lambda out, x: (x,))


def _black_scholes_vega_wrong(spot: Value, sigma: Value, maturity: Value) -> Value:
    """spot sigma^2 maturity with the wrong square rule: d/dsigma is off, the others right."""
    return spot * WRONG_SQUARE(sigma) * maturity


def test_gradcheck_names_the_parameter_from_the_signature() -> None:
    with pytest.raises(GradcheckError, match=r"^Jacobian mismatch for output 0 with respect "
                                             r"to sigma \(input 1\),\nnumerical:1\.19"):
        gradcheck(_black_scholes_vega_wrong, [1.0, 0.3, 2.0])


def test_gradgradcheck_names_both_parameters() -> None:
    def f(x: Value, scale: Value) -> Value:
        return WRONG_SQUARE(x) * scale

    with pytest.raises(GradcheckError, match=r"^Second derivative mismatch for output 0 with "
                                             r"respect to scale \(input 1\) and x \(input 0\),"):
        gradgradcheck(f, [1.0, 0.3])


@pytest.mark.parametrize(("f", "expected"), [
    (lambda *xs: WRONG_SQUARE(xs[1]) + xs[0], "input 1,"),  # *args: no names
    (WRONG_SQUARE, "input 0,"),  # a primitive: no signature of names
    (lambda a, /, b: a + WRONG_SQUARE(b), "b (input 1),"),  # positional-only counts
])
def test_without_a_parameter_name_the_position(f: Any, expected: str) -> None:
    inputs = [1.0, 0.5][:2 if f is not WRONG_SQUARE else 1]
    with pytest.raises(GradcheckError, match=rf"with respect to {re.escape(expected)}\n"):
        gradcheck(f, inputs)


def test_names_come_from_the_signature_of_a_partial_and_a_method() -> None:
    class Model:
        def loss(self, weight: Value, bias: Value) -> Value:
            return WRONG_SQUARE(bias) + weight

    with pytest.raises(GradcheckError, match=r"with respect to bias \(input 1\),"):
        gradcheck(Model().loss, [1.0, 0.5])
    curried = functools.partial(_black_scholes_vega_wrong, 1.0)
    with pytest.raises(GradcheckError, match=r"with respect to sigma \(input 0\),"):
        gradcheck(curried, [0.3, 2.0])

"""The safe expression parser behind ``autograd-lite grad``: closed-form gradients for good
input, and a clear error with a caret under the offending token for everything else."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Value
from autograd_lite.cli.formula import MAX_LENGTH, FormulaError, evaluate, parse_formula


def grads(text: str, **values: float) -> tuple[float, dict[str, float]]:
    leaves = {name: Value(v, name) for name, v in values.items()}
    out = evaluate(text, leaves)
    out.backward()
    return out.data, {name: leaf.grad for name, leaf in leaves.items()}


def test_readme_example_matches_its_closed_form() -> None:
    value, g = grads("x*y + exp(x)", x=2.0, y=3.0)
    assert value == 6.0 + math.exp(2.0)
    assert g == {"x": 3.0 + math.exp(2.0), "y": 2.0}


@pytest.mark.parametrize(("text", "derivative"), [
    ("sigmoid(x)", lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    ("tanh(x) ** 2", lambda x: 2 * math.tanh(x) / math.cosh(x) ** 2),
    ("-x / (1 + x**2)", lambda x: (x**2 - 1) / (1 + x**2) ** 2),
    ("2 ** x", lambda x: 2**x * math.log(2)),
    ("log(sqrt(x)) + sin(x) * cos(x)", lambda x: 0.5 / x + math.cos(2 * x)),
    ("leaky_relu(-x, 0.1) + relu(x) + abs(x - 3)", lambda x: -0.1 + 1 - 1),
    ("(-2) ** 2 * x + +x", lambda x: 5.0),
])
def test_functions_and_operators_give_closed_form_derivatives(
        text: str, derivative: Callable[[float], float]) -> None:
    _, g = grads(text, x=0.7)
    assert math.isclose(g["x"], derivative(0.7), rel_tol=1e-12)


@pytest.mark.parametrize(("text", "column", "reason"), [
    ("x.__class__", 1, "attribute access"),
    ("exp(x).real", 6, "attribute access"),
    ("__import__('os')", 0, "names starting with '_'"),
    ("x + __builtins__", 4, "names starting with '_'"),
    ("2 + open('f')", 4, "unknown function 'open'"),
    ("eval('1')", 0, "unknown function 'eval'"),
    ("lambda: x", 0, "lambda"),
    ("[x for x in y]", 0, "comprehensions"),
    ("exp(x for x in y)", 3, "comprehensions"),
    ("import os", 0, "syntax error"),
    ("x[0]", 0, "indexing"),
    ("x ^ 2", 4, "for a power write **"),
    ("x if x else y", 0, "'if ... else'"),
    ("exp(x, y)", 0, "exp takes 1 argument"),
    ("exp(x=1)", 6, "keyword arguments"),
    ("'text'", 0, "only numbers"),
    ("True + x", 0, "only numbers"),
    ("1e999 * x", 0, "number too large"),
    ("x + " + "9" * 400, 4, "number too large"),
    ("exp", 0, "is a function"),
    ("x\ny", 1, "one line only"),
    ("", 0, "empty expression"),
])
def test_hostile_input_is_refused_with_a_caret_at_the_token(text: str, column: int,
                                                            reason: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text).evaluate({"x": 1.0, "y": 2.0})
    error = caught.value
    assert reason in error.reason
    assert error.column == column
    caret_line = str(error).splitlines()[-1]
    assert caret_line.index("^") - 2 == column  # two spaces of indent before the text


@pytest.mark.parametrize("text", [
    "(" * 10000 + "x" + ")" * 10000,
    "(" * 10000,
    "-" * 1999 + "x",
    "x" + "+x" * 999,
    "x*" * 5000 + "x",
    "1" * 5000,
])
def test_deep_or_long_input_is_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FormulaError, match=r"too long|too deeply"):
        parse_formula(text)
    assert time.perf_counter() - start < 0.5


def test_huge_powers_overflow_at_once_instead_of_being_computed() -> None:
    for text in ("10**10**10", "x ** 10 ** 10", "(x + 9) ** 9 ** 9 ** 9"):
        start = time.perf_counter()
        with pytest.raises(DomainError, match="overflows"):
            evaluate(text, {"x": 2.0})
        assert time.perf_counter() - start < 0.5


def test_missing_variable_points_at_it() -> None:
    with pytest.raises(FormulaError, match="no value given for variable 'y'") as caught:
        evaluate("x*y", {"x": 1.0})
    assert caught.value.column == 2


def test_variables_are_listed_in_order_of_use() -> None:
    assert parse_formula("b * a + exp(b) + c").variables == ("b", "a", "c")
    assert len("x" * MAX_LENGTH) == MAX_LENGTH  # the limit itself is accepted
    assert parse_formula("x" * MAX_LENGTH).variables == ("x" * MAX_LENGTH,)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="x()+-*/.,_[]:'^ 0123456789eaplmbdoi=", max_size=40))
def test_any_text_either_evaluates_or_fails_cleanly(text: str) -> None:
    try:
        out = evaluate(text, {"x": 0.5})
    except (FormulaError, DomainError):
        return
    assert isinstance(out, Value) and math.isfinite(out.data)


def test_values_are_looked_up_by_the_name_python_reads() -> None:
    # A fullwidth x (U+FF58) is the identifier x to Python's parser (NFKC), in the text and
    # now in the mapping of values: d/dx (x * 2) = 2 at x = 3.
    wide_x = "\uff58"
    for text in (f"{wide_x} * 2", "x * 2"):
        out = evaluate(text, {wide_x: 3.0})
        out.backward()
        assert out.data == 6.0 and out.parents[0].label == "x"
        assert out.parents[0].grad == 2.0


def test_pi_e_and_tau_are_the_math_constants_not_variables() -> None:
    formula = parse_formula("pi * x + e ** x + tau")
    assert formula.variables == ("x",)
    value, gradients = grads("pi * x + e ** x + tau", x=2.0)
    assert value == pytest.approx(math.pi * 2 + math.e ** 2 + math.tau)
    assert gradients == {"x": pytest.approx(math.pi + math.e ** 2)}
    assert evaluate("sin(pi / 2)", {}).data == 1.0
    with pytest.raises(ValueError, match=r"evaluate: e is a constant \(2\.718.*\), not a "
                                         "variable"):
        evaluate("x * e", {"x": 1.0, "e": 2.0})

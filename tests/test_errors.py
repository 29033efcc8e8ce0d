"""Bad input: every error names the operation and the offending value (type AND message).

The brief: never a silent NaN, a bare assert or a complex number.  Forward mode (Duals) runs
the same float functions of the primitives, so it must raise exactly the same errors as Values.
"""

from __future__ import annotations

import ast
import fractions
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual
from autograd_lite.core.gradients import grad
from autograd_lite.core.value import Value

# (what, f applied to the number type, inputs, exact message)
DOMAIN_ERRORS: list[tuple[str, Callable[..., Any], tuple[float, ...], str]] = [
    ("log(0)", lambda x: x.log(), (0.0,), "log(0.0): logarithm needs a positive argument"),
    ("log(-1)", lambda x: x.log(), (-1.0,), "log(-1.0): logarithm needs a positive argument"),
    ("sqrt(-1)", lambda x: x.sqrt(), (-1.0,),
     "sqrt(-1.0): square root needs a non-negative argument"),
    ("0 ** -1", lambda x: x ** -1, (0.0,),
     "pow(0.0, -1.0): zero to a negative power divides by zero"),
    ("x / 0", lambda x, y: x / y, (1.5, 0.0), "div(1.5, 0.0): division by zero"),
    ("1 / x at 0", lambda x: 1 / x, (0.0,), "div(1.0, 0.0): division by zero"),
    ("(-8) ** 0.5", lambda x: x ** 0.5, (-8.0,),
     "pow(-8.0, 0.5): negative base to a non-integer power is complex"),
    ("x ** y, x < 0", lambda x, y: x ** y, (-2.0, 2.0),
     "pow(-2.0, 2.0): a Value exponent needs a positive base (d/dy x**y = x**y * log x); "
     "use a number exponent"),
    ("(-2) ** y", lambda y: (-2.0) ** y, (3.0,),
     "pow(-2.0, 3.0): a Value exponent needs a positive base (d/dy x**y = x**y * log x); "
     "use a number exponent"),
    ("exp overflow", lambda x: x.exp(), (710.0,), "exp(710.0): result overflows a float"),
    ("pow overflow", lambda x: x ** 400, (10.0,), "pow(10.0, 400.0): result overflows a float"),
    ("mul overflow", lambda x, y: x * y, (1e200, 1e200),
     "mul(1e+200, 1e+200): result is not a finite float"),
    ("add overflow", lambda x, y: x + y, (1.7e308, 1.7e308),
     "add(1.7e+308, 1.7e+308): result is not a finite float"),
]


@pytest.mark.parametrize(("what", "f", "xs", "message"), DOMAIN_ERRORS,
                         ids=[e[0] for e in DOMAIN_ERRORS])
@pytest.mark.parametrize("number", [Value, Dual], ids=["Value", "Dual"])
def test_domain_errors_name_the_op_and_the_value(
        number: type, what: str, f: Callable[..., Any], xs: tuple[float, ...],
        message: str) -> None:
    with pytest.raises(DomainError, match=f"^{re.escape(message)}$") as info:
        f(*[number(x) for x in xs])
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ArithmeticError)
    assert info.value.op == message.split("(")[0]


def test_domain_error_carries_op_values_and_reason() -> None:
    error = DomainError("log", (-1.0,), "logarithm needs a positive argument")
    assert (error.op, error.values, error.reason) == ("log", (-1.0,),
                                                      "logarithm needs a positive argument")
    assert str(error) == "log(-1.0): logarithm needs a positive argument"


def test_infinite_derivative_has_no_differentiable_value() -> None:
    """sqrt'(0) = inf is fine as a number, but cannot be differentiated again: its rule
    dpow(x, 0.5) applied to the Value x refuses the infinite result."""
    x = Value(0.0)
    y = x.sqrt()  # outside the raises block: recording sqrt at 0 itself must succeed
    with pytest.raises(DomainError,
                       match=r"^dpow\(0\.0, 0\.5\): result is not a finite float$"):
        grad(y, x, create_graph=True)


TYPE_ERRORS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("bool", lambda: Value(True), TypeError, "Value: expected a real number, got bool True"),
    ("str", lambda: Value("1"), TypeError, "Value: expected a real number, got str '1'"),
    ("None", lambda: Value(None), TypeError, "Value: expected a real number, got NoneType None"),
    ("complex", lambda: Value(1 + 2j), TypeError,
     "Value: expected a real number, got complex (1+2j)"),
    ("Value of a Value", lambda: Value(Value(1.0)), TypeError,
     "Value: expected a real number, got Value (use .detach() or .data)"),
    ("nan", lambda: Value(math.nan), DomainError, "Value(nan): expected a finite number"),
    ("inf", lambda: Value(-math.inf), DomainError, "Value(-inf): expected a finite number"),
    ("str operand", lambda: Value(1.0) + "2", TypeError,
     "add: expected a real number, got str '2'"),
    ("str slope", lambda: Value(1.0).leaky_relu("0.1"), TypeError,
     "leaky_relu: expected a real number, got str '0.1'"),
    ("complex exponent", lambda: Value(1.0) ** 1j, TypeError,
     "powc: expected a real number, got complex 1j"),
    ("label", lambda: Value(1.0, label=3), TypeError, "Value: label must be a str, got int"),
    ("Dual of a str", lambda: Dual("x"), TypeError,
     "Dual primal: expected a real number, got str 'x'"),
    ("Dual plus None", lambda: Dual(1.0) + None, TypeError,
     "add: expected a real number, got NoneType None"),
    ("backward seed nan", lambda: (Value(1.0) * 2).backward(math.nan), DomainError,
     "backward gradient(nan): expected a finite number"),
]


@pytest.mark.parametrize(("what", "make", "kind", "message"), TYPE_ERRORS,
                         ids=[e[0] for e in TYPE_ERRORS])
def test_bad_inputs_are_refused_with_their_type(
        what: str, make: Callable[[], Any], kind: type[Exception], message: str) -> None:
    with pytest.raises(kind, match=f"^{re.escape(message)}$"):
        make()


@pytest.mark.parametrize("number", [3, 2.5, np.float64(2.5), np.float32(0.5), np.int64(-4),
                                    fractions.Fraction(1, 4)],
                         ids=["int", "float", "float64", "float32", "int64", "Fraction"])
def test_real_numbers_become_floats(number: Any) -> None:
    v = Value(number)
    assert type(v.data) is float
    assert v.data == float(number)


def test_the_package_has_no_bare_asserts() -> None:
    """Errors are explicit exceptions with messages, never ``assert`` (stripped by -O)."""
    package = Path(__file__).resolve().parent.parent / "autograd_lite"
    offenders = [f"{path.relative_to(package)}:{node.lineno}"
                 for path in sorted(package.rglob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Assert)]
    assert offenders == []

"""The hostile-input matrix: every bad input raises a named error, and nothing is half-changed.

Each row is (what, the call, the exception type, an excerpt of the message).  The tests run
every row, assert the type and the message, and snapshot every Value involved (``data`` and
``grad``) before and after to show the failed call changed nothing.  Run this file as a
script to print the matrix as the Markdown table of the README's reliability section::

    python tests/test_hostile_inputs.py
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import pytest

from autograd_lite import DomainError, Value, add_n, constant, dot, grad, no_grad
from autograd_lite.cli.expr import ExpressionError, evaluate, parse_expression


@dataclass(frozen=True)
class Case:
    """One row of the matrix: ``call(x, y)`` must raise ``error`` matching ``message``."""

    what: str
    call: Callable[[Value, Value], object]
    error: type[BaseException]
    message: str  # a regular expression searched in str(error)


def _power_value_exponent(x: Value, y: Value) -> object:
    return Value(-2.0) ** y


ENGINE_CASES = [
    Case("Value('1.0') (a str)", lambda x, y: Value("1.0"), TypeError,
         r"^Value: expected a real number, got str '1\.0'$"),
    Case("Value(None)", lambda x, y: Value(None), TypeError,
         r"^Value: expected a real number, got NoneType None$"),
    Case("Value(True) (a bool)", lambda x, y: Value(True), TypeError,
         r"^Value: expected a real number, got bool True$"),
    Case("Value(1j) (complex)", lambda x, y: Value(1j), TypeError,
         r"^Value: expected a real number, got complex 1j$"),
    Case("Value([1.0]) (a list)", lambda x, y: Value([1.0]), TypeError,
         r"^Value: expected a real number, got list \[1\.0\]$"),
    Case("Value(Value(1.0))", lambda x, y: Value(x), TypeError,
         r"^Value: expected a real number, got Value \(use \.detach\(\) or \.data\)$"),
    Case("Value(nan)", lambda x, y: Value(math.nan), DomainError,
         r"^Value\(nan\): expected a finite number$"),
    Case("Value(inf)", lambda x, y: Value(math.inf), DomainError,
         r"^Value\(inf\): expected a finite number$"),
    Case("Value(-inf)", lambda x, y: Value(-math.inf), DomainError,
         r"^Value\(-inf\): expected a finite number$"),
    Case("Value(10**400) (an int too big for a float)", lambda x, y: Value(10**400),
         DomainError, r"^Value\(inf\): expected a finite number \(int too large for a float\)$"),
    Case("Value(-Fraction(10**400, 3))", lambda x, y: Value(-Fraction(10**400, 3)),
         DomainError, r"^Value\(-inf\): expected a finite number \(Fraction too large for a "
         r"float\)$"),
    Case("Value(1.0, label=3)", lambda x, y: Value(1.0, 3), TypeError,  # type: ignore[arg-type]
         r"^Value: label must be a str, got int$"),
    Case("x + 'a'", lambda x, y: x + "a", TypeError,  # type: ignore[operator]
         r"^add: expected a real number, got str 'a'$"),
    Case("x * nan", lambda x, y: x * math.nan, DomainError,
         r"^mul\(nan\): expected a finite number$"),
    Case("x ** '2'", lambda x, y: x ** "2", TypeError,  # type: ignore[operator]
         r"^powc: expected a real number, got str '2'$"),
    Case("x.leaky_relu(nan)", lambda x, y: x.leaky_relu(math.nan), DomainError,
         r"^leaky_relu\(nan\): expected a finite number$"),
    Case("x < 'a'", lambda x, y: x < "a", TypeError,  # type: ignore[operator]
         r"^Value <: expected a real number, got str 'a'$"),
    Case("x / 0", lambda x, y: x / 0, DomainError, r"^div\(1\.5, 0\.0\): division by zero$"),
    Case("log(0)", lambda x, y: (x * 0.0).log(), DomainError,
         r"^log\(0\.0\): logarithm needs a positive argument$"),
    Case("log(-1.5)", lambda x, y: (-x).log(), DomainError,
         r"^log\(-1\.5\): logarithm needs a positive argument$"),
    Case("sqrt(-1.5)", lambda x, y: (-x).sqrt(), DomainError,
         r"^sqrt\(-1\.5\): square root needs a non-negative argument$"),
    Case("(-1.5) ** 0.5", lambda x, y: (-x) ** 0.5, DomainError,
         r"^pow\(-1\.5, 0\.5\): negative base to a non-integer power is complex$"),
    Case("0 ** -1", lambda x, y: (x * 0.0) ** -1, DomainError,
         r"^pow\(0\.0, -1\.0\): zero to a negative power divides by zero$"),
    Case("(-2) ** Value(2)", _power_value_exponent, DomainError,
         r"^pow\(-2\.0, -2\.0\): a Value exponent needs a positive base"),
    Case("exp(1000)", lambda x, y: (x * 1000.0).exp(), DomainError,
         r"^exp\(1500\.0\): result overflows a float$"),
    Case("10 ** 400", lambda x, y: (x * 0.0 + 10.0) ** 400, DomainError,
         r"^pow\(10\.0, 400\.0\): result overflows a float$"),
    Case("1e300 * 1e300", lambda x, y: (x * 1e300) * 1e300, DomainError,
         r"^mul\(1\.5e\+300, 1e\+300\): result is not a finite float$"),
    Case("1.7e308 + 1.7e308", lambda x, y: (x * 0.0 + 1.7e308) + 1.7e308, DomainError,
         r"^add\(1\.7e\+308, 1\.7e\+308\): result is not a finite float$"),
    Case("add_n overflow", lambda x, y: add_n([x * 0.0 + 1.7e308, 1.7e308]), DomainError,
         r"^sum\(1\.7e\+308, 1\.7e\+308\): result is not a finite float$"),
    Case("dot of 2 weights and 1 input", lambda x, y: dot([x, y], [x]), ValueError,
         r"^dot: 2 weights but 1 inputs$"),
    Case("backward(nan)", lambda x, y: (x * y).backward(math.nan), DomainError,
         r"^backward gradient\(nan\): expected a finite number$"),
    Case("backward('1')", lambda x, y: (x * y).backward("1"),  # type: ignore[arg-type]
         TypeError, r"^backward gradient: expected a real number, got str '1'$"),
    Case("backward on a constant", lambda x, y: constant(2.0).backward(), RuntimeError,
         r"^backward: Value\(data=2\.0, grad=0\.0\) does not require grad \(a constant, "
         r"a detached value, or computed under no_grad\)$"),
    Case("backward on a detached value", lambda x, y: (x * y).detach().backward(),
         RuntimeError, r"^backward: Value\(data=-3\.0, grad=0\.0\) does not require grad "
         r"\(a constant, a detached value, or computed under no_grad\)$"),
    Case("backward on a no_grad result", lambda x, y: _under_no_grad(x, y).backward(),
         RuntimeError, r"^backward: Value\(data=-3\.0, grad=0\.0\) does not require grad "
         r"\(a constant, a detached value, or computed under no_grad\)$"),
    Case("grad with an unused input", lambda x, y: grad(x * 2.0, [x, y]), RuntimeError,
         r"^grad: Value\(data=-2\.0, grad=-0\.5, label='y'\): One of the differentiated Values "
         r"appears to not have been used in the graph\. Set allow_unused=True"),
    Case("grad of a constant", lambda x, y: grad(constant(1.0), [x]), RuntimeError,
         r"^grad: output Value\(data=1\.0, grad=0\.0\) does not require grad \(a constant: "
         r"pass materialize_grads=True to get zeros\)$"),
    Case("grad w.r.t. a constant", lambda x, y: grad(x * 2.0, [x, constant(3.0)]),
         RuntimeError, r"^grad: input Value\(data=3\.0, grad=0\.0\) does not require grad$"),
    Case("grad of a float", lambda x, y: grad(3.0, [x]),  # type: ignore[call-overload]
         TypeError, r"^grad: output must be a Value, got float 3\.0$"),
    Case("grad w.r.t. a float", lambda x, y: grad(x * y, [x, 3.0]),  # type: ignore[list-item]
         TypeError, r"^grad: inputs must be Values, got float 3\.0$"),
    Case("second derivative of sqrt at 0", lambda x, y: _second_derivative_of_sqrt_at_0(x),
         DomainError, r"^dpow\(0\.0, 0\.5\): result is not a finite float$"),
]


def _second_derivative_of_sqrt_at_0(x: Value) -> object:
    """grad(create_graph=True) of sqrt at 0: recording sqrt at 0 must succeed (its slope +inf
    is a number), only differentiating that slope again may refuse."""
    try:
        root = (x * 0.0).sqrt()
    except DomainError as error:
        raise AssertionError(f"recording sqrt at 0 must succeed, but: {error}") from error
    return grad(root, x, create_graph=True)


def _under_no_grad(x: Value, y: Value) -> Value:
    with no_grad():
        return x * y


EXPRESSION_CASES = [
    ("__import__('os').system('echo pwned')", "attribute access \\('\\.'\\) is not allowed"),
    ("x.__class__", "attribute access \\('\\.'\\) is not allowed"),
    ("exp.__globals__", "attribute access \\('\\.'\\) is not allowed"),
    ("__import__('os')", "names starting with '_' are not allowed: '__import__'"),
    ("\uff45\uff58\uff45\uff43('1')",  # fullwidth letters: Python's NFKC makes them 'exec'
     "unknown function 'exec'"),
    ("__builtins__", "names starting with '_' are not allowed"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('1')", "unknown function 'exec'"),
    ("getattr(x, 'data')", "unknown function 'getattr'"),
    ("exp(x=1)", "exp: keyword arguments are not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("[c for c in x]", "comprehensions are not allowed"),
    ("x[0]", "indexing \\('\\[\\.\\.\\.\\]'\\) is not allowed"),
    ("'a' * 10", "only numbers are allowed, not str"),
    ("f'{x}'", "strings are not allowed"),
    ("(y := 1)", "':=' is not allowed"),
    ("x if x else 1", "'if \\.\\.\\. else' is not allowed"),
    ("x; import os", "syntax error"),
    ("x\n+1", "control characters and line breaks are not allowed"),
    ("9" * 400, "number too large \\(it must fit in a float\\)"),
    ("(" * 300 + "x" + ")" * 300, "expression nested too deeply \\(at most 200 levels\\)"),
    ("-" * 1000 + "x", "expression nested too deeply"),
    ("x+" * 1000 + "x", "expression too long: 2001 characters \\(at most 2000\\)"),
]


def _snapshot(*values: Value) -> list[tuple[float, float]]:
    return [(v.data, v.grad) for v in values]


@pytest.mark.parametrize("case", ENGINE_CASES, ids=[c.what for c in ENGINE_CASES])
def test_engine_refuses_with_a_named_error_and_changes_nothing(case: Case) -> None:
    x, y = Value(1.5, "x"), Value(-2.0, "y")
    x.grad, y.grad = 0.25, -0.5  # as left by an earlier backward
    before = _snapshot(x, y)
    with pytest.raises(case.error) as caught:
        case.call(x, y)
    assert type(caught.value) is case.error  # exactly this type, not a subclass or a wrapper
    assert re.search(case.message, str(caught.value)), str(caught.value)
    assert _snapshot(x, y) == before


def test_every_domain_error_is_also_a_value_error_and_an_arithmetic_error() -> None:
    for case in (c for c in ENGINE_CASES if c.error is DomainError):
        with pytest.raises(DomainError) as caught:
            case.call(Value(1.5), Value(-2.0))
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, ArithmeticError)


def test_grad_with_allow_unused_gives_none_and_touches_no_grad() -> None:
    x, y = Value(1.5, "x"), Value(-2.0, "y")
    assert grad(x * 2.0, [x, y], allow_unused=True) == [2.0, None]
    assert (x.grad, y.grad) == (0.0, 0.0)


@pytest.mark.parametrize(("text", "message"), EXPRESSION_CASES,
                         ids=[t[:30] for t, _ in EXPRESSION_CASES])
def test_expression_escapes_are_refused_before_anything_runs(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert re.search(message, str(caught.value)), str(caught.value)
    assert "^" in str(caught.value).splitlines()[-1]  # a caret points at the offending token


def test_a_huge_power_overflows_as_a_float_instead_of_computing_a_huge_integer() -> None:
    with pytest.raises(DomainError,
                       match=r"^pow\(10\.0, 10000000000\.0\): result overflows a float$"):
        evaluate("10**10**10", {})


def test_the_grad_cli_refuses_an_escape_with_status_2_and_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_lite.cli.grad import run_grad

    assert run_grad(["__import__('os').system('echo pwned')", "x=1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "attribute access ('.') is not allowed" in captured.err
    assert "pwned" not in captured.err.replace("echo pwned", "")


def markdown_table() -> str:
    """The matrix as a Markdown table: input -> exception type -> message (measured)."""
    rows = ["| input | exception | message |", "|---|---|---|"]
    for case in ENGINE_CASES:
        try:
            case.call(Value(1.5, "x"), Value(-2.0, "y"))
        except BaseException as error:  # recording whatever it raises
            text = str(error).splitlines()[0]
            rows.append(f"| `{case.what}` | `{type(error).__name__}` | "
                        f"{_cell(text)} |")
    for text, _ in EXPRESSION_CASES:
        try:
            parse_expression(text)
        except ExpressionError as error:
            rows.append(f"| grad CLI / `expr`: {_cell(ascii(text)[1:-1][:40])} | "
                        f"`ExpressionError` | {_cell(str(error).splitlines()[0])} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    text = text if len(text) <= 110 else text[:107] + "..."
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


if __name__ == "__main__":
    sys.stdout.write(markdown_table() + "\n")

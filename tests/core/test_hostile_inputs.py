"""The hostile-input matrix: every bad input raises a named error, and nothing is half-changed.

Each row is (what, the call, the exception type, an excerpt of the message).  The tests run
every row, assert the type and the message, and snapshot every Value involved (``data`` and
``grad``) before and after to show the failed call changed nothing.

``ENGINE_CASES`` cover the core (``Value``, its operations, ``backward``, ``grad``);
``API_CASES`` give every public function of ``nn/`` (modules, losses, optimisers, save and
load), ``graph/``, ``compile/``, ``cli/`` and ``check`` at least one bad input, whose message
must name the function and the argument, with a :class:`World` (Values, a model with
gradients, a model file, a directory) snapshotted around the call; ``CLI_CASES`` do the
same for the command line (exit status, one message, no traceback, no file written).

Run this file as a script to print the engine matrix as a Markdown table (for the site's page
on how the engine is checked, docs/explanation/reliability.md)::

    python tests/core/test_hostile_inputs.py
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd_lite import (
    MLP,
    SGD,
    Adam,
    DomainError,
    Dual,
    GradcheckError,
    Layer,
    Neuron,
    StaleGraphError,
    Tape,
    Value,
    add_n,
    backward_steps,
    central_difference,
    compiled,
    compiled_loss,
    constant,
    differentiable,
    dot,
    draw_dot,
    func,
    grad,
    gradcheck,
    gradgradcheck,
    jvp,
    load,
    no_grad,
    primitive,
    save,
    set_grad_enabled,
    topological_order,
    zero_grad,
)
from autograd_lite import math as am
from autograd_lite.cli.formula import FormulaError, evaluate, parse_formula
from autograd_lite.compile import TracedNumberError
from autograd_lite.core.check import analytical_jacobian, first_derivatives, numerical_jacobian
from autograd_lite.graph.diagram import (
    GraphTooLargeError,
    escape_record,
    format_number,
    infer_groups,
    label_group,
)
from autograd_lite.graph.render import (
    RenderError,
    format_for_path,
    render,
    render_svg,
    save_source,
)
from autograd_lite.graph.steps import backward_frames, backward_html, describe
from autograd_lite.graph.wengert import (
    definition,
    is_inlined,
    trace_numbers,
    value_names,
    wengert_list,
)
from autograd_lite.nn.io import read_state_dict
from autograd_lite.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    half_squared_error,
    hinge,
    l2_penalty,
    mean,
    mean_squared_error,
    softmax_cross_entropy,
    squared_error,
)
from autograd_lite.nn.modules import resolve_activation
from autograd_lite.nn.progress import Progress


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
         r"^add: argument 1: expected a real number, got str 'a'$"),
    Case("x * nan", lambda x, y: x * math.nan, DomainError,
         r"^mul\(nan\): argument 1: expected a finite number$"),
    Case("x ** '2'", lambda x, y: x ** "2", TypeError,  # type: ignore[operator]
         r"^powc: argument 1: expected a real number, got str '2'$"),
    Case("x.leaky_relu(nan)", lambda x, y: x.leaky_relu(math.nan), DomainError,
         r"^leaky_relu\(nan\): argument 1: expected a finite number$"),
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
    Case("math.acos(1.5)", lambda x, y: am.acos(x), DomainError,
         r"^acos\(1\.5\): math domain error$"),
    Case("math.gamma(-2)", lambda x, y: am.gamma(x * 0.0 - 2.0), DomainError,
         r"^gamma\(-2\.0\): math domain error$"),
    Case("math.lgamma(1e306) overflows", lambda x, y: am.lgamma(x * 1e306), DomainError,
         r"^lgamma\(1\.5e\+306\): result overflows a float$"),
    Case("math.log(x, 1)", lambda x, y: am.log(x, 1.0), DomainError,
         r"^log\(1\.5, 1\.0\): base 1 has logarithm 0$"),
    Case("math.ldexp(x, 2.0) (a float exponent)", lambda x, y: am.ldexp(x, 2.0),  # type: ignore[arg-type]
         TypeError, r"^ldexp: expected an int as second argument, got float$"),
    Case("math.polygamma(1, 0)", lambda x, y: am.polygamma(1, x * 0.0), DomainError,
         r"^polygamma\(1, 0\.0\): pole at zero and the negative integers$"),
    Case("exp(1000)", lambda x, y: (x * 1000.0).exp(), DomainError,
         r"^exp\(1500\.0\): result overflows a float$"),
    Case("10 ** 400", lambda x, y: (x * 0.0 + 10.0) ** 400, DomainError,
         r"^pow\(10\.0, 400\.0\): result overflows a float$"),
    Case("1e300 * 1e300", lambda x, y: (x * 1e300) * 1e300, DomainError,
         r"^mul\(1\.5e\+300, 1e\+300\): result is not a finite float$"),
    Case("1.7e308 + 1.7e308", lambda x, y: (x * 0.0 + 1.7e308) + 1.7e308, DomainError,
         r"^add\(1\.7e\+308, 1\.7e\+308\): result is not a finite float$"),
    Case("add_n overflow", lambda x, y: add_n([x * 0.0 + 1.7e308, 1.7e308]), DomainError,
         r"^add_n\(1\.7e\+308, 1\.7e\+308\): result is not a finite float$"),
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
    Case("grad w.r.t. no inputs", lambda x, y: grad(x * y, []), ValueError,
         r"^grad: inputs is empty \(\[\]\); grad requires non-empty inputs$"),
    Case("grad with materialize_grads and allow_unused=False",
         lambda x, y: grad(x * y, [x], allow_unused=False, materialize_grads=True), ValueError,
         r"^grad: materialize_grads=True gives 0 for an unused input, which allow_unused=False "
         r"forbids; leave allow_unused unset \(or True\), got allow_unused=False$"),
    Case("grad of a float", lambda x, y: grad(3.0, [x]),  # type: ignore[call-overload]
         TypeError, r"^grad: output must be a Value, got float 3\.0$"),
    Case("grad w.r.t. a float", lambda x, y: grad(x * y, [x, 3.0]),  # type: ignore[list-item]
         TypeError, r"^grad: inputs must be Values, got float 3\.0$"),
    Case("second derivative of sqrt at 0", lambda x, y: _second_derivative_of_sqrt_at_0(x),
         DomainError, r"^dpow\(0\.0, 0\.5\): result is not a finite float$"),
    Case("a user rule giving 1 derivative for 2 arguments",
         lambda x, y: _SHORT_RULE(x, y), TypeError,
         r"^primitive 'short_rule': its derivative rule returned an incorrect number of "
         r"derivatives \(expected 2, got 1\)"),
    Case("a user rule giving None", lambda x, y: _NONE_RULE(x).backward(), TypeError,
         r"^primitive 'none_rule': its derivative rule returned NoneType None; expected a "
         r"tuple of 1 derivative"),
    Case("backward after a leaf's data was assigned", lambda x, y: _stale_backward(x),
         StaleGraphError, r"^Value\(data=2\.0, grad=0\.0, label='z'\) had its data assigned "
         r"after mul recorded it, so the graph holds the old number"),
    Case("assigning a recorded node's data", lambda x, y: setattr(x * y, "data", 1.0),
         RuntimeError, r"^data: Value\(data=-3\.0, grad=0\.0\) is the result of mul: only a "
                       r"leaf's number can be assigned"),
    Case("assigning nan to data", lambda x, y: setattr(x, "data", math.nan), DomainError,
         r"^Value\.data\(nan\): expected a finite number$"),
    Case("assigning a str to data", lambda x, y: setattr(x, "data", "1"), TypeError,
         r"^Value\.data: expected a real number, got str '1'$"),
]

_SHORT_RULE = primitive("short_rule", lambda a, b: a * b, lambda out, a, b: (b,))
_NONE_RULE = primitive("none_rule", lambda a: a, lambda out, a: None)


def _stale_backward(x: Value) -> None:
    z = Value(1.0, "z")
    w = z * x
    z.data = 2.0
    w.backward()


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
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
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


# -- the public API beyond the engine: nn, losses, optim, io, check, graph, compile, cli --------
class World:
    """Everything a refused call could change: two Values, a model, its file, a directory.

    ``snapshot()`` records all of it (data, grads, parameters, every file's bytes), so a row
    can show that its failed call left nothing half-changed.
    """

    def __init__(self, directory: Path) -> None:
        self.x, self.y = Value(1.5, "x"), Value(-2.0, "y")
        self.x.grad, self.y.grad = 0.25, -0.5  # as left by an earlier backward
        self.model = MLP(2, [2, 1], activation="tanh", seed=0)
        for i, p in enumerate(self.model.parameters()):
            p.grad = 0.125 * i
        self.directory = directory
        self.model_file = directory / "model.json"
        save(MLP(2, [2, 1], activation="tanh", seed=1), self.model_file)

    def snapshot(self) -> tuple[object, ...]:
        values = [(v.data, v.grad) for v in (self.x, self.y, *self.model.parameters())]
        files = {p.relative_to(self.directory).as_posix(): p.read_bytes()
                 for p in sorted(self.directory.rglob("*")) if p.is_file()}
        return values, files


@dataclass(frozen=True)
class ApiCase:
    """``call(world)`` must raise ``error``; its message must name ``function`` and
    ``argument`` and match ``message``; ``prepare`` sets the scene before the snapshot."""

    function: str
    argument: str
    call: Callable[[World], object]
    error: type[BaseException]
    message: str
    prepare: Callable[[World], None] | None = None
    owner: str = ""  # set: a known gap fixed elsewhere (the row is a strict xfail)


def _square(a: Value) -> Value:
    return a * a


def _with_huge_gradient(w: World) -> None:
    w.model.parameters()[0].grad = 1e308  # an update lr * grad that overflows


def _product_diagram(w: World) -> Any:
    return draw_dot(w.x * w.y)


def _gif_diagram(w: World) -> Any:
    diagram = _product_diagram(w)
    diagram.format = "gif"
    diagram._view = lambda *args, **kwargs: pytest.fail("nothing was drawn to open")
    return diagram


def _hooked_backward(w: World) -> object:
    y = w.x * w.y
    with y.register_hook(lambda g: "a"):
        y.backward()
    return y


def _hooked_create_graph(w: World) -> object:
    y = w.x * w.y
    with y.register_hook(lambda g: math.inf):
        return grad(y * 2.0, w.x, create_graph=True)


def _first_step(w: World) -> object:
    return next(backward_steps(w.x * w.y))


API_CASES = [
    # core: the public face of the rule table, recording, forward mode, the reverse pass
    ApiCase("primitive", "name", lambda w: primitive("", math.exp, lambda out, x: (out,)),
            TypeError, r"^primitive: name must be a non-empty str, got ''$"),
    ApiCase("primitive", "forward", lambda w: primitive("f", 3.0, 3.0),  # type: ignore[arg-type]
            TypeError, r"^primitive 'f': forward and partials must be callables$"),
    ApiCase("exp", "argument 0", lambda w: am.exp("a"), TypeError,
            r"^exp: argument 0: expected a real number, got str 'a'$"),
    ApiCase("pow", "argument 1", lambda w: am.pow(2.0, "b"), TypeError,
            r"^pow: argument 1: expected a real number, got str 'b'$"),
    ApiCase("jvp", "tangents", lambda w: jvp(lambda a: a, [1.0], [1.0, 2.0]), ValueError,
            r"^jvp: 1 primals but 2 tangents$"),
    ApiCase("Dual", "primal", lambda w: Dual("a"), TypeError,  # type: ignore[arg-type]
            r"^Dual primal: expected a real number, got str 'a'$"),
    ApiCase("zero_grad", "values", lambda w: zero_grad([w.x, 1.0]),  # type: ignore[list-item]
            TypeError, r"^zero_grad: values must be Values, got float 1\.0$"),
    ApiCase("topological_order", "root", lambda w: topological_order(3.0), TypeError,
            r"^topological_order: root must be a Value \(root: one or a list\), got float 3\.0$"),
    ApiCase("topological_order", "root", lambda w: topological_order([w.x, "y"]), TypeError,
            r"^topological_order: root\[1\] must be a Value \(root: one or a list\), got "
            r"str 'y'$"),
    ApiCase("no_grad", "function", lambda w: no_grad(3.0),  # type: ignore[arg-type]
            TypeError, r"^no_grad: expected a function to decorate or nothing, got float 3\.0$"),
    ApiCase("register_hook", "hook", lambda w: w.x.register_hook(3.0),  # type: ignore[arg-type]
            TypeError, r"^register_hook: hook must be callable \(grad -> new grad or None\), "
            r"got float 3\.0$"),
    ApiCase("register_hook", "does not require grad",
            lambda w: constant(1.0).register_hook(print), RuntimeError,
            r"^register_hook: cannot register a hook on Value\(data=1\.0"),
    ApiCase("register_hook", "returned", lambda w: _hooked_backward(w), TypeError,
            r"^register_hook: the hook '<lambda>' of Value\(data=-3\.0.* returned str 'a'"),
    ApiCase("set_grad_enabled", "mode", lambda w: set_grad_enabled(1),  # type: ignore[arg-type]
            TypeError, r"^set_grad_enabled: mode must be a bool, got int 1$"),
    ApiCase("backward", "input", lambda w: (w.x * w.y).backward(inputs=[w.x, constant(2.0)]),
            RuntimeError, r"^backward: input Value\(data=2\.0, grad=0\.0\) does not require "
            r"grad$"),
    ApiCase("backward", "inputs", lambda w: (w.x * w.y).backward(inputs=[]), ValueError,
            r"^backward: inputs is empty \(\[\]\); pass the Values"),
    # func: transforms that compose
    ApiCase("grad", "argnums", lambda w: func.grad(lambda a: a * a, argnums=3)(1.0),
            ValueError, r"^grad: argnums 3 is out of range for 1 arguments$"),
    ApiCase("jvp", "tangents", lambda w: func.jvp(lambda a: a, [1.0], [1.0, 2.0]),
            ValueError, r"^jvp: 1 primals but 2 tangents$"),
    ApiCase("vjp", "input", lambda w: func.vjp(lambda a: a * a, "x"), TypeError,
            r"^vjp input: expected a real number, got str 'x'$"),
    ApiCase("jacobian", "argnums", lambda w: func.jacobian(lambda a: a, argnums="a")(1.0),
            TypeError, r"^jacobian: argnums must be an int or a non-empty sequence of ints"),
    ApiCase("hessian", "argnums", lambda w: func.hessian(lambda a: a * a, argnums=2)(1.0),
            ValueError, r"^hessian: argnums 2 is out of range for 1 arguments$"),
    ApiCase("grad", "has_aux", lambda w: func.grad(_square, has_aux=1),  # type: ignore[arg-type]
            TypeError, r"^grad: has_aux must be a bool, got int 1$"),
    ApiCase("value_and_grad", "has_aux", lambda w: func.value_and_grad(_square, has_aux=True)(
        1.0), TypeError, r"^value_and_grad: with has_aux=True, f must return a pair \(output, "
            r"aux\), got Value$"),
    ApiCase("jacfwd", "argnums", lambda w: func.jacfwd(_square, argnums=1)(1.0), ValueError,
            r"^jacfwd: argnums 1 is out of range for 1 arguments$"),
    ApiCase("jacobian", "argnums", lambda w: func.jacrev(_square, argnums=(0, 0))(1.0),
            ValueError, r"^jacobian: argnums \(0, 0\) repeats an argument$"),  # jacrev is it
    # found in review (2026-12-07): each named an inner function, or none
    ApiCase("hessian", "input", lambda w: func.hessian(_square)(math.nan), DomainError,
            r"^hessian input\(nan\): expected a finite number$"),
    ApiCase("jacobian", "f", lambda w: func.jacobian(lambda a: (a, None))(1.0), TypeError,
            r"^jacobian: the function's result: expected a real number, got NoneType None$"),
    ApiCase("vjp", "f", lambda w: func.vjp(lambda a: None, 1.0), TypeError,
            r"^vjp: the function's result: expected a real number, got NoneType None$"),
    ApiCase("hessian", "f", lambda w: func.hessian(lambda a: None)(1.0), TypeError,
            r"^hessian: the function's result: expected a real number, got NoneType None$"),
    ApiCase("register_hook", "returned", lambda w: _hooked_create_graph(w), ValueError,
            r"^register_hook: the hook '<lambda>' of Value\(data=-3\.0.* returned inf; under "
            r"create_graph a gradient is a Value, whose number must be finite$"),
    ApiCase("hvp", "tangents", lambda w: func.hvp(lambda a: a * a, [1.0], []), ValueError,
            r"^hvp: 1 primals but 0 tangents$"),
    ApiCase("hvp", "primals", lambda w: func.hvp(lambda: 3.0, [], []), ValueError,
            r"^hvp: primals is empty; a Hessian-vector product needs an argument$"),
    # math: Python's math names (the rest are primitives, refused as exp above)
    ApiCase("floor", "argument 0", lambda w: am.floor("a"), TypeError,  # type: ignore[arg-type]
            r"^floor: argument 0: expected a real number, got str 'a'$"),
    ApiCase("ceil", "argument 0", lambda w: am.ceil("a"), TypeError,  # type: ignore[arg-type]
            r"^ceil: argument 0: expected a real number, got str 'a'$"),
    ApiCase("trunc", "argument 0", lambda w: am.trunc("a"), TypeError,  # type: ignore[arg-type]
            r"^trunc: argument 0: expected a real number, got str 'a'$"),
    ApiCase("log", "8.0, 1.0", lambda w: am.log(8.0, 1.0), DomainError,
            r"^log\(8\.0, 1\.0\): base 1 has logarithm 0$"),
    ApiCase("ldexp", "second argument", lambda w: am.ldexp(w.x, 2.0),  # type: ignore[arg-type]
            TypeError, r"^ldexp: expected an int as second argument, got float$"),
    ApiCase("hypot", "argument 0", lambda w: am.hypot("a", w.x),  # type: ignore[arg-type]
            TypeError, r"^hypot: argument 0: expected a real number, got str 'a'$"),
    ApiCase("dist", "points", lambda w: am.dist([w.x], [1.0, 2.0]), ValueError,
            r"^dist: both points must have the same number of dimensions$"),
    ApiCase("fsum", "argument 0", lambda w: am.fsum(["a", w.x]),  # type: ignore[list-item]
            TypeError, r"^fsum: argument 0: expected a real number, got str 'a'$"),
    ApiCase("logsumexp", "argument 0",
            lambda w: am.logsumexp(["a", w.x]),  # type: ignore[list-item]
            TypeError, r"^logsumexp: argument 0: expected a real number, got str 'a'$"),
    ApiCase("prod", "argument 0", lambda w: am.prod(["a", w.x]),  # type: ignore[list-item]
            TypeError, r"^prod: argument 0: expected a real number, got str 'a'$"),
    ApiCase("digamma", "0.0", lambda w: am.digamma(w.x * 0.0), DomainError,
            r"^digamma\(0\.0\): pole at zero and the negative integers$"),
    ApiCase("polygamma", "order n", lambda w: am.polygamma(1.5, w.x),  # type: ignore[arg-type]
            TypeError, r"^polygamma: the order n must be an int, got float$"),
    ApiCase("differentiable", "function", lambda w: differentiable(math.exp), TypeError,
            r"^differentiable: expected a Python function or method, got "
            r"builtin_function_or_method <built-in function exp>$"),
    # nn: modules
    ApiCase("Progress", "steps", lambda w: Progress(0), ValueError,
            r"^Progress: steps must be a positive int, got 0$"),
    ApiCase("Neuron", "nin", lambda w: Neuron(0), ValueError,
            r"^Neuron: nin must be a positive int, got 0$"),
    ApiCase("Neuron", "activation", lambda w: Neuron(2, activation="softplus"), ValueError,
            r"^Neuron: unknown activation activation='softplus'; expected one of linear, relu, "
            r"tanh, sigmoid or a callable Value -> Value$"),
    ApiCase("Neuron", "weight", lambda w: Neuron.from_weights([math.nan]), DomainError,
            r"^Neuron weight\(nan\): expected a finite number$"),
    ApiCase("Neuron", "input 0", lambda w: Neuron(2)(["a", 1.0]),  # type: ignore[list-item]
            TypeError, r"^Neuron: input 0: expected a real number, got str 'a'$"),
    ApiCase("Neuron", "x", lambda w: Neuron(2)(3.0),  # type: ignore[arg-type]
            TypeError, r"^Neuron: x must be a sequence of 2 numbers or Values, got float$"),
    ApiCase("Neuron", "init", lambda w: Neuron(2, init="xavier"),  # type: ignore[arg-type]
            ValueError, r"^Neuron: init must be 'micrograd' or 'pytorch', got 'xavier'$"),
    ApiCase("Layer", "nout", lambda w: Layer(2, 0), ValueError,
            r"^Layer: nout must be a positive int, got 0$"),
    ApiCase("Layer", "weight row 1", lambda w: Layer.from_weights([[1.0], [1.0, 2.0]]),
            ValueError, r"^Layer: weight row 1 has 2 entries, row 0 has 1$"),
    ApiCase("Layer", "inputs", lambda w: Layer(2, 1)([w.x]), ValueError,
            r"^Layer: expected 2 inputs, got 1$"),
    ApiCase("Layer.layer_values", "input 1",
            lambda w: Layer(2, 1).layer_values([w.x, None]),  # type: ignore[list-item]
            TypeError,
            r"^Layer\.layer_values: input 1: expected a real number, got NoneType None$"),
    ApiCase("MLP", "sizes", lambda w: MLP(2, 3), TypeError,  # type: ignore[arg-type]
            r"^MLP: sizes must be a list of layer sizes, got int$"),
    ApiCase("MLP", "activation", lambda w: MLP(2, [1], activation="softplus"), ValueError,
            r"^MLP: unknown activation activation='softplus'"),
    ApiCase("MLP.from_weights", "layer 1",
            lambda w: MLP.from_weights([[[1.0, 2.0]], [[1.0, 2.0]]]), ValueError,
            r"^MLP\.from_weights: layer 1 takes 2 inputs but layer 0 has 1 outputs$"),
    ApiCase("MLP", "inputs", lambda w: w.model([w.x]), ValueError,
            r"^MLP: expected 2 inputs, got 1$"),
    ApiCase("MLP.layer_values", "input 0",
            lambda w: w.model.layer_values("ab"),  # type: ignore[arg-type]
            TypeError, r"^MLP\.layer_values: input 0: expected a real number, got str 'a'$"),
    ApiCase("MLP.load_state_dict", "state",
            lambda w: w.model.load_state_dict(3),  # type: ignore[arg-type]
            TypeError, r"^MLP\.load_state_dict: state must be a mapping of tensor names to "
            r"nested lists of numbers, got int$"),
    ApiCase("resolve_activation", "spec", lambda w: resolve_activation(3),  # type: ignore
            TypeError, r"^resolve_activation: spec must be an activation name or a callable, "
            r"got int$"),
    # nn: optimisers
    ApiCase("SGD", "lr", lambda w: SGD(w.model.parameters(), lr=-1.0), ValueError,
            r"^SGD lr must be positive, got -1\.0$"),
    ApiCase("SGD", "params", lambda w: SGD(w.x, lr=0.1), TypeError,  # type: ignore[arg-type]
            r"^SGD: params must be an iterable of Values \(model\.parameters\(\)\), got Value$"),
    ApiCase("Adam", "betas", lambda w: Adam(w.model.parameters(), betas=(1.0, 0.9)),
            ValueError, r"^Adam: betas must be in \[0, 1\), got \(1\.0, 0\.9\)$"),
    ApiCase("SGD.step", "parameter 0", lambda w: SGD(w.model.parameters(), lr=10.0).step(),
            DomainError, r"^SGD\.step\(.*\): parameter 0 'layers\.0\.weight\[0\]\[0\]' would "
            r"become -inf$", prepare=_with_huge_gradient),
    # nn: losses
    ApiCase("mean", "values", lambda w: mean(3.0), TypeError,  # type: ignore[arg-type]
            r"^mean: values must be a sequence of Values or numbers, got float$"),
    ApiCase("squared_error", "t", lambda w: squared_error(w.x, "a"),  # type: ignore[arg-type]
            TypeError, r"^squared_error: t: expected a real number, got str 'a'$"),
    ApiCase("half_squared_error", "y",
            lambda w: half_squared_error(None, w.x),  # type: ignore[arg-type]
            TypeError, r"^half_squared_error: y: expected a real number, got NoneType None$"),
    ApiCase("mean_squared_error", "ys", lambda w: mean_squared_error(w.x, [1.0]),  # type: ignore
            TypeError, r"^mean_squared_error: ys must be a sequence of Values or numbers, got "
            r"Value$"),
    ApiCase("binary_cross_entropy", "target", lambda w: binary_cross_entropy(0.5, 2.0),
            DomainError, r"^binary_cross_entropy\(2\.0\): the target must be in \[0, 1\]$"),
    ApiCase("binary_cross_entropy_with_logits", "t",
            lambda w: binary_cross_entropy_with_logits(w.x, "a"),  # type: ignore[arg-type]
            TypeError, r"^binary_cross_entropy_with_logits: t: expected a real number, got "
            r"str 'a'$"),
    ApiCase("hinge", "label", lambda w: hinge(w.x, "a"),  # type: ignore[arg-type]
            TypeError, r"^hinge: label: expected a real number, got str 'a'$"),
    ApiCase("softmax_cross_entropy", "target",
            lambda w: softmax_cross_entropy([w.x, w.y], 2), ValueError,
            r"^softmax_cross_entropy: target must be a class index in \[0, 2\), got 2$"),
    ApiCase("l2_penalty", "params[1]", lambda w: l2_penalty([w.x, 3.0]),  # type: ignore
            TypeError, r"^l2_penalty: params\[1\] must be a Value, got float$"),
    # nn: save / load
    ApiCase("save", "module", lambda w: save(3, w.directory / "new.json"),  # type: ignore
            TypeError, r"^save: module must be a Module \(an MLP, Layer or Neuron\), got int$"),
    ApiCase("save", "no-such-folder", lambda w: save(w.model, w.directory / "no-such-folder"
                                                     / "m.json"),
            FileNotFoundError, r"^save: cannot write '.*/no-such-folder/m\.json': No such file "
            r"or directory$"),
    ApiCase("load", "module", lambda w: load(3, w.model_file),  # type: ignore[arg-type]
            TypeError, r"^load: module must be a Module \(an MLP, Layer or Neuron\), got int$"),
    ApiCase("read_state_dict", "path", lambda w: read_state_dict(3),  # type: ignore[arg-type]
            TypeError, r"^read_state_dict: path must be a str or os\.PathLike, got int$"),
    # check
    ApiCase("central_difference", "input index 3",
            lambda w: central_difference(_square, [1.0], 3), IndexError,
            r"^central_difference: input index 3 out of range for 1 inputs$"),
    ApiCase("numerical_jacobian", "f", lambda w: numerical_jacobian(3, [1.0]),  # type: ignore
            TypeError, r"^numerical_jacobian: f must be a function of Values, got int$"),
    ApiCase("analytical_jacobian", "input 0",
            lambda w: analytical_jacobian(_square, ["a"]),  # type: ignore[list-item]
            TypeError, r"^analytical_jacobian: input 0: expected a real number, got str 'a'$"),
    ApiCase("gradcheck", "inputs", lambda w: gradcheck(_square, 1.0),  # type: ignore[arg-type]
            TypeError, r"^gradcheck: inputs must be a sequence of numbers or Values, got float$"),
    ApiCase("gradcheck", "input 0",
            lambda w: gradcheck(lambda a: Value(math.sin(a.data)), [w.x]),
            GradcheckError, r"^gradcheck: f cut the graph between a \(input 0\) and output 0: "),
    ApiCase("gradgradcheck", "eps", lambda w: gradgradcheck(_square, [w.x], eps=0.0),
            ValueError, r"^gradgradcheck: eps must be positive, got 0\.0$"),
    ApiCase("first_derivatives", "f", lambda w: first_derivatives(3),  # type: ignore[arg-type]
            TypeError, r"^first_derivatives: f must be a function of Values, got int$"),
    # graph: diagrams and rendering
    ApiCase("draw_dot", "root", lambda w: draw_dot(3.0), TypeError,  # type: ignore[arg-type]
            r"^draw_dot: root must be a Value, got float$"),
    ApiCase("escape_record", "text", lambda w: escape_record(3),  # type: ignore[arg-type]
            TypeError, r"^escape_record: text must be a str, got int$"),
    ApiCase("format_number", "x", lambda w: format_number("a", 3),  # type: ignore[arg-type]
            TypeError, r"^format_number: x must be a real number, got str$"),
    ApiCase("label_group", "value", lambda w: label_group(3),  # type: ignore[arg-type]
            TypeError, r"^label_group: value must be a Value, got int$"),
    ApiCase("infer_groups", "root", lambda w: infer_groups(3),  # type: ignore[arg-type]
            TypeError, r"^infer_groups: root must be a Value, got int$"),
    ApiCase("render", "source", lambda w: render(3), TypeError,  # type: ignore[arg-type]
            r"^render: source must be DOT text \(a str\), got int$"),
    ApiCase("render_svg", "backend",
            lambda w: render_svg("digraph { a }", backend="cairo"),  # type: ignore[arg-type]
            ValueError, r"^render_svg: unknown backend 'cairo'; expected 'auto', 'dot' or "
            r"'wasm'$"),
    ApiCase("format_for_path", "graph.jpeg", lambda w: format_for_path("graph.jpeg"),
            ValueError, r"^format_for_path: cannot tell the format of 'graph\.jpeg' from its "
            r"suffix; use \.svg, \.png, \.pdf, \.dot or \.gv$"),
    ApiCase("save_source", "source", lambda w: save_source(b"digraph {}",  # type: ignore
                                                           w.directory / "g.svg"),
            TypeError, r"^save_source: source must be DOT text \(a str\), got bytes$"),
    ApiCase("Diagram.save", "dpi", lambda w: _product_diagram(w).save(w.directory / "g.png",
                                                                       dpi=0),
            ValueError, r"^Diagram\.save: dpi must be a number from 1 to 2400, got 0$"),
    ApiCase("Diagram.save", "width", lambda w: _product_diagram(w).save(w.directory / "g.pdf",
                                                                         width=800),
            ValueError, r"^Diagram\.save: dpi and width apply to PNG only, not 'g\.pdf'$"),
    ApiCase("Diagram.pipe", "GIF", lambda w: _product_diagram(w).pipe("gif"),
            RenderError, r"^Diagram\.pipe: GIF output needs the Graphviz `dot` program, which "
            r"is not on PATH .*apt-get install graphviz"),
    ApiCase("Diagram.render", "format",
            lambda w: _product_diagram(w).render("g", directory=w.directory, format="svgz2"),
            ValueError, r"^Diagram\.render: unknown format 'svgz2'"),
    ApiCase("Diagram.render", "GIF",
            lambda w: _gif_diagram(w).view("g", directory=w.directory), RenderError,
            r"^Diagram\.render: GIF output needs the Graphviz `dot` program"),
    ApiCase("Diagram.render", "width",
            lambda w: _product_diagram(w).render("g", directory=w.directory, format="png",
                                                 width=1.5), ValueError,
            r"^Diagram\.render: width must be an int of pixels from 1 to 20000, got 1\.5$"),
    ApiCase("Diagram.pipe", "engine", lambda w: _product_diagram(w).pipe(engine="dott"),
            ValueError, r"^Diagram\.pipe: unknown engine 'dott'; expected one of dot, neato"),
    ApiCase("Diagram.svg", "backend",
            lambda w: _product_diagram(w).svg(backend="cairo"),
            ValueError, r"^Diagram\.svg: unknown backend 'cairo'"),
    # graph: the backward pass step by step, the Wengert list
    ApiCase("backward_steps", "root", lambda w: backward_steps(3.0),  # type: ignore[arg-type]
            TypeError, r"^backward_steps: root must be a Value, got float$"),
    ApiCase("backward_frames", "root", lambda w: backward_frames(3.0),  # type: ignore
            TypeError, r"^backward_frames: root must be a Value, got float$"),
    ApiCase("backward_html", "root", lambda w: backward_html(3.0),  # type: ignore[arg-type]
            TypeError, r"^backward_html: root must be a Value, got float$"),
    ApiCase("describe", "step", lambda w: describe(3, {}),  # type: ignore[arg-type]
            TypeError, r"^describe: step must be a BackwardStep \(from backward_steps\), got "
            r"int$"),
    ApiCase("wengert_list", "digits", lambda w: wengert_list(w.x * w.y, digits=0), ValueError,
            r"^wengert_list: digits must be an int between 1 and 17, got 0$"),
    ApiCase("wengert_list", "numbering", lambda w: wengert_list(w.x, numbering="zero"),
            ValueError, r"^wengert_list: numbering must be one of griewank, one-based, got "
                        r"'zero'$"),
    ApiCase("trace_numbers", "numbering",
            lambda w: trace_numbers(topological_order(w.x), numbering="1"), ValueError,
            r"^trace_numbers: numbering must be one of griewank, one-based, got '1'$"),
    ApiCase("value_names", "order", lambda w: value_names(3),  # type: ignore[arg-type]
            TypeError, r"^value_names: order must be a sequence of Values"),
    ApiCase("definition", "node", lambda w: definition(3, {}),  # type: ignore[arg-type]
            TypeError, r"^definition: node must be a Value, got int$"),
    ApiCase("is_inlined", "node", lambda w: is_inlined(3),  # type: ignore[arg-type]
            TypeError, r"^is_inlined: node must be a Value, got int$"),
    # compile
    ApiCase("compiled", "f", lambda w: compiled(3), TypeError,  # type: ignore[call-overload]
            r"^compiled: f must be a function, got int$"),
    ApiCase("compiled", "wrt", lambda w: compiled(lambda a: a * w.x, wrt=[3])(2.0),
            ValueError, r"^compiled: wrt index 3 is out of range for 1 inputs$"),
    ApiCase("compiled", "input 0", lambda w: compiled(lambda a: a * w.x)("a"), TypeError,
            r"^compiled input 0: expected a real number, got str 'a'$"),
    ApiCase("batch", "reduce",
            lambda w: compiled(lambda a: a * w.x).batch([1.0], reduce="median"),  # type: ignore
            ValueError, r"^Tape\.batch: reduce must be 'mean' or 'sum', got 'median'$"),
    # a batch takes what a replay takes, on either backend (NumPy read True as 1.0, "2" as
    # 2.0, and refused "abc" with its own ValueError)
    *(ApiCase("batch", f"column 0, example {k}",
              lambda w, bad=bad, k=k, backend=backend: compiled(lambda a: a * w.x).batch(
                  [1.0] * k + [bad], backend=backend),  # type: ignore[misc]
              TypeError, rf"^Tape\.batch: column 0, example {k}: expected a real number, got "
              rf"{kind} '?{bad}'?$")
      for k, (backend, (bad, kind)) in enumerate(
          ((backend, case) for backend in ("numpy", "python")
           for case in ((True, "bool"), ("2", "str"), ("abc", "str"), (None, "NoneType"))),
          start=1)),
    *(ApiCase("batch", f"column 0, example {k}",
              lambda w, k=k, backend=backend: compiled(lambda a: a * w.x).batch(
                  [1.0] * k + [math.nan], backend=backend),
              DomainError, rf"^Tape\.batch\(nan\): column 0, example {k}: expected a finite "
              r"number$")
      for k, backend in ((9, "numpy"), (10, "python"))),
    *(ApiCase("batch", f"column {i} must be one-dimensional",
              lambda w, i=i, backend=backend: Tape.from_graph(w.x * w.y, [w.x, w.y]).batch(
                  *((np.ones((2, 1)), [1.0, 2.0]) if i == 0 else ([1.0, 2.0], np.ones((2, 1)))),
                  backend=backend),
              ValueError, rf"^Tape\.batch: column {i} must be one-dimensional$")
      for i, backend in ((0, "numpy"), (1, "python"))),
    ApiCase("Tape", "output", lambda w: Tape.from_graph(3.0),  # type: ignore[arg-type]
            TypeError, r"^Tape: the output must be a Value, got float$"),
    ApiCase("Tape", "inputs", lambda w: Tape.from_graph(w.x * w.y, [w.x])(1.0, 2.0),
            TypeError, r"^Tape: expected 1 inputs, got 2$"),
    ApiCase("compiled_loss", "model", lambda w: compiled_loss(3, squared_error),  # type: ignore
            TypeError, r"^compiled_loss: model must be callable, got int$"),
    ApiCase("compiled_loss", "targets",
            lambda w: compiled_loss(w.model, squared_error)([[1.0, 2.0]], [1.0, 2.0]),
            ValueError, r"^compiled_loss: 1 rows and 2 targets; need as many of each"),
    # a traced number used as a constant would be replayed for every call: refused
    ApiCase("compiled", "input 't'", lambda w: compiled(lambda a, t: a * t.data)(1.0, 2.0),
            TracedNumberError, r"^compiled: the function used the number of input 't' as a "
                               r"constant"),
    ApiCase("compiled_loss", "'target'",
            lambda w: compiled_loss(w.model, lambda y, t: (y - t.item()) ** 2)(
                [[1.0, 2.0], [0.5, -0.5]], [1.0, 0.0]),
            TracedNumberError, r"^compiled_loss: the function used the number of input "
                               r"'target' as a constant"),
    ApiCase("binary_cross_entropy_with_logits", "target",  # row 1 of compiled_loss
            lambda w: compiled_loss(w.model, binary_cross_entropy_with_logits)(
                [[1.0, 2.0], [0.5, -0.5]], [1.0, 1.5]),
            DomainError, r"^binary_cross_entropy_with_logits\(1\.5\): the target must be in "
                         r"\[0, 1\]$"),
    # cli: the expression parser
    ApiCase("parse_formula", "text", lambda w: parse_formula(3),  # type: ignore
            TypeError, r"^parse_formula: text must be a str, got int$"),
    ApiCase("evaluate", "variable x", lambda w: evaluate("x * 2", {"x": "a"}),  # type: ignore
            TypeError, r"^evaluate: variable x: expected a real number, got str 'a'$"),
    ApiCase("evaluate", "variable y",
            lambda w: parse_formula("x + y").evaluate({"x": w.x, "y": None}),  # type: ignore
            TypeError, r"^evaluate: variable y: expected a real number, got NoneType None$"),
    ApiCase("evaluate", "variable names", lambda w: evaluate("x", {1: 2.0}),  # type: ignore
            TypeError, r"^evaluate: variable names must be str, got int 1$"),
    ApiCase("evaluate", "variable 'x'", lambda w: evaluate("x", {"x": 1.0, "\uff58": 2.0}),
            ValueError, r"^evaluate: variable 'x' is given twice \('\uff58' is 'x' once "
            r"normalised\)$"),
]


def _api_param(case: ApiCase) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"not fixed here: {case.owner}")] \
        if case.owner else []
    return pytest.param(case, marks=marks, id=f"{case.function}-{case.argument}")


@pytest.mark.parametrize("case", [_api_param(c) for c in API_CASES])
def test_public_functions_refuse_with_a_named_error_and_change_nothing(
        case: ApiCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")  # no system Graphviz: the same answers on every machine
    world = World(tmp_path)
    if case.prepare is not None:
        case.prepare(world)
    before = world.snapshot()
    with pytest.raises(case.error) as caught:
        case.call(world)
    message = str(caught.value)
    assert type(caught.value) is case.error, message  # exactly this type
    assert case.function in message and case.argument in message, message
    assert re.search(case.message, message), message
    assert world.snapshot() == before


def test_every_public_function_of_these_layers_has_a_row() -> None:
    """A new public function in core/, math, nn/, graph/, compile/, cli/, check, io or losses
    needs a row here (functions and classes defined in the module, without a leading
    underscore)."""
    import inspect

    from autograd_lite.cli import formula
    from autograd_lite.cli import grad as cli_grad
    from autograd_lite.cli import main as cli_main
    from autograd_lite.compile import tape
    from autograd_lite.core import check
    from autograd_lite.graph import diagram, steps, wengert
    from autograd_lite.graph import render as render_module
    from autograd_lite.nn import io, losses, modules, optim, progress

    covered = {c.function.split(".")[0] for c in API_CASES} | {
        "run_grad", "main",  # the CLI table below
        "has_system_dot", "require_system_dot", "require_graphviz", "require_renderer",  # no
        # argument a user passes / a message prefix (tests/graph/test_viz.py checks their messages)
        "diagram_type",  # no argument
        "Compiled", "CompiledLoss", "WengertList", "Replay", "BatchReplay", "Guard", "BackwardStep",
        "ForwardRow", "AdjointRow", "Formula", "LayerValues", "ParamTensor", "Module",
        "Optimizer", "StepPage",  # classes made by the library, or tested through their
        # public makers
        "trace_name",  # an int from trace_numbers (its own row checks the numbering)
        "box_ids", "group_outputs", "dot_pairs", "natural_key", "op_label",  # layout helpers
        # diagram and steps share: their arguments come from the library, not users
    }
    from autograd_lite import math as math_module
    from autograd_lite.core import (
        anomaly,
        arrays,
        forward,
        gradients,
        observers,
        reverse,
        rules,
        value,
    )
    from autograd_lite.core import func as core_func

    covered |= {
        "Value", "grad", "add_n", "dot", "constant",  # the engine's own table above
        "lift", "arguments", "of_parents", "record", "depending_on", "differentiated",
        "is_grad_enabled", "enable_grad",  # no argument a user can get wrong, or plumbing
        "carry", "register_carrier", "to_float", "not_finite", "Primitive",  # between the
        "reverse_pass", "recorded_edges", "accumulate_into_grad", "chain_term",  # core's own
        "float_adjoints", "float_pass", "computed_order", "linear_gradients", "number_read",
        "observe_numbers",
        "Case", "Domain",  # test data
        "NonFiniteOrigins", "creation_site", "Site", "SitedValue", "observe_anomalies",  # their
        "anomaly_observer", "AnomalyObserver", "array_function", "chain_terms",  # arguments
        "all_finite", "detect_anomaly", "is_anomaly_enabled", "Level", "innermost",
        "numpy_installed", "GeneratedCode",  # no argument; the package's own generated code
        "clamp_bounds", "jacrev",  # come (jacrev: jacobian's other name,
        # its row above)
        "parameter_names", "argument_names",  # how check's messages name f's arguments
        "Transformed", "transformed",  # what made a transform (compiled reads it): any
        # function is a fine argument
        "RemovableHandle", "remove_hooks", "run_hooks", "hook_visitor",  # made by
        # register_hook (its rows above), or no argument a user gets wrong, or plumbing
        # from the library, or there are none
    }
    from autograd_lite import mathcode
    from autograd_lite.core import hooks
    modules_ = [formula, cli_grad, cli_main, tape, check, diagram, render_module, steps, wengert,
                io, losses, modules, optim, value, gradients, forward, rules, reverse,
                math_module, anomaly, arrays, observers, core_func, mathcode, hooks, progress]
    public = {name for m in modules_ for name, obj in vars(m).items()
              if not name.startswith("_") and getattr(obj, "__module__", None) == m.__name__
              and (inspect.isfunction(obj) or inspect.isclass(obj))
              and not (inspect.isclass(obj) and issubclass(obj, BaseException))}
    assert public - covered == set()


CLI_CASES = [
    (["--example", "zz"], 2, r"^autograd-lite: error: unknown example 'zz'; choose one of "),
    (["--bogus"], 2, r"^usage: autograd-lite .*\nautograd-lite: error: unrecognized "
                     r"arguments: --bogus$"),
    (["grad"], 2, r"\nautograd-lite grad: error: the following arguments are required: "
                  r"expression"),
    (["grad", "x", "x=a"], 2, r"^autograd-lite grad: error: x=a: expected a finite number$"),
    (["grad", "x", "x=1", "--digits", "0"], 2,
     r"^autograd-lite grad: error: --digits must be between 1 and 17$"),
    (["grad", "log(x)", "x=0"], 1,
     r"^autograd-lite grad: log\(x\): log\(0\.0\): logarithm needs a positive argument$"),
    (["grad", "x", "x=1", "--svg", "{dir}/g.gif"], 2,
     r"^autograd-lite grad: error: --svg .*g\.gif: cannot tell the format from the suffix; "
     r"use \.svg, \.png, \.pdf, \.dot or \.gv$"),
    (["grad", "x", "x=1", "--svg", "{dir}/missing/g.svg"], 2,
     r"^autograd-lite grad: error: --svg .*/missing/g\.svg: the folder '.*/missing' does not "
     r"exist; create it first$"),
    (["grad", "x", "pi=1"], 2, r"^autograd-lite grad: error: pi is a constant "),
]


@pytest.mark.parametrize(("argv", "status", "message"), CLI_CASES,
                         ids=[" ".join(a) for a, _, _ in CLI_CASES])
def test_the_command_line_refuses_with_a_status_and_one_message(
        argv: list[str], status: int, message: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_lite.cli.main import main

    monkeypatch.setenv("PATH", "")
    world = World(tmp_path)
    before = world.snapshot()
    assert main([a.replace("{dir}", str(tmp_path)) for a in argv]) == status
    err = capsys.readouterr().err.strip()
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert world.snapshot() == before


def test_a_collapsed_graph_still_too_large_gives_a_hint_that_does_not_repeat_collapse() -> None:
    """An MLP(2, [16, 16, 1]) graph: 437 values, 35 boxes when collapsed to neurons."""
    out = MLP(2, [16, 16, 1], seed=0)([1.0, 2.0])
    assert isinstance(out, Value)
    with pytest.raises(GraphTooLargeError) as full:
        draw_dot(out)
    assert "collapse=True" in str(full.value)
    with pytest.raises(GraphTooLargeError) as collapsed:
        draw_dot(out, collapse=True, max_nodes=10)
    assert str(collapsed.value) == (
        "draw_dot: the collapsed graph of 437 values still has 35 boxes, more than "
        "max_nodes=10; group more coarsely (collapse= a function from a value to its group "
        "name), draw a subsample (the loss of one example instead of the batch), or pass a "
        "larger max_nodes (layout time grows quickly)")


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
            parse_formula(text)
        except FormulaError as error:
            rows.append(f"| grad CLI / `expr`: {_cell(ascii(text)[1:-1][:40])} | "
                        f"`FormulaError` | {_cell(str(error).splitlines()[0])} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    text = text if len(text) <= 110 else text[:107] + "..."
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


if __name__ == "__main__":
    sys.stdout.write(markdown_table() + "\n")

"""Every primitive through every mode, built-ins and a user's alike.

One table (``testing.OP_CASES``: each built-in's public spelling and input domain), run
through eager backward, ``grad(create_graph=True)``, forward mode, the Wengert list, the
compiled tape, its NumPy batch replay, the CLI's expression language and the diagrams.  A
primitive missing from any mode fails here instead of hiding (the gap the old layout had:
an op every eager test accepted, which the batch replay and the CLI did not know).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from by_path import load_module
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    DomainError,
    Value,
    compiled,
    detect_anomaly,
    func,
    grad,
    gradcheck,
    gradgradcheck,
    jvp,
    primitive,
)
from autograd_lite import math as am
from autograd_lite.cli.formula import FUNCTIONS, parse_formula
from autograd_lite.compile import TracedNumberError
from autograd_lite.core import rules
from autograd_lite.core.anomaly import AnomalyError
from autograd_lite.graph.wengert import wengert_list
from autograd_lite.testing import (
    OP_CASES,
    Domain,
    OpCase,
    assert_gradients_match,
    expressions,
)

IDS = [c.name for c in OP_CASES]


def _draw(data: st.DataObject, case: OpCase) -> tuple[list[float], Any]:
    xs = [data.draw(d.floats(), label=f"x{i}") for i, d in enumerate(case.domains)]
    params = [data.draw(st.sampled_from(case.params), label="param")] if case.params else []
    return xs, lambda *v: case.call(*v, *params)


@pytest.mark.parametrize("case", OP_CASES, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_mode_agrees_with_eager_backward(case: OpCase, data: st.DataObject) -> None:
    """backward = grad = jvp = compiled replay = NumPy batch, for every primitive."""
    xs, f = _draw(data, case)
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    eager = [leaf.grad for leaf in leaves]
    # grad, float and differentiable
    assert grad(f(*leaves), leaves) == pytest.approx(eager, rel=1e-12, abs=1e-300)
    as_values = grad(f(*leaves), leaves, create_graph=True, materialize_grads=True)
    assert [g.data for g in as_values] == pytest.approx(eager, rel=1e-9, abs=1e-12)
    # forward mode: one direction per input
    for i in range(len(xs)):
        _, tangent = jvp(f, xs, [float(i == j) for j in range(len(xs))])
        assert tangent == pytest.approx(eager[i], rel=1e-9, abs=1e-12)
    # the compiled tape, replayed on floats and on a NumPy batch of the same point twice
    tape = compiled(f)
    value, grads = tape(*xs)
    assert value == out.data
    assert list(grads) == pytest.approx(eager, rel=1e-12, abs=1e-300)
    batch = tape.batch(*[[x, x] for x in xs], backend="numpy")
    assert list(batch.values) == pytest.approx([out.data] * 2, rel=1e-12)
    for g, e in zip(batch.grads, eager):
        assert list(g) == pytest.approx([e, e], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("case", OP_CASES, ids=IDS)
def test_every_primitive_is_written_in_the_wengert_list(case: OpCase) -> None:
    point = case.primitive_args()
    xs = [x for a, x in zip(case.args, point) if not isinstance(a, float)]
    args = [Value(x, f"y{k}" if k else "x") for k, x in enumerate(xs)]
    out = case.call(*args, *case.params[:1])
    rows = wengert_list(out).forward
    assert rows[-1].value == out.data
    assert rows[-1].text  # the rule as text, e.g. "x * y0", "exp(x)"


@pytest.mark.parametrize("name", sorted(n for n, p in rules.PRIMITIVES.items()
                                        if p.builtin and p.arity == 1 and not p.infix
                                        and (n in am.__all__ or hasattr(Value, n))))
def test_every_one_argument_builtin_a_user_can_call_is_a_cli_function(name: str) -> None:
    op = rules.PRIMITIVES[name]
    assert FUNCTIONS[name] is op
    x, *params = next(c for c in OP_CASES if c.op == name).primitive_args()
    text = "".join(f", {p!r}" for p in params)
    value = parse_formula(f"{name}(x{text})").evaluate({"x": x})
    assert value.data == op.evaluate([x, *params])


TESTS = Path(__file__).resolve().parents[1]
MODE_TESTS = [  # (file under tests/, test): each runs every case of OP_CASES through one mode
    ("core/test_ops.py", "test_backward_matches_central_differences"),
    ("core/test_ops.py", "test_public_spelling_records_the_declared_op"),
    ("core/test_ops.py", "test_forward_value_matches_the_math_library"),
    ("core/test_ops.py", "test_backward_matches_the_closed_form_derivative"),
    ("core/test_ops.py", "test_second_derivatives_match_central_differences"),
    ("transforms/test_forward.py", "test_each_rule_gives_the_same_derivative_forward_and_reverse"),
    ("compile/test_compile.py", "test_every_primitive_compiles_to_its_rule"),
    ("core/test_primitives.py", "test_every_mode_agrees_with_eager_backward"),
    ("core/test_primitives.py", "test_every_primitive_is_written_in_the_wengert_list"),
]


def _test_module(path: str) -> ModuleType:
    """The test module at ``tests/path``: as pytest imported it, or loaded from its file (a
    layer's folder run alone has not imported the others)."""
    stem = Path(path).stem
    found = sys.modules.get(stem)
    if found is not None and Path(found.__file__ or "").resolve() == TESTS / path:
        return found
    return load_module(f"coverage_of_{stem}", TESTS / path)


def test_every_builtin_declares_its_cases_and_every_mode_runs_them() -> None:
    """The one coverage test: each built-in's declaration in core/rules.py carries its cases
    (domains, a public spelling, independent formulas for the value and the derivative) that
    fit its arguments; OP_CASES is made of exactly those; and each mode's test runs all of
    OP_CASES (the small differential campaign checks it reached every primitive, the CLI and
    NumPy tests take every built-in from the rule table itself)."""
    builtins = {name for name, p in rules.PRIMITIVES.items() if p.builtin}
    assert set(rules.CASES) == builtins
    for name, cases in rules.CASES.items():
        op = rules.PRIMITIVES[name]
        assert cases, f"{name} declares no test case"
        for case in cases:
            inputs = [a for a in case.args if isinstance(a, rules.Domain)]
            assert inputs and callable(case.value) and callable(case.derivative), case.name
            assert op.arity is None or len(case.args) == op.arity, case.name
            assert bool(case.params) == bool(op.params), case.name
    names = [c.name for c in OP_CASES]
    assert len(set(names)) == len(names)
    assert [c.op for c in OP_CASES] == [n for n, cases in rules.CASES.items() for _ in cases]
    for module, test in MODE_TESTS:
        marks = getattr(getattr(_test_module(module), test), "pytestmark", [])
        cases = [m.args[1] for m in marks if m.name == "parametrize"]
        assert cases == [OP_CASES], f"{module}.{test} does not run every case of OP_CASES"


# -- a primitive of one's own ---------------------------------------------------------------
softplus = primitive("my_softplus",
                     lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
                     lambda out, x: (1 / (1 + am.exp(-x)),))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_a_user_primitive_in_every_mode() -> None:
    """softplus'(x) = sigmoid(x), softplus''(x) = sigmoid(x) (1 - sigmoid(x)): closed forms."""
    x = Value(0.5)
    y = softplus(x)
    assert y.data == pytest.approx(math.log(1 + math.exp(0.5)), rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(_sigmoid(0.5), rel=1e-15)
    first = grad(softplus(x), x, create_graph=True)
    assert grad(first, x) == pytest.approx(_sigmoid(0.5) * (1 - _sigmoid(0.5)), rel=1e-12)
    third = grad(grad(first, x, create_graph=True), x)   # s (1 - s) (1 - 2 s)
    s = _sigmoid(0.5)
    assert third == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-9)
    assert jvp(softplus, [0.5], [2.0])[1] == pytest.approx(2 * s, rel=1e-15)
    assert gradcheck(softplus, [0.5]) and gradgradcheck(softplus, [-1.5])
    tape = compiled(lambda a: softplus(a) * a)
    assert tape(0.5).grads[0] == pytest.approx(math.log(1 + math.exp(0.5)) + 0.5 * s)
    batch = tape.batch([0.5, -1.0], backend="numpy")
    assert batch.grads[0][1] == pytest.approx(
        math.log(1 + math.exp(-1.0)) - _sigmoid(-1.0), rel=1e-12)
    assert "v₁ = my_softplus(v₀)" in str(wengert_list(softplus(Value(0.5, "x"))))
    values = am.exp(np.array([0.0, 1.0]))
    assert list(values) == [1.0, math.e]


@settings(max_examples=40, deadline=None)
@given(Domain(-30.0, 30.0).floats())
def test_a_user_primitive_matches_central_differences(x: float) -> None:
    assert_gradients_match(softplus, [x])


SOFTPLUS = OpCase("my_softplus", "my_softplus", softplus, (Domain(-30.0, 30.0),))


@settings(max_examples=40, deadline=None)
@given(expressions(n_inputs=2, max_ops=6, primitives=[*OP_CASES, SOFTPLUS]))
def test_a_user_primitive_in_random_graphs(expression: Any) -> None:
    inputs = [0.3, -0.7]
    if expression.checkable(inputs):
        assert_gradients_match(expression, inputs)


def test_a_user_primitive_outside_its_domain_names_itself() -> None:
    log2 = primitive("log2_of", lambda x: math.log2(x), lambda out, x: (1 / (x * math.log(2)),))
    with pytest.raises(DomainError, match=r"log2_of\(-1.0\): math domain error"):
        log2(Value(-1.0))
    with pytest.raises(DomainError, match=r"log2_of\(-1.0\)"):
        compiled(lambda a: log2(a))(-1.0)


def test_a_user_primitive_in_anomaly_mode() -> None:
    """cbrt'(0) is infinite: anomaly mode names the primitive."""
    cbrt = primitive("cbrt_of", lambda x: math.copysign(abs(x) ** (1 / 3), x),
                     lambda out, x: (1 / (3 * out * out) if out != 0 else math.inf,))
    x = Value(0.0)
    with detect_anomaly(), pytest.raises(AnomalyError, match="cbrt_of"):
        cbrt(x).backward()
    assert x.grad == 0.0


def test_a_name_is_data_never_code() -> None:
    hostile = primitive('x"; import os; os.system("echo owned") #',
                        lambda x: 2.0 * x, lambda out, x: (2.0,))
    tape = compiled(lambda a: hostile(a) + 1.0)
    assert tape(1.5) == (4.0, (2.0,))
    assert "import os" not in tape.tape.key  # the code itself
    named = [line for line in tape.source.splitlines() if "import os" in line]
    assert named == ["    # _p0: 'x\"; import os; os.system(\"echo owned\") #'"]  # a comment
    assert "import os" in str(wengert_list(hostile(Value(1.0, "x"))))  # shown, as text


def test_declaring_a_primitive_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="primitive: name must be a non-empty str"):
        primitive("", math.exp, lambda out, x: (out,))
    with pytest.raises(ValueError, match="'exp' is a built-in primitive"):
        primitive("exp", math.exp, lambda out, x: (out,))
    with pytest.raises(TypeError, match="primitive 'f': forward and partials must be callables"):
        primitive("f", math.exp, 3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="my_softplus: expected 1 arguments, got 2"):
        softplus(1.0, 2.0)


# A derivative rule must give one derivative per differentiable argument: a wrong count, a
# non-sequence or a None is refused by name in every mode (PyTorch: "returned an incorrect
# number of gradients (expected 2, got 1)"), never read as a zero or dropped.
MALFORMED_RULES: list[tuple[str, Any, str]] = [
    ("too few", lambda out, x, y: (y,), r"incorrect number of derivatives \(expected 2, got 1\)"),
    ("too many", lambda out, x, y: (y, x, 1.0),
     r"incorrect number of derivatives \(expected 2, got 3\)"),
    ("empty", lambda out, x, y: (), r"incorrect number of derivatives \(expected 2, got 0\)"),
    ("a number", lambda out, x, y: y, r"returned float 3.0; expected a tuple of 2 derivative"),
    ("a string", lambda out, x, y: "ab", r"returned str 'ab'; expected a tuple of 2"),
    ("None", lambda out, x, y: None, r"returned NoneType None; expected a tuple"),
    ("a None inside", lambda out, x, y: (y, None), r"returned NoneType None as derivative 1"),
]
MODES: list[tuple[str, Any]] = [
    ("backward", lambda m: m(Value(2.0), Value(3.0)).backward()),
    ("grad", lambda m: grad(m(Value(2.0), Value(3.0)), [Value(1.0)], allow_unused=True)),
    ("create_graph", lambda m: (lambda x, y: grad(m(x, y), [x, y], create_graph=True))(
        Value(2.0), Value(3.0))),
    ("jvp", lambda m: jvp(m, [2.0, 3.0], [1.0, 1.0])),
    ("func.grad", lambda m: func.grad(m)(2.0, 3.0)),
    ("compiled", lambda m: compiled(m)(2.0, 3.0)),
]


@pytest.mark.parametrize(("mode", "apply"), MODES, ids=[m for m, _ in MODES])
@pytest.mark.parametrize(("what", "rule", "message"), MALFORMED_RULES,
                         ids=[w for w, _, _ in MALFORMED_RULES])
def test_a_malformed_derivative_rule_is_refused_by_name(what: str, rule: Any, message: str,
                                                        mode: str, apply: Any) -> None:
    times = primitive(f"times_{what.replace(' ', '_')}", lambda x, y: x * y, rule)
    with pytest.raises(TypeError, match=rf"primitive 'times_\w+': .*{message}"):
        apply(times)


def test_a_rule_of_the_wrong_arity_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match=r"primitive 'half': partials must take \(out, \*args\): "
                                        "3 arguments for a forward of 2"):
        primitive("half", lambda x, y: x * y, lambda out, x: (1.0,))
    with pytest.raises(TypeError, match="3 arguments for a forward of 2"):
        primitive("extra", lambda x, y: x * y, lambda out, x, y, z: (y, x))
    star = primitive("star_rule", lambda x, y: x * y, lambda *a: (a[2], a[1]))  # fits
    x, y = Value(2.0), Value(3.0)
    star(x, y).backward()
    assert (x.grad, y.grad) == (3.0, 2.0)


def test_a_rule_for_any_number_of_arguments_is_counted_when_applied() -> None:
    total = primitive("total_of", lambda *xs: sum(xs), lambda out, *xs: (1.0,) * (len(xs) - 1))
    with pytest.raises(TypeError, match=r"'total_of'.*\(expected 3, got 2\)"):
        total(Value(1.0), Value(2.0), Value(3.0))
    scaled = primitive("scaled_total", lambda *a: a[-1] * sum(a[:-1]),
                       lambda out, *a: (a[-1],) * (len(a) - 1), params=1)
    xs = [Value(1.0), Value(2.0)]
    scaled(*xs, 3.0).backward()          # the parameter 3.0 has no derivative
    assert [x.grad for x in xs] == [3.0, 3.0]


def test_tapes_that_differ_only_in_their_primitives_are_not_confused() -> None:
    """The same code shape calling exp or log gives two tapes; the choice made on the
    float (``a.data > 1.0``), which no guard sees, is refused instead of freezing exp."""
    @compiled
    def f(a: Value) -> Value:
        return a.exp() if a > 1.0 else a.log()

    assert f(2.0).value == math.exp(2.0)
    assert f(0.5).value == math.log(0.5)  # the guard saw the decision: another tape
    frozen = compiled(lambda a: a.exp() if a.data > 1.0 else a.log())
    with pytest.raises(TracedNumberError, match="number of input 'a' as a constant"):
        frozen(2.0)
    g = compiled(lambda a: a.log())
    assert g(0.5).value == math.log(0.5)
    assert g.source.splitlines()[3] == "    # _p0: 'log'"


def test_a_forward_that_returns_an_int_gives_a_float() -> None:
    """A user's forward may return an int (as Python's math.floor does): the primitive's
    value is still a float, on numbers and on Values."""
    halve = primitive("halve_down", lambda x: int(x) // 2, lambda out, x: (0.0,))
    assert type(halve(7.0)) is float and halve(7.0) == 3.0
    assert type(halve(Value(7.0)).data) is float

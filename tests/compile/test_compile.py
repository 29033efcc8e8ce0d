"""Compiled tapes (issue 6): replaying straight-line code gives exactly what eager Values give.

The expected numbers are the eager engine's own forward values and ``grad`` results on the
same inputs (or closed forms), computed independently of the generated code (which never
builds a Value); the random programs are the core's :func:`autograd_lite.testing.expressions`
(shared sub-expressions, diamonds, every primitive).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Value, add_n, dot, grad, no_grad, zero_grad
from autograd_lite.compile import BranchChangedError, Tape, TracedNumberError, compiled
from autograd_lite.core import rules
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import hinge, l2_penalty, mean
from autograd_lite.testing import OP_CASES, OpCase, expressions, safe_floats

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def sqrt_of_relu(x: Value) -> Value:
    """relu' = 0 stops sqrt'(0) = inf: the gradient at x < 0 is 0, not nan."""
    return x.relu().sqrt()


def eager(f: Callable[..., Value], xs: Sequence[float]) -> tuple[float, list[float]]:
    """The reference: f on Values, and d f / d x_i by the engine's grad()."""
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    return out.data, grad(out, leaves, allow_unused=True)


def same(a: float | None, b: float | None) -> bool:
    """Equal to the last bit, except that an unused input's None reads as 0.0."""
    return (a or 0.0) == (b or 0.0)


def eager_outcome(f: Callable[..., Value], xs: Sequence[float]) -> Any:
    try:
        return eager(f, xs)
    except DomainError as error:
        return str(error)


def replay_outcome(tape: Callable[..., Any], xs: Sequence[float]) -> Any:
    try:
        value, grads = tape(*xs)
    except DomainError as error:
        return str(error)
    return value, list(grads)


def assert_matches(f: Callable[..., Value], tape: Callable[..., Any],
                   xs: Sequence[float]) -> None:
    want = eager_outcome(f, xs)
    got = replay_outcome(tape, xs)
    if isinstance(want, str):
        assert got == want, "compiled replay must raise the DomainError eager raises"
        return
    assert not isinstance(got, str), got
    assert got[0] == want[0]
    assert all(same(a, b) for a, b in zip(got[1], want[1])), (got, want)


# -- random programs: every primitive, shared nodes, diamonds ----------------------------
@FAST
@given(expressions(n_inputs=3, max_ops=10),
       st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3),
       st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3))
def test_replay_at_new_inputs_equals_eager_on_random_programs(
        e: Any, trace_at: list[float], replay_at: list[float]) -> None:
    """Trace at one point, replay at another: value and gradient equal eager's bit for bit
    (or the same DomainError message)."""
    leaves = [Value(x) for x in trace_at]
    try:
        out = e(*leaves)
    except DomainError:
        return
    tape = Tape.from_graph(out, leaves)
    assert_matches(e, tape, trace_at)
    assert_matches(e, tape, replay_at)


@pytest.mark.slow  # a per-primitive sweep; tests/core/test_primitives.py covers each mode quickly
@pytest.mark.parametrize("primitive", OP_CASES, ids=lambda p: p.name)
@FAST
@given(data=st.data())
def test_every_primitive_compiles_to_its_rule(primitive: OpCase, data: Any) -> None:
    for param in primitive.params or (None,):
        xs = [data.draw(d.floats()) for d in primitive.domains]

        def f(*v: Value, param: float | None = param) -> Value:
            return primitive.call(*v) if param is None else primitive.call(*v, param)
        assert_matches(f, compiled(f), xs)


def test_diamonds_and_reused_nodes() -> None:
    """a = sin x feeds four places; d/dx of a*a + a/b + a = (2a + 1/b + 1) cos x."""
    def f(x: Value, y: Value) -> Value:
        a = x.sin()
        b = y * y + 1.0
        return a * a + a / b + a

    x, y = 0.7, -1.3
    value, (gx, gy) = compiled(f)(x, y)
    a, b = math.sin(x), y * y + 1.0
    assert value == pytest.approx(a * a + a / b + a, rel=1e-15)
    assert gx == pytest.approx((2 * a + 1 / b + 1) * math.cos(x), rel=1e-15)
    assert gy == pytest.approx(-a / b**2 * 2 * y, rel=1e-15)
    assert_matches(f, compiled(f), [x, y])


def test_large_nary_nodes_are_calls_of_their_rule() -> None:
    """A 192-argument sum or dot is one call of its primitive (through a register name),
    never an inlined 192-term expression."""
    n = 192

    def f(*v: Value) -> Value:
        return add_n(v) + dot(v[:n // 2], v[n // 2:])
    xs = [math.sin(i) for i in range(n)]
    tape = compiled(f)
    assert_matches(f, tape, xs)
    every = ", ".join(f"v{i}" for i in range(n))
    assert f"v{n} = _p0({every})" in tape.source
    assert f"v{n + 1} = _p1({every})" in tape.source
    assert tape.tape._writer.functions == [rules.add_n, rules.dot]


# -- leaves: parameters are read live, held Values are literals re-checked at every call ----
def test_parameters_are_read_live_and_held_values_are_rechecked() -> None:
    w = Value(2.0, "w")
    c = Value(0.1, "c", requires_grad=False)  # a frozen parameter, a captured constant
    tape = compiled(lambda x: w * x + c)
    assert tape(3.0).value == 2.0 * 3.0 + 0.1
    assert "+ 0.1" in tape.source  # c is written into the code...
    assert w.grad == 3.0  # accumulated, like backward
    w.data = -1.0
    assert tape(3.0) == (-1.0 * 3.0 + 0.1, (-1.0,))
    assert w.grad == 6.0
    c.data = 5.0  # ...and read live once it changed (the code used to keep 0.1)
    assert tape(3.0) == (-1.0 * 3.0 + 5.0, (-1.0,))
    assert "0.1" not in tape.source and "= _p  # parameters, held Values read live" in \
        tape.source and c.grad == 0.0
    source = tape.source
    c.data = 7.0  # read live now: no code written again for it
    assert [float(v) for v in tape.batch([1.0, 2.0], backend="python").values] == [6.0, 5.0]
    assert tape.source is source
    c.data = 9.0
    assert [float(v) for v in tape.batch([1.0, 2.0], backend="numpy").values] == [8.0, 7.0]


def test_a_guard_on_held_values_is_checked_when_they_change() -> None:
    scale = Value(1.0, "scale", requires_grad=False)

    def f(x: Value) -> Value:
        return x * 2.0 if scale > 0.0 else -x  # decided by a captured constant alone

    g = compiled(f)
    assert g(3.0).value == 6.0
    tape = g.tape
    scale.data = -1.0
    with pytest.raises(BranchChangedError, match=r"guard 0, -1\.0 > 0\.0 \('scale'\), was "
                                                 r"True when traced but is False"):
        tape(3.0)
    assert g(3.0).value == -3.0  # compiled() traces the other branch, as eager takes it


def test_inputs_not_differentiated_get_none() -> None:
    value, grads = compiled(lambda x, y: x * y, wrt=[1])(2.0, 5.0)
    assert (value, grads) == (10.0, (None, 2.0))


def test_from_graph_refuses_non_leaf_inputs() -> None:
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(ValueError, match="leaf"):
        Tape.from_graph(y * y, [y])


@pytest.mark.parametrize("bad, error", [(True, TypeError), ("1", TypeError),
                                        (math.nan, DomainError), (math.inf, DomainError)])
def test_replay_inputs_are_validated_like_values(bad: object, error: type) -> None:
    tape = compiled(lambda x: x * x)
    tape(1.0)
    with pytest.raises(error):
        tape(bad)


# -- labels are comments, never code -----------------------------------------------------
HOSTILE = ["x\nimport os", "y\r\n__import__('os').system('touch PWNED')", "'''", '"""',
           "a\x00b", "\u2028raise SystemExit", "# \\", "\\\nz = 1", "x" * 500]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_cannot_change_the_code(label: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    x = Value(1.5, label)
    y = x * x
    y.label = label
    out = y.exp()
    out.label = label
    tape = Tape.from_graph(out, [x])
    for line in tape.source.splitlines():
        code, _, comment = line.partition("#")
        assert label not in code and "import" not in code and "os" not in code.split()
        assert comment == "" or comment.isascii()
    assert tape(0.5) == (math.exp(0.25), (math.exp(0.25) * 2 * 0.5,))
    assert list(tmp_path.iterdir()) == []
    labelled = Tape.from_graph(out, [x])
    unlabelled_x = Value(1.5)
    unlabelled = Tape.from_graph((unlabelled_x * unlabelled_x).exp(), [unlabelled_x])
    assert labelled.key == unlabelled.key  # comments only: the code is the same


# -- errors at replay --------------------------------------------------------------------
@pytest.mark.parametrize("f, trace_at, replay_at", [
    (lambda x: x.log(), 1.0, -1.0),
    (lambda x: 1.0 / x, 1.0, 0.0),
    (lambda x: x.sqrt() + 1.0, 4.0, -4.0),
    (lambda x: x * x * 3.0, 2.0, 1e200),          # overflow in a mul: not-finite result
    (lambda x: x.exp(), 1.0, 800.0),
    (lambda x: x ** 0.5, 2.0, -2.0),
])
def test_domain_errors_at_replay_are_the_eager_ones(f: Callable[[Value], Value],
                                                    trace_at: float, replay_at: float) -> None:
    tape = compiled(f)
    tape(trace_at)
    with pytest.raises(DomainError) as replayed:
        tape(replay_at)
    with pytest.raises(DomainError) as eagerly:
        f(Value(replay_at))
    assert str(replayed.value) == str(eagerly.value)


def test_non_finite_hidden_by_a_later_relu_is_still_reported() -> None:
    """-inf -> relu -> 0.0: the sum check still sees the -inf and names the mul."""
    def f(x: Value) -> Value:
        return (x * -1e300 * 1e300).relu() + x
    tape = compiled(f)
    assert tape(1e-300).value == pytest.approx(1e-300)
    with pytest.raises(DomainError, match=r"^mul\(-1e\+300, 1e\+300\): result is not a finite"):
        tape(1.0)


# -- branches ----------------------------------------------------------------------------
def piecewise(x: Value) -> Value:
    """x^2 for x > 1, else 2x - 1: a program with an if."""
    return x * x if x > 1.0 else 2.0 * x - 1.0


def test_a_changed_branch_is_detected() -> None:
    c = compiled(piecewise)
    c(3.0)
    tape = c.tape
    assert "_guard(v0 > 1.0, True, 0)" in tape.source
    assert tape(2.0) == (4.0, (4.0,))
    with pytest.raises(BranchChangedError, match="trace again"):
        tape(0.5)


# -- a number read while tracing: never a constant of the tape ----------------------------
PARAMETER = Value(2.0, "w")
CAPTURED = Value(3.0, "c", requires_grad=False)
READS: list[tuple[str, Callable[[Value], Value], str]] = [
    ("a parameter's .data", lambda x: x * PARAMETER.data, r"parameter Value\(data=2\.0"),
    ("float() of a computed value", lambda x: x * float((x * 2.0).detach()),
     r"Value\(data=6\.0, grad=0\.0\)"),
    ("a constant computed from a captured Value", lambda x: x * (CAPTURED * 2.0),
     r"Value\(data=3\.0, grad=0\.0, label='c'\)"),
    ("an operation under no_grad", lambda x: x + _without_gradient(x), r"input 'x'"),
    ("round() of an input", lambda x: x * round(x.detach(), 1), r"input 'x'"),
]


def _without_gradient(x: Value) -> Value:
    with no_grad():
        return x * 2.0


@pytest.mark.parametrize(("what", "f", "named"), READS, ids=[w for w, _, _ in READS])
def test_every_number_read_while_tracing_is_refused_by_name(
        what: str, f: Callable[[Value], Value], named: str) -> None:
    """Seen where it happens (the core reports each read to the tracer), not guessed from a
    second run: a parameter's number, a value computed on the way, a constant made from a
    captured Value or under no_grad -- each would be frozen into the tape."""
    with pytest.raises(TracedNumberError, match=rf"^compiled: the function used the number "
                                                rf"of .*{named}"):
        compiled(f)(3.0)


def test_showing_or_comparing_a_value_while_tracing_is_no_read() -> None:
    shown: list[str] = []

    def f(x: Value) -> Value:
        shown.append(f"{x!r} {x:.2f}")
        return x * x if x > 0.0 else -x   # a comparison: a guard
    c = compiled(f)
    assert c(3.0) == (9.0, (6.0,)) and c(-2.0) == (2.0, (-1.0,))
    assert shown[0] == "Value(data=3.0, grad=0.0, label='x') 3.00"


@pytest.mark.parametrize("read", [lambda t: t.data, lambda t: t.item(), lambda t: t.detach()],
                         ids=["data", "item", "detach"])
def test_a_traced_input_used_as_a_number_is_refused(read: Callable[[Value], Any]) -> None:
    # x * t.data records t's number as a constant: the tape used to answer x * 3.0 for every
    # t, silently (at x = 2, t = 5: 6.0 instead of 10.0).
    f = compiled(lambda x, t: x * read(t))
    with pytest.raises(TracedNumberError, match=r"^compiled: the function used the number "
                                                r"of input 't' as a constant"):
        f(2.0, 3.0)


def test_the_check_names_only_the_inputs_read() -> None:
    with pytest.raises(TracedNumberError, match=r"of inputs 'a', 'c' as a constant"):
        compiled(lambda a, b, c: a.data * b + c.data * b)(1.0, 2.0, 3.0)


def test_a_random_draw_while_tracing_is_refused() -> None:
    # The draw made while tracing would be replayed at every call, as a constant.
    import random
    draws = random.Random(0)
    with pytest.raises(TracedNumberError, match=r"^compiled: the function is not a function "
                                                r"of its inputs and parameters alone"):
        compiled(lambda x: x * draws.random())(2.0)


def test_a_shift_by_a_number_read_is_not_a_constant_of_the_result() -> None:
    # softmax_cross_entropy subtracts max(z).data, which the result does not depend on:
    # the check sees the tape agree with eager evaluation (to rounding) and accepts it.
    from autograd_lite.nn.losses import softmax_cross_entropy
    f = compiled(lambda a, b, c: softmax_cross_entropy([a, b, c], 1))
    f(1.0, 2.0, 3.0)
    value, grads = f(3.0, -1.0, 0.5)
    m, z = 3.0, [3.0, -1.0, 0.5]
    total = math.fsum(math.exp(v - m) for v in z)
    assert value == pytest.approx(m + math.log(total) - z[1], rel=1e-15)
    assert grads == pytest.approx([math.exp(v - m) / total - (i == 1)
                                   for i, v in enumerate(z)], rel=1e-14)


def test_compiled_loss_refuses_a_loss_that_freezes_the_target() -> None:
    # What binary_cross_entropy_with_logits did before it kept the target in the graph.
    from autograd_lite.compile import compiled_loss

    def frozen_target_loss(y: Value, t: Value) -> Value:
        return y.softplus() - t.data * y
    step = compiled_loss(MLP(2, [3, 1], seed=0), frozen_target_loss)
    with pytest.raises(TracedNumberError, match=r"^compiled_loss: the function used the "
                                                r"number of input 'target' as a constant"):
        step([[0.5, -1.0], [1.5, 0.3]], [1.0, 0.0])


def test_compiled_retraces_and_keeps_one_tape_per_path() -> None:
    calls = []

    def f(x: Value) -> Value:
        calls.append(f"{x:g}")  # shown, not read: format is no read of the number
        return piecewise(x)
    c = compiled(f)
    assert c(3.0) == (9.0, (6.0,))
    assert c(0.5) == (0.0, (2.0,))
    assert c(4.0) == (16.0, (8.0,))
    assert c(-1.0) == (-3.0, (2.0,))
    # two traces, each checked by one more run at a moved input, then replays only
    assert calls[0::2] == ["3", "0.5"] and len(calls) == 4


def test_guards_compare_values_with_values_and_params() -> None:
    t = Value(0.0, "threshold")

    def f(x: Value, y: Value) -> Value:
        return x - y if x.tanh() >= y * 0.5 else y * t
    c = compiled(f)
    for xs in ([1.0, 0.2], [-1.0, 0.2], [0.3, 2.0], [2.0, -3.0]):
        assert_matches(f, c, xs)


# -- batches -----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["numpy", "python"])
@pytest.mark.parametrize("reduce", ["mean", "sum"])
def test_batch_replay_equals_per_example_eager(backend: Any, reduce: Any) -> None:
    """Per-example outputs and input gradients; parameter gradients summed or averaged."""
    w = Value(0.8, "w")
    b = Value(-0.2, "b")

    def f(x: Value, t: Value) -> Value:
        z = (w * x + b).sigmoid()
        return (z - t) ** 2 + 0.01 * (w * w).sqrt() + (x * x + 1.0).log() * z.exp()
    xs = [-2.0, -0.5, 0.0, 0.3, 1.7]
    ts = [0.0, 1.0, 1.0, 0.0, 1.0]
    c = compiled(f, wrt=[0])
    zero_grad([w, b])
    result = c.batch(xs, ts, reduce=reduce, backend=backend)
    got_w, got_b = w.grad, b.grad
    want_w = want_b = 0.0
    for i, (x, t) in enumerate(zip(xs, ts)):
        xv, tv = Value(x), Value(t, requires_grad=False)
        out = f(xv, tv)
        gx, gw, gb = grad(out, [xv, w, b])
        assert result.values[i] == pytest.approx(out.data, rel=1e-13)
        assert result.grads[0][i] == pytest.approx(gx, rel=1e-13, abs=1e-15)
        want_w += gw
        want_b += gb
    scale = 1.0 / len(xs) if reduce == "mean" else 1.0
    assert got_w == pytest.approx(want_w * scale, rel=1e-13)
    assert got_b == pytest.approx(want_b * scale, rel=1e-13)
    assert result.grads[1] is None


def test_batch_domain_error_names_the_first_bad_example() -> None:
    c = compiled(lambda x: (x - 1.0).log())
    with pytest.raises(DomainError) as error:
        c.batch([3.0, 2.0, 0.5, -1.0], backend="numpy")
    assert str(error.value) == "log(-0.5): logarithm needs a positive argument"


def test_batch_refuses_examples_on_another_branch() -> None:
    c = compiled(piecewise)
    with pytest.raises(BranchChangedError, match="example 2"):
        c.batch(np.array([2.0, 3.0, 0.5]), backend="numpy")


@pytest.mark.parametrize("backend", ["numpy", "python"])
def test_compiled_mlp_training_step_equals_eager(backend: Any) -> None:
    """micrograd's demo loss (mean hinge + 1e-4 L2) on an nn.MLP: same loss, same .grad."""
    model = MLP(2, [4, 4, 1], seed=3)
    params = model.parameters()
    points = [(0.5, -1.0, 1.0), (-0.3, 0.8, -1.0), (1.2, 0.1, 1.0), (-1.0, -0.7, -1.0)]

    def per_example(x1: Value, x2: Value, y: Value) -> Value:
        return hinge(model([x1, x2]), y) + 1e-4 * l2_penalty(params)
    zero_grad(params)
    loss = mean([hinge(model([x1, x2]), y) for x1, x2, y in points]) + 1e-4 * l2_penalty(params)
    loss.backward()
    want = [p.grad for p in params]
    zero_grad(params)
    step = compiled(per_example, wrt=())
    result = step.batch(*zip(*points), backend=backend)
    assert sum(result.values) / len(points) == pytest.approx(loss.data, rel=1e-14)
    assert [p.grad for p in params] == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_a_guard_on_a_value_the_output_does_not_use() -> None:
    """sin x decides the branch but is not part of the result: it is still computed."""
    @compiled(wrt=[0])
    def f(x: Value) -> Value:
        return x * 2.0 if x.sin() > 0.0 else x * 3.0
    assert f(1.0) == (2.0, (2.0,))
    assert f(-1.0) == (-3.0, (3.0,))
    assert f(4.0) == (12.0, (3.0,))  # sin 4 < 0
    assert "v2 = _p0(v0)\n    _guard(v2 > 0.0, False, 0)" in f.source  # the latest tape
    assert f.tape._writer.functions == [rules.sin]  # _p0 is sin


def test_batch_uses_the_tape_of_the_branch_every_example_takes() -> None:
    c = compiled(piecewise)
    c(3.0)
    assert list(c.batch([0.0, 0.5]).values) == [-1.0, 0.0]
    assert list(c.batch([2.0, 3.0]).values) == [4.0, 9.0]
    with pytest.raises(BranchChangedError, match=r"guard 0, v0 > 1\.0 \('x'\), was True"):
        c.tape(0.0)


def test_value_comparisons_compare_data_and_record_nothing_outside_a_trace() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= 1 and b > a and b >= 2.0 and not a > 3.0
    assert max(a, b) is b and sorted([b, a]) == [a, b]
    with pytest.raises(TypeError, match="str"):
        assert a < "2"


@pytest.mark.parametrize("f", [lambda x: 0.0 * x.sqrt(), lambda x: (x.sqrt() - 1.0).relu(),
                               lambda x: (x ** 0.5) * 0.0 + x])
def test_a_zero_adjoint_adds_nothing_even_times_an_infinite_derivative(
        f: Callable[[Value], Value]) -> None:
    """d sqrt(x)/dx is +inf at 0; backward skips a zero adjoint instead of 0 * inf = nan."""
    assert_matches(f, compiled(f), [0.0])
    result = compiled(f).batch([0.0, 4.0], backend="numpy")
    eager_grads = [eager(f, [x])[1][0] for x in (0.0, 4.0)]
    assert list(result.grads[0]) == eager_grads


def test_zero_times_infinity_is_zero_in_a_numpy_batch() -> None:
    # found by the differential fuzzer; the same case in every eager mode: tests/core/test_engine.py
    pytest.importorskip("numpy")
    batch = compiled(sqrt_of_relu).batch([-1.0, 4.0], reduce="sum", backend="numpy")
    assert list(batch.grads[0]) == [0.0, 0.25]  # d sqrt(relu(x)) = 1 / (2 sqrt x) for x > 0


def test_numpy_batch_gives_the_overflowing_slope_eager_mode_gives() -> None:
    # found by the differential fuzzer: the replay raised "result overflows a float" for the
    # slope of x ** -1 at 1e-200, where eager mode gives -inf; rules._array_dpow mirrors it
    pytest.importorskip("numpy")
    f = compiled(lambda x: x ** -1.0)
    assert f(1e-200).grads == (-math.inf,)
    batch = f.batch([1e-200, 2.0], reduce="sum", backend="numpy")
    assert list(batch.grads[0]) == [-math.inf, -0.25]


GRID = [-3.0, -1.5, -1.0, -0.25, 0.0, 0.5, 1.0, 2.0, 800.0]
FIXED_ARITY = sorted(name for name, op in rules.PRIMITIVES.items()
                     if op.builtin and op.arity is not None)


def float_or_error(f: Callable[..., float], *args: float) -> Any:
    try:
        return f(*args)
    except DomainError as error:
        return str(error)


@pytest.mark.parametrize("name", FIXED_ARITY)
def test_numpy_math_is_float_math_per_element(name: str) -> None:
    """Each primitive called on a NumPy array gives, element by element, its value on
    floats or the first error it raises on floats."""
    op = rules.PRIMITIVES[name]
    n_extra = (op.arity or 1) + op.params - 1  # the arguments after the array: 0, 1 or 2
    seconds = [-2.0, -0.5, 0.0, 0.5, 1.0, 3.0]
    extras = [()] if n_extra == 0 else [(s, 2.0)[:n_extra] for s in seconds]
    for extra in extras:
        want = [float_or_error(op, x, *extra) for x in GRID]
        try:
            with np.errstate(all="ignore"):  # as in a batch replay: checked, not warned
                got: Any = list(op(np.array(GRID), *extra))
        except DomainError as error:
            first = next(w for w in want if isinstance(w, str))
            assert str(error) == first
            continue
        assert not any(isinstance(w, str) for w in want)
        assert got == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("backend", ["numpy", "python"])
def test_compiled_loss_is_the_mean_loss_and_its_gradient(backend: str) -> None:
    from autograd_lite import MLP
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import mean, squared_error

    rows = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 1.0, 0.0], [0.1, 0.2, 0.3]]
    targets = [1.0, -1.0, 0.5, 2.0]
    model = MLP(3, [4, 1], activation="tanh", seed=1)
    eager = mean([squared_error(model(row), t) for row, t in zip(rows, targets)])
    eager.backward()
    want = [p.grad for p in model.parameters()]
    model.zero_grad()
    replay = compiled_loss(model, squared_error)(rows, targets, backend=backend)
    assert sum(replay.values) / len(rows) == pytest.approx(eager.data, rel=1e-13)
    assert [p.grad for p in model.parameters()] == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_a_gradient_hook_is_refused_by_every_compiled_tape() -> None:
    """Eager backward runs a hook (here: gradients of w times 10); compiled code would not,
    and would give other gradients without a word.  Every tape refuses instead: at the trace
    for a hook in the graph, at the call for one registered on a parameter since."""
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import squared_error

    w = Value(2.0, "w")
    y = w * Value(3.0, requires_grad=False)
    with w.register_hook(lambda g: g * 10):
        y.backward()
        assert w.grad == 30.0
        with pytest.raises(TypeError, match=r"^Tape: Value\(data=2\.0.*'w'\) has a gradient "
                                            "hook, which the compiled code would not run"):
            Tape.from_graph(y)
        with pytest.raises(TypeError, match="gradient hook"):
            compiled(lambda x: w * x)(3.0)
    f = compiled(lambda x: w * x)
    assert f(3.0).value == 6.0
    model = MLP(2, [1], seed=0)
    step = compiled_loss(model, squared_error)
    step([[1.0, 2.0]], [1.0])
    with w.register_hook(lambda g: g * 10), pytest.raises(TypeError, match="gradient hook"):
        f(3.0)
    with model.parameters()[0].register_hook(lambda g: 0.0), \
            pytest.raises(TypeError, match="gradient hook"):
        step([[1.0, 2.0]], [1.0])
    assert f(3.0).value == 6.0  # the hook removed: replayed as before
    assert w.grad == 30.0 + 3.0 + 3.0  # two replays added 3 each, the refused calls nothing


def test_compiled_loss_refuses_ragged_or_mismatched_data() -> None:
    from autograd_lite import MLP
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import squared_error

    step = compiled_loss(MLP(2, [1]), squared_error)
    with pytest.raises(ValueError, match="2 rows and 1 targets"):
        step([[1.0, 2.0], [3.0, 4.0]], [1.0])
    with pytest.raises(ValueError, match="rows of different lengths"):
        step([[1.0, 2.0], [3.0]], [1.0, 2.0])


# -- compiled_loss on micrograd's demo step (the batch function, its fallbacks, its cache) ---
def demo_step_eager(model: MLP, xs: Sequence[Sequence[float]], ys: Sequence[float],
                    alpha: float) -> tuple[float, list[float]]:
    """micrograd's demo loss built eagerly for the whole batch: its value and d / d params."""
    params = model.parameters()
    zero_grad(params)
    rows = [[Value(c, requires_grad=False) for c in row] for row in xs]
    loss = mean([hinge(model(row), y) for row, y in zip(rows, ys)]) + alpha * l2_penalty(params)
    loss.backward()
    return loss.data, [p.grad for p in params]


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_compiled_loss_trains_the_demo_step_for_step_as_eager(backend: Any) -> None:
    """MLP(2, [16, 16, 1]) on 100 moons points, hinge + 1e-4 L2, SGD: the compiled step's
    loss and gradients equal eager backward's at every step, while the parameters move
    (read live) and more and more hinges become 0 (examples the batch function skips)."""
    from autograd_lite.compile import compiled_loss
    from autograd_lite.examples.moons import make_moons

    xs, ys = make_moons(100, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    params = model.parameters()
    step = compiled_loss(model, hinge)
    inactive = []
    for _ in range(8):
        want_loss, want = demo_step_eager(model, xs, ys, 1e-4)
        zero_grad(params)
        values = list(step(xs, ys, backend=backend).values)
        penalty = 1e-4 * l2_penalty(params)
        penalty.backward()
        assert math.fsum(values) / len(ys) + penalty.data == pytest.approx(want_loss, rel=1e-13)
        assert [p.grad for p in params] == pytest.approx(want, rel=1e-12, abs=1e-15)
        inactive.append(sum(v == 0.0 for v in values))
        for p in params:
            p.data -= 1.0 * p.grad
    assert inactive[0] == 0 and inactive[-1] > 10  # the zero-adjoint skip was taken


def test_the_batch_function_accumulates_as_the_example_by_example_replay() -> None:
    """backend="python" runs one generated loop over the batch; its outputs and summed
    gradients are those of replaying the tape example by example, bit for bit."""
    model = MLP(3, [5, 1], activation="tanh", seed=2)
    params = model.parameters()

    def f(x1: Value, x2: Value, x3: Value, t: Value) -> Value:
        y = model([x1, x2, x3])
        assert isinstance(y, Value)
        return (y - t) ** 2 + (x1 * y).sin()
    columns = [[0.5, -1.0, 2.0, 0.1], [1.5, 0.25, -0.5, 0.2], [-2.0, 1.0, 0.0, 0.3],
               [1.0, -1.0, 0.5, 2.0]]
    c = compiled(f, wrt=[0, 3])
    zero_grad(params)
    batch = c.batch(*columns, reduce="sum", backend="python")
    summed = [p.grad for p in params]
    zero_grad(params)
    one_by_one = [c.tape(*example) for example in zip(*columns)]
    assert "for v0, v1, v2, v3 in _rows:" in c.tape._loop_source()
    assert batch.values == [r.value for r in one_by_one]
    assert batch.grads[0] == [r.grads[0] for r in one_by_one]
    assert batch.grads[3] == [r.grads[3] for r in one_by_one]
    assert batch.grads[1] is None and batch.grads[2] is None
    assert summed == [p.grad for p in params]  # the same sums, in the same order


def test_the_batch_function_falls_back_where_a_plain_product_is_nan() -> None:
    """0 * inf: the batch loop multiplies plainly, sees the nan, and replays example by
    example with _scaled (chain_term), as backward skips the zero adjoint."""
    batch = compiled(sqrt_of_relu).batch([-1.0, 4.0], reduce="sum", backend="python")
    assert batch.grads[0] == [0.0, 0.25]


def test_the_batch_function_raises_eager_errors_and_branch_changes() -> None:
    c = compiled(lambda x: (x - 1.0).log())
    with pytest.raises(DomainError, match=r"^log\(-0\.5\): logarithm needs a positive"):
        c.batch([3.0, 2.0, 0.5, -1.0], backend="python")
    with pytest.raises(DomainError, match="expected a finite number"):
        c.batch([3.0, math.nan], backend="python")
    p = compiled(piecewise)
    p(3.0)
    with pytest.raises(BranchChangedError, match="example 2"):
        p.tape.batch([2.0, 3.0, 0.5], backend="python")


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_compiled_loss_traces_a_model_whose_structure_changed(backend: Any) -> None:
    """A tape holds the parameters it was traced with: a model with a layer replaced or
    added is traced again (never served the old tape), and a model as it was before finds
    its tape again without tracing."""
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn import Layer
    from autograd_lite.nn.losses import squared_error

    rows = [[0.5, -1.0], [1.5, 0.25], [-2.0, 1.0]]
    targets = [1.0, -1.0, 0.5]
    traced = []  # two calls per trace: the trace and its check (TracedNumberError)

    def loss(y: Value, t: Value) -> Value:
        traced.append(0.5)
        return squared_error(y, t)

    def check(model: MLP) -> None:
        eager_loss = mean([squared_error(model(r), t) for r, t in zip(rows, targets)])
        zero_grad(model.parameters())
        eager_loss.backward()
        want = [p.grad for p in model.parameters()]
        zero_grad(model.parameters())
        values = step(rows, targets, backend=backend).values
        assert sum(values) / len(rows) == pytest.approx(eager_loss.data, rel=1e-13)
        assert [p.grad for p in model.parameters()] == pytest.approx(want, rel=1e-12,
                                                                     abs=1e-15)

    model = MLP(2, [3, 1], seed=1)
    step = compiled_loss(model, loss)
    check(model)
    check(model)
    assert sum(traced) == 1
    first = model.layers[0]
    model.layers[0] = Layer(2, 3, "relu", seed=7)
    check(model)
    assert sum(traced) == 2
    model.layers.append(Layer(1, 1, "tanh", seed=8))
    check(model)
    assert sum(traced) == 3
    del model.layers[-1]
    model.layers[0] = first
    check(model)
    assert sum(traced) == 3  # the first structure's tape, kept


# -- compiled_loss: targets, frozen parameters and captured Values are never frozen numbers --
def _per_row_losses() -> dict[str, tuple[Callable[[Value, Value], Value], list[float]]]:
    """Every loss of nn.losses as ``loss(model output, target)``, with five targets that
    differ from row to row (softmax_cross_entropy, whose target is a class index, below)."""
    from autograd_lite.nn import losses
    return {
        "squared_error": (losses.squared_error, [1.5, -0.5, 0.0, 2.0, -1.0]),
        "half_squared_error": (losses.half_squared_error, [1.5, -0.5, 0.0, 2.0, -1.0]),
        "mean_squared_error": (lambda y, t: losses.mean_squared_error([y], [t]),
                               [1.5, -0.5, 0.0, 2.0, -1.0]),
        "mean": (lambda y, t: losses.mean([losses.squared_error(y, t), y * 0.5]),
                 [1.5, -0.5, 0.0, 2.0, -1.0]),
        "binary_cross_entropy": (lambda y, t: losses.binary_cross_entropy(y.sigmoid(), t),
                                 [1.0, 0.0, 0.25, 1.0, 0.0]),
        "binary_cross_entropy_with_logits": (losses.binary_cross_entropy_with_logits,
                                             [1.0, 0.0, 0.25, 1.0, 0.0]),
        "hinge": (losses.hinge, [1.0, -1.0, -1.0, 1.0, 1.0]),
    }


def _eager_mean_loss(model: MLP, loss: Callable[[Value, Value], Value],
                     rows: Sequence[Sequence[float]],
                     targets: Sequence[float]) -> tuple[list[float], list[float]]:
    """Per-row losses and d mean loss / d parameter, by eager evaluation and backward."""
    per_row = [loss(model(r), Value(t, requires_grad=False)) for r, t in zip(rows, targets)]
    zero_grad(model.parameters())
    mean(per_row).backward()
    grads = [p.grad for p in model.parameters()]
    zero_grad(model.parameters())
    return [v.data for v in per_row], grads


@FAST
@given(st.sampled_from(sorted(_per_row_losses())), st.lists(st.integers(1, 4), max_size=2),
       st.sampled_from(["relu", "tanh", "sigmoid", "linear"]), st.integers(0, 1000))
def test_every_loss_through_compiled_loss_is_eager_on_rows_with_different_targets(
        loss_name: str, sizes: list[int], activation: str, seed: int) -> None:
    """The class of the BCE defect: no number of a row (its target) is read while tracing
    and replayed for the others.  Five rows, five different targets, both backends."""
    from autograd_lite.compile import compiled_loss

    loss, targets = _per_row_losses()[loss_name]
    model = MLP(2, [*sizes, 1], activation=activation, seed=seed)
    rows = [[math.sin(seed + 2 * i), math.cos(seed - 3 * i)] for i in range(5)]
    want_values, want_grads = _eager_mean_loss(model, loss, rows, targets)
    scale = max(1.0, *(abs(g) for g in want_grads))
    for backend in ("python", "numpy"):
        values = compiled_loss(model, loss)(rows, targets, backend=backend).values
        assert [float(v) for v in values] == pytest.approx(want_values, rel=1e-12, abs=1e-14)
        grads = [p.grad for p in model.parameters()]
        zero_grad(model.parameters())
        assert grads == pytest.approx(want_grads, rel=1e-11, abs=1e-14 * scale), backend


def test_compiled_loss_bce_example_of_the_issue() -> None:
    # Issue 22: eager mean BCE 0.709168, compiled_loss 0.506880 (row 0's target for all).
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import binary_cross_entropy_with_logits as bce

    model = MLP(2, [4, 1], activation="tanh", seed=0)
    rows, targets = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.2], [0.1, 0.9]], [1.0, 0.0, 0.0, 1.0]
    for backend in ("python", "numpy"):
        values = compiled_loss(model, bce)(rows, targets, backend=backend).values
        assert round(float(sum(values)) / 4, 6) == 0.709168


@FAST
@given(st.lists(st.integers(1, 4), max_size=2), st.integers(2, 4),
       st.sampled_from(["relu", "tanh", "sigmoid", "linear"]), st.integers(0, 1000))
def test_softmax_cross_entropy_with_class_indices_through_compiled_loss_is_eager(
        sizes: list[int], classes: int, activation: str, seed: int) -> None:
    """Multi-class training compiled: the class index is an input of the program (a one-hot
    computed from it, no number read), so six rows of different classes give eager's losses
    and gradients -- eager here selects the logit with the int, the path without the
    one-hot -- on both backends."""
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import softmax_cross_entropy

    model = MLP(2, [*sizes, classes], activation=activation, seed=seed)
    rows = [[math.sin(seed + 2 * i), math.cos(seed - 3 * i)] for i in range(6)]
    targets = [(seed + i) % classes for i in range(6)]
    per_row = [softmax_cross_entropy(model(r), t) for r, t in zip(rows, targets)]
    zero_grad(model.parameters())
    mean(per_row).backward()
    want_grads = [p.grad for p in model.parameters()]
    zero_grad(model.parameters())
    scale = max(1.0, *(abs(g) for g in want_grads))
    for backend in ("python", "numpy"):
        values = compiled_loss(model, softmax_cross_entropy)(rows, targets,
                                                             backend=backend).values
        assert [float(v) for v in values] == pytest.approx([v.data for v in per_row],
                                                          rel=1e-12, abs=1e-14)
        grads = [p.grad for p in model.parameters()]
        zero_grad(model.parameters())
        assert grads == pytest.approx(want_grads, rel=1e-11, abs=1e-14 * scale), backend


@pytest.mark.parametrize("backend", ["python", "numpy"])
@pytest.mark.parametrize("bad", [3, -1, 1.5])
def test_compiled_loss_refuses_a_target_that_is_not_a_class_index(backend: Any,
                                                                  bad: float) -> None:
    """The checks are guards every class index passes: a bad row takes another branch, is
    evaluated eagerly, and raises, with no gradient changed."""
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import softmax_cross_entropy

    model = MLP(2, [3], seed=0)  # three logits
    step = compiled_loss(model, softmax_cross_entropy)
    step([[0.5, -1.0], [1.5, 0.3]], [2, 0], backend=backend)  # traced on good rows
    before = [p.grad for p in model.parameters()]
    with pytest.raises(ValueError, match=rf"^softmax_cross_entropy: target must be a class "
                                         rf"index in \[0, 3\), got {float(bad)!r}$"):
        step([[0.5, -1.0], [1.5, 0.3]], [2, bad], backend=backend)
    assert [p.grad for p in model.parameters()] == before


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_compiled_loss_follows_frozen_parameters_captured_values_and_load(
        backend: Any, tmp_path: Path) -> None:
    from autograd_lite import load, save
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import squared_error

    model = MLP(2, [3, 1], activation="tanh", seed=0)
    frozen = model.layers[0].neurons[1].weight[0]
    frozen.requires_grad = False  # held: a literal of the code
    margin = Value(0.5, "margin", requires_grad=False)  # captured from outside

    def loss(y: Value, t: Value) -> Value:
        return squared_error(y, t) + margin * y

    rows, targets = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.2]], [1.0, -1.0, 0.5]
    step = compiled_loss(model, loss)

    def agrees() -> None:
        want_values, want_grads = _eager_mean_loss(model, loss, rows, targets)
        values = step(rows, targets, backend=backend).values
        assert [float(v) for v in values] == pytest.approx(want_values, rel=1e-13)
        assert [p.grad for p in model.parameters()] == pytest.approx(want_grads, rel=1e-12)
        zero_grad(model.parameters())

    agrees()
    frozen.data = 2.5  # the code held the traced weight: every later step used it
    agrees()
    margin.data = -3.0
    agrees()
    path = tmp_path / "other.json"
    other = MLP(2, [3, 1], activation="tanh", seed=5)
    save(other, path)
    load(model, path)  # every weight, the frozen one too, assigned in place
    assert frozen.data == other.layers[0].neurons[1].weight[0].data
    agrees()


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_compiled_loss_replays_rows_on_other_paths_one_by_one(backend: Any) -> None:
    """Rows whose branches differ from the traced row's used to raise BranchChangedError,
    whose message promised a new trace that compiled_loss did not do: each is now replayed
    on its own path's tape, and the result is eager evaluation's."""
    from autograd_lite.compile import compiled_loss

    def kinked(y: Value, t: Value) -> Value:
        return (y - t) ** 2 if y > 0.4 else (y - t) * 3.0

    model = MLP(2, [4, 1], activation="tanh", seed=0)
    rows, targets = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.2], [0.1, 0.9]], [1.0, 0.0, 0.0, 1.0]
    assert sorted(model(r).data > 0.4 for r in rows) == [False, False, True, True]
    want_values, want_grads = _eager_mean_loss(model, kinked, rows, targets)
    values = compiled_loss(model, kinked)(rows, targets, backend=backend).values
    assert [float(v) for v in values] == pytest.approx(want_values, rel=1e-13)
    assert [p.grad for p in model.parameters()] == pytest.approx(want_grads, rel=1e-12)


def test_compiled_loss_raises_a_rows_own_error_and_changes_no_gradient() -> None:
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn.losses import binary_cross_entropy_with_logits as bce

    model = MLP(2, [3, 1], seed=0)
    for p in model.parameters():
        p.grad = 1.0
    rows = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.2]]
    with pytest.raises(DomainError, match=r"^binary_cross_entropy_with_logits\(1\.5\): the "
                                          r"target must be in \[0, 1\]$"):
        compiled_loss(model, bce)(rows, [1.0, 0.0, 1.5])
    assert {p.grad for p in model.parameters()} == {1.0}


# -- the NumPy batch with like nodes grouped (autograd_lite.compile.grouped) -----------------
def numpy_batch_outcome(tape: Tape, columns: Sequence[Sequence[float]],
                        grouped: bool) -> Any:
    """``tape.batch`` on NumPy with or without the grouped replay: the result and the
    parameters' summed gradients, or the error."""
    params = tape.params
    zero_grad(params)
    saved = tape._grouped_program
    if not grouped:
        tape._grouped_program = _Refusing()  # type: ignore[assignment]
    try:
        result = tape.batch(*columns, reduce="sum", backend="numpy")
    except (DomainError, BranchChangedError) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        tape._grouped_program = saved
    return (list(result.values), [None if g is None else list(g) for g in result.grads],
            [p.grad for p in params])


class _Refusing:
    """A grouped program that always leaves the decision to the per-node replay."""

    def run(self, *args: Any) -> None:
        return None


def close(a: Any, b: Any) -> bool:
    """Equal outcomes: the same error, or numbers equal to rounding (sums may add in
    another order) -- judged against the size of the numbers compared."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    flat_a = [x for part in (a[0], *(g for g in a[1] if g), a[2]) for x in part]
    flat_b = [x for part in (b[0], *(g for g in b[1] if g), b[2]) for x in part]
    scale = max([1.0, *(abs(x) for x in flat_b if math.isfinite(x))])
    return len(flat_a) == len(flat_b) and all(
        x == y or (x != x and y != y)
        or (math.isfinite(x) and math.isfinite(y) and abs(x - y) <= 1e-12 * scale)
        for x, y in zip(flat_a, flat_b))


@FAST
@given(expressions(n_inputs=3, max_ops=16),
       st.lists(st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3), min_size=4,
                max_size=4))
def test_grouped_numpy_batch_equals_the_per_node_batch_on_random_programs(
        e: Any, points: list[list[float]]) -> None:
    """Random programs (every primitive, shared nodes, guards) with parameters: the grouped
    replay gives the per-node replay's values and gradients, or its very error."""
    w = [Value(0.75, "w0"), Value(-1.25, "w1"), Value(0.5, "w2")]

    def f(x0: Value, x1: Value, x2: Value) -> Value:
        out = e(w[0] * x0, x1 + w[1], x2) * w[2] + e(x0, x1, x2 * w[0])
        return out if (x1 * w[1]).sin() > -0.7 else out * x0  # a guard
    try:
        tape = compiled(f).trace(*points[0])
    except DomainError:
        return
    columns = [list(c) for c in zip(*points)]
    want = numpy_batch_outcome(tape, columns, grouped=False)
    got = numpy_batch_outcome(tape, columns, grouped=True)
    assert close(got, want), (got, want)


@FAST
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3),
       st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
       st.sampled_from(["hinge", "squared_error"]), st.integers(0, 1000))
def test_grouped_numpy_batch_of_random_mlps_equals_eager(sizes: list[int], activation: str,
                                                         loss_name: str, seed: int) -> None:
    """compiled_loss(backend="numpy") on random networks: eager backward's gradients, and
    the grouped replay is the one that ran (no fallback on these finite programs)."""
    from autograd_lite.compile import compiled_loss
    from autograd_lite.nn import losses

    loss = getattr(losses, loss_name)
    model = MLP(3, [*sizes, 1], activation=activation, seed=seed)
    params = model.parameters()
    rows = [[math.sin(seed + 3 * i + j) for j in range(3)] for i in range(7)]
    targets = [1.0 if i % 2 else -1.0 for i in range(7)]
    eager_loss = mean([loss(model(r), t) for r, t in zip(rows, targets)])
    zero_grad(params)
    eager_loss.backward()
    want = [p.grad for p in params]
    zero_grad(params)
    step = compiled_loss(model, loss)
    values = step(rows, targets, backend="numpy").values
    assert sum(values) / len(rows) == pytest.approx(eager_loss.data, rel=1e-13)
    scale = max(1.0, *(abs(g) for g in want))
    assert [p.grad for p in params] == pytest.approx(want, rel=1e-12, abs=1e-13 * scale)
    tape = step._for_structure().tape
    columns = [[r[j] for r in rows] for j in range(3)] + [targets]
    assert tape._grouped().run(tuple(np.array(c) for c in columns),
                               tuple(p.data for p in tape.params), len(rows)) is not None


def test_a_layer_of_neurons_is_one_group() -> None:
    """The demo network's hidden layers are one array operation each: dot, then relu."""
    from autograd_lite.compile import compiled_loss

    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    step = compiled_loss(model, hinge)
    step([[0.5, 1.0], [1.0, -0.5]], [1.0, -1.0], backend="numpy")
    source = step._for_structure().tape._grouped().source
    groups = [line.split(" = ")[0].strip() for line in source.splitlines()
              if line.lstrip().startswith("G")]
    assert len(groups) == 4  # two dot groups, two relu groups
    assert len(source.splitlines()) < 80  # not 800 lines: one per node


def test_a_grouped_row_with_many_terms_is_summed_in_lines() -> None:
    """A node of a group read by 40 nodes computed alone: its row's adjoint has 40 terms
    (written in lines of 32, as every generated sum), and equals the per-node replay's."""
    w = [Value(0.5, "w0"), Value(0.25, "w1")]

    def f(x: Value) -> Value:
        a = [x * wj for wj in w]  # one group of two rows
        c = a[0] * x
        for _ in range(40):
            c = (c * a[0]).tanh()  # one node per depth: computed alone
        return c + a[1]
    tape = compiled(f).trace(0.3)
    program = tape._grouped()
    assert "_r" in program.source
    columns = [[0.3, -0.7, 1.1]]
    got = numpy_batch_outcome(tape, columns, grouped=True)
    assert program.run((np.array(columns[0]),), (0.5, 0.25), 3) is not None
    assert close(got, numpy_batch_outcome(tape, columns, grouped=False))


def test_batch_code_from_hostile_labels_is_only_arithmetic_on_registers() -> None:
    """The batch loop and the grouped NumPy replay are generated as the replay is: from the
    rule table only, no label anywhere, no attribute, no indexing (rows are taken by a
    helper), only calls of register names and helpers; and they give the replay's numbers."""
    import ast
    import re

    from test_hostile_source import _ALLOWED_NODES, _hostile_graph

    z, inputs = _hostile_graph()
    tape = Tape.from_graph(z, inputs)
    tape.batch([0.7, 0.9], [1.3, 1.1], backend="python")
    tape.batch([0.7, 0.9], [1.3, 1.1], backend="numpy")
    register = re.compile(r"^(?:v|g|a|G|gv|gG|_a|_t|_r|_ix|_p|_gi)\d+$")
    helpers = {"_rows", "_p", "_x", "_n", "_value", "_s", "_nonfinite", "_branch", "_inf",
               "_col", "_stack", "_scatter", "_row", "_pick", "_vector", "_sum0", "_sum1",
               "_total", "_finite", "_guard", "_fail"}
    allowed = (*_ALLOWED_NODES, ast.For, ast.AugAssign, ast.Continue, ast.Eq, ast.NotEq,
               ast.Is, ast.IsNot)
    for source in (tape._loop_source(), tape._grouped().source):
        assert "pwned" not in source and "import" not in source
        for node in ast.walk(ast.parse(source)):
            assert isinstance(node, allowed), ast.dump(node)
            if isinstance(node, ast.Name):
                assert register.match(node.id) or node.id in helpers, node.id
            if isinstance(node, ast.Call):
                assert isinstance(node.func, ast.Name) and not node.keywords
            if isinstance(node, ast.Constant):
                assert node.value is None or type(node.value) in (int, float, bool)
    for backend in ("python", "numpy"):
        batch = tape.batch([0.7], [1.3], backend=backend)
        assert list(batch.values) == [tape(0.7, 1.3).value]


@pytest.mark.parametrize(("f", "point"), [
    (lambda x, y: (-x) * y, (1.0, 0.0)),             # a zero adjoint times -1
    (lambda x, y: (x * y) * 1e-200, (1.0, -1e-200)),  # a product that underflows to -0.0
], ids=["zero-times-negative", "underflow"])
def test_an_input_gradient_of_zero_is_eagers_positive_zero(f: Callable[..., Value],
                                                          point: tuple[float, float]) -> None:
    """Found in review: eager's .grad is 0.0 + its terms, never -0.0; the code returned the
    adjoint itself, -0.0 here, on every path a tape replays (one point, a batch of either
    backend).  Each input's gradient is now 0.0 + its adjoint, as the transforms' are."""
    leaves = [Value(x) for x in point]
    f(*leaves).backward()
    eager = repr(tuple(v.grad for v in leaves))
    assert eager.startswith("(0.0,")
    assert repr(compiled(f)(*point).grads) == eager
    x, y = Value(point[0]), Value(point[1])
    tape = Tape.from_graph(f(x, y), [x, y])
    assert repr(tape(*point).grads) == eager
    for backend in ("python", "numpy"):
        grads = tape.batch([point[0]] * 2, [point[1]] * 2, backend=backend).grads
        assert repr([float(g) for g in grads[0]]) == "[0.0, 0.0]", backend

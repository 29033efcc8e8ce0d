"""Compiled transforms (issue 25, goal 3): ``compiled_transform(func.grad(f))``,
``compiled_transform(func.hessian(f))`` and ``compiled_transform(func.jacobian(f))`` replay
the transform's float path as straight-line code.

Each test reads as a worked example: what the eager transform gives, what the compiled one
gives (the same numbers, bit for bit: compared by ``repr``, which tells -0.0 from 0.0), and
what the compiled one refuses or hands back to eager (a number read while tracing, another
branch, an error, a nan where eager skips a term).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
from bench_functions import quadratic_form, rosenbrock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Value, add_n, compiled, compiled_transform, dot, func
from autograd_lite import math as am
from autograd_lite.compile import BranchChangedError, TracedNumberError
from autograd_lite.compile.transforms import CompiledTransform, TransformTape
from autograd_lite.core import rules
from autograd_lite.testing import expressions, safe_floats

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TRANSFORMS = (func.grad, func.hessian, func.jacobian)


def outcome(function: Callable[..., Any], xs: list[float]) -> str:
    """The result's repr (bit for bit, signs of zeros included), or the error it raised."""
    try:
        return repr(function(*xs))
    except DomainError as error:
        return f"DomainError: {error}"


# -- what it is: the transform, compiled; the eager transform's results ---------------------
def test_a_compiled_gradient_returns_what_func_grad_returns() -> None:
    def f(x: Value, y: Value) -> Value:
        return x * y + x.exp()

    g = compiled_transform(func.grad(f, (0, 1)))
    assert isinstance(g, CompiledTransform)
    assert g(0.5, 3.0) == func.grad(f, (0, 1))(0.5, 3.0) == (3.0 + math.exp(0.5), 0.5)
    assert g(2.0, -1.0) == func.grad(f, (0, 1))(2.0, -1.0)   # replayed, not traced again
    assert len(g._tapes) == 1
    # the code: the forward pass, then d f / d node in reverse order, then the gradient
    assert g.source.splitlines()[:4] == ["def replay(_x, _p):", "    v0, v1, = _x",
                                         "    v2 = v0 * v1", "    v3 = _p0(v0)"]
    assert g.source.splitlines()[-1] == "    return (0.0 + g0_0, 0.0 + g0_1,)"


def test_a_compiled_hessian_returns_rows_as_func_hessian() -> None:
    def f(x: Value, y: Value) -> Value:
        return x * x * y + y ** 3

    h = compiled_transform(func.hessian(f, (0, 1)))
    assert h(1.0, 2.0) == ((4.0, 2.0), (2.0, 12.0))   # ((2y, 2x), (2x, 6y))
    assert h(-3.0, 0.5) == func.hessian(f, (0, 1))(-3.0, 0.5) == ((1.0, -6.0), (-6.0, 3.0))


@pytest.mark.parametrize(("transform", "argnums", "expected"), [
    (func.grad, 0, 3.0),                     # one argument: a number
    (func.grad, (1,), (2.0,)),               # a sequence: a tuple
    (func.hessian, 1, 0.0),                  # d2 (xy) / dy2
    (func.hessian, (0, 1), ((0.0, 1.0), (1.0, 0.0))),
    (func.jacobian, (0, 1), (3.0, 2.0)),     # one output: a row
])
def test_the_result_has_the_eager_transforms_shape(transform: Any, argnums: Any,
                                                   expected: Any) -> None:
    def f(x: Value, y: Value) -> Value:
        return x * y

    eager = transform(f, argnums)
    assert compiled_transform(eager)(2.0, 3.0) == eager(2.0, 3.0) == expected


def test_a_compiled_jacobian_of_several_outputs_and_of_a_gradient() -> None:
    def f(x: Value, y: Value) -> tuple[Value, Value, float]:
        return x * y, x + y.sin(), 7.0        # a constant output: a row of zeros

    jacobian = func.jacobian(f, (0, 1))
    assert compiled_transform(jacobian)(2.0, 3.0) == jacobian(2.0, 3.0) == (
        (3.0, 2.0), (1.0, math.cos(3.0)), (0.0, 0.0))
    of_gradient = func.jacobian(func.grad(rosenbrock, (0, 1, 2)), (0, 1, 2))
    xs = [0.3, -0.8, 1.1]
    replayed = compiled_transform(of_gradient)(*xs)
    assert repr(replayed) == repr(of_gradient(*xs))
    assert repr(replayed) == repr(func.hessian(rosenbrock, (0, 1, 2))(*xs))


# -- the same numbers, bit for bit ------------------------------------------------------
@pytest.mark.parametrize("transform", TRANSFORMS, ids=lambda t: t.__name__)
@pytest.mark.parametrize("name", ["rosenbrock", "quadratic"])
def test_bit_for_bit_on_the_bench_functions_at_many_points(transform: Any, name: str) -> None:
    rng = random.Random(25)
    for n in (2, 3, 10, 30):
        f = rosenbrock if name == "rosenbrock" else quadratic_form(n)
        eager = transform(f, tuple(range(n)))
        replay = compiled_transform(eager)
        for _ in range(5):
            xs = [rng.uniform(-2.0, 2.0) for _ in range(n)]
            assert outcome(replay, xs) == outcome(eager, xs)
        assert len(replay._tapes) == 1   # one path: every point replayed one tape


@FAST
@given(expressions(n_inputs=3, max_ops=10),
       st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3),
       st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3),
       st.sampled_from(TRANSFORMS))
def test_bit_for_bit_on_random_programs_at_new_inputs(e: Any, trace_at: list[float],
                                                       replay_at: list[float],
                                                       transform: Any) -> None:
    """Every primitive, shared nodes and diamonds: traced at one point, replayed at another,
    the compiled transform gives the eager one's numbers (or its DomainError) exactly --
    except where eager's Hessian fails recording a node of its gradient graph that no
    result uses (the code computes only what the rows need: see the next test)."""
    eager = transform(e, (0, 1, 2))
    replay = compiled_transform(eager)
    for xs in (trace_at, replay_at):
        expected, found = outcome(eager, xs), outcome(replay, xs)
        if found != expected:
            assert transform is func.hessian and expected.startswith("DomainError: d")
            assert "Error" not in outcome(func.grad(e, (0, 1, 2)), xs) + found


def test_a_hessian_where_eager_fails_on_a_derivative_no_row_uses() -> None:
    """cbrt'(r) = inf at r = 0, behind rint, whose derivative is 0: eager records the infinite
    cbrt' into the gradient's graph and fails there (its rows never use it); the code holds
    only what the rows depend on, and gives them."""
    def f(x: Value, y: Value) -> Value:
        return rules.cbrt(rules.rint(y.tanh())) + x * x * y

    hessian = func.hessian(f, (0, 1))
    h = compiled_transform(hessian)
    assert h(1.0, 1.0) == hessian(1.0, 1.0) == ((2.0, 2.0), (2.0, 0.0))
    with pytest.raises(DomainError, match=r"^dpow\(0\.0, 0\.333"):
        hessian(1.0, 0.0)
    assert h(1.0, 0.0) == ((0.0, 2.0), (2.0, 0.0))


def test_second_derivatives_known_when_traced_are_written_as_numbers() -> None:
    """A quadratic form's Hessian depends on no input: its rows' adjoints are numbers when
    the code is written, so they are added then (left to right, as the code would add
    them) and the rows are constants; the replay runs only the forward pass, whose values
    eager checks too.  Where some entries depend on the input, those are computed.  Bit
    for bit at many points, signs of zero included."""
    a = [[0.5, -0.0, 2.0], [1e-5, 3.0, -1.5], [0.25, -0.25, 0.0]]

    def form(x: Value, y: Value, z: Value) -> Value:
        return dot([x, y, z], [dot(row, [x, y, z]) for row in a])

    def mixed(x: Value, y: Value, z: Value) -> Value:
        return -0.0 * x * x + x * y * 3.0 + am.sin(z) * y

    rng = random.Random(11)
    for f in (form, mixed):
        hessian = func.hessian(f, (0, 1, 2))
        h = compiled_transform(hessian)
        for _ in range(10):
            xs = [rng.uniform(-3.0, 3.0) for _ in range(3)]
            assert repr(h(*xs)) == repr(hessian(*xs))
    replay = compiled_transform(func.hessian(form, (0, 1, 2)))
    replay(0.5, -1.0, 2.0)
    (tape,) = replay._tapes.values()
    returned = tape.source.splitlines()[-1]
    assert re.fullmatch(r"    return \(\([-0-9.e, ()]*\)", returned), returned  # numbers only


def test_nested_transforms_compile_as_the_outer_one_and_give_its_numbers() -> None:
    """The outer transform's float path records the inner one on Values (create_graph), as
    eager does: grad of grad, the Hessian of a gradient, a gradient calling a gradient."""
    def f(x: Value, y: Value) -> Value:
        return am.sin(x * y) * am.exp(y) + x ** 3

    nested = [func.grad(func.grad(f, 0), (0, 1)), func.hessian(func.grad(f, 0), (0, 1)),
              func.jacobian(func.grad(f, (0, 1)), (0, 1)),
              func.grad(lambda x, y: func.grad(f, 1)(x, y) * x, (0, 1))]
    rng = random.Random(3)
    for eager in nested:
        replay = compiled_transform(eager)
        for _ in range(20):
            xs = [rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)]
            assert outcome(replay, xs) == outcome(eager, xs)
        assert len(replay._tapes) == 1


def test_arguments_outside_argnums_are_read_at_every_call() -> None:
    def f(x: Value, scale: Value) -> Value:
        return scale * x * x * x

    gradient, hessian = func.grad(f), func.hessian(f)
    g, h = compiled_transform(gradient), compiled_transform(hessian)
    for scale in (1.0, 2.0, -0.3):
        assert repr(g(1.5, scale)) == repr(gradient(1.5, scale))   # 3 scale x^2: exact
        # the Hessian's graph multiplies by the Value ``scale`` where eager folds its number
        # into a coefficient: the same terms grouped otherwise, equal to rounding
        assert h(1.5, scale) == pytest.approx(hessian(1.5, scale), rel=1e-12)


# -- where the code cannot vouch for eager's numbers, eager decides ----------------------
def test_a_zero_factor_times_an_infinite_derivative_is_zero_as_in_eager() -> None:
    """relu' = 0 at x < 0 stops sqrt'(0) = inf: eager skips the term, the code's plain
    product makes a nan, and the replay hands the call to the eager transform."""
    def f(x: Value) -> Value:
        return x.relu().sqrt() + x * x

    gradient = func.grad(f)
    g = compiled_transform(gradient)
    assert g(1.0) == gradient(1.0) == 2.5                 # traced at x = 1
    assert g(-1.0) == gradient(-1.0) == -2.0              # 0 * inf: eager's 0, not nan
    hessian = func.hessian(f)                             # its gradient graph holds
    h = compiled_transform(hessian)                                 # sqrt'(0) = inf itself:
    assert h(1.0) == hessian(1.0)
    assert outcome(h, [-1.0]) == outcome(hessian, [-1.0])  # eager's error, replayed at -1
    assert outcome(hessian, [-1.0]).startswith("DomainError: dpow(0.0, 0.5)")


def test_a_domain_error_at_replay_is_the_eager_one() -> None:
    hessian = func.hessian(lambda x: am.log(x) * x)
    h = compiled_transform(hessian)
    assert h(2.0) == hessian(2.0) == 0.5
    with pytest.raises(DomainError) as replayed:
        h(-1.0)
    with pytest.raises(DomainError) as eager:
        hessian(-1.0)
    assert str(replayed.value) == str(eager.value)


def test_a_gradient_overflowing_where_the_hessian_is_finite_traced_or_replayed_there() -> None:
    """f = 1e308 x y + 1e308 x z at (0.1, 1, 1) is 2e307, but df/dx = 1e308 y + 1e308 z
    overflows; the second derivatives are 1e308 and 0.  Eager keeps the gradient a linear
    combination (no node recorded, nothing refused) and gives the rows, as torch.func does;
    a trace there records it as a node and is refused: that call is eager's, and a replay
    there meets the inf and hands over, as at any non-finite value."""
    def f(x: Value, y: Value, z: Value) -> Value:
        return 1e308 * x * y + 1e308 * x * z

    want = ((0.0, 1e308, 1e308), (1e308, 0.0, 0.0), (1e308, 0.0, 0.0))
    hessian = func.hessian(f, (0, 1, 2))
    of_gradient = func.jacobian(func.grad(f, (0, 1, 2)), (0, 1, 2))
    assert hessian(0.1, 1.0, 1.0) == of_gradient(0.1, 1.0, 1.0) == want
    h = compiled_transform(hessian)
    assert h(0.1, 1.0, 1.0) == want and not h._tapes  # the trace refused: eager's rows
    assert h(0.2, 0.5, -1.0) == hessian(0.2, 0.5, -1.0) and len(h._tapes) == 1
    assert h(0.1, 1.0, 1.0) == want  # replayed: the inf hands the call to eager
    assert compiled_transform(of_gradient)(0.1, 1.0, 1.0) == want


def test_an_error_of_f_itself_while_tracing_is_raised_once_as_eager_raises_it() -> None:
    """Only the recording of the rows' roots (a Hessian's gradient) hands a refused trace to
    eager; an error of ``f``'s own forward pass is eager's error already: raised as it is,
    ``f`` run once."""
    calls = []

    def f(x: Value) -> Value:
        calls.append(1)
        return am.exp(x) * x

    with pytest.raises(DomainError) as raised:
        compiled_transform(func.hessian(f))(1000.0)
    chain, error = [], raised.value  # the error, and what it was raised while handling
    while error is not None:
        chain.append(type(error).__name__)
        error = error.__context__
    assert len(calls) == 1 and chain == ["DomainError", "OverflowError"]  # exp's own
    with pytest.raises(DomainError) as eager:
        func.hessian(f)(1000.0)
    assert str(raised.value) == str(eager.value)


def test_an_infinite_second_derivative_is_eager_inf() -> None:
    hessian = func.hessian(lambda x: x ** 1.5)
    assert compiled_transform(hessian)(0.0) == hessian(0.0) == math.inf


# -- the tracing rules: no number baked in silently -------------------------------------
def test_a_number_read_while_tracing_is_refused_naming_the_function_and_the_input() -> None:
    def f(x: Value, t: Value) -> Value:
        return x * x * t.data                  # t's number: a constant of every replay

    for transform in TRANSFORMS:
        name = transform.__name__
        with pytest.raises(TracedNumberError, match=rf"^compiled_transform\(func\.{name}\(f\)\): "
                                                     "the function used the number of input 't'"):
            compiled_transform(transform(f, (0, 1)))(2.0, 3.0)


def test_a_random_draw_while_tracing_is_refused() -> None:
    draws = random.Random(0)

    def noisy(x: Value) -> Value:
        return x * x * draws.uniform(1.0, 2.0)   # a new number at every call: no function

    with pytest.raises(TracedNumberError, match=r"^compiled_transform\(func\.hessian\(noisy\)\): "
                                                "the function is not a function of its inputs"):
        compiled_transform(func.hessian(noisy))(1.0)


def test_a_parameter_is_read_live_and_a_held_constant_rechecked() -> None:
    w = Value(2.0, "w")                                    # a parameter: read at every call
    c = Value(3.0, "c", requires_grad=False)               # held: a literal, re-checked
    hessian = func.hessian(lambda x: w * x ** 3 + c * x * x)
    h = compiled_transform(hessian)
    assert h(1.0) == hessian(1.0) == 18.0                  # 6 w x + 2 c
    w.data, c.data = 5.0, -1.0
    assert h(1.0) == hessian(1.0) == 28.0
    assert w.grad == 0.0                                   # a transform leaves .grad alone


def piecewise(x: Value) -> Value:
    """x^3 for x > 1, else x^2 / 2: second derivative 6x, or 1."""
    return x * x * x if x > 1.0 else x * x / 2.0


def test_another_branch_at_replay_gives_that_branchs_numbers() -> None:
    hessian = func.hessian(piecewise)
    h = compiled_transform(hessian)
    assert h(2.0) == hessian(2.0) == 12.0
    tape = h.tape
    assert isinstance(tape, TransformTape)
    assert "_guard(v0 > 1.0, True, 0)" in tape.source
    with pytest.raises(BranchChangedError, match="trace again"):
        tape(0.5)                                          # the x > 1 path refuses x = 0.5
    assert h(0.5) == hessian(0.5) == 1.0                   # traced again: the other path
    assert h(3.0) == 18.0 and len(h._tapes) == 2


# -- what it refuses, by name -----------------------------------------------------------
def test_a_gradient_of_a_function_returning_several_numbers_is_refused() -> None:
    def pair(x: Value) -> tuple[Value, Value]:
        return x, x * x

    with pytest.raises(TypeError, match=r"grad: the function must return one number, got a "
                                        r"tuple of 2 \(use jacobian\)"):
        compiled_transform(func.grad(pair))(1.0)
    with pytest.raises(TypeError, match=r"got tuple \(compile a transform .*compiled_transform"):
        compiled(pair)(1.0)                    # not a transform: compiled's own error


@pytest.mark.parametrize("bad", [math.nan, math.inf, True, "2"])
def test_an_input_that_is_not_a_finite_number_is_refused_as_eager_refuses_it(bad: Any) -> None:
    gradient = func.grad(lambda x, y: x * y, (0, 1))
    replay = compiled_transform(gradient)
    assert replay(1, 2.0) == (2.0, 1.0)                   # an int is a number
    with pytest.raises((TypeError, DomainError)) as eager:
        gradient(bad, 2.0)
    with pytest.raises(type(eager.value), match=f"^{re.escape(str(eager.value))}$"):
        replay(bad, 2.0)


def test_a_result_that_is_not_a_number_is_refused_naming_the_function() -> None:
    def named(x: Value) -> Any:
        return "x"

    with pytest.raises(TypeError, match=r"compiled_transform\(func\.jacobian\(named\)\): the "
                                        "function's result: expected a real number, got str"):
        compiled_transform(func.jacobian(named))(1.0)


def test_only_a_transform_compiles_as_one_and_one_point_at_a_time() -> None:
    with pytest.raises(TypeError, match=r"^compiled_transform: expected a function made by "
                                        r"func\.grad"):
        compiled_transform(rosenbrock)
    g = compiled_transform(func.grad(rosenbrock, (0, 1)))
    with pytest.raises(TypeError, match="one point at a time"):
        g.batch([1.0, 2.0], [3.0, 4.0])


def test_compiled_of_a_gradient_is_unchanged_a_value_with_its_own_derivative() -> None:
    """compiled(f) compiles a function returning one Value, with its gradient: given
    func.grad(f) of one argument, the value is f' and the gradient f''."""
    cube = func.grad(lambda x: x ** 3)
    assert compiled(cube)(2.0) == (12.0, (12.0,))                 # 3 x^2, 6 x
    assert compiled_transform(cube)(2.0) == 12.0                  # the transform alone
    replay = compiled(lambda x, y: x * y)(2.0, 3.0)
    assert (replay.value, replay.grads) == (6.0, (3.0, 2.0))


# -- found in review --------------------------------------------------------------------------
def test_a_jacobian_of_no_outputs_is_an_empty_tuple_as_in_eager() -> None:
    jacobian = func.jacobian(lambda x: ())
    assert compiled_transform(jacobian)(3.0) == jacobian(3.0) == ()


def test_a_gradient_hook_in_the_graph_is_refused_by_name() -> None:
    """A hook clipping d f / d h runs in the eager transform; the code would skip it, and at
    x = 2 give 4 x^3 = 32 where eager gives 1 * 2 x = 4: refused instead, at the trace."""
    handles: list[Any] = []

    def f(x: Value) -> Value:
        h = x * x
        handles.append(h.register_hook(lambda g: max(-1.0, min(1.0, g))))  # clip d f / d h
        return h * h

    assert func.grad(f)(2.0) == 4.0
    with pytest.raises(TypeError, match=r"^compiled_transform: Value\(data=4\.0.*has a "
                                        "gradient hook, which the compiled code would not run"):
        compiled_transform(func.grad(f))(2.0)
    for handle in handles:
        handle.remove()


def test_a_hook_on_a_parameter_registered_after_the_trace_is_refused() -> None:
    w = Value(3.0, "w")
    g = compiled_transform(func.grad(lambda x: w * x * x))
    assert g(1.0) == 6.0
    with w.register_hook(lambda grad: 0.0), pytest.raises(TypeError, match="gradient hook"):
        g(1.0)
    assert g(1.0) == 6.0


def test_another_number_of_arguments_is_another_path() -> None:
    g = compiled_transform(func.grad(lambda *x: am.fsum([v * v for v in x])))
    assert g(1.0, 2.0) == 2.0 and g(1.0, 2.0, 3.0) == 2.0 and g(5.0) == 10.0
    assert len(g._tapes) == 3


def test_keyword_arguments_are_refused_saying_how_to_bind_them() -> None:
    g = compiled_transform(func.grad(lambda x, scale=1.0: scale * x * x))
    with pytest.raises(TypeError, match=r"keyword arguments are not compiled \(got 'scale'\)"
                                        r": bind them into f first, e\.g\. func\.grad\("
                                        r"functools\.partial"):
        g(2.0, scale=3.0)
    assert g(2.0) == 4.0


def test_a_gradient_with_aux_is_refused_naming_has_aux() -> None:
    with pytest.raises(TypeError, match=r"func\.jacobian \(without has_aux\)"):
        compiled_transform(func.grad(lambda x: (x * x, 1.0), has_aux=True))


@pytest.mark.parametrize("inner", [
    lambda x: x + 0.0, lambda x: 0.0 + x, lambda x: x - (-0.0), lambda x: add_n([x, x]),
    lambda x: dot([x], [1.0]), lambda x: dot([x, x], [1.0, 1.0])],
    ids=["x+0", "0+x", "x-(-0)", "add_n", "dot-one", "dot-two"])
def test_a_sum_that_is_zero_has_eagers_sign_in_the_code(inner: Callable[[Any], Any]) -> None:
    """Found in review: the code writer dropped ``+ 0.0`` as an identity and wrote ``add_n``
    and ``dot`` without the float functions' leading ``0.0 +``, so at x = -0.0 the code kept
    -0.0 where eager has 0.0 -- and copysign turned that sign into the other answer.  Only
    x + (-0.0) and x - 0.0 are identities for every float."""
    def f(x: Any, y: Any) -> Any:
        return am.copysign(y, inner(x))

    eager = func.grad(f, (0, 1))
    assert repr(compiled_transform(eager)(-0.0, 2.0)) == repr(eager(-0.0, 2.0)) == "(0.0, 1.0)"
    replay = compiled(f)(-0.0, 2.0)
    assert repr(replay.value) == repr(f(Value(-0.0), Value(2.0)).data) == "2.0"

"""``compiled_transform(func.grad(f), backend="numpy")``: the gradient with like nodes computed
together, one NumPy operation per group (issue 25, goal 3).

Each test reads as a worked example: the program it writes (a matrix product for a dense
quadratic form, a ``cumsum`` for a chain of additions), its numbers against the eager
gradient's (the same up to the order its sums add their terms: within a few ulps of the sum
of the terms' magnitudes), and where it declines and the Python replay answers, bit for bit
eager's (a value above 1e150, a nan where eager skips a term, a kink, a guard, a user's
primitive).
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
from bench_functions import quadratic_form, rosenbrock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Tape, Value, compiled_transform, dot, func, primitive
from autograd_lite import math as am
from autograd_lite.compile.vector import BRANCHING
from autograd_lite.core import arrays, rules
from autograd_lite.testing import OP_CASES, expressions, safe_floats
from autograd_lite.testing.differential import _contribution_scale

FAST = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def numpy_gradient(f: Callable[..., Any], n: int) -> Any:
    return compiled_transform(func.grad(f, tuple(range(n))), backend="numpy")


def within_ulps_of_the_terms(found: tuple[float, ...], expected: tuple[float, ...],
                             magnitudes: tuple[float, ...]) -> bool:
    """Each entry within 1e-13 of the sum of its terms' magnitudes (eager's gradient of the
    same function with every term made positive): another order of additions, no more."""
    return all(abs(a - b) <= 1e-13 * m for a, b, m in zip(found, expected, magnitudes,
                                                            strict=True))


# -- what it writes ---------------------------------------------------------------------------
def test_a_dense_quadratic_form_is_a_matrix_times_a_vector() -> None:
    """200 dot nodes reading the same x with constant weights are one product A x; the outer
    dot is x . (A x); the reverse pass is x^T A + (A x)^T: no line per weight."""
    n = 200
    g = numpy_gradient(quadratic_form(n), n)
    rng = random.Random(1)
    x = [rng.uniform(-1.0, 1.0) for _ in range(n)]
    found, expected = g(*x), func.grad(quadratic_form(n), tuple(range(n)))(*x)
    source = g.tape.vector_source
    assert source is not None and len(source.splitlines()) < 20
    assert "_c0 @ V[0:200]" in source and "@ _c0" in source      # A x, then g^T A
    assert within_ulps_of_the_terms(found, expected, magnitude_gradient("quadratic", n, x))


def test_a_chain_of_additions_is_one_cumsum_in_eagers_order() -> None:
    """A chain ``((t1 + t2) + t3) + ...`` -- Rosenbrock's total -- is one cumsum over its
    terms: the same additions in the same order.  Here the terms alternate 1e16 y and x, so
    each partial sum rounds and any other order (NumPy's pairwise sum) gives another total;
    the total is eager's bit for bit, and so is the gradient through it."""
    def f(x: Value, y: Value) -> Value:
        s: Any = 0.0
        for k in range(16):
            s = s + (1e16 if k % 4 == 0 else -1e16) * y if k % 2 == 0 else s + x
        return s * s

    eager = func.grad(f, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    for x, y in ((1.0, 1.0), (0.3, 1.7), (1.1, -0.4), (2.5, 3.25)):
        assert repr(g(x, y)) == repr(eager(x, y))
    source = g.tape.vector_source
    assert source is not None and source.count("_cumsum(") == 1
    r = numpy_gradient(rosenbrock, 50)
    r(*[0.5] * 50)
    assert r.tape.vector_source is not None
    assert r.tape.vector_source.count("_cumsum(") == 1


# -- its numbers: eager's, up to the order of additions ---------------------------------------
@pytest.mark.parametrize("name", ["rosenbrock", "quadratic"])
def test_the_bench_functions_at_many_points(name: str) -> None:
    rng = random.Random(25)
    for n in (2, 3, 10, 30, 200):
        f = rosenbrock if name == "rosenbrock" else quadratic_form(n)
        eager = func.grad(f, tuple(range(n)))
        fast = compiled_transform(eager, backend="numpy")
        for _ in range(4):
            xs = [rng.uniform(-2.0, 2.0) for _ in range(n)]
            found, expected = fast(*xs), eager(*xs)
            magnitudes = magnitude_gradient(name, n, xs)
            assert within_ulps_of_the_terms(found, expected, magnitudes), (n, xs)
        assert fast.tape.vector_source is not None and len(fast._tapes) == 1


def magnitude_gradient(name: str, n: int, xs: list[float]) -> tuple[float, ...]:
    """The sum of the magnitudes of the terms of each entry of the gradient (its rounding
    error is at most about n ulps of this), written out by hand for the two functions."""
    if name == "rosenbrock":
        m = [0.0] * n
        for i in range(n - 1):
            u, v = xs[i], xs[i + 1]
            r = abs(v - u * u)
            m[i] += 400.0 * abs(u) * r + 2.0 * abs(1.0 - u)
            m[i + 1] += 200.0 * r
        return tuple(x + 1.0 for x in m)
    rng = random.Random(n)
    a = [[rng.uniform(-1.0, 1.0) for _ in range(n)] for _ in range(n)]
    return tuple(1.0 + math.fsum(abs(a[i][j] * xs[j]) + abs(a[j][i] * xs[j]) for j in range(n))
                 for i in range(n))


SMOOTH_CASES = [case for case in OP_CASES
                if (case.op not in BRANCHING and case.name not in ("powc_frac", "dpow"))
                or case.name == "rpow"]   # 2.0 ** x: a constant positive base


@FAST
@given(expressions(n_inputs=3, max_ops=12, primitives=SMOOTH_CASES),
       st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3),
       st.lists(safe_floats(-2.0, 2.0), min_size=3, max_size=3))
def test_random_programs_traced_at_one_point_replayed_at_another(
        e: Any, trace_at: list[float], replay_at: list[float]) -> None:
    """Every smooth primitive, shared nodes and diamonds: the NumPy program is made, and it
    gives eager's gradient within 1e-12 of the largest term of the graph (the differential
    checker's scale), or eager's error; it never gives a number where eager raises."""
    eager = func.grad(e, (0, 1, 2))
    fast = compiled_transform(eager, backend="numpy")
    for xs in (trace_at, replay_at):
        try:
            expected = eager(*xs)
        except DomainError as error:
            with pytest.raises(DomainError) as raised:
                fast(*xs)
            assert str(raised.value) == str(error)
            continue
        found = fast(*xs)
        assert fast.tape.vector_source is not None
        scale = largest_term(e, xs)
        for a, b in zip(found, expected, strict=True):
            assert a == b or abs(a - b) <= 1e-12 * max(1.0, scale, abs(b)), (found, expected)


def largest_term(e: Any, xs: list[float]) -> float:
    """The largest |adjoint x local derivative| of eager's backward pass on ``e`` at ``xs``."""
    return largest_term_of(e.evaluate([Value(x) for x in xs]))


TERMS: list[Callable[[Any, Any], Any]] = [
    lambda u, v: u * v, lambda u, v: (v - u * u) ** 2, lambda u, v: am.sin(u) * am.exp(0.1 * v),
    lambda u, v: am.tanh(u - v), lambda u, v: u / (1.0 + v * v), lambda u, v: -u + 2.0 * v]


@FAST
@given(st.integers(2, 9), st.lists(st.sampled_from(range(len(TERMS))), min_size=1, max_size=3),
       st.lists(st.lists(safe_floats(-3.0, 3.0), min_size=9, max_size=9), min_size=1,
                max_size=4),
       st.sampled_from(["numbers", "values", "mixed"]),
       st.lists(safe_floats(-2.0, 2.0), min_size=9, max_size=9))
def test_wide_programs_of_like_nodes_sums_and_dots(n: int, terms: list[int],
                                                  rows: list[list[float]], weights: str,
                                                  point: list[float]) -> None:
    """What the backend is for, drawn at random: a sum over i of like terms in (x_i,
    x_{i+1}) -- groups and one cumsum -- plus dots of the inputs with rows of numbers, with
    the inputs themselves, or with a mix -- matrix products with constant or gathered halves,
    a shared or a per-row vector: within 1e-12 of eager's largest term, and taken."""
    def f(*x: Any) -> Any:
        xs = list(x)
        total: Any = 0.0
        for u, v in itertools.pairwise(x):
            for k in terms:
                total = total + TERMS[k](u, v)
        for r, row in enumerate(rows):
            w: list[Any] = row[:n]
            if weights == "values":
                w = xs[r % n:] + xs[:r % n]          # x . (x rotated): both halves gathered
            elif weights == "mixed":
                w = [xs[j] if j % 2 else row[j] for j in range(n)]
            total = total + dot(w, xs) * 0.5
        return total

    eager = func.grad(f, tuple(range(n)))
    fast = compiled_transform(eager, backend="numpy")
    xs = point[:n]
    found, expected = fast(*xs), eager(*xs)
    program = fast.tape._vector
    assert program is not None and program(tuple(xs), ()) is not None   # it answered
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    scale = largest_term_of(out)
    for a, b in zip(found, expected, strict=True):
        assert abs(a - b) <= 1e-12 * max(1.0, scale, abs(b)), (found, expected)


def largest_term_of(out: Value) -> float:
    """The differential checker's scale: the largest |adjoint x local derivative| of eager's
    backward pass (at least 1)."""
    out.backward()
    return _contribution_scale(out)


# -- where it declines, the Python replay answers: eager's numbers bit for bit ----------------
def test_a_value_or_an_adjoint_above_1e150_is_left_to_the_python_replay() -> None:
    """Past 1e150 a sum in another order could overflow where eager's does not (or the
    reverse): the NumPy program declines (``None``) and the Python replay, eager's order,
    answers.  The checks are V @ V < 1e300 and A @ A < 1e300, which also catch inf and
    nan."""
    def f(x: Value, y: Value) -> Value:
        return x ** 4 + 1e152 * y

    eager = func.grad(f, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert repr(g(2.0, 1e-10)) == repr(eager(2.0, 1e-10)) == repr((32.0, 1e152))
    program = g.tape._vector
    assert program is not None
    assert program((2.0, 1e-10), ()) is None        # d f / d y = 1e152: an adjoint, declined
    h = compiled_transform(func.grad(lambda x: x ** 4), backend="numpy")
    assert h(1e36) == func.grad(lambda x: x ** 4)(1e36)
    assert h.tape._vector is not None
    assert h.tape._vector((1e36,), ()) is not None  # x^4 = 1e144 at most: computed
    assert h.tape._vector((1e38,), ()) is None      # x^4 = 1e152: a value, declined
    assert repr(h(1e38)) == repr(func.grad(lambda x: x ** 4)(1e38))


def test_a_zero_factor_times_an_infinite_derivative_is_zero_as_in_eager() -> None:
    """relu' = 0 at x < 0 stops sqrt'(0) = inf: eager skips the term; the array product
    makes a nan, so the Python replay answers (and, as its product does too, eager)."""
    def f(x: Value, y: Value) -> Value:
        return x.relu().sqrt() + x * y

    eager = func.grad(f, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert g(1.0, 2.0) == eager(1.0, 2.0) == (2.5, 1.0)
    assert g(-1.0, 2.0) == eager(-1.0, 2.0) == (2.0, -1.0)


def test_a_domain_error_at_replay_is_the_eager_one() -> None:
    eager = func.grad(lambda x, y: am.log(x) * y, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert g(2.0, 3.0) == eager(2.0, 3.0) == (1.5, math.log(2.0))
    with pytest.raises(DomainError) as replayed:
        g(-1.0, 3.0)
    with pytest.raises(DomainError) as expected:
        eager(-1.0, 3.0)
    assert str(replayed.value) == str(expected.value)


def test_a_function_with_a_branch_replays_in_python() -> None:
    """A guard decided on a NumPy value that may differ from eager's in its last bit would
    choose a branch silently: a graph with a guard is not taken, and the Python replay gives
    each branch's numbers as eager does."""
    def f(x: Value, y: Value) -> Value:
        return x * x * y if x > 1.0 else x * y

    eager = func.grad(f, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert g(2.0, 3.0) == eager(2.0, 3.0) == (12.0, 4.0)
    assert g.tape.vector_source is None
    assert g(0.5, 3.0) == eager(0.5, 3.0) == (3.0, 0.5)


SMOOTH = {"add", "sub", "mul", "div", "neg", "powc", "dpow", "falling", "exp", "exp2", "expm1",
          "cbrt", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "asinh", "sigmoid",
          "softplus", "silu", "gelu", "erf", "erfc", "logsumexp", "degrees", "radians",
          "ldexp", "fsum", "prod", "dot", "add_n"}
"""The built-ins whose value and derivative are continuous, defined on all reals but at poles
(1 / 0, tan's: a value or adjoint not finite, declined at the call); ``powc`` and ``dpow``
with a whole exponent only."""


def test_every_builtin_is_smooth_or_branching() -> None:
    """A new built-in must be put on one side: branching ones are not vectorised."""
    builtins = {name for name, op in rules.PRIMITIVES.items() if op.builtin}
    assert builtins == SMOOTH | BRANCHING and not SMOOTH & BRANCHING


ULP_FROM_A_KINK = math.exp(2.0459956818458065)
EDGE = (-0.5, 0.5, 3e-16, -1e-16, -1e-16, 1e-16, -0.5, 1.0, -1e-16, -0.5, -0.5, -1.0, 1e-16, 1.0,
        0.5, -1e-16)
"""Sixteen numbers whose sum is -1e-16 added left to right (eager's ``dot``) and +1.1e-16 in
BLAS's order (a random search found them, seed 1)."""


@pytest.mark.parametrize(("f", "traced_at", "point"), [
    # found in review: each differed from eager by O(1), or gave a number where eager raises,
    # before graphs with a jump or a domain edge were refused
    (lambda x, y: y * am.atan2(rules.maximum(x, 0.0), -1.0), (1.0, 1.0), (-0.0, 2.0)),
    (lambda x, y: y * am.floor(am.log10(x)), (5.0, 1.0), (999.9999999999994, 1.0)),
    (lambda x, y: y * rules.relu(am.exp(x) - ULP_FROM_A_KINK), (3.0, 1.0),
     (2.0459956818458065, 1.0)),
    (lambda x, y: abs(dot([1e16, 1.0, -1e16], [x, y, x])), (2.0, 1.0), (1.0, 1.0)),
    (lambda x, y: x ** dot([1.0] + [1e-16] * 15, [y] * 16), (2.0, 1.0), (0.0, 1.0)),
    (lambda *w: am.sqrt(dot(list(w), [1.0] * 16)), tuple(map(abs, EDGE)), EDGE),
    (lambda x, y: y * x ** 0.5, (2.0, 1.0), (0.0, 1.0)),
], ids=["atan2-maximum", "floor-log10", "relu-exp", "abs-dot", "pow-base-0", "sqrt-edge",
        "powc-half"])
def test_a_kink_a_step_a_jump_or_an_edge_replays_in_python(
        f: Any, traced_at: tuple[float, ...], point: tuple[float, ...]) -> None:
    """An argument one ulp from eager's on the other side of a kink, or of a domain's edge,
    is an O(1) difference, or a number where eager raises: a graph with a primitive of
    BRANCHING is not taken, and the numbers (or the error) are eager's."""
    eager = func.grad(f, tuple(range(len(point))))
    g = compiled_transform(eager, backend="numpy")
    assert outcome(g, traced_at) == outcome(eager, traced_at)   # traced here
    assert g.tape.vector_source is None
    assert outcome(g, point) == outcome(eager, point)           # replayed here


def outcome(function: Callable[..., Any], xs: tuple[float, ...]) -> str:
    """The result's repr (signs of zeros included), or the error it raised."""
    try:
        return repr(function(*xs))
    except DomainError as error:
        return f"DomainError: {error}"


def test_a_users_primitive_replays_in_python() -> None:
    """A user's rule is checked on floats, one call at a time: not run on arrays."""
    cube = primitive("cube_v", lambda x: x * x * x, lambda out, x: (3.0 * x * x,))

    def f(x: Value, y: Value) -> Value:
        return cube(x) * y

    eager = func.grad(f, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert repr(g(2.0, 0.5)) == repr(eager(2.0, 0.5)) == repr((6.0, 8.0))
    assert g.tape.vector_source is None


def test_parameters_are_read_live_and_held_numbers_rechecked() -> None:
    w = Value(2.0, "w")                                    # a parameter: read at every call
    c = Value(3.0, "c", requires_grad=False)               # held: a constant, re-checked
    eager = func.grad(lambda x, y: w * x * y + c * x, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert g(1.0, 1.0) == eager(1.0, 1.0) == (5.0, 2.0)    # w y + c, w x
    w.data, c.data = 5.0, -1.0
    assert g(1.0, 1.0) == eager(1.0, 1.0) == (4.0, 5.0)
    assert g.tape.vector_source is not None and w.grad == 0.0


def test_two_alike_dot_nodes_are_one_group_of_two_rows() -> None:
    """The same dot twice at one depth: a group whose rows read the same vectors, its adjoint
    the sum over its rows."""
    def f(x: Value, y: Value) -> Value:
        return dot([2.0, 3.0], [x, y]) * dot([2.0, 3.0], [x, y]) + x * y

    eager = func.grad(f, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    for point in ((1.0, 2.0), (-0.5, 0.25)):
        assert g(*point) == pytest.approx(eager(*point), rel=1e-14)
    assert g.tape.vector_source is not None and "_sum(" in g.tape.vector_source


def test_the_result_has_the_eager_gradients_shape() -> None:
    f = lambda x, y: x * y + am.sin(x)  # noqa: E731 - a one-line function of the example
    assert compiled_transform(func.grad(f), backend="numpy")(2.0, 3.0) == \
        func.grad(f)(2.0, 3.0) == 3.0 + math.cos(2.0)          # one argument: a number
    assert compiled_transform(func.grad(f, (1,)), backend="numpy")(2.0, 3.0) == (2.0,)
    zero = compiled_transform(func.grad(lambda x, y: y * y, (0,)), backend="numpy")
    assert zero(2.0, 3.0) == (0.0,) and zero.tape.vector_source is None  # zeros: Python's


# -- bad requests -------------------------------------------------------------------------------
def test_another_backend_or_transform_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^compiled_transform: backend must be 'python' or "
                                         r"'numpy', got 'nump'$"):
        compiled_transform(func.grad(rosenbrock), backend="nump")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^compiled_transform: backend='numpy' compiles "
                                         r"func\.grad only, got func\.hessian"):
        compiled_transform(func.hessian(rosenbrock), backend="numpy")


def test_without_numpy_the_numpy_backend_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrays, "numpy_installed", lambda: False)
    with pytest.raises(ImportError, match=r"needs NumPy: pip install \"autograd-lite\[batch\]\""):
        compiled_transform(func.grad(rosenbrock), backend="numpy")


def test_a_tape_batch_on_another_backend_is_refused_naming_it() -> None:
    """The same mistake one door over: Tape.batch(backend="nump") ran the Python loop."""
    x = Value(1.0)
    tape = Tape.from_graph(x * x, [x])
    with pytest.raises(ValueError, match=r"^Tape\.batch: backend must be 'auto', 'numpy' or "
                                         r"'python', got 'nump'$"):
        tape.batch([1.0, 2.0], backend="nump")  # type: ignore[arg-type]


# -- the code it writes holds no text from outside --------------------------------------------
def test_the_program_is_array_arithmetic_on_its_own_names_whatever_the_labels() -> None:
    """Labels never reach the NumPy program (it has no comments from the graph): it is made
    of assignments, arithmetic, indexing of its arrays, calls of its own helpers and of the
    primitives' array functions, and numbers; it runs through the package's one exec."""
    from autograd_lite import add_n
    from autograd_lite.compile.vector import VectorGradient
    from autograd_lite.core.value import topological_order

    x, y = Value(0.7, "x\n__import__('os').system('pwned')"), Value(1.3, "y'); import os #")
    w = Value(-0.4, "w\x00\u2028)", requires_grad=False)
    z = add_n([(x * y).tanh(), (x ** 2.0).exp(), dot([x, y], [w, x]), (x / y).sin(),
               x ** 3.0, -y, y.sigmoid(), 2.0 ** x])   # smooth: taken
    z.label = "z\r\nimport os"
    program = VectorGradient(z, topological_order(z), [x, y], [], [x, y], [])
    assert "pwned" not in program.source and "import" not in program.source
    helpers = {"V", "A", "_x", "_p", "_template", "_seed", "_cumsum", "_sum", "_outer",
               "_einsum", "_bincount", "_broadcast_to", "None"}
    for node in ast.walk(ast.parse(program.source)):
        if isinstance(node, ast.Name):
            assert node.id in helpers or re.fullmatch(r"(o|g)\d+(_\w+)?|_[cp]\d+", node.id)
        if isinstance(node, ast.Attribute):
            assert node.attr in ("copy", "tolist", "ravel"), node.attr
        if isinstance(node, ast.Constant):
            assert type(node.value) in (int, float) or node.value in (None, "ij,ij->i")
        assert not isinstance(node, ast.Import | ast.ImportFrom | ast.Lambda)
    z.backward()
    assert program((0.7, 1.3), ()) == pytest.approx([x.grad, y.grad], rel=1e-12)


def test_a_gradient_of_negative_zero_terms_is_zero_as_eagers() -> None:
    """Eager's entry is 0.0 + its terms, never -0.0; so is the NumPy program's: d (x y) / d x
    at y = -0.0 is 0.0 there too."""
    eager = func.grad(lambda x, y: x * y + y, (0, 1))
    g = compiled_transform(eager, backend="numpy")
    assert repr(g(1.0, -0.0)) == repr(eager(1.0, -0.0)) == repr((0.0, 2.0))
    assert g.tape.vector_source is not None

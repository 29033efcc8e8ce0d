"""The engine: Value, backward semantics, grad(), higher order, tracking control, big graphs.

What a Value accepts (real numbers, refused with their type otherwise), what recording leaves
on a fresh node, and how the chain rule treats a zero meeting an infinity in every mode.
"""

from __future__ import annotations

import copy
import fractions
import math
import re
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from live_nodes import live_values

from autograd_lite.compile import Tape, compiled
from autograd_lite.core import rules
from autograd_lite.core.anomaly import detect_anomaly
from autograd_lite.core.check import gradgradcheck
from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual, Level, jvp
from autograd_lite.core.gradients import grad
from autograd_lite.core.reverse import reverse_pass
from autograd_lite.core.value import (
    StaleGraphError,
    Value,
    add_n,
    computed_order,
    dot,
    enable_grad,
    is_grad_enabled,
    no_grad,
    topological_order,
    zero_grad,
)
from autograd_lite.graph.diagram import draw_dot
from autograd_lite.graph.steps import backward_steps
from autograd_lite.graph.wengert import wengert_list
from autograd_lite.nn.optim import SGD
from autograd_lite.testing import (
    Expression,
    assert_gradients_match,
    expression_cases,
    safe_floats,
)


# -- Value -----------------------------------------------------------------------------
def test_repr_shows_data_grad_and_label() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(-1, label="w")) == "Value(data=-1.0, grad=0.0, label='w')"


def test_equality_and_hash_are_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert a == a
    assert len({a, b, a}) == 2


def test_comparing_values_outside_a_trace_just_compares_data() -> None:
    # mutant engine._compare (now value._compare): `if observer is not None` -> `is None`
    # would call None(...)
    x, y = Value(1.0), Value(2.0)
    assert (x < y, x <= y, x > y, x >= y) == (True, True, False, False)
    assert (x < 1.0, x <= 1.0, x > 1.0, x >= 1.0) == (False, True, False, True)


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
     "add: argument 1: expected a real number, got str '2'"),
    ("str slope", lambda: Value(1.0).leaky_relu("0.1"), TypeError,
     "leaky_relu: argument 1: expected a real number, got str '0.1'"),
    ("complex exponent", lambda: Value(1.0) ** 1j, TypeError,
     "powc: argument 1: expected a real number, got complex 1j"),
    ("label", lambda: Value(1.0, label=3), TypeError, "Value: label must be a str, got int"),
    ("Dual of a str", lambda: Dual("x"), TypeError,
     "Dual primal: expected a real number, got str 'x'"),
    ("Dual plus None", lambda: Dual(1.0) + None, TypeError,
     "add: argument 1: expected a real number, got NoneType None"),
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


def test_nodes_have_slots_and_no_closure() -> None:
    """Each node stores floats and tuples only: no __dict__, no per-node backward function."""
    x, y = Value(2.0), Value(3.0)
    z = x * y
    assert not hasattr(z, "__dict__")
    assert z.parents == (x, y)
    assert z.local_grads == (3.0, 2.0)
    assert all(type(g) is float for g in z.local_grads)


def test_parents_keep_argument_order_and_numbers_stay_arguments() -> None:
    """As in PyTorch, a number operand is no node: 2 - x has the one parent x; the 2 is kept
    with the node's arguments (``args``), in order."""
    x, y = Value(5.0), Value(7.0)
    d = 2 - x
    assert d.parents == (x,)
    assert d.args == (2.0, x)
    assert d.local_grads == (-1.0,)
    e = y - x
    assert e.parents == (y, x)
    assert e.args is None  # no number operand: the parents are all the arguments
    assert e.local_grads == (1.0, -1.0)


def test_a_constant_operand_keeps_its_local_derivative_and_never_receives_a_gradient() -> None:
    """PyTorch semantics: a Value that does not require gradients stays a parent, with its
    true local derivative (the step-through shows it); backward never writes into it; a
    result of constants only is itself a constant leaf."""
    x, c = Value(3.0), Value(2.0, requires_grad=False)
    c.grad = 0.5  # whatever it holds stays
    y = x * c
    assert y.parents == (x, c)
    assert y.local_grads == (2.0, 3.0)
    y.backward()
    assert (x.grad, c.grad) == (2.0, 0.5)
    z = c * c + 1.0
    assert (z.data, z.op, z.parents, z.requires_grad) == (5.0, None, (), False)


def test_seed_note_003_worked_example() -> None:
    """Seed note 003_f509dacf7a319b71.txt: x = (1, 2), bias input -1, sigmoid hidden layer.

    The note finds y ~ -0.5944, output delta 2(y - t) = -11.18, dL/dW_01 = delta * a_0 =
    11.18 and dL/dW_11 = delta * a_1 = -5.59.  (Its hidden deltas use -13.8 by its own
    admitted error; with -11.18, dL/dV_11 = -11.18 * W_11 * a_1 (1 - a_1) * x_1 = -5.59.)
    """
    v = [[Value(x) for x in row] for row in ([1, 0, -1], [1, 2, 0], [0, -2, 1])]  # V[i][j]
    w = [Value(x) for x in (1, 2, 3, -1)]  # W[j][1]
    inputs = (-1.0, 1.0, 2.0)  # the bias input, x_1, x_2
    a = [(sum((v[i][j] * inputs[i] for i in range(3)), Value(0.0))).sigmoid()
         for j in range(3)]
    y = w[0] * -1.0 + sum((w[j + 1] * a[j] for j in range(3)), Value(0.0))
    loss = (y - 5) ** 2
    loss.backward()
    # The note rounds a_3 = sigma(3) to 0.952 (it is 0.9526), hence its -0.5944.
    assert y.data == pytest.approx(-0.5944, abs=1e-3)
    assert loss.data == pytest.approx(31.25, abs=0.1)
    assert y.grad == pytest.approx(-11.18, abs=0.02)
    assert w[0].grad == pytest.approx(11.18, abs=0.02)
    assert w[1].grad == pytest.approx(-5.59, abs=0.02)
    assert v[1][0].grad == pytest.approx(-5.59, abs=0.02)


UNARY = [
    ("neg", lambda v: -v), ("abs", abs), ("exp", Value.exp), ("log", Value.log),
    ("sqrt", Value.sqrt), ("tanh", Value.tanh), ("sigmoid", Value.sigmoid),
    ("relu", Value.relu), ("sin", Value.sin), ("cos", Value.cos),
    ("leaky_relu", lambda v: v.leaky_relu(0.1)), ("powc", lambda v: v ** 2.0),
]


@pytest.mark.parametrize(("name", "f"), UNARY, ids=[n for n, _ in UNARY])
def test_a_fresh_result_has_zero_grad_before_any_backward(name: str, f: object) -> None:
    # mutant engine._unary / _binary / _record: `node.grad = 0.0` -> `1.0`
    x = Value(0.5)
    y = f(x)  # type: ignore[operator]
    assert y.grad == 0.0
    assert (x * 2.0).grad == 0.0 and (x + x).grad == 0.0


# -- backward semantics --------------------------------------------------------------
def test_double_backward_accumulates_into_the_leaf() -> None:
    """y = x * x at x = 2: dy/dx = 4 per call; two calls leave x.grad == 8 (as PyTorch)."""
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0


def test_non_leaf_grad_is_overwritten_each_backward() -> None:
    """z = x * x, w = 3 z: dw/dz = 3 after any number of calls; the leaf sums 12 + 12."""
    x = Value(2.0)
    z = x * x
    w = 3 * z
    w.backward()
    w.backward()
    assert z.grad == 3.0
    assert w.grad == 1.0
    assert x.grad == 24.0


def test_backward_seed_scales_and_zero_grad_resets() -> None:
    x = Value(3.0)
    (x * x).backward(gradient=0.5)
    assert x.grad == 3.0
    zero_grad([x])
    assert x.grad == 0.0


def test_backward_of_a_constant_is_refused() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Value(1.0, requires_grad=False).backward()


@pytest.mark.slow
def test_a_million_operation_chain_back_propagates() -> None:
    """y = x + x + ... + x (a chain 1,000,000 deep, x shared by every node): dy/dx = N + 1."""
    n = 1_000_000
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y + x
    y.backward()
    assert x.grad == n + 1.0
    assert y.data == 0.5 * (n + 1)


def test_heavy_sharing_visits_each_node_once() -> None:
    """y = y + y, 300 times: 2**300 paths from y to x, but 301 nodes; dy/dx = 2**300."""
    x = Value(1.0)
    y = x
    for _ in range(300):
        y = y + y
    order = topological_order(y)
    assert len(order) == 301
    y.backward()
    assert x.grad == 2.0 ** 300


@given(expression_cases(n_inputs=3, max_ops=10))
def test_random_graphs_backward_matches_central_differences(
        case: tuple[Expression, list[float]]) -> None:
    """Random programs with a + a, a * a and diamonds: every x_i.grad vs central differences."""
    f, xs = case
    assert_gradients_match(f, xs)


def test_topological_order_puts_parents_first() -> None:
    x, w = Value(1.0), Value(2.0)
    a = x * w
    b = a.tanh() + a
    order = topological_order(b)
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[parent] < position[node]


def test_the_order_of_several_roots_is_each_roots_in_turn_without_repeats() -> None:
    """``topological_order([a, b])``: a's order, then the nodes of b's that a's lacks, in
    b's order -- what one sort from a node over a and b would list before that node.  A
    stale leaf is refused from a list as from one root."""
    x, w = Value(1.0, "x"), Value(2.0, "w")
    a = x * w
    b = a.tanh() + w
    c = b * b
    first, second = topological_order(a), topological_order(c)
    together = topological_order([a, c])
    assert together == first + [n for n in second if n not in first]
    assert together == topological_order(a + c)[:-1]  # the sort from one node over both
    assert topological_order([x]) == [x] and topological_order([]) == []
    x.data = 3.0
    with pytest.raises(StaleGraphError):
        topological_order([w, c])


def test_computed_order_is_the_topological_order_without_its_leaves() -> None:
    """What a Hessian's row walks: the recorded nodes of ``topological_order(roots)``, in its
    order (leaves pass nothing on), through nodes of one, two and more arguments, numbers
    among them on either side; a stale leaf is refused as there."""
    x, w = Value(1.0, "x"), Value(2.0, "w")
    a = x * w
    b = (2.0 - a).tanh() + w
    d = dot([x, w, b, a], [3.0, a, 1.0, x - 0.5])
    c = b * d
    e = x.exp() * w.sin() - d  # parents sorted first to last, in every kind of node
    for roots in ([a, c], [c], [d, a], [x, c], [b, x, d], [e]):
        assert computed_order(roots) == [n for n in topological_order(roots) if n.op is not None]
    assert computed_order([x, w]) == [] and computed_order([]) == []
    x.data = 3.0
    for roots in ([w, c], [e], [d, a]):  # refused naming the edge topological_order names
        with pytest.raises(StaleGraphError) as sorted_all:
            topological_order(roots)
        with pytest.raises(StaleGraphError, match="label='x'") as sorted_computed:
            computed_order(roots)
        assert str(sorted_computed.value) == str(sorted_all.value)


def test_the_one_reverse_pass_and_its_float_specialisation_agree_on_a_diamond() -> None:
    """f = (x y) * (x y + x): the general pass (callbacks) and float_pass (backward's and
    grad's walk) give d f / d x = y (x y + x) + x y (y + 1) and d f / d y = x (x y + x) + x x y."""
    x, y = Value(2.0), Value(3.0)
    a = x * y
    f = a * (a + x)
    general = reverse_pass(topological_order(f), f, 1.0)
    assert (general[x], general[y]) == (3.0 * 8.0 + 6.0 * 4.0, 2.0 * 8.0 + 2.0 * 6.0)
    f.backward()
    assert (x.grad, y.grad) == (general[x], general[y])


def test_a_node_whose_adjoint_passes_nothing_is_not_followed() -> None:
    """``passes_nothing``: create_graph's pass never applies the rule of a node whose adjoint
    is 0, so nothing is recorded for it; here the edges of y = 0 * h are never read."""
    x = Value(2.0)
    h = x.exp()
    y = h * 0.0 + x
    read = []

    def edges(node: Value) -> tuple[Any, Any]:
        read.append(node)
        return node.parents, node.local_grads

    adjoint = reverse_pass(topological_order(y), y, 1.0, edges=edges,
                           passes_nothing=lambda g: g == 0.0)
    assert adjoint[x] == 1.0 and h not in read and y in read


def test_graph_is_freed_after_del() -> None:
    """Nodes reference only their parents: no cycles, so dropping the output frees the graph."""
    x = Value(1.5)
    before = live_values()
    hidden = (x * x).tanh()
    out = hidden * 3
    out.backward()
    assert live_values() == before + 3
    del hidden, out
    assert live_values() == before


# -- grad() ---------------------------------------------------------------------------
def test_grad_does_not_touch_dot_grad() -> None:
    x, y = Value(2.0), Value(-1.0)
    z = x * y + x
    assert grad(z, [x, y]) == [0.0, 2.0]
    assert grad(z, x) == 0.0
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)


def test_grad_of_an_unused_input_is_an_error_like_torch() -> None:
    x, unused = Value(2.0), Value(3.0)
    with pytest.raises(RuntimeError, match=(
            r"One of the differentiated Values appears to not have been used in the graph\. "
            r"Set allow_unused=True if this is the desired behavior\.")):
        grad(x * x, [x, unused])
    assert grad(x * x, [x, unused], allow_unused=True) == [4.0, None]


@given(safe_floats(-10.0, 10.0))
def test_third_derivative_of_x_cubed_is_6(x0: float) -> None:
    """d/dx x**3 = 3 x**2, d2 = 6 x, d3 = 6 (closed forms), via grad(create_graph=True)."""
    x = Value(x0)
    d1 = grad(x ** 3, x, create_graph=True)
    d2 = grad(d1, x, create_graph=True)
    d3 = grad(d2, x, create_graph=True)
    assert d1.data == pytest.approx(3 * x0 ** 2)
    assert d2.data == pytest.approx(6 * x0)
    assert d3.data == 6.0


@given(safe_floats(-3.0, 3.0), safe_floats(-3.0, 3.0))
def test_hessian_matches_closed_form(x0: float, y0: float) -> None:
    """f = x**2 y + sin(x y):  f_xx = 2y - y**2 sin(xy),  f_xy = 2x + cos(xy) - xy sin(xy),
    f_yy = -x**2 sin(xy)."""
    x, y = Value(x0), Value(y0)
    f = x ** 2 * y + (x * y).sin()
    fx, fy = grad(f, [x, y], create_graph=True)
    hessian = [grad(fx, [x, y]), grad(fy, [x, y])]
    s, c = math.sin(x0 * y0), math.cos(x0 * y0)
    fxy = 2 * x0 + c - x0 * y0 * s
    expected = [[2 * y0 - y0 ** 2 * s, fxy], [fxy, -x0 ** 2 * s]]
    for row, expected_row in zip(hessian, expected, strict=True):
        assert row == pytest.approx(expected_row, rel=1e-9, abs=1e-9)
    assert gradgradcheck(lambda a, b: a ** 2 * b + (a * b).sin(), [x0, y0])


# -- tracking control --------------------------------------------------------------------
def test_no_grad_records_nothing() -> None:
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
    assert is_grad_enabled()
    assert (y.data, y.parents, y.op, y.requires_grad) == (5.0, (), None, False)
    assert y.is_leaf


def test_grad_with_create_graph_under_no_grad_still_records_the_derivatives() -> None:
    """Found in review: the adjoints asked for were combined after grad's own enable_grad
    had ended, so under the caller's no_grad d(x^3)/dx came back a constant."""
    x = Value(1.5)
    y = x * x * x
    with no_grad():
        first = grad(y, x, create_graph=True)
    assert first.data == 6.75 and first.requires_grad
    assert grad(first, x) == 9.0  # 6 x


def test_enable_grad_inside_no_grad_records_again() -> None:
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            y = x * x
        z = x * x
    assert y.parents == (x, x)
    assert z.parents == ()


@pytest.mark.parametrize(("name", "f"), UNARY, ids=[n for n, _ in UNARY])
def test_a_unary_op_under_no_grad_gives_a_constant_leaf(name: str, f: object) -> None:
    # mutant engine._unary (now value._unary / record): `... or not enabled` -> `and` would
    # record under no_grad
    x = Value(0.5)
    with no_grad():
        y = f(x)  # type: ignore[operator]
    assert (y.is_leaf, y.requires_grad, y.parents, y.local_grads) == (True, False, (), ())


def test_no_grad_as_decorator() -> None:
    @no_grad()
    def predict(v: Value) -> Value:
        return v.tanh() * 2

    x = Value(0.3)
    assert predict(x).parents == ()
    assert (x * 2).parents[0] is x


def test_no_grad_in_one_thread_does_not_affect_another() -> None:
    """Grad mode lives in a contextvar: each thread has its own."""
    entered, done = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def quiet() -> None:
        with no_grad():
            entered.set()
            done.wait(timeout=10)
            seen["quiet"] = is_grad_enabled()

    def busy() -> None:
        entered.wait(timeout=10)
        x = Value(1.0)
        seen["busy"] = is_grad_enabled() and (x * x).parents == (x, x)
        done.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert seen == {"quiet": False, "busy": True}


def test_detach_makes_a_constant_leaf() -> None:
    x = Value(2.0, label="x")
    y = (x * x).detach()
    assert (y.data, y.is_leaf, y.requires_grad) == (4.0, True, False)
    z = y * x
    z.backward()
    assert x.grad == 4.0  # y counts as a constant: d(y x)/dx = y


def test_a_zero_adjoint_never_turns_an_infinite_local_gradient_into_nan() -> None:
    """sqrt'(0) = inf (PyTorch's kink value); a path carrying no gradient adds 0, not nan."""
    x = Value(0.0, "x")
    y = x.sqrt() * 0.0 + x  # d/dx = 0 * inf (through sqrt) + 1
    y.backward()
    assert x.grad == 1.0
    assert grad(x.sqrt() * 0.0 + x, x) == 1.0


def test_an_input_reached_only_through_zero_adjoints_is_used_not_unused() -> None:
    """Used means reachable from the output (torch.autograd.grad), even with gradient 0."""
    x = Value(-1.0, "x")
    assert grad(x.relu() * 3.0, x) == 0.0


def test_an_infinite_adjoint_reaches_the_leaf_with_the_sign_of_the_local_derivative() -> None:
    """y = sqrt(-2 x) at x = 0: d sqrt/du = +inf at u = 0, times du/dx = -2 gives -inf."""
    x = Value(0.0, "x")
    (x * -2.0).sqrt().backward()
    assert x.grad == -math.inf
    w = Value(0.0)
    assert grad((w * -2.0).sqrt(), w) == -math.inf


def test_an_infinite_adjoint_times_an_infinite_local_derivative_is_infinite() -> None:
    """y = sqrt(sqrt(x)) at x = 0: both slopes are +inf, and so is their product."""
    x = Value(0.0, "x")
    x.sqrt().sqrt().backward()
    assert x.grad == math.inf


def test_an_adjoint_that_cancels_to_zero_adds_nothing_through_an_infinite_slope() -> None:
    """y = a - a + x with a = sqrt(x) at x = 0: d y / d a = 1 - 1 = 0, so sqrt'(0) = inf
    must not turn x's gradient into nan: dy/dx = 1."""
    x = Value(0.0, "x")
    a = x.sqrt()
    y = a - a + x
    y.backward()
    assert x.grad == 1.0
    assert grad(y, x) == 1.0


def saturated_tanh_of_reciprocal(x: Value) -> Value:
    return (2.5 + x) + (x ** -1.0).tanh()


def sqrt_of_relu(x: Value) -> Value:
    return x.relu().sqrt()


@pytest.mark.parametrize(("f", "x", "slope"), [
    (saturated_tanh_of_reciprocal, 1.1575493636887382e-172, 1.0),  # tanh' = 0 stops -inf
    (sqrt_of_relu, -1.0, 0.0),  # relu' = 0 stops sqrt'(0) = inf
])
def test_zero_times_infinity_is_zero_in_every_mode(
        f: Callable[[Value], Value], x: float, slope: float) -> None:
    # found by the differential fuzzer (tier "wild"): reverse mode skipped a zero adjoint,
    # forward mode a zero tangent, neither a zero local derivative, so the modes disagreed
    # (nan); one rule for every mode now, core.reverse.chain_term: a term with a factor 0 is 0
    v = Value(x)
    f(v).backward()
    assert v.grad == slope
    w = Value(x)
    assert grad(f(w), w) == slope
    assert jvp(f, [x], [1.0])[1] == slope
    assert compiled(f)(x).grads == (slope,)


def test_backward_in_anomaly_mode_accumulates_leaves_and_overwrites_the_rest() -> None:
    """The all-or-nothing backward of anomaly mode keeps backward's semantics."""
    from autograd_lite import detect_anomaly

    x = Value(2.0)
    y = x * x
    with detect_anomaly():
        y.backward()
        y.backward()
    assert (x.grad, y.grad) == (8.0, 1.0)


def test_a_primitive_called_with_the_wrong_number_of_values_is_refused() -> None:
    with pytest.raises(TypeError, match=r"^add: expected 2 arguments, got 3$"):
        rules.add(Value(1.0), Value(2.0), Value(3.0))
    with pytest.raises(TypeError, match=r"^exp: expected 1 arguments, got 2$"):
        rules.exp(Value(1.0), Value(2.0))


def test_a_parameter_given_as_a_value_is_refused_by_name() -> None:
    """A parameter (leaky_relu's slope, powc's exponent) is a number: a Value there would
    be a parent whose gradient no rule gives.  The refusal records nothing."""
    x = Value(-1.0)
    with pytest.raises(TypeError, match=r"^leaky_relu: a parameter must be a number, not a Value"):
        x.leaky_relu(Value(0.1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^powc: a parameter must be a number, not a Value"):
        rules.powc(Value(2.0), Value(3.0))
    assert x.grad == 0.0 and x.is_leaf


def test_add_n_and_dot_of_numbers_are_numbers_and_of_one_value_a_node() -> None:
    """On plain numbers the primitives compute; a single Value still records a node."""
    assert add_n([2.5, 1.0]) == 3.5 and type(add_n([2.5, 1.0])) is float
    assert dot([1.0, 2.0], [3.0, 4.0]) == 11.0 and type(dot([1.0, 2.0], [3.0, 4.0])) is float
    x = Value(2.5)
    total = add_n([x])
    assert (total.data, total.parents) == (2.5, (x,))
    product = dot([x], [4.0])
    assert (product.data, product.parents, product.local_grads) == (10.0, (x,), (4.0,))


def test_dot_of_numbers_and_values_in_either_order_records_or_carries_its_duals() -> None:
    """Weights of numbers with inputs of Values (a layer with fixed weights) record one
    node, as the reverse order does; a Dual among them goes to forward mode, whichever
    argument it is."""
    x, y = Value(2.0), Value(-1.0)
    node = dot([3.0, 0.5], [x, y])
    assert (node.data, node.parents, node.local_grads) == (5.5, (x, y), (3.0, 0.5))
    assert dot([x, y], [3.0, 0.5]).local_grads == (3.0, 0.5)
    level = Level()
    carried = dot([Dual(3.0, 1.0, level), 0.5], [x, y])  # d/d weight_0 = x
    assert type(carried) is Dual and carried.tangent.data == 2.0
    assert carried.primal.data == 5.5 and set(carried.primal.parents) == {x, y}
    with pytest.raises(TypeError, match=r"^dot: argument 1: expected a real number, got str"):
        dot([3.0, "a"], [x, y])  # type: ignore[list-item]


# -- a leaf's number assigned after recording ----------------------------------------------
# One rule in every mode: a graph recorded from a leaf's old number refuses to be read once
# the leaf's ``data`` is assigned (as PyTorch refuses a tensor modified after it was saved);
# the optimiser's pattern -- backward, update the leaves, record again -- is untouched.
def _stale_square() -> tuple[Value, Value]:
    x = Value(2.0, "x")
    y = x * x
    x.data = 5.0
    return x, y


STALE_READERS: list[tuple[str, Callable[[Value, Value], Any]]] = [
    ("backward", lambda x, y: y.backward()),
    ("grad", lambda x, y: grad(y, x)),
    ("grad create_graph", lambda x, y: grad(y, x, create_graph=True)),
    ("Tape.from_graph", lambda x, y: Tape.from_graph(y, [x])),
    ("Tape.from_graph, x a parameter", lambda x, y: Tape.from_graph(y)),
    ("wengert_list", lambda x, y: wengert_list(y)),
    ("draw_dot", lambda x, y: draw_dot(y).source),
    ("backward_steps", lambda x, y: backward_steps(y)),
    ("anomaly backward", lambda x, y: _in_anomaly_mode(y.backward)),
]


def _in_anomaly_mode(f: Callable[[], Any]) -> Any:
    with detect_anomaly():
        return f()


@pytest.mark.parametrize(("reader", "read"), STALE_READERS, ids=[r for r, _ in STALE_READERS])
def test_a_graph_recorded_before_a_leaf_changed_is_refused_by_every_reader(
        reader: str, read: Callable[[Value, Value], Any]) -> None:
    """x = 2, y = x * x (4, dy/dx = 4), then x.data = 5: no reader answers 4, 10 or 25."""
    x, y = _stale_square()
    with pytest.raises(StaleGraphError, match=r"Value\(data=5.0, grad=0.0, label='x'\) had its "
                                              r"data assigned after mul recorded it"):
        read(x, y)
    assert (x.grad, y.grad, y.data) == (0.0, 0.0, 4.0)  # nothing half-changed


def test_a_leaf_changed_between_two_recordings_of_one_graph_is_found() -> None:
    x = Value(2.0, "x")
    before = x * 3.0
    x.data = 1.0
    after = x * 4.0  # recorded from the new number: fine alone
    grad(after, x)
    with pytest.raises(StaleGraphError, match="label='x'"):
        (before + after).backward()


def test_an_old_subgraph_of_unchanged_leaves_still_combines_with_new_nodes() -> None:
    """A feature computed once from an input that never changes, a weight updated by hand
    every step: each step's graph is fresh, since no leaf it reads changed after reading."""
    feature = Value(0.5, requires_grad=False).exp()
    w = Value(1.0, "w")
    for _ in range(3):
        loss = (w * feature - 1.0) ** 2
        w.grad = 0.0
        loss.backward()
        assert w.grad == pytest.approx(2 * (w.data * math.exp(0.5) - 1.0) * math.exp(0.5))
        w.data -= 0.1 * w.grad


def test_the_optimiser_pattern_records_again_after_every_update() -> None:
    """SGD on y = (w - 3)^2 from w = 0, lr 0.25: w <- w - 0.5 (w - 3) = 1.5, 2.25, 2.625."""
    w = Value(0.0, "w")
    optimiser = SGD([w], lr=0.25)
    for expected in (1.5, 2.25, 2.625):
        loss = (w - 3.0) ** 2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        assert w.data == expected
    with pytest.raises(StaleGraphError):  # the last loss was recorded at w = 2.25
        loss.backward()


def test_a_recorded_nodes_number_is_not_assigned() -> None:
    x = Value(2.0)
    y = x * x
    with pytest.raises(RuntimeError, match=r"data: Value\(data=4.0, grad=0.0\) is the result of "
                                           r"mul: only a leaf's number can be assigned"):
        y.data = 3.0
    assert y.data == 4.0
    y.backward()
    assert x.grad == 4.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, "2.0", None, True, Value(1.0)])
def test_a_leaf_is_assigned_only_a_finite_real_number(bad: Any) -> None:
    x = Value(2.0)
    y = x * x
    with pytest.raises((TypeError, DomainError), match=r"^Value.data[:(]"):
        x.data = bad
    assert x.data == 2.0
    y.backward()  # the failed assignment changed nothing: the graph is still fresh
    assert x.grad == 4.0


def test_a_compiled_tape_reads_its_parameters_at_every_call() -> None:
    """A tape is a program, not a graph: compiled before the assignment, it computes with
    the parameter's new number (its documented contract), as a new recording would."""
    w = Value(2.0, "w")
    x = Value(1.0, "x", requires_grad=False)
    tape = Tape.from_graph(w * w * x, [x])
    w.data = 5.0
    assert tape(1.0) == (25.0, (None,))
    assert w.grad == 10.0


# -- copies and serialisation -------------------------------------------------------------
def test_deepcopy_of_a_graph_makes_new_nodes_with_the_same_primitives() -> None:
    # y = 3 e^x + c x at x = 1 (c = 2, a constant): dy/dx = 3e + 2, by hand.
    from autograd_lite import math as am

    x, c = Value(1.0, "x"), Value(2.0, "c", requires_grad=False)
    y = am.exp(x) * 3.0 + c * x
    y.backward()
    twin = copy.deepcopy(y)
    scaled, product = twin.parents
    twin_x = scaled.parents[0].parents[0]
    assert twin.op is rules.add and scaled.parents[0].op is am.exp  # primitives shared
    assert twin is not y and twin_x is not x and twin_x.label == "x"
    assert twin.data == 3 * math.e + 2.0 and twin_x.grad == x.grad == 3 * math.e + 2.0
    assert not product.parents[0].requires_grad                      # c stays a constant
    assert grad(twin, twin_x) == pytest.approx(3 * math.e + 2.0, rel=1e-15)
    twin_x.grad = 0.0
    twin.backward()                                                   # the copy is its own
    assert x.grad == pytest.approx(3 * math.e + 2.0, rel=1e-15)
    first, second = copy.deepcopy([x, y])        # one deepcopy call: one copy of x
    assert second.parents[0].parents[0].parents[0] is first


def test_deepcopy_of_a_20000_node_chain_does_not_recurse() -> None:
    x = Value(1.0, "x")
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    twin = copy.deepcopy(y)      # a recursive copy raised RecursionError
    assert twin.data == y.data
    leaf = topological_order(twin)[0]
    assert leaf.label == "x" and leaf is not x
    assert grad(twin, leaf) == pytest.approx(1.0001 ** 20_000, rel=1e-11)


def test_a_shallow_copy_shares_the_parents() -> None:
    x, w = Value(2.0), Value(3.0)
    y = x * w
    twin = copy.copy(y)
    assert twin is not y and twin.parents == (x, w) and twin.data == 6.0
    assert twin.op is rules.mul


def test_a_deepcopied_model_computes_the_same_and_trains_apart() -> None:
    from autograd_lite.nn import MLP

    model = MLP(2, [3, 1])
    twin = copy.deepcopy(model)
    assert [p.data for p in twin.parameters()] == [p.data for p in model.parameters()]
    assert not set(map(id, twin.parameters())) & set(map(id, model.parameters()))
    assert twin([0.5, -1.0]).data == model([0.5, -1.0]).data


def test_primitives_are_shared_by_copies_and_serialised_by_name() -> None:
    import pickle

    from autograd_lite import math as am

    assert copy.copy(am.exp) is am.exp and copy.deepcopy(am.exp) is am.exp
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(am.exp, protocol)) is am.exp
        assert pickle.loads(pickle.dumps(rules.mul, protocol)) is rules.mul


def test_a_leaf_round_trips_through_pickle_and_a_node_is_refused_by_name() -> None:
    import pickle

    x = Value(1.5, "x")
    x.grad = 0.25
    c = Value(2.0, requires_grad=False)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(x, protocol))
        assert (back.data, back.label, back.grad, back.requires_grad) == (1.5, "x", 0.25, True)
        assert not pickle.loads(pickle.dumps(c, protocol)).requires_grad
    # a recorded node used to fail inside pickle, naming a lambda of the rule table
    with pytest.raises(TypeError, match=r"^Value: cannot serialise Value\(data=4\.5, .*\), the "
                                        r"result of mul .*autograd_lite\.nn\.save\(model, "
                                        r"path\) or model\.state_dict\(\)$"):
        pickle.dumps(x * 3.0)

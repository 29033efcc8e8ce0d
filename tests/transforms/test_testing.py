"""The user-facing test helpers: safe floats, random expressions, assert_gradients_match."""

from __future__ import annotations

import importlib
import math
import random
import sys
from collections import Counter

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import autograd_lite.math as am
from autograd_lite import testing
from autograd_lite.core import rules
from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual
from autograd_lite.core.rules import Primitive
from autograd_lite.core.value import Value, add_n, dot, no_grad
from autograd_lite.testing import (
    OP_CASES,
    WIDE,
    Expression,
    OpCase,
    assert_gradients_match,
    expression_cases,
    expressions,
    pick,
    safe_floats,
)


def test_a_clear_import_error_without_hypothesis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.delitem(sys.modules, "autograd_lite.testing")
    with pytest.raises(ImportError, match=r"autograd_lite\.testing needs hypothesis, a test "
                                          r"dependency: pip install 'autograd-lite\[test\]'"):
        importlib.import_module("autograd_lite.testing")


@given(st.data(), st.floats(-10, 10), st.floats(0.01, 1.0))
def test_safe_floats_stay_in_range_and_away_from_kinks(
        data: st.DataObject, kink: float, margin: float) -> None:
    x = data.draw(safe_floats(-10.0, 10.0, avoid=(kink,), margin=margin))
    assert -10.0 <= x <= 10.0
    assert abs(x - kink) >= margin


def test_safe_floats_refuse_an_impossible_request() -> None:
    with pytest.raises(ValueError, match="no point of"):
        find(safe_floats(0.0, 1.0, avoid=(0.5,), margin=1.0), lambda x: True)


@pytest.mark.slow  # a per-primitive sweep; tests/core/test_primitives.py covers each mode quickly
@pytest.mark.parametrize("op", sorted(name for name, p in rules.PRIMITIVES.items() if p.builtin))
def test_random_expressions_use_every_op(op: str) -> None:
    found = find(expressions(), lambda e: op in e.ops,
                 settings=settings(max_examples=2000, phases=[Phase.generate]))  # no shrinking
    assert op in found.ops


def test_adding_a_primitive_changes_only_the_draws_it_wins() -> None:
    """Campaigns pick primitives by name (rendezvous hashing), not by position: a case added
    anywhere in the table (here next to softplus, where an index-based pick once changed
    unrelated draws of the seeded campaign) takes some draws and leaves every other one."""
    rng = random.Random(20261123)
    draws = [rng.randbytes(8) for _ in range(3000)]
    dummy = OpCase("dummy_for_pick", "add", lambda x, y: x + y, (WIDE, WIDE))
    at = next(k for k, c in enumerate(OP_CASES) if c.name == "softplus")
    grown = [*OP_CASES[:at], dummy, *OP_CASES[at:]]
    before = [pick(OP_CASES, d) for d in draws]
    after = [pick(grown, d) for d in draws]
    won = [k for k, case in enumerate(after) if case is dummy]
    assert 3000 / len(grown) / 2 < len(won) < 3000 / len(grown) * 2  # about its share
    assert all(a is b for a, b in zip(before, after) if b is not dummy)
    shrunk = [pick([c for c in OP_CASES if c.name != "exp"], d) for d in draws]
    assert all(a is b for a, b in zip(before, shrunk) if a.name != "exp")


def test_every_case_gets_about_its_share_of_the_draws() -> None:
    counts = Counter(pick(OP_CASES, k.to_bytes(8, "little")).name for k in range(7500))
    assert set(counts) == {c.name for c in OP_CASES}
    assert min(counts.values()) > 50 and max(counts.values()) < 150  # 100 each on average


def test_random_expressions_reuse_nodes() -> None:
    """a + a, a * a (one node read twice) and diamonds (a node read by two later steps)."""
    twice = find(expressions(), lambda e: any(len(s) == 3 and s[1] == s[2] and type(s[1]) is int
                                              for s in e.steps))
    assert twice.steps
    diamond = find(expressions(n_inputs=1), lambda e: len(e.steps) >= 3 and e.steps[1][1] == 1
                   and e.steps[2][1] == 1)
    assert diamond.steps[1][1] == diamond.steps[2][1] == 1


@given(expression_cases(n_inputs=2, max_ops=8))
def test_one_program_runs_on_floats_values_and_duals(
        case: tuple[Expression, list[float]]) -> None:
    f, xs = case
    on_floats = f.evaluate(xs)
    assert f.evaluate([Value(x) for x in xs]).data == on_floats
    assert f.evaluate([Dual(x, 1.0) for x in xs]).primal == on_floats
    with no_grad():
        assert f(*[Value(x) for x in xs]).data == on_floats


@given(expressions(n_inputs=2, max_ops=8))
def test_repr_reads_back_and_source_runs(f: Expression) -> None:
    """repr(f) is Python that rebuilds f; f.source defines a function on Values."""
    assert eval(repr(f), {"Expression": Expression}) == f
    namespace = {**rules.PRIMITIVES, "add_n": add_n, "dot": dot}
    exec(f.source, namespace)
    xs = [Value(0.25), Value(-0.75)]
    try:
        expected = f(*xs).data
    except DomainError:
        return
    assert namespace["f"](*xs).data == expected  # type: ignore[operator]


def test_repr_and_source_read_like_a_wengert_list() -> None:
    f = Expression(2, (("mul", 0, 1), ("powc", 2, 2.0), ("add", 3, 0.5), ("log", 4)))
    assert repr(f) == (
        "Expression(n_inputs=2, steps=(\n"
        "    ('mul', 0, 1),  # v2 = x0 * x1\n"
        "    ('powc', 2, 2.0),  # v3 = v2 ** 2.0\n"
        "    ('add', 3, 0.5),  # v4 = v3 + 0.5\n"
        "    ('log', 4),  # v5 = v4.log()\n"
        "))")
    assert f.source.splitlines()[0] == "def f(x0, x1):"
    assert f.source.splitlines()[-1] == "    return v5"
    assert f.evaluate([2.0, 3.0]) == math.log(36.5)


@pytest.mark.parametrize(("steps", "message"), [
    ((), "at least one step"),
    ((("zeta", 0),), "unknown op 'zeta'"),
    ((("add", 0),), "wrong number of arguments for add"),
    ((("exp", 1),), "1 is neither a register set before"),
    ((("exp", True),), "True is neither a register set before"),
    ((("add", 0, math.inf),), "inf is neither a register set before"),
])
def test_expressions_are_validated(steps: tuple[testing.Step, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Expression(1, steps)


def test_checkable_rejects_kinks_domain_edges_and_huge_values() -> None:
    relu_of_difference = Expression(2, (("sub", 0, 1), ("relu", 2)))
    assert relu_of_difference.checkable([1.0, 0.5])
    assert not relu_of_difference.checkable([0.5, 0.5])  # relu'(0) vs a central difference
    assert not relu_of_difference.checkable([0.5 + 1e-7, 0.5])  # x0 +- eps crosses the kink
    assert not Expression(1, (("log", 0),)).checkable([-1.0])  # DomainError
    assert not Expression(1, (("exp", 0),)).checkable([50.0])  # e**50 > limit


def test_assert_gradients_match_passes_and_fails_clearly() -> None:
    assert_gradients_match(lambda x, y: (x * y).tanh(), [0.3, -0.2])
    wrong_sin = Primitive("sin_wrong", math.sin, lambda out, x: (-am.cos(x),))
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(lambda x, y: wrong_sin(x) * y, [0.0, 2.0])
    message = str(info.value)
    assert message.startswith("gradients do not match at x=0.0, y=2.0 "
                              "(eps=1e-06, atol=1e-05, rtol=0.001):\n"
                              "  d f / d x: backward -2.0, central difference 1.99999")
    assert "d f / d y" not in message


def test_assert_gradients_match_names_the_parameters_or_numbers_them() -> None:
    wrong_sin = Primitive("sin_wrong", math.sin, lambda out, x: (-am.cos(x),))

    def price(spot: Value, sigma: Value) -> Value:
        return spot * wrong_sin(sigma)

    with pytest.raises(AssertionError, match=r"^gradients do not match at spot=1\.5, "
                                             r"sigma=0\.0 .*\n  d f / d sigma: backward -1\.5"):
        assert_gradients_match(price, [1.5, 0.0])
    with pytest.raises(AssertionError, match=r"^gradients do not match at x0=1\.5, x1=0\.0 "
                                             r".*\n  d f / d x1: backward -1\.5"):
        assert_gradients_match(lambda *v: v[0] * wrong_sin(v[1]), [1.5, 0.0])

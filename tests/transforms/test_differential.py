"""The differential checker in the suite: a short, fixed-seed campaign of each tier of
``autograd_lite.testing.differential`` (``python bench/fuzz.py`` runs the long one).

Every mode that computes a derivative -- ``backward``, ``grad``, ``grad(create_graph=True)``,
``jvp`` (forward mode), the compiled tape, central differences and the second derivative
(reverse over reverse, and forward over reverse with ``autograd_lite.func``) -- must agree
on random expression graphs (every primitive, shared sub-expressions; up to ~1,200 nodes),
and every mode must raise the same DomainError when the forward pass fails.  The
full campaign (2,000 examples per tier) is ``python bench/fuzz.py``; here a fixed budget runs
in about 20 seconds.  Hypothesis shrinks a failure to a small program and prints it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from autograd_lite import Value, primitive
from autograd_lite.core import rules
from autograd_lite.core import value as value_module
from autograd_lite.testing import (
    OP_CASES,
    TIERS,
    Domain,
    Expression,
    MismatchError,
    OpCase,
    campaign,
    check_modes,
)

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize(("tier", "examples"), [  # graphs of 1,000 nodes: slow
    ("small", 600), pytest.param("large", 40, marks=pytest.mark.slow), ("wild", 250)])
def test_every_mode_agrees_on_random_graphs(tier: str, examples: int) -> None:
    # small graphs (600: enough draws to reach each of the ~64 primitives): stop and let
    # hypothesis shrink the failure; a 1,000-node one takes minutes to shrink, so
    # large-graph failures are collected and shown as found
    stats = campaign(examples, TIERS[tier][1], seed_value=20261123, tier=tier,
                          stop_at_first=tier != "large")
    assert not stats.failures, stats.failures[0]
    assert stats.examples >= examples  # hypothesis ran the whole budget
    # every graph with finite gradients went through the NumPy backend too (NumPy is a
    # test dependency: never skipped here)
    assert stats.modes["compiled_transform numpy"] == stats.modes["anomaly"] - \
        stats.nonfinite_gradients > 0
    assert stats.modes["compiled_transform numpy: no NumPy"] == 0
    if tier != "large":  # a graph of 500 primitives nearly always holds a branching one
        assert stats.modes["compiled_transform numpy: vectorised"] > 0
    if tier == "large":
        assert max(stats.nodes) > 500  # large graphs really are large
        # every graph with finite gradients went through the compiled tape (a graph whose
        # gradient is nan or inf stops after anomaly mode, the same in every tier)
        assert stats.modes["compiled"] == len(stats.nodes) - stats.nonfinite_gradients > 0
    if tier == "small":
        assert stats.modes["central difference"] > examples // 2
        assert stats.modes["second derivative"] > 0
        assert stats.modes["forward over reverse"] == stats.modes["second derivative"]
        assert stats.modes["forward over forward"] == stats.modes["second derivative"]
        assert set(stats.ops) == {c.op for c in OP_CASES}  # every primitive was exercised
    if tier == "wild":
        assert stats.domain_errors > 0 and stats.nonfinite_gradients > 0


def test_the_oracle_catches_a_wrong_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fuzzer that cannot fail proves nothing: break d tanh / dx (1 - t**2 -> 1 + t**2) and
    # the oracle must report the disagreement with central differences and forward mode...

    e = Expression(1, (("tanh", 0),))
    check_modes(e, [0.3])  # the real rule passes
    broken = rules.Primitive("tanh", rules.tanh.forward, lambda out, x: (1.0 + out * out,))
    monkeypatch.setitem(rules.PRIMITIVES, "tanh", broken)
    with pytest.raises(MismatchError, match=r"^jvp|^create_graph|^compiled|^central"):
        check_modes(Expression(1, (("tanh", 0),)), [0.3])


def test_the_oracle_catches_a_wrong_backward(monkeypatch: pytest.MonkeyPatch) -> None:
    # ... and a backward that drops the second contribution of a shared node (x * x).
    def backward(self: Value, gradient: float = 1.0) -> None:
        for node in [self]:
            for parent, d in zip(node.parents[:1], node.local_grads):
                parent.grad += gradient * d

    monkeypatch.setattr(Value, "backward", backward)
    with pytest.raises(MismatchError, match=r"^grad vs backward"):
        check_modes(Expression(1, (("mul", 0, 0),)), [0.7])


def test_a_second_derivative_near_a_singularity_is_checked_with_a_small_enough_step() -> None:
    """Found by the long campaign: at x0 = 6.1e-5, sqrt's higher derivatives are huge, so
    central differences with h = 1e-5 and 1e-6 both miss d2f/dx0^2 = -1501.643409499
    (closed form); the checker also tries a step relative to x0 and accepts the engine's
    value, while a wrong one is still refused."""
    e = Expression(3, (("sqrt", 0), ("sub", 3, 2), ("relu", 4), ("div", 2, 5), ("powc", 3, 1.5),
                       ("add_n", 3, 3, 3, 6, 7)))
    check_modes(e, [6.103515625e-05, -1.0, 6.103515625e-05])
    # a wrong rule for the derivative of dpow (twice too large) changes only the second
    # derivative of sqrt: it must still be refused at this point
    broken = rules.Primitive("dpow", rules.dpow.forward,
                             lambda out, x, c: (2 * c * rules.dpow(x, c - 1.0),), params=1)
    with pytest.MonkeyPatch.context() as patch, pytest.raises(MismatchError,
                                                              match=r"^second derivative"):
        patch.setitem(rules.PRIMITIVES, "dpow", broken)
        patch.setattr(rules, "dpow", broken)
        check_modes(e, [6.103515625e-05, -1.0, 6.103515625e-05])


def test_forward_mode_rounding_is_judged_on_its_own_terms() -> None:
    """Found by the 100,000-example campaign: cbrt at x2 = -2.7e-280 has slope 8e185; the
    program adds cbrt(x2) (in an fsum) and later subtracts it.  Backward cancels the two
    adjoints first and keeps d/dx2 = ln 2 from exp2(tanh(x2)); forward mode adds tangents of
    8e185, which absorb ln 2.  Both are right to the rounding of their own sums, so the
    checker judges forward mode against its own largest tangent."""
    e = Expression(3, (("cbrt", 2), ("maximum", 2, 3), ("relu", 1), ("fsum", 2, 4, 5),
                       ("tanh", 5), ("mul", 7, 0.5), ("mul", 6, 6), ("add", 9, 1.5),
                       ("fmod", 8, 10), ("fsum", 0, 3, 8), ("tanh", 2), ("exp2", 13),
                       ("sub", 2.5, 3), ("add_n", 11, 12, 14, 15)))
    check_modes(e, [1.3639416680811168e-05, 1.3639416680811168e-05, -2.746010644038742e-280])


def test_a_second_derivative_near_a_pole_is_checked_by_extrapolation() -> None:
    """Found by the 100,000-example campaign: tan(tan(x1**2 + 0.5)) near a pole of the outer
    tan has d2f/dx1^2 = 9490895789.14 (60-digit arithmetic); the engine gives it to 4e-12,
    while central differences with h = 1e-5 and 1e-6 are off by 20% and 0.2%.  Richardson's
    extrapolation of the two is within 3e-4, so the checker accepts the engine (before the
    extrapolation it reported this point as a disagreement)."""
    e = Expression(3, (("mul", 1, 1), ("add", 3, 0.5), ("div", 0, 4), ("dot", 1, 5, 3, 4),
                       ("tan", 4), ("tan", 7), ("add_n", 6, 8)))
    check_modes(e, [0.0, 1.0440380864652568, 0.2030583961625414])


def test_a_first_derivative_near_a_pole_is_checked_by_extrapolation() -> None:
    """Found by the 100,000-example campaign: d/dx tan(tan(x)**2 + 0.5) at x = 1.5, near a
    pole, is 285032.60577 (50-digit arithmetic; the engine agrees to 3e-13); the central
    difference with h = 1e-6 says 285485.69
    (0.16% off); extrapolated with h = 1e-5 it agrees, and the checker accepts."""
    e = Expression(3, (("tan", 2), ("mul", 3, 3), ("add", 4, 0.5), ("dpow", 5, 0.0),
                       ("degrees", 0), ("tan", 5), ("add_n", 6, 7, 8)))
    check_modes(e, [1.5, 0.320310125153783, 1.5])


def test_the_extrapolation_step_stays_inside_the_domain() -> None:
    """Found by the wild tier (2026-12-07): at x2 = 1e-5 the derivative -45657.055 changes
    fast, so h = 1e-6 alone says -45811.96 (0.3% off), and the second step h = 1e-5 would
    reach x2 = 0, where an atanh's argument becomes 1: the checker raised DomainError there.
    It extrapolates with h = 1e-7 instead, -45657.046, and accepts."""
    e = Expression(3, (("prod", 0, 0, 0), ("pow", 2, 2), ("cosh", 0), ("sinh", 0), ("tan", 0),
                       ("log1p", 0), ("sign", 0), ("pow", 2.0, 0), ("atanh", 4), ("silu", 0),
                       ("div", 1.0, 0), ("add", 0, 0), ("mul", 0, 0), ("exp2", 0),
                       ("fabs", 0), ("relu", 0), ("sub", 0, 0), ("compare", 0, 0.0),
                       ("gelu", 0), ("sub", 2.5, 0), ("relu_slope", 0, 0.0), ("atan", 0),
                       ("clamp", 0, -1.0, 2.0), ("add_n", 3, *range(5, 26))))
    check_modes(e, [1.0, 0.0, 1e-05])


def test_a_seeded_campaign_draws_the_same_graphs_whatever_was_imported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis mixes the literals of the local modules loaded into its draws: a module
    of new numbers imported between two runs of one seeded campaign changed its graphs (as
    another test file, or another pytest-xdist worker's share, did).  It no longer does."""
    def drawn() -> tuple[object, ...]:
        stats = campaign(60, TIERS["wild"][1], seed_value=20261123, tier="wild")
        return stats.nodes, sorted(stats.ops.items()), stats.domain_errors

    before = drawn()
    numbers = ", ".join(repr(k / 7.0 - 11.0) for k in range(200))  # new floats in [-11, 18]
    (tmp_path / "many_literals.py").write_text(f"NUMBERS = [{numbers}]\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("many_literals")
    assert drawn() == before


def test_every_reader_refuses_a_graph_whose_leaf_was_assigned() -> None:
    """Each checked example also records its graph, assigns its leaves, and requires every
    reader to refuse; a reader that still answers is reported."""
    stats = campaign(10, max_ops=6, seed_value=3)
    assert stats.failures == [] and stats.modes["stale graph refused"] > 0


def test_the_oracle_catches_a_reader_that_ignores_an_assigned_leaf(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(value_module, "_stale_edge", lambda order: None)
    with pytest.raises(MismatchError, match=r"^stale graph: backward"):
        check_modes(Expression(1, (("exp", 0),)), [0.3])


def test_a_malformed_user_rule_is_refused_alike_in_every_mode() -> None:
    """A rule giving one derivative for two arguments: eager recording and forward mode raise
    the same TypeError, and the campaign counts it instead of reading a zero."""
    half = primitive("half_rule", lambda x, y: x * y, lambda out, x, y: (y,))
    case = OpCase("half_rule", "half_rule", half, (Domain(-2.0, 2.0), Domain(-2.0, 2.0)))
    stats = campaign(10, max_ops=3, seed_value=1, primitives=[case])
    assert stats.failures == [] and stats.modes["same TypeError"] == 10

"""micrograd's demo: MLP(2, [16, 16, 1]), hinge loss + L2, SGD, fits two moons (seed 0)."""

from __future__ import annotations

import math

import pytest

from autograd_lite.examples import moons


def test_make_moons_is_seeded_balanced_and_interleaved() -> None:
    x, y = moons.make_moons(100, noise=0.0, seed=0)
    assert y.count(-1.0) == y.count(1.0) == 50
    assert x[0] == [1.0, 0.0] and x[50] == [0.0, 0.5]       # the ends of the two arcs
    assert all(math.isclose(a * a + b * b, 1.0) for a, b in x[:50])
    assert moons.make_moons(10, seed=3) == moons.make_moons(10, seed=3)
    assert moons.make_moons(10, seed=3) != moons.make_moons(10, seed=4)


@pytest.mark.slow
def test_training_reaches_full_training_accuracy() -> None:
    t = moons.train(n=100, steps=200, seed=0)
    assert t.accuracies[0] < 0.9
    assert t.losses[-1] < 0.5 * t.losses[0]
    assert moons.accuracy(t.model, *moons.make_moons(100, seed=0)) == 1.0


def test_compiled_training_follows_the_eager_run_step_for_step() -> None:
    eager = moons.train(n=100, steps=20, seed=0)
    fast = moons.train(n=100, steps=20, seed=0, compiled=True)
    assert fast.accuracies == eager.accuracies
    for a, b in zip(fast.losses, eager.losses):
        assert math.isclose(a, b, rel_tol=1e-12)
    for p, q in zip(fast.model.parameters(), eager.model.parameters()):
        assert math.isclose(p.data, q.data, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.slow
def test_compiled_training_reaches_full_training_accuracy() -> None:
    t = moons.train(n=100, steps=200, seed=0, compiled=True)
    assert t.accuracies[-1] == 1.0
    assert moons.accuracy(t.model, *moons.make_moons(100, seed=0)) == 1.0

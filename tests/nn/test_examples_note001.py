"""Note 001_073ed05652ff6803.txt: loss gradients flow back, L'_(l-1) = L'_(l) dy_(l)/dy_(l-1)."""

from __future__ import annotations

import pytest

from autograd_lite.examples import note_001


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_loss_gradient_is_the_next_one_times_the_local_gradient(seed: int) -> None:
    r = note_001.run(seed=seed)
    assert len(r.loss_gradients) == 5          # L'_(0) (input) ... L'_(4) (the loss layer)
    assert r.loss_gradients[-1] == [1.0]       # L'_(L+1) = 1
    for engine, chained in zip(r.loss_gradients, r.chained):
        assert engine == pytest.approx(chained, abs=1e-14)


def test_head_loss_gradient_is_the_mse_slope() -> None:
    r = note_001.run()
    y = r.outputs[3]
    assert r.loss_gradients[3] == pytest.approx(
        [2 * (yk - tk) / 2 for yk, tk in zip(y, note_001.TARGET)])

"""Note 002_2630118dc530c686.txt: engine gradients equal the note's formulas; training lowers
the cost on a real regression table (diabetes, standing in for the removed Boston data)."""

from __future__ import annotations

import math

import pytest

from autograd_lite.examples import note_002
from autograd_lite.nn import MLP


def test_single_linear_neuron_gradients_are_mean_x_times_a_minus_y() -> None:
    g = note_002.neuron_gradients(n_inputs=13, batch_size=10, seed=4)
    assert g.engine_w[0][0] == pytest.approx(g.formula_w[0][0], abs=1e-14)
    assert g.engine_b[0] == pytest.approx(g.formula_b[0], abs=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_13_5_3_1_linear_network_gradients_equal_the_chained_formulas(seed: int) -> None:
    g = note_002.network_gradients((13, 5, 3, 1), batch_size=6, seed=seed)
    assert g.max_abs_difference < 1e-12


def test_chained_formula_on_a_two_layer_net_by_hand() -> None:
    # dC/dw^L1 = (a - y) w^L2 x, dC/dw^L2 = (a - y) a^L1 (the note's "Putting It All Together")
    w1, b1, w2, b2 = [[2.0]], [0.5], [[-3.0]], [1.0]
    x, y = [[1.5]], [4.0]
    a1 = 2.0 * 1.5 + 0.5
    a2 = -3.0 * a1 + 1.0
    dw, db = note_002.chained_formulas([w1, w2], [b1, b2], x, y)
    assert dw == [[[(a2 - 4.0) * -3.0 * 1.5]], [[(a2 - 4.0) * a1]]]
    assert db == [[(a2 - 4.0) * -3.0], [a2 - 4.0]]
    net = MLP.from_weights([w1, w2], [b1, b2], activation="linear")
    cost = note_002.batch_cost(net, x, y)
    cost.backward()
    assert [p.grad for p in net.parameters()] == [dw[0][0][0], db[0][0], dw[1][0][0], db[1][0]]


def test_diabetes_data_is_the_442_by_10_table() -> None:
    data = note_002.load_diabetes()
    assert len(data.x) == len(data.y) == 442
    assert data.features == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    assert data.x[0][:3] == [59.0, 2.0, 32.1] and data.y[0] == 151.0
    z, target_std = note_002.standardise(data)
    column = [row[2] for row in z.x]
    assert math.fsum(column) / 442 == pytest.approx(0.0, abs=1e-12)
    assert math.fsum(v * v for v in column) / 442 == pytest.approx(1.0)
    assert 77.0 < target_std < 77.2   # the target's spread, in its own units


def test_full_batch_gradient_descent_lowers_the_cost() -> None:
    t = note_002.train(epochs=15, learning_rate=0.1, rows=150, seed=0)
    assert t.sizes == [10, 5, 3, 1] and t.rows == 150
    assert all(later < earlier for earlier, later in zip(t.costs, t.costs[1:]))
    assert t.costs[-1] < 0.7 * t.costs[0]
    assert t.costs_original_units[0] == pytest.approx(t.costs[0] * t.target_std**2)

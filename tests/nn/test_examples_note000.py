"""Note 000_55e236883394eec8.txt: every chain-rule factor it prints, recomputed by the engine.

The expected numbers are the note's printed arrays (In [15] - In [22]), at its precision
(two decimals, three for dLdW).  V is not printed; its first row is logit(B printed).
"""

from __future__ import annotations

import math

import pytest

from autograd_lite.examples import note_000


def printed(values: tuple[float, ...], shown: list[float], decimals: int = 2) -> bool:
    return [round(v, decimals) + 0.0 for v in values] == shown


def test_hidden_activations_are_the_printed_b() -> None:
    r = note_000.run()
    assert r.b == pytest.approx((0.33, 0.75, 0.27, 0.63), rel=1e-14)


def test_dl_dp_and_dp_dc() -> None:
    r = note_000.run()
    assert round(r.dl_dp, 2) == -0.61          # In [15]: [[-0.61]]
    assert round(r.dp_dc, 2) == 0.24           # In [16]: [[ 0.24]]


def test_dc_dw_is_b_transposed_and_dl_dw_to_three_decimals() -> None:
    r = note_000.run()
    assert printed(r.dc_dw, [0.33, 0.75, 0.27, 0.63])                       # In [17]
    assert printed(r.dl_dw, [-0.048, -0.109, -0.039, -0.091], decimals=3)  # In [18]


def test_dc_db_is_w_and_db_da_is_sigmoid_slope() -> None:
    r = note_000.run()
    assert printed(r.dc_db, [-0.5, 0.65, -0.41, -1.03])   # In [19]
    assert printed(r.db_da, [0.22, 0.19, 0.2, 0.23])      # In [20]
    assert printed(r.da_dv, [1.0, 0.0, 0.0])              # In [21]: x.T


def test_dl_dv_first_row_and_zero_rows() -> None:
    r = note_000.run()
    assert printed(r.dl_dv[0], [0.02, -0.02, 0.01, 0.03])   # In [22]
    assert r.dl_dv[1] == r.dl_dv[2] == (0.0, 0.0, 0.0, 0.0)


def test_update_is_w_minus_dl_dw_and_v_minus_dl_dv() -> None:
    r = note_000.run()
    b = (0.33, 0.75, 0.27, 0.63)
    w = (-0.5, 0.65, -0.41, -1.03)
    c = sum(wi * bi for wi, bi in zip(w, b))
    p = 1 / (1 + math.exp(-c))
    common = -(1 - p) * p * (1 - p)                # dL/dP * dP/dC in closed form
    assert r.w_new == pytest.approx([wi - common * bi for wi, bi in zip(w, b)], rel=1e-12)
    v0 = [math.log(bi / (1 - bi)) for bi in b]
    expected_v0 = [v - common * wi * bi * (1 - bi) for v, wi, bi in zip(v0, w, b)]
    assert r.v_new[0] == pytest.approx(expected_v0, rel=1e-12)
    assert r.v_new[1] == r.v_new[2] == (0.0, 0.0, 0.0, 0.0)

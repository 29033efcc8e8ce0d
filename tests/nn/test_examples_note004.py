"""Note 004_a894338046b1c749.txt: engine gradients equal the note's matrix formulas.

The closed forms (dZ2 = A2 - Y, dW2 = (1/N) dZ2^T A1, db2 = mean0 dZ2,
dZ1 = dZ2 W2 * A1 (1 - A1), dW1 = (1/N) dZ1^T A0, db1 = mean0 dZ1) are written below in
plain Python floats, independently of the engine and of the example module.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite.examples import note_004

Matrix = list[list[float]]


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def note_formulas(w1: Matrix, b1: list[float], w2: Matrix, b2: list[float], x: Matrix,
                  y: Matrix) -> tuple[Matrix, list[float], Matrix, list[float]]:
    n = len(x)
    a1 = [[_sigmoid(sum(w1[j][i] * row[i] for i in range(3)) + b1[j]) for j in range(2)]
          for row in x]
    a2 = [[_sigmoid(sum(w2[k][j] * h[j] for j in range(2)) + b2[k]) for k in range(3)]
          for h in a1]
    dz2 = [[a2[r][k] - y[r][k] for k in range(3)] for r in range(n)]
    dw2 = [[sum(dz2[r][k] * a1[r][j] for r in range(n)) / n for j in range(2)]
           for k in range(3)]
    db2 = [sum(dz2[r][k] for r in range(n)) / n for k in range(3)]
    dz1 = [[sum(dz2[r][k] * w2[k][j] for k in range(3)) * a1[r][j] * (1 - a1[r][j])
            for j in range(2)] for r in range(n)]
    dw1 = [[sum(dz1[r][j] * x[r][i] for r in range(n)) / n for i in range(3)]
           for j in range(2)]
    db1 = [sum(dz1[r][j] for r in range(n)) / n for j in range(2)]
    return dw1, db1, dw2, db2


weight = st.floats(-3, 3)


@settings(max_examples=40)
@given(data=st.data(), n=st.integers(1, 6))
def test_engine_gradients_equal_the_notes_closed_forms(data: st.DataObject, n: int) -> None:
    w1 = data.draw(st.lists(st.lists(weight, min_size=3, max_size=3), min_size=2, max_size=2))
    b1 = data.draw(st.lists(weight, min_size=2, max_size=2))
    w2 = data.draw(st.lists(st.lists(weight, min_size=2, max_size=2), min_size=3, max_size=3))
    b2 = data.draw(st.lists(weight, min_size=3, max_size=3))
    x = data.draw(st.lists(st.lists(st.floats(-2, 2), min_size=3, max_size=3),
                           min_size=n, max_size=n))
    y = data.draw(st.lists(st.lists(st.sampled_from([0.0, 1.0]), min_size=3, max_size=3),
                           min_size=n, max_size=n))
    _, engine = note_004.engine_gradients(note_004.network(w1, b1, w2, b2), x, y)
    dw1, db1, dw2, db2 = note_formulas(w1, b1, w2, b2, x, y)
    for got, want in ((engine.w1, dw1), (engine.w2, dw2)):
        for got_row, want_row in zip(got, want):
            assert got_row == pytest.approx(want_row, abs=1e-12)
    assert engine.b1 == pytest.approx(db1, abs=1e-12)
    assert engine.b2 == pytest.approx(db2, abs=1e-12)


def test_example_run_reports_agreement() -> None:
    r = note_004.run(seed=3, batch_size=5)
    assert r.max_abs_difference < 1e-12
    assert r.loss > 0


def test_the_report_labels_rows_of_matrices_and_whole_bias_vectors() -> None:
    """dW1 is 2 x 3 and dW2 3 x 2 (one line per row); db1 (2) and db2 (3) are one line each."""
    lines = [line.split() for line in note_004.report().splitlines()
             if "   closed form " in line]
    labels = [" ".join(words[:words.index("engine")]) for words in lines]
    assert labels == ["dW1 row 0", "dW1 row 1", "db1 (whole vector)", "dW2 row 0", "dW2 row 1",
                      "dW2 row 2", "db2 (whole vector)"]
    engine_counts = [words.index("closed") - words.index("engine") - 1 for words in lines]
    assert engine_counts == [3, 3, 2, 2, 2, 2, 3]

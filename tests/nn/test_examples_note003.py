"""Course note 003: the 2-3-1 regression round, exact and as the note prints it.

Expected numbers are the note's printed numbers (compared at the note's printed precision)
or closed forms written here in plain floats.
"""

from __future__ import annotations

import math

import pytest

from autograd_lite import backward_html, topological_order
from autograd_lite.examples import note_003
from autograd_lite.nn.losses import squared_error


def printed(value: float, shown: str) -> bool:
    """``value`` rounds to the note's printed number at the note's precision."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return round(value, decimals) == float(shown)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# The note's forward pass and updates in closed form (exact floats, no engine).
Z = (-1 * 1 + 1 * 1 + 2 * 0, -1 * 0 + 1 * 2 + 2 * -2, -1 * -1 + 1 * 0 + 2 * 1)
A = tuple(_sigmoid(z) for z in Z)
Y = -1 * 1 + A[0] * 2 + A[1] * 3 + A[2] * -1
DELTA_O = 2 * (Y - 5)
W = (1.0, 2.0, 3.0, -1.0)
DELTA_H = tuple(DELTA_O * W[j + 1] * A[j] * (1 - A[j]) for j in range(3))


def test_network_reads_back_in_the_notes_notation() -> None:
    net = note_003.build_network()
    assert note_003.read_v(net) == note_003.V_INITIAL       # V_{0,j} is the bias weight
    assert note_003.read_w(net) == note_003.W_INITIAL       # W_{0,1} is the bias weight
    assert net.layers[0].neurons[0].bias is not None
    assert net.layers[0].neurons[0].bias.label == "layers.0.bias[0]"  # V_{0,1}
    assert net.layers[0].neurons[0].bias_input == -1.0


def test_exact_round_matches_closed_form() -> None:
    r = note_003.run()
    assert r.z == Z
    assert r.a == pytest.approx(A, rel=1e-15)
    assert r.y == pytest.approx(Y, rel=1e-14)
    assert r.loss == pytest.approx((Y - 5) ** 2, rel=1e-14)
    assert r.delta_o == pytest.approx(DELTA_O, rel=1e-14)
    assert r.delta_h == pytest.approx(DELTA_H, rel=1e-13)
    bias_and_a = (-1.0, *A)
    for j in range(4):
        assert r.w_new[j, 1] == pytest.approx(W[j] - 0.1 * DELTA_O * bias_and_a[j], rel=1e-13)
    x = (-1.0, 1.0, 2.0)
    for (i, j), v in note_003.V_INITIAL.items():
        assert r.v_new[i, j] == pytest.approx(v - 0.1 * DELTA_H[j - 1] * x[i], abs=1e-13)


def test_exact_values_that_agree_with_the_note_at_printed_precision() -> None:
    r = note_003.run()
    assert [printed(z, s) for z, s in zip(r.z, ("0", "-2", "3"))] == [True] * 3
    assert printed(r.a[0], "0.5") and printed(r.a[1], "0.1192")
    assert printed(r.y, "-0.59")                 # "After the forward pass we found y = -0.59"
    assert printed(r.w_new[1, 1], "2.559") and printed(r.w_new[2, 1], "3.133")


def test_exact_values_where_the_note_rounded_first() -> None:
    r = note_003.run()
    assert not printed(r.a[2], "0.952")          # sigma(3) = 0.95257: the note truncates
    assert not printed(r.y, "-0.5944")           # exact -0.59497, the 4th digit differs
    assert not printed(r.loss, "31.25")          # exact 31.30
    assert not printed(r.delta_o, "-11.18")      # exact -11.19
    assert not printed(r.w_new[0, 1], "-0.118")  # exact -0.119
    assert not printed(r.w_new[3, 1], "0.064")   # exact 0.066


def test_as_printed_reproduces_every_printed_forward_and_output_layer_number() -> None:
    p = note_003.as_printed()
    assert printed(p.y, "-0.5944")               # from a = 0.5, 0.1192, 0.952
    assert printed(p.loss, "31.25")              # from y = -0.59
    assert printed(p.delta_o, "-11.18")
    steps = {(0, 1): "1.118", (1, 1): "-0.559", (2, 1): "-0.133", (3, 1): "-1.064"}
    assert all(printed(p.w_steps[k], s) for k, s in steps.items())
    w_new = {(0, 1): "-0.118", (1, 1): "2.559", (2, 1): "3.133", (3, 1): "0.064"}
    assert all(printed(p.w_new[k], s) for k, s in w_new.items())


def test_the_erratum_fed_minus_13_8_reproduces_the_printed_hidden_layer() -> None:
    p = note_003.as_printed(-13.8)
    assert [printed(d, s) for d, s in zip(p.delta_h, ("-6.9", "-4.34", "0.63"))] == [True] * 3
    v_new = {(0, 1): "0.31", (0, 2): "-0.434", (0, 3): "-0.9370",
             (1, 1): "1.69", (1, 2): "2.434", (1, 3): "-0.063",
             (2, 1): "1.38", (2, 2): "-1.132", (2, 3): "0.874"}
    assert {k: printed(p.v_new[k], s) for k, s in v_new.items()} == dict.fromkeys(v_new, True)


def test_minus_13_8_alone_is_not_enough_the_note_also_used_rounded_activations() -> None:
    # Back-propagate the note's -13.8 through the engine with exact activations.
    net = note_003.build_network()
    hidden, output = net.layer_values(list(note_003.X))
    output.a[0].backward(-13.8)
    deltas = [z.grad for z in hidden.z]
    assert deltas == pytest.approx([-13.8 * W[j + 1] * A[j] * (1 - A[j]) for j in range(3)])
    assert printed(deltas[0], "-6.9")
    assert not printed(deltas[1], "-4.34") and printed(deltas[1], "-4.35")
    assert not printed(deltas[2], "0.63") and printed(deltas[2], "0.62")


def test_the_correct_hidden_layer_uses_delta_o_11_18_not_13_8() -> None:
    exact = note_003.run()
    corrected = note_003.as_printed(-11.18)  # the note: "Just replace -13.8 with -11.18"
    assert corrected.delta_h == pytest.approx(exact.delta_h, abs=0.01)
    assert squared_error(-0.59, 5.0).data == pytest.approx(31.2481)


def test_the_loss_graph_names_its_nodes_with_the_notes_symbols() -> None:
    loss, params, inputs = note_003.loss_graph()
    order = topological_order(loss)
    by_label = {node.label: node for node in order if node.label}
    leaves = [node for node in order if node.op is None]
    assert all(leaf.label for leaf in leaves)  # no unlabelled "data 1" box
    assert [x.label for x in inputs] == ["x1", "x2"] and [x.data for x in inputs] == [1.0, 2.0]
    assert not any(x.requires_grad for x in inputs)
    assert by_label["t"].data == 5.0 and not by_label["t"].requires_grad
    assert loss.label == "L" and by_label["y"].data == pytest.approx(Y)
    biases = [leaf for leaf in leaves if "(bias)" in leaf.label]
    assert sorted(b.label for b in biases) == ["a0 (bias)"] + ["x0 (bias)"] * 3
    assert all(b.data == -1.0 and not b.requires_grad for b in biases)
    for j in (1, 2, 3):
        assert by_label[f"z{j}"].data == pytest.approx(Z[j - 1])
        assert by_label[f"a{j}"].data == pytest.approx(A[j - 1])
    # each weight is the note's by its value and by its gradient (as run() computes them)
    loss.backward()
    r = note_003.run()
    assert sorted(p.label for p in params) == sorted(
        [f"V{i}{j}" for (i, j) in note_003.V_INITIAL] + [f"W{j}1" for j in range(4)])
    for (i, j), v in note_003.V_INITIAL.items():
        node = by_label[f"V{i}{j}"]
        assert (node.data, node.grad) == (v, pytest.approx(r.grad_v[i, j]))
    for (j, _), w in note_003.W_INITIAL.items():
        node = by_label[f"W{j}1"]
        assert (node.data, node.grad) == (w, pytest.approx(r.grad_w[j, 1]))


def test_the_step_page_finds_every_symbol_of_the_note() -> None:
    loss, params, inputs = note_003.loss_graph()
    page = backward_html(loss, params=params, inputs=inputs, backend="wasm")
    for symbol in ("x1", "x2", "V01", "V23", "W21", "W31", "z1", "a3", "y", "t", "L",
                   "x0 (bias)", "a0 (bias)"):
        assert f'<option value="{symbol}">' in page, symbol  # the search box's list
    assert "layers.0" not in page

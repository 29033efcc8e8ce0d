"""Course note 000: the chain of partial derivatives in a 3-4-1 sigmoid net.

The note writes the network as ``A = xV``, ``B = sigmoid(A)``, ``C = BW``, ``P = sigmoid(C)``,
``L = 1/2 (y - P)^2`` -- no biases -- with input ``x = (1, 0, 0)`` and target ``y = 1``, and
prints each factor of the chain rule rounded to two or three decimals, then updates
``W -= dL/dW``, ``V -= dL/dV`` (learning rate 1).

It prints ``W`` (through ``dC/dB = W^T``) and the hidden activations ``B`` (through
``dC/dW = B^T``), but not ``V``.  Since ``x = (1, 0, 0)``, ``A`` is the first row of ``V``,
and only that row matters: we choose ``V[0][j] = logit(B_j) = log(B_j / (1 - B_j))`` so the
hidden activations are exactly the printed ``B``; the other two rows (multiplied by 0, so
with zero gradient) are set to 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from autograd_lite.nn import MLP
from autograd_lite.nn.losses import half_squared_error
from autograd_lite.nn.optim import SGD

NOTE = "course note 000"
TITLE = "3-4-1 sigmoid net without biases, loss 1/2 (y - P)^2, the chain rule factor by factor"

X = (1.0, 0.0, 0.0)
TARGET = 1.0
LEARNING_RATE = 1.0
B_PRINTED = (0.33, 0.75, 0.27, 0.63)     # dC/dW = B^T, as printed
W_PRINTED = (-0.5, 0.65, -0.41, -1.03)   # dC/dB = W^T, as printed


def build_network() -> MLP:
    """The note's net in PyTorch layout: ``weight[out][in]`` is ``V^T`` then ``W^T``."""
    v_first_row = [math.log(b / (1.0 - b)) for b in B_PRINTED]
    v_transposed = [[v, 0.0, 0.0] for v in v_first_row]   # 4 hidden x 3 inputs
    return MLP.from_weights([v_transposed, [list(W_PRINTED)]], None,
                            activation="sigmoid", output_activation="sigmoid")


@dataclass(frozen=True)
class Chain:
    """Every factor the note prints, computed by the engine, plus the updated weights."""

    b: tuple[float, ...]                  # hidden activations B
    p: float                              # prediction P
    loss: float
    dl_dp: float                          # -(y - P)
    dp_dc: float                          # sigmoid'(C)
    dc_dw: tuple[float, ...]              # B^T
    dl_dw: tuple[float, ...]              # dC/dW * dL/dP * dP/dC
    dc_db: tuple[float, ...]              # W^T
    db_da: tuple[float, ...]              # sigmoid'(A)
    da_dv: tuple[float, ...]              # x^T
    dl_dv: tuple[tuple[float, ...], ...]  # 3 x 4, as the note's V
    w_new: tuple[float, ...]
    v_new: tuple[tuple[float, ...], ...]  # 3 x 4


def run() -> Chain:
    """Forward, backward and the note's update ``W -= dL/dW``, ``V -= dL/dV``."""
    net = build_network()
    hidden, output = net.layer_values(list(X))
    p = output.a[0]
    c = output.z[0]
    loss = half_squared_error(p, TARGET)
    net.zero_grad()
    loss.backward()
    hidden_layer, out_layer = net.layers
    w = out_layer.neurons[0].weight
    # C = dot([w1..w4], [b1..b4]): its local derivatives are (b1..b4, w1..w4).
    dc_dw = c.local_grads[:4]
    dc_db = c.local_grads[4:8]
    # Each hidden neuron's A_j = dot([v_1j, v_2j, v_3j], x): local derivatives (x, v).
    da_dv = hidden.z[0].local_grads[:3]
    b = tuple(v.data for v in hidden.a)
    dl_dw = tuple(v.grad for v in w)
    db_da = tuple(v.local_grads[0] for v in hidden.a)
    dl_dv = tuple(tuple(n.weight[i].grad for n in hidden_layer.neurons) for i in range(3))
    SGD(net.parameters(), lr=LEARNING_RATE).step()
    return Chain(b=b, p=p.data, loss=loss.data, dl_dp=p.grad, dp_dc=p.local_grads[0],
                 dc_dw=tuple(dc_dw), dl_dw=dl_dw, dc_db=tuple(dc_db), db_da=db_da,
                 da_dv=tuple(da_dv), dl_dv=dl_dv, w_new=tuple(v.data for v in w),
                 v_new=tuple(tuple(n.weight[i].data for n in hidden_layer.neurons)
                             for i in range(3)))


def _vec(xs: tuple[float, ...], digits: int = 2) -> str:
    return "[" + " ".join(f"{x:+.{digits}f}" for x in xs) + "]"


def report() -> str:
    """The note's cells In [15] - In [23], recomputed by the engine."""
    r = run()
    rows = [
        ("dLdP = -(y - P)", f"{r.dl_dp:+.4f}", "[[-0.61]]"),
        ("dPdC = sigmoid(C)(1 - sigmoid(C))", f"{r.dp_dc:+.4f}", "[[ 0.24]]"),
        ("dCdW = B.T", _vec(r.dc_dw), "[0.33 0.75 0.27 0.63]"),
        ("dLdW = dCdW (dLdP dPdC)", _vec(r.dl_dw, 3), "[-0.048 -0.109 -0.039 -0.091]"),
        ("dCdB = W.T", _vec(r.dc_db), "[-0.5 0.65 -0.41 -1.03]"),
        ("dBdA = sigmoid(A)(1 - sigmoid(A))", _vec(r.db_da), "[0.22 0.19 0.2 0.23]"),
        ("dAdV = x.T", _vec(r.da_dv, 0), "[1 0 0]"),
        ("dLdV row 1", _vec(r.dl_dv[0]), "[0.02 -0.02 0.01 0.03]"),
        ("dLdV rows 2, 3", _vec(r.dl_dv[1]) + " x2", "zeros"),
    ]
    lines = [f"{NOTE.capitalize()}: {TITLE}",
             f"x = {X}, target y = {TARGET:g}; W = {W_PRINTED}; B = {B_PRINTED} "
             "(V's first row = logit(B), see the docstring)",
             f"P = {r.p:.4f}, L = 1/2 (y - P)^2 = {r.loss:.4f}", "",
             f"  {'quantity':36}{'engine':32}note prints"]
    lines += [f"  {name:36}{value:32}{shown}" for name, value, shown in rows]
    lines += ["", "Update (learning rate 1): W -= dLdW, V -= dLdV",
              f"  W new = {_vec(r.w_new, 4)}", f"  V new row 1 = {_vec(r.v_new[0], 4)}"]
    return "\n".join(lines)

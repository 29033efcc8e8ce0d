"""Course note 003: one round of backpropagation in a 2-3-1 regression net.

The note's network: inputs ``x = (1, 2)`` plus a bias input fixed at ``-1``; three sigmoid
hidden neurons with weights ``V[i, j]`` (input ``i`` -> hidden ``j``, ``i = 0`` the bias);
one linear output with weights ``W[j, 1]`` (``j = 0`` the bias); target ``t = 5``; loss
``(y - t)^2``; learning rate ``eta = 0.1``.  (The note lists the last output weight twice
as ``W_{2,1}``; its use makes clear the second is ``W_{3,1} = -1``.)

:func:`run` does the round with the engine, exactly.  The note computes by hand from
rounded numbers, and its hidden layer uses an output delta of -13.8 where it should use
-11.18 (an error the note flags itself).  :func:`as_printed` repeats the note's own
arithmetic from its own rounded inputs, so every printed number is accounted for:

* y = -0.5944 uses the activations as printed, (0.5, 0.1192, 0.952); exactly y = -0.59497.
* the loss 31.25 and delta_o = -11.18 use y rounded to -0.59 (exactly 31.30 and -11.19).
* the W updates use a = (0.5, 0.119, 0.952): W_{0,1} = -0.118 and W_{3,1} = 0.064 need
  the rounded values (exactly -0.119 and 0.066); W_{1,1} and W_{2,1} match either way.
* the hidden deltas -6.9, -4.34, 0.63 are -13.8 * W_{j,1} * a_j (1 - a_j) with the rounded
  a; with exact activations -13.8 would give -6.9, -4.35, 0.62.
* the V updates use those deltas rounded to two decimals (V_{0,3} = -0.9370 needs 0.63).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from autograd_lite.core.value import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import squared_error
from autograd_lite.nn.optim import SGD

NOTE = "course note 003"
TITLE = "2-3-1 regression net, sigmoid hidden layer, bias input -1, loss (y - t)^2"

X = (1.0, 2.0)
TARGET = 5.0
ETA = 0.1
BIAS_INPUT = -1.0
# V[i, j]: input i (0 = the bias input -1) -> hidden neuron j.
V_INITIAL: dict[tuple[int, int], float] = {
    (0, 1): 1.0, (0, 2): 0.0, (0, 3): -1.0,
    (1, 1): 1.0, (1, 2): 2.0, (1, 3): 0.0,
    (2, 1): 0.0, (2, 2): -2.0, (2, 3): 1.0,
}
# W[j, 1]: hidden neuron j (0 = the bias input -1) -> the output.
W_INITIAL: dict[tuple[int, int], float] = {(0, 1): 1.0, (1, 1): 2.0, (2, 1): 3.0, (3, 1): -1.0}

# The note's rounded intermediate values and its mistaken output delta.
PRINTED_ACTIVATIONS = (0.5, 0.1192, 0.952)  # "a_2 ~ 0.1192, a_3 ~ 0.952"
PRINTED_Y_ROUNDED = -0.59                     # "we found y = -0.59"
ROUNDED_ACTIVATIONS = (0.5, 0.119, 0.952)     # as used in the W updates and hidden deltas
NOTE_DELTA_O = -13.8                          # the note's slip for -11.18


def build_network(v: dict[tuple[int, int], float] | None = None,
                  w: dict[tuple[int, int], float] | None = None) -> MLP:
    """The note's network from weights in its notation, with the bias as an input of -1."""
    v = V_INITIAL if v is None else v
    w = W_INITIAL if w is None else w
    hidden = [[v[i, j] for i in (1, 2)] for j in (1, 2, 3)]
    output = [[w[j, 1] for j in (1, 2, 3)]]
    return MLP.from_weights([hidden, output], [[v[0, j] for j in (1, 2, 3)], [w[0, 1]]],
                            activation="sigmoid", output_activation="linear",
                            bias_input=BIAS_INPUT)


class NoteGraph(NamedTuple):
    """The note's loss, the parameters (``V``, ``W``) and the data inputs (``x1``, ``x2``)."""

    loss: Value
    params: list[Value]
    inputs: list[Value]


def loss_graph() -> NoteGraph:
    """The note's loss L = (y - t)^2 at its input, every node a person reads labelled with
    the note's symbols: the inputs ``x1``, ``x2``, the bias inputs ``x0`` and ``a0`` (each
    -1), the weights ``V01`` ... ``V23`` and ``W01`` ... ``W31``, the sums ``z1`` ... ``z3``,
    the activations ``a1`` ... ``a3``, the output ``y``, the target ``t`` and the loss ``L``.
    The graph the step-through page and the pictures of this note draw
    (``draw_dot(loss, params=params, inputs=inputs)``).

    >>> loss, params, inputs = loss_graph()
    >>> round(loss.data, 4), len(params), [x.label for x in inputs]
    (31.3036, 13, ['x1', 'x2'])
    >>> sorted(p.label for p in params)[:4], loss.label
    (['V01', 'V02', 'V03', 'V11'], 'L')
    """
    net = build_network()
    for j, neuron in enumerate(net.layers[0].neurons, start=1):
        for i, weight in enumerate(neuron.weight, start=1):
            weight.label = f"V{i}{j}"
        if neuron.bias is not None:
            neuron.bias.label = f"V0{j}"
    output = net.layers[1].neurons[0]
    for j, weight in enumerate(output.weight, start=1):
        weight.label = f"W{j}1"
    if output.bias is not None:
        output.bias.label = "W01"
    inputs = [Value(x, f"x{i}", requires_grad=False) for i, x in enumerate(X, start=1)]
    hidden, out = net.layer_values(inputs)
    for j, (z, a) in enumerate(zip(hidden.z, hidden.a), start=1):
        z.label, a.label = f"z{j}", f"a{j}"
        z.parents[-1].label = "x0 (bias)"  # the neuron's bias input, -1: its last operand
    y = out.a[0]
    y.label = "y"
    y.parents[-1].label = "a0 (bias)"
    loss = squared_error(y, Value(TARGET, "t", requires_grad=False))
    loss.label = "L"
    return NoteGraph(loss, net.parameters(), inputs)


def read_v(net: MLP) -> dict[tuple[int, int], float]:
    """The first layer's weights in the note's notation: ``V[i, j]``, ``V[0, j]`` the bias."""
    v: dict[tuple[int, int], float] = {}
    for j, neuron in enumerate(net.layers[0].neurons, start=1):
        if neuron.bias is not None:
            v[0, j] = neuron.bias.data
        for i, weight in enumerate(neuron.weight, start=1):
            v[i, j] = weight.data
    return dict(sorted(v.items()))


def read_w(net: MLP) -> dict[tuple[int, int], float]:
    """The output weights in the note's notation: ``W[j, 1]``, ``W[0, 1]`` the bias."""
    neuron = net.layers[1].neurons[0]
    w = {} if neuron.bias is None else {(0, 1): neuron.bias.data}
    w.update({(j, 1): weight.data for j, weight in enumerate(neuron.weight, start=1)})
    return w


@dataclass(frozen=True)
class Round:
    """One round of backpropagation, in the note's symbols."""

    z: tuple[float, ...]                 # signal into hidden neuron j
    a: tuple[float, ...]                 # a_j = sigmoid(z_j)
    y: float                             # the output (linear, o = y)
    loss: float                          # (y - t)^2
    delta_o: float                       # dL/dy = 2 (y - t)
    delta_h: tuple[float, ...]           # dL/dz_j = delta_o W_{j,1} a_j (1 - a_j)
    grad_w: dict[tuple[int, int], float]  # dL/dW_{j,1} = delta_o a_j (a_0 = -1)
    grad_v: dict[tuple[int, int], float]  # dL/dV_{i,j} = delta_h(j) x_i (x_0 = -1)
    w_new: dict[tuple[int, int], float]
    v_new: dict[tuple[int, int], float]


def run() -> Round:
    """The round done by the engine: forward, loss, backward, one SGD step (exact)."""
    net = build_network()
    hidden, output = net.layer_values(list(X))
    y = output.a[0]
    loss = squared_error(y, TARGET)
    net.zero_grad()
    loss.backward()
    grad_v = {(i, j): 0.0 for (i, j) in V_INITIAL}
    for j, neuron in enumerate(net.layers[0].neurons, start=1):
        grad_v[0, j] = neuron.bias.grad if neuron.bias is not None else 0.0
        for i, weight in enumerate(neuron.weight, start=1):
            grad_v[i, j] = weight.grad
    out = net.layers[1].neurons[0]
    grad_w = {(0, 1): out.bias.grad if out.bias is not None else 0.0}
    grad_w.update({(j, 1): weight.grad for j, weight in enumerate(out.weight, start=1)})
    z, a, delta_h = (tuple(v.data for v in hidden.z), tuple(v.data for v in hidden.a),
                     tuple(v.grad for v in hidden.z))
    SGD(net.parameters(), lr=ETA).step()
    return Round(z=z, a=a, y=y.data, loss=loss.data, delta_o=y.grad, delta_h=delta_h,
                 grad_w=grad_w, grad_v=dict(sorted(grad_v.items())),
                 w_new=read_w(net), v_new=read_v(net))


@dataclass(frozen=True)
class AsPrinted:
    """The note's hand arithmetic, from its own rounded inputs (see the module docstring)."""

    y: float
    loss: float
    delta_o: float
    w_steps: dict[tuple[int, int], float]  # eta * delta_o * a_j, as the note writes them
    w_new: dict[tuple[int, int], float]
    delta_h: tuple[float, ...]             # with the note's -13.8
    v_new: dict[tuple[int, int], float]    # from delta_h rounded to two decimals


def as_printed(delta_o_hidden: float = NOTE_DELTA_O) -> AsPrinted:
    """Repeat the note's arithmetic with its rounded numbers and its hidden-layer delta.

    ``delta_o_hidden=-11.18`` gives the corrected hidden layer the note asks the reader
    to work out ("just replace -13.8 with -11.18").
    """
    w, v = W_INITIAL, V_INITIAL
    a_printed = (BIAS_INPUT, *PRINTED_ACTIVATIONS)
    y = math.fsum(w[j, 1] * a_printed[j] for j in range(4))
    loss = (PRINTED_Y_ROUNDED - TARGET) ** 2
    delta_o = 2.0 * (PRINTED_Y_ROUNDED - TARGET)
    a = (BIAS_INPUT, *ROUNDED_ACTIVATIONS)
    w_steps = {(j, 1): ETA * delta_o * a[j] for j in range(4)}
    w_new = {(j, 1): w[j, 1] - w_steps[j, 1] for j in range(4)}
    delta_h = tuple(delta_o_hidden * w[j, 1] * a[j] * (1.0 - a[j]) for j in (1, 2, 3))
    x = (BIAS_INPUT, *X)
    v_new = {(i, j): v[i, j] - ETA * round(delta_h[j - 1], 2) * x[i] for (i, j) in v}
    return AsPrinted(y, loss, delta_o, w_steps, w_new, delta_h, dict(sorted(v_new.items())))


def _fmt(x: float, digits: int = 4) -> str:
    return f"{x:+.{digits}f}"


def _row(label: str, value: float, note: str) -> str:
    return f"  {label:42}{value:+15.4f}   {note}"


def report() -> str:
    """The round step by step, as the note lays it out, exact and as printed."""
    r, p = run(), as_printed()
    lines = [
        f"{NOTE.capitalize()}: {TITLE}",
        f"x = {X}, t = {TARGET:g}, eta = {ETA:g}; the bias is an extra input of -1.",
        "",
        "Weights (the note's notation):",
        "  V[i,j] input i -> hidden j:  " + "  ".join(
            f"V{i}{j}={V_INITIAL[i, j]:g}" for (i, j) in sorted(V_INITIAL)),
        "  W[j,1] hidden j -> output:   " + "  ".join(
            f"W{j}1={W_INITIAL[j, 1]:g}" for (j, _) in W_INITIAL),
        "",
        f"{'Forward pass':44}{'engine (exact)':>15}   note prints",
    ]
    for j, shown in enumerate(("0", "-2", "3")):
        lines.append(_row(f"z{j + 1} = -1*V0{j + 1} + x1*V1{j + 1} + x2*V2{j + 1}", r.z[j],
                          shown))
    for j, shown in enumerate(("0.5", "0.1192", "0.952")):
        lines.append(_row(f"a{j + 1} = sigmoid(z{j + 1})", r.a[j], shown))
    lines += [
        _row("y = -1*W01 + a1*W11 + a2*W21 + a3*W31", r.y,
             f"-0.5944  (a = 0.5, 0.1192, 0.952 give {p.y:.4f})"),
        _row("L = (y - t)^2", r.loss, f"31.25    (y = -0.59 gives {p.loss:.4f})"),
        "",
        "Backward pass",
        _row("delta_o = dL/dy = 2(y - t)", r.delta_o,
             f"-11.18   (y = -0.59 gives {p.delta_o:.2f})"),
        "  Output weights, W[j,1] <- W[j,1] - eta * delta_o * a_j  (a_0 = -1):",
    ]
    printed_w = {0: "-0.118", 1: "2.559", 2: "3.133", 3: "0.064"}
    for j in range(4):
        lines.append(f"    W{j}1: {W_INITIAL[j, 1]:+g} -> {_fmt(r.w_new[j, 1])}   note "
                     f"{printed_w[j]:>7}  (from a = 0.5, 0.119, 0.952: {p.w_new[j, 1]:+.3f})")
    lines += [
        "  Hidden deltas, delta_h(j) = dL/dz_j = delta_o * W[j,1] * a_j (1 - a_j):",
    ]
    printed_dh = ("-6.9", "-4.34", "0.63")
    for j in range(3):
        lines.append(f"    delta_h({j + 1}) = {_fmt(r.delta_h[j])}   note {printed_dh[j]:>6}"
                     f"  (from -13.8 and rounded a: {p.delta_h[j]:+.4f})")
    lines.append("  Hidden weights, V[i,j] <- V[i,j] - eta * delta_h(j) * x_i  (x_0 = -1):")
    printed_v = {(0, 1): "0.31", (0, 2): "-0.434", (0, 3): "-0.9370", (1, 1): "1.69",
                 (1, 2): "2.434", (1, 3): "-0.063", (2, 1): "1.38", (2, 2): "-1.132",
                 (2, 3): "0.874"}
    for key in sorted(V_INITIAL):
        i, j = key
        lines.append(f"    V{i}{j}: {V_INITIAL[key]:+g} -> {_fmt(r.v_new[key])}   note "
                     f"{printed_v[key]:>7}  (note's arithmetic: {p.v_new[key]:+.4f})")
    lines += [
        "",
        "Erratum: the note's hidden layer uses delta_o = -13.8 instead of -11.18 (it says",
        "so itself).  Fed -13.8 and its rounded activations (0.5, 0.119, 0.952), the note's",
        "arithmetic above reproduces every printed hidden delta and V to the digit; the",
        "engine column is the correct round, with delta_o = "
        f"{r.delta_o:.4f}.",
    ]
    return "\n".join(lines)

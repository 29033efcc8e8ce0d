"""Course note 001: the layer view of backpropagation.

Layer ``l`` computes ``y_(l) = a_(l)(f_(l)(y_(l-1), W_(l)))``, layer 0 is the input ``x``,
layer ``L`` the head, and layer ``L + 1`` the loss, ``y_(L+1) = L``.  The *loss gradient*
``L'_(l) = dL/dy_(l)`` flows backwards:

    L'_(L+1) = 1,     L'_(l-1) = L'_(l) . dy_(l)/dy_(l-1)

where ``dy_(l)/dy_(l-1)`` is the layer's *local gradient* (Jacobian).  For a dense layer
with ``y = g(W y_prev + b)`` it is ``g'(z_k) W[k][i]``, which :func:`run` writes out in plain
floats and multiplies by the engine's ``L'_(l)`` to compare with the engine's ``L'_(l-1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from autograd_lite.core.value import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import mean_squared_error

NOTE = "course note 001"
TITLE = "the layer view: loss gradients L'_(l) = dL/dy_(l), flowing backwards"

X = (0.5, -1.0, 2.0)
TARGET = (1.0, -1.0)
SIZES = (4, 3, 2)

def _derivative_from_output(activation: str, y: float) -> float:
    """g'(z) written through the output y = g(z), as the notes do."""
    if activation == "tanh":
        return 1.0 - y * y
    if activation == "sigmoid":
        return y * (1.0 - y)
    if activation == "linear":
        return 1.0
    raise ValueError(f"note 001 example: no closed form for activation {activation!r}")


@dataclass(frozen=True)
class LayerView:
    """``loss_gradients[l] = L'_(l)`` for l = 0 .. L+1, and the chained products."""

    outputs: list[list[float]]          # y_(0) = x, y_(1), ..., y_(L), then [L]
    loss_gradients: list[list[float]]   # L'_(0), ..., L'_(L+1) = [1.0], by the engine
    chained: list[list[float]]          # L'_(l) . dy_(l)/dy_(l-1) for l = 1 .. L+1 (closed form)

    @property
    def max_abs_difference(self) -> float:
        """Largest |L'_(l-1) - L'_(l) . dy_(l)/dy_(l-1)| over every layer."""
        return max(abs(a - b) for engine, chained in zip(self.loss_gradients, self.chained)
                   for a, b in zip(engine, chained))


def run(seed: int = 1) -> LayerView:
    """A 3-4-3-2 tanh network (linear head) with MSE loss, seen layer by layer."""
    net = MLP(len(X), list(SIZES), activation="tanh", output_activation="linear", seed=seed)
    x = [Value(v, f"x[{i}]") for i, v in enumerate(X)]
    traces = net.layer_values(x)
    y = traces[-1].a
    loss = mean_squared_error(y, list(TARGET))
    loss.backward()
    layers = [x, *(t.a for t in traces)]
    grads = [[v.grad for v in layer] for layer in layers] + [[1.0]]
    chained: list[list[float]] = []
    for k, layer in enumerate(net.layers, start=1):
        upstream, layer_out = grads[k], layers[k]
        # (L'_(k) . J)[i] = sum_j L'_(k)[j] g'(z_j) W[j][i]
        chained.append([math.fsum(upstream[j] * _derivative_from_output(layer.activation,
                                                                        layer_out[j].data)
                                  * n.weight[i].data for j, n in enumerate(layer.neurons))
                        for i in range(layer.nin)])
    # The loss layer: dy_(L+1)/dy_(L) = dMSE/dy = 2 (y - t) / n.
    chained.append([1.0 * 2.0 * (v.data - t) / len(TARGET) for v, t in zip(y, TARGET)])
    outputs = [[v.data for v in layer] for layer in layers] + [[loss.data]]
    return LayerView(outputs, grads, chained)


def report() -> str:
    """L'_(l) for every layer, and the check of the backward recursion."""
    r = run()
    n = len(r.loss_gradients) - 1
    lines = [f"{NOTE.capitalize()}: {TITLE}",
             f"A {'-'.join(map(str, (len(X), *SIZES)))} network (tanh hidden layers, linear "
             f"head), x = {X}, target {TARGET}, MSE loss as layer L+1 = {n}.", ""]
    for k in reversed(range(n + 1)):
        name = "loss" if k == n else ("input" if k == 0 else f"layer {k}")
        grads = " ".join(f"{g:+.6f}" for g in r.loss_gradients[k])
        lines.append(f"  L'_({k}) = dL/dy_({k})  [{name:7}]  {grads}")
    lines.append("")
    lines.append("Check L'_(l-1) = L'_(l) . dy_(l)/dy_(l-1), the local gradient in closed form")
    lines.append("(g'(z) W for a dense layer, 2 (y - t) / n for the MSE loss layer):")
    for k in reversed(range(1, n + 1)):
        chained = " ".join(f"{g:+.6f}" for g in r.chained[k - 1])
        lines.append(f"  L'_({k}) . dy_({k})/dy_({k - 1}) = {chained}")
    lines.append(f"largest difference from the engine's L'_(l-1): {r.max_abs_difference:.1e}")
    return "\n".join(lines)

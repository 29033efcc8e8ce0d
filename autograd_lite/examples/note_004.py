"""Course note 004: a 3-2-3 sigmoid net, BCE over a batch, closed-form gradients.

The note's loss for a batch of ``N`` examples is the binary cross-entropy summed over the
three outputs and averaged over the batch (its ``mean_0``), with ``A2 = sigmoid(Z2)``:

    L = (1/N) sum_n sum_k -(Y log A2 + (1 - Y) log(1 - A2))[n, k]

and it derives, in matrix form (``*`` elementwise, ``A0 = X``)::

    dZ2 = A2 - Y                    dW2 = (1/N) dZ2^T A1     db2 = mean_0 dZ2
    dZ1 = dZ2 W2 * A1 (1 - A1)      dW1 = (1/N) dZ1^T A0     db1 = mean_0 dZ1

:func:`run` builds a random net and batch, back-propagates with the engine, and computes
these formulas with plain floats (:func:`closed_form`), independently of the engine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from autograd_lite.core.value import add_n
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import binary_cross_entropy

NOTE = "course note 004"
TITLE = "3-2-3 sigmoid net, binary cross-entropy averaged over a batch"

Matrix = list[list[float]]


@dataclass(frozen=True)
class Gradients:
    """dL/dW1 (2 x 3), dL/db1 (2), dL/dW2 (3 x 2), dL/db2 (3), in the note's layout."""

    w1: Matrix
    b1: list[float]
    w2: Matrix
    b2: list[float]


def network(w1: Matrix, b1: list[float], w2: Matrix, b2: list[float]) -> MLP:
    """The note's net: ``W[l]`` is ``n_l x n_(l-1)``, exactly PyTorch's (and our) layout."""
    return MLP.from_weights([w1, w2], [b1, b2], activation="sigmoid",
                            output_activation="sigmoid")


def engine_gradients(net: MLP, x: Sequence[Sequence[float]],
                     y: Sequence[Sequence[float]]) -> tuple[float, Gradients]:
    """The batch loss and its gradients, by the engine."""
    losses = []
    for xn, yn in zip(x, y):
        out = net(list(xn))
        outputs = out if isinstance(out, list) else [out]
        losses += [binary_cross_entropy(a, t) for a, t in zip(outputs, yn)]
    loss = add_n(losses) * (1.0 / len(y))   # sum over outputs, mean over the batch
    net.zero_grad()
    loss.backward()
    layer1, layer2 = net.layers
    return loss.data, Gradients(
        w1=[[w.grad for w in n.weight] for n in layer1.neurons],
        b1=[n.bias.grad if n.bias is not None else 0.0 for n in layer1.neurons],
        w2=[[w.grad for w in n.weight] for n in layer2.neurons],
        b2=[n.bias.grad if n.bias is not None else 0.0 for n in layer2.neurons])


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _affine(a: Sequence[Sequence[float]], w: Matrix, b: list[float]) -> Matrix:
    """``A W^T + 1 b^T``."""
    return [[sum(ai * wi for ai, wi in zip(row, wr)) + bj for wr, bj in zip(w, b)] for row in a]


def _grad_w(dz: Matrix, a: Sequence[Sequence[float]]) -> Matrix:
    """``(1/N) dZ^T A``."""
    n = len(dz)
    return [[sum(dz[r][j] * a[r][i] for r in range(n)) / n for i in range(len(a[0]))]
            for j in range(len(dz[0]))]


def _mean0(dz: Matrix) -> list[float]:
    return [sum(col) / len(dz) for col in zip(*dz)]


def closed_form(w1: Matrix, b1: list[float], w2: Matrix, b2: list[float],
                x: Sequence[Sequence[float]], y: Sequence[Sequence[float]]) -> Gradients:
    """The note's matrix formulas, on plain floats."""
    a1 = [[_sigmoid(z) for z in row] for row in _affine(x, w1, b1)]
    a2 = [[_sigmoid(z) for z in row] for row in _affine(a1, w2, b2)]
    dz2 = [[a - t for a, t in zip(ra, ry)] for ra, ry in zip(a2, y)]
    dz1 = [[sum(dz2[r][k] * w2[k][j] for k in range(len(w2))) * a1[r][j] * (1.0 - a1[r][j])
            for j in range(len(w1))] for r in range(len(x))]
    return Gradients(_grad_w(dz1, x), _mean0(dz1), _grad_w(dz2, a1), _mean0(dz2))


@dataclass(frozen=True)
class Comparison:
    """The engine's gradients beside the note's closed forms."""

    batch_size: int
    loss: float
    engine: Gradients
    closed_form: Gradients

    @property
    def max_abs_difference(self) -> float:
        """The largest |engine - closed form| over every parameter."""
        pairs = [(self.engine.w1, self.closed_form.w1), (self.engine.w2, self.closed_form.w2),
                 ([self.engine.b1], [self.closed_form.b1]),
                 ([self.engine.b2], [self.closed_form.b2])]
        return max(abs(e - c) for m1, m2 in pairs for r1, r2 in zip(m1, m2)
                   for e, c in zip(r1, r2))


def run(seed: int = 0, batch_size: int = 4) -> Comparison:
    """A random 3-2-3 net, batch and multi-label targets; both ways of getting gradients."""
    rng = random.Random(seed)
    w1 = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(2)]
    b1 = [rng.uniform(-1, 1) for _ in range(2)]
    w2 = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(3)]
    b2 = [rng.uniform(-1, 1) for _ in range(3)]
    x = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(batch_size)]
    y = [[float(rng.random() < 0.5) for _ in range(3)] for _ in range(batch_size)]
    loss, engine = engine_gradients(network(w1, b1, w2, b2), x, y)
    return Comparison(batch_size, loss, engine, closed_form(w1, b1, w2, b2, x, y))


def report() -> str:
    """Engine gradients beside the closed forms for one random batch."""
    r = run()

    def row(label: str, e: Sequence[float], c: Sequence[float]) -> str:
        return (f"  {label:<20}engine " + " ".join(f"{v:+.6f}" for v in e) +
                "   closed form " + " ".join(f"{v:+.6f}" for v in c))

    def rows(name: str, e: Sequence[Sequence[float]], c: Sequence[Sequence[float]]) -> list[str]:
        return [row(f"{name} row {i}", re, rc) for i, (re, rc) in enumerate(zip(e, c))]

    lines = [f"{NOTE.capitalize()}: {TITLE}",
             f"Random weights, a batch of N = {r.batch_size}, random 0/1 labels (seed 0); "
             f"L = {r.loss:.6f}", ""]
    lines += rows("dW1", r.engine.w1, r.closed_form.w1)
    lines.append(row("db1 (whole vector)", r.engine.b1, r.closed_form.b1))
    lines += rows("dW2", r.engine.w2, r.closed_form.w2)
    lines.append(row("db2 (whole vector)", r.engine.b2, r.closed_form.b2))
    lines += ["", f"largest |engine - closed form| = {r.max_abs_difference:.2e}"]
    return "\n".join(lines)

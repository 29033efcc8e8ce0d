"""Course note 002: linear neurons, chained gradients, full-batch training.

The note's cost for a batch is the mean of ``1/2 (y - a)^2``.  For one linear neuron
``a = w . x + b`` it writes ``dC/dw = x (a - y)`` and ``dC/db = a - y`` (averaged over the
batch); for a network of linear layers (13-5-3-1 on Boston housing) the chain

    dC/dW^K = (W^(K+1)T ... W^(N)T (a^N - y)) a^(K-1)T,   dC/db^K = W^(K+1)T ... (a^N - y)

and it trains by full-batch gradient descent, watching the cost fall.

:func:`neuron_gradients` and :func:`network_gradients` put the engine beside those formulas
(computed with plain floats); :func:`train` trains a 10-5-3-1 linear network on the
diabetes data shipped in ``autograd_lite/data`` (the note's Boston data left scikit-learn in
1.2; see ``autograd_lite/data/README.md``).  Features *and* target are standardised
(z-scores); the cost is reported in those units and, times the target's variance, in the
original units.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

from autograd_lite.core.value import Value
from autograd_lite.nn import MLP
from autograd_lite.nn.losses import half_squared_error, mean
from autograd_lite.nn.optim import SGD

NOTE = "course note 002"
TITLE = "linear neurons, 1/2 (y - a)^2 averaged over the batch, full-batch gradient descent"

Matrix = list[list[float]]


@dataclass(frozen=True)
class Dataset:
    """A regression table: ``x[row][feature]``, ``y[row]``."""

    features: list[str]
    x: Matrix
    y: list[float]


def load_diabetes() -> Dataset:
    """The diabetes data as shipped (442 rows, 10 raw features, target 25..346)."""
    text = files("autograd_lite").joinpath("data", "diabetes.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    return Dataset(header[:-1], [[float(v) for v in r[:-1]] for r in body],
                   [float(r[-1]) for r in body])


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    m = math.fsum(values) / len(values)
    return m, math.sqrt(math.fsum((v - m) ** 2 for v in values) / len(values))


def standardise(data: Dataset) -> tuple[Dataset, float]:
    """Every feature and the target as z-scores; also returns the target's std."""
    stats = [_mean_std(col) for col in zip(*data.x)]
    x = [[(v - m) / s for v, (m, s) in zip(row, stats)] for row in data.x]
    ym, ys = _mean_std(data.y)
    return Dataset(data.features, x, [(v - ym) / ys for v in data.y]), ys


def batch_cost(net: MLP, x: Matrix, y: Sequence[float]) -> Value:
    """``C = (1/N) sum_n 1/2 (y_n - a_n)^2``."""
    return mean([half_squared_error(_scalar(net(row)), t) for row, t in zip(x, y)])


def _scalar(out: Value | list[Value]) -> Value:
    if isinstance(out, list):
        raise ValueError("note 002's networks have one output")
    return out


@dataclass(frozen=True)
class LayerGradients:
    """Per layer: engine and formula gradients, weights ``[out][in]`` and biases."""

    engine_w: list[Matrix]
    engine_b: list[list[float]]
    formula_w: list[Matrix]
    formula_b: list[list[float]]

    @property
    def max_abs_difference(self) -> float:
        """Largest |engine - formula| over all weights and biases."""
        diffs = [abs(e - f) for em, fm in zip(self.engine_w, self.formula_w)
                 for er, fr in zip(em, fm) for e, f in zip(er, fr)]
        diffs += [abs(e - f) for eb, fb in zip(self.engine_b, self.formula_b)
                  for e, f in zip(eb, fb)]
        return max(diffs)


def chained_formulas(weights: list[Matrix], biases: list[list[float]], x: Matrix,
                     y: Sequence[float]) -> tuple[list[Matrix], list[list[float]]]:
    """The note's chain for a linear network, on plain floats, averaged over the batch."""
    n_layers = len(weights)
    sum_w = [[[0.0] * len(w[0]) for _ in w] for w in weights]
    sum_b = [[0.0] * len(b) for b in biases]
    for row, target in zip(x, y):
        acts = [list(row)]
        for w, b in zip(weights, biases):
            acts.append([math.fsum(wi * ai for wi, ai in zip(wr, acts[-1])) + bj
                         for wr, bj in zip(w, b)])
        delta = [acts[-1][0] - target]          # dC/da^N = a - y (linear: da/dz = 1)
        for k in reversed(range(n_layers)):
            for j, dj in enumerate(delta):
                sum_b[k][j] += dj
                for i, ai in enumerate(acts[k]):
                    sum_w[k][j][i] += dj * ai
            # dz^(k+1)/da^k = W^(k+1): delta^k = W^T delta^(k+1)
            delta = [math.fsum(weights[k][j][i] * delta[j] for j in range(len(delta)))
                     for i in range(len(acts[k]))]
    n = len(x)
    return ([[[v / n for v in r] for r in m] for m in sum_w],
            [[v / n for v in b] for b in sum_b])


def network_gradients(sizes: Sequence[int] = (13, 5, 3, 1), batch_size: int = 8,
                      seed: int = 0) -> LayerGradients:
    """A random linear network and batch (the note's 13-5-3-1 by default): engine vs chain."""
    rng = random.Random(seed)
    net = MLP(sizes[0], list(sizes[1:]), activation="linear", seed=seed)
    x = [[rng.gauss(0, 1) for _ in range(sizes[0])] for _ in range(batch_size)]
    y = [rng.gauss(0, 1) for _ in range(batch_size)]
    cost = batch_cost(net, x, y)
    net.zero_grad()
    cost.backward()
    weights = [[[w.data for w in n.weight] for n in layer.neurons] for layer in net.layers]
    biases = _biases(net, grads=False)
    formula_w, formula_b = chained_formulas(weights, biases, x, y)
    return LayerGradients(
        [[[w.grad for w in n.weight] for n in layer.neurons] for layer in net.layers],
        _biases(net, grads=True),
        formula_w, formula_b)


def _biases(net: MLP, grads: bool) -> list[list[float]]:
    """Each layer's biases (or their gradients); 0 for a layer without bias."""
    return [[0.0 if n.bias is None else (n.bias.grad if grads else n.bias.data)
             for n in layer.neurons] for layer in net.layers]


def neuron_gradients(n_inputs: int = 13, batch_size: int = 8, seed: int = 0) -> LayerGradients:
    """One linear neuron: engine vs ``dC/dw = mean(x (a - y))``, ``dC/db = mean(a - y)``."""
    rng = random.Random(seed)
    net = MLP(n_inputs, [1], activation="linear", seed=seed)
    x = [[rng.gauss(0, 1) for _ in range(n_inputs)] for _ in range(batch_size)]
    y = [rng.gauss(0, 1) for _ in range(batch_size)]
    cost = batch_cost(net, x, y)
    net.zero_grad()
    cost.backward()
    neuron = net.layers[0].neurons[0]
    w = [v.data for v in neuron.weight]
    b = neuron.bias.data if neuron.bias is not None else 0.0
    a = [math.fsum(wi * xi for wi, xi in zip(w, row)) + b for row in x]
    dw = [math.fsum(row[i] * (an - yn) for row, an, yn in zip(x, a, y)) / batch_size
          for i in range(n_inputs)]
    db = math.fsum(an - yn for an, yn in zip(a, y)) / batch_size
    return LayerGradients([[[v.grad for v in neuron.weight]]],
                          [[neuron.bias.grad if neuron.bias is not None else 0.0]], [[dw]], [[db]])


@dataclass(frozen=True)
class Training:
    """Full-batch gradient descent: the cost before each epoch and after the last."""

    sizes: list[int]
    rows: int
    learning_rate: float
    costs: list[float]        # standardised units
    target_std: float

    @property
    def costs_original_units(self) -> list[float]:
        """The costs in the target's units squared (times its variance)."""
        return [c * self.target_std**2 for c in self.costs]


def train(epochs: int = 30, learning_rate: float = 0.1, rows: int | None = None,
          hidden: Sequence[int] = (5, 3), seed: int = 0) -> Training:
    """Train a linear ``10-5-3-1`` network on the (first ``rows``) diabetes rows."""
    data, target_std = standardise(load_diabetes())
    x, y = (data.x, data.y) if rows is None else (data.x[:rows], data.y[:rows])
    net = MLP(len(data.features), [*hidden, 1], activation="linear", seed=seed)
    optimiser = SGD(net.parameters(), lr=learning_rate)
    costs = []
    for _ in range(epochs):
        cost = batch_cost(net, x, y)
        costs.append(cost.data)
        optimiser.zero_grad()
        cost.backward()
        optimiser.step()
    costs.append(batch_cost(net, x, y).data)
    return Training(net.sizes, len(x), learning_rate, costs, target_std)


def report(epochs: int = 30) -> str:
    """Gradient checks, then training on the diabetes data."""
    single, chain = neuron_gradients(), network_gradients()
    t = train(epochs=epochs)
    lines = [f"{NOTE.capitalize()}: {TITLE}", "",
             "One linear neuron, batch of 8: engine vs dC/dw = mean(x (a - y)), "
             f"dC/db = mean(a - y): largest difference {single.max_abs_difference:.1e}",
             "13-5-3-1 linear network, batch of 8: engine vs the note's chained formulas: "
             f"largest difference {chain.max_abs_difference:.1e}", "",
             f"Training a {'-'.join(map(str, t.sizes))} linear network on the diabetes data "
             f"({t.rows} rows, standardised), full-batch gradient descent, "
             f"learning rate {t.learning_rate:g}:",
             f"  {'epoch':>5}  {'cost (z-units)':>14}  {'cost (target units^2)':>22}"]
    original = t.costs_original_units
    step = max(1, len(t.costs) // 10)
    for epoch in [*range(0, len(t.costs) - 1, step), len(t.costs) - 1]:
        lines.append(f"  {epoch:>5}  {t.costs[epoch]:>14.4f}  {original[epoch]:>22.1f}")
    return "\n".join(lines)

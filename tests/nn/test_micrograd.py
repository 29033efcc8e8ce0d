"""micrograd drop-in: the same code, with only the imports changed, gives micrograd's numbers.

micrograd 0.1.0 (the ``test`` extra installs it) runs side by side with autograd_lite on
micrograd's own examples: its README example, its ``trace_graph`` notebook and its demo
notebook's training loop -- ``MLP(2, [16, 16, 1])`` after ``random.seed(1337)``, the SVM
max-margin loss with L2 1e-4, SGD with the rate ``1 - 0.9 k / 100``.  The demo's data
(scikit-learn's ``make_moons``, not a dependency here) is replaced by 100 two-moons points
from :func:`autograd_lite.examples.moons.make_moons` (noise 0.1, seed 1337), given
identically to both engines.

Each engine is used through the code a micrograd user writes; the functions below take the
engine's ``Value`` and ``MLP`` as arguments, which is exactly "changing the imports".  The
live comparison trains ``AUTOGRAD_LITE_MICROGRAD_STEPS`` steps (3 by default: micrograd
needs 0.3 to 2 s a step); ``AUTOGRAD_LITE_MICROGRAD_STEPS=100`` runs the whole loop live.
The whole 100-step run is also checked against micrograd's figures written down below.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from typing import Any

import micrograd.engine as micrograd_engine  # the test extra pins micrograd==0.1.0
import micrograd.nn as micrograd_nn
import pytest

import autograd_lite.engine
import autograd_lite.nn
from autograd_lite import draw_dot
from autograd_lite.examples.moons import make_moons

LIVE_STEPS = int(os.environ.get("AUTOGRAD_LITE_MICROGRAD_STEPS", "3"))
TOLERANCE = 1e-9

ENGINES = {
    "micrograd": (micrograd_engine.Value, micrograd_nn),
    "autograd_lite": (autograd_lite.engine.Value, autograd_lite.nn),
}


def max_abs_difference(a: list[float], b: list[float]) -> float:
    assert len(a) == len(b)
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


# -- micrograd's README example ---------------------------------------------------------------
def readme_example(Value: Any) -> tuple[float, float, float]:  # noqa: N803 -- micrograd's name
    """micrograd's README, verbatim but for the import: ``g`` and its gradients."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def test_readme_example_gives_micrograds_numbers() -> None:
    ours = readme_example(autograd_lite.engine.Value)
    theirs = readme_example(micrograd_engine.Value)
    assert max_abs_difference(list(ours), list(theirs)) <= TOLERANCE
    # micrograd's README prints them to 4 decimals
    assert [f"{x:.4f}" for x in ours] == ["24.7041", "138.8338", "645.5773"]


# -- micrograd's trace_graph notebook -----------------------------------------------------------
def trace_graph_neuron(Value: Any, nn: Any) -> list[float]:  # noqa: N803
    """The notebook's "simple 2D neuron": y and every gradient it draws."""
    random.seed(1337)
    n = nn.Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    y = n(x)
    y.backward()
    return [y.data, *(v.data for v in n.w), n.b.data, *(v.grad for v in [*x, *n.w, n.b])]


def test_trace_graph_notebook_gives_micrograds_numbers() -> None:
    x = autograd_lite.engine.Value(1.0)
    y = (x * 2 + 1).relu()   # "a very simple example"
    y.backward()
    assert (y.data, x.grad) == (3.0, 2.0)

    ours = trace_graph_neuron(*ENGINES["autograd_lite"])
    theirs = trace_graph_neuron(*ENGINES["micrograd"])
    assert max_abs_difference(ours, theirs) <= TOLERANCE
    assert ours[3] == 0.0  # the bias starts at 0, as micrograd's


def test_draw_dot_takes_micrograds_positional_arguments() -> None:
    x = autograd_lite.engine.Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = draw_dot(y, "png", "TB")   # draw_dot(root, format='svg', rankdir='LR')
    assert dot.format == "png" and dot.graph_attr["rankdir"] == "TB"
    dot = draw_dot(y)
    assert dot.format == "svg" and dot.graph_attr["rankdir"] == "LR"
    assert "data 3 | grad 1" in dot.source and "data 1 | grad 2" in dot.source


# -- micrograd's nn conventions ------------------------------------------------------------------
def in_micrograd_order(model: Any) -> list[Any]:
    """Every parameter, layer by layer, neuron by neuron: its weights, then its bias."""
    return [p for layer in model.layers for n in layer.neurons for p in [*n.w, n.b]]


def test_seeded_mlp_starts_from_micrograds_weights_exactly() -> None:
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    next_theirs = random.random()
    random.seed(1337)
    ours = autograd_lite.nn.MLP(2, [16, 16, 1])
    next_ours = random.random()
    assert [p.data for p in in_micrograd_order(ours)] == \
        [p.data for p in in_micrograd_order(theirs)]
    assert next_ours == next_theirs  # as many draws from the global stream, no more
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert all(n.b.data == 0.0 for layer in ours.layers for n in layer.neurons)
    # hidden layers ReLU, the last layer linear, as micrograd's
    assert [layer.activation for layer in ours.layers] == ["relu", "relu", "linear"]
    assert [n.nonlin for layer in theirs.layers for n in layer.neurons[:1]] == \
        [n.nonlin for layer in ours.layers for n in layer.neurons[:1]] == [True, True, False]


def test_neuron_and_layer_follow_micrograds_signatures() -> None:
    outputs = {}
    for name, (_, nn) in ENGINES.items():
        random.seed(7)
        relu = nn.Neuron(3)
        linear = nn.Neuron(3, nonlin=False)
        positional = nn.Neuron(3, False)
        layer = nn.Layer(3, 2)
        single = nn.Layer(3, 1, nonlin=False)
        inputs = [1.0, -2.0, 0.5]
        assert relu.nonlin and not linear.nonlin and not positional.nonlin
        assert all(n.nonlin for n in layer.neurons)
        assert isinstance(layer(inputs), list) and len(layer(inputs)) == 2
        assert not isinstance(single(inputs), list)   # one neuron: the Value itself
        outputs[name] = [relu(inputs).data, linear(inputs).data, positional(inputs).data,
                         *(v.data for v in layer(inputs)), single(inputs).data]
    assert max_abs_difference(outputs["autograd_lite"], outputs["micrograd"]) <= TOLERANCE
    random.seed(7)
    draws = [random.uniform(-1, 1) for _ in range(3 * 3 + 3 * 2 + 3)]
    random.seed(7)
    ours = [autograd_lite.nn.Neuron(3), autograd_lite.nn.Neuron(3, nonlin=False),
            autograd_lite.nn.Neuron(3, False), autograd_lite.nn.Layer(3, 2),
            autograd_lite.nn.Layer(3, 1, nonlin=False)]
    weights = [w.data for m in ours for n in getattr(m, "neurons", [m]) for w in n.w]
    assert weights == draws


# -- micrograd's demo notebook ---------------------------------------------------------------------
X, Y = make_moons(100, noise=0.1, seed=1337)


@dataclass
class Step:
    """What one step of the demo loop shows: loss, accuracy, gradients, parameters after."""

    loss: float
    accuracy: float
    grads: list[float]
    params: list[float]


def demo(Value: Any, nn: Any, steps: int) -> list[Step]:  # noqa: N803 -- micrograd's names
    """micrograd's demo notebook: the model, the loss function and the optimisation loop."""
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])  # 2-layer neural network

    def loss() -> tuple[Any, float]:
        inputs = [list(map(Value, xrow)) for xrow in X]
        # forward the model to get scores
        scores = list(map(model, inputs))
        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(Y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    history = []
    for k in range(steps):
        # forward
        total_loss, acc = loss()
        # backward
        model.zero_grad()
        total_loss.backward()
        grads = [p.grad for p in in_micrograd_order(model)]
        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append(Step(total_loss.data, acc, grads,
                            [p.data for p in in_micrograd_order(model)]))
    return history


@pytest.fixture(scope="module")
def live() -> dict[str, list[Step]]:
    return {name: demo(*engine, steps=LIVE_STEPS) for name, engine in ENGINES.items()}


@pytest.mark.slow
def test_demo_loop_side_by_side_loss_and_accuracy(live: dict[str, list[Step]]) -> None:
    ours, theirs = live["autograd_lite"], live["micrograd"]
    assert max_abs_difference([s.loss for s in ours], [s.loss for s in theirs]) <= TOLERANCE
    assert [s.accuracy for s in ours] == [s.accuracy for s in theirs]


@pytest.mark.slow
def test_demo_loop_side_by_side_every_gradient_and_parameter(
        live: dict[str, list[Step]]) -> None:
    for ours, theirs in zip(live["autograd_lite"], live["micrograd"]):
        assert max_abs_difference(ours.grads, theirs.grads) <= TOLERANCE
        assert max_abs_difference(ours.params, theirs.params) <= TOLERANCE


# micrograd 0.1.0's own run of this loop, all 100 steps (444 s), written down:
# step -> (total loss, accuracy); 100% accuracy from step 56 on
MICROGRAD_100_STEPS = {
    0: (0.9128546778968705, 0.5),
    1: (1.6131744001854456, 0.8),
    2: (0.39840390894554445, 0.85),
    5: (0.28659634419612606, 0.86),
    10: (0.1872118148963806, 0.94),
    25: (0.11439020716651056, 0.96),
    50: (0.024982338331565608, 0.99),
    75: (0.013488104412939829, 1.0),
    99: (0.01180543291408286, 1.0),
}
# and its parameters after step 99 (micrograd's order: layer 0 neuron 0's w[0], its bias;
# the output neuron's w[0], w[1], w[2] and bias)
MICROGRAD_FINAL = {0: -0.09443890652517346, 2: -0.2468034234253935,
                   320: 0.7464939368151425, 321: -1.1141741589218466,
                   322: 0.8621243286855097, 336: 0.47476370135246543}


@pytest.mark.slow
def test_demo_loop_all_100_steps_against_micrograds_figures() -> None:
    ours = demo(*ENGINES["autograd_lite"], steps=100)
    for k, (loss, accuracy) in MICROGRAD_100_STEPS.items():
        assert math.isclose(ours[k].loss, loss, rel_tol=0.0, abs_tol=TOLERANCE), k
        assert ours[k].accuracy == accuracy, k
    assert [s.accuracy for s in ours[56:]] == [1.0] * 44
    for i, value in MICROGRAD_FINAL.items():
        assert math.isclose(ours[-1].params[i], value, rel_tol=0.0, abs_tol=TOLERANCE), i

"""autograd_lite.nn: names, layout, seeding, fused neurons, gradients, state dicts."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite.core.value import Value, topological_order
from autograd_lite.nn import MLP, Layer, Neuron, StateDictError, resolve_activation


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _forward(weights: list[list[list[float]]], biases: list[list[float]], x: list[float],
             hidden: str, bias_input: float = 1.0) -> list[float]:
    """A dense network in plain floats: the independent oracle."""
    g: dict[str, Callable[[float], float]] = {
        "relu": lambda z: max(z, 0.0), "tanh": math.tanh, "sigmoid": _sigmoid,
        "linear": lambda z: z}
    a = x
    for n, (w, b) in enumerate(zip(weights, biases)):
        act = g["linear"] if n == len(weights) - 1 else g[hidden]
        a = [act(sum(wi * ai for wi, ai in zip(row, a)) + bias_input * bj)
             for row, bj in zip(w, b)]
    return a


def test_named_parameters_are_dotted_pytorch_names_in_a_fixed_order() -> None:
    net = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "layers.0.weight[0][0]", "layers.0.weight[0][1]", "layers.0.weight[1][0]",
        "layers.0.weight[1][1]", "layers.0.weight[2][0]", "layers.0.weight[2][1]",
        "layers.0.bias[0]", "layers.0.bias[1]", "layers.0.bias[2]",
        "layers.1.weight[0][0]", "layers.1.weight[0][1]", "layers.1.weight[0][2]",
        "layers.1.bias[0]"]
    assert [p for _, p in net.named_parameters()] == net.parameters()
    assert all(p.label == name for name, p in net.named_parameters())


def test_state_dict_has_nn_linear_layout_weight_out_by_in() -> None:
    net = MLP(3, [4, 2], seed=1)
    state = net.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                           "layers.1.bias"]
    w0 = state["layers.0.weight"]
    assert isinstance(w0, list) and len(w0) == 4
    assert all(isinstance(row, list) and len(row) == 3 for row in w0)
    assert net.layers[0].neurons[2].weight[1].data == w0[2][1]  # type: ignore[index]


def test_nodes_are_labelled_by_module() -> None:
    net = MLP(2, [2, 1], activation="tanh", seed=0)
    out = net([0.5, -0.5])
    assert isinstance(out, Value)
    labels = {v.label for v in topological_order(out) if v.op is not None}
    assert labels == {"layers.0.z[0]", "layers.0.z[1]", "layers.0.a[0]", "layers.0.a[1]",
                      "layers.1.z[0]"}


def test_a_neuron_is_two_graph_nodes_dot_then_activation() -> None:
    net = MLP(2, [16, 16, 1], seed=0)
    out = net([0.3, -0.7])
    assert isinstance(out, Value)
    ops = [v.op.name for v in topological_order(out) if v.op is not None]
    assert ops.count("dot") == 33 and ops.count("relu") == 32 and len(ops) == 65


def test_seeded_initialisation_is_reproducible_and_seed_dependent() -> None:
    assert MLP(2, [4, 1], seed=7).state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert MLP(2, [4, 1], seed=7).state_dict() != MLP(2, [4, 1], seed=8).state_dict()


def test_initialisation_is_pytorch_uniform_bound_one_over_sqrt_fan_in() -> None:
    net = MLP(9, [50], seed=3)
    values = [p.data for p in net.parameters()]
    assert max(abs(v) for v in values) <= 1 / 3
    assert max(abs(v) for v in values) > 0.3  # the bound is actually used


def test_one_neuron_layer_and_mlp_return_a_value_and_outputs_always_a_list() -> None:
    layer = Layer(2, 1, seed=0)
    assert isinstance(layer([1.0, 2.0]), Value)  # as micrograd's Layer
    out = layer.outputs([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert isinstance(Layer(2, 3, seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    many = MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(many, list) and len(many) == 2


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid"])
def test_from_weights_forward_matches_plain_float_network(activation: str) -> None:
    weights = [[[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], [[1.0, -2.0, 0.5]]]
    biases = [[0.1, -0.2, 0.3], [-0.4]]
    net = MLP.from_weights(weights, biases, activation=activation)
    out = net([0.7, -1.3])
    assert isinstance(out, Value)
    assert out.data == pytest.approx(_forward(weights, biases, [0.7, -1.3], activation)[0],
                                     rel=1e-14)


def test_from_weights_without_bias_and_with_bias_input_minus_one() -> None:
    weights = [[[1.0, 2.0], [3.0, -1.0]], [[0.5, 0.5]]]
    no_bias = MLP.from_weights(weights, None, activation="tanh")
    assert no_bias.state_dict().keys() == {"layers.0.weight", "layers.1.weight"}
    expected = _forward(weights, [[0.0, 0.0], [0.0]], [0.2, 0.4], "tanh")[0]
    assert no_bias([0.2, 0.4]).data == pytest.approx(expected, rel=1e-14)  # type: ignore[union-attr]
    minus = MLP.from_weights(weights, [[1.0, -1.0], [2.0]], activation="tanh", bias_input=-1.0)
    expected = _forward(weights, [[1.0, -1.0], [2.0]], [0.2, 0.4], "tanh", bias_input=-1.0)[0]
    assert minus([0.2, 0.4]).data == pytest.approx(expected, rel=1e-14)  # type: ignore[union-attr]
    assert minus.layers[0].neurons[1].bias is not None
    assert minus.layers[0].neurons[1].bias.data == -1.0  # stored as written, used times -1


def test_activation_by_callable_and_unknown_name() -> None:
    def square(z: Value) -> Value:
        return z * z

    neuron = Neuron.from_weights([2.0], 1.0, square)
    assert neuron.activation == "square"
    assert neuron([3.0]).data == 49.0
    with pytest.raises(ValueError,
                       match=r"^resolve_activation: unknown activation spec='softplus'.*relu"):
        resolve_activation("softplus")
    with pytest.raises(TypeError,
                       match=r"^resolve_activation: spec must be an activation name or a callable"):
        resolve_activation(3)  # type: ignore[arg-type]


def test_shape_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [1])([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="layer 1 takes 3 inputs but layer 0 has 2 outputs"):
        MLP.from_weights([[[1.0], [2.0]], [[1.0, 2.0, 3.0]]])
    with pytest.raises(ValueError, match="weight row 1 has 1 entries, row 0 has 2"):
        Layer.from_weights([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match="2 weight rows but 1 biases"):
        Layer.from_weights([[1.0], [2.0]], [0.0])
    with pytest.raises(ValueError, match="layer size must be a positive int, got 0"):
        MLP(2, [0])
    with pytest.raises(ValueError, match="needs at least one layer size"):
        MLP(2, [])


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000), x=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       activation=st.sampled_from(["tanh", "sigmoid", "linear"]))
def test_parameter_gradients_match_central_differences(seed: int, x: list[float],
                                                       activation: str) -> None:
    net = MLP(3, [4, 2], activation=activation, output_activation="tanh", seed=seed)

    def loss() -> Value:
        out = net(x)
        assert isinstance(out, list)
        return out[0] * out[0] + 2.0 * out[1]

    net.zero_grad()
    loss().backward()
    rng = random.Random(seed)
    for p in rng.sample(net.parameters(), 6):
        saved = p.data
        h = 1e-6
        p.data = saved + h
        up = loss().data
        p.data = saved - h
        down = loss().data
        p.data = saved
        assert p.grad == pytest.approx((up - down) / (2 * h), abs=1e-6, rel=1e-5)


def test_zero_grad_clears_every_parameter() -> None:
    net = MLP(2, [3, 1])
    out = net([1.0, 1.0])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_load_state_dict_round_trip_copies_values() -> None:
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert target([0.3, 0.4]).data == source([0.3, 0.4]).data  # type: ignore[union-attr]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.pop("layers.1.bias"), "missing parameter\\(s\\) 'layers.1.bias'"),
    (lambda s: s.update(extra=[1.0]), "unexpected parameter\\(s\\) 'extra'"),
    (lambda s: s.update({"layers.0.weight": [[1.0, 2.0]] * 2}),
     "parameter 'layers.0.weight': expected length 3, got 2"),
    (lambda s: s.update({"layers.0.bias": [1.0, 2.0, [3.0]]}),
     "parameter 'layers.0.bias\\[2\\]': expected a number, got list"),
    (lambda s: s.update({"layers.0.bias": [1.0, math.nan, 3.0]}),
     "parameter 'layers.0.bias\\[1\\]': nan is not a finite number"),
    (lambda s: s.update({"layers.1.bias": [True]}),
     "parameter 'layers.1.bias\\[0\\]': expected a number, got bool"),
    (lambda s: s.update({"layers.1.weight": "abc"}),
     "parameter 'layers.1.weight': expected a list of length 1, got str"),
])
def test_bad_state_dict_is_rejected_naming_the_parameter_and_changes_nothing(
        edit: object, message: str) -> None:
    net = MLP(2, [3, 1], seed=4)
    before = net.state_dict()
    state = MLP(2, [3, 1], seed=5).state_dict()
    edit(state)  # type: ignore[operator]
    with pytest.raises(StateDictError, match=message):
        net.load_state_dict(state)
    assert net.state_dict() == before

"""A user's own Module: parameters found from its attributes, as torch.nn.Module finds them.

The worked example is a small two-headed model a user might write: a scale Value, a list of
offsets, an ``MLP`` body and a list of two ``Neuron`` heads, plus attributes that are not
parameters (a float, a constant, a cached result).
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, constant, load, save
from autograd_lite.nn import MLP, Layer, Module, Neuron, StateDictError
from autograd_lite.nn.io import LoadError


class TwoHeads(Module):
    def __init__(self, body_activation: str = "relu") -> None:
        self.scale = Value(2.0)
        self.offsets = [Value(0.5), Value(-0.5)]
        self.body = MLP.from_weights([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]],
                                     output_activation=body_activation)
        self.heads = [Neuron.from_weights([1.0, 1.0], 0.0), Neuron.from_weights([1.0, -1.0], 0.0)]
        self.temperature = 1.5           # a number: not a parameter
        self.unit = constant(1.0)        # a constant: not a parameter
        self.last: Value | None = None   # a computed result, set by forward: not a parameter

    def forward(self, x: list[float]) -> list[Value]:
        hidden = self.body(x)
        assert isinstance(hidden, list)
        out = [self.scale * head(hidden) + offset
               for head, offset in zip(self.heads, self.offsets)]
        self.last = out[0]
        return out


NAMES = ["scale", "offsets[0]", "offsets[1]",
         "body.layers.0.weight[0][0]", "body.layers.0.weight[0][1]",
         "body.layers.0.weight[1][0]", "body.layers.0.weight[1][1]",
         "body.layers.0.bias[0]", "body.layers.0.bias[1]",
         "heads.0.weight[0]", "heads.0.weight[1]", "heads.0.bias",
         "heads.1.weight[0]", "heads.1.weight[1]", "heads.1.bias"]


def test_named_parameters_follow_the_attributes_in_assignment_order() -> None:
    model = TwoHeads()
    assert [name for name, _ in model.named_parameters()] == NAMES
    assert model.parameters()[0] is model.scale
    assert model.parameters()[-1] is model.heads[1].bias
    model([3.0, 1.0])
    assert model.last is not None and model.last not in model.parameters()


def test_calling_the_module_runs_forward_and_backward_fills_every_grad() -> None:
    model = TwoHeads()
    a, b = model([3.0, 1.0])
    # hidden = relu([3, 1]) = [3, 1]; heads: 3 + 1 = 4 and 3 - 1 = 2; times 2, plus offsets
    assert (a.data, b.data) == (8.5, 3.5)
    (a + b).backward()
    grads = dict((name, p.grad) for name, p in model.named_parameters())
    assert grads["scale"] == 4.0 + 2.0
    assert grads["offsets[0]"] == grads["offsets[1]"] == 1.0
    assert (grads["heads.0.weight[0]"], grads["heads.1.weight[1]"]) == (2.0 * 3.0, 2.0 * 1.0)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_save_and_load_need_no_code() -> None:
    state = TwoHeads().state_dict()
    assert list(state) == ["scale", "offsets", "body.layers.0.weight", "body.layers.0.bias",
                           "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"]
    assert state["scale"] == 2.0 and state["offsets"] == [0.5, -0.5]
    assert state["heads.1.weight"] == [1.0, -1.0]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    trained = TwoHeads()
    trained.scale.data = 3.25
    trained.heads[1].weight[0].data = -0.125
    save(trained, tmp_path / "two_heads.json")
    fresh = load(TwoHeads(), tmp_path / "two_heads.json")
    assert fresh.state_dict() == trained.state_dict()
    assert isinstance(fresh, TwoHeads) and fresh.scale.data == 3.25


def test_the_architecture_of_a_custom_module_is_its_class_shapes_and_inner_modules() -> None:
    neuron = {"module": "Neuron", "nin": 2, "activation": "linear", "bias": True,
              "bias_input": 1.0}
    assert TwoHeads().architecture() == {
        "module": "TwoHeads",
        "shapes": {"scale": [], "offsets": [2], "body.layers.0.weight": [2, 2],
                   "body.layers.0.bias": [2], "heads.0.weight": [2], "heads.0.bias": [],
                   "heads.1.weight": [2], "heads.1.bias": []},
        "modules": {"body": {"module": "MLP", "sizes": [2, 2], "activations": ["relu"],
                             "bias": [True], "bias_input": [1.0]},
                    "heads.0": neuron, "heads.1": neuron}}


def test_load_refuses_a_custom_module_whose_inner_mlp_has_another_activation(
        tmp_path: Path) -> None:
    path = tmp_path / "two_heads.json"
    save(TwoHeads(body_activation="tanh"), path)  # same parameters, other predictions
    model = TwoHeads()
    with pytest.raises(LoadError, match=r'saved from another architecture: '
                                        r'"modules\.body\.activations" is \[\'tanh\'\] in the '
                                        r"file, \['relu'\] in the module$"):
        load(model, path)
    assert model.state_dict() == TwoHeads().state_dict()


def test_another_class_with_the_same_parameters_is_refused_by_its_name(tmp_path: Path) -> None:
    class Affine(Module):
        def __init__(self) -> None:
            self.w = Value(2.0)
            self.b = Value(1.0)

    class Swapped(Affine):     # same names and shapes, another forward
        pass

    save(Affine(), tmp_path / "affine.json")
    with pytest.raises(LoadError, match=r'"module" is \'.*Affine\' in the file, '
                                        r"'.*Swapped' in the module$"):
        load(Swapped(), tmp_path / "affine.json")


def test_a_custom_module_adds_its_settings_to_the_architecture(tmp_path: Path) -> None:
    class Tempered(Module):
        def __init__(self, temperature: float) -> None:
            self.w = Value(1.0)
            self.temperature = temperature  # a number: not a parameter, but it matters

        def architecture(self) -> dict[str, Any]:
            return {**super().architecture(), "temperature": self.temperature}

    save(Tempered(0.5), tmp_path / "tempered.json")
    assert load(Tempered(0.5), tmp_path / "tempered.json").w.data == 1.0
    with pytest.raises(LoadError, match=r'"temperature" is 0\.5 in the file, 2\.0 in the '
                                        r"module$"):
        load(Tempered(2.0), tmp_path / "tempered.json")


def test_load_state_dict_still_checks_names_and_changes_nothing() -> None:
    model = TwoHeads()
    state = model.state_dict()
    del state["offsets"]
    with pytest.raises(StateDictError, match=r"missing parameter\(s\) 'offsets'"):
        model.load_state_dict(state)


def test_nested_lists_are_tensors_and_shared_or_cyclic_references_count_once() -> None:
    class Grid(Module):
        def __init__(self) -> None:
            self.w = [[Value(1.0), Value(2.0), Value(3.0)], [Value(4.0), Value(5.0), Value(6.0)]]
            self.tied = self.w[0][0]         # the same Value again: listed once, as "w[0][0]"
            self.inner = Layer(2, 1, seed=0)
            self.same_inner = self.inner     # the same module again
            self.me = self                   # a cycle
            self.ragged = [[Value(7.0)], [Value(8.0), Value(9.0)]]  # not rectangular
            self.by_name = {"gain": Value(10.0), "pair": [Value(11.0), Value(12.0)], 3: Value(0.0)}

    grid = Grid()
    assert grid.state_dict()["w"] == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert [name for name, _ in grid.named_parameters()] == [
        "w[0][0]", "w[0][1]", "w[0][2]", "w[1][0]", "w[1][1]", "w[1][2]",
        "inner.weight[0][0]", "inner.weight[0][1]", "inner.bias[0]",
        "ragged.0[0]", "ragged.1[0]", "ragged.1[1]",
        "by_name.gain", "by_name.pair[0]", "by_name.pair[1]"]  # str keys only, as torch


def test_a_module_without_forward_says_what_to_define() -> None:
    class Empty(Module):
        pass

    assert Empty().parameters() == [] and Empty().state_dict() == {}
    with pytest.raises(NotImplementedError, match=r"Empty: define forward\(...\)"):
        Empty()([1.0])


def test_partly_shared_lists_are_refused_rather_than_stepped_twice() -> None:
    class Overlap(Module):
        def __init__(self) -> None:
            shared = Value(1.0)
            self.a = [shared, Value(2.0)]
            self.b = [shared, Value(3.0)]

    with pytest.raises(ValueError, match="parameter 'b' shares some but not all"):
        Overlap().parameters()


# -- the two initialisation schemes ------------------------------------------------------------
def test_without_seed_the_init_is_micrograds_from_the_global_random() -> None:
    random.seed(42)
    net = MLP(3, [4, 1])
    random.seed(42)
    draws = [random.uniform(-1, 1) for _ in range(3 * 4 + 4 * 1)]
    weights = [w.data for layer in net.layers for n in layer.neurons for w in n.weight]
    assert weights == draws
    assert all(n.bias is not None and n.bias.data == 0.0
               for layer in net.layers for n in layer.neurons)


def test_a_seed_keeps_the_pytorch_init_and_init_chooses_explicitly() -> None:
    rng = random.Random(0)   # seeded: PyTorch's U(+-1/sqrt(fan_in)), weights then biases
    bound = 1 / math.sqrt(2)
    first = [[rng.uniform(-bound, bound) for _ in range(2)] for _ in range(3)]
    assert MLP(2, [3, 1], seed=0).state_dict()["layers.0.weight"] == first
    assert MLP(2, [3, 1], seed=0).state_dict() == MLP(2, [3, 1], seed=0,
                                                      init="pytorch").state_dict()
    micrograd_seeded = MLP(2, [3, 1], seed=5, init="micrograd")
    rng = random.Random(5)
    assert micrograd_seeded.state_dict()["layers.0.weight"] == [
        [rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(3)]
    assert micrograd_seeded.state_dict()["layers.0.bias"] == [0.0, 0.0, 0.0]
    random.seed(9)
    pytorch_global = Neuron(4, init="pytorch")
    random.seed(9)
    assert [w.data for w in pytorch_global.weight] == [random.uniform(-0.5, 0.5)
                                                       for _ in range(4)]
    with pytest.raises(ValueError, match="init must be 'micrograd' or 'pytorch'"):
        MLP(2, [1], init="xavier")  # type: ignore[arg-type]


def test_activation_names_and_micrograds_nonlin_flag() -> None:
    assert Neuron(2).activation == "relu" and Layer(2, 3).activation == "relu"
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Neuron(2, "tanh", seed=0).activation == "tanh"
    assert Layer(2, 3, nonlin=True).activation == "relu"
    with pytest.raises(TypeError, match="give activation or nonlin, not both"):
        Neuron(2, "tanh", nonlin=True)


def test_a_module_that_refers_back_to_its_owner_has_a_finite_architecture() -> None:
    class Inner(Module):
        def __init__(self, owner: Module) -> None:
            self.owner = owner           # a back reference: a cycle through two modules
            self.w = Value(1.0)

    class Outer(Module):
        def __init__(self) -> None:
            self.inner = Inner(self)

    assert Outer().architecture() == {
        "module": "test_a_module_that_refers_back_to_its_owner_has_a_finite_architecture."
                  "<locals>.Outer",
        "shapes": {"inner.w": []},
        "modules": {"inner": {
            "module": "test_a_module_that_refers_back_to_its_owner_has_a_finite_architecture."
                      "<locals>.Inner",
            "shapes": {"w": []},
            "modules": {"owner": {"module": "test_a_module_that_refers_back_to_its_owner_has"
                                            "_a_finite_architecture.<locals>.Outer"}}}}}

"""Neural networks built on ``Value`` alone: modules, losses, optimisers, save/load."""

from autograd_lite.nn.modules import (
    MLP,
    Layer,
    LayerValues,
    Module,
    Neuron,
    ParamTensor,
    StateDict,
    StateDictError,
    resolve_activation,
)

__all__ = ["MLP", "Layer", "LayerValues", "Module", "Neuron", "ParamTensor", "StateDict",
           "StateDictError", "resolve_activation"]

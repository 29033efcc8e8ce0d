"""Neural networks built on ``Value`` alone: modules, losses, optimisers, save/load."""

from autograd_lite.nn.modules import (
    MLP,
    Layer,
    LayerTrace,
    Module,
    Neuron,
    ParamTensor,
    StateDict,
    StateDictError,
    resolve_activation,
)

__all__ = ["MLP", "Layer", "LayerTrace", "Module", "Neuron", "ParamTensor", "StateDict",
           "StateDictError", "resolve_activation"]

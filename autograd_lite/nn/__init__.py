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
from autograd_lite.nn.progress import Progress

__all__ = ["MLP", "Layer", "LayerValues", "Module", "Neuron", "ParamTensor", "Progress",
           "StateDict", "StateDictError", "resolve_activation"]

"""Compiled tapes: a recorded graph turned into straight-line Python (``tape``), from the
rule table rendered as code (``symbolic``)."""

from autograd_lite.compile.tape import (
    BatchReplay,
    BranchChangedError,
    Compiled,
    CompiledLoss,
    Replay,
    Tape,
    TracedNumberError,
    compiled,
    compiled_loss,
)
from autograd_lite.compile.transforms import compiled_transform

__all__ = ["BatchReplay", "BranchChangedError", "Compiled", "CompiledLoss", "Replay", "Tape",
           "TracedNumberError", "compiled", "compiled_loss", "compiled_transform"]

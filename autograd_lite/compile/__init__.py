"""Compiled tapes: a recorded graph turned into straight-line Python (``tape``), the rule
table rendered as text and code (``symbolic``) and evaluated on NumPy arrays (``arrays``)."""

from autograd_lite.compile.tape import (
    MAX_INLINE_ARGS,
    BatchReplay,
    BranchChangedError,
    Compiled,
    CompiledLoss,
    Replay,
    Tape,
    compiled,
    compiled_loss,
)

__all__ = ["MAX_INLINE_ARGS", "BatchReplay", "BranchChangedError", "Compiled", "CompiledLoss",
           "Replay", "Tape", "compiled", "compiled_loss"]

"""The one exception type for bad numbers: domain errors and non-finite results."""

from __future__ import annotations


class DomainError(ValueError, ArithmeticError):
    """An operation was given a value outside its domain, or produced a non-finite result.

    ``op`` names the operation, ``values`` are the offending operands.  It is both a
    ``ValueError`` and an ``ArithmeticError``, so either ``except`` clause catches it.
    """

    def __init__(self, op: str, values: tuple[float, ...], reason: str) -> None:
        shown = ", ".join(repr(v) for v in values)
        super().__init__(f"{op}({shown}): {reason}")
        self.op = op
        self.values = values
        self.reason = reason

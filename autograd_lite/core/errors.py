"""The one exception type for bad numbers: domain errors and non-finite results."""

from __future__ import annotations


class DomainError(ValueError, ArithmeticError):
    """An operation was given a value outside its domain, or produced a non-finite result.

    ``op`` names the operation, ``values`` are the offending operands.  It is both a
    ``ValueError`` and an ``ArithmeticError``, so either ``except`` clause catches it.

    Examples:
        >>> from autograd_lite import DomainError, Value
        >>> try:
        ...     Value(-1.5).log()
        ... except ValueError as error:             # or ArithmeticError, or DomainError
        ...     print(error.op, error.values, isinstance(error, DomainError))
        log (-1.5,) True
        >>> Value(1.5) / 0
        Traceback (most recent call last):
            ...
        autograd_lite.core.errors.DomainError: div(1.5, 0.0): division by zero
    """

    def __init__(self, op: str, values: tuple[float, ...], reason: str) -> None:
        shown = ", ".join(repr(v) for v in values)
        super().__init__(f"{op}({shown}): {reason}")
        self.op = op
        self.values = values
        self.reason = reason

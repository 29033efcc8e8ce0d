"""The primitives on NumPy arrays, one element per example (the batch replay's backend).

A primitive with an ``array_forward`` runs it; any other (a user's) runs its float
``forward`` element by element, so its errors are the eager ones.  Domain errors need no
checks here: the replay checks every forward value for nan and infinity and, where one
appears, evaluates that example with the float rules, which raise the eager error.

NumPy is imported on first use (the ``batch`` extra), never with the package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd_lite.core import rules
from autograd_lite.core.rules import Primitive


def numpy_installed() -> bool:
    """Whether NumPy can be imported (it is imported on first use, not with the package)."""
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - the no-NumPy path is tested by monkeypatching
        return False
    return True


def array_function(op: Primitive) -> Callable[..., Any]:
    """``op`` as a function of arrays (and numbers), element by element."""
    import numpy

    if op.array_forward is not None:
        forward = op.array_forward
        return lambda *xs: forward(numpy, *xs)
    elementwise = numpy.frompyfunc(op.forward, op.arity + op.params if op.arity else 1, 1)
    if op.arity is None:
        return lambda *xs: numpy.asarray(
            numpy.frompyfunc(op.forward, len(xs), 1)(*xs), dtype=float)
    return lambda *xs: numpy.asarray(elementwise(*xs), dtype=float)


def chain_terms(g: Any, d: Any) -> Any:
    """:func:`~autograd_lite.core.reverse.chain_term` per example."""
    import numpy

    return numpy.where((numpy.asarray(g) != 0.0) & (numpy.asarray(d) != 0.0), g * d, 0.0)


def all_finite(s: Any) -> bool:
    """Whether every element is finite (the generated code's ``_ok`` on arrays)."""
    import numpy

    return bool(numpy.isfinite(s).all())


def _carry(op: Primitive, args: tuple[Any, ...]) -> Any:
    """A primitive called with an array argument: the array function, raising what the
    float function raises on the first example that is not finite (the array carrier)."""
    import numpy

    with numpy.errstate(all="ignore"):
        out = array_function(op)(*args)
    bad = ~numpy.isfinite(out)
    if bad.any():  # the first such example through the float function: its error, if any
        shape = numpy.broadcast(*args).shape
        e = int(numpy.argmax(numpy.broadcast_to(bad, shape)))
        op(*[float(numpy.broadcast_to(a, shape).flat[e]) for a in args])
    return out


rules.register_carrier("numpy.ndarray", _carry)

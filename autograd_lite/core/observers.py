"""Who watches recording: the hooks anomaly mode and the tape tracer set (per context).

Each is inert until first set: recording (or reading a number) checks one module flag
before looking it up.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, Protocol


class AnomalyObserver(Protocol):
    """What :data:`ANOMALY_OBSERVER` is told: each recorded node, and non-finite gradients."""

    def created(self, node: Any) -> Any:
        """``node`` was just recorded (by the user code on the stack): the node to hand
        out instead (anomaly mode's copy that keeps its creation site), or ``node`` or
        ``None`` to hand out ``node`` itself."""

    def nonfinite(self, node: Any, argument: int, adjoint: float, local: float,
                  total: float) -> None:
        """``total`` (d root / d parent so far, including ``adjoint * local``) is nan or inf,
        for ``parent = node.parents[argument]``: must raise."""


ANOMALY_OBSERVER: ContextVar[AnomalyObserver | None] = ContextVar(
    "autograd_lite_anomaly_observer", default=None)
"""While set (through :func:`observe_anomalies`), every recorded node is reported to
``created``, and ``backward`` / ``grad`` track where a gradient first became non-finite."""

COMPARISON_OBSERVER: ContextVar[Callable[[Any, str, Any, bool], None] | None] = ContextVar(
    "autograd_lite_comparison_observer", default=None)
"""While set (the tape tracer sets it), every comparison ``a < b``, ``a <= b``, ``a > b``,
``a >= b`` of a Value ``a`` is reported as ``(a, operator, b, result)``: a graph records one
path through ``if`` statements, so a replay must check the comparisons come out the same."""


NUMBER_OBSERVER: ContextVar[Callable[[Any], None] | None] = ContextVar(
    "autograd_lite_number_observer", default=None)
"""While set (the tape tracer sets it), reading a Value's number -- ``.data``, ``.item()``,
``float()``, ``int()``, ``round()``, ``detach()`` -- is reported with the Value, and so is
each Value argument of an operation whose result is a constant (under ``no_grad``, or with
no argument requiring gradients): a tape replays the operations recorded, so a number read
while tracing would be frozen into it.  (Showing a Value, ``repr`` and ``format``, and
comparing one, a guard, are not reads.)"""


class _Used:
    """Whether anomaly mode was ever entered, and whether a number observer was ever set
    (sticky): recording and ``.data`` skip the look-ups until then."""

    anomaly = False
    numbers = False


USED = _Used()


def observe_anomalies(observer: AnomalyObserver | None) -> Token[AnomalyObserver | None]:
    """Set :data:`ANOMALY_OBSERVER` in this context; reset it with the returned token."""
    USED.anomaly = True
    return ANOMALY_OBSERVER.set(observer)


def observe_numbers(observer: Callable[[Any], None] | None
                    ) -> Token[Callable[[Any], None] | None]:
    """Set :data:`NUMBER_OBSERVER` in this context; reset it with the returned token."""
    USED.numbers = True
    return NUMBER_OBSERVER.set(observer)


def number_read(value: Any) -> None:
    """Report that ``value``'s number is being read, to the observer in force if any."""
    observer = NUMBER_OBSERVER.get()
    if observer is not None:
        observer(value)


def anomaly_observer() -> AnomalyObserver | None:
    """The observer in force, or None (cheap when anomaly mode was never used)."""
    return ANOMALY_OBSERVER.get() if USED.anomaly else None

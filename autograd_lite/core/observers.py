"""Who watches recording: the hooks anomaly mode and the tape tracer set (per context).

Both are inert until set: recording checks one module flag before looking them up.
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


class _Used:
    """Whether anomaly mode was ever entered (sticky): recording skips the look-up until then."""

    anomaly = False


USED = _Used()


def observe_anomalies(observer: AnomalyObserver | None) -> Token[AnomalyObserver | None]:
    """Set :data:`ANOMALY_OBSERVER` in this context; reset it with the returned token."""
    USED.anomaly = True
    return ANOMALY_OBSERVER.set(observer)


def anomaly_observer() -> AnomalyObserver | None:
    """The observer in force, or None (cheap when anomaly mode was never used)."""
    return ANOMALY_OBSERVER.get() if USED.anomaly else None

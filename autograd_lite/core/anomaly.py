"""Anomaly mode: stop at the first NaN or infinity, naming the operation and your line.

The engine already refuses a non-finite *forward* value (a :class:`DomainError` naming the
operation and its operands).  Gradients can still overflow or become undefined: the
derivative of ``sqrt`` at 0 is ``+inf``, and ``1e200 * 1e200`` overflows.  Inside
``with detect_anomaly():``

* every node records the line of *your* code that created it (the first stack frame
  outside ``autograd_lite``): it is a :class:`SitedValue`, a Value with one more slot (a
  node made outside the block keeps the nine slots of every Value);
* ``backward`` and ``grad`` check every gradient sum ``d root / d parent += adjoint * local``;
  when a gradient that reaches an input (a leaf requiring gradients; for ``grad``, the
  inputs asked for) is nan or inf, they raise :class:`AnomalyError` naming the step where it
  first became non-finite: the operation, its operands, the argument and the creating line.
  (An infinity that a zero local derivative stops on the way, as sqrt'(0) under
  relu'(x < 0) = 0, reaches nobody and is no anomaly.)  ``backward`` then leaves every
  ``.grad`` as it was before the call;
* a :class:`DomainError` raised inside the block gets a note with the line of your code
  that raised it (shown in the traceback, kept in ``error.__notes__``).

It costs time (a stack walk per node and a checked backward loop): use it to find a bug,
not to train.  Like :class:`~autograd_lite.core.value.no_grad` it is per thread / context.
"""

from __future__ import annotations

import linecache
import os
import sys
from contextvars import Token
from dataclasses import dataclass
from types import FrameType, TracebackType

from autograd_lite.core.errors import DomainError
from autograd_lite.core.modes import ModeContext
from autograd_lite.core.observers import ANOMALY_OBSERVER, AnomalyObserver, observe_anomalies
from autograd_lite.core.value import Value, arguments

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


@dataclass(frozen=True)
class Site:
    """Where a node was created: file, line number and function of the user's code."""

    filename: str
    lineno: int
    function: str

    @property
    def code(self) -> str:
        """The source line, stripped ('' if the file cannot be read)."""
        return linecache.getline(self.filename, self.lineno).strip()

    def __str__(self) -> str:
        code = self.code
        return (f"{self.filename}:{self.lineno} in {self.function}"
                + (f": {code}" if code else ""))


class AnomalyError(DomainError):
    """A gradient became nan or inf in anomaly mode.

    ``op``/``values`` are the operation and its operands (as for every DomainError),
    ``node`` the node whose backward step failed and ``site`` where it was created.

    Examples:
        >>> from autograd_lite import AnomalyError, Value, detect_anomaly
        >>> x = Value(0.0, "x")
        >>> with detect_anomaly():
        ...     y = x.sqrt()                        # sqrt'(0) = inf
        ...     try:
        ...         y.backward()
        ...     except AnomalyError as error:
        ...         print(error.op, error.node is y, error.values)
        sqrt True (0.0,)
    """

    def __init__(self, node: Value, argument: int, adjoint: float, local: float,
                 total: float, site: Site | None) -> None:
        op = node.op
        name = op.name if op is not None else "leaf"
        parent = node.parents[argument]
        args = arguments(node)
        position = [k for k, a in enumerate(args) if isinstance(a, Value)][argument]
        who = f" {parent.label!r}" if parent.label else ""
        where = f"created at {site}" if site is not None else "created outside anomaly mode"
        reason = (f"backward: the gradient reaching argument {position}{who} is {total!r} "
                  f"(adjoint {adjoint!r} * local derivative {local!r}); this {name} was "
                  f"{where}")
        super().__init__(name, tuple(a.data if isinstance(a, Value) else a for a in args),
                         reason)
        self.node = node
        self.argument = position
        self.site = site


class SitedValue(Value):
    """A node recorded in anomaly mode: a :class:`Value` that also keeps its creation site.

    Only nodes made inside ``detect_anomaly`` are of this kind (the site lives and dies with
    its node); every other node keeps the plain nine slots of a Value.
    """

    __slots__ = ("site",)

    site: Site


def creation_site(node: Value) -> Site | None:
    """Where ``node`` was created, if that happened in anomaly mode (else ``None``)."""
    return node.site if isinstance(node, SitedValue) else None


def _user_frame(frame: FrameType | None) -> FrameType | None:
    """The first frame, walking outwards, whose code is not in the autograd_lite package."""
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    return frame


class _Recorder:
    """The :class:`~autograd_lite.core.observers.AnomalyObserver` of anomaly mode."""

    def created(self, node: Value) -> Value:
        frame = _user_frame(sys._getframe(1))
        if frame is None:
            return node
        sited = object.__new__(SitedValue)
        for slot in Value.__slots__:
            setattr(sited, slot, getattr(node, slot))
        sited.site = Site(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        return sited

    def nonfinite(self, node: Value, argument: int, adjoint: float, local: float,
                  total: float) -> None:
        raise AnomalyError(node, argument, adjoint, local, total, creation_site(node))


_RECORDER: AnomalyObserver = _Recorder()
_NOTE = "anomaly mode:"


class detect_anomaly(ModeContext):  # noqa: N801 -- named like torch.autograd.detect_anomaly
    """Context manager and decorator: raise at the first non-finite value, naming its line.

    ``with detect_anomaly(): loss.backward()`` -- see the module docstring.  As for
    ``no_grad``, one object may be reused and shared between threads, and ``@detect_anomaly()``
    puts each call (each resumption of a generator) in anomaly mode.

    Examples:
        Without it, an infinite gradient is a result; with it, an error naming the operation,
        the argument and the line that created it, with every ``.grad`` left as it was:

        >>> from autograd_lite import AnomalyError, Value, detect_anomaly
        >>> x = Value(0.0, "x")
        >>> x.sqrt().backward()
        >>> x.grad
        inf
        >>> x.grad = 0.0
        >>> with detect_anomaly():
        ...     y = x.sqrt()
        ...     y.backward()
        Traceback (most recent call last):
            ...
        autograd_lite.core.anomaly.AnomalyError: sqrt(0.0): backward: the gradient reaching ...
        >>> x.grad
        0.0
    """

    def switch(self) -> Token[AnomalyObserver | None]:
        return observe_anomalies(_RECORDER)

    def __exit__(self, exc_type: type[BaseException] | None = None,
                 exc: BaseException | None = None, tb: TracebackType | None = None) -> None:
        super().__exit__(exc_type, exc, tb)
        if (isinstance(exc, DomainError) and not isinstance(exc, AnomalyError)
                and not any(n.startswith(_NOTE) for n in getattr(exc, "__notes__", ()))):
            frame = None
            while tb is not None:  # the innermost frame of user code in the traceback
                if not tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
                    frame = tb.tb_frame
                    lineno = tb.tb_lineno
                tb = tb.tb_next
            if frame is not None:
                site = Site(frame.f_code.co_filename, lineno, frame.f_code.co_name)
                exc.add_note(f"{_NOTE} raised by {site}")


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on in this thread/context."""
    return ANOMALY_OBSERVER.get() is not None

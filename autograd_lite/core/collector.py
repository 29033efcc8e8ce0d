"""``large_graphs``: build and differentiate graphs of millions of nodes without Python's
cyclic garbage collector rescanning them.

A graph holds no reference cycles (a node points only at its older parents), so reference
counting frees it; the cyclic collector still *scans* it.  Each node is one tracked object,
and a full collection -- run each time the objects that survived the younger generations
have grown by a quarter -- traverses every one of them: a growing graph of n nodes is
traversed about five times over, and once it no longer fits the CPU caches each traversal
costs a cache miss per node.  Building a 2,000,000-node chain then costs about 1.5x per node
what a 20,000-node one does, all of it in the collector.

Inside ``with large_graphs():`` every object that survives a collection of the middle
generation is moved to the collector's permanent generation (:func:`gc.freeze`), which no
collection scans; on leaving, :func:`gc.unfreeze` hands them all back to the oldest
generation.  The collector stays on, its thresholds unchanged, and the young generations
are collected as usual (garbage cycles made and dropped inside the block are still found
there).  Objects are frozen for the whole process, not only the graph: a cycle that becomes
garbage after surviving a while inside the block is collected after the block ends.  The
block cannot be entered while other code has frozen objects with :func:`gc.freeze` (leaving
it would unfreeze them too).
"""

from __future__ import annotations

import gc
import threading
from contextlib import ContextDecorator
from typing import Any

_LOCK = threading.Lock()
_DEPTH = 0


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    """A :data:`gc.callbacks` hook: after a collection of generation 1 or 2, freeze every
    object that survived it, so no later collection scans it again."""
    if phase == "stop" and info["generation"] >= 1:
        gc.freeze()


class large_graphs(ContextDecorator):  # noqa: N801 -- a context, named like no_grad
    """Keep the cyclic garbage collector from rescanning the graphs built inside.

    Per-node cost then stays flat as a graph grows (a chain of 2,000,000 nodes records each
    node as fast as one of 20,000).  Usable as ``with large_graphs():`` and as a decorator;
    nests; process-wide (every thread's objects are frozen while it is active).  Raises
    ``RuntimeError`` on entry if objects are already frozen by other code.

    Examples:
        >>> from autograd_lite import Value, large_graphs
        >>> with large_graphs():
        ...     y = x = Value(1.0)
        ...     for _ in range(100_000):
        ...         y = y * 1.00001
        ...     y.backward()
        >>> round(x.grad, 4)                  # 1.00001 ** 100000
        2.7183
    """

    def __enter__(self) -> large_graphs:
        global _DEPTH
        with _LOCK:
            if _DEPTH == 0:
                frozen = gc.get_freeze_count()
                if frozen:
                    raise RuntimeError(
                        f"large_graphs: {frozen} objects are already frozen by gc.freeze(); "
                        "leaving the block would unfreeze them (call gc.unfreeze() first, "
                        "or build the graph outside large_graphs)")
                gc.callbacks.append(_freeze_survivors)
            _DEPTH += 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _DEPTH
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                gc.callbacks.remove(_freeze_survivors)
                gc.unfreeze()

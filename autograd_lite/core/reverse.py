"""The one reverse pass.

Given a graph in topological order (parents before children) and the adjoint of its root,
:func:`reverse_pass` visits the nodes in reverse order, when each node's adjoint
``d root / d node`` is complete, and applies the chain rule along every edge::

    adjoint[parent]  +=  adjoint[node] * d node / d parent

Everything that differentiates a graph calls it: ``Value.backward`` and ``grad`` in anomaly
mode or while a gradient hook is registered, ``grad(create_graph=True)`` (on Values, whose
adjoints are linear combinations: :mod:`autograd_lite.core.gradients`), the step-through and
the Wengert list (through the ``visit`` / ``on_term`` hooks), anomaly mode
(:class:`NonFiniteOrigins`), the tape compiler (on symbols: its ``times`` and ``plus`` write
code) and the NumPy batch replay (on groups of like nodes, whose adjoints are lists of
terms).  Two specialisations, kept for their measured worth (the table of "How reverse mode
works here"), are the same walk with the same rule (:func:`chain_term`) on the float
derivatives where a node stores them, in :mod:`autograd_lite.core.value`:
``accumulate_into_grad``, ``backward``'s, keeping the adjoints in ``.grad``, and
``float_pass``, ``grad``'s and the transforms' on numbers (a Jacobian's or a Hessian's rows:
one pass per row), keeping them in a dict.  :func:`reverse_pass` needs only
``edges(node)``: by default a node's ``parents`` and ``local_grads``.  The order it walks,
``topological_order``, is computed where the node layout lives
(:mod:`autograd_lite.core.value`), which also refuses a graph recorded before one of its
leaves had its ``data`` assigned.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

N = TypeVar("N", bound=Hashable)
Edges = Callable[[Any], tuple[Sequence[Any], Sequence[Any]]]


def chain_term(upstream: float, local: float) -> float:
    """What one edge adds to a parent in float arithmetic: ``upstream * local``, and exactly
    0 when either factor is 0 -- so 0 * inf never makes a nan (relu then sqrt at x < 0:
    d = 0, not nan).  Every float mode follows this rule."""
    return upstream * local if upstream != 0.0 and local != 0.0 else 0.0


def recorded_edges(node: Any) -> tuple[Sequence[Any], Sequence[float]]:
    """A node's parents and the local derivatives recorded with it (floats)."""
    return node.parents, node.local_grads


def reverse_pass(order: Sequence[N], root: N, seed: Any, *, edges: Edges = recorded_edges,
                 times: Callable[[Any, Any], Any] = chain_term,
                 plus: Callable[[Any, Any], Any] = operator.add,
                 visit: Callable[[N, Any], Any] | None = None,
                 on_term: Callable[[N, int, N, Any, Any, Any, Any], None] | None = None,
                 passes_nothing: Callable[[Any], bool] | None = None) -> dict[N, Any]:
    """``d root / d node`` for every node of ``order`` that ``root`` depends on.

    ``order`` lists parents before children; ``edges(node)`` gives ``(parents, locals)``.
    The algebra is ``times`` (adjoint x local) and ``plus`` (accumulate): floats with
    :func:`chain_term` by default, Values with ``*`` for differentiable gradients, symbols
    for code.  ``visit(node, adjoint)`` is called when a node's adjoint is complete, before
    it is passed on (a result other than None replaces it); ``on_term(node, k, parent,
    adjoint, local, term, total)`` after each edge: the term ``times(adjoint, local)`` it
    added and the parent's adjoint so far.  A node whose complete adjoint
    ``passes_nothing`` (every term would be 0) is not followed: its edges are never read.
    Nodes ``root`` does not reach are left out.
    """
    adjoint: dict[N, Any] = {root: seed}
    for node in reversed(order):
        g = adjoint.get(node)
        if g is None:
            continue
        if visit is not None:
            shown = visit(node, g)
            if shown is not None:
                g = adjoint[node] = shown
        if passes_nothing is not None and passes_nothing(g):
            continue
        parents, local = edges(node)
        for k, parent in enumerate(parents):
            term = times(g, local[k])
            before = adjoint.get(parent)
            total = adjoint[parent] = term if before is None else plus(before, term)
            if on_term is not None:
                on_term(node, k, parent, g, local[k], term, total)
    return adjoint


Origin = tuple[Any, int, float, float, float]
"""Where a gradient first became non-finite: (node, argument, adjoint, local, total)."""


class NonFiniteOrigins:
    """An ``on_term`` hook for anomaly mode: for each node whose adjoint became nan or inf,
    the edge where that first happened (inherited from the child that passed it on)."""

    def __init__(self) -> None:
        self.origin: dict[Any, Origin] = {}

    def __call__(self, node: Any, k: int, parent: Any, g: float, local: float, term: float,
                 total: float) -> None:
        if total - total != 0.0 and parent not in self.origin:
            self.origin[parent] = self.origin.get(node) or (node, k, g, local, total)

"""``grad``: derivatives of one output as return values, as ``torch.autograd.grad``.

No ``.grad`` is touched.  With ``create_graph=True`` the derivatives are Values recorded
in the graph (each local derivative is the primitive's rule applied to Values), so they
can be differentiated again, to any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from autograd_lite.core import rules
from autograd_lite.core.hooks import HOOKS, run_hooks
from autograd_lite.core.reverse import chain_term, reverse_pass
from autograd_lite.core.value import (
    Value,
    arguments,
    constant,
    differentiated,
    enable_grad,
    float_adjoints,
    lift,
    record,
    topological_order,
)

_UNUSED = ("One of the differentiated Values appears to not have been used in the graph. "
           "Set allow_unused=True if this is the desired behavior.")


Term = float | tuple[float, Value]
"""One term passed along an edge: a number, or ``(c, v)``, meaning ``c * v``."""
Pending = Term | list[Any]
"""An adjoint on its way, while terms are still added to it: its one term so far, then
``[number, c_1, v_1, c_2, v_2, ...]``, meaning ``number + sum_k c_k v_k`` (floats ``c_k``,
Values ``v_k``)."""
Complete = tuple[float, Value | None]
"""An adjoint once every term is in: ``(c, v)``, meaning ``c * v``, or ``c`` when ``v`` is
None."""


def _value_edges(node: Value) -> tuple[list[Value], list[Any]]:
    """A node's parents and its rule applied to its arguments themselves (Values): the local
    derivatives ``grad(create_graph=True)`` records, nodes only where they depend on Values."""
    parents: list[Value] = []
    derivatives: list[Any] = []
    if node.op is not None:
        args = arguments(node)
        for a, d in zip(args, node.op.partials(node, *args)):
            if isinstance(a, Value):  # a number or a parameter has no adjoint
                parents.append(a)
                derivatives.append(d)
    return parents, derivatives


def _term(g: Complete, d: Any) -> Term:
    """``times`` of the pass on Values: the term ``g * d`` (``d`` a float or a Value),
    recording a ``mul`` only when both are Values; a constant factor stays a coefficient."""
    c, v = g
    if v is None:
        return chain_term(c, d) if type(d) is float else (c, d)
    if type(d) is float:
        return (c * d, v) if d != 0.0 else 0.0
    return c, v * d


def _added(before: Pending, term: Term) -> list[Any]:
    """``plus`` of the pass on Values: ``term`` added to ``before`` (nothing recorded yet)."""
    if not isinstance(before, list):  # a second term: the list of both
        before = [before] if isinstance(before, float) else [0.0, *before]
    if isinstance(term, float):
        before[0] += term
    else:
        before += term
    return before


def _completed(node: Value, adjoint: Pending) -> Complete | None:
    """``visit`` of the pass on Values: the adjoint, every term in, as ``(c, v)``
    (:func:`_combined`), replaced by what ``node``'s gradient hooks return, if any.  A leaf
    without hooks is left as it is (None): it passes nothing on, and only the ones asked for
    are combined (:func:`_finished`)."""
    hooked = bool(HOOKS) and node in HOOKS
    if node.op is None and not hooked:
        return None
    c, v = _combined(adjoint)
    if hooked:
        replaced = run_hooks(node, lift(_scaled(c, v)))
        if replaced is not None:
            return (1.0, replaced) if isinstance(replaced, Value) else (replaced, None)
    return c, v


def _passes_nothing(adjoint: Complete | Pending) -> bool:
    """``passes_nothing`` of the pass on Values: the adjoint ``c v`` or ``c`` is 0 (a leaf's
    may still be a :data:`Pending`, whose number comes first: a leaf has no edges anyway)."""
    return (adjoint if isinstance(adjoint, float) else adjoint[0]) == 0.0


def _finished(adjoint: Complete | Pending) -> Any:
    """A Value's gradient from its adjoint in the pass: a Value, or a number when no Value
    is part of it."""
    return _scaled(*_combined(adjoint))


def _value_adjoints(order: Sequence[Value], root: Value) -> dict[Value, Any]:
    """:func:`~autograd_lite.core.reverse.reverse_pass` on Values (``create_graph``), local
    derivatives the rule applied to the arguments (:func:`_value_edges`).  An adjoint is ``c_0 +
    sum_k c_k v_k`` until complete, then ``c v`` (one ``dot``): constant factors record nothing.
    An adjoint 0 passes nothing on, unless some Value has a hook (it runs, as in ``grad``)."""
    return reverse_pass(order, root, 1.0, edges=_value_edges, times=_term,
                        plus=_added, visit=_completed,
                        passes_nothing=None if HOOKS else _passes_nothing)


def linear_gradients(output: Value, inputs: Sequence[Value]) -> list[tuple[list[float],
                                                                         list[Value]]]:
    """d output / d input for each input as the pass on Values leaves it, every term in:
    ``number + sum_k c_k v_k``, given as ``(c, v)`` (an input not reached: no terms), the
    combination ``grad(create_graph=True)`` would record as one ``dot`` node.  What a Hessian's
    rows differentiate (their ``number`` adds nothing); run with no gradient hook registered
    (a hook may replace an input's adjoint)."""
    with enable_grad():
        completed = _value_adjoints(topological_order(output), output)
    return [_split(completed.get(x, 0.0))[1:] for x in inputs]


def _split(adjoint: Pending) -> tuple[float, list[float], list[Value]]:
    """A pending adjoint, in whichever of its forms, as ``(number, [c_k], [v_k])``."""
    if isinstance(adjoint, list):
        return adjoint[0], adjoint[1::2], adjoint[2::2]
    if isinstance(adjoint, float):
        return adjoint, [], []
    return 0.0, [adjoint[0]], [adjoint[1]]


def _combined(adjoint: Pending | Complete) -> Complete:
    """``number + sum_k c_k v_k`` as ``(c, v)``, meaning ``c v``, or ``c`` when ``v`` is None:
    the number alone when there are no Values, ``(c, v)`` for one term, else ``(1, one dot
    node)`` (d / d v_k = c_k) with the number as a last term ``number * 1``."""
    if not isinstance(adjoint, list):  # one term, or complete already
        return (adjoint, None) if isinstance(adjoint, float) else adjoint
    number, coefficients, values = _split(adjoint)
    if not values:
        return number, None
    if len(values) == 1 and number == 0.0:
        return coefficients[0], values[0]
    args: list[Any] = [*coefficients, number, *values, 1.0] if number else [
        *coefficients, *values]
    return 1.0, record(rules.dot, args)


def _scaled(c: float, v: Value | None) -> Any:
    """``c v`` as a Value (``v`` itself for ``c = 1``, else a ``mul``), or ``c`` for no ``v``."""
    if v is None:
        return c
    return v if c == 1.0 else record(rules.mul, (c, v))


@overload
def grad(output: Value, inputs: Value, create_graph: bool = ...,
         allow_unused: bool | None = ..., materialize_grads: bool = ...) -> Any: ...
@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: bool = ...,
         allow_unused: bool | None = ..., materialize_grads: bool = ...) -> list[Any]: ...
def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> Any:
    """d output / d input for each input, without touching any ``.grad``.

    As ``torch.autograd.grad``: an input the output does not depend on is an error unless
    ``allow_unused`` (then its gradient is ``None``).  With ``create_graph`` the gradients
    are Values recorded in the graph, so they can be differentiated again.  Gradient hooks
    (``Value.register_hook``) run as in ``backward``, given Values under ``create_graph``.
    ``materialize_grads`` (as in PyTorch): an unused input, or an output that is a constant
    (a derivative that no longer depends on anything), gives 0 instead of an error; it
    implies ``allow_unused`` (leave that unset or True).

    Raises:
        TypeError: ``output`` is not a Value, or ``inputs`` are not Values.
        ValueError: ``inputs`` is empty, or ``materialize_grads=True`` with
            ``allow_unused=False`` (as PyTorch: zeros for unused inputs contradict refusing
            them).
        RuntimeError: an input or the output does not require grad (unless
            ``materialize_grads``), or an input is unused (unless ``allow_unused`` or
            ``materialize_grads``).

    Examples:
        >>> from autograd_lite import Value, grad
        >>> x, y = Value(2.0), Value(3.0)
        >>> grad(x * y, [x, y])                     # .grad is left alone
        [3.0, 2.0]
        >>> x.grad
        0.0
        >>> d1 = grad(x ** 3, x, create_graph=True) # 3 x^2, itself a graph
        >>> d1.data, grad(d1, x)                    # and 6 x
        (12.0, 12.0)
        >>> grad(x * 2.0, [x, y], allow_unused=True)
        [2.0, None]
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__} {output!r}")
    single = isinstance(inputs, Value)
    if materialize_grads and allow_unused is False:
        raise ValueError("grad: materialize_grads=True gives 0 for an unused input, which "
                         "allow_unused=False forbids; leave allow_unused unset (or True), "
                         "got allow_unused=False")
    wanted = differentiated(inputs, "grad", "grad requires non-empty inputs")
    if not output.requires_grad:
        if not materialize_grads:
            raise RuntimeError(f"grad: output {output!r} does not require grad (a constant: "
                               "pass materialize_grads=True to get zeros)")
        return _results(wanted, single, {}, set(), create_graph, materialize=True)
    order = topological_order(output)
    if create_graph:
        with enable_grad():  # the derivatives are recorded even under no_grad
            completed = _value_adjoints(order, output)
            adjoint = {x: _finished(completed[x]) for x in wanted if x in completed}
    else:  # floats: nothing is recorded
        adjoint = float_adjoints(order, output, 1.0, wanted)
    return _results(wanted, single, adjoint, set(order), create_graph, bool(allow_unused),
                    materialize_grads)


def _results(wanted: Sequence[Value], single: bool, adjoint: dict[Value, Any],
             used: set[Value], create_graph: bool, allow_unused: bool = False,
             materialize: bool = False) -> Any:
    results: list[Any] = []
    for x in wanted:
        if x not in used and materialize:
            results.append(constant(0.0) if create_graph else 0.0)
        elif x not in used:
            if not allow_unused:
                raise RuntimeError(f"grad: {x!r}: {_UNUSED}")
            results.append(None)
        elif create_graph:
            results.append(lift(adjoint.get(x, 0.0)))
        else:
            results.append(float(adjoint.get(x, 0.0)))
    return results[0] if single else results

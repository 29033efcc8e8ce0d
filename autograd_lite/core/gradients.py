"""``grad``: derivatives of one output as return values, as ``torch.autograd.grad``.

No ``.grad`` is touched.  With ``create_graph=True`` the derivatives are Values recorded
in the graph (each local derivative is the primitive's rule applied to Values), so they
can be differentiated again, to any order.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, overload

from autograd_lite.core import rules
from autograd_lite.core.hooks import hook_visitor
from autograd_lite.core.reverse import chain_term, reverse_pass
from autograd_lite.core.value import (
    Value,
    arguments,
    constant,
    differentiated,
    enable_grad,
    float_adjoints,
    lift,
    of_parents,
    record,
    topological_order,
)

_UNUSED = ("One of the differentiated Values appears to not have been used in the graph. "
           "Set allow_unused=True if this is the desired behavior.")


def _value_edges(node: Value) -> tuple[list[Value], list[Any]]:
    """A node's parents and its rule applied to its arguments (Values): the derivatives
    ``grad(create_graph=True)`` records, in the general pass (with hooks)."""
    if node.op is None:
        return [], []
    args = arguments(node)
    return list(node.parents), of_parents(node, node.op.partials(node, *args))


def _value_adjoints(order: Sequence[Value], root: Value,
                    wanted: Sequence[Value]) -> dict[Value, Any]:
    """:func:`~autograd_lite.core.reverse.reverse_pass` on Values (``create_graph``): d root /
    d node for each node of ``wanted`` (0 for one not reached).

    A node's local derivatives are its rule applied to its arguments themselves (recording
    nodes only where they depend on Values).  Until a node's adjoint is complete it is kept
    as a number plus a linear combination ``sum_k c_k v_k`` of the Values passed on to it
    (``c_k`` floats); complete, it is a number ``c`` or a scaled Value ``c v``
    (:func:`_combined`: one ``dot`` node for several terms), and it passes ``c`` on as the
    coefficient of its terms -- so a chain of constant factors records nothing and the
    gradient holds no chain of products and sums.  A term whose factors are both Values is
    recorded (a ``mul``); an adjoint that is 0 passes nothing on.
    """
    pending: dict[Value, list[Any]] = {root: [1.0, [], []]}
    adjoint: dict[Value, Any] = {}
    asked = set(wanted)
    get = pending.get
    for node in reversed(order):
        terms = get(node)
        op = node.op
        if terms is None or op is None:
            continue
        c, v = _combined(*terms)
        if node in asked:
            adjoint[node] = _scaled(c, v)
        if c == 0.0:
            continue
        args = arguments(node)
        for a, d in zip(args, op.partials(node, *args)):
            if not isinstance(a, Value):  # a number or a parameter: no adjoint
                continue
            entry = get(a)
            if entry is None:
                entry = pending[a] = [0.0, [], []]
            if v is None:  # the adjoint is the number c
                if type(d) is float:
                    entry[0] += chain_term(c, d)
                else:
                    entry[1].append(c)
                    entry[2].append(d)
            elif type(d) is float:
                if d != 0.0:
                    entry[1].append(c * d)
                    entry[2].append(v)
            else:
                entry[1].append(c)
                entry[2].append(v * d)
    for x in wanted:
        if x not in adjoint and x in pending:
            adjoint[x] = _scaled(*_combined(*pending[x]))
    return adjoint


def _combined(number: float, coefficients: list[float], values: list[Value]
              ) -> tuple[float, Value | None]:
    """``number + sum_k c_k v_k`` as ``(c, v)``, meaning ``c v``, or ``c`` when ``v`` is None:
    the number alone when there are no Values, ``(c, v)`` for one term, else ``(1, one dot
    node)`` (d / d v_k = c_k) with the number as a last term ``number * 1``."""
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
        visit = hook_visitor()
        with enable_grad():
            adjoint = _value_adjoints(order, output, wanted) if visit is None else reverse_pass(
                order, output, constant(1.0), edges=_value_edges, times=operator.mul,
                visit=visit)
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

"""Forward-mode differentiation with dual numbers, driven by the same rule table.

A dual number ``a + b e`` with ``e**2 = 0`` carries a value (the *primal* ``a``) and a
directional derivative (the *tangent* ``b``).  Applying an op to duals is the chain rule
run forwards::

    primal_out  = op.forward(x_1, ..., x_n)
    tangent_out = sum_i  (d out / d x_i) * tangent_i

with ``d out / d x_i`` taken from the primitive's ``grad`` rule (:mod:`~autograd_lite.core.rules`),
evaluated on floats.  One pass gives ``J v`` (a Jacobian-vector product) for one direction
``v``; reverse mode gives ``u^T J`` for one output weighting ``u``.  Both must agree:
``<u, J v>`` is the same number either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

from autograd_lite.core import rules
from autograd_lite.core.reverse import chain_term
from autograd_lite.core.rules import Primitive, to_float
from autograd_lite.core.value import Value, clamp_bounds


class Dual:
    """A number ``primal + tangent * e`` with ``e**2 = 0``.

    Supports the same operations as :class:`~autograd_lite.core.value.Value` (operators with
    a Dual or a number on either side, and the functions of :mod:`autograd_lite.math`), so a
    function written for Values runs on Duals unchanged.
    """

    __slots__ = ("primal", "tangent")

    primal: float
    tangent: float

    def __init__(self, primal: object, tangent: object = 0.0) -> None:
        self.primal = to_float(primal, "Dual primal")
        self.tangent = to_float(tangent, "Dual tangent")

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def __add__(self, other: Dual | float) -> Dual:
        return carry(rules.add, (self, other))

    def __radd__(self, other: float) -> Dual:
        return carry(rules.add, (other, self))

    def __sub__(self, other: Dual | float) -> Dual:
        return carry(rules.sub, (self, other))

    def __rsub__(self, other: float) -> Dual:
        return carry(rules.sub, (other, self))

    def __mul__(self, other: Dual | float) -> Dual:
        return carry(rules.mul, (self, other))

    def __rmul__(self, other: float) -> Dual:
        return carry(rules.mul, (other, self))

    def __truediv__(self, other: Dual | float) -> Dual:
        return carry(rules.div, (self, other))

    def __rtruediv__(self, other: float) -> Dual:
        return carry(rules.div, (other, self))

    def __pow__(self, other: Dual | float) -> Dual:
        if isinstance(other, Dual):
            return carry(rules.pow, (self, other))
        return carry(rules.powc, (self, other))

    def __rpow__(self, other: float) -> Dual:
        return carry(rules.pow, (other, self))

    def __neg__(self) -> Dual:
        return carry(rules.neg, (self,))

    def __abs__(self) -> Dual:
        return carry(rules.fabs, (self,))

    def __getattr__(self, name: str) -> Any:
        """``d.exp()``, ``d.leaky_relu(0.1)``...: the Value methods, through the primitives."""
        if name == "clamp":
            return lambda min=None, max=None: carry(rules.clamp,
                                                    (self, *clamp_bounds(min, max)))
        method = getattr(Value, name, None)
        op = rules.PRIMITIVES.get("abs" if name == "fabs" else name)
        if method is None or op is None or op.arity is None or name == "clamp":
            raise AttributeError(f"'Dual' object has no attribute {name!r}")
        return lambda *params: carry(op, (self, *params))


def carry(op: Primitive, args: Sequence[object]) -> Dual:
    """``op`` applied to duals (numbers count as duals with tangent 0): the Dual carrier.

    The tangent is ``sum_i local_i * tangent_i`` over the differentiable arguments, with the
    local derivatives from the primitive's rule, skipping a term when either factor is 0
    (as ``backward`` does): an argument nothing depends on contributes exactly 0 even where
    its local derivative is infinite (``sqrt`` at 0), and a zero local derivative stops an
    infinite tangent (``tanh`` saturated).
    """
    primals: list[float] = []
    tangents: list[float] = []
    for a in args:
        if isinstance(a, Dual):
            primals.append(a.primal)
            tangents.append(a.tangent)
        elif isinstance(a, Value):
            raise TypeError(f"{op.name}: cannot mix a Dual and a Value")
        else:
            primals.append(to_float(a, op.name))
            tangents.append(0.0)
    out = op.evaluate(primals)
    tangent = 0.0
    for local, t in zip(op.local_grads(out, primals), tangents):
        tangent += chain_term(t, local)
    result = _new(Dual)
    result.primal = out
    result.tangent = tangent
    return result


_new = object.__new__
rules.register_carrier(Dual, carry)


def _as_float(x: object, what: str) -> float:
    """A primal given as a number or a Value (its data)."""
    return x.data if isinstance(x, Value) else to_float(x, what)


def _unpack(out: object) -> tuple[float, float]:
    """(primal, tangent) of one output of the function; a plain number has tangent 0."""
    if isinstance(out, Dual):
        return out.primal, out.tangent
    if isinstance(out, Value):
        raise TypeError("jvp: the function returned a Value; under jvp it must compute on its "
                        "arguments (Duals), not on Values from elsewhere")
    return to_float(out, "jvp output"), 0.0


@overload
def jvp(f: Callable[..., Dual | float], primals: Sequence[float | Value],
        tangents: Sequence[float]) -> tuple[float, float]: ...
@overload
def jvp(f: Callable[..., Sequence[Dual | float]], primals: Sequence[float | Value],
        tangents: Sequence[float]) -> tuple[tuple[float, ...], tuple[float, ...]]: ...
@overload
def jvp(f: Callable[..., Any], primals: Sequence[float | Value],
        tangents: Sequence[float]) -> tuple[Any, Any]: ...
def jvp(f: Callable[..., Any], primals: Sequence[float | Value],
        tangents: Sequence[float]) -> tuple[Any, Any]:
    """``(f(*primals), J v)`` for the direction ``v = tangents``, as ``torch.func.jvp``.

    ``f`` takes one argument per primal and returns a scalar or a tuple/list of scalars;
    the results have the same shape (floats, or tuples of floats).  ``J v`` is
    ``sum_i (d f / d x_i) * v_i``, computed in one forward pass with :class:`Dual` numbers.
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    duals = [Dual(_as_float(p, "jvp primal"), to_float(t, "jvp tangent"))
             for p, t in zip(primals, tangents)]
    out = f(*duals)
    if isinstance(out, tuple | list):
        pairs = [_unpack(o) for o in out]
        return tuple(p for p, _ in pairs), tuple(t for _, t in pairs)
    return _unpack(out)

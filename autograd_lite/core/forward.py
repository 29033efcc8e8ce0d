"""Forward-mode differentiation with dual numbers, driven by the same rule table.

A dual number ``a + b e`` with ``e**2 = 0`` carries a value (the *primal* ``a``) and a
directional derivative (the *tangent* ``b``).  Applying an op to duals is the chain rule
run forwards::

    primal_out  = op.forward(x_1, ..., x_n)
    tangent_out = sum_i  (d out / d x_i) * tangent_i

with ``d out / d x_i`` taken from the primitive's derivative rule, ``partials``
(:mod:`~autograd_lite.core.rules`), evaluated on the primals.  One pass gives ``J v`` (a
Jacobian-vector product) for one direction ``v``; reverse mode gives ``u^T J`` for one output
weighting ``u``.  Both must agree: ``<u, J v>`` is the same number either way.

Nesting.  A primal or tangent may itself be a ``Value`` (forward mode over reverse-mode
recording) or another ``Dual`` (forward over forward).  Each Dual carries a :class:`Level`,
one per call of :func:`jvp` or :func:`autograd_lite.func.jvp`, ordered by creation: an op on
Duals of several levels differentiates for the newest (innermost) level only and treats
every other argument, Duals of older levels included, as a constant that it passes on to
the op on the primals -- which dispatches again, to the older level.  So two nested ``jvp``
calls never mistake one another's perturbations (Siskind & Pearlmutter's *perturbation
confusion*; JAX's trace levels).  Duals made with ``Dual(primal, tangent)`` share one base
level: nest through ``jvp``.  An op on Duals of one level with float primals and tangents
takes the float fast path.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, overload

from autograd_lite.core import rules
from autograd_lite.core.reverse import chain_term
from autograd_lite.core.rules import Primitive, to_float
from autograd_lite.core.value import WRAPPING_CARRIERS, Value, clamp_bounds


class Level:
    """One perturbation: the level of the Duals made by one ``jvp`` call.

    ``order`` increases with each new level, so a level made inside another transform is
    newer (inner) than the levels of the transforms around it.  Equal only to itself.
    """

    __slots__ = ("order",)
    _orders = itertools.count()  # next() is atomic: threads never share an order

    def __init__(self) -> None:
        self.order = next(Level._orders)

    def __repr__(self) -> str:
        return f"<level {self.order}>"


BASE = Level()
"""The level of Duals made directly with ``Dual(primal, tangent)``."""


def _component(x: object, what: str) -> Any:
    """A primal or tangent: a Value or a Dual kept as it is, any real number as a float."""
    return x if isinstance(x, Value | Dual) else to_float(x, what)


class Dual:
    """A number ``primal + tangent * e`` with ``e**2 = 0``.

    Supports the same operations as :class:`~autograd_lite.core.value.Value` (operators with
    a Dual or a number on either side, and the functions of :mod:`autograd_lite.math`), so a
    function written for Values runs on Duals unchanged.

    ``primal`` and ``tangent`` are floats, or Values (forward over reverse) or Duals of an
    older level (forward over forward); ``level`` is the :class:`Level` of the ``jvp`` call
    that made it (:data:`BASE` by default).  Comparisons compare the numbers at the bottom.

    Examples:
        >>> from autograd_lite import Dual
        >>> x = Dual(2.0, 1.0)                      # 2 + e: the direction d/dx
        >>> y = x * x + 3 * x
        >>> y.primal, y.tangent                     # x^2 + 3x and 2x + 3
        (10.0, 7.0)
        >>> Dual(0.0, 1.0).sin().tangent            # cos 0
        1.0
    """

    __slots__ = ("primal", "tangent", "level")

    primal: Any
    tangent: Any
    level: Level

    def __init__(self, primal: object, tangent: object = 0.0, level: Level | None = None
                 ) -> None:
        if level is not None and not isinstance(level, Level):
            raise TypeError(f"Dual: level must be a Level, got {type(level).__name__}")
        self.primal = _component(primal, "Dual primal")
        self.tangent = _component(tangent, "Dual tangent")
        self.level = BASE if level is None else level
        for part in (self.primal, self.tangent):
            if isinstance(part, Dual) and part.level.order >= self.level.order:
                raise ValueError(f"Dual: a primal or tangent that is a Dual must be of an "
                                 f"older level than {self.level!r}, got {part.level!r}")

    def __repr__(self) -> str:
        level = "" if self.level is BASE else f", level={self.level.order}"
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r}{level})"

    def item(self) -> float:
        """The number at the bottom of the primals (through Duals and Values)."""
        return innermost(self)

    # comparisons, of the numbers at the bottom (control flow sees the primal)
    def __lt__(self, other: object) -> bool:
        return innermost(self) < innermost(other)

    def __le__(self, other: object) -> bool:
        return innermost(self) <= innermost(other)

    def __gt__(self, other: object) -> bool:
        return innermost(self) > innermost(other)

    def __ge__(self, other: object) -> bool:
        return innermost(self) >= innermost(other)

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

    def __pow__(self, other: Dual | Value | float) -> Dual:
        if isinstance(other, Dual | Value):
            return carry(rules.pow, (self, other))
        return carry(rules.powc, (self, other))

    def __rpow__(self, other: float) -> Dual:
        return carry(rules.pow, (other, self))

    def __neg__(self) -> Dual:
        return carry(rules.neg, (self,))

    def __abs__(self) -> Dual:
        return carry(rules.fabs, (self,))

    def clamp(self, min: float | None = None, max: float | None = None) -> Dual:
        """As :meth:`Value.clamp <autograd_lite.core.value.Value.clamp>`."""
        return carry(rules.clamp, (self, *clamp_bounds(min, max)))

    # exp, log, ..., leaky_relu(slope), minimum(other): set from METHODS below
    exp: Callable[[], Dual]
    log: Callable[[], Dual]
    sqrt: Callable[[], Dual]
    tanh: Callable[[], Dual]
    sigmoid: Callable[[], Dual]
    relu: Callable[[], Dual]
    softplus: Callable[[], Dual]
    gelu: Callable[[], Dual]
    silu: Callable[[], Dual]
    sin: Callable[[], Dual]
    cos: Callable[[], Dual]
    leaky_relu: Callable[[float], Dual]
    minimum: Callable[[Dual | float], Dual]
    maximum: Callable[[Dual | float], Dual]


METHODS: dict[str, Primitive] = {
    "exp": rules.exp, "log": rules.log, "sqrt": rules.sqrt, "tanh": rules.tanh,
    "sigmoid": rules.sigmoid, "relu": rules.relu, "softplus": rules.softplus,
    "gelu": rules.gelu, "silu": rules.silu, "sin": rules.sin, "cos": rules.cos,
    "leaky_relu": rules.leaky_relu, "minimum": rules.minimum, "maximum": rules.maximum}
"""The methods a Dual shares with a Value (``d.exp()``, ``d.leaky_relu(0.1)``,
``d.minimum(e)``): each applies its primitive to the Dual and the arguments given."""


def _method(op: Primitive) -> Callable[..., Dual]:
    def method(self: Dual, *args: object) -> Dual:
        return carry(op, (self, *args))

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"``{op.name}`` of this Dual (see :class:`~autograd_lite.core.value.Value`)."
    return method


for _name, _op in METHODS.items():
    setattr(Dual, _name, _method(_op))


def carry(op: Primitive, args: Sequence[object]) -> Dual:
    """``op`` applied to duals (numbers count as duals with tangent 0): the Dual carrier,
    the one place a Dual is computed.

    The tangent is ``sum_i local_i * tangent_i`` over the arguments of the newest level,
    with the local derivatives from the primitive's rule, skipping a term when either factor
    is 0 (as ``backward`` does): an argument nothing depends on contributes exactly 0 even
    where its local derivative is infinite (``sqrt`` at 0), and a zero local derivative
    stops an infinite tangent (``tanh`` saturated).  Every other argument -- a number, a
    Value, a Dual of an older level -- is a constant here, passed on to ``op`` on the
    primals, which dispatches again.
    """
    # The one fast path, kept for its measured worth: one or two arguments with float parts
    # of one level, inlined.  Without it (always _carry_general) func.jvp of a 10-input
    # Rosenbrock took 188 us against 79, func.hessian 364 against 282 (best of 20, 2026-12-07).
    if len(args) == 1:  # activations, and - x
        only = args[0]
        if type(only) is Dual and type(only.primal) is float and type(only.tangent) is float:
            out = op.evaluate((only.primal,))
            local = op.partials(out, only.primal)
            return _dual(out, 0.0 + chain_term(only.tangent, local[0]), only.level)
    elif len(args) == 2:
        first, second = args
        if type(first) is Dual:
            x, dx, level = first.primal, first.tangent, first.level
        elif type(first) is float or type(first) is int:
            x, dx, level = to_float(first, f"{op.name}: argument 0"), 0.0, None
        else:
            return _carry_general(op, args)
        if type(second) is Dual and not op.params:
            y, dy = second.primal, second.tangent
            if level is None:
                level = second.level
            elif second.level is not level:
                return _carry_general(op, args)
        elif type(second) is float or type(second) is int:
            y, dy = to_float(second, f"{op.name}: argument 1"), 0.0
        else:
            return _carry_general(op, args)
        if level is not None and type(x) is float and type(dx) is float \
                and type(y) is float and type(dy) is float:
            out = op.evaluate((x, y))
            local = op.partials(out, x, y)  # one entry when y is a parameter, then dy is 0
            tangent = 0.0 + chain_term(dx, local[0]) + (chain_term(dy, local[1]) if dy else 0.0)
            return _dual(out, tangent, level)
    return _carry_general(op, args)


def _carry_general(op: Primitive, args: Sequence[object]) -> Dual:
    """:func:`carry` for any mix: numbers of any type, parameters, Values, Duals of several
    levels, Duals whose parts are Values or Duals."""
    level = max((a.level for a in args if isinstance(a, Dual)), key=lambda v: v.order)
    if op.params and any(isinstance(a, Dual | Value) for a in args[len(args) - op.params:]):
        raise TypeError(f"{op.name}: a parameter must be a number, not a "
                        f"{type(args[len(args) - 1]).__name__}")
    primals: list[Any] = []
    tangents: list[Any] = []
    carried = False
    for k, a in enumerate(args):
        if isinstance(a, Dual) and a.level is level:
            primals.append(a.primal)
            tangents.append(a.tangent)
        else:
            primals.append(a if isinstance(a, Dual | Value)
                           else to_float(a, f"{op.name}: argument {k}"))
            tangents.append(None)
        carried = carried or isinstance(primals[-1], Dual | Value)
    out = op(*primals) if carried else op.evaluate(primals)
    tangent: Any = None
    for local, t in zip(op.partials(out, *primals), tangents):
        if t is None:
            continue
        if type(t) is float and type(local) is float:
            term: Any = chain_term(t, local)
        elif (type(t) is float and t == 0.0) or (type(local) is float and local == 0.0):
            continue
        else:
            term = t * local
        tangent = term if tangent is None else tangent + term
    return _dual(out, 0.0 if tangent is None else tangent, level)


def _dual(primal: Any, tangent: Any, level: Level) -> Dual:
    """A Dual made without :meth:`Dual.__init__`'s checks (its parts are known good)."""
    result = _new(Dual)
    result.primal = primal
    result.tangent = tangent
    result.level = level
    return result


def innermost(x: object) -> float:
    """The number at the bottom of ``x``: through Dual primals and Value data."""
    while isinstance(x, Dual):
        x = x.primal
    if isinstance(x, Value):
        return x.data
    return to_float(x, "innermost")


_new = object.__new__
rules.register_carrier(Dual, carry)
WRAPPING_CARRIERS[Dual] = carry


RECORDING: ContextVar[int] = ContextVar("autograd_lite_func_recording", default=0)
"""How many reverse-mode transforms of :mod:`autograd_lite.core.func` are evaluating their
function around this call: when not 0, gradients must be recorded (``create_graph``) for the
transforms outside, and :func:`jvp` keeps its Value arguments."""


def _argument(x: object, what: str, keep_values: bool) -> Any:
    """A primal or tangent of :func:`jvp`: a Dual as it is (from a ``jvp`` outside), a Value
    as it is when ``keep_values`` (inside a reverse-mode transform) and else its number, any
    real number as a float."""
    if isinstance(x, Dual) or (keep_values and isinstance(x, Value)):
        return x
    return x.data if isinstance(x, Value) else to_float(x, what)


def _unpack(out: object, level: Level, nested: bool) -> tuple[Any, Any]:
    """(primal, tangent) of one output of the function, for the perturbation ``level``.

    Anything but a Dual of ``level`` does not depend on the arguments: tangent 0.  A Value is
    refused unless ``nested`` (inside a reverse-mode transform, where it is that transform's).
    """
    if isinstance(out, Dual):
        return (out.primal, out.tangent) if out.level is level else (out, 0.0)
    if isinstance(out, Value):
        if not nested:
            raise TypeError("jvp: the function returned a Value; under jvp it must compute "
                            "on its arguments (Duals), not on Values from elsewhere")
        return out, 0.0
    return to_float(out, "jvp output"), 0.0


@overload
def jvp(f: Callable[..., Dual | float], primals: Sequence[float | Value | Dual],
        tangents: Sequence[float | Value | Dual]) -> tuple[float, float]: ...
@overload
def jvp(f: Callable[..., Sequence[Dual | float]], primals: Sequence[float | Value | Dual],
        tangents: Sequence[float | Value | Dual]
        ) -> tuple[tuple[float, ...], tuple[float, ...]]: ...
@overload
def jvp(f: Callable[..., Any], primals: Sequence[float | Value | Dual],
        tangents: Sequence[float | Value | Dual]) -> tuple[Any, Any]: ...
def jvp(f: Callable[..., Any], primals: Sequence[float | Value | Dual],
        tangents: Sequence[float | Value | Dual]) -> tuple[Any, Any]:
    """``(f(*primals), J v)`` for the direction ``v = tangents``, as ``torch.func.jvp``.

    ``f`` takes one argument per primal and returns a scalar or a tuple/list of scalars;
    the results have the same shape (floats, or tuples of floats).  ``J v`` is
    ``sum_i (d f / d x_i) * v_i``, computed in one forward pass with :class:`Dual` numbers.

    Each call differentiates for a new :class:`Level`, so calls nest without perturbation
    confusion: ``d/dx [x * (d/dy (x + y))] = d/dx x = 1``, not 2.  Nested in another ``jvp``
    (Duals as primals, or captured by ``f``), the results are Duals of the outer levels;
    inside a reverse-mode transform of :mod:`autograd_lite.func` a Value primal is kept so
    that transform differentiates through it.  Elsewhere a Value primal is read as its number
    (:func:`autograd_lite.func.jvp` keeps it).

    Examples:
        >>> from autograd_lite import jvp
        >>> jvp(lambda a, b: a * b + a.exp(), [2.0, 3.0], [1.0, 0.0])
        (13.38905609893065, 10.38905609893065)
        >>> jvp(lambda x: x * jvp(lambda y: x + y, [1.0], [1.0])[1], [1.0], [1.0])
        (1.0, 1.0)
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    nested = RECORDING.get() > 0
    level = Level()
    duals = [Dual(_argument(p, "jvp primal", nested), _argument(t, "jvp tangent", nested),
                  level) for p, t in zip(primals, tangents)]
    out = f(*duals)
    if isinstance(out, tuple | list):
        pairs = [_unpack(o, level, nested) for o in out]
        return tuple(p for p, _ in pairs), tuple(t for _, t in pairs)
    return _unpack(out, level, nested)

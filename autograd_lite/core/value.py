"""``Value``: a scalar that records the primitives applied to it, and back-propagates.

Calling a primitive of :mod:`autograd_lite.core.rules` with a Value argument records a node
(:func:`record`): its output, its parent Values and the local derivatives d out / d parent,
computed once, on floats, by the primitive's own derivative rule, ``partials``.  ``backward``
then needs no rules at all, only the chain rule, in
:func:`~autograd_lite.core.reverse.reverse_pass`.

As in PyTorch, a result requires gradients iff some argument does and recording is on
(:class:`no_grad`); otherwise it is a constant leaf.  Numbers given as arguments (the 5 of
``y - 5``, the exponent of ``x ** 2``) are kept with the node, not made into nodes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar, Token
from itertools import compress
from typing import Any, overload

from autograd_lite.core import rules
from autograd_lite.core.hooks import HOOKS, RemovableHandle, hook_visitor, register_hook
from autograd_lite.core.modes import ModeContext
from autograd_lite.core.observers import (
    COMPARISON_OBSERVER,
    USED,
    anomaly_observer,
    number_read,
)
from autograd_lite.core.reverse import NonFiniteOrigins, chain_term, reverse_pass
from autograd_lite.core.rules import Primitive, to_float

_GRAD_ENABLED: ContextVar[bool] = ContextVar("autograd_lite_grad_enabled", default=True)

_now = 0
"""The data clock: how many times some Value's ``data`` has been assigned.  Every Value
keeps the reading at which its number was set (a node: when it was recorded), so a graph
can tell that a leaf changed after a node read it (:func:`topological_order`)."""
_CLOCK_LOCK = threading.Lock()


WRAPPING_CARRIERS: dict[type, rules.Carrier] = {}
"""Carriers whose numbers may hold Values (forward mode's ``Dual``, registered from the floor
above): a primitive applied to a Value and one of these goes to that carrier, which applies
it to the Values inside -- so a Value never holds one of them."""


class Value:
    """A scalar node of the compute graph.

    ``data`` is the value, ``grad`` the gradient of the last ``backward`` root with respect
    to it, ``op`` the :class:`~autograd_lite.core.rules.Primitive` that made it (``None`` for
    a leaf).  ``parents`` (the Value arguments), ``local_grads`` (d self / d parent, floats
    computed when recorded), ``args`` and ``requires_grad`` read the node's layout: nine
    slots, one object per node (104 bytes, the only object the garbage collector tracks)::

        a node of one or two arguments   first, second: the arguments (Values or numbers;
                                         second None if absent); d_first, d_second: d self /
                                         d argument (None where the argument is a number)
        a node of more arguments (dot)   first: its parents (a tuple); d_first: their local
                                         derivatives (a tuple); second: all its arguments (a
                                         tuple) when some is a number, else None
        a leaf (op None)                 first, second, d_second None; d_first: whether it
                                         requires gradients (a recorded node always does)
        every Value                      _data: the number; _set_at: the data clock's
                                         reading when it was set (recorded or assigned)

    A leaf's ``data`` may be assigned (an optimiser's step); a graph recorded from the old
    number then refuses to be read (:func:`topological_order`): record it again.  Equality and
    hashing are by identity, so nodes can live in sets and dicts.

    Examples:
        >>> from autograd_lite import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> f = x * y + x.exp()
        >>> f.backward()
        >>> f.data, x.grad, y.grad                  # y + e^x and x
        (13.38905609893065, 10.38905609893065, 2.0)
        >>> f.op.name, f.parents[0].local_grads     # d(xy)/dx = y, d(xy)/dy = x
        ('add', (3.0, 2.0))
    """

    __slots__ = ("_data", "grad", "label", "op", "first", "second", "d_first", "d_second",
                 "_set_at")

    _data: float
    _set_at: int
    grad: float
    label: str
    op: Primitive | None
    first: Value | float | tuple[Value, ...] | None
    second: Value | float | tuple[Value | float, ...] | None
    d_first: float | tuple[float, ...] | None
    d_second: float | None

    def __init__(self, data: object, label: str = "", *, requires_grad: bool = True) -> None:
        if isinstance(data, Value):
            raise TypeError("Value: expected a real number, got Value (use .detach() or .data)")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self._data = to_float(data, "Value")
        self._set_at = _now
        self.grad = 0.0
        self.label = label
        self.op = None
        self.first = self.second = self.d_second = None
        self.d_first = bool(requires_grad)

    @property
    def data(self) -> float:
        """The number.  A leaf's may be assigned (``p.data -= lr * p.grad``), after which the
        graphs recorded from its old number refuse to be read -- backward, grad, compile,
        drawing -- with an error naming it (as PyTorch's "modified by an inplace operation"):
        record them again.  A recorded node's number is its op's result and is not assigned.
        While a function is traced into a tape, reading it is reported to the tracer
        (:data:`~autograd_lite.core.observers.NUMBER_OBSERVER`): a tape would keep the number
        read as a constant."""
        if USED.numbers:
            number_read(self)
        return self._data

    @data.setter
    def data(self, x: object) -> None:
        if self.op is not None:
            raise RuntimeError(
                f"data: {self!r} is the result of {self.op.name}: only a leaf's number can be "
                "assigned (use .detach() for a leaf with this number)")
        self._data = x if type(x) is float and x - x == 0.0 else to_float(x, "Value.data")
        global _now
        with _CLOCK_LOCK:  # the data clock: one reading per assignment
            _now += 1
            self._set_at = _now

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this value: set for a leaf (``Value(x,
        requires_grad=False)`` and :func:`constant` make one that does not), always true for
        a recorded node (as PyTorch, a result requires gradients iff some argument does)."""
        return self.op is not None or self.d_first is True

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.op is not None:
            if not flag:
                raise RuntimeError(
                    f"requires_grad: only a leaf's flag can be changed, and {self!r} is the "
                    f"result of {self.op.name} (use .detach() for a constant copy)")
            return
        self.d_first = bool(flag)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value arguments of ``op``, in order (a Value given twice is listed twice)."""
        if type(self.first) is tuple:
            return self.first
        return tuple(a for a, d in _edges(self) if d is not None)  # type: ignore[misc]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d parent for each of :attr:`parents` (floats, computed when recorded)."""
        if type(self.first) is tuple:
            return self.d_first  # type: ignore[return-value]
        return tuple(d for _, d in _edges(self) if d is not None)

    @property
    def args(self) -> tuple[Value | float, ...] | None:
        """Every argument ``op`` was applied to, numbers and parameters included, when some
        argument is a number; ``None`` when they are all Values (then ``parents``)."""
        if type(self.first) is tuple:
            return self.second  # type: ignore[return-value]
        edges = _edges(self)
        if all(d is not None for _, d in edges):
            return None
        return tuple(a for a, _ in edges)

    # -- graph bookkeeping ------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for values not produced by an operation (inputs, parameters, constants)."""
        return self.op is None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    def item(self) -> float:
        """The number this Value holds (as ``torch.Tensor.item``): always allowed."""
        return self.data

    # -- Python protocols that would turn a Value into a plain number ----------------------
    def __float__(self) -> float:
        """The number, for a constant; refused for a Value that requires gradients, since
        ``math.exp(v)`` would silently lose its gradient (use ``autograd_lite.math.exp``)."""
        if self.requires_grad:
            raise TypeError(_cut("float", self))
        return self.data

    def __int__(self) -> int:
        if self.requires_grad:
            raise TypeError(_cut("int", self))
        return int(self.data)

    def __round__(self, ndigits: int | None = None) -> float:
        if self.requires_grad:
            raise TypeError(_cut("round", self))
        return round(self.data, ndigits)

    def __index__(self) -> int:
        raise TypeError(f"{self!r} cannot be used as an index: a Value holds a float")

    def __bool__(self) -> bool:
        raise TypeError(f"bool({self!r}): the truth value of a Value is ambiguous; compare "
                        "it (v > 0, recorded by compiled tapes) or test v.item()")

    def __format__(self, spec: str) -> str:
        """``format(v, ".3f")`` / ``f"{v:.3f}"`` format the number; ``f"{v}"`` the repr."""
        return format(self._data, spec) if spec else repr(self)

    # -- comparisons (of .data; == stays identity) ---------------------------------------
    def __lt__(self, other: Value | float) -> bool:
        return _compare(self, "<", other)

    def __le__(self, other: Value | float) -> bool:
        return _compare(self, "<=", other)

    def __gt__(self, other: Value | float) -> bool:
        return _compare(self, ">", other)

    def __ge__(self, other: Value | float) -> bool:
        return _compare(self, ">=", other)

    def detach(self) -> Value:
        """A new leaf with the same data that does not require gradients."""
        return Value(self.data, self.label, requires_grad=False)

    # -- copies: through the public constructor and the primitives, never the layout ---------
    def _made_again(self, copied: dict[int, Value]) -> Value:
        """A new node with this one's data, label and ``.grad``: a leaf by ``Value(...)``, a
        node by recording ``op`` again on the arguments (each Value replaced by its entry
        in ``copied``, if any)."""
        if self.op is None:
            twin = Value(self.data, self.label, requires_grad=self.requires_grad)
        else:
            given = self.args if self.args is not None else self.parents
            with enable_grad():
                twin = self.op(*(copied.get(id(a), a) if isinstance(a, Value) else a
                                 for a in given))
            twin.label = self.label
        twin.grad = self.grad
        return twin

    def __copy__(self) -> Value:
        """A new node with the same data, label and ``.grad``, sharing the parents."""
        return self._made_again({})

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of the graph ending here: each node made again, parents first
        (:meth:`_made_again`), its ``op`` shared, not copied (``copy.deepcopy(y).op is
        y.op``).  Iterative: a 20,000-node chain copies.  Nodes already in ``memo`` (copied
        with other objects in the same ``deepcopy`` call) are reused."""
        for node in topological_order(self):
            if id(node) not in memo:
                memo[id(node)] = node._made_again(memo)
        twin: Value = memo[id(self)]
        return twin

    def __reduce__(self) -> tuple[Any, ...]:
        """A leaf is serialised by its number, label, flag and gradient; a recorded node is
        refused: its graph is code (the primitives) and may be deeper than any serialiser
        recurses."""
        if self.op is not None:
            raise TypeError(
                f"Value: cannot serialise {self!r}, the result of {self.op.name} (a node "
                "carries its whole graph); serialise its number (.data, or .detach()), or a "
                "model's parameters with autograd_lite.nn.save(model, path) or "
                "model.state_dict()")
        return (Value, (self.data, self.label), (self.requires_grad, self.grad))

    def __setstate__(self, state: tuple[bool, float]) -> None:
        self.requires_grad, self.grad = state

    # -- arithmetic: each operator is a primitive of the rule table ------------------------
    def __add__(self, other: Value | float) -> Value:
        return record(rules.add, (self, other))

    def __radd__(self, other: float) -> Value:
        return record(rules.add, (other, self))

    def __sub__(self, other: Value | float) -> Value:
        return record(rules.sub, (self, other))

    def __rsub__(self, other: float) -> Value:
        return record(rules.sub, (other, self))

    def __mul__(self, other: Value | float) -> Value:
        return record(rules.mul, (self, other))

    def __rmul__(self, other: float) -> Value:
        return record(rules.mul, (other, self))

    def __truediv__(self, other: Value | float) -> Value:
        return record(rules.div, (self, other))

    def __rtruediv__(self, other: float) -> Value:
        return record(rules.div, (other, self))

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value) or type(other) in WRAPPING_CARRIERS:
            return record(rules.pow, (self, other))  # d/d other too
        return record(rules.powc, (self, other))  # a number exponent: a parameter

    def __rpow__(self, other: float) -> Value:
        return record(rules.pow, (other, self))

    def __neg__(self) -> Value:
        return record(rules.neg, (self,))

    def __abs__(self) -> Value:
        return record(rules.fabs, (self,))

    def exp(self) -> Value:
        """e ** self."""
        return record(rules.exp, (self,))

    def log(self) -> Value:
        """Natural logarithm (self > 0)."""
        return record(rules.log, (self,))

    def sqrt(self) -> Value:
        """Square root (self >= 0); its derivative at 0 is +inf, as in PyTorch."""
        return record(rules.sqrt, (self,))

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 - tanh**2."""
        return record(rules.tanh, (self,))

    def sigmoid(self) -> Value:
        """1 / (1 + e^-self), stable on both tails; derivative s (1 - s)."""
        return record(rules.sigmoid, (self,))

    def relu(self) -> Value:
        """max(self, 0); derivative 0 at the kink, as in PyTorch."""
        return record(rules.relu, (self,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self for self > 0, slope * self otherwise."""
        return record(rules.leaky_relu, (self, slope))

    def softplus(self) -> Value:
        """log(1 + e^self), without overflow; derivative sigmoid(self)."""
        return record(rules.softplus, (self,))

    def gelu(self) -> Value:
        """self * Phi(self), Phi the standard normal CDF (the erf form, PyTorch's default)."""
        return record(rules.gelu, (self,))

    def silu(self) -> Value:
        """self * sigmoid(self) (swish)."""
        return record(rules.silu, (self,))

    def clamp(self, min: float | None = None, max: float | None = None) -> Value:
        """self limited to [min, max] (either may be None); the gradient passes where
        min <= self <= max, bounds included, as in PyTorch."""
        return record(rules.clamp, (self, *clamp_bounds(min, max)))

    def minimum(self, other: Value | float) -> Value:
        """The smaller of self and other; at a tie each gets half the gradient (PyTorch)."""
        return record(rules.minimum, (self, other))

    def maximum(self, other: Value | float) -> Value:
        """The larger of self and other; at a tie each gets half the gradient (PyTorch)."""
        return record(rules.maximum, (self, other))

    def sin(self) -> Value:
        """Sine."""
        return record(rules.sin, (self,))

    def cos(self) -> Value:
        """Cosine."""
        return record(rules.cos, (self,))

    # -- backward ---------------------------------------------------------------------
    def backward(self, gradient: float = 1.0, *,
                 inputs: Value | Sequence[Value] | None = None) -> None:
        """Back-propagate ``gradient`` (d root / d self) to every value this one depends on.

        Leaves that require gradients accumulate into ``.grad`` across calls (as PyTorch);
        every non-leaf's ``.grad`` is overwritten with d self / d node.  A term with a factor
        0 adds nothing (``chain_term``).  In anomaly mode a non-finite gradient reaching a leaf
        raises, and no ``.grad`` changes.  Hooks (:meth:`register_hook`) run as each gradient
        is complete.  Given ``inputs``, only they accumulate (``y.backward(inputs=[w])``).
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: {self!r} does not require grad (a constant, a detached value, or "
                "computed under no_grad)")
        seed = to_float(gradient, "backward gradient")
        if inputs is not None:
            _backward_into(self, seed, list(dict.fromkeys(differentiated(
                inputs, "backward", "pass the Values to accumulate into, or leave inputs unset "
                "for every leaf"))))
            return
        order = topological_order(self)
        if anomaly_observer() is None and not HOOKS:
            accumulate_into_grad(order, self, seed)
            return
        adjoint = float_adjoints(order, self, seed, (
            node for node in order if node.op is None and node.requires_grad))
        for node, g in adjoint.items():  # all or nothing: written once every one is known
            if node.op is not None:
                node.grad = g
            elif node.d_first is True:  # a leaf that requires gradients (the layout of Value)
                node.grad += g

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        """Run ``hook(grad)`` each time this Value's gradient is complete in a reverse pass
        (``backward``, ``grad``, ``grad(create_graph=True)``, the step-through), as PyTorch's
        ``Tensor.register_hook``; a result other than None replaces the gradient, which is what
        this Value then passes on (and, for a leaf, accumulates).  ``grad`` is a float, or a
        recorded Value under ``create_graph``.  Compiled tapes refuse a graph with a hook.

        Returns a handle whose ``remove()`` unregisters the hook.  Until then the hook keeps
        this Value, and its graph, alive (:mod:`autograd_lite.core.hooks` says why).

        Raises:
            TypeError: ``hook`` is not callable (or, in a pass, returns neither None nor a
                number).
            RuntimeError: this Value does not require grad.

        Examples:
            >>> from autograd_lite import Value
            >>> x = Value(2.0)
            >>> h = x * 3.0
            >>> handle = h.register_hook(lambda g: g * 10)   # d y / d h = 2h = 12 -> 120
            >>> (h * h).backward()
            >>> h.grad, x.grad                              # x gets 120 * 3
            (120.0, 360.0)
            >>> handle.remove()
        """
        return register_hook(self, hook)


def differentiated(inputs: object, who: str, if_empty: str) -> list[Value]:
    """``inputs`` (a Value or a sequence of Values that require grad) as a list, in order:
    what ``backward(inputs=)`` and ``grad`` take; otherwise an error naming ``who`` and the
    input refused (``if_empty`` says what to do about an empty one)."""
    if isinstance(inputs, Value):
        given: list[Any] = [inputs]
    elif isinstance(inputs, Sequence) and not isinstance(inputs, str):
        given = list(inputs)
    else:
        raise TypeError(f"{who}: inputs must be a Value or a sequence of Values, got "
                        f"{type(inputs).__name__} {inputs!r}")
    if not given:
        raise ValueError(f"{who}: inputs is empty ({inputs!r}); {if_empty}")
    for x in given:
        if not isinstance(x, Value):
            raise TypeError(f"{who}: inputs must be Values, got {type(x).__name__} {x!r}")
        if not x.requires_grad:
            raise RuntimeError(f"{who}: input {x!r} does not require grad")
    return given


def _backward_into(root: Value, seed: float, inputs: Sequence[Value]) -> None:
    """``root.backward(seed, inputs=inputs)``: d root / d input added to each input's
    ``.grad``, all at once after the pass (anomaly mode may refuse first)."""
    order = topological_order(root)
    adjoint = float_adjoints(order, root, seed, inputs)
    for x in inputs:
        x.grad += adjoint.get(x, 0.0)


_LARGEST = 1.7976931348623157e308


def clamp_bounds(low: object, high: object) -> tuple[float, float]:
    """clamp's bounds as its two parameters: None is no bound (the largest float)."""
    if low is None and high is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return (-_LARGEST if low is None else to_float(low, "clamp min"),
            _LARGEST if high is None else to_float(high, "clamp max"))


def _cut(what: str, v: Value) -> str:
    return (f"{what}({v!r}) would cut the graph: use v.item() (or v.data) for the number, "
            "or a differentiable function of autograd_lite.math (math.exp(v) -> "
            "autograd_lite.math.exp(v))")


# -- recording ---------------------------------------------------------------------------
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}


def _compare(a: Value, operator: str, b: Value | float) -> bool:
    """``a.data <operator> b``, reported to :data:`COMPARISON_OBSERVER` if one is set (a
    number that may hold Values, a Dual, compares itself: NotImplemented)."""
    if type(b) in WRAPPING_CARRIERS:
        return NotImplemented  # type: ignore[no-any-return]
    y = b._data if isinstance(b, Value) else to_float(b, f"Value {operator}")
    result = _COMPARE[operator](a._data, y)
    observer = COMPARISON_OBSERVER.get()
    if observer is not None:
        observer(a, operator, b, result)
    return result


def constant(x: object) -> Value:
    """A leaf that does not require gradients.

    Examples:
        >>> from autograd_lite import Value, constant
        >>> c = constant(5.0)
        >>> y = Value(2.0) * c
        >>> y.backward()
        >>> c.requires_grad, c.grad
        (False, 0.0)
    """
    return Value(x, requires_grad=False)


def lift(x: object) -> Value:
    """``x`` itself if it is a Value, otherwise a :func:`constant`."""
    return x if isinstance(x, Value) else constant(x)


def _edges(node: Value) -> list[tuple[Value | float, float | None]]:
    """(argument, d node / d argument) for each argument of ``node``, ``None`` for numbers."""
    if type(node.first) is tuple:  # a node of more than two arguments
        parents, local_grads, args = node.first, node.d_first, node.second
        if args is None:
            return list(zip(parents, local_grads))  # type: ignore[arg-type]
        derivatives = iter(local_grads)  # type: ignore[arg-type]
        return [(a, next(derivatives) if isinstance(a, Value) else None)
                for a in args]  # type: ignore[union-attr]
    if node.second is not None:  # an argument is a Value or a number, never None
        return [(node.first, node.d_first), (node.second, node.d_second)]  # type: ignore[list-item]
    if node.first is not None:
        return [(node.first, node.d_first)]  # type: ignore[list-item]
    return []


def arguments(node: Value) -> tuple[Value | float, ...]:
    """Every argument ``node.op`` was applied to, in order: Values, numbers and parameters."""
    if type(node.first) is tuple:  # more than two arguments: all of them kept, or all parents
        return node.second if node.second is not None else node.first  # type: ignore[return-value]
    return tuple(a for a, _ in _edges(node))


def of_parents(node: Value, per_argument: Sequence[Any]) -> list[Any]:
    """From one entry per differentiable argument of ``node`` (a derivative rule's result),
    the entries of its Value arguments: one per parent, in ``node.parents`` order."""
    return [d for a, d in zip(arguments(node), per_argument) if isinstance(a, Value)]


def record(op: Primitive, args: Sequence[object]) -> Value:
    """Apply ``op`` to ``args`` (Values and numbers) and record the node: the Value carrier,
    the one place a Value is computed.

    The forward value (refused if not finite) and the local derivatives (the primitive's
    rule, on floats) are computed here, once.  A result that no argument's gradient depends
    on, or one made under :class:`no_grad`, is a constant leaf.  A Value argument that does
    not require gradients is a parent like any other (its local derivative is the true one,
    shown by the step-through), but the reverse pass never writes a gradient into it.
    """
    set_at = _now  # read first: a leaf assigned while this runs counts as later
    # The one fast path, kept for its measured worth: every argument a Value or a finite
    # float, read inline.  Without it (always _normalised) the bench's eager MLP step took
    # 20.5 ms against 15.7 (best of 12 interleaved, 2026-12-07).
    floats = []
    needed = numbers = False
    for a in args:
        if type(a) is Value:
            floats.append(a._data)
            needed = needed or a.op is not None or a.d_first is True
        elif type(a) is float and a - a == 0.0:
            floats.append(a)
            numbers = True
        else:
            break
    if len(floats) != len(args) or op.params:  # numbers of other types, parameters, Duals
        for a in args:
            wrapping = WRAPPING_CARRIERS.get(type(a))
            if wrapping is not None:  # a Dual: it applies op to the Values inside
                return wrapping(op, tuple(args))  # type: ignore[no-any-return]
        args, floats, needed, numbers = _normalised(op, args)
    out = op.evaluate(floats)
    if not needed or not _GRAD_ENABLED.get():
        if USED.numbers:  # a constant made from Values freezes their numbers: a read
            for a in args:
                if isinstance(a, Value):
                    number_read(a)
        return _leaf(out, set_at)
    node = _node(op, out, set_at, args, op.partials(out, *floats), numbers)  # type: ignore[arg-type]
    return _created(node) if USED.anomaly else node


def _normalised(op: Primitive, args: Sequence[object]) -> tuple[list[Value | float],
                                                                  list[float], bool, bool]:
    """``args`` with every number a float (a TypeError or DomainError naming ``op`` and the
    argument otherwise), their numbers, whether some Value requires gradients, and whether
    some argument is a number."""
    stored: list[Value | float] = []
    floats: list[float] = []
    needed = numbers = False
    first_param = len(args) - op.params
    for k, a in enumerate(args):
        if isinstance(a, Value):
            if k >= first_param:
                raise TypeError(f"{op.name}: a parameter must be a number, not a Value ({a!r})")
            stored.append(a)
            floats.append(a._data)
            needed = needed or a.requires_grad
        else:
            f = to_float(a, f"{op.name}: argument {k}")
            stored.append(f)
            floats.append(f)
            numbers = True
    return stored, floats, needed, numbers


def _leaf(out: float, set_at: int) -> Value:
    """A result no gradient flows through: a constant leaf."""
    node = _new(Value)
    node._data = out
    node._set_at = set_at
    node.grad = 0.0
    node.label = ""
    node.op = None
    node.first = node.second = node.d_second = None
    node.d_first = False  # does not require gradients
    return node


def _node(op: Primitive, out: float, set_at: int, args: Sequence[Value | float],
          derivatives: Sequence[float], numbers: bool) -> Value:
    """A recorded node in the layout of :class:`Value`: ``op``'s result ``out``, its
    arguments (numbers as floats; ``numbers``: whether there may be some) and
    ``derivatives``, d out / d argument for each argument but the parameters (a number's
    is not kept)."""
    node = _new(Value)
    node._data = out
    node._set_at = set_at
    node.grad = 0.0
    node.label = ""
    node.op = op
    if len(args) <= 2:
        a = node.first = args[0]
        node.d_first = None if type(a) is float else derivatives[0]
        if len(args) == 2:
            b = node.second = args[1]
            node.d_second = None if type(b) is float else derivatives[1]
        else:
            node.second = node.d_second = None
        return node
    node.d_second = None
    if numbers:  # the parents apart, and every argument kept
        kept = [type(a) is not float for a in args]
        node.first = tuple(compress(args, kept))  # type: ignore[arg-type]
        node.d_first = tuple(compress(derivatives, kept))
        node.second = tuple(args)
    else:
        node.first = tuple(args)  # type: ignore[arg-type]
        node.d_first = tuple(derivatives)
        node.second = None
    return node


def _created(node: Value) -> Value:
    """``node``, or what the anomaly observer in force hands out instead (a copy of it that
    keeps where it was created); an observer that returns ``None`` keeps ``node``."""
    observer = anomaly_observer()
    if observer is None:
        return node
    handed_out = observer.created(node)
    return node if handed_out is None else handed_out


_new = object.__new__
rules.register_carrier(Value, record)


def float_adjoints(order: Sequence[Value], root: Value, seed: float,
                   watched: Iterable[Value]) -> dict[Value, float]:
    """d root / d node for the nodes of ``order`` (0 or absent where ``root`` does not reach):
    :func:`float_pass`, or :func:`~autograd_lite.core.reverse.reverse_pass` with hooks (it
    runs them) or in anomaly mode, where a non-finite adjoint reaching one of ``watched``
    raises ``AnomalyError``, naming the edge where it began, before anything is written."""
    observer, visit = anomaly_observer(), hook_visitor()
    if observer is None and visit is None:
        return float_pass(order, {root: seed})
    origins = None if observer is None else NonFiniteOrigins()
    adjoint = dict.fromkeys(order, 0.0)
    adjoint.update(reverse_pass(order, root, seed, visit=visit, on_term=origins))
    if observer is not None and origins is not None:
        for node in watched:
            if node in origins.origin:
                observer.nonfinite(*origins.origin[node])
    return adjoint


def float_pass(order: Sequence[Value], seeds: dict[Value, float]) -> dict[Value, float]:
    """:func:`~autograd_lite.core.reverse.reverse_pass` with its defaults, specialised: the
    edges read where a node stores them, every adjoint 0 until its first term, but a root's
    (each of ``seeds``: a node of ``order``, or a leaf outside it), its seed.  The result
    holds the seeds and the nodes reached; ``order`` may leave the leaves out, which pass
    nothing on (:func:`computed_order`).  ``grad``'s and the transforms' walk on numbers:
    ``func.grad`` costs 1.01-1.10x a hand-written ``backward``, 1.8x through
    :func:`reverse_pass`.

    A node whose adjoint is 0 passes nothing on; under a finite adjoint ``g * d`` is
    :func:`chain_term`; under an infinite or nan one, each term is :func:`chain_term` (a zero
    local derivative adds nothing: never 0 * inf).
    """
    adjoint = dict(seeds)
    get = adjoint.get
    for node in reversed(order):
        g = get(node)
        if not g or node.op is None:  # not reached, 0 (cancelled), or a leaf
            continue
        if g - g != 0.0:  # infinite or nan
            for parent, d in zip(node.parents, node.local_grads):
                if d:
                    adjoint[parent] = get(parent, 0.0) + chain_term(g, d)
            continue
        first: Any = node.first  # the layout of Value
        d_first: Any = node.d_first
        if type(first) is tuple:  # more than two arguments: the parents and their derivatives
            for parent, d in zip(first, d_first):
                adjoint[parent] = get(parent, 0.0) + g * d
            continue
        if d_first is not None:
            adjoint[first] = get(first, 0.0) + g * d_first
        if node.d_second is not None:
            second: Any = node.second
            adjoint[second] = get(second, 0.0) + g * node.d_second
    return adjoint


def accumulate_into_grad(order: Sequence[Any], root: Any, seed: float) -> None:
    """:func:`float_pass` keeping each adjoint in ``.grad``: ``backward``'s walk (leaves
    accumulate, but not those that do not require gradients; other nodes restart from 0),
    kept for large graphs: a 400,000-leaf ``dot``'s backward 70 ms, 135 through a dict."""
    constants = []
    for node in order:
        if node.op is not None:
            node.grad = 0.0
        elif node.d_first is not True:  # a leaf's requires_grad flag, read where it is kept
            constants.append((node, node.grad))
    root.grad += seed
    for node in reversed(order):
        g = node.grad
        if not g or node.op is None:
            continue
        if g - g != 0.0:  # infinite or nan: a zero local derivative adds nothing
            for parent, d in zip(node.parents, node.local_grads):
                if d:
                    parent.grad += chain_term(g, d)
            continue
        first: Any = node.first  # g is finite: g * 0 is 0, g * inf is inf
        d_first: Any = node.d_first
        if type(first) is tuple:  # more than two arguments: the parents and their derivatives
            for parent, d in zip(first, d_first):
                parent.grad += g * d
            continue
        if d_first is not None:
            first.grad += g * d_first
        if node.d_second is not None:
            node.second.grad += g * node.d_second
    for node, before in constants:
        node.grad = before


def topological_order(root: Any) -> list[Any]:
    """Every node ``root`` (a Value, or a list of them) depends on, parents first, each once.

    The order of a recursive post-order DFS visiting parents left to right.  A node is
    pushed, then a ``None`` marker, then its parents (last first, so the first is expanded
    first); popping the marker means all its parents are done, so the node is emitted.  No
    per-node tuples or iterators, no recursion limit; parents read where a Value keeps them.

    Examples:
        >>> from autograd_lite import Value, topological_order
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> f = x * y + x.exp()
        >>> [v.label or v.op.name for v in topological_order(f)]   # backward walks it reversed
        ['x', 'y', 'mul', 'exp', 'add']
    """
    several = type(root) is list
    stack: list[Any] = root[::-1] if several else [root]
    for k, node in enumerate(reversed(stack)):
        if not isinstance(node, Value):
            raise TypeError(f"topological_order: {f'root[{k}]' if several else 'root'} must be "
                            f"a Value (root: one or a list), got {type(node).__name__} {node!r}")
    order: list[Any] = []
    newest_leaf, oldest_node = -1, _now  # the data clock's latest for a leaf, earliest a node
    seen: set[Any] = set()
    pop, push, emit, mark = stack.pop, stack.append, order.append, seen.add
    while stack:
        node = pop()
        if node is None:
            emit(pop())  # a marker always sits above its node
            continue
        if node in seen:
            continue
        mark(node)
        if node.op is None:
            emit(node)
            if node._set_at > newest_leaf:
                newest_leaf = node._set_at
            continue
        if node._set_at < oldest_node:
            oldest_node = node._set_at
        push(node)
        push(None)
        first = node.first
        if type(first) is tuple:  # more than two arguments: first holds the parents
            if not seen.issuperset(first):  # (a layer's inputs: often all seen already)
                for parent in reversed(first):
                    if parent not in seen:
                        push(parent)
        else:
            if node.d_second is not None and node.second not in seen:
                push(node.second)
            if node.d_first is not None and first not in seen:
                push(first)
    if newest_leaf > oldest_node:  # some leaf was assigned after some node was recorded
        edge = _stale_edge(order)
        if edge is not None:
            raise StaleGraphError(*edge)
    return order


def computed_order(roots: list[Value]) -> list[Value]:
    """The recorded nodes that ``roots`` are or depend on, in :func:`topological_order`'s
    order, without its leaves (which pass nothing on): the walk of a float pass from seeds
    at ``roots`` (a Hessian's row), whose leaves are not sorted.  A stale graph is refused
    as there, naming the same edge (:func:`_stale_edge`)."""
    stack: list[Any] = [r for r in reversed(roots) if r.op is not None]
    order: list[Any] = []
    newest_leaf, oldest_node = -1, _now  # the data clock's latest for a leaf, earliest a node
    seen: set[Any] = set()
    pop, push, emit, mark = stack.pop, stack.append, order.append, seen.add
    while stack:
        node = pop()
        if node is None:
            emit(pop())  # a marker always sits above its node
            continue
        if node in seen:
            continue
        mark(node)
        if node._set_at < oldest_node:
            oldest_node = node._set_at
        push(node)
        push(None)
        first = node.first
        if type(first) is tuple:  # more than two arguments: first holds the parents
            parents: Any = reversed(first)
        elif node.d_second is not None:  # the second argument is a Value
            parents = (node.second, first) if node.d_first is not None else (node.second,)
        else:
            parents = (first,)  # a recorded node has a Value argument
        for parent in parents:
            if parent.op is not None:
                if parent not in seen:
                    push(parent)
            elif parent._set_at > newest_leaf:
                newest_leaf = parent._set_at
    if newest_leaf > oldest_node:  # some leaf was assigned after some node was recorded
        edge = _stale_edge(order)
        if edge is not None:
            raise StaleGraphError(*edge)
    return order


def depending_on(order: Sequence[Value], sources: Iterable[Value]) -> set[Value]:
    """The nodes of ``order`` (parents first) that are among ``sources`` or computed, through
    nodes that require gradients, from one of them: those whose adjoint a gradient with
    respect to ``sources`` passes through (the compilers write code for these edges only)."""
    wanted = set(sources)
    found: set[Value] = set()
    for node in order:
        if node in wanted or (node.requires_grad and any(p in found for p in node.parents)):
            found.add(node)
    return found


def _stale_edge(order: Sequence[Value]) -> tuple[Value, Value] | None:
    """The first (node, leaf) of ``order`` where ``node`` read ``leaf`` before the leaf's
    ``data`` was assigned: the node holds a number, and derivatives, of the old one."""
    for node in order:
        if node.op is not None:
            for parent in node.parents:
                if parent.op is None and parent._set_at > node._set_at:
                    return node, parent
    return None


class StaleGraphError(RuntimeError):
    """A graph was read after a leaf it was recorded from had its ``data`` assigned.

    The graph's numbers and derivatives are those of the old number, so every reader
    (``backward``, ``grad`` with or without ``create_graph``, ``Tape.from_graph``, the
    diagrams and the Wengert list) refuses it; recording again gives the new one.

    Examples:
        >>> from autograd_lite import StaleGraphError, Value
        >>> x = Value(2.0, "x")
        >>> y = x * x                               # recorded at x = 2: y = 4, dy/dx = 4
        >>> x.data = 5.0
        >>> try:
        ...     y.backward()
        ... except StaleGraphError as error:
        ...     print(str(error)[:70])
        Value(data=5.0, grad=0.0, label='x') had its data assigned after mul r
        >>> y = x * x                               # recorded again: dy/dx = 10
        >>> y.backward(); x.grad
        10.0
    """

    def __init__(self, node: Value, leaf: Value) -> None:
        self.node, self.leaf = node, leaf
        super().__init__(
            f"{leaf!r} had its data assigned after {node.op and node.op.name} recorded it, "
            f"so the graph "
            f"holds the old number (and derivatives of it): record the graph again -- run the "
            f"forward computation after changing .data (an optimiser step, then a new "
            f"forward pass), as PyTorch refuses a tensor modified after it was saved")




@overload
def add_n(values: Iterable[Value | float]) -> Value: ...
@overload
def add_n(values: Iterable[Any]) -> Any: ...
def add_n(values: Iterable[Any]) -> Any:
    """x1 + ... + xn as one graph node (fast, and a short chain to draw); on Values, Duals
    or numbers alike (the ``sum`` primitive).

    Examples:
        >>> from autograd_lite import Value, add_n, grad
        >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
        >>> s = add_n(xs)                           # one node, not a chain of two
        >>> s.data, len(s.parents), grad(s, xs)
        (6.0, 3, [1.0, 1.0, 1.0])
    """
    args = tuple(values)
    return record(rules.add_n, args) if args and type(args[0]) is Value else rules.add_n(*args)


@overload
def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value: ...
@overload
def dot(weights: Sequence[Any], inputs: Sequence[Any]) -> Any: ...
def dot(weights: Sequence[Any], inputs: Sequence[Any]) -> Any:
    """w1*x1 + ... + wn*xn as one graph node: d/dw_i = x_i, d/dx_i = w_i (the ``dot``
    primitive, on Values, Duals or numbers alike).

    Examples:
        >>> from autograd_lite import Value, dot, grad
        >>> w, x = [Value(0.5), Value(-1.0)], [2.0, 4.0]
        >>> y = dot(w, x)
        >>> y.data, grad(y, w)                      # d/dw_i = x_i
        (-3.0, [2.0, 4.0])
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    args = (*weights, *inputs)
    if args and (type(args[0]) is Value or type(inputs[0]) is Value):  # (numbers, Values)
        return record(rules.dot, args)  # recorded, or handed to the Duals among them
    return rules.dot(*args)


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Reset ``.grad`` to 0 for a Value or each of several (the parameters before a step).

    Examples:
        >>> from autograd_lite import Value, zero_grad
        >>> w = [Value(1.0), Value(2.0)]
        >>> (w[0] * w[1]).backward()
        >>> [v.grad for v in w]
        [2.0, 1.0]
        >>> zero_grad(w)
        >>> [v.grad for v in w]
        [0.0, 0.0]
    """
    items = [values] if isinstance(values, Value) else list(values)
    for v in items:
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad: values must be Values, got {type(v).__name__} {v!r}")
    for v in items:
        v.grad = 0.0


# -- tracking control --------------------------------------------------------------------
class _GradMode(ModeContext):
    """Set whether operations are recorded, for a ``with`` block or a decorated function.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad`` (as torch.no_grad).  One
    object may be reused, nested and shared between threads; a decorated function gets the
    mode at each call, a decorated generator at each resumption
    (:mod:`autograd_lite.core.modes`).
    """

    enabled: bool

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        mode = super().__new__(cls)
        return mode if function is None else mode(function)

    def __init__(self, function: Callable[..., Any] | None = None) -> None:
        pass

    def switch(self) -> Token[bool]:
        return _GRAD_ENABLED.set(self.enabled)


class no_grad(_GradMode):  # noqa: N801 -- named like torch.no_grad
    """Record nothing inside: results are constant leaves.  Per thread (contextvars).

    As a decorator, each call runs under the mode in the caller's thread (one decorated
    function may be called from many threads); a decorated generator runs each resumption
    under it and gives the caller back its own mode at every ``yield``.

    Examples:
        >>> from autograd_lite import Value, no_grad
        >>> w = Value(3.0)
        >>> with no_grad():
        ...     y = w * 2                           # not recorded: a constant leaf
        >>> y.requires_grad, y.parents
        (False, ())
        >>> @no_grad
        ... def predict(x):
        ...     return w * x
        >>> predict(2.0).requires_grad
        False
    """

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 -- named like torch.enable_grad
    """Record again inside a :class:`no_grad` block.

    Examples:
        >>> from autograd_lite import Value, enable_grad, no_grad
        >>> w = Value(3.0)
        >>> with no_grad():
        ...     with enable_grad():
        ...         y = w * 2
        >>> y.requires_grad
        True
    """

    enabled = True


class set_grad_enabled(_GradMode):  # noqa: N801 -- named like torch.set_grad_enabled
    """Record (``mode=True``) or not (``False``): a function, a context manager and a
    decorator, as ``torch.set_grad_enabled``.

    Called, it sets the mode at once, in this thread/context, until changed again.  In a
    ``with`` block the mode before the call comes back at the end of the block; as a
    decorator, the call's own setting is undone and each call of the function runs under
    ``mode`` (as :class:`no_grad`).

    Raises:
        TypeError: ``mode`` is not a bool (``1`` is refused, as PyTorch does).

    Examples:
        >>> from autograd_lite import Value, is_grad_enabled, set_grad_enabled
        >>> w = Value(3.0)
        >>> with set_grad_enabled(False):           # a block: restored at the end
        ...     (w * 2).requires_grad
        False
        >>> is_grad_enabled()
        True
        >>> @set_grad_enabled(False)                # a decorator: each call
        ... def predict(x):
        ...     return w * x
        >>> predict(2.0).requires_grad, is_grad_enabled()
        (False, True)
        >>> _ = set_grad_enabled(False)             # a function: from now on
        >>> (w * 2).requires_grad
        False
        >>> _ = set_grad_enabled(True)
    """

    def __new__(cls, mode: bool) -> Any:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        if type(mode) is not bool:
            raise TypeError(f"set_grad_enabled: mode must be a bool, got "
                            f"{type(mode).__name__} {mode!r}")
        self.enabled = mode
        self._made: Token[bool] | None = _GRAD_ENABLED.set(mode)  # the call's own setting

    def _undo_call(self) -> None:
        """Undo the setting the call made (once, and only in the context that made it), so
        that a block or a decorated function restores the mode from before the call."""
        made, self._made = self._made, None
        if made is not None:
            with contextlib.suppress(ValueError):  # made in another context: nothing to undo
                _GRAD_ENABLED.reset(made)

    def switch(self) -> Token[bool]:
        self._undo_call()
        return _GRAD_ENABLED.set(self.enabled)

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` run under the mode at each call; the call's own setting undone."""
        self._undo_call()
        return super().__call__(function)


def is_grad_enabled() -> bool:
    """Whether operations are being recorded in this thread/context.

    Examples:
        >>> from autograd_lite import is_grad_enabled, no_grad
        >>> is_grad_enabled()
        True
        >>> with no_grad():
        ...     is_grad_enabled()
        False
    """
    return _GRAD_ENABLED.get()


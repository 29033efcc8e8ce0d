"""``Value``: a scalar that records the operations applied to it, and back-propagates.

Every operation goes through :func:`apply`, which evaluates the rule table of
:mod:`autograd_lite.core.rules` on floats and stores the output, the parents and the local
derivatives.  ``backward`` then needs no rules at all -- only the chain rule::

    d root / d parent  +=  d root / d node  *  d node / d parent

visited in reverse topological order (found iteratively: no recursion limit).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from contextlib import ContextDecorator
from contextvars import ContextVar, Token
from typing import Any, Protocol, overload

from autograd_lite.core.errors import DomainError
from autograd_lite.core.rules import OPS, FloatMath, Op

_GRAD_ENABLED: ContextVar[bool] = ContextVar("autograd_lite_grad_enabled", default=True)
COMPARISON_OBSERVER: ContextVar[Callable[[Value, str, Value | float, bool], None] | None] = (
    ContextVar("autograd_lite_comparison_observer", default=None))
"""While set (``autograd_lite.compile`` sets it during a trace), every comparison
``a < b``, ``a <= b``, ``a > b``, ``a >= b`` of a Value ``a`` is reported to it as
``(a, operator, b, result)``: a graph records one path through ``if`` statements, so a replay must
check the same comparisons come out the same."""
_F = FloatMath


# -- anomaly mode hooks (used by autograd_lite.core.anomaly; inert until first used) ---------------
class AnomalyObserver(Protocol):
    """What :data:`ANOMALY_OBSERVER` is told: each recorded node, and non-finite gradients."""

    def created(self, node: Value) -> None:
        """``node`` was just recorded (by the user code on the stack)."""

    def nonfinite(self, node: Value, argument: int, adjoint: float, local: float,
                  total: float) -> None:
        """``total`` (d root / d parent so far, including ``adjoint * local``) is nan or inf,
        for ``parent = node.parents[argument]``: must raise."""


ANOMALY_OBSERVER: ContextVar[AnomalyObserver | None] = ContextVar(
    "autograd_lite_anomaly_observer", default=None)
"""While set (through :func:`observe_anomalies`), every recorded node is reported to
``created``, and ``backward`` / ``grad`` run a checked loop: a non-finite gradient that
reaches an input is reported to ``nonfinite`` with the step where it first became non-finite
(``nonfinite`` raises; ``backward`` first restores the leaves' ``.grad``)."""
_anomaly_mode_used = False  # sticky: the recording fast path skips the check until then


def observe_anomalies(observer: AnomalyObserver | None) -> Token[AnomalyObserver | None]:
    """Set :data:`ANOMALY_OBSERVER` in this context; reset it with the returned token."""
    global _anomaly_mode_used
    _anomaly_mode_used = True
    return ANOMALY_OBSERVER.set(observer)


def _observe_creation(node: Value) -> None:
    observer = ANOMALY_OBSERVER.get()
    if observer is not None:
        observer.created(node)


def chain_term(upstream: float, local: float) -> float:
    """What one backward step adds to a parent: upstream * local, and exactly 0 when either
    factor is 0 -- so 0 * inf never makes a nan (relu then sqrt at x < 0: d = 0, not nan).

    ``backward``, ``grad``, forward mode and the compiled tape all follow this rule.
    """
    return upstream * local if upstream != 0.0 and local != 0.0 else 0.0


def to_float(x: object, what: str = "Value") -> float:
    """Convert a real number (int, float, NumPy scalar, Fraction...) to a finite float.

    Raises ``TypeError`` naming the type for bool, str, None, complex and the like, and
    :class:`DomainError` for nan and infinities.
    """
    if type(x) is float:
        f = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what}: expected a real number, got {type(x).__name__} {x!r}")
    else:
        try:
            f = float(x)
        except OverflowError:  # an int or Fraction beyond 1.8e308
            infinity = -math.inf if x < 0 else math.inf
            raise DomainError(what, (infinity,),
                              f"expected a finite number ({type(x).__name__} too large for a "
                              "float)") from None
    if f - f != 0.0:
        raise DomainError(what, (f,), "expected a finite number")
    return f


class Value:
    """A scalar node of the compute graph.

    ``data`` is the value, ``grad`` the gradient of the last ``backward`` root with respect
    to it, ``op`` the :class:`~autograd_lite.core.rules.Op` that made it (``None`` for a leaf),
    ``parents`` its inputs in order and ``local_grads`` d self / d parent for each of them.
    Equality and hashing are by identity, so nodes can live in sets and dicts.
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads", "requires_grad",
                 "__weakref__")

    data: float
    grad: float
    label: str
    op: Op | None
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    requires_grad: bool

    def __init__(self, data: object, label: str = "", *, requires_grad: bool = True) -> None:
        if isinstance(data, Value):
            raise TypeError("Value: expected a real number, got Value (use .detach() or .data)")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.data = to_float(data)
        self.grad = 0.0
        self.label = label
        self.op = None
        self.parents = ()
        self.local_grads = ()
        self.requires_grad = bool(requires_grad)

    # -- graph bookkeeping ------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for values not produced by an operation (inputs, parameters, constants)."""
        return self.op is None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

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

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, other: Value | float) -> Value:
        return _binary(_ADD, self, other)

    def __radd__(self, other: float) -> Value:
        return _binary(_ADD, other, self)

    def __sub__(self, other: Value | float) -> Value:
        return _binary(_SUB, self, other)

    def __rsub__(self, other: float) -> Value:
        return _binary(_SUB, other, self)

    def __mul__(self, other: Value | float) -> Value:
        return _binary(_MUL, self, other)

    def __rmul__(self, other: float) -> Value:
        return _binary(_MUL, other, self)

    def __truediv__(self, other: Value | float) -> Value:
        return _binary(_DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:
        return _binary(_DIV, other, self)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _binary(_POW, self, other)
        return apply(_POWC, self, param=other)

    def __rpow__(self, other: float) -> Value:
        return _binary(_POW, other, self)

    def __neg__(self) -> Value:
        return _unary(_NEG, self)

    def __abs__(self) -> Value:
        return _unary(_ABS, self)

    def exp(self) -> Value:
        """e ** self."""
        return _unary(_EXP, self)

    def log(self) -> Value:
        """Natural logarithm (self > 0)."""
        return _unary(_LOG, self)

    def sqrt(self) -> Value:
        """Square root (self >= 0); its derivative at 0 is +inf, as in PyTorch."""
        return _unary(_SQRT, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 - tanh**2."""
        return _unary(_TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e^-self), stable on both tails; derivative s (1 - s)."""
        return _unary(_SIGMOID, self)

    def relu(self) -> Value:
        """max(self, 0); derivative 0 at the kink, as in PyTorch."""
        return _unary(_RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self for self > 0, slope * self otherwise."""
        return apply(_LEAKY_RELU, self, param=slope)

    def sin(self) -> Value:
        """Sine."""
        return _unary(_SIN, self)

    def cos(self) -> Value:
        """Cosine."""
        return _unary(_COS, self)

    # -- backward ---------------------------------------------------------------------
    def backward(self, gradient: float = 1.0) -> None:
        """Back-propagate ``gradient`` (d root / d self) to every value this one depends on.

        Leaves accumulate into ``.grad`` across calls (as PyTorch); every non-leaf's
        ``.grad`` is overwritten with d self / d node from this call.  A term whose adjoint
        or local derivative is 0 adds nothing (:func:`chain_term`).
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: {self!r} does not require gradients (a constant, a detached "
                "value, or computed under no_grad)")
        seed = to_float(gradient, "backward gradient")
        order = topological_order(self)
        for node in order:
            if node.op is not None:
                node.grad = 0.0
        observer = ANOMALY_OBSERVER.get() if _anomaly_mode_used else None
        if observer is not None:
            _checked_backward(self, seed, order, observer)
            return
        self.grad += seed
        for node in reversed(order):
            parents = node.parents
            g = node.grad
            if parents and g != 0.0:  # a zero adjoint adds nothing (and never 0 * inf = nan)
                local = node.local_grads
                if g - g != 0.0:  # an infinite adjoint: a zero local derivative adds nothing
                    for parent, d in zip(parents, local):
                        parent.grad += chain_term(g, d)
                elif len(local) == 2 == len(parents):  # binary ops, unrolled: 1.5x faster
                    first, second = parents
                    first.grad += g * local[0]
                    second.grad += g * local[1]
                else:
                    for parent, d in zip(parents, local):
                        parent.grad += g * d


def _checked_backward(root: Value, seed: float, order: list[Value],
                      observer: AnomalyObserver) -> None:
    """``backward``'s loop in anomaly mode: all or nothing, and a leaf that requires
    gradients ending non-finite is reported with the step where its nan or inf arose.

    An infinity that a zero local derivative stops later (sqrt'(0) under relu'(0) = 0) or
    that reaches only constants is no anomaly: nobody reads it.
    """
    leaves = [(node, node.grad) for node in order if node.op is None]
    root.grad += seed
    origin: dict[Value, _Origin] = {}
    for node in reversed(order):
        g = node.grad
        for argument, (parent, d) in enumerate(zip(node.parents, node.local_grads)):
            total = parent.grad = parent.grad + chain_term(g, d)
            if total - total != 0.0 and parent not in origin:
                origin[parent] = origin.get(node) or (node, argument, g, d, total)
    for leaf, _ in leaves:
        if leaf.requires_grad and leaf in origin:
            for each, before in leaves:
                each.grad = before
            observer.nonfinite(*origin[leaf])


_Origin = tuple[Value, int, float, float, float]
"""Where a gradient first became non-finite: (node, argument, adjoint, local, sum)."""


_ADD, _SUB, _MUL, _DIV, _NEG, _POW, _POWC = (OPS[n] for n in
                                             ("add", "sub", "mul", "div", "neg", "pow", "powc"))
_EXP, _LOG, _SQRT, _TANH, _SIGMOID = (OPS[n] for n in ("exp", "log", "sqrt", "tanh", "sigmoid"))
_RELU, _LEAKY_RELU, _ABS, _SIN, _COS = (OPS[n] for n in
                                        ("relu", "leaky_relu", "abs", "sin", "cos"))
_SUM, _DOT = OPS["sum"], OPS["dot"]


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}


def _compare(a: Value, operator: str, b: Value | float) -> bool:
    """``a.data <operator> b``, reported to :data:`COMPARISON_OBSERVER` if one is set."""
    y = b.data if isinstance(b, Value) else to_float(b, f"Value {operator}")
    result = _COMPARE[operator](a.data, y)
    observer = COMPARISON_OBSERVER.get()
    if observer is not None:
        observer(a, operator, b, result)
    return result


def constant(x: object) -> Value:
    """A leaf that does not require gradients (how plain numbers enter a graph)."""
    return Value(x, requires_grad=False)


def lift(x: object) -> Value:
    """``x`` itself if it is a Value, otherwise a :func:`constant`."""
    return x if isinstance(x, Value) else constant(x)


def apply(op: Op, *args: object, param: object = None) -> Value:
    """Record ``op`` applied to ``args`` (Values or numbers) and an optional parameter.

    The forward value and the local derivatives are computed here, on floats, once.
    Under :class:`no_grad` the result is a constant leaf and nothing is recorded.
    """
    inputs = tuple([a if type(a) is Value else lift(a) for a in args])  # a list: 2x a genexpr
    floats = [a.data for a in inputs]
    if op.params:
        p = to_float(param, op.name)
        floats.append(p)
        inputs += (constant(p),)
    out = op.forward(_F, *floats)
    return _record(op, out, inputs, floats)


def _binary(op: Op, a: Any, b: Any) -> Value:
    """:func:`apply` for two arguments, without the generic packing (the hot path)."""
    if type(a) is not Value:
        a = lift(a)
    if type(b) is not Value:
        b = lift(b)
    x = a.data
    y = b.data
    out = op.forward(_F, x, y)
    if out - out != 0.0 or not _GRAD_ENABLED.get():
        return _record(op, out, (a, b), (x, y))
    # _record's recording branch, inlined: a third of the cost of every + - * /
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.parents = (a, b)
    node.local_grads = op.grad(_F, out, x, y)
    node.requires_grad = True
    if _anomaly_mode_used:
        _observe_creation(node)
    return node


def _unary(op: Op, a: Value) -> Value:
    """:func:`apply` for one argument (the hot path of activations)."""
    x = a.data
    out = op.forward(_F, x)
    if out - out != 0.0 or not _GRAD_ENABLED.get():
        return _record(op, out, (a,), (x,))
    node = _new(Value)  # _record's recording branch, inlined as in _binary
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.parents = (a,)
    node.local_grads = op.grad(_F, out, x)
    node.requires_grad = True
    if _anomaly_mode_used:
        _observe_creation(node)
    return node


def _record(op: Op, out: float, parents: tuple[Value, ...], floats: Sequence[float]) -> Value:
    """Make the node for ``out = op(*floats)``, with its local derivatives if recording."""
    if out - out != 0.0:
        raise DomainError(op.name, tuple(floats), "result is not a finite float")
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    if _GRAD_ENABLED.get():
        node.op = op
        node.parents = parents
        node.local_grads = op.grad(_F, out, *floats)
        node.requires_grad = True
        if _anomaly_mode_used:
            _observe_creation(node)
    else:
        node.op = None
        node.parents = ()
        node.local_grads = ()
        node.requires_grad = False
    return node


_new = object.__new__


def add_n(values: Iterable[Value | float]) -> Value:
    """x1 + ... + xn as one graph node (fast, and a short chain to draw)."""
    return apply(_SUM, *values)


def dot(weights: Sequence[Value | float], inputs: Sequence[Value | float]) -> Value:
    """w1*x1 + ... + wn*xn as one graph node: d/dw_i = x_i, d/dx_i = w_i."""
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    return apply(_DOT, *weights, *inputs)


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, parents before children, each once (iterative DFS).

    The order is that of a recursive post-order DFS visiting parents left to right.  A
    node is pushed, then a ``None`` marker, then its parents (last first, so the first is
    expanded first); popping the marker means all its parents are done, so the node is
    emitted.  No per-node tuples or iterators: this is the hot loop of ``backward``.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    pop, push, emit, mark = stack.pop, stack.append, order.append, seen.add
    while stack:
        node = pop()
        if node is None:
            emit(pop())  # type: ignore[arg-type]  # a marker always sits above its node
            continue
        if node in seen:
            continue
        mark(node)
        parents = node.parents
        if parents:
            push(node)
            push(None)
            for parent in reversed(parents):
                if parent not in seen:
                    push(parent)
        else:
            emit(node)
    return order


def zero_grad(values: Iterable[Value]) -> None:
    """Reset ``.grad`` to 0 for each value (e.g. the parameters before a training step)."""
    for v in values:
        v.grad = 0.0


# -- functional gradients and higher order ---------------------------------------------
class ValueMath:
    """The rule table's math namespace on Values: derivatives that are themselves graphs.

    Every one-argument op of :data:`~autograd_lite.core.rules.OPS` is available under its name
    (``m.exp(x)``, ``m.cos(x)``, ``m.leaky_relu(x, s)``) and is applied as that op, so the
    derivative rule of a new op needs nothing added here.  The functions below are the rest of
    :class:`~autograd_lite.core.rules.FloatMath`, on Values.
    """

    def __getattr__(self, name: str) -> Callable[..., Value]:
        op = OPS.get(name)
        if op is None or op.arity != 1:
            raise AttributeError(
                f"ValueMath has no {name!r}: a derivative rule may call m.<op> for a "
                "one-argument op of OPS, or a function defined on ValueMath")
        if op.params:
            return lambda x, param: apply(op, x, param=param)
        return lambda x: apply(op, x)

    @staticmethod
    def div(x: Value | float, y: Value | float) -> Value:
        return lift(x) / y

    @staticmethod
    def pow(x: Value | float, c: float) -> Value:
        return lift(x) ** c

    @staticmethod
    def powv(x: Value | float, y: Value | float) -> Value:
        return lift(x) ** lift(y)

    @staticmethod
    def dpow(x: Value, c: float) -> Value | float:
        if c == 0.0:
            return 0.0
        if x.data == 0.0 and c < 1.0:
            raise DomainError("pow", (x.data, c),
                              "the derivative is infinite here; it has no differentiable value")
        return c * x ** (c - 1.0)

    @staticmethod
    def step(x: Value, low: float = 0.0) -> float:
        return FloatMath.step(x.data, low)

    @staticmethod
    def sign(x: Value) -> float:
        return FloatMath.sign(x.data)

    @staticmethod
    def sum(xs: Sequence[Value | float]) -> Value:
        return add_n(xs)

    @staticmethod
    def dot(xs: Sequence[Value | float]) -> Value:
        n = len(xs) // 2
        return dot(xs[:n], xs[n:])


_VALUE_MATH = ValueMath()


def local_grads_as_values(node: Value) -> tuple[Value | float, ...]:
    """d node / d parent for each parent, as differentiable Values (rules on ValueMath)."""
    op = node.op
    if op is None:
        raise ValueError(f"local_grads_as_values: {node!r} is a leaf; it has no local derivatives")
    n = len(node.parents) - op.params
    args = (*node.parents[:n], *(p.data for p in node.parents[n:]))
    return tuple(op.grad(_VALUE_MATH, node, *args))


_UNUSED = ("One of the differentiated Values appears to not have been used in the graph. "
           "Set allow_unused=True if this is the desired behavior.")


@overload
def grad(output: Value, inputs: Value, create_graph: bool = ...,
         allow_unused: bool = ...) -> Any: ...
@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: bool = ...,
         allow_unused: bool = ...) -> list[Any]: ...
def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False,
         allow_unused: bool = False) -> Any:
    """d output / d input for each input, without touching any ``.grad``.

    As ``torch.autograd.grad``: an input the output does not depend on is an error unless
    ``allow_unused`` (then its gradient is ``None``).  With ``create_graph`` the gradients
    are Values recorded in the graph, so they can be differentiated again.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    single = isinstance(inputs, Value)
    wanted: tuple[Value, ...] = (inputs,) if isinstance(inputs, Value) else tuple(inputs)
    for x in wanted:
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, got {type(x).__name__}")
    if not output.requires_grad:
        raise RuntimeError(f"grad: {output!r} does not require gradients")
    order = topological_order(output)
    adjoint: dict[Value, Any] = {output: constant(1.0) if create_graph else 1.0}
    # anomaly mode checks float sums; with create_graph the ops on Values check themselves
    observer = ANOMALY_OBSERVER.get() if _anomaly_mode_used and not create_graph else None
    origin: dict[Value, _Origin] = {}
    with (enable_grad() if create_graph else no_grad()):
        for node in reversed(order):  # each node's adjoint is complete when it is reached
            if not node.parents:
                continue
            g = adjoint[node]
            locals_ = local_grads_as_values(node) if create_graph else node.local_grads
            for argument, (parent, local) in enumerate(zip(node.parents, locals_)):
                term = g * local if create_graph else chain_term(g, float(local))
                total = adjoint[parent] = adjoint[parent] + term if parent in adjoint else term
                if observer is not None and total - total != 0.0 and parent not in origin:
                    origin[parent] = origin.get(node) or (node, argument, g, float(local), total)
    if observer is not None:
        for x in wanted:
            if x in origin:
                observer.nonfinite(*origin[x])
    used = set(order)
    results: list[Any] = []
    for x in wanted:
        if x not in used:
            if not allow_unused:
                raise RuntimeError(f"grad: {x!r}: {_UNUSED}")
            results.append(None)
        elif create_graph:
            results.append(lift(adjoint[x]))
        else:
            results.append(float(adjoint[x]))
    return results[0] if single else results


# -- tracking control --------------------------------------------------------------------
class _GradMode(ContextDecorator):
    """Set whether operations are recorded, for a ``with`` block or a decorated function."""

    enabled: bool

    def __init__(self) -> None:
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(_GRAD_ENABLED.set(self.enabled))

    def __exit__(self, *exc: object) -> None:
        _GRAD_ENABLED.reset(self._tokens.pop())


class no_grad(_GradMode):  # noqa: N801 -- named like torch.no_grad
    """Record nothing inside: results are constant leaves.  Per thread (contextvars)."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 -- named like torch.enable_grad
    """Record again inside a :class:`no_grad` block."""

    enabled = True


def is_grad_enabled() -> bool:
    """Whether operations are being recorded in this thread/context."""
    return _GRAD_ENABLED.get()


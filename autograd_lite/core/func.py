"""Function transforms that compose, as ``torch.func`` and JAX: ``grad``, ``jvp``, ``vjp``,
``jacobian``, ``hessian`` (public face: :mod:`autograd_lite.func`).

Each transform takes a function of scalars and gives a function (or its result) that may be
transformed again, in any order: ``grad(grad(f))``, ``jvp`` of ``jvp``, ``jvp`` of ``grad``
(the Hessian-vector product), ``grad`` of ``jvp``.  Two mechanisms, both already in the core:

* reverse mode records Values; the gradient of a function called inside another transform
  is taken with ``create_graph=True``, so it is itself a recorded Value the outer transform
  differentiates.  Each call differentiates with respect to *fresh* nodes (a new leaf, or
  an identity node ``x - 0.0`` over an outer Value), so a function that also uses the outer
  variable through a closure is differentiated only along its argument;
* forward mode carries :class:`~autograd_lite.core.forward.Dual` numbers of a fresh
  :class:`~autograd_lite.core.forward.Level` per ``jvp`` call, whose primals and tangents may
  be Values or older Duals: an op differentiates for the newest level and treats the others
  as constants, so nested ``jvp`` calls never confuse their perturbations.

``grad`` of a function of Duals (``jvp(grad(f), ...)``) differentiates each part of the
output -- ``f(p + e t) = f(p) + e f'(p) t`` -- with respect to a leaf put at the bottom of
each input's primals: the derivative of ``f(Q + e t)`` in ``Q`` is ``f'(p) + e f''(p) t``.

Called on plain numbers with no transform around (the common case), ``grad``, ``vjp``,
``jacobian`` and ``hessian`` want floats only: they record ``f`` on new leaves and take each
derivative by one float reverse pass (:func:`_float_grads`, :func:`_rows`), as recording
``f`` and calling ``backward`` by hand would; ``hessian`` differentiates the recorded
gradient graph so (reverse over reverse).  The differential checker compares these paths
with the general ones (:mod:`autograd_lite.testing.differential`).  ``compiled_transform``
writes this float path out as straight-line code (:class:`Transformed` says how each
transform takes it: :mod:`autograd_lite.compile.transforms`).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

from autograd_lite.core import gradients
from autograd_lite.core.forward import RECORDING as _RECORDING
from autograd_lite.core.forward import Dual, Level
from autograd_lite.core.hooks import HOOKS
from autograd_lite.core.observers import anomaly_observer
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import (
    Value,
    computed_order,
    enable_grad,
    float_adjoints,
    float_pass,
    is_grad_enabled,
    topological_order,
)

Argnums = int | Sequence[int]


class Transformed(NamedTuple):
    """How :func:`grad`, :func:`jacobian` or :func:`hessian` made a function: ``kind``, the
    function ``f`` it transforms and ``argnums`` (see :func:`transformed`).  Each takes, on
    numbers, one float reverse pass per *root* -- ``f`` for ``grad``, each output of ``f``
    for ``jacobian``, each ``g_i = df/dx_i`` of the gradient's graph for ``hessian`` -- and
    ``d root / d x_j`` is row ``root``, column ``j``; :meth:`roots` records those roots."""

    kind: Literal["grad", "jacobian", "hessian"]
    f: Callable[..., Any]
    argnums: Argnums

    def positions(self, n: int) -> tuple[tuple[int, ...], bool]:
        """(the differentiated argument positions for ``n`` arguments, whether ``argnums``
        is one int): a TypeError or ValueError naming the transform if it does not fit."""
        return _positions(self.argnums, n, self.kind)

    def of_grad(self) -> Transformed | None:
        """For the Jacobian of a :func:`grad`, what made that gradient (its rows are taken as
        a Hessian's); else None."""
        inner = transformed(self.f) if self.kind == "jacobian" else None
        return inner if inner is not None and inner.kind == "grad" else None

    def recorded(self, args: Sequence[Any]) -> Any:
        """``f(*args)`` recorded as the float path records it (for the Jacobian of a
        :func:`grad`, the function that gradient is of)."""
        inner = self.of_grad()
        return _recorded(self.f if inner is None else inner.f, args)

    def roots(self, out: Any, args: Sequence[Any], leaves: Sequence[Value], single: bool
              ) -> tuple[list[Any], bool]:
        """From ``out`` (:meth:`recorded` on ``args``; ``leaves``: the Values at the
        differentiated positions; ``single``: ``argnums`` is one int), the roots whose rows
        the transform returns, with whether it returns a tuple of rows: ``[f]`` (grad), the
        outputs (jacobian: a tuple when ``f`` returns one), each ``df/dx_i`` recorded with
        ``create_graph`` (hessian, and the Jacobian of a grad over its ``argnums``: a
        number's are zeros)."""
        inner, kind, wrt, many = self.of_grad(), self.kind, leaves, not single
        if inner is not None:
            positions, inner_single = inner.positions(len(args))
            kind, wrt, many = "grad", [args[i] for i in positions], not inner_single
        elif kind == "jacobian":
            return (list(out), True) if isinstance(out, tuple | list) else ([out], False)
        _one_number(out, kind)
        if kind == "grad" and inner is None:
            return [out], False
        if isinstance(out, Value):
            return _gradient_graph(out, wrt), many
        to_float(out, f"{kind}: the function's result")  # refuses a Dual as well
        return [0.0] * len(wrt), many  # a constant: no second derivatives


_TRANSFORMED: weakref.WeakKeyDictionary[Callable[..., Any], Transformed] = (
    weakref.WeakKeyDictionary())


def transformed(function: Callable[..., Any]) -> Transformed | None:
    """What made ``function``, if :func:`grad` (without ``has_aux``), :func:`jacobian` or
    :func:`hessian` did; ``None`` for any other function.  ``compiled_transform`` reads it
    to compile the transform itself (:mod:`autograd_lite.compile.transforms`).

    Examples:
        >>> from autograd_lite import func
        >>> from autograd_lite.core.func import transformed
        >>> transformed(func.hessian(abs, (0,))).kind, transformed(abs)
        ('hessian', None)
    """
    try:
        return _TRANSFORMED.get(function)
    except TypeError:  # not weakly referable (a builtin): no transform made it
        return None


# -- inputs and outputs -----------------------------------------------------------------
def _number_or_carrier(x: object, what: str) -> Any:
    """A Value or Dual as it is; any real number as a float (TypeError otherwise)."""
    return x if isinstance(x, Value | Dual) else to_float(x, what)


def _positions(argnums: Argnums, n: int, who: str) -> tuple[tuple[int, ...], bool]:
    """(the argument positions, whether ``argnums`` was one int) for ``n`` arguments."""
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    if single:
        wanted: tuple[int, ...] = (argnums,)  # type: ignore[assignment]
    elif isinstance(argnums, Sequence) and not isinstance(argnums, str) and argnums:
        wanted = tuple(argnums)
    else:
        raise TypeError(f"{who}: argnums must be an int or a non-empty sequence of ints, got "
                        f"{argnums!r}")
    out = []
    for i in wanted:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"{who}: argnums must be ints, got {type(i).__name__} {i!r}")
        if not -n <= i < n:
            raise ValueError(f"{who}: argnums {i} is out of range for {n} arguments")
        out.append(i % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: argnums {wanted!r} repeats an argument")
    return tuple(out), single


def _tracked(x: object) -> bool:
    """Whether ``x`` holds a Value that requires gradients (at any depth of a Dual)."""
    if isinstance(x, Dual):
        return _tracked(x.primal) or _tracked(x.tangent)
    return isinstance(x, Value) and x.requires_grad


def _differentiable(args: Sequence[object]) -> bool:
    """Whether results must be recorded Values (``create_graph``): inside a reverse-mode
    transform, or given Values that require gradients while recording is on.  Under an
    outer ``no_grad`` (and no transform), results are numbers, as ``torch.func``: a
    transform respects ``no_grad`` inside its function, not around it."""
    return _RECORDING.get() > 0 or (is_grad_enabled() and any(_tracked(a) for a in args))


def _with_leaf(x: object) -> tuple[Any, Value]:
    """``x`` with the number at the bottom of its primals replaced by a fresh node ``Q``,
    and ``Q``: a new leaf at that number, or ``v - 0.0`` over a Value ``v`` that requires
    gradients (so that transforms outside still see the dependence on ``v``; ``- 0.0``, not
    ``+ 0.0``, keeps the sign of a zero, which ``copysign`` reads)."""
    if isinstance(x, Dual):
        inner, leaf = _with_leaf(x.primal)
        return Dual(inner, x.tangent, x.level), leaf
    if isinstance(x, Value):
        leaf = x - 0.0 if x.requires_grad else Value(x.data)
    else:
        leaf = Value(to_float(x, "grad input"))
    return leaf, leaf


def _plain(x: Any, keep: bool) -> Any:
    """A result as the caller should see it: constant Values as floats, and every Value as
    its float unless ``keep`` (inside another transform, where it must stay recorded)."""
    if isinstance(x, Dual):
        return Dual(_plain(x.primal, keep), _plain(x.tangent, keep), x.level)
    if isinstance(x, Value):
        return x if keep and x.requires_grad else x.data
    return x


def _grads(out: object, leaves: Sequence[Value], create_graph: bool) -> list[Any]:
    """d out / d leaf for each leaf; an ``out`` that is a Dual is differentiated part by part
    (primal and tangent), giving Duals of the same level."""
    if isinstance(out, Dual):
        primal = _grads(out.primal, leaves, create_graph)
        tangent = _grads(out.tangent, leaves, create_graph)
        return [Dual(p, t, out.level) for p, t in zip(primal, tangent)]
    if isinstance(out, Value):
        if not out.requires_grad:
            return [0.0] * len(leaves)
        found = gradients.grad(out, list(leaves), create_graph=create_graph,
                               allow_unused=True, materialize_grads=True)
        return [_plain(g, create_graph) for g in found]
    _one_number(out, "grad")
    return [0.0] * len(leaves)


def _one_number(out: object, who: str) -> None:
    """Refuse a result of ``f`` that is not one number (a Value, a Dual, a real number) for
    the transform ``who``, naming it."""
    if isinstance(out, tuple | list):
        raise TypeError(f"{who}: the function must return one number, got a "
                        f"{type(out).__name__} of {len(out)} (use jacobian)")
    if not isinstance(out, Value | Dual):
        to_float(out, f"{who}: the function's result")


def _each_a_number(outputs: Sequence[object], who: str) -> None:
    """Refuse an output of ``f`` that is none of a Value, a Dual or a real number, for the
    transform ``who``, naming it."""
    for o in outputs:
        if not isinstance(o, Value | Dual):
            to_float(o, f"{who}: the function's result")


def _gradient_graph(out: Value, leaves: Sequence[Value]) -> list[Any]:
    """d out / d leaf for each leaf, recorded as a graph (``create_graph``; 0 for a leaf
    ``out`` does not depend on): the roots of a Hessian's rows, reverse over reverse."""
    with enable_grad():
        return gradients.grad(out, list(leaves), create_graph=True, materialize_grads=True)


def _recorded(f: Callable[..., Any], args: Sequence[Any],
              kwargs: dict[str, Any] | None = None) -> Any:
    """``f(*args, **kwargs)`` recording Values, seen as inside a reverse-mode transform."""
    token = _RECORDING.set(_RECORDING.get() + 1)
    try:
        if not is_grad_enabled():
            with enable_grad():
                return f(*args, **(kwargs or {}))
        return f(*args, **kwargs) if kwargs else f(*args)
    finally:
        _RECORDING.reset(token)


def _numbers(args: Sequence[Any], what: str) -> list[Any] | None:
    """A transform's arguments as floats when they are all plain numbers and no transform is
    around it (then its derivatives are floats, from float reverse passes:
    :func:`_float_grads`); ``None`` otherwise."""
    if _RECORDING.get():
        return None
    out = []
    for a in args:
        if type(a) is float and a - a == 0.0:
            out.append(a)
        elif isinstance(a, Value | Dual):
            return None
        else:
            out.append(to_float(a, what))
    return out


def _float_leaves(values: list[Any], positions: Sequence[int]) -> list[Value]:
    """A new leaf for each argument at ``positions`` (numbers), put in ``values``."""
    leaves = []
    for i in positions:
        leaf = values[i] = Value(values[i])
        leaves.append(leaf)
    return leaves


def _float_grads(output: Value, inputs: Sequence[Value], seed: float = 1.0) -> list[float]:
    """``seed * d output / d input`` for each input, as floats (0 for an input ``output``
    does not depend on): ``grad(output, inputs, materialize_grads=True)`` without its checks,
    for the transforms here, which made ``inputs`` themselves.  One topological sort and one
    float reverse pass (:func:`~autograd_lite.core.value.float_adjoints`)."""
    if not output.requires_grad:
        return [0.0] * len(inputs)
    adjoint = float_adjoints(topological_order(output), output, seed, inputs)
    return [adjoint.get(x, 0.0) for x in inputs]


_NOUGHTS = itertools.repeat(0.0)


def _hessian_rows(out: Value, leaves: Sequence[Value], columns: Sequence[Value],
                  single: bool) -> list[Any]:
    """The rows ``d g_i / d column_j`` of the gradient ``g_i = d out / d leaves_i`` on
    numbers (a Hessian's: ``columns`` are ``leaves``): the rows of the gradient recorded as
    ``n`` ``dot`` nodes (``_rows(_gradient_graph(out, leaves), columns, single)``), bit for
    bit, without recording them.  Each ``g_i`` is left a combination ``c_0 + sum_k c_k v_k``
    (:func:`~autograd_lite.core.gradients.linear_gradients`) and row ``i`` is one float pass
    seeded as a pass from that ``dot`` begins, ``c_k`` at each ``v_k``, over the recorded
    nodes the ``v_k`` depend on, sorted without their leaves
    (:func:`~autograd_lite.core.value.computed_order`; the dense form's Hessian at n = 50:
    3.1 ms recording the ``dot`` nodes, 2.1 sorting the leaves too, 1.7 as here).  So where
    a ``g_i`` overflows but its second derivatives are finite, they are the result
    (recording ``g_i`` refuses it); an infinite coefficient (constant factors multiplying
    past the largest float) takes the recorded path, which refuses it, as does a gradient
    hook or anomaly mode (whose passes run the hooks, or watch the leaves)."""
    combinations = None if HOOKS or anomaly_observer() is not None else (
        gradients.linear_gradients(out, leaves))
    if combinations is None or not _finite_coefficients(combinations):
        return _rows(_gradient_graph(out, leaves), columns, single)
    rows = []
    for coefficients, values in combinations:
        seeds = dict(zip(values, map(operator.add, _NOUGHTS, coefficients)))  # 0 + c_k
        if len(seeds) < len(values):  # a Value in several terms: its seeds add, in order
            seeds = {}
            for c, v in zip(coefficients, values):
                seeds[v] = seeds.get(v, 0.0) + c
        order = computed_order(values)
        row = list(map(float_pass(order, seeds).get, columns, _NOUGHTS))
        rows.append(row[0] if single else tuple(row))
    return rows


def _finite_coefficients(combinations: Sequence[tuple[list[float], list[Value]]]) -> bool:
    """Whether every coefficient is finite (one sum at C speed, each checked only if that
    sum is not finite)."""
    every = sum(sum(coefficients) for coefficients, _ in combinations)
    return every - every == 0.0 or all(all(map(math.isfinite, coefficients))
                                       for coefficients, _ in combinations)


def _jacobian_of_grad(inner: Transformed, numbers: list[Any], positions: Sequence[int],
                      single: bool, kwargs: dict[str, Any]) -> Any:
    """``jacobian(grad(g, argnums), positions)`` on numbers, as a Hessian's rows are taken
    (:func:`_hessian_rows`): ``g`` recorded once on leaves at both transforms' positions,
    rows ``d (dg / dx_i) / dx_j``, ``i`` over ``argnums``, ``j`` over ``positions`` -- the
    numbers of the Jacobian of the gradient's recorded Values, bit for bit, without recording
    them.  ``None`` when ``g`` returns a Dual (the general path differentiates its parts)."""
    inner_positions, inner_single = inner.positions(len(numbers))
    everywhere = sorted({*positions, *inner_positions})
    leaf_at = dict(zip(everywhere, _float_leaves(numbers, everywhere)))
    out = _recorded(inner.f, numbers, kwargs)
    if isinstance(out, Value):
        rows = _hessian_rows(out, [leaf_at[i] for i in inner_positions],
                             [leaf_at[j] for j in positions], single)
    elif isinstance(out, Dual):
        return None
    else:  # a number (refused as grad refuses it otherwise): no second derivatives
        _one_number(out, "grad")
        rows = [0.0 if single else (0.0,) * len(positions)] * len(inner_positions)
    return rows[0] if inner_single else tuple(rows)


def _rows(outputs: Sequence[Value | float], leaves: Sequence[Value], single: bool) -> list[Any]:
    """d output / d leaf for each output (a Value or a number: zeros) and leaf, as floats:
    a Jacobian's or a Hessian's rows, one :func:`_float_grads` per output, so each row sorts
    and walks only the part of the graph its output depends on (a row of a tridiagonal
    Hessian costs a few nodes).  Each row is the number for one leaf when ``single``, else a
    tuple."""
    zeros = [0.0] * len(leaves)
    rows = (_float_grads(o, leaves) if isinstance(o, Value) else zeros for o in outputs)
    return [row[0] if single else tuple(row) for row in rows]


# -- the transforms ---------------------------------------------------------------------
def grad(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
         ) -> Callable[..., Any]:
    """The function computing the derivative of ``f`` (one number out) with respect to the
    argument ``argnums`` (an int), or a tuple of derivatives (a sequence of ints), as
    ``jax.grad`` / ``torch.func.grad``.  Reverse mode: one recording of ``f`` and one reverse
    pass for all the arguments (per part of a Dual result).

    Called on numbers it returns floats; inside another transform (on Values or Duals, or
    while an outer ``grad`` evaluates its function) it returns what that transform needs:
    recorded Values (``create_graph``), Duals.  On Values that require gradients it returns
    Values recorded in their graph, except under ``no_grad`` (which, as for ``torch.func``,
    a transform respects inside ``f`` but not around it).  An argument ``f`` does not use
    gets 0.  Keyword arguments are passed through to ``f`` and not differentiated (as
    ``jax.grad``), and so is an argument outside ``argnums``, as it is given: a float stays
    a float, so write ``f`` with :mod:`autograd_lite.math` (``am.exp(y)``, which takes a
    float or a Value) rather than Value methods (``y.exp()``).  With ``has_aux``, ``f``
    returns ``(output, aux)`` and the derivative comes back as ``(derivative, aux)``
    (:func:`value_and_grad`).

    Examples:
        >>> from autograd_lite import func
        >>> from autograd_lite import math as am
        >>> def h(x, y):
        ...     return am.sin(x) * y ** 2
        >>> func.grad(h)(0.0, 3.0)                  # cos(0) * 9
        9.0
        >>> func.grad(h, argnums=(0, 1))(0.0, 3.0)  # (d/dx, d/dy)
        (9.0, 0.0)
        >>> func.grad(func.grad(am.exp))(0.0)       # they nest
        1.0
        >>> func.grad(lambda x, scale: scale * x * x)(3.0, scale=2.0)   # 2 scale x
        12.0
    """
    if not callable(f):
        raise TypeError(f"grad: f must be callable, got {type(f).__name__}")
    if _aux_flag(has_aux, "grad"):
        return _grad_and_aux(f, argnums)

    where: dict[int, tuple[tuple[int, ...], bool]] = {}  # number of arguments -> positions

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        known = where.get(len(args))
        if known is None:
            known = where[len(args)] = _positions(argnums, len(args), "grad")
        positions, single = known
        numbers = _numbers(args, "grad input")
        if numbers is not None:  # the common case: as recording f and calling backward
            leaves = _float_leaves(numbers, positions)
            out = _recorded(f, numbers, kwargs)
            if isinstance(out, Value):
                found = _float_grads(out, leaves)
                return found[0] if single else tuple(found)
            with enable_grad():  # a Dual (f captured one) or a number
                found = _grads(out, leaves, False)
            return found[0] if single else tuple(found)
        values = [_number_or_carrier(a, "grad input") for a in args]
        create_graph = _differentiable(values)
        leaves = []
        with enable_grad():  # the leaves are recorded even under no_grad
            for i in positions:
                values[i], leaf = _with_leaf(values[i])
                leaves.append(leaf)
        out = _recorded(f, values, kwargs)
        with enable_grad():
            found = _grads(out, leaves, create_graph)
        return found[0] if single else tuple(found)

    _TRANSFORMED[grad_f] = Transformed("grad", f, argnums)
    return grad_f


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
        ) -> tuple[Any, Any]:
    """``(f(*primals), J v)`` for the direction ``v = tangents``, as ``torch.func.jvp``.
    Forward mode: one pass with Dual numbers of a new level, whatever the number of outputs.

    ``f`` returns a number or a tuple/list of numbers; both results have that shape.
    Primals and tangents may be numbers, Values or Duals (from transforms outside).

    Examples:
        >>> from autograd_lite import func
        >>> func.jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 0.0))   # (f, df along (1, 0))
        (6.0, 3.0)
        >>> func.jvp(lambda x: (x * x, 3 * x), (2.0,), (1.0,))     # several outputs
        ((4.0, 6.0), (4.0, 3.0))
    """
    if not callable(f):
        raise TypeError(f"jvp: f must be callable, got {type(f).__name__}")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    level = Level()
    duals = [Dual(_number_or_carrier(p, "jvp primal"), _number_or_carrier(t, "jvp tangent"),
                  level) for p, t in zip(primals, tangents)]
    out = f(*duals)

    def split(o: object) -> tuple[Any, Any]:
        if isinstance(o, Dual) and o.level is level:
            return o.primal, o.tangent
        return _number_or_carrier(o, "jvp output"), 0.0  # does not depend on the inputs

    if isinstance(out, tuple | list):
        pairs = [split(o) for o in out]
        return tuple(p for p, _ in pairs), tuple(t for _, t in pairs)
    return split(out)


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., tuple[Any, ...]]]:
    """``(f(*primals), vjp_fn)`` as ``torch.func.vjp`` / ``jax.vjp``: ``vjp_fn(u)`` gives
    ``u^T J``, one number per primal, for an output weighting ``u`` of the shape of the
    output (a number, or one per output).  Reverse mode: ``f`` is recorded once here, and
    each ``vjp_fn`` call is one reverse pass.

    Examples:
        >>> from autograd_lite import func
        >>> value, pullback = func.vjp(lambda x, y: x * y, 2.0, 3.0)
        >>> value, pullback(1.0), pullback(2.0)                   # u * (y, x)
        (6.0, (3.0, 2.0), (6.0, 4.0))
    """
    if not callable(f):
        raise TypeError(f"vjp: f must be callable, got {type(f).__name__}")
    numbers = _numbers(primals, "vjp input")
    if numbers is not None:  # plain numbers: float leaves
        nested = False
        leaves = values = [Value(x) for x in numbers]
    else:
        values = [_number_or_carrier(a, "vjp input") for a in primals]
        nested = _differentiable(values)
        leaves = []
        with enable_grad():
            for i, a in enumerate(values):
                values[i], leaf = _with_leaf(a)
                leaves.append(leaf)
    out = _recorded(f, values)
    many = isinstance(out, tuple | list)
    outputs = tuple(out) if many else (out,)
    _each_a_number(outputs, "vjp")
    on_numbers = not many and not nested and isinstance(out, Value)

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        if on_numbers and type(cotangent) is float and cotangent - cotangent == 0.0 and (
                not _RECORDING.get()):  # one float reverse pass seeded with u, as backward(u)
            return tuple(_float_grads(out, leaves, cotangent))
        weights = tuple(cotangent) if many else (cotangent,)
        if len(weights) != len(outputs):
            raise ValueError(f"vjp: {len(outputs)} outputs but {len(weights)} cotangents")
        if on_numbers:
            floats = _numbers(weights, "vjp cotangent")
            if floats is not None:  # an int, a NumPy float...: as above
                return tuple(_float_grads(out, leaves, floats[0]))
        weights = tuple(_number_or_carrier(w, "vjp cotangent") for w in weights)
        create_graph = nested or _differentiable(weights)
        with enable_grad():
            total: Any = 0.0
            for w, o in zip(weights, outputs):
                total = total + w * o
            return tuple(_grads(total, leaves, create_graph))

    if not many:
        return _plain(out, nested), vjp_fn
    return tuple([_plain(o, nested) for o in outputs]), vjp_fn


def jacobian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The function computing the derivatives of every output of ``f`` with respect to the
    arguments ``argnums``: a number for one output and one argument, a tuple over the
    arguments for a sequence ``argnums``, and a tuple over the outputs (of those) for a
    function returning a tuple -- ``J[i][j] = d out_i / d x_j``.

    Reverse mode (as ``torch.autograd.functional.jacobian``): one recording of ``f`` and one
    reverse pass per output, since the functions here (losses) have more inputs than outputs.
    On plain numbers (no transform around) each pass is a float pass from that output alone,
    over the part of the graph it depends on, and the Jacobian of a :func:`grad` is taken
    as :func:`hessian` takes its rows (the numbers of the Jacobian of the gradient's
    recorded Values, without recording them, and so without refusing a gradient that
    overflows); otherwise each is a ``vjp`` pullback, whose results the
    transforms outside can differentiate.  Keyword arguments are passed through to ``f``
    and not differentiated.

    Examples:
        >>> from autograd_lite import func
        >>> func.jacobian(lambda x, y: (x * y, x + y), (0, 1))(2.0, 3.0)
        ((3.0, 2.0), (1.0, 1.0))
    """
    if not callable(f):
        raise TypeError(f"jacobian: f must be callable, got {type(f).__name__}")
    made = Transformed("jacobian", f, argnums)
    inner = made.of_grad()  # f a grad: its Jacobian is taken as a Hessian's rows

    @functools.wraps(f)
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        positions, single = _positions(argnums, len(args), "jacobian")
        numbers = _numbers(args, "jacobian input")
        if (numbers is not None and inner is not None and not HOOKS
                and anomaly_observer() is None):  # a Hessian's rows
            rows = _jacobian_of_grad(inner, numbers, positions, single, kwargs)
            if rows is not None:
                return rows
            numbers = _numbers(args, "jacobian input")  # the leaves put in it: afresh
        if numbers is not None:  # one recording, one float reverse pass per output
            leaves = _float_leaves(numbers, positions)
            out = _recorded(f, numbers, kwargs)
            many = isinstance(out, tuple | list)
            outputs = tuple(out) if many else (out,)
            if all(type(o) is float or isinstance(o, Value) for o in outputs):
                rows = _rows(outputs, leaves, single)
                return tuple(rows) if many else rows[0]
            _each_a_number(outputs, "jacobian")

        def of_wanted(*wanted: Any) -> Any:
            full = list(args)
            for i, w in zip(positions, wanted):
                full[i] = w
            return f(*full, **kwargs)

        out, pullback = vjp(of_wanted, *[args[i] for i in positions])
        many = isinstance(out, tuple)
        n = len(out) if many else 1
        rows = []
        for k in range(n):
            row = pullback(tuple(float(j == k) for j in range(n)) if many else 1.0)
            rows.append(row[0] if single else row)
        return tuple(rows) if many else rows[0]

    _TRANSFORMED[jacobian_f] = made
    return jacobian_f


def hessian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The function computing the second derivatives of ``f`` (one number out): for an int
    ``argnums`` the number ``d2f / dx2``, for a sequence the tuple of rows
    ``H[i][j] = d2f / dx_i dx_j``.

    On plain numbers (no transform around), reverse over reverse: ``f`` is recorded once,
    its gradient found once by the pass on Values (``create_graph``), and row ``i`` is one
    float reverse pass from ``g_i = df/dx_i``, ``H[i][j] = d g_i / d x_j``.  A pass visits
    only the nodes ``g_i`` depends on, so structural zeros cost nothing (a chain like
    Rosenbrock's has rows of a few nodes) and the whole Hessian costs a few gradients plus
    one pass per row.  ``g_i`` itself is not computed: where it overflows but the second
    derivatives are finite, they are the result (as ``torch.func.hessian`` gives them;
    ``grad(grad(f))`` refuses the overflowing gradient, and so does this path while a
    gradient hook is registered or in anomaly mode, which record it).

    Inside another transform (Values or Duals as arguments, or called while a transform
    evaluates its function), forward over reverse (as ``jax.hessian``): row ``i`` is
    ``jvp`` of ``grad(f)`` in the direction ``e_i`` -- a Hessian-vector product whose
    results, Values or Duals, the transforms outside differentiate.  The two agree to
    rounding (they sum the same terms in another order), except that an infinite second
    derivative (``x ** 1.5`` at 0) is ``inf`` on numbers, as ``backward`` gives an infinite
    slope, where a Dual refuses it.  Keyword arguments are passed through to ``f`` and not
    differentiated.

    Examples:
        >>> from autograd_lite import func
        >>> f = lambda x, y: x * x * y + y ** 3
        >>> func.hessian(f, (0, 1))(1.0, 2.0)       # ((2y, 2x), (2x, 6y))
        ((4.0, 2.0), (2.0, 12.0))
    """
    if not callable(f):
        raise TypeError(f"hessian: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def hessian_f(*args: Any, **kwargs: Any) -> Any:
        positions, single = _positions(argnums, len(args), "hessian")
        numbers = _numbers(args, "hessian input")
        if numbers is not None:  # reverse over reverse: the gradient's graph, recorded once
            leaves = _float_leaves(numbers, positions)
            out = _recorded(f, numbers, kwargs)
            if isinstance(out, Value):
                rows = _hessian_rows(out, leaves, leaves, single)
                return rows[0] if single else tuple(rows)
            _one_number(out, "hessian")
        gradient = grad(functools.partial(f, **kwargs), positions)
        rows = []
        for i in positions:
            tangents = [float(j == i) for j in range(len(args))]
            _, row = jvp(gradient, args, tangents)
            rows.append(row[0] if single else row)
        return rows[0] if single else tuple(rows)

    _TRANSFORMED[hessian_f] = Transformed("hessian", f, argnums)
    return hessian_f


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
        ) -> tuple[Any, ...]:
    """The Hessian-vector product ``H v`` of ``f`` (one number out) at ``primals`` for
    ``v = tangents``, one number per argument: ``jvp`` of ``grad`` (forward over reverse),
    without forming ``H``.

    Examples:
        >>> from autograd_lite import func
        >>> f = lambda x, y: x * x * y + y ** 3
        >>> func.hvp(f, (1.0, 2.0), (1.0, 0.0))     # H times (1, 0): H's first column
        (4.0, 2.0)
    """
    if len(primals) != len(tangents):
        raise ValueError(f"hvp: {len(primals)} primals but {len(tangents)} tangents")
    if not primals:
        raise ValueError("hvp: primals is empty; a Hessian-vector product needs an argument")
    every = tuple(range(len(primals)))
    _, product = jvp(grad(f, every), primals, tangents)
    return tuple(product)


# -- as JAX names them: auxiliary outputs, the value with the gradient, jacfwd / jacrev -------
def _aux_flag(has_aux: object, who: str) -> bool:
    """``has_aux`` checked to be a bool (a TypeError naming ``who`` otherwise)."""
    if type(has_aux) is not bool:
        raise TypeError(f"{who}: has_aux must be a bool, got {type(has_aux).__name__} "
                        f"{has_aux!r}")
    return has_aux


def _shown(x: Any, keep: bool) -> Any:
    """An auxiliary output as the caller should see it: :func:`_plain` applied to each
    number inside tuples, lists and dict values."""
    if isinstance(x, tuple | list):
        return type(x)(_shown(item, keep) for item in x)
    if isinstance(x, dict):
        return {key: _shown(item, keep) for key, item in x.items()}
    return _plain(x, keep)


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
                   ) -> Callable[..., Any]:
    """The function computing ``(f(*args), grad(f, argnums)(*args))`` from one recording of
    ``f``, as ``jax.value_and_grad``.

    With ``has_aux``, ``f`` returns a pair ``(output, aux)``: only ``output`` is
    differentiated, and the result is ``((output, aux), derivative)``, as JAX's (``aux`` may be
    anything; Values in it, and in tuples, lists and dicts of it, come back as numbers, or as
    recorded Values inside another transform).  ``torch.func.grad_and_value`` gives the same
    two the other way round.  Keyword arguments are passed through to ``f`` and not
    differentiated.

    Raises:
        TypeError: ``f`` is not callable, ``has_aux`` is not a bool, or ``f`` did not return
            one number (with ``has_aux``: a pair whose first item is one number).

    Examples:
        >>> from autograd_lite import func
        >>> def loss(w, x, target):
        ...     prediction = w * x
        ...     return (prediction - target) ** 2, prediction
        >>> func.value_and_grad(loss, has_aux=True)(2.0, 3.0, target=5.0)
        ((1.0, 6.0), 6.0)
        >>> func.grad(loss, has_aux=True)(2.0, 3.0, target=5.0)   # (derivative, aux)
        (6.0, 6.0)
        >>> func.value_and_grad(lambda w, x: w * x, (0, 1))(2.0, 3.0)
        (6.0, (3.0, 2.0))
    """
    if not callable(f):
        raise TypeError(f"value_and_grad: f must be callable, got {type(f).__name__}")
    return _value_and_grad(f, argnums, _aux_flag(has_aux, "value_and_grad"), "value_and_grad")


def _value_and_grad(f: Callable[..., Any], argnums: Argnums, aux_wanted: bool, who: str
                    ) -> Callable[..., Any]:
    """:func:`value_and_grad`, its errors naming ``who``: the output kept from the recording
    :func:`grad` makes."""
    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        _positions(argnums, len(args), who)
        keep = _differentiable([_number_or_carrier(a, f"{who} input") for a in args])
        seen: list[tuple[Any, Any]] = []

        def output(*inner: Any) -> Any:
            result = f(*inner, **kwargs)
            if not aux_wanted:
                seen.append((result, None))
                return result
            if not isinstance(result, tuple) or len(result) != 2:
                shape = (f"a tuple of {len(result)}" if isinstance(result, tuple)
                         else type(result).__name__)
                raise TypeError(f"{who}: with has_aux=True, f must return a pair "
                                f"(output, aux), got {shape}")
            seen.append(result)
            return result[0]

        try:
            derivative = grad(output, argnums)(*args)
        except TypeError as error:  # grad's own message: name the function called
            message = str(error)
            if who == "grad" or not message.startswith("grad: "):
                raise
            raise TypeError(f"{who}: {message[len('grad: '):]}") from None
        value, aux = seen[-1]
        value = _shown(value, keep)
        return ((value, _shown(aux, keep)), derivative) if aux_wanted else (value, derivative)

    return value_and_grad_f


def _grad_and_aux(f: Callable[..., Any], argnums: Argnums) -> Callable[..., Any]:
    """``grad(f, argnums, has_aux=True)``: ``(derivative, aux)``, as JAX and torch.func."""
    both = _value_and_grad(f, argnums, True, "grad")

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        (_, aux), derivative = both(*args, **kwargs)
        return derivative, aux

    return grad_f


jacrev = jacobian
"""``jax.jacrev``'s name for :func:`jacobian` (reverse mode: one pass per output)."""


def jacfwd(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian in forward mode, as ``jax.jacfwd``: one ``jvp`` per argument in
    ``argnums`` (:func:`jacobian`, alias ``jacrev``, takes one reverse pass per output
    instead), the same numbers in the same layout -- ``J[i][j] = d out_i / d x_j``.
    Keyword arguments are passed through to ``f`` and not differentiated.

    Examples:
        >>> from autograd_lite import func
        >>> f = lambda x, y: (x * y, x + y)
        >>> func.jacfwd(f, (0, 1))(2.0, 3.0)
        ((3.0, 2.0), (1.0, 1.0))
        >>> func.jacfwd(f, (0, 1))(2.0, 3.0) == func.jacrev(f, (0, 1))(2.0, 3.0)
        True
    """
    if not callable(f):
        raise TypeError(f"jacfwd: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        positions, single = _positions(argnums, len(args), "jacfwd")
        primals = [_number_or_carrier(a, "jacfwd input") for a in args]
        columns = [jvp(functools.partial(f, **kwargs), primals,
                       [float(j == i) for j in range(len(args))])[1] for i in positions]
        if not isinstance(columns[0], tuple):
            return columns[0] if single else tuple(columns)
        rows = [tuple(column[k] for column in columns) for k in range(len(columns[0]))]
        return tuple(row[0] if single else row for row in rows)

    return jacfwd_f

"""The differential checker: every way autograd_lite computes a derivative, against each other.

A random expression graph (:func:`~autograd_lite.testing.strategies.expressions`: every
primitive of :data:`OP_CASES`, or the cases you pass, with shared sub-expressions and
diamonds; up to about 1,000 nodes) is evaluated at random inputs and its gradient is computed
eight ways, which must agree (:func:`check_modes`):

1. ``backward``                    eager reverse mode, into ``.grad``;
2. ``grad``                        functional reverse mode (must equal 1. bit for bit), and
                                   the general ``reverse_pass`` on the recorded derivatives
                                   (the one both specialise: bit for bit too);
3. ``grad(create_graph=True)``     gradients as Values, through the rules applied to Values;
4. ``jvp``                         forward mode, one dual-number pass per input;
5. the compiled tape               generated straight-line code, replayed at the recording
                                   inputs and at new ones;
6. central differences             where they are meaningful (``Expression.checkable``), and
                                   then also the second derivative from 3. against central
                                   differences of 1., against forward over reverse
                                   (``autograd_lite.func``: ``jvp`` of ``grad``), against
                                   forward over forward (``jvp`` of ``jvp``), grad of grad
                                   and jvp of grad, and ``func.hessian`` and ``func.jacobian``
                                   of ``grad`` on numbers (their reverse-over-reverse fast
                                   path), every entry, and
                                   ``compiled_transform(func.hessian)`` equal to
                                   ``func.hessian`` bit for bit;
7. ``autograd_lite.func``          ``grad``, ``vjp`` and ``jacobian`` on numbers (their float
                                   fast path), and ``compiled_transform(func.grad)``: equal
                                   to 1. bit for bit;
8. ``backend="numpy"``             ``compiled_transform(func.grad, backend="numpy")``: like
                                   nodes as one array operation each, its sums in another
                                   order, so within rounding of 1. (with NumPy installed).

When the forward pass fails (an overflow, say), every mode must raise the same
:class:`DomainError` with the same message; when a user's derivative rule is malformed,
every mode that applies it must raise the same ``TypeError``.  A graph one of whose leaves
had its ``data`` assigned after recording must be refused by every reader
(:class:`~autograd_lite.core.value.StaleGraphError`), and recorded again it must give the
same numbers bit for bit.  Anomaly mode must raise exactly when some
gradient is not finite.  :func:`campaign` runs a fixed-seed hypothesis campaign of one
:data:`TIERS` tier; ``python bench/fuzz.py`` runs all of them and writes a report.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from autograd_lite.compile import Tape, compiled_transform
from autograd_lite.core import func
from autograd_lite.core.anomaly import AnomalyError, detect_anomaly
from autograd_lite.core.check import central_difference
from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual, jvp
from autograd_lite.core.gradients import grad
from autograd_lite.core.reverse import reverse_pass
from autograd_lite.core.value import StaleGraphError, Value, topological_order
from autograd_lite.testing.strategies import (
    DRAWS,
    OP_CASES,
    Domain,
    Expression,
    OpCase,
    expressions,
    param_args,
    pick,
    safe_floats,
)

EXACT_RTOL = 1e-9
"""Tolerance between the exact modes (reverse, forward, compiled, create_graph): they apply the
same rules in another order, so they differ only by rounding; cancellation in a large graph can
cost some digits, so the scale is the largest term, not the result."""
VECTOR_RTOL = 1e-6
"""Tolerance of the compiled gradient on NumPy: its forward values may differ from eager's in
the last bits too (NumPy's ``exp``, BLAS's order), which a graph near a pole magnifies (as
forward mode's rounding); a wrong index or rule is off by O(1)."""


class MismatchError(AssertionError):
    """Two modes disagree: the message names them, the expression and the inputs.

    Examples:
        A derivative rule that is wrong the same way in every mode is still caught, by central
        differences:

        >>> from autograd_lite import primitive
        >>> from autograd_lite.testing import Expression, MismatchError, check_modes
        >>> wrong = primitive("wrong_cube", lambda x: x ** 3, lambda out, x: (x * x,))  # not 3 x^2
        >>> try:
        ...     check_modes(Expression(1, (("wrong_cube", 0),)), [0.5])
        ... except MismatchError as error:
        ...     print(str(error).splitlines()[0][:48])
        central difference: d/dx0: backward 0.25, centra
    """


@dataclass
class Stats:
    """What a campaign did.

    Examples:
        >>> from autograd_lite.testing import Expression, Stats, check_modes
        >>> stats = Stats()
        >>> check_modes(Expression(2, (("mul", 0, 1), ("exp", 2))), [0.5, 2.0], stats)
        >>> stats.examples, sorted(stats.ops.items()), stats.failures
        (1, [('exp', 1), ('mul', 1)], [])
        >>> sorted(stats.modes)[:3]
        ['anomaly', 'central difference', 'compiled']
    """

    examples: int = 0
    nodes: list[int] = field(default_factory=list)
    ops: Counter[str] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)
    domain_errors: int = 0
    nonfinite_gradients: int = 0
    failures: list[str] = field(default_factory=list)


def _close(a: float, b: float, scale: float, rtol: float = EXACT_RTOL) -> bool:
    return a == b or abs(a - b) <= rtol * max(1.0, scale, abs(a), abs(b))


def _contribution_scale(root: Value) -> float:
    """The largest |adjoint * local derivative| in ``root``'s graph after ``backward``.

    Reverse and forward mode add the same terms in other orders; the rounding error of a sum
    is bounded by eps * (sum of |terms|), not by the size of the result: ``x / x`` at
    x = 1e-86 has local derivatives +-1e86 that cancel, absorbing anything small on the way.
    """
    scale = 1.0
    for node in topological_order(root):
        for d in node.local_grads:
            term = abs(node.grad * d)
            if term > scale and math.isfinite(term):
                scale = term
    return scale


def _richardson(coarse: float, h_coarse: float, fine: float, h_fine: float) -> float:
    """Two central differences, whose error is ~ h**2, extrapolated to h = 0."""
    return (fine * h_coarse**2 - coarse * h_fine**2) / (h_coarse**2 - h_fine**2)


def _tangent_scale(e: Expression, xs: list[float], direction: list[float]) -> float:
    """The largest finite |tangent| of any register in forward mode along ``direction``."""
    duals = [Dual(x, t) for x, t in zip(xs, direction)]
    tangents = (abs(r.tangent) for r in e.registers(duals) if isinstance(r, Dual))
    return max((t for t in tangents if math.isfinite(t)), default=1.0)


def _fail(mode: str, e: Expression, xs: list[float], detail: str) -> MismatchError:
    return MismatchError(f"{mode}: {detail}\n  inputs {xs!r}\n  {e!r}")


def _error_text(f: Any) -> str | None:
    try:
        f()
    except DomainError as error:
        return f"{type(error).__name__}: {error}"
    return None


def check_modes(e: Expression, xs: list[float], stats: Stats | None = None,
                rng: random.Random | None = None) -> None:
    """Run every mode on ``e`` at ``xs``; raise :class:`MismatchError` at the first
    disagreement.  ``e`` may use any primitive of the rule table, yours included.

    Examples:
        >>> from autograd_lite.testing import Expression, check_modes
        >>> check_modes(Expression(2, (("mul", 0, 1), ("exp", 2))), [0.5, 2.0])   # exp(x0 x1)
    """
    stats = stats if stats is not None else Stats()
    rng = rng or random.Random(0)
    n = e.n_inputs
    stats.examples += 1
    stats.ops.update(e.ops)

    # -- forward: the same value, or the same error, on floats, Values and Duals ------------
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    try:
        out = e.evaluate(leaves)
    except TypeError as error:  # a malformed derivative rule: refused alike where applied
        _check_same_type_error(e, xs, error, stats)
        return
    except DomainError as error:
        stats.domain_errors += 1
        eager = f"DomainError: {error}"
        for mode, f in (("floats", lambda: e.evaluate(xs)),
                        ("jvp", lambda: jvp(e, xs, [1.0] * n))):
            other = _error_text(f)
            if other != eager:
                raise _fail(f"{mode} error", e, xs,
                            f"eager raised {eager!r}, {mode} {other!r}") from None
        stats.modes["same DomainError"] += 1
        return
    stats.nodes.append(len(topological_order(out)))
    value = e.evaluate(xs)
    if value != out.data:
        raise _fail("floats", e, xs, f"value {value!r} != eager {out.data!r}")

    # -- 1. backward, 2. grad ----------------------------------------------------------------
    out.backward()
    g1 = [x.grad for x in leaves]
    g2 = grad(out, leaves, allow_unused=True)
    g2 = [0.0 if g is None else g for g in g2]
    if not all(map(_same, g1, g2)):
        raise _fail("grad vs backward", e, xs, f"{g2!r} != {g1!r} (must be bit for bit)")
    general = reverse_pass(topological_order(out), out, 1.0)
    g_general = [general.get(x, 0.0) for x in leaves]
    if not all(map(_same, g1, g_general)):
        raise _fail("reverse_pass vs backward", e, xs,
                    f"{g_general!r} != {g1!r} (must be bit for bit)")
    stats.modes["reverse_pass"] += 1
    finite = all(math.isfinite(g) for g in g1)
    _check_float_transforms(e, xs, out.data, g1, stats)
    _check_stale_graph(e, xs, out.data, g1, stats)

    # -- anomaly mode raises exactly when a gradient is not finite ------------------------------
    with detect_anomaly():
        anomaly_leaves = [Value(x) for x in xs]
        anomaly_out = e.evaluate(anomaly_leaves)
        try:
            anomaly_out.backward()
            raised = False
        except AnomalyError:
            raised = True
    if raised == finite:
        raise _fail("anomaly mode", e, xs, f"raised={raised} but gradients {g1!r}")
    stats.modes["anomaly"] += 1
    if not finite:
        stats.nonfinite_gradients += 1
        return
    scale = _contribution_scale(out)
    _check_vector_gradient(e, xs, g1, scale, stats)

    # -- 4. forward mode, one pass per input ---------------------------------------------------
    for i in range(n):
        direction = [1.0 if j == i else 0.0 for j in range(n)]
        try:
            primal, tangent = jvp(e, xs, direction)
        except DomainError as error:
            raise _fail("jvp", e, xs, f"raised {error} but eager did not") from None
        if primal != out.data:
            raise _fail("jvp", e, xs, f"primal {primal!r} != {out.data!r}")
        # forward mode rounds its own sums: scale them by the largest tangent on the way
        # (cbrt at 1e-280 has slope 8e185, cancelled by a later - cbrt: backward cancels the
        # adjoints first and keeps a 0.69 that forward mode's sum of 8e185s absorbs)
        if not _close(tangent, g1[i], max(scale, _tangent_scale(e, xs, direction))):
            raise _fail("jvp", e, xs, f"d/dx{i}: forward {tangent!r}, backward {g1[i]!r}")
    stats.modes["jvp"] += 1

    # -- 3. create_graph -----------------------------------------------------------------------
    dleaves = [Value(x) for x in xs]
    try:
        g3 = grad(e.evaluate(dleaves), dleaves, create_graph=True, allow_unused=True)
    except DomainError as error:
        # the derivative graph can overflow where the float gradient did not: only acceptable
        # when a result really is huge or a rule has no differentiable derivative (sqrt at 0)
        stats.modes["create_graph refused"] += 1
        if "overflow" not in str(error) and "not a finite" not in str(error) \
                and "infinite" not in str(error):
            raise _fail("create_graph", e, xs, f"raised {error}") from None
        g3 = None
    if g3 is not None:
        for i, g in enumerate(g3):
            got = 0.0 if g is None else g.data
            if not _close(got, g1[i], scale):
                raise _fail("create_graph", e, xs, f"d/dx{i}: {got!r} vs backward {g1[i]!r}")
        stats.modes["create_graph"] += 1

    # -- 5. compiled tape: at the recording point and at a new one ------------------------------
    if Tape is not None:
        tape = Tape.from_graph(out, leaves)
        replay = tape(*xs)
        if replay.value != out.data:
            raise _fail("compiled", e, xs, f"value {replay.value!r} != {out.data!r}")
        for i, g in enumerate(replay.grads):
            if not _close(0.0 if g is None else g, g1[i], scale):
                raise _fail("compiled", e, xs, f"d/dx{i}: {g!r} vs backward {g1[i]!r}")
        moved = [x + rng.uniform(-0.25, 0.25) for x in xs]
        fresh = [Value(x) for x in moved]
        eager_error = None
        try:
            fresh_out = e.evaluate(fresh)
            fresh_out.backward()
        except DomainError as error:
            eager_error = str(error)
        try:
            moved_replay = tape(*moved)
            tape_error = None
        except DomainError as error:
            tape_error = str(error)
        if (eager_error is None) != (tape_error is None):
            raise _fail("compiled replay", e, moved, f"eager error {eager_error!r}, tape error "
                        f"{tape_error!r}")
        if eager_error != tape_error:
            # both refuse, naming different ops: eager names the first failure in program
            # order, the tape the first in its graph's topological order (a DFS from the
            # output); the graph does not record the order the program ran in
            stats.modes["compiled replay: another first error"] += 1
        if eager_error is None and all(math.isfinite(x.grad) for x in fresh):
            moved_scale = _contribution_scale(fresh_out)
            if moved_replay.value != fresh_out.data:
                raise _fail("compiled replay", e, moved,
                            f"value {moved_replay.value!r} != {fresh_out.data!r}")
            for i, g in enumerate(moved_replay.grads):
                if not _close(0.0 if g is None else g, fresh[i].grad, moved_scale):
                    raise _fail("compiled replay", e, moved,
                                f"d/dx{i}: {g!r} vs backward {fresh[i].grad!r}")
        stats.modes["compiled"] += 1

    # -- 6. central differences, first and second order -----------------------------------------
    if e.checkable(xs):
        for i in range(n):
            numerical = central_difference(e, xs, i, 1e-6)
            if not abs(g1[i] - numerical) <= 1e-5 + 1e-3 * abs(numerical):
                # near a pole (tan of tan(1.5)**2 + 0.5) h = 1e-6 is too coarse alone:
                # Richardson's extrapolation with a second step (the error is ~ h**2):
                # 1e-5, or 1e-7 where 1e-5 would reach a kink or leave the domain
                second_step = 1e-5 if e.checkable(xs, eps=1e-5) else 1e-7
                extrapolated = _richardson(central_difference(e, xs, i, second_step), second_step,
                                           numerical, 1e-6)
                if not abs(g1[i] - extrapolated) <= 1e-5 + 1e-3 * abs(extrapolated):
                    raise _fail("central difference", e, xs,
                                f"d/dx{i}: backward {g1[i]!r}, central difference "
                                f"{numerical!r}, extrapolated {extrapolated!r}")
        stats.modes["central difference"] += 1
        if g3 is not None and e.checkable(xs, eps=1e-5):
            _second_order(e, xs, dleaves, g3, stats)


def _check_same_type_error(e: Expression, xs: list[float], error: TypeError,
                            stats: Stats) -> None:
    """Eager recording raised ``error``: forward mode, which applies the same rules, must
    raise it too, word for word (floats alone apply no derivative rule)."""
    eager = f"TypeError: {error}"
    try:
        jvp(e, xs, [1.0] * e.n_inputs)
        forward = None
    except TypeError as other:
        forward = f"TypeError: {other}"
    if forward != eager:
        raise _fail("jvp error", e, xs, f"eager raised {eager!r}, jvp {forward!r}")
    stats.modes["same TypeError"] += 1


def _same(a: float, b: float) -> bool:
    """Equal as floats, nan equal to nan (the bit-for-bit comparison of two exact modes)."""
    return a == b or (math.isnan(a) and math.isnan(b))


def _check_float_transforms(e: Expression, xs: list[float], value: float,
                            gradients: list[float], stats: Stats) -> None:
    """The transforms of :mod:`autograd_lite.func` on plain numbers take their float fast path
    (a recording and one float reverse pass per output): ``grad``, ``vjp`` and ``jacobian``,
    and ``compiled_transform(func.grad)`` (that pass as straight-line code), must equal ``backward``
    bit for bit (the same products, summed in the same order)."""
    every = tuple(range(len(xs)))
    checks = (("func.grad", func.grad(e, every)(*xs)),
              ("func.vjp", func.vjp(e, *xs)[1](1.0)),
              ("func.jacobian", func.jacobian(e, every)(*xs)),
              ("compiled_transform(func.grad)", compiled_transform(func.grad(e, every))(*xs)))
    for mode, found in checks:
        if len(found) != len(gradients) or not all(map(_same, found, gradients)):
            raise _fail(mode, e, xs, f"{list(found)!r} != backward {gradients!r} (must be bit "
                        "for bit)")
    if not _same(func.vjp(e, *xs)[0], value):
        raise _fail("func.vjp", e, xs, f"value {func.vjp(e, *xs)[0]!r} != eager {value!r}")
    stats.modes["float transforms"] += 1


def _check_vector_gradient(e: Expression, xs: list[float], gradients: list[float],
                           scale: float, stats: Stats) -> None:
    """``compiled_transform(func.grad, backend="numpy")`` computes like nodes together, its
    sums in another order and some forward values rounded otherwise: within
    :data:`VECTOR_RTOL` of the largest term (a graph with a kink, or one where it declines,
    is the Python replay's: bit for bit).  Not run without NumPy."""
    every = tuple(range(len(xs)))
    try:
        vectorised = compiled_transform(func.grad(e, every), backend="numpy")
    except ImportError:
        stats.modes["compiled_transform numpy: no NumPy"] += 1
        return
    found = vectorised(*xs)
    for i, (a, b) in enumerate(zip(found, gradients, strict=True)):
        if not _close(a, b, scale, VECTOR_RTOL):
            raise _fail("compiled_transform(func.grad, backend='numpy')", e, xs,
                        f"d/dx{i}: {a!r} vs backward {b!r}")
    stats.modes["compiled_transform numpy"] += 1
    if getattr(vectorised.tape, "vector_source", None) is not None:  # else the Python code's
        stats.modes["compiled_transform numpy: vectorised"] += 1


def _check_stale_graph(e: Expression, xs: list[float], value: float, gradients: list[float],
                       stats: Stats) -> None:
    """Record ``e`` again, assign each leaf it reads its own number (which still counts as a
    change, as PyTorch's version counter counts an in-place write): every reader refuses the
    graph; recorded once more it gives ``value`` and ``gradients`` bit for bit."""
    leaves = [Value(x) for x in xs]
    out = e.evaluate(leaves)
    read = [x for x in leaves if x in set(topological_order(out))]
    if not read or not out.requires_grad:
        return
    for x in read:
        x.data = x.data
    readers = (("backward", out.backward), ("grad", lambda: grad(out, read)),
               ("create_graph", lambda: grad(out, read, create_graph=True)),
               ("compiled", lambda: Tape.from_graph(out, leaves)))
    for mode, read_graph in readers:
        try:
            read_graph()
        except StaleGraphError:
            continue
        raise _fail(f"stale graph: {mode}", e, xs, "read a graph whose leaf was assigned")
    if any(x.grad != 0.0 for x in leaves):
        raise _fail("stale graph", e, xs, "a refused backward wrote .grad")
    again = e.evaluate(leaves)
    again.backward()
    if again.data != value or any(x.grad != g and not (math.isnan(x.grad) and math.isnan(g))
                                  for x, g in zip(leaves, gradients)):
        raise _fail("stale graph: recorded again", e, xs,
                    f"{again.data!r}, {[x.grad for x in leaves]!r} != {value!r}, {gradients!r}")
    stats.modes["stale graph refused"] += 1


def _second_order(e: Expression, xs: list[float], dleaves: list[Value],
                  g3: list[Value | None], stats: Stats) -> None:
    """d2f/dxi2 from create_graph against central differences of backward's df/dxi, against
    forward over reverse (``jvp`` of ``grad``), grad of grad, and ``func.hessian`` and
    ``func.jacobian`` of ``grad`` on numbers (their fast path) against both;
    ``compiled_transform(func.hessian)`` equal to ``func.hessian`` bit for bit."""
    every = tuple(range(len(xs)))
    hessian = func.hessian(e, every)(*xs)
    replayed = compiled_transform(func.hessian(e, every))(*xs)  # rows, as func.hessian's
    if not all(map(_same, [x for row in replayed for x in row],
                   [x for row in hessian for x in row])):
        raise _fail("compiled_transform(func.hessian)", e, xs, f"{replayed!r} != func.hessian "
                    f"{hessian!r} (must be bit for bit)")
    jacobian_of_grad = func.jacobian(func.grad(e, every), every)(*xs)
    for i, gi in enumerate(g3):
        if gi is None or not gi.requires_grad:
            second = 0.0  # a constant first derivative
        else:
            found = grad(gi, dleaves[i], allow_unused=True)
            second = 0.0 if found is None else float(found)

        def first(*point: float, i: int = i) -> float:
            vs = [Value(p) for p in point]
            e.evaluate(vs).backward()
            return vs[i].grad

        # steps: truncation error ~ h**2 * (4th derivative) wins at large h, rounding
        # ~ eps * f' / h at small h; a correct second derivative agrees with one of them.
        # Near 0, where higher derivatives can be huge (sqrt at x = 6e-5), a step relative
        # to x as well.
        steps = (1e-5, 1e-6, *((1e-4 * abs(xs[i]),) if 1e-8 < abs(xs[i]) < 0.1 else ()))
        estimates = []
        for h in steps:
            up = list(xs)
            down = list(xs)
            up[i] += h
            down[i] -= h
            estimates.append((first(*up) - first(*down)) / (2 * h))
        # Richardson's extrapolation of the first two (their error is ~ h**2): near a pole
        # (tan of tan at x = 1.044: d2f/dx2 = 9.49e9) both steps are too coarse alone
        estimates.append(_richardson(estimates[0], steps[0], estimates[1], steps[1]))
        if not any(abs(second - n) <= 1e-4 + 1e-3 * abs(n) for n in estimates):
            raise _fail("second derivative", e, xs, f"d2/dx{i}2: create_graph {second!r}, "
                        f"central differences (h = {steps}, then extrapolated) {estimates!r}")
        # forward over reverse: the same number by another exact route
        direction = [float(j == i) for j in range(len(xs))]
        _, row = func.jvp(func.grad(e, every), xs, direction)
        if not abs(row[i] - second) <= 1e-6 * max(1.0, abs(second)):
            raise _fail("forward over reverse", e, xs, f"d2/dx{i}2: jvp of grad {row[i]!r}, "
                        f"create_graph {second!r}")
        # func.hessian on numbers (reverse over reverse, its fast path): its column i
        # against the forward-over-reverse row, every entry (H is symmetric)
        for j, hji in enumerate(row):
            if not abs(hessian[j][i] - hji) <= 1e-6 * max(1.0, abs(hji)):
                raise _fail("func.hessian", e, xs, f"d2/dx{j}dx{i}: hessian "
                            f"{hessian[j][i]!r}, jvp of grad {hji!r}")
        # grad of grad: the outer on numbers (its fast path), the inner on Values
        nested_grad = func.grad(lambda t, i=i: func.grad(e, i)(*xs[:i], t, *xs[i + 1:]))(xs[i])
        if not abs(nested_grad - second) <= 1e-6 * max(1.0, abs(second)):
            raise _fail("grad of grad", e, xs, f"d2/dx{i}2: grad of grad {nested_grad!r}, "
                        f"create_graph {second!r}")
        # jvp of grad of one argument, and the jacobian of grad (outer on numbers): its row i
        nested_jvp = func.jvp(lambda t, i=i: func.grad(e, i)(*xs[:i], t, *xs[i + 1:]),
                              (xs[i],), (1.0,))[1]
        if not abs(nested_jvp - second) <= 1e-6 * max(1.0, abs(second)):
            raise _fail("jvp of grad", e, xs, f"d2/dx{i}2: jvp of grad {nested_jvp!r}, "
                        f"create_graph {second!r}")
        if not all(abs(a - b) <= 1e-6 * max(1.0, abs(b))
                   for a, b in zip(jacobian_of_grad[i], hessian[i])):
            raise _fail("jacobian of grad", e, xs, f"row {i}: {jacobian_of_grad[i]!r}, "
                        f"hessian {hessian[i]!r}")
        # forward over forward: the top-level jvp nested in itself, d/dt [d/du f(t + u)] at
        # u = 0, the outer t captured by the inner function -- Siskind and Pearlmutter's
        # perturbation confusion if both calls perturbed the same level
        nested = jvp(lambda t, i=i: jvp(lambda u: e(*xs[:i], t + u, *xs[i + 1:]), [0.0],
                                        [1.0])[1], [xs[i]], [1.0])[1]
        if not abs(nested - second) <= 1e-6 * max(1.0, abs(second)):
            raise _fail("forward over forward", e, xs, f"d2/dx{i}2: nested jvp {nested!r}, "
                        f"create_graph {second!r}")
    stats.modes["second derivative"] += 1
    stats.modes["forward over reverse"] += 1
    stats.modes["forward over forward"] += 1
    stats.modes["func.hessian"] += 1
    stats.modes["compiled_transform(func.hessian)"] += 1
    stats.modes["grad of grad"] += 1


def cases(max_ops: int, n_inputs: int = 3, primitives: Sequence[OpCase] = OP_CASES
          ) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """An expression of up to ``max_ops`` primitives and inputs in [-1.5, 1.5]."""
    return st.tuples(expressions(n_inputs, max_ops, primitives),
                     st.lists(safe_floats(-1.5, 1.5), min_size=n_inputs, max_size=n_inputs))


@st.composite
def wild_cases(draw: st.DrawFn, max_ops: int, n_inputs: int = 3,
               primitives: Sequence[OpCase] = OP_CASES) -> tuple[Expression, list[float]]:
    """Unguarded expressions at edge inputs (0, +-1, up to +-30): domain errors, overflows and
    infinite derivatives (sqrt at 0) on purpose."""
    steps: list[tuple[str | int | float, ...]] = []
    for k in range(draw(st.integers(1, max_ops))):
        p = pick(primitives, draw(DRAWS) + k.to_bytes(4, "little"))  # as expressions()
        args: list[str | int | float] = [
            draw(st.integers(0, n_inputs + k - 1)) if isinstance(a, Domain) else a
            for a in p.args]
        if p.params:
            args += param_args(draw(st.sampled_from(p.params)))
        steps.append((p.op, *args))
    read = {a for step in steps for a in step[1:] if type(a) is int}
    dangling = [r for r in range(n_inputs, n_inputs + len(steps)) if r not in read]
    if len(dangling) > 1:  # every step reaches the output, so a tape holds all of them
        steps.append(("add_n", *dangling))
    edge = st.sampled_from([0.0, 1.0, -1.0, 0.5, -0.5, 2.0])
    xs = draw(st.lists(st.one_of(edge, st.floats(-30.0, 30.0)), min_size=n_inputs,
                       max_size=n_inputs))
    return Expression(n_inputs, tuple(steps)), xs


TIERS = {"small": (cases, 8), "large": (cases, 500), "wild": (wild_cases, 30)}
"""Tier name -> (strategy, max_ops): guarded graphs of up to ~30 and ~1,200 nodes, and
unguarded ones at edge inputs."""


def campaign(examples: int, max_ops: int, seed_value: int = 0, *, stop_at_first: bool = False,
             n_inputs: int = 3, tier: str = "small",
             primitives: Sequence[OpCase] = OP_CASES) -> Stats:
    """Run ``examples`` hypothesis examples of ``tier`` (expressions over ``primitives``)
    with a fixed seed; collect the failures in the result's ``failures`` (or raise the first,
    with ``stop_at_first``).

    Examples:
        >>> from autograd_lite.testing import campaign
        >>> stats = campaign(20, max_ops=5, seed_value=0)
        >>> stats.examples, stats.failures
        (20, [])
    """
    stats = Stats()
    rng = random.Random(seed_value)
    strategy = TIERS[tier][0]

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy(max_ops, n_inputs, primitives))
    def run(case: tuple[Expression, list[float]]) -> None:
        e, xs = case
        try:
            check_modes(e, xs, stats, rng)
        except MismatchError as mismatch:
            if stop_at_first:
                raise
            stats.failures.append(str(mismatch))

    with _no_local_constants():
        run()
    return stats


@contextlib.contextmanager
def _no_local_constants() -> Iterator[None]:
    """Hypothesis (6.131 on) mixes into its draws the literals of the local modules loaded
    so far, so a seeded campaign drew other graphs and inputs depending on what the process
    had imported (another test file, another pytest-xdist worker's share): for its length,
    it draws from hypothesis's own constants only.  A no-op where hypothesis has none."""
    from hypothesis.internal.conjecture import providers

    local = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if local is None or cache is None or not hasattr(cache, "cache"):
        yield
        return
    none = type(local())()  # an empty pool of the same type
    cache.cache.clear()  # entries made with the local constants
    setattr(providers, "_get_local_constants", lambda: none)  # noqa: B010 (not typed)
    try:
        yield
    finally:
        setattr(providers, "_get_local_constants", local)  # noqa: B010
        cache.cache.clear()

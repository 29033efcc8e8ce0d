"""Compiled transforms: ``compiled_transform(func.grad(f))``, ``compiled_transform(
func.hessian(f))`` and ``compiled_transform(func.jacobian(f))`` replay the transform's float
path as straight-line Python, returning what the eager transform returns.

(``compiled(func.grad(f))`` is something else, kept as it was: the gradient of one argument
as a function returning one Value, compiled with *its* derivative -- ``(f', (f'',))``.)

On numbers each of these transforms records ``f`` (and, for the Hessian, the gradient's
graph ``g_i = df/dx_i`` with ``create_graph``) and takes one float reverse pass per *root*
-- ``f`` (grad), each output (jacobian), each ``g_i`` (hessian) -- entry ``[r][j]`` being
``d root_r / d x_j`` (:class:`~autograd_lite.core.func.Transformed`).  Compiled, that
recording is traced once on Values under the rules of :func:`~autograd_lite.compile.compiled`
(comparisons become guards, a number read while tracing raises
:class:`~autograd_lite.compile.TracedNumberError`, held Values are re-checked, parameters
read live), and written out as one function::

    v0, v1 = _x                   # the inputs
    v2 = v0 * v1                  # forward: f and (hessian) the gradient's graph
    _s = v2 + ...                 # any inf or nan makes this sum non-finite
    if not _ok(_s): _slow()
    g0_2 = 1.0                    # row 0: the reverse pass from root 0,
    g0_1 = g0_2 * v0              #   adjoint[parent] += adjoint[node] * d node / d parent
    ...
    _t = g0_0 + g0_1 + ...        # a nan anywhere makes this sum nan
    if _t != _t: _slow()
    return (0.0 + g0_0, 0.0 + g0_1)   # the eager transform's shape; 0.0 + as eager adds

**Numbers.**  The code runs the eager float path's operations in its order -- the same
walk over the same graph, the same float functions, each adjoint the sum of its terms
left to right -- so a replay gives the eager transform's numbers bit for bit.  An adjoint
whose terms are all numbers when the code is written (a second derivative that depends on
no input: a quadratic form's Hessian) is added up then, in the same order, and written as
its number.  Where they
could part, the replay hands the call to the eager transform itself (``_slow``): a
non-finite value in the forward code or an error there (eager raises its own), and a nan
in a result (``0 * inf`` where eager skips a term with a zero factor, as
:func:`~autograd_lite.core.reverse.chain_term`; the code multiplies plainly); a call whose
trace is refused is eager's too (the trace records a Hessian's gradient ``g_i`` as a node,
which eager leaves a combination: an overflowing ``g_i`` with finite rows).  The code
holds only what the rows depend on, as a tape holds only what its output depends on: where
eager fails on a computation no row uses (an unused ``exp`` that overflows; in a Hessian,
``cbrt'(r)`` infinite at ``r = 0`` behind ``rint``, whose derivative 0 discards it), the
replay gives the rows.  A gradient hook on a Value of the graph is refused (the code would
not run it).  Arguments outside ``argnums`` are replay inputs, Values in the trace where
eager computes with their numbers (so ``f`` is written with :mod:`autograd_lite.math`):
grad and jacobian are still bit for bit, but a Hessian's gradient graph multiplies by
them as Values where eager folds them into number coefficients, so such entries can differ
from eager's in the last bits (the same terms, grouped otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple, NoReturn, cast

from autograd_lite.compile.symbolic import Writer
from autograd_lite.compile.tape import (
    _SIMPLE,
    Backend,
    BranchChangedError,
    Column,
    Compiled,
    Guard,
    Reduce,
    Tape,
    _code_edges,
    _SlowPathError,
    _sum_lines,
    _terms,
)
from autograd_lite.compile.vector import UnsupportedGraphError, VectorGradient
from autograd_lite.core import arrays
from autograd_lite.core.errors import DomainError
from autograd_lite.core.func import Transformed, transformed
from autograd_lite.core.reverse import reverse_pass
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value, depending_on, topological_order

TransformBackend = Literal["python", "numpy"]
"""How a compiled transform replays: straight-line Python, or (a gradient) NumPy."""


class TransformTape(Tape):
    """A transform's float path compiled: ``tape(*numbers)`` gives what the eager transform
    gives on them (see the module docstring).  Made by :func:`compiled_transform`.

    ``roots``: Values (or numbers: rows of zeros) to take rows of; ``wrt``: the leaves of
    the columns, in order; ``many``: whether the result is a tuple of rows; ``single``:
    whether each row is one number (else a tuple); ``eager``: the eager transform, run
    instead where the code cannot vouch for eager's numbers; ``backend``: ``"numpy"`` runs
    a gradient's :class:`~autograd_lite.compile.vector.VectorGradient` first
    (:attr:`vector_source`), the Python code where it declines.
    """

    _who = "compiled_transform"

    def __init__(self, roots: Sequence[Value | float], inputs: Sequence[Value],
                 guards: Sequence[Guard], wrt: Sequence[Value], *, many: bool, single: bool,
                 eager: Callable[..., Any], backend: TransformBackend = "python") -> None:
        self.roots = tuple(roots)
        self.columns = tuple(wrt)
        self._many = many
        self._single = single
        self._eager = eager
        self.backend = backend
        made_by = transformed(eager)
        self._input = f"{made_by.kind} input" if made_by else "tape input"  # as eager says
        self._start([r for r in self.roots if isinstance(r, Value) and r.requires_grad],
                    inputs, guards, wrt)

    def _order(self) -> list[Value]:
        """:meth:`Tape._order`, and each root's own topological order, which its row walks
        as eager's does (sorted while the graph is fresh: code is written again from them
        when a held Value changed)."""
        self._row_orders = {root: topological_order(root) for root in self._roots}
        return super()._order()

    def _build(self) -> None:
        """Write :attr:`source` and :attr:`key`: the forward code of every root's graph,
        then one reverse pass per root (adjoints ``g<row>_<register>``), then the rows."""
        self._writer = Writer(code=True)
        self._loop = []  # written by _forward_lines for the batch loop: unused here
        ref, register = self._registers(self._graph)
        lines: list[str] = []
        if self.inputs:
            lines.append(f"{', '.join(f'v{i}' for i in range(len(self.inputs)))}, = _x")
        if self.live:
            lines.append(f"{', '.join(str(ref[p]) for p in self.live)}, = _p")
        lines += [code for code, _ in self._forward_lines(self._graph, ref, register)]
        lines += _sum_lines("_s", [f"v{s.index}" for s in self._steps])
        if self._steps:
            lines.append("if not _ok(_s): _slow()")
        needs = depending_on(self._graph, self.columns)
        edges = _code_edges(needs, ref)
        rows: list[list[str]] = []
        for r, root in enumerate(self.roots):
            if not (isinstance(root, Value) and root.requires_grad and root in needs):
                rows.append(["0.0"] * len(self.columns))
                continue

            def assign(node: Value, terms: str | list[str], r: int = r) -> str:
                every = terms if isinstance(terms, list) else [terms]
                folded = _folded(every)
                if folded is not None:  # every term a number: the sum is one
                    return folded
                target = f"g{r}_{register[node]}"
                lines.extend(_sum_lines(target, every))
                return target

            adjoint = reverse_pass(self._row_orders[root], root, "1.0", edges=edges,
                                   times=_product, plus=_terms, visit=assign)
            rows.append([adjoint.get(x, "0.0") for x in self.columns])
        computed = [entry for row in rows for entry in row if _number(entry) is None]
        lines += _sum_lines("_t", computed)
        if computed:
            lines.append("if _t != _t: _slow()")
        shown = [[entry if entry == "0.0" else _folded(["0.0", entry]) or f"0.0 + {entry}"
                  for entry in row] for row in rows]
        row_texts = [row[0] if self._single else _row_text(row) for row in shown]
        if any(text.startswith("_z") or " + _z" in text for text in row_texts):
            lines.append(f"_z = ({'0.0, ' * len(self.columns)})")  # one constant
        if not self._many:
            lines.append(f"return {row_texts[0]}")
        else:  # a tuple of rows, () for a function of no outputs
            lines.append(f"return ({''.join(f'{text}, ' for text in row_texts)})")
        header = "def replay(_x, _p):"
        functions = [id(op) for op in self._writer.functions]  # which primitive each _p is
        self.source = "\n".join([header, *(f"    {line}" for line in lines)])
        self.key = f"{self.source}\n# {functions}"
        self._vector = self._vector_gradient() if self.backend == "numpy" else None

    def __call__(self, *inputs: object) -> Any:
        """The transform at these numbers, as the eager transform gives it: a float, a
        tuple, or a tuple of rows."""
        self._start_replay(inputs)
        xs = inputs if set(map(type, inputs)) <= {float} else tuple(
            to_float(x, self._input) for x in inputs)  # floats as they are: nan, inf: _slow
        live = self._live_numbers()
        if self._vector is not None:
            result = self._vector(cast(tuple[float, ...], xs), live)
            if result is not None:
                return result[0] if self._single else tuple(result)
        try:
            return self._function("float")(xs, live)
        except (DomainError, _SlowPathError):  # eager decides: its numbers, or its error
            return self._eager(*xs)

    @property
    def vector_source(self) -> str | None:
        """The NumPy program ``backend="numpy"`` runs (:mod:`autograd_lite.compile.vector`),
        or None where the Python replay runs alone: the Python backend, a graph with a guard,
        a user's primitive or one of :data:`~autograd_lite.compile.vector.BRANCHING`, a
        gradient of zeros."""
        return None if self._vector is None else self._vector.source

    def _vector_gradient(self) -> VectorGradient | None:
        """The gradient as NumPy operations on groups of like nodes, or None where the
        Python replay runs alone: a graph it does not take (a guard, a user's or a branching
        primitive), a root that is a number or depends on no column (the replay's zeros)."""
        root = self.roots[0]
        if not (isinstance(root, Value) and root in depending_on(self._graph, self.columns)):
            return None
        try:
            return VectorGradient(root, self._graph, self.inputs, self.live, self.columns,
                                  self.guards)
        except UnsupportedGraphError:
            return None

    def batch(self, *columns: Column, reduce: Reduce = "mean",
              backend: Backend = "auto") -> NoReturn:
        """Not for transforms: call the tape once per point."""
        raise TypeError("compiled transforms replay one point at a time: call them per point")


class _Recording(NamedTuple):
    """What tracing a transform records: its roots and the leaves of its columns."""

    roots: list[Any]
    wrt: list[Value]
    many: bool
    single: bool


def compiled_transform(transform: Callable[..., Any], *,
                       backend: TransformBackend = "python") -> CompiledTransform:
    """Compile a transform -- ``func.grad(f, argnums)``, ``func.hessian(f, argnums)`` or
    ``func.jacobian(f, argnums)`` (``jacrev``) -- to straight-line Python on first call.

    The result is called as the transform is, on numbers, and returns what it returns (a
    float, a tuple, a tuple of rows: ``H[i][j] = d2f / dx_i dx_j``), the same numbers bit
    for bit; arguments outside ``argnums`` are inputs of every replay too.  Tracing follows
    :func:`~autograd_lite.compile.compiled`'s rules: a comparison of Values becomes a guard
    (another branch: traced again), a number read while tracing raises
    :class:`~autograd_lite.compile.TracedNumberError`, captured Values are read live or
    re-checked.

    ``backend="numpy"`` (a gradient only; needs NumPy) computes like nodes together, one
    array operation per group (:mod:`autograd_lite.compile.vector`): far faster on wide
    graphs (``x^T A x`` at n = 200), eager's numbers up to rounding (BLAS's order of
    additions, NumPy's ``exp``...: a few ulps of the sum of an entry's terms' magnitudes
    where ``f`` is well conditioned).  A graph with a kink, a step, a jump or a domain's
    edge (``relu``, ``abs``, ``floor``, ``sqrt``, ``log``...), a guard or a user's
    primitive, and a call meeting anything unusual, get the Python replay instead: bit for
    bit.

    Examples:
        >>> from autograd_lite import compiled_transform, func
        >>> h = compiled_transform(func.hessian(lambda x, y: x * x * y + y ** 3, (0, 1)))
        >>> h(1.0, 2.0)                              # ((2y, 2x), (2x, 6y))
        ((4.0, 2.0), (2.0, 12.0))
        >>> compiled_transform(func.grad(lambda x, y: x * y, (0, 1)))(2.0, 3.0)
        (3.0, 2.0)
    """
    made_by = transformed(transform) if callable(transform) else None
    if made_by is None:
        raise TypeError("compiled_transform: expected a function made by func.grad, "
                        f"func.hessian or func.jacobian (without has_aux), got {transform!r} "
                        "(compile a function returning one Value with compiled)")
    if backend not in ("python", "numpy"):
        raise ValueError(f"compiled_transform: backend must be 'python' or 'numpy', got "
                         f"{backend!r}")
    if backend == "numpy":
        if made_by.kind != "grad":
            raise ValueError(f"compiled_transform: backend='numpy' compiles func.grad only, "
                             f"got func.{made_by.kind} (use the default backend='python')")
        if not arrays.numpy_installed():
            raise ImportError("compiled_transform(backend='numpy') needs NumPy: "
                              'pip install "autograd-lite[batch]"')
    return CompiledTransform(transform, made_by, backend)


class CompiledTransform(Compiled):
    """A transform traced to a :class:`TransformTape` on first call, one tape per path as
    for :class:`~autograd_lite.compile.Compiled` (see :func:`compiled_transform`).  A call
    returns what the eager transform returns, as floats.

    Examples:
        >>> from autograd_lite import compiled_transform, func
        >>> g = compiled_transform(func.grad(lambda x: x ** 3))
        >>> g(2.0), g.transform.kind                 # 3 x^2
        (12.0, 'grad')
    """

    def __init__(self, function: Callable[..., Any], transform: Transformed,
                 backend: TransformBackend = "python") -> None:
        name = getattr(transform.f, "__name__", type(transform.f).__name__)
        super().__init__(function, None,
                         name=f"compiled_transform(func.{transform.kind}({name}))")
        self.transform = transform
        self.backend = backend

    def __call__(self, *inputs: object, **keywords: object) -> Any:
        """The transform at these numbers (a float, a tuple, or a tuple of rows).  Another
        number of arguments (``f`` taking ``*x``) is another path: traced again."""
        if keywords:
            raise TypeError(f"{self.name}: keyword arguments are not compiled (got "
                            f"{', '.join(map(repr, keywords))}): bind them into f first, "
                            "e.g. func.grad(functools.partial(f, name=value))")

        def run(tape: Tape) -> Any:
            if len(tape.inputs) != len(inputs):
                raise BranchChangedError(f"{self.name}: traced for {len(tape.inputs)} "
                                         f"arguments, called with {len(inputs)}")
            return tape(*inputs)

        try:
            return self._on_path(run, lambda: self.trace(*inputs))
        except _TraceRefusedError:  # as at a replay, eager decides: its numbers or its error
            pass
        return self.f(*inputs)

    def batch(self, *columns: Column, reduce: Reduce = "mean",
              backend: Backend = "auto") -> NoReturn:
        """Not for transforms: call the compiled transform once per point."""
        raise TypeError(f"{self.name}: compiled transforms replay one point at a time: "
                        "call them per point")

    def _record(self, leaves: list[Value]) -> _Recording:
        positions, single = self.transform.positions(len(leaves))
        columns = [leaves[i] for i in positions]
        out = self.transform.recorded(leaves)
        try:
            roots, many = self.transform.roots(out, leaves, columns, single)
        except DomainError as error:  # a Hessian's gradient recorded as nodes refused (an
            raise _TraceRefusedError from error  # inf) where eager may record none
        return _Recording(roots, columns, many, single)

    def _tape(self, out: Any, leaves: list[Value], guards: list[Guard],
              wrt: list[Value]) -> Tape:
        recording = cast(_Recording, out)
        for root in recording.roots:
            if not isinstance(root, Value):
                to_float(root, f"{self.name}: the function's result")
        return TransformTape(recording.roots, leaves, guards, recording.wrt,
                             many=recording.many, single=recording.single, eager=self.f,
                             backend=self.backend)

    def _eager_numbers(self, tape: Tape, xs: list[float]) -> list[float]:
        return _flat(self.f(*xs))

    def _replayed_numbers(self, tape: Tape, xs: list[float]) -> list[float]:
        return _flat(tape._function("float")(tuple(xs), tape._live_numbers()))


class _TraceRefusedError(Exception):
    """A trace could not record the rows' roots: the eager transform gives the call's result
    or error."""


_ZERO_RUN = 8
"""Zeros at the start or the end of a row from this many on are a slice of one tuple of
zeros (``_z``) rather than one constant each: a sparse Hessian's rows are mostly zeros."""


def _row_text(entries: list[str]) -> str:
    """A row as a tuple expression: ``_z[:a] + (e_a, ..., e_b,) + _z[:m]`` for runs of
    zeros of at least :data:`_ZERO_RUN` at either end, else ``(e_0, ..., e_n,)``."""
    n = len(entries)
    nonzero = [j for j, entry in enumerate(entries) if entry != "0.0"]
    if not nonzero:
        return "_z" if n >= _ZERO_RUN else f"({'0.0, ' * n})"
    first, last = nonzero[0], nonzero[-1]
    start = first if first >= _ZERO_RUN else 0
    end = last + 1 if n - 1 - last >= _ZERO_RUN else n
    parts = [f"_z[:{start}]"] if start else []
    parts.append(f"({', '.join(entries[start:end])},)")
    parts += [f"_z[:{n - end}]"] if end < n else []
    return " + ".join(parts)


_LITERAL = re.compile(r"-?[0-9]+(\.[0-9]*(e[-+]?[0-9]+)?|e[-+]?[0-9]+)")
"""A finite float as ``repr`` writes it."""


def _number(text: str) -> float | None:
    """The number ``text`` is, if it is one (known when the code is written), else None."""
    bare = text[1:-1] if text.startswith("(") and text.endswith(")") else text
    return float(bare) if _LITERAL.fullmatch(bare) else None


def _folded(terms: Sequence[str]) -> str | None:
    """``t1 + t2 + ...``, added left to right as the code would, when every term is a
    number and so is the sum (finite): the number, written once rather than computed at
    every call (a quadratic form's Hessian is numbers); else None."""
    numbers = [x for x in map(_number, terms) if x is not None]
    if len(numbers) < len(terms):
        return None
    total = numbers[0]
    for x in numbers[1:]:
        total = total + x
    return repr(total) if total - total == 0.0 else None


def _product(g: str, d: str) -> str:
    """``g * d`` as source, without multiplying by 1: a plain product even where ``d`` may
    be infinite (where eager skips a term with a zero factor, 0 * inf makes a nan, which
    sends the call to the eager transform); the number itself when both are numbers and it
    is finite."""
    if d == "1.0":
        return g
    a, b = _number(g), _number(d)
    if a is not None and b is not None and (product := a * b) - product == 0.0:
        return repr(product)
    if d == "-1.0":
        return f"-{g}"
    return f"{g} * {d}" if _SIMPLE.fullmatch(d) else f"{g} * ({d})"


def _flat(result: Any) -> list[float]:
    """A transform's result (a float, a tuple, a tuple of tuples) as one list of floats."""
    if isinstance(result, tuple):
        return [x for item in result for x in _flat(item)]
    return [result]

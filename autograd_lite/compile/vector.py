"""A gradient at one point with like nodes computed together: ``compiled_transform(func.grad(f),
backend="numpy")``.

The straight-line Python of :class:`~autograd_lite.compile.transforms.TransformTape` runs
one line per node: 2,000 lines for a Rosenbrock function of 200 inputs, 40,000
multiplications for a dense quadratic form.  Here the nodes of the graph are *units*, each
ONE NumPy operation over one array:

* a **map**: like nodes at the same depth (same primitive, same parameters) -- the 199
  ``u * u`` of a Rosenbrock function -- its arguments gathered by position from the array of
  every value;
* a **dot**: like ``dot`` nodes at the same depth, a matrix times a vector where every row
  reads the same inputs (``A x``);
* a **sum**: a chain ``((t1 + t2) + t3) + ...`` of ``add`` nodes, each read only by the next:
  ``numpy.cumsum`` over its terms, the same additions in the same order.

The reverse pass is the chain rule on units: ``A`` holds every adjoint, a unit's adjoint is
its slice, times each argument's local derivative (the rule table's ``partials`` on
arrays) and added back into ``A`` where the argument came from.

**Numbers.**  The same operations as eager's, on the same values up to rounding: arithmetic
is IEEE's in both, but NumPy's ``exp``, ``sin``, ``x ** c``... may differ from
:mod:`math`'s in the last bit or few, a ``dot`` of many terms adds in the order BLAS
chooses, and an input's adjoint adds its terms unit by unit rather than node by node.  So an
entry differs from eager's as two correct floating-point evaluations of one formula differ:
by a few ulps of the sum of its terms' magnitudes where ``f`` is well conditioned, by more
where ``f`` magnifies rounding (``sin(1e9 x^3)`` at x = 591, whose argument has no correct
digit left, gives another number in each).  What would turn a last-bit difference into
another answer is not taken: a graph with a primitive whose value or derivative jumps or
whose domain ends (:data:`BRANCHING`: ``relu``, ``abs``, ``floor``, ``maximum``, ``sqrt``,
``log``...), with a guard, or with a user's primitive replays in Python.  Anything
unusual at a call -- a value or an adjoint that is not finite or above 1e150 (where another
order of additions could overflow where eager's does not, or the reverse), an error --
makes :meth:`VectorGradient.__call__` return ``None``: the tape's own Python replay, bit for
bit eager's, decides.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from autograd_lite.compile.grouped import same_argument
from autograd_lite.compile.symbolic import Sym, Writer, forward_text, grad_texts
from autograd_lite.compile.tape import GeneratedCode, Guard
from autograd_lite.core import arrays, rules
from autograd_lite.core.errors import DomainError
from autograd_lite.core.value import Value, arguments

BRANCHING = frozenset({
    "relu", "leaky_relu", "fabs", "minimum", "maximum", "clamp", "hypot",  # kinks
    "sign", "relu_slope", "clamp_slope", "compare", "floor", "ceil", "trunc", "rint",  # steps
    "copysign", "fmod", "remainder", "atan2",  # jumps: a sign, a multiple, a branch cut
    "pow", "pow_slope",  # at base 0, d/dx x ** y is 1 for y = 1 and 0 for y > 1
    "sqrt", "log", "log2", "log10", "log1p", "asin", "acos", "acosh", "atanh", "gamma",
    "lgamma", "polygamma"})  # domain edges: a number on one side, eager's DomainError on the other
"""The built-ins whose value or derivative jumps, or whose domain ends: an argument one ulp
from eager's -- NumPy's ``exp`` or a matrix product rounds otherwise -- can land on the
other side, an O(1) difference (or a number where eager raises) nobody would see.  A graph
with one replays in Python -- but ``2.0 ** x``, a constant positive base -- and so does
``x ** c`` with an exponent that is not a whole number (its domain ends at 0:
:func:`_branching`).  (Every other built-in is smooth and defined on
all reals, poles aside: ``tests/compile/test_vector_gradient.py`` lists them, so a new
built-in must be put on one side or the other.)"""

Index = Any
"""Where a unit reads an argument in the array of values ``V``: a slice, one slot (an int,
every row reading it), or an array of slots."""


class _Unit:
    """Nodes computed by one NumPy operation: their values go to ``V[out]``.  Its forward
    line is written first, and keeps what it read (symbols) for its backward lines."""

    out: slice

    def forward(self, program: VectorGradient, name: str) -> str:
        """The expression of the unit's values (its reads written by ``program``)."""
        raise NotImplementedError

    def backward(self, program: VectorGradient, name: str, g: str) -> None:
        """Write how the adjoint ``g`` (the unit's slice of ``A``) flows to its arguments."""
        raise NotImplementedError


class _Map(_Unit):
    """Like nodes: ``op`` applied row by row to arguments gathered by position; a position
    every row reads the same number in is that number."""

    def __init__(self, op: rules.Primitive, positions: list[Index | float],
                 params: tuple[float, ...]) -> None:
        self.op, self.positions, self.params = op, positions, params

    def forward(self, program: VectorGradient, name: str) -> str:
        self._args = [p if type(p) is float else program.read(p, f"{name}_{i}")
                      for i, p in enumerate(self.positions)]
        return forward_text(self.op, program.writer, [*self._args, *self.params])

    def backward(self, program: VectorGradient, name: str, g: str) -> None:
        out = program.writer.sym(name)
        local = grad_texts(self.op, out, [*self._args, *self.params])
        for where, d in zip(self.positions, local):
            if type(where) is not float and d != "0.0":
                program.add_into(where, _product(g, d))


class _Dot(_Unit):
    """Like ``dot`` nodes, ``w . x`` per row: each half is a matrix (a row per node) or a
    vector every row reads, of numbers (a constant) or gathered from ``V``."""

    def __init__(self, halves: list[tuple[Any, bool]], rows: int) -> None:
        self.halves, self.rows = halves, rows

    def forward(self, program: VectorGradient, name: str) -> str:
        self._texts = [program.constant(where) if constant else program.read(where,
                                                                             f"{name}_{h}")
                       for h, (where, constant) in enumerate(self.halves)]
        self._ndims = [_ndim(where) for where, _ in self.halves]
        (w, x), (nw, nx) = self._texts, self._ndims
        if nx == 1:
            return f"{w} @ {x}"
        if nw == 1:
            return f"{x} @ {w}"
        return f"_einsum('ij,ij->i', {w}, {x})"

    def backward(self, program: VectorGradient, name: str, g: str) -> None:
        for h in (0, 1):
            where, constant = self.halves[h]
            if constant:
                continue
            other, mine_1d, other_1d = self._texts[1 - h], self._ndims[h] == 1, \
                self._ndims[1 - h] == 1
            if mine_1d:  # one vector read by every row: its terms summed over the rows
                total = f"{g}[0]" if self.rows == 1 else f"_sum({g})"
                term = f"{total} * {other}" if other_1d else f"{g} @ {other}"
            else:
                term = f"_outer({g}, {other})" if other_1d else f"{g}[:, None] * {other}"
            program.add_into(where, term)


class _Sum(_Unit):
    """Chains of ``add`` nodes: row ``i`` is ``((t_i1 + t_i2) + t_i3) + ...``, its terms
    gathered and added by ``cumsum`` in that order; each term's adjoint is the chain's."""

    def __init__(self, terms: Any) -> None:
        self.terms = terms

    def forward(self, program: VectorGradient, name: str) -> str:
        terms = program.read(self.terms, f"{name}_t")
        if self.terms.shape[0] == 1:
            return f"_cumsum({terms}[0])[-1]"
        return f"_cumsum({terms}, 1)[:, -1]"

    def backward(self, program: VectorGradient, name: str, g: str) -> None:
        program.add_into(self.terms, g if self.terms.shape[0] == 1 else f"{g}[:, None]")


class UnsupportedGraphError(Exception):
    """A graph this program does not take (a user's primitive, a branching one, a guard):
    replayed in Python."""


class VectorGradient:
    """``d root / d column`` for each column, at the inputs and live numbers of a call, the
    graph's like nodes as one NumPy operation each (see the module docstring).

    ``order``: the graph in topological order; ``inputs`` and ``live``: the leaves read at
    every call (the tape's ``_x`` and ``_p``); every other leaf is its number.  Call it with
    the tape's ``(xs, ps)``: the gradient as floats, or ``None`` where the Python replay must
    decide.  Raises :class:`UnsupportedGraphError` for a graph with a user's primitive (its
    rule is checked on floats, one call at a time), with a primitive of :data:`BRANCHING` or
    with guards (a branch decided on values that may differ from eager's in their last bits
    would be a silent choice).
    """

    def __init__(self, root: Value, order: Sequence[Value], inputs: Sequence[Value],
                 live: Sequence[Value], columns: Sequence[Value],
                 guards: Sequence[Guard]) -> None:
        if guards:
            raise UnsupportedGraphError(f"{len(guards)} guards")
        ops = {node: node.op for node in order if node.op is not None}  # computed nodes
        for node, op in ops.items():
            if not op.builtin or _branching(node, op):
                raise UnsupportedGraphError(op.name)
        np = _np()
        # the array of values V: inputs, live numbers, held numbers, the units' nodes, then
        # the numbers a unit gathers along with Values (a sum's 0.0, a mixed column)
        self._slot: dict[Value, int] = {}
        for leaf in (*inputs, *live):
            self._slot[leaf] = len(self._slot)
        self._inputs, self._live = len(inputs), len(live)
        held = [leaf for leaf in order if leaf.op is None and leaf not in self._slot]
        for leaf in held:
            self._slot[leaf] = len(self._slot)
        groups = _groups(ops, root)
        self._size = len(self._slot)
        self._numbers: dict[str, int] = {}
        self._number_start = self._size + sum(len(rows) for _, _, rows in groups)
        self._units = [self._unit(kind, op, rows) for kind, op, rows in groups]
        self._size = self._number_start + len(self._numbers)
        self._template = np.zeros(self._size)
        start = self._inputs + self._live
        self._template[start:start + len(held)] = [leaf.data for leaf in held]
        self._template[self._number_start:] = [float(x) for x in self._numbers]
        self._seed = np.zeros(self._size)
        self._seed[self._slot[root]] = 1.0
        self._columns = _index([self._slot[x] for x in columns])
        self._define()

    def _unit(self, kind: str, op: rules.Primitive,
              rows: list[tuple[Value, list[Value | float]]]) -> _Unit:
        """One unit computing these rows (nodes of ``op`` with their arguments); their
        slots placed."""
        np = _np()
        columns = [list(column) for column in zip(*(args for _, args in rows))]
        unit: _Unit
        if kind == "sum":
            terms = np.array([self._slots(column) for column in columns], dtype=np.intp).T
            unit = _Sum(terms)
        elif kind == "dot":
            m = len(columns) // 2
            unit = _Dot([self._half(columns[:m]), self._half(columns[m:])], len(rows))
        else:
            n = len(columns) - op.params
            positions = [self._position(column) for column in columns[:n]]
            params = tuple(float(p) for p in rows[0][1][n:])
            unit = _Map(op, positions, params)
        unit.out = slice(self._size, self._size + len(rows))
        for node, _ in rows:
            self._slot[node] = self._size
            self._size += 1
        return unit

    def _slots(self, column: Sequence[Value | float]) -> list[int]:
        """Where each entry of ``column`` is in ``V``: a Value's slot, or its number's."""
        return [self._slot[a] if isinstance(a, Value) else self._number(a) for a in column]

    def _number(self, x: float) -> int:
        key = repr(float(x))
        if key not in self._numbers:
            self._numbers[key] = self._number_start + len(self._numbers)
        return self._numbers[key]

    def _position(self, column: Sequence[Value | float]) -> Index | float:
        """An argument position of a map: a number every row reads, or where to gather."""
        first = column[0]
        if not isinstance(first, Value) and all(same_argument(a, first) for a in column):
            return float(first)
        return _index(self._slots(column))

    def _half(self, columns: Sequence[Sequence[Value | float]]) -> tuple[Any, bool]:
        """Half of a dot's arguments, ``columns[j][i]`` the ``j``-th of row ``i``: numbers
        (``True``: a constant matrix, or vector) or where to gather them, one vector where
        every row reads the same."""
        np = _np()
        rows = [list(row) for row in zip(*columns)]
        if all(all(same_argument(a, b) for a, b in zip(row, rows[0])) for row in rows):
            if all(not isinstance(a, Value) for a in rows[0]):
                return np.array(rows[0], dtype=float), True
            where = _index(self._slots(rows[0]))
            return (np.array(self._slots(rows[0]), dtype=np.intp) if type(where) is int
                    else where), False
        if all(not isinstance(a, Value) for row in rows for a in row):
            return np.array(rows, dtype=float), True
        return np.array([self._slots(row) for row in rows], dtype=np.intp), False

    # -- code ----------------------------------------------------------------------------
    def _write(self) -> str:
        """The source of ``vector_gradient(_x, _p)``: forward, check, reverse pass, check."""
        lines = ["V = _template.copy()"]
        if self._inputs:
            lines.append(f"V[:{self._inputs}] = _x")
        if self._live:
            lines.append(f"V[{self._inputs}:{self._inputs + self._live}] = _p")
        self._lines = lines
        for k, unit in enumerate(self._units):
            name = f"o{k}"
            lines.append(f"{name} = {unit.forward(self, name)}")
            lines.append(f"V[{unit.out.start}:{unit.out.stop}] = {name}")
        lines += ["if not V @ V < 1e300: return None  # a value not finite, or above 1e150",
                  "A = _seed.copy()  # the root's adjoint 1, every other 0"]
        for k in reversed(range(len(self._units))):
            unit = self._units[k]
            lines.append(f"g{k} = A[{unit.out.start}:{unit.out.stop}]")
            unit.backward(self, f"o{k}", f"g{k}")
        lines += ["if not A @ A < 1e300: return None  # likewise an adjoint",
                  f"return (A[{self._where(self._columns)}] + 0.0).tolist()  # as eager: 0.0 + "
                  "the terms"]
        return "\n".join(["def vector_gradient(_x, _p):", *(f"    {line}" for line in lines)])

    def read(self, where: Index, name: str) -> Sym:
        """The values at ``where``: a slice of ``V`` as it is (a view), else gathered into
        the local ``name``."""
        if type(where) is slice:
            return self.writer.sym(f"V[{where.start}:{where.stop}]")
        self._lines.append(f"{name} = V[{self._where(where)}]")
        return self.writer.sym(name)

    def constant(self, array: Any) -> str:
        """The name of a constant array in the generated code's namespace."""
        name = f"_c{len(self._namespace)}"
        self._namespace[name] = array
        return name

    def add_into(self, where: Index, term: str) -> None:
        """Write ``A[where] += term``, every term counted where a slot repeats."""
        np = _np()
        if type(where) is slice or type(where) is int or len(np.unique(where)) == where.size:
            target = self._where(where)
            total = f"_sum({term})" if type(where) is int else term
            self._lines.append(f"A[{target}] += {total}")
            return
        flat = self.constant(where.ravel())
        self._lines.append(f"A += _bincount({flat}, _broadcast_to({term}, {where.shape})"
                           f".ravel(), {self._size})")

    def _where(self, where: Index) -> str:
        if type(where) is slice:
            return f"{where.start}:{where.stop}"
        if type(where) is int:
            return str(where)
        return self.constant(where)

    # -- running -------------------------------------------------------------------------
    def __call__(self, xs: tuple[float, ...], ps: tuple[float, ...]) -> list[float] | None:
        """The gradient at these inputs and live numbers, or ``None`` (the Python replay
        decides): on a value or adjoint that is not finite or above 1e150, or a primitive's
        DomainError (one without an array function runs its float function per element)."""
        try:
            with self._errstate(all="ignore"):
                result: list[float] | None = self._function(xs, ps)
        except DomainError:  # a primitive without an array function raised on an element
            return None
        return result

    def _define(self) -> None:
        np = _np()
        self.writer = Writer(code=True)
        self._namespace: dict[str, Any] = {}
        self.source = self._write()
        namespace = dict(self._namespace)
        namespace.update({f"_p{k}": arrays.array_function(op)
                          for k, op in enumerate(self.writer.functions)})
        namespace.update(_template=self._template, _seed=self._seed, _cumsum=np.cumsum,
                         _sum=np.add.reduce, _outer=np.outer, _einsum=np.einsum,
                         _bincount=np.bincount, _broadcast_to=np.broadcast_to)
        self._function = GeneratedCode(self.source).define("vector_gradient", namespace)
        self._errstate = np.errstate


def _groups(ops: dict[Value, rules.Primitive], root: Value
            ) -> list[tuple[str, rules.Primitive, list[tuple[Value, list[Value | float]]]]]:
    """The units of the computed nodes ``ops`` (each with its primitive, in topological
    order): a kind, a primitive and the rows (a node and its arguments), in order of depth.
    An ``add`` read only as the left term of the next (and not the root) is absorbed into
    that one's sum."""
    uses: dict[Value, int] = {}
    for node in ops:
        for a in arguments(node):
            if isinstance(a, Value):
                uses[a] = uses.get(a, 0) + 1
    absorbed = set()
    for node, op in ops.items():
        left = arguments(node)[0] if op is rules.add else None
        if isinstance(left, Value) and left.op is rules.add and uses[left] == 1 \
                and left is not root:
            absorbed.add(left)
    depth: dict[Value, int] = {}
    groups: dict[tuple[Any, ...], list[tuple[Value, list[Value | float]]]] = {}
    for node, op in ops.items():
        if node in absorbed:
            continue
        args = list(arguments(node))
        kind: tuple[Any, ...]
        if op is rules.add and args[0] in absorbed:
            terms = [args[1]]
            while isinstance(args[0], Value) and args[0] in absorbed:
                args = list(arguments(args[0]))
                terms.append(args[1])
            terms.append(args[0])
            args = terms[::-1]
            kind = ("sum", len(args))
        elif op is rules.dot:
            kind = ("dot", len(args))
        else:
            kind = ("map", len(args), tuple(map(repr, args[len(args) - op.params:])))
        depth[node] = 1 + max((depth.get(a, 0) for a in args if isinstance(a, Value)),
                              default=0)
        groups.setdefault((depth[node], op, *kind), []).append((node, args))
    return [(key[2], key[1], groups[key]) for key in sorted(groups, key=lambda k: k[0])]


def _branching(node: Value, op: rules.Primitive) -> bool:
    """Whether ``node`` applies a primitive of :data:`BRANCHING` -- but ``b ** y`` with a
    constant base b > 0 (``2.0 ** x``), smooth -- or a power ``x ** c`` (or its slope) whose
    constant exponent is not a whole number: defined for x >= 0 only."""
    args = arguments(node)
    if op.name == "pow":
        return not (isinstance(args[0], float) and args[0] > 0.0)
    if op.name in ("powc", "dpow"):
        return not (isinstance(args[-1], float) and args[-1].is_integer())
    return op.name in BRANCHING


def _index(slots: Sequence[int]) -> Index:
    """Slots as the cheapest index: a slice where they are consecutive, one slot where they
    are all the same (more than one: a position every row reads the same Value at, read
    once and broadcast; a dot's half wants its vector, :meth:`VectorGradient._half`), else
    an array."""
    np = _np()
    if not slots:
        return np.array(slots, dtype=np.intp)
    if len(slots) > 1 and all(k == slots[0] for k in slots):
        return slots[0]
    if all(b - a == 1 for a, b in itertools.pairwise(slots)):
        return slice(slots[0], slots[-1] + 1)
    return np.array(slots, dtype=np.intp)


def _ndim(where: Index) -> int:
    if type(where) is slice:
        return 1
    if type(where) is int:
        return 0
    return int(where.ndim)


def _product(g: str, d: str) -> str:
    """``g * d`` as source, without multiplying by 1."""
    if d == "1.0":
        return g
    if d == "-1.0":
        return f"-{g}"
    return f"{g} * ({d})"


def _np() -> Any:
    import numpy

    return numpy

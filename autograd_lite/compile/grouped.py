"""A tape's NumPy batch replay with like nodes computed together: one array operation per group.

:meth:`Tape.batch <autograd_lite.compile.tape.Tape.batch>` on NumPy runs the per-example
program with one array per node (one element per example): as many array operations as the
graph has nodes, each on a short array, so NumPy's cost per call dominates.  But a layer of
a network is many nodes doing the same thing -- sixteen ``dot`` nodes reading the same
inputs with other weights.  Here such nodes form a *group*: same primitive, same number of
arguments, same parameters (``relu_slope``'s 0, an exponent), same depth in the graph, and
each depending on the inputs.  A group is one 2-D array, a row per node and a column per
example, computed by ONE application of the primitive's rule to its arguments gathered by
position::

    _c4 = _col(v37, v40, v43)       # argument 0 of each node: a column of parameters
    G1 = _c4 * v0 + _c5 * v1 + _c6  # dot, for the whole group (its text, as on floats)
    G2 = _p0(G1)                    # relu: its array function, once

An argument position reads the same Value in every row (broadcast), a column of numbers and
parameters, the rows of an earlier group, or a stack of anything else.  The backward pass is
the chain rule on groups: ``g_G`` (an array like ``G``) times the rule's local derivative
gives one term per position, summed over the rows where every row reads the same parent,
over the examples for a column of parameters, or scattered back into the rows of another
group.  Forward and derivative text come only from the rule table, through
:class:`~autograd_lite.compile.symbolic.Writer` (as the tape's own code); the helpers below
only move arrays (gather, sum, scatter).

This is an accelerator, never a second semantics: products are plain (no ``_scaled``), and
anything unusual -- a non-finite value, an error, a guard that fails, a nan gradient --
makes :meth:`GroupedProgram.run` return ``None``, and the tape's own batch replay (one
array per node, then example by example) decides, as it did before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import getitem
from typing import Any

from autograd_lite.compile.symbolic import (
    Sym,
    Writer,
    forward_text,
    from_zero,
    grad_texts,
    literal,
)
from autograd_lite.core.errors import DomainError
from autograd_lite.core.reverse import reverse_pass
from autograd_lite.core.rules import Primitive
from autograd_lite.core.value import Value, arguments, depending_on

_CHUNK = 32
"""Terms per line of a generated sum (Python's compiler recurses on long ``a + b + ...``)."""


class _Unit:
    """A node computed alone (a scalar or an array over the examples) or a group of like
    nodes (a 2-D array, a row per node); ``positions[i]`` is the text or number its
    ``i``-th argument was computed from, ``kinds[i]`` how it was gathered."""

    def __init__(self, name: str, nodes: list[Value]) -> None:
        self.name = name
        self.nodes = nodes
        self.positions: list[Sym | float] = []
        self.kinds: list[str] = []
        self.indices: list[str] = []  # the index array of a "rows" position, else ""


class _LeaveError(Exception):
    """Leave the grouped replay: the tape's own batch replay decides."""


def _fail() -> None:
    raise _LeaveError


class GroupedProgram:
    """The batch replay of a tape's graph with like nodes grouped (see the module doc).

    ``order`` is the graph in topological order (guard operands included), ``inputs`` the
    replay's arguments (arrays), ``params`` the Values read at every replay (numbers):
    parameters, and held Values read live, which get no gradient; ``guards`` tuples
    ``(left, operator, right, result)``, ``wrt`` the inputs whose gradients are wanted.
    """

    def __init__(self, output: Value, order: Sequence[Value], inputs: Sequence[Value],
                 params: Sequence[Value], guards: Sequence[tuple[Value, str, Any, bool]],
                 wrt: frozenset[Value]) -> None:
        self._writer = Writer(code=True)
        self._lines: list[str] = []
        self._constants: dict[str, Any] = {}
        self._inputs = list(inputs)
        self._params = list(params)
        self._param_index = {p: k for k, p in enumerate(params)}
        self._ref: dict[Value, str] = {x: f"v{i}" for i, x in enumerate(inputs)}
        self._ref.update((p, f"v{len(inputs) + k}") for k, p in enumerate(params))
        self._unit_of: dict[Value, _Unit] = {}
        self._row_of: dict[Value, int] = {}
        self._fresh = 0  # numbers the generated temporaries (_a1, _t2, ...)
        # the parameters, then the constants that columns read, as one vector (_a0)
        self._vector_constants: dict[str, int] = {}
        self._units = self._forward(order)
        self._check(guards)
        # parameter gradients summed over the batch, and the parameter of each entry: one
        # number per parameter in _totals, a vector per column of parameters in _parts
        self._totals: list[str] = []
        self._total_routes: list[int] = []
        self._parts: list[str] = []
        self._routes: list[list[int]] = []
        grads_in = self._backward(output, order, wrt)
        n_in, n_p = len(inputs), len(params)
        header = ["def replay_groups(_x, _p, _n):",
                  *([f"    {_tuple([f'v{i}' for i in range(n_in)])} = _x"] if n_in else []),
                  *([f"    {_tuple([f'v{n_in + k}' for k in range(n_p)])} = _p"] if n_p else [])]
        if self._vector_constants or any(kind == "gathered" for unit in self._units
                                         for kind in unit.kinds):
            self._lines.insert(0, "_a0 = _vector(_p)")
        value = self._ref.get(output, literal(output.data))
        self._lines.append(f"return {value}, ({_tuple(grads_in)}), ({_tuple(self._parts)}), "
                           f"({_tuple(self._totals)})")
        self.source = "\n".join([*header, *(f"    {line}" for line in self._lines)])
        self.routes = [k for route in self._routes for k in route] + self._total_routes
        self._function: Any = None  # see bind
        self._route_array: Any = None

    # -- forward: units in order of depth, groups gathered by argument position ------------
    def _forward(self, order: Sequence[Value]) -> list[_Unit]:
        """Group the computed nodes, write each unit's forward line; the units in order."""
        varies = self._varies = set(self._inputs)
        depth: dict[Value, int] = {}
        fixed: list[Value] = []  # computed nodes no input reaches: scalars, computed first
        groups: dict[tuple[Any, ...], list[Value]] = {}
        for node in order:
            if node.op is None:
                continue
            parents = node.parents
            depth[node] = 1 + max((depth.get(p, 0) for p in parents), default=0)
            if not any(p in varies for p in parents):
                fixed.append(node)
                continue
            varies.add(node)
            args = arguments(node)
            trailing = tuple(repr(a) for a in args[len(args) - node.op.params:]) \
                if node.op.params else ()
            key = (depth[node], node.op, len(args), trailing)
            groups.setdefault(key, []).append(node)
        units: list[_Unit] = []
        for node in fixed:
            units.append(self._single(node))
        for key in sorted(groups, key=lambda k: k[0]):  # stable: first seen first
            nodes = groups[key]
            if len(nodes) > 1 and not _all_alike(nodes):
                units.append(self._group(nodes))
            else:
                units += [self._single(node) for node in nodes]
        return units

    def _name(self, node: Value) -> Sym | float:
        """What an argument is in the generated code: a register, a row, or a number."""
        text = self._ref.get(node)
        return node.data if text is None else Sym(text, self._writer, atomic=True)

    def _single(self, node: Value) -> _Unit:
        unit = _Unit(f"v{len(self._ref)}", [node])
        unit.positions = [self._name(a) if isinstance(a, Value) else a
                          for a in arguments(node)]
        unit.kinds = ["same"] * len(unit.positions)
        unit.indices = [""] * len(unit.positions)
        self._lines.append(f"{unit.name} = "
                           f"{forward_text(_op(node), self._writer, unit.positions)}")
        self._ref[node] = unit.name
        self._unit_of[node] = unit
        return unit

    def _name_fresh(self, prefix: str) -> str:
        self._fresh += 1
        return f"{prefix}{self._fresh}"

    def _group(self, nodes: list[Value]) -> _Unit:
        unit = _Unit(f"G{len(self._ref)}", nodes)
        rows = [arguments(node) for node in nodes]
        gathered: list[tuple[str, list[int]]] = []  # columns of parameters and constants
        for i in range(len(rows[0])):
            column = [row[i] for row in rows]
            kind, text, index = self._gather(column, gathered)
            unit.kinds.append(kind)
            unit.indices.append(index)
            unit.positions.append(text)
        if gathered:  # every such column from the vector _a0 at once, one index array
            index_name = f"_ix{len(self._constants)}"
            self._constants[index_name] = [[[k] for k in ks] for _, ks in gathered]
            self._lines.append(f"{_tuple([name for name, _ in gathered])} = "
                               f"_pick(_a0, {index_name})")
        self._lines.append(f"{unit.name} = "
                           f"{forward_text(_op(nodes[0]), self._writer, unit.positions)}")
        for j, node in enumerate(nodes):
            self._ref[node] = f"_row({unit.name}, {j})"
            self._unit_of[node] = unit
            self._row_of[node] = j
        return unit

    def _gather(self, column: list[Value | float], gathered: list[tuple[str, list[int]]]
                ) -> tuple[str, Sym | float, str]:
        """One argument position of a group: ``(kind, what the rule reads, index name)``.

        ``same``: one Value or number in every row; ``gathered``: a column of parameters
        and numbers, taken from the vector ``_a0`` (its name and indices appended to
        ``gathered``); ``scalars``: a column with computed scalars; ``rows``: rows of one
        earlier group, in its order (the group itself) or picked by an index array;
        ``stack``: anything else."""
        column = [self._constant(a) for a in column]
        first = column[0]
        if all(same_argument(a, first) for a in column):
            return "same", self._name(first) if isinstance(first, Value) else first, ""
        name = self._name_fresh("_a")
        if all(not isinstance(a, Value) or a in self._param_index for a in column):
            gathered.append((name, [self._vector_index(a) for a in column]))
            return "gathered", Sym(name, self._writer, atomic=True), ""
        texts = [self._text(a) for a in column]
        if not any(isinstance(a, Value) and a in self._varies for a in column):
            self._lines.append(f"{name} = _col({', '.join(texts)})")
            return "scalars", Sym(name, self._writer, atomic=True), ""
        units = {id(self._unit_of.get(a)) if isinstance(a, Value) else 0 for a in column}
        if len(units) == 1 and isinstance(first, Value) and first in self._row_of:
            group = self._unit_of[first]
            index = [self._row_of[a] for a in column if isinstance(a, Value)]
            if index == list(range(len(group.nodes))):
                return "rows", Sym(group.name, self._writer, atomic=True), ""
            rows = f"_ix{len(self._constants)}"
            self._constants[rows] = index
            self._lines.append(f"{name} = _pick({group.name}, {rows})")
            return "rows", Sym(name, self._writer, atomic=True), rows
        self._lines.append(f"{name} = _stack(_n, {', '.join(texts)})")
        return "stack", Sym(name, self._writer, atomic=True), ""

    def _vector_index(self, a: Value | float) -> int:
        """Where a parameter or a number is in the vector ``_a0``."""
        if isinstance(a, Value):
            return self._param_index[a]
        key = repr(a)
        k = self._vector_constants.get(key)
        if k is None:
            k = self._vector_constants[key] = len(self._params) + len(self._vector_constants)
        return k

    def _constant(self, a: Value | float) -> Value | float:
        """A constant leaf as its number (it is a literal in the code), else ``a``."""
        if isinstance(a, Value) and a.op is None and a not in self._ref:
            return a.data
        return a

    def _text(self, a: Value | float) -> str:
        if isinstance(a, Value):
            text = self._ref.get(a)
            return literal(a.data) if text is None else text
        return literal(a)

    def _check(self, guards: Sequence[tuple[Value, str, Any, bool]]) -> None:
        """Every computed value finite, every guard as traced: else leave (``_fail``)."""
        names = [u.name for u in self._units]
        for start in range(0, len(names), _CHUNK):
            self._lines.append(f"if not _finite({', '.join(names[start:start + _CHUNK])}): "
                               "_fail()")
        for left, operator, right, result in guards:
            operands = [v for v in (left, right) if isinstance(v, Value)]
            if all(v not in self._ref for v in operands):
                continue  # constants on both sides: nothing can change
            right_text = self._text(right) if isinstance(right, Value) else literal(right)
            self._lines.append(f"_guard({self._text(left)} {operator} {right_text}, {result})")

    # -- backward: the chain rule on units, by the one reverse pass -------------------------
    def _backward(self, output: Value, order: Sequence[Value],
                  wrt: frozenset[Value]) -> list[str]:
        """Write the reverse pass; return the text of each input's gradient (or None).

        :func:`~autograd_lite.core.reverse.reverse_pass` walks the units, and between them
        the keys where a unit's adjoint is split (:class:`_Position`: one argument position;
        :class:`_Row`: one row of a group): each adjoint is the list of its terms (texts),
        ``visit`` writes the line that sums them and gives its name, and ``edges`` say how a
        name becomes each parent's term.  A parameter's terms go straight to its sum over
        the batch; an input's are summed at the end."""
        self._needs = depending_on(order, [*wrt, *(p for p in self._params if p.requires_grad)])
        adjoint: dict[Any, Any] = {}
        if output in self._needs:
            walk: list[Any] = []
            for unit in self._units:  # a unit's positions before it, its rows after it
                walk += [_Position(unit, i) for i in reversed(range(len(unit.positions)))]
                walk.append(unit)
                if len(unit.nodes) > 1:
                    walk += [_Row(unit, j) for j in range(len(unit.nodes))]
            root = self._key(output)
            adjoint = reverse_pass(walk, root, self._terms_for(output)("1.0"),
                                   edges=self._edges, times=_written, plus=_extended,
                                   visit=self._visit)
        grads: list[str] = []
        for x in self._inputs:
            terms = adjoint.get(x)
            if x not in wrt:
                grads.append("None")
            elif not terms:
                grads.append("0.0")
            else:
                grads.append(from_zero(self._sum(f"g{self._ref[x]}", terms)))
        return grads

    def _key(self, node: Value) -> Any:
        """Where the adjoint of ``node`` is kept: its row of a group, its unit, or itself (an
        input or a parameter: not walked)."""
        if node in self._row_of:
            return _Row(self._unit_of[node], self._row_of[node])
        return self._unit_of.get(node, node)

    def _terms_for(self, node: Value, every_row: bool = False) -> Callable[[str], list[str]]:
        """How a contribution ``term`` to the adjoint of ``node`` is written: a parameter's
        goes to its batch sum at once (``_total``, leaving no term); ``every_row``: ``term``
        has a row per node of a group, every one of which read ``node``."""
        k = self._param_index.get(node)
        if k is not None:
            def total(term: str) -> list[str]:
                self._totals.append(f"_total({term}, _n)")  # over the rows too
                self._total_routes.append(k)
                return []
            return total
        if every_row:
            return lambda term: [f"_sum0({term})"]
        return lambda term: [term]

    def _visit(self, key: Any, terms: list[Any]) -> str:
        """The adjoint of ``key`` is complete: write what sums its terms; its name."""
        if isinstance(key, _Row):
            return self._sum(self._name_fresh("_r"), terms) if len(terms) > _CHUNK \
                else " + ".join(terms)
        if isinstance(key, _Position):
            (term,) = terms  # a position has one term: from its unit
            unit, i = key.unit, key.position
            if unit.kinds[i] in ("same", "rows"):
                return str(term)
            name = self._name_fresh("_t")  # gathered, scalars or a stack: row by row
            self._lines.append(f"{name} = {term}")
            column = self._column(unit, i)
            params = [self._param_index.get(a) if isinstance(a, Value) else None
                      for a in column]
            if any(k is not None for k in params):  # a parameter's rows at once
                self._parts.append(f"_sum1({name})")
                self._routes.append([len(self._params) if k is None else k for k in params])
            return name
        rows = sorted(t for t in terms if isinstance(t, tuple))
        full = [t for t in terms if isinstance(t, str)]
        if rows:
            placed = ", ".join(f"({j}, {text})" for j, text in rows)
            full = [f"_rows(_n, {len(key.nodes)}, {placed})", *full]
        return self._sum(f"g{key.name}", full)

    def _edges(self, key: Any) -> tuple[list[Any], list[Callable[[str], list[Any]]]]:
        """The keys ``key``'s adjoint flows to, and for each how its name becomes terms."""
        if isinstance(key, _Row):  # a row of a group: placed in the group's adjoint
            return [key.unit], [lambda g: [(key.row, g)]]
        if isinstance(key, _Position):
            return self._position_edges(key)
        out = Sym(key.name, self._writer, atomic=True)
        local = grad_texts(_op(key.nodes[0]), out, key.positions)
        targets: list[Any] = []
        makes: list[Callable[[str], list[Any]]] = []
        for i, d in enumerate(local):
            if any(isinstance(a, Value) and a in self._needs for a in self._column(key, i)):
                targets.append(_Position(key, i))
                makes.append(_times(d))
        return targets, makes

    def _position_edges(self, key: _Position) -> tuple[list[Any],
                                                        list[Callable[[str], list[Any]]]]:
        """One argument position: to the Value every row read, to the rows of a group, or
        row by row (``_row``) to each Value of the column that is not a parameter."""
        unit, i = key.unit, key.position
        column = self._column(unit, i)
        first, kind = column[0], unit.kinds[i]
        if kind == "same" and isinstance(first, Value):
            if first not in self._needs:
                return [], []
            return [self._key(first)], [self._terms_for(first, every_row=len(unit.nodes) > 1)]
        if kind == "rows" and isinstance(first, Value):
            group, index = self._unit_of[first], unit.indices[i]
            return [group], [lambda g: [f"_scatter({g}, {index}, {len(group.nodes)})"
                                        if index else g]]
        targets: list[Any] = []
        makes: list[Callable[[str], list[Any]]] = []
        for j, a in enumerate(column):
            if isinstance(a, Value) and a in self._needs and a not in self._param_index:
                targets.append(self._key(a))
                makes.append(_row_of(j, self._terms_for(a)))
        return targets, makes

    def _column(self, unit: _Unit, i: int) -> list[Value | float]:
        """The ``i``-th argument of each node of ``unit``."""
        return [arguments(node)[i] for node in unit.nodes]

    def _sum(self, target: str, terms: list[str]) -> str:
        """``target = t1 + t2 + ...`` (in lines of at most _CHUNK terms); ``target``."""
        for start in range(0, len(terms), _CHUNK):
            chunk = " + ".join(terms[start:start + _CHUNK])
            self._lines.append(f"{target} = {chunk}" if start == 0 else
                               f"{target} = {target} + {chunk}")
        return target

    # -- running -------------------------------------------------------------------------
    def run(self, xs: tuple[Any, ...], ps: tuple[float, ...],
            n: int) -> tuple[Any, tuple[Any, ...], Any] | None:
        """``(values, input gradients, parameter gradients summed over the batch)``, or
        ``None``: the tape's own batch replay must decide."""
        import numpy as np

        try:
            with np.errstate(all="ignore"):
                value, grads, parts, totals = self._function(xs, ps, n)
                weights = np.concatenate([*parts, np.array(totals, dtype=float)])
                totals = np.bincount(self._route_array, weights,
                                     minlength=len(self._params) + 1)
        except (DomainError, _LeaveError):
            return None
        totals = totals[:len(self._params)]
        checked = [np.sum(g) for g in grads if g is not None]
        if np.isnan(np.sum(totals)) or np.isnan(np.sum(checked)):
            return None
        return value, grads, totals

    def bind(self, function: Any) -> None:
        """The function :attr:`source` defines, run in :meth:`namespace` (the tape runs
        every generated code itself)."""
        import numpy as np

        self._function = function
        self._route_array = np.array(self.routes, dtype=np.intp)

    def namespace(self) -> dict[str, Any]:
        """What the generated code calls: the primitives' array functions, the helpers."""
        import numpy as np

        from autograd_lite.core import arrays

        namespace: dict[str, Any] = {f"_p{k}": arrays.array_function(op)
                                     for k, op in enumerate(self._writer.functions)}
        namespace.update({name: np.array(index, dtype=np.intp)
                          for name, index in self._constants.items()})
        constants = tuple(float(c) for c in self._vector_constants)

        def vector(p: tuple[float, ...]) -> Any:
            return np.array(p + constants if constants else p, dtype=float)

        def col(*xs: Any) -> Any:
            return np.array(xs, dtype=float).reshape(-1, 1)

        def stack(n: int, *xs: Any) -> Any:
            return np.stack([np.broadcast_to(x, (n,)) for x in xs])

        def rows(n: int, k: int, *placed: tuple[int, Any]) -> Any:
            out = np.zeros((k, n))
            for j, x in placed:
                out[j] = x
            return out

        def scatter(t: Any, index: Any, k: int) -> Any:
            out = np.zeros((k, t.shape[-1]))
            np.add.at(out, index, t)
            return out

        ndarray = np.ndarray

        def total(t: Any, n: int) -> Any:
            return t.sum() if type(t) is ndarray and t.ndim else t * n

        def finite(*xs: Any) -> bool:
            return bool(all(np.isfinite(x).all() for x in xs))

        def guard(holds: Any, expected: bool) -> None:
            if not (np.asarray(holds) == expected).all():
                raise _LeaveError

        namespace.update(_col=col, _stack=stack, _rows=rows, _scatter=scatter,
                         _row=getitem, _pick=getitem, _vector=vector,
                         _sum0=np.add.reduce, _sum1=functools.partial(np.add.reduce, axis=1),
                         _total=total, _finite=finite, _guard=guard, _fail=_fail)
        return namespace


@dataclass(frozen=True)
class _Position:
    """Argument ``position`` of ``unit``: where its adjoint splits by argument."""

    unit: _Unit
    position: int


@dataclass(frozen=True)
class _Row:
    """Row ``row`` of the group ``unit``: one node's adjoint, placed into the group's."""

    unit: _Unit
    row: int


def _written(g: str, write: Callable[[str], list[Any]]) -> list[Any]:
    """The reverse pass's ``times``: an adjoint's name, written as a parent's terms."""
    return write(g)


def _times(local: str) -> Callable[[str], list[Any]]:
    """``g`` times the local derivative ``local`` (a text), as one term."""
    return lambda g: [g if local == "1.0" else f"-{g}" if local == "-1.0" else f"{g} * ({local})"]


def _row_of(j: int, write: Callable[[str], list[Any]]) -> Callable[[str], list[Any]]:
    """Row ``j`` of an array ``g``, written as its node's terms by ``write``."""
    return lambda g: write(f"_row({g}, {j})")


def _extended(terms: list[Any], more: list[Any]) -> list[Any]:
    """The reverse pass's ``plus``: a key's terms so far, and more."""
    terms.extend(more)
    return terms


def _op(node: Value) -> Primitive:
    """The primitive of a computed node (units are computed nodes only)."""
    if node.op is None:
        raise TypeError(f"grouped: {node!r} is a leaf, not a computed node")
    return node.op


def same_argument(a: Value | float, b: Value | float) -> bool:
    """Whether two arguments are one: the same Value, or numbers of one ``repr`` (so 0.0 and
    -0.0 differ), as a group of rows that all read it can read it once."""
    if isinstance(a, Value) or isinstance(b, Value):
        return a is b
    return repr(a) == repr(b)


def _all_alike(nodes: list[Value]) -> bool:
    """Whether every node applies its op to the same arguments (a group would compute one
    row k times): computed one by one instead."""
    rows = [arguments(node) for node in nodes]
    return all(all(same_argument(a, b) for a, b in zip(row, rows[0])) for row in rows)


def _tuple(names: Sequence[str]) -> str:
    items = list(names)
    return ", ".join(items) + ("," if len(items) == 1 else "")


"""Compiled tapes: a recorded graph turned into straight-line Python, forward and backward.

Record a computation once on Values, then replay it on new numbers with no Value objects
at all.  The graph becomes its Wengert list, one local variable per node, generated only
from the rule table (:class:`autograd_lite.compile.symbolic.Writer` with ``code=True``)::

    # _p0: 'tanh'                  # primitives are called through register names
    v2 = v0 * v1                   # forward: out = f(args)
    v3 = _p0(v2)
    g3 = 1.0                       # backward, reverse order:
    g2 = g3 * (1.0 - (v3 * v3))    #   g_parent += g_node * d node / d parent
    g0 = g2 * v1
    g1 = g2 * v0

* **Leaves.**  The ``inputs`` you name are the arguments of a replay.  Other leaves that
  require gradients (the parameters of a model) are *parameters*: read from ``.data`` at
  every replay, and their gradients are accumulated into ``.grad`` as ``backward`` does.
  Leaves that do not require gradients (constants, frozen parameters) are *held*: written
  into the code as literals, their numbers compared at every replay with the ones written
  in; when one changed (an assignment, a ``load()``) the code is written again with that
  Value read live like a parameter (without gradient) from then on, so no replay
  computes with a stale number.
* **Errors.**  Replay raises a :class:`~autograd_lite.core.errors.DomainError` where eager
  evaluation would: the generated code calls the primitives' float functions, and
  a non-finite result anywhere sends the replay through the rule table op by op to name the
  first failing op in the graph's order (eager evaluation names the first in program order;
  the two differ only when several ops fail at once).
* **Gradients.**  The same numbers as ``backward``.  Where ``backward`` skips a term with a
  zero factor (0 * inf, :func:`~autograd_lite.core.reverse.chain_term`), straight-line code gets a
  nan; a replay that sees a nan gradient recomputes the gradients with the rule table.
* **Branches.**  A graph records ONE path through the ``if``\\ s of the program that built it.
  Comparisons of Values (``x > 0``) made while tracing are recorded as guards and re-checked
  at replay; a different outcome raises :class:`BranchChangedError` (:func:`compiled` then
  traces again).  A decision taken on a plain float (``x.data > 0``, ``float(x)``) reads
  a number while tracing, which :func:`compiled` refuses (:class:`TracedNumberError`).
* **Batches.**  With NumPy installed, :meth:`Tape.batch` runs the same program on arrays,
  one element per example, with like nodes (a layer's neurons) computed together as one
  2-D array (:mod:`autograd_lite.compile.grouped`; :mod:`autograd_lite.core.arrays` mirrors
  the float rules); without NumPy one generated function loops over the examples
  (:meth:`Tape._loop_source`).  Both add plainly and hand anything unusual (an error, a
  non-finite value, a nan) to the example-by-example replay, which decides as above.

Labels only ever appear in comments, escaped with :func:`ascii` so no label can end a
comment or change the code.
"""

from __future__ import annotations

import builtins
import inspect
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any, Literal, NamedTuple, TypeVar, overload

from autograd_lite.compile.grouped import GroupedProgram
from autograd_lite.compile.symbolic import (
    Sym,
    Writer,
    forward_text,
    from_zero,
    grad_texts,
    literal,
)
from autograd_lite.core import arrays
from autograd_lite.core.errors import DomainError
from autograd_lite.core.hooks import HOOKS
from autograd_lite.core.observers import COMPARISON_OBSERVER, NUMBER_OBSERVER, observe_numbers
from autograd_lite.core.reverse import chain_term, reverse_pass
from autograd_lite.core.rules import Primitive, to_float
from autograd_lite.core.value import (
    Value,
    arguments,
    depending_on,
    enable_grad,
    of_parents,
    topological_order,
)

_CHECKSUM_CHUNK = 32
"""Terms per line of a generated sum (Python's compiler recurses on ``a + b + c + ...``)."""
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_SIMPLE = re.compile(r"-?[A-Za-z_][A-Za-z0-9_]*|-?[0-9][0-9.e+-]*")
Column = Any
"""One input over a batch: a sequence of floats or a one-dimensional NumPy array."""
Reduce = Literal["mean", "sum"]
Backend = Literal["auto", "numpy", "python"]
_R = TypeVar("_R")


class BranchChangedError(RuntimeError):
    """A replay's inputs make a recorded comparison come out differently: the program would
    take another path than the one the tape recorded.  Trace again with these inputs:
    calling a :func:`compiled` function does (one tape per path), :func:`compiled_loss`
    replays such rows one by one on their own path's tape; :meth:`Tape.batch` and
    :meth:`Compiled.batch` raise it (split the batch).

    Examples:
        >>> from autograd_lite import BranchChangedError, compiled
        >>> @compiled
        ... def f(x):
        ...     return x * 2 if x > 0 else -x       # x > 0 becomes a guard
        >>> f(2.0).value, f(-3.0).value             # compiled() traces the other branch itself
        (4.0, 3.0)
        >>> try:
        ...     f.tape(2.0)                         # the last tape alone refuses other inputs
        ... except BranchChangedError as error:
        ...     print(str(error)[:40])
        compiled tape: guard 0, v0 > 0.0 ('x'),
    """


class TracedNumberError(RuntimeError):
    """The traced function read the number of a Value (``.data``, ``.item()``, ``float()``,
    a ``detach()``) -- an input, a parameter, anything computed -- and so could compute with
    it as a constant: every replay would reuse the number of the example it was traced on.
    Compute with the Value itself (``t * z``, not ``t.data * z``; decide with ``x > 0``,
    which becomes a guard), or run the function eagerly.  (As JAX's concretization error.)

    :func:`compiled` sees every such read as it traces (the core reports reading a number
    while a tracer listens), and raises once the function returns; an error the function
    raises itself wins.  Then it runs the function once more on inputs moved by a small step
    and compares the tape's replay there with eager evaluation, which finds a function that
    is not a function of its inputs and parameters alone (a random draw, a counter).

    Examples:
        >>> from autograd_lite import compiled
        >>> from autograd_lite.compile import TracedNumberError
        >>> f = compiled(lambda x, t: x * t.data)   # t's number, not t: a constant
        >>> try:
        ...     f(2.0, 3.0)
        ... except TracedNumberError as error:
        ...     print(str(error).split(":")[:2])
        ['compiled', " the function used the number of input 't' as a constant"]
    """


@dataclass(frozen=True)
class Guard:
    """A comparison made while tracing: ``left <operator> right`` was ``result``."""

    left: Value
    operator: str
    right: Value | float
    result: bool


class Replay(NamedTuple):
    """One replay: the output and d output / d input for each input (``None`` for an input
    that does not require gradients).  Parameter gradients went into their ``.grad``.

    Examples:
        >>> from autograd_lite import compiled
        >>> replay = compiled(lambda x, y: x * y)(2.0, 3.0)
        >>> replay.value, replay.grads
        (6.0, (3.0, 2.0))
    """

    value: float
    grads: tuple[float | None, ...]


class BatchReplay(NamedTuple):
    """A batch replay: per-example outputs and per-example input gradients (NumPy arrays,
    or lists without NumPy).  Parameter gradients, summed or averaged over the batch, went
    into their ``.grad``.

    Examples:
        >>> from autograd_lite import compiled
        >>> f = compiled(lambda x, y: x * y)
        >>> batch = f.batch([1.0, 2.0], [3.0, 4.0])  # one column per argument
        >>> [float(v) for v in batch.values], [float(g) for g in batch.grads[0]]
        ([3.0, 8.0], [3.0, 4.0])
    """

    values: Any
    grads: tuple[Any, ...]


@dataclass(frozen=True)
class _Instruction:
    """Register ``index`` = ``op(*args)``: an int arg reads a register, a float is a constant."""

    index: int
    op: Primitive
    args: tuple[int | float, ...]


def _label(label: str) -> str:
    """A label as comment text: ASCII-escaped (no newline can survive it) and short."""
    return ascii(label[:60]) if label else ""


class _Scaled(str):
    """The source ``_scaled(g, d)``, knowing its plain product ``g * (d)`` as :attr:`plain`:
    the batch loop multiplies, and a nan anywhere in its gradients sends the batch through
    ``_scaled`` example by example."""

    plain: str


def _times(g: str, d: str) -> str:
    """``g * d`` as source, without multiplying by 1.  A computed local derivative (it may be
    infinite, as d sqrt(x)/dx at 0) goes through ``_scaled`` (:func:`chain_term`): a zero
    factor adds nothing, as in ``backward``, instead of 0 * inf = nan."""
    if d == "1.0":
        return g
    if d == "-1.0":
        return f"-{g}"
    if _SIMPLE.fullmatch(d):
        return f"{g} * {d}"
    term = _Scaled(f"_scaled({g}, {d})")
    term.plain = f"{g} * ({d})"
    return term


class GeneratedCode:
    """Generated source -- :attr:`key`, code only -- compiled once per text (the cache
    below) and run with no builtins: every generated function (the replay, the batch loop,
    the grouped NumPy replay, a transform's NumPy gradient) is defined here, by the
    package's one exec."""

    def __init__(self, key: str) -> None:
        self.key = key

    def define(self, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
        """Run the code in ``namespace`` (the names it calls); the function ``name``."""
        code = _CODE_CACHE.get(self.key)
        if code is None:
            code = builtins.compile(self.key, "<autograd_lite tape>", "exec")
            if len(_CODE_CACHE) >= _CODE_CACHE_SIZE:
                _CODE_CACHE.clear()
            _CODE_CACHE[self.key] = code
        namespace.update({"__builtins__": {}, "_inf": math.inf})
        exec(code, namespace)
        function: Callable[..., Any] = namespace[name]
        return function


_CODE_CACHE: dict[str, CodeType] = {}
"""Code objects by structure (the generated code without its comments): tracing the same
graph again -- other labels, other input and parameter values -- compiles nothing new."""
_CODE_CACHE_SIZE = 64


class Tape:
    """A graph compiled to a Python function ``(inputs, params) -> (output, grads...)``.

    Build it with :meth:`from_graph` (or let :func:`compiled` trace a function); call it
    with numbers; read :attr:`source` to see the Wengert list it runs.

    Examples:
        >>> from autograd_lite import Tape, Value
        >>> x = Value(2.0, "x")
        >>> tape = Tape.from_graph(x * x + 1.0, [x])
        >>> tape(3.0)                               # replayed on a new input: 3^2 + 1, 2 * 3
        Replay(value=10.0, grads=(6.0,))
    """

    inputs: tuple[Value, ...]
    params: tuple[Value, ...]
    guards: tuple[Guard, ...]
    source: str
    key: str
    _who = "Tape"
    """Who the errors are from."""

    def __init__(self, output: Value, inputs: Sequence[Value], guards: Sequence[Guard],
                 wrt: Sequence[Value] | None = None) -> None:
        if not isinstance(output, Value):
            raise TypeError(f"Tape: the output must be a Value, got {type(output).__name__}")
        self._output = output
        self._start((output,), inputs, guards, wrt)

    def _start(self, roots: Sequence[Value], inputs: Sequence[Value], guards: Sequence[Guard],
               wrt: Sequence[Value] | None) -> None:
        """Check the inputs, walk the graph of ``roots`` (and the guards) and write the code."""
        self._roots = tuple(roots)
        self.inputs = tuple(inputs)
        seen_inputs: set[Value] = set()
        for x in self.inputs:
            if not isinstance(x, Value) or not x.is_leaf:
                raise ValueError(f"Tape: inputs must be leaf Values, got {x!r}")
            if x in seen_inputs:
                raise ValueError(f"Tape: input {x!r} is listed twice")
            seen_inputs.add(x)
        self.guards = tuple(guards)
        self._wrt = frozenset(x for x in self.inputs if x.requires_grad) if wrt is None \
            else frozenset(wrt)
        self._guard_texts: dict[int, str] = {}
        self._changed: set[Value] = set()  # held Values seen to change: read live
        self._graph = self._order()
        self._build()
        self._functions: dict[str, Callable[..., Any]] = {}
        self._grouped_program: GroupedProgram | None = None

    @classmethod
    def from_graph(cls, output: Value, inputs: Sequence[Value] = ()) -> Tape:
        """Compile the graph of ``output``; ``inputs`` (leaves) become the replay's arguments.

        Leaves requiring gradients that are not inputs are parameters (read live, gradients
        accumulated into ``.grad``); all other leaves are held (literals, read live once
        their number changed).  No guards: a graph built outside :func:`compiled` knows
        nothing of the ``if``\\ s that made it.
        """
        return cls(output, inputs, ())

    # -- code generation --------------------------------------------------------------
    def _build(self) -> None:
        """Generate :attr:`source` (and :attr:`key`: the same code without comments, plus
        which primitive each ``_p`` name calls)."""
        self._writer = Writer(code=True)
        order = self._graph
        ref, register = self._registers(order)
        self._output_register = register.get(self._output)
        lines: list[tuple[str, str]] = []  # (code, comment text already made safe)
        if self.inputs:
            lines.append((f"{_tuple(f'v{i}' for i in range(len(self.inputs)))} = _x",
                          "inputs"))
        if self.live:
            kinds = [k for k, v in (("parameters", self.params),
                                    ("held Values read live", self.live_held)) if v]
            lines.append((f"{_tuple(str(ref[p]) for p in self.live)} = _p", ", ".join(kinds)))
        lines += [("", f"{ref[x]}: {_label(x.label)}") for x in (*self.inputs, *self.live)
                  if x.label]
        header_end = len(lines)
        self._loop: list[str] = []  # the body of the batch loop (see _loop_source)
        lines += self._forward_lines(order, ref, register)
        computed = [f"v{s.index}" for s in self._steps]
        for k, line in enumerate(_sum_lines("_s", computed)):
            lines.append((line, "" if k else "any inf or nan makes this sum non-finite"))
            self._loop.append(line)
        if computed:
            lines.append(("if not _ok(_s): _nonfinite(_x, _p)", ""))
            self._loop.append("if _s - _s != 0.0: _nonfinite()")
        self._loop.append(f"_value({_source(ref[self._output])})")
        lines += self._backward_lines(order, ref, register)
        lines[header_end:header_end] = [("", f"_p{k}: {_label(op.name)}")
                                        for k, op in enumerate(self._writer.functions)]
        grads_in = _tuple(from_zero(self._grad_name(x, register)) if x in self._wrt else "None"
                          for x in self.inputs)
        grads_p = _tuple(self._grad_name(p, register) for p in self.params)
        lines.append((f"return {_source(ref[self._output])}, ({grads_in}), ({grads_p})", ""))
        self._loop += [f"_gi{i}({from_zero(self._grad_name(x, register))})"
                       for i, x in enumerate(self.inputs) if x in self._wrt]
        self._sums = tuple(f"a{register[p]}" if f"g{register[p]}" in self._adjoints else ""
                           for p in self.params)
        header = "def replay(_x, _p):"
        functions = [id(op) for op in self._writer.functions]  # which primitive each _p is
        self.key = "\n".join([header, *(f"    {code}" for code, _ in lines if code),
                              f"# {functions}"])
        self.source = "\n".join([header, *(
            f"    {code}  # {c}" if code and c else f"    {code}" if code else f"    # {c}"
            for code, c in lines)])

    def _order(self) -> list[Value]:
        """The roots' graph in topological order (each root's nodes that no root before it
        reached, as one walk from all of them would give), then whatever only the guards read:
        walked once, while the graph is fresh (kept as :attr:`_graph`, which the code is
        written from again when a held Value changed, and the batch program from)."""
        order: list[Value] = []
        placed: set[Value] = set()
        roots = (*self._roots, *(g.left for g in self.guards),
                 *(g.right for g in self.guards if isinstance(g.right, Value)))
        for root in roots:
            for node in topological_order(root):
                if node not in placed:
                    placed.add(node)
                    order.append(node)
        self._refuse_hooks(order)
        return order

    def _registers(self, order: list[Value]) -> tuple[dict[Value, Sym | float],
                                                       dict[Value, int]]:
        """Register numbers: inputs, parameters, the held Values that changed since a trace
        (read live from then on), computed nodes; the other leaves (held Values: constants,
        frozen parameters) get their number (a literal) instead, remembered in
        :attr:`held_numbers` so a replay can see it change."""
        ref: dict[Value, Sym | float] = {}
        register: dict[Value, int] = {}
        inputs = set(self.inputs)
        leaves = [v for v in order if v.op is None and v not in inputs]
        self.params = tuple(v for v in leaves if v.requires_grad)
        self.live_held = tuple(v for v in leaves if not v.requires_grad and v in self._changed)
        self.live = (*self.params, *self.live_held)
        for node in (*self.inputs, *self.live, *(v for v in order if v.op is not None)):
            register[node] = len(register)
            ref[node] = self._writer.sym(f"v{register[node]}")
        self.held = tuple(v for v in order if v.op is None and v not in register)
        self.held_numbers = tuple(v.data for v in self.held)
        ref.update(zip(self.held, self.held_numbers))
        return ref, register

    def _forward_lines(self, order: list[Value], ref: dict[Value, Sym | float],
                       register: dict[Value, int]) -> list[tuple[str, str]]:
        """``v_k = rule(args)`` per computed node, each guard right after its operands."""
        guard_at: dict[int, list[int]] = {}  # after which computed register, -1: at once
        for k, g in enumerate(self.guards):
            operands = [v for v in (g.left, g.right) if isinstance(v, Value)]
            if all(isinstance(ref[v], float) for v in operands):
                continue  # constants on both sides: nothing can change
            at = max((register[v] for v in operands if v.op is not None), default=-1)
            guard_at.setdefault(at, []).append(k)
        lines: list[tuple[str, str]] = []

        def guards(at: int) -> None:
            for k in guard_at.get(at, ()):
                lines.append((self._guard_line(k, ref), "guard"))
                self._loop.append(f"if ({self._guard_texts[k]}) is not {self.guards[k].result}: "
                                  f"_branch({k})")
        guards(-1)
        steps: list[_Instruction] = []
        for node in order:
            op = node.op
            if op is None:
                continue
            args = _args(node, ref)
            index = register[node]
            lines.append((f"v{index} = {forward_text(op, self._writer, args)}",
                          _label(node.label)))
            self._loop.append(lines[-1][0])
            steps.append(_Instruction(index, op, tuple(
                (register.get(a, a.data) if isinstance(a, Value) else a)
                for a in arguments(node))))
            guards(index)
        self._steps = tuple(steps)
        return lines

    def _grad_name(self, x: Value, register: dict[Value, int]) -> str:
        name = f"g{register[x]}"
        return name if name in self._adjoints else "0.0"

    def _guard_line(self, k: int, ref: dict[Value, Sym | float]) -> str:
        g = self.guards[k]
        right = ref.get(g.right, g.right.data) if isinstance(g.right, Value) else g.right
        test = f"{_source(ref[g.left])} {g.operator} {_source(right)}"
        self._guard_texts[k] = test
        return f"_guard({test}, {g.result}, {k})"

    def _backward_lines(self, order: list[Value], ref: dict[Value, Sym | float],
                        register: dict[Value, int]) -> list[tuple[str, str]]:
        """g_parent += g_node * d node / d parent, in reverse topological order (as backward)."""
        needs = depending_on(order, [*self._wrt, *self.params])
        lines: list[tuple[str, str]] = []
        output = self._output
        self._adjoints: set[str] = set()
        if output not in needs:
            return lines
        params = set(self.params)
        # Every gradient flows through the output's only parent that needs one, and through
        # that node's only such parent...: a zero adjoint there is a zero gradient for all.
        spine: set[Value] = set()
        node = output
        while node.op is not None:
            parents = {p for p in node.parents if p in needs}
            if len(parents) != 1:
                break
            node = parents.pop()
            spine.add(node)
        skip = "; ".join([*(f"_gi{i}(0.0)" for i, x in enumerate(self.inputs)
                            if x in self._wrt), "continue"])

        def assign(node: Value, terms: str | list[str]) -> str:
            """``g_k = t1 + t2 + ...`` once the node's adjoint is complete: its name after.

            The batch loop multiplies plainly (:class:`_Scaled`), adds a parameter's
            adjoint to its sum over the batch (``a_k``), and skips the rest of an example
            whose adjoint is zero at a node every gradient flows through."""
            target = f"g{register[node]}"
            terms = terms if isinstance(terms, list) else [terms]
            plain = [t.plain if isinstance(t, _Scaled) else t for t in terms]
            lines.extend((line, "backward: d output / d output" if node is output else "")
                         for line in _sum_lines(target, terms))
            self._loop.extend(_sum_lines(target, plain))
            if node in params:
                total = f"a{register[node]}"
                if len(terms) <= _CHECKSUM_CHUNK:  # one line: add it to the sum directly
                    self._loop[-1] = f"{total} += {self._loop[-1].partition(' = ')[2]}"
                else:
                    self._loop.append(f"{total} += {target}")
            elif node in spine and node.op is not None:
                self._loop.append(f"if {target} == 0.0: {skip}")
            return target

        adjoint = reverse_pass(order, output, "1.0", edges=_code_edges(needs, ref),
                               times=_times, plus=_terms, visit=assign)
        self._adjoints = {f"g{register[node]}" for node in adjoint}
        return lines

    def _loop_source(self) -> str:
        """The batch function: the replay's code in a loop over the examples' input tuples,
        each parameter's adjoint added to its sum over the batch (``a_k``), which it
        returns.  Each output goes to ``_value``, each wanted input gradient to ``_gi<i>``
        (the caller's lists' appends)."""
        sums = [a for a in self._sums if a]
        target = _tuple(f"v{i}" for i in range(len(self.inputs))) or "_"
        wrt = [f"_gi{i}" for i, x in enumerate(self.inputs) if x in self._wrt]
        body = [*([f"{_tuple(f'v{len(self.inputs) + k}' for k in range(len(self.live)))}"
                   " = _p"] if self.live else []),
                *(f"{a} = 0.0" for a in sums),
                f"for {target} in _rows:",
                *(f"    {line}" for line in self._loop),
                f"return ({_tuple(a or '0.0' for a in self._sums)})"]
        return "\n".join([f"def replay_batch({', '.join(['_rows', '_p', '_value', *wrt])}):",
                          *(f"    {line}" for line in body)])

    # -- running -----------------------------------------------------------------------
    def _function(self, mode: str) -> Callable[..., Any]:
        """The generated function, bound to the float or the NumPy math namespace; mode
        ``"loop"``: the batch function (:meth:`_loop_source`) on floats."""
        fn = self._functions.get(mode)
        if fn is None:
            namespace: dict[str, Any] = {}
            functions = self._writer.functions
            if mode == "loop":
                namespace.update({f"_p{k}": op.forward for k, op in enumerate(functions)})
                namespace.update(_nonfinite=_slow_path, _branch=_branch)
            elif mode == "numpy":
                namespace.update({f"_p{k}": arrays.array_function(op)
                                  for k, op in enumerate(functions)})
                namespace.update(_ok=arrays.all_finite,
                                 _scaled=arrays.chain_terms, _guard=self._batch_guard,
                                 _nonfinite=self._batch_nonfinite)
            else:
                namespace.update({f"_p{k}": op.forward for k, op in enumerate(functions)})
                namespace.update(_ok=_finite, _scaled=chain_term, _guard=self._guard,
                                 _nonfinite=self._interpret, _slow=_slow_path)
            code = GeneratedCode(self._loop_source() if mode == "loop" else self.key)
            fn = code.define("replay_batch" if mode == "loop" else "replay", namespace)
            self._functions[mode] = fn
        return fn

    def __call__(self, *inputs: object) -> Replay:
        """Replay on new input numbers: the output and d output / d input for each input.

        Parameters are read from their ``.data``; their gradients are added to ``.grad``.
        """
        return self._replay(inputs)

    def _start_replay(self, inputs: Sequence[object]) -> None:
        """Before a replay: as many inputs as the tape's (a TypeError otherwise), and the
        code current with the held Values' numbers (:meth:`_held_current`)."""
        if len(inputs) != len(self.inputs):
            raise TypeError(f"Tape: expected {len(self.inputs)} inputs, got {len(inputs)}")
        self._held_current()

    def _replay(self, inputs: Sequence[object], scale: float = 1.0,
                before: dict[Value, float] | None = None) -> Replay:
        """:meth:`__call__` adding ``scale`` times the parameter gradients, and recording
        in ``before`` each parameter's ``.grad`` before its first change (to undo)."""
        self._start_replay(inputs)
        xs = tuple(to_float(x, f"tape input {i}") for i, x in enumerate(inputs))
        ps = self._live_numbers()
        fn = self._function("float")
        try:
            value, grads, param_grads = fn(xs, ps)
        except DomainError as error:
            failure = error
        else:
            if _has_nan(grads, param_grads):  # maybe 0 * inf: redo with chain_term's rule
                grads, param_grads = self._interpret_gradients(xs, ps)
            for p, g in zip(self.params, param_grads):
                if before is not None:
                    before.setdefault(p, p.grad)
                p.grad += g * scale
            return Replay(value, grads)
        self._interpret(xs, ps)  # raises the error eager evaluation would raise first
        raise failure

    def _held_current(self) -> None:
        """Write the code again if a held Value's number changed since it was written in
        (a frozen parameter assigned or loaded, a captured constant updated), with that
        Value read live from then on (it may change again: no more rewriting for it), so a
        replay computes with the numbers the Values hold now, as eager evaluation does.  A
        guard on held Values alone is checked again first: its branch may have changed."""
        if tuple(v.data for v in self.held) == self.held_numbers:
            return
        held = set(self.held)
        self._changed.update(v for v, x in zip(self.held, self.held_numbers) if v.data != x)
        for k, g in enumerate(self.guards):
            operands = [v for v in (g.left, g.right) if isinstance(v, Value)]
            if all(v in held for v in operands):  # a guard the code does not check
                right = g.right.data if isinstance(g.right, Value) else g.right
                now = bool(_COMPARE[g.operator](g.left.data, right))
                if now is not g.result:
                    self._guard_texts[k] = f"{g.left.data!r} {g.operator} {right!r}"
                    raise BranchChangedError(self._branch_message(k, now))
        self._build()
        self._functions.clear()
        self._grouped_program = None

    def _live_numbers(self) -> tuple[float, ...]:
        """What a replay reads: the numbers of the parameters and live held Values now
        (refused if a hook was registered on one since the trace: :meth:`_refuse_hooks`)."""
        self._refuse_hooks(self.live)
        return tuple(p.data for p in self.live)

    def _refuse_hooks(self, values: Sequence[Value]) -> None:
        """A gradient hook on one of ``values`` would run in eager mode and not in the code,
        which would give other gradients without a word: refused, by name."""
        hooked = next((v for v in values if v in HOOKS), None) if HOOKS else None
        if hooked is not None:
            raise TypeError(f"{self._who}: {hooked!r} has a gradient hook, which the compiled "
                            "code would not run: use eager mode, or remove the hook")

    def _guard(self, holds: bool, expected: bool, k: int) -> None:
        if holds is not expected:
            raise BranchChangedError(self._branch_message(k, holds))

    def _branch_message(self, k: int, now: object, example: str = "") -> str:
        g = self.guards[k]
        label = f" ({g.left.label!r})" if g.left.label else ""
        return (f"compiled tape: guard {k}, {self._guard_texts.get(k, '')}{label}, was "
                f"{g.result} when traced but is {now}{example}: these inputs take another "
                "branch than the recorded graph (see .source).  A tape replays one path: "
                "compiled(f)(...) traces again for a call, compiled_loss replays such rows "
                "one by one on their own path's tape; Tape.batch and Compiled.batch need "
                "every example on the traced path (split the batch, or trace again)")

    def _interpret(self, xs: Sequence[float], ps: Sequence[float]) -> list[float]:
        """Evaluate op by op with the rule table, as eager evaluation does (raising its
        error): every register's value."""
        registers: list[float] = [*xs, *ps]
        registers += [0.0] * len(self._steps)
        for s in self._steps:
            registers[s.index] = s.op.evaluate([registers[a] if type(a) is int else a
                                                for a in s.args])
        return registers

    def _interpret_gradients(self, xs: Sequence[float], ps: Sequence[float]
                             ) -> tuple[tuple[float | None, ...], tuple[float, ...]]:
        """The gradients op by op with the rule table and :func:`chain_term`, as
        ``backward`` computes them: the slow path for when the generated code met a nan."""
        registers = self._interpret(xs, ps)
        step_of = {s.index: s for s in self._steps}

        def edges(index: int) -> tuple[list[int], list[float]]:
            s = step_of.get(index)
            if s is None:
                return [], []
            floats = [registers[a] if type(a) is int else a for a in s.args]
            local = s.op.partials(registers[index], *floats)
            kept = [(a, d) for a, d in zip(s.args, local) if type(a) is int]
            return [a for a, _ in kept], [d for _, d in kept]

        adjoint: dict[int, float] = {}
        if self._output_register is not None:
            adjoint = reverse_pass(range(len(registers)), self._output_register, 1.0,
                                   edges=edges)
        n = len(xs)
        return (tuple(0.0 + adjoint.get(i, 0.0) if x in self._wrt else None
                      for i, x in enumerate(self.inputs)),
                tuple(adjoint.get(n + k, 0.0) for k in range(len(self.params))))

    # -- batches -----------------------------------------------------------------------
    def batch(self, *columns: Column, reduce: Reduce = "mean",
              backend: Backend = "auto") -> BatchReplay:
        """Replay once per example: ``columns[i][e]`` is input ``i`` of example ``e``.

        Returns per-example outputs and input gradients; parameter gradients are summed
        (``reduce="sum"``) or averaged (``"mean"``: the gradient of the mean loss) over the
        batch and added to ``.grad``.  ``backend``: ``"numpy"`` (arrays), ``"python"``
        (floats, one generated loop over the examples) or ``"auto"`` (NumPy if installed).
        Every backend refuses first what a replay refuses (bool, str, None, nan...), naming
        the column and the example.
        """
        if reduce not in ("mean", "sum"):
            raise ValueError(f"Tape.batch: reduce must be 'mean' or 'sum', got {reduce!r}")
        if backend not in ("auto", "numpy", "python"):
            raise ValueError("Tape.batch: backend must be 'auto', 'numpy' or 'python', got "
                             f"{backend!r}")
        if len(columns) != len(self.inputs):
            raise TypeError(f"Tape.batch: expected {len(self.inputs)} columns, "
                            f"got {len(columns)}")
        sizes = {len(c) for c in columns}
        if len(sizes) > 1:
            raise ValueError(f"Tape.batch: columns of different lengths {sorted(sizes)}")
        n = sizes.pop() if sizes else 1
        if n == 0:
            raise ValueError("Tape.batch: no examples")
        for i, c in enumerate(columns):
            _check_numbers(c, f"Tape.batch: column {i}")
        self._held_current()
        has_numpy = arrays.numpy_installed()
        use_numpy = backend == "numpy" or (backend == "auto" and has_numpy)
        if use_numpy and not has_numpy:
            raise ImportError("Tape.batch(backend='numpy') needs NumPy: "
                              'pip install "autograd-lite[batch]"')
        scale = 1.0 / n if reduce == "mean" else 1.0
        replay = (self._batch_numpy(columns, n, scale) if use_numpy
                  else self._batch_loop(columns, scale))
        if replay is not None:
            return replay  # else an error, a non-finite value or a nan: example by example
        values: list[float] = []
        grads: list[list[float | None]] = [[] for _ in self.inputs]
        totals = [0.0] * len(self.params)
        saved = [p.grad for p in self.params]
        try:
            for e in range(n):
                for p in self.params:
                    p.grad = 0.0
                value, g = self(*(c[e] for c in columns))
                values.append(value)
                for column, gi in zip(grads, g):
                    column.append(gi)
                totals = [t + p.grad for t, p in zip(totals, self.params)]
        finally:
            for p, s in zip(self.params, saved):
                p.grad = s
        for p, t in zip(self.params, totals):
            p.grad += t * scale
        return BatchReplay(values, tuple(None if x not in self._wrt else g
                                         for x, g in zip(self.inputs, grads)))

    def _batch_loop(self, columns: Sequence[Column], scale: float) -> BatchReplay | None:
        """The batch on floats in one call of the batch function; ``None`` where the
        example-by-example replay must decide: an input that is not a finite number, an
        error, a non-finite value (the replay raises eager evaluation's error), or a nan
        gradient (the replay redoes that example with ``_scaled``)."""
        fn = self._function("loop")
        ps = self._live_numbers()
        values: list[float] = []
        grads: list[list[float] | None] = [[] if x in self._wrt else None for x in self.inputs]
        try:
            xs = [[x if type(x) is float and x - x == 0.0 else to_float(x, "")
                   for x in column] for column in columns]
            sums = fn(zip(*xs) if xs else [()], ps, values.append,
                      *(g.append for g in grads if g is not None))
        except (DomainError, TypeError, _SlowPathError):
            return None
        except _BranchError as branch:
            k = branch.args[0]
            raise BranchChangedError(self._branch_message(
                k, not self.guards[k].result, f" for example {len(values)}")) from None
        total = sum(sums) + sum(sum(g) for g in grads if g is not None)
        if total != total:
            return None
        for p, s in zip(self.params, sums):
            p.grad += s * scale
        return BatchReplay(values, tuple(grads))

    def _batch_numpy(self, columns: Sequence[Column], n: int,
                     scale: float) -> BatchReplay | None:
        import numpy as np
        xs = [np.asarray(c, dtype=float) for c in columns]  # real, finite, 1-d: batch() checked
        ps = self._live_numbers()
        grouped = self._grouped().run(tuple(xs), ps, n)
        if grouped is not None:
            value, grads, sums = grouped
            for p, total in zip(self.params, sums.tolist()):
                p.grad += total * scale
            return BatchReplay(np.broadcast_to(value, (n,)).copy(),
                               tuple(None if g is None else np.broadcast_to(g, (n,)).copy()
                                     for g in grads))
        fn = self._function("numpy")  # one array per node: its errors are eager's
        failure: DomainError | None = None
        try:
            with np.errstate(all="ignore"):
                value, grads, param_grads = fn(tuple(xs), ps)
        except DomainError as error:
            failure = error
        if failure is not None:
            self._batch_nonfinite(tuple(xs), ps)
            raise failure
        per_example: list[int] = []  # gradients that differ by example, summed below
        totals: list[float] = []
        for i, g in enumerate(param_grads):
            if type(g) is np.ndarray and g.ndim:
                per_example.append(i)
                totals.append(0.0)
            else:
                totals.append(float(g) * n)  # the same for every example: n equal terms
        if per_example:  # one stacked reduction, not one np.sum per parameter
            sums = np.stack([param_grads[i] for i in per_example]).sum(axis=1)
            for i, total in zip(per_example, sums.tolist()):
                totals[i] = total
        if _has_nan([np.sum(g) for g in grads if g is not None], totals):
            return None
        for p, total in zip(self.params, totals):
            p.grad += total * scale
        return BatchReplay(np.broadcast_to(value, (n,)).copy(),
                           tuple(None if g is None else np.broadcast_to(g, (n,)).copy()
                                 for g in grads))

    def _grouped(self) -> GroupedProgram:
        """The batch replay with like nodes computed together (made on first use)."""
        if self._grouped_program is None:
            program = GroupedProgram(
                self._output, self._graph, self.inputs, self.live,
                [(g.left, g.operator, g.right, g.result) for g in self.guards], self._wrt)
            program.bind(GeneratedCode(program.source).define("replay_groups", program.namespace()))
            self._grouped_program = program
        return self._grouped_program

    def _batch_guard(self, holds: Any, expected: bool, k: int) -> None:
        import numpy as np

        changed = np.asarray(holds) != expected
        if changed.any():
            e = int(np.argmax(changed)) if np.ndim(changed) else 0
            raise BranchChangedError(self._branch_message(k, not expected, f" for example {e}"))

    def _batch_nonfinite(self, xs: Sequence[Any], ps: Sequence[float]) -> None:
        """Find the first example whose eager evaluation fails, and raise its error."""
        n = max((len(x) for x in xs), default=1)
        for e in range(n):
            self._interpret([float(x[e]) for x in xs], ps)


class _SlowPathError(Exception):
    """The batch function met a non-finite value: replay example by example instead."""


def _check_numbers(column: Column, what: str) -> None:
    """Refuse what :func:`~autograd_lite.core.rules.to_float` refuses -- bool, str, None,
    complex... (``TypeError``), nan and infinities (:class:`DomainError`) -- naming ``what``
    and the example, before NumPy would convert it (True to 1.0, "2" to 2.0) or fail with
    its own error: a batch takes what a replay takes, on either backend."""
    if getattr(column, "ndim", 1) != 1:
        raise ValueError(f"{what} must be one-dimensional")
    kind = getattr(getattr(column, "dtype", None), "kind", None)
    if kind is not None and kind in "fiu":  # a NumPy array of real numbers
        import numpy as np
        if kind != "f" or np.isfinite(column).all():
            return
    for e, x in enumerate(column):
        if type(x) is not float or x - x != 0.0:
            to_float(x, f"{what}, example {e}")


def _slow_path() -> None:
    raise _SlowPathError


class _BranchError(Exception):
    """Guard ``args[0]`` failed in the batch function."""


def _branch(k: int) -> None:
    raise _BranchError(k)


def _has_nan(grads: Sequence[Any], param_grads: Sequence[Any]) -> bool:
    """Whether any gradient is nan (one sum; an inf - inf in it only costs a re-check)."""
    total = sum(param_grads) + sum(g for g in grads if g is not None)
    return bool(total != total)


def _which(read: Sequence[Value], inputs: Sequence[Value]) -> str:
    """The Values whose numbers were read, as a message names them: ``input 't'``,
    ``inputs 'a', 'c'``, ``parameter Value(...)``, or the Value."""
    values = list(dict.fromkeys(read))  # each once, in the order read
    if all(v in inputs for v in values):
        labels = ", ".join(repr(v.label) for v in values)
        return f"input{'s' if len(values) > 1 else ''} {labels}"
    return ", ".join(f"input {v.label!r}" if v in inputs else
                     f"parameter {v!r}" if v.is_leaf and v.requires_grad else repr(v)
                     for v in values)


def _sum_lines(target: str, terms: Sequence[str]) -> list[str]:
    """``target = t1 + t2 + ...`` as source lines of at most :data:`_CHECKSUM_CHUNK` terms
    each (the first assigns, the others add to ``target``), added left to right."""
    return [f"{target} = {chunk}" if start == 0 else f"{target} = {target} + {chunk}"
            for start in range(0, len(terms), _CHECKSUM_CHUNK)
            for chunk in [" + ".join(terms[start:start + _CHECKSUM_CHUNK])]]


def _tuple(names: Iterable[str]) -> str:
    """``a, b`` -- or ``a,`` for one name: the inside of a tuple display."""
    items = list(names)
    return ", ".join(items) + ("," if len(items) == 1 else "")


def _code_edges(needs: set[Value], ref: dict[Value, Sym | float]
                ) -> Callable[[Value], tuple[list[Value], list[str]]]:
    """The edges a generated reverse pass follows: a node's parents among ``needs`` (those
    a wanted gradient passes through) and their local derivatives as source text, the rule
    table applied to the node's registers."""
    def edges(node: Value) -> tuple[list[Value], list[str]]:
        if node.op is None:
            return [], []
        local = of_parents(node, grad_texts(node.op, _as_sym(ref[node]), _args(node, ref)))
        kept = [(p, d) for p, d in zip(node.parents, local) if p in needs]
        return [p for p, _ in kept], [d for _, d in kept]
    return edges


def _terms(before: str | list[str], term: str) -> list[str]:
    """A generated adjoint's terms so far, with one more (summed once it is complete)."""
    return [*before, term] if isinstance(before, list) else [before, term]


def _args(node: Value, ref: dict[Value, Sym | float]) -> list[Sym | float]:
    """A node's arguments as the generated code sees them: registers and numbers."""
    return [ref[a] if isinstance(a, Value) else a for a in arguments(node)]


def _as_sym(x: Sym | float) -> Sym:
    """A computed node's register (every computed node has one)."""
    if not isinstance(x, Sym):
        raise TypeError(f"compiled tape: expected a register, got the number {x!r}")
    return x


def _source(x: Sym | float) -> str:
    return x.text if isinstance(x, Sym) else literal(x)


def _finite(s: float) -> bool:
    return s - s == 0.0


# -- tracing functions -------------------------------------------------------------------
_STEP = 2.0 ** -13
"""How far the check of :meth:`Compiled._check_numbers_read` moves each input (relative)."""
_AGREE = 1e-10
"""Eager evaluation and a replay agree to this (relative): they run the same float
functions in the same order, so only a shift like softmax's ``max`` makes them differ."""


class Compiled:
    """A function of numbers traced to a :class:`Tape` on first call (see :func:`compiled`).

    Examples:
        >>> from autograd_lite import compiled
        >>> from autograd_lite.compile import Compiled
        >>> f = compiled(lambda x: x.exp())
        >>> isinstance(f, Compiled), f(0.0)
        (True, Replay(value=1.0, grads=(1.0,)))
    """

    def __init__(self, f: Callable[..., Value], wrt: Sequence[int] | None, *,
                 name: str = "compiled") -> None:
        if not callable(f):
            raise TypeError(f"compiled: f must be a function, got {type(f).__name__}")
        if wrt is not None and not all(type(i) is int and i >= 0 for i in wrt):
            raise TypeError(f"compiled: wrt must be argument indices (ints >= 0), got {wrt!r}")
        self.f = f
        self.name = name  # who the errors are from: compiled, or compiled_loss
        try:
            names = list(inspect.signature(f).parameters)
        except (TypeError, ValueError):
            names = []
        self._names = names
        self._wrt = None if wrt is None else frozenset(wrt)
        self._tapes: dict[str, Tape] = {}
        self._current: Tape | None = None

    @property
    def tape(self) -> Tape:
        """The tape of the latest call (trace the function by calling it first)."""
        if self._current is None:
            raise RuntimeError("compiled: not traced yet; call it once with example inputs")
        return self._current

    @property
    def source(self) -> str:
        """The generated code of the latest tape."""
        return self.tape.source

    def trace(self, *inputs: object) -> Tape:
        """Run the function on Values holding ``inputs`` and compile what it records."""
        guards: list[Guard] = []

        def observe(left: Value, operator: str, right: Value | float, result: bool) -> None:
            guards.append(Guard(left, operator, right, result))

        if self._wrt and max(self._wrt) >= len(inputs):
            raise ValueError(f"compiled: wrt index {max(self._wrt)} is out of range for "
                             f"{len(inputs)} inputs")
        names = self._names if len(self._names) == len(inputs) else []
        leaves = [Value(to_float(x, f"compiled input {i}"), names[i] if names else f"x{i}")
                  for i, x in enumerate(inputs)]
        wrt = [x for i, x in enumerate(leaves) if self._wrt is None or i in self._wrt]
        read: list[Value] = []  # numbers read while tracing: each would be a constant
        token = COMPARISON_OBSERVER.set(observe)
        number_token = observe_numbers(read.append)
        try:
            with enable_grad():
                out = self._record(leaves)
        finally:
            NUMBER_OBSERVER.reset(number_token)
            COMPARISON_OBSERVER.reset(token)
        if read:
            raise TracedNumberError(
                f"{self.name}: the function used the number of {_which(read, leaves)} as a "
                "constant: it read it (.data, .item(), float(), detach()), or computed a "
                "constant from it (under no_grad, or with nothing requiring gradients), "
                "while being traced, and a tape replays the operations it recorded, so every "
                "call would reuse that number; compute with the Value itself (t * z, not "
                "t.data * z; decide with x > 0, which becomes a guard), or evaluate eagerly")
        tape = self._tape(out, leaves, guards, wrt)
        self._check_numbers_read(tape, [x.data for x in leaves])
        tape = self._tapes.setdefault(f"{tape.key}\n{[id(p) for p in tape.params]}", tape)
        self._current = tape
        return tape

    def _record(self, leaves: list[Value]) -> Any:
        """What the tape is made from: the function's result on the traced inputs."""
        return self.f(*leaves)

    def _tape(self, out: Any, leaves: list[Value], guards: list[Guard],
              wrt: list[Value]) -> Tape:
        """The tape of what :meth:`_record` gave (one Value: a TypeError otherwise)."""
        if not isinstance(out, Value):
            hint = (" (compile a transform returning several numbers with "
                    "compiled_transform(func.grad(f, argnums)), or func.hessian, func.jacobian)"
                    if isinstance(out, tuple | list) else "")
            raise TypeError(f"compiled: the function must return a Value, got "
                            f"{type(out).__name__}{hint}")
        return Tape(out, leaves, guards, wrt)

    def _check_numbers_read(self, tape: Tape, xs: list[float]) -> None:
        """Raise :class:`TracedNumberError` if the function used an input's number as a
        constant: at inputs moved by ``_STEP`` (up, else down, so a domain edge or a guard
        does not stop the check) the tape's replay must give eager evaluation's value.  A
        read whose effect there is below ``_AGREE`` (relative) is not seen; nor is one that
        only chooses a branch that the small step does not change."""
        for sign in (1.0, -1.0):
            moved = [x + sign * _STEP * (1.0 + abs(x)) for x in xs]
            outcome = self._disagreement(tape, moved)
            if outcome is None:
                continue  # an error or another branch there: try the other side
            if outcome is False:
                return
            again = self._disagreement(tape, xs)
            if again:
                raise TracedNumberError(
                    f"{self.name}: the function is not a function of its inputs and "
                    "parameters alone (a random draw, a counter, some state): run again on "
                    f"the same inputs {xs} it gives {again[0]!r}, its tape {again[1]!r}; "
                    "the tape would replay what the trace drew at every call.  Compile "
                    "only the deterministic part, or evaluate eagerly")
            culprits = [x_in.label for i, x_in in enumerate(tape.inputs)
                        if self._disagreement(tape, [m if j == i else x for j, (x, m)
                                                     in enumerate(zip(xs, moved))])]
            which = (f"input {culprits[0]!r}" if len(culprits) == 1 else
                     f"inputs {', '.join(map(repr, culprits))}" if culprits else
                     "the inputs")
            raise TracedNumberError(
                f"{self.name}: the function used the number of {which} as a constant "
                "(.data, .item(), detach()): the tape would replay the traced "
                f"number at every call (at inputs {moved}, eager evaluation gives "
                f"{outcome[0]!r} but the tape {outcome[1]!r}); compute with the Value "
                "itself (t * z, not t.data * z; decide with x > 0, a guard) or evaluate "
                "eagerly")

    def _disagreement(self, tape: Tape,
                      xs: list[float]) -> tuple[float, float] | Literal[False] | None:
        """At ``xs``: ``(eager, replay)`` results if they differ, ``False`` if they agree,
        ``None`` if either fails or takes another branch (nothing to compare)."""
        token = COMPARISON_OBSERVER.set(None)
        try:
            eager = self._eager_numbers(tape, xs)
            replayed = self._replayed_numbers(tape, xs)
        except Exception:  # any failure of the probe there: nothing to compare
            return None
        finally:
            COMPARISON_OBSERVER.reset(token)
        if eager is None:
            return None
        for e, r in zip(eager, replayed):
            if not abs(r - e) <= _AGREE * max(1.0, abs(e)):
                return e, r  # the first number that differs
        return False

    def _eager_numbers(self, tape: Tape, xs: list[float]) -> list[float] | None:
        """Eager evaluation's numbers at ``xs`` that a replay must give (the output's)."""
        with enable_grad():
            out = self.f(*(Value(x, x_in.label) for x, x_in in zip(xs, tape.inputs)))
        return [out.data] if isinstance(out, Value) else None

    def _replayed_numbers(self, tape: Tape, xs: list[float]) -> list[float]:
        """The tape's numbers at ``xs``, as :meth:`_eager_numbers` lists them."""
        replayed, _, _ = tape._function("float")(tuple(xs), tape._live_numbers())
        return [replayed]

    def __call__(self, *inputs: object) -> Replay:
        """Replay the latest tape that takes the same branches; trace again if none does."""
        return self._replay(inputs)

    def _replay(self, inputs: Sequence[object], scale: float = 1.0,
                before: dict[Value, float] | None = None) -> Replay:
        """:meth:`__call__` with :meth:`Tape._replay`'s ``scale`` and ``before``."""
        return self._on_path(lambda tape: tape._replay(inputs, scale, before),
                             lambda: self.trace(*inputs))

    def _on_path(self, run: Callable[[Tape], _R], trace: Callable[[], Tape]) -> _R:
        """``run`` on the latest tape whose branches the inputs take (the others in turn:
        :class:`BranchChangedError` from one means another path), else on a new ``trace``."""
        for tape in self._candidates():
            try:
                result = run(tape)
            except BranchChangedError:
                continue
            self._current = tape
            return result
        return run(trace())

    def batch(self, *columns: Column, reduce: Reduce = "mean",
              backend: Backend = "auto") -> BatchReplay:
        """:meth:`Tape.batch` with the first tape whose branches every example takes (traced
        on the first example if none): examples on different paths raise
        :class:`BranchChangedError` -- replay those one by one.
        """
        return self._on_path(lambda tape: tape.batch(*columns, reduce=reduce, backend=backend),
                             lambda: self.trace(*(c[0] for c in columns)))

    def _candidates(self) -> list[Tape]:
        first = [self._current] if self._current is not None else []
        return first + [t for t in self._tapes.values() if t is not self._current]


@overload
def compiled(f: Callable[..., Value], *, wrt: Sequence[int] | None = None) -> Compiled: ...
@overload
def compiled(f: None = None, *,
             wrt: Sequence[int] | None = None) -> Callable[[Callable[..., Value]], Compiled]: ...
def compiled(f: Callable[..., Value] | None = None, *,
             wrt: Sequence[int] | None = None) -> Any:
    """Compile ``f`` (numbers in, one Value out) to straight-line Python on first call.

    ``wrt``: indices of the arguments to differentiate (default: all).  Use as
    ``compiled(f)`` or as a decorator ``@compiled`` / ``@compiled(wrt=[0])``.  The result
    returns :class:`Replay` ``(value, grads)``; Values ``f`` uses from outside (a model's
    parameters) are read live and receive their gradients in ``.grad``.

    Examples:
        >>> from autograd_lite import compiled
        >>> @compiled
        ... def f(x, y):
        ...     return x * y + x.exp()
        >>> f(2.0, 3.0)
        Replay(value=13.38905609893065, grads=(10.38905609893065, 2.0))
        >>> print(f.source.splitlines()[0])
        def replay(_x, _p):
    """
    if f is None:
        return lambda g: Compiled(g, wrt)
    return Compiled(f, wrt)


# -- training: a model's loss over a data set as one per-example tape -------------------------
_STRUCTURES = 8
"""Model structures a :class:`CompiledLoss` keeps the tapes of."""


class CompiledLoss:
    """``mean_e loss(model(x_e), t_e)`` over a data set, replayed from one per-example tape.

    The training step of a model at replay speed: trace ``loss(model(x), t)`` once for one
    example, then replay it on every row (NumPy arrays if installed), adding
    d mean loss / d p to every parameter's ``.grad``.  See :func:`compiled_loss`.

    Examples:
        >>> from autograd_lite import MLP
        >>> from autograd_lite.compile import CompiledLoss
        >>> from autograd_lite.nn.losses import squared_error
        >>> step = CompiledLoss(MLP(2, [3, 1], seed=0), squared_error)
        >>> len(step([[1.0, 2.0], [0.5, -1.0]], [1.0, 0.0]).values)   # one loss per row
        2
    """

    def __init__(self, model: Callable[[list[Value]], Any],
                 loss: Callable[[Any, Value], Value]) -> None:
        for argument, given in (("model", model), ("loss", loss)):
            if not callable(given):
                raise TypeError(f"compiled_loss: {argument} must be callable, got "
                                f"{type(given).__name__}")
        self.model = model
        self.loss = loss

        def example(*row: Value) -> Value:
            *features, target = row
            for i, x in enumerate(features):  # names for the comments and the errors
                x.label = f"x[{i}]"
            target.label = "target"
            return loss(model(features), target)

        self._example = example
        self._compiled = Compiled(example, (), name="compiled_loss")
        self._structure: tuple[int, ...] | None = None
        self._by_structure: dict[tuple[int, ...], tuple[Compiled, list[Value]]] = {}

    def _for_structure(self) -> Compiled:
        """The traced function for the model as it is now: its tapes hold the parameters
        of one structure, so a model whose ``parameters()`` changed (a layer added, removed
        or replaced) gets its own, traced again.  The cache holds the parameters it keys on
        (by identity), so no other Value can take their ids while it lives."""
        parameters = getattr(self.model, "parameters", None)
        if not callable(parameters):
            return self._compiled  # a plain function: one structure
        params = parameters()
        structure = tuple(map(id, params))
        if structure != self._structure:
            found = self._by_structure.get(structure)
            if found is None:
                if len(self._by_structure) >= _STRUCTURES:
                    del self._by_structure[next(iter(self._by_structure))]
                step = Compiled(self._example, (), name="compiled_loss")
                found = self._by_structure[structure] = (step, params)
            self._compiled = found[0]
            self._structure = structure
        return self._compiled

    def __call__(self, xs: Sequence[Sequence[float]], ts: Sequence[float], *,
                 backend: Backend = "auto") -> BatchReplay:
        """Per-example losses (``.values``) for rows ``xs`` and targets ``ts``; the mean
        loss's gradient is added to the parameters' ``.grad`` (all of it or, on an error,
        none)."""
        if len(xs) != len(ts) or not xs:
            raise ValueError(f"compiled_loss: {len(xs)} rows and {len(ts)} targets; need "
                             "as many of each, at least one")
        width = len(xs[0])
        if any(len(row) != width for row in xs):
            raise ValueError("compiled_loss: rows of different lengths")
        columns = [[row[i] for row in xs] for i in range(width)]
        step = self._for_structure()
        try:
            return step.batch(*columns, ts, reduce="mean", backend=backend)
        except BranchChangedError:
            pass  # rows on different paths: each row replayed on the tape of its own path
        before: dict[Value, float] = {}
        try:
            values = [step._replay((*row, t), 1.0 / len(xs), before).value
                      for row, t in zip(xs, ts)]
        except BaseException:
            for p, grad in before.items():  # nothing half-added
                p.grad = grad
            raise
        if backend == "numpy" or (backend == "auto" and arrays.numpy_installed()):
            import numpy as np
            return BatchReplay(np.array(values), (None,) * (width + 1))
        return BatchReplay(values, (None,) * (width + 1))

    @property
    def source(self) -> str:
        """The generated code for one example (after the first call)."""
        return self._compiled.source


def compiled_loss(model: Callable[[list[Value]], Any],
                  loss: Callable[[Any, Value], Value]) -> CompiledLoss:
    """Compile ``loss(model(x), t)`` for mean-loss training over whole data sets::

        step = compiled_loss(model, losses.squared_error)
        optimiser.zero_grad()
        mean_loss = sum(step(rows, targets).values) / len(rows)  # .grad: d mean / d p
        optimiser.step()

    ``model`` maps a list of Values to its output (an :class:`~autograd_lite.nn.MLP`);
    ``loss(output, target)`` gets the target as a Value (a loss that uses its number
    instead raises :class:`TracedNumberError`; ``softmax_cross_entropy`` takes integer
    class targets this way).  Parameters are read live, so the
    optimiser's updates are seen by the next call; frozen parameters and Values captured
    from outside are checked at every call (an assignment or a ``load()`` is seen); a model
    whose ``parameters()`` are other Values than before (a layer added, removed or
    replaced) is traced again.  Rows that take another branch than the traced one (an
    ``if y > 0`` in the loss) are replayed one by one, each on the tape of its own path: the
    result is eager evaluation's, only slower; a row whose eager evaluation fails raises
    its error, with no gradient changed.  A penalty on
    the parameters (``l2_penalty``) is not per example: add it eagerly and call its
    ``backward``.

    Examples:
        >>> from autograd_lite import MLP, SGD, compiled_loss
        >>> from autograd_lite.nn.losses import squared_error
        >>> model = MLP(2, [3, 1], seed=0)
        >>> step = compiled_loss(model, squared_error)
        >>> opt = SGD(model.parameters(), lr=0.1)
        >>> rows, targets = [[1.0, 2.0], [0.5, -1.0]], [1.0, 0.0]
        >>> losses = []
        >>> for _ in range(20):
        ...     opt.zero_grad()
        ...     losses.append(float(sum(step(rows, targets).values)) / 2)  # .grad: d mean / d p
        ...     opt.step()
        >>> losses[-1] < losses[0]
        True
    """
    return CompiledLoss(model, loss)

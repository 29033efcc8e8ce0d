"""Hypothesis strategies and assertions for testing derivatives (needs ``hypothesis``).

* :func:`safe_floats` -- finite floats in a range, kept ``margin`` away from kinks and
  domain edges (where central differences are meaningless).
* :data:`OP_CASES` -- the test table: every built-in primitive with the public call that
  reaches it, where its arguments may be drawn from, and its kinks, made from the cases each
  declares in the rule table (:data:`~autograd_lite.core.rules.CASES`).
* :class:`Expression` / :func:`expressions` -- random straight-line programs (Wengert lists)
  over ``n`` inputs with shared sub-expressions (``a + a``, ``a * a``, diamonds), built from
  the primitives with domain guards (``log(v * v + 0.5)``); one program evaluates on
  Values, on :class:`~autograd_lite.core.forward.Dual` numbers and on floats.  Each step's
  primitive is picked by name (:func:`pick`), so adding one changes no other pick.
* :func:`expression_cases` -- an expression with inputs at which central differences are
  valid; :func:`assert_gradients_match` -- ``backward`` against central differences.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised by a test that hides hypothesis
    raise ImportError(
        "autograd_lite.testing needs hypothesis, a test dependency: "
        "pip install 'autograd-lite[test]' (or: pip install hypothesis)") from error

import autograd_lite
from autograd_lite.core import rules
from autograd_lite.core.check import central_difference, parameter_names
from autograd_lite.core.errors import DomainError
from autograd_lite.core.forward import Dual
from autograd_lite.core.rules import Primitive, to_float
from autograd_lite.core.value import Value
from autograd_lite.nn import functional  # noqa: F401 -- for Cases that use nn.functional


def safe_floats(min_value: float = -100.0, max_value: float = 100.0, *,
                avoid: Sequence[float] = (), margin: float = 1e-3) -> st.SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]`` at least ``margin`` from each ``avoid`` point.

    A draw that lands within ``margin`` of a point is shifted out to ``point +- margin``
    (minitorch's trick), so the strategy still shrinks towards simple values.

    Examples:
        >>> from hypothesis import given, settings
        >>> from autograd_lite.testing import safe_floats
        >>> @settings(max_examples=30, derandomize=True)
        ... @given(safe_floats(-1.0, 1.0, avoid=[0.0], margin=0.1))
        ... def test_away_from_the_kink(x):
        ...     assert -1.0 <= x <= 1.0 and abs(x) >= 0.1
        >>> test_away_from_the_kink()
    """
    lo, hi = to_float(min_value, "min_value"), to_float(max_value, "max_value")
    if not lo <= hi:
        raise ValueError(f"safe_floats: empty range [{lo}, {hi}]")
    points = sorted(to_float(p, "avoid") for p in avoid)

    def away(p: float, direction: float) -> float:
        """The float nearest ``p`` in ``direction`` that is at least ``margin`` from it."""
        x = p + math.copysign(margin, direction)
        while abs(x - p) < margin:
            x = math.nextafter(x, direction)
        return x

    def shift(x: float) -> float:
        for p in points:
            if abs(x - p) < margin:
                up = away(p, math.inf)
                x = up if (x >= p and up <= hi) or away(p, -math.inf) < lo else away(p, -math.inf)
        if not (lo <= x <= hi and all(abs(x - p) >= margin for p in points)):
            raise ValueError(f"safe_floats: no point of [{lo}, {hi}] is {margin} away from "
                             f"{points}")
        return x

    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(shift)


# -- the table of primitives -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Domain(rules.Domain):
    """Where one differentiable argument of a primitive may be drawn from: the rule table's
    :class:`~autograd_lite.core.rules.Domain` (``low``, ``high``, ``avoid``, ``guard``,
    ``margin``), with its hypothesis strategy.

    ``avoid`` lists kinks and domain edges (stay ``margin`` away); ``guard`` says how a random
    expression makes an arbitrary value acceptable: ``"real"`` (no need), ``"positive"``
    (``v * v + 0.5``), ``"above_one"`` (``v * v + 1.5``), ``"bounded"`` (``tanh(v)``, against
    overflow) or ``"small"`` (``0.5 * tanh(v)``).

    Examples:
        >>> from hypothesis import given, settings
        >>> from autograd_lite.testing import Domain
        >>> positive = Domain(0.01, 100.0, guard="positive")
        >>> @settings(max_examples=20, derandomize=True)
        ... @given(positive.floats())
        ... def test_inside(x):
        ...     assert 0.01 <= x <= 100.0
        >>> test_inside()
    """

    @classmethod
    def of(cls, domain: rules.Domain) -> Domain:
        """The same domain, with its strategy."""
        return cls(domain.low, domain.high, domain.avoid, domain.guard, domain.margin)

    def floats(self) -> st.SearchStrategy[float]:
        """:func:`safe_floats` over this domain."""
        return safe_floats(self.low, self.high, avoid=self.avoid, margin=self.margin)


@dataclass(frozen=True)
class OpCase:
    """One primitive of the rule table as the tests exercise it.

    ``call`` is the public spelling (``x * y``, ``x.exp()``, ``2.0 ** x``...), taking one
    argument per :class:`Domain` in ``args`` and then the parameter, if ``params`` is not
    empty.  ``args`` lists the op's arguments in order: a Domain for each differentiable
    input, a float for a constant (the base of ``2.0 ** x``).

    Examples:
        >>> from autograd_lite import primitive
        >>> from autograd_lite.testing import OP_CASES, Domain, OpCase
        >>> cube = primitive("cube_for_opcase", lambda x: x ** 3, lambda out, x: (3 * x * x,))
        >>> CUBE = OpCase("cube", "cube_for_opcase", cube, (Domain(-10.0, 10.0),))
        >>> CUBE.domains, CUBE.expression()(2.0)
        ((Domain(low=-10.0, high=10.0, avoid=(), guard='real', margin=0.01),), 8.0)
        >>> [case.name for case in OP_CASES][:4]        # the built-ins, for expressions(...)
        ['add', 'radd', 'sub', 'rsub']
    """

    name: str
    op: str
    call: Callable[..., Any]
    args: tuple[Domain | float, ...]
    params: tuple[Any, ...] = ()

    @property
    def domains(self) -> tuple[Domain, ...]:
        """The Domains of the differentiable inputs."""
        return tuple(a for a in self.args if isinstance(a, Domain))

    def primitive_args(self) -> list[float]:
        """One valid call of the primitive: a point inside each Domain (0.75, moved into the
        domain), the constants, then the first parameter."""
        args = [a if not isinstance(a, Domain) else min(max(0.75, a.low + 0.25), a.high)
                for a in self.args]
        return args + list(param_args(self.params[0]) if self.params else ())

    def expression(self, param: float | None = None) -> Expression:
        """The primitive as a one-step :class:`Expression` over its differentiable inputs."""
        refs = iter(range(len(self.domains)))
        step = (self.op, *(next(refs) if isinstance(a, Domain) else a for a in self.args))
        if self.params:
            step += param_args(self.params[0] if param is None else param)
        return Expression(len(self.domains), (step,))


def param_args(param: Any) -> tuple[float, ...]:
    """An entry of :attr:`OpCase.params` as the primitive's trailing arguments."""
    return tuple(param) if isinstance(param, tuple) else (param,)


def _public(name: str) -> Any:
    """A public function of :mod:`autograd_lite` by its dotted name (``"math.fsum"``)."""
    return functools.reduce(getattr, name.split("."), autograd_lite)


def _op_case(op: str, case: rules.Case) -> OpCase:
    """The :class:`OpCase` of a built-in's :class:`~autograd_lite.core.rules.Case`: its call
    as a function of the inputs and parameter, its Domains with their strategies."""
    if case.call is None:
        call = _public(case.uses) if case.uses else rules.PRIMITIVES[op]
    else:
        call = functools.partial(case.call, _public(case.uses)) if case.uses else case.call
    args = tuple(Domain.of(a) if isinstance(a, rules.Domain) else a for a in case.args)
    return OpCase(case.name, op, call, args, case.params)


WIDE = Domain.of(rules.WIDE)
POSITIVE = Domain.of(rules.POSITIVE)
KINK_AT_0 = Domain.of(rules.KINK_AT_0)

OP_CASES: tuple[OpCase, ...] = tuple(_op_case(op, case) for op, cases in rules.CASES.items()
                                     for case in cases)
"""The test table, made from the rule table (:data:`~autograd_lite.core.rules.CASES`): every
built-in primitive's cases.  A built-in declares its own (see "Add a built-in primitive" in
docs/how-to/develop.md) and every mode's tests pick it up."""


def _avoid_table() -> dict[tuple[str, int], tuple[float, ...]]:
    """(op, argument position) -> points to keep away from, from every primitive using it."""
    table: dict[tuple[str, int], tuple[float, ...]] = {}
    for p in OP_CASES:
        for position, a in enumerate(p.args):
            if isinstance(a, Domain) and a.avoid:
                table[p.op, position] = tuple(sorted({*table.get((p.op, position), ()),
                                                      *a.avoid}))
    return table


AVOID = _avoid_table()
"""Kinks and domain edges per (op, argument position), gathered from :data:`OP_CASES`."""


RELATIVE_KINKS: dict[str, Callable[[float, float], float]] = {
    op: case.kink for op, cases in rules.CASES.items() for case in cases
    if case.kink is not None}
"""Kinks that depend on two arguments, from the rule table: the op is smooth where
``f(x, y)`` keeps its sign (ties of minimum and maximum; the jumps of fmod at integer and of
remainder at half-integer quotients)."""


def keyword_arguments(f: Callable[..., Any], **strategies: Any
                      ) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for ``f`` drawn by hypothesis: a dict with one entry per parameter
    of ``f``, in the signature's order.

    Each parameter takes the strategy given under its name, or a shorthand: a ``(low,
    high)`` pair is :func:`safe_floats` over that range, a number is that number.  A
    parameter with a default that is not given keeps its default (left out); one without a
    default must be given.

    Raises:
        TypeError: ``f`` is not callable or has no signature, or a strategy is none of these.
        ValueError: a name is not a parameter of ``f``, or a parameter without a default
            has no strategy.

    Examples:
        >>> from hypothesis import given, settings
        >>> from autograd_lite.testing import keyword_arguments
        >>> def discount(rate, years, compounding=1):
        ...     return (1 + rate / compounding) ** -(years * compounding)
        >>> @settings(max_examples=20, derandomize=True)
        ... @given(keyword_arguments(discount, rate=(0.0, 0.2), years=(0.5, 30.0)))
        ... def test_drawn(inputs):
        ...     assert sorted(inputs) == ["rate", "years"] and 0.0 <= inputs["rate"] <= 0.2
        >>> test_drawn()
    """
    who = "keyword_arguments"
    if not callable(f):
        raise TypeError(f"{who}: f must be callable, got {type(f).__name__} {f!r}")
    try:
        parameters = inspect.signature(f).parameters
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {f!r} has no signature to read parameter names from") from None
    named = {n: p for n, p in parameters.items()
             if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY)}
    unknown = [n for n in strategies if n not in named]
    if unknown:
        raise ValueError(f"{who}: {', '.join(unknown)} not a parameter of "
                         f"{getattr(f, '__name__', f)!r} (its parameters: {', '.join(named)})")
    missing = [n for n, p in named.items() if p.default is p.empty and n not in strategies]
    if missing:
        raise ValueError(f"{who}: no strategy for {', '.join(missing)} (parameters of "
                         f"{getattr(f, '__name__', f)!r} without a default)")
    drawn: dict[str, st.SearchStrategy[Any]] = {}
    for name in named:
        if name not in strategies:
            continue
        given = strategies[name]
        if isinstance(given, st.SearchStrategy):
            drawn[name] = given
        elif (isinstance(given, tuple) and len(given) == 2
              and all(isinstance(b, int | float) and not isinstance(b, bool) for b in given)):
            drawn[name] = safe_floats(given[0], given[1])
        elif isinstance(given, int | float) and not isinstance(given, bool):
            drawn[name] = st.just(given)
        else:
            raise TypeError(f"{who}: {name}: expected a strategy, a (low, high) pair or a "
                            f"number, got {type(given).__name__} {given!r}")
    order = list(drawn)
    return st.fixed_dictionaries(drawn).map(lambda d: {name: d[name] for name in order})


# -- random expressions ------------------------------------------------------------------
Step = tuple[str | int | float, ...]
"""``(op, arg, ..., param)``: an ``int`` arg names a register, a ``float`` is a constant."""


@dataclass(frozen=True, repr=False)
class Expression:
    """A straight-line program over ``n_inputs`` inputs: a Wengert list of primitives.

    Registers ``0 .. n_inputs - 1`` hold the inputs; step ``k`` writes register
    ``n_inputs + k``.  A step is ``(op, arg, ..., param)`` where an ``int`` arg reads a
    register and a ``float`` arg is a constant; ops with a parameter (``powc``,
    ``leaky_relu``) take it last.  The output is the last register.  Calling the expression
    evaluates it, so it can be passed wherever a function ``f(*inputs)`` is expected.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.testing import Expression
        >>> e = Expression(2, (("mul", 0, 1), ("exp", 2)))    # v2 = x0 * x1; v3 = exp(v2)
        >>> e(0.5, 2.0)                                      # on floats
        2.718281828459045
        >>> x = Value(0.5)
        >>> e(x, 2.0).backward()                             # on Values: a graph
        >>> x.grad                                           # 2 e^(x0 x1)
        5.43656365691809
    """

    n_inputs: int
    steps: tuple[Step, ...]
    _ops: tuple[Primitive, ...] = field(init=False, compare=False)
    _args: tuple[tuple[int | float, ...], ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.n_inputs < 0 or not self.steps:
            raise ValueError("Expression: needs n_inputs >= 0 and at least one step")
        ops: list[Primitive] = []
        all_args: list[tuple[int | float, ...]] = []
        for k, step in enumerate(self.steps):
            name, *rest = step
            op = rules.PRIMITIVES.get(name) if isinstance(name, str) else None
            if op is None:
                raise ValueError(f"Expression: step {k}: unknown op {name!r}")
            n_args = len(rest) - op.params
            if n_args < 0 or (op.arity is not None and n_args != op.arity):
                raise ValueError(f"Expression: step {k}: wrong number of arguments for {name}")
            args: list[int | float] = []
            for a in rest:
                valid = (0 <= a < self.n_inputs + k if type(a) is int
                         else type(a) is float and math.isfinite(a))
                if isinstance(a, str) or not valid:
                    raise ValueError(f"Expression: step {k}: {a!r} is neither a register set "
                                     "before (int) nor a finite constant (float)")
                args.append(a)
            ops.append(op)
            all_args.append(tuple(args))
        object.__setattr__(self, "_ops", tuple(ops))
        object.__setattr__(self, "_args", tuple(all_args))

    @property
    def ops(self) -> frozenset[str]:
        """The names of the ops the program uses."""
        return frozenset(op.name for op in self._ops)

    @overload
    def evaluate(self, inputs: Sequence[Value]) -> Value: ...
    @overload
    def evaluate(self, inputs: Sequence[Dual]) -> Dual: ...
    @overload
    def evaluate(self, inputs: Sequence[float]) -> float: ...
    def evaluate(self, inputs: Sequence[Any]) -> Any:
        """Run the program on Values (recording a graph), on Duals or on floats."""
        return self._registers(inputs)[-1]

    def __call__(self, *inputs: Any) -> Any:
        return self.evaluate(inputs)

    def registers(self, inputs: Sequence[Any]) -> list[Any]:
        """Every register after running the program on ``inputs``: the inputs, then each
        step's result (the last is the output)."""
        return self._registers(inputs)

    def _registers(self, inputs: Sequence[Any]) -> list[Any]:
        if len(inputs) != self.n_inputs:
            raise ValueError(f"Expression: expected {self.n_inputs} inputs, got {len(inputs)}")
        registers: list[Any] = list(inputs)
        on_numbers = not any(isinstance(x, (Value, Dual)) for x in inputs)
        for op, rest in zip(self._ops, self._args):
            args = [registers[a] if type(a) is int else a for a in rest]
            # on numbers, as on Values: every intermediate value must be finite
            registers.append(op.evaluate([to_float(a, op.name) for a in args])
                             if on_numbers else op(*args))
        return registers

    def checkable(self, inputs: Sequence[float], eps: float = 1e-6, margin: float = 1e-4,
                  limit: float = 1e4) -> bool:
        """Whether central differences with step ``eps`` are meaningful at ``inputs``.

        False if evaluation raises DomainError, a register exceeds ``limit`` in size, or an
        argument of an op comes within ``margin`` of a kink or domain edge (:data:`AVOID`)
        or crosses it when any input moves by ``eps``.
        """
        points = [list(inputs)]
        for i in range(len(inputs)):
            for delta in (eps, -eps):
                points.append([x + delta if j == i else x for j, x in enumerate(inputs)])
        try:
            traces = [self._registers(p) for p in points]
        except DomainError:
            return False
        if any(abs(v) > limit for v in traces[0]):
            return False
        for op, rest in zip(self._ops, self._args):
            for position, a in enumerate(rest):
                for kink in AVOID.get((op.name, position), ()):
                    seen = [t[a] if type(a) is int else a for t in traces]
                    if len({v > kink for v in seen}) > 1 or abs(seen[0] - kink) < margin:
                        return False
            relative = RELATIVE_KINKS.get(op.name)
            if relative is not None:
                pairs = [[t[a] if type(a) is int else a for a in rest[:2]] for t in traces]
                gaps = [relative(float(x), float(y)) for x, y in pairs]  # evaluated: fmod's y != 0
                if len({g > 0.0 for g in gaps}) > 1 or abs(gaps[0]) < margin:
                    return False
        return True

    # -- reading it ----------------------------------------------------------------------
    def _name(self, a: int | float) -> str:
        if type(a) is int:
            return f"x{a}" if a < self.n_inputs else f"v{a}"
        return repr(a)

    def _line(self, k: int) -> str:
        """``v5 = v3 * v4``: step ``k`` as a line of Python (Values' methods and operators)."""
        op = self._ops[k]
        rest = self._args[k]
        n_args = len(rest) - op.params
        a = [self._name(x) for x in rest[:n_args]]
        param = [repr(x) for x in rest[n_args:]]
        if op.name in ("add", "sub", "mul", "div", "pow"):
            text = f"{a[0]} {op.symbol} {a[1]}"
        elif op.name == "powc":
            text = f"{a[0]} ** {param[0]}"
        elif op.name == "neg":
            text = f"-{a[0]}"
        elif op.name == "fabs":
            text = f"abs({a[0]})"
        elif op.name == "add_n":
            text = f"add_n([{', '.join(a)}])"
        elif op.name == "dot":
            n = len(a) // 2
            text = f"dot([{', '.join(a[:n])}], [{', '.join(a[n:])}])"
        elif not op.builtin:  # a user's: its name is data, never code (it may be anything)
            text = f"PRIMITIVES[{op.name!a}]({', '.join(a + param)})"
        elif hasattr(Value, op.name) and op.arity == 1 and op.name != "clamp":
            text = f"{a[0]}.{op.name}({', '.join(param)})"
        else:  # a built-in primitive with no Value method (sign, dpow): called by name
            text = f"{op.name}({', '.join(a + param)})"
        return f"v{self.n_inputs + k} = {text}"

    @property
    def source(self) -> str:
        """The program as a Python function on Values: operators and Value methods, and
        ``add_n``, ``dot`` and the other built-in primitives called by name; a primitive
        declared with :func:`~autograd_lite.core.rules.primitive` is looked up by its name
        written as a string, ``PRIMITIVES['my_op'](v2)``, so no name can become code.  Run
        it in a namespace holding those functions and ``PRIMITIVES``
        (``{**rules.PRIMITIVES, "PRIMITIVES": rules.PRIMITIVES, "add_n": add_n, "dot": dot}``).
        """
        inputs = ", ".join(f"x{i}" for i in range(self.n_inputs))
        body = [f"    {self._line(k)}" for k in range(len(self.steps))]
        return "\n".join([f"def f({inputs}):", *body,
                          f"    return v{self.n_inputs + len(self.steps) - 1}"])

    def __repr__(self) -> str:
        lines = [f"    {step!r},  # {self._line(k)}" for k, step in enumerate(self.steps)]
        return "\n".join([f"Expression(n_inputs={self.n_inputs}, steps=(", *lines, "))"])


def pick(cases: Sequence[OpCase], draw: bytes) -> OpCase:
    """The case whose name, hashed with ``draw``, weighs most (rendezvous hashing).

    A campaign draws a key (:data:`DRAWS`) and picks by name, not by position: adding a case
    changes only the draws the new case wins, and removing one only those it won.  The
    weight is BLAKE2b of the key and the name (stable across runs, unlike ``hash``).
    (Hypothesis builds each example from the earlier ones, so a seeded campaign still
    differs from the first example in which a new case wins a draw.)

    Examples:
        >>> from autograd_lite.testing import OP_CASES, pick
        >>> keys = [k.to_bytes(8, "little") for k in range(1000)]
        >>> first = [pick(OP_CASES, key).name for key in keys]
        >>> fewer = [c for c in OP_CASES if c.name != "exp"]
        >>> all(a == pick(fewer, key).name for a, key in zip(first, keys) if a != "exp")
        True
    """
    if not cases:
        raise ValueError("pick: no cases to pick from")
    return max(cases, key=lambda case: hashlib.blake2b(draw + case.name.encode(),
                                                       digest_size=8).digest())


DRAWS = st.binary(min_size=8, max_size=8)
"""The keys :func:`pick` takes, one per primitive a random expression uses: 8 bytes, not an
integer, because hypothesis also draws integers from the literals of the modules loaded
(its "local constants"), which would make a seeded campaign depend on what was imported."""


@st.composite
def _expressions(draw: st.DrawFn, n_inputs: int, max_ops: int,
                 primitives: tuple[OpCase, ...]) -> Expression:
    steps: list[Step] = []
    used: set[int] = set()

    def push(step: Step) -> int:
        used.update(a for a in step[1:] if type(a) is int)
        steps.append(step)
        return n_inputs + len(steps) - 1

    def guarded(domain: Domain, register: int) -> int:
        if domain.guard == "positive":
            return push(("add", push(("mul", register, register)), 0.5))
        if domain.guard == "bounded":
            return push(("tanh", register))
        if domain.guard == "above_one":
            return push(("add", push(("mul", register, register)), 1.5))
        if domain.guard == "small":
            return push(("mul", push(("tanh", register)), 0.5))
        return register

    for k in range(draw(st.integers(1, max_ops))):
        p = pick(primitives, draw(DRAWS) + k.to_bytes(4, "little"))  # a key seen again
        # (hypothesis often draws one twice) picks another case at another step
        args: list[str | int | float] = [
            guarded(a, draw(st.integers(0, n_inputs + len(steps) - 1)))
            if isinstance(a, Domain) else a for a in p.args]
        if p.params:
            args += param_args(draw(st.sampled_from(p.params)))
        push((p.op, *args))
    dangling = [r for r in range(n_inputs, n_inputs + len(steps)) if r not in used]
    if len(dangling) > 1:
        push(("add_n", *dangling))
    return Expression(n_inputs, tuple(steps))


def expressions(n_inputs: int = 2, max_ops: int = 8,
                primitives: Sequence[OpCase] = OP_CASES) -> st.SearchStrategy[Expression]:
    """Random :class:`Expression`\\ s over ``n_inputs`` inputs.

    Draws up to ``max_ops`` primitives (guard steps not counted), each reading earlier
    registers -- the same one twice gives ``a + a``, ``a * a``; reuse gives diamonds -- and
    finally sums every result nothing else read, so every step reaches the output.  Guards
    keep every op in its domain for every real input; magnitudes and kinks depend on the
    inputs: see :meth:`Expression.checkable` and :func:`expression_cases`.

    Examples:
        >>> from hypothesis import given, settings
        >>> from autograd_lite.testing import assert_gradients_match, expressions
        >>> @settings(max_examples=20, derandomize=True)
        ... @given(expressions(n_inputs=2, max_ops=6))
        ... def test_random_graphs(expression):
        ...     if expression.checkable([0.3, -0.7]):   # away from kinks, edges and overflow
        ...         assert_gradients_match(expression, [0.3, -0.7])
        >>> test_random_graphs()
    """
    if n_inputs < 1 or max_ops < 1:
        raise ValueError("expressions: n_inputs and max_ops must be at least 1")
    return _expressions(n_inputs, max_ops, tuple(primitives))


@st.composite
def _cases(draw: st.DrawFn, expression: st.SearchStrategy[Expression],
           inputs: st.SearchStrategy[float]) -> tuple[Expression, list[float]]:
    e = draw(expression)
    xs = [draw(inputs) for _ in range(e.n_inputs)]
    assume(e.checkable(xs))
    return e, xs


def expression_cases(n_inputs: int = 2, max_ops: int = 8, low: float = -2.0,
                     high: float = 2.0) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """``(expression, inputs)`` with inputs in ``[low, high]`` where it is :meth:`checkable`.

    Examples:
        >>> import math
        >>> from hypothesis import given, settings
        >>> from autograd_lite import Value, jvp
        >>> from autograd_lite.testing import expression_cases
        >>> @settings(max_examples=20, derandomize=True)
        ... @given(expression_cases(n_inputs=2, max_ops=6))
        ... def test_forward_mode_agrees(case):
        ...     expression, inputs = case
        ...     x = [Value(v) for v in inputs]
        ...     expression(*x).backward()
        ...     _, tangent = jvp(expression, inputs, [1.0, 0.0])
        ...     assert math.isclose(tangent, x[0].grad, rel_tol=1e-9, abs_tol=1e-9)
        >>> test_forward_mode_agrees()
    """
    return _cases(expressions(n_inputs, max_ops), safe_floats(low, high))


def assert_gradients_match(f: Callable[..., Any], inputs: Sequence[float], *,
                           eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Assert that ``backward`` agrees with central differences for every input of ``f``.

    ``f`` takes one Value per input and returns a Value.  The test per input ``i`` is
    ``|x_i.grad - central_difference| <= atol + rtol * |central_difference|``.  The message
    names each input by ``f``'s parameter (``x0``, ``x1`` ... where it has none).

    Examples:
        >>> from autograd_lite import primitive
        >>> from autograd_lite.testing import assert_gradients_match
        >>> assert_gradients_match(lambda a, b: (a * b).tanh() + b.log(), [0.5, 2.0])
        >>> wrong = primitive("wrong_square_match", lambda x: x * x, lambda out, x: (x,))
        >>> assert_gradients_match(wrong, [3.0])
        Traceback (most recent call last):
            ...
        AssertionError: ...
    """
    names = [name or f"x{i}" for i, name in enumerate(parameter_names(f, len(inputs)))]
    leaves = [Value(x, name) for x, name in zip(inputs, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"assert_gradients_match: f must return a Value, got "
                        f"{type(out).__name__}")
    if out.requires_grad:
        out.backward()
    problems = []
    for i, leaf in enumerate(leaves):
        numerical = central_difference(f, inputs, i, eps)
        if not abs(leaf.grad - numerical) <= atol + rtol * abs(numerical):
            problems.append(f"  d f / d {names[i]}: backward {leaf.grad!r}, "
                            f"central difference {numerical!r}")
    if problems:
        where = ", ".join(f"{name}={x!r}" for name, x in zip(names, inputs))
        raise AssertionError(
            f"gradients do not match at {where} (eps={eps}, atol={atol}, rtol={rtol}):\n"
            + "\n".join(problems) + f"\nfor f = {f!r}")

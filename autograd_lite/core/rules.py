"""The rule table: every primitive declared once, by the same call users make.

A primitive is a name, a forward function on floats, and a derivative rule::

    exp = primitive("exp", _exp, lambda out, x: (out,))

``forward(*floats) -> float`` computes the value and raises :class:`DomainError` outside
its domain.  ``partials(out, *args)`` returns d out / d arg for each differentiable argument,
written with arithmetic and other primitives only, so the same rule runs on floats (eager
backward), on Values (create_graph: derivatives of derivatives), on dual numbers (forward
mode), on symbols (the Wengert list and generated code) and on NumPy arrays (batch replay).

Calling a primitive dispatches on its arguments: plain numbers are evaluated at once; a
``Value``, ``Dual``, symbol or array argument hands the call to the *carrier* registered for
that type (:func:`register_carrier`), which records a node, carries a tangent, writes text...
This module knows none of them: each registers itself from the floor above.

A primitive may take trailing *parameters* (``params``): constants with no derivative, such
as the exponent of ``x ** 2`` or the slope of ``leaky_relu``.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from autograd_lite.core import special as _special
from autograd_lite.core.errors import DomainError

Forward = Callable[..., float]
Partials = Callable[..., Sequence[Any]]
Carrier = Callable[["Primitive", tuple[Any, ...]], Any]

_CARRIERS: dict[type, Carrier | None] = {}
_CARRIERS_BY_NAME: dict[str, Carrier] = {}


def register_carrier(cls: type | str, carrier: Carrier) -> None:
    """Send every primitive call that has an argument of type ``cls`` to ``carrier``.

    ``cls`` may be given as ``"module.QualName"`` for a type whose module should not be
    imported until such a value shows up (``"numpy.ndarray"``).
    """
    if isinstance(cls, str):
        _CARRIERS_BY_NAME[cls] = carrier
    else:
        _CARRIERS[cls] = carrier


def _carrier_of(t: type) -> Carrier | None:
    """The carrier of type ``t`` or of its nearest registered base class (cached)."""
    if t in _CARRIERS:
        return _CARRIERS[t]
    carrier = None
    for base in t.__mro__:
        carrier = (_CARRIERS.get(base)
                   or _CARRIERS_BY_NAME.get(f"{base.__module__}.{base.__qualname__}"))
        if carrier is not None:
            break
    if carrier is not None or t.__module__ != "builtins":
        _CARRIERS[t] = carrier  # None: known to have no carrier
    return carrier


def to_float(x: object, what: str) -> float:
    """A real number (int, float, NumPy scalar, Fraction...) as a finite float.

    Raises ``TypeError`` naming ``what`` and the type for bool, str, None, complex and the
    like, and :class:`DomainError` for nan, infinities and ints too large for a float.
    ``what`` is a name, or ``"name: which argument"`` (``mul(nan): argument 1: ...``).
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
            raise _not_a_finite_number(what, infinity,
                                       f" ({type(x).__name__} too large for a float)") from None
    if f - f != 0.0:
        raise _not_a_finite_number(what, f, "")
    return f


def _not_a_finite_number(what: str, x: float, detail: str) -> DomainError:
    name, _, argument = what.partition(": ")
    return DomainError(name, (x,), f"{argument + ': ' if argument else ''}expected a finite "
                                   f"number{detail}")


def not_finite(name: str, args: Sequence[float]) -> DomainError:
    """The error for a primitive whose result is nan or infinite."""
    return DomainError(name, tuple(args), "result is not a finite float")


@dataclass(frozen=True, slots=True, eq=False)
class Primitive:
    """One differentiable function: ``name``, how it is drawn (``symbol``, ``infix``),
    ``forward`` on floats and the derivative rule ``partials``.

    ``arity`` counts the differentiable arguments (``None``: any number), ``params`` the
    trailing constant parameters.  ``array_forward(np, *arrays)``, if given, is the forward
    function on NumPy arrays (otherwise ``forward`` runs element by element); ``text``, if
    given, writes the primitive for people (operands as text, parameters as numbers), as the
    Wengert list shows it.  Immutable; equal only to itself.

    Examples:
        Made by :func:`primitive` (or built in, as every function of the rule table):

        >>> from autograd_lite import Primitive, Value, math
        >>> isinstance(math.tanh, Primitive), math.tanh.name, math.tanh.arity
        (True, 'tanh', 1)
        >>> math.tanh(0.0), math.tanh(Value(0.0)).op is math.tanh   # a float; a recorded node
        (0.0, True)
    """

    name: str
    forward: Forward
    partials: Partials
    arity: int | None = 1
    params: int = 0
    symbol: str = ""
    infix: bool = False
    array_forward: Callable[..., Any] | None = None
    text: Callable[..., str] | None = None
    builtin: bool = False

    def __post_init__(self) -> None:
        if not self.symbol:
            object.__setattr__(self, "symbol", self.name)
        if not self.builtin:  # a user's functions: their results are checked where applied
            object.__setattr__(self, "forward", _checked_forward(self.name, self.forward))
            object.__setattr__(self, "partials", _checked_rule(self, self.partials))

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __call__(self, *args: Any) -> Any:
        """Apply to numbers (the float function: its domain errors, Python's float
        arithmetic), or hand the call to the carrier of an argument's type (a Value records a
        node and refuses a non-finite value, a Dual carries its tangent...)."""
        for a in args:
            if type(a) is not float or a - a != 0.0:
                break
        else:  # finite floats only (a derivative rule evaluated by a carrier): the function
            if self.arity is not None and len(args) != self.arity + self.params:
                self.check_count(len(args))
            return self.forward(*args)
        for a in args:
            if type(a) is not float:
                carrier = _carrier_of(type(a))
                if carrier is not None:
                    return carrier(self, args)
        floats = [to_float(a, f"{self.name}: argument {k}") for k, a in enumerate(args)]
        self.check_count(len(floats))
        return self.forward(*floats)  # on numbers, an infinite slope (dpow at 0) is a result

    def evaluate(self, floats: Sequence[float]) -> float:
        """``forward(*floats)``, refusing a nan or infinite result: every mode's one check."""
        if self.arity is not None and len(floats) != self.arity + self.params:
            self.check_count(len(floats))
        out = self.forward(*floats)
        if out - out != 0.0:
            raise not_finite(self.name, floats)
        return out

    def check_count(self, n: int) -> None:
        """Raise TypeError unless ``n`` arguments (parameters included) fit this primitive."""
        if self.arity is not None and n != self.arity + self.params:
            raise TypeError(f"{self.name}: expected {self.arity + self.params} arguments, "
                            f"got {n}")

    # -- identity: one object per primitive, copied and serialised by reference ---------------
    def __copy__(self) -> Primitive:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Primitive:
        """The primitive itself: a copied graph keeps ``node.op is math.exp``."""
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Serialised by name, restored as the rule table's primitive of that name (its
        functions are code, often lambdas, never serialised)."""
        if PRIMITIVES.get(self.name) is not self:
            raise TypeError(f"Primitive {self.name!r}: not the primitive the rule table holds "
                            "under that name (declared again since?), so it cannot be "
                            "serialised by name")
        return (Primitive.named, (self.name,))

    @classmethod
    def named(cls, name: str) -> Primitive:
        """The primitive of the rule table called ``name`` (KeyError naming it if none).

        Examples:
            >>> from autograd_lite import Primitive, math
            >>> Primitive.named("exp") is math.exp
            True
        """
        try:
            return PRIMITIVES[name]
        except KeyError:
            raise KeyError(f"Primitive.named: no primitive called {name!r} in the rule table "
                           "(a primitive you declare must be declared again before use)"
                           ) from None


PRIMITIVES: dict[str, Primitive] = {}
"""Every primitive by name: the built-ins below, then those users declare."""


def primitive(name: str, forward: Callable[..., float], partials: Partials, *,
              params: int = 0) -> Primitive:
    """Declare a differentiable function and return it (callable on numbers, Values, Duals).

    ``forward(*floats) -> float`` computes the value; it should raise
    :class:`DomainError` (a ValueError) outside its domain -- a ``ValueError`` or
    ``OverflowError`` from :mod:`math` is turned into one, naming ``name``.
    ``partials(out, *args)`` returns one local derivative per argument, written with arithmetic
    and the functions of :mod:`autograd_lite.math`, so one rule serves every mode::

        softplus = primitive("my_softplus",
                             lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
                             lambda out, x: (1 / (1 + am.exp(-x)),))

    The number of arguments is taken from ``forward``'s signature (``*args``: any number).
    ``name`` is data: it is shown as text and never becomes code.

    Raises:
        TypeError: ``name`` is empty or not a str, ``forward`` or ``partials`` is not callable, or
            ``forward`` takes too few arguments.
        ValueError: ``name`` is a built-in primitive's.

    Examples:
        >>> import math
        >>> from autograd_lite import Value, grad, jvp, primitive
        >>> from autograd_lite import math as am
        >>> softplus = primitive("my_softplus",
        ...                      lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
        ...                      lambda out, x: (1 / (1 + am.exp(-x)),))
        >>> x = Value(0.0)
        >>> grad(softplus(x), x)                    # sigmoid(0)
        0.5
        >>> jvp(softplus, [0.0], [1.0])             # forward mode from the same rule
        (0.6931471805599453, 0.5)
        >>> grad(grad(softplus(x), x, create_graph=True), x)    # sigmoid'(0)
        0.25
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"primitive: name must be a non-empty str, got {name!r}")
    if name in PRIMITIVES and PRIMITIVES[name].builtin:
        raise ValueError(f"primitive: {name!r} is a built-in primitive; choose another name")
    if not callable(forward) or not callable(partials):
        raise TypeError(f"primitive {name!r}: forward and partials must be callables")
    n = _positional_count(forward)
    if n is not None and n < params:
        raise TypeError(f"primitive {name!r}: forward takes {n} arguments, fewer than "
                        f"params={params}")
    if n is not None and not _accepts(partials, 1 + n):
        raise TypeError(f"primitive {name!r}: partials must take (out, *args): {1 + n} arguments "
                        f"for a forward of {n}, but its signature does not accept them")
    p = Primitive(name, forward, partials, arity=None if n is None else n - params,
                  params=params)
    PRIMITIVES[name] = p
    return p


def _positional_count(f: Callable[..., Any]) -> int | None:
    """How many positional arguments ``f`` takes (None for ``*args``)."""
    import inspect

    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return None
    count = 0
    for p in parameters:
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _accepts(f: Callable[..., Any], n: int) -> bool:
    """Whether ``f`` can be called with ``n`` positional arguments (True if unknown)."""
    import inspect

    try:
        inspect.signature(f).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # no signature to read (some built-in callables)
        return True
    return True


def _checked_rule(op: Primitive, partials: Partials) -> Partials:
    """A user's derivative rule whose result is checked wherever it is applied (reverse,
    forward, higher order, code): a tuple or list of one derivative per differentiable
    argument, none of them None, a str or a bool -- else a TypeError naming the primitive."""
    def checked(out: Any, *args: Any) -> Sequence[Any]:
        result = partials(out, *args)
        expected = len(args) - op.params if op.arity is None else op.arity
        if not isinstance(result, (tuple, list)):
            raise TypeError(f"primitive {op.name!r}: its derivative rule returned "
                            f"{type(result).__name__} {result!r}; expected a tuple of "
                            f"{expected} derivative(s), one per differentiable argument")
        if len(result) != expected:
            raise TypeError(f"primitive {op.name!r}: its derivative rule returned an incorrect "
                            f"number of derivatives (expected {expected}, got {len(result)}): "
                            f"{result!r}")
        for k, d in enumerate(result):
            if d is None or isinstance(d, (str, bytes, bool)):
                raise TypeError(f"primitive {op.name!r}: its derivative rule returned "
                                f"{type(d).__name__} {d!r} as derivative {k}; expected a number "
                                "(or a Value, Dual... when the rule runs on one)")
        return result

    return checked


def _checked_forward(name: str, forward: Callable[..., Any]) -> Forward:
    """``forward`` with errors named after the primitive and a real float result."""
    def checked(*xs: float) -> float:
        try:
            out = forward(*xs)
        except DomainError:
            raise
        except OverflowError:
            raise DomainError(name, xs, "result overflows a float") from None
        except (ValueError, ZeroDivisionError) as error:
            raise DomainError(name, xs, str(error) or type(error).__name__) from None
        if type(out) is not float:
            out = to_float(out, f"{name} (its forward result)")
        return out

    return checked


# -- what the tests need to know about a built-in, declared with it -------------------------
@dataclass(frozen=True, slots=True)
class Domain:
    """Where the tests draw one input of a primitive from: floats in ``[low, high]`` at
    least ``margin`` from each point of ``avoid`` (kinks, domain edges).

    ``guard`` says how a random expression makes any value acceptable: ``"real"`` (no need),
    ``"positive"`` (``v * v + 0.5``), ``"above_one"`` (``v * v + 1.5``), ``"bounded"``
    (``tanh(v)``, against overflow) or ``"small"`` (``0.5 * tanh(v)``).  Plain data; the
    hypothesis strategy is :class:`autograd_lite.testing.Domain`'s ``floats()``.

    Examples:
        >>> from autograd_lite.core import rules
        >>> rules.CASES["log"][0].args           # log's input: positive, guarded by v * v + 0.5
        (Domain(low=0.001, high=1000000.0, avoid=(), guard='positive', margin=0.01),)
    """

    low: float
    high: float
    avoid: tuple[float, ...] = ()
    guard: str = "real"
    margin: float = 1e-2


@dataclass(frozen=True, slots=True)
class Case:
    """How the tests call a built-in primitive, and the independent formulas they compare with.

    ``call`` is the public spelling (``lambda x, y: x + y``, ``lambda x: x.exp()``).  With
    ``uses``, the dotted name of a public function of :mod:`autograd_lite` (``"math.fsum"``),
    ``call`` receives that function first (``lambda fsum, a, b, c: fsum([a, b, c])``), or
    is that function when ``None``; with neither, the primitive itself is called.  ``args``
    gives the primitive's arguments in order: a :class:`Domain` for each input, a float for
    a constant (the 2.5 of ``2.5 + x``); ``params``, the values its parameter takes (a tuple
    for two parameters).  ``value`` and ``derivative`` (d out / d input, one per input) take
    the inputs, then the parameter: formulas written out with :mod:`math`, independently of
    the rule they check.  ``name`` tells two cases of one primitive apart (the primitive's
    name if not given); ``atol`` is the absolute tolerance of the derivative, for a rule
    computed from the output (tanh' = 1 - t**2 loses relative precision near saturation).
    ``kink``, for a kink that depends on the first two inputs together: the primitive is
    smooth where ``kink(x, y)`` keeps its sign (the ties of minimum; fmod's jumps at
    integer quotients), so tests keep away from its zeros.

    Examples:
        >>> from autograd_lite.core import rules
        >>> [case.name for case in rules.CASES["add"]]      # x + y and 2.5 + x
        ['add', 'radd']
        >>> case = rules.CASES["sin"][0]
        >>> case.value(0.5) == rules.sin(0.5), case.derivative(0.0)
        (True, (1.0,))
    """

    call: Callable[..., Any] | None
    args: tuple[Domain | float, ...]
    value: Callable[..., float]
    derivative: Callable[..., tuple[float, ...]]
    params: tuple[Any, ...] = ()
    name: str = ""
    uses: str = ""
    atol: float = 1e-300
    kink: Callable[[float, float], float] | None = None


CASES: dict[str, tuple[Case, ...]] = {}
"""Every built-in primitive's test cases, by name, in the order of the table."""


def _builtin(name: str, forward: Forward, partials: Partials, *, tests: Sequence[Case],
             **options: Any) -> Primitive:
    """Declare a built-in primitive with its test cases."""
    p = Primitive(name, forward, partials, builtin=True, **options)
    PRIMITIVES[name] = p
    CASES[name] = tuple(replace(case, name=case.name or name) for case in tests)
    return p


WIDE = Domain(-1e3, 1e3)
POSITIVE = Domain(1e-3, 1e6, guard="positive")
KINK_AT_0 = Domain(-1e3, 1e3, avoid=(0.0,), margin=1e-3)
_NONZERO = Domain(-1e3, 1e3, avoid=(0.0,), guard="positive")
_UNIT = Domain(-0.99, 0.99, avoid=(-1.0, 1.0), guard="bounded", margin=1e-3)
_GAMMA = Domain(-4.9, 20.0, avoid=(0.0, -1.0, -2.0, -3.0, -4.0), guard="positive", margin=0.05)
_STEPS = Domain(-20.0, 20.0, avoid=tuple(float(k) for k in range(-20, 21)), guard="bounded",
                margin=1e-3)
_BELOW = Domain(-1e3, -1.0)
_ABOVE = Domain(1.0, 1e3)
_CLAMPED = Domain(-10.0, 10.0, avoid=(-1.0, 0.0, 2.0, 6.0), margin=1e-3)
# away from the roots of y (y - 1) (y - 2) and of its slopes (relative rounding there)
_FALLING_ROOTS = (0.0, 0.5, 1.0, 2.0, 1.0 - 3.0 ** -0.5, 1.0 + 3.0 ** -0.5)
_FALLING = Domain(-3.0, 3.0, avoid=_FALLING_ROOTS, margin=0.03)
_FALLING_EXPONENT = Domain(-1.0, 0.9, avoid=_FALLING_ROOTS, guard="bounded", margin=0.03)


def _reference_tanh_slope(x: float) -> float:
    """tanh'(x) = 1 / cosh(x)**2, 0 where cosh overflows."""
    return 1.0 / math.cosh(x) ** 2 if abs(x) < 350.0 else 0.0


def _reference_sigmoid_slope(x: float) -> float:
    """e^-x / (1 + e^-x)**2, written with |x| (it is even)."""
    e = math.exp(-abs(x))
    return e / (1.0 + e) ** 2


def _reference_polygamma(x: float, n: float) -> float:
    """psi_n(x) = psi_n(x + 1) + (-1)**(n + 1) n! / x**(n + 1): the recurrence, one step."""
    return float(_special.polygamma(n, x + 1.0)
                 + (-1.0) ** (n + 1) * math.factorial(int(n)) / x ** (n + 1))


# -- the float functions behind the built-ins (domain checks name the primitive) -------------
def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise DomainError("div", (x, y), "division by zero")
    return x / y


def _powc(x: float, c: float) -> float:
    """x ** c for real results only: Python's ``math.pow``, exactly, its errors named (it
    refuses exactly a zero base to a negative power and a negative base to a non-integer
    one, for finite arguments)."""
    try:
        return math.pow(x, c)
    except ValueError:
        raise DomainError("pow", (x, c), "zero to a negative power divides by zero" if x == 0.0
                          else "negative base to a non-integer power is complex") from None
    except OverflowError:
        raise DomainError("pow", (x, c), "result overflows a float") from None


def _pow(x: float, y: float) -> float:
    """x ** y for a differentiable exponent y: needs x > 0, since d/dy x**y = x**y log x --
    or x = 0 with y >= 0 (0 ** y = 0 for y > 0 and 0 ** 0 = 1, constant in y: PyTorch's
    and JAX's d/dy = 0 there)."""
    if x < 0.0 or (x == 0.0 and not y >= 0.0):
        if x == 0.0:
            raise DomainError("pow", (x, y), "zero to a negative power divides by zero")
        raise DomainError("pow", (x, y), "a Value exponent needs a positive base "
                          "(d/dy x**y = x**y * log x); use a number exponent")
    return _powc(x, y)


def _falling(y: float, k: float, m: float) -> float:
    """The m-th derivative in y of the falling factorial y (y - 1) ... (y - k + 1) (1 for
    k = 0), a polynomial of degree k: the product itself for m = 0 (no cancellation near a
    root), else its coefficients, differentiated m times, by Horner."""
    if m == 0.0:
        return math.prod((y - i for i in range(int(k))), start=1.0)
    coefficients = [1.0]  # highest degree first
    for i in range(int(k)):
        coefficients = [a - i * b for a, b in zip([*coefficients, 0.0], [0.0, *coefficients])]
    degree = len(coefficients) - 1
    for _ in range(int(m)):
        coefficients = [c * (degree - j) for j, c in enumerate(coefficients[:-1])]
        degree -= 1
    total = 0.0
    for c in coefficients:
        total = total * y + c
    return total


def _pow_slope(x: float, y: float, k: float) -> float:
    """d^k/dx^k x ** y = y (y - 1) ... (y - k + 1) x ** (y - k) for x >= 0 (the base of
    :data:`pow`).  0 when the falling factorial is 0 (y = 0, 1, ..., k - 1: x ** y is then a
    polynomial of degree < k, or the constant 0 ** 0 = 1), even at x = 0; at x = 0 otherwise
    0 for y > k, the factorial for y = k and +-inf for y < k (PyTorch's
    ``y * 0 ** (y - 1)``); +-inf where x ** (y - k) overflows."""
    falling = _falling(y, k, 0.0)
    if falling == 0.0:
        return 0.0
    if x == 0.0:
        return 0.0 if y > k else (falling if y == k else math.copysign(math.inf, falling))
    if k == 1.0:
        return y * _powc(x, y) / x  # as the rule y * out / x wrote it before x = 0 was allowed
    try:
        return falling * _powc(x, y - k)
    except DomainError as error:
        if not error.reason.endswith("overflows a float"):
            raise
        return math.copysign(math.inf, falling)


def _pow_slope_grad(out: Any, x: Any, y: Any, k: Any) -> tuple[Any, Any]:
    """d/dx = the next derivative; d/dy of f(y) x ** (y - k), f the falling factorial, is
    f(y) x ** (y - k) log x + f'(y) x ** (y - k) for x > 0.  At x = 0 both terms are taken
    as 0 (x enters through ``_positive_or_one`` and a factor ``sign(x)``): as a function of
    y, ``pow_slope(0, y, k)`` is constant except at y = k, where it has no derivative."""
    safe = _positive_or_one(x)
    return (pow_slope(x, y, k + 1.0),
            out * log(safe) + falling(y, k, 1.0) * pow(safe, y - k) * sign(x))


def _positive_or_one(x: Any) -> Any:
    """x for x > 0 and 1 at x = 0, exactly (``sign(x)`` is 0 or 1 on pow's domain x >= 0),
    with derivative 1 and 0: ``log`` of it is log x, or 0 at the base 0."""
    s = sign(x)
    return s * x + (1.0 - s)


def _dpow(x: float, c: float) -> float:
    """d/dx x ** c = c * x ** (c - 1); 0 when c = 0 (x ** 0 = 1 is constant, at x = 0 too),
    ``c * inf`` at x = 0 for c < 1 (the limit from the right: +inf for 0 < c < 1, -inf for
    c < 0, as PyTorch's ``c * 0 ** (c - 1)``), and +-inf where x ** (c - 1) overflows
    (x ** -1 at x = 1e-200): the value is finite there, only the slope is not (as 1 / x)."""
    if c == 0.0:
        return 0.0
    if x == 0.0 and c < 1.0:
        return math.copysign(math.inf, c)
    try:
        return c * math.pow(x, c - 1.0)
    except ValueError:
        _powc(x, c - 1.0)  # raises the DomainError that names it, as x ** c itself would
        raise
    except OverflowError:
        sign = -1.0 if x < 0.0 and (c - 1.0) % 2.0 == 1.0 else 1.0
        return c * sign * math.inf


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise DomainError("exp", (x,), "result overflows a float") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise DomainError("log", (x,), "logarithm needs a positive argument")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise DomainError("sqrt", (x,), "square root needs a non-negative argument")
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), computed without overflow on either tail."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _array_sigmoid(np: Any, x: Any) -> Any:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _array_pow(np: Any, x: Any, y: Any) -> Any:
    # a base < 0 is outside pow's domain even where NumPy has a number: nan, so the
    # replay's finiteness check sends that example through the float rule (and its error);
    # 0 ** y is 0 or 1 for y >= 0, and inf for y < 0 (the float rule's error too)
    return np.where(x >= 0.0, np.power(np.where(x >= 0.0, x, 1.0), y), np.nan)


def _array_powc(np: Any, x: Any, c: Any) -> Any:
    """``np.power`` with :func:`math.pow`'s sign of a zero: NumPy takes ``x ** 0.5`` as the
    square root, -0.0 at -0.0 where ``math.pow`` gives 0.0 (every other exponent agrees).
    Adding 0.0 changes only the sign of a zero; adding -0.0 changes nothing."""
    out = np.power(x, c)
    if type(c) is float:
        return out + 0.0 if c == 0.5 else out
    return out + np.where(np.asarray(c) == 0.5, 0.0, -0.0)


def _array_clamp(np: Any, x: Any, low: Any, high: Any) -> Any:
    """``min(max(x, low), high)`` as Python takes them -- the first of equals, so the sign of
    a zero is the float function's (``np.maximum`` would take the other)."""
    m = np.where(low > x, low, x)
    return np.where(high < m, high, m)


def _array_dpow(np: Any, x: Any, c: Any) -> Any:
    if type(c) is float and c >= 1.0:  # one exponent, no kink at 0: c * x ** (c - 1) alone
        return c * np.power(x, c - 1.0)
    zero_c = np.asarray(c) == 0.0
    infinite = (np.asarray(x) == 0.0) & (np.asarray(c) < 1.0) & ~zero_c
    safe_x = np.where(zero_c | infinite, 1.0, x)
    slope = np.asarray(c) * np.power(safe_x, np.asarray(c) - 1.0)
    return np.where(zero_c, 0.0, np.where(infinite, np.copysign(math.inf, c), slope))


def _sum(*xs: float) -> float:
    """x1 + x2 + ... + xn, left to right."""
    return sum(xs, 0.0)


def _dot(*xs: float) -> float:
    """w . x for xs = (w1..wn, x1..xn), accumulated left to right."""
    n = len(xs) // 2
    return sum(map(operator.mul, xs[:n], xs[n:]), 0.0)


def _array_sum(np: Any, *xs: Any) -> Any:
    total: Any = 0.0
    for x in xs:
        total = total + x
    return total


def _array_dot(np: Any, *xs: Any) -> Any:
    n = len(xs) // 2
    total: Any = 0.0
    for w, x in zip(xs[:n], xs[n:]):
        total = total + w * x
    return total


def _dot_grad(out: Any, *xs: Any) -> tuple[Any, ...]:
    """d(w.x)/dw_i = x_i and d(w.x)/dx_i = w_i."""
    n = len(xs) // 2
    return xs[n:] + xs[:n]


# -- the built-in primitives: one declaration each ---------------------------------------
# Derivative rules call other primitives by their module-level names (resolved when the
# rule runs), so a rule may use a primitive declared further down (declared here for mypy).
log: Primitive
dpow: Primitive
pow_slope: Primitive
falling: Primitive
sin: Primitive
cos: Primitive
relu_slope: Primitive
sign: Primitive
cosh: Primitive
sinh: Primitive
hypot: Primitive
erfc: Primitive
copysign: Primitive
trunc: Primitive
rint: Primitive
ldexp: Primitive
polygamma: Primitive
prod: Primitive
compare: Primitive
clamp_slope: Primitive
clamp: Primitive
add = _builtin("add", operator.add, lambda out, x, y: (1.0, 1.0), arity=2, symbol="+",
               infix=True, array_forward=lambda np, x, y: x + y, tests=[
    Case(lambda x, y: x + y, (WIDE, WIDE), lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    Case(lambda x: 2.5 + x, (2.5, WIDE), lambda x: 2.5 + x, lambda x: (1.0,), name="radd")])
sub = _builtin("sub", operator.sub, lambda out, x, y: (1.0, -1.0), arity=2, symbol="-",
               infix=True, array_forward=lambda np, x, y: x - y, tests=[
    Case(lambda x, y: x - y, (WIDE, WIDE), lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    Case(lambda x: 2.5 - x, (2.5, WIDE), lambda x: 2.5 - x, lambda x: (-1.0,), name="rsub")])
mul = _builtin("mul", operator.mul, lambda out, x, y: (y, x), arity=2, symbol="*",
               infix=True, array_forward=lambda np, x, y: x * y, tests=[
    Case(lambda x, y: x * y, (WIDE, WIDE), lambda x, y: x * y, lambda x, y: (y, x))])
div = _builtin("div", _div, lambda out, x, y: (1.0 / y, -out / y), arity=2, symbol="/",
               infix=True, array_forward=lambda np, x, y: x / y, tests=[
    Case(lambda x, y: x / y, (WIDE, _NONZERO), lambda x, y: x / y,
         lambda x, y: (1.0 / y, -x / (y * y))),
    Case(lambda x: 1.0 / x, (1.0, _NONZERO), lambda x: 1.0 / x, lambda x: (-1.0 / (x * x),),
         name="rdiv")])
neg = _builtin("neg", operator.neg, lambda out, x: (-1.0,), array_forward=lambda np, x: -x,
               tests=[Case(lambda x: -x, (WIDE,), lambda x: -x, lambda x: (-1.0,))])
# x ** y with a differentiable exponent: needs x > 0, d/dx = y x**(y-1), d/dy = x**y log x;
# or x = 0 and y >= 0, where d/dx is pow_slope's value and d/dy = 0 (PyTorch's and JAX's)
pow = _builtin("pow", _pow,
               lambda out, x, y: (pow_slope(x, y, 1.0), out * log(_positive_or_one(x))),
               arity=2, symbol="**", infix=True, array_forward=_array_pow, tests=[
    Case(lambda x, y: x ** y, (Domain(1e-2, 1e2, guard="positive"),
                               Domain(-3.0, 3.0, guard="bounded")), math.pow,
         lambda x, y: (y * math.pow(x, y - 1.0), math.pow(x, y) * math.log(x))),
    Case(lambda x: 2.0 ** x, (2.0, Domain(-50.0, 50.0, guard="bounded")),
         lambda x: math.pow(2.0, x), lambda x: (math.pow(2.0, x) * math.log(2.0),),
         name="rpow")])
# the k-th derivative of x ** y in x, for pow's rule: differentiable again, in x and in y
# (tested for k = 1: y x^(y-1), and k = 2: y (y-1) x^(y-2), with their slopes in x and y)
pow_slope = _builtin("pow_slope", _pow_slope, _pow_slope_grad, arity=2, params=1, tests=[
    Case(None, (Domain(1e-2, 1e2, guard="positive"), _FALLING_EXPONENT),
         lambda x, y, k: (y if k == 1 else y * (y - 1.0)) * math.pow(x, y - k),
         lambda x, y, k: (
             (y * (y - 1.0) * math.pow(x, y - 2.0),
              math.pow(x, y - 1.0) * (1.0 + y * math.log(x)))
             if k == 1 else
             (y * (y - 1.0) * (y - 2.0) * math.pow(x, y - 3.0),
              math.pow(x, y - 2.0) * (2.0 * y - 1.0 + y * (y - 1.0) * math.log(x)))),
         params=(1.0, 2.0))])
# the m-th derivative of the falling factorial y (y - 1) ... (y - k + 1), for pow_slope's rule
# (tested as y (y - 1) = y^2 - y and y (y - 1) (y - 2) = y^3 - 3 y^2 + 2 y, and its slope)
falling = _builtin("falling", _falling, lambda out, y, k, m: (falling(y, k, m + 1.0),),
                   params=2, tests=[
    Case(lambda y, km: falling(y, *km), (_FALLING,),
         lambda y, km: {(2.0, 0.0): y * y - y, (3.0, 0.0): y ** 3 - 3 * y * y + 2 * y,
                        (3.0, 1.0): 3 * y * y - 6 * y + 2}[km],
         lambda y, km: ({(2.0, 0.0): 2 * y - 1, (3.0, 0.0): 3 * y * y - 6 * y + 2,
                         (3.0, 1.0): 6 * y - 6}[km],),
         params=((2.0, 0.0), (3.0, 1.0), (3.0, 0.0)))])
# x ** c with a constant exponent c (a parameter)
powc = _builtin("powc", _powc, lambda out, x, c: (dpow(x, c),), params=1, symbol="**",
                infix=True, array_forward=_array_powc, tests=[
    Case(lambda x, c: x ** c, (Domain(-1e2, 1e2, avoid=(0.0,), guard="positive"),), math.pow,
         lambda x, c: (c * math.pow(x, c - 1.0),), params=(2.0, 3.0, -1.0, -2.0, 1.0, 0.0),
         name="powc_int"),
    Case(lambda x, c: x ** c, (Domain(1e-2, 1e2, guard="positive"),), math.pow,
         lambda x, c: (c * math.pow(x, c - 1.0),), params=(0.5, 1.5, -0.5, 2.5),
         name="powc_frac")])
# its derivative c * x ** (c - 1), with the kinks of _dpow; differentiable again, and its
# own derivative c * dpow(x, c - 1) is 0 for c = 0 (the slope of a constant), also at x = 0
# where dpow(x, -1) is infinite: 0 * inf would make every higher derivative of x ** 0,
# x ** 1, x ** 2... at 0 a nan
dpow = _builtin("dpow", _dpow, lambda out, x, c: (c * dpow(x, c - 1.0) if c else 0.0,),
                params=1,
                array_forward=_array_dpow, text=lambda x, c: f"{c!r} * {x} ** {c - 1.0!r}",
                tests=[Case(None, (Domain(1e-2, 1e2, guard="positive"),),
                            lambda x, c: c * math.pow(x, c - 1.0),
                            lambda x, c: (c * (c - 1.0) * math.pow(x, c - 2.0),),
                            params=(0.5, 2.0, 3.0, -1.0, 0.0))])
exp = _builtin("exp", _exp, lambda out, x: (out,), array_forward=lambda np, x: np.exp(x),
               tests=[Case(lambda x: x.exp(), (Domain(-300.0, 300.0, guard="bounded"),),
                           math.exp, lambda x: (math.exp(x),))])
log = _builtin("log", _log, lambda out, x: (1.0 / x,), array_forward=lambda np, x: np.log(x),
               tests=[Case(lambda x: x.log(), (POSITIVE,), math.log, lambda x: (1.0 / x,))])
sqrt = _builtin("sqrt", _sqrt, lambda out, x: (dpow(x, 0.5),),
                array_forward=lambda np, x: np.sqrt(x),
                tests=[Case(lambda x: x.sqrt(), (POSITIVE,), math.sqrt,
                            lambda x: (0.5 / math.sqrt(x),))])
# (tanh' and sigmoid' are computed from the output, as PyTorch does: near saturation they
# are exact to an absolute ~2 eps, not to a relative 1e-12)
tanh = _builtin("tanh", math.tanh, lambda out, x: (1.0 - out * out,),
                array_forward=lambda np, x: np.tanh(x),
                tests=[Case(lambda x: x.tanh(), (Domain(-20.0, 20.0),), math.tanh,
                            lambda x: (_reference_tanh_slope(x),), atol=1e-15)])
sigmoid = _builtin("sigmoid", _sigmoid, lambda out, x: (out * (1.0 - out),),
                   array_forward=_array_sigmoid,
                   tests=[Case(lambda x: x.sigmoid(), (Domain(-40.0, 40.0),),
                               lambda x: 0.5 * (1.0 + math.tanh(0.5 * x)),
                               lambda x: (_reference_sigmoid_slope(x),), atol=1e-15)])
sin = _builtin("sin", math.sin, lambda out, x: (cos(x),), array_forward=lambda np, x: np.sin(x),
               tests=[Case(lambda x: x.sin(), (WIDE,), math.sin, lambda x: (math.cos(x),))])
cos = _builtin("cos", math.cos, lambda out, x: (-sin(x),), array_forward=lambda np, x: np.cos(x),
               tests=[Case(lambda x: x.cos(), (WIDE,), math.cos, lambda x: (-math.sin(x),))])
# the slope of relu (low = 0) and leaky_relu (low = its slope): 1 for x > 0, else low
relu_slope = _builtin("relu_slope", lambda x, low: 1.0 if x > 0.0 else low,
                      lambda out, x, low: (0.0,), params=1,
                      array_forward=lambda np, x, low: np.where(x > 0.0, 1.0, low),
                      text=lambda x, low: f"(1 if {x} > 0 else {low!r})",
                      tests=[Case(None, (KINK_AT_0,), lambda x, low: 1.0 if x > 0 else low,
                                  lambda x, low: (0.0,), params=(0.0, 0.01, -0.5))])
# -1, 0 or 1: the derivative of abs (0 at the kink, as PyTorch); flat itself
sign = _builtin("sign", lambda x: 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0),
                lambda out, x: (0.0,), array_forward=lambda np, x: np.sign(x),
                tests=[Case(None, (KINK_AT_0,), lambda x: math.copysign(1.0, x),
                            lambda x: (0.0,))])
relu = _builtin("relu", lambda x: x if x > 0.0 else 0.0, lambda out, x: (relu_slope(x, 0.0),),
                array_forward=lambda np, x: np.where(x > 0.0, x, 0.0),
                tests=[Case(lambda x: x.relu(), (KINK_AT_0,), lambda x: max(x, 0.0),
                            lambda x: (1.0 if x > 0 else 0.0,))])
leaky_relu = _builtin("leaky_relu", lambda x, s: x if x > 0.0 else s * x,
                      lambda out, x, s: (relu_slope(x, s),), params=1,
                      array_forward=lambda np, x, s: np.where(x > 0.0, x, s * x),
                      tests=[Case(lambda x, s: x.leaky_relu(s), (KINK_AT_0,),
                                  lambda x, s: x if x > 0 else s * x,
                                  lambda x, s: (1.0 if x > 0 else s,),
                                  params=(0.01, 0.2, -0.5, 1.5))])
fabs = _builtin("fabs", abs, lambda out, x: (sign(x),), array_forward=lambda np, x: np.abs(x),
                symbol="abs",
                tests=[Case(lambda x: abs(x), (KINK_AT_0,), math.fabs,
                            lambda x: (math.copysign(1.0, x),))])
add_n = _builtin("add_n", _sum, lambda out, *xs: (1.0,) * len(xs), arity=None, symbol="sum",
                 array_forward=_array_sum,
                 tests=[Case(lambda add_n, a, b, c: add_n([a, b, c]), (WIDE,) * 3,
                             lambda a, b, c: math.fsum([a, b, c]),
                             lambda a, b, c: (1.0, 1.0, 1.0), uses="add_n")])
# |w1 x1 + w2 x2| stays below ~1e3 in the tests: a central difference of a large sum has a
# rounding error ~ |f| 1e-16 / eps, which would swamp a small partial derivative such as x1
dot = _builtin("dot", _dot, _dot_grad, arity=None, array_forward=_array_dot,
               tests=[Case(lambda dot, w1, w2, x1, x2: dot([w1, w2], [x1, x2]),
                           (Domain(-30.0, 30.0),) * 4,
                           lambda w1, w2, x1, x2: math.fsum([w1 * x1, w2 * x2]),
                           lambda w1, w2, x1, x2: (x1, x2, w1, w2), uses="dot")])


# -- the functions of Python's math (autograd_lite.math) -----------------------------------
# Each forward on floats IS the function of :mod:`math`, its ValueError / OverflowError
# turned into a DomainError naming the function and its arguments.
def _of_math(name: str, f: Callable[..., Any]) -> Forward:
    """``f`` (a function of :mod:`math`) raising DomainError named ``name``."""
    def forward(*xs: float) -> float:
        try:
            return float(f(*xs))
        except OverflowError:
            raise DomainError(name, xs, "result overflows a float") from None
        except ValueError as error:
            raise DomainError(name, xs, str(error) or "math domain error") from None

    forward.__name__ = name
    return forward


def _nonzero(r: Any) -> Any:
    """``r`` (a norm, >= 0) where it is positive, 1 at 0: a denominator for x / r whose
    quotient is 0 at the origin (the subgradient PyTorch's norm takes there)."""
    return r + (1.0 - sign(r))


def _ldexp(x: float, i: float) -> float:
    if i != math.floor(i):
        raise DomainError("ldexp", (x, i), "the exponent must be an integer")
    return _of_math("ldexp", math.ldexp)(x, int(max(-100_000.0, min(100_000.0, i))))


def _prod_grad(out: Any, *xs: Any) -> tuple[Any, ...]:
    """d(x1 ... xn)/dx_i = the product of the others = (x1 ... x_{i-1}) (x_{i+1} ... xn):
    a running product times a suffix product, under 3n multiplications in all (as
    PyTorch's prod backward; no division: exact at zeros)."""
    n = len(xs)
    after: list[Any] = [1.0] * n  # after[i]: the product of the xs after x_i (1.0 for none)
    for i in range(n - 2, -1, -1):
        after[i] = xs[i + 1] if i == n - 2 else xs[i + 1] * after[i + 1]
    grads: list[Any] = []
    before: Any = None  # the product of the xs before x_i (None for none)
    for i in range(n):
        grads.append(after[i] if before is None else before if i == n - 1
                     else before * after[i])
        before = xs[i] if before is None else before * xs[i]
    return tuple(grads)


def _polygamma_grad(out: Any, x: Any, n: Any) -> tuple[Any]:
    """d/dx psi_n(x) = psi_{n+1}(x), which exists up to n = MAX_ORDER - 1: a higher order
    is refused naming the order asked for (not the order of its derivative)."""
    if isinstance(n, float | int) and n + 1.0 > _special.MAX_ORDER:  # (n symbolic: text)
        raise DomainError("polygamma", (int(n), x),
                          f"order {int(n)} has no derivative here: it would be polygamma of "
                          f"order {int(n) + 1}, beyond the highest order {_special.MAX_ORDER}; "
                          f"differentiate orders up to {_special.MAX_ORDER - 1}")
    return (polygamma(x, n + 1.0),)


def _hypot_grad(out: Any, *xs: Any) -> tuple[Any, ...]:
    """d hypot / d x_i = x_i / hypot; 0 at the origin."""
    r = _nonzero(out)
    return tuple(x / r for x in xs)


def _atan2_grad(out: Any, y: Any, x: Any) -> tuple[Any, Any]:
    """d atan2(y, x) = (x, -y) / (x**2 + y**2), written (x / r) / r; 0 at the origin."""
    r = _nonzero(hypot(y, x))
    return (x / r) / r, -(y / r) / r


def _softplus(x: float) -> float:
    """log(1 + e^x) without overflow."""
    return math.log1p(math.exp(-abs(x))) + (x if x > 0.0 else 0.0)


def _gaussian(x: Any, scale: float) -> Any:
    """exp(-scale * x * x), with x held to [-40, 40] first so that x * x cannot overflow
    (beyond, the exponential is 0 in double precision anyway)."""
    c = clamp(x, -40.0, 40.0)
    return exp(-scale * (c * c))


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _flat(name: str, forward: Forward, array_forward: Callable[..., Any] | None = None,
          **options: Any) -> Primitive:
    """A piecewise-constant primitive: derivative 0 for every differentiable argument."""
    params = options.get("params", 0)
    return _builtin(name, forward, lambda out, *xs: (0.0,) * (len(xs) - params),
                    array_forward=array_forward, **options)


def _fsum(*xs: float) -> float:
    try:
        return math.fsum(xs)
    except OverflowError:
        raise DomainError("fsum", xs, "intermediate overflow") from None


tan = _builtin("tan", _of_math("tan", math.tan), lambda out, x: (1.0 + out * out,),
               array_forward=lambda np, x: np.tan(x),
               tests=[Case(None, (Domain(-1.4, 1.4),), math.tan,
                           lambda x: (1.0 / math.cos(x) ** 2,), uses="math.tan")])
asin = _builtin("asin", _of_math("asin", math.asin),
                lambda out, x: (2.0 * dpow((1.0 - x) * (1.0 + x), 0.5),),
                array_forward=lambda np, x: np.arcsin(x),
                tests=[Case(None, (_UNIT,), math.asin, lambda x: (1.0 / math.sqrt(1.0 - x * x),),
                            uses="math.asin")])
acos = _builtin("acos", _of_math("acos", math.acos),
                lambda out, x: (-2.0 * dpow((1.0 - x) * (1.0 + x), 0.5),),
                array_forward=lambda np, x: np.arccos(x),
                tests=[Case(None, (_UNIT,), math.acos,
                            lambda x: (-1.0 / math.sqrt(1.0 - x * x),), uses="math.acos")])
atan = _builtin("atan", _of_math("atan", math.atan), lambda out, x: (1.0 / (1.0 + x * x),),
                array_forward=lambda np, x: np.arctan(x),
                tests=[Case(None, (WIDE,), math.atan, lambda x: (1.0 / (1.0 + x * x),),
                            uses="math.atan")])
# (the tests keep the branch cut, y = 0 and x < 0, and the origin away: y > 0)
atan2 = _builtin("atan2", _of_math("atan2", math.atan2), _atan2_grad, arity=2,
                 array_forward=lambda np, y, x: np.arctan2(y, x),
                 tests=[Case(None, (Domain(-1e2, 1e2, avoid=(0.0,), guard="positive"),
                                    Domain(-1e2, 1e2)), math.atan2,
                             lambda y, x: (x / (x * x + y * y), -y / (x * x + y * y)),
                             uses="math.atan2")])
sinh = _builtin("sinh", _of_math("sinh", math.sinh), lambda out, x: (cosh(x),),
                array_forward=lambda np, x: np.sinh(x),
                tests=[Case(None, (Domain(-20.0, 20.0, guard="bounded"),), math.sinh,
                            lambda x: (math.cosh(x),), uses="math.sinh")])
cosh = _builtin("cosh", _of_math("cosh", math.cosh), lambda out, x: (sinh(x),),
                array_forward=lambda np, x: np.cosh(x),
                tests=[Case(None, (Domain(-20.0, 20.0, guard="bounded"),), math.cosh,
                            lambda x: (math.sinh(x),), uses="math.cosh")])
asinh = _builtin("asinh", _of_math("asinh", math.asinh), lambda out, x: (1.0 / hypot(x, 1.0),),
                 array_forward=lambda np, x: np.arcsinh(x),
                 tests=[Case(None, (WIDE,), math.asinh,
                             lambda x: (1.0 / math.sqrt(x * x + 1.0),), uses="math.asinh")])
# 1 / sqrt(x**2 - 1) as 4 * (0.5 / sqrt(x - 1)) * (0.5 / sqrt(x + 1)): +inf at 1, no overflow
acosh = _builtin("acosh", _of_math("acosh", math.acosh),
                 lambda out, x: (4.0 * dpow(x - 1.0, 0.5) * dpow(x + 1.0, 0.5),),
                 array_forward=lambda np, x: np.arccosh(x),
                 tests=[Case(None, (Domain(1.0, 1e3, avoid=(1.0,), guard="above_one"),),
                             math.acosh, lambda x: (1.0 / math.sqrt(x * x - 1.0),),
                             uses="math.acosh")])
atanh = _builtin("atanh", _of_math("atanh", math.atanh),
                 lambda out, x: (1.0 / ((1.0 - x) * (1.0 + x)),),
                 array_forward=lambda np, x: np.arctanh(x),
                 tests=[Case(None, (_UNIT,), math.atanh, lambda x: (1.0 / (1.0 - x * x),),
                             uses="math.atanh")])
exp2 = _builtin("exp2", _of_math("exp2", math.exp2), lambda out, x: (out * _LN2,),
                array_forward=lambda np, x: np.exp2(x),
                tests=[Case(None, (Domain(-50.0, 50.0, guard="bounded"),), math.exp2,
                            lambda x: (2.0 ** x * math.log(2.0),), uses="math.exp2")])
expm1 = _builtin("expm1", _of_math("expm1", math.expm1), lambda out, x: (exp(x),),
                 array_forward=lambda np, x: np.expm1(x),
                 tests=[Case(None, (Domain(-50.0, 50.0, guard="bounded"),), math.expm1,
                             lambda x: (math.exp(x),), uses="math.expm1")])
log1p = _builtin("log1p", _of_math("log1p", math.log1p), lambda out, x: (1.0 / (1.0 + x),),
                 array_forward=lambda np, x: np.log1p(x),
                 tests=[Case(None, (Domain(-0.99, 1e3, avoid=(-1.0,), guard="positive"),),
                             math.log1p, lambda x: (1.0 / (1.0 + x),), uses="math.log1p")])
log2 = _builtin("log2", _of_math("log2", math.log2), lambda out, x: (1.0 / (x * _LN2),),
                array_forward=lambda np, x: np.log2(x),
                tests=[Case(None, (POSITIVE,), math.log2,
                            lambda x: (1.0 / (x * math.log(2.0)),), uses="math.log2")])
log10 = _builtin("log10", _of_math("log10", math.log10), lambda out, x: (1.0 / (x * _LN10),),
                 array_forward=lambda np, x: np.log10(x),
                 tests=[Case(None, (POSITIVE,), math.log10,
                             lambda x: (1.0 / (x * math.log(10.0)),), uses="math.log10")])
# the cube root's slope (1/3) |x| ** (-2/3): even, +inf at 0
cbrt = _builtin("cbrt", _of_math("cbrt", math.cbrt),
                lambda out, x: (dpow(fabs(x), 1.0 / 3.0),),
                array_forward=lambda np, x: np.cbrt(x),
                tests=[Case(None, (KINK_AT_0,), math.cbrt,
                            lambda x: (1.0 / (3.0 * math.cbrt(x) ** 2),), uses="math.cbrt")])
degrees = _builtin("degrees", _of_math("degrees", math.degrees),
                   lambda out, x: (180.0 / math.pi,), array_forward=lambda np, x: np.degrees(x),
                   tests=[Case(None, (WIDE,), math.degrees, lambda x: (180.0 / math.pi,),
                               uses="math.degrees")])
radians = _builtin("radians", _of_math("radians", math.radians),
                   lambda out, x: (math.pi / 180.0,), array_forward=lambda np, x: np.radians(x),
                   tests=[Case(None, (WIDE,), math.radians, lambda x: (math.pi / 180.0,),
                               uses="math.radians")])
erf = _builtin("erf", _of_math("erf", math.erf),
               lambda out, x: (_TWO_OVER_SQRT_PI * _gaussian(x, 1.0),),
               tests=[Case(None, (Domain(-10.0, 10.0),), math.erf,
                           lambda x: (2.0 / math.sqrt(math.pi) * math.exp(-x * x),),
                           uses="math.erf")])
erfc = _builtin("erfc", _of_math("erfc", math.erfc),
                lambda out, x: (-_TWO_OVER_SQRT_PI * _gaussian(x, 1.0),),
                tests=[Case(None, (Domain(-10.0, 10.0),), math.erfc,
                            lambda x: (-2.0 / math.sqrt(math.pi) * math.exp(-x * x),),
                            uses="math.erfc")])
# psi_n(x), the n-th derivative of digamma = d/dx lgamma (n a parameter; see core/special.py)
polygamma = _builtin("polygamma", lambda x, n: _special.polygamma(n, x), _polygamma_grad,
                     params=1,
                     text=lambda x, n: (f"digamma({x})" if n == 0.0
                                        else f"polygamma({int(n)}, {x})"), tests=[
    Case(lambda polygamma, x, n: polygamma(int(n), x), (Domain(0.5, 30.0, guard="positive"),),
         _reference_polygamma, lambda x, n: (_special.polygamma(n + 1, x),),
         params=(0.0, 1.0, 2.0, 3.0), uses="math.polygamma"),
    Case(lambda polygamma, x, n: polygamma(int(n), x),
         (Domain(-3.9, -0.1, avoid=(-3.0, -2.0, -1.0), guard="positive", margin=0.05),),
         _reference_polygamma, lambda x, n: (_special.polygamma(n + 1, x),), params=(0.0, 1.0, 2.0),
         name="polygamma_negative", uses="math.polygamma")])
gamma = _builtin("gamma", _of_math("gamma", math.gamma),
                 lambda out, x: (out * polygamma(x, 0.0),),
                 tests=[Case(None, (_GAMMA,), math.gamma,
                             lambda x: (math.gamma(x) * _special.digamma(x),), uses="math.gamma")])
lgamma = _builtin("lgamma", _of_math("lgamma", math.lgamma),
                  lambda out, x: (polygamma(x, 0.0),),
                  tests=[Case(None, (_GAMMA,), math.lgamma, lambda x: (_special.digamma(x),),
                              uses="math.lgamma")])
hypot = _builtin("hypot", _of_math("hypot", math.hypot), _hypot_grad, arity=None, tests=[
    Case(None, (KINK_AT_0,) * 3, lambda a, b, c: math.sqrt(a * a + b * b + c * c),
         lambda a, b, c: tuple(v / math.sqrt(a * a + b * b + c * c) for v in (a, b, c)),
         uses="math.hypot"),
    Case(lambda dist, a, b: dist([a, 1.5], [2.5, b]), (WIDE, WIDE),
         lambda a, b: math.dist([a, 1.5], [2.5, b]),
         lambda a, b: ((a - 2.5) / math.hypot(a - 2.5, 1.5 - b),
                       -(1.5 - b) / math.hypot(a - 2.5, 1.5 - b)), name="dist", uses="math.dist")])
def _logsumexp(*xs: float) -> float:
    """log(e^x1 + ... + e^xn) = m + log(sum e^(x_i - m)), m = max x: no term overflows."""
    m = max(xs)
    return m + math.log(sum((math.exp(x - m) for x in xs), 0.0))


def _array_logsumexp(np: Any, *xs: Any) -> Any:
    m = np.maximum.reduce(np.broadcast_arrays(*xs))
    return m + np.log(_array_sum(np, *(np.exp(x - m) for x in xs)))


def _softmax(*xs: float) -> tuple[float, ...]:
    m = max(xs)
    total = math.fsum(math.exp(x - m) for x in xs)
    return tuple(math.exp(x - m) / total for x in xs)


# log sum_i e^x_i, d/dx_i = e^(x_i - out): the softmax (softmax cross-entropy's first term)
logsumexp = _builtin("logsumexp", _logsumexp,
                     lambda out, *xs: tuple(exp(x - out) for x in xs), arity=None,
                     array_forward=_array_logsumexp,
                     tests=[Case(lambda logsumexp, a, b, c: logsumexp([a, b, c]),
                                 (Domain(-300.0, 300.0),) * 3,
                                 lambda a, b, c: max(a, b, c) + math.log(math.fsum(
                                     math.exp(x - max(a, b, c)) for x in (a, b, c))),
                                 _softmax, uses="math.logsumexp")])
fsum = _builtin("fsum", _fsum,
                lambda out, *xs: (1.0,) * len(xs), arity=None,
                tests=[Case(lambda fsum, a, b, c: fsum([a, b, c]), (WIDE,) * 3,
                            lambda a, b, c: math.fsum([a, b, c]), lambda a, b, c: (1.0, 1.0, 1.0),
                            uses="math.fsum")])
prod = _builtin("prod", lambda *xs: float(math.prod(xs)), _prod_grad, arity=None,
                tests=[Case(lambda prod, a, b, c: prod([a, b, c]), (Domain(-30.0, 30.0),) * 3,
                            lambda a, b, c: a * b * c, lambda a, b, c: (b * c, a * c, a * b),
                            uses="math.prod")])
# the sign of copysign(x, y) is y's, so d/dx = sign(x) * copysign(1, y) (0 at x = 0, as
# PyTorch); y only chooses a sign: d/dy = 0
copysign = _builtin("copysign", _of_math("copysign", math.copysign),
                    lambda out, x, y: (sign(x) * copysign(1.0, y), 0.0), arity=2,
                    array_forward=lambda np, x, y: np.copysign(x, y),
                    tests=[Case(None, (KINK_AT_0, Domain(-1e3, 1e3, avoid=(0.0,),
                                                         guard="positive", margin=1e-3)),
                                math.copysign,
                                lambda x, y: (math.copysign(1.0, x) * math.copysign(1.0, y), 0.0),
                                uses="math.copysign")])
# (the tests keep x / y between two integers, 3 < x / y < 3.4: no jump within reach)
_QUOTIENT_3 = (Domain(3.1, 3.4, guard="small"), Domain(1.0, 1.03, guard="above_one"))
# x - trunc(x / y) * y: d/dx = 1, d/dy = -trunc(x / y) (PyTorch's fmod)
fmod = _builtin("fmod", _of_math("fmod", math.fmod), lambda out, x, y: (1.0, -trunc(x / y)),
                arity=2, array_forward=lambda np, x, y: np.fmod(x, y),
                tests=[Case(None, _QUOTIENT_3, math.fmod,
                            lambda x, y: (1.0, -float(math.trunc(x / y))), uses="math.fmod",
                            kink=lambda x, y: x / y - round(x / y))])
# x - rint(x / y) * y (IEEE, ties to even): d/dx = 1, d/dy = -rint(x / y)
remainder = _builtin("remainder", _of_math("remainder", math.remainder),
                     lambda out, x, y: (1.0, -rint(x / y)), arity=2,
                     tests=[Case(None, _QUOTIENT_3, math.remainder,
                                 lambda x, y: (1.0, -float(round(x / y))),
                                 uses="math.remainder",
                                 kink=lambda x, y: x / y - math.floor(x / y) - 0.5)])
# x * 2 ** i with an integer parameter i
ldexp = _builtin("ldexp", _ldexp, lambda out, x, i: (ldexp(1.0, i),), params=1,
                 tests=[Case(lambda ldexp, x, i: ldexp(x, int(i)), (WIDE,),
                             lambda x, i: x * 2.0 ** i, lambda x, i: (2.0 ** i,),
                             params=(0.0, 3.0, -2.0, 10.0), uses="math.ldexp")])
floor = _flat("floor", _of_math("floor", math.floor), lambda np, x: np.floor(x) + 0.0,
              tests=[Case(None, (_STEPS,), math.floor, lambda x: (0.0,), uses="math.floor")])
ceil = _flat("ceil", _of_math("ceil", math.ceil), lambda np, x: np.ceil(x) + 0.0,
             tests=[Case(None, (_STEPS,), math.ceil, lambda x: (0.0,), uses="math.ceil")])
trunc = _flat("trunc", _of_math("trunc", math.trunc), lambda np, x: np.trunc(x) + 0.0,
              tests=[Case(None, (_STEPS,), math.trunc, lambda x: (0.0,), uses="math.trunc")])
# round to the nearest integer, ties to even (the quotient of remainder)
rint = _flat("rint", lambda x: float(round(x)), lambda np, x: np.rint(x) + 0.0,
             tests=[Case(None, (Domain(-20.0, 20.0, avoid=tuple(k + 0.5 for k in range(-21, 21)),
                                       guard="bounded", margin=1e-3),),
                         lambda x: float(round(x)), lambda x: (0.0,))])

# -- the functions of machine learning (Value methods, autograd_lite.nn.functional) ---------
# -1, 0 or 1 as x < y, x == y, x > y: how minimum and maximum split their gradient
compare = _flat("compare", lambda x, y: 1.0 if x > y else (-1.0 if x < y else 0.0),
                lambda np, x, y: np.sign(np.asarray(x) - np.asarray(y)), arity=2,
                tests=[Case(lambda x: compare(x, 0.0), (KINK_AT_0, 0.0),
                            lambda x: math.copysign(1.0, x), lambda x: (0.0,),
                            kink=operator.sub)])
# (the tests keep away from ties, where a central difference is meaningless: x < y, x > y)
minimum = _builtin("minimum", lambda x, y: x if x <= y else y,
                   lambda out, x, y: (0.5 - 0.5 * compare(x, y), 0.5 + 0.5 * compare(x, y)),
                   arity=2, array_forward=lambda np, x, y: np.where(x <= y, x, y), tests=[
    Case(lambda x, y: x.minimum(y), (_BELOW, _ABOVE), min, lambda x, y: (1.0, 0.0),
         kink=operator.sub),
    Case(lambda x, y: x.minimum(y), (_ABOVE, _BELOW), min, lambda x, y: (0.0, 1.0),
         name="minimum_right")])
maximum = _builtin("maximum", lambda x, y: x if x >= y else y,
                   lambda out, x, y: (0.5 + 0.5 * compare(x, y), 0.5 - 0.5 * compare(x, y)),
                   arity=2, array_forward=lambda np, x, y: np.where(x >= y, x, y), tests=[
    Case(lambda x, y: x.maximum(y), (_BELOW, _ABOVE), max, lambda x, y: (0.0, 1.0),
         kink=operator.sub),
    Case(lambda x, y: x.maximum(y), (_ABOVE, _BELOW), max, lambda x, y: (1.0, 0.0),
         name="maximum_right")])
# 1 inside [low, high], bounds included (PyTorch's clamp passes the gradient there), else 0
clamp_slope = _flat("clamp_slope", lambda x, low, high: 1.0 if low <= x <= high else 0.0,
                    lambda np, x, low, high: np.where((x >= low) & (x <= high), 1.0, 0.0),
                    params=2,
                    tests=[Case(lambda x, b: clamp_slope(x, *b), (_CLAMPED,),
                                lambda x, b: 1.0 if b[0] <= x <= b[1] else 0.0,
                                lambda x, b: (0.0,), params=((-1.0, 2.0), (0.0, 6.0)))])
clamp = _builtin("clamp", lambda x, low, high: min(max(x, low), high),
                 lambda out, x, low, high: (clamp_slope(x, low, high),), params=2,
                 array_forward=_array_clamp,
                 tests=[Case(lambda clamp, x, b: clamp(x, *b), (_CLAMPED,),
                             lambda x, b: min(max(x, b[0]), b[1]),
                             lambda x, b: (1.0 if b[0] <= x <= b[1] else 0.0,),
                             params=((-1.0, 2.0), (0.0, 6.0)), uses="nn.functional.clamp")])
softplus = _builtin("softplus", _softplus, lambda out, x: (sigmoid(x),),
                    tests=[Case(lambda x: x.softplus(), (Domain(-40.0, 40.0),),
                                lambda x: math.log(1.0 + math.exp(x)) if x < 30 else
                                x + math.exp(-x),
                                lambda x: (1.0 / (1.0 + math.exp(-x)),))])
silu = _builtin("silu", lambda x: x * _sigmoid(x),
                lambda out, x: (sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x))),),
                tests=[Case(lambda x: x.silu(), (Domain(-40.0, 40.0),),
                            lambda x: x / (1.0 + math.exp(-x)),
                            lambda x: ((1.0 + math.exp(-x) + x * math.exp(-x))
                                       / (1.0 + math.exp(-x)) ** 2,), atol=1e-15)])
# x * Phi(x) = x erfc(-x / sqrt 2) / 2 (the erf form, accurate on the negative tail)
gelu = _builtin("gelu", lambda x: 0.5 * x * math.erfc(-x * _SQRT1_2),
                lambda out, x: (0.5 * erfc(-x * _SQRT1_2)
                                + x * _gaussian(x, 0.5) * _INV_SQRT_2PI,),
                tests=[Case(lambda x: x.gelu(), (Domain(-10.0, 10.0),),
                            lambda x: 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0))),
                            lambda x: (0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
                                       + x * math.exp(-x * x / 2.0) / math.sqrt(2.0 * math.pi),),
                            atol=1e-15)])

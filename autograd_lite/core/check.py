"""Numerical differentiation, and checking reverse mode against it (``gradcheck``).

The central difference

    d f / d x_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

has error O(eps**2) and needs no derivative rules at all, so it is an independent witness
for every rule in the table.  :func:`gradcheck` follows ``torch.autograd.gradcheck``: build
the numerical and the analytical (reverse-mode) Jacobian and require, entry by entry,

    |analytical - numerical|  <=  atol + rtol * |numerical|.

:func:`gradgradcheck` applies the same test to the first derivatives (computed with
``grad(create_graph=True)``), which checks the second derivatives.

Throughout, ``f`` takes one :class:`~autograd_lite.core.value.Value` per input and returns a
Value, or a tuple/list of Values (plain numbers count as constant outputs); ``inputs`` are
numbers or Values (only their ``data`` is used; nothing is mutated).  Messages name an input
by ``f``'s parameter where its signature has one (``sigma (input 1)``), by its position
otherwise (``input 1``, for ``*args`` or a primitive).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite.core.gradients import grad
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value

Function = Callable[..., Any]
Jacobian = list[list[float]]


class GradcheckError(RuntimeError):
    """Analytical and numerical derivatives disagree (raised by gradcheck/gradgradcheck).

    Examples:
        >>> from autograd_lite import GradcheckError, gradcheck, primitive
        >>> wrong = primitive("wrong_square", lambda x: x * x, lambda out, x: (x,))  # should be 2x
        >>> try:
        ...     gradcheck(wrong, [3.0])
        ... except GradcheckError as error:
        ...     print(str(error).splitlines()[0])
        Jacobian mismatch for output 0 with respect to input 0,
    """


def _floats(inputs: Sequence[float | Value], where: str = "check") -> list[float]:
    if isinstance(inputs, str | Value) or not hasattr(inputs, "__len__"):
        raise TypeError(f"{where}: inputs must be a sequence of numbers or Values, got "
                        f"{type(inputs).__name__}")
    return [x.data if isinstance(x, Value) else to_float(x, f"{where}: input {i}")
            for i, x in enumerate(inputs)]


def _checked(where: str, f: object, eps: float | None = None) -> None:
    """Refuse an ``f`` that is not callable and an ``eps`` (if the function takes one) that
    is not a positive number."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of Values, got {type(f).__name__}")
    if eps is not None and to_float(eps, f"{where}: eps") <= 0.0:
        raise ValueError(f"{where}: eps must be positive, got {eps!r}")


def parameter_names(f: Callable[..., Any], n: int) -> list[str | None]:
    """The names of the first ``n`` positional parameters of ``f`` from its signature, None
    past them (``*args``, a primitive, a function without a signature)."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # no signature to read
        parameters = []
    positional = [p.name for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [positional[i] if i < len(positional) else None for i in range(n)]


def argument_names(f: Callable[..., Any], n: int) -> list[str]:
    """How messages name the first ``n`` arguments of ``f``: ``"sigma (input 1)"`` where its
    signature names the parameter, ``"input 1"`` where it does not."""
    return [f"input {i}" if name is None else f"{name} (input {i})"
            for i, name in enumerate(parameter_names(f, n))]


def _leaves(xs: Sequence[float]) -> list[Value]:
    return [Value(x, f"x{i}") for i, x in enumerate(xs)]


def _outputs(result: object) -> tuple[object, ...]:
    """The outputs of ``f`` as a tuple, whether it returned one value or a sequence."""
    return tuple(result) if isinstance(result, tuple | list) else (result,)


def _data(out: object) -> float:
    return out.data if isinstance(out, Value) else to_float(out, "output")


def _evaluate(f: Function, xs: Sequence[float]) -> list[float]:
    """The outputs of ``f`` at ``xs``, as floats."""
    return [_data(o) for o in _outputs(f(*_leaves(xs)))]


def central_difference(f: Function, inputs: Sequence[float | Value], i: int,
                       eps: float = 1e-6) -> float:
    """``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for a scalar-valued ``f``.

    Raises:
        IndexError: ``i`` is not an input's index.
        TypeError: ``f`` returns more than one output.

    Examples:
        >>> from autograd_lite import central_difference
        >>> central_difference(lambda x, y: x * x * y, [3.0, 2.0], 0)   # d/dx = 2xy
        12.0000000...
    """
    _checked("central_difference", f, eps)
    xs = _floats(inputs, "central_difference")
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(xs):
        raise IndexError(f"central_difference: input index {i!r} out of range for "
                         f"{len(xs)} inputs")
    column = _numerical_column(f, xs, i, eps)
    if len(column) != 1:
        raise TypeError(f"central_difference: f returned {len(column)} outputs; "
                        "use numerical_jacobian for several")
    return column[0]


def _numerical_column(f: Function, xs: list[float], i: int, eps: float) -> list[float]:
    """d output_j / d x_i for every output j, by central differences."""
    if not 0 <= i < len(xs):
        raise IndexError(f"input index {i} out of range for {len(xs)} inputs")
    plus = [*xs[:i], xs[i] + eps, *xs[i + 1:]]
    minus = [*xs[:i], xs[i] - eps, *xs[i + 1:]]
    return [(a - b) / (2.0 * eps) for a, b in zip(_evaluate(f, plus), _evaluate(f, minus),
                                                  strict=True)]


def numerical_jacobian(f: Function, inputs: Sequence[float | Value],
                       eps: float = 1e-6) -> Jacobian:
    """``J[j][i] = d output_j / d input_i`` by central differences."""
    _checked("numerical_jacobian", f, eps)
    xs = _floats(inputs, "numerical_jacobian")
    columns = [_numerical_column(f, xs, i, eps) for i in range(len(xs))]
    n_out = len(_evaluate(f, xs))
    return [[column[j] for column in columns] for j in range(n_out)]


def analytical_jacobian(f: Function, inputs: Sequence[float | Value]) -> Jacobian:
    """``J[j][i] = d output_j / d input_i`` by reverse mode (:func:`~autograd_lite.grad`)."""
    _checked("analytical_jacobian", f)
    return _analytical(f, inputs, "analytical_jacobian")[0]


def _analytical(f: Function, inputs: Sequence[float | Value],
                where: str) -> tuple[Jacobian, list[list[bool]]]:
    """The reverse-mode Jacobian, and whether the graph connects each output to each input."""
    leaves = _leaves(_floats(inputs, where))
    rows: Jacobian = []
    connected: list[list[bool]] = []
    for out in _outputs(f(*leaves)):
        if isinstance(out, Value) and out.requires_grad:
            grads = grad(out, leaves, allow_unused=True)
            rows.append([0.0 if g is None else g for g in grads])
            connected.append([g is not None for g in grads])
        else:
            _data(out)  # a constant output must still be a number (TypeError otherwise)
            rows.append([0.0] * len(leaves))
            connected.append([False] * len(leaves))
    return rows, connected


def _cut_graph(where: str, output: str, wrt: str, numerical: float) -> str:
    """The message for a derivative the graph lost: f computed part of it outside Values."""
    return (f"{where}: f cut the graph between {wrt} and {output}: {output} changes with "
            f"{wrt} (numerical derivative {numerical!r}) but does not depend on it through "
            "Value operations (analytical derivative 0.0); compute with Value methods "
            "(x.sin(), x.exp() ...), not math functions, float(x) or x.data\n")


def _close(analytical: float, numerical: float, atol: float, rtol: float) -> bool:
    return abs(analytical - numerical) <= atol + rtol * abs(numerical)


def gradcheck(f: Function, inputs: Sequence[float | Value], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check reverse-mode derivatives of ``f`` at ``inputs`` against central differences.

    Returns True when every Jacobian entry agrees.  On the first disagreement raises
    :class:`GradcheckError` (message as PyTorch's, ``Jacobian mismatch for output j with
    respect to input i``, the input named by its parameter where ``f`` has one: ``sigma
    (input 1)``; then the numerical and analytical values), or returns False when
    ``raise_exception`` is False.

    Raises:
        GradcheckError: analytical and numerical derivatives differ by more than
            ``atol + rtol * |numerical|`` (unless ``raise_exception=False``, which returns
            False instead).
        TypeError: ``f`` is not callable or ``inputs`` are not numbers or Values.
        ValueError: ``eps`` is not positive.

    Examples:
        >>> from autograd_lite import gradcheck
        >>> gradcheck(lambda a, b: a * b + a.exp(), [2.0, 3.0])
        True
    """
    _checked("gradcheck", f, eps)
    names = argument_names(f, len(_floats(inputs, "gradcheck")))
    numerical = numerical_jacobian(f, inputs, eps)
    analytical, connected = _analytical(f, inputs, "gradcheck")
    for j, (num_row, ana_row) in enumerate(zip(numerical, analytical, strict=True)):
        for i, (n, a) in enumerate(zip(num_row, ana_row, strict=True)):
            if not _close(a, n, atol, rtol) and not connected[j][i]:
                return _fail(_cut_graph("gradcheck", f"output {j}", names[i], n),
                             raise_exception)
            if not _close(a, n, atol, rtol):
                return _fail(f"Jacobian mismatch for output {j} with respect to {names[i]},\n"
                             f"numerical:{n!r}\nanalytical:{a!r}\n", raise_exception)
    return True


def first_derivatives(f: Function) -> Function:
    """The function ``x -> (d output_j / d x_i for j, for i)`` as differentiable Values.

    Output ``j * n_inputs + i`` is ``d output_j / d input_i``, computed with
    ``grad(create_graph=True)``, so it can be differentiated again.
    """
    _checked("first_derivatives", f)

    def derivatives(*leaves: Value) -> list[Value | float]:
        flat: list[Value | float] = []
        for out in _outputs(f(*leaves)):
            if isinstance(out, Value) and out.requires_grad:
                grads = grad(out, list(leaves), create_graph=True, allow_unused=True)
                flat.extend(0.0 if g is None else g for g in grads)
            else:
                flat.extend(0.0 for _ in leaves)
        return flat

    return derivatives


def gradgradcheck(f: Function, inputs: Sequence[float | Value], eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives of ``f``: reverse mode over reverse mode vs central differences.

    The analytical ``d2 output_j / d x_k d x_i`` comes from differentiating the
    ``create_graph=True`` first derivative; the numerical one is the central difference of
    that first derivative in ``x_k``.  Failure message: ``Second derivative mismatch for
    output j with respect to x (input i) and y (input k)`` (inputs named as in
    :func:`gradcheck`).

    Raises:
        GradcheckError: the second derivatives differ (unless ``raise_exception=False``).
        TypeError: ``f`` is not callable or ``inputs`` are not numbers or Values.

    Examples:
        >>> from autograd_lite import gradgradcheck
        >>> gradgradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.0])
        True
    """
    _checked("gradgradcheck", f, eps)
    n = len(_floats(inputs, "gradgradcheck"))
    names = argument_names(f, n)
    g = first_derivatives(f)
    numerical = numerical_jacobian(g, inputs, eps)
    analytical, connected = _analytical(g, inputs, "gradgradcheck")
    for row, (num_row, ana_row) in enumerate(zip(numerical, analytical, strict=True)):
        j, i = divmod(row, n)
        for k, (num, a) in enumerate(zip(num_row, ana_row, strict=True)):
            if not _close(a, num, atol, rtol) and not connected[row][k]:
                return _fail(_cut_graph("gradgradcheck", f"d output {j} / d {names[i]}",
                                        names[k], num), raise_exception)
            if not _close(a, num, atol, rtol):
                return _fail(f"Second derivative mismatch for output {j} with respect to "
                             f"{names[i]} and {names[k]},\nnumerical:{num!r}\n"
                             f"analytical:{a!r}\n", raise_exception)
    return True


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False

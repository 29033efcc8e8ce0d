"""Your derivative against autograd_lite's: :func:`assert_derivative_matches`.

A library that ships hand-written derivatives (a pricing formula and its vega, a likelihood
and its score) tests them against the derivative of the function itself.  The inputs are
keyword arguments (as drawn by :func:`~autograd_lite.testing.strategies.keyword_arguments`),
so a mismatch is reported by the names of the function's parameters, with both numbers,
their ratio and their difference: a factor left out reads as a ratio (a vega missing
``exp(-q T)`` is off by ``e^{qT}``; the log of the ratio is ``q T``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd_lite import func
from autograd_lite.core.rules import to_float

_TRANSFORMS: dict[str, Callable[..., Callable[..., Any]]] = {
    "grad": func.grad, "jacobian": func.jacobian, "hessian": func.hessian}
_WHO = "assert_derivative_matches"


def _name(f: object) -> str:
    return getattr(f, "__name__", None) or type(f).__name__


def _positions(f: Callable[..., Any], inputs: Mapping[str, Any], wrt: str | Sequence[str] | None
               ) -> tuple[inspect.BoundArguments, list[str], list[int]]:
    """``inputs`` bound to ``f``'s signature, the names differentiated, and their positions."""
    try:
        bound = inspect.signature(f).bind(**inputs)
    except TypeError as error:
        raise TypeError(f"{_WHO}: inputs {sorted(inputs)} do not fit {_name(f)}'s "
                        f"parameters: {error}") from None
    positional = list(inspect.signature(f).parameters)[:len(bound.args)]
    if wrt is None:  # every float, as JAX differentiates floats (an int is a count)
        names = [n for n in positional if isinstance(inputs[n], float)]
    elif isinstance(wrt, str):
        names = [wrt]
    else:
        names = list(wrt)
    if not names:
        raise ValueError(f"{_WHO}: nothing to differentiate: give wrt, the names of "
                         f"{_name(f)}'s parameters (one of {positional})")
    for n in names:
        if n not in positional:
            raise ValueError(f"{_WHO}: wrt {n!r} is not a parameter of {_name(f)} given "
                             f"in inputs (one of {positional})")
    return bound, names, [positional.index(n) for n in names]


def _labelled(expected: Any, kind: str, single: bool, names: Sequence[str], of: str
              ) -> list[tuple[str, tuple[int, ...]]]:
    """Each number of autograd_lite's result: (what it is, where it is in the result)."""
    if kind == "hessian":
        if single:
            return [(f"d2 {of} / d {names[0]}^2", ())]
        return [(f"d2 {of} / d {a} d {b}", (i, j))
                for i, a in enumerate(names) for j, b in enumerate(names)]
    outputs = isinstance(expected, tuple) and (single or isinstance(expected[0], tuple))
    if kind == "jacobian" and outputs:
        if single:
            return [(f"d {of}[{i}] / d {names[0]}", (i,)) for i in range(len(expected))]
        return [(f"d {of}[{i}] / d {n}", (i, j))
                for i in range(len(expected)) for j, n in enumerate(names)]
    if single:
        return [(f"d {of} / d {names[0]}", ())]
    return [(f"d {of} / d {n}", (j,)) for j, n in enumerate(names)]


def _at(result: Any, path: tuple[int, ...]) -> Any:
    for k in path:
        result = result[k]
    return result


def _shape(x: Any) -> Any:
    return tuple(_shape(item) for item in x) if isinstance(x, tuple | list) else "number"


def _comparison(label: str, yours: float, ours: float) -> str:
    if ours != 0.0 and math.isfinite(yours):
        ratio = yours / ours
        logged = f" (log {math.log(ratio):.6g})" if ratio > 0.0 else ""
        ratio_text = f"ratio yours / autograd_lite's {ratio!r}{logged}"
    else:
        ratio_text = "ratio undefined (autograd_lite's is 0)" if ours == 0.0 else "no ratio"
    return (f"  {label}: yours {yours!r}, autograd_lite's {ours!r}; {ratio_text}, "
            f"difference {yours - ours!r}")


def assert_derivative_matches(f: Callable[..., Any], derivative: Callable[..., Any],
                              inputs: Mapping[str, Any],
                              wrt: str | Sequence[str] | None = None, *, kind: str = "grad",
                              rtol: float = 1e-7, atol: float = 1e-12) -> None:
    """Assert that your ``derivative`` of ``f`` equals autograd_lite's at ``inputs``.

    ``inputs`` are keyword arguments for both functions (given, or drawn by
    :func:`~autograd_lite.testing.keyword_arguments`); ``wrt`` names the parameters
    differentiated (one name, a sequence, or None for every float in ``inputs`` bound to a
    positional parameter: ints are counts, as for JAX).  ``kind`` is ``"grad"``
    (``derivative`` returns what ``func.grad(f, argnums)`` does: a number for one name, a
    tuple in ``wrt``'s order),
    ``"jacobian"`` (``f`` may return a tuple: ``J[i][j] = d out_i / d wrt_j``, the layout of
    ``func.jacobian``) or ``"hessian"`` (``func.hessian``'s).  ``f`` computes with Values:
    written with :mod:`autograd_lite.math`, or code written for :mod:`math` passed through
    :func:`~autograd_lite.differentiable`.  Each entry must satisfy
    ``|yours - autograd_lite's| <= atol + rtol * |autograd_lite's|``; a failure lists every
    entry that does not, named by the parameters, with both values, their ratio (and its
    log) and their difference.

    Raises:
        AssertionError: an entry differs, or ``derivative`` returned another shape.
        TypeError: a function is not callable, ``inputs`` is not a mapping or does not fit
            ``f``'s parameters, or ``derivative`` returned something not a number.
        ValueError: ``kind`` is unknown, or a ``wrt`` name is not a parameter given.

    Examples:
        >>> from autograd_lite import math
        >>> from autograd_lite.testing import assert_derivative_matches
        >>> def discount(rate, years):
        ...     return math.exp(-rate * years)
        >>> def d_rate(rate, years):
        ...     return -years * math.exp(-rate * years)
        >>> assert_derivative_matches(discount, d_rate, {"rate": 0.05, "years": 2.0}, "rate")
        >>> def d_rate_wrong(rate, years):
        ...     return -years
        >>> assert_derivative_matches(discount, d_rate_wrong, {"rate": 0.05, "years": 2.0},
        ...                           "rate")
        Traceback (most recent call last):
            ...
        AssertionError: d_rate_wrong does not match autograd_lite's derivative of discount ...
          d discount / d rate: yours -2.0, autograd_lite's -1.80...; ratio ...1.105... (log 0.1)...
    """
    for what, g in (("f", f), ("derivative", derivative)):
        if not callable(g):
            raise TypeError(f"{_WHO}: {what} must be callable, got {type(g).__name__} {g!r}")
    if not isinstance(inputs, Mapping):
        raise TypeError(f"{_WHO}: inputs must be a mapping of keyword arguments, got "
                        f"{type(inputs).__name__} {inputs!r}")
    if kind not in _TRANSFORMS:
        raise ValueError(f"{_WHO}: kind must be one of {sorted(_TRANSFORMS)}, got {kind!r}")
    for what, tolerance in (("rtol", rtol), ("atol", atol)):
        if not to_float(tolerance, f"{_WHO}: {what}") >= 0.0:
            raise ValueError(f"{_WHO}: {what} must be at least 0, got {tolerance!r}")
    bound, names, positions = _positions(f, inputs, wrt)
    single = isinstance(wrt, str) or (wrt is None and len(names) == 1)
    argnums = positions[0] if single else tuple(positions)
    expected = _TRANSFORMS[kind](f, argnums)(*bound.args, **bound.kwargs)
    yours = derivative(**inputs)
    entries = _labelled(expected, kind, single, names, _name(f))
    if _shape(yours) != _shape(expected):
        raise AssertionError(
            f"{_name(derivative)} returned {_shape(yours)!r} where autograd_lite's derivative "
            f"of {_name(f)} is {_shape(expected)!r}: " + ", ".join(label for label, _ in entries))
    problems = []
    for label, path in entries:
        ours = _at(expected, path)
        mine = to_float(_at(yours, path), f"{_WHO}: {_name(derivative)}'s {label}")
        if not abs(mine - ours) <= atol + rtol * abs(ours):
            problems.append(_comparison(label, mine, ours))
    if problems:
        where = ", ".join(f"{key}={value!r}" for key, value in inputs.items())
        raise AssertionError(
            f"{_name(derivative)} does not match autograd_lite's derivative of {_name(f)} at "
            f"{where} (rtol={rtol}, atol={atol}):\n" + "\n".join(problems))

"""Existing ``import math`` code run on Values, unchanged: :func:`differentiable`.

A function written for :mod:`math` looks its names up in its module's globals at each call:
``math`` (the module), or ``exp`` and ``sqrt`` after ``from math import exp, sqrt``.  So the
same code object, given a copy of those globals in which each of them is
:mod:`autograd_lite.math`'s, computes on Values, Duals and numbers alike -- without ``exec``,
and without changing the module or the function (``types.FunctionType`` makes the copy).
The functions of the same module that it calls get the copy too, so helpers (a normal CDF
beside a pricing formula) follow.
"""

from __future__ import annotations

import functools
import math as _math
import types
from collections.abc import Callable
from typing import Any

from autograd_lite import math as _autograd_math


def _math_on_values() -> types.ModuleType:
    """A module ``math`` whose functions are :mod:`autograd_lite.math`'s where it has them
    (``exp``, ``erf``...) and :mod:`math`'s otherwise (``isclose``, ``factorial``...)."""
    module = types.ModuleType("math", "math with autograd_lite.math's differentiable functions")
    for name, value in vars(_math).items():
        if not name.startswith("__"):
            setattr(module, name, getattr(_autograd_math, name, value))
    return module


_MATH_ON_VALUES = _math_on_values()


def _replacement(value: object) -> object | None:
    """What ``value`` (a global of the function's module) becomes: math with the
    differentiable functions for the module ``math``, the function of the same name of
    :mod:`autograd_lite.math` for one of ``math``'s (None: it has none, or not ``math``'s)."""
    if value is _math:
        return _MATH_ON_VALUES
    name = getattr(value, "__name__", None)
    if isinstance(name, str) and getattr(_math, name, None) is value and callable(value):
        return getattr(_autograd_math, name, None)
    return None


def _rebound(function: types.FunctionType, namespace: dict[str, Any]) -> types.FunctionType:
    """``function``'s code, defaults and closure with ``namespace`` for globals."""
    copy = types.FunctionType(function.__code__, namespace, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    functools.update_wrapper(copy, function)
    return copy


def differentiable(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` calling :mod:`autograd_lite.math` wherever it calls :mod:`math`: existing
    scalar code made differentiable without editing it.

    The module's globals are copied once, now: in the copy, ``math`` (under any name it was
    imported as) has ``autograd_lite.math``'s functions, each function imported ``from math`` is its
    differentiable namesake, and each plain function of the same module is rebound the same
    way, so helpers it calls follow.  The module and ``function`` are unchanged; a global the
    module assigns later is not seen by the copy.  A ``math`` function with no derivative
    (``isclose``, ``factorial``) stays ``math``'s.  Methods are rebound and bound again.

    Raises:
        TypeError: ``function`` is not a Python function or method (a builtin, a class, a
            ``functools.partial``: pass the function inside it).

    Examples:
        >>> import math
        >>> from autograd_lite import Value, differentiable
        >>> def norm_pdf(x):                        # code written for math, left as it is
        ...     return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        >>> x = Value(1.0)
        >>> differentiable(norm_pdf)(x).backward()
        >>> round(x.grad, 12) == round(-norm_pdf(1.0), 12)   # d/dx = -x pdf(x)
        True
    """
    if isinstance(function, types.MethodType):
        return types.MethodType(differentiable(function.__func__), function.__self__)
    if not isinstance(function, types.FunctionType):
        raise TypeError(f"differentiable: expected a Python function or method, got "
                        f"{type(function).__name__} {function!r}")
    module_globals = function.__globals__
    namespace = dict(module_globals)
    for name, value in module_globals.items():
        replacement = _replacement(value)
        if replacement is not None:
            namespace[name] = replacement
        elif isinstance(value, types.FunctionType) and value.__globals__ is module_globals:
            namespace[name] = _rebound(value, namespace)
    return _rebound(function, namespace)

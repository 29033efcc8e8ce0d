"""Every built-in's function on NumPy arrays against its float function, element by element.

The array functions run the NumPy batch replay (``Tape.batch``) and the compiled gradient on
NumPy (``compiled_transform(..., backend="numpy")``).  Where a primitive is exact on floats
(arithmetic, rounding, kinks, ``minimum``/``maximum``/``clamp``...) the array function must
give the same float bit for bit, signs of zeros included: NumPy's ``np.maximum(0.0, -0.0)``
is -0.0 where the float function's ``x if x >= y else y`` is 0.0, and ``copysign`` or
``atan2`` downstream turn that sign into an O(1) difference (found in review).  Elsewhere
(``exp``, ``sin``..., NumPy's own implementations) a few ulps are allowed, and a zero must
still be the same zero.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
import pytest

from autograd_lite.core import arrays, rules
from autograd_lite.core.errors import DomainError

POINTS = (0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 1.0, -1.0, 3.0, 0.3, -0.7, 1e-300,
          -1e-300, 7.0, 1e10)
"""Signed zeros, ties of rounding (x.5), integers, tiny and large numbers."""
PARAMETERS: dict[str, list[tuple[float, ...]]] = {
    "relu_slope": [(0.0,), (0.01,)], "leaky_relu": [(0.1,), (-0.5,)],
    "powc": [(2.0,), (0.5,), (-1.0,), (3.0,), (1.5,), (1.0,), (0.0,), (-2.0,)],
    "dpow": [(2.0,), (0.5,), (0.0,), (3.0,)], "ldexp": [(3.0,), (-2.0,)],
    "polygamma": [(1.0,), (2.0,)], "falling": [(2.0, 0.0), (3.0, 1.0)],
    "pow_slope": [(1.0,), (2.0,)],
    "clamp": [(-1.0, 1.0), (0.0, 1.0), (-1.0, 0.0), (-0.0, 1.0), (-1.0, -0.0), (-0.0, 0.0)],
    "clamp_slope": [(-1.0, 1.0), (0.0, 1.0), (-0.0, 0.0)]}
ROUNDED = {"acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "cos", "cosh",
           "erf", "erfc", "exp", "exp2", "expm1", "gamma", "gelu", "hypot", "lgamma", "log",
           "log10", "log1p", "log2", "logsumexp", "polygamma", "pow", "pow_slope", "sigmoid",
           "silu", "sin", "sinh", "softplus", "tan", "tanh", "dpow", "fsum", "degrees",
           "radians", "prod", "powc"}
"""Built-ins whose array function is NumPy's own implementation (or another order of
additions): within a few ulps of the float function.  Every other built-in is exact."""
BUILTINS = sorted(name for name, op in rules.PRIMITIVES.items() if op.builtin)


def _arguments(op: rules.Primitive) -> list[tuple[list[float], tuple[float, ...]]]:
    """(differentiable arguments, parameters) to try: every pair of :data:`POINTS`."""
    n = op.arity if op.arity is not None else 3
    found = []
    for params in PARAMETERS.get(op.name, [(2.0,) * op.params]):
        for combo in itertools.product(POINTS, repeat=min(n, 2)):
            found.append(([*combo, *[combo[-1]] * (n - len(combo))], params))
    return found


@pytest.mark.parametrize("name", BUILTINS)
def test_the_array_function_gives_the_float_functions_numbers(name: str) -> None:
    op = rules.PRIMITIVES[name]
    function = arrays.array_function(op)
    compared = 0
    for args, params in _arguments(op):
        try:
            expected: Any = op.forward(*args, *params)
        except DomainError:
            continue  # the replays hand such an element to the float function
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = float(np.asarray(function(*[np.array([x]) for x in args], *params))
                          .reshape(-1)[0])
        compared += 1
        where = f"{name}{(*args, *params)}: array {found!r}, float {expected!r}"
        if name not in ROUNDED or expected == 0.0 or not math.isfinite(expected):
            assert repr(found) == repr(float(expected)), where   # exact, signs of zeros too
        else:
            assert abs(found - expected) <= 4 * math.ulp(expected), where
    assert compared > 0


def test_every_builtin_is_either_exact_or_rounded_and_rounded_ones_exist() -> None:
    assert set(BUILTINS) >= ROUNDED
    assert {"add", "mul", "maximum", "minimum", "clamp", "floor", "rint", "copysign",
            "relu"}.isdisjoint(ROUNDED)

"""The two functions of the transforms bench (issue 25), as a user writes them with scalars:
shared by the compiled transforms' tests."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

from autograd_lite import dot


def rosenbrock(*x: Any) -> Any:
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, as a user writes it with scalars."""
    total: Any = 0.0
    for u, v in itertools.pairwise(x):
        total = total + 100.0 * (v - u * u) ** 2 + (1.0 - u) ** 2
    return total


def quadratic_form(n: int) -> Callable[..., Any]:
    """x^T A x for a fixed random dense A (``random.Random(n)``): one dot node per row."""
    rng = random.Random(n)
    a = [[rng.uniform(-1.0, 1.0) for _ in range(n)] for _ in range(n)]

    def quadratic(*x: Any) -> Any:
        xs = list(x)
        return dot(xs, [dot(row, xs) for row in a])
    return quadratic

"""Digamma and polygamma on floats, to full double precision: the derivatives of lgamma.

``polygamma(n, x)`` is the n-th derivative of ``digamma(x) = d/dx log|gamma(x)|``.  For
``x > 0`` the recurrence ``psi_n(x) = psi_n(x + 1) - (-1)**n n! / x**(n + 1)`` shifts ``x``
above a threshold where the asymptotic (Stirling) series converges to below a rounding
error; every term is summed exactly with :func:`math.fsum`, so the error is a few units in
the last place of the largest term (relative for n >= 1, whose terms share one sign; near
digamma's zero at 1.4616... the error is absolute, ~4e-16).  For ``x < 0`` the reflection
formula ``(-1)**n psi_n(1 - x) - psi_n(x) = pi**(n + 1) cot^(n)(pi x)`` maps to ``1 - x``,
with the n-th derivative of cot written as a polynomial in cot; there the error is a few
units in the last place of the larger of the two terms (so relative error grows near the
zeros between the poles).  Measured against mpmath (40 digits): at most 2 ulp for x > 0
(n = 0..30), at most 7 ulp of the larger reflection term for x < 0 (n = 0..5).  Poles
(0, -1, -2, ...) raise :class:`DomainError` naming ``digamma``/``polygamma``; a slope whose
magnitude only overflows (x ~ 1e-308) is +-inf, as dpow's at 0.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

from autograd_lite.core.errors import DomainError


@cache
def _bernoulli(m: int) -> Fraction:
    """The Bernoulli number B_m (B_1 = -1/2), exactly."""
    b: list[Fraction] = [Fraction(1)]
    for k in range(1, m + 1):
        b.append(-sum((math.comb(k + 1, j) * b[j] for j in range(k)), Fraction(0)) / (k + 1))
    return b[m]


@cache
def _stirling(n: int, k: int) -> float:
    """The coefficient of x**-(2k + n) in the asymptotic series of |psi_n|:
    B_2k (2k + n - 1)! / (2k)! (for n = 0: B_2k / 2k)."""
    if n == 0:
        return float(_bernoulli(2 * k) / (2 * k))
    return float(_bernoulli(2 * k) * Fraction(math.factorial(2 * k + n - 1),
                                                math.factorial(2 * k)))


@cache
def _cot_derivative(n: int) -> tuple[int, ...]:
    """Coefficients (constant first) of P_n with d^n/dt^n cot(t) = P_n(cot t):
    P_0 = c, P_(m+1) = -(1 + c**2) P_m'(c)."""
    p = [0, 1]
    for _ in range(n):
        dp = [k * p[k] for k in range(1, len(p))] or [0]
        q = [0] * (len(dp) + 2)
        for k, a in enumerate(dp):
            q[k] -= a
            q[k + 2] -= a
        p = q
    return tuple(p)


MAX_ORDER = 100
"""The highest order n accepted (n! / x**(n + 1) overflows a float beyond it for x >= 1)."""


def polygamma(n: float, x: float) -> float:
    """psi_n(x), the n-th derivative of digamma; ``n`` a non-negative integer."""
    name = "digamma" if n == 0 else "polygamma"
    where = (x,) if n == 0 else (int(n) if n == math.floor(n) and abs(n) < 1e6 else n, x)
    if n != math.floor(n) or not 0 <= n <= MAX_ORDER:
        raise DomainError(name, where, f"the order must be an integer in 0..{MAX_ORDER}")
    order = int(n)
    if x <= 0.0 and x == math.floor(x):
        raise DomainError(name, where, "pole at zero and the negative integers")
    try:
        out = _reflected(order, x) if x < 0.0 else _positive(order, x)
    except (OverflowError, ValueError):  # inf - inf in fsum, or a pow beyond the floats
        out = math.nan
    if math.isnan(out):
        raise DomainError(name, where, "result overflows a float")
    return out  # +-inf where only the slope's magnitude overflows (x ~ 1e-308), as dpow


def digamma(x: float) -> float:
    """psi(x) = d/dx log|gamma(x)|."""
    return polygamma(0, x)


def _positive(n: int, x: float) -> float:
    terms: list[float] = []
    threshold = 20.0 + n
    factorial = math.factorial(n)
    while x < threshold:  # psi_n(x) = psi_n(x + 1) + (-1)**(n + 1) n! / x**(n + 1)
        terms.append(-1.0 / x if n == 0 else factorial * _inverse_power(x, n + 1))
        x += 1.0
    # the asymptotic series at x >= threshold
    if n == 0:
        terms += [math.log(x), -0.5 / x]
    else:
        terms += [math.factorial(n - 1) * math.pow(x, -n), 0.5 * factorial * math.pow(x, -(n + 1))]
    inverse_square = 1.0 / (x * x)
    power = math.pow(x, -n) if n else 1.0
    for k in range(1, 30):
        power *= inverse_square
        term = _stirling(n, k) * power
        terms.append(-term if n == 0 else term)
        if abs(term) < 1e-18 * abs(terms[0]) or power == 0.0:
            break
    total = math.fsum(terms)
    return total if n % 2 == 1 or n == 0 else -total


def _inverse_power(x: float, k: int) -> float:
    """x ** -k for x > 0, +inf beyond the floats."""
    try:
        return math.pow(x, -k)
    except OverflowError:
        return math.inf


def _cot_pi(r: float) -> float:
    """cot(pi r) for 0 < |r| <= 1/2, accurate to the last bit also near r = +-1/2 (where
    cos(pi r) / sin(pi r) would be off by cos(pi / 2) ~ 6e-17, not 0)."""
    if abs(r) < 0.25:
        return math.cos(math.pi * r) / math.sin(math.pi * r)
    return math.copysign(math.tan(math.pi * (0.5 - abs(r))), r)  # 0.5 - |r| is exact


def _reflected(n: int, x: float) -> float:
    """psi_n(x) = (-1)**n psi_n(1 - x) - pi**(n + 1) P_n(cot(pi x)) for x < 0."""
    r = x - round(x)  # exact; cot(pi x) has period 1
    c = _cot_pi(r)
    coefficients = _cot_derivative(n)
    p = float(coefficients[-1])  # Horner's rule (0 * inf never arises: c may be infinite)
    for a in reversed(coefficients[:-1]):
        p = p * c + a
    other = _positive(n, 1.0 - x)
    return math.fsum([other if n % 2 == 0 else -other, -math.pow(math.pi, n + 1) * p])

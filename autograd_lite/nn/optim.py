"""Optimisers: update parameters in place from their ``.grad`` (PyTorch's update rules).

* :class:`SGD` -- ``v <- mu v + g``, ``p <- p - lr v`` (plain gradient descent when mu = 0,
  the update every course note writes: ``theta <- theta - eta dL/dtheta``);
* :class:`Adam` -- ``m <- b1 m + (1 - b1) g``, ``s <- b2 s + (1 - b2) g^2``,
  ``p <- p - lr m_hat / (sqrt(s_hat) + eps)`` with bias-corrected ``m_hat``, ``s_hat``.

A non-finite gradient or update raises :class:`DomainError` naming the parameter and leaves
every parameter as it was, so training never silently fills a model with NaN.

The loop, with :class:`~autograd_lite.nn.progress.Progress` to see it go (a tqdm bar when
tqdm is installed, a line every ``every`` steps otherwise)::

    progress = Progress(200, every=50)
    for step in progress:
        loss = mean([squared_error(model(x), y) for x, y in zip(xs, ys)])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        progress.show(loss=loss.data)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd_lite.core.errors import DomainError
from autograd_lite.core.rules import to_float
from autograd_lite.core.value import Value, zero_grad


class Optimizer:
    """Holds the parameters; :meth:`step` updates them, :meth:`zero_grad` clears grads.

    Examples:
        The base of :class:`SGD` and :class:`Adam`:

        >>> from autograd_lite import SGD, Value
        >>> from autograd_lite.nn.optim import Optimizer
        >>> w = Value(1.0)
        >>> (w * w).backward()
        >>> opt = SGD([w], lr=0.5)
        >>> isinstance(opt, Optimizer), w.grad
        (True, 2.0)
        >>> opt.step(); opt.zero_grad()
        >>> w.data, w.grad
        (0.0, 0.0)
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Values "
                            f"(model.parameters()), got {type(params).__name__}")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: parameters must be Values, got "
                                f"{type(p).__name__}")
        self.lr = _positive(lr, f"{type(self).__name__} lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (before the next backward)."""
        zero_grad(self.params)

    def step(self) -> None:
        """Update every parameter from its ``.grad`` (all or none)."""
        new = self._updated()
        for i, (p, x) in enumerate(zip(self.params, new)):
            if not math.isfinite(x):
                raise DomainError(f"{type(self).__name__}.step", (p.data, p.grad),
                                  f"parameter {i} {p.label!r} would become {x!r}")
        for p, x in zip(self.params, new):
            p.data = x
        self._commit()

    def _updated(self) -> list[float]:
        raise NotImplementedError

    def _commit(self) -> None:
        """Keep the state computed by the last successful :meth:`_updated`."""


class SGD(Optimizer):
    """Gradient descent, with optional momentum ``mu``: ``v <- mu v + g; p <- p - lr v``.

    Examples:
        >>> from autograd_lite import SGD, Value
        >>> w = Value(3.0)
        >>> opt = SGD([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w * w).backward()          # d/dw w^2 = 2w
        ...     opt.step()                  # w <- w - 0.1 * 2w
        >>> round(w.data, 10)
        1.92
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = to_float(momentum, "SGD momentum")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        self.velocity = [0.0] * len(self.params)
        self._next_velocity = self.velocity

    def _updated(self) -> list[float]:
        mu, lr = self.momentum, self.lr
        if mu == 0.0:
            return [p.data - lr * p.grad for p in self.params]
        self._next_velocity = [mu * v + p.grad for v, p in zip(self.velocity, self.params)]
        return [p.data - lr * v for p, v in zip(self.params, self._next_velocity)]

    def _commit(self) -> None:
        self.velocity = self._next_velocity


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias correction, as ``torch.optim.Adam``.

    Examples:
        >>> from autograd_lite import Adam, Value
        >>> w = Value(3.0)
        >>> opt = Adam([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).backward(); opt.step()
        >>> round(w.data, 10)               # the first step moves every parameter by about lr
        2.9
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        b1, b2 = (to_float(b, "Adam beta") for b in betas)
        if not (0.0 <= b1 < 1.0 and 0.0 <= b2 < 1.0):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.betas = (b1, b2)
        self.eps = _positive(eps, "Adam eps")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.s = [0.0] * len(self.params)
        self._next: tuple[list[float], list[float]] = (self.m, self.s)

    def _updated(self) -> list[float]:
        b1, b2 = self.betas
        t = self.t + 1
        m = [b1 * mi + (1.0 - b1) * p.grad for mi, p in zip(self.m, self.params)]
        s = [b2 * si + (1.0 - b2) * p.grad * p.grad for si, p in zip(self.s, self.params)]
        self._next = (m, s)
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        return [p.data - self.lr * (mi / c1) / (math.sqrt(si / c2) + self.eps)
                for p, mi, si in zip(self.params, m, s)]

    def _commit(self) -> None:
        self.m, self.s = self._next
        self.t += 1


def _positive(x: object, what: str) -> float:
    value = to_float(x, what)
    if value <= 0.0:
        raise ValueError(f"{what} must be positive, got {x!r}")
    return value


__all__ = ["SGD", "Adam", "Optimizer"]

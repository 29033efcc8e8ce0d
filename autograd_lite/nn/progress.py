"""Progress of a training loop: :class:`Progress`, a ``tqdm`` bar when tqdm is installed,
a plain line every ``every`` steps otherwise, with the loss and accuracy you report.

tqdm is optional (the core has no dependencies): it is imported when a bar is made, and a
loop written with :class:`Progress` runs the same with or without it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, TextIO

from autograd_lite.core.rules import to_float


def _tqdm() -> Any:
    """tqdm's bar class, or None when tqdm is not installed."""
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]
    except ImportError:
        return None
    return tqdm


def _formatted(name: str, value: float) -> str:
    """``accuracy 97.5%`` for a name ending in accuracy, ``loss 0.1235`` otherwise."""
    return f"{name} {value:.1%}" if name.endswith("accuracy") else f"{name} {value:.4g}"


class Progress:
    """Steps ``0 .. steps - 1`` to loop over, showing progress: call :meth:`show` with the
    numbers to report (``loss=...``, ``accuracy=...``).

    With ``bar=None`` (the default) a tqdm bar is used when tqdm is installed, with the
    numbers after it (on ``file``, standard error by default); with ``bar=False``, or
    without tqdm, a line ``step 20/200: loss 0.352, accuracy 92.0%`` is printed (on
    ``file``, standard output by default) every ``every`` steps and at the last one.  A name
    ending in ``accuracy`` is shown as a percentage.  The last numbers shown stay in
    :attr:`last`.

    Raises:
        ValueError: ``steps`` or ``every`` is not a positive int.
        TypeError: a number given to :meth:`show` is not a real number.

    Examples:
        >>> from autograd_lite import MLP, SGD
        >>> from autograd_lite.nn import Progress
        >>> from autograd_lite.nn.losses import mean, squared_error
        >>> model = MLP(1, [4, 1], seed=0)
        >>> optimiser = SGD(model.parameters(), lr=0.1)
        >>> xs, ys = [[0.0], [0.5], [1.0]], [0.0, 0.25, 1.0]
        >>> progress = Progress(30, every=10, bar=False)    # without tqdm too
        >>> for step in progress:
        ...     loss = mean([squared_error(model(x), y) for x, y in zip(xs, ys)])
        ...     optimiser.zero_grad()
        ...     loss.backward()
        ...     optimiser.step()
        ...     progress.show(loss=loss.data)
        step 10/30: loss 0.1023
        step 20/30: loss 0.05762
        step 30/30: loss 0.03298
    """

    def __init__(self, steps: int, *, every: int = 10, bar: bool | None = None,
                 desc: str = "", file: TextIO | None = None) -> None:
        for name, given in (("steps", steps), ("every", every)):
            if isinstance(given, bool) or not isinstance(given, int) or given < 1:
                raise ValueError(f"Progress: {name} must be a positive int, got {given!r}")
        if bar and _tqdm() is None:
            raise ValueError("Progress: bar=True needs tqdm (pip install tqdm), which is not "
                             "installed; leave bar unset for a plain line without it")
        self.steps, self.every, self.desc = steps, every, desc
        self.file = file
        self.step = -1
        self.last: dict[str, float] = {}
        self._bar: Any = None
        self._use_bar = bar if bar is not None else _tqdm() is not None

    def __iter__(self) -> Iterator[int]:
        if self._use_bar:
            self._bar = _tqdm()(total=self.steps, desc=self.desc or None,
                                file=self.file if self.file is not None else sys.stderr)
        try:
            for step in range(self.steps):
                self.step = step
                yield step
                if self._bar is not None:
                    self._bar.update(1)
        finally:
            if self._bar is not None:
                self._bar.close()

    def show(self, **numbers: float) -> None:
        """Report ``numbers`` (``loss=0.35, accuracy=0.92``) for the current step: on the
        bar, or as a line if the step is a multiple of ``every`` or the last."""
        self.last = {name: to_float(value, f"Progress.show: {name}")
                     for name, value in numbers.items()}
        text = ", ".join(_formatted(name, value) for name, value in self.last.items())
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            return
        done = self.step + 1
        if done % self.every == 0 or done == self.steps:
            prefix = f"{self.desc}: " if self.desc else ""
            print(f"{prefix}step {done}/{self.steps}: {text}",
                  file=self.file if self.file is not None else sys.stdout)

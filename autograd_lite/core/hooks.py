"""Gradient hooks: ``Value.register_hook(fn)``, as PyTorch's ``Tensor.register_hook``.

``fn(grad)`` runs when the Value's gradient is complete in a reverse pass -- ``backward``,
``grad``, ``grad(create_graph=True)``, the step-through -- and may return a replacement,
which is what the Value passes on to its parents (and what a leaf accumulates).  Several
hooks on one Value run in the order registered, each given the previous one's result.

Where hooks live.  A Value has no room for them (its slots are the node layout, whose size
is tested) and cannot be weakly referenced, so they live here, in :data:`HOOKS`, a dict
keyed by the Value itself (hashing is by identity).  The dict holds the Value strongly:
**a hooked Value, and the graph it was computed from, stay alive until its hooks are
removed** -- by ``handle.remove()``, at the end of ``with value.register_hook(fn):``, or
all at once by :func:`remove_hooks`.  PyTorch frees a hook with its tensor; here a hook is
a registration, like a callback, that its owner removes.  The reverse passes pay for hooks
only while some are registered: one test of this dict's truth per pass, none per node.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from types import TracebackType
from typing import Any

Hook = Callable[[Any], Any]

HOOKS: dict[Any, list[Hook]] = {}
"""The hooks of each hooked Value, in the order registered (empty: none anywhere)."""


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` unregisters the hook (once; again is a
    no-op), as PyTorch's handle; a ``with`` block removes it at its end.

    Examples:
        >>> from autograd_lite import Value
        >>> x = Value(3.0)
        >>> with x.register_hook(lambda g: 2 * g):
        ...     (x * x).backward()
        >>> x.grad                                  # 2 * 6: the hook doubled it
        12.0
        >>> (x * x).backward(); x.grad              # removed: 12 + 6
        18.0
    """

    __slots__ = ("hook", "value")

    def __init__(self, value: Any, hook: Hook) -> None:
        self.value, self.hook = value, hook

    def remove(self) -> None:
        """Unregister the hook (a no-op when already removed)."""
        hooks = HOOKS.get(self.value)
        if hooks is None:
            return
        for k, registered in enumerate(hooks):
            if registered is self.hook:
                del hooks[k]
                break
        if not hooks:
            del HOOKS[self.value]

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.remove()


def register_hook(value: Any, hook: Hook) -> RemovableHandle:
    """Add ``hook`` to ``value``'s hooks (after those already there); its handle."""
    if not callable(hook):
        raise TypeError(f"register_hook: hook must be callable (grad -> new grad or None), "
                        f"got {type(hook).__name__} {hook!r}")
    if not value.requires_grad:
        raise RuntimeError(f"register_hook: cannot register a hook on {value!r}, which does "
                           "not require grad (no gradient would reach it)")
    HOOKS.setdefault(value, []).append(hook)  # registered twice: runs twice, removed once
    return RemovableHandle(value, hook)


def remove_hooks(value: Any | None = None) -> None:
    """Remove every hook of ``value``, or of every Value (``None``): releases them all.

    Examples:
        >>> from autograd_lite import Value
        >>> from autograd_lite.core.hooks import HOOKS, remove_hooks
        >>> x = Value(1.0)
        >>> _ = x.register_hook(print)
        >>> remove_hooks(x); x in HOOKS
        False
    """
    if value is None:
        HOOKS.clear()
    else:
        HOOKS.pop(value, None)


def _checked(hook: Hook, value: Any, result: Any, differentiable: bool) -> Any:
    """A hook's result as the new gradient: a Value when the gradient is a recorded Value
    (``create_graph``), a float otherwise (a Value returned gives its number: the gradient
    is not differentiated further)."""
    if isinstance(result, type(value)):
        return result if differentiable else result.data
    if isinstance(result, bool) or not isinstance(result, numbers.Real):
        raise TypeError(f"register_hook: the hook {getattr(hook, '__name__', hook)!r} of "
                        f"{value!r} returned {type(result).__name__} {result!r}; expected a "
                        "new gradient (a number or a Value) or None")
    if differentiable and not math.isfinite(result):
        raise ValueError(f"register_hook: the hook {getattr(hook, '__name__', hook)!r} of "
                         f"{value!r} returned {result!r}; under create_graph a gradient is "
                         "a Value, whose number must be finite")
    return float(result)


def run_hooks(node: Any, grad: Any) -> Any:
    """``node``'s hooks applied to its complete gradient ``grad``: the replacement, or None
    when it has no hook or none replaced it (a ``visit`` for
    :func:`~autograd_lite.core.reverse.reverse_pass`)."""
    hooks = HOOKS.get(node)
    if not hooks:
        return None
    differentiable = isinstance(grad, type(node))  # a Value: grad(create_graph=True)
    replaced = None
    for hook in list(hooks):
        result = hook(grad)
        if result is not None:
            grad = replaced = _checked(hook, node, result, differentiable)
    return replaced


def hook_visitor() -> Callable[[Any, Any], Any] | None:
    """:func:`run_hooks` while some Value has a hook, else None (nothing to visit)."""
    return run_hooks if HOOKS else None

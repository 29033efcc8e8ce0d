"""Modes switched for a block or a decorated function: the base of ``no_grad``,
``enable_grad`` and ``detect_anomaly``.

A mode lives in a context variable, so it is per thread (and per asyncio task).  Undoing it
needs the :class:`~contextvars.Token` its setting returned, and a token can only be used in
the context that made it.  So the mode object keeps no token: each ``__enter__`` pushes
(object, token) onto a stack held in a context variable of its own, and ``__exit__`` pops
the newest entry of that object *in the current context*.  One mode object can then be
entered anywhere -- nested in itself, from many threads at once, as a decorator called
concurrently -- and each entry is undone in the context that made it.

As a decorator (:meth:`ModeContext.__call__`), each call of the function runs under the
mode.  For a generator function, each resumption of the generator body runs under the mode
and the caller's mode is restored at every ``yield`` (as ``torch.no_grad``); a coroutine
function runs its whole body under the mode.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any

_OPEN: ContextVar[tuple[tuple[ModeContext, Token[Any]], ...]] = ContextVar(
    "autograd_lite_open_modes", default=())
"""The modes entered and not yet left in this context, oldest first, with the token that
undoes each."""


class ModeContext:
    """A mode for a ``with`` block or a decorated function; subclasses define :meth:`switch`.

    The object holds no state of its own entries, so one instance may be reused, nested and
    shared between threads.
    """

    def switch(self) -> Token[Any]:
        """Turn the mode on in the current context (set its context variable); return the
        token that undoes it."""
        raise NotImplementedError

    def __enter__(self) -> None:
        token = self.switch()
        _OPEN.set((*_OPEN.get(), (self, token)))

    def __exit__(self, exc_type: type[BaseException] | None = None,
                 exc: BaseException | None = None, tb: TracebackType | None = None) -> None:
        entries = _OPEN.get()
        for k in range(len(entries) - 1, -1, -1):  # the last entry, but for interleaving
            if entries[k][0] is self:
                _OPEN.set(entries[:k] + entries[k + 1:])
                token = entries[k][1]
                token.var.reset(token)
                return
        raise RuntimeError(f"{type(self).__name__}: leaving a block that was not entered in "
                           "this thread/context")

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` run under the mode at each call (each generator resumption)."""
        if not callable(function):
            raise TypeError(f"{type(self).__name__}: expected a function to decorate or "
                            f"nothing, got {type(function).__name__} {function!r}")
        if inspect.isasyncgenfunction(function):
            raise TypeError(f"{type(self).__name__}: cannot decorate the async generator "
                            f"function {function.__qualname__}; use a with block inside it")
        if inspect.isgeneratorfunction(function):
            return self._generator(function)
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def coroutine_under_mode(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await function(*args, **kwargs)
            return coroutine_under_mode

        @functools.wraps(function)
        def under_mode(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)
        return under_mode

    def _generator(self, function: Callable[..., Generator[Any, Any, Any]]
                   ) -> Callable[..., Generator[Any, Any, Any]]:
        """The generator function whose body runs under the mode between yields only."""
        @functools.wraps(function)
        def generator_under_mode(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            generator = function(*args, **kwargs)
            try:
                with self:
                    response = generator.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self:
                            generator.close()
                        raise
                    except BaseException as error:
                        with self:
                            response = generator.throw(error)
                    else:
                        with self:
                            response = generator.send(request)
            except StopIteration as stop:
                return stop.value
        return generator_under_mode

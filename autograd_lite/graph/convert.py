"""SVG -> PNG and SVG -> PDF without a Graphviz installation (the ``viz`` extra).

PNG: ``resvg-py``, a binding of resvg (Rust; wheels for Linux, macOS and Windows, MIT),
which renders SVG faithfully and exactly at a chosen DPI or pixel width.  Text needs a font:
resvg reads the system's fonts and, so that no machine draws boxes without words, also the
Bitstream Vera fonts that ReportLab ships.  PDF: ``svglib`` reads the SVG into a ReportLab
drawing and ReportLab writes the PDF (pure Python plus ReportLab's small C accelerators;
BSD and LGPL, used unmodified as libraries), keeping text as text in the standard PDF
fonts (selectable and searchable, no font file embedded).  Both read Graphviz's own SVG,
so the pictures match the SVG (and the system ``dot``'s output) in layout.
"""

from __future__ import annotations

import io
import logging
import math
import re
from pathlib import Path

from autograd_lite.graph.render import INSTALL_VIZ, RenderError

FALLBACK_FAMILY = "Bitstream Vera Sans"
"""The family of ReportLab's Vera fonts, the last resort for text in a PNG."""
DEFAULT_DPI = 96.0
"""PNG resolution when neither ``dpi`` nor ``width`` is given (Graphviz's own default)."""


def check_size(dpi: float | None, width: int | None, where: str) -> None:
    """Refuse a ``dpi`` or ``width`` that is not a positive finite number, or both at once."""
    if dpi is not None and width is not None:
        raise ValueError(f"{where}: give dpi or width, not both")
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, int | float)
                            or not math.isfinite(dpi) or not 1 <= dpi <= 2400):
        raise ValueError(f"{where}: dpi must be a number from 1 to 2400, got {dpi!r}")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int)
                              or not 1 <= width <= 20_000):
        raise ValueError(f"{where}: width must be an int of pixels from 1 to 20000, got "
                         f"{width!r}")


def svg_points(svg: str) -> tuple[float, float]:
    """The width and height of a Graphviz SVG in points (its ``width="296pt"``)."""
    found = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"[^>]*\sheight="([\d.]+)pt"', svg)
    if found is None:
        raise RenderError("the SVG has no size in points (width=\"...pt\"): not Graphviz's")
    return float(found.group(1)), float(found.group(2))


def svg_to_png(svg: str, *, dpi: float | None = None, width: int | None = None,
               where: str = "svg_to_png") -> bytes:
    """A Graphviz SVG as PNG bytes, at ``dpi`` (default 96) or ``width`` pixels wide."""
    check_size(dpi, width, where)
    try:
        import resvg_py
    except ImportError as exc:
        raise _missing("resvg-py", "PNG", where) from exc
    fonts = _fallback_fonts()
    if fonts:  # after the SVG's own families, which the machine may not have
        svg = re.sub(r'font-family="([^"]*)"', rf'font-family="\1,{FALLBACK_FAMILY}"', svg)
    try:
        png = resvg_py.svg_to_bytes(svg_string=svg[svg.index("<svg"):], dpi=dpi or DEFAULT_DPI,
                                    width=width, font_files=fonts)
    except ValueError as error:
        raise RenderError(f"{where}: resvg could not draw the SVG: {error}") from error
    return bytes(png)


def svg_to_pdf(svg: str, *, where: str = "svg_to_pdf") -> bytes:
    """A Graphviz SVG as a one-page PDF, its text kept as text."""
    try:
        from reportlab.graphics import renderPDF  # type: ignore[import-untyped]
        from svglib.svglib import svg2rlg
    except ImportError as exc:
        raise _missing("svglib", "PDF", where) from exc
    quiet = logging.getLogger("svglib")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # svglib warns about SVG it skips (Graphviz uses none)
    try:
        drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")))
    finally:
        quiet.setLevel(level)
    if drawing is None:
        raise RenderError(f"{where}: svglib could not read the SVG")
    pdf: bytes = renderPDF.drawToString(drawing)
    return pdf


def _missing(package: str, what: str, where: str) -> ImportError:
    return ImportError(f"{where}: {what} without the Graphviz `dot` program needs {package}: "
                       f"{INSTALL_VIZ}")


def _fallback_fonts() -> list[str]:
    """ReportLab's Vera fonts (if installed): text on a machine with no fonts of its own."""
    try:
        import reportlab  # type: ignore[import-untyped]
    except ImportError:
        return []
    return sorted(str(p) for p in (Path(reportlab.__file__).parent / "fonts").glob("Vera*.ttf"))


__all__ = ["svg_to_pdf", "svg_to_png"]

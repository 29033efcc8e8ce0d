"""Write the notebooks (``*.ipynb``) from their reviewable sources in ``notebooks/src/``.

Each source is a Python file in the "percent" format: ``# %%`` starts a code cell and
``# %% [markdown]`` a Markdown cell whose lines are comments (``# `` is stripped).  The
notebooks are written without outputs and with fixed cell ids, so building twice gives
the same bytes and ``git diff`` shows only real changes.

    python notebooks/build.py           # rewrite every notebook from its source
    python notebooks/build.py --check   # exit 1 if a notebook differs from its source
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nbformat as _nbformat

nbformat: Any = _nbformat  # nbformat has no type hints

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
CELL = "# %%"
MARKDOWN = "# %% [markdown]"


def parse_cells(text: str) -> list[tuple[str, str]]:
    """``(kind, source)`` for each cell of a percent-format file; kind is code or markdown."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith(MARKDOWN):
            cells.append(("markdown", []))
        elif line.startswith(CELL):
            cells.append(("code", []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                if line and not line.startswith("#"):
                    raise ValueError(f"markdown cell line is not a comment: {line!r}")
                line = line[2:] if line.startswith("# ") else line[1:]
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"code before the first cell marker: {line!r}")
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def notebook_text(source: Path) -> str:
    """The ``.ipynb`` JSON for one source file: outputs empty, execution counts null."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, (kind, text) in enumerate(parse_cells(source.read_text(encoding="utf-8"))):
        cell_id = f"{source.stem[:20]}-{index:02d}".replace("_", "-")
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(text, id=cell_id)
        else:
            cell = nbformat.v4.new_code_cell(text, id=cell_id)
        nb.cells.append(cell)
    nbformat.validate(nb)
    json_text: str = nbformat.writes(nb)
    return json_text + "\n"


def targets() -> dict[Path, Path]:
    """Each source and the notebook it becomes (``src/name.py`` -> ``name.ipynb``)."""
    return {src: HERE / f"{src.stem}.ipynb" for src in sorted(SOURCES.glob("*.py"))}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for src, out in targets().items():
        text = notebook_text(src)
        if check:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                stale.append(out.name)
        else:
            out.write_text(text, encoding="utf-8")
            print(f"wrote {out.relative_to(HERE.parent)}")
    if stale:
        print("out of date (run python notebooks/build.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The files in docs/ are what docs/make_figures.py writes today: regenerated, not hand-kept.

The script's ``figures()`` lists every file it writes (name under docs/ and bytes); the test
compares each with the file on disk, so a figure left behind by a change to the drawing code
fails here, whatever figures are added to the script later.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest
from by_path import load_module

DOCS = Path(__file__).resolve().parents[2] / "docs"


def make_figures() -> ModuleType:
    return load_module("make_figures", DOCS / "make_figures.py")


@pytest.fixture(scope="module")
def written() -> dict[str, bytes]:
    """Everything the script would write, made once for this file's tests."""
    figures: dict[str, bytes] = make_figures().figures()
    return figures


def test_the_script_writes_the_readme_figures(written: dict[str, bytes]) -> None:
    assert {"graph.svg", "backward_steps.html"} <= set(written)


def test_every_file_the_script_writes_is_current_on_disk(written: dict[str, bytes]) -> None:
    stale = [name for name, data in written.items()
             if not (DOCS / name).is_file() or (DOCS / name).read_bytes() != data]
    assert stale == [], f"out of date in docs/: {stale}; run python docs/make_figures.py"


def test_the_check_names_a_figure_that_no_longer_matches(tmp_path: Path) -> None:
    """The check can fail: a copy of docs/ with one figure edited is reported stale."""
    module = make_figures()
    for name in module.FIGURES:
        shutil.copy(DOCS / name, tmp_path / name)
    (tmp_path / "graph.svg").write_bytes((tmp_path / "graph.svg").read_bytes()
                                         .replace(b"grad 10.39", b"grad 10.4"))
    (tmp_path / "backward_steps.html").unlink()
    assert sorted(module.stale(tmp_path)) == ["backward_steps.html", "graph.svg"]

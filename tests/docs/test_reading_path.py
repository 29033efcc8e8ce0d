"""The reading path: the code a learner reads to understand reverse mode, in order.

"How reverse mode works here" ends with a table of it: each step names a file and the
functions, classes and methods to read there, with their line count.  These tests hold the
page to the code (every name exists, every count is today's) and the code to the promise
(the whole path, without the table of rules, is at most 700 lines).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "explanation" / "reverse-mode.md"
BUDGET = 700
"""Lines a learner reads, at most (issue 23: micrograd's engine is 94, HIPS's core ~200)."""

ROW = re.compile(r"^\| (?P<step>\d+)\. [^|]+ \| `(?P<file>[\w/]+\.py)` \| (?P<read>[^|]+) \| "
                 r"(?P<lines>\d+) \|$", re.MULTILINE)
ENTRY = re.compile(r"`(?P<first>[\w.]+)`(?: (?P<head>head)| to `(?P<last>[\w.]+)`)?")
TOTAL = re.compile(r"^\| \| \| \*\*in all\*\* \| \*\*(?P<lines>\d+)\*\* \|$", re.MULTILINE)


def definitions(path: Path) -> dict[str, tuple[int, int]]:
    """First and last line of each top-level function and class of ``path``, each method
    (``Class.method``; a property's getter and setter together) and each class head
    (``Class head``: its docstring and attributes, up to its first method)."""
    spans: dict[str, tuple[int, int]] = {}

    def add(name: str, node: ast.FunctionDef | ast.ClassDef) -> None:
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        old = spans.get(name, (start, node.end_lineno or start))
        spans[name] = (min(old[0], start), max(old[1], node.end_lineno or start))

    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            add(node.name, node)
        if isinstance(node, ast.ClassDef):
            methods = [m for m in node.body if isinstance(m, ast.FunctionDef)]
            for m in methods:
                add(f"{node.name}.{m.name}", m)
            if methods:
                first_method = spans[f"{node.name}.{methods[0].name}"]
                spans[f"{node.name} head"] = (node.lineno, first_method[0] - 1)
    return spans


def lines_read(file: str, read: str) -> set[int]:
    """The line numbers of ``file`` that the entries of a table cell name."""
    spans = definitions(ROOT / "autograd_lite" / file)
    order = sorted(spans, key=lambda name: spans[name])
    read_lines: set[int] = set()
    entries = list(ENTRY.finditer(read))
    assert entries, f"no names in {read!r}"
    for entry in entries:
        first = entry["first"] + (" head" if entry["head"] else "")
        assert first in spans, f"{file} has no {first}"
        start, end = spans[first]
        if entry["last"]:
            assert entry["last"] in spans, f"{file} has no {entry['last']}"
            assert order.index(entry["last"]) > order.index(first), entry[0]
            end = spans[entry["last"]][1]
        read_lines |= set(range(start, end + 1))
    return read_lines


def rows() -> list[re.Match[str]]:
    found = list(ROW.finditer(PAGE.read_text(encoding="utf-8")))
    assert [int(r["step"]) for r in found] == list(range(1, len(found) + 1)), "steps 1, 2, ..."
    return found


@pytest.mark.parametrize("row", rows(), ids=lambda r: f"step {r['step']}")
def test_each_step_names_code_that_exists_with_its_line_count(row: re.Match[str]) -> None:
    assert int(row["lines"]) == len(lines_read(row["file"], row["read"]))


def test_the_path_is_read_in_one_sitting() -> None:
    text = PAGE.read_text(encoding="utf-8")
    total = TOTAL.search(text)
    assert total is not None, "the table ends with the lines in all"
    per_file: dict[str, set[int]] = {}
    for row in rows():
        per_file.setdefault(row["file"], set()).update(lines_read(row["file"], row["read"]))
    counted = sum(len(lines) for lines in per_file.values())  # a line read twice counts once
    assert int(total["lines"]) == counted
    assert counted <= BUDGET


def test_the_path_reaches_recording_the_reverse_pass_and_backward() -> None:
    named = {(row["file"], entry["first"]) for row in rows()
             for entry in ENTRY.finditer(row["read"])}
    for needed in [("core/rules.py", "Primitive"), ("core/value.py", "record"),
                   ("core/value.py", "topological_order"), ("core/reverse.py", "reverse_pass"),
                   ("core/value.py", "Value.backward"), ("core/gradients.py", "grad")]:
        assert needed in named, needed


def test_the_readme_points_at_the_path_with_its_length() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    total = TOTAL.search(PAGE.read_text(encoding="utf-8"))
    assert total is not None
    assert (f"one sitting ([the reading path](docs/explanation/reverse-mode.md#read-the-code): "
            f"{total['lines']} lines, in order)") in readme

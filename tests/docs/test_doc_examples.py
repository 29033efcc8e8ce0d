"""The tutorial on the course notes says what the examples print, and nothing else.

Users do not have the course notes, so ``docs/tutorials/course-notes.md`` describes each
example itself.  Each console excerpt there (``$ python -m autograd_lite --example NAME``
and lines of its output, ``...`` where lines are left out) must be the command's output,
line for line and in order; and each number the prose states is recomputed here in plain
floats from the note's network (no engine), so the page cannot drift from the code or from
arithmetic.
"""

# The page typesets minus signs (U+2212) and sigma; the claims quote it exactly.
# ruff: noqa: RUF001

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from autograd_lite.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SECTION = (ROOT / "docs" / "tutorials" / "course-notes.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
         *sorted((ROOT / "notebooks" / "src").glob("*.py"))]
EXCERPTS = [block for block in re.findall(r"```\n(.*?)```", SECTION, flags=re.DOTALL)
            if block.startswith("$ python -m autograd_lite --example ")]


NOTE_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
"""A course note's file name (``003_f509dacf7a319b71.txt``), which users do not have."""
USER_TEXTS = [*PAGES, *sorted((ROOT / "notebooks").glob("*.ipynb")),
              *sorted((ROOT / "autograd_lite").rglob("*.py")),
              *sorted((ROOT / "autograd_lite").rglob("*.md"))]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_page_points_at_the_notes_folder(path: Path) -> None:
    """The notes are not shipped: no path to them, and the tutorial names no file of theirs."""
    text = path.read_text(encoding="utf-8")
    assert "shared/seeds" not in text and "../shared" not in text
    assert not NOTE_FILE.search(SECTION)


def test_nothing_a_user_reads_names_a_note_file() -> None:
    """Pages, notebooks, docstrings ("course note 003", never its file name) and the
    command line's output of every example."""
    named = [p.relative_to(ROOT).as_posix() for p in USER_TEXTS
             if NOTE_FILE.search(p.read_text(encoding="utf-8"))]
    assert named == []
    assert NOTE_FILE.search("note 003_f509dacf7a319b71.txt")  # the check can fail


@pytest.mark.parametrize("argv", [["--list"], *(  # note 002 trains a network: slow
    pytest.param(["--example", name], marks=pytest.mark.slow) if name == "note002"
    else ["--example", name] for name in ("note000", "note001", "note002", "note003",
                                         "note004"))], ids=" ".join)
def test_the_command_line_says_course_note_not_a_file_name(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert not NOTE_FILE.search(out)
    assert "course note 00" in out.lower()


def test_every_note_has_an_excerpt_of_its_output() -> None:
    names = [block.splitlines()[0].split()[-1] for block in EXCERPTS]
    assert names == ["003", "000", "001", "002", "004", "moons"]


def matches_in_order(excerpt: list[str], output: list[str]) -> bool:
    """Excerpt lines appear in ``output`` in order; lines not separated by ``...`` are
    consecutive there too."""
    position = 0
    runs: list[list[str]] = [[]]
    for line in excerpt:
        if line == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    for run in (r for r in runs if r):
        for start in range(position, len(output) - len(run) + 1):
            if output[start:start + len(run)] == run:
                position = start + len(run)
                break
        else:
            return False
    return True


def test_the_matcher_can_fail() -> None:
    output = ["a", "b", "c", "d"]
    assert matches_in_order(["a", "...", "c", "d"], output)
    assert not matches_in_order(["a", "c"], output)          # not consecutive without ...
    assert not matches_in_order(["c", "...", "a"], output)   # out of order
    assert not matches_in_order(["b", "x"], output)


@pytest.mark.slow
@pytest.mark.parametrize("block", EXCERPTS, ids=[b.splitlines()[0].split()[-1] for b in EXCERPTS])
def test_each_excerpt_is_the_commands_output(block: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    command, *excerpt = block.rstrip("\n").splitlines()
    argv = command.split()[4:]  # after "$ python -m autograd_lite"
    assert main(argv) == 0
    output = capsys.readouterr().out.splitlines()
    assert matches_in_order(excerpt, output), "\n".join(output)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# Note 003's network in plain floats: x = (1, 2) with the bias input -1, hidden weights
# V[i][j] (i = 0 is the bias), output weights W (W[0] the bias), target 5.
V = [[1.0, 0.0, -1.0], [1.0, 2.0, 0.0], [0.0, -2.0, 1.0]]
W = [1.0, 2.0, 3.0, -1.0]
X = [-1.0, 1.0, 2.0]
Z = [sum(X[i] * V[i][j] for i in range(3)) for j in range(3)]
A = [_sigmoid(z) for z in Z]
Y = -W[0] + sum(W[j + 1] * A[j] for j in range(3))
DELTA_O = 2 * (Y - 5.0)


@pytest.mark.parametrize(("claim", "holds"), [
    ("y = −0.5950", round(Y, 4) == -0.5950),
    ("L = 31.3036", round((Y - 5.0) ** 2, 4) == 31.3036),
    # the note's activations 0.5, 0.1192, 0.952 give its y = -0.5944
    ("the note's −0.5944 comes from its rounded activations (0.5, 0.1192, 0.952",
     round(-1 + 2 * 0.5 + 3 * 0.1192 - 0.952, 4) == -0.5944),
    ("σ(3) = 0.95257 is cut, not rounded",
     round(_sigmoid(3.0), 5) == 0.95257 and math.floor(_sigmoid(3.0) * 1000) / 1000 == 0.952
     and round(_sigmoid(3.0), 3) == 0.953),
    ("2(y − t) = −11.1899", round(DELTA_O, 4) == -11.1899),
    ("(0.5, 0.119, 0.952), the engine reproduces every printed hidden delta (−6.9, −4.34, 0.63)",
     [round(-13.8 * w * a * (1 - a), 2) for w, a in zip(W[1:], (0.5, 0.119, 0.952))]
     == [-6.9, -4.34, 0.63]),
    ("the correct hidden deltas are −5.5950, −3.5246 and 0.5055",
     [round(DELTA_O * W[j + 1] * A[j] * (1 - A[j]), 4) for j in range(3)]
     == [-5.5950, -3.5246, 0.5055]),
    ("it is recovered as logit(B)",  # x = (1, 0, 0): A = V's first row, B = sigmoid(A)
     all(math.isclose(_sigmoid(math.log(b / (1 - b))), b) for b in (0.33, 0.75, 0.27, 0.63))),
])
def test_each_number_in_the_text_is_right(claim: str, holds: bool) -> None:
    assert claim in " ".join(SECTION.split())  # as written, whatever the line breaks
    assert holds

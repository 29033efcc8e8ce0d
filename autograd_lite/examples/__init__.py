"""The course notes' worked examples, recomputed by the engine: one module per note.

Each module has ``NOTE`` (which course note: "course note 003"), ``TITLE``, a
``run``/``train`` function returning the quantities the note prints (as a dataclass), and
``report()`` -> text, which ``python -m autograd_lite --example NAME`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from autograd_lite.examples import moons, note_000, note_001, note_002, note_003, note_004


class Example(NamedTuple):
    """A worked example: where it comes from, what it shows, and its printout."""

    name: str
    note: str
    title: str
    report: Callable[[], str]


EXAMPLES: dict[str, Example] = {
    e.name: e for e in (
        Example("note003", note_003.NOTE, note_003.TITLE, note_003.report),
        Example("note000", note_000.NOTE, note_000.TITLE, note_000.report),
        Example("note001", note_001.NOTE, note_001.TITLE, note_001.report),
        Example("note002", note_002.NOTE, note_002.TITLE, note_002.report),
        Example("note004", note_004.NOTE, note_004.TITLE, note_004.report),
        Example("moons", moons.NOTE, moons.TITLE, moons.report),
    )
}
DEFAULT = "note003"

__all__ = ["DEFAULT", "EXAMPLES", "Example"]

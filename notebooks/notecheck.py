"""A table that sets the engine's numbers beside the numbers a course note prints.

The notebooks type each printed number in *as printed* (a string such as ``"0.1192"``),
so the number of digits shown says how close the engine must be:

* ``agree``: the engine's value, rounded to the printed digits, gives the printed number
  (``cut=True``: the note cut the digits off instead of rounding).  Otherwise it raises
  ``AssertionError``.
* ``differ``: the note's number does NOT follow from the exact computation, and we say
  why (rounding earlier in the note, or a slip).  If it did agree, the explanation would
  be stale, so that raises ``AssertionError`` too.

The table shows itself as Markdown in Jupyter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal


def printed_digits(printed: str) -> int:
    """Decimal places shown in a printed number: ``"0.1192"`` -> 4, ``"-2"`` -> 0."""
    _, _, fraction = printed.strip().partition(".")
    return len(fraction)


def reads_as(value: float, printed: str, cut: bool = False) -> str | None:
    """How ``value`` becomes ``printed`` ("rounds", or with ``cut`` "truncates"), else None."""
    quantum = Decimal(1).scaleb(-printed_digits(printed))
    target = Decimal(printed.strip())
    exact = Decimal(repr(value))
    if exact.quantize(quantum, ROUND_HALF_UP) == target or \
            exact.quantize(quantum, ROUND_HALF_EVEN) == target:
        return "rounds"
    if cut and exact.quantize(quantum, ROUND_DOWN) == target:
        return "truncates"
    return None


@dataclass
class NoteTable:
    """Rows of (quantity, formula, note prints, engine, verdict) for one note."""

    note: str
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def agree(self, quantity: str, engine: float, printed: str, formula: str = "", *,
              cut: bool = False) -> None:
        """Record a number the engine reproduces to the printed digits; raise if it does not."""
        how = reads_as(engine, printed, cut)
        if how is None:
            raise AssertionError(f"{self.note}: {quantity} prints {printed}, the engine gives "
                                 f"{engine!r}")
        verdict = "agrees" if how == "rounds" else "agrees (the note cuts digits off)"
        self.rows.append((quantity, formula, printed, f"{engine:.6g}", verdict))

    def differ(self, quantity: str, engine: float, printed: str, why: str,
               formula: str = "") -> None:
        """Record a printed number that the exact computation does not give, and why."""
        if reads_as(engine, printed) is not None:
            raise AssertionError(f"{self.note}: {quantity}: expected the note's {printed} to "
                                 f"differ from the engine's {engine!r} ({why}), but it agrees")
        self.rows.append((quantity, formula, printed, f"{engine:.6g}", f"differs: {why}"))

    def _repr_markdown_(self) -> str:
        lines = [f"Numbers from {self.note} beside the engine's", "",
                 "| quantity | formula | note prints | engine | |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                  for row in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()

"""Write the README's rule table from the rule table itself: ``python docs/op_table.py``.

The table sits between the markers ``<!-- op-table ... -->`` and ``<!-- /op-table -->``;
``tests/test_readme.py`` checks that it is current.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograd_lite.compile.symbolic import rule_table_markdown
from autograd_lite.core import rules

README = Path(__file__).resolve().parent.parent / "README.md"
_SECTION = re.compile(r"(<!-- op-table[^>]*-->\n).*?(<!-- /op-table -->)", re.S)


def current_table() -> str:
    """The Markdown table of every built-in primitive, in declaration order."""
    return rule_table_markdown([p for p in rules.PRIMITIVES.values() if p.builtin])


def with_table(readme: str) -> str:
    """``readme`` with its op-table section replaced by :func:`current_table`."""
    if not _SECTION.search(readme):
        raise ValueError("README.md has no op-table markers")
    return _SECTION.sub(lambda m: f"{m.group(1)}{current_table()}\n{m.group(2)}", readme)


if __name__ == "__main__":
    README.write_text(with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the rule table into {README}")

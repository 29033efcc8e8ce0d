"""The rule table, from the rule table itself: ``python docs/op_table.py`` prints it.

The site's reference page ``docs/reference/rules.md`` holds ``<!-- generated: op-table -->``,
which the build (``docs/hooks.py``) replaces with :func:`current_table`, so the page lists
every built-in primitive the code declares, in declaration order, and cannot go stale.
"""

from __future__ import annotations

from autograd_lite.compile.symbolic import rule_table_markdown
from autograd_lite.core import rules


def current_table() -> str:
    """The Markdown table of every built-in primitive, in declaration order."""
    return rule_table_markdown([p for p in rules.PRIMITIVES.values() if p.builtin])


if __name__ == "__main__":
    print(current_table())

"""The package's source as a whole: errors are explicit exceptions, never ``assert``.

(What the source may not run -- pickle, eval, exec -- is ``test_hostile_source.py``.)
"""

from __future__ import annotations

import ast
from pathlib import Path


def test_the_package_has_no_bare_asserts() -> None:
    """Errors are explicit exceptions with messages, never ``assert`` (stripped by -O)."""
    package = Path(__file__).resolve().parent.parent / "autograd_lite"
    offenders = [f"{path.relative_to(package)}:{node.lineno}"
                 for path in sorted(package.rglob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Assert)]
    assert offenders == []

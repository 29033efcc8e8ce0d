"""The core imports nothing above it, and importing the rule table registers no carrier.

Python runs a package's ``__init__`` before any module in it, so ``import
autograd_lite.core.rules`` first runs ``autograd_lite/__init__.py``, which imports the whole
library on purpose (``from autograd_lite import Value, compiled, draw_dot...``).  What the
layering promises is tested instead: no module of ``core`` imports anything outside ``core``
(not even inside a function); ``rules`` imports only ``errors`` and ``special``; and in a
fresh interpreter where the top package's ``__init__`` does not run, importing the rule table
loads only those, with no carrier registered -- each carrier is registered by the module that
defines its type (``Value`` in ``core/value.py``, ``Dual`` in ``core/forward.py``...).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import autograd_lite

PACKAGE = Path(autograd_lite.__file__).parent
CORE = sorted((PACKAGE / "core").glob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every module of autograd_lite that ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "autograd_lite.core":  # from autograd_lite.core import rules
                found.update(f"autograd_lite.core.{a.name}" for a in node.names)
            else:
                found.add(node.module)
    return {m for m in found if m.split(".")[0] == "autograd_lite"}


def test_no_module_of_the_core_imports_anything_above_it() -> None:
    assert len(CORE) > 10
    for path in CORE:
        outside = {m for m in _imported(path) if not m.startswith("autograd_lite.core.")}
        assert not outside, f"core/{path.name} imports {sorted(outside)}"


def test_the_rule_table_imports_only_errors_and_special() -> None:
    assert _imported(PACKAGE / "core" / "rules.py") == {"autograd_lite.core.errors",
                                                         "autograd_lite.core.special"}


def test_importing_the_rule_table_loads_only_the_core_it_needs_and_registers_no_carrier(
) -> None:
    # the top package as an empty namespace, so that its __init__ does not run
    script = f"""
import sys, types
top = types.ModuleType("autograd_lite")
top.__path__ = [{str(PACKAGE)!r}]
sys.modules["autograd_lite"] = top
from autograd_lite.core import rules
print(sorted(m for m in sys.modules if m.startswith("autograd_lite.")))
print(rules._CARRIERS, rules._CARRIERS_BY_NAME)
from autograd_lite.core import value
print(list(rules._CARRIERS) == [value.Value], rules._CARRIERS_BY_NAME)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.splitlines() == [
        "['autograd_lite.core', 'autograd_lite.core.errors', 'autograd_lite.core.rules', "
        "'autograd_lite.core.special']",
        "{} {}",
        "True {}",  # value.py registers its own carrier, and only it
    ]

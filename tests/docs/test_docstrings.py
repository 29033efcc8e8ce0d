"""Every public function and class has a docstring with a short runnable example, and a place
in the reference.

"Public" is what the public modules export in ``__all__``.  The examples are doctests that
the suite runs (``--doctest-modules`` over ``autograd_lite``, set in ``pyproject.toml``); the
reference pages (``docs/reference/*.md``) are generated from the same docstrings by
mkdocstrings, from ``::: name`` directives, and must leave no public name out.
"""

from __future__ import annotations

import builtins
import doctest
import importlib
import inspect
import pkgutil
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = [
    "autograd_lite", "autograd_lite.func", "autograd_lite.math", "autograd_lite.engine",
    "autograd_lite.nn", "autograd_lite.nn.functional", "autograd_lite.nn.losses",
    "autograd_lite.nn.optim", "autograd_lite.nn.io", "autograd_lite.compile",
    "autograd_lite.graph.diagram", "autograd_lite.graph.steps", "autograd_lite.graph.wengert",
    "autograd_lite.graph.render", "autograd_lite.testing",
]


def public_objects() -> Iterator[tuple[str, Any]]:
    """``(module.name, object)`` for each function and class the public modules export
    (each object once, under the first module that exports it)."""
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{module_name}.{name}", obj


PUBLIC = dict(public_objects())


def test_there_are_public_names_to_check() -> None:
    assert len(PUBLIC) >= 80
    assert "autograd_lite.Value" in PUBLIC and "autograd_lite.func.hessian" in PUBLIC


def examples(obj: Any) -> list[doctest.Example]:
    test = doctest.DocTestFinder(recurse=False).find(obj, obj.__name__)
    return [example for t in test for example in t.examples]


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_each_public_name_has_a_docstring_with_an_example(name: str) -> None:
    obj = PUBLIC[name]
    assert inspect.getdoc(obj), f"{name} has no docstring"
    assert examples(obj), f"{name}'s docstring has no >>> example"


def test_an_object_without_an_example_is_caught() -> None:
    def documented_but_no_example() -> None:
        """Says what it does, shows nothing."""

    def with_example() -> None:
        """Adds.

        Examples:
            >>> 1 + 1
            2
        """

    assert examples(documented_but_no_example) == []
    assert len(examples(with_example)) == 1


def test_the_suite_runs_the_doctests() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = options["tool"]["pytest"]["ini_options"]
    assert "autograd_lite" in pytest_options["testpaths"]
    assert "--doctest-modules" in pytest_options["addopts"].split()


# -- the reference ------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^::: ([\w.]+)\n((?:    .*\n)*)", re.M)


def _resolve(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(path)


def documented_in_reference() -> set[int]:
    """The ids of the objects the reference pages render."""
    ids: set[int] = set()
    for page in sorted((ROOT / "docs" / "reference").glob("*.md")):
        for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            obj = _resolve(match.group(1))
            ids.add(id(obj))
            if inspect.ismodule(obj):
                members = re.search(r"members: \[(.*?)\]", match.group(2))
                names = members.group(1).split(", ") if members else obj.__all__
                ids.update(id(getattr(obj, n)) for n in names)
    return ids


def test_every_public_name_is_in_the_reference() -> None:
    rendered = documented_in_reference()
    assert [name for name, obj in PUBLIC.items() if id(obj) not in rendered] == []


def test_the_reference_check_can_fail() -> None:
    rendered = documented_in_reference()
    assert id(importlib.import_module("autograd_lite.core.value").lift) not in rendered


# -- every name a docstring points at exists ------------------------------------------------
_ROLE = re.compile(r":(?:func|class|mod|meth|data|attr|exc):`~?([^`<]+?)(?: <([^>]+)>)?`")
_DOTTED = re.compile(r"``(autograd_lite(?:\.[A-Za-z_]\w*)+)``")
_CONSTANT = re.compile(r"``([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})``")  # OP_CASES, OPS
_OUTSIDE = {"math", "numpy", "np", "operator", "contextvars", "functools", "hypothesis",
            "graphviz", "torch", "micrograd", "typing", "json", "os", "pickle", "copy"}


def _resolves(path: str) -> bool:
    """Whether ``path`` names a module, an object in one, or an attribute of a class."""
    try:
        _resolve(path)
        return True
    except (ImportError, AttributeError):
        pass
    owner, _, attribute = path.rpartition(".")
    try:
        cls = _resolve(owner)
    except (ImportError, AttributeError):
        return False
    return inspect.isclass(cls) and _has_attribute(cls, attribute)


def _has_attribute(cls: type, name: str) -> bool:
    """A class attribute, annotation, slot, or ``self.name = ...`` in the class's code."""
    for c in inspect.getmro(cls):
        if (name in vars(c) or name in getattr(c, "__annotations__", {})
                or name in getattr(c, "__slots__", ())):
            return True
        try:
            if f"self.{name} =" in inspect.getsource(c) or f"self.{name}:" in inspect.getsource(c):
                return True
        except (OSError, TypeError):
            pass
    return False


def _refers(module: Any, cls: type | None, target: str) -> bool:
    if target.startswith("autograd_lite"):
        return _resolves(target)
    head, *rest = target.split(".")
    namespace = vars(module)
    if head in namespace:
        return _resolves(f"{module.__name__}.{target}")
    if head in _OUTSIDE or hasattr(builtins, head):
        return True
    if not rest:  # :attr:`grad` of the class documented, or of a class of the module
        classes = [cls] if cls is not None else []
        classes += [c for c in namespace.values() if inspect.isclass(c)]
        return any(_has_attribute(c, head) for c in classes)
    return False


def _docstrings() -> Iterator[tuple[Any, type | None, str, str]]:
    """(module, class or None, where, docstring) for every module, class, function, method
    and property of the package."""
    import autograd_lite

    for info in pkgutil.walk_packages(autograd_lite.__path__, "autograd_lite."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        yield module, None, info.name, module.__doc__ or ""
        for name, obj in list(vars(module).items()):
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield module, None, f"{info.name}.{name}", obj.__doc__ or ""
            elif inspect.isclass(obj):
                yield module, obj, f"{info.name}.{name}", obj.__doc__ or ""
                for member_name, member in list(vars(obj).items()):
                    function = member.fget if isinstance(member, property) else getattr(
                        member, "__func__", member)
                    if inspect.isfunction(function):
                        yield (module, obj, f"{info.name}.{name}.{member_name}",
                               function.__doc__ or "")


def test_every_name_a_docstring_points_at_exists() -> None:
    """A docstring that names a module, class, function or constant that was renamed or
    removed misleads the reader: each ``:func:``/``:class:``... role, each dotted
    ``autograd_lite.x`` and each ``CONSTANT`` in double backticks must resolve."""
    stale = []
    for module, cls, where, doc in _docstrings():
        targets = [m.group(2) or m.group(1) for m in _ROLE.finditer(doc)]
        targets += _DOTTED.findall(doc)
        for target in targets:
            if not _refers(module, cls, target.strip()):
                stale.append(f"{where}: {target}")
        for constant in _CONSTANT.findall(doc):  # ours, or of a module it imports (os)
            ours = [m for m in sys.modules.values()
                    if getattr(m, "__name__", "").startswith("autograd_lite")]
            imported = [m for m in vars(module).values() if inspect.ismodule(m)]
            if not any(hasattr(m, constant) for m in ours + imported):
                stale.append(f"{where}: {constant}")
    assert stale == []

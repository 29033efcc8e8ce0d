"""Shared hypothesis profiles for the whole suite, and a check that no test leaves a
gradient hook registered.

``autograd_lite`` (the default): no deadline -- timings on shared CI machines are noisy and a
slow example is not a wrong one.  ``fuzz``: twenty times more examples, for a long campaign:
``HYPOTHESIS_PROFILE=fuzz pytest``.  Tests that fix ``max_examples`` keep their own count.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("autograd_lite", deadline=None, print_blob=True)
settings.register_profile("fuzz", deadline=None, print_blob=True, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "autograd_lite"))


@pytest.fixture(scope="session")
def executed_notebooks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where ``tests/docs/test_notebooks.py`` leaves the notebooks it executed, for the docs
    build of ``tests/docs/test_site.py`` to render (so each notebook runs once per suite)."""
    return tmp_path_factory.mktemp("executed-notebooks")


@pytest.fixture(autouse=True)
def no_hook_left_registered() -> Iterator[None]:
    """A hook left registered changes the path every later test in the process takes
    (backward, grad and the transforms run their hooked pass; compiled tapes refuse): a test
    that leaves one fails, and the hooks are cleared for the next."""
    yield
    from autograd_lite.core.hooks import HOOKS, remove_hooks

    if HOOKS:
        left = list(HOOKS)
        remove_hooks()
        pytest.fail(f"the test left gradient hooks registered on {left!r}: remove them "
                    "(the handle's remove(), or use it as a context manager)")

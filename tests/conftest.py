"""Shared hypothesis profiles for the whole suite.

``autograd_lite`` (the default): no deadline -- timings on shared CI machines are noisy and a
slow example is not a wrong one.  ``fuzz``: twenty times more examples, for a long campaign:
``HYPOTHESIS_PROFILE=fuzz pytest``.  Tests that fix ``max_examples`` keep their own count.
"""

import os
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

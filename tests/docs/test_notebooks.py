"""The notebooks: one per course note plus three beyond them, committed clean, and all run.

Each notebook asserts the numbers it reproduces (typed in from its note), so executing it
is the check: a cell that raises fails the test.  Notebooks run with ``notebooks/`` as the
working directory, in a ``python3`` kernel of the current interpreter, with no Graphviz
program needed (diagrams render through WebAssembly).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat as _nbformat
import pytest
from by_path import load_module
from nbclient import NotebookClient

nbformat: Any = _nbformat  # nbformat has no type hints

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

# One notebook per course note (cited by file name), then the three that go beyond them.
EXPECTED = {
    "000_chain_rule_step_by_step.ipynb": "course note 000",
    "001_loss_gradient_layer_by_layer.ipynb": "course note 001",
    "002_linear_neurons_and_the_chain.ipynb": "course note 002",
    "003_one_round_of_backprop.ipynb": "course note 003",
    "004_two_layer_bce_and_autodiff.ipynb": "course note 004",
    "moons_classifier.ipynb": "micrograd demo",
    "diabetes_regression.ipynb": "course note 002",  # the data set chosen for note 002
    "second_order_methods.ipynb": "autograd_lite.func transforms (issue 14)",
}
CELL_TIMEOUT_SECONDS = 300


def _load(name: str) -> ModuleType:
    """A module from notebooks/ (not a package: the notebooks import it from their cwd)."""
    return load_module(f"notebooks_{name}", NOTEBOOKS / f"{name}.py")


def _load_docs_hooks() -> ModuleType:
    return load_module("docs_hooks", NOTEBOOKS.parent / "docs" / "hooks.py")


def _build_module() -> ModuleType:
    return _load("build")


def test_note_003_activations_round_or_cut_to_the_printed_digits() -> None:
    # course note 003 prints sigma(-2) ~ 0.1192 (rounded) and sigma(3) ~ 0.952
    # (cut off: 0.95257... rounds to 0.953).
    notecheck = _load("notecheck")

    def sigma(z: float) -> float:
        return 1 / (1 + math.exp(-z))

    assert notecheck.reads_as(sigma(-2.0), "0.1192") == "rounds"
    assert notecheck.reads_as(sigma(3.0), "0.952") is None
    assert notecheck.reads_as(sigma(3.0), "0.952", cut=True) == "truncates"


def test_note_003_output_delta_slip_is_recorded_as_a_difference() -> None:
    # The exact output delta 2 (y - t) = -11.1899... does not round to the note's -11.18.
    notecheck = _load("notecheck")
    table = notecheck.NoteTable("course note 003")
    table.differ("delta_o", -11.189930721512162, "-11.18", "the note uses y = -0.59")
    with pytest.raises(AssertionError, match=re.escape("delta_o prints -11.18")):
        table.agree("delta_o", -11.189930721512162, "-11.18")
    with pytest.raises(AssertionError, match="but it agrees"):
        table.differ("a2", 0.11920292202211755, "0.1192", "no reason")
    assert "| delta_o |" in table._repr_markdown_()


def test_every_note_and_demo_has_exactly_one_notebook() -> None:
    found = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
    assert found == set(EXPECTED)


def test_notebooks_are_built_from_their_sources() -> None:
    build = _build_module()
    for src, out in build.targets().items():
        assert out.read_text(encoding="utf-8") == build.notebook_text(src), (
            f"{out.name} differs from src/{src.name}: run python notebooks/build.py")
    assert {out.name for out in build.targets().values()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_opens_by_citing_its_source(name: str) -> None:
    first = nbformat.read(NOTEBOOKS / name, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    source = EXPECTED[name]
    cited = source if source.startswith("course note") else source.split()[0]
    assert cited in first.source, f"{name} should name {source} in its first cell"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_is_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {index} has outputs"
            assert cell.execution_count is None, f"{name} cell {index} has an execution count"


@pytest.fixture(scope="module")
def python3_kernel_of_this_interpreter(tmp_path_factory: pytest.TempPathFactory
                                       ) -> Iterator[None]:
    """A ``python3`` kernelspec running ``sys.executable``, found before any installed one,
    started with no ``dot`` on its PATH."""
    spec_dir = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (tests)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    # the kernel sees no Graphviz program, as on a fresh machine (CI may have installed one)
    path = os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if d and shutil.which("dot", path=d) is None)
    assert shutil.which("dot", path=path) is None
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(spec_dir.parent.parent))
        patch.setenv("PATH", path)
        yield


@pytest.mark.usefixtures("python3_kernel_of_this_interpreter")
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_its_assertions_hold(name: str, executed_notebooks_dir: Path) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError naming the cell if any cell fails
    elapsed = time.perf_counter() - started
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.get("output_type") == "error"]
    assert errors == []
    print(f"{name}: {elapsed:.1f} s")
    # the docs build (tests/docs/test_site.py) renders this run instead of running it again
    nbformat.write(nb, _load_docs_hooks().cached_path(NOTEBOOKS / name, executed_notebooks_dir))

"""The package as a user receives it: built, installed from the wheel into a fresh venv, run.

``python -m build`` makes a wheel and an sdist from a copy of the source tree; the wheel
must carry ``py.typed`` and the data the examples read, and no tests or notebooks.  Then a
new virtual environment, in a directory away from the source tree, gets the wheel (with
``--no-deps``: the core has no dependencies) and hypothesis (for ``autograd_lite.testing``),
and runs the demo, the ``autograd-lite`` command and ``import autograd_lite.testing`` --
importing the installed copy, never the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 600

pytestmark = pytest.mark.slow

IGNORED = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__",
                                 ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis",
                                 ".ipynb_checkpoints", "results", "site")


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, check=False)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist built by ``python -m build`` from a copy of the source tree."""
    pytest.importorskip("build", reason="the build frontend is in the test extra")
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(source)], cwd=work)
    return work / "dist"


def test_build_gives_one_wheel_and_one_sdist(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == [
        "autograd_lite-0.1.0-py3-none-any.whl", "autograd_lite-0.1.0.tar.gz"]
    with tarfile.open(dist / "autograd_lite-0.1.0.tar.gz") as sdist:
        names = sdist.getnames()
    for needed in ("pyproject.toml", "README.md", "LICENSE", "autograd_lite/py.typed",
                   "autograd_lite/data/diabetes.csv"):
        assert f"autograd_lite-0.1.0/{needed}" in names


def test_the_wheel_carries_types_and_data_but_no_tests_or_notebooks(dist: Path) -> None:
    with zipfile.ZipFile(dist / "autograd_lite-0.1.0-py3-none-any.whl") as wheel:
        names = wheel.namelist()
    assert {"autograd_lite/py.typed", "autograd_lite/data/diabetes.csv",
            "autograd_lite/data/README.md", "autograd_lite/testing/__init__.py",
            "autograd_lite/testing/differential.py"} <= set(names)
    assert {f"autograd_lite/examples/note_00{i}.py" for i in range(5)} <= set(names)
    tops = {name.split("/")[0] for name in names}
    assert tops == {"autograd_lite", "autograd_lite-0.1.0.dist-info"}
    assert not [n for n in names if "test_" in n or n.endswith(".ipynb") or "notebooks" in n]


def test_the_installed_wheel_runs_the_demo_away_from_the_source_tree(
        dist: Path, tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    home.mkdir()
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = dist / "autograd_lite-0.1.0-py3-none-any.whl"
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], cwd=home)
    run([str(python), "-m", "pip", "install", "-q", "hypothesis"], cwd=home)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}

    location = run([str(python), "-c", "import autograd_lite; print(autograd_lite.__file__)"],
                   cwd=home, env=env).strip()
    assert Path(location).is_relative_to(env_dir) and not Path(location).is_relative_to(ROOT)
    assert (Path(location).parent / "py.typed").is_file()

    demo = run([str(python), "-m", "autograd_lite"], cwd=home, env=env)
    assert "Forward pass" in demo and "Erratum" in demo
    grad = run([str(env_dir / "bin" / "autograd-lite"), "grad", "x*y", "x=2", "y=3"],
               cwd=home, env=env)
    assert grad.splitlines() == ["x*y = 6", "d/dx = 3", "d/dy = 2"]
    data = run([str(python), "-c", "from autograd_lite.examples import note_002; "
                "d = note_002.load_diabetes(); print(len(d.x), len(d.features))"],
               cwd=home, env=env)
    assert data.split() == ["442", "10"]
    testing = run([str(python), "-c", "import autograd_lite.testing as t; "
                   "t.assert_gradients_match(lambda a, b: a * b.exp(), [1.5, -0.5]); "
                   "print(len(t.OP_CASES) > 0)"], cwd=home, env=env)
    assert testing.strip() == "True"

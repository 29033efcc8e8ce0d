"""The command line: the note-003 demo by default, --example/--list, grad dispatch, errors."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from autograd_lite.cli.main import main


def test_default_demo_is_note_003_step_by_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Course note 003: ")  # never a file name the user does not have
    for line in ("-0.5950   -0.5944", "-11.1899   -11.18", "W01: +1 -> -0.1190   note  -0.118",
                 "delta_h(2) = -3.5246   note  -4.34  (from -13.8 and rounded a: -4.3403)",
                 "V03: -1 -> -0.9494   note -0.9370  (note's arithmetic: -0.9370)",
                 "Erratum"):
        assert line in out


@pytest.mark.parametrize(("name", "expected"), [
    ("note000", "dLdW = dCdW (dLdP dPdC)             [-0.048 -0.109 -0.039 -0.091]"),
    ("001", "L'_(4) = dL/dy_(4)  [loss   ]  +1.000000"),
    ("note004", "largest |engine - closed form|"),
])
def test_other_examples(name: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--example", name]) == 0
    assert expected in capsys.readouterr().out


def test_list_names_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in ("note003", "note000", "note001", "note002", "note004", "moons"):
        assert name in out


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    import autograd_lite
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"autograd-lite {autograd_lite.__version__}\n"


def test_help_shows_the_grad_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "grad ..." in capsys.readouterr().out


def test_unknown_example_and_option_exit_2_without_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--example", "note999"]) == 2
    err = capsys.readouterr().err
    assert "unknown example 'note999'" in err and "Traceback" not in err
    assert main(["--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_grad_is_dispatched_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    fake = types.ModuleType("autograd_lite.cli.grad")

    def run_grad(argv: list[str]) -> int:
        seen.append(argv)
        return 7

    fake.run_grad = run_grad  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "autograd_lite.cli.grad", fake)
    assert main(["grad", "x*y", "x=2"]) == 7
    assert seen == [["x*y", "x=2"]]


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run([sys.executable, "-m", "autograd_lite", "--example", "note003"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "Erratum" in done.stdout and done.stderr == ""

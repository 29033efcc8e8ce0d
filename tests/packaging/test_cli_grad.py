"""``autograd-lite grad``: the value, every gradient, the Wengert list and the diagram."""

from __future__ import annotations

import math
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_lite.cli.grad import run_grad

SVG = "{http://www.w3.org/2000/svg}"


def test_value_and_gradients_of_the_readme_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(["x*y + exp(x)", "x=2", "y=3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"x*y + exp(x) = {6 + math.exp(2):.6g}",
                     f"d/dx = {3 + math.exp(2):.6g}",
                     "d/dy = 2"]


def test_trace_prints_the_wengert_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(["x*y + exp(x)", "x=2", "y=3", "--trace", "--digits", "4"]) == 0
    out = capsys.readouterr().out
    assert "v₁ = v₋₁ * v₀" in out and "v₂ = exp(v₋₁)" in out  # Griewank's numbering
    assert f"-> v\u0304₋₁ = {3 + math.exp(2):.4g}" in out  # the adjoint of x ends as df/dx


def test_svg_is_written_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", "")
    assert shutil.which("dot") is None
    target = tmp_path / "out.svg"
    assert run_grad(["x*y + exp(x)", "x=2", "y=3", "--svg", str(target)]) == 0
    assert f"diagram saved to {target}" in capsys.readouterr().out
    texts = [t.text for t in ET.parse(target).iter(f"{SVG}text")]
    assert {"x", "y", "*", "exp", "+", "grad 2"} <= set(texts)


def test_unused_variable_has_zero_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(["x**2", "x=3", "z=1"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["d/dx = 6", "d/dz = 0   (not used)"]


def test_assigned_names_are_read_as_the_expression_reads_them(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Python reads the identifier fullwidth x (U+FF58) as x (NFKC), in the expression and
    # now in NAME=NUMBER too: d/dx of x*2 at 3 is 2.
    wide_x = "\uff58"
    assert run_grad([f"{wide_x}*2", f"{wide_x}=3"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{wide_x}*2 = 6", "d/dx = 2"]
    assert run_grad(["x*y", f"{wide_x}=3", "y=1"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["d/dx = 1", "d/dy = 3"]
    assert run_grad(["x", "x=1", f"{wide_x}=2"]) == 2
    assert f"x is given twice ('{wide_x}=2' is x)" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["x.__class__", "x=1"], 2, "attribute access"),
    (["x*y", "x=1"], 2, "no value given for variable 'y'"),
    (["x", "x"], 2, "expected NAME=NUMBER"),
    (["x", "x=nan"], 2, "expected a finite number"),
    (["x", "x=1", "x=2"], 2, "given twice"),
    (["x", "__class__=1"], 2, "not a variable name"),
    (["log(x)", "x=-1"], 1, "logarithm needs a positive argument"),
    (["10**10**10"], 1, "overflows"),
    (["x", "x=1", "--digits", "0"], 2, "--digits"),
])
def test_bad_input_gets_a_clear_message_and_status(
        argv: list[str], status: int, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(argv) == status
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("suffix", "magic"), [("png", b"\x89PNG\r\n"), ("pdf", b"%PDF-")])
def test_png_and_pdf_are_saved_without_graphviz(
        suffix: str, magic: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", "")
    assert run_grad(["x*y", "x=1", "y=2", "--svg", str(tmp_path / f"g.{suffix}")]) == 0
    assert (tmp_path / f"g.{suffix}").read_bytes().startswith(magic)
    assert run_grad(["x", "x=1", "--svg", str(tmp_path / "g.gif")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err


def test_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(["--help"]) == 0
    assert "autograd-lite grad" in capsys.readouterr().out


def test_help_lists_the_functions_a_user_can_call_and_no_internal_helper(
        capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_lite import Value
    from autograd_lite import math as am
    from autograd_lite.cli.formula import FUNCTIONS

    assert run_grad(["--help"]) == 0
    listed = " ".join(capsys.readouterr().out.split())
    for helper in ("dpow", "relu_slope", "clamp_slope", "pow_slope", "falling"):
        assert helper not in listed and helper not in FUNCTIONS
        assert run_grad([f"{helper}(x, 1)", "x=1"]) == 2
        assert f"unknown function '{helper}'" in capsys.readouterr().err
    for name in ("exp", "tanh", "sigmoid", "relu", "leaky_relu(x, p1)", "clamp(x, p1, p2)",
                 "gelu", "abs", "constants: pi, e, tau"):
        assert name in listed
    # every function offered is one the package offers by name
    assert all(name == "abs" or name in am.__all__ or hasattr(Value, name) for name in FUNCTIONS)


def test_pi_e_and_tau_are_known_and_cannot_be_assigned(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(["pi * x", "x=1"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"pi * x = {math.pi:.6g}",
                                                    f"d/dx = {math.pi:.6g}"]
    assert run_grad(["e ** x + tau", "x=0"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"e ** x + tau = {1 + math.tau:.6g}",
                                                    "d/dx = 1"]
    assert run_grad(["x * pi", "x=1", "pi=3"]) == 2
    assert "pi is a constant (3.141592653589793) and cannot be given a value" in \
        capsys.readouterr().err


@pytest.mark.parametrize("suffix", ["svg", "dot"])
def test_an_output_path_in_a_missing_folder_is_refused_and_nothing_is_created(
        suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no" / "such"
    assert run_grad(["x*y", "x=2", "y=3", "--svg", str(missing / f"g.{suffix}")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any work
    assert f"the folder {str(missing)!r} does not exist; create it first" in captured.err
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "file").write_text("")
    assert run_grad(["x", "x=1", "--svg", str(tmp_path / "file" / "g.svg")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_a_constant_expression_has_no_gradients_and_no_traceback() -> None:
    """`grad "3"` used to end in backward's RuntimeError traceback (nothing requires grad)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "autograd_lite", "grad", "3"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        "3 = 3", "(no variables: the expression is a constant, nothing to differentiate)"]


def test_a_constant_expression_gives_zero_for_each_variable(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_grad(["exp(0) * 2", "x=5"]) == 0
    assert capsys.readouterr().out.splitlines() == ["exp(0) * 2 = 2", "d/dx = 0   (not used)"]

"""The README's examples run as written, and its tables say what the code does."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from autograd_lite import DomainError, Value

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index: int, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # blocks may write files (model.json, graph.svg)
    namespace: dict[str, object] = {}
    # blocks build on the earlier ones, as a reader running them in order would
    for block in BLOCKS[:index + 1]:
        exec(compile(block, f"README block {index}", "exec"), namespace)


def test_the_thirty_seconds_numbers() -> None:
    namespace: dict[str, object] = {}
    exec(compile(BLOCKS[0], "README block 0", "exec"), namespace)
    x, y = namespace["x"], namespace["y"]
    assert isinstance(x, Value) and isinstance(y, Value)
    assert x.grad == pytest.approx(3.0 + math.exp(2.0)) and y.grad == 2.0
    assert namespace["d3"] == 6.0


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Value(float("nan")), "Value(nan): expected a finite number"),
    (lambda: Value(1.5) / 0, "div(1.5, 0.0): division by zero"),
    (lambda: Value(-1.5).log(), "log(-1.5): "),
    (lambda: Value(-1.5) ** 0.5, "negative base to a non-integer power is complex"),
    (lambda: Value(0.0) ** -1, "zero to a negative power"),
    (lambda: Value(-2.0) ** Value(2.0), "a Value exponent needs a positive base "
                                        "(d/dy x**y = x**y * log x)"),
    (lambda: (Value(1.0) * 1000.0).exp(), "overflows a float"),
    (lambda: Value(10.0) ** 400, "overflows a float"),
    (lambda: Value(1e300) * 1e300, "mul(1e+300, 1e+300): result is not a finite float"),
])
def test_the_domain_error_table(make: Callable[[], object], message: str) -> None:
    with pytest.raises(DomainError) as caught:
        make()
    assert message in str(caught.value)


def test_the_rule_table_is_current() -> None:
    """The README's rule table is what ``python docs/op_table.py`` writes from the code."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "docs" / "op_table.py"
    spec = importlib.util.spec_from_file_location("op_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.with_table(README) == README, "run: python docs/op_table.py"
    assert "| `mul` | `x * y` | `y, x` |" in README  # written by hand: the table is there


def _run_block_containing(text: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    index = next(i for i, block in enumerate(BLOCKS) if text in block)
    for block in BLOCKS[:index + 1]:
        exec(compile(block, f"README block {index}", "exec"), namespace)
    return namespace


def test_coming_from_micrograd_prints_micrograds_readme_numbers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the blocks before it write files
    namespace = _run_block_containing("from autograd_lite.engine import Value")
    g, a, b = (namespace[name] for name in "gab")
    assert isinstance(g, Value) and isinstance(a, Value) and isinstance(b, Value)
    # the figures micrograd's README prints
    assert (f"{g.data:.4f}", f"{a.grad:.4f}", f"{b.grad:.4f}") == ("24.7041", "138.8338",
                                                                   "645.5773")


def test_the_custom_module_example_finds_its_parameters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = _run_block_containing("class Scorer(Module)")
    scorer = namespace["scorer"]
    names = [name for name, _ in scorer.named_parameters()]  # type: ignore[attr-defined]
    assert len(names) == 29 and names[-3:] == ["heads.1.weight[1]", "heads.1.bias",
                                               "temperature"]
    assert (tmp_path / "scorer.json").exists()

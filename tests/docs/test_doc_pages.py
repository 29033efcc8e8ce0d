"""The README and every page of the documentation site run as written, and their tables say
what the code does.

Each page's ``python`` blocks run in order in one namespace, as a reader running them in
one session would (a block right after ``<!-- not run: reason -->`` is skipped: code for
PyTorch, which is not a dependency).  The site itself is built and opened in a browser by
``tests/docs/test_site.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from by_path import load_module

from autograd_lite import DomainError, Value
from autograd_lite.core import rules

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
_BLOCK = re.compile(r"(<!-- not run: [^\n]*-->\n)?```python\n(.*?)```", re.S)


def python_blocks(text: str) -> list[str]:
    """The ``python`` blocks of a page that are meant to run, in order."""
    return [m.group(2) for m in _BLOCK.finditer(text) if not m.group(1)]


def page(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def run_page(text: str, name: str, upto: str | None = None) -> dict[str, object]:
    """Run the page's blocks in order (up to the one containing ``upto``); the namespace."""
    namespace: dict[str, object] = {}
    for index, block in enumerate(python_blocks(text)):
        exec(compile(block, f"{name}, python block {index}", "exec"), namespace)
        if upto is not None and upto in block:
            return namespace
    assert upto is None, f"no block of {name} contains {upto!r}"
    return namespace


def test_the_block_finder_skips_only_marked_blocks() -> None:
    text = ("```python\na = 1\n```\n<!-- not run: needs torch -->\n```python\nimport torch\n```\n"
            "```text\nnot python\n```\n```python\nb = a\n```\n")
    assert python_blocks(text) == ["a = 1\n", "b = a\n"]


def test_the_pages_have_python_examples() -> None:
    counts = {p.relative_to(ROOT).as_posix(): len(python_blocks(p.read_text(encoding="utf-8")))
              for p in PAGES}
    assert sum(counts.values()) >= 25, counts
    for name in ("README.md", "docs/tutorials/first-steps.md", "docs/how-to/custom-primitive.md",
                 "docs/how-to/micrograd.md", "docs/how-to/pytorch.md"):
        assert counts[name] >= 1, name


@pytest.mark.parametrize("path", [  # the speed page times the engines: slow
    pytest.param(p, marks=pytest.mark.slow) if p.name == "speed.md" else p
    for p in PAGES if python_blocks(p.read_text(encoding="utf-8"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_python_block_of_the_page_runs(path: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # blocks may write files (model.json, graph.svg)
    run_page(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())


# -- the README: the landing page ---------------------------------------------------------


def test_the_readme_gives_the_two_setup_commands_and_how_to_serve_the_site() -> None:
    assert ("python3 -m venv .venv && .venv/bin/pip install -e . && "
            ".venv/bin/python -m autograd_lite") in README
    assert ('python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && '
            ".venv/bin/python -m pytest -n auto") in README
    assert "mkdocs serve" in README


def test_every_readme_block_that_draws_says_how_to_install_the_viz_extra() -> None:
    # the demo command installs the core only: draw_dot right after it was an ImportError
    drawing = [b for b in python_blocks(README) if "draw_dot" in b or "backward_html" in b]
    assert drawing
    for block in drawing:
        assert '.venv/bin/pip install -e ".[viz]"' in block, block


def test_every_relative_link_of_the_readme_exists() -> None:
    targets = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [t for t in targets if "://" not in t]
    assert len(local) >= 15  # the picture and the links into the site
    assert [t for t in local if not (ROOT / t).exists()] == []


def test_the_readme_links_every_top_section_of_the_site() -> None:
    for target in ("docs/tutorials/index.md", "docs/how-to/index.md",
                   "docs/explanation/index.md", "docs/reference/index.md"):
        assert f"]({target})" in README


def test_the_thirty_seconds_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the README saves graph.svg
    namespace = run_page(README, "README.md")
    x, y = namespace["x"], namespace["y"]
    assert isinstance(x, Value) and isinstance(y, Value)
    assert x.grad == pytest.approx(3.0 + math.exp(2.0)) and y.grad == 2.0
    assert namespace["d3"] == 6.0


# -- reference/semantics.md: the table of errors --------------------------------------------

SEMANTICS = page("docs/reference/semantics.md")


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
    assert message in SEMANTICS  # the page says it ...
    with pytest.raises(DomainError) as caught:
        make()
    assert message in str(caught.value)  # ... and the engine does it


# -- generated reference pages: the rule table, autograd_lite.math, the CLI -----------------


def hooks() -> ModuleType:
    return load_module("docs_hooks", DOCS / "hooks.py")


def test_the_rule_table_page_is_generated_from_the_rule_table() -> None:
    source = page("docs/reference/rules.md")
    assert "<!-- generated: op-table -->" in source
    built = hooks().expand_markers(source)
    assert "| `mul` | `x * y` | `y, x` |" in built  # written by hand: the table is there
    builtins = [p.name for p in rules.PRIMITIVES.values() if p.builtin]
    rows = re.findall(r"^\| `(\w+)` \|", built, flags=re.M)
    assert rows == builtins and len(rows) >= 60


def test_a_new_primitive_would_appear_in_the_rule_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page is not a copy: a primitive declared built-in shows up in it."""
    cube = rules.Primitive("cube_for_docs", lambda x: x ** 3, lambda out, x: (3 * x * x,),
                           builtin=True)
    monkeypatch.setitem(rules.PRIMITIVES, "cube_for_docs", cube)
    built = hooks().expand_markers("<!-- generated: op-table -->")
    assert built.splitlines()[-1].startswith("| `cube_for_docs` |")


def test_the_math_page_lists_every_primitive_of_autograd_lite_math() -> None:
    from autograd_lite import Primitive
    from autograd_lite import math as am

    built = hooks().expand_markers(page("docs/reference/math.md"))
    for name in am.__all__:
        obj = getattr(am, name)
        if isinstance(obj, Primitive):
            assert f"| `{name}` |" in built, name
        elif callable(obj):  # a function: documented from its docstring
            members = re.search(r"::: autograd_lite\.math\n.*?members: \[(.*?)\]", built, re.S)
            assert members is not None and name in members.group(1).split(", "), name
        else:
            assert f"`{name}`" in built, name


def test_the_cli_page_is_the_parsers_help(capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_lite.cli.main import main

    built = hooks().expand_markers(page("docs/reference/cli.md"))
    for argv in (["--help"], ["grad", "--help"]):
        assert main(argv) == 0
        assert capsys.readouterr().out.rstrip() in built


def test_an_unknown_marker_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown generated block 'no-such-thing'"):
        hooks().expand_markers("<!-- generated: no-such-thing -->")


# -- how-to pages: the numbers they promise ----------------------------------------------------


def test_migrating_from_micrograd_prints_micrograds_readme_numbers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = run_page(page("docs/how-to/micrograd.md"), "micrograd.md",
                         upto="from autograd_lite.engine import Value")
    g, a, b = (namespace[name] for name in "gab")
    assert isinstance(g, Value) and isinstance(a, Value) and isinstance(b, Value)
    # the figures micrograd's README prints
    assert (f"{g.data:.4f}", f"{a.grad:.4f}", f"{b.grad:.4f}") == ("24.7041", "138.8338",
                                                                   "645.5773")


def test_the_custom_module_example_finds_its_parameters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = run_page(page("docs/how-to/train-a-network.md"), "train-a-network.md",
                         upto="class Scorer(Module)")
    scorer = namespace["scorer"]
    names = [name for name, _ in scorer.named_parameters()]  # type: ignore[attr-defined]
    assert len(names) == 29 and names[-3:] == ["heads.1.weight[1]", "heads.1.bias",
                                               "temperature"]
    assert (tmp_path / "scorer.json").exists()


def test_the_pytorch_guide_renames_to_nn_sequential_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = run_page(page("docs/how-to/pytorch.md"), "pytorch.md")
    renamed = namespace["renamed"]
    assert isinstance(renamed, dict)
    shapes = {k: (len(v), len(v[0]) if isinstance(v[0], list) else None)
              for k, v in renamed.items()}
    assert shapes == {"0.weight": (3, 2), "0.bias": (3, None), "2.weight": (1, 3),
                      "2.bias": (1, None)}

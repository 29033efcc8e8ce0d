"""The playground's build and runner, without a browser or a site build (quick).

``docs/playground/build.py`` decides which code blocks get a "Run in the playground" button
and what the build does without npm; ``docs/playground/runner.py`` runs code in the page (and
here under CPython).  The page itself is tested in Chromium by ``test_playground.py``.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from by_path import load_module

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "docs" / "playground"
build = load_module("docs_playground_build", PLAYGROUND / "build.py")


@pytest.mark.parametrize("code", [
    "from autograd_lite import Value\nx = Value(2.0)\nprint(x.exp())\n",
    "import math\nfrom autograd_lite import grad\nprint(grad(lambda t: t * t, [3.0]))\n",
    "from autograd_lite import MLP, save, load\nnet = MLP(2, [3, 1], seed=0)\n"
    "save(net, 'model.json')\nload(MLP(2, [3, 1]), 'model.json')\n",
    "from autograd_lite import Value\ndef f(a, *rest, k=1, **more):\n    return a * k\n"
    "try:\n    f(Value(1.0))\nexcept ValueError as error:\n    print(error)\n",
])
def test_self_contained_blocks_get_a_button(code: str) -> None:
    assert build.self_contained(code)


@pytest.mark.parametrize("code", [
    "print(x)\n",                                                # no autograd_lite
    "from autograd_lite import Value\nf.backward()\n",           # f from an earlier block
    "import numpy as np\nfrom autograd_lite import Value\n",     # NumPy is not in the page
    "from hypothesis import given\nimport autograd_lite\n",
    "from autograd_lite import draw_dot, Value\ndraw_dot(Value(1.0)).save('g.png')\n",
    "from autograd_lite import Value\nx = Value(float(input()))\n",
    "from autograd_lite import Value\nx = Value(2.0\n",          # does not parse
    "$ python -m autograd_lite --example 003\n",
    "from autograd_lite.testing import safe_floats\n",           # not in the page's wheel
    "from autograd_lite import testing\n",
    "import autograd_lite.cli.main\n",
])
def test_other_blocks_do_not(code: str) -> None:
    assert not build.self_contained(code)


def test_the_button_links_to_the_playground_relative_to_its_page() -> None:
    code = "from autograd_lite import Value\nprint(Value(2.0) ** 2)\n"
    link = build.playground_link(code, "how-to/custom-primitive/")
    assert link.startswith("../../playground/#code=")
    encoded = link.split("#code=")[1]
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode() == code
    assert build.playground_link(code, "").startswith("playground/#code=")
    block = ('<div class="highlight"><pre><span></span><code><span class="kn">from</span> '
             "autograd_lite import Value\nprint(Value(2.0) &lt; 3)\n</code></pre></div>")
    html = build.add_run_buttons(block + block.replace("Value(2.0)", "y"), "tutorials/x/")
    assert html.count("Run in the playground") == 1
    assert 'href="../../playground/#code=' in html


def _no_npm(monkeypatch: pytest.MonkeyPatch) -> None:
    which = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **k: None if name == "npm" else which(name, *a, **k))
    monkeypatch.delenv("AUTOGRAD_LITE_PLAYGROUND", raising=False)


def test_without_npm_the_site_is_built_without_the_playground_and_says_so(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    _no_npm(monkeypatch)
    monkeypatch.setenv("CI", "false")
    hooks = load_module("docs_hooks_playground", ROOT / "docs" / "hooks.py")
    files: list[Any] = []
    with caplog.at_level("INFO"):
        hooks.add_playground(files, None)
    assert files == []
    assert "playground: not built: npm is not installed" in caplog.text
    page = SimpleNamespace(file=SimpleNamespace(src_uri="playground/index.md"))
    markdown = hooks.on_page_markdown("# Playground\n<script src=x></script>", page, None, None)
    assert "The playground was not built" in markdown and "npm" in markdown
    assert "<script" not in markdown
    other = SimpleNamespace(file=SimpleNamespace(src_uri="how-to/x.md"))
    html = '<div class="highlight"><pre>from autograd_lite import Value</pre></div>'
    assert "Run in the playground" not in hooks.on_page_content(html, other, None, None)


def test_under_ci_a_missing_npm_fails_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_npm(monkeypatch)
    monkeypatch.setenv("CI", "true")
    hooks = load_module("docs_hooks_playground_ci", ROOT / "docs" / "hooks.py")
    with pytest.raises(RuntimeError, match="must be built under CI=true, but npm is not"):
        hooks.add_playground([], None)


def test_the_pins_have_integrity_hashes() -> None:
    package = json.loads((PLAYGROUND / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((PLAYGROUND / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for path, entry in lock["packages"].items():
        if path:
            assert entry["integrity"].startswith("sha512-"), path
    requirements = (PLAYGROUND / "requirements.txt").read_text(encoding="utf-8")
    pins = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert pins and all("==" in p and "--hash=sha256:" in p for p in pins)
    assert set(build.VENDOR) == set(package["dependencies"])


def test_the_runner_runs_the_presets_and_names_the_line_of_an_error() -> None:
    """Under CPython, in a subprocess (the runner wraps draw_dot and backward_html)."""
    codes = {name: (PLAYGROUND / "presets" / f"{name}.py").read_text(encoding="utf-8")
             for name, _ in build.PRESETS}
    codes["error"] = "from autograd_lite import Value\n\nValue(0.0).log()\n"
    codes["syntax"] = "x = (1,\n"
    codes["last expression"] = "from autograd_lite import Value, draw_dot\n" \
        "x = Value(3.0, 'x')\ny = x * x\ndraw_dot(y)\ny.data\n"
    script = ("import json, sys\nsys.path.insert(0, sys.argv[1])\nimport runner\n"
              "runner.setup()\ncodes = json.load(sys.stdin)\n"
              "out = {k: runner.run(c) for k, c in codes.items()}\n"
              "print(json.dumps({k: {**r, 'diagrams': len(r['diagrams']),"
              " 'pages': len(r['pages'])} for k, r in out.items()}))\n")
    done = subprocess.run([sys.executable, "-c", script, str(PLAYGROUND)],
                          input=json.dumps(codes), capture_output=True, text=True, timeout=300,
                          check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.splitlines()[-1])
    for name, _ in build.PRESETS:
        assert results[name]["ok"], results[name]["error"]
        assert results[name]["diagrams"] == 1 and results[name]["pages"] == 1, name
    assert "L = 31.3036" in results["note003"]["stdout"]
    error = results["error"]
    assert not error["ok"] and error["line"] == 3
    assert 'File "<playground>", line 3' in error["error"] and "DomainError" in error["error"]
    assert "runner.py" not in error["error"]           # the code's own frames only
    assert results["syntax"]["line"] == 1 and "SyntaxError" in results["syntax"]["error"]
    last = results["last expression"]
    assert last["ok"] and last["stdout"] == "9.0\n" and last["diagrams"] == 1


def test_in_the_browser_the_runner_draws_through_the_pages_graphviz() -> None:
    """``setup(layout)``, as the page calls it: every drawing goes through ``layout`` (here a
    stand-in for the browser's Graphviz that records what it was asked), none through the
    package's own routes, which Pyodide has not got."""
    script = r'''
import sys
sys.path.insert(0, sys.argv[1])
import runner
asked = []
def layout(source, fmt, engine):
    asked.append((fmt, engine))
    return '<svg viewBox="0 0 1 1"><!-- the page drew this --></svg>'
runner.setup(layout)
result = runner.run(
    "from autograd_lite import Value, backward_html, draw_dot\n"
    "x = Value(2.0, 'x')\ny = x * x + x\ny.backward()\n"
    "draw_dot(y)\nbackward_html(y, title='t')\n"
    "print(draw_dot(y).pipe(format='json')[:10])\n")
assert result["ok"], result["error"]
assert all("the page drew this" in d for d in result["diagrams"]), result["diagrams"]
assert "the page drew this" in result["pages"][0]
assert ("svg", "dot") in asked and ("json", "dot") in asked, asked
print("ok")
'''
    done = subprocess.run([sys.executable, "-c", script, str(PLAYGROUND)], capture_output=True,
                          text=True, timeout=120, check=False, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr

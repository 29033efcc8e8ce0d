"""The playground: autograd_lite itself, run in the browser by Pyodide, from the built site.

The site is the one ``tests/docs/conftest.py`` builds for the session.  Headless Chromium
(tests/browser.py) opens ``/playground/`` offline (every host but 127.0.0.1 fails to
resolve), runs each preset, compares what it prints with what CPython prints for the same
code (through the same runner), sees an SVG graph and a step-through page, and steps it once;
it measures the budgets of issue 27 (interactive within 6 s of opening, note 003's preset
run and drawn within 2 s after that, the page's own files under 300 kB) and records them.
Where the build skipped the playground (no npm, outside CI) these tests skip, saying so;
under ``CI=true`` the build itself fails instead.
"""

from __future__ import annotations

import base64
import json
import math
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import OFFLINE, requested_urls, start_driver, unavailable

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "docs" / "playground"
INTERACTIVE_BUDGET_S = 6.0
NOTE003_BUDGET_S = 2.0
OWN_ASSETS_BUDGET_BYTES = 300_000
RUN_TIMEOUT_S = 60
ATTEMPTS = 3
"""Timings are taken up to this many times, until one is within its budget: other work on a
shared machine slows a page down, and a budget is about the page, not about that work."""
TIMINGS: dict[str, Any] = {}


@pytest.fixture(scope="module")
def built(site: Path) -> Path:
    """The playground's folder of the built site (skips where the build left it out)."""
    folder = site / "playground"
    if not (folder / "manifest.json").is_file():
        unavailable("the site was built without the playground: npm is missing (apt-get "
                    "install nodejs npm), or AUTOGRAD_LITE_PLAYGROUND=skip")
    return folder


@pytest.fixture(scope="module")
def manifest(built: Path) -> dict[str, Any]:
    return dict(json.loads((built / "manifest.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from start_driver(1400, 1000, network_log=True, flags=OFFLINE)


def cpython_outputs(codes: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What each code prints under CPython, through the page's runner (in a subprocess: the
    runner wraps draw_dot and backward_html of the process it runs in)."""
    script = ("import json, sys\nsys.path.insert(0, sys.argv[1])\nimport runner\n"
              "runner.setup()\ncodes = json.load(sys.stdin)\nout = {}\n"
              "for name, code in codes.items():\n"
              "    r = runner.run(code)\n"
              "    out[name] = {k: r[k] for k in ('ok', 'error', 'stdout')}\n"
              "    out[name]['diagrams'] = len(r['diagrams'])\n"
              "    out[name]['pages'] = len(r['pages'])\n"
              "print(json.dumps(out))\n")
    with tempfile.TemporaryDirectory(prefix="autograd-lite-playground-") as cwd:  # its files
        done = subprocess.run([sys.executable, "-c", script, str(PLAYGROUND)],
                              input=json.dumps(codes), capture_output=True, text=True,
                              timeout=600, check=False, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.splitlines()[-1]))


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


def same_numbers(browser: str, cpython: str) -> tuple[bool, int]:
    """The same text with the same numbers (to 1e-12 relative: WebAssembly's libm may differ
    from the system's in a last bit); and how many numbers differ at all."""
    if _NUMBER.sub("#", browser) != _NUMBER.sub("#", cpython):
        return False, -1
    ours, theirs = _NUMBER.findall(browser), _NUMBER.findall(cpython)
    differ = sum(a != b for a, b in zip(ours, theirs))
    close = all(a == b or math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-300)
                for a, b in zip(ours, theirs))
    return close, differ


def wait_for(driver: Any, script: str, timeout: float) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for: {script}")


def open_playground(driver: Any, url: str) -> float:
    """Open the page; seconds from navigation start until it is interactive (the editor holds
    a preset and Run is enabled: Python, the package and Graphviz are loaded)."""
    driver.get("about:blank")  # a new document even where only the #fragment differs
    driver.get(url)
    wait_for(driver, "return window.playground && window.playground.ready", 60)
    ready = driver.execute_script(  # performance.now() counts from the navigation's start
        "const p = window.playground; return Math.max(p.readyMs, p.editable);")
    assert not driver.find_element("id", "pg-run").get_attribute("disabled")
    assert driver.find_element("id", "pg-code").get_attribute("value").strip()
    return float(ready) / 1000


def click(driver: Any, element: Any) -> None:
    """Click as a person would, the element scrolled to the middle of the window first (out
    from under the site's sticky header)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def run(driver: Any, code: str | None = None, preset: str | None = None) -> dict[str, Any]:
    """Run a preset (chosen in the menu) or ``code`` (typed into the editor) with the Run
    button; the page's account of the run once the graph and step-through are shown."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    runs = driver.execute_script("return window.playground.runs")
    if preset is not None:
        Select(driver.find_element(By.ID, "pg-preset")).select_by_value(preset)
    if code is not None:
        driver.execute_script("const e = document.getElementById('pg-code'); e.value = "
                              "arguments[0]; e.dispatchEvent(new Event('input'));", code)
    click(driver, driver.find_element(By.ID, "pg-run"))
    wait_for(driver, f"return window.playground.runs > {runs}", RUN_TIMEOUT_S)
    return dict(driver.execute_script("return window.playground.last"))


def step_once(driver: Any) -> str:
    """In the first step-through page: press next; what its position now says."""
    from selenium.webdriver.common.by import By

    frame = driver.find_element(By.CSS_SELECTOR, "#pg-steps iframe")
    driver.switch_to.frame(frame)
    try:
        wait_for(driver, "return window.autogradSteps", 10)
        # the graph is in view: a viewBox with an area, and the root's box inside the frame
        view = driver.execute_script("return window.autogradSteps.viewBox()")
        assert view[2] > 0 and view[3] > 0, view
        box = driver.execute_script(
            "const b = document.querySelector('#view g.node').getBoundingClientRect(),"
            " v = document.getElementById('view').getBoundingClientRect();"
            "return [b.width, b.height, v.width, v.height]")
        assert min(box) > 0, box
        before = driver.find_element(By.ID, "pos").text
        assert before.startswith("step 0 of "), before
        click(driver, driver.find_element(By.ID, "next"))
        return str(driver.find_element(By.ID, "pos").text)
    finally:
        driver.switch_to.default_content()


# -- the build ------------------------------------------------------------------------------


def test_the_runtimes_are_the_pinned_ones_and_served_from_the_site(
        built: Path, manifest: dict[str, Any]) -> None:
    lock = json.loads((PLAYGROUND / "package-lock.json").read_text(encoding="utf-8"))
    for package, version in manifest["versions"].items():
        entry = lock["packages"][f"node_modules/{package}"]
        assert entry["version"] == version
        assert entry["integrity"].startswith("sha512-")
    package = json.loads((PLAYGROUND / "package.json").read_text(encoding="utf-8"))
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in package["dependencies"].values())
    for name in ("pyodide/pyodide.mjs", "pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip",
                 "graphviz/index.js"):
        assert (built / "vendor" / name).stat().st_size > 10_000, name
    wheels = [built / w for w in manifest["wheels"]]
    assert [w.name.split("-")[0] for w in wheels] == ["autograd_lite", "graphviz"]
    assert all(w.is_file() for w in wheels)


def test_the_wheel_is_this_checkouts(built: Path, manifest: dict[str, Any]) -> None:
    import zipfile

    wheel = built / manifest["wheels"][0]
    with zipfile.ZipFile(wheel) as archive:
        value = archive.read("autograd_lite/core/value.py")
    assert value == (ROOT / "autograd_lite" / "core" / "value.py").read_bytes()


def test_the_pages_own_files_are_under_300_kb(built: Path, manifest: dict[str, Any]) -> None:
    """The page, its scripts, style and manifest (presets and runner), and the wheel of this
    checkout; not the runtimes from npm (Pyodide, Graphviz) nor the graphviz package's wheel,
    which are reported beside them, nor the theme's files that every page of the site shares."""
    own = {name: (built / name).stat().st_size
           for name in ("index.html", "playground.js", "worker.js", "playground.css",
                        "manifest.json", manifest["wheels"][0])}
    third_party = {name: size for name, size in manifest["sizes"].items()
                   if name not in own}
    TIMINGS["own assets (bytes)"] = own
    TIMINGS["runtimes and graphviz wheel (bytes)"] = third_party
    print(json.dumps({"own": own, "total own": sum(own.values()),
                      "third party": third_party}, indent=1))
    assert sum(own.values()) < OWN_ASSETS_BUDGET_BYTES, own


def test_the_pages_wheel_leaves_out_what_the_page_cannot_run(
        built: Path, manifest: dict[str, Any]) -> None:
    with zipfile.ZipFile(built / manifest["wheels"][0]) as wheel:
        names = wheel.namelist()
    assert "autograd_lite/core/value.py" in names and "autograd_lite/compile/tape.py" in names
    assert not [n for n in names if n.startswith(("autograd_lite/testing/", "autograd_lite/cli/",
                                                  "autograd_lite/__main__.py"))]


def test_the_home_page_links_to_the_playground(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="playground/(?:index\.html)?"', home)


def test_run_buttons_carry_code_that_runs(site: Path) -> None:
    """Each "Run in the playground" button opens code that CPython runs without error."""
    codes = {}
    for page in sorted([*site.glob("tutorials/**/index.html"), *site.glob("how-to/**/index.html")]):
        text = page.read_text(encoding="utf-8")
        for k, encoded in enumerate(re.findall(r'class="md-button" href="[./]*playground/#code='
                                               r'([A-Za-z0-9_-]+)"', text)):
            code = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            codes[f"{page.parent.relative_to(site)}#{k}"] = code
    assert len(codes) >= 8, sorted(codes)
    assert any(name.startswith("how-to/custom-primitive") for name in codes)
    results = cpython_outputs(codes)
    failed = {name: r["error"] for name, r in results.items() if not r["ok"]}
    assert failed == {}


# -- in the browser -------------------------------------------------------------------------


def test_the_page_is_interactive_in_time_and_asks_no_other_host(
        driver: Any, server: str, built: Path) -> None:
    """Best of up to three openings (the machine is shared): interactive within the budget.
    The first opening is a learner's first visit (nothing cached); all are recorded."""
    times = []
    for _ in range(ATTEMPTS):
        requested_urls(driver)
        times.append(open_playground(driver, server + "playground/"))
        foreign = [u for u in requested_urls(driver)
                   if u.startswith(("http:", "https:", "ws:", "wss:", "//"))
                   and not u.startswith(server)]
        assert foreign == []
        if times[-1] < INTERACTIVE_BUDGET_S:
            break
    TIMINGS["interactive (s)"] = times
    TIMINGS["package imported (s)"] = wait_for(
        driver, "return window.playground.importedMs", 60) / 1000
    TIMINGS["startup in the worker (ms)"] = driver.execute_script(
        "return window.playground.startup")
    print(f"interactive after {times} s; {TIMINGS['startup in the worker (ms)']}")
    assert min(times) < INTERACTIVE_BUDGET_S
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_every_preset_prints_cpythons_numbers_and_draws(
        driver: Any, server: str, manifest: dict[str, Any]) -> None:
    presets = {p["name"]: p["code"] for p in manifest["presets"]}
    assert list(presets) == ["readme", "note000", "note003", "neuron", "primitive"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Thirty seconds\n\n```python\n", 1)[1].split("```", 1)[0]
    assert presets["readme"].startswith(block)   # the README's example, as it is
    expected = cpython_outputs(presets)
    if not driver.execute_script("return window.playground && window.playground.ready"):
        open_playground(driver, server + "playground/")
    timings = {}
    for name in presets:
        last = run(driver, preset=name)
        assert last["ok"], last["output"]
        assert expected[name]["ok"], expected[name]["error"]
        close, differ = same_numbers(last["output"], expected[name]["stdout"])
        assert close, (name, last["output"], expected[name]["stdout"])
        timings[name] = {"run (s)": round(last["ms"] / 1000, 3), "numbers differing": differ}
        svgs = driver.execute_script(
            "return [...document.querySelectorAll('#pg-diagrams svg')]"
            ".map(s => s.getBBox().width * s.getBBox().height)")
        assert len(svgs) == expected[name]["diagrams"] >= 1 and min(svgs) > 0
        assert driver.execute_script("return document.querySelectorAll('#pg-steps iframe')"
                                     ".length") == expected[name]["pages"] >= 1
        position = step_once(driver)
        assert re.fullmatch(r"step 1 of \d+", position), position
    TIMINGS["presets"] = timings
    print(json.dumps(timings, indent=1))


def test_note_003_runs_and_draws_within_2_s_of_the_page_being_ready(
        driver: Any, server: str) -> None:
    """The first run after opening (best of up to three openings): from the click on Run to
    the graph and the step-through shown."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    seconds = []
    for _ in range(ATTEMPTS):
        open_playground(driver, server + "playground/#preset=note003")
        assert Select(driver.find_element(By.ID, "pg-preset")).first_selected_option \
            .get_attribute("value") == "note003"
        run_button = driver.find_element(By.ID, "pg-run")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", run_button)
        start = driver.execute_script("return performance.now()")
        run_button.click()
        wait_for(driver, "return window.playground.runs === 1 && "
                 "document.querySelector('#pg-diagrams svg') && "
                 "document.querySelector('#pg-steps iframe')", RUN_TIMEOUT_S)
        seconds.append((driver.execute_script("return performance.now()") - start) / 1000)
        if seconds[-1] < NOTE003_BUDGET_S:
            break
    TIMINGS["note 003, first run (s)"] = seconds
    print(f"note 003's preset: {seconds} s from Run to the graph")
    assert min(seconds) < NOTE003_BUDGET_S
    assert "L = 31.3036" in driver.find_element(By.ID, "pg-output").text


def test_an_error_names_its_line_and_a_button_opens_its_code(
        driver: Any, server: str, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    if not driver.execute_script("return window.playground && window.playground.ready"):
        open_playground(driver, server + "playground/")
    last = run(driver, code="from autograd_lite import Value\nx = Value(2.0)\n"
                            "print(x.log())\nprint((x - 2.0).log())\n")
    assert not last["ok"] and last["line"] == 4
    assert "line 4" in last["output"] and "DomainError" in last["output"]
    assert "0.693147" in last["output"]
    assert "line 4" in driver.find_element(By.ID, "pg-status").text
    assert driver.find_element(By.CSS_SELECTOR, "#pg-lines .pg-error-line").text == "4"
    assert "/site-packages/autograd_lite/" in last["output"]   # the installed wheel's
    # the how-to's button: the page opens with its code, which runs
    page = (site / "how-to" / "custom-primitive" / "index.html").read_text(encoding="utf-8")
    href = re.search(r'class="md-button" href="\.\./\.\./(playground/#code=[\w-]+)"', page)
    assert href is not None
    open_playground(driver, server + href.group(1))
    editor = driver.find_element(By.ID, "pg-code")
    assert "my_softplus" in editor.get_attribute("value")
    # the keys: Enter after a colon indents, Ctrl+Enter runs
    click(driver, editor)
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys(Keys.ENTER, "for k in range(2):", Keys.ENTER, "print('k =', k)")
    assert editor.get_attribute("value").endswith("\nfor k in range(2):\n    print('k =', k)")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(driver, "return window.playground.runs > 0 && !window.playground.running", 30)
    last = driver.execute_script("return window.playground.last")
    assert last["ok"] and last["output"].endswith("k = 0\nk = 1\n"), last["output"]


def test_stop_restarts_python_when_code_runs_too_long(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    if not driver.execute_script("return window.playground && window.playground.ready"):
        open_playground(driver, server + "playground/")
    driver.execute_script("const e = document.getElementById('pg-code'); e.value = "
                          "'print(\"spinning\")\\nwhile True:\\n    pass\\n';")
    click(driver, driver.find_element(By.ID, "pg-run"))
    wait_for(driver, "return document.getElementById('pg-output').textContent"
             ".includes('spinning')", 30)
    stop = driver.find_element(By.ID, "pg-stop")
    assert stop.is_displayed() and driver.execute_script("return window.playground.running")
    click(driver, stop)
    assert "stopped" in driver.find_element(By.ID, "pg-output").text
    wait_for(driver, "return window.playground.ready", 60)
    assert not stop.is_displayed()
    last = run(driver, code="from autograd_lite import Value\nprint(Value(3.0) * 2)\n")
    assert last["ok"] and "data=6.0" in last["output"], last["output"]


def test_record_the_timings(record_property: Any) -> None:
    """Last: the measurements above, in the test report (and printed with -s)."""
    for key, value in TIMINGS.items():
        record_property(key, json.dumps(value))
    print(json.dumps(TIMINGS, indent=1))

"""The documentation site: built as a reader builds it, then opened in a browser.

``mkdocs build --strict`` (the ``docs`` extra, which the ``test`` extra includes) must pass:
no broken link, no missing reference, no warning; the notebooks are executed into tutorial
pages and the figures drawn by the engine.  Then the built site is served on 127.0.0.1 and
headless Chromium (tests/browser.py) opens the home page and a reference page: each must
render without a console error and without asking anything of any host but this one (no
web fonts, no CDN scripts), and the site's search must find ``hessian``.  The build and the
server are fixtures of ``tests/docs/conftest.py``, shared with ``test_playground.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import FITS_SCRIPT, requested_urls, start_driver
from by_path import load_module

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from start_driver(network_log=True)


def severe_console_messages(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_page(driver: Any, url: str) -> list[str]:
    """Load ``url``, wait for it to settle; the URLs it requested from other hosts."""
    requested_urls(driver)  # forget earlier pages' requests
    driver.get(url)
    time.sleep(1.0)  # let scripts run and the search index load
    origin = re.match(r"http://127\.0\.0\.1:\d+/", url)
    assert origin is not None
    return [u for u in requested_urls(driver)  # the browser's own chrome:// pages aside
            if u.startswith(("http:", "https:", "ws:", "wss:", "//"))
            and not u.startswith(origin.group(0))]


# -- the build ------------------------------------------------------------------------------


def test_every_tutorial_notebook_became_an_executed_page(site: Path) -> None:
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == 8
    for name in notebooks:
        page = (site / "tutorials" / name / "index.html").read_text(encoding="utf-8")
        assert "Not executed" not in page
        assert 'class="nb-output"' in page or "language-text" in page, name  # outputs shown
        assert "$" not in re.sub(r"<(code|pre|script)\b.*?</\1>", "", page, flags=re.S) \
            or "<math" in page, name


def test_the_build_executes_a_notebook_it_has_not_got(tmp_path: Path) -> None:
    """The path the build takes without test_notebooks.py's runs: execute, then render."""
    import nbformat

    hooks = load_module("docs_hooks", ROOT / "docs" / "hooks.py")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook\n\nWhere $x^2$ is two."),
                nbformat.v4.new_code_cell("print(6 * 7)")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    markdown, stash = hooks.notebook_markdown(path, execute=True, cache=False)
    assert markdown.startswith("# A notebook") and "```text\n42\n```" in markdown
    assert stash == []


def test_the_maths_became_mathml(site: Path) -> None:
    page = (site / "tutorials" / "003_one_round_of_backprop" / "index.html").read_text(
        encoding="utf-8")
    assert page.count("<math ") >= 20
    assert 'class="arithmatex"' not in page  # every formula converted, none left as TeX


def test_figures_were_drawn_at_build_time(site: Path) -> None:
    for name in ("recorded.svg", "backward.svg", "reverse-step-1.svg", "neuron.svg"):
        assert (site / "figures" / name).read_text(encoding="utf-8").lstrip().startswith(
            ("<?xml", "<svg")), name
    steps = (site / "figures" / "note003-steps.html").read_text(encoding="utf-8")
    assert "autogradSteps" in steps


def test_the_reference_documents_the_public_names(site: Path) -> None:
    func = (site / "reference" / "func" / "index.html").read_text(encoding="utf-8")
    for name in ("grad", "jvp", "vjp", "jacobian", "hessian", "hvp"):
        assert f'id="autograd_lite.func.{name}"' in func, name
    rules = (site / "reference" / "rules" / "index.html").read_text(encoding="utf-8")
    assert "<code>gelu</code>" in rules and "generated:" not in rules
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "usage: autograd-lite" in cli and "usage: autograd-lite grad" in cli


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    """Static check of every built page: no script, stylesheet, font or image from a URL."""
    offenders = []
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text):
            if re.search(r'(?:src|href)="(?:https?:)?//', tag):
                offenders.append(f"{page.relative_to(site)}: {tag}")
    assert offenders == []
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


# -- in the browser ---------------------------------------------------------------------------


def test_the_home_page_renders(driver: Any, server: str) -> None:
    foreign = open_page(driver, server)
    assert foreign == []
    assert driver.title.startswith("autograd_lite")
    heading = driver.execute_script("return document.querySelector('article h1').textContent")
    assert heading.strip().startswith("autograd_lite")
    assert driver.execute_script(
        "return document.querySelector('article img[src$=\"graph.svg\"]').naturalWidth") > 0
    assert severe_console_messages(driver) == []


def test_a_reference_page_renders(driver: Any, server: str) -> None:
    foreign = open_page(driver, server + "reference/func/")
    assert foreign == []
    headings = driver.execute_script(
        "return [...document.querySelectorAll('article h2, article h3')].map(h => h.id)")
    assert "autograd_lite.func.hessian" in headings
    assert severe_console_messages(driver) == []


def test_search_finds_hessian(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(driver, server)
    driver.find_element(By.CSS_SELECTOR, "label.md-search__icon, .md-search__input").click()
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.send_keys("hessian")
    WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, ".md-search-result__item")))
    links = driver.execute_script(
        "return [...document.querySelectorAll('.md-search-result__item a')].map(a => a.href)")
    assert any("reference/func/" in link for link in links), links
    assert severe_console_messages(driver) == []


def test_the_embedded_step_through_fits_the_how_to_column(driver: Any, server: str) -> None:
    """At a 1280-px window: no scroll bar inside the frame, the toolbar on one line, the
    whole graph at step 0 and every operand row visible at every step."""
    from selenium.webdriver.common.by import By

    driver.set_window_size(1280, 900)
    try:
        assert open_page(driver, server + "how-to/draw-graphs/") == []
        frame = driver.find_element(By.CSS_SELECTOR, 'iframe[src*="note003-steps.html"]')
        width = driver.execute_script("return arguments[0].clientWidth", frame)
        assert 600 <= width <= 800, width  # the column (688 px at this window when written)
        driver.switch_to.frame(frame)
        assert driver.execute_script(FITS_SCRIPT)["wholeGraph"]
        for k in range(driver.execute_script("return window.autogradSteps.total") + 1):
            driver.execute_script(f"window.autogradSteps.show({k})")
            fits = driver.execute_script(FITS_SCRIPT)
            assert fits["overflow"] == [0, 0] and fits["scrolled"] == [], (k, fits)
            assert fits["oneLine"] and not fits["tableCut"], (k, fits)
    finally:
        driver.switch_to.default_content()
        driver.set_window_size(1200, 900)
    assert severe_console_messages(driver) == []


DIAGRAM_PAGES = ["", "tutorials/first-steps/", "explanation/reverse-mode/",
                 "how-to/draw-graphs/", "tutorials/000_chain_rule_step_by_step/",
                 "tutorials/001_loss_gradient_layer_by_layer/",
                 "tutorials/003_one_round_of_backprop/",
                 "tutorials/004_two_layer_bce_and_autodiff/"]
"""The pages with Graphviz diagrams: the home page, the tutorials, the how-to and the
explanation of reverse mode."""

SMALLEST_TEXT = r"""
const done = arguments[arguments.length - 1], found = [];
for (const svg of document.querySelectorAll('article svg')) {
  if (!svg.querySelector('g.graph')) continue;  // a Graphviz diagram, not an icon
  let least = Infinity;
  for (const t of svg.querySelectorAll('text')) {
    const size = parseFloat(t.getAttribute('font-size')), m = t.getScreenCTM();
    if (size && m) least = Math.min(least, size * m.a);
  }
  found.push(['inline svg', least]);
}
const images = [...document.querySelectorAll('article img')].filter(i => /\.svg$/.test(i.src));
Promise.all(images.map(async img => {
  const text = await (await fetch(img.src)).text();
  const box = text.match(/viewBox="[\d.-]+ [\d.-]+ ([\d.]+)/);
  const sizes = [...text.matchAll(/font-size="([\d.]+)"/g)].map(m => parseFloat(m[1]));
  const scale = img.getBoundingClientRect().width / parseFloat(box[1]);
  return [img.getAttribute('src'), Math.min(...sizes) * scale];
})).then(rows => done(found.concat(rows)));
"""


@pytest.mark.parametrize("page", DIAGRAM_PAGES)
def test_diagram_text_is_at_least_11_px_at_a_1280_px_window(driver: Any, server: str,
                                                            page: str) -> None:
    driver.set_window_size(1280, 900)
    try:
        assert open_page(driver, server + page) == []
        smallest = driver.execute_async_script(SMALLEST_TEXT)
    finally:
        driver.set_window_size(1200, 900)
    print(page, sorted(round(px, 1) for _, px in smallest)[:3])
    assert smallest, page
    assert [(what, round(px, 1)) for what, px in smallest if px < 10.95] == []


def test_a_diagram_opens_full_size_to_zoom_and_closes(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    assert open_page(driver, server + "tutorials/003_one_round_of_backprop/") == []
    diagram = driver.find_element(By.CSS_SELECTOR, ".nb-output svg.diagram")
    shown = diagram.size["width"]
    driver.execute_script("arguments[0].scrollIntoView()", diagram)
    diagram.click()
    full = driver.find_element(By.CSS_SELECTOR, ".diagram-lightbox .diagram-full")
    natural = driver.execute_script("return arguments[0].viewBox.baseVal.width * 4 / 3",
                                    diagram)
    assert abs(full.size["width"] - natural) < 2 and full.size["width"] >= shown
    driver.find_element(By.TAG_NAME, "body").send_keys("+")
    assert driver.execute_script("return window.autogradLightbox.zoom()") == 1.25
    assert abs(full.size["width"] - 1.25 * natural) < 2
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    assert driver.find_elements(By.CSS_SELECTOR, ".diagram-lightbox") == []
    assert severe_console_messages(driver) == []


def test_display_maths_stays_in_the_column(driver: Any, server: str) -> None:
    driver.set_window_size(1280, 900)
    try:
        assert open_page(driver, server + "tutorials/003_one_round_of_backprop/") == []
        past = driver.execute_script("""
            const column = document.querySelector('article').getBoundingClientRect();
            return [...document.querySelectorAll('article math[display="block"]')]
                .map(m => m.getBoundingClientRect().right - column.right)
                .filter(over => over > 1);""")
    finally:
        driver.set_window_size(1200, 900)
    assert past == []


def test_the_checks_can_fail(driver: Any, server: str) -> None:
    """A script from another host is caught by both checks.  The other host is another
    loopback address where nothing listens, so nothing leaves the machine."""
    assert open_page(driver, server) == []
    driver.execute_script("const s = document.createElement('script');"
                          "s.src = 'http://127.0.0.2:9/cdn.js'; document.body.append(s);")
    time.sleep(1.0)
    assert any(u.startswith("http://127.0.0.2:9/") for u in requested_urls(driver))
    assert severe_console_messages(driver) != []

"""The step-through page in a real browser (headless Chromium, see tests/browser.py).

A reader opens note 003's page, presses the arrow keys and reads the captions: each must
name the node backward visits at that step and the gradient ``backward()`` gives it (the
expected numbers come from ``.backward()`` on a twin graph, not from the page builder).
The budgets are issue 15's: note 003 < 200 KB, a 200-node chain < 1 MB, the collapsed
MLP(2, [16, 16, 1]) < 3 MB and interactive in under 2 s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import FITS_SCRIPT, start_driver
from step_graphs import chain, mlp, note003

from autograd_lite import Value, backward_html, topological_order
from autograd_lite.graph.diagram import format_number

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from start_driver()


def open_page(driver: Any, path: Path, page: str, step: int | None = None) -> float:
    """Load ``page`` from a file; the seconds until the load event."""
    path.write_text(page, encoding="utf-8")
    start = time.perf_counter()
    driver.get(path.as_uri() + ("" if step is None else f"#step={step}"))
    return time.perf_counter() - start


def press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    chain_ = ActionChains(driver)
    for key in keys:
        chain_.send_keys(key)
    chain_.perform()


def press_with_shift(driver: Any, key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(key).key_up(Keys.SHIFT).perform()


STATE = """
const q = s => [...document.querySelectorAll(s)];
return {pos: document.getElementById('pos').textContent,
        step: window.autogradSteps.step(),
        cur: q('g.node.cur').map(g => g.querySelector('title').textContent),
        recv: q('g.node.recv').map(g => g.querySelector('title').textContent),
        redEdges: q('g.edge.cur').length,
        bold: q('#caption b').map(b => b.textContent),
        rows: q('#caption tr').slice(1).map(r => [...r.cells].map(c => c.textContent)),
        grads: Object.fromEntries(q('g.node').map(g => [g.querySelector('title').textContent,
            [...g.querySelectorAll('text.grad')].map(t => t.textContent)[0]])),
        viewBox: window.autogradSteps.viewBox()};
"""


def state(driver: Any) -> dict[str, Any]:
    result: dict[str, Any] = driver.execute_script(STATE)
    return result


def severe_console_messages(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def twin_after_backward() -> tuple[Value, list[Value]]:
    """Note 003's graph again, with ``.backward()`` run: the engine's own adjoints."""
    loss, _, _ = note003()
    loss.backward()
    return loss, topological_order(loss)


def test_note003_arrow_keys_walk_the_pass_and_captions_match_backward(
        driver: Any, tmp_path: Path) -> None:
    loss, params, inputs = note003()
    open_page(driver, tmp_path / "note003.html", backward_html(loss, params=params,
                                                               inputs=inputs))
    _, order = twin_after_backward()
    visited = [n for n in reversed(order) if n.op is not None]
    assert len(visited) == 9

    start = state(driver)
    assert start["pos"] == "step 0 of 9" and start["cur"] == []
    assert start["bold"][0] == "Step 0 of 9"
    # step 0: the forward values, no gradient anywhere yet
    assert set(start["grads"].values()) <= {"grad \u2013", None}

    for k, node in enumerate(visited, start=1):
        press(driver, "\ue014")  # ArrowRight
        now = state(driver)
        box = f"n{order.index(node)}"
        assert now["pos"] == f"step {k} of 9"
        assert sorted(now["cur"]) == [box, box + "op"]  # the value and its operation, in red
        assert now["redEdges"] == len(node.local_grads)  # edges that carry a contribution
        upstream = format_number(node.grad, 4)  # d L / d node from .backward()
        assert now["bold"] == [f"Step {k} of 9", upstream]
        assert now["grads"][box] == f"grad {upstream}"
        for row, parent, local in zip(now["rows"], node.parents, node.local_grads):
            assert parent.label in row[0]  # the operand, by name (v7) and label
            assert row[1] == (f"{upstream} \u00d7 {format_number(local, 4)} = "
                              f"{format_number(node.grad * local, 4)}")
    # the end: every box shows the gradient backward() leaves
    end = state(driver)
    for i, node in enumerate(order):
        if node.requires_grad:
            assert end["grads"][f"n{i}"] == f"grad {format_number(node.grad, 4)}", node.label
    press(driver, "\ue012", "\ue012")  # ArrowLeft twice
    back = state(driver)
    assert back["pos"] == "step 7 of 9"
    assert f"n{order.index(visited[6])}" in back["cur"]
    # grads not yet reached at step 7 are unknown again (the first layer's weights)
    first_weight = next(i for i, n in enumerate(order) if n.label == "V11")
    assert back["grads"][f"n{first_weight}"] == "grad \u2013"
    assert severe_console_messages(driver) == []


def test_zoom_pan_and_fit_change_the_view(driver: Any, tmp_path: Path) -> None:
    loss, params, inputs = note003()
    open_page(driver, tmp_path / "zoom.html", backward_html(loss, params=params, inputs=inputs))
    press(driver, "0")  # fit: the whole graph (the page may open at 1:1 on a wide layout)
    x, y, width, height = state(driver)["viewBox"]
    press(driver, "+")
    zoomed = state(driver)["viewBox"]
    assert zoomed[2] == pytest.approx(width / 1.25) and zoomed[3] == pytest.approx(height / 1.25)
    press_with_shift(driver, "\ue014")  # Shift+ArrowRight pans right by a tenth of the view
    panned = state(driver)["viewBox"]
    assert panned[0] == pytest.approx(zoomed[0] + zoomed[2] / 10)
    assert state(driver)["step"] == 0  # panning is not stepping
    driver.execute_script("""const v = document.getElementById('view').getBoundingClientRect();
        document.getElementById('view').dispatchEvent(new WheelEvent('wheel', {deltaY: 100,
        clientX: v.left + v.width / 2, clientY: v.top + v.height / 2, bubbles: true,
        cancelable: true}));""")
    assert state(driver)["viewBox"][2] == pytest.approx(panned[2] / 0.8)
    press(driver, "0")
    assert state(driver)["viewBox"] == pytest.approx([x, y, width, height])
    assert severe_console_messages(driver) == []


def test_the_view_follows_the_current_node(driver: Any, tmp_path: Path) -> None:
    loss = chain(200)
    open_page(driver, tmp_path / "chain.html", backward_html(loss))
    inside = """const g = [...document.querySelectorAll('g.node.cur')][0];
        const r = g.getBoundingClientRect(), v = document.getElementById('view')
            .getBoundingClientRect();
        return r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom;"""
    for step in (1, 100, 199):
        driver.execute_script(f"window.autogradSteps.show({step})")
        assert driver.execute_script(inside), step


def test_go_to_a_node_by_label(driver: Any, tmp_path: Path) -> None:
    loss, params, inputs = note003()
    open_page(driver, tmp_path / "find.html", backward_html(loss, params=params, inputs=inputs))
    box = driver.find_element("id", "find")
    box.send_keys("z2\n")
    order = topological_order(loss)
    z1 = next(n for n in order if n.label == "z2")
    visited = [n for n in reversed(order) if n.op is not None]
    now = state(driver)
    assert now["step"] == visited.index(z1) + 1
    assert f"n{order.index(z1)}" in now["cur"]
    box.clear()
    box.send_keys("no such node\n")
    assert driver.find_element("id", "found").text == "no node named no such node"


@pytest.mark.parametrize(("name", "budget_bytes", "budget_seconds"), [
    ("note003", 200_000, 2.0), ("chain200", 1_000_000, 2.0), ("mlp_collapsed", 3_000_000, 2.0)])
def test_pages_stay_within_their_budgets(driver: Any, tmp_path: Path, name: str,
                                         budget_bytes: int, budget_seconds: float) -> None:
    if name == "note003":
        loss, params, inputs = note003()
        page = backward_html(loss, params=params, inputs=inputs)
    elif name == "chain200":
        page = backward_html(chain(200))
    else:
        loss, params = mlp()
        page = backward_html(loss, params=params, collapse=True)
    assert len(page.encode("utf-8")) < budget_bytes
    seconds = open_page(driver, tmp_path / f"{name}.html", page, step=5)
    ready_ms = driver.execute_script("return window.autogradSteps.readyMs")
    assert ready_ms < budget_seconds * 1000, (name, ready_ms, seconds)
    assert driver.execute_script("return window.autogradSteps.step()") == 5  # #step=5 in the URL
    press(driver, "\ue014")
    assert state(driver)["pos"].startswith("step 6 of")
    assert severe_console_messages(driver) == []


def test_collapsed_mlp_highlights_the_neuron_box_and_keeps_the_loss(
        driver: Any, tmp_path: Path) -> None:
    loss, params = mlp()
    open_page(driver, tmp_path / "mlp.html", backward_html(loss, params=params, collapse=True))
    press(driver, "\ue014")
    first = state(driver)
    # step 1 is the loss (y - 1)^2 itself: its own box, grad 1, handing 2 (y - 1) on
    loss_box = first["cur"]
    assert len(loss_box) == 1 and first["grads"][loss_box[0]] == "grad 1"
    twin, _ = mlp()
    twin.backward()
    visited = [n for n in reversed(topological_order(twin)) if n.op is not None]
    for k, node in enumerate(visited, start=1):  # every caption, against backward()
        driver.execute_script(f"window.autogradSteps.show({k})")
        assert state(driver)["bold"] == [f"Step {k} of 67", format_number(node.grad, 4)]
    end = state(driver)
    neuron_grads = [g for title, g in end["grads"].items() if title.startswith("g")]
    assert len(neuron_grads) == 33 and "grad \u2013" not in neuron_grads


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception),
                                             ("", pytest.skip.Exception)])
def test_a_missing_browser_skips_with_the_reason_but_fails_under_ci(
        monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]) -> None:
    monkeypatch.setenv("PATH", "")  # no chromium, no chromedriver
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="apt-get install chromium chromium-driver"):
        next(start_driver())


# -- embedded in a page (the how-to's iframe) ------------------------------------------------

HOWTO = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "draw-graphs.md"

def frame_height() -> int:
    """The height of the how-to's iframe, as its page sets it."""
    import re

    found = re.search(r'<iframe src="[^"]*note003-steps\.html"[^>]*height: (\d+)px',
                      HOWTO.read_text(encoding="utf-8"))
    assert found is not None
    return int(found.group(1))


@pytest.mark.parametrize("width", [688, 700])  # the how-to's column at a 1280-px window; 700
def test_the_embedded_page_fits_its_frame_at_every_step(driver: Any, tmp_path: Path,
                                                        width: int) -> None:
    loss, params, inputs = note003()
    (tmp_path / "steps.html").write_text(backward_html(loss, params=params, inputs=inputs),
                                         encoding="utf-8")
    (tmp_path / "host.html").write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><div style="width:{width}px">'
        f'<iframe id="frame" src="steps.html" style="width:100%;height:{frame_height()}px;'
        'border:1px solid #ccc"></iframe></div></body></html>', encoding="utf-8")
    driver.get((tmp_path / "host.html").as_uri())
    driver.switch_to.frame("frame")
    try:
        start = driver.execute_script(FITS_SCRIPT)
        assert start["wholeGraph"], "step 0 shows the whole graph"
        for k in range(10):
            driver.execute_script(f"window.autogradSteps.show({k})")
            fits = driver.execute_script(FITS_SCRIPT)
            assert fits["overflow"] == [0, 0], (k, fits)  # no scroll bar inside the frame
            assert fits["scrolled"] == [], (k, fits)      # nor on any part of the page
            assert fits["oneLine"], (k, fits)             # the toolbar on one line
            assert not fits["tableCut"], (k, fits)        # every operand row visible
    finally:
        driver.switch_to.default_content()


def test_the_fit_check_can_fail(driver: Any, tmp_path: Path) -> None:
    loss, params, inputs = note003()
    (tmp_path / "steps.html").write_text(backward_html(loss, params=params, inputs=inputs),
                                         encoding="utf-8")
    (tmp_path / "host.html").write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe id="frame" src="steps.html" '
        'style="width:380px;height:260px"></iframe></body></html>', encoding="utf-8")
    driver.get((tmp_path / "host.html").as_uri())
    driver.switch_to.frame("frame")
    try:
        driver.execute_script("window.autogradSteps.show(3)")
        fits = driver.execute_script(FITS_SCRIPT)
        assert fits["overflow"] != [0, 0] and not fits["oneLine"]
    finally:
        driver.switch_to.default_content()


def test_the_address_follows_the_steps_and_a_new_address_steps_there(
        driver: Any, tmp_path: Path) -> None:
    loss, params, inputs = note003()
    open_page(driver, tmp_path / "hash.html", backward_html(loss, params=params, inputs=inputs),
              step=2)
    assert state(driver)["step"] == 2
    entries = driver.execute_script("return history.length")
    press(driver, "\ue014")  # ArrowRight
    assert driver.execute_script("return location.hash") == "#step=3"
    driver.execute_script("location.hash = '#step=7'")
    time.sleep(0.2)
    assert state(driver)["pos"] == "step 7 of 9"
    press(driver, "\ue012")  # ArrowLeft
    assert driver.execute_script("return location.hash") == "#step=6"
    # stepping replaces the address; only the hash typed in made a history entry
    assert driver.execute_script("return history.length") == entries + 1

def test_a_hooked_node_says_so_in_the_page(driver: Any, tmp_path: Path) -> None:
    """x = 2, h = 3x, y = h^2 with hooks x10 on h and +1 on x: the caption of h's step says
    its hook was given 12 (and the step passes 120); at the end x's box shows 361 and the
    caption says its hook was given 360."""
    x = Value(2.0, "x")
    h = x * 3.0
    h.label = "h"
    y = h * h
    with h.register_hook(lambda g: g * 10), x.register_hook(lambda g: g + 1):
        page = backward_html(y, backend="wasm")
    open_page(driver, tmp_path / "hooked.html", page)
    press(driver, "\ue014", "\ue014")  # right arrow twice: h's step
    caption = driver.find_element("id", "caption").text
    assert "its hook (register_hook) was given 12 and returned this" in caption
    assert state(driver)["bold"][1] == "120"
    assert "Hooked leaf" in caption  # the last step: the leaf's hook too
    assert "was given 360 and returned 361" in caption
    assert "grad 361" in state(driver)["grads"].values()
    assert severe_console_messages(driver) == []

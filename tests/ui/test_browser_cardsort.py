"""The card sort in a real JupyterLab and Chromium: drag and select reach disk, Check,
themes, accessibility, layout, the core fallback and Notebook 7.

The keyboard (handle and role list, both front ends, JupyterLab and Notebook 7) is
tested in ``test_browser_keys.py``.

One JupyterLab server and one open notebook serve the whole module; each test moves
its own cards, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lab import (
    AXE,
    audit,
    chromium,
    mean_brightness,
    open_notebook,
    run_all_cells,
    set_theme,
    shared_lab,
    visible_screenshot,
    write_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXERCISE = "browser-sort"
CARDS = {
    "drag": "Order the list of upcoming work",
    "pick": "Estimate the size of the market",
    "chk": "Set prices and packages",
}
SETUP = f"""\
from product_roles import CardSort, card_sort

cards = [{{"id": i, "text": t}} for i, t in {CARDS!r}.items()]
roles = [{{"id": "PO", "label": "Product Owner"}}, {{"id": "PM", "label": "Product Manager"}},
         {{"id": "ENG", "label": "Engineers"}}]
key = {{"drag": "PO", "pick": "PM", "chk": "PM"}}
why = {{c: f"Because of reason {{c}}." for c in key}}
sort = CardSort({EXERCISE!r}, cards, roles, key=key, explanations=why, ask_confidence=True)
sort"""
BIG = """\
big = CardSort(
    "browser-big",
    [{"id": f"c{i}", "text": f"Responsibility {i} with a longer description to wrap"} for i in range(40)],
    [{"id": f"k{i}", "label": f"Category {i}"} for i in range(6)],
)
for i in range(0, 40, 2):
    big.place(f"c{i}", f"k{i % 6}")
big"""
CORE = """\
core = card_sort("browser-core", cards, roles, ui="core")
core"""
UNDO = """\
undo = CardSort("browser-undo", [{"id": "u1", "text": "Run the review"}], roles)
undo"""


@pytest.fixture(scope="module")
def lab(request, tmp_path_factory):
    lab = shared_lab(request, tmp_path_factory, "cardsort")
    write_notebook(lab.root / "sort.ipynb", SETUP, CORE, BIG, UNDO)
    write_notebook(lab.root / "notebook7.ipynb", SETUP.replace(EXERCISE, "browser-nb7"))
    return lab


@pytest.fixture(scope="module")
def page(lab):
    lab.start_kernel("sort.ipynb")
    lab.start_kernel("notebook7.ipynb")  # for the Notebook 7 test, ready when it opens
    with chromium(viewport={"width": 1280, "height": 800}) as context:
        page = context.new_page()
        open_notebook(page, lab, "sort.ipynb")
        run_all_cells(page)
        page.wait_for_selector(".prs-root[data-ready='true']", timeout=60_000)
        yield page


def saved(lab, exercise: str = EXERCISE) -> dict:
    path = Path(lab.root) / f"{exercise}.answers.json"
    return json.loads(path.read_text()) if path.exists() else {}


def wait_saved(lab, card: str, category: str | None, exercise: str = EXERCISE) -> dict:
    """Wait until the kernel has written ``card`` in ``category`` to the answers file."""
    deadline = time.monotonic() + 20
    while True:
        data = saved(lab, exercise)
        if data.get("placements", {}).get(card, "absent") == category:
            return data
        if time.monotonic() > deadline:
            raise AssertionError(f"{card} never reached {category} on disk; last saved: {data}")
        time.sleep(0.1)


def card(page, card_id: str):
    return main(page).locator(f".prs-card[data-card='{card_id}']")


def column(page, category: str):
    return main(page).locator(f".prs-column[data-category='{category}']")


def main(page):
    """The root of the notebook's first card sort (the others test the layout and fallback)."""
    return page.locator(".prs-root").filter(has=page.locator(".prs-card[data-card='drag']"))


def test_drag_by_handle_reaches_kernel_and_disk(page, lab):
    card(page, "drag").locator(".prs-handle").drag_to(column(page, "PO"))
    wait_saved(lab, "drag", "PO")
    assert column(page, "PO").locator(".prs-card[data-card='drag']").count() == 1
    status = main(page).locator(".prs-status")
    expect(status).to_contain_text("dragged")
    assert "moved to Product Owner" in status.text_content()


def test_select_reaches_kernel_and_disk(page, lab):
    card(page, "pick").locator(".prs-select").select_option("PM")
    wait_saved(lab, "pick", "PM")
    assert column(page, "PM").locator(".prs-card[data-card='pick']").count() == 1


def test_check_shows_feedback_and_confidently_wrong(page, lab):
    chk = card(page, "chk")
    chk.locator(".prs-sure").select_option("sure")
    chk.locator(".prs-select").select_option("ENG")
    data = wait_saved(lab, "chk", "ENG")
    deadline = time.monotonic() + 20
    while data.get("confidence", {}).get("chk") != "sure":
        assert time.monotonic() < deadline, data
        data = saved(lab)
    main(page).locator(".prs-check").click()
    feedback = chk.locator(".prs-feedback")
    feedback.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector(\".prs-card[data-card='chk'] .prs-feedback\").textContent"
    )
    verdict = feedback.locator(".prs-verdict")
    assert verdict.inner_text() == (
        "✗ Not quite. It belongs in Product Manager. You were sure: worth a second look."
    )
    # The explanation waits, folded, behind "Why?": a checked sort stays short.
    why = feedback.locator(".prs-why > span")
    assert why.text_content() == "Because of reason chk."
    assert not why.is_visible()
    feedback.locator(".prs-why > summary").click()
    expect(why).to_be_visible()
    assert "1 marked sure but wrong" in main(page).locator(".prs-score").text_content()
    # Retry: moving the card clears its now stale verdict.
    chk.locator(".prs-select").select_option("PM")
    wait_saved(lab, "chk", "PM")
    expect(feedback).to_have_text("")


def test_follows_light_and_dark_themes(page):
    root = main(page)
    set_theme(page, "JupyterLab Light")
    light = mean_brightness(visible_screenshot(page, root))
    set_theme(page, "JupyterLab Dark")
    try:
        dark = mean_brightness(visible_screenshot(page, root))
        assert not [v for v in audit(page, main(page)) if v["impact"] in ("serious", "critical")]
    finally:
        set_theme(page, "JupyterLab Light")
    assert light > 170, f"light theme renders with mean brightness {light:.0f}"
    assert dark < 90, f"dark theme renders with mean brightness {dark:.0f}"


def test_axe_finds_no_serious_or_critical_violations(page):
    assert AXE.exists(), "run ./scripts/test, which installs axe-core with npm ci"
    serious = [v for v in audit(page, main(page)) if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, indent=2)


OVERFLOW = """() => [...document.querySelectorAll('.prs-root')].map(root => {
    const box = root.getBoundingClientRect();
    return [...root.querySelectorAll('.prs-card, .prs-column')]
        .filter(c => c.getBoundingClientRect().right > box.right + 1).length;
})"""


def fits(page) -> None:
    """Wait until every card sort on the page has laid out with nothing past its edge."""
    page.wait_for_function(f"() => ({OVERFLOW})().every(n => n === 0)", timeout=10_000)


def test_element_ids_are_unique_across_widgets(page):
    ids = page.evaluate("() => [...document.querySelectorAll('.prs-root [id]')].map(e => e.id)")
    assert len(ids) > 40
    assert len(ids) == len(set(ids))


def test_forty_cards_in_six_columns_fit_wide_and_narrow(page):
    big = page.locator(".prs-root").filter(has=page.locator(".prs-card[data-card='c39']"))
    big.wait_for()
    assert big.locator(".prs-card").count() == 40
    tops = big.locator(".prs-board > .prs-column").evaluate_all(
        "cols => cols.map(c => Math.round(c.getBoundingClientRect().top))"
    )
    assert len(tops) == 6, "six columns side by side at 1280 px"
    assert len(set(tops)) == 1, "six columns side by side at 1280 px"
    fits(page)
    page.set_viewport_size({"width": 480, "height": 800})
    try:
        fits(page)
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_start_again_asks_first_and_undo_brings_the_sort_back(page, lab):
    sort = page.locator(".prs-root").filter(has=page.locator(".prs-card[data-card='u1']"))
    sort.locator(".prs-card[data-card='u1'] .prs-select").select_option("PO")
    wait_saved(lab, "u1", "PO", exercise="browser-undo")
    sort.locator(".prs-reset").click()
    confirm = sort.locator(".prs-confirm")
    expect(confirm).to_be_visible()
    assert "1 placed card back" in confirm.inner_text()
    sort.locator(".prs-confirm-no").click()
    expect(confirm).to_be_hidden()
    assert saved(lab, "browser-undo")["placements"]["u1"] == "PO"
    sort.locator(".prs-reset").click()
    sort.locator(".prs-confirm-yes").click()
    wait_saved(lab, "u1", None, exercise="browser-undo")
    undo_bar = sort.locator(".prs-undo-bar")
    expect(undo_bar).to_be_visible()
    kept = list(Path(lab.root).glob("browser-undo.answers.json.before-reset-*"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text())["placements"]["u1"] == "PO"
    assert kept[0].name in undo_bar.inner_text()
    sort.locator(".prs-undo").click()
    wait_saved(lab, "u1", "PO", exercise="browser-undo")
    expect(undo_bar).to_be_hidden()
    assert sort.locator(".prs-card[data-card='u1'] .prs-select").input_value() == "PO"


def test_core_fallback_dropdown_reaches_kernel_and_disk(page, lab):
    page.wait_for_selector(".widget-dropdown select", timeout=30_000)
    first_card = page.locator(".widget-dropdown select").first
    first_card.select_option(label="Product Manager")
    wait_saved(lab, "drag", "PM", exercise="browser-core")


def test_notebook_7_shows_the_widget_and_a_move_reaches_disk(page, lab):
    other = page.context.new_page()
    try:
        open_notebook(other, lab, "notebook7.ipynb", app="notebook")
        assert "/notebooks/" in other.url
        run_all_cells(other)
        other.wait_for_selector(".prs-root[data-ready='true']", timeout=60_000)
        other.locator(".prs-card[data-card='pick'] .prs-select").select_option("ENG")
        wait_saved(lab, "pick", "ENG", exercise="browser-nb7")
    finally:
        other.close()


def test_core_fallback_passes_the_axe_audit(page):
    core_output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-dropdown"))
    serious = [v for v in audit(page, core_output) if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, indent=2)

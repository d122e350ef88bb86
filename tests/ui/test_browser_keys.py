"""The keyboard on a card sort, in JupyterLab 4 and Notebook 7, in both front ends.

Every key a learner uses on a focused role list (ArrowDown, ArrowUp, End, Home and
typing a letter) must change the list's value and put the new role in the answers
file, whether the notebook was in command or in edit mode before the list took
focus; the notebook's own single-key shortcuts must not act meanwhile; shortcuts
with a modifier must still reach the notebook. See ``static/keyguard.js`` for why
this needs more than a listener on the widget.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from lab import chromium, chromium_browser, open_notebook, run_all_cells, shared_lab, write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROLES = {"": "Not placed yet", "PO": "Product Owner", "PM": "Product Manager", "ENG": "Engineers"}
CARDS = {
    "command": "Order the upcoming work",
    "edit": "Size the market",
    "handle": "Answer the team's questions",
    "shortcut": "Write the business case",
    "save": "Set the prices",
}
# Each step: the key, then the role the list must show (and the file hold) afterwards.
# A letter jumps to the first role that starts with it; "" is "Not placed yet".
STEPS = [
    ("ArrowDown", "PO"),
    ("ArrowDown", "PM"),
    ("ArrowUp", "PO"),
    ("End", "ENG"),
    ("Home", ""),
    ("p", "PO"),
    ("e", "ENG"),
]
APPS = {"lab": "JupyterLab 4", "notebook": "Notebook 7"}
EDITABLE_CELL = 2  # the notebook's third cell, a plain code cell to type in


def setup_cell(app: str) -> str:
    return f"""\
from product_roles import CardSort, card_sort

cards = [{{"id": i, "text": t}} for i, t in {CARDS!r}.items()]
roles = [{{"id": i, "label": label}} for i, label in {ROLES!r}.items() if i]
sort = CardSort("keys-{app}-anywidget", cards, roles, mode="assessment")
sort"""


def core_cell(app: str) -> str:
    return f"""\
core = card_sort("keys-{app}-core", cards, roles, mode="assessment", ui="core")
core"""


@pytest.fixture(scope="module")
def lab(request, tmp_path_factory):
    lab = shared_lab(request, tmp_path_factory, "keys")
    for app in APPS:
        write_notebook(lab.root / f"keys-{app}.ipynb", setup_cell(app), core_cell(app), "x = 1")
    return lab


@pytest.fixture(scope="module")
def browser():
    """One Chromium for both front ends (a launch costs seconds)."""
    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="module", params=list(APPS), ids=list(APPS.values()))
def page(request, lab, browser):
    app = request.param
    lab.start_kernel(f"keys-{app}.ipynb")
    with chromium(browser, viewport={"width": 1280, "height": 900}) as context:
        page = context.new_page()
        open_notebook(page, lab, f"keys-{app}.ipynb", app=app)
        run_all_cells(page)
        page.wait_for_selector(".prs-root[data-ready='true']", timeout=60_000)
        page.wait_for_selector(".prs-core .widget-dropdown select", timeout=60_000)
        page.app = app
        yield page


def role_list(page, view: str, card: str):
    """The focused-able role list of ``card`` in the anywidget view or the core fallback."""
    if view == "anywidget":
        return page.locator(f".prs-root .prs-card[data-card='{card}'] .prs-select")
    row = page.locator(".prs-core .prs-core-card").filter(
        has=page.locator("b", has_text=CARDS[card])
    )
    return (
        row.locator(".widget-dropdown")
        .filter(has=page.locator("label", has_text="Role"))
        .locator("select")
    )


def shown(page, view: str, card: str) -> str:
    """The role id the list shows (the core dropdown's value is the label)."""
    value = role_list(page, view, card).evaluate("select => select.value")
    if view == "anywidget":
        return value
    return next(i for i, label in ROLES.items() if label == value)


def wait_on_disk(lab, exercise: str, card: str, role: str) -> None:
    path = Path(lab.root) / f"{exercise}.answers.json"
    expected = role or None
    deadline = time.monotonic() + 20
    last = None
    while time.monotonic() < deadline:
        if path.exists():
            last = json.loads(path.read_text())["placements"].get(card, "absent")
            if last == expected:
                return
        time.sleep(0.05)
    raise AssertionError(f"{exercise}: {card} never reached {expected!r} on disk (last {last!r})")


def notebook(page, expression: str):
    return page.evaluate(f"() => window.jupyterapp.shell.currentWidget.content.{expression}")


def start_editing(page) -> None:
    """Put the cursor in a code cell (edit mode), as a learner typing there would be."""
    page.evaluate(
        """(index) => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            nb.activeCellIndex = index;
            nb.mode = 'edit';
        }""",
        EDITABLE_CELL,
    )
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest('.cm-editor')"
    )
    assert notebook(page, "mode") == "edit"


@pytest.mark.parametrize("view", ["anywidget", "core"])
@pytest.mark.parametrize("mode", ["command", "edit"])
def test_keys_on_a_focused_role_list_change_the_role(page, lab, view, mode):
    card = mode  # one card per mode, so each test starts from "Not placed yet"
    exercise = f"keys-{page.app}-{view}"
    cells = notebook(page, "widgets.length")
    assert shown(page, view, card) == ""
    typed = None  # when a letter last went to this list (each test has a list of its own)
    for key, role in STEPS:
        if len(key) == 1 and typed is not None:
            # Letters typed within a second join into one search ("pe" matches no role):
            # wait out what is left of the second since the last one.
            page.wait_for_timeout(max(0.0, 1100 - 1000 * (time.monotonic() - typed)))
        if mode == "edit":
            start_editing(page)
        else:
            page.keyboard.press("Escape")
        select = role_list(page, view, card)
        select.focus()
        page.keyboard.press(key)
        if len(key) == 1:
            typed = time.monotonic()
        wait_on_disk(lab, exercise, card, role)
        assert shown(page, view, card) == role, f"{key} left the list at {shown(page, view, card)}"
        assert page.evaluate("() => document.activeElement.tagName") == "SELECT"
    assert notebook(page, "widgets.length") == cells


def test_handle_arrow_keys_move_the_card_and_keep_focus(page, lab):
    exercise = f"keys-{page.app}-anywidget"
    handle = page.locator(".prs-card[data-card='handle'] .prs-handle")
    handle.focus()
    for key, role in [("ArrowRight", "PO"), ("ArrowRight", "PM"), ("ArrowLeft", "PO")]:
        page.keyboard.press(key)
        wait_on_disk(lab, exercise, "handle", role)
        assert shown(page, "anywidget", "handle") == role
    # Moved three times, updated in place: the handle kept focus.
    focused = page.evaluate("() => document.activeElement.closest('.prs-card').dataset.card")
    assert focused == "handle"
    # Tab goes on from the handle to the card's own role list.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    wait_on_disk(lab, exercise, "handle", "PM")


@pytest.mark.parametrize("view", ["anywidget", "core"])
def test_command_mode_letters_do_not_edit_the_notebook(page, lab, view):
    exercise = f"keys-{page.app}-{view}"
    cells = notebook(page, "widgets.length")
    page.keyboard.press("Escape")
    role_list(page, view, "shortcut").focus()
    # In command mode A and B insert a cell, D D deletes one, J and K move between cells.
    for key in ("a", "b", "d", "d", "j", "k"):
        page.keyboard.press(key)
    page.wait_for_timeout(1100)
    page.keyboard.press("ArrowDown")
    # The arrow's result is on disk, so every key before it has been handled.
    wait_on_disk(lab, exercise, "shortcut", "PO")
    assert notebook(page, "widgets.length") == cells
    assert page.evaluate("() => document.activeElement.tagName") == "SELECT"


def test_shortcuts_with_a_modifier_still_reach_the_notebook(page, lab):
    path = Path(lab.root) / f"keys-{page.app}.ipynb"
    before = path.stat().st_mtime_ns
    role_list(page, "anywidget", "save").focus()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 20
    while path.stat().st_mtime_ns == before:
        assert time.monotonic() < deadline, "Ctrl+S on a focused list did not save the notebook"
        time.sleep(0.05)

"""The multiple-choice question in a real JupyterLab: long options wrap, a check
reaches the kernel and its verdict comes back, the arrow keys choose, the choice is
saved and survives a kernel restart in the same order, and axe finds nothing serious."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest

from lab import (
    audit,
    chromium,
    chromium_browser,
    open_notebook,
    run_all_cells,
    shared_lab,
    write_notebook,
)
from product_roles.content.questions import bank

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The course's first question has a long correct option: the case that used to overlap.
QUESTION = "start-here-divide"


@pytest.fixture(scope="module")
def browser():
    """One Chromium for both widths (a launch costs seconds)."""
    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="module", params=[1280, 420], ids=["wide", "narrow"])
def page(request, tmp_path_factory, browser):
    lab = shared_lab(request, tmp_path_factory, f"choice-{request.param}")
    write_notebook(
        lab.root / "choice.ipynb",
        f"from product_roles import MultipleChoice\nquiz = MultipleChoice({QUESTION!r})\nquiz",
    )
    lab.start_kernel("choice.ipynb")
    with chromium(browser, viewport={"width": request.param, "height": 800}) as context:
        page = context.new_page()
        open_notebook(page, lab, "choice.ipynb")
        run_all_cells(page)
        page.wait_for_selector(".prq-root[data-ready='true']", timeout=60_000)
        page.root = lab.root
        yield page


def saved_choice(page, expected: str) -> None:
    path = Path(page.root) / f"{QUESTION}.choice.json"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if path.exists() and json.loads(path.read_text())["choice"] == expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"{expected!r} never reached {path.name}")


def shown_texts(page) -> list[str]:
    return page.locator(".prq-option span").all_inner_texts()


def test_options_wrap_without_overlapping(page):
    boxes = page.locator(".prq-option").evaluate_all(
        "labels => labels.map(l => { const b = l.getBoundingClientRect();"
        " return [b.top, b.bottom, b.right]; })"
    )
    assert len(boxes) == len(bank()[0][QUESTION].options)
    for (_, bottom, _), (top, _, _) in itertools.pairwise(boxes):
        assert bottom <= top + 0.5, f"options overlap: {boxes}"
    root_right = page.locator(".prq-root").bounding_box()
    right_edge = root_right["x"] + root_right["width"]
    assert all(right <= right_edge + 1 for _, _, right in boxes), f"an option runs off: {boxes}"


def test_a_check_goes_to_the_kernel_and_the_verdict_comes_back(page):
    question = bank()[0][QUESTION]
    wrong = next(o for o in question.options if not o.correct)
    page.locator(".prq-option", has_text=wrong.text).click()
    page.locator(".prq-check").click()
    feedback = page.locator(".prq-feedback")
    feedback.wait_for(state="visible", timeout=20_000)
    assert feedback.inner_text().startswith("✗ Not quite.")
    assert wrong.feedback in feedback.inner_text()
    assert page.locator(".prq-root").get_attribute("data-verdict") == "wrong"


def test_axe_finds_no_serious_or_critical_violations(page):
    serious = [
        v for v in audit(page, page.locator(".prq-root")) if v["impact"] in ("serious", "critical")
    ]
    assert not serious, json.dumps(serious, indent=2)


def test_arrow_keys_choose_and_the_choice_survives_a_restart(page):
    texts = shown_texts(page)
    page.locator(".prq-option", has_text=texts[0]).click()
    saved_choice(page, texts[0])
    page.locator(".prq-option input").nth(0).focus()
    page.keyboard.press("ArrowDown")
    saved_choice(page, texts[1])
    assert page.locator(".prq-option input").nth(1).is_checked()
    # A new kernel runs the notebook again: same order, same choice.
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
    )
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " === 'idle'"
    )
    run_all_cells(page)
    page.wait_for_function(
        "() => document.querySelectorAll('.prq-root[data-ready=\"true\"]').length === 1"
        " && document.querySelectorAll('.prq-option input:checked').length === 1",
        timeout=60_000,
    )
    assert shown_texts(page) == texts
    assert page.locator(".prq-option input").nth(1).is_checked()

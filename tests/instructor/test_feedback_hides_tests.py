"""No feedback page shows a line of a hidden test, whichever command made it and whatever the key setting.

For every assignment and each key setting (revealed, hidden), one student is graded by
plain ``nbgrader autograde`` and one by ``product-roles grade``, all in one course; their
feedback is made by ``nbgrader generate_feedback`` and by ``product-roles feedback``. Each
page must hold the verdict lines and no line of any hidden test; with the key
hidden, no wrong card's line names what was expected.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from conftest import assignments, nbgrader
from grading_course import keys_of, scratch_course
from product_roles import cli
from product_roles.instructor.keys import HIDDEN
from product_roles.instructor.simulate import submit

pytestmark = pytest.mark.slow


def _placements(assignment: str) -> dict[str, dict[str, str]]:
    """Every other card right, the rest in a role the key does not accept."""
    chosen: dict[str, dict[str, str]] = {}
    for key in keys_of(assignment):
        roles = sorted({r for accepted in key.answers.values() for r in accepted})
        chosen[key.exercise] = {
            card: accepted[0] if n % 2 else next(r for r in roles if r not in accepted)
            for n, (card, accepted) in enumerate(key.answers.items())
        }
    return chosen


def _hidden_lines(course: Path) -> list[str]:
    lines = []
    for path in (course / "solutions").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if HIDDEN[0] in cell.source:
                hidden = cell.source.split(HIDDEN[0], 1)[1].split(HIDDEN[1], 1)[0]
                lines += [line.strip() for line in hidden.splitlines() if len(line.strip()) > 12]
    return lines


def _page_text(page: Path) -> str:
    """What a reader of the page sees: the HTML without its tags, entities decoded."""
    body = page.read_text(encoding="utf-8")
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", body, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


# One course, a plain and an "ours" student for each key setting.
SETTINGS = {True: "revealed", False: "hidden"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("feedback"), assignments())
    for assignment in assignments():
        for setting in SETTINGS.values():
            for student in (f"plain-{setting}", f"ours-{setting}"):
                placements = _placements(assignment)
                submit(course / "exercises" / assignment, course / "submitted", student, placements)
    # nbgrader takes "*" for every assignment: one process each, not one per assignment.
    for reveal, setting in SETTINGS.items():
        env = {"PRODUCT_ROLES_REVEAL_KEY": "1" if reveal else "0"}
        nbgrader("autograde", "*", "--student", f"plain-{setting}", cwd=course, **env)
    for assignment in assignments():
        for reveal, setting in SETTINGS.items():
            flag = "--reveal-key" if reveal else "--hide-key"
            student = f"ours-{setting}"
            product_roles(
                "grade", assignment, "--no-collect", "--student", student, flag, cwd=course
            )
        # One run for the class, as an instructor would: it writes the plain students'
        # pages too, which nbgrader's own command then writes again below.
        product_roles("feedback", assignment, cwd=course)
    nbgrader("generate_feedback", "*", "--student", "plain-*", "--force", cwd=course)
    return course


@pytest.fixture(params=list(SETTINGS), ids=["key-revealed", "key-hidden"])
def graded(request, course):
    return course, request.param


def product_roles(*args: str, cwd: Path) -> None:
    """The command as ``product-roles`` runs it, in this process: it saves a Python start-up
    and nbgrader's imports, which the grading workers then share."""
    assert cli.main(["--course", str(cwd), *args]) == 0


@pytest.mark.parametrize("student", ["plain", "ours"])
def test_no_feedback_page_shows_a_hidden_test(graded, student):
    course, reveal = graded
    hidden = _hidden_lines(course)
    assert hidden, "the hidden tests were found"
    pages = sorted((course / "feedback" / f"{student}-{SETTINGS[reveal]}").glob("*/*.html"))
    assert len(pages) == len(assignments())
    for page in pages:
        text = _page_text(page)
        assert "cards right." in text, f"{page.name} shows the verdicts"
        assert HIDDEN[0] not in text
        assert HIDDEN[1] not in text
        assert "KEY = {" not in text
        for line in hidden:
            assert line not in text, f"{page.name} shows a hidden line: {line[:60]}"
        assert ("; expected " in text) == reveal, page.name


# Every element whose text is wider than its box, or that ends past the window's edge.
OVERFLOWING = """() => {
  const edge = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1 || box.right > edge + 1) {
      wide.push(`${el.tagName}.${el.className}: ${el.scrollWidth} in ${el.clientWidth}`);
    }
  }
  return wide;
}"""
EMPTY_OUTPUTS = """() => [...document.querySelectorAll(".output_area")]
  .filter((area) => !area.querySelector(".output_subarea")?.innerText.trim())
  .map((area) => area.innerText.trim())"""


def test_feedback_pages_fit_the_window_and_show_no_empty_output(course):
    """At 1280 px no line runs past its box or the page, and no widget leaves an empty Out[n]."""
    from lab import chromium

    pages = sorted((course / "feedback").glob("*/*/*.html"))
    assert len(pages) == 4 * len(assignments()), "both commands, both key settings"
    with chromium(viewport={"width": 1280, "height": 900}) as context:
        page = context.new_page()
        for path in pages:
            page.goto(path.as_uri())
            where = path.relative_to(course / "feedback")
            assert page.evaluate(OVERFLOWING) == [], where
            assert page.evaluate(EMPTY_OUTPUTS) == [], where
            assert page.locator("pre", has_text="cards right.").count() >= 1, where
            assert page.locator("text=Card sort '").count() >= 1, "the sort's own account"
            html = path.read_text(encoding="utf-8")
            assert "application/vnd.jupyter.widget-view+json" not in html, where

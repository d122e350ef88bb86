"""The class report in Chromium: it loads nothing from the network, and its tables sort.

The report is one HTML file an instructor opens from the disk, so it must draw its
charts and sort its tables with what the file holds.
"""

from __future__ import annotations

import argparse
import os

import pytest

from conftest import BIN
from lab import chromium
from product_roles.instructor import report_command
from product_roles.instructor.simulate_graded import graded_class

pytestmark = pytest.mark.browser

KEY = {"plan": "PO", "price": "PM", "build": "ENG", "trap": "PO"}
SOURCE = f"""### BEGIN HIDDEN TESTS
KEY = {KEY!r}
score_placements("sort", KEY)
### END HIDDEN TESTS
"""


def placements(n: int) -> dict:
    """Student n of 8 places the first n * 3 / 8 cards right; only weak ones get "trap" right."""
    right = {card: KEY[card] for card in list(KEY)[:3][: n * 3 // 8 + 1]}
    return {"sort": {**right, "trap": "PO" if n < 3 else "PM"}}


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
        students = {f"s{n}": placements(n) for n in range(8)}
        graded_class(root, "a1", {"test-sort": SOURCE}, students, submitted_only=("late",))
    args = argparse.Namespace(assignment="a1", db_url=None, out=None)
    assert report_command.run(root, args) == 0
    return root / "reports" / "a1" / "report.html"


def column(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent)"
    )


def test_the_report_loads_offline_and_its_tables_sort(report_file):
    requested = []
    with chromium(viewport={"width": 1200, "height": 900}) as context:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(report_file.as_uri())
        page.wait_for_selector("#scores .plotly .main-svg")
        assert page.locator(".plotly .main-svg").count() >= 5  # every chart drew
        assert all(url.startswith(("file://", "data:")) for url in requested), requested

        names = column(page, "students", 0)
        assert names == sorted(names)  # name order to begin with
        score = page.locator("#students thead th", has_text="Score")
        score.locator("button").click()
        assert score.get_attribute("aria-sort") == "ascending"
        scores = column(page, "students", 2)
        assert scores[-1] == ""
        assert column(page, "students", 0)[-1] == "late"
        numbers = [float(s) for s in scores[:-1]]
        assert numbers == sorted(numbers)
        assert numbers[0] < numbers[-1]
        score.locator("button").click()
        assert score.get_attribute("aria-sort") == "descending"
        scores = column(page, "students", 2)
        assert scores[-1] == ""  # a student with no score stays last either way
        assert [float(s) for s in scores[:-1]] == sorted(numbers, reverse=True)

        page.locator("#items thead th", has_text="Discrimination").locator("button").click()
        assert column(page, "items", 0)[0] == "sort: trap"  # the most negative first
        assert "flagged" in page.locator("#items tbody tr").first.get_attribute("class")

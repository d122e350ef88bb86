"""The class report's HTML: item table, KR-20 sentence, the flag, the student table, the charts.

The class is graded without nbgrader (:mod:`product_roles.instructor.simulate_graded`:
the gradebook rows and the grader's own record writer), then reported on as
``product-roles report`` does. One card is built to discriminate negatively: only
the weakest students place it as the key says.
"""

from __future__ import annotations

import argparse
import html
import os
import re

import pytest

from conftest import BIN
from product_roles.grading import answers, judge
from product_roles.instructor import report_charts, report_command
from product_roles.instructor.class_stats import StudentGrade, build, item_analysis
from product_roles.instructor.keys import hidden_keys
from product_roles.instructor.report_tables import FLAG
from product_roles.instructor.simulate_graded import graded_class
from product_roles.instructor.trusted import _write_record, read_records

ASSIGNMENT = "a1"
KEY = {"plan": "PO", "price": "PM", "build": "ENG", "review": "TEAM", "market": "PM", "trap": "PO"}
SOURCE = f"""### BEGIN HIDDEN TESTS
KEY = {KEY!r}
score_placements("sort", KEY)
### END HIDDEN TESTS
"""
(PARSED_KEY,) = hidden_keys(ASSIGNMENT, ASSIGNMENT, "test-sort", SOURCE)
WRONG = {"PO": "PM", "PM": "PO", "ENG": "TEAM", "TEAM": "ENG"}
# The skill a student needs to place each card right; "trap" is right only below 0.35.
NEEDS = {"plan": 0.1, "price": 0.3, "build": 0.5, "review": 0.6, "market": 0.8}


def placements(skill: float) -> dict[str, dict[str, str]]:
    chosen = {
        card: KEY[card] if skill >= need else WRONG[KEY[card]] for card, need in NEEDS.items()
    }
    chosen["trap"] = "PO" if skill < 0.35 else "PM"
    return {"sort": chosen}


CLASS = {f"student{n:02d}": placements(n / 10) for n in range(11)}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report of an eleven-student class, one student submitted but never graded."""
    root = tmp_path_factory.mktemp("course")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")  # nbgrader runs alembic
        graded_class(root, ASSIGNMENT, {"test-sort": SOURCE}, CLASS, submitted_only=("zed",))
    args = argparse.Namespace(assignment=ASSIGNMENT, db_url=None, out=None)
    assert report_command.run(root, args) == 0
    stats = report_command.collect_stats(root, ASSIGNMENT)
    page = (root / "reports" / ASSIGNMENT / "report.html").read_text(encoding="utf-8")
    return page, stats


def table(page: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table with ``table_id``."""
    body = re.search(
        rf'<table class="sortable" id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.DOTALL
    )
    assert body, f"no table {table_id}"
    return [
        [
            html.unescape(re.sub("<[^>]+>", "", cell))
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1))
    ]


def test_the_item_table_has_a_row_per_card_with_its_figures(report):
    page, stats = report
    rows = table(page, "items")
    assert [row[0] for row in rows] == [f"sort: {card}" for card in KEY]
    analysis = item_analysis(stats)
    for row, item in zip(rows, analysis.items, strict=True):
        assert row[1] == "11"
        assert row[2] == f"{100 * item.facility:.0f}"
        assert row[3] == f"{item.discrimination:.2f}"
        assert row[4] == f"{item.upper_lower:.2f}"
    # Students below 0.8 placed "market" in PO (its key is PM): eight of them.
    assert rows[4][5] == "PO 8"


def test_the_card_built_to_discriminate_negatively_is_flagged(report):
    page, stats = report
    analysis = item_analysis(stats)
    assert [i.card for i in analysis.flagged] == ["trap"]
    assert analysis.flagged[0].discrimination < 0
    assert html.escape(FLAG) in page
    assert re.search(r'<ul id="flagged"><li><strong>sort: trap</strong>', page)
    rows = table(page, "items")
    flags = {row[0]: row[6] for row in rows}
    assert flags == {
        f"sort: {c}": "check the key and the wording" if c == "trap" else "" for c in KEY
    }
    assert '<tr class=flagged><td data-sort="00005">sort: trap</td>' in page


def test_the_kr20_sentence_says_what_it_means(report):
    page, stats = report
    reliability = item_analysis(stats).reliability
    assert reliability.value is not None
    assert (reliability.students, reliability.items) == (11, 6)
    sentence = html.escape(reliability.sentence())
    assert f'<p id="kr20">{sentence}</p>' in page
    assert f"Reliability (KR-20) is {reliability.value:.2f}, from 11 students and 6 cards" in page
    assert "so the total ranks students dependably" in page


def test_the_student_table_lists_every_student_in_name_order(report):
    page, stats = report
    rows = table(page, "students")
    assert [row[0] for row in rows] == sorted([*CLASS, "zed"])
    by_name = {row[0]: row for row in rows}
    assert by_name["zed"][1:3] == ["not graded", ""]
    graded = {g.student: g for g in stats.grades}
    for name in CLASS:
        row = by_name[name]
        assert row[1] == "graded"
        assert float(row[2]) == graded[name].score
        assert row[3] == "6"
        assert row[5] == row[2]
        assert row[6] == "6"


def test_the_page_works_offline_and_keeps_the_sections(report):
    page, _ = report
    assert 'src="https://cdn.plot.ly' not in page
    assert "Plotly.newPlot" in page
    assert not re.search(r'<script[^>]+src="https?:', page)
    for title in (
        "Scores on",
        "difficulty",
        "Role confusion",
        "most common misplacements",
        "Which cards tell stronger students from weaker ones",
    ):
        assert title in page


# The charts at 11 and at 500 students.


def recorded_class(tmp_path, skills: list[float]):
    """One student per skill, judged and recorded by the grader's writer."""
    grades, records = [], {}
    for n, skill in enumerate(skills):
        chosen = placements(skill)
        verdict = judge("sort", KEY, answers.Answers("sort", chosen["sort"]), reveal=False)
        folder = tmp_path / f"s{n:04d}"
        folder.mkdir()
        _write_record(
            {"metadata": {"path": str(folder)}, "nbgrader": {"notebook": "nb"}},
            {"test-sort": verdict},
            [],
        )
        records[folder.name] = read_records(folder)
        grades.append(StudentGrade(folder.name, verdict.points, verdict.max_points, False))
    return build(grades, records, [PARSED_KEY], ["PO", "PM", "ENG", "TEAM"])


@pytest.mark.parametrize("students", [11, 500])
def test_count_axes_have_whole_student_ticks_only(tmp_path, students):
    stats = recorded_class(tmp_path, [n / students for n in range(students)])
    for figure, axis in [
        (report_charts.distribution(stats, ASSIGNMENT), "yaxis"),
        (report_charts.misplacements(stats), "xaxis"),
    ]:
        settings = figure.layout[axis]
        assert settings.tickformat == "d"
        assert settings.dtick >= 1
        assert float(settings.dtick).is_integer()
        ticks = settings.range[1] / settings.dtick
        assert 3 <= ticks <= 11, (students, settings.dtick, settings.range)


def test_tied_cards_are_grouped_not_ranked(tmp_path):
    # plan, price and build: all right (100 %); review and market: half right (50 %).
    stats = recorded_class(tmp_path, [0.9] * 10 + [0.55] * 10)
    analysis = item_analysis(stats)
    figure = report_charts.facility(analysis)
    (bars,) = figure.data
    shares = {f"{i.exercise}: {i.card}": round(100 * i.facility) for i in analysis.items}
    assert list(bars.x) == sorted(bars.x)  # hardest first, as the axis is reversed
    for label, value, text, colour in zip(
        bars.y, bars.x, bars.text, bars.marker.color, strict=True
    ):
        tied = [name for name, share in shares.items() if share == value]
        if len(tied) > 1:
            assert text == f"{value}%, tied ({len(tied)} cards)"
            # Same colour within a group of ties; ties keep the assignment's order.
            assert {c for y, c in zip(bars.y, bars.marker.color, strict=True) if y in tied} == {
                colour
            }
            assert [y for y in bars.y if y in tied] == [n for n in shares if n in tied]
        else:
            assert text == f"{value}%"
        assert shares[label] == value
    assert list(bars.y) == [
        f"sort: {c}" for c in ("trap", "review", "market", "plan", "price", "build")
    ]
    assert report_charts.tie_groups(list(bars.x)) == [0, 1, 1, 2, 2, 2]


def test_the_misplacement_chart_never_cuts_through_a_tie():
    from collections import Counter

    counts = Counter({("e", f"c{n:02d}", "PO"): 3 for n in range(4)})
    counts.update({("e", f"d{n:02d}", "PM"): 2 for n in range(9)})  # 4 + 9 > 10: left out
    shown, note = report_charts.most_common(counts)
    assert [n for _, n in shown] == [3, 3, 3, 3]
    assert note.startswith("9 more, each made by 2 students or fewer, are left out")
    everyone_once = Counter({("e", f"c{n:02d}", "PO"): 1 for n in range(40)})
    shown, note = report_charts.most_common(everyone_once)
    assert shown == []
    assert note.startswith("40 more, each made by a single student")
    few = Counter({("e", f"c{n:02d}", "PO"): 1 for n in range(12)})
    shown, note = report_charts.most_common(few)  # one group of 12: shown whole
    assert len(shown) == 12
    assert note == ""


def test_the_guide_explains_the_item_analysis_and_shows_the_report():
    from conftest import ROOT

    guide = (ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
    section = guide.split("## Reading the item analysis", 1)[1].split("\n## ", 1)[0]
    for term in (
        "**Facility**",
        "**Discrimination**",
        "**Upper \u2212 lower**",
        "**The flag.**",
        "**Reliability (KR-20)**",
        "not enough data",
    ):
        assert term in section
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", guide):
        assert (ROOT / "docs" / image).is_file(), image
    assert "](images/report.png)" in guide

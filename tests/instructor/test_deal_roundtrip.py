"""A class of 34 students, each dealt their own cards, graded end to end by nbgrader.

Thirty students answer the cards their notebook deals them, with skills from poor to
perfect (:mod:`product_roles.instructor.simulate`); four more try to gain from the
deal: one copies a neighbour's whole answers file, one sorts every card of the pool
but their own right, one sorted the default set a notebook deals without an id, and
one sorts all 32 cards right. The class is graded by ``product-roles grade``'s
workers and given feedback by nbgrader; every score must be the judgement, computed
here from the hidden key, of the cards dealt to that student id and of nothing else.
Six of its honest students are graded again by nbgrader's stock pipelines, hidden
tests in the kernel, which must give them the same grades.

The same graded class then goes through ``product-roles report`` and ``product-roles
export``: the report counts each card over the students who were dealt it, gives a
reliability figure from pairwise data (no student sorted the whole pool, so KR-20
has none) and lists every student; the Canvas, Moodle and plain files hold every
total the gradebook holds, and name the student missing from the roster and the
roster student who never submitted.
"""

from __future__ import annotations

import csv
import html
import itertools
import math
import random
import re
import shutil
from collections import Counter

import pytest

from conftest import ROOT, nbgrader, product_roles_cli
from grading_course import cell_grades, keys_of, scratch_course
from product_roles.instructor.lms_files import number
from product_roles.instructor.parallel import grade_class
from product_roles.instructor.simulate import (
    dealt_cards,
    random_placements,
    submit,
    use_stock_nbgrader,
)
from product_roles.instructor.trusted import read_records

pytestmark = pytest.mark.slow

ASSIGNMENT = "traditional-divide"
HONEST = [f"student{n:02d}" for n in range(30)]
COPIER, UNDEALT, ALONE, EVERYTHING = "x-copier", "x-undealt-right", "x-alone", "x-everything"
NOT_IN_ROSTER = HONEST[7]  # graded, but missing from the roster the export reads
NEVER_SUBMITTED = "late-lee"  # in the roster, no submission
# What a student can earn: one point per card dealt, the same for everyone.
DEALT = float(len(dealt_cards(ROOT / "exercises" / ASSIGNMENT, None)[ASSIGNMENT]))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("deals"), [ASSIGNMENT])
    release, submitted = course / "exercises" / ASSIGNMENT, course / "submitted"
    (key,) = keys_of(ASSIGNMENT)
    right = {card: accepted[0] for card, accepted in key.answers.items()}
    wrong = {
        card: next(r for r in ("TEAM", "PO", "PM", "ENG") if r not in a)
        for card, a in key.answers.items()
    }
    rng = random.Random(13)
    placed = {}
    for n, student in enumerate(HONEST):
        skill = n / (len(HONEST) - 1)  # from none right to all right
        dealt = dealt_cards(release, student)
        placed[student] = random_placements([key], rng, skill, dealt=dealt)[ASSIGNMENT]
    # The best student's file, copied whole by another.
    placed[COPIER] = dict(placed[HONEST[-1]])
    own = set(dealt_cards(release, UNDEALT)[ASSIGNMENT])
    placed[UNDEALT] = {c: wrong[c] if c in own else right[c] for c in key.answers}
    default = dealt_cards(release, None)[ASSIGNMENT]
    placed[ALONE] = {c: right[c] for c in default}
    placed[EVERYTHING] = dict(right)
    for student, chosen in placed.items():
        submit(release, submitted, student, {ASSIGNMENT: chosen})
    results = grade_class(course, ASSIGNMENT, workers=2, reveal=False)
    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    return course, key, placed, {r["student"]: r for r in results}


# Honest students of the graded class, from none right to all right, graded again by stock nbgrader.
STOCK_GRADED = HONEST[::6] + HONEST[-1:]


def test_stock_nbgrader_deals_and_scores_the_same_cards(graded, tmp_path):
    """nbgrader's own pipelines, hidden tests in the kernel, give the trusted grades."""
    trusted = graded[0]
    stock = scratch_course(tmp_path / "stock", [ASSIGNMENT])
    use_stock_nbgrader(stock)
    for student in STOCK_GRADED:
        shutil.copytree(trusted / "submitted" / student, stock / "submitted" / student)
    nbgrader("autograde", ASSIGNMENT, cwd=stock)
    grades = cell_grades(stock, ASSIGNMENT)
    assert grades == {
        k: v for k, v in cell_grades(trusted, ASSIGNMENT).items() if k[0] in STOCK_GRADED
    }
    assert len(grades) == len(STOCK_GRADED) == 6, grades
    assert len(set(grades.values())) > 2, grades


def judged_here(key, placements, dealt):
    """The points of ``placements`` on the cards ``dealt``, from the key: one a right card."""
    return float(sum(placements.get(card) in key.answers[card] for card in dealt))


def test_every_score_is_the_judgement_of_the_cards_dealt_to_that_student(graded):
    course, key, placed, results = graded
    assert len(placed) >= 34
    release = course / "exercises" / ASSIGNMENT
    scores = {s: v for (s, _, cell), v in cell_grades(course, ASSIGNMENT).items()}
    expected = {
        student: judged_here(key, chosen, dealt_cards(release, student)[ASSIGNMENT])
        for student, chosen in placed.items()
    }
    assert scores == expected
    assert all(r["status"] == "graded" and r["max_score"] == DEALT for r in results.values())
    honest = [scores[s] for s in HONEST]
    assert honest[0] == 0.0, honest
    assert honest[-1] == DEALT, honest
    assert len(set(honest)) > 8, honest


def test_gaming_the_deal_gains_nothing(graded):
    course = graded[0]
    scores = {s: v for (s, _, _), v in cell_grades(course, ASSIGNMENT).items()}
    assert scores[UNDEALT] == 0.0, "every card not dealt was right: none counts"
    assert scores[EVERYTHING] == DEALT, "every card of the pool right earns the dealt cards only"
    release = course / "exercises" / ASSIGNMENT
    best, mine = (set(dealt_cards(release, s)[ASSIGNMENT]) for s in (HONEST[-1], COPIER))
    assert scores[COPIER] == len(best & mine) < 16, "a copied file scores only the shared cards"
    default = set(dealt_cards(release, None)[ASSIGNMENT])
    alone = set(dealt_cards(release, ALONE)[ASSIGNMENT])
    assert scores[ALONE] == len(default & alone) < 16, "grading uses the student's own id"


def test_records_hold_one_verdict_for_each_dealt_card(graded):
    course, _, placed, _ = graded
    release = course / "exercises" / ASSIGNMENT
    for student in placed:
        (record,) = read_records(course / "autograded" / student / ASSIGNMENT)
        (verdict,) = record["verdicts"].values()
        cards = [judged["card"] for judged in verdict["cards"]]
        assert cards == dealt_cards(release, student)[ASSIGNMENT], student
        assert verdict["max_points"] == DEALT


def test_feedback_shows_the_students_own_deal_and_what_was_not_scored(graded):
    course = graded[0]

    def page(student):
        path = course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        text = path.read_text(encoding="utf-8").replace("&#39;", "'").replace("&quot;", '"')
        return " ".join(text.split())  # the notes are wrapped at 80 characters

    release = course / "exercises" / ASSIGNMENT
    for student in (HONEST[3], UNDEALT):
        text = page(student)
        assert f"dealt to student id '{student}'" in text, student
        assert "they are the cards graded" in text
        for card in dealt_cards(release, student)[ASSIGNMENT]:
            assert f"{card}: " in text
        assert "Total: " in text
        assert " of 16 cards right." in text
        assert "BEGIN HIDDEN TESTS" not in text
    assert "Not scored: 16 cards were placed but not dealt to you" in page(UNDEALT)
    assert "Not scored" not in page(HONEST[3])


# The class report and the LMS exports of the same graded class, each run once.


def roster_rows(students):
    """Everyone graded but ``NOT_IN_ROSTER``, and ``NEVER_SUBMITTED``: each with an LMS id."""
    listed = [s for s in sorted(students) if s != NOT_IN_ROSTER] + [NEVER_SUBMITTED]
    return [
        {"nbgrader_id": s, "name": f"Name {n:02d}", "lms_id": str(7000 + n), "email": f"{s}@x.edu"}
        for n, s in enumerate(listed)
    ]


@pytest.fixture(scope="module")
def reported(graded):
    """``product-roles report`` and ``product-roles export`` on the graded class."""
    course, _, placed, _ = graded
    report = product_roles_cli("report", ASSIGNMENT, cwd=course)
    assert report.returncode == 0, report.stderr
    with (course / "roster.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=["nbgrader_id", "name", "lms_id", "email"])
        writer.writeheader()
        writer.writerows(roster_rows(placed))
    export = product_roles_cli("export", ASSIGNMENT, cwd=course)
    page = (course / "reports" / ASSIGNMENT / "report.html").read_text(encoding="utf-8")
    return page, export


@pytest.fixture(scope="module")
def totals(graded):
    """Each student's total as nbgrader's gradebook holds it, checked against the key."""
    from nbgrader.api import Gradebook

    course, key, placed, _ = graded
    release = course / "exercises" / ASSIGNMENT
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "product-roles") as gb:
        found = {sub.student.id: sub.score for sub in gb.assignment_submissions(ASSIGNMENT)}
    assert found == {
        s: judged_here(key, chosen, dealt_cards(release, s)[ASSIGNMENT])
        for s, chosen in placed.items()
    }
    return found


def table(page, table_id):
    """The text of each body row's cells of the report's table ``table_id``."""
    body = re.search(
        rf'<table class="sortable" id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.DOTALL
    )
    assert body, f"no table {table_id}"
    return [
        [html.unescape(re.sub("<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1))
    ]


def test_the_class_report_counts_each_card_over_the_students_dealt_it(graded, reported):
    from product_roles.instructor.class_stats import item_analysis
    from product_roles.instructor.report_command import collect_stats

    course, key, placed, _ = graded
    page, _ = reported
    release = course / "exercises" / ASSIGNMENT
    dealt_to = {
        card: {s for s in placed if card in dealt_cards(release, s)[ASSIGNMENT]}
        for card in key.answers
    }
    # Who was right on each card, from the grading records, and from the key.
    right_in_records = Counter()
    for student in placed:
        (record,) = read_records(course / "autograded" / student / ASSIGNMENT)
        (verdict,) = record["verdicts"].values()
        right_in_records.update(c["card"] for c in verdict["cards"] if c["right"])
    right_by_key = {
        card: sum(placed[s].get(card) in key.answers[card] for s in dealt_to[card])
        for card in key.answers
    }
    assert right_in_records == +Counter(right_by_key)
    analysis = item_analysis(collect_stats(course, ASSIGNMENT))
    assert {i.card for i in analysis.items} == set(key.answers), "every card of the pool"
    assert all(dealt_to.values()), "with 34 students every card is dealt to someone"
    rows = {row[0]: row for row in table(page, "items")}
    assert len(rows) == len(key.answers)
    for item in analysis.items:
        judged = len(dealt_to[item.card])
        assert item.answered == judged, item.card
        assert item.right == right_in_records[item.card], item.card
        assert item.facility == right_in_records[item.card] / judged, item.card
        shown = rows[f"{ASSIGNMENT}: {item.card}"]
        assert shown[1:3] == [str(judged), f"{100 * right_in_records[item.card] / judged:.0f}"]


def test_the_reliability_is_alpha_from_pairwise_data(graded, reported):
    """No student is judged on every card, so KR-20 has no data: the report gives alpha from
    pairwise data at the 16 cards each student sorted. The reference is the pool's alpha
    from pandas' pairwise covariance matrix of the records, stepped down by Spearman-Brown.
    pingouin's ``nan_policy="pairwise"`` reads the same matrix but counts the pairs never
    dealt together (the two cards of each group) as covariance 0, so it is lower."""
    import numpy as np
    import pandas as pd
    import pingouin

    from product_roles.instructor.class_stats import item_analysis
    from product_roles.instructor.item_analysis import PAIRWISE
    from product_roles.instructor.report_command import collect_stats

    course, key, placed, _ = graded
    page, _ = reported
    reliability = item_analysis(collect_stats(course, ASSIGNMENT)).reliability
    assert isinstance(reliability.value, float), reliability.note
    assert reliability.method == PAIRWISE
    assert (reliability.students, reliability.items) == (len(placed), len(key.answers))
    assert reliability.length == DEALT == reliability.fewest == reliability.most
    sentence = reliability.sentence()
    assert f'<p id="kr20">{html.escape(sentence)}</p>' in page
    assert "Cronbach's alpha from pairwise data, cards dealt per student" in sentence
    assert f"is {reliability.value:.2f} for a test of the 16 cards" in sentence
    assert "not enough data" not in page
    cards = list(key.answers)
    matrix = []
    for student in placed:
        (record,) = read_records(course / "autograded" / student / ASSIGNMENT)
        (verdict,) = record["verdicts"].values()
        got = {c["card"]: float(c["right"]) for c in verdict["cards"]}
        matrix.append([got.get(card, math.nan) for card in cards])
    frame = pd.DataFrame(matrix, columns=cards)
    assert not frame.notna().all(axis=1).any(), "nobody was judged on the whole pool"
    cov = frame.cov().to_numpy()
    k = len(cards)
    upper = np.triu_indices(k, 1)
    release = course / "exercises" / ASSIGNMENT
    together = Counter(
        pair
        for s in placed
        for pair in itertools.combinations(sorted(dealt_cards(release, s)[ASSIGNMENT]), 2)
    )
    unseen = {tuple(sorted((cards[i], cards[j]))) for i, j in zip(*upper, strict=True)}
    unseen = {pair for pair in unseen if together[pair] < 2}
    assert len(unseen) >= len(cards) // 2, "at least the two cards of each group"
    assert int(np.isnan(cov[upper]).sum()) == len(unseen)
    v, c = cov.diagonal().mean(), np.nanmean(cov[upper])
    pool = k * c / (v + (k - 1) * c)
    r = DEALT / k  # Spearman-Brown for a test r times as long
    assert reliability.value == pytest.approx(r * pool / (1 + (r - 1) * pool), abs=1e-10)
    as_zero = np.nansum(cov[upper]) / len(upper[0])
    reference, _ = pingouin.cronbach_alpha(data=frame, nan_policy="pairwise")
    assert reference == pytest.approx(k * as_zero / (v + (k - 1) * as_zero), abs=1e-10)
    assert reference < pool


def test_the_report_lists_every_student(graded, reported, totals):
    _, _, placed, _ = graded
    page, _ = reported
    rows = table(page, "students")
    assert [row[0] for row in rows] == sorted(placed)
    assert len(rows) == len(placed) >= 34
    for name, status, score, out_of, _, right, judged, _ in rows:
        assert status == "graded"
        assert float(score) == totals[name] == float(right)
        assert float(out_of) == DEALT == float(judged)


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def test_the_exports_hold_every_students_total(graded, reported, totals):
    course, _, placed, _ = graded
    _, export = reported
    out = course / "exports" / ASSIGNMENT
    roster = roster_rows(placed)
    expected = {r["nbgrader_id"]: number(totals[r["nbgrader_id"]]) for r in roster[:-1]}
    expected[NEVER_SUBMITTED] = ""
    by_lms_id = {r["lms_id"]: r["nbgrader_id"] for r in roster}
    canvas = read_csv(out / "canvas.csv")
    assert (canvas[0][-1], canvas[1][-1]) == (ASSIGNMENT, number(DEALT))
    assert {by_lms_id[row[1]]: row[-1] for row in canvas[2:]} == expected
    assert len(canvas) - 2 == len(roster)
    moodle = read_csv(out / "moodle.csv")
    assert moodle[0] == ["email", ASSIGNMENT]
    assert {row[0].split("@")[0]: row[1] for row in moodle[1:]} == expected
    assert len(moodle) - 1 == len(roster)
    with (out / "grades.csv").open(newline="", encoding="utf-8") as stream:
        plain = {row["nbgrader_id"]: row for row in csv.DictReader(stream)}
    assert set(plain) == {*placed, NEVER_SUBMITTED}
    for student, row in plain.items():
        assert row["score"] == ("" if student == NEVER_SUBMITTED else number(totals[student]))
        assert row["in_roster"] == str(student != NOT_IN_ROSTER).lower()
    # The student the roster lacks, and the one who never submitted, are named.
    assert export.returncode == 1, "a graded student is missing from the roster"
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    for text in (export.stderr, summary):
        assert "1 student in the gradebook but not in roster.csv" in text
        assert f"  {NOT_IN_ROSTER} ({ASSIGNMENT})\n" in text
        assert (
            f"1 student in the roster with no submission of {ASSIGNMENT} (an empty cell):\n"
            f"  {NEVER_SUBMITTED}\n"
        ) in text

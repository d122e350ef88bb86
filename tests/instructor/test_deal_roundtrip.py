"""A class of 34 students, each dealt their own cards, graded end to end by nbgrader.

Thirty students answer the cards their notebook deals them, with skills from poor to
perfect (:mod:`product_roles.instructor.simulate`); four more try to gain from the
deal: one copies a neighbour's whole answers file, one sorts every card of the pool
but their own right, one sorted the default set a notebook deals without an id, and
one sorts all 32 cards right. The class is graded by ``product-roles grade``'s
workers and given feedback by nbgrader; every score must be the judgement, computed
here from the hidden key, of the cards dealt to that student id and of nothing else.
The class report counts each card over the students who were dealt it.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter

import pytest

from conftest import ROOT, nbgrader
from grading_course import cell_grades, keys_of, scratch_course, simulate_class
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


def test_stock_nbgrader_deals_and_scores_the_same_cards(tmp_path):
    """nbgrader's own pipelines, hidden tests in the kernel, give the trusted grades."""
    trusted = scratch_course(tmp_path / "trusted", [ASSIGNMENT])
    simulate_class(trusted, ASSIGNMENT, 6)
    stock = shutil.copytree(trusted, tmp_path / "stock" / "course")
    use_stock_nbgrader(stock)
    for course in (trusted, stock):
        nbgrader("autograde", ASSIGNMENT, cwd=course)
    grades = cell_grades(trusted, ASSIGNMENT)
    assert grades == cell_grades(stock, ASSIGNMENT)
    assert len(grades) == 6, grades
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


def test_the_class_report_counts_each_card_over_the_students_dealt_it(graded, tmp_path):
    from product_roles.instructor.report_command import collect_stats, write_csv, write_html

    course, key, placed, _ = graded
    stats = collect_stats(course, ASSIGNMENT)
    release = course / "exercises" / ASSIGNMENT
    dealt_to = Counter(c for s in placed for c in dealt_cards(release, s)[ASSIGNMENT])
    counted = {result.card: result.answered for result in stats.cards}
    assert set(counted) == set(key.answers), "every card of the pool is in the report"
    assert {c: n for c, n in counted.items() if n} == dict(dealt_to)
    assert sum(counted.values()) == 16 * len(placed)
    right = {
        card: sum(
            placed[s].get(card) in key.answers[card]
            for s in placed
            if card in dealt_cards(release, s)[ASSIGNMENT]
        )
        for card in key.answers
    }
    assert {r.card: r.right for r in stats.cards} == right
    write_csv(stats, tmp_path / "grades.csv")
    write_html(stats, ASSIGNMENT, tmp_path / "report.html")
    assert (tmp_path / "report.html").stat().st_size > 10_000

"""The new graded assignments through plain nbgrader: autograde, exact scores, feedback.

ai-era-shift has two card sorts with their own hidden tests; contested cards accept
more than one role. design-a-team adds a manually graded recommendation, which
autograde leaves for the instructor.
"""

from __future__ import annotations

import nbformat
import pytest

from conftest import ROOT, nbgrader
from grading_course import keys_of, scratch_course
from product_roles.instructor.simulate import submit

pytestmark = pytest.mark.slow

ASSIGNMENTS = ["ai-era-shift", "design-a-team"]


def cards(exercise):
    """How many cards a sort has, which is what it is worth: one point per card."""
    return next(len(k.answers) for a in ASSIGNMENTS for k in keys_of(a) if k.exercise == exercise)


def max_points(assignment):
    """The assignment's points as its source notebook's graded cells give them."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return float(sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells))


BEFORE, AFTER = cards("ai-era-shift-before"), cards("ai-era-shift-after")
PLAN, EVIDENCE = cards("design-a-team-plan"), cards("design-a-team-evidence")


def answers_for(assignment, pick):
    """Placements for every sort of ``assignment``: ``pick(accepted)`` chooses each card's role."""
    return {k.exercise: {c: pick(a) for c, a in k.answers.items()} for k in keys_of(assignment)}


def first(accepted):
    return accepted[0]


def last(accepted):
    return accepted[-1]


def wrong(accepted):
    choices = ("FOUND", "NOT") if accepted[0] in ("FOUND", "NOT") else ("PO", "PM", "ENG", "TEAM")
    return next(r for r in choices if r not in accepted)


def write_recommendation(folder):
    path = folder / "design-a-team.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "recommendation")
    cell.source = "Adopt the plan, but keep an accountable acceptor and review it in a quarter."
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("roundtrip"), ASSIGNMENTS)
    right_ai, right_team = answers_for("ai-era-shift", first), answers_for("design-a-team", first)
    wrong_evidence = answers_for("design-a-team", wrong)["design-a-team-evidence"]
    plan = {
        "ai-era-shift": {
            "first-answers": right_ai,
            "other-contested-answers": answers_for("ai-era-shift", last),
            "only-before": {"ai-era-shift-before": right_ai["ai-era-shift-before"]},
            "nothing": None,
        },
        "design-a-team": {
            "first-answers": right_team,
            "evidence-wrong": {**right_team, "design-a-team-evidence": wrong_evidence},
            "nothing": None,
        },
    }
    for assignment, students in plan.items():
        for student, placements in students.items():
            mine = assignment == "design-a-team" and student == "first-answers"
            edit = write_recommendation if mine else None
            submit(
                course / "exercises" / assignment, course / "submitted", student, placements, edit
            )
    # One run of each for both assignments: nbgrader reads the id as a glob.
    nbgrader("autograde", "*", cwd=course)
    nbgrader("generate_feedback", "*", cwd=course)
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in ASSIGNMENTS:
            for sub in gb.assignment_submissions(assignment):
                scores[(assignment, sub.student.id)] = (
                    sub.score,
                    sub.max_score,
                    sub.needs_manual_grade,
                )
    return course, scores


def test_contested_cards_accept_every_listed_role(graded):
    _, scores = graded
    full = max_points("ai-era-shift")
    assert full == BEFORE + AFTER
    assert scores[("ai-era-shift", "first-answers")] == (full, full, False)
    assert scores[("ai-era-shift", "other-contested-answers")] == (full, full, False)


def test_each_sort_is_scored_on_its_own(graded):
    _, scores = graded
    assert scores[("ai-era-shift", "only-before")][0] == BEFORE
    assert scores[("ai-era-shift", "nothing")][0] == 0.0


def test_design_a_team_leaves_the_recommendation_to_the_instructor(graded):
    _, scores = graded
    full = max_points("design-a-team")
    assert full > PLAN + EVIDENCE, "the recommendation carries points of its own"
    assert scores[("design-a-team", "first-answers")] == (PLAN + EVIDENCE, full, True)
    # An untouched recommendation cell scores 0 with nothing to mark.
    assert scores[("design-a-team", "evidence-wrong")] == (PLAN, full, False)
    assert scores[("design-a-team", "nothing")] == (0.0, full, False)


def test_feedback_explains_contested_cards(graded):
    course, _ = graded
    page = (
        course / "feedback" / "other-contested-answers" / "ai-era-shift" / "ai-era-shift.html"
    ).read_text()
    assert "three-year-view: right, PO (1/1). Contested:" in page
    assert "Total: 18 of 18 cards right." in page
    wrong_page = (
        course / "feedback" / "evidence-wrong" / "design-a-team" / "design-a-team.html"
    ).read_text()
    assert "metr-felt: placed in FOUND; expected NOT (0/1)" in wrong_page
    assert "Total: 0 of 7 cards right." in wrong_page

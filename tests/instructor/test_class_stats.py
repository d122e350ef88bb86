"""The class statistics count what the trusted grader recorded, never the submissions again.

Records are written by the grader's own record writer from real verdicts, and read
back as the report reads them; the expected counts follow from the key.
"""

from __future__ import annotations

import json
import os

from product_roles import load
from product_roles.grading import answers, judge
from product_roles.instructor.class_stats import StudentGrade, build
from product_roles.instructor.keys import hidden_keys
from product_roles.instructor.trusted import _write_record, read_records

SOURCE = """### BEGIN HIDDEN TESTS
KEY = {
    "order-work": {"answer": "PO", "why": "Ordering is the owner's call."},
    "set-price": "PM",
    "fix-bug": ["ENG", "TEAM"],
}
score_placements("sort", KEY)
### END HIDDEN TESTS
"""
RAW_KEY = {"order-work": "PO", "set-price": "PM", "fix-bug": ["ENG", "TEAM"]}
(KEY,) = hidden_keys("a1", "nb", "test-sort", SOURCE)
CATALOGUE_ROLES = [role.id for role in load().roles]


def graded(tmp_path, student, placements):
    """Judge ``placements`` (None: no answers file), record it as the grader does, read it back."""
    saved = None if placements is None else answers.Answers("sort", placements)
    verdict = judge("sort", RAW_KEY, saved, reveal=False)
    folder = tmp_path / student
    folder.mkdir(parents=True)
    resources = {"metadata": {"path": str(folder)}, "nbgrader": {"notebook": "nb"}}
    _write_record(resources, {"test-sort": verdict}, [])
    grade = StudentGrade(student, verdict.points, verdict.max_points, False)
    return grade, read_records(folder)


def class_of(tmp_path, placements_by_student, role_order=CATALOGUE_ROLES, submitted=()):
    grades, records = [], {}
    for student, placements in placements_by_student.items():
        grade, records[student] = graded(tmp_path, student, placements)
        grades.append(grade)
    return build(grades, records, [KEY], role_order, submitted)


def test_the_record_holds_each_card_verdict_and_no_accepted_answer(tmp_path):
    _, (record,) = graded(tmp_path, "ana", {"order-work": "PM", "fix-bug": "TEAM"})
    cards = record["verdicts"]["test-sort"]["cards"]
    assert cards == [
        {"exercise": "sort", "card": "order-work", "placed": "PM", "right": False},
        {"exercise": "sort", "card": "set-price", "placed": None, "right": False},
        {"exercise": "sort", "card": "fix-bug", "placed": "TEAM", "right": True},
    ]
    # Graded with the key hidden: neither the expected role nor its reason is kept.
    text = json.dumps(record)
    assert '"PO"' not in text
    assert '"ENG"' not in text
    assert "owner's call" not in text


def test_cards_confusion_and_misplacements_come_from_the_records(tmp_path):
    right = {card: accepted[0] for card, accepted in KEY.answers.items()}
    stats = class_of(tmp_path, {"ana": right, "ben": {**right, "order-work": "TEAM"}, "cy": None})
    results = {c.card: (c.right, c.answered) for c in stats.cards}
    assert results == {"order-work": (1, 3), "set-price": (2, 3), "fix-bug": (2, 3)}
    assert stats.misplacements == {("sort", "order-work", "TEAM"): 1}
    assert stats.confusion[("PO", "TEAM")] == 1
    assert stats.confusion[("PO", "unplaced")] == 1  # cy submitted no answers file
    assert stats.confusion[("PO", "PO")] == 1
    assert [g.student for g in stats.grades] == ["ana", "ben", "cy"]
    assert not stats.not_graded
    assert not stats.without_cards


def test_a_submission_with_no_record_is_not_graded(tmp_path):
    grade, records = graded(tmp_path, "ana", {"order-work": "PO"})
    # nbgrader leaves a gradebook entry behind when grading fails, and no autograded folder.
    failed = StudentGrade("ben", 0.0, 3.0, True)
    stats = build(
        [grade, failed],
        {"ana": records, "ben": []},
        [KEY],
        CATALOGUE_ROLES,
        submitted=["ana", "ben", "late"],
    )
    assert [g.student for g in stats.grades] == ["ana"]
    assert stats.not_graded == ["ben", "late"]
    assert sum(c.answered for c in stats.cards) == len(KEY.answers)


def test_a_record_without_card_verdicts_counts_in_scores_only(tmp_path):
    grade, records = graded(tmp_path, "ana", {"order-work": "PO"})
    del records[0]["verdicts"]["test-sort"]["cards"]
    stats = build([grade], {"ana": records}, [KEY], CATALOGUE_ROLES)
    assert [g.student for g in stats.grades] == ["ana"]
    assert stats.without_cards == ["ana"]
    assert all(c.answered == 0 for c in stats.cards)


def test_roles_follow_the_given_order_then_other_choices_by_name(tmp_path):
    stats = class_of(tmp_path, {"ana": {"order-work": "ZEBRA", "set-price": "ALPHA"}})
    in_keys = {role for accepted in KEY.answers.values() for role in accepted}
    assert stats.roles == [r for r in CATALOGUE_ROLES if r in in_keys] + ["ALPHA", "ZEBRA"]
    backwards = class_of(tmp_path / "b", {"ana": {}}, role_order=CATALOGUE_ROLES[::-1])
    assert backwards.roles == [r for r in CATALOGUE_ROLES[::-1] if r in backwards.roles]


def test_the_gradebook_totals_are_nbgraders_own(tmp_path, monkeypatch):
    """Manual marks, extra credit and pending manual grading count as nbgrader counts them."""
    from nbgrader.api import Gradebook

    from conftest import BIN
    from product_roles.instructor.class_stats import read_gradebook
    from product_roles.instructor.simulate_graded import graded_class

    monkeypatch.setenv("PATH", f"{BIN}:{os.environ['PATH']}")  # nbgrader runs alembic
    right = {card: accepted[0] for card, accepted in KEY.answers.items()}
    cells = {"test-sort": SOURCE, "test-other": SOURCE.replace('"sort"', '"other"')}
    placements = {
        "ana": {"sort": right, "other": right},
        "ben": {"sort": {**right, "set-price": "PO"}},
        "cy": {},
    }
    graded_class(tmp_path, "a1", cells, placements)
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gb:
        marked = gb.find_grade("test-sort", "a1", "a1", "ben")
        marked.manual_score, marked.extra_credit = 1.0, 0.5
        gb.find_grade("test-other", "a1", "a1", "cy").needs_manual_grade = True
        gb.db.commit()
        expected = sorted(
            (
                s.student.id,
                float(s.score),
                float(s.max_score),
                bool(s.needs_manual_grade),
                {f"{nb.name}/{g.name}": g.score for nb in s.notebooks for g in nb.grades},
            )
            for s in gb.assignment_submissions("a1")
        )
    grades, keys = read_gradebook(url, "simulated", "a1")
    got = [(g.student, g.score, g.max_score, g.needs_manual_grade, g.cells) for g in grades]
    assert got == expected
    assert [g.score for g in grades] == [6.0, 1.5, 0.0]
    assert grades[2].needs_manual_grade
    assert {k.exercise for k in keys} == {"sort", "other"}

"""Class statistics from what was graded: the gradebook and the trusted grader's records.

Everything the report draws is computed here, without plotting, so it can be
checked on its own: each student's score (the gradebook's), each card's share of
right answers, the role confusion matrix and the most common misplacements (the
card verdicts the trusted grader recorded, :func:`.trusted.read_records`). Nothing
is judged again: an answers file changed after grading does not change the report,
and a submission with no graded result is listed as not graded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from product_roles.instructor.item_analysis import Item, ItemAnalysis, Response, analyse
from product_roles.instructor.keys import SCORERS, HiddenKey, hidden_keys


@dataclass
class StudentGrade:
    student: str
    score: float
    max_score: float
    needs_manual_grade: bool
    cells: dict[str, float | None] = field(default_factory=dict)


@dataclass
class CardResult:
    exercise: str
    card: str
    accepted: tuple[str, ...]  # empty for a card the gradebook's key no longer holds
    right: int = 0
    answered: int = 0

    @property
    def share_right(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclass
class ClassStats:
    grades: list[StudentGrade]
    cards: list[CardResult]
    confusion: Counter  # (expected, placed) -> count, "unplaced" for a card left out
    misplacements: Counter  # (exercise, card, placed) -> count
    roles: list[str]
    not_graded: list[str] = field(default_factory=list)  # submitted, with no graded result
    without_cards: list[str] = field(default_factory=list)  # graded, card verdicts not recorded
    # Each student's verdict per card, for the item analysis; only students whose card
    # verdicts were all recorded, so that each total counts every card they were judged on.
    responses: dict[str, dict[Item, Response]] = field(default_factory=dict)


def read_gradebook(
    db_url: str, course_id: str, assignment: str
) -> tuple[list[StudentGrade], list[HiddenKey]]:
    """Each submission's grades, and the card-sort keys as the gradebook holds them.

    The keys are read from the gradebook's copy of the source cells, the copy the
    trusted grader judged by, not from ``solutions/`` as it is now.
    """
    from nbgrader.api import Gradebook, MissingEntry

    grades, keys = [], []
    with Gradebook(db_url, course_id) as gb:
        try:
            notebooks = gb.find_assignment(assignment).notebooks
        except MissingEntry:
            return [], []
        for notebook in notebooks:
            sources = {cell.name: cell.source for cell in notebook.source_cells}
            for cell in notebook.grade_cells:
                source = sources.get(cell.name, "")
                found = hidden_keys(assignment, notebook.name, cell.name, source)
                keys += [key for key in found if key.scorer in SCORERS]
        grades = _submissions(gb.db, assignment)
    return sorted(grades, key=lambda g: g.student), keys


def _submissions(db, assignment: str) -> list[StudentGrade]:
    """Each submission's totals and cell scores, in a few queries whatever the class size.

    The totals follow nbgrader's own definitions (``SubmittedAssignment.score``: the
    sum of its grades' scores, manual marks and extra credit included; ``max_score``:
    the assignment's; ``needs_manual_grade``: any grade needing it), added up here
    from one query of every grade. Selecting nbgrader's per-submission column
    properties instead runs correlated subqueries whose cost grows with the square
    of the class (SQLite has no index on a grade's notebook); walking the objects'
    relationships costs several queries a student.
    """
    from nbgrader.api import (
        Assignment,
        BaseCell,
        Grade,
        Notebook,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    (top,) = db.query(Assignment.max_score).filter(Assignment.name == assignment).one()
    students = (
        db.query(SubmittedAssignment.student_id)
        .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
        .filter(Assignment.name == assignment)
    )
    grades = {
        student: StudentGrade(student, 0.0, float(top or 0), False) for (student,) in students
    }
    cells = (
        db.query(
            SubmittedAssignment.student_id,
            Notebook.name,
            BaseCell.name,
            Grade.score,
            Grade.needs_manual_grade,
        )
        .select_from(Grade)
        .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id)
        .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
        .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
        .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
        .join(BaseCell, BaseCell.id == Grade.cell_id)
        .filter(Assignment.name == assignment)
    )
    for student, notebook, cell, score, manual in cells:
        grade = grades[student]
        grade.cells[f"{notebook}/{cell}"] = score
        grade.score += float(score or 0)
        grade.needs_manual_grade |= bool(manual)
    return list(grades.values())


def build(
    grades: Sequence[StudentGrade],
    records: Mapping[str, list[dict]],
    keys: Sequence[HiddenKey],
    role_order: Sequence[str],
    submitted: Iterable[str] = (),
) -> ClassStats:
    """The class statistics of the submissions that were graded.

    Parameters
    ----------
    grades : sequence of StudentGrade
        The gradebook's submissions of the assignment.
    records : mapping
        Student to the grading records of their autograded folder
        (:func:`.trusted.read_records`). A gradebook entry with no record is not
        counted as graded: nbgrader leaves one behind when grading fails, and
        removes the autograded folder.
    keys : sequence of HiddenKey
        The card-sort keys as graded, which name each card's expected role.
    role_order : sequence of str
        The role ids in the order the charts show them (the catalogue's order); other
        categories seen come after them, in name order.
    submitted : iterable of str
        The students with a submission in ``submitted/``.
    """
    graded = [g for g in grades if records.get(g.student)]
    done = {g.student for g in graded}
    not_graded = sorted({*submitted, *(g.student for g in grades)} - done)
    cards = {
        (k.exercise, c): CardResult(k.exercise, c, a) for k in keys for c, a in k.answers.items()
    }
    confusion: Counter = Counter()
    misplaced: Counter = Counter()
    without_cards = []
    responses = {}
    for grade in graded:
        complete = True
        mine = {}
        for record in records[grade.student]:
            complete &= "error" not in record
            for verdict in record.get("verdicts", {}).values():
                complete &= "cards" in verdict
                for judged in verdict.get("cards", []):
                    _count(judged, cards, confusion, misplaced)
                    where = (judged["exercise"], judged["card"])
                    mine[where] = Response(judged["placed"], bool(judged["right"]))
        if complete:
            responses[grade.student] = mine
        else:
            without_cards.append(grade.student)
    seen = {r for k in keys for accepted in k.answers.values() for r in accepted}
    seen |= {role for pair in confusion for role in pair} - {"unplaced"}
    rank = {role: n for n, role in enumerate(role_order)}
    roles = sorted(seen, key=lambda r: (rank.get(r, len(rank)), r))
    return ClassStats(
        graded,
        list(cards.values()),
        confusion,
        misplaced,
        roles,
        not_graded,
        without_cards,
        responses,
    )


def item_analysis(stats: ClassStats) -> ItemAnalysis:
    """Facility, discrimination and wrong choices of each card, and the assignment's reliability.

    Counts the students whose card verdicts were all recorded; cards are listed in the
    keys' order, wrong choices with equal counts in the order of ``stats.roles``.
    """
    return analyse(stats.responses, [(c.exercise, c.card) for c in stats.cards], stats.roles)


def _count(judged: dict, cards: dict, confusion: Counter, misplaced: Counter) -> None:
    """Add one recorded card verdict to the card's result, the confusion matrix and misplacements."""
    where = (judged["exercise"], judged["card"])
    result = cards.setdefault(where, CardResult(*where, ()))
    placed = judged["placed"]
    result.answered += 1
    if judged["right"]:
        result.right += 1
        confusion[(placed, placed)] += 1
        return
    if result.accepted:
        confusion[(result.accepted[0], placed or "unplaced")] += 1
    if placed:
        slot = (*where, placed)
        misplaced[slot] += 1

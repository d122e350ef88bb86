"""Class statistics from the gradebook and the submitted answers files.

Everything the report draws is computed here, without plotting, so it can be
checked on its own: each student's score, each card's share of right answers, the
role confusion matrix and the most common misplacements.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from product_roles.grading import answers
from product_roles.instructor.keys import HiddenKey


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
    accepted: tuple[str, ...]
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


def read_grades(db_url: str, course_id: str, assignment: str) -> list[StudentGrade]:
    from nbgrader.api import Gradebook

    result = []
    with Gradebook(db_url, course_id) as gb:
        for sub in gb.assignment_submissions(assignment):
            cells = {
                f"{nb.name}/{grade.name}": grade.score
                for nb in sub.notebooks
                for grade in nb.grades
            }
            result.append(
                StudentGrade(
                    sub.student.id, float(sub.score), float(sub.max_score),
                    bool(sub.needs_manual_grade), cells,
                )
            )  # fmt: skip
    return sorted(result, key=lambda g: g.student)


def card_stats(submitted: Path, assignment: str, students: list[str], keys: list[HiddenKey]):
    """Per-card results, the confusion matrix and misplacements, from the students' files."""
    sorts = [k for k in keys if k.assignment == assignment and k.scorer == "score_placements"]
    cards = {(k.exercise, c): CardResult(k.exercise, c, a) for k in sorts for c, a in k.answers.items()}  # fmt: skip
    confusion: Counter = Counter()
    misplaced: Counter = Counter()
    for student in students:
        folder = submitted / student / assignment
        for key in sorts:
            try:
                saved = answers.read(answers.path_for(key.exercise, folder), key.exercise)
            except answers.AnswersError:
                saved = None
            placements = saved.placements if saved else {}
            for card, accepted in key.answers.items():
                placed = placements.get(card)
                result = cards[(key.exercise, card)]
                result.answered += 1
                if placed in accepted:
                    result.right += 1
                    confusion[(placed, placed)] += 1
                else:
                    confusion[(accepted[0], placed or "unplaced")] += 1
                    if placed:
                        misplaced[(key.exercise, card, placed)] += 1
    # Roles in the keys' own order (PO, PM, ENG, TEAM), then any other choice seen.
    roles = list(dict.fromkeys(r for k in sorts for a in k.answers.values() for r in a))
    roles += sorted({p for (_, p) in confusion if p not in roles and p != "unplaced"})
    order = {"PO": 0, "PM": 1, "ENG": 2, "TEAM": 3}
    roles.sort(key=lambda r: order.get(r, len(order)))
    return list(cards.values()), confusion, misplaced, roles

"""Every student's total on each assignment, as the nbgrader gradebook holds it.

The exports read the gradebook and nothing else: the totals are nbgrader's own
(``SubmittedAssignment.score``), so an LMS gets exactly what ``nbgrader`` and the
formgrader show, manual marks included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from product_roles.instructor.course import CourseError


@dataclass(frozen=True)
class Grade:
    score: float
    max_score: float
    needs_manual_grade: bool


@dataclass
class ClassGrades:
    """The gradebook's grades for some assignments.

    ``points`` is each assignment's maximum; ``grades[student][assignment]`` exists
    only for a submission; ``students`` is every student the gradebook knows, sorted.
    """

    assignments: list[str]
    points: dict[str, float]
    grades: dict[str, dict[str, Grade]] = field(default_factory=dict)
    students: list[str] = field(default_factory=list)

    def grade(self, student: str, assignment: str) -> Grade | None:
        return self.grades.get(student, {}).get(assignment)

    def submitted(self, student: str) -> list[str]:
        """The assignments ``student`` has a submission of, in export order."""
        mine = self.grades.get(student, {})
        return [a for a in self.assignments if a in mine]


def _sqlite_file(db_url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(db_url[len(prefix) :]) if db_url.startswith(prefix) else None


def read_class_grades(
    db_url: str, course_id: str, assignments: list[str] | None = None
) -> ClassGrades:
    """The grades of ``assignments`` (default: every assignment in the gradebook).

    Raises
    ------
    CourseError
        if the gradebook does not exist or lacks one of ``assignments``.
    """
    from nbgrader.api import Gradebook, MissingEntry

    path = _sqlite_file(db_url)
    if path is not None and not path.is_file():
        # nbgrader would create an empty gradebook here and export nothing.
        raise CourseError(f"no gradebook at {path}: release and grade an assignment first")
    with Gradebook(db_url, course_id) as gb:
        names = assignments or [a.name for a in gb.assignments]
        if not names:
            raise CourseError("the gradebook holds no assignment: release one first")
        points = {}
        for name in names:
            try:
                points[name] = float(gb.find_assignment(name).max_score)
            except MissingEntry:
                known = ", ".join(sorted(a.name for a in gb.assignments)) or "none"
                raise CourseError(
                    f"no assignment {name!r} in the gradebook (it has: {known})"
                ) from None
        result = ClassGrades(list(names), points, students=sorted(s.id for s in gb.students))
        for name in names:
            for sub in gb.assignment_submissions(name):
                result.grades.setdefault(sub.student.id, {})[name] = Grade(
                    float(sub.score), float(sub.max_score), bool(sub.needs_manual_grade)
                )
    return result

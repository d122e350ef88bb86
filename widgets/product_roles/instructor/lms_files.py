"""Grade files in the layouts Canvas's and Moodle's gradebook imports read, and a plain CSV.

The layouts follow the importers' own code (docs/instructor-guide.md gives the
sources): Canvas reads a header row ``Student, ID, SIS User ID, SIS Login ID,
Section`` and one column per assignment, then a ``Points Possible`` row; it finds
each student by ``ID``, else ``SIS User ID``, else ``SIS Login ID``. Moodle's CSV
import has the instructor map one column to a user field (``id``, ``idnumber``,
``username`` or ``email``) and each other column to a grade item; one row whose
identifier matches no user stops the whole import. In both, an empty cell means
"no grade".

Each writer returns the roster students it had to leave out, so the caller lists them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from product_roles.instructor.class_grades import ClassGrades
from product_roles.instructor.roster import Roster, Student

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
# Moodle's user field -> the roster column that holds it.
MOODLE_FIELDS = {"email": "email", "idnumber": "sis_id", "username": "login", "id": "lms_id"}
PLAIN_COLUMNS = (
    "nbgrader_id",
    "name",
    "lms_id",
    "sis_id",
    "login",
    "email",
    "section",
    "in_roster",
    "assignment",
    "submitted",
    "score",
    "max_score",
    "needs_manual_grade",
)
MISSING = {"empty": "", "zero": "0"}


def number(value: float) -> str:
    """A score as both importers read it: a dot decimal, at most two places, no exponent."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _cells(grades: ClassGrades, student: str, missing: str) -> list[str]:
    cells = []
    for assignment in grades.assignments:
        grade = grades.grade(student, assignment)
        cells.append(MISSING[missing] if grade is None else number(grade.score))
    return cells


def _write(path: Path, rows: Iterable[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)


def _split(
    roster: Roster, usable: Callable[[Student], bool]
) -> tuple[list[Student], list[Student]]:
    kept: list[Student] = []
    left: list[Student] = []
    for student in roster.students.values():
        (kept if usable(student) else left).append(student)
    return kept, left


def write_canvas(
    path: Path,
    grades: ClassGrades,
    roster: Roster,
    titles: dict[str, str],
    missing: str = "empty",
) -> list[Student]:
    """Canvas's gradebook import file; returns the students with no Canvas identifier."""
    kept, left = _split(roster, lambda s: bool(s.lms_id or s.sis_id or s.login))
    header = [*CANVAS_STUDENT_COLUMNS, *(titles.get(a, a) for a in grades.assignments)]
    points = [
        CANVAS_POINTS_ROW,
        "",
        "",
        "",
        "",
        *(number(grades.points[a]) for a in grades.assignments),
    ]
    rows = [
        [
            s.name or s.nbgrader_id,
            s.lms_id,
            s.sis_id,
            s.login,
            s.section,
            *_cells(grades, s.nbgrader_id, missing),
        ]
        for s in kept
    ]
    _write(path, [header, points, *rows])
    return left


def write_moodle(
    path: Path,
    grades: ClassGrades,
    roster: Roster,
    titles: dict[str, str],
    identifier: str = "email",
    missing: str = "empty",
) -> list[Student]:
    """Moodle's grade import file keyed on ``identifier``; returns the students without one.

    Only one identifier column is written, the one the instructor maps. A row whose
    identifier is empty is left out and listed: Moodle's importer does not skip it
    but keeps the user of the row before it (``grade/import/csv/classes/load_data.php``).
    """
    column = MOODLE_FIELDS[identifier]
    kept, left = _split(roster, lambda s: bool(getattr(s, column)))
    header = [identifier, *(titles.get(a, a) for a in grades.assignments)]
    rows = [[getattr(s, column), *_cells(grades, s.nbgrader_id, missing)] for s in kept]
    _write(path, [header, *rows])
    return left


def write_plain(
    path: Path, grades: ClassGrades, roster: Roster | None, missing: str = "empty"
) -> None:
    """One row per student and assignment: the roster's students, then the gradebook's others."""
    listed = list(roster.students.values()) if roster else []
    others = [Student(s) for s in grades.students if roster is None or s not in roster]
    rows = [list(PLAIN_COLUMNS)]
    for student, in_roster in [*((s, True) for s in listed), *((s, False) for s in others)]:
        for assignment in grades.assignments:
            grade = grades.grade(student.nbgrader_id, assignment)
            rows.append(
                [
                    student.nbgrader_id,
                    student.name,
                    student.lms_id,
                    student.sis_id,
                    student.login,
                    student.email,
                    student.section,
                    str(in_roster).lower(),
                    assignment,
                    str(grade is not None).lower(),
                    MISSING[missing] if grade is None else number(grade.score),
                    number(grades.points[assignment]),
                    str(bool(grade and grade.needs_manual_grade)).lower(),
                ]
            )
    _write(path, rows)

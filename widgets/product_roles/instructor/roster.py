"""The roster: the instructor's CSV file that maps nbgrader student ids to LMS accounts.

One row per student; the first row names the columns, in any order and any case:

``nbgrader_id`` (required)
    the student's id as nbgrader knows it (the folder under ``submitted/``).
``name``
    the name the LMS shows; Canvas's ``Student`` column.
``lms_id``
    the LMS's own user number: Canvas's ``ID``, Moodle's ``id``.
``sis_id``
    the institution's student number: Canvas's ``SIS User ID``, Moodle's ``idnumber``.
``login``
    the login name: Canvas's ``SIS Login ID``, Moodle's ``username``.
``email``
    the e-mail address of the LMS account (Moodle's ``email``).
``section``
    Canvas's ``Section``.

The file needs ``nbgrader_id`` and at least one of ``lms_id``, ``sis_id``, ``login``
and ``email``; other columns are reported and ignored. A student id, or an LMS
identifier, given on two lines is an error: two students would share one LMS grade.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from product_roles.instructor.course import CourseError

IDENTIFIERS = ("lms_id", "sis_id", "login", "email")
COLUMNS = ("nbgrader_id", "name", *IDENTIFIERS, "section")


class RosterError(CourseError):
    """The roster cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Student:
    """One roster row; an absent value is the empty string."""

    nbgrader_id: str
    name: str = ""
    lms_id: str = ""
    sis_id: str = ""
    login: str = ""
    email: str = ""
    section: str = ""
    line: int = 0


@dataclass(frozen=True)
class Roster:
    """The roster's students by nbgrader id, in file order, and the columns it ignored."""

    path: Path
    students: dict[str, Student]
    ignored_columns: tuple[str, ...] = ()

    def __contains__(self, nbgrader_id: str) -> bool:
        return nbgrader_id in self.students

    def get(self, nbgrader_id: str) -> Student | None:
        return self.students.get(nbgrader_id)


def _header(path: Path, row: list[str]) -> tuple[dict[str, int], tuple[str, ...]]:
    names = [cell.strip().lower() for cell in row]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in columns:
            raise RosterError(f"{path} line 1: the column {name!r} appears twice")
        columns[name] = index
    if "nbgrader_id" not in columns:
        raise RosterError(
            f"{path} line 1: no 'nbgrader_id' column; the first row must name the columns "
            f"({', '.join(COLUMNS)})"
        )
    if not any(i in columns for i in IDENTIFIERS):
        raise RosterError(
            f"{path} line 1: no LMS identifier column; give at least one of "
            f"{', '.join(IDENTIFIERS)}"
        )
    ignored = tuple(n for n in names if n not in COLUMNS)
    return {n: i for n, i in columns.items() if n in COLUMNS}, ignored


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on; ``utf-8-sig`` reads Excel's byte-order mark."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream, strict=True)
            rows, start = [], 1
            for row in reader:
                rows.append((start, row))
                start = reader.line_num + 1
            return rows
    except FileNotFoundError:
        raise RosterError(f"{path}: no such file; write the roster first (see --help)") from None
    except UnicodeDecodeError as err:
        raise RosterError(f"{path}: not UTF-8 text ({err.reason}); save it as CSV UTF-8") from None
    except csv.Error as err:
        raise RosterError(f"{path} line {reader.line_num}: not valid CSV ({err})") from None
    except OSError as err:
        raise RosterError(f"{path}: cannot be read ({err.strerror or err})") from None


def read_roster(path: str | os.PathLike) -> Roster:
    """The roster at ``path``, checked; :class:`RosterError` names the first bad line."""
    path = Path(path)
    rows = _lines(path)
    if not rows:
        raise RosterError(f"{path}: the file is empty; the first row must name the columns")
    columns, ignored = _header(path, rows[0][1])
    width = len(rows[0][1])
    students: dict[str, Student] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        if len(row) > width:
            raise RosterError(
                f"{path} line {line}: {len(row)} fields for {width} columns "
                "(a comma inside a value needs quotes)"
            )
        values = {n: row[i].strip() if i < len(row) else "" for n, i in columns.items()}
        student = Student(**values, line=line)
        if not student.nbgrader_id:
            raise RosterError(f"{path} line {line}: no nbgrader_id")
        if not any(getattr(student, i) for i in IDENTIFIERS if i in columns):
            raise RosterError(
                f"{path} line {line}: {student.nbgrader_id} has no LMS identifier "
                f"({', '.join(i for i in IDENTIFIERS if i in columns)} all empty)"
            )
        for field in ("nbgrader_id", *IDENTIFIERS):
            value = getattr(student, field)
            # Two addresses or logins that differ only in case name one person.
            key = (field, value.lower() if field in ("email", "login") else value)
            if value and key in seen:
                raise RosterError(
                    f"{path} line {line}: {field} {value!r} is already on line {seen[key]}"
                )
            seen[key] = line
        students[student.nbgrader_id] = student
    return Roster(path, students, ignored)

"""Write the gradebook's grades as files Canvas and Moodle import, and as a plain CSV.

Reads each student's total from the nbgrader gradebook (the course's, or ``--db``)
and maps nbgrader's student ids to LMS accounts through the roster, a CSV file you
write (``roster.csv`` in the course folder by default; the columns are described in
docs/instructor-guide.md). Writes ``exports/<assignment>/`` (``exports/all/`` for
every assignment): ``canvas.csv``, ``moodle.csv``, ``grades.csv`` and ``summary.txt``.

Nobody is dropped without a word: students graded but not in the roster, roster
students with no submission, rows an LMS file cannot identify, and grades with
manual marking still to do are listed on the terminal and in ``summary.txt``. The
command ends with status 1 when a graded student is missing from the roster (their
grades are then only in ``grades.csv``).
"""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

from product_roles.instructor.class_grades import ClassGrades, read_class_grades
from product_roles.instructor.course import Course, CourseError
from product_roles.instructor.lms_files import (
    MISSING,
    MOODLE_FIELDS,
    write_canvas,
    write_moodle,
    write_plain,
)
from product_roles.instructor.roster import Roster, Student, read_roster

HELP = "write grades for Canvas's and Moodle's gradebook imports, and a plain CSV"
FORMATS = {"canvas": "canvas.csv", "moodle": "moodle.csv", "plain": "grades.csv"}


def add_arguments(parser) -> None:
    parser.add_argument(
        "assignments",
        nargs="*",
        metavar="ASSIGNMENT",
        help="the assignments to export (default: every assignment in the gradebook)",
    )
    parser.add_argument("--roster", type=Path, help="the roster CSV (default: roster.csv)")
    parser.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=sorted(FORMATS),
        help="write only this file (repeatable; default: all three)",
    )
    parser.add_argument(
        "--moodle-id",
        choices=sorted(MOODLE_FIELDS),
        default="email",
        help="the Moodle user field moodle.csv identifies students by (default: email)",
    )
    parser.add_argument(
        "--missing",
        choices=sorted(MISSING),
        default="empty",
        help="what a roster student with no submission gets (default: an empty cell)",
    )
    parser.add_argument(
        "--lms-name",
        dest="lms_names",
        action="append",
        default=[],
        metavar="ASSIGNMENT=TITLE",
        help="the column title an LMS knows an assignment by (repeatable)",
    )
    parser.add_argument("--db", dest="db_url", help="gradebook URL (default: the course's)")
    parser.add_argument("--out", type=Path, help="folder for the files (default: exports/...)")


def parse_titles(pairs: list[str], assignments: list[str]) -> dict[str, str]:
    titles = {}
    for pair in pairs:
        name, sep, title = pair.partition("=")
        if not sep or not name.strip() or not title.strip():
            raise CourseError(f"--lms-name {pair!r}: write it as ASSIGNMENT=TITLE")
        if name.strip() not in assignments:
            raise CourseError(f"--lms-name {pair!r}: {name.strip()} is not being exported")
        titles[name.strip()] = title.strip()
    return titles


def problems(
    grades: ClassGrades,
    roster: Roster | None,
    left_out: dict[str, list[Student]],
    moodle_id: str,
    missing: str,
) -> list[tuple[str, list[str]]]:
    """What the LMS files do not carry, or carry with a caveat: (heading, student ids)."""
    found: list[tuple[str, list[str]]] = []
    if roster is not None:
        unknown = [s for s in grades.students if s not in roster]
        if unknown:
            found.append(
                (
                    (
                        f"in the gradebook but not in {roster.path.name}, so in no LMS file "
                        "(their grades are in grades.csv; add them to the roster)"
                    ),
                    [f"{s} ({', '.join(grades.submitted(s)) or 'no submission'})" for s in unknown],
                )
            )
        cell = "an empty cell" if missing == "empty" else "0"
        for assignment in grades.assignments:
            absent = [s for s in roster.students if grades.grade(s, assignment) is None]
            if absent:
                found.append((f"in the roster with no submission of {assignment} ({cell})", absent))
    why = {
        "canvas.csv": "no lms_id, sis_id or login",
        "moodle.csv": f"no {MOODLE_FIELDS[moodle_id]} (--moodle-id {moodle_id})",
    }
    for name, students in left_out.items():
        if students:
            found.append((f"left out of {name}: {why[name]}", [s.nbgrader_id for s in students]))
    for assignment in grades.assignments:
        pending = [
            s
            for s in grades.students
            if (g := grades.grade(s, assignment)) is not None and g.needs_manual_grade
        ]
        if pending:
            found.append(
                (
                    (
                        f"with manual grading still to do on {assignment} "
                        "(the exported score counts the unmarked answers as 0)"
                    ),
                    pending,
                )
            )
    return found


def describe(found: list[tuple[str, list[str]]]) -> str:
    lines = []
    for heading, students in found:
        count = f"{len(students)} student{'s' if len(students) != 1 else ''}"
        lines.append(f"{count} {heading}:")
        if any(" (" in s for s in students):
            lines += [f"  {s}" for s in students]
        else:
            lines.append(
                textwrap.fill(", ".join(students), 96, initial_indent="  ", subsequent_indent="  ")
            )
    return "\n".join(lines)


def output_folder(root: Path, args, grades: ClassGrades) -> Path:
    if args.out:
        return args.out
    scope = "all" if not args.assignments else "+".join(grades.assignments)
    return root / "exports" / scope


def run(root: Path, args) -> int:
    course = Course(root, args.db_url)
    formats = [f for f in FORMATS if f in (args.formats or FORMATS)]
    roster_path = args.roster or root / "roster.csv"
    roster: Roster | None = None
    if args.roster or formats != ["plain"] or roster_path.is_file():
        roster = read_roster(roster_path)
        for column in roster.ignored_columns:
            print(
                f"product-roles export: {roster_path}: column {column!r} ignored", file=sys.stderr
            )
    grades = read_class_grades(
        course.gradebook_url, course.coursedir.course_id or "", args.assignments or None
    )
    titles = parse_titles(args.lms_names, grades.assignments)
    out = output_folder(root, args, grades)
    out.mkdir(parents=True, exist_ok=True)

    left_out: dict[str, list[Student]] = {}
    written = []
    # Any format but plain has read the roster above.
    if roster is not None and "canvas" in formats:
        left_out["canvas.csv"] = write_canvas(
            out / "canvas.csv", grades, roster, titles, args.missing
        )
    if roster is not None and "moodle" in formats:
        left_out["moodle.csv"] = write_moodle(
            out / "moodle.csv", grades, roster, titles, args.moodle_id, args.missing
        )
    if "plain" in formats:
        write_plain(out / "grades.csv", grades, roster, args.missing)
    for name in (FORMATS[f] for f in formats):
        kept = None
        if roster is not None and name in left_out:
            kept = len(roster.students) - len(left_out[name])
        rows = f"{kept} students" if kept is not None else "every student and assignment"
        written.append(f"{out / name} ({rows})")

    found = problems(grades, roster, left_out, args.moodle_id, args.missing)
    report = describe(found)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    summary = [
        f"Export of {', '.join(grades.assignments)} from {course.gradebook_url}, {stamp}.",
        f"Roster: {roster.path} ({len(roster.students)} students)." if roster else "No roster.",
        (
            f"Gradebook: {len(grades.students)} students, "
            f"{sum(bool(grades.submitted(s)) for s in grades.students)} with a submission."
        ),
        "Files:",
        *(f"  {w}" for w in written),
        report or "Every roster student has a grade and every graded student is in the roster.",
    ]
    (out / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    if report:
        print(report, file=sys.stderr)
    print("Wrote " + "; ".join(written) + f"; summary in {out / 'summary.txt'}.")
    unplaced = roster is not None and any(
        grades.submitted(s) for s in grades.students if s not in roster
    )
    return 1 if unplaced else 0

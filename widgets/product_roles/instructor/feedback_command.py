"""Generate each student's feedback (HTML) from the autograded notebooks, and optionally release it.

Feedback shows the trusted grader's verdicts: one line per card saying whether it
was right, and why, and never a hidden test's source (the course's
``GenerateFeedback`` pipeline strips them). Whether a line also names the expected
role of a wrong card was decided when grading (``product-roles grade --hide-key``);
see docs/instructor-guide.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from product_roles.instructor.course import Course
from product_roles.instructor.nbgrader_cli import NbgraderFailed
from product_roles.instructor.nbgrader_cli import run as nbgrader

HELP = "write per-student HTML feedback (and release it with --release)"


def add_arguments(parser) -> None:
    parser.add_argument("assignment")
    parser.add_argument("--student", action="append", help="only these students")
    parser.add_argument("--release", action="store_true", help="also release it to the exchange")


def run(root: Path, args) -> int:
    course = Course(root)
    students = args.student or [
        s
        for s in course.submissions(args.assignment)
        if (course.folder("autograded") / s / args.assignment).is_dir()
    ]
    if not students:
        print(
            f"No autograded submissions of {args.assignment}: run `product-roles grade` first.",
            file=sys.stderr,
        )
        return 1
    # One nbgrader run for the whole class: it pays its start-up once.
    runs = [[s] for s in args.student] if args.student else [[]]
    errors = []
    for chosen in runs:
        extra = ["--student", chosen[0]] if chosen else []
        try:
            nbgrader("generate_feedback", args.assignment, *extra, "--force", cwd=root)
            if args.release:
                nbgrader("release_feedback", args.assignment, *extra, cwd=root)
        except NbgraderFailed as err:
            errors.append(str(err))
    missing = []
    for n, student in enumerate(students, 1):
        where = course.folder("feedback") / student / args.assignment
        pages = sorted(where.glob("*.html"))
        if pages:
            print(f"[{n} of {len(students)}] {student}: " + ", ".join(str(p) for p in pages))
        else:
            missing.append(student)
            print(f"[{n} of {len(students)}] {student}: no feedback written", file=sys.stderr)
    for error in errors:
        print(error, file=sys.stderr)
    print(f"Feedback for {len(students) - len(missing)} of {len(students)} students.")
    return 1 if missing else 0

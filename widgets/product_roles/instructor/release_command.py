"""Check, generate and release an assignment.

Before anything is released, every solution notebook must pass its own tests
(``nbgrader validate``) and the blank student version must fail them
(``nbgrader validate --invert``), so that an assignment can neither be unsolvable
nor give points for nothing. Both checks run on copies in a temporary folder,
because executing a notebook writes its answers file beside it. The command
refuses to run while an answers file sits in the source folder: nbgrader would copy
it into the release, and later over every student's own file.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from product_roles.grading import answers
from product_roles.instructor.course import CONFIG, Course
from product_roles.instructor.nbgrader_cli import NbgraderFailed
from product_roles.instructor.nbgrader_cli import run as nbgrader

HELP = "validate solutions and blank release both ways, then generate and release"
PASSES = "Success! Your notebook passes all the tests."
FAILS = "Success! The notebook does not pass any tests."


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="*", help="assignments to release (default: all)")
    parser.add_argument(
        "--no-exchange",
        action="store_true",
        help="generate the release folder only; do not copy it to nbgrader's exchange",
    )


def stray_answers(source: Path) -> list[Path]:
    return sorted(p for p in source.rglob(f"*{answers.SUFFIX}*") if p.is_file())


def validate(root: Path, assignment: str) -> list[str]:
    """Problems found by validating a copy of the source and of a fresh release both ways."""
    course = Course(root)
    problems = []
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        scratch = Path(tmp) / "course"
        source_name = course.folder("source").name
        shutil.copytree(course.folder("source") / assignment, scratch / source_name / assignment)
        shutil.copy(root / CONFIG, scratch / CONFIG)
        nbgrader("generate_assignment", assignment, "--force", cwd=scratch)
        release = scratch / course.folder("release").name / assignment
        for notebook in sorted((scratch / source_name / assignment).glob("*.ipynb")):
            out = nbgrader("validate", str(notebook), cwd=tmp, check=False).stdout
            if PASSES not in out:
                problems.append(
                    f"{assignment}/{notebook.name}: the solution fails its tests:\n{out}"
                )
        for notebook in sorted(release.glob("*.ipynb")):
            out = nbgrader("validate", "--invert", str(notebook), cwd=tmp, check=False).stdout
            if FAILS not in out:
                problems.append(
                    f"{assignment}/{notebook.name}: the blank release passes a test:\n{out}"
                )
    return problems


def run(root: Path, args) -> int:
    course = Course(root)
    source = course.folder("source")
    stray = stray_answers(source)
    if stray:
        print("Refusing to release: answers files in the source folder would be copied to "
              "students and over their own files. Move or delete:", file=sys.stderr)  # fmt: skip
        for path in stray:
            print(f"  {path}", file=sys.stderr)
        return 1
    chosen = args.assignment or course.assignments()
    unknown = [a for a in chosen if not (source / a).is_dir()]
    if unknown:
        print(f"No such assignment in {source}: {', '.join(unknown)}", file=sys.stderr)
        return 1
    for assignment in chosen:
        print(f"{assignment}: validating the solutions and the blank release (on copies)...")
        problems = validate(root, assignment)
        if problems:
            print("\n\n".join(problems), file=sys.stderr)
            print(f"{assignment}: not released.", file=sys.stderr)
            return 1
        try:
            nbgrader("generate_assignment", assignment, "--force", cwd=root)
            print(f"{assignment}: generated {course.folder('release') / assignment}")
            if not args.no_exchange:
                nbgrader("release_assignment", assignment, "--force", cwd=root)
                print(f"{assignment}: released to the exchange")
        except NbgraderFailed as err:
            print(str(err), file=sys.stderr)
            return 1
    return 0

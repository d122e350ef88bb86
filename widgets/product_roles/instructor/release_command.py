"""Check, generate and release an assignment.

Before anything is released, every solution notebook must pass its own tests and
the blank student version must fail them, so that an assignment can neither be
unsolvable nor give points for nothing. A sort dealt from a larger pool must also
be one the grader can deal (:func:`.deals.deal_problems`). Both checks run nbgrader's own
:class:`~nbgrader.validator.Validator`, as ``nbgrader validate`` and ``nbgrader
validate --invert`` do, and read the cells it returns rather than its printed
lines. They run on copies in a temporary folder, because executing a notebook
writes its answers file beside it. The command refuses to run while an answers
file sits in the source folder: nbgrader would copy it into the release, and later
over every student's own file. Before any check, it makes sure the exchange the
course names (:mod:`.exchange`) is there and writable, and it says where each
assignment was released.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from product_roles.grading import answers
from product_roles.instructor import exchange
from product_roles.instructor.course import CONFIG, Course, load_config
from product_roles.instructor.deals import deal_problems
from product_roles.instructor.nbgrader_cli import NbgraderFailed, generate_assignment
from product_roles.instructor.nbgrader_cli import run as nbgrader
from product_roles.instructor.progress import stderr_into

HELP = "validate solutions and blank release both ways, then generate and release"


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="*", help="assignments to release (default: all)")
    parser.add_argument(
        "--no-exchange",
        action="store_true",
        help="generate the release folder only; do not copy it to nbgrader's exchange",
    )


def stray_answers(source: Path) -> list[Path]:
    return sorted(p for p in source.rglob(f"*{answers.SUFFIX}*") if p.is_file())


def check_notebook(path: Path, *, invert: bool) -> str:
    """What nbgrader's validator finds wrong with one notebook; ``""`` when nothing.

    Without ``invert``, every graded test must pass; with it, none may. A test cell
    that writes to stderr fails, for nbgrader, so a blank release whose tests say
    which cards are still to place fails them.
    """
    from nbgrader.validator import Validator

    with _kernel_stderr() as log:
        try:
            found = Validator(invert=invert).validate(str(path))
        except Exception as err:  # noqa: BLE001 - any validator error stops the release, with why
            log.seek(0)
            said = log.read().decode(errors="replace").strip()
            return f"nbgrader could not validate it: {type(err).__name__}: {err}\n{said[-2000:]}"
    parts = []
    for cell in found.get("type_changed", []):
        parts.append(f"a {cell['old_type']} cell became a {cell['new_type']} cell:")
        parts.append(_indent(cell["source"]))
    for cell in found.get("changed", []):
        parts.append("a read-only cell was changed:")
        parts.append(_indent(cell["source"]))
    for cell in found.get("passed", []):
        parts.append("this test passes:")
        parts.append(_indent(cell["source"]))
    for cell in found.get("failed", []):
        parts.append("this test fails:")
        parts.append(_indent(cell["source"]))
        parts.append("  with:")
        parts.append(_indent(cell["raw_error"]))
    return "\n".join(parts)


@contextmanager
def _kernel_stderr() -> Iterator:
    """Send this process's stderr, which the validator's kernel inherits, to a scratch file.

    A kernel warns on its stderr as it starts; what the check found is in the
    validator's result, so that text is shown only when the check itself fails.
    """
    with tempfile.TemporaryFile() as log, stderr_into(log):
        yield log


def _indent(text: str, lines: int = 12) -> str:
    kept = text.strip().splitlines()
    shown = kept[:lines] + (["..."] if len(kept) > lines else [])
    return textwrap.indent("\n".join(shown), "    ")


def validate(root: Path, assignment: str) -> list[str]:
    """Problems found by validating a copy of the source and of a fresh release both ways."""
    import nbformat

    course = Course(root)
    problems = []
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        scratch = Path(tmp) / "course"
        source_name = course.folder("source").name
        shutil.copytree(course.folder("source") / assignment, scratch / source_name / assignment)
        shutil.copy(root / CONFIG, scratch / CONFIG)
        generate_assignment(assignment, cwd=scratch)
        release = scratch / course.folder("release").name / assignment
        for notebook in sorted((scratch / source_name / assignment).glob("*.ipynb")):
            dealt = deal_problems(nbformat.read(notebook, as_version=4))
            if dealt:
                problems.append(
                    f"{assignment}/{notebook.name}: its cards cannot be dealt as written:\n"
                    + "\n".join(f"  {problem}" for problem in dealt)
                )
            found = check_notebook(notebook, invert=False)
            if found:
                problems.append(
                    f"{assignment}/{notebook.name}: the solution fails its tests:\n{found}"
                )
        for notebook in sorted(release.glob("*.ipynb")):
            found = check_notebook(notebook, invert=True)
            if found:
                problems.append(
                    f"{assignment}/{notebook.name}: the blank release passes a test:\n{found}"
                )
    return problems


def run(root: Path, args) -> int:
    course = Course(root)
    source = course.folder("source")
    stray = stray_answers(source)
    if stray:
        print(
            "Refusing to release: answers files in the source folder would be copied to "
            "students and over their own files. Move or delete:",
            file=sys.stderr,
        )
        for path in stray:
            print(f"  {path}", file=sys.stderr)
        return 1
    chosen = args.assignment or course.assignments()
    unknown = [a for a in chosen if not (source / a).is_dir()]
    if unknown:
        print(f"No such assignment in {source}: {', '.join(unknown)}", file=sys.stderr)
        return 1
    config = load_config(root)
    root_of_exchange = Path(config.Exchange.root) if "root" in config.Exchange else None
    if not args.no_exchange:
        if root_of_exchange is None:
            print(
                f"Refusing to release: {CONFIG} names no exchange (c.Exchange.root); see "
                f"{exchange.GUIDE}.",
                file=sys.stderr,
            )
            return 1
        done, problem = exchange.prepare(root_of_exchange, root)
        if done:
            print(f"Release: {done}.")
        if problem:
            print(f"Refusing to release: {problem}", file=sys.stderr)
            return 1
    for assignment in chosen:
        print(f"{assignment}: validating the solutions and the blank release (on copies)...")
        problems = validate(root, assignment)
        if problems:
            print("\n\n".join(problems), file=sys.stderr)
            print(f"{assignment}: not released.", file=sys.stderr)
            return 1
        try:
            generate_assignment(assignment, cwd=root)
            print(f"{assignment}: generated {course.folder('release') / assignment}")
            if not args.no_exchange:
                nbgrader("release_assignment", assignment, "--force", cwd=root)
                course_id = config.CourseDirectory.course_id
                where = root_of_exchange / course_id / "outbound" / assignment
                print(
                    f"{assignment}: released to the exchange, {where}; students fetch it "
                    f"with `nbgrader fetch_assignment {assignment} --course {course_id}`"
                )
        except NbgraderFailed as err:
            print(str(err), file=sys.stderr)
            return 1
    return 0

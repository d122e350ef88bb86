"""Grading one submission in a worker process, with nbgrader's own autograder.

A worker loads nbgrader and the course's configuration once and then grades one
submission per call, in place (``autograded/<student>/<assignment>/``), writing the
grades to the course's gradebook exactly as ``nbgrader autograde --student`` would,
through the course's pipeline (:mod:`.pipeline`): card sorts scored by the trusted
grader, every kernel forked from the worker's own sandboxed fork server
(:mod:`.forkkernel`), or started as jupyter_client starts one where that server is
not to be had (:mod:`.kernels`; the result's ``kernels`` says which).

Nothing is read back from log text. What went wrong inside a graded submission
comes from the records the pipeline writes (:func:`.trusted.read_records`) and from
the graded notebooks; why a submission could not be graded, and whether trying
again may help (a locked SQLite gradebook, a kernel port taken), from the exception
objects and ERROR records nbgrader produced (:mod:`.nbgrader_outcome`).
"""

from __future__ import annotations

import os
import platform
import time
import warnings
from dataclasses import asdict, dataclass

from product_roles.instructor.course import Course, load_config
from product_roles.instructor.nbgrader_outcome import Outcome, reason, run, worth_retrying

RETRIES = 3


@dataclass
class Result:
    """What grading one submission gave: a score, and the reason for any points it lost.

    ``status`` is ``graded`` when nbgrader graded it, ``failed`` when it could not
    (the score is then 0). ``reason`` explains a failure, or, for a graded
    submission, lists what went wrong inside it: an error in a cell, a deleted
    graded cell, the first line of a hidden test that gave no points. ``kernels``
    says which kernels ran its notebooks: ``fork``, or ``standard (why)``; it is
    empty when no notebook ran.
    """

    student: str
    assignment: str
    status: str  # "graded" or "failed"
    score: float
    max_score: float
    needs_manual_grade: bool
    reason: str
    seconds: float
    worker: str
    kernels: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _autograde(assignment: str, student: str, config) -> Outcome:
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import temp_attrs

    coursedir = CourseDirectory(config=config)
    with temp_attrs(coursedir, assignment_id=assignment, student_id=student):
        app = Autograde(coursedir=coursedir, config=config)
        app.force = True
        app.create_student = True
        return run(app)


def _notes(course: Course, assignment: str, student: str, expected: set[str]) -> str:
    """What went wrong inside a graded submission, from the grading records and notebooks."""
    import json

    from product_roles.instructor.trusted import read_records

    notes = []
    graded = course.folder("autograded") / student / assignment
    for record in read_records(graded):
        notebook = record.get("notebook", "")
        if "error" in record:
            notes.append(f"{notebook}: {record['error']}")
        for event in [*record.get("corrected", []), *record.get("execution", {}).get("events", [])]:
            notes.append(f"{notebook}: {event}")
        for grade_id, verdict in record.get("verdicts", {}).items():
            if verdict.get("problem"):
                notes.append(f"{grade_id}: {verdict['problem']}")
    for path in sorted(graded.glob("*.ipynb")):
        try:
            # Plain JSON: nbgrader has just written and validated this file.
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except Exception as err:  # noqa: BLE001 - a note, never a reason to fail
            notes.append(f"{path.name} could not be read back: {err}")
            continue
        for cell in cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") != "NotRun":
                    error = f"{output.get('ename')}: {output.get('evalue')}"
                    notes.append(f"{grade_id or 'a cell'}: {error}"[:200])
    submitted = course.folder("submitted") / student / assignment
    seen = set()
    for path in sorted(submitted.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue  # nbgrader says what is wrong with such a notebook
        for cell in cells if isinstance(cells, list) else []:
            meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
            seen.add(f"{path.stem}/{meta.get('grade_id', '')}")
    for missing in sorted(expected - seen):
        notes.append(
            f"{missing}: the graded cell was deleted from the submission (restored to grade it)"
        )
    return " | ".join(dict.fromkeys(notes))[:1000]


def _kernels(course: Course, assignment: str, student: str) -> str:
    """Which kernels ran the submission's notebooks, from its grading records."""
    from product_roles.instructor.trusted import read_records

    graded = course.folder("autograded") / student / assignment
    used = [r.get("execution", {}).get("kernels") for r in read_records(graded)]
    return "; ".join(dict.fromkeys(k for k in used if k))


def _grade_cells(course: Course, config, assignment: str) -> set[str]:
    from nbgrader.api import Gradebook

    url = config.CourseDirectory.db_url if "db_url" in config.CourseDirectory else None
    with Gradebook(url or course.gradebook_url, config.CourseDirectory.course_id or "") as gb:
        return {
            f"{nb.name}/{cell.name}"
            for nb in gb.find_assignment(assignment).notebooks
            for cell in nb.grade_cells
        }


def _scores(course: Course, config, assignment: str, student: str):
    from nbgrader.api import Gradebook, MissingEntry

    url = config.CourseDirectory.db_url if "db_url" in config.CourseDirectory else None
    url = url or course.gradebook_url
    with Gradebook(url, config.CourseDirectory.course_id or "") as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, gb.find_assignment(assignment).max_score, False
        return float(sub.score), float(sub.max_score), bool(sub.needs_manual_grade)


def _autograde_with_retries(assignment: str, student: str, config) -> Outcome:
    outcome = Outcome(success=False)
    for _attempt in range(RETRIES):
        # nbgrader's own warnings are shown, never raised, whatever filters the
        # process that started this worker had (a test runner's, say). A socket that
        # the garbage collector closes late is nobody's warning: ignored, as Python's
        # own defaults ignore it, rather than printed into the class's grading log.
        with warnings.catch_warnings():
            warnings.resetwarnings()
            warnings.simplefilter("default")
            warnings.simplefilter("ignore", ResourceWarning)
            outcome = _autograde(assignment, student, config)
        if not worth_retrying(outcome):
            break
        time.sleep(0.5)
    return outcome


def grade_submission(
    root: str,
    assignment: str,
    student: str,
    *,
    db_url: str | None = None,
    timeout: int | None = None,
    sandbox: bool = True,
    fork: bool = True,
    limits: dict | None = None,
    reveal: bool | None = None,
) -> dict:
    """Autograde ``student``'s ``assignment`` in the course at ``root``; return a :class:`Result` dict.

    Never raises for a bad submission: a submission nbgrader cannot grade gets the
    score the gradebook holds for it (0 for what was not graded) and the reason.

    ``sandbox``, ``fork``, ``limits`` and ``reveal`` override the course
    configuration's ``SandboxedExecute.sandbox``, ``SandboxedExecute.fork``,
    ``SandboxedExecute.limits`` and ``TrustedScoring.reveal_key``.
    """
    started = time.perf_counter()
    course = Course(root, db_url)
    overrides: dict[str, dict] = {}
    if timeout is not None:
        overrides["Execute"] = {"timeout": timeout}
    if db_url:
        overrides["CourseDirectory"] = {"db_url": db_url}
    if not sandbox or not fork or limits:
        overrides["SandboxedExecute"] = {
            **({} if sandbox else {"sandbox": False}),
            **({} if fork else {"fork": False}),
            **({"limits": limits} if limits else {}),
        }
    if reveal is not None:
        overrides["TrustedScoring"] = {"reveal_key": reveal}
    config = load_config(root, **overrides)
    from product_roles.instructor import warm

    with warm.savings():
        outcome = _autograde_with_retries(assignment, student, config)
        score, max_score, manual = _scores(course, config, assignment, student)
        expected = _grade_cells(course, config, assignment) if outcome.success else set()
    ok = outcome.success
    return Result(
        student=student,
        assignment=assignment,
        status="graded" if ok else "failed",
        score=score if ok else 0.0,
        max_score=max_score,
        needs_manual_grade=manual if ok else False,
        reason=_notes(course, assignment, student, expected) if ok else reason(outcome),
        seconds=round(time.perf_counter() - started, 3),
        worker=f"{platform.node()}:{os.getpid()}",
        kernels=_kernels(course, assignment, student),
    ).to_dict()

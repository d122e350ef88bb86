"""Grading one submission in a worker process, with nbgrader's own autograder.

A worker loads nbgrader and the course's configuration once and then grades one
submission per call, in place (``autograded/<student>/<assignment>/``), writing the
grades to the course's gradebook exactly as ``nbgrader autograde --student`` would.
The only change is where kernels come from: a fork server that has already imported
the kernel's modules (see :mod:`.forkkernel`), so a submission pays for a fresh
process, not for the imports.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

from ..grading import REVEAL_ENV
from .course import Course, load_config

RETRIES = 3


@dataclass
class Result:
    """What grading one submission gave: a score, or a reason it has none."""

    student: str
    assignment: str
    status: str  # "graded" or "failed"
    score: float
    max_score: float
    needs_manual_grade: bool
    reason: str
    seconds: float
    worker: str

    def to_dict(self) -> dict:
        return asdict(self)


def _fork_execute():
    from nbgrader.preprocessors import Execute

    from .forkkernel import ForkKernelManager

    class ForkExecute(Execute):
        """nbgrader's Execute, with kernels from the fork server (its config still applies)."""

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", ForkKernelManager)
            super().__init__(*args, **kwargs)

    return ForkExecute


def _autograde(course: Course, assignment: str, student: str, config) -> dict:
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log, temp_attrs

    coursedir = CourseDirectory(config=config)
    with temp_attrs(coursedir, assignment_id=assignment, student_id=student):
        app = Autograde(coursedir=coursedir, config=config)
        app.force = True
        app.create_student = True
        return capture_log(app)


def _reason(log: str) -> str:
    """The most telling error lines of an nbgrader log, in one line."""
    lines = [line for line in log.splitlines() if line.startswith(("[ERROR]", "[WARNING]"))]
    useful = [
        line.split("] ", 1)[1]
        for line in lines
        if "Removing failed" not in line and "Please see the error log" not in line
    ]
    text = " | ".join(dict.fromkeys(useful))
    return text[:600] if text else "nbgrader could not grade this submission"


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


def grade_submission(
    root: str,
    assignment: str,
    student: str,
    *,
    db_url: str | None = None,
    timeout: int | None = None,
    fork: bool = True,
    reveal: bool | None = None,
) -> dict:
    """Autograde ``student``'s ``assignment`` in the course at ``root``; return a :class:`Result` dict.

    Never raises for a bad submission: a submission nbgrader cannot grade gets the
    score the gradebook holds for it (0 for what was not graded) and the reason.
    """
    started = time.perf_counter()
    course = Course(root, db_url)
    overrides = {}
    if timeout is not None:
        overrides["Execute"] = {"timeout": timeout}
    if db_url:
        overrides["CourseDirectory"] = {"db_url": db_url}
    config = load_config(root, **overrides)
    if fork:
        preprocessors = list(config.Autograde.get("autograde_preprocessors", []))
        if not preprocessors:
            from nbgrader.converters import Autograde

            preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
        from nbgrader.preprocessors import Execute

        config.Autograde.autograde_preprocessors = [
            _fork_execute() if p is Execute else p for p in preprocessors
        ]
    if reveal is not None:
        os.environ[REVEAL_ENV] = "1" if reveal else "0"
    outcome: dict = {}
    for _attempt in range(RETRIES):
        outcome = _autograde(course, assignment, student, config)
        # Two graders committing to one SQLite file at once: wait and try again.
        if outcome.get("success") or "database is locked" not in outcome.get("log", ""):
            break
        time.sleep(0.5)
    score, max_score, manual = _scores(course, config, assignment, student)
    ok = bool(outcome.get("success"))
    return Result(
        student=student,
        assignment=assignment,
        status="graded" if ok else "failed",
        score=score if ok else 0.0,
        max_score=max_score,
        needs_manual_grade=manual if ok else False,
        reason="" if ok else _reason(outcome.get("log", "") + "\n" + outcome.get("error", "")),
        seconds=round(time.perf_counter() - started, 3),
        worker=f"{os.uname().nodename}:{os.getpid()}",
    ).to_dict()

"""Running nbgrader's own commands for the course, with its output kept for the instructor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def bin_dir() -> Path:
    return Path(sys.executable).parent


def run(*args: str, cwd: str | os.PathLike, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` with this environment's bin/ first on PATH.

    nbgrader's gradebook calls ``alembic`` by name, so the tools must be on PATH.
    """
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [str(bin_dir() / "nbgrader"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise NbgraderFailed(args, done)
    return done


def generate_assignment(assignment: str, *, cwd: str | os.PathLike) -> None:
    """``nbgrader generate_assignment ASSIGNMENT --force`` for the course in ``cwd``, in this process.

    The same converter the command runs, with the course's configuration, without a
    new interpreter that imports nbgrader all over again: a release generates twice
    (a scratch copy to validate, then the course's own).
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    from product_roles.instructor.course import load_config
    from product_roles.instructor.nbgrader_outcome import reason
    from product_roles.instructor.nbgrader_outcome import run as run_converter

    config = load_config(cwd)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    outcome = run_converter(converter)
    if not outcome.success:
        args = ("generate_assignment", assignment, "--force")
        raise NbgraderFailed(args, subprocess.CompletedProcess(args, 1, "", reason(outcome)))


class NbgraderFailed(RuntimeError):
    def __init__(self, args, done: subprocess.CompletedProcess) -> None:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        super().__init__(f"nbgrader {' '.join(args)} failed:\n" + "\n".join(tail))

"""Grading a whole class at once: N isolated workers, one submission per task.

Two engines run the same task, :func:`.worker.grade_submission`:

- ``local`` (the default): worker processes on this machine.
- ``dask``: the workers of a Dask cluster, given by its scheduler address
  (``tcp://host:8786``), for a class that outgrows one machine. Every worker must
  see the course folder at the same path (a shared file system) and reach the
  gradebook, so use PostgreSQL there (``--db postgresql://...``).

Each submission is graded in its own fresh, sandboxed kernel process (every worker
has its own sandboxed fork server; without the sandbox, a kernel started as
jupyter_client starts one where that server is not to be had), the gradebook is the course's (SQLite by
default), and the grades are the ones ``nbgrader autograde`` gives. A submission that cannot be graded never stops the batch: it comes back as
a ``failed`` result with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from product_roles.instructor.worker import grade_submission

Progress = Callable[[int, int, dict], None]


def default_workers() -> int:
    # Kernels spend part of each submission waiting on messages: two per core keeps
    # the cores busy without piling up memory.
    return max(2, 2 * (os.cpu_count() or 1))


def _failed(student: str, assignment: str, err: BaseException) -> dict:
    return {
        "student": student,
        "assignment": assignment,
        "status": "failed",
        "score": 0.0,
        "max_score": 0.0,
        "needs_manual_grade": False,
        "reason": f"the grading worker failed: {type(err).__name__}: {err}",
        "seconds": 0.0,
        "worker": "",
        "kernels": "",
    }


def _ensure_students(root: str, students: Iterable[str], db_url: str | None) -> None:
    """Add missing students before the workers start, so that no two workers add one at once."""
    from nbgrader.api import Gradebook

    from product_roles.instructor.course import Course

    course = Course(root, db_url)
    with Gradebook(course.gradebook_url, course.coursedir.course_id or "") as gb:
        for student in students:
            gb.update_or_create_student(student)


def grade_class(
    root: str | os.PathLike,
    assignment: str,
    students: list[str] | None = None,
    *,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    cluster=None,
    db_url: str | None = None,
    timeout: int | None = None,
    reveal: bool | None = None,
    sandbox: bool = True,
    fork: bool = True,
    limits: dict | None = None,
    progress: Progress | None = None,
) -> list[dict]:
    """Autograde every submission of ``assignment`` (or those of ``students``).

    Parameters
    ----------
    root : path
        The course folder (it holds ``nbgrader_config.py``).
    workers : int, optional
        Worker processes for the local engine (default: two per core).
    engine : {"local", "dask"}
    scheduler : str, optional
        A Dask scheduler address, for ``engine="dask"``.
    cluster : object, optional
        A Dask cluster object (such as a ``LocalCluster``), instead of ``scheduler``.
    db_url : str, optional
        The gradebook (an SQLAlchemy URL); the course's own by default.
    timeout : int, optional
        Seconds a cell may run before it is interrupted (nbgrader's ``Execute.timeout``).
    reveal : bool, optional
        Whether feedback names the expected answer of a wrong card (the course's
        ``TrustedScoring.reveal_key`` by default).
    sandbox : bool
        Run every kernel in the grading sandbox (the default). Off, student code runs
        with the grader's rights.
    fork : bool
        Start kernels from a warm fork server (the default, on Linux). Off, they start
        as jupyter_client starts them; the sandbox needs the fork server, so this
        needs ``sandbox=False`` too (else every submission fails, saying so).
    limits : dict, optional
        Sandbox limits by name (see :class:`.sandbox.Limits`), over the course's.
    progress : callable, optional
        Called as ``progress(done, total, result)`` after each submission.

    Returns
    -------
    list of dict
        One result per submission, in student order (see :class:`.worker.Result`).
    """
    from product_roles.instructor.course import Course

    root = str(Path(root).resolve())
    course = Course(root, db_url)
    students = list(students) if students is not None else course.submissions(assignment)
    if not students:
        return []
    _ensure_students(root, students, db_url)
    options = {
        "db_url": db_url,
        "timeout": timeout,
        "reveal": reveal,
        "sandbox": sandbox,
        "fork": fork,
        "limits": limits,
    }
    if engine == "local":
        results = _run_local(root, assignment, students, workers, options, progress)
    elif engine == "dask":
        results = _run_dask(root, assignment, students, scheduler, cluster, options, progress)
    else:
        raise ValueError(f"unknown engine {engine!r}: use 'local' or 'dask'")
    return sorted(results, key=lambda r: r["student"])


def _report(progress, done, total, result):
    if progress is not None:
        progress(done, total, result)


# What every worker imports before its first submission, once rather than once a worker.
WORKER_IMPORTS = (
    "nbgrader.converters",
    "nbgrader.preprocessors",
    "product_roles.instructor.worker",
)


def _worker_context():
    """How the workers start: ``fork`` on Linux when this process has one thread, so they
    share its imports; ``forkserver`` on Linux when it has more (a notebook server, a test
    runner), whose server is a fresh single-threaded process that imports
    :data:`WORKER_IMPORTS` once and forks each worker; ``spawn`` elsewhere, since macOS's
    own libraries are not safe in a forked child.
    """
    import importlib
    import sys
    import threading

    if not sys.platform.startswith("linux"):
        return get_context("spawn")
    if threading.active_count() == 1:
        for name in WORKER_IMPORTS:
            importlib.import_module(name)
        return get_context("fork")
    context = get_context("forkserver")
    # Only heeded before this process's fork server starts; it is the same list each time.
    context.set_forkserver_preload(list(WORKER_IMPORTS))
    return context


def _take_environment(environment: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(environment)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes started as :func:`_worker_context` says, with this environment."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_worker_context(),
        # A fork server's children have the environment it started with, not this one's.
        initializer=_take_environment,
        initargs=(dict(os.environ),),
    )


def _run_local(root, assignment, students, workers, options, progress) -> list[dict]:
    workers = min(workers or default_workers(), len(students))
    results = []
    with worker_pool(workers) as pool:
        futures = {
            pool.submit(grade_submission, root, assignment, student, **options): student
            for student in students
        }
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as err:  # noqa: BLE001 - a lost worker costs one result, not the batch
                result = _failed(futures[future], assignment, err)
            results.append(result)
            _report(progress, len(results), len(students), result)
    return results


def _run_dask(root, assignment, students, scheduler, cluster, options, progress) -> list[dict]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    if scheduler is None and cluster is None:
        raise ValueError("the dask engine needs a scheduler address (or a cluster)")
    results = []
    with Client(cluster if cluster is not None else scheduler) as client:
        futures = {
            client.submit(
                grade_submission, root, assignment, student, **options, pure=False
            ): student
            for student in students
        }
        for future in dask_completed(list(futures)):
            try:
                result = future.result()
            except Exception as err:  # noqa: BLE001
                result = _failed(futures[future], assignment, err)
            results.append(result)
            _report(progress, len(results), len(students), result)
    return results

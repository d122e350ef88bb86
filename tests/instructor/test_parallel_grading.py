"""Trusted, sandboxed grading gives honest students exactly the grades of plain nbgrader.

The same simulated class of honest students is graded in copies of one course: by
plain sequential `nbgrader autograde` with nbgrader's stock pipelines (the grades
they got before trusted grading), by plain `nbgrader autograde` with the course's
trusted pipelines, by the project's local workers sandboxed and not, by local
workers without the fork server (jupyter_client's standard kernels, forced, and
after the fork server failed to start), and by a Dask LocalCluster; every student's
score on every graded cell must be equal. A PostgreSQL gradebook on a real server
gets the same grades too.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import nbgrader
from grading_course import cell_grades, scratch_course, simulate_class
from postgres_server import postgres_server
from product_roles.instructor.parallel import grade_class
from product_roles.instructor.simulate import use_stock_nbgrader

pytestmark = pytest.mark.slow

ASSIGNMENT = "ai-era-shift"
STUDENTS = 4  # enough for scores that vary and for work shared by several workers


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """Three identical courses with the same submissions, and the sequential grades."""
    base = tmp_path_factory.mktemp("parallel")
    course = scratch_course(base / "sequential", [ASSIGNMENT])
    students = simulate_class(course, ASSIGNMENT, STUDENTS)
    copies = {}
    names = (
        "trusted-nbgrader",
        "local",
        "unsandboxed",
        "no-fork",
        "fork-fails",
        "dask",
        "postgres",
    )
    for name in names:
        copies[name] = shutil.copytree(course, base / name / "course")
    use_stock_nbgrader(course)
    nbgrader("autograde", ASSIGNMENT, cwd=course)
    sequential = cell_grades(course, ASSIGNMENT)
    assert len(sequential) == 2 * STUDENTS  # two graded cells each
    assert len({score for score in sequential.values()}) > 2, "the class should vary"
    return copies, students, sequential


def test_trusted_nbgrader_matches_stock_nbgrader(courses):
    copies, _, sequential = courses
    nbgrader("autograde", ASSIGNMENT, cwd=copies["trusted-nbgrader"])
    assert cell_grades(copies["trusted-nbgrader"], ASSIGNMENT) == sequential


def test_unsandboxed_workers_match_stock_nbgrader(courses):
    copies, students, sequential = courses
    results = grade_class(copies["unsandboxed"], ASSIGNMENT, workers=2, sandbox=False)
    assert [r["student"] for r in results] == students
    assert {r["kernels"] for r in results} == {"fork"}
    assert cell_grades(copies["unsandboxed"], ASSIGNMENT) == sequential


def test_standard_kernels_match_stock_nbgrader(courses):
    """The fallback, forced: no fork server at all, jupyter_client's own kernels."""
    copies, students, sequential = courses
    results = grade_class(copies["no-fork"], ASSIGNMENT, workers=2, sandbox=False, fork=False)
    assert [r["student"] for r in results] == students
    assert all(r["status"] == "graded" for r in results), results
    assert {r["kernels"] for r in results} == {"standard (forking is turned off)"}
    assert cell_grades(copies["no-fork"], ASSIGNMENT) == sequential


def test_a_fork_server_that_fails_changes_no_grade(courses, tmp_path, monkeypatch):
    """Every worker's fork server refuses to start: each submission falls back, and says so."""
    copies, students, sequential = courses
    (tmp_path / "threaded_preload.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("PRODUCT_ROLES_PRELOAD", "threaded_preload")
    results = grade_class(copies["fork-fails"], ASSIGNMENT, workers=2, sandbox=False)
    assert [r["student"] for r in results] == students
    assert all(r["status"] == "graded" for r in results), results
    for result in results:
        assert result["kernels"].startswith("standard (the kernel fork server did not start: ")
        assert "a preloaded module started a thread" in result["kernels"]
    assert cell_grades(copies["fork-fails"], ASSIGNMENT) == sequential


def test_local_workers_match_sequential_nbgrader(courses):
    copies, students, sequential = courses
    seen = []
    results = grade_class(
        copies["local"],
        ASSIGNMENT,
        workers=3,
        progress=lambda done, total, result: seen.append((done, total, result["student"])),
    )
    assert [r["student"] for r in results] == students
    assert all(r["status"] == "graded" and r["reason"] == "" for r in results), results
    assert {r["kernels"] for r in results} == {"fork"}
    # One report per submission, counting up to the class's size, each naming its student.
    assert sorted(done for done, _, _ in seen) == list(range(1, STUDENTS + 1))
    assert {total for _, total, _ in seen} == {STUDENTS}
    assert sorted(student for _, _, student in seen) == sorted(students)
    assert cell_grades(copies["local"], ASSIGNMENT) == sequential
    assert len({r["worker"] for r in results}) > 1, "more than one worker graded"


def test_dask_local_cluster_matches_sequential_nbgrader(courses):
    from distributed import LocalCluster

    copies, students, sequential = courses
    # No dashboard, and the scheduler's HTTP server on a free port rather than on
    # 8787, which another Dask cluster on the machine may hold.
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        results = grade_class(copies["dask"], ASSIGNMENT, engine="dask", cluster=cluster)
    assert [r["student"] for r in results] == students
    assert all(r["status"] == "graded" for r in results), results
    assert cell_grades(copies["dask"], ASSIGNMENT) == sequential


def test_postgresql_gradebook_matches_sequential_nbgrader(courses):
    copies, students, sequential = courses
    course = copies["postgres"]
    with postgres_server() as url:
        # The assignment's grade cells go into the PostgreSQL gradebook first.
        nbgrader("generate_assignment", ASSIGNMENT, "--force", f"--db={url}", cwd=course)
        results = grade_class(course, ASSIGNMENT, workers=2, db_url=url)
        assert all(r["status"] == "graded" for r in results), results
        assert cell_grades(course, ASSIGNMENT, db_url=url) == sequential
        assert {r["student"]: r["score"] for r in results} == {
            s: sum(v for (who, _, _), v in sequential.items() if who == s) for s in students
        }

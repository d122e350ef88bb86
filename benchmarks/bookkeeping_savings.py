"""Benchmark: the grader's own CPU per submission, with and without :func:`.warm.savings`.

``warm.savings`` reuses one gradebook engine and one schema check within a grading
call. This script grades the same simulated class twice, in two copies of one
course, in this one process, submission by submission, alternating which copy goes
first: once inside ``warm.savings()`` and once without it. It measures this
process's CPU time (``time.process_time``), which leaves out the kernels (other
processes) and so shows the grader's bookkeeping alone, and its wall time, and
checks that both copies got the same grades on every cell. Kernels are forked and
unsandboxed: the sandbox changes the kernels, not the bookkeeping.

Run from the repository root::

    .venv/bin/python benchmarks/bookkeeping_savings.py --students 40

It is not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from grading_throughput import grades, make_course, simulate


def grade(course_root: Path, assignment: str, student: str, savings: bool) -> tuple[float, float]:
    """Grade one submission as a worker does; this process's CPU seconds and wall seconds."""
    from product_roles.instructor import warm, worker
    from product_roles.instructor.course import Course, load_config

    course = Course(str(course_root))
    config = load_config(course_root, SandboxedExecute={"sandbox": False})
    cpu, wall = time.process_time(), time.perf_counter()
    with warm.savings() if savings else contextlib.nullcontext():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = worker._autograde(course, assignment, student, config)
        worker._scores(course, config, assignment, student)
        worker._grade_cells(course, config, assignment)
    if not outcome.get("success"):
        raise SystemExit(f"{student} could not be graded: {outcome.get('error', '')[-2000:]}")
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--assignment", default="traditional-divide")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bookkeeping-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "with").mkdir()
        with_savings = make_course(tmp / "with", options.assignment)
        simulate(with_savings, options.assignment, options.students, options.seed)
        without = shutil.copytree(with_savings, tmp / "without" / "course")
        students = sorted(p.name for p in (with_savings / "submitted").iterdir())
        # One submission each first, uncounted: imports and the fork server's start.
        grade(with_savings, options.assignment, students[0], True)
        grade(without, options.assignment, students[0], False)
        cpu = {"with": [], "without": []}
        wall = {"with": [], "without": []}
        for n, student in enumerate(students[1:]):
            order = ("with", "without") if n % 2 == 0 else ("without", "with")
            for kind in order:
                root = with_savings if kind == "with" else without
                seconds = grade(root, options.assignment, student, kind == "with")
                cpu[kind].append(seconds[0])
                wall[kind].append(seconds[1])
        identical = grades(with_savings, options.assignment) == grades(without, options.assignment)
    median = {k: statistics.median(v) for k, v in cpu.items()}
    median_wall = {k: statistics.median(v) for k, v in wall.items()}
    figures = {
        "submissions_timed": len(students) - 1,
        "grader_cpu_per_submission_with_savings_s": round(median["with"], 4),
        "grader_cpu_per_submission_without_s": round(median["without"], 4),
        "grader_cpu_ratio_without_over_with": round(median["without"] / median["with"], 2),
        "wall_per_submission_with_savings_s": round(median_wall["with"], 4),
        "wall_per_submission_without_s": round(median_wall["without"], 4),
        "wall_ratio_without_over_with": round(median_wall["without"] / median_wall["with"], 2),
        "grades_identical": identical,
    }
    for name, value in figures.items():
        print(f"{name:45s} {value}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")
    if not identical:
        raise SystemExit("the two copies got different grades")


if __name__ == "__main__":
    main()

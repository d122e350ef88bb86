"""Benchmark: grading a class from a process with threads, workers forked by a fork server
against workers spawned one by one.

A process with one thread forks its grading workers. One with several (a notebook
server, a test runner, a Dask client) cannot fork safely; it used to spawn each worker,
a fresh interpreter importing nbgrader on its own, and now has a fork server do it:
one interpreter imports the grading modules once, for every class this process grades,
and forks each worker.

The script makes one course with ``--students`` simulated submissions, starts a second
thread in this process, and grades the class ``--classes`` times in a row, as a notebook
server grading several assignments would, once with the workers as
:func:`product_roles.instructor.parallel.worker_pool` starts them and once with
``spawn``. The two ways alternate, ``--repeats`` times each, in copies of the course,
so both see the same machine load. CPU is the machine's (``/proc/stat``), since a fork
server's children are not this process's to count. It checks that both gave the same
grades and prints a Markdown table; docs/benchmarks.md records one run.

    .venv/bin/python benchmarks/worker_start.py --students 12 --classes 3 --repeats 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

from grading_throughput import grades, make_course, simulate  # beside this script
from suite_cpu import machine_cpu

from product_roles.instructor import parallel


def grade_classes(course: Path, assignment: str, classes: int, workers: int) -> dict:
    for _ in range(classes):
        results = parallel.grade_class(course, assignment, workers=workers)
        failed = [r for r in results if r["status"] != "graded"]
        if failed:
            sys.exit(f"not every submission was graded: {failed[:2]}")
    return grades(course, assignment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=12)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", default="traditional-divide")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        sys.exit("the fork server and /proc/stat are Linux's")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"

    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()  # as a notebook server has
    spawn = multiprocessing.get_context("spawn")
    ways = {
        "fork server": parallel._worker_context,
        "spawn (before)": lambda: spawn,
    }
    assert ways["fork server"]().get_start_method() == "forkserver"
    figures: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    seen = {}
    with tempfile.TemporaryDirectory(prefix="worker-start-") as scratch:
        base = make_course(Path(scratch), args.assignment)
        simulate(base, args.assignment, args.students, seed=2026)
        for repeat in range(args.repeats):
            for way, context in ways.items():
                course = Path(scratch) / f"{repeat}-{way.split()[0]}" / "course"
                shutil.copytree(base, course)
                cpu, started = machine_cpu(), time.perf_counter()
                with mock.patch.object(parallel, "_worker_context", context):
                    seen[way] = grade_classes(course, args.assignment, args.classes, args.workers)
                figures[way].append((time.perf_counter() - started, machine_cpu() - cpu))
                shutil.rmtree(course.parent)
    stop.set()
    if seen["fork server"] != seen["spawn (before)"]:
        sys.exit("the two ways gave different grades")
    print(
        f"{args.classes} classes of {args.students} in a row, {args.workers} workers, "
        f"median of {args.repeats}; the same grades both ways\n"
    )
    print("| workers started by | wall | machine CPU |\n|---|---|---|")
    medians = {
        way: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for way, runs in figures.items()
    }
    for way, (wall, cpu) in medians.items():
        print(f"| {way} | {wall:.1f} s | {cpu:.1f} s |")
    (new_wall, new_cpu), (old_wall, old_cpu) = medians.values()
    print(
        f"\nratio (fork server / spawn): wall {new_wall / old_wall:.2f}, CPU {new_cpu / old_cpu:.2f}"
    )


if __name__ == "__main__":
    main()

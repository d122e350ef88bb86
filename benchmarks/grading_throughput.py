"""Benchmark: a class graded by plain sequential nbgrader and by the project's grader, sandboxed or not.

Four runs grade the same simulated submissions, on the same machine, in the same
run, each in its own copy of one course: plain sequential ``nbgrader autograde``
with nbgrader's stock pipelines (hidden tests in an unsandboxed kernel),
``product-roles grade`` (trusted scoring, every kernel sandboxed),
``product-roles grade --no-sandbox``, and ``product-roles grade --no-sandbox
--no-fork`` (jupyter_client's standard kernels, the fallback where the fork server
cannot run). The script prints the time of each, the ratios, each one's cost per
submission against the floor (a fresh kernel executing an empty notebook), and
checks that all four gave every student the same grade on every cell.

Run from the repository root::

    .venv/bin/python benchmarks/grading_throughput.py --students 200

It is not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(args, cwd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return elapsed, done


def make_course(where: Path, assignment: str) -> Path:
    course = where / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    run([BIN / "nbgrader", "generate_assignment", assignment, "--force"], course)
    return course


def simulate(course: Path, assignment: str, students: int, seed: int) -> None:
    from product_roles.instructor.keys import load_keys
    from product_roles.instructor.simulate import dealt_cards, random_placements, submit

    keys = [k for k in load_keys(course / "solutions") if k.assignment == assignment]
    rng = random.Random(seed)
    release = course / "exercises" / assignment
    for n in range(students):
        student = f"s{n:03d}"
        dealt = dealt_cards(release, student)  # a pooled sort: the cards dealt to this student
        placements = random_placements(keys, rng, skill=rng.random(), dealt=dealt)
        submit(release, course / "submitted", student, placements)


def floor_seconds(repeats: int = 5) -> float:
    """Median time for a fresh kernel to execute an empty notebook (start, run, stop)."""
    code = (
        "import time, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('')])\n"
        "NotebookClient(nb).execute()\n"
        f"times = []\n"
        f"for _ in range({repeats}):\n"
        "    t = time.perf_counter(); NotebookClient(nb).execute()\n"
        "    times.append(time.perf_counter() - t)\n"
        "print(sorted(times)[len(times) // 2])\n"
    )
    _, done = run([sys.executable, "-c", code], ROOT)
    return float(done.stdout.strip().splitlines()[-1])


def grades(course: Path, assignment: str) -> dict:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    out[(sub.student.id, nb.name, grade.name)] = grade.score
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--assignment", default="traditional-divide")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        from product_roles.instructor.simulate import use_stock_nbgrader

        (tmp / "seq").mkdir()
        sequential = make_course(tmp / "seq", options.assignment)
        simulate(sequential, options.assignment, options.students, options.seed)
        sandboxed = shutil.copytree(sequential, tmp / "sandboxed" / "course")
        unsandboxed = shutil.copytree(sequential, tmp / "unsandboxed" / "course")
        standard = shutil.copytree(sequential, tmp / "standard" / "course")
        use_stock_nbgrader(sequential)

        floor = floor_seconds()
        seq_time, _ = run([BIN / "nbgrader", "autograde", options.assignment], sequential)
        command = [BIN / "product-roles", "grade", options.assignment, "--quiet"]
        if options.workers:
            command += ["--workers", str(options.workers)]
        box_time, _ = run(command, sandboxed)
        open_time, _ = run([*command, "--no-sandbox"], unsandboxed)
        standard_time, _ = run([*command, "--no-sandbox", "--no-fork"], standard)

        seq_grades = grades(sequential, options.assignment)
        identical = len(seq_grades) > 0 and all(
            grades(course, options.assignment) == seq_grades
            for course in (sandboxed, unsandboxed, standard)
        )
        n = options.students
        figures = {
            "students": n,
            "cpus": os.cpu_count(),
            "floor_empty_notebook_s": round(floor, 3),
            "sequential_nbgrader_s": round(seq_time, 1),
            "sandboxed_s": round(box_time, 1),
            "unsandboxed_s": round(open_time, 1),
            "standard_kernels_s": round(standard_time, 1),
            "speedup_sandboxed_vs_sequential": round(seq_time / box_time, 2),
            "speedup_unsandboxed_vs_sequential": round(seq_time / open_time, 2),
            "sandbox_overhead": round(box_time / open_time - 1, 3),
            "standard_kernels_over_forked": round(standard_time / open_time, 2),
            "sequential_per_submission_s": round(seq_time / n, 3),
            "sandboxed_per_submission_s": round(box_time / n, 3),
            "unsandboxed_per_submission_s": round(open_time / n, 3),
            "standard_kernels_per_submission_s": round(standard_time / n, 3),
            "sequential_per_submission_over_floor": round(seq_time / n / floor, 2),
            "sandboxed_per_submission_over_floor": round(box_time / n / floor, 2),
            "grades_compared": len(seq_grades),
            "grades_identical": identical,
        }
    for name, value in figures.items():
        print(f"{name:40s} {value}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")
    if not identical:
        sys.exit("the runs gave different grades")


if __name__ == "__main__":
    main()

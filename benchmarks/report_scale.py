"""How long ``product-roles report`` takes for a class of 200 and of 2,000 students.

For each class size, writes a graded class as grading leaves it, without running
nbgrader (:func:`product_roles.instructor.simulate_graded.graded_class`): the
``ai-era-shift`` assignment (36 cards in two card sorts, the course's largest), its
hidden tests and keys in the gradebook, a submission per student with the trusted
scores, and each student's grading record written by the grader's own writer. Students
have varied skill, seeded, so every run reports on the same class.

Then it times the whole command as an instructor runs it, in a fresh interpreter each
time (``product-roles report ai-era-shift``: imports, gradebook, records, statistics,
charts, the HTML page and ``grades.csv``), and prints the median of ``--repeats`` runs;
beside it the floor, a fresh interpreter that only imports what the report imports;
then the time of each phase of this tree's report, in this process once the imports
are done, to show which parts grow with the class.

With ``--baseline``, another checkout of the repository, the runs alternate between
this tree and the baseline on the same classes, so both see the same machine load:

    git worktree add /tmp/report-before <commit>
    .venv/bin/python benchmarks/report_scale.py --baseline /tmp/report-before

It prints a Markdown table; docs/benchmarks.md records one run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from product_roles.instructor.keys import load_keys
from product_roles.instructor.simulate import random_placements
from product_roles.instructor.simulate_graded import graded_class

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ai-era-shift"
RUN = "import sys; from product_roles.cli import main; sys.exit(main(sys.argv[1:]))"
# The floor: a fresh interpreter importing what the report imports, and nothing else.
FLOOR = (
    "import product_roles.cli, nbgrader.api, plotly.graph_objects, "
    "product_roles.instructor.trusted, product_roles.instructor.report_command"
)


def write_class(folder: Path, students: int, seed: int = 7) -> Path:
    source = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    cells = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade") and "BEGIN HIDDEN" in cell.source
    }
    keys = [k for k in load_keys(ROOT / "solutions") if k.assignment == ASSIGNMENT]
    rng = random.Random(seed)
    placements = {
        f"student{n:04d}": random_placements(keys, rng, skill=rng.betavariate(4, 2))
        for n in range(students)
    }
    return graded_class(folder, ASSIGNMENT, cells, placements)


def environment(tree: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "widgets"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # The editable install must not win over the tree under test.
    found = subprocess.run(
        [sys.executable, "-c", "import product_roles; print(product_roles.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).is_relative_to(tree / "widgets"):
        raise RuntimeError(f"imported {found}, not the package in {tree}")
    return env


def one_run(tree: Path, course: Path, out: Path) -> float:
    env = environment(tree)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", RUN, "report", ASSIGNMENT, "--out", str(out)],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
    )
    took = time.perf_counter() - started
    if not (out / "report.html").is_file():
        raise RuntimeError(f"{tree} wrote no report in {out}")
    return took


def breakdown(course: Path) -> dict[str, float]:
    """This tree's phases, timed in this process once the imports are done."""
    from product_roles.content.catalogue import load
    from product_roles.instructor import report_command
    from product_roles.instructor.class_stats import build, item_analysis, read_gradebook
    from product_roles.instructor.course import Course
    from product_roles.instructor.trusted import read_records

    times = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        times[name] = now - started
        started = now

    info = Course(course)
    grades, keys = read_gradebook(info.gradebook_url, "simulated", ASSIGNMENT)
    lap("gradebook (three queries)")
    autograded = info.folder("autograded")
    records = {g.student: read_records(autograded / g.student / ASSIGNMENT) for g in grades}
    lap("grading records (one file a student)")
    stats = build(grades, records, keys, [r.id for r in load().roles], info.submissions(ASSIGNMENT))
    item_analysis(stats)
    lap("statistics and item analysis")
    out = course / "breakdown"
    out.mkdir(exist_ok=True)
    report_command.write_html(stats, ASSIGNMENT, out / "report.html")
    report_command.write_csv(stats, out / "grades.csv")
    lap("charts, tables, report.html and grades.csv")
    return times


def floor_run() -> float:
    env = environment(ROOT)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = parser.parse_args(argv)
    trees = {"this tree": ROOT}
    if args.baseline:
        trees = {"baseline": args.baseline.resolve(), **trees}
    rows, phases = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for students in args.students:
            course = write_class(Path(tmp) / f"class{students}", students)
            times: dict[str, list[float]] = {name: [] for name in trees}
            times["floor"] = []
            for n in range(args.repeats):
                for name, tree in trees.items():
                    out = Path(tmp) / f"out{students}-{name}-{n}"
                    times[name].append(one_run(tree, course, out))
                times["floor"].append(floor_run())
            size = (Path(tmp) / f"out{students}-this tree-0" / "report.html").stat().st_size
            breakdown(course)  # once to import everything, then timed
            phases[students] = breakdown(course)
            rows.append((students, {k: statistics.median(v) for k, v in times.items()}, size))
    names = [*trees, "floor"]
    print(
        f"| students | {' | '.join(names)} |"
        + (" ratio |" if len(trees) > 1 else "")
        + " report.html |"
    )
    print("|---" * (len(names) + (2 if len(trees) > 1 else 1) + 1) + "|")
    for students, medians, size in rows:
        cells = " | ".join(f"{medians[k]:.2f} s" for k in names)
        ratio = f" {medians['baseline'] / medians['this tree']:.1f}x |" if len(trees) > 1 else ""
        print(f"| {students} | {cells} |{ratio} {size / 2**20:.1f} MiB |")
    print(f"\nMedian of {args.repeats} runs each, whole command in a fresh interpreter.\n")
    print("| this tree, in one process | " + " | ".join(f"{n} students" for n in phases) + " |")
    print("|---" * (len(phases) + 1) + "|")
    for phase in next(iter(phases.values())):
        print(f"| {phase} | " + " | ".join(f"{p[phase]:.2f} s" for p in phases.values()) + " |")


if __name__ == "__main__":
    main()

"""A class full of students who attack the grader, graded by plain nbgrader and by product-roles.

Every attack in :mod:`hostile_submissions` is submitted with an all-wrong answers
file, beside three honest students: two graded before the attackers, one after them
all (nbgrader grades in name order, so a submission that broke the grading of the
rest of the class, or left something behind for the next kernel, shows there). The class is graded twice, in two copies of one
course: by plain ``nbgrader autograde`` from the course folder, and by
``product-roles grade``'s parallel workers with the key hidden. Each time: no
attacker earns a point, the honest students get exactly their marks, nothing secret
reaches a graded notebook, nothing submitted, installed or recorded changes, and no
process an attacker started outlives grading.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import hostile_submissions as hostile
from conftest import nbgrader
from grading_course import cell_grades, key_for, keys_of, scratch_course
from product_roles.instructor.keys import HIDDEN
from product_roles.instructor.parallel import grade_class
from product_roles.instructor.simulate import submit

pytestmark = pytest.mark.slow

ASSIGNMENT = hostile.ASSIGNMENT
# Each limit is only as high as an attack needs to reach it, since attacks that run to
# a limit are what the grading waits for: the time limit stops the submission whose
# cells each stay under the 3 s cell time-out, with room left for an honest one.
LIMITS = {
    "memory_mb": 1024,
    "cpu_seconds": 5,
    "wall_seconds": 8,
    "output_kb": 256,
    "processes": 48,
    "disk_mb": 32,
    "file_size_mb": 8,
}
RUNS = ("plain-nbgrader", "product-roles")
LAST = "zz-honest-last"  # graded after every attacker


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


class Listener:
    """A TCP server on loopback that records whether anyone connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def _copy_course(source: Path, target: Path) -> Path:
    """A copy of the course, links and named pipes included (copytree refuses pipes)."""
    import stat

    pipes = [
        p for p in source.rglob("*") if not p.is_symlink() and stat.S_ISFIFO(p.lstat().st_mode)
    ]
    shutil.copytree(
        source,
        target,
        symlinks=True,
        ignore=lambda folder, names: [n for n in names if Path(folder, n) in pipes],
    )
    for pipe in pipes:
        os.mkfifo(target / pipe.relative_to(source))
    return target


def _lingering(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    import product_roles

    base = tmp_path_factory.mktemp("red-team")
    course = scratch_course(base / RUNS[0], [ASSIGNMENT], timeout=3)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.SandboxedExecute.limits = {LIMITS!r}\n")
        # What nbclient waits for the outputs of a cell that ignored its interrupt (4 s
        # by default) before the grader stops its kernel, and for a kernel that no
        # longer answers, such as one at its process limit, to shut down (5 s).
        config.write("c.Execute.iopub_timeout = 2\nc.KernelManager.shutdown_wait_time = 1\n")
    secrets = {"canary": uuid.uuid4().hex, "environment": uuid.uuid4().hex}
    (course / "canary.txt").write_text(secrets["canary"])
    marker = f"red-team-{uuid.uuid4().hex[:8]}"
    listener = Listener()
    (key,) = keys_of(ASSIGNMENT)
    right = {card: accepted[0] for card, accepted in key.answers.items()}
    wrong = {ASSIGNMENT: hostile.all_wrong(key)}
    release, submitted = course / "exercises" / ASSIGNMENT, course / "submitted"
    submit(release, submitted, "honest-right", {ASSIGNMENT: right})
    half = dict(right)
    half.update(dict(list(hostile.all_wrong(key).items())[: len(right) // 2]))
    submit(release, submitted, "honest-half", {ASSIGNMENT: half})
    submit(release, submitted, LAST, {ASSIGNMENT: right})
    expected = {
        "honest-right": _expected(ASSIGNMENT, "honest-right", right),
        "honest-half": _expected(ASSIGNMENT, "honest-half", half),
        LAST: _expected(ASSIGNMENT, LAST, right),
    }
    attackers = []
    for name, source in hostile.CODE.items():
        source = (
            source.replace("@MARKER@", marker)
            .replace("@CANARY@", str(course / "canary.txt"))
            .replace("@PORT@", str(listener.port))
        )
        submit(release, submitted, f"x-{name}", wrong, hostile.code_attack(source))
        attackers.append(f"x-{name}")
    for name, edit in hostile.FILES.items():
        submit(release, submitted, f"x-{name}", wrong, edit)
        attackers.append(f"x-{name}")
    refused = {}
    for name, (edit, reason) in hostile.refused_attacks(course).items():
        submit(release, submitted, f"y-{name}", wrong, edit)
        refused[f"y-{name}"] = reason
    courses = {
        RUNS[0]: course,
        RUNS[1]: _copy_course(course, base / RUNS[1] / "course"),
    }
    package = Path(product_roles.__file__).parent
    site_packages = Path(os.__file__).parent  # stdlib: nothing may be added there either
    before = {
        "submitted": {run: _digest(c / "submitted") for run, c in courses.items()},
        "solutions": {run: _digest(c / "solutions") for run, c in courses.items()},
        "package": _digest(package),
        "prefix": sorted(p.name for p in Path(sys.prefix).rglob("*.pth")),
        "stdlib": sorted(p.name for p in site_packages.glob("*.pth")),
    }
    os.environ["GRADER_SECRET"] = secrets["environment"]
    try:
        # The two runs grade separate copies, so they overlap: most of their time is
        # spent waiting for attackers' kernels to reach a limit.
        with ThreadPoolExecutor(1) as pool:
            stock = pool.submit(
                nbgrader, "autograde", ASSIGNMENT, cwd=courses[RUNS[0]], check=False
            )
            results = grade_class(courses[RUNS[1]], ASSIGNMENT, workers=3, reveal=False)
            plain = stock.result()
        time.sleep(1)  # anything still alive has had time to be reaped
        lingering = _lingering(marker)
    finally:
        os.environ.pop("GRADER_SECRET", None)
        listener.close()
    after = {
        "submitted": {run: _digest(c / "submitted") for run, c in courses.items()},
        "solutions": {run: _digest(c / "solutions") for run, c in courses.items()},
        "package": _digest(package),
        "prefix": sorted(p.name for p in Path(sys.prefix).rglob("*.pth")),
        "stdlib": sorted(p.name for p in site_packages.glob("*.pth")),
    }
    return {
        "courses": courses,
        "key": key,
        "expected": expected,
        "attackers": attackers,
        "refused": refused,
        "secrets": secrets,
        "plain": plain,
        "results": {r["student"]: r for r in results},
        "before": before,
        "after": after,
        "lingering": lingering,
        "listener": listener,
    }


def _expected(assignment: str, student: str, placements: dict) -> tuple[float, float]:
    """The points and the most ``student`` can earn: the cards dealt to them, judged by the key."""
    dealt = key_for(assignment, student).answers
    return float(sum(placements.get(c) in a for c, a in dealt.items())), float(len(dealt))


def _totals(course: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    for (student, _, _), score in cell_grades(course, ASSIGNMENT).items():
        totals[student] = totals.get(student, 0.0) + (score or 0.0)
    return totals


@pytest.mark.parametrize("run", RUNS)
def test_no_attacker_earns_a_point_and_honest_students_get_theirs(classroom, run):
    totals = _totals(classroom["courses"][run])
    expected = classroom["expected"]
    full = expected["honest-right"][1]
    assert full < len(classroom["key"].answers), "each student is dealt part of the pool"
    assert totals["honest-right"] == expected["honest-right"][0] == full
    assert totals.get(LAST) == full, "the student graded after the attackers got every mark"
    assert 0 < totals["honest-half"] == expected["honest-half"][0] < full
    stolen = {
        who: totals.get(who)
        for who in [*classroom["attackers"], *classroom["refused"]]
        if totals.get(who)
    }
    assert stolen == {}, f"points earned by attacks: {stolen}"
    assert set(classroom["attackers"]) <= set(totals), "every attacker has a grade"


@pytest.mark.parametrize("run", RUNS)
def test_the_gradebook_holds_only_the_assignments_cells(classroom, run):
    names = {cell for (_, _, cell) in cell_grades(classroom["courses"][run], ASSIGNMENT)}
    assert names == {"test-card-roles"}


def _graded_text(course: Path) -> str:
    """Everything the graded notebooks show but their sources: outputs and metadata."""
    import json

    parts = []
    for path in (course / "autograded").rglob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        parts.append(json.dumps(nb.get("metadata", {})))
        for cell in nb["cells"]:
            parts.append(json.dumps(cell.get("outputs", [])))
    return "\n".join(parts)


@pytest.mark.parametrize("run", RUNS)
def test_nothing_secret_reaches_a_graded_notebook(classroom, run):
    text = _graded_text(classroom["courses"][run])
    for secret in classroom["secrets"].values():
        assert secret not in text
    for word in ("STOLEN", "WROTE", "CONNECTED", "MAPPED"):
        assert word not in text, f"an attack printed {word}"
    assert HIDDEN[0] not in text
    for key_line in _hidden_lines(classroom["courses"][run]):
        assert key_line not in text
    sources = "".join(
        p.read_text(encoding="utf-8")
        for p in (classroom["courses"][run] / "autograded").rglob("*.ipynb")
    )
    assert HIDDEN[0] not in sources, "a graded notebook still holds its hidden tests"


def _hidden_lines(course: Path) -> list[str]:
    """The lines of the assignment's hidden tests, as JSON would quote them."""
    import json

    import nbformat

    nb = nbformat.read(course / "solutions" / ASSIGNMENT / hostile.NOTEBOOK, as_version=4)
    lines = []
    for cell in nb.cells:
        if HIDDEN[0] in cell.source:
            hidden = cell.source.split(HIDDEN[0], 1)[1].split(HIDDEN[1], 1)[0]
            lines += [
                json.dumps(line.strip())[1:-1]
                for line in hidden.splitlines()
                if len(line.strip()) > 20
            ]
    assert lines, "the hidden tests were found"
    return lines


def test_no_attack_reached_the_network(classroom):
    assert classroom["listener"].connections == 0


@pytest.mark.parametrize("run", RUNS)
def test_submissions_solutions_and_the_package_are_unchanged(classroom, run):
    before, after = classroom["before"], classroom["after"]
    assert after["submitted"][run] == before["submitted"][run]
    assert after["solutions"][run] == before["solutions"][run]
    assert after["package"] == before["package"]
    assert after["prefix"] == before["prefix"]
    assert after["stdlib"] == before["stdlib"]


def test_no_process_an_attacker_started_outlives_grading(classroom):
    assert classroom["lingering"] == []


def test_the_hidden_key_stays_hidden_whatever_the_kernel_sets(classroom):
    # Graded with the key hidden; the attacker turned reveal on inside the kernel.
    folder = classroom["courses"][RUNS[1]] / "autograded" / "x-reveal-the-key" / ASSIGNMENT
    text = (folder / hostile.NOTEBOOK).read_text()
    assert "(0/1)" in text
    assert "; expected " not in text


@pytest.mark.parametrize(
    ("attacker", "reason"),
    [
        ("x-output-flood", "output limit of 256 KiB"),
        ("x-cpu-ignoring-interrupts", "went on after the 3 s time-out and its interrupt"),
        ("x-memory", "MemoryError"),
        ("x-exit-before-tests", "the kernel died"),
        ("x-huge-answers-file", "larger than"),
        ("x-answers-deeply-nested", "not an answers file"),
        ("x-answers-huge-number", "not an answers file"),
        ("x-answers-is-a-folder", "not a regular file"),
        ("x-widget-state-flood", "output limit of 256 KiB"),
        ("x-display-update-flood", "output limit of 256 KiB"),
        ("x-huge-result", "output limit of 256 KiB"),
        ("x-sleep-under-every-timeout", f"time limit of {LIMITS['wall_seconds']} s"),
        ("x-answers-with-bom", "not valid JSON"),
        ("x-answers-invalid-utf8", "not valid JSON"),
    ],
)
def test_the_result_says_why_points_were_lost(classroom, attacker, reason):
    result = classroom["results"][attacker]
    assert result["status"] == "graded", result
    assert reason in result["reason"], result


def test_submissions_with_links_devices_or_forgeries_are_refused_untouched(classroom):
    results = classroom["results"]
    for student, reason in classroom["refused"].items():
        result = results[student]
        assert result["status"] == "failed", result
        assert result["score"] == 0.0
        assert reason in result["reason"], result
        for course in classroom["courses"].values():
            graded = course / "autograded" / student
            assert not list(graded.rglob("*.ipynb")), "no notebook of it was graded"
            assert not [p for p in graded.rglob("*") if p.is_symlink()], "no link was copied"


def test_every_student_in_the_class_is_graded(classroom):
    results = {who: r for who, r in classroom["results"].items() if who not in classroom["refused"]}
    assert set(results) == {"honest-right", "honest-half", LAST, *classroom["attackers"]}
    assert all(r["status"] == "graded" for r in results.values()), [
        r for r in results.values() if r["status"] != "graded"
    ]
    assert "Traceback" not in classroom["plain"].stdout

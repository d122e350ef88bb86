"""What `product-roles grade` shows while grading, where its stderr goes, and its class record.

Without nbgrader: the progress bar and its lines, the stderr log (as workers write
to it, from child processes) and the merging of one student's result into the
class's grading.json. The end-to-end run is in test_instructor_cli.py.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

from product_roles.instructor import grading_record
from product_roles.instructor.progress import ClassProgress


def result(student, score=3.0, status="graded", reason=""):
    return {
        "student": student,
        "assignment": "a",
        "status": status,
        "score": score,
        "max_score": 4.0,
        "needs_manual_grade": False,
        "reason": reason,
        "seconds": 0.25,
        "worker": "",
    }


def test_a_pipe_gets_one_line_per_submission():
    out = io.StringIO()
    progress = ClassProgress(out, tty=False)
    progress(1, 2, result("ana"))
    progress(2, 2, result("ben", 0.0, "failed", "NotJSONError: not JSON"))
    progress.finish()
    assert out.getvalue().splitlines() == [
        "[1 of 2] ana: 3 of 4 (0.2 s)",
        "[2 of 2] ben: NOT GRADED, scored 0: NotJSONError: not JSON (0.2 s)",
    ]
    assert "\r" not in out.getvalue()


def screen(text: str) -> list[str]:
    """The lines a terminal shows after printing ``text``: a carriage return writes over."""
    lines, col = [[]], 0
    for char in text:
        if char == "\r":
            col = 0
        elif char == "\n":
            lines.append([])
            col = 0
        else:
            line = lines[-1]
            line[col : col + 1] = [char]
            col += 1
    return ["".join(line).rstrip() for line in lines]


def test_a_terminal_gets_one_bar_redrawn_in_place_and_a_line_per_failure():
    out = io.StringIO()
    progress = ClassProgress(out, tty=True)
    progress(1, 4, result("a-long-student-name"))
    assert screen(out.getvalue()) == [
        "[######..................] 1 of 4  a-long-student-name: 3 of 4 (0.2 s)"
    ]
    progress(2, 4, result("ben"))
    progress(3, 4, result("cy", 0.0, "failed", "the kernel died"))
    progress(4, 4, result("dee"))
    progress.finish()
    assert screen(out.getvalue()) == [
        "[3 of 4] cy: NOT GRADED, scored 0: the kernel died (0.2 s)",
        "[########################] 4 of 4  dee: 3 of 4 (0.2 s)",
        "",
    ]


def test_quiet_shows_nothing():
    out = io.StringIO()
    progress = ClassProgress(out, tty=True, quiet=True)
    progress(1, 1, result("ana"))
    progress.finish()
    assert out.getvalue() == ""


GRADER = """
import subprocess, sys, warnings
from pathlib import Path
from product_roles.instructor.progress import stderr_to

warnings.simplefilter("always")
path = Path(sys.argv[1])
with stderr_to(path, "first run") as log:
    warnings.warn("from the grader itself", UserWarning, stacklevel=1)
    child = "import warnings; warnings.warn('from a worker', DeprecationWarning)"
    subprocess.run([sys.executable, "-W", "always", "-c", child], check=True)
    print("progress stays on stdout", flush=True)
print(f"{log.warnings} warnings in this run", flush=True)
with stderr_to(path, "second run") as again:
    print("nothing to see", file=sys.stderr)
print(f"{again.warnings} warnings, {again.text!r}", flush=True)
print("stderr is the terminal's again", file=sys.stderr)
"""


def test_stderr_of_the_grader_and_of_its_children_goes_to_the_log(tmp_path):
    log = tmp_path / "reports" / "grading.log"
    done = subprocess.run(
        [sys.executable, "-c", GRADER, str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "progress stays on stdout",
        "2 warnings in this run",
        "0 warnings, 'nothing to see\\n'",
    ]
    assert done.stderr == "stderr is the terminal's again\n"
    text = log.read_text()
    assert "UserWarning: from the grader itself" in text
    assert "DeprecationWarning: from a worker" in text
    assert text.index("=== first run") < text.index("from a worker") < text.index("=== second run")


def test_grading_some_students_keeps_the_rest_of_the_class(tmp_path):
    path = grading_record.record_path(tmp_path, "a")
    grading_record.write(path, [result("ana"), result("ben"), result("cy")], whole_class=True)
    regraded = result("ben", 4.0)
    kept = grading_record.write(path, [regraded], whole_class=False)
    on_disk = json.loads(path.read_text())
    assert on_disk == kept
    assert [r["student"] for r in on_disk] == ["ana", "ben", "cy"]
    assert on_disk[1] == regraded
    assert on_disk[0] == result("ana")
    # A student graded for the first time joins the record.
    grading_record.write(path, [result("abe")], whole_class=False)
    assert [r["student"] for r in json.loads(path.read_text())] == ["abe", "ana", "ben", "cy"]
    # Grading the whole class again makes the record the class as graded now.
    grading_record.write(path, [result("cy")], whole_class=True)
    assert [r["student"] for r in json.loads(path.read_text())] == ["cy"]


def test_a_damaged_record_is_replaced_not_merged(tmp_path):
    path = grading_record.record_path(tmp_path, "a")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    grading_record.write(path, [result("ben")], whole_class=False)
    assert [r["student"] for r in json.loads(path.read_text())] == ["ben"]

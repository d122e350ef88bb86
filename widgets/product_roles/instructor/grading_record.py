"""The class's grading record, ``reports/<assignment>/grading.json``: one result per student.

``product-roles grade`` writes it. Grading the whole class replaces it; grading some
students (``--student``) updates theirs and keeps everyone else's, so a regrade of
one student never loses the class.
"""

from __future__ import annotations

import json
from pathlib import Path

NAME = "grading.json"


def record_path(root: str | Path, assignment: str) -> Path:
    return Path(root) / "reports" / assignment / NAME


def read(path: Path) -> list[dict]:
    """The results in ``path``; none when it is missing or is not such a record."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(results, list):
        return []
    return [r for r in results if isinstance(r, dict) and isinstance(r.get("student"), str)]


def merged(previous: list[dict], results: list[dict]) -> list[dict]:
    """``previous`` with each student of ``results`` replaced by their new result, by student."""
    by_student = {r["student"]: r for r in previous}
    by_student.update({r["student"]: r for r in results})
    return [by_student[student] for student in sorted(by_student)]


def write(path: Path, results: list[dict], *, whole_class: bool) -> list[dict]:
    """Save ``results``: the whole record when ``whole_class``, else over the students in it.

    Returns what was written, one result per student in name order.
    """
    kept = results if whole_class else merged(read(path), results)
    kept = sorted(kept, key=lambda r: r["student"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(kept, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return kept

"""A graded class without running nbgrader, for the class report's tests and benchmark.

Writes what grading leaves behind, as the grader writes it: the gradebook's
assignment, notebook, grade and source cells (the hidden tests with their keys),
one submission per student with each trusted score, and each student's grading
record (``autograded/<student>/<assignment>/.grading/<notebook>.json``, by the
trusted grader's own writer from :func:`~product_roles.grading.judge`'s verdicts).
The report then reads it exactly as it reads a class graded for real; one nbgrader
round trip in the tests checks that the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from product_roles.grading import answers, judge
from product_roles.instructor.keys import SCORERS, keys_in_cell
from product_roles.instructor.trusted import _combine, _write_record

CONFIG = "c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = 'simulated'\n"

# student -> exercise -> card -> category placed (None, or a missing card: not placed);
# an exercise missing for a student means no answers file was submitted.
Placements = Mapping[str, Mapping[str, Mapping[str, str | None]]]


def graded_class(
    root: str | os.PathLike,
    assignment: str,
    cells: Mapping[str, str],
    placements: Placements,
    *,
    notebook: str | None = None,
    submitted_only: tuple[str, ...] = (),
) -> Path:
    """Write a course at ``root`` whose ``assignment`` was graded with ``placements``.

    Parameters
    ----------
    root : path
        The course folder to create (``nbgrader_config.py``, ``gradebook.db``,
        ``submitted/``, ``autograded/``).
    assignment : str
        The assignment's name.
    cells : mapping
        Grade id to the source of its test cell, hidden tests and key included, as
        the instructor's notebook holds it.
    placements : mapping
        What each student placed (see :data:`Placements`).
    notebook : str, optional
        The notebook's name; the assignment's name by default.
    submitted_only : tuple of str
        Students with a submission that was never graded.
    """
    from nbgrader.api import (
        Grade,
        Gradebook,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    root = Path(root)
    notebook = notebook or assignment
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    calls = {
        grade_id: [call for call in keys_in_cell(source) if call[0] in SCORERS]
        for grade_id, source in cells.items()
    }
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "simulated") as gb:
        gb.add_assignment(assignment)
        gb.add_notebook(notebook, assignment)
        for grade_id, source in cells.items():
            points = sum(len(key) for _, _, key in calls[grade_id])
            gb.add_grade_cell(grade_id, notebook, assignment, max_score=points, cell_type="code")
            gb.add_source_cell(
                grade_id,
                notebook,
                assignment,
                cell_type="code",
                source=source,
                locked=True,
                checksum="",
            )
        (nb_row,) = gb.find_assignment(assignment).notebooks
        grade_cells = {cell.name: cell for cell in nb_row.grade_cells}
        # One commit for the whole class: nbgrader's add_submission commits per student.
        for student, chosen in sorted(placements.items()):
            verdicts = {
                grade_id: _combine([_judged(exercise, key, chosen) for _, exercise, key in found])
                for grade_id, found in calls.items()
            }
            submission = SubmittedAssignment(
                assignment=nb_row.assignment, student=Student(id=student)
            )
            submitted = SubmittedNotebook(notebook=nb_row, assignment=submission)
            for grade_id, verdict in verdicts.items():
                Grade(
                    cell_id=grade_cells[grade_id].id,
                    notebook=submitted,
                    auto_score=verdict.points,
                    needs_manual_grade=False,
                )
            gb.db.add(submission)
            folder = root / "autograded" / student / assignment
            folder.mkdir(parents=True)
            (root / "submitted" / student / assignment).mkdir(parents=True)
            resources = {"metadata": {"path": str(folder)}, "nbgrader": {"notebook": notebook}}
            _write_record(resources, verdicts, [])
        for student in submitted_only:
            (root / "submitted" / student / assignment).mkdir(parents=True)
        gb.db.commit()
    return root


def _judged(exercise: str, key: dict, chosen: Mapping[str, Mapping[str, str | None]]):
    placed = chosen.get(exercise)
    saved = None if placed is None else answers.Answers(exercise, dict(placed))
    return judge(exercise, key, saved, reveal=False)

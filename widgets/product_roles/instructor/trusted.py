"""Trusted scoring: card sorts scored by the grader's own process, never by the student's kernel.

A student's cells run before the hidden tests, in the same kernel, so anything the
kernel computes can be forged: the scoring function replaced, the display of the
result changed, the answers file rewritten from a key read off the disk. These
nbgrader preprocessors take the kernel out of the score altogether:

- :class:`TrustedScoring` runs while nbgrader sanitizes a submission, before any
  student code. It finds every scoring call (``score_placements("ex", KEY)``) in the
  hidden tests of the instructor's source cells, as the gradebook holds them, reads
  each answers file exactly as submitted, and judges it. Then it removes the hidden
  tests from the notebook, so the key never reaches the kernel.
- :class:`RecordTrustedScores` runs after nbgrader has executed the notebook and
  saved its grades: it writes each trusted score into the gradebook and puts the
  verdict lines in the test cell's output, in place of whatever the kernel printed.
- :class:`StripHiddenTests` runs in ``generate_feedback``: no hidden test source
  reaches a feedback page, whatever notebook it is given.

Whether a wrong card's line names the expected role is decided here, in the grader
(``TrustedScoring.reveal_key``), never in the kernel. ``nbgrader_config.py`` puts
them in nbgrader's pipelines, so plain ``nbgrader autograde`` and
``generate_feedback`` use them as ``product-roles grade`` does.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, default

from .. import answers
from ..grading import Verdict, judge, reveal_from_environment, set_aside_note
from .keys import keys_in_cell, strip_hidden

SCORERS = frozenset({"score_placements"})
RECORDS = ".grading"

# Verdicts judged while sanitizing, waiting for the same submission's grades to be saved,
# and what sanitizing had to set right in the notebook.
_pending: dict[tuple[str, str, str, str], dict[str, Verdict]] = {}
_corrected: dict[tuple[str, str, str, str], list[str]] = {}


def _submission(resources) -> tuple[str, str, str, str]:
    info = resources["nbgrader"]
    return (info["db_url"], info["assignment"], info["student"], info["notebook"])


def trusted_cells(gradebook: Gradebook, notebook: str, assignment: str) -> dict[str, list]:
    """Grade id to the scoring calls, ``(scorer, exercise, key)``, of its hidden tests."""
    found = {}
    for cell in gradebook.find_notebook(notebook, assignment).grade_cells:
        try:
            source = gradebook.find_source_cell(cell.name, notebook, assignment).source
        except MissingEntry:
            continue
        calls = [call for call in keys_in_cell(source) if call[0] in SCORERS]
        if calls:
            found[cell.name] = calls
    return found


def judge_submitted(folder: str | os.PathLike, exercise: str, key: dict, reveal: bool) -> Verdict:
    """Judge the answers file of ``exercise`` in the submitted ``folder``, trusting nothing in it."""
    path = answers.path_for(exercise, folder)
    try:
        saved = answers.read_submitted(path, exercise)
    except answers.AnswersError as err:
        problem = f"{path.name} was submitted but cannot be scored: {err}."
        return judge(exercise, key, None, reveal=reveal, problem=problem)
    return judge(exercise, key, saved, reveal=reveal, problem=set_aside_note(path))


def _combine(verdicts: list[Verdict]) -> Verdict:
    lines = tuple(line for verdict in verdicts for line in verdict.lines)
    problem = " ".join(v.problem for v in verdicts if v.problem)
    points = sum(v.points for v in verdicts)
    return Verdict(points, sum(v.max_points for v in verdicts), lines, problem)


class TrustedScoring(NbGraderPreprocessor):
    """Judge the submitted answers files before any student code runs; keep the key out."""

    reveal_key = Bool(
        help="Whether a wrong card's feedback line names the expected role and explains it. "
        "Defaults to PRODUCT_ROLES_REVEAL_KEY in the grader's environment (on unless 0, "
        "no, false or off)."
    ).tag(config=True)

    @default("reveal_key")
    def _reveal_default(self) -> bool:
        return reveal_from_environment()

    def preprocess(self, nb: NotebookNode, resources: dict):
        db_url, assignment, student, notebook = _submission(resources)
        folder = resources["metadata"]["path"]  # the submission as it came in
        with Gradebook(db_url) as gradebook:
            cells = trusted_cells(gradebook, notebook, assignment)

        verdicts = {
            grade_id: _combine(
                [judge_submitted(folder, exercise, key, self.reveal_key)
                 for _, exercise, key in calls]
            )
            for grade_id, calls in cells.items()
        }  # fmt: skip
        _pending[(db_url, assignment, student, notebook)] = verdicts
        for cell in nb.cells:
            # Other hidden tests stay: nbgrader runs them in the (sandboxed) kernel.
            if cell.metadata.get("nbgrader", {}).get("grade_id") in verdicts:
                cell.source = strip_hidden(cell.source)
        return nb, resources


class ForgetUnknownCells(NbGraderPreprocessor):
    """Make plain cells of those a student marked as nbgrader cells that the assignment lacks.

    nbgrader drops the id of such a cell but keeps its flags, and then cannot grade the
    submission at all; a forged cell should cost nothing but itself. Runs before
    ``OverwriteCells``.
    """

    def preprocess(self, nb: NotebookNode, resources: dict):
        db_url, assignment, student, notebook = _submission(resources)
        with Gradebook(db_url) as gradebook:
            known = {c.name for c in gradebook.find_notebook(notebook, assignment).source_cells}
        corrected = []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is not None and meta.get("grade_id") not in known:
                corrected.append(
                    f"a cell marked as nbgrader cell {meta.get('grade_id', '(no id)')!r}, which "
                    "the assignment does not have, was graded as an ordinary cell"
                )
                del cell.metadata["nbgrader"]
        _corrected[(db_url, assignment, student, notebook)] = corrected
        return nb, resources


class RecordTrustedScores(NbGraderPreprocessor):
    """Write the trusted scores into the gradebook and the verdicts into the test cells."""

    def preprocess(self, nb: NotebookNode, resources: dict):
        key = _submission(resources)
        db_url, assignment, student, notebook = key
        verdicts = _pending.pop(key, None)
        if verdicts is None:
            raise RuntimeError(
                f"{notebook}: no trusted verdicts were made while sanitizing; "
                "TrustedScoring must be among Autograde.sanitize_preprocessors"
            )
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in verdicts and cell.cell_type == "code":
                verdict = verdicts[grade_id]
                cell.outputs = [
                    NotebookNode(output_type="stream", name="stdout", text=verdict.text),
                    NotebookNode(
                        output_type="execute_result",
                        execution_count=cell.get("execution_count"),
                        data={"text/plain": repr(verdict.points)},
                        metadata={},
                    ),
                ]
        with Gradebook(db_url) as gradebook:
            for grade_id, verdict in verdicts.items():
                grade = gradebook.find_grade(grade_id, notebook, assignment, student)
                grade.auto_score = min(verdict.points, float(grade.max_score))
                grade.needs_manual_grade = grade.manual_score is not None
            gradebook.db.commit()
        _write_record(resources, verdicts, _corrected.pop(key, []))
        return nb, resources


def _write_record(resources: dict, verdicts: dict[str, Verdict], corrected: list[str]) -> None:
    """Save what was judged and how the notebook ran, for the instructor's tools to read."""
    folder = Path(resources["metadata"]["path"]) / RECORDS
    folder.mkdir(exist_ok=True)
    notebook = resources["nbgrader"]["notebook"]
    record = {
        "notebook": notebook,
        "verdicts": {grade_id: asdict(v) for grade_id, v in verdicts.items()},
        "corrected": corrected,
        "execution": resources.get("product_roles", {}).get("execution", {}),
    }
    (folder / f"{notebook}.json").write_text(json.dumps(record, indent=2) + "\n")


def read_records(folder: str | os.PathLike) -> list[dict]:
    """The grading records of one autograded submission folder, one per notebook."""
    records = []
    for path in sorted((Path(folder) / RECORDS).glob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as err:
            records.append({"notebook": path.stem, "error": f"unreadable record: {err}"})
    return records


class StripHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests from every cell, for pages that students see."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if "source" in cell:
            cell.source = strip_hidden(cell.source)
        return cell, resources

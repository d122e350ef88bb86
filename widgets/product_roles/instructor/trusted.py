"""Trusted scoring: card sorts scored by the grader's own process, never by the student's kernel.

A student's cells run before the hidden tests, in the same kernel, so anything the
kernel computes can be forged: the scoring function replaced, the display of the
result changed, the answers file rewritten from a key read off the disk. These
nbgrader preprocessors take the kernel out of the score altogether:

- :class:`TrustedScoring` runs while nbgrader sanitizes a submission, before any
  student code. It finds every scoring call (``score_placements("ex", KEY)``) in the
  hidden tests of the instructor's source cells, as the gradebook holds them, reads
  each answers file exactly as submitted, and judges it. A sort whose cards are dealt
  from a larger pool is judged on the cards dealt to the submission's student id
  (:mod:`.deals`), whatever the answers file holds. Then it removes the hidden tests
  from the notebook, so the key never reaches the kernel.
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
import stat
from dataclasses import asdict
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, default

from product_roles.grading import (
    Verdict,
    answers,
    judge,
    misfiled_note,
    reveal_from_environment,
    set_aside_note,
)
from product_roles.instructor.deals import notebook_deals, with_student
from product_roles.instructor.keys import SCORERS, keys_in_cell, strip_hidden

RECORDS = ".grading"
# A released notebook is about 30 KiB and 20 cells; a card sort's answers about 3 KiB.
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
MAX_SUBMISSION_BYTES = 64 * 1024 * 1024
MAX_FILES = 500
MAX_CELLS = 2000


class SubmissionError(ValueError):
    """A submission the grader will not touch; the message says why, in a student's words."""


def check_submission(folder: str | os.PathLike) -> None:
    """Refuse a submitted folder holding anything but plain files and folders, or far too much.

    nbgrader copies a submission's files by following links, as the grader's user and
    before any sandbox, so a link to ``solutions/`` or to ``/dev/zero`` must never reach
    it. This runs before nbgrader reads or copies anything (see :mod:`.pipeline`).

    Raises
    ------
    SubmissionError
        For a link, a device or pipe, the grader's own record folder name, a notebook
        over 32 MiB, or a submission over 64 MiB or 500 files.
    """
    folder = Path(folder)
    for part in (folder.parent, folder):
        if part.is_symlink():
            raise SubmissionError(f"{part.name} is a link; a submission is a folder of files")
    total = count = 0
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            where = path.relative_to(folder)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                raise SubmissionError(f"{where} is a link; submit the file itself")
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                raise SubmissionError(f"{where} is not a regular file")
            if name == RECORDS:
                raise SubmissionError(f"{where}: the name {RECORDS} is kept for the grader")
            if stat.S_ISREG(info.st_mode):
                total, count = total + info.st_size, count + 1
                if name.endswith(".ipynb") and info.st_size > MAX_NOTEBOOK_BYTES:
                    raise SubmissionError(f"{where} is over {MAX_NOTEBOOK_BYTES >> 20} MiB")
    if total > MAX_SUBMISSION_BYTES or count > MAX_FILES:
        raise SubmissionError(
            f"the submission holds {count} files, {total >> 20} MiB; at most "
            f"{MAX_FILES} files and {MAX_SUBMISSION_BYTES >> 20} MiB are graded"
        )


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


def judge_submitted(
    folder: str | os.PathLike,
    exercise: str,
    key: dict,
    reveal: bool,
    dealt: list[str] | None = None,
) -> Verdict:
    """Judge the answers file of ``exercise`` in the submitted ``folder``, trusting nothing in it.

    ``dealt`` is the cards dealt to the submitting student when the key covers a
    larger pool: only they are scored.
    """
    path = answers.path_for(exercise, folder)
    try:
        saved = answers.read_submitted(path, exercise)
    except answers.AnswersError as err:
        problem = misfiled_note(path, err) or (
            f"{path.name} was submitted but cannot be scored: {err}."
        )
        return judge(exercise, key, None, reveal=reveal, problem=problem, dealt=dealt)
    return judge(exercise, key, saved, reveal=reveal, problem=set_aside_note(path), dealt=dealt)


def _combine(verdicts: list[Verdict]) -> Verdict:
    lines = tuple(line for verdict in verdicts for line in verdict.lines)
    problem = " ".join(v.problem for v in verdicts if v.problem)
    points = sum(v.points for v in verdicts)
    cards = tuple(card for verdict in verdicts for card in verdict.cards)
    return Verdict(points, sum(v.max_points for v in verdicts), lines, problem, cards)


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
            deals = notebook_deals(gradebook, notebook, assignment)
        # The student's cards follow from the id nbgrader graded the submission under.
        dealt = {exercise: found.dealt(student) for exercise, found in deals.items()}

        verdicts = {
            grade_id: _combine(
                [
                    judge_submitted(folder, exercise, key, self.reveal_key, dealt.get(exercise))
                    for _, exercise, key in calls
                ]
            )
            for grade_id, calls in cells.items()
        }
        _pending[(db_url, assignment, student, notebook)] = verdicts
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            # Other hidden tests stay: nbgrader runs them in the (sandboxed) kernel.
            if grade_id in verdicts:
                cell.source = strip_hidden(cell.source)
            for exercise, found in deals.items():
                if grade_id == found.cell and cell.cell_type == "code":
                    # The graded notebook, and so the feedback page, shows the student's cards.
                    cell.source = with_student(cell.source, exercise, student)
        return nb, resources


class ForgetUnknownCells(NbGraderPreprocessor):
    """Set every nbgrader mark in a submitted notebook from the gradebook, not from the student.

    A cell a student marked as an nbgrader cell that the assignment lacks becomes a
    plain cell, and a known cell gets back its own flags and metadata version: nbgrader
    trusts both, and a forged flag or version made it fail the submission, or stop a
    whole plain ``nbgrader autograde`` run. Runs first, before ``OverwriteCells``.
    A notebook with far more cells than any answer needs is refused.
    """

    def preprocess(self, nb: NotebookNode, resources: dict):
        from nbgrader.nbgraderformat import SCHEMA_VERSION

        db_url, assignment, student, notebook = _submission(resources)
        if len(nb.cells) > MAX_CELLS:
            raise SubmissionError(
                f"{notebook} has {len(nb.cells)} cells; at most {MAX_CELLS} are graded"
            )
        with Gradebook(db_url) as gradebook:
            source = gradebook.find_notebook(notebook, assignment)
            known = {c.name for c in source.source_cells}
            points = {c.name: float(c.max_score) for c in source.grade_cells}
            flags = {
                "grade": set(points),
                "solution": {c.name for c in source.solution_cells},
                "task": {c.name for c in source.task_cells},
            }
        corrected, seen = [], set()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(grade_id, str):
                # A list or a mapping would not even compare with the known names.
                corrected.append(
                    "a cell marked as nbgrader cell with a grade id that is not a name "
                    f"(a {type(grade_id).__name__}) was graded as an ordinary cell"
                )
                del cell.metadata["nbgrader"]
                continue
            if grade_id in seen:
                corrected.append(
                    f"a second cell marked {str(grade_id)[:40]!r} was graded as an ordinary cell"
                )
                del cell.metadata["nbgrader"]
                continue
            seen.add(grade_id)
            if grade_id not in known:
                corrected.append(
                    f"a cell marked as nbgrader cell {str(grade_id)[:40]!r}, which the "
                    "assignment does not have, was graded as an ordinary cell"
                )
                del cell.metadata["nbgrader"]
                continue
            for flag, names in flags.items():
                meta[flag] = grade_id in names
            if grade_id in points:
                meta["points"] = points[grade_id]
            meta["schema_version"] = SCHEMA_VERSION
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
    """Save what was judged and how the notebook ran, for the instructor's tools to read.

    ``autograded/<student>/<assignment>/.grading/<notebook>.json`` holds ``verdicts``
    (grade id to :class:`~product_roles.grading.Verdict` as a mapping: points, lines,
    problem, and ``cards``, each card's exercise, placement and whether it was right),
    ``corrected`` (what sanitizing set right) and ``execution`` (how the kernel ran).
    It names no accepted answer: nbgrader copies the files of a graded folder into
    the student's feedback folder.
    """
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

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):  # noqa: ARG002 - nbgrader's signature
        if "source" in cell:
            cell.source = strip_hidden(cell.source)
        return cell, resources

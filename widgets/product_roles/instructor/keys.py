"""The answer keys of the graded assignments, read from the hidden tests.

A hidden test holds its key as a literal, ``KEY = {...}``, passed to a scoring
function with the exercise id as its first argument
(``score_placements("traditional-divide", KEY)``). The class report reads the keys
from the gradebook's copy of the source cells, as graded (:func:`hidden_keys`), to
name the expected role of each card; the tests read them from ``solutions/``
(:func:`load_keys`) to prove that no key reaches a student.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from product_roles.grading import accepted_answers

HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
# The scoring calls whose keys the trusted grader judges in its own process.
SCORERS = frozenset({"score_placements"})


@dataclass(frozen=True)
class HiddenKey:
    """One hidden test's key: ``answers`` maps an item to its accepted answers."""

    assignment: str
    notebook: str
    grade_id: str
    exercise: str
    scorer: str
    answers: dict[str, tuple[str, ...]]
    why: dict[str, str]


def _hidden_source(source: str) -> str:
    start, end = HIDDEN
    if start not in source:
        return ""
    return source.split(start, 1)[1].split(end, 1)[0]


def strip_hidden(source: str) -> str:
    """``source`` without its hidden tests: every line from a begin marker to its end marker.

    Markers are found anywhere in a line, so a commented-out copy of a test (as
    nbgrader re-adds a deleted cell) loses its hidden part too. A begin marker with no
    end marker hides everything after it.
    """
    start, end = HIDDEN
    kept, hiding = [], False
    for line in source.splitlines(keepends=True):
        if start in line:
            hiding = True
        elif end in line and hiding:
            hiding = False
        elif not hiding:
            kept.append(line)
    return "".join(kept)


def keys_in_cell(source: str) -> list[tuple[str, str, dict]]:
    """``(scorer, exercise, key)`` for each scoring call in a cell's hidden tests."""
    hidden = _hidden_source(source)
    if not hidden:
        return []
    tree = ast.parse(hidden)
    literals = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    literals[target.id] = ast.literal_eval(node.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            first = node.args[0]
            if len(node.args) > 1 and isinstance(node.args[1], ast.Name):
                key = literals.get(node.args[1].id)
                exercise = first.value if isinstance(first, ast.Constant) else ""
                if key is not None:
                    found.append((node.func.id, str(exercise), key))
    return found


def load_keys(source_dir: str | os.PathLike) -> list[HiddenKey]:
    """Every hidden key under ``source_dir`` (the nbgrader source tree, ``solutions/``)."""
    import nbformat

    result = []
    for path in sorted(Path(source_dir).glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            result += hidden_keys(path.parent.name, path.stem, grade_id, cell.source)
    return result


def hidden_keys(assignment: str, notebook: str, grade_id: str, source: str) -> list[HiddenKey]:
    """The keys of one cell's hidden tests, ``source`` as the notebook or the gradebook holds it."""
    result = []
    for scorer, exercise, key in keys_in_cell(source):
        answers, why = {}, {}
        for item, entry in key.items():
            answers[item], why[item] = accepted_answers(entry)
        result.append(HiddenKey(assignment, notebook, grade_id, exercise, scorer, answers, why))
    return result

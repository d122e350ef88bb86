"""Objectives and exercises line up, and every module keeps the course's threads.

Each objective has an id (``O4.2``: notebook 4, objective 2); each exercise says which
objectives it assesses on the line below its heading (``Assesses: `O4.2```). An
objective that no exercise assesses is a promise the notebook does not check.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import ROOT

COURSE = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))
OBJECTIVE = re.compile(r"^\d+\. `O(\d+)\.(\d+)` \*[a-z][a-z -]*\*", re.MULTILINE)
HEADING = re.compile(r"^### ((?:Exercise (\d+)|Warm-up)[^\n]*)$", re.MULTILINE)
ASSESSES = re.compile(r"^Assesses: (`O\d+\.\d+`(?:, `O\d+\.\d+`)*)$")


def number(path) -> int:
    return int(path.name[:2])


def markdown(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def objectives(path) -> list[str]:
    first = nbformat.read(path, as_version=4).cells[0].source
    return [f"O{n}.{k}" for n, k in OBJECTIVE.findall(first)]


def exercises(path) -> list[tuple[str, str | None, list[str]]]:
    """(heading, exercise number or None for a warm-up, objective ids it assesses)."""
    text = markdown(path)
    found = []
    for match in HEADING.finditer(text):
        after = text[match.end() :].lstrip("\n").split("\n", 1)[0]
        tag = ASSESSES.match(after)
        ids = re.findall(r"O\d+\.\d+", tag.group(1)) if tag else []
        found.append((match.group(1), match.group(2), ids))
    return found


ALL_OBJECTIVES = {o: number(p) for p in COURSE for o in objectives(p)}


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_objectives_are_numbered_for_their_notebook(path):
    ids = objectives(path)
    assert ids, f"{path.name}: objectives carry ids such as `O{number(path)}.1`"
    assert ids == [f"O{number(path)}.{k}" for k in range(1, len(ids) + 1)]


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_every_exercise_names_the_objectives_it_assesses(path):
    found = exercises(path)
    assert found
    for heading, _, ids in found:
        assert ids, f"{path.name}: '{heading}' has no 'Assesses:' line below it"
        for objective in ids:
            assert objective in ALL_OBJECTIVES, f"{heading}: unknown objective {objective}"
            assert ALL_OBJECTIVES[objective] <= number(path), f"{heading}: {objective} comes later"
    numbers = [int(n) for _, n, _ in found if n is not None]
    assert numbers == list(range(1, len(numbers) + 1)), f"{path.name}: exercises in order"


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_every_objective_has_an_exercise_in_its_notebook(path):
    assessed = {objective for _, _, ids in exercises(path) for objective in ids}
    missing = [o for o in objectives(path) if o not in assessed]
    assert not missing, f"{path.name}: no exercise assesses {missing}"


def test_the_check_catches_an_objective_without_an_exercise(tmp_path):
    # Guards the test itself with a notebook whose second objective is never assessed.
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "**Objectives**\n\n1. `O9.1` *recall* a thing;\n2. `O9.2` *apply* it."
        ),
        nbformat.v4.new_markdown_cell("### Exercise 1: a sort (3 minutes)\n\nAssesses: `O9.1`"),
    ]
    path = tmp_path / "09-made-up.ipynb"
    nbformat.write(nb, path)
    assessed = {o for _, _, ids in exercises(path) for o in ids}
    assert [o for o in objectives(path) if o not in assessed] == ["O9.2"]


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_every_module_has_its_ai_era_section(path):
    assert re.search(r"^## In the AI era", markdown(path), re.MULTILINE), path.name


@pytest.mark.parametrize("path", [p for p in COURSE if number(p) >= 4], ids=lambda p: p.name)
def test_modules_from_four_on_have_a_judgement_exercise_with_a_rubric(path):
    """Decide and defend: a rubric, a cell for the learner's answer, and a worked example."""
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells]
    judged = [
        i
        for i, source in enumerate(cells)
        if HEADING.search(source) and "**Rubric**" in source and "| criterion |" in source
    ]
    assert judged, f"{path.name}: no exercise with a rubric"
    for i in judged:
        answer, solution = cells[i + 1], cells[i + 2]
        assert nb.cells[i + 1].cell_type == "markdown"
        assert answer.count(":*") >= 2
        assert solution.startswith("<details><summary>Worked solution")

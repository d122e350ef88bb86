"""The workshop's notebooks (room sort, dashboard) are stored clean and kept out of course/."""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import ROOT

WORKSHOP = sorted((ROOT / "workshop").glob("*.ipynb"))


def test_the_workshop_has_its_two_notebooks():
    assert [p.name for p in WORKSHOP] == ["dashboard.ipynb", "room-sort.ipynb"]
    # The learner path is course/: the facilitator's dashboard must not appear there.
    assert not list((ROOT / "course").rglob("dashboard*.ipynb"))


@pytest.mark.parametrize("path", WORKSHOP, ids=[p.name for p in WORKSHOP])
def test_stored_without_outputs_and_found_by_installation(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None
        assert not re.search(r"sys\.path|os\.chdir", cell.source)
    assert "widgets" not in nb.metadata


def test_the_room_sort_tells_participants_to_run_each_cell():
    nb = nbformat.read(ROOT / "workshop" / "room-sort.ipynb", as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            before = nb.cells[index - 1]
            assert before.cell_type == "markdown"
            assert "Shift</kbd>+<kbd>Enter" in before.source

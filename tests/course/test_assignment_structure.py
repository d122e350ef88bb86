"""Every graded assignment opens with its questions, objectives and time, and closes with
key points and dated sources; its test cells say what they check; its ids mean something."""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from conftest import ROOT

SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))


def ids(paths):
    return [p.parent.name for p in paths]


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_opens_and_closes_as_a_lesson(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    for heading in ("**Questions**", "**Objectives**", "**Time**"):
        assert heading in first, f"the first cell lacks {heading}"
    assert re.search(r"\d+ minutes", first)
    last = nb.cells[-1].source
    assert "Key points" in last
    assert "Sources" in last
    sources = last.split("Sources", 1)[1]
    assert len(re.findall(r"\((?:\w+ )?(?:19|20)\d\d\)", sources)) >= 3, "sources carry dates"


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_test_cells_say_what_they_check(path):
    nb = nbformat.read(path, as_version=4)
    tests = [c for c in nb.cells if c.cell_type == "code" and c.metadata["nbgrader"].get("grade")]
    assert tests
    for cell in tests:
        assert ast.get_docstring(ast.parse(cell.source)), cell.metadata["nbgrader"]["grade_id"]
        assert "### BEGIN HIDDEN TESTS" in cell.source


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_grade_ids_are_meaningful_and_unique(path):
    nb = nbformat.read(path, as_version=4)
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert len(set(grade_ids)) == len(grade_ids)
    for grade_id in grade_ids:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+|[a-z]{4,}", grade_id), grade_id
        assert not re.fullmatch(r"cell-\w+", grade_id), grade_id


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_points_add_up_to_the_announced_total(path):
    nb = nbformat.read(path, as_version=4)
    total = sum(c.metadata["nbgrader"].get("points", 0) for c in nb.cells)
    assert f"{total:g} points" in nb.cells[0].source or f"({total:g} points" in nb.cells[0].source

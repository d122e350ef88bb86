"""Every notebook is stored clean, is well formed, and executes top to bottom."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, tool_env

TREES = ("course", "solutions", "exercises")
NOTEBOOKS = sorted(
    p
    for tree in TREES
    for p in (ROOT / tree).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
COURSE = [p for p in NOTEBOOKS if p.parts[len(ROOT.parts)] == "course"]


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def markdown(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_there_are_notebooks_in_every_tree():
    for tree in TREES:
        assert any(p.parts[len(ROOT.parts)] == tree for p in NOTEBOOKS), tree


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.source[:60]
            assert cell.execution_count is None, cell.source[:60]
    assert "widgets" not in nb.metadata, "saved widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_finds_the_package_by_installation(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        assert not re.search(r"sys\.path|os\.chdir", cell.source), cell.source[:80]


@pytest.mark.parametrize("path", COURSE, ids=ids(COURSE))
def test_course_notebook_structure(path):
    text = markdown(path)
    for heading in ("**Questions**", "**Objectives**", "**Time**", "## Key points", "## Sources"):
        assert heading in text, f"{path.name} lacks {heading}"
    assert re.search(r"\d+ minutes", text), "timings are given in minutes"
    assert re.search(r"\((19|20)\d\d\)", text.split("## Sources")[1]), "sources carry years"
    assert len(re.findall(r"^### Exercise \d+", text, re.MULTILINE)) >= 2, "at least two exercises"
    code = "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"
    )
    assert re.search(r"card_sort|catalogue_sort|custom_sort|ShiftExercise|design_sort", code), (
        "at least one card sort"
    )
    assert re.search(r"\bcharts\.|plotly", code), "at least one chart"
    if int(path.name[:2]) >= 3:
        assert "Warm-up" in text, "later modules open with a warm-up on earlier cards"


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [p for p in NOTEBOOKS if p not in COURSE],
    ids=ids([p for p in NOTEBOOKS if p not in COURSE]),
)
def test_assignment_notebook_executes(path, tmp_path):
    # A copy: executing writes the answers file beside the notebook.
    work = tmp_path / path.parent.name
    shutil.copytree(path.parent, work)
    nb = nbformat.read(work / path.name, as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(work)}}).execute()


@pytest.mark.slow
def test_course_notebooks_execute_under_nbval(tmp_path):
    work = tmp_path / "course"
    shutil.copytree(ROOT / "course", work, ignore=shutil.ignore_patterns("*.answers.json*"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "addopts=",
            "-o",
            "filterwarnings=",
            str(work),
        ],
        check=False,
        cwd=tmp_path,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)


def stated_minutes(path) -> tuple[int, int]:
    first = nbformat.read(path, as_version=4).cells[0].source
    found = re.search(r"\*\*Time\*\*: (\d+) minutes teaching, (\d+) minutes exercises", first)
    assert found, f"{path.name}: no '**Time**: N minutes teaching, M minutes exercises' line"
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("path", COURSE, ids=ids(COURSE))
def test_timings_are_derived_from_the_content(path):
    """Teaching time is reading at 200 words a minute; exercise time sums the exercises' own."""
    text = markdown(path)
    words = len(re.sub(r"<[^>]+>|[#*|`_\-]", " ", text).split())
    exercises = re.findall(
        r"^### (?:Exercise \d+|Warm-up)[^\n]*?\((\d+) minutes?\)", text, re.MULTILINE
    )
    teaching, practice = stated_minutes(path)
    assert abs(teaching - -(-words // 200)) <= 1, f"{words} words read in {teaching} minutes?"
    assert practice == sum(map(int, exercises))
    assert 20 <= teaching + practice <= 40, "each notebook takes 20 to 40 minutes"


def test_the_path_takes_about_three_to_four_hours_and_module_one_says_so():
    totals = {int(p.name[:2]): sum(stated_minutes(p)) for p in COURSE}
    assert sorted(totals) == list(range(1, 9))
    assert 180 <= sum(totals.values()) <= 245
    table = markdown(COURSE[0])
    for number, minutes in totals.items():
        assert re.search(rf"^\| {number} \|[^\n]*\| {minutes} min \|$", table, re.MULTILINE), number

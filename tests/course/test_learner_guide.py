"""The learner's guide stays true to the course: its path lists every notebook, with its time."""

import re

import nbformat
import pytest

from conftest import ROOT

GUIDE = ROOT / "docs" / "learner-guide.md"
COURSE = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))


def minutes(path) -> int:
    first = nbformat.read(path, as_version=4).cells[0].source
    teaching, exercises = re.search(
        r"\*\*Time\*\*: (\d+) minutes teaching, (\d+) minutes exercises", first
    ).groups()
    return int(teaching) + int(exercises)


def path_rows() -> dict[int, str]:
    rows = re.findall(r"^\| (\d+)\. [^|]+\|[^|]+\| ([^|]+) \|$", GUIDE.read_text(), re.MULTILINE)
    return {int(number): time.strip() for number, time in rows}


def test_the_path_lists_every_course_notebook():
    assert set(path_rows()) >= {int(p.name[:2]) for p in COURSE}


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_a_stated_time_matches_the_notebook(path):
    stated = path_rows()[int(path.name[:2])]
    exact = re.fullmatch(r"about (\d+) minutes", stated)
    if exact:
        assert int(exact.group(1)) == minutes(path), f"{path.name}: guide says {stated}"
    else:
        low, high = map(int, re.fullmatch(r"(\d+) to (\d+) minutes", stated).groups())
        assert low <= minutes(path) <= high, f"{path.name}: guide says {stated}"


def test_the_guide_shows_the_readme_command_and_the_answers_file():
    text = GUIDE.read_text()
    assert "./scripts/course" in text
    assert (ROOT / "scripts" / "course").exists()
    assert ".answers.json" in text


def students_commands(text: str) -> set[str]:
    return set(
        re.findall(r"nbgrader (?:fetch_assignment|validate|submit|fetch_feedback) [^`\n|]+", text)
    )


def test_the_students_steps_agree_with_the_instructor_guide():
    """The same commands and JupyterLab buttons in both guides, each linking the other."""
    learner = GUIDE.read_text()
    instructor = (ROOT / "docs" / "instructor-guide.md").read_text()
    side = instructor.split("## The students' side", 1)[1].split("\n## ", 1)[0]
    commands = students_commands(learner)
    assert len(commands) == 4, commands
    assert {c.strip() for c in commands} == {c.strip() for c in students_commands(side)}
    for words in (
        "Nbgrader → Assignment List",
        "**Fetch**",
        "**Validate**",
        "**Submit**",
        "**Fetch Feedback**",
        "*Released assignments*",
        "*Downloaded assignments*",
    ):
        assert words in learner, words
        assert words in side, words
    assert "instructor-guide.md#the-students-side" in learner
    assert "learner-guide.md#graded-assignments" in side
    assert "## Graded assignments" in learner

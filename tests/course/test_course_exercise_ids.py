"""Exercise ids follow the course convention: unique, prefixed by their notebook's slug.

Each id names the answers file saved beside the notebook, so two exercises sharing an id
would overwrite each other's answers. Each notebook draws its questions from its own
question file, and every question written for it is shown somewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources

import nbformat
import pytest
import yaml

from conftest import ROOT

COURSE = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))
# ShiftExercise ids name two answers files (<id>-before, <id>-ai-era), so they follow
# the same rule.
CALL = re.compile(
    r"""(catalogue_sort|card_sort|ShiftExercise\.from_catalogue|multiple_choice|custom_sort)"""
    r"""\(\s*["']([^"']+)["']"""
)
QUESTIONS = resources.files("product_roles.content").joinpath("data/questions")


def calls(path) -> list[tuple[str, str]]:
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return CALL.findall(code)


def slug(path) -> str:
    return path.stem[3:]


def bank_file(path):
    return QUESTIONS.joinpath(f"{path.stem}.yaml")


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_ids_carry_the_notebook_slug(path):
    assert calls(path), f"{path.name}: no exercise found; is the pattern out of date?"
    wrong = [name for _, name in calls(path) if not name.startswith(slug(path) + "-")]
    assert not wrong, f"{path.name}: ids {wrong} should start with {slug(path)}-"


def test_ids_are_unique_across_the_course():
    counts = Counter(name for path in COURSE for _, name in calls(path))
    assert not [name for name, n in counts.items() if n > 1]


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_questions_come_from_the_notebooks_own_file_and_all_are_used(path):
    used = {name for kind, name in calls(path) if kind in ("multiple_choice", "custom_sort")}
    if not bank_file(path).is_file():
        assert not used, f"{path.name} uses questions but has no {bank_file(path).name}"
        return
    bank = yaml.safe_load(bank_file(path).read_text("utf-8"))
    written = {q["id"] for q in bank["questions"]} | {s["id"] for s in bank["sorts"]}
    assert used <= written, f"{path.name} uses {sorted(used - written)} from another file"
    assert written <= used, f"{bank_file(path).name} has unused {sorted(written - used)}"


def test_every_question_file_belongs_to_a_notebook():
    stems = {p.stem for p in COURSE}
    files = [e.name for e in QUESTIONS.iterdir() if e.name.endswith(".yaml")]
    assert files
    assert not [f for f in files if f[: -len(".yaml")] not in stems]

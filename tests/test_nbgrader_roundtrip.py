"""The whole nbgrader path, as an instructor and four students would walk it.

generate (and compare with exercises/) -> release -> fetch -> submit -> collect
-> autograde -> generate_feedback -> export, with each student's exact score asserted.
"""

from __future__ import annotations

import ast
import csv
import json
import shutil

import nbformat
import pytest

from conftest import ROOT, assignments, make_course, nbgrader
from grading_course import keys_of
from product_roles.grading import answers

pytestmark = pytest.mark.slow

ASSIGNMENT = "traditional-divide"
# The expected scores follow from the hidden key, so a change to the key cannot leave
# this test asserting a stale number.
(KEY,) = [k.answers for k in keys_of(ASSIGNMENT)]
RIGHT = {card: accepted[0] for card, accepted in KEY.items()}
WRONG_FOR = {"PO": "PM", "PM": "ENG", "ENG": "TEAM", "TEAM": "PO"}
# Bob places every other card in a role the key may or may not also accept.
BOB = {
    card: role if i % 2 == 0 else WRONG_FOR[role] for i, (card, role) in enumerate(RIGHT.items())
}
BOB_SCORE = float(sum(role in KEY[card] for card, role in BOB.items()))


def cards_of(notebook):
    """The ``CARDS`` list a notebook's code defines, as the learner's copy has it."""
    for cell in nbformat.read(notebook, 4).cells:
        for node in ast.walk(ast.parse(cell.source)) if cell.cell_type == "code" else ():
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CARDS":
                return ast.literal_eval(node.value)
    raise AssertionError(f"{notebook} defines no CARDS")


def normalised(path):
    nb = nbformat.read(path, as_version=4)
    return json.loads(nbformat.writes(nb))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nbgrader")
    course = make_course(tmp)
    for name in assignments():
        nbgrader("generate_assignment", name, "--force", cwd=course)
    return course


@pytest.mark.parametrize("name", assignments())
def test_exercises_are_exactly_what_nbgrader_generates(course, name):
    generated = sorted((course / "exercises" / name).iterdir())
    committed = sorted((ROOT / "exercises" / name).iterdir())
    assert [p.name for p in committed] == [p.name for p in generated], (
        f"exercises/{name} differs from a fresh release: run "
        f"`nbgrader generate_assignment {name} --force` and commit the result"
    )
    for fresh, kept in zip(generated, committed, strict=True):
        if fresh.suffix == ".ipynb":
            assert normalised(kept) == normalised(fresh), f"{kept} differs from its source"
        else:
            assert kept.read_bytes() == fresh.read_bytes(), kept


def test_no_answers_file_in_source_or_release():
    for tree in ("solutions", "exercises"):
        found = list((ROOT / tree).rglob(f"*{answers.SUFFIX}"))
        assert not found, (
            f"answers files in {tree}/ would be released or overwrite submissions: {found}"
        )


def student_submits(course, student, placements=None, edit=None):
    """Fetch the release as `student`, answer, and submit through the exchange."""
    home = course.parent / "students" / student
    home.mkdir(parents=True)
    where = ("--course", "product-roles", f"--Exchange.root={course.parent / 'exchange'}")
    nbgrader("fetch_assignment", ASSIGNMENT, *where, cwd=home)
    work = home / ASSIGNMENT
    if placements is not None:
        path = answers.path_for(ASSIGNMENT, work)
        answers.write(path, answers.Answers(ASSIGNMENT, placements))
    if edit is not None:
        notebook = work / f"{ASSIGNMENT}.ipynb"
        nb = nbformat.read(notebook, as_version=4)
        edit(nb)
        nbformat.write(nb, notebook)
    nbgrader("submit", ASSIGNMENT, *where, f"--student={student}", cwd=home)


def place_half_in_code(nb):
    """Bob answers in the solution cell, with code, half of the cards right.

    He ran the cell, so his answers file holds those placements: grading scores the
    file as submitted and never what a kernel writes while it grades.
    """
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "place-cards"
    )
    lines = [f"sort.place({card!r}, {role!r})" for card, role in BOB.items()]
    cell.source = "\n".join(lines)


def tamper_with_the_test(nb):
    """Dave rewrites the locked test cell to award himself full marks."""
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test-card-roles"
    )
    cell.source = f"points = {float(len(KEY))}\npoints"  # every point, forged


@pytest.fixture(scope="module")
def graded(course):
    nbgrader("release_assignment", ASSIGNMENT, "--force", cwd=course)
    student_submits(course, "alice", placements=RIGHT)
    student_submits(course, "bob", placements=BOB, edit=place_half_in_code)
    student_submits(course, "carol")
    student_submits(course, "dave", edit=tamper_with_the_test)
    nbgrader("collect", ASSIGNMENT, cwd=course)
    nbgrader("autograde", ASSIGNMENT, cwd=course)
    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    nbgrader("export", cwd=course)
    with (course / "grades.csv").open(newline="") as stream:
        return {row["student_id"]: row for row in csv.DictReader(stream)}


def test_each_student_gets_the_exact_score(graded):
    scores = {student: float(row["score"]) for student, row in graded.items()}
    assert 0 < BOB_SCORE < len(KEY), "Bob's half-right sort should score in between"
    assert scores == {"alice": float(len(KEY)), "bob": BOB_SCORE, "carol": 0.0, "dave": 0.0}
    assert {float(row["max_score"]) for row in graded.values()} == {float(len(KEY))}


@pytest.mark.usefixtures("graded")
def test_the_tampered_test_cell_was_restored(course):
    nb = nbformat.read(course / "autograded" / "dave" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "test-card-roles")
    assert "score_placements" in cell.source
    assert f"points = {float(len(KEY))}" not in cell.source


@pytest.mark.usefixtures("graded")
def test_feedback_has_one_line_per_card(course):
    html = (course / "feedback" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    for card in RIGHT:
        assert f"{card}: " in html
    assert f"Total: {BOB_SCORE:g} of {len(KEY)} cards right." in html
    carol = (course / "feedback" / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "no card was sorted" in carol


def test_validate_passes_on_solutions_and_fails_on_exercises(tmp_path):
    for name in assignments():
        source = tmp_path / "source" / name
        release = tmp_path / "release" / name
        # Copies: executing a notebook writes its answers file beside it.
        shutil.copytree(ROOT / "solutions" / name, source)
        shutil.copytree(ROOT / "exercises" / name, release)
        for notebook in sorted(source.glob("*.ipynb")):
            out = nbgrader("validate", str(notebook), cwd=tmp_path).stdout
            assert "Success! Your notebook passes all the tests." in out, out
        for notebook in sorted(release.glob("*.ipynb")):
            out = nbgrader("validate", "--invert", str(notebook), cwd=tmp_path).stdout
            assert "Success! The notebook does not pass any tests." in out, out


def test_validate_passes_a_finished_student_copy_and_names_what_is_missing(tmp_path):
    """A learner's Validate judges completeness, never correctness: a full sort with
    wrong cards passes, and a sort with two cards left fails naming those two."""
    copy = shutil.copytree(ROOT / "exercises" / ASSIGNMENT, tmp_path / ASSIGNMENT)
    notebook = copy / f"{ASSIGNMENT}.ipynb"
    path = answers.path_for(ASSIGNMENT, copy)
    answers.write(path, answers.Answers(ASSIGNMENT, dict(BOB)))
    out = nbgrader("validate", str(notebook), cwd=tmp_path).stdout
    assert "Success! Your notebook passes all the tests." in out, out

    left = list(BOB)[-2:]
    answers.write(path, answers.Answers(ASSIGNMENT, {c: BOB[c] for c in BOB if c not in left}))
    out = nbgrader("validate", str(notebook), cwd=tmp_path, check=False).stdout
    assert "Success" not in out, out
    assert f"Not ready to submit: 2 of {len(KEY)} cards are not placed yet" in out, out
    texts = {c["id"]: c["text"] for c in cards_of(notebook)}
    assert all(f"- {texts[card][:40]}" in out for card in left), out
    assert not any(texts[card][:40] in out for card in BOB if card not in left), out

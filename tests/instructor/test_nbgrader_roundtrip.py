"""The whole nbgrader path, as an instructor and five students would walk it.

generate (and compare with exercises/) -> release -> fetch -> submit -> collect
-> autograde -> generate_feedback -> export, with each student's exact score asserted.
Each student is dealt cards of their own from the assignment's pool; one of them sorts
hers in a kernel and submits under the id nbgrader finds itself, so the deal her
notebook made and the grader's must agree for her to get every point.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import shutil

import nbformat
import pytest

from conftest import ROOT, assignments, nbgrader
from grading_course import generated_course, key_for, keys_of, scratch_course
from product_roles.grading import answers
from product_roles.grading.deal import learner_id

pytestmark = pytest.mark.slow

ASSIGNMENT = "traditional-divide"
# The expected scores follow from the hidden key, so a change to the key cannot leave
# this test asserting a stale number.
(KEY,) = [k.answers for k in keys_of(ASSIGNMENT)]  # the whole pool
RIGHT = {card: accepted[0] for card, accepted in KEY.items()}
WRONG_FOR = {"PO": "PM", "PM": "ENG", "ENG": "TEAM", "TEAM": "PO"}
# Bob places every other card of his deal in a role the key may or may not also accept.
BOBS = key_for(ASSIGNMENT, "bob").answers
BOB = {card: RIGHT[card] if i % 2 == 0 else WRONG_FOR[RIGHT[card]] for i, card in enumerate(BOBS)}
BOB_SCORE = float(sum(role in BOBS[card] for card, role in BOB.items()))
DEALT = len(BOBS)  # every student is dealt as many cards, one point each
# Erin sorts in her own kernel and submits under the id nbgrader finds for her.
ERIN = learner_id()


def cards_of(notebook):
    """The ``POOL`` list a notebook's code defines, as the learner's copy has it."""
    for cell in nbformat.read(notebook, 4).cells:
        for node in ast.walk(ast.parse(cell.source)) if cell.cell_type == "code" else ():
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "POOL":
                return ast.literal_eval(node.value)
    raise AssertionError(f"{notebook} defines no POOL")


def normalised(path):
    nb = nbformat.read(path, as_version=4)
    return json.loads(nbformat.writes(nb))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course every assignment was generated in, with an exchange of its own."""
    tmp = tmp_path_factory.mktemp("nbgrader")
    course = scratch_course(tmp, assignments())
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(tmp / 'exchange')!r}\n")
    (tmp / "exchange").mkdir()
    return course


@pytest.mark.parametrize("name", assignments())
def test_exercises_are_exactly_what_nbgrader_generates(name):
    generated = sorted((generated_course() / "exercises" / name).iterdir())
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


def gradebook_rows(course):
    """Every row of the gradebook's assignment tables, without the ids and times of a run."""
    import sqlite3

    skip = {"id", "assignment_id", "notebook_id", "timestamp", "duedate"}
    rows = {}
    with sqlite3.connect(course / "gradebook.db") as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            cursor = db.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            rows[table] = sorted(
                repr([v for n, v in zip(names, row, strict=True) if n not in skip])
                for row in cursor
            )
    return rows


def test_a_copied_course_is_what_nbgrader_generates_for_its_assignments(tmp_path):
    """scratch_course copies one generated course: a copy of one assignment must hold the
    files and gradebook rows a fresh ``nbgrader generate_assignment`` of it makes."""
    name = "design-a-team"
    copied = scratch_course(tmp_path / "copied", [name])
    fresh = tmp_path / "fresh" / "course"
    fresh.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", fresh)
    shutil.copytree(ROOT / "solutions" / name, fresh / "solutions" / name)
    nbgrader("generate_assignment", name, "--force", cwd=fresh)
    for tree in ("solutions", "exercises"):
        files = sorted(p.relative_to(fresh) for p in (fresh / tree).rglob("*") if p.is_file())
        assert files == sorted(
            p.relative_to(copied) for p in (copied / tree).rglob("*") if p.is_file()
        )
        for path in files:
            assert (copied / path).read_bytes() == (fresh / path).read_bytes(), path
    expected = gradebook_rows(fresh)
    assert expected["grade_cells"], "the fresh gradebook has the assignment's cells"
    assert gradebook_rows(copied) == expected


def test_no_answers_file_in_source_or_release():
    for tree in ("solutions", "exercises"):
        found = list((ROOT / tree).rglob(f"*{answers.SUFFIX}"))
        assert not found, (
            f"answers files in {tree}/ would be released or overwrite submissions: {found}"
        )


def exchange(command, home, student=None):
    """``nbgrader fetch_assignment`` or ``submit`` run in this process, from ``home``.

    It saves the seconds nbgrader's start-up takes; alice and Erin go through the
    commands themselves.
    """
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.course_id = "product-roles"
    config.CourseDirectory.assignment_id = ASSIGNMENT
    if student is not None:
        config.CourseDirectory.student_id = student
    config.Exchange.root = str(home.parent.parent / "exchange")
    config.Exchange.assignment_dir = str(home)
    kind = {"fetch_assignment": ExchangeFetchAssignment, "submit": ExchangeSubmit}[command]
    coursedir = CourseDirectory(config=config)
    kind(coursedir=coursedir, authenticator=Authenticator(config=config), config=config).start()


def student_submits(course, student, placements=None, edit=None, *, run=False, cli=False):
    """Fetch the release as `student`, answer, and submit through the exchange.

    With ``run``, the notebook is run in a kernel as the student would run it, and
    submitted by the nbgrader command without ``--student``: nbgrader names the
    submission itself. With ``cli``, fetch and submit are both nbgrader's commands.
    """
    home = course.parent / "students" / (student or "unnamed")
    home.mkdir(parents=True)
    where = ("--course", "product-roles", f"--Exchange.root={course.parent / 'exchange'}")
    if cli:
        nbgrader("fetch_assignment", ASSIGNMENT, *where, cwd=home)
    else:
        exchange("fetch_assignment", home)
    work = home / ASSIGNMENT
    if placements is not None:
        path = answers.path_for(ASSIGNMENT, work)
        answers.write(path, answers.Answers(ASSIGNMENT, placements))
    notebook = work / f"{ASSIGNMENT}.ipynb"
    if edit is not None:
        nb = nbformat.read(notebook, as_version=4)
        edit(nb)
        nbformat.write(nb, notebook)
    if run:
        from nbclient import NotebookClient

        nb = nbformat.read(notebook, as_version=4)
        NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(work)}}).execute()
        nbformat.write(nb, notebook)
        nbgrader("submit", ASSIGNMENT, *where, cwd=home)
    elif cli:
        nbgrader("submit", ASSIGNMENT, *where, f"--student={student}", cwd=home)
    else:
        exchange("submit", home, student)


def sort_what_is_dealt_right(nb):
    """Erin places every card her notebook deals her in a role the key accepts."""
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "place-cards"
    )
    cell.source = f"for card in CARDS:\n    sort.place(card['id'], {RIGHT!r}[card['id']])"


def place_half_in_code(nb):
    """Bob answers in the solution cell, with code, half of the cards right.

    He ran the cell, so his answers file holds those placements: grading scores the
    file as submitted and never what a kernel writes while it grades.
    """
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "place-cards"
    )
    lines = [f"sort.place({card!r}, {role!r})" for card, role in BOB.items() if card in BOBS]
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
    student_submits(course, "alice", placements=RIGHT, cli=True)
    student_submits(course, "bob", placements=BOB, edit=place_half_in_code)
    student_submits(course, "carol")
    student_submits(course, "dave", edit=tamper_with_the_test)
    student_submits(course, ERIN, edit=sort_what_is_dealt_right, run=True)
    nbgrader("collect", ASSIGNMENT, cwd=course)
    nbgrader("autograde", ASSIGNMENT, cwd=course)
    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    nbgrader("export", cwd=course)
    with (course / "grades.csv").open(newline="") as stream:
        return {row["student_id"]: row for row in csv.DictReader(stream)}


def test_each_student_gets_the_exact_score(graded):
    scores = {student: float(row["score"]) for student, row in graded.items()}
    assert DEALT == 16 < len(KEY), "each student sorts part of the pool"
    assert 0 < BOB_SCORE < DEALT, "Bob's half-right sort should score in between"
    assert scores == {
        "alice": DEALT,
        "bob": BOB_SCORE,
        "carol": 0.0,
        "dave": 0.0,
        ERIN: DEALT,
    }
    assert {float(row["max_score"]) for row in graded.values()} == {float(DEALT)}


@pytest.mark.usefixtures("graded")
def test_the_learners_notebook_and_the_grader_dealt_the_same_cards(course):
    """Erin's kernel dealt for the id nbgrader then submitted her work under."""
    assert ERIN is not None, "the test runs as a user nbgrader can name"
    saved = answers.read(
        answers.path_for(ASSIGNMENT, course / "submitted" / ERIN / ASSIGNMENT), ASSIGNMENT
    )
    assert list(saved.placements) != list(KEY)
    assert set(saved.placements) == set(key_for(ASSIGNMENT, ERIN).answers)


@pytest.mark.usefixtures("graded")
def test_the_tampered_test_cell_was_restored(course):
    nb = nbformat.read(course / "autograded" / "dave" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "test-card-roles")
    assert "score_placements" in cell.source
    assert f"points = {float(len(KEY))}" not in cell.source


@pytest.mark.usefixtures("graded")
def test_feedback_has_one_line_per_card(course):
    html = (course / "feedback" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    for card in BOBS:
        assert f"{card}: " in html
    assert f"Total: {BOB_SCORE:g} of {DEALT} cards right." in html
    carol = (course / "feedback" / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "no card was sorted" in carol


def validate(notebook, *, invert=False):
    """What ``nbgrader validate`` prints for ``notebook``, run in this process.

    It saves nbgrader's start-up; a learner's finished copy goes through the command.
    """
    from nbgrader.validator import Validator

    validator = Validator(invert=invert)
    validator.stream = io.StringIO()
    validator.validate_and_print(str(notebook))
    return validator.stream.getvalue()


def test_validate_passes_on_solutions_and_fails_on_exercises(tmp_path):
    for name in assignments():
        source = tmp_path / "source" / name
        release = tmp_path / "release" / name
        # Copies: executing a notebook writes its answers file beside it.
        shutil.copytree(ROOT / "solutions" / name, source)
        shutil.copytree(ROOT / "exercises" / name, release)
        for notebook in sorted(source.glob("*.ipynb")):
            out = validate(notebook)
            assert "Success! Your notebook passes all the tests." in out, out
        for notebook in sorted(release.glob("*.ipynb")):
            out = validate(notebook, invert=True)
            assert "Success! The notebook does not pass any tests." in out, out


def test_validate_passes_a_finished_student_copy_and_names_what_is_missing(tmp_path):
    """A learner's Validate judges completeness, never correctness: a full sort with
    wrong cards passes, and a sort with two cards left fails naming those two."""
    copy = shutil.copytree(ROOT / "exercises" / ASSIGNMENT, tmp_path / ASSIGNMENT)
    notebook = copy / f"{ASSIGNMENT}.ipynb"
    path = answers.path_for(ASSIGNMENT, copy)
    # Validate runs the notebook as this user, so it checks the cards dealt to them.
    mine = list(key_for(ASSIGNMENT, ERIN).answers)
    sorted_ = {card: WRONG_FOR[RIGHT[card]] for card in mine}
    answers.write(path, answers.Answers(ASSIGNMENT, sorted_))
    out = nbgrader("validate", str(notebook), cwd=tmp_path).stdout
    assert "Success! Your notebook passes all the tests." in out, out

    left = mine[-2:]
    answers.write(path, answers.Answers(ASSIGNMENT, {c: sorted_[c] for c in mine[:-2]}))
    out = validate(notebook)
    assert "Success" not in out, out
    assert f"Not ready to submit: 2 of {DEALT} cards are not placed yet" in out, out
    texts = {c["id"]: c["text"] for c in cards_of(notebook)}
    assert all(f"- {texts[card][:40]}" in out for card in left), out
    assert not any(texts[card][:40] in out for card in mine[:-2]), out

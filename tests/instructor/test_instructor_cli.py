"""The `product-roles` instructor commands, run as an instructor runs them.

release refuses an answers file in the source folder, a solution that fails its own
tests and a blank release that passes one; grade shows progress and grades every
submission; feedback writes each student's page, with or without the key; report
writes a standalone HTML report and a CSV of grades, from what was graded. Expected
scores follow from the key: one point a card dealt to the student.
"""

from __future__ import annotations

import csv
import json
import shutil
import stat

import nbformat
import pytest

from conftest import ROOT, product_roles_cli
from grading_course import key_for, keys_of, scratch_course
from product_roles.grading import answers
from product_roles.instructor.simulate import submit

pytestmark = pytest.mark.slow

ASSIGNMENT = "traditional-divide"


def cli(*args, cwd, env=None):
    return product_roles_cli(*args, cwd=cwd, **(env or {}))


def source_course(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    return course


def edit_source(course, grade_id, source):
    path = course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == grade_id)
    cell.source = source
    nbformat.write(nb, path)


def test_release_validates_then_generates(tmp_path):
    course = source_course(tmp_path)
    done = cli("release", ASSIGNMENT, "--no-exchange", cwd=course)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validating" in done.stdout
    assert (course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert not list((course / "solutions").rglob("*.answers.json")), "validation ran on copies"
    # Generated in the command's own process: the very files `nbgrader generate_assignment`
    # makes (the repository's exercises/ are those, test_nbgrader_roundtrip.py checks),
    # and the assignment's grade cells in the course's gradebook.
    released = sorted((course / "exercises" / ASSIGNMENT).iterdir())
    committed = sorted((ROOT / "exercises" / ASSIGNMENT).iterdir())
    assert [p.name for p in released] == [p.name for p in committed]
    for fresh, kept in zip(released, committed, strict=True):
        assert fresh.read_bytes() == kept.read_bytes(), fresh
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebooks = gb.find_assignment(ASSIGNMENT).notebooks
        assert {c.name for nb in notebooks for c in nb.grade_cells} == {"test-card-roles"}


def test_release_refuses_an_answers_file_in_the_source(tmp_path):
    course = source_course(tmp_path)
    stray = course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.answers.json"
    stray.write_text("{}")
    done = cli("release", ASSIGNMENT, "--no-exchange", cwd=course)
    assert done.returncode == 1
    assert "Refusing to release" in done.stderr
    assert str(stray) in done.stderr
    assert not (course / "exercises").exists()


def test_release_refuses_a_solution_that_fails_its_tests(tmp_path):
    course = source_course(tmp_path)
    edit_source(course, "place-cards", "### BEGIN SOLUTION\nsort.reset()\n### END SOLUTION")
    done = cli("release", ASSIGNMENT, "--no-exchange", cwd=course)
    assert done.returncode == 1
    assert "the solution fails its tests" in done.stderr
    # The failing test cell and its error, from nbgrader's validator.
    assert "this test fails:" in done.stderr
    assert "check_ready_to_submit" in done.stderr
    assert not (course / "exercises").exists()


def test_release_refuses_a_blank_release_that_passes(tmp_path):
    course = source_course(tmp_path)
    every_point = f"points = {float(expected_scores()[0])}"  # the cell's points
    edit_source(
        course, "test-card-roles", f'"""Gives every point to anyone."""\n{every_point}\npoints'
    )
    done = cli("release", ASSIGNMENT, "--no-exchange", cwd=course)
    assert done.returncode == 1
    assert "the blank release passes a test" in done.stderr
    assert "this test passes:" in done.stderr
    assert every_point in done.stderr


def right_and_wrong():
    (key,) = keys_of(ASSIGNMENT)
    right = {card: accepted[0] for card, accepted in key.answers.items()}
    # A role the key does not accept: contested cards accept several.
    roles = ("TEAM", "PO", "PM", "ENG")
    wrong = {card: next(r for r in roles if r not in a) for card, a in key.answers.items()}
    return right, wrong


def shared_card():
    """A card dealt to ana, ben and cy alike, which ben places wrong."""
    dealt = {s: set(key_for(ASSIGNMENT, s).answers) for s in ("ana", "cy")}
    return next(
        c for c in key_for(ASSIGNMENT, "ben").answers if all(c in d for d in dealt.values())
    )


def bens_wrong_cards():
    """Four of the cards dealt to ben, the shared card among them."""
    others = [c for c in key_for(ASSIGNMENT, "ben").answers if c != shared_card()]
    return [shared_card(), *others[:3]]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("cli"), [ASSIGNMENT])
    right, wrong = right_and_wrong()
    release, submitted = course / "exercises" / ASSIGNMENT, course / "submitted"
    submit(release, submitted, "ana", {ASSIGNMENT: right})
    bens = {**right, **{c: wrong[c] for c in bens_wrong_cards()}}
    submit(release, submitted, "ben", {ASSIGNMENT: bens})
    submit(release, submitted, "cy", {ASSIGNMENT: wrong})
    done = cli("grade", ASSIGNMENT, "--workers", "2", "--hide-key", cwd=course)
    assert done.returncode == 0, done.stdout + done.stderr
    # Tests that grade again start from this copy, so none sees another's changes.
    shutil.copytree(course, course.parent / "as-graded", symlinks=True)
    # After grading, ana's answers file changes and dee submits: neither is graded.
    answers.write(
        answers.path_for(ASSIGNMENT, submitted / "ana" / ASSIGNMENT),
        answers.Answers(ASSIGNMENT, wrong),
    )
    submit(release, submitted, "dee", {ASSIGNMENT: right})
    return course, done.stdout, done.stderr


def as_graded(graded, tmp_path):
    """A copy of the class as the fixture graded it, before anything changed after."""
    course, _, _ = graded
    return shutil.copytree(course.parent / "as-graded", tmp_path / "course", symlinks=True)


def expected_scores():
    """ana all right, ben four cards wrong, cy all wrong: one point a card dealt."""
    cards = len(key_for(ASSIGNMENT, "ana").answers)
    return cards, {"ana": cards, "ben": cards - 4, "cy": 0}


def test_grade_shows_progress_and_each_result(graded):
    _, out, _ = graded
    cards, scores = expected_scores()
    for n in (1, 2, 3):
        assert f"[{n} of 3]" in out
    for student, score in scores.items():
        assert f"{student}: {score} of {cards}" in out
    assert "Graded 3 of 3 submissions" in out
    assert "Kernels: fork for 3." in out
    assert "[kernels:" not in out


def test_feedback_without_the_key_says_right_or_wrong_and_why(graded):
    course, _, _ = graded
    done = cli("feedback", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr
    assert "Feedback for 3 of 3 students." in done.stdout
    page = (course / "feedback" / "ben" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    cards, scores = expected_scores()
    assert f"Total: {scores['ben']} of {cards} cards right." in page
    right, wrong = right_and_wrong()
    shared = shared_card()
    assert f"{shared}: placed in {wrong[shared]} (0/1)" in page
    assert "; expected" not in page  # graded with --hide-key
    (key,) = keys_of(ASSIGNMENT)
    good = next(c for c in key_for(ASSIGNMENT, "ben").answers if c not in bens_wrong_cards())
    assert f"{good}: right, {right[good]} (1/1). {key.why[good]}" in page


def test_report_shows_what_was_graded(graded):
    course, _, _ = graded
    done = cli("report", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr
    assert "Not graded, left out of the report: dee." in done.stderr
    out = course / "reports" / ASSIGNMENT
    page = (out / "report.html").read_text()
    for title in ("Scores on", "difficulty", "Role confusion", "most common misplacements"):
        assert title in page
    assert "Not graded, so not counted here (1): dee." in page
    assert 'src="https://cdn.plot.ly' not in page
    assert "Plotly.newPlot" in page
    with (out / "grades.csv").open(newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    graded_rows = {s: float(r["score"]) for s, r in rows.items() if r["status"] == "graded"}
    _, scores = expected_scores()
    assert graded_rows == scores  # ana's answers file changed after grading: still all right
    assert rows["ben"][f"{ASSIGNMENT}/test-card-roles"] == f"{scores['ben']:g}"
    assert rows["dee"]["status"] == "not graded"
    assert rows["dee"]["score"] == ""


def test_report_counts_each_misplacement_as_graded(graded):
    from product_roles import load
    from product_roles.instructor.report_command import collect_stats

    course, _, _ = graded
    stats = collect_stats(course, ASSIGNMENT)
    (key,) = keys_of(ASSIGNMENT)
    shared = shared_card()
    _, wrong = right_and_wrong()
    order = next(c for c in stats.cards if c.card == shared)
    # As graded: ana right, ben and cy wrong; ana's later file and dee are not counted.
    assert (order.right, order.answered) == (1, 3)
    assert stats.misplacements[(ASSIGNMENT, shared, wrong[shared])] == 2
    assert stats.confusion[(key.answers[shared][0], wrong[shared])] >= 2
    assert sum(c.right for c in stats.cards) == sum(expected_scores()[1].values())
    assert stats.not_graded == ["dee"]
    assert stats.roles == [role.id for role in load().roles if role.id in stats.roles]


def test_grade_without_the_fork_server_gives_the_same_grades(graded, tmp_path):
    course = as_graded(graded, tmp_path)
    done = cli(
        "grade", ASSIGNMENT, "--no-collect", "--no-fork", "--no-sandbox", "--hide-key", cwd=course
    )
    assert done.returncode == 0, done.stdout + done.stderr
    cards, scores = expected_scores()
    for student, score in scores.items():
        assert f"{student}: {score} of {cards}" in done.stdout
    assert "[kernels: standard (forking is turned off)]" in done.stdout
    assert "Kernels: standard (forking is turned off) for 3." in done.stdout


def test_grade_keeps_warnings_off_the_terminal_and_in_its_log(graded):
    """nbgrader's first grading of new submissions makes SQLAlchemy warn, once per student or more."""
    course, out, err = graded
    log = course / "reports" / ASSIGNMENT / "grading.log"
    assert "SAWarning" not in out
    assert "SAWarning" not in err
    # The fixture's run is the log's first section; later tests may append theirs.
    text = log.read_text().split("\n=== product-roles grade ")[0]
    warned = text.count("SAWarning")
    assert warned >= 3, text[-2000:]
    assert f"Messages from nbgrader and the kernels ({warned} warnings): {log}" in out
    assert f"=== product-roles grade {ASSIGNMENT}, " in text


def test_grading_one_student_keeps_the_class_record(graded, tmp_path):
    course = as_graded(graded, tmp_path)
    record = course / "reports" / ASSIGNMENT / "grading.json"
    before = {r["student"]: r for r in json.loads(record.read_text())}
    assert sorted(before) == ["ana", "ben", "cy"]
    done = cli("grade", ASSIGNMENT, "--student", "ben", "--hide-key", cwd=course)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Graded 1 of 1 submissions" in done.stdout
    after = {r["student"]: r for r in json.loads(record.read_text())}
    assert sorted(after) == ["ana", "ben", "cy"]
    assert after["ana"] == before["ana"]
    assert after["cy"] == before["cy"]
    assert after["ben"]["score"] == before["ben"]["score"]
    assert after["ben"]["worker"] != before["ben"]["worker"], "ben's result is the new one"
    log = (course / "reports" / ASSIGNMENT / "grading.log").read_text()
    assert f"=== product-roles grade {ASSIGNMENT} --student ben, " in log


def test_release_refuses_a_missing_exchange_and_names_the_fix(tmp_path):
    course = source_course(tmp_path)
    shared = tmp_path / "srv" / "exchange"
    done = cli("release", ASSIGNMENT, cwd=course, env={"PRODUCT_ROLES_EXCHANGE": str(shared)})
    assert done.returncode == 1
    assert f"Refusing to release: There is no exchange at {shared}" in done.stderr
    assert "sudo install -d -m 3770" in done.stderr
    assert "PRODUCT_ROLES_EXCHANGE" in done.stderr
    assert not shared.exists()
    assert not (tmp_path / "srv").exists()
    assert not (course / "exercises").exists(), "refused before anything else"


def test_release_and_grade_go_through_the_course_exchange(tmp_path):
    """No exchange set: the release makes the course's own, and says where it released."""
    from conftest import nbgrader

    course = source_course(tmp_path)
    env = {"PRODUCT_ROLES_EXCHANGE": ""}
    done = cli("release", ASSIGNMENT, cwd=course, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    exchange = course / "nbgrader-exchange"
    assert f"created the exchange {exchange} (mode 0700" in done.stdout
    outbound = exchange / "product-roles" / "outbound" / ASSIGNMENT
    assert f"{ASSIGNMENT}: released to the exchange, {outbound}; " in done.stdout
    assert (outbound / f"{ASSIGNMENT}.ipynb").is_file()
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o700, "nbgrader did not widen it"
    home = tmp_path / "students" / "dana"
    home.mkdir(parents=True)
    where = ("--course", "product-roles", f"--Exchange.root={exchange}")
    nbgrader("fetch_assignment", ASSIGNMENT, *where, cwd=home)
    (key,) = keys_of(ASSIGNMENT)
    right = {card: accepted[0] for card, accepted in key.answers.items()}
    record = answers.Answers(ASSIGNMENT, right)
    answers.write(answers.path_for(ASSIGNMENT, home / ASSIGNMENT), record)
    nbgrader("submit", ASSIGNMENT, *where, "--student=dana", cwd=home)
    done = cli("grade", ASSIGNMENT, cwd=course, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    cards = len(key_for(ASSIGNMENT, "dana").answers)
    assert cards < len(key.answers), "dana sorted the whole pool; her dealt cards count"
    assert f"[1 of 1] dana: {cards} of {cards}" in done.stdout
    assert "submissions of traditional-divide in" in done.stdout
    assert "s (1 worker); 0 could not be graded" in done.stdout, "a class of one needs one"

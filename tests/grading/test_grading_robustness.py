"""A batch of good and broken submissions: every one gets a score, the broken ones a reason.

Broken here means: an answers file that is not JSON, no answers file, deleted cells,
a cell that never ends, a cell that kills its kernel, and a notebook that is not
JSON. Good submissions around them must be graded exactly, and nothing submitted
may be changed or lost. A card sort's score comes from its answers file alone, so a
submission whose notebook breaks keeps the points its saved sort earns.
"""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest

from grading_course import key_for, keys_of, scratch_course
from product_roles.instructor.parallel import grade_class
from product_roles.instructor.simulate import submit

pytestmark = pytest.mark.slow

ASSIGNMENT = "traditional-divide"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def right_answers():
    (key,) = keys_of(ASSIGNMENT)
    return {card: accepted[0] for card, accepted in key.answers.items()}


def full_marks(student="ana"):
    """One point a card dealt to ``student`` (every student is dealt as many)."""
    return float(len(key_for(ASSIGNMENT, student).answers))


def half_right():
    """Every other card in a role the key does not accept (contested cards accept several)."""
    (key,) = keys_of(ASSIGNMENT)
    roles = ("TEAM", "PO", "PM", "ENG")
    return {
        card: accepted[0] if i % 2 else next(r for r in roles if r not in accepted)
        for i, (card, accepted) in enumerate(key.answers.items())
    }


def half_marks(student):
    """The points of :func:`half_right` on the cards dealt to ``student``."""
    half = half_right()
    return float(sum(half[c] in a for c, a in key_for(ASSIGNMENT, student).answers.items()))


def edit_notebook(change):
    def edit(folder):
        nb = nbformat.read(folder / NOTEBOOK, as_version=4)
        change(nb)
        nbformat.write(nb, folder / NOTEBOOK)

    return edit


def solution_cell(nb):
    return next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "place-cards")


def loop_forever(nb):
    solution_cell(nb).source = "while True:\n    pass"


def kill_kernel(nb):
    solution_cell(nb).source = "import os\nos._exit(1)"


def delete_cells(nb):
    nb.cells = [c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") != "test-card-roles"]


def garbage_answers(folder):
    (folder / f"{ASSIGNMENT}.answers.json").write_text("{this is not json")


def misfiled_answers(folder):
    """Another assignment's answers file, copied in under this one's name."""
    from product_roles.grading import answers

    record = answers.Answers("ai-era-shift", right_answers())
    answers.write(answers.path_for(ASSIGNMENT, folder), record)


def not_json(folder):
    (folder / NOTEBOOK).write_text("this notebook was overwritten with plain text")


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("robust"), [ASSIGNMENT], timeout=3)
    right = right_answers()
    half = half_right()
    release, submitted = course / "exercises" / ASSIGNMENT, course / "submitted"
    # Names say nothing of the fault, so a reason cannot pass by quoting the name.
    plan = {
        "ana": ({ASSIGNMENT: right}, None),
        "ben": (None, garbage_answers),
        "cy": (None, None),
        "dee": ({ASSIGNMENT: right}, edit_notebook(delete_cells)),
        "eve": ({ASSIGNMENT: right}, edit_notebook(loop_forever)),
        "fay": ({ASSIGNMENT: half}, edit_notebook(kill_kernel)),
        "gus": ({ASSIGNMENT: right}, not_json),
        "hal": ({ASSIGNMENT: half}, None),
        "ivy": (None, misfiled_answers),
    }
    for student, (placements, edit) in plan.items():
        submit(release, submitted, student, placements, edit)
    before = {s: digest(submitted / s / ASSIGNMENT) for s in plan}
    results = {r["student"]: r for r in grade_class(course, ASSIGNMENT, workers=3)}
    after = {s: digest(submitted / s / ASSIGNMENT) for s in plan}
    return course, plan, results, before, after


def test_every_submission_has_a_result(batch):
    _, plan, results, _, _ = batch
    assert sorted(results) == sorted(plan)
    for result in results.values():
        assert isinstance(result["score"], float)


def test_good_submissions_are_graded_exactly(batch):
    _, _, results, _, _ = batch
    assert results["ana"]["score"] == full_marks()
    assert 0 < results["hal"]["score"] == half_marks("hal") < full_marks("hal")
    for student in ("ana", "hal"):
        assert results[student]["status"] == "graded"
        assert results[student]["reason"] == ""


@pytest.mark.parametrize(
    ("student", "score", "reason"),
    [
        ("ben", 0.0, "submitted but cannot be scored: it is not valid JSON"),
        ("cy", 0.0, "No saved answers"),
        ("dee", None, "test-card-roles: the graded cell was deleted"),
        ("eve", None, "CellTimeoutError"),
        ("fay", None, "the kernel died"),
        ("gus", 0.0, "NotJSONError: Notebook does not appear to be JSON"),
        ("ivy", 0.0, "holds the answers of exercise 'ai-era-shift'; this sort is 'traditional-d"),
    ],
)
def test_broken_submissions_get_a_score_and_a_reason(batch, student, score, reason):
    _, _, results, _, _ = batch
    result = results[student]
    if score is not None:
        assert result["score"] == score, result
    assert reason.lower() in result["reason"].lower(), result


def test_a_cell_that_loops_loses_only_that_cell(batch):
    # The loop is interrupted at the time-out; the placements saved before still count.
    _, _, results, _, _ = batch
    assert results["eve"]["status"] == "graded"
    assert results["eve"]["score"] == full_marks()


def test_a_broken_notebook_keeps_the_points_of_its_saved_sort(batch):
    # A deleted test cell is restored and scored; a kernel that dies stops the
    # notebook, not the scoring of the answers file as submitted.
    _, _, results, _, _ = batch
    assert results["dee"]["status"] == "graded"
    assert results["dee"]["score"] == full_marks()
    assert results["fay"]["status"] == "graded"
    assert results["fay"]["score"] == half_marks("fay")


def test_nothing_submitted_is_changed_or_lost(batch):
    _, plan, results, before, after = batch
    assert before == after
    summary = json.dumps(results)
    for student in plan:
        assert student in summary

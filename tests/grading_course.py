"""Scratch nbgrader courses with simulated submissions, for the grading tests."""

from __future__ import annotations

import atexit
import functools
import random
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from conftest import ROOT, nbgrader
from conftest import assignments as all_assignments
from product_roles.instructor.keys import HiddenKey, load_keys
from product_roles.instructor.simulate import dealt_cards, random_placements, submit


@functools.cache
def generated_course() -> Path:
    """The repository's config and every assignment, generated once per test process.

    ``nbgrader generate_assignment`` takes seconds an assignment; the tests that need
    a fresh course copy this one (:func:`scratch_course`). It is made by the real
    command, and test_nbgrader_roundtrip checks a copy against a fresh run.
    """
    where = Path(tempfile.mkdtemp(prefix="generated-course-"))
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    course = where / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    # One process for every assignment: nbgrader reads the id as a glob.
    nbgrader("generate_assignment", "*", "--force", cwd=course)
    return course


def scratch_course(tmp: Path, assignments: list[str], *, timeout: int | None = None) -> Path:
    """A course with the repository's config and the given assignments, generated.

    It is a copy of :func:`generated_course` without the other assignments: their
    folders are removed and the gradebook forgets them, as if only these were generated.
    """
    course = tmp / "course"
    course.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(generated_course(), course)
    dropped = sorted(set(all_assignments()) - set(assignments))
    for name in dropped:
        shutil.rmtree(course / "solutions" / name)
        shutil.rmtree(course / "exercises" / name)
    if dropped:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for name in dropped:
                gb.remove_assignment(name)
    if timeout is not None:
        with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            config.write(f"\nc.Execute.timeout = {timeout}\n")
    return course


def keys_of(assignment: str):
    return [k for k in load_keys(ROOT / "solutions") if k.assignment == assignment]


def simulate_class(course: Path, assignment: str, students: int, seed: int = 7) -> list[str]:
    """``students`` submissions with random placements of varied skill; returns their ids."""
    rng = random.Random(seed)
    keys = keys_of(assignment)
    release = course / "exercises" / assignment
    names = []
    for n in range(students):
        name = f"student{n:02d}"
        dealt = dealt_cards(release, name)
        placements = random_placements(keys, rng, skill=rng.random(), dealt=dealt)
        submit(release, course / "submitted", name, placements)
        names.append(name)
    return names


def key_for(assignment: str, student: str) -> HiddenKey:
    """The one card-sort key of ``assignment``, cut down to the cards dealt to ``student``.

    Its answers are in the order the student was dealt them; a sort that is not
    pooled keeps its whole key.
    """
    (key,) = keys_of(assignment)
    dealt = dealt_cards(ROOT / "exercises" / assignment, student).get(key.exercise)
    if dealt is None:
        return key
    answers = {card: key.answers[card] for card in dealt}
    return replace(key, answers=answers, why={card: key.why[card] for card in dealt})


def cell_grades(course: Path, assignment: str, db_url: str | None = None) -> dict:
    """(student, notebook, grade cell) -> score, from the course's gradebook."""
    from nbgrader.api import Gradebook

    url = db_url or f"sqlite:///{course / 'gradebook.db'}"
    grades = {}
    with Gradebook(url) as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    grades[(sub.student.id, nb.name, grade.name)] = grade.score
    return grades

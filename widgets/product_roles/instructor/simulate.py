"""Simulated submissions, for dry runs of the grading path and for its tests.

A simulated student gets the released notebooks of an assignment and an answers
file per card sort, placed in ``submitted/<student>/<assignment>/`` as
``nbgrader collect`` would leave them. A sort dealt from a larger pool is answered on
the cards the released notebook deals to that student (:func:`dealt_cards`), as the
student's own notebook would have shown them.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from product_roles.grading import answers
from product_roles.instructor.keys import HiddenKey

TIMESTAMP = "2026-11-20 09:00:00.000000 UTC"


def submit(
    release: str | os.PathLike,
    submitted: str | os.PathLike,
    student: str,
    placements: Mapping[str, Mapping[str, str | None]] | None = None,
    edit: Callable[[Path], None] | None = None,
) -> Path:
    """Copy the release of one assignment as ``student``'s submission and answer it.

    ``placements`` maps an exercise id to its placements; ``edit`` is called with the
    submission folder to break or change it in any way.
    """
    release = Path(release)
    folder = Path(submitted) / student / release.name
    folder.mkdir(parents=True)
    for notebook in release.glob("*.ipynb"):
        shutil.copy(notebook, folder)
    for exercise, chosen in (placements or {}).items():
        record = answers.Answers(exercise, dict(chosen))
        answers.write(answers.path_for(exercise, folder), record)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    if edit is not None:
        edit(folder)
    return folder


def use_stock_nbgrader(course: str | os.PathLike) -> None:
    """Make ``course`` grade with nbgrader's stock pipelines, for a side-by-side comparison.

    Its ``nbgrader_config.py`` keeps the course's folders and settings but no longer
    calls :func:`.pipeline.trusted_grading`: hidden tests run in an unsandboxed kernel,
    as plain nbgrader runs them anywhere else. Honest submissions must get exactly the
    grades the trusted pipeline gives them.
    """
    path = Path(course) / "nbgrader_config.py"
    text = path.read_text(encoding="utf-8")
    if "\ntrusted_grading(c)\n" not in text:
        raise ValueError(f"{path} does not call trusted_grading(c)")
    path.write_text(text.replace("\ntrusted_grading(c)\n", "\n# stock nbgrader pipelines\n"))


def dealt_cards(release: str | os.PathLike, student: str) -> dict[str, list[str]]:
    """Exercise id to the cards the release of one assignment deals ``student``.

    Only pooled sorts are named; every card of any other sort is the student's.
    """
    from product_roles.instructor.deals import dealt_in_release

    return dealt_in_release(release, student)


def random_placements(
    keys: list[HiddenKey],
    rng: random.Random,
    skill: float,
    dealt: Mapping[str, list[str]] | None = None,
) -> dict[str, dict[str, str]]:
    """Placements for every card-sort key: each card right with probability ``skill``.

    ``dealt`` maps a pooled sort's exercise id to the cards dealt to the student
    (:func:`dealt_cards`): only those are placed. Other sorts place every card.
    """
    result: dict[str, dict[str, str]] = {}
    roles = sorted({r for key in keys for accepted in key.answers.values() for r in accepted})
    for key in keys:
        if key.scorer != "score_placements":
            continue
        chosen = {}
        cards = (dealt or {}).get(key.exercise, list(key.answers))
        for card in cards:
            accepted = key.answers[card]
            if rng.random() < skill:
                chosen[card] = accepted[0]
            else:
                chosen[card] = rng.choice([r for r in roles if r not in accepted] or roles)
        result[key.exercise] = chosen
    return result

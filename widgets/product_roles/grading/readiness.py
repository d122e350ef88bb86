"""What a learner can check before submitting a card sort, without the key."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from product_roles.grading import answers


def check_ready_to_submit(
    exercise: str,
    cards: Sequence[str | Mapping],
    *,
    folder: str | os.PathLike = ".",
) -> None:
    """Say whether a card sort is ready to submit: every card placed and saved beside the notebook.

    This is the visible part of a graded test cell: it checks what a learner can check
    without the key, and reads the answers file as the grader will read it. When
    something is missing it writes what, and what to do, to standard error, which makes
    ``nbgrader validate`` report the cell as failed with that message. During
    ``nbgrader autograde`` (``NBGRADER_EXECUTION=autograde``) it writes to standard
    output instead, so the check never changes a grade: the score is the hidden test's.

    It returns nothing on purpose: a value left as a cell's result reads to nbgrader
    as partial credit.

    Parameters
    ----------
    exercise : str
        The exercise id, whose answers file is read.
    cards : sequence
        The sort's cards: ids, or mappings with an ``id`` and optionally a ``text``.
    folder : path
        The folder holding the answers file (the notebook's folder by default).
    """
    path = answers.path_for(exercise, folder)
    problem = _missing_from(exercise, cards, path)
    if problem:
        grading = os.environ.get("NBGRADER_EXECUTION") == "autograde"
        print(problem, file=sys.stdout if grading else sys.stderr)
        return
    print(
        _wrapped(
            f"Ready to submit: all {len(cards)} cards are placed and saved in {path.name}. "
            "Your score is worked out when the assignment is graded."
        )
    )


def _wrapped(text: str, indent: str = "") -> str:
    # nbgrader validate cuts every line of a failed cell's output at 87 characters.
    return textwrap.fill(text, width=_WIDTH, initial_indent=indent, subsequent_indent=indent)


_WIDTH = 80


def _missing_from(exercise: str, cards: Sequence[str | Mapping], path: Path) -> str:
    """What stops the sort in ``path`` being submitted, in a learner's words; "" when nothing."""
    try:
        saved = answers.read_submitted(path, exercise)
    except answers.WrongExercise as err:
        return _wrapped(
            f"Not ready to submit: {err.explain(path.name)} Run the sort's cell again: it "
            "keeps that file under another name and starts this sort empty."
        )
    except answers.AnswersError as err:
        return _wrapped(
            f"Not ready to submit: {path.name} could not be read: {err}. Run the sort's "
            "cell again and check that every card is where you want it; each placement "
            "is saved as you make it."
        )
    if saved is None:
        return _wrapped(
            f"Not ready to submit: no card of this sort is saved yet ({path.name} is not "
            "beside this notebook). Place every card in the sort above; each placement is "
            "saved as you make it."
        )
    unplaced = []
    for card in cards:
        card_id, text = (card, card) if isinstance(card, str) else (card["id"], card.get("text"))
        if saved.placements.get(card_id) is None:
            unplaced.append(_wrapped(f"- {text or card_id}", indent="  ").replace("  - ", "- ", 1))
    if not unplaced:
        return ""
    count = f"{len(unplaced)} of {len(cards)} cards are" if len(unplaced) > 1 else "1 card is"
    return "\n".join(
        [
            f"Not ready to submit: {count} not placed yet:",
            *unplaced,
            "Place them in the sort above, then run this cell again.",
        ]
    )

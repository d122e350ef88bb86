"""Scoring a card sort inside an nbgrader test cell.

The key is passed in by the hidden test, so it lives only in the instructor's source
notebook. The placements are read from the answers file on disk, not from a name in
the learner's kernel, and every line goes to stdout: nbgrader scores a test cell 0 if
anything reaches stderr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from . import answers

REVEAL_ENV = "PRODUCT_ROLES_REVEAL_KEY"


def reveal_from_environment() -> bool:
    """Whether feedback may name the expected answer: ``PRODUCT_ROLES_REVEAL_KEY``, on by default.

    The instructor sets it where grading runs (``product-roles grade --hide-key`` sets
    it to ``0``); the kernels that run the hidden tests inherit it. ``0``, ``no``,
    ``false`` and ``off`` hide the key; anything else, or nothing, shows it.
    """
    value = os.environ.get(REVEAL_ENV, "1").strip().lower()
    return value not in ("0", "no", "false", "off")


def _accepted(entry) -> tuple[tuple[str, ...], str]:
    if isinstance(entry, str):
        return (entry,), ""
    if isinstance(entry, Mapping):
        accepted = entry["answer"]
        accepted = (accepted,) if isinstance(accepted, str) else tuple(accepted)
        return accepted, entry.get("why", "")
    return tuple(entry), ""


def score_placements(
    exercise: str,
    key: Mapping[str, str | Sequence[str] | Mapping],
    *,
    reveal: bool | None = None,
    folder: str | os.PathLike = ".",
) -> float:
    """Print one feedback line per card and return the points earned, one per right card.

    Parameters
    ----------
    exercise : str
        The exercise id whose answers file is read.
    key : mapping
        Card id to the accepted role id, a sequence of accepted ids, or
        ``{"answer": ..., "why": "..."}`` to explain the card in feedback.
    reveal : bool, optional
        Whether feedback names the expected role of a wrong card, and explains it.
        By default the instructor's choice in ``PRODUCT_ROLES_REVEAL_KEY`` (see
        :func:`reveal_from_environment`); a right card is always explained.
    folder : path
        The folder holding the answers file (the notebook's folder by default).
    """
    if reveal is None:
        reveal = reveal_from_environment()
    path = answers.path_for(exercise, folder)
    try:
        saved = answers.read(path, exercise)
    except answers.AnswersError as err:
        print(f"{path.name} could not be read: {err}. No card can be scored.")
        return 0.0
    if saved is None:
        # The card sort sets an unreadable file aside when the notebook runs.
        kept = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
        if kept:
            print(
                f"{path.name} could not be read, so it was set aside as {kept[-1].name}: "
                "no card can be scored."
            )
        else:
            print(
                f"No saved answers for {exercise!r} ({path.name} is missing): no card was sorted."
            )
        return 0.0
    earned = 0
    for card, entry in key.items():
        accepted, why = _accepted(entry)
        placed = saved.placements.get(card)
        if placed is None:
            line = f"{card}: not placed (0/1)"
        elif placed in accepted:
            earned += 1
            line = f"{card}: right, {placed} (1/1)"
        else:
            expected = f"; expected {' or '.join(accepted)}" if reveal else ""
            line = f"{card}: placed in {placed}{expected} (0/1)"
        if why and (reveal or placed in accepted):
            line += f". {why}"
        print(line)
    print(f"Total: {earned} of {len(key)} cards right.")
    return float(earned)

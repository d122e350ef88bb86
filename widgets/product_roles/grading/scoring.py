"""Scoring a card sort: the pure judgement, and the hidden-test call that names it.

The key is written in the hidden test, so it lives only in the instructor's source
notebook. :func:`judge` scores placements against a key and imports nothing but the
answers-file contract, so the trusted grader can run it in its own process.
:func:`score_placements` is how a hidden test names the exercise and its key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from product_roles.grading import answers

REVEAL_ENV = "PRODUCT_ROLES_REVEAL_KEY"


def reveal_from_environment() -> bool:
    """Whether feedback may name the expected answer: ``PRODUCT_ROLES_REVEAL_KEY``, on by default.

    It is read where grading runs, by the grader's own process, never by a kernel
    (``product-roles grade --hide-key`` sets it to ``0``). ``0``, ``no``, ``false``
    and ``off`` hide the key; anything else, or nothing, shows it.
    """
    value = os.environ.get(REVEAL_ENV, "1").strip().lower()
    return value not in ("0", "no", "false", "off")


def accepted_answers(entry) -> tuple[tuple[str, ...], str]:
    """The accepted role ids of one key entry, and its explanation (``""`` when it has none).

    An entry is a role id, a sequence of role ids, or a mapping with ``answer`` (one
    id or several) and optionally ``why``; other fields of a mapping are the course
    authors' own and are ignored here.
    """
    if isinstance(entry, str):
        return (entry,), ""
    if isinstance(entry, Mapping):
        accepted = entry["answer"]
        accepted = (accepted,) if isinstance(accepted, str) else tuple(accepted)
        return accepted, str(entry.get("why", ""))
    return tuple(entry), ""


@dataclass(frozen=True)
class CardVerdict:
    """How one card was judged: the category it was placed in (None if none) and if that is right."""

    exercise: str
    card: str
    placed: str | None
    right: bool


@dataclass(frozen=True)
class Verdict:
    """What one scored card sort earned: points, the most it could earn, one line per card.

    ``cards`` holds the judgement of each card scored: every card of the key in the
    key's order, or the cards dealt to the student in their order. The class report
    counts what was graded rather than judging the files again.
    """

    points: float
    max_points: float
    lines: tuple[str, ...]
    problem: str = ""  # why nothing could be scored, when nothing could
    cards: tuple[CardVerdict, ...] = ()

    @property
    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


def judge(
    exercise: str,
    key: Mapping[str, str | Sequence[str] | Mapping],
    saved: answers.Answers | None,
    *,
    reveal: bool,
    problem: str = "",
    dealt: Sequence[str] | None = None,
) -> Verdict:
    """Score ``saved`` placements against ``key``; one point per right card.

    Parameters
    ----------
    exercise : str
        The exercise id, named in the lines about a missing or unreadable file.
    key : mapping
        Card id to its accepted answers (see :func:`accepted_answers`).
    saved : Answers or None
        The placements as submitted; None when there are none to score.
    reveal : bool
        Whether a wrong card's line names the expected role and explains it; a right
        card is always explained.
    problem : str
        Why ``saved`` is None, in words a learner understands; the default says the
        answers file is missing.
    dealt : sequence of str, optional
        The cards dealt to this student when the key covers a larger pool
        (:mod:`.deal`): only they are scored, in this order, one point each; any other
        card placed is named as not scored. By default every card of the key is scored.

    Raises
    ------
    ValueError
        When a dealt card has no entry in the key.
    """
    scored = _scored(exercise, key, dealt)
    if saved is None:
        name = answers.path_for(exercise).name
        first = (
            problem or f"No saved answers for {exercise!r} ({name} is missing): no card was sorted."
        )
        unplaced = tuple(CardVerdict(exercise, card, None, False) for card in scored)
        return Verdict(0.0, float(len(scored)), (first,), problem=first, cards=unplaced)
    earned = 0
    lines = []
    cards = []
    for card, entry in scored.items():
        accepted, why = accepted_answers(entry)
        placed = saved.placements.get(card)
        cards.append(CardVerdict(exercise, card, placed, placed in accepted))
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
        lines.append(line)
    if dealt is not None:
        extra = [
            c for c, placed in saved.placements.items() if placed is not None and c not in scored
        ]
        if extra:
            lines.append(_not_dealt_line(extra, len(scored)))
    lines.append(f"Total: {earned} of {len(scored)} cards right.")
    return Verdict(float(earned), float(len(scored)), tuple(lines), cards=tuple(cards))


def _scored(exercise: str, key: Mapping, dealt: Sequence[str] | None) -> dict:
    """The key entries that count: the whole key, or the dealt cards' in the dealt order."""
    if dealt is None:
        return dict(key)
    missing = [card for card in dealt if card not in key]
    if missing:
        raise ValueError(
            f"{exercise}: card {missing[0]!r} was dealt but the key has no entry for it; "
            "the key must cover the whole pool"
        )
    return {card: key[card] for card in dealt}


def _not_dealt_line(extra: Sequence[str], dealt: int) -> str:
    """The feedback line naming placed cards that were not dealt, and so were not scored."""
    shown = [card[:40] for card in extra[:5]]
    more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
    were = "card was" if len(extra) == 1 else "cards were"
    return (
        f"Not scored: {len(extra)} {were} placed but not dealt to you "
        f"({', '.join(shown)}{more}). Only the {dealt} cards dealt to your student id count."
    )


def score_placements(
    exercise: str,
    key: Mapping[str, str | Sequence[str] | Mapping],
    *,
    reveal: bool | None = None,
    folder: str | os.PathLike = ".",
    cards: Sequence[str | Mapping] | None = None,
) -> float:
    """Print one feedback line per card and return the points earned, one per right card.

    This is the hidden-test API of a card sort. The course's own grading never runs
    it inside a student's kernel: the trusted grader
    (:mod:`product_roles.instructor.trusted`) finds each call in the instructor's
    source, scores the answers file as submitted with :func:`judge`, and keeps the
    key out of the kernel. It runs as written only under a stock nbgrader pipeline.

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
    cards : sequence, optional
        The cards dealt in this kernel, ids or ``{"id", ...}`` mappings, when the key
        covers a larger pool: only they are scored. The trusted grader ignores this
        and deals the submitting student's cards itself.
    """
    if reveal is None:
        reveal = reveal_from_environment()
    path = answers.path_for(exercise, folder)
    problem = ""
    try:
        saved = answers.read(path, exercise)
    except answers.AnswersError as err:
        problem = misfiled_note(path, err) or (
            f"{path.name} could not be read: {err}. No card can be scored."
        )
        saved = None
    else:
        if saved is None:
            problem = set_aside_note(path)
    dealt = None if cards is None else [c if isinstance(c, str) else str(c["id"]) for c in cards]
    verdict = judge(exercise, key, saved, reveal=reveal, problem=problem, dealt=dealt)
    print(verdict.text, end="")
    return verdict.points


def misfiled_note(path: Path, err: answers.AnswersError) -> str:
    """The line for an answers file of another exercise (``""`` for any other problem).

    Such a file reads well: it was renamed, or copied from another notebook's folder,
    and saying "could not be read" would send the learner looking for damage.
    """
    if isinstance(err, answers.WrongExercise):
        return f"{err.explain(path.name)} No card can be scored."
    return ""


def set_aside_note(path: Path) -> str:
    """The line for a missing answers file, naming the copy kept aside when there is one.

    When that copy holds another exercise's answers (the sort set it aside for that
    when it was opened), the line says so.
    """
    kept = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    if kept:
        exercise = path.name.removesuffix(answers.SUFFIX)
        try:
            answers.read_submitted(kept[-1], exercise)
        except answers.WrongExercise as err:
            return (
                f"{path.name} was set aside as {kept[-1].name} when the sort was opened: "
                f"{err.explain('it')} No card can be scored."
            )
        except answers.AnswersError:
            pass
        return (
            f"{path.name} could not be read, so it was set aside as {kept[-1].name}: "
            "no card can be scored."
        )
    return ""

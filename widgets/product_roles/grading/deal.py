"""A deal of each student's own: which cards of a larger pool a student sorts, and in what order.

An assignment may hold more cards than any one student sorts. The instructor writes
the pool and how to deal it in the source notebook; each student is dealt
``cards`` of them, ``per_group`` from each group the instructor named, in an order
of their own. The deal is a pure function of the exercise id, the instructor's seed
and the student's id: the learner's notebook (:func:`deal_cards`) and the trusted
grader (:mod:`product_roles.instructor.deals`) compute it independently and agree.

Each card's place in the draw is a SHA-256 digest of the seed, the exercise, the
student and the card id, so the deal does not depend on Python's version, on the
pool's order, or on anything a kernel can change. The seed is in the released
notebook: anyone can compute anyone's deal. Variants make casual copying harder; the
grader, not the notebook, decides which cards count.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

# nbgrader's exchange submits under the OS user name, except for the shared name of
# Jupyter's Docker images, where it takes the hub's user name (nbgrader.utils.get_username).
SHARED_ACCOUNT = "jovyan"
HUB_USER = "JUPYTERHUB_USER"
_WIDTH = 80


class DealError(ValueError):
    """A pool and deal that cannot work together; the message says why, for the instructor."""


def card_id(card: str | Mapping) -> str:
    """The id of a pool entry: the entry itself, or its ``id``."""
    if isinstance(card, str):
        return card
    if not isinstance(card, Mapping) or "id" not in card:
        raise DealError(f"each card of the pool needs an id: {card!r}"[:200])
    return str(card["id"])


def card_group(card: str | Mapping) -> str | None:
    """The group the instructor gave a pool entry, or None."""
    if isinstance(card, str) or card.get("group") in (None, ""):
        return None
    return str(card["group"])


def _rank(purpose: str, seed: str, exercise: str, student: str, card: str) -> str:
    # A list in JSON keeps the fields apart: no choice of ids can make two inputs collide.
    text = json.dumps([purpose, seed, exercise, student, card], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def group_counts(
    pool: Sequence[str | Mapping], cards: int, per_group: int | Mapping[str, int] | None
) -> dict[str, int]:
    """How many cards each group gives; raises :class:`DealError` when the deal cannot be made.

    ``per_group`` as a number takes that many from every group (every card then needs
    a group); as a mapping, that many from each group named. Whatever ``cards`` leaves
    over is drawn from the rest of the pool.
    """
    ids = [card_id(card) for card in pool]
    if not ids or any(not i for i in ids):
        raise DealError("the pool needs cards, each with a non-empty id")
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise DealError(f"card ids in the pool must be unique; given twice: {', '.join(twice)}")
    if isinstance(cards, bool) or not isinstance(cards, int) or cards < 1:
        raise DealError(f"the number of cards dealt must be a whole number from 1, not {cards!r}")
    if cards > len(ids):
        raise DealError(f"{cards} cards cannot be dealt from a pool of {len(ids)}")
    groups: dict[str, int] = {}
    for card in pool:
        group = card_group(card)
        if group is not None:
            groups[group] = groups.get(group, 0) + 1
    if per_group is None:
        return {}
    if isinstance(per_group, Mapping):
        counts = {str(g): n for g, n in per_group.items()}
        unknown = sorted(set(counts) - set(groups))
        if unknown:
            raise DealError(f"no card of the pool is in group {unknown[0]!r}")
    else:
        ungrouped = [i for i, card in zip(ids, pool, strict=True) if card_group(card) is None]
        if ungrouped:
            raise DealError(
                f"a number of cards from every group needs a group on every card; "
                f"{ungrouped[0]!r} has none"
            )
        counts = dict.fromkeys(groups, per_group)
    for group, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise DealError(f"group {group!r}: deal a whole number of cards, not {count!r}")
        if count > groups[group]:
            raise DealError(f"group {group!r} has {groups[group]} cards; {count} cannot be dealt")
    if sum(counts.values()) > cards:
        raise DealError(
            f"the groups give {sum(counts.values())} cards, more than the {cards} dealt in all"
        )
    return counts


def dealt_ids(
    exercise: str,
    pool: Sequence[str | Mapping],
    *,
    seed: str | int,
    cards: int,
    per_group: int | Mapping[str, int] | None = None,
    student: str | None,
) -> list[str]:
    """The ids of the cards dealt to ``student``, in the order that student sees them.

    Parameters
    ----------
    exercise : str
        The exercise id; two sorts of one assignment deal independently.
    pool : sequence
        Card ids, or mappings with ``id`` and optionally ``group``.
    seed : str or int
        The instructor's seed; a new seed deals everyone again.
    cards : int
        How many cards each student is dealt: every student gets the same number.
    per_group : int or mapping, optional
        How many cards from each group (see :func:`group_counts`).
    student : str or None
        The student's id as nbgrader knows it; None deals the default set.
    """
    counts = group_counts(pool, cards, per_group)
    seed, who = str(seed), student or ""

    def rank(card: str) -> str:
        return _rank("pick", seed, exercise, who, card)

    chosen: list[str] = []
    for group, count in sorted(counts.items()):
        members = [card_id(c) for c in pool if card_group(c) == group]
        chosen += sorted(members, key=rank)[:count]
    taken = set(chosen)
    rest = [card_id(c) for c in pool if card_id(c) not in taken]
    chosen += sorted(rest, key=rank)[: cards - len(chosen)]
    return sorted(chosen, key=lambda card: _rank("order", seed, exercise, who, card))


def deal(
    exercise: str,
    pool: Sequence[Mapping],
    *,
    seed: str | int,
    cards: int,
    per_group: int | Mapping[str, int] | None = None,
    student: str | None,
) -> list[dict[str, str]]:
    """The cards dealt to ``student``, each ``{"id", "text"}``, in that student's order.

    The arguments are those of :func:`dealt_ids`; each pool entry needs an ``id`` and
    a ``text``.
    """
    by_id = {card_id(card): card for card in pool}
    chosen = dealt_ids(exercise, pool, seed=seed, cards=cards, per_group=per_group, student=student)
    return [{"id": card, "text": str(by_id[card]["text"])} for card in chosen]


def learner_id(environ: Mapping[str, str] | None = None) -> str | None:
    """The id nbgrader's exchange would submit this notebook under; None when there is none.

    It is the OS user name, as for ``nbgrader submit``; under the shared account of
    Jupyter's Docker images (``jovyan``) it is the hub's user name, ``JUPYTERHUB_USER``.
    There is none on a machine with no user database (Windows), for a user it cannot
    name, and for ``jovyan`` with no hub: a learner working alone, in Binder or a
    container, who is dealt the default set.
    """
    environ = os.environ if environ is None else environ
    try:
        import pwd

        name = pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        return None
    if name == SHARED_ACCOUNT:
        name = environ.get(HUB_USER, "").strip() or SHARED_ACCOUNT
    return None if name == SHARED_ACCOUNT else name


def graded_student(environ: Mapping[str, str] | None = None) -> str | None:
    """The student whose submission nbgrader is grading in this kernel, if it is grading.

    nbgrader runs a submission's notebook in ``autograded/<student>/<assignment>/``
    (its default folder layout) with ``NBGRADER_EXECUTION=autograde``, in a kernel of
    the grader's own user. The course's trusted grader names the student itself
    (:func:`deal_cards`'s ``student``); this is for nbgrader's stock pipelines, whose
    hidden tests score the cards this kernel deals.
    """
    environ = os.environ if environ is None else environ
    if environ.get("NBGRADER_EXECUTION") != "autograde":
        return None
    return Path.cwd().parent.name or None


def deal_note(student: str | None, dealt: int, pool: int, *, given: bool = False) -> str:
    """What a learner is told about their deal, in plain words."""
    if student is None:
        text = (
            f"No student id was found here, so you have the default set of {dealt} "
            f"cards from this assignment's pool of {pool}. When your work is graded, "
            "the cards dealt to your own student id are the ones that count: to sort "
            "those, open this notebook where you submit it (the course's hub, or your "
            "own account on the course's machine) and run it again."
        )
    elif given:
        text = (
            f"These {dealt} cards, of this assignment's pool of {pool}, are the ones "
            f"dealt to student id {student!r}: they are the cards graded."
        )
    else:
        text = (
            f"These {dealt} cards are dealt to student id {student!r}, from this "
            f"assignment's pool of {pool}; other students have cards of their own. "
            "Submitted under this id, your work is graded on these same cards: the "
            "grader deals them again from your id."
        )
    return textwrap.fill(text, width=_WIDTH)


def deal_cards(
    exercise: str,
    pool: Sequence[Mapping],
    *,
    seed: str | int,
    cards: int,
    per_group: int | Mapping[str, int] | None = None,
    student: str | None = None,
    quiet: bool = False,
) -> list[dict[str, str]]:
    """Deal this learner's cards from ``pool`` and say whose they are.

    The learner's side of a pooled card sort: the cards it returns go to
    :func:`~product_roles.card_sort` and to
    :func:`~product_roles.grading.check_ready_to_submit`. The student is
    :func:`learner_id` unless ``student`` is given (the grader gives it when it runs
    a submission, so that the graded notebook shows the student's own cards), or
    the submission's student while nbgrader grades it (:func:`graded_student`).

    Parameters
    ----------
    exercise, pool, seed, cards, per_group
        As for :func:`deal`; the instructor writes them as literals in a locked cell,
        where the grader reads them.
    student : str, optional
        Deal for this id instead of the learner's own.
    quiet : bool
        Do not print the note saying whose cards these are.
    """
    if student is None:
        student = graded_student()
    given = student is not None
    who = student if given else learner_id()
    dealt = deal(exercise, pool, seed=seed, cards=cards, per_group=per_group, student=who)
    if not quiet:
        print(deal_note(who, len(dealt), len(pool), given=given), file=sys.stdout)
    return dealt

"""Item analysis of a graded assignment: which cards teach, which mislead, how reliable the total is.

Each card of an assignment is an item, scored 0 or 1 by the trusted grader. From the
matrix of those scores (students by cards, as the grading records hold them) this
module computes, with the standard library only:

- **facility**: the share of students who placed the card right;
- **discrimination** (the primary figure): the point-biserial correlation between
  the card's 0/1 score and the student's *rest score*, the number of the other cards
  they placed right. Leaving the card out of the total keeps it from correlating with
  itself, which inflates the plain item-total correlation on short tests (the
  "corrected" item-total correlation; Moodle's quiz statistics report it too);
- **upper-lower index** (a second view of the same question): the share right in the
  top 27 % of students by rest score minus the share right in the bottom 27 %
  (Kelley, 1939, *Journal of Educational Psychology* 30(1), 17-24). Students tied
  at a group's edge share the places left, each counting for an equal fraction, so
  the figure never depends on the order of names;
- **wrong choices**: how often each wrong category (or no category) was chosen;
- **KR-20** per assignment (Kuder and Richardson, 1937, *Psychometrika* 2(3),
  151-160): the reliability of the total score for items scored 0/1, equal to
  Cronbach's alpha on such items.

A figure that cannot be computed (one student, one card, a card everyone placed
right, a class with identical totals) is ``None`` with a note saying why, never NaN.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

UPPER_LOWER_SHARE = 0.27
UNPLACED = "not placed"

Item = tuple[str, str]  # (exercise, card)


class Response(NamedTuple):
    """One student's recorded verdict on one card: the category chosen (None: none) and if right.

    A named tuple, not a dataclass: a class of 2,000 on 36 cards makes 72,000 of them.
    """

    placed: str | None
    right: bool


@dataclass(frozen=True)
class ItemStats:
    exercise: str
    card: str
    answered: int  # students judged on this card
    right: int
    discrimination: float | None  # point-biserial with the rest score
    upper_lower: float | None
    wrong_choices: tuple[tuple[str, int], ...]  # most chosen first; UNPLACED for none
    note: str = ""  # why the discrimination figures are missing, when they are

    @property
    def facility(self) -> float | None:
        return self.right / self.answered if self.answered else None

    @property
    def discriminates_negatively(self) -> bool:
        return self.discrimination is not None and self.discrimination < 0


@dataclass(frozen=True)
class Reliability:
    """KR-20 of one assignment, from the students judged on every one of its cards."""

    kr20: float | None
    students: int
    items: int
    note: str = ""  # why it is missing, when it is

    def sentence(self) -> str:
        """The figure and what it means, in one plain sentence."""
        if self.kr20 is None:
            return f"Reliability (KR-20): not enough data: {self.note}."
        return (
            f"Reliability (KR-20) is {self.kr20:.2f}, from {self.students} students and "
            f"{self.items} cards: it says how consistently the cards agree about who knows "
            "the material; near 1, students who place some cards right tend to place the "
            "others right too, so the total ranks students dependably, while near 0 (or "
            "below) the total is mostly chance."
        )


@dataclass
class ItemAnalysis:
    items: list[ItemStats]
    reliability: Reliability
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # student: (right, judged)

    @property
    def flagged(self) -> list[ItemStats]:
        return [item for item in self.items if item.discriminates_negatively]


def analyse(
    responses: Mapping[str, Mapping[Item, Response]],
    items: Sequence[Item],
    category_order: Sequence[str] = (),
) -> ItemAnalysis:
    """The item statistics of one assignment.

    Parameters
    ----------
    responses : mapping
        Student to their verdict on each card they were judged on. A card a student
        was not dealt is simply absent: facility and discrimination count the
        students who were judged on it, and KR-20 the students judged on every card.
    items : sequence of (exercise, card)
        The assignment's cards in the order the report lists them; cards found only
        in ``responses`` follow, in name order.
    category_order : sequence of str
        The order in which wrong choices with equal counts are listed.
    """
    known = set(items)
    extra = sorted({item for answers in responses.values() for item in answers} - known)
    order = [*items, *extra]
    totals = {
        student: (sum(r.right for r in answers.values()), len(answers))
        for student, answers in responses.items()
    }
    rank = {category: n for n, category in enumerate(category_order)}
    stats = [_item(item, responses, totals, rank) for item in order]
    complete = [s for s, answers in responses.items() if all(i in answers for i in order)]
    matrix = [[int(responses[s][i].right) for i in order] for s in complete]
    return ItemAnalysis(stats, kr20(matrix), totals)


def _item(item: Item, responses, totals, rank) -> ItemStats:
    scores: list[int] = []
    rests: list[float] = []
    wrong: Counter[str] = Counter()
    for student, answers in responses.items():
        response = answers.get(item)
        if response is None:
            continue
        x = int(response.right)
        scores.append(x)
        rests.append(totals[student][0] - x)
        if not x:
            wrong[response.placed or UNPLACED] += 1
    choices = tuple(
        sorted(
            wrong.items(),
            key=lambda kv: (-kv[1], kv[0] == UNPLACED, rank.get(kv[0], len(rank)), kv[0]),
        )
    )
    note = _why_undefined(scores, rests)
    r = None if note else point_biserial(scores, rests)
    d = None if note else upper_lower_index(scores, rests)
    return ItemStats(*item, len(scores), sum(scores), r, d, choices, note)


def _why_undefined(scores: Sequence[int], rests: Sequence[float]) -> str:
    if len(scores) < 2:
        return "fewer than 2 students were judged on it"
    if len(set(scores)) == 1:
        return "every student placed it right" if scores[0] else "no student placed it right"
    if len(set(rests)) == 1:
        return "every student had the same score on the other cards"
    return ""


def point_biserial(scores: Sequence[int], rests: Sequence[float]) -> float | None:
    """Pearson's correlation of 0/1 ``scores`` with ``rests``; None when either is constant.

    For a 0/1 variable this equals the point-biserial formula
    ``(M1 - M0) / s * sqrt(p q)``, with ``s`` the population standard deviation.
    """
    n = len(scores)
    if n < 2:
        return None
    mean_x, mean_y = sum(scores) / n, sum(rests) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(scores, rests, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in scores)
    syy = sum((y - mean_y) ** 2 for y in rests)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def upper_lower_index(
    scores: Sequence[int], rests: Sequence[float], share: float = UPPER_LOWER_SHARE
) -> float | None:
    """Share right in the top ``share`` of students by rest score minus that in the bottom.

    Each group holds ``round(share * n)`` students (at least one). Where students tied
    on the rest score straddle a group's edge, the places left are shared equally
    among all of them, so the index does not depend on the order of names.
    """
    n = len(scores)
    if n < 2:
        return None
    size = max(1, math.floor(share * n + 0.5))
    pairs = list(zip(rests, scores, strict=True))
    upper = _group_share(sorted(pairs, reverse=True), size)
    lower = _group_share(sorted(pairs), size)
    return upper - lower


def _group_share(ranked: list[tuple[float, int]], size: int) -> float:
    """Share right among the first ``size`` of ``ranked``, ties at the edge sharing the places."""
    edge = ranked[size - 1][0]
    first = next(n for n, (rest, _) in enumerate(ranked) if rest == edge)
    tied = [x for rest, x in ranked if rest == edge]
    weight = (size - first) / len(tied)
    return (sum(x for _, x in ranked[:first]) + weight * sum(tied)) / size


def kr20(matrix: Sequence[Sequence[int]]) -> Reliability:
    """Kuder-Richardson formula 20 of a students-by-items 0/1 matrix.

    ``KR-20 = k / (k - 1) * (1 - sum(p q) / var(total))``, with ``p`` each item's
    share right, ``q = 1 - p`` and the population variance of the totals (the same
    denominator as ``p q``, so the figure equals Cronbach's alpha on these items).
    """
    students = len(matrix)
    items = len(matrix[0]) if matrix else 0
    if items < 2:
        return Reliability(None, students, items, "KR-20 needs at least 2 cards")
    if students < 2:
        return Reliability(
            None, students, items, "KR-20 needs at least 2 students judged on every card"
        )
    totals = [sum(row) for row in matrix]
    mean = sum(totals) / students
    variance = sum((t - mean) ** 2 for t in totals) / students
    if variance == 0:
        return Reliability(
            None, students, items, "every student placed the same number of cards right"
        )
    pq = 0.0
    for column in zip(*matrix, strict=True):
        p = sum(column) / students
        pq += p * (1 - p)
    return Reliability(items / (items - 1) * (1 - pq / variance), students, items)

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
- **reliability** per assignment, Cronbach's alpha (Cronbach, 1951, *Psychometrika*
  16(3), 297-334), in one of two forms:

  - when every student was judged on every card, **KR-20** (Kuder and Richardson,
    1937, *Psychometrika* 2(3), 151-160), which is alpha for items scored 0/1;
  - when each student was dealt their own cards from a pool, **alpha from pairwise
    data**: each card's variance over the students judged on it, each pair's
    covariance over the students judged on both (sample statistics, divided by
    ``n - 1``, as pandas and pingouin compute them), then, with ``v`` the mean
    variance and ``c`` the mean covariance over the pairs judged together for at
    least 2 students, ``alpha = m c / (v + (m - 1) c)`` for a test of ``m`` cards,
    ``m`` the number each student was judged on (the median, should it vary). With
    ``m`` the pool's size this is the pool's alpha from the pairwise covariance
    matrix; with fewer, it is that alpha stepped down to the length each student
    sorted by the Spearman-Brown formula (Spearman, 1910, and Brown, 1910, both
    *British Journal of Psychology* 3(3)), which is the figure a student's total
    actually has.

A figure that cannot be computed (one student, one card, a card everyone placed
right, a class with identical totals) is ``None`` with a note saying why, never NaN.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

UPPER_LOWER_SHARE = 0.27
UNPLACED = "not placed"
KR20 = "KR-20"
PAIRWISE = "alpha from pairwise data (cards dealt per student)"
MEANING = (
    "how consistently the cards agree about who knows the material; near 1, students "
    "who place some cards right tend to place the others right too, so the total ranks "
    "students dependably, while near 0 (or below) the total is mostly chance."
)

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
    """The reliability of one assignment's total score, and how it was computed.

    ``method`` is :data:`KR20` when every student was judged on every card and
    :data:`PAIRWISE` when students were dealt different cards; ``length`` is the
    number of cards the figure is for, ``fewest`` and ``most`` the range of cards a
    student was judged on (equal unless the deals differ in size).
    """

    value: float | None
    students: int
    items: int
    method: str = KR20
    length: float = 0
    fewest: int = 0
    most: int = 0
    note: str = ""  # why it is missing, when it is

    def sentence(self) -> str:
        """The figure and what it means, in one plain sentence."""
        name = (
            KR20
            if self.method == KR20
            else "Cronbach's alpha from pairwise data, cards dealt per student"
        )
        if self.value is None:
            return f"Reliability ({name}): not enough data: {self.note}."
        if self.method == KR20:
            return (
                f"Reliability (KR-20) is {self.value:.2f}, from {self.students} students and "
                f"{self.items} cards: it says {MEANING}"
            )
        if self.fewest == self.most:
            length = f"the {self.length:g} cards each student was judged on"
        else:
            length = (
                f"{self.length:g} cards, the median a student was judged on "
                f"(from {self.fewest} to {self.most})"
            )
        return (
            f"Reliability ({name}) is {self.value:.2f} for a test of {length}, from "
            f"{self.students} students and a pool of {self.items} cards, each pair of cards "
            f"compared over the students dealt both: it says {MEANING}"
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
        students who were judged on it. Reliability is KR-20 when every student was
        judged on every card, else alpha from pairwise data (:func:`pairwise_alpha`).
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
    if all(len(answers) == len(order) for answers in responses.values()):
        reliability = kr20(
            [[int(answers[i].right) for i in order] for answers in responses.values()]
        )
    else:
        reliability = pairwise_alpha(
            [[_score(answers.get(i)) for i in order] for answers in responses.values()]
        )
    return ItemAnalysis(stats, reliability, totals)


def _score(response: Response | None) -> int | None:
    return None if response is None else int(response.right)


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
    denominator as ``p q``, so the figure equals Cronbach's alpha on these items,
    whichever denominator both use).
    """
    students = len(matrix)
    items = len(matrix[0]) if matrix else 0

    def missing(note: str) -> Reliability:
        return Reliability(None, students, items, KR20, items, items, items, note)

    if items < 2:
        return missing("KR-20 needs at least 2 cards")
    if students < 2:
        return missing("KR-20 needs at least 2 students judged on every card")
    totals = [sum(row) for row in matrix]
    mean = sum(totals) / students
    variance = sum((t - mean) ** 2 for t in totals) / students
    if variance == 0:
        return missing("every student placed the same number of cards right")
    pq = 0.0
    for column in zip(*matrix, strict=True):
        p = sum(column) / students
        pq += p * (1 - p)
    value = items / (items - 1) * (1 - pq / variance)
    return Reliability(value, students, items, KR20, items, items, items)


def pairwise_alpha(
    matrix: Sequence[Sequence[int | None]], length: float | None = None
) -> Reliability:
    """Cronbach's alpha from pairwise-complete statistics, for a test of ``length`` items.

    Parameters
    ----------
    matrix : sequence of rows
        Students by items, 0 or 1, ``None`` where the student was not judged on it.
    length : float, optional
        The number of items the figure is for; by default the number each student
        was judged on, or its median should that vary.

    Each item's variance counts the students judged on it, each pair's covariance
    the students judged on both (both divided by ``n - 1``); items judged for fewer
    than 2 students, and pairs judged together for fewer than 2, are left out. With
    ``v`` and ``c`` the means of what is left, ``alpha = m c / (v + (m - 1) c)``.
    """
    rows = [
        [(n, x) for n, x in enumerate(row) if x is not None]
        for row in matrix
        if any(x is not None for x in row)
    ]
    judged = [len(row) for row in rows]
    fewest, most = (min(judged), max(judged)) if judged else (0, 0)
    m = length if length is not None else (statistics.median(judged) if judged else 0)
    width = max((len(row) for row in matrix), default=0)
    # Sums over the students judged on each item (count, sum of x, of x squared) and
    # on each pair (count, sum of x, of y, of x y): one pass over the judged cells.
    single = [[0, 0, 0] for _ in range(width)]
    pair: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        for a, (i, x) in enumerate(row):
            cell = single[i]
            cell[0] += 1
            cell[1] += x
            cell[2] += x * x
            for j, y in row[a + 1 :]:
                sums = pair.setdefault((i, j), [0, 0, 0, 0])
                sums[0] += 1
                sums[1] += x
                sums[2] += y
                sums[3] += x * y
    variances = [(n * sxx - sx * sx) / (n * (n - 1)) for n, sx, sxx in single if n >= 2]
    covariances = [
        (n * sxy - sx * sy) / (n * (n - 1)) for n, sx, sy, sxy in pair.values() if n >= 2
    ]

    def result(value: float | None, note: str = "") -> Reliability:
        return Reliability(value, len(rows), len(variances), PAIRWISE, m, fewest, most, note)

    if len(rows) < 2:
        return result(None, "alpha needs at least 2 students judged on some card")
    if m < 2:
        return result(None, "alpha needs students judged on at least 2 cards")
    if not covariances:
        return result(None, "no two cards were both dealt to at least 2 students")
    v = sum(variances) / len(variances)
    c = sum(covariances) / len(covariances)
    denominator = v + (m - 1) * c
    # Exact 0 when the cards' scores do not vary; a pairwise covariance matrix need not
    # be positive definite, so a negative one is possible too, and as meaningless.
    if denominator <= 1e-12:
        return result(
            None, "the cards' scores do not vary together enough to give the total a variance"
        )
    return result(m * c / denominator)

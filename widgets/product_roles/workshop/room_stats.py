"""What the room thinks: agreement, splits, and the room against the catalogue's reference.

Pure functions over :class:`~product_roles.workshop.room.Room` objects: no files, no plots.
A placement naming a card or a category outside the sort is ignored (and counted),
so one odd file cannot skew a card it does not belong to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from product_roles.content.catalogue import Catalogue, load
from product_roles.workshop.room import Room

SPLIT_SECOND_SHARE = 0.3
"""A card splits the room when its second most chosen role gets at least this share."""


@dataclass(frozen=True)
class CardTally:
    """How the room placed one card."""

    card: str
    counts: dict[str, int]
    placed: int

    @property
    def ranked(self) -> list[tuple[str, int]]:
        """Categories by votes, most first; ties in the sort's category order."""
        return sorted(self.counts.items(), key=lambda item: -item[1])

    @property
    def agreement(self) -> float:
        """Share of those who placed the card that chose its most chosen category."""
        return self.ranked[0][1] / self.placed if self.placed else 0.0

    @property
    def second_share(self) -> float:
        """Share that chose the runner-up category."""
        ranked = self.ranked
        return ranked[1][1] / self.placed if self.placed and len(ranked) > 1 else 0.0

    @property
    def top(self) -> str | None:
        """The most chosen category, or None when nobody placed the card."""
        return self.ranked[0][0] if self.placed else None

    @property
    def splits(self) -> bool:
        """True when the runner-up category drew a large minority of the room."""
        return self.second_share >= SPLIT_SECOND_SHARE


def tally(room: Room, cards: Sequence[str], categories: Sequence[str]) -> dict[str, CardTally]:
    """Count the room's placements of each card into each category.

    Parameters
    ----------
    room : Room
    cards : sequence of str
        The sort's card ids, in display order.
    categories : sequence of str
        The sort's category ids, in display order.
    """
    wanted = set(categories)
    counts = {card: Counter() for card in cards}
    for sort in room.sorts:
        for card, category in sort.placements.items():
            if card in counts and category in wanted:
                counts[card][category] += 1
    return {
        card: CardTally(
            card,
            {category: counts[card][category] for category in categories},
            sum(counts[card].values()),
        )
        for card in cards
    }


def ignored_placements(room: Room, cards: Sequence[str], categories: Sequence[str]) -> int:
    """How many placements name a card or a category that is not in the sort."""
    cards, categories = set(cards), set(categories)
    return sum(
        1
        for sort in room.sorts
        for card, category in sort.placements.items()
        if category is not None and (card not in cards or category not in categories)
    )


def reference(
    cards: Sequence[str], categories: Sequence[str], era: str, catalogue: Catalogue | None = None
) -> dict[str, tuple[str, ...]]:
    """The catalogue's accepted holders of each card in ``era``, among the sort's categories."""
    catalogue = catalogue or load()
    return {
        card: tuple(r for r in catalogue.card(card).holders(era) if r in categories)
        for card in cards
    }


def match_reference(tallies: dict[str, CardTally], key: dict[str, tuple[str, ...]]) -> dict:
    """Share of those who placed each card that chose a role the reference accepts."""
    return {
        card: (sum(t.counts.get(r, 0) for r in key[card]) / t.placed if t.placed else 0.0)
        for card, t in tallies.items()
    }


@dataclass(frozen=True)
class CardShift:
    """How the room moved one card between its traditional and AI-era sorts."""

    card: str
    both: int
    moved: int
    room_before: str | None
    room_after: str | None
    reference_before: tuple[str, ...]
    reference_after: tuple[str, ...]

    @property
    def moved_share(self) -> float:
        """Share of participants who sorted the card both times and put it elsewhere."""
        return self.moved / self.both if self.both else 0.0

    @property
    def reference_moves(self) -> bool:
        """True when the reference's holders differ between the two eras."""
        return set(self.reference_before) != set(self.reference_after)


def shift(
    before: Room,
    after: Room,
    cards: Sequence[str],
    categories: Sequence[str],
    catalogue: Catalogue | None = None,
) -> dict[str, CardShift]:
    """Compare the room's traditional sort (``before``) with its AI-era sort (``after``).

    A participant counts for a card only when they placed it in both sorts; the two
    rooms must come from one :func:`~product_roles.workshop.room.collect` naming scheme
    (participant labels are matched).
    """
    key_before = reference(cards, categories, "traditional", catalogue)
    key_after = reference(cards, categories, "ai_era", catalogue)
    tally_before = tally(before, cards, categories)
    tally_after = tally(after, cards, categories)
    wanted = set(categories)
    later = {sort.participant: sort.placements for sort in after.sorts}
    both, moved = Counter(), Counter()
    for sort in before.sorts:
        second = later.get(sort.participant)
        if second is None:
            continue
        for card in cards:
            first, then = sort.placements.get(card), second.get(card)
            if first in wanted and then in wanted:
                both[card] += 1
                moved[card] += first != then
    return {
        card: CardShift(
            card,
            both[card],
            moved[card],
            tally_before[card].top,
            tally_after[card].top,
            key_before[card],
            key_after[card],
        )
        for card in cards
    }

"""Practice card sorts from the question bank whose cards are not responsibilities."""

from __future__ import annotations

from product_roles.content.questions import bank
from product_roles.ui.cardsort import card_sort
from product_roles.ui.sortstate import SortState


def custom_sort(sort_id: str, **kwargs) -> SortState:
    """A practice card sort from the bank's ``sorts``: its own cards, categories and key."""
    _, sorts = bank()
    if sort_id not in sorts:
        raise KeyError(f"no sort with id {sort_id!r} in the question bank")
    spec = sorts[sort_id]
    return card_sort(
        spec.id,
        [{"id": c["id"], "text": c["text"]} for c in spec.cards],
        [{"id": i, "label": label} for i, label in spec.categories],
        key={c["id"]: c["answer"] for c in spec.cards},
        explanations={c["id"]: c["why"] for c in spec.cards},
        **kwargs,
    )

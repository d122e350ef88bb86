"""Exercises about the learner's own team and organisation: no right answers, no key.

Notebook 8 asks learners to design the split of responsibilities for their own team
and to assess how ready their organisation is. Both are card sorts in assessment
mode: saved beside the notebook like every sort, but never marked right or wrong.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from product_roles.content.catalogue import load
from product_roles.content.readiness import readiness
from product_roles.ui.cardsort import card_sort
from product_roles.ui.sortstate import SortState


def readiness_sort(exercise: str, *, folder: str | os.PathLike = ".") -> SortState:
    """A self-assessment: sort each statement by how true it is of your organisation."""
    spec = readiness()
    return card_sort(
        exercise,
        [{"id": s.id, "text": s.text} for s in spec.statements],
        [{"id": i, "label": label} for i, label in spec.levels],
        mode="assessment",
        folder=folder,
    )


def design_sort(
    exercise: str,
    card_ids: Sequence[str],
    *,
    roles: Sequence[str] = ("PO", "PM", "ENG", "TEAM"),
    folder: str | os.PathLike = ".",
) -> SortState:
    """A design exercise: place catalogue cards with the roles of your own team.

    Any placement is allowed, so the sort has no key and never marks a card wrong.
    """
    catalogue = load()
    cards = catalogue.select(list(card_ids))
    return card_sort(
        exercise,
        [{"id": c.id, "text": c.text} for c in cards],
        [{"id": r, "label": catalogue.role(r).label} for r in roles],
        mode="assessment",
        folder=folder,
    )


def advice(sort: SortState) -> str:
    """Markdown notes on a learner's self-assessment: what each weaker answer suggests.

    Statements placed as "partly" or "not yet" are listed under their area with what
    that answer means and where the idea comes from; the rest are counted. The notes
    read the learner's placements only, so there is nothing to reveal in advance.
    """
    spec = readiness()
    catalogue = load()
    levels = dict(spec.levels)
    by_id = {s.id: s for s in spec.statements}
    weaker = [
        (by_id[card], level)
        for card, level in sort.placements.items()
        if card in by_id and level in ("partly", "no")
    ]
    answered = sum(1 for c, level in sort.placements.items() if c in by_id and level)
    if not answered:
        return "*Place the statements in the self-assessment above, then run this cell again.*"
    lines = [f"You answered {answered} of {len(spec.statements)} statements."]
    if not weaker:
        lines.append("You placed every answered statement as true for you: look for evidence.")
    for area, label in spec.areas:
        items = [(s, level) for s, level in weaker if s.area == area]
        if not items:
            continue
        lines.append(f"\n**{label}**\n")
        for statement, level in items:
            cited = "; ".join(catalogue.sources[s].citation() for s in statement.sources)
            lines.append(
                f"- *{statement.text}* ({levels[level].lower()}): {statement.means} "
                f"Source: {cited}."
            )
    return "\n".join(lines)

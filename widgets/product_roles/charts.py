"""Plotly charts drawn from the responsibility catalogue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from .catalogue import Catalogue, load

_FOCUS_LABELS = {
    "inward": "Inward (team, delivery)",
    "outward": "Outward (market, business)",
    "both": "Both",
}


def roles_by_focus(catalogue: Catalogue | None = None) -> go.Figure:
    """Stacked bars: how many catalogue cards each role traditionally holds, by focus.

    A card accepted for two roles counts once for each, so contested cards show up
    under every role that can claim them.
    """
    catalogue = catalogue or load()
    counts = Counter(
        (holder, card.focus) for card in catalogue.cards for holder in card.traditional
    )
    roles = [role.id for role in catalogue.roles]
    figure = go.Figure()
    for focus, label in _FOCUS_LABELS.items():
        figure.add_bar(
            name=label,
            x=[catalogue.role(r).label for r in roles],
            y=[counts[(r, focus)] for r in roles],
        )
    figure.update_layout(
        barmode="stack",
        title="Who traditionally holds each responsibility, and which way it faces",
        yaxis_title="Cards in the catalogue",
        legend_title="Focus",
        template="plotly_white",
    )
    return figure


def role_shift(catalogue: Catalogue | None = None) -> go.Figure:
    """Sankey from each card's traditional holder to its AI-era holder (first listed of each)."""
    catalogue = catalogue or load()
    roles = [role.id for role in catalogue.roles]
    labels = [catalogue.role(r).label for r in roles]
    flows = Counter((card.traditional[0], card.ai_era[0]) for card in catalogue.cards)
    source, target, value = [], [], []
    for (before, after), count in sorted(flows.items()):
        source.append(roles.index(before))
        target.append(len(roles) + roles.index(after))
        value.append(count)
    figure = go.Figure(
        go.Sankey(
            node={
                "label": [f"{label} (before)" for label in labels]
                + [f"{label} (AI era)" for label in labels]
            },
            link={"source": source, "target": target, "value": value},
        )
    )
    figure.update_layout(title="Where responsibilities move in the AI-era scenario")
    return figure


def _flows(before, after, card_ids):
    flows = Counter()
    for card in card_ids:
        start, end = before.get(card), after.get(card)
        if start is not None and end is not None:
            flows[(start, end)] += 1
    return flows


def _sankey(flows, categories, domain_x):
    ids = [category_id for category_id, _ in categories]
    labels = [label for _, label in categories]
    source, target, value = [], [], []
    for (start, end), count in sorted(flows.items()):
        source.append(ids.index(start))
        target.append(len(ids) + ids.index(end))
        value.append(count)
    return go.Sankey(
        domain={"x": domain_x, "y": [0, 0.9]},
        node={
            "label": [f"{label} (before)" for label in labels]
            + [f"{label} (AI era)" for label in labels],
            "pad": 12,
        },
        link={"source": source, "target": target, "value": value},
    )


def placement_shift(
    before: Mapping[str, str | None],
    after: Mapping[str, str | None],
    categories: Sequence[tuple[str, str]],
    *,
    reference: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
    waiting: bool = False,
) -> go.Figure:
    """Sankey of a learner's shift: each card from its "before" role to its "AI era" role.

    Parameters
    ----------
    before, after : mapping
        Card id to the category the learner chose on each axis (None: not placed).
        Only cards placed on both axes are drawn.
    categories : sequence of (id, label)
        The roles, in the order to draw them.
    reference : (before, after), optional
        The reference placements (card id to one role each), drawn on the right. Leave
        it out for an assessment, whose key must not reach the learner.
    waiting : bool
        Say that the reference will appear once every card is sorted on both axes.
    """
    cards = sorted(set(before) | set(after))
    mine = _flows(before, after, cards)
    placed = sum(mine.values())
    figure = go.Figure()
    left = [0, 0.47] if reference is not None else [0, 1]
    figure.add_trace(_sankey(mine, categories, left))
    notes = [
        {
            "x": sum(left) / 2,
            "y": 1.0,
            "text": f"Your shift ({placed} of {len(cards)} cards sorted on both axes)",
        }
    ]
    if reference is not None:
        ref_before, ref_after = reference
        theirs = _flows(ref_before, ref_after, cards)
        figure.add_trace(_sankey(theirs, categories, [0.53, 1]))
        notes.append({"x": 0.765, "y": 1.0, "text": "The course's reference shift"})
    if waiting:
        notes.append(
            {
                "x": 0.5,
                "y": -0.02,
                "text": "The course's reference shift appears once every card is sorted on both axes.",
            }
        )
    for note in notes:
        figure.add_annotation(
            xref="paper", yref="paper", showarrow=False, font={"size": 14}, **note
        )
    figure.update_layout(
        title="Who holds each responsibility: before AI-assisted development and in the AI era",
        margin={"t": 80, "l": 10, "r": 10, "b": 10},
        height=460,
    )
    return figure

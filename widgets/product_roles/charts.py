"""Plotly charts drawn from the responsibility catalogue."""

from __future__ import annotations

from collections import Counter

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

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


def responsibility_map(
    card_ids: list[str] | None = None,
    era: str = "traditional",
    catalogue: Catalogue | None = None,
) -> go.Figure:
    """Heatmap of cards (rows, grouped by focus) against roles (columns).

    A cell is full when the role alone holds the card in ``era`` and half full when
    the card is shared or contested, so disagreement between sources stays visible.
    """
    catalogue = catalogue or load()
    cards = catalogue.select(card_ids)
    order = {"outward": 0, "both": 1, "inward": 2}
    cards = sorted(cards, key=lambda c: order[c.focus])
    roles = [role.id for role in catalogue.roles]
    z, hover = [], []
    for card in cards:
        holders = card.holders(era)
        weight = 1.0 if len(holders) == 1 else 0.5
        z.append([weight if r in holders else 0.0 for r in roles])
        hover.append(
            [
                f"{card.text}<br>Focus: {card.focus}<br>Held by: "
                + ", ".join(catalogue.role(h).label for h in holders)
                for _ in roles
            ]
        )
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[catalogue.role(r).label for r in roles],
            y=[f"{card.id.replace('-', ' ')} ({card.focus})" for card in cards],
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            colorscale=[[0, "#f7f7f7"], [0.5, "#9ecae1"], [1, "#08519c"]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        title="Who holds what: dark = one role, light = shared or contested",
        yaxis={"autorange": "reversed"},
        height=max(320, 28 * len(cards) + 120),
        template="plotly_white",
    )
    return figure


def sprint_timeboxes() -> go.Figure:
    """Horizontal bars: the most time each Scrum event may take in a one-month Sprint.

    The last bar is the rest of the Sprint's working hours, where refinement, building
    and the Product Owner's day-to-day work happen.
    """
    from .scrum_events import load as load_events

    calendar = load_events()
    events = list(calendar.events)
    used = sum(e.hours_per_sprint for e in events)
    names = [e.name for e in events] + ["Everything else in the Sprint"]
    hours = [e.hours_per_sprint for e in events] + [calendar.working_hours - used]
    notes = [f"Who: {e.who}<br>Product Owner: {e.po_part}" for e in events] + [
        "Building, testing, refining the backlog, answering questions"
    ]
    figure = go.Figure(
        go.Bar(
            x=hours,
            y=names,
            orientation="h",
            marker_color=["#3182bd"] * len(events) + ["#bdbdbd"],
            text=[f"{h:g} h" for h in hours],
            textposition="outside",
            customdata=notes,
            hovertemplate="%{y}: at most %{x:g} hours<br>%{customdata}<extra></extra>",
        )
    )
    figure.update_layout(
        title=(
            f"A one-month Sprint of about {calendar.working_hours} working hours: "
            f"the events take at most {used:g}"
        ),
        xaxis_title=(
            "Hours in a one-month Sprint (longest allowed)<br><sup>Source: "
            f"{calendar.source}; {calendar.working_days} working days assumed</sup>"
        ),
        yaxis={"autorange": "reversed"},
        template="plotly_white",
    )
    return figure


def prioritisation_ranks() -> go.Figure:
    """Slope chart: where each example feature ranks under WSJF and under RICE."""
    from .prioritisation import load as load_features
    from .prioritisation import ranking

    features = load_features()
    by_wsjf = [f.id for f in ranking(features, "wsjf")]
    by_rice = [f.id for f in ranking(features, "rice")]
    figure = go.Figure()
    for feature in features:
        ranks = [by_wsjf.index(feature.id) + 1, by_rice.index(feature.id) + 1]
        figure.add_scatter(
            x=["Ranked by WSJF", "Ranked by RICE"],
            y=ranks,
            mode="lines+markers+text",
            name=feature.name,
            text=[feature.name, feature.name],
            textposition=["middle left", "middle right"],
            customdata=[f"WSJF score {feature.wsjf:.2f}", f"RICE score {feature.rice:,.0f}"],
            hovertemplate=f"{feature.name}<br>%{{x}}: #%{{y}}<br>%{{customdata}}<extra></extra>",
        )
    figure.update_layout(
        title=(
            "The same five features, ranked by two formulas"
            "<br><sup>Invented example: illustrative estimates, not data</sup>"
        ),
        yaxis={"autorange": "reversed", "title": "Rank (1 = do first)", "dtick": 1},
        xaxis={"range": [-1.3, 2.3]},
        template="plotly_white",
        showlegend=False,
    )
    return figure

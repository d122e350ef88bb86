"""Plotly views of the room for the facilitator's dashboard.

Each function takes the aggregates from :mod:`product_roles.room_stats` and returns a
figure; none reads files, so the views can be tested on made-up rooms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from .room_stats import CardShift, CardTally

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f")
_MATCH, _MISS = "#2ca02c", "#d62728"


def _stacked_shares(
    tallies: Sequence[CardTally], texts: Mapping[str, str], labels: Mapping[str, str], title: str
) -> go.Figure:
    figure = go.Figure()
    names = [texts.get(t.card, t.card) for t in tallies]
    for index, (category, label) in enumerate(labels.items()):
        shares = [100 * t.counts.get(category, 0) / t.placed if t.placed else 0 for t in tallies]
        figure.add_bar(
            name=label,
            y=names,
            x=shares,
            orientation="h",
            marker_color=_PALETTE[index % len(_PALETTE)],
            customdata=[t.counts.get(category, 0) for t in tallies],
            hovertemplate="%{y}<br>" + label + ": %{x:.0f}% (%{customdata} people)<extra></extra>",
        )
    figure.update_layout(
        title=title,
        barmode="stack",
        xaxis={"title": "Share of the room that placed the card (%)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        legend={"title": {"text": "Placed under"}, "traceorder": "normal"},
        template="plotly_white",
        height=max(320, 28 * len(tallies) + 160),
        margin={"l": 10},
    )
    figure.update_yaxes(automargin=True)
    return figure


def agreement(
    tallies: Mapping[str, CardTally], texts: Mapping[str, str], labels: Mapping[str, str]
) -> go.Figure:
    """Stacked bars per card, the most agreed-on first: how the room shared out each card."""
    ordered = sorted(tallies.values(), key=lambda t: -t.agreement)
    return _stacked_shares(ordered, texts, labels, "Agreement per card (most agreed first)")


def splits(
    tallies: Mapping[str, CardTally], texts: Mapping[str, str], labels: Mapping[str, str]
) -> go.Figure:
    """The cards that split the room, the closest split first: the discussion list."""
    split = sorted((t for t in tallies.values() if t.splits), key=lambda t: -t.second_share)
    figure = _stacked_shares(split, texts, labels, "Where the room splits")
    if not split:
        figure.add_annotation(text="No card splits the room yet", showarrow=False, x=50, y=0)
    return figure


def against_reference(
    matches: Mapping[str, float],
    key: Mapping[str, tuple[str, ...]],
    texts: Mapping[str, str],
    labels: Mapping[str, str],
    contested: Mapping[str, bool],
) -> go.Figure:
    """Per card, the share of the room that chose a role the course's reference accepts."""
    cards = sorted(matches, key=lambda c: matches[c])
    accepted = [" or ".join(labels.get(r, r) for r in key[c]) for c in cards]
    figure = go.Figure(
        go.Bar(
            y=[texts.get(c, c) + (" *" if contested.get(c) else "") for c in cards],
            x=[100 * matches[c] for c in cards],
            orientation="h",
            marker_color=[_MATCH if matches[c] >= 0.5 else _MISS for c in cards],
            customdata=accepted,
            hovertemplate="%{y}<br>%{x:.0f}% chose %{customdata}<extra></extra>",
        )
    )
    figure.update_layout(
        title="The room against the reference (* = contested in the sources)",
        xaxis={"title": "Share of the room matching the reference (%)", "range": [0, 100]},
        template="plotly_white",
        height=max(320, 28 * len(cards) + 160),
    )
    figure.update_yaxes(automargin=True)
    return figure


def shift(
    shifts: Mapping[str, CardShift], texts: Mapping[str, str], labels: Mapping[str, str]
) -> go.Figure:
    """Per card, the share of the room that moved it between eras, against the reference."""
    cards = sorted(shifts, key=lambda c: -shifts[c].moved_share)
    figure = go.Figure()
    for moves, name, colour in (
        (True, "The reference moves it", _MISS),
        (False, "The reference keeps it", _MATCH),
    ):
        chosen = [c for c in cards if shifts[c].reference_moves == moves]
        figure.add_bar(
            name=name,
            y=[texts.get(c, c) for c in chosen],
            x=[100 * shifts[c].moved_share for c in chosen],
            orientation="h",
            marker_color=colour,
            customdata=[
                [
                    _role(shifts[c].room_before, labels),
                    _role(shifts[c].room_after, labels),
                    " or ".join(labels.get(r, r) for r in shifts[c].reference_before),
                    " or ".join(labels.get(r, r) for r in shifts[c].reference_after),
                ]
                for c in chosen
            ],
            hovertemplate=(
                "%{y}<br>%{x:.0f}% of the room moved it"
                "<br>Room: %{customdata[0]} → %{customdata[1]}"
                "<br>Reference: %{customdata[2]} → %{customdata[3]}<extra></extra>"
            ),
        )
    figure.update_layout(
        title="The shift: who moved each card between the traditional and AI-era sorts",
        xaxis={"title": "Share of the room that moved the card (%)", "range": [0, 100]},
        yaxis={"categoryorder": "array", "categoryarray": [texts.get(c, c) for c in cards][::-1]},
        template="plotly_white",
        height=max(320, 28 * len(cards) + 160),
    )
    figure.update_yaxes(automargin=True)
    return figure


def _role(role: str | None, labels: Mapping[str, str]) -> str:
    return labels.get(role, role) if role else "nobody yet"

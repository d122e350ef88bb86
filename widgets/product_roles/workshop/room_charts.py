"""Plotly views of the room for the facilitator's dashboard, laid out for a projector.

Each function takes the aggregates from :mod:`product_roles.workshop.room_stats` and returns a
figure; none reads files, so the views can be tested on made-up rooms.

Made to be read from the back of a room on a 1280 x 720 projector: every view fits
that height, axis and legend text is 18 px (the numbers on the bars 16 px, and never
under 14 px where plotly shrinks one to fit its bar), card names wrap onto two lines,
and every number a facilitator needs is written on the bars, not kept for a hover
that nobody in the room can see. The sentences after the bars need a chart about
1100 px wide, the width of a 1280 px page without side panels. Colours are the Okabe-Ito set, which people with the common colour
vision deficiencies can tell apart; where two colours carry a meaning (matches the
reference or not, the reference moves the card or not), a hatch pattern and the
legend carry it too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from product_roles.workshop.room_stats import CardShift, CardTally

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#999999")
"""Okabe-Ito colours, one per role in the catalogue's order."""

_YES, _NO = "#0072B2", "#E69F00"
_HATCH = "/"
FONT = 18
"""Body text of the views, in pixels; titles are larger."""
_ROW = 42  # pixels per card: two lines of 18 px text


def card_label(text: str, width: int = 40) -> str:
    """A card's text on at most two lines, for an axis at projector size."""
    lines = textwrap.wrap(text, width)
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder=" …")]
    return "<br>".join(lines)


def _layout(
    figure: go.Figure, title: str, rows: int, legend_title: str, room_for_text: bool = False
) -> go.Figure:
    figure.update_layout(
        # The title keeps to the top edge: the legend above the plot wraps onto more
        # lines on a narrower page, and would otherwise grow over a centred title.
        title={
            "text": title,
            "font": {"size": FONT + 6},
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 12},
        },
        font={"size": FONT},
        # Even when every card falls on one side and the other trace is empty.
        showlegend=True,
        template="plotly_white",
        height=max(360, _ROW * rows + 210),
        margin={"l": 10, "r": 20, "t": 140, "b": 70},
        legend={
            "title": {"text": legend_title},
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": FONT},
            "traceorder": "normal",
        },
        uniformtext={"minsize": FONT - 4, "mode": "hide"},
        bargap=0.25,
    )
    figure.update_xaxes(
        # Views that write a sentence after each bar keep the right half free for it.
        range=[0, 205 if room_for_text else 100],
        tickvals=[0, 25, 50, 75, 100],
        ticksuffix="%",
        tickfont={"size": FONT},
        title_standoff=8,
    )
    figure.update_yaxes(automargin=True, tickfont={"size": FONT})
    return figure


def _stacked_shares(
    tallies: Sequence[CardTally], texts: Mapping[str, str], labels: Mapping[str, str], title: str
) -> go.Figure:
    figure = go.Figure()
    names = [card_label(texts.get(t.card, t.card)) for t in tallies]
    for index, (category, label) in enumerate(labels.items()):
        shares = [100 * t.counts.get(category, 0) / t.placed if t.placed else 0 for t in tallies]
        figure.add_bar(
            name=label,
            y=names,
            x=shares,
            orientation="h",
            marker_color=PALETTE[index % len(PALETTE)],
            text=[f"{s:.0f}%" if s >= 8 else "" for s in shares],
            textposition="inside",
            insidetextanchor="middle",
            customdata=[t.counts.get(category, 0) for t in tallies],
            hovertemplate="%{y}<br>" + label + ": %{x:.0f}% (%{customdata} people)<extra></extra>",
        )
    figure.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    figure.update_xaxes(title="Share of the room that placed the card")
    return _layout(figure, title, len(tallies), "Placed under:")


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
    figure = _stacked_shares(split, texts, labels, "Where the room splits: discuss these")
    if not split:
        figure.add_annotation(
            text="No card splits the room yet", showarrow=False, x=50, y=0, font={"size": FONT}
        )
    return figure


def against_reference(
    matches: Mapping[str, float],
    key: Mapping[str, tuple[str, ...]],
    texts: Mapping[str, str],
    labels: Mapping[str, str],
    contested: Mapping[str, bool],
) -> go.Figure:
    """Per card, the share of the room that chose a role the course's reference accepts.

    The reference's role is written beside every bar; bars where most of the room
    chose otherwise are orange and hatched, and the legend says which is which.
    """
    cards = sorted(matches, key=lambda c: matches[c])
    order = [_reference_label(c, texts, contested) for c in cards]
    figure = go.Figure()
    for agrees, name, colour, pattern in (
        (True, "Half the room or more chose the reference", _YES, ""),
        (False, "Most of the room chose another role", _NO, _HATCH),
    ):
        chosen = [c for c in cards if (matches[c] >= 0.5) == agrees]
        accepted = [" or ".join(labels.get(r, r) for r in key[c]) for c in chosen]
        figure.add_bar(
            name=name,
            y=[_reference_label(c, texts, contested) for c in chosen],
            x=[100 * matches[c] for c in chosen],
            orientation="h",
            marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#333"}},
            text=[
                f"{100 * matches[c]:.0f}% · reference: {a}"
                for c, a in zip(chosen, accepted, strict=True)
            ],
            textposition="outside",
            textfont={"size": FONT - 2},
            cliponaxis=False,
            customdata=accepted,
            hovertemplate="%{y}<br>%{x:.0f}% chose %{customdata}<extra></extra>",
        )
    figure.update_layout(yaxis={"categoryorder": "array", "categoryarray": order})
    figure.update_xaxes(title="Share of the room that chose the reference's role")
    return _layout(
        figure,
        "The room against the reference (* = the sources disagree)",
        len(cards),
        "",
        room_for_text=True,
    )


def _reference_label(card: str, texts: Mapping[str, str], contested: Mapping[str, bool]) -> str:
    return card_label(texts.get(card, card)) + (" *" if contested.get(card) else "")


def shift(
    shifts: Mapping[str, CardShift], texts: Mapping[str, str], labels: Mapping[str, str]
) -> go.Figure:
    """Per card, the share of the room that moved it between eras, against the reference.

    Each bar says where the room and the reference put the card before and with AI.
    """
    cards = sorted(shifts, key=lambda c: -shifts[c].moved_share)
    figure = go.Figure()
    for moves, name, colour, pattern in (
        (True, "The reference moves the card", _NO, _HATCH),
        (False, "The reference keeps it where it was", _YES, ""),
    ):
        chosen = [c for c in cards if shifts[c].reference_moves == moves]
        figure.add_bar(
            name=name,
            y=[card_label(texts.get(c, c)) for c in chosen],
            x=[100 * shifts[c].moved_share for c in chosen],
            orientation="h",
            marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#333"}},
            text=[_moves_text(shifts[c]) for c in chosen],
            textposition="outside",
            textfont={"size": FONT - 2},
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.0f}% of the room moved it<extra></extra>",
        )
    figure.update_layout(
        yaxis={
            "categoryorder": "array",
            "categoryarray": [card_label(texts.get(c, c)) for c in cards][::-1],
        }
    )
    figure.update_xaxes(title="Share of the room that moved the card between its two sorts")
    _layout(
        figure,
        "The shift: who moved each card between the sorts before and with AI",
        len(cards),
        "",
        room_for_text=True,
    )
    figure.update_layout(title_subtitle={"text": role_key(labels), "font": {"size": FONT - 2}})
    return figure


def _moves_text(moved: CardShift) -> str:
    # Role ids (PO, PM, ENG, TEAM, OTHER) keep the sentence short; the title spells them out.
    room = f"room {moved.room_before or 'nobody yet'} → {moved.room_after or 'nobody yet'}"
    reference = f"ref. {'/'.join(moved.reference_before)} → {'/'.join(moved.reference_after)}"
    return f"{100 * moved.moved_share:.0f}% · {room} · {reference}"


def role_key(labels: Mapping[str, str]) -> str:
    """``PO Product Owner · PM Product Manager · …``: what the short role names stand for."""
    return " · ".join(f"{role} {label}" for role, label in labels.items())

"""The class report's plotly charts, readable at eleven students and at five hundred.

Counts are whole students, so every count axis has whole-number ticks only, spaced so
that about ten fit (:func:`count_axis`). Nothing tied is drawn as a ranking: cards with
the same share right are grouped (same colour, labelled as tied, in the assignment's
order), and the misplacement chart never cuts through a group of equal counts.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

from product_roles.instructor.class_stats import ClassStats
from product_roles.instructor.item_analysis import ItemAnalysis

MOST_MISPLACEMENTS = 10  # bars in the misplacement chart, unless a tie needs a few more
TIE_GROUP_LIMIT = 25  # a first group of ties larger than this is summed up, not drawn
TIE_COLOURS = ("#3b6fb6", "#8fb3e0")  # alternate between groups of tied cards
FLAG_COLOUR = "#c0392b"


def count_axis(most: int) -> dict:
    """Axis settings for counts of students from 0 to ``most``: whole-number ticks only.

    The step is 1, 2 or 5 times a power of ten, the smallest that gives at most ten
    intervals, so 11 students get ticks 0, 1, 2, ... and 500 get 0, 50, 100, ...
    """
    most = max(1, most)
    step = next(m * 10**k for k in itertools.count() for m in (1, 2, 5) if most / (m * 10**k) <= 10)
    top = step * math.ceil(most / step)
    return {"tick0": 0, "dtick": step, "tickformat": "d", "range": [0, top * 1.05]}


def distribution(stats: ClassStats, assignment: str):
    import plotly.graph_objects as go

    scores = [g.score for g in stats.grades]
    top = max((g.max_score for g in stats.grades), default=0)
    # Bins one point wide, centred on whole scores, as the histogram below draws them.
    tallest = max(Counter(math.floor(s + 0.5) for s in scores).values(), default=0)
    figure = go.Figure(go.Histogram(x=scores, xbins={"start": -0.5, "end": top + 0.5, "size": 1}))
    figure.update_layout(
        title=f"Scores on {assignment} ({len(scores)} students, out of {top:g})",
        xaxis_title="Score",
        yaxis_title="Students",
        template="plotly_white",
        xaxis_range=[-0.5, top + 0.5],
        bargap=0.1,
        yaxis=count_axis(tallest),
    )
    return figure


def tie_groups(percentages: list[int]) -> list[int]:
    """For percentages sorted in order, the index of the group of equal values each belongs to."""
    groups, current = [], -1
    for n, value in enumerate(percentages):
        if n == 0 or value != percentages[n - 1]:
            current += 1
        groups.append(current)
    return groups


def facility(analysis: ItemAnalysis):
    """Each card's share right, hardest first; ties grouped, in the assignment's order."""
    import plotly.graph_objects as go

    judged = [(item, item.facility) for item in analysis.items if item.facility is not None]
    # sorted() is stable: cards with the same share keep the assignment's order.
    ordered_pairs = sorted(judged, key=lambda pair: round(100 * pair[1]))
    ordered = [item for item, _ in ordered_pairs]
    percent = [round(100 * share) for _, share in ordered_pairs]
    groups = tie_groups(percent)
    size = Counter(groups)
    text = [
        f"{p}%" + (f", tied ({size[g]} cards)" if size[g] > 1 else "")
        for p, g in zip(percent, groups, strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=percent,
            y=[f"{item.exercise}: {item.card}" for item in ordered],
            orientation="h",
            text=text,
            textposition="auto",
            marker_color=[TIE_COLOURS[g % 2] for g in groups],
            hovertemplate="%{y}<br>%{x}% right<extra></extra>",
        )
    )
    figure.update_layout(
        title={
            "text": "Each card's difficulty: share of students who placed it right (facility)"
            "<br><sup>Hardest first. Cards with the same share are tied, not ranked: they keep "
            "the assignment's order, and each group of ties shares a colour.</sup>"
        },
        xaxis_title="% right",
        xaxis_range=[0, 105],
        template="plotly_white",
        height=max(400, 22 * len(ordered) + 140),
        margin={"l": 320},
        yaxis_autorange="reversed",
    )
    return figure


def discrimination(analysis: ItemAnalysis):
    """Each card's discrimination against its facility; negative ones in red."""
    import plotly.graph_objects as go

    shown = [
        item
        for item in analysis.items
        if item.discrimination is not None and item.facility is not None
    ]
    figure = go.Figure(
        go.Scatter(
            x=[round(100 * (item.facility or 0.0)) for item in shown],
            y=[item.discrimination for item in shown],
            mode="markers",
            marker={
                "size": 10,
                "color": [
                    FLAG_COLOUR if i.discriminates_negatively else TIE_COLOURS[0] for i in shown
                ],
                "line": {"width": 1, "color": "white"},
            },
            text=[f"{item.exercise}: {item.card}" for item in shown],
            hovertemplate="%{text}<br>%{x}% right, discrimination %{y:.2f}<extra></extra>",
        )
    )
    figure.add_hline(y=0, line_dash="dash", line_color="grey")
    left_out = len(analysis.items) - len(shown)
    note = f" {left_out} cards have no discrimination figure (see the table)." if left_out else ""
    figure.update_layout(
        title={
            "text": "Which cards tell stronger students from weaker ones"
            "<br><sup>Discrimination: correlation of the card with the rest of the score. "
            f"Below the line (red): stronger students miss it more.{note}</sup>"
        },
        xaxis_title="% right",
        yaxis_title="Discrimination (point-biserial, rest score)",
        xaxis_range=[-3, 103],
        yaxis_range=[-1.05, 1.05],
        template="plotly_white",
    )
    return figure


def confusion(stats: ClassStats):
    import plotly.graph_objects as go

    placed_axis = [*stats.roles, "unplaced"]
    matrix = [[stats.confusion.get((e, p), 0) for p in placed_axis] for e in stats.roles]
    figure = go.Figure(
        go.Heatmap(z=matrix, x=placed_axis, y=stats.roles, colorscale="Blues", texttemplate="%{z}")
    )
    figure.update_layout(
        title="Role confusion: the expected role (rows) against the role chosen (columns)",
        xaxis_title="Chosen",
        yaxis_title="Expected",
        template="plotly_white",
        yaxis_autorange="reversed",
    )
    return figure


def most_common(counts: Counter, limit: int = MOST_MISPLACEMENTS) -> tuple[list, str]:
    """The most common entries, never cutting a group of equal counts, and what was left out.

    Entries are taken a whole group of equal counts at a time while they fit in
    ``limit``; when even the first group does not fit, it is shown whole if it holds
    at most :data:`TIE_GROUP_LIMIT` entries, and summed up in words otherwise. Within
    a group, entries are in name order.
    """
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown: list = []
    n = 0
    while n < len(ordered):
        value = ordered[n][1]
        end = n
        while end < len(ordered) and ordered[end][1] == value:
            end += 1
        group = ordered[n:end]
        if len(shown) + len(group) > limit and (shown or len(group) > TIE_GROUP_LIMIT):
            break
        shown += group
        n = end
    rest = ordered[len(shown) :]
    if not rest:
        return shown, ""
    top = rest[0][1]
    each = "by a single student" if top == 1 else f"by {top} students or fewer"
    return shown, (
        f"{len(rest)} more, each made {each}, are left out rather than ranked among "
        "equals: the item table lists every wrong choice."
    )


def misplacements(stats: ClassStats):
    import plotly.graph_objects as go

    shown, left_out = most_common(stats.misplacements)
    shown = shown[::-1]  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(
            x=[n for _, n in shown],
            y=[f"{e}: {c} → {p}" for (e, c, p), n in shown],
            orientation="h",
            text=[n for _, n in shown],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
        )
    )
    subtitle = "Equal counts are listed in name order." + (f" {left_out}" if left_out else "")
    figure.update_layout(
        title={
            "text": f"The most common misplacements (card → role chosen)<br><sup>{subtitle}</sup>"
        },
        xaxis_title="Students",
        template="plotly_white",
        margin={"l": 360},
        xaxis=count_axis(max((n for _, n in shown), default=1)),
        height=max(400, 24 * len(shown) + 160),
    )
    if not shown:
        figure.add_annotation(
            text=left_out or "No card was misplaced.",
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
    return figure

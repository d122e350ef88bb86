"""Plotly charts drawn from the responsibility catalogue.

Every chart function returns a :class:`~product_roles.charts.view.CourseFigure`: a
plotly figure that a notebook shows in JupyterLab's light or dark theme, laid out for
the width it has (see :mod:`product_roles.charts.view`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from product_roles.charts.view import course_figure
from product_roles.content.catalogue import Catalogue, load

# Lines drawn on top of the data (zero lines, whiskers): a grey that reads on white
# and on JupyterLab's dark background alike.
NEUTRAL = "rgba(128, 128, 128, 0.9)"


def _themed(chart):
    """Return the chart function's figure as a CourseFigure."""

    @functools.wraps(chart)
    def themed(*args, **kwargs):
        return course_figure(chart(*args, **kwargs))

    return themed


_FOCUS_LABELS = {
    "inward": "Inward (team, delivery)",
    "outward": "Outward (market, business)",
    "both": "Both",
}


@_themed
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


@_themed
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


@_themed
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


@_themed
def sprint_timeboxes() -> go.Figure:
    """Horizontal bars: the most time each Scrum event may take in a one-month Sprint.

    The last bar is the rest of the Sprint's working hours, where refinement, building
    and the Product Owner's day-to-day work happen.
    """
    from product_roles.content.scrum_events import load as load_events

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
            # The longest bar's label sits past the bar's end: draw it, do not clip it.
            cliponaxis=False,
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
        # Room on the right for the longest bar's label.
        margin={"r": 60},
        template="plotly_white",
    )
    return figure


@_themed
def prioritisation_ranks() -> go.Figure:
    """Slope chart: where each example feature ranks under WSJF and under RICE."""
    from product_roles.content.prioritisation import load as load_features
    from product_roles.content.prioritisation import ranking

    features = load_features()
    by_wsjf = [f.id for f in ranking(features, "wsjf")]
    by_rice = [f.id for f in ranking(features, "rice")]
    figure = go.Figure()
    for feature in features:
        ranks = [by_wsjf.index(feature.id) + 1, by_rice.index(feature.id) + 1]
        label = _two_lines(feature.name)
        figure.add_scatter(
            x=["Ranked by WSJF", "Ranked by RICE"],
            y=ranks,
            mode="lines+markers+text",
            name=feature.name,
            text=[label, label],
            textposition=["middle left", "middle right"],
            cliponaxis=False,
            customdata=[f"WSJF score {feature.wsjf:.2f}", f"RICE score {feature.rice:,.0f}"],
            hovertemplate=f"{feature.name}<br>%{{x}}: #%{{y}}<br>%{{customdata}}<extra></extra>",
        )
    figure.update_layout(
        title=(
            "The same five features, ranked by two formulas"
            "<br><sup>Invented example: illustrative estimates, not data</sup>"
        ),
        yaxis={"autorange": "reversed", "title": "Rank (1 = do first)", "dtick": 1},
        xaxis={"range": [-1.4, 2.4]},
        template="plotly_white",
        showlegend=False,
    )
    return figure


def _two_lines(text: str, longest: int = 22) -> str:
    """``text`` broken at the space nearest its middle when it is long, so a label fits
    beside a narrow chart instead of running off its edge."""
    if len(text) <= longest or " " not in text:
        return text
    middle = len(text) // 2
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{text[:cut]}<br>{text[cut + 1 :]}"


@_themed
def merged_role_load(catalogue: Catalogue | None = None) -> go.Figure:
    """Stacked bars: cards the Product Owner, the Product Manager, and one person doing both hold.

    A card counts for "one person doing both" when either role traditionally holds it,
    so the third bar shows how broad the job becomes when a company folds the two
    roles into one.
    """
    catalogue = catalogue or load()
    groups = {
        catalogue.role("PO").label: {"PO"},
        catalogue.role("PM").label: {"PM"},
        "One person doing both": {"PO", "PM"},
    }
    figure = go.Figure()
    for focus, label in _FOCUS_LABELS.items():
        figure.add_bar(
            name=label,
            x=list(groups),
            y=[
                sum(1 for c in catalogue.cards if c.focus == focus and held & set(c.traditional))
                for held in groups.values()
            ],
        )
    figure.update_layout(
        barmode="stack",
        title="How much one person carries when the two roles are merged",
        yaxis_title="Cards in the catalogue",
        legend_title="Focus",
        template="plotly_white",
    )
    return figure


_DESIGN_COLOURS = {
    "controlled experiment": "#1f77b4",
    "field experiment": "#2ca02c",
    "survey": "#ff7f0e",
}


@_themed
def study_results(studies=None) -> go.Figure:
    """Horizontal bars: the change in speed, output or delivery each dated study reports.

    Bars are coloured by study design (controlled experiment, field experiment,
    survey); the hover text carries each study's sample and caveat, and reported 95%
    intervals are drawn as error bars.
    """
    from product_roles.content import evidence

    studies = studies if studies is not None else evidence.load()
    figure = go.Figure()
    for design, colour in _DESIGN_COLOURS.items():
        rows = [
            (s, m)
            for s in studies
            if s.design == design
            for m in s.measures
            if m.metric in ("speed", "output", "delivery")
        ]
        if not rows:
            continue
        figure.add_bar(
            name=design.capitalize(),
            orientation="h",
            marker_color=colour,
            y=[_study_row(s, m) for s, m in rows],
            x=[m.value for _, m in rows],
            # The value beside each bar: a survey's few per cent is a sliver at this scale.
            text=[f"{m.value:+.1f}%" for _, m in rows],
            textposition="outside",
            cliponaxis=False,
            customdata=[[s.sample, s.caveat] for s, _ in rows],
            hovertemplate="%{y}<br>%{x:+.1f}%<br>Sample: %{customdata[0]}"
            "<br>Caveat: %{customdata[1]}<extra></extra>",
        )
    # Intervals go on an invisible marker trace: bars without an interval then get no
    # zero-width whisker.
    ranged = [
        (s, m)
        for s in studies
        for m in s.measures
        if m.metric in ("speed", "output", "delivery") and m.low is not None
    ]
    if ranged:
        figure.add_scatter(
            name="95% interval",
            mode="markers",
            marker={"opacity": 0},
            showlegend=False,
            hoverinfo="skip",
            y=[_study_row(s, m) for s, m in ranged],
            x=[m.value for _, m in ranged],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [m.high - m.value for _, m in ranged],
                "arrayminus": [m.value - m.low for _, m in ranged],
                "color": NEUTRAL,
            },
        )
    figure.add_vline(x=0, line_color=NEUTRAL, line_width=1)
    figure.update_layout(
        title="What dated studies measured with AI coding tools (right of zero = faster or more)",
        xaxis_title="Reported change, % (whiskers: 95% interval where the study gives one)",
        yaxis={"autorange": "reversed"},
        legend_title="Study design",
        # Below the plot, so that the long row labels and the legend do not squeeze the
        # bars into a sliver at a laptop's width.
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
        template="plotly_white",
        height=560,
        margin={"l": 20},
    )
    return figure


def _study_row(study, measure) -> str:
    """A row label on two lines: the study and its year, then what it measured."""
    return f"{study.study} ({study.year}):<br>{measure.label.lower()}"


@_themed
def metr_perception(studies=None) -> go.Figure:
    """Bars: METR's 2025 developers' expected, believed and measured speed change with AI."""
    from product_roles.content import evidence

    studies = studies if studies is not None else evidence.load()
    metr = next((s for s in studies if s.id == "metr-2025"), None)
    if metr is None:
        raise KeyError("the evidence file has no study 'metr-2025'")
    measures = metr.measures_of("perception")
    figure = go.Figure(
        go.Bar(
            x=[m.label for m in measures],
            y=[m.value for m in measures],
            marker_color=["#9ecae1" if m.value >= 0 else "#d62728" for m in measures],
            text=[f"{m.value:+g}%" for m in measures],
            textposition="outside",
        )
    )
    figure.add_hline(y=0, line_color=NEUTRAL, line_width=1)
    figure.update_layout(
        title=f"Felt faster, measured slower: {metr.sample} ({metr.year})",
        yaxis_title="Speed change with AI, % (+ = faster)",
        template="plotly_white",
        yaxis_range=[-30, 35],
    )
    return figure


@_themed
def holders_by_era(catalogue: Catalogue | None = None) -> go.Figure:
    """Grouped bars: how many cards accept each role, before AI and in the AI-era scenario."""
    catalogue = catalogue or load()
    labels = [role.label for role in catalogue.roles]
    figure = go.Figure()
    for era, name in (("traditional", "Traditional"), ("ai_era", "AI-era scenario")):
        figure.add_bar(
            name=name,
            x=labels,
            y=[sum(role.id in c.holders(era) for c in catalogue.cards) for role in catalogue.roles],
        )
    figure.update_layout(
        barmode="group",
        title="Which roles can claim each responsibility, before and after the shift",
        yaxis_title="Cards that accept this role",
        legend_title="Era",
        template="plotly_white",
    )
    return figure


def _placed_empty(figure: go.Figure, message: str) -> go.Figure:
    figure.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


@_themed
def team_design(sort, catalogue: Catalogue | None = None) -> go.Figure:
    """Stacked bars: in a learner's own design, which way the work of each role faces.

    ``sort`` is the design card sort (any sort of catalogue cards); unplaced cards are
    left out, and an empty sort gives an empty chart that says what to do.
    """
    catalogue = catalogue or load()
    counts = Counter(
        (category, catalogue.card(card).focus)
        for card, category in sort.placements.items()
        if category is not None
    )
    labels = [c["label"] for c in sort.categories]
    figure = go.Figure()
    for focus, label in _FOCUS_LABELS.items():
        figure.add_bar(name=label, x=labels, y=[counts[(c["id"], focus)] for c in sort.categories])
    figure.update_layout(
        barmode="stack",
        title="Your design: how much each role holds, and which way it faces",
        yaxis={"title": "Cards you placed", "rangemode": "nonnegative", "dtick": 1},
        legend_title="Focus",
        template="plotly_white",
    )
    if not counts:
        _placed_empty(figure, "Place some cards in the design sort above, then run this cell")
    return figure


@_themed
def readiness_profile(sort) -> go.Figure:
    """Stacked horizontal bars: a learner's self-assessment answers, area by area."""
    from product_roles.content.readiness import readiness

    spec = readiness()
    area_of = {s.id: s.area for s in spec.statements}
    counts = Counter(
        (area_of[card], level) for card, level in sort.placements.items() if card in area_of
    )
    colours = {"yes": "#2ca02c", "partly": "#f2b701", "no": "#d62728", None: "#c7c7c7"}
    figure = go.Figure()
    for level, label in [*spec.levels, (None, "Not answered yet")]:
        figure.add_bar(
            name=label,
            orientation="h",
            marker_color=colours.get(level, "#7f7f7f"),
            y=[area_label for _, area_label in spec.areas],
            x=[counts[(area, level)] for area, _ in spec.areas],
        )
    figure.update_layout(
        barmode="stack",
        title="Your organisation, area by area",
        xaxis={"title": "Statements", "dtick": 1},
        yaxis={"autorange": "reversed"},
        legend={"title": "Your answer", "traceorder": "normal"},
        template="plotly_white",
    )
    return figure


def _flows(before, after, card_ids):
    flows = Counter()
    for card in card_ids:
        start, end = before.get(card), after.get(card)
        if start is not None and end is not None:
            flows[(start, end)] += 1
    return flows


def _sankey(flows, categories, domain_y):
    """One panel: a Sankey whose nodes keep the order of ``categories`` on both sides.

    Node positions are fixed, so two panels built from the same categories list the
    roles in the same order (plotly would otherwise arrange each panel to suit its own
    bands). Only roles with cards become nodes: plotly drops a node without links,
    which would shift every position after it. The role names are drawn beside the
    nodes by :func:`_node_labels`, in the margins, not by plotly on top of the bands.
    """
    ids = [category_id for category_id, _ in categories]
    labels = dict(categories)
    ys = _node_positions(flows, ids)
    # One colour per role on both sides, so a band that keeps its colour end to end is
    # a card that stayed; bands take their starting role's colour, lightened.
    colour = {c: _SHIFT_COLOURS[i % len(_SHIFT_COLOURS)] for i, c in enumerate(ids)}
    nodes = [(side, c) for side in (0, 1) for c in ids if any(p[side] == c for p in flows)]
    index = {node: i for i, node in enumerate(nodes)}
    source, target, value = [], [], []
    for (start, end), count in sorted(flows.items()):
        source.append(index[(0, start)])
        target.append(index[(1, end)])
        value.append(count)
    sankey = go.Sankey(
        arrangement="fixed",
        domain={"x": list(_SANKEY_X), "y": list(domain_y)},
        node={
            "label": [""] * len(nodes),
            "color": [colour[c] for _, c in nodes],
            "pad": 10,
            "thickness": 14,
            "x": [0.001 if side == 0 else 0.999 for side, _ in nodes],
            "y": [ys[side][c] for side, c in nodes],
            "customdata": [labels[c] for _, c in nodes],
            "hovertemplate": "%{customdata}: %{value} card(s)<extra></extra>",
        },
        link={
            "source": source,
            "target": target,
            "value": value,
            "color": [_faded(colour[nodes[s][1]]) for s in source],
        },
    )
    return sankey, _node_labels(nodes, labels, ys, domain_y)


_SANKEY_X = (0.2, 0.8)  # the bands; role names sit in the margins either side


def _node_positions(flows, ids) -> tuple[dict, dict]:
    """Node centres (0 = top) by role, in category order, stacked by size on each side."""
    sides = []
    for side in (0, 1):
        sizes = {i: sum(n for pair, n in flows.items() if pair[side] == i) for i in ids}
        total = sum(sizes.values()) or 1
        gap = 0.05
        free = 1 - gap * max(0, sum(1 for n in sizes.values() if n) - 1)
        top, centres = 0.0, {}
        for category in ids:
            height = free * sizes[category] / total
            centres[category] = min(0.999, max(0.001, top + height / 2))
            if sizes[category]:
                top += height + gap
        sides.append(centres)
    return sides[0], sides[1]


def _node_labels(nodes, labels, ys, domain_y) -> list[dict]:
    """Annotations naming each node's role beside it, in the margin on its side."""
    low, high = domain_y
    notes = []
    for side, category in nodes:
        x, anchor = (_SANKEY_X[0] - 0.01, "right") if side == 0 else (_SANKEY_X[1] + 0.01, "left")
        label = labels[category]
        notes.append(
            {
                "x": x,
                "y": high - ys[side][category] * (high - low),
                "xanchor": anchor,
                "yanchor": "middle",
                "text": label.replace(" ", "<br>", 1) if len(label) > 12 else label,
                "align": anchor,
                "font": {"size": 12},
            }
        )
    return notes


_SHIFT_COLOURS = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D", "#72B7B2")


def _faded(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, 0.35)"


@_themed
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
        The reference placements (card id to one role each), drawn below the learner's. Leave
        it out for an assessment, whose key must not reach the learner.
    waiting : bool
        Say that the reference will appear once every card is sorted on both axes.
    """
    cards = sorted(set(before) | set(after))
    mine = _flows(before, after, cards)
    placed = sum(mine.values())
    figure = go.Figure()
    # With the reference, the two panels sit one above the other and share one node
    # order, so a role is at the same height in both: compare across, not around.
    panels = [((0.55, 0.88) if reference is not None else (0.06, 0.82), mine)]
    headings = [f"Your shift ({placed} of {len(cards)} cards sorted in both steps)"]
    if reference is not None:
        ref_before, ref_after = reference
        panels.append(((0.04, 0.37), _flows(ref_before, ref_after, cards)))
        headings.append("The course's reference shift")
    notes = []
    for (domain_y, flows), heading in zip(panels, headings, strict=True):
        if flows:
            sankey, labels = _sankey(flows, categories, domain_y)
            figure.add_trace(sankey)
            notes += labels
        else:
            # plotly.js cannot draw a Sankey without nodes (it throws in the page):
            # say what will appear instead of leaving a blank panel.
            notes.append(
                {
                    "x": 0.5,
                    "y": sum(domain_y) / 2,
                    "text": "Nothing to draw yet: each card appears here once it is "
                    "placed in both steps.",
                }
            )
        # The panel's heading on a line of its own, the two sides' names below it.
        top = domain_y[1] + 0.012
        notes.append({"x": 0.5, "y": top + 0.04, "yanchor": "bottom", "text": f"<b>{heading}</b>"})
        for x, anchor, text in (
            (_SANKEY_X[0], "right", "Before AI"),
            (_SANKEY_X[1], "left", "AI era"),
        ):
            notes.append(
                {
                    "x": x,
                    "y": top,
                    "yanchor": "bottom",
                    "xanchor": anchor,
                    "text": text,
                    "font": {"size": 11},
                }
            )
    if waiting:
        notes.append(
            {
                "x": 0.5,
                "y": 0.0,
                "yanchor": "top",
                "text": "The course's reference shift appears once every card is sorted in both steps.",
            }
        )
    for note in notes:
        figure.add_annotation(xref="paper", yref="paper", showarrow=False, **note)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(
        title="Who holds each responsibility: before AI-assisted development and in the AI era",
        margin={"t": 80, "l": 10, "r": 10, "b": 40},
        height=720 if reference is not None else 460,
    )
    return figure


def scenario_totals(catalogue: Catalogue | None = None) -> go.Figure:
    """Grouped bars: cards that accept each role, before AI and under each AI-era scenario.

    The two scenarios are drawn side by side so that neither reads as the forecast: the
    bars count what the catalogue accepts, which is argument, not measurement.
    """
    from product_roles.content.catalogue import ERAS

    catalogue = catalogue or load()
    labels = [role.label for role in catalogue.roles]
    names = {"traditional": "Before AI-assisted coding"}
    names |= {era: f"Scenario: {s.title}" for era, s in catalogue.scenarios.items()}
    figure = go.Figure()
    for era in ERAS:
        figure.add_bar(
            name=names[era],
            x=labels,
            y=[sum(role.id in c.holders(era) for c in catalogue.cards) for role in catalogue.roles],
        )
    figure.update_layout(
        barmode="group",
        title="Which roles can claim each responsibility, before AI and in two futures",
        yaxis_title="Cards that accept this role",
        legend_title="Setting",
        template="plotly_white",
    )
    return figure


def scenario_shift(first, second, catalogue: Catalogue | None = None) -> go.Figure:
    """Sankey of a learner's two sorts of the same cards under two scenarios.

    ``first`` and ``second`` are practice sorts of catalogue cards, in the course's
    scenario and in the alternative one (their ids end in the era they were keyed
    for). Once every card is placed in both, the catalogue's reading of each card
    (its first accepted role in each scenario) is drawn below the learner's.
    """
    catalogue = catalogue or load()
    categories = [(c["id"], c["label"]) for c in first.categories]
    offered = {category for category, _ in categories}
    eras = ("ai_era", "verification")

    def reading(era: str) -> dict[str, str]:
        return {
            card: next(r for r in catalogue.card(card).holders(era) if r in offered)
            for card in first.placements
        }

    done = all(v is not None for sort in (first, second) for v in sort.placements.values())
    figure = placement_shift(
        first.placements,
        second.placements,
        categories,
        reference=(reading(eras[0]), reading(eras[1])) if done else None,
        waiting=not done,
    )
    short = {era: catalogue.scenarios[era].short for era in eras}
    sides = {
        "Before AI": short["ai_era"].capitalize(),
        "AI era": short["verification"].capitalize(),
    }
    for note in figure.layout.annotations:
        note.text = (
            sides.get(note.text, note.text)
            .replace("Your shift", "Your two scenarios")
            .replace("The course's reference shift", "The catalogue's reading")
            .replace("both steps", "both sorts")
        )
    figure.update_layout(
        title=(
            f"Left: {catalogue.scenarios['ai_era'].title}. "
            f"Right: {catalogue.scenarios['verification'].title}"
        )
    )
    return figure

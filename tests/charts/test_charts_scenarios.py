"""The two AI-era scenarios are drawn side by side, from the catalogue and from a learner's sorts."""

from product_roles import CardSort, charts, load
from product_roles.content.catalogue import ERAS

CARDS = ["acceptance-criteria", "order-backlog", "review-and-test", "ai-feature-evals"]
ROLES = ["PO", "PM", "ENG", "TEAM"]


def test_scenario_totals_counts_every_setting_from_the_catalogue():
    catalogue = load()
    figure = charts.scenario_totals()
    assert [trace.name for trace in figure.data] == [
        "Before AI-assisted coding",
        *(f"Scenario: {s.title}" for s in catalogue.scenarios.values()),
    ]
    for era, trace in zip(ERAS, figure.data, strict=True):
        expected = [sum(r.id in c.holders(era) for c in catalogue.cards) for r in catalogue.roles]
        assert list(trace.y) == expected, era


def test_the_two_scenarios_differ_where_the_course_says_they_do():
    """The thesis moves acceptance criteria toward the PM; checking keeps them with the PO."""
    card = load().card("acceptance-criteria")
    assert card.ai_era[0] == "PM"
    assert card.verification[0] == "PO"
    assert "PO" in load().card("ai-feature-evals").verification
    assert "PO" not in load().card("ai-feature-evals").ai_era


def sorts(tmp_path):
    thesis = CardSort.from_catalogue("t-ai", CARDS, roles=ROLES, era="ai_era", folder=tmp_path)
    checking = CardSort.from_catalogue(
        "t-check", CARDS, roles=ROLES, era="verification", folder=tmp_path
    )
    return thesis, checking


def test_scenario_shift_waits_for_every_card_then_draws_the_catalogues_reading(tmp_path):
    thesis, checking = sorts(tmp_path)
    figure = charts.scenario_shift(thesis, checking)
    assert len(figure.data) == 0, "no reading before the learner commits to every card"
    labels = [note.text for note in figure.layout.annotations]
    assert any(text.startswith("Nothing to draw yet") for text in labels), (
        "an empty panel says what will appear, rather than an empty Sankey plotly.js rejects"
    )
    assert "Thesis" in labels, "each side is named by its scenario"
    assert "Checking" in labels, "each side is named by its scenario"
    for card in CARDS:
        thesis.place(card, "PM")
        checking.place(card, "PO")
    figure = charts.scenario_shift(thesis, checking)
    assert len(figure.data) == 2
    names = " ".join(note.text for note in figure.layout.annotations)
    assert "Product<br>Owner" in names
    assert "Product<br>Manager" in names
    catalogue = load()
    expected = {}
    for card in CARDS:
        start = next(r for r in catalogue.card(card).ai_era if r in ROLES)
        end = next(r for r in catalogue.card(card).verification if r in ROLES)
        expected[(start, end)] = expected.get((start, end), 0) + 1
    reading = figure.data[1]
    # Nodes are the roles with cards, each side in turn; hover names each node's role.
    role_of = {catalogue.role(r).label: r for r in ROLES}
    nodes = [role_of[label] for label in reading.node.customdata]
    drawn = {
        (nodes[s], nodes[t]): v
        for s, t, v in zip(
            reading.link.source, reading.link.target, reading.link.value, strict=True
        )
    }
    assert drawn == expected

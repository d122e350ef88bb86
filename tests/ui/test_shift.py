"""Two-axis exercises: the same cards sorted before AI and in the AI era."""

import json

import pytest

from product_roles import ShiftExercise, charts, load
from product_roles.grading import score_placements

CARDS = [
    {"id": "order", "text": "Order the work"},
    {"id": "stories", "text": "Write the user stories"},
    {"id": "market", "text": "Size the market"},
]
ROLES = [
    {"id": "PO", "label": "Product Owner"},
    {"id": "PM", "label": "Product Manager"},
    {"id": "ENG", "label": "Engineers"},
]
BEFORE = {"order": "PO", "stories": "PO", "market": "PM"}
AFTER = {"order": "PM", "stories": ["ENG", "PM"], "market": "PM"}


def links(trace):
    """The trace's bands as (role before, role in the AI era, cards), by role label."""
    role = trace.node.customdata
    pairs = zip(trace.link.source, trace.link.target, trace.link.value, strict=True)
    return sorted((role[s], role[t], n) for s, t, n in pairs)


def practice(tmp_path, **kwargs):
    return ShiftExercise(
        "shift", CARDS, ROLES, before_key=BEFORE, after_key=AFTER, folder=tmp_path, **kwargs
    )


def test_each_axis_persists_to_its_own_answers_file(tmp_path):
    shift = practice(tmp_path)
    shift.before.place("order", "PO")
    shift.after.place("order", "PM")
    before = json.loads((tmp_path / "shift-before.answers.json").read_text())
    after = json.loads((tmp_path / "shift-ai-era.answers.json").read_text())
    assert before["placements"]["order"] == "PO"
    assert after["placements"]["order"] == "PM"
    again = practice(tmp_path)
    assert again.moved_cards() == {"order": ("PO", "PM")}


def test_each_axis_is_graded_by_nbgrader_helpers(tmp_path, capsys):
    shift = ShiftExercise("shift", CARDS, ROLES, mode="assessment", folder=tmp_path)
    for card, role in BEFORE.items():
        shift.before.place(card, role)
    shift.after.place("stories", "ENG")
    assert score_placements("shift-before", BEFORE, folder=tmp_path) == 3.0
    assert score_placements("shift-ai-era", AFTER, folder=tmp_path) == 1.0
    assert "stories: right, ENG (1/1)" in capsys.readouterr().out


def test_the_chart_draws_the_learners_shift_above_the_reference(tmp_path):
    shift = practice(tmp_path)
    shift.before.place("order", "PO")
    shift.after.place("order", "PM")
    shift.before.place("stories", "PO")
    shift.after.place("stories", "ENG")
    shift.before.place("market", "PM")  # placed on one axis only: not drawn
    waiting = shift.chart()
    assert len(waiting.data) == 1, "no reference before every card is sorted on both axes"
    assert links(waiting.data[0]) == [
        ("Product Owner", "Engineers", 1),
        ("Product Owner", "Product Manager", 1),
    ]
    texts = [a.text for a in waiting.layout.annotations]
    assert any("2 of 3 cards sorted in both steps" in t for t in texts), texts
    assert "appears once every card" in waiting.layout.annotations[-1].text
    shift.after.place("market", "ENG")
    mine, reference = shift.chart().data
    assert mine.type == reference.type == "sankey"
    assert reference.domain.y[1] < mine.domain.y[0], "the reference sits below the learner's"
    assert links(mine) == [
        ("Product Manager", "Engineers", 1),
        ("Product Owner", "Engineers", 1),
        ("Product Owner", "Product Manager", 1),
    ]
    # The reference takes each card's first accepted role: order PO->PM, stories
    # PO->ENG, market PM->PM.
    assert links(reference) == [
        ("Product Manager", "Product Manager", 1),
        ("Product Owner", "Engineers", 1),
        ("Product Owner", "Product Manager", 1),
    ]


def test_an_assessment_shows_no_reference_and_takes_no_key(tmp_path):
    shift = ShiftExercise("shift", CARDS, ROLES, mode="assessment", folder=tmp_path)
    card, role = CARDS[0]["id"], ROLES[0]["id"]
    shift.before.place(card, role)
    shift.after.place(card, role)
    assert len(shift.chart().data) == 1, "the learner's shift alone, no reference below it"
    with pytest.raises(ValueError, match="takes no key"):
        ShiftExercise("shift", CARDS, ROLES, mode="assessment", before_key=BEFORE, after_key=AFTER)
    with pytest.raises(ValueError, match="both axes or for neither"):
        ShiftExercise("shift", CARDS, ROLES, before_key=BEFORE)


def test_from_catalogue_keys_both_eras(tmp_path):
    catalogue = load()
    ids = ["order-backlog", "user-stories", "write-code"]
    shift = ShiftExercise.from_catalogue("cat-shift", ids, folder=tmp_path)
    for card_id in ids:
        card = catalogue.card(card_id)
        shift.before.place(card_id, card.traditional[0])
        shift.after.place(card_id, card.ai_era[0])
    assert all(v["correct"] for v in shift.before.check().values())
    assert all(v["correct"] for v in shift.after.check().values())
    assert len(shift.before.categories) == 5


def test_summary_is_deterministic_and_names_the_moves(tmp_path):
    shift = practice(tmp_path)
    shift.before.place("order", "PO")
    shift.after.place("order", "PM")
    text = repr(shift)
    assert text.startswith("Shift exercise 'shift': 1 card(s) change role\n")
    assert text.endswith("  Moved: Order the work: Product Owner -> Product Manager")
    assert text == repr(practice(tmp_path))


def test_the_widget_holds_both_sorts_and_a_live_chart(tmp_path):
    shift = practice(tmp_path, ui="core")
    box = shift.widget()
    assert shift.before in box.children
    assert shift.after in box.children
    assert box is shift.widget()
    bundle = shift._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == shift.summary()


def test_each_role_keeps_one_colour_on_both_sides_of_the_shift():
    categories = [("PO", "Product Owner"), ("PM", "Product Manager"), ("ENG", "Engineers")]
    figure = charts.placement_shift(
        {"a": "PO", "b": "PM", "c": "ENG"}, {"a": "PM", "b": "ENG", "c": "PO"}, categories
    )
    node = figure.data[0].node
    colour = {}
    for role, value in zip(node.customdata, node.color, strict=True):
        assert colour.setdefault(role, value) == value, f"{role} changes colour"
    assert len(set(colour.values())) == 3
    headings = [a.text for a in figure.layout.annotations if a.text.startswith("<b>")]
    assert headings == ["<b>Your shift (3 of 3 cards sorted in both steps)</b>"]


def test_both_sankey_panels_list_the_roles_in_one_order():
    categories = [("PO", "Product Owner"), ("PM", "Product Manager"), ("ENG", "Engineers")]
    mine = ({"a": "PO", "b": "PM", "c": "ENG"}, {"a": "ENG", "b": "PM", "c": "PO"})
    reference = ({"a": "PO", "b": "PM", "c": "ENG"}, {"a": "PM", "b": "PM", "c": "ENG"})
    figure = charts.placement_shift(*mine, categories, reference=reference)
    assert [trace.arrangement for trace in figure.data] == ["fixed", "fixed"]
    order = [label for _, label in categories]
    for trace in figure.data:
        for x in (0.001, 0.999):
            node = trace.node
            side = [
                (y, role)
                for y, role, nx in zip(node.y, node.customdata, node.x, strict=True)
                if nx == x
            ]
            assert [role for _, role in sorted(side)] == [
                r for r in order if r in dict(side).values()
            ], side
        assert not any(trace.node.label), "role names sit beside the nodes, not on the bands"
    # The two panels stack, each in its own band of the figure.
    (first, second) = (trace.domain.y for trace in figure.data)
    assert second[1] < first[0]
    names = {a.text for a in figure.layout.annotations}
    assert {"Product<br>Owner", "Product<br>Manager", "Engineers"} <= names

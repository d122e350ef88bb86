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
    return sorted(zip(trace.link.source, trace.link.target, trace.link.value, strict=True))


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
    assert before["placements"]["order"] == "PO" and after["placements"]["order"] == "PM"
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


def test_the_chart_draws_the_learners_shift_beside_the_reference(tmp_path):
    shift = practice(tmp_path)
    shift.before.place("order", "PO")
    shift.after.place("order", "PM")
    shift.before.place("stories", "PO")
    shift.after.place("stories", "ENG")
    shift.before.place("market", "PM")  # placed on one axis only: not drawn
    waiting = shift.chart()
    assert len(waiting.data) == 1, "no reference before every card is sorted on both axes"
    # Nodes 0-2 are the roles before, 3-5 the same roles in the AI era.
    assert links(waiting.data[0]) == [(0, 3 + 1, 1), (0, 3 + 2, 1)]
    assert "2 of 3 cards sorted in both steps" in waiting.layout.annotations[0].text
    assert "appears once every card" in waiting.layout.annotations[-1].text
    shift.after.place("market", "ENG")
    mine, reference = shift.chart().data
    assert mine.type == reference.type == "sankey"
    assert links(mine) == [
        (0, 4, 1),
        (0, 5, 1),
        (1, 5, 1),
    ]
    # The reference takes each card's first accepted role: order PO->PM, stories
    # PO->ENG, market PM->PM.
    assert links(reference) == [
        (0, 4, 1),
        (0, 5, 1),
        (1, 4, 1),
    ]


def test_an_assessment_shows_no_reference_and_takes_no_key(tmp_path):
    shift = ShiftExercise("shift", CARDS, ROLES, mode="assessment", folder=tmp_path)
    assert len(shift.chart().data) == 1
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
    assert shift.before in box.children and shift.after in box.children
    assert box is shift.widget()
    bundle = shift._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == shift.summary()


def test_each_role_keeps_one_colour_on_both_sides_of_the_shift():
    categories = [("PO", "Product Owner"), ("PM", "Product Manager"), ("ENG", "Engineers")]
    figure = charts.placement_shift({"a": "PO", "b": "PM"}, {"a": "PM", "b": "PM"}, categories)
    colours = list(figure.data[0].node.color)
    assert colours[:3] == colours[3:] and len(set(colours[:3])) == 3
    assert "<br>" in figure.layout.annotations[0].text, "two lines: the panels' titles never touch"

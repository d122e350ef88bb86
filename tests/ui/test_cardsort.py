"""The card-sort widget driven from Python, as the browser would drive it, with no browser."""

import json

import pytest
import traitlets

from product_roles import CardSort
from product_roles.grading import answers

CARDS = [{"id": "a", "text": "Order the work"}, {"id": "b", "text": "Size the market"}]
ROLES = [{"id": "PO", "label": "Product Owner"}, {"id": "PM", "label": "Product Manager"}]
KEY = {"a": "PO", "b": "PM"}
SECRET = "only-python-knows-this"


def make(tmp_path, **kwargs):
    kwargs.setdefault("folder", tmp_path)
    return CardSort("ex", CARDS, ROLES, **kwargs)


def saved(tmp_path):
    return json.loads((tmp_path / "ex.answers.json").read_text())["placements"]


def test_a_move_from_the_browser_reaches_the_file(tmp_path):
    sort = make(tmp_path)
    sort.set_state({"placements": {"a": "PM", "b": None}})
    assert saved(tmp_path) == {"a": "PM", "b": None}


def test_python_api_places_by_id_or_label(tmp_path):
    sort = make(tmp_path)
    sort.place("a", "Product Owner")
    sort.place("b", "PM")
    assert sort.placements == {"a": "PO", "b": "PM"}
    assert saved(tmp_path) == {"a": "PO", "b": "PM"}
    with pytest.raises(ValueError, match="unknown category 'CEO'"):
        sort.place("a", "CEO")


def test_unknown_cards_and_categories_are_rejected(tmp_path):
    sort = make(tmp_path)
    with pytest.raises(traitlets.TraitError, match="unknown card"):
        sort.placements = {"zzz": "PO"}
    with pytest.raises(traitlets.TraitError, match="unknown category"):
        sort.set_state({"placements": {"a": "nope"}})
    assert not (tmp_path / "ex.answers.json").exists()


def test_saved_state_loads_and_an_empty_start_never_clobbers_it(tmp_path):
    make(tmp_path).place("a", "PM")
    before = (tmp_path / "ex.answers.json").read_bytes()
    again = make(tmp_path)
    assert again.placements == {"a": "PM", "b": None}
    assert (tmp_path / "ex.answers.json").read_bytes() == before


def test_another_exercises_file_is_kept_aside_and_named_for_what_it_is(tmp_path):
    other = answers.Answers("warm-up", {"a": "PM", "b": "PO"})
    answers.write(tmp_path / "ex.answers.json", other)
    before = (tmp_path / "ex.answers.json").read_bytes()
    sort = make(tmp_path)
    assert sort.placements == {"a": None, "b": None}
    assert "could not be read" not in sort.message
    assert "are those of exercise 'warm-up'; this sort is 'ex'" in sort.message
    assert "renamed, or copied from another notebook" in sort.message
    assert "belong in warm-up.answers.json" in sort.message
    (kept,) = tmp_path.glob("ex.answers.json.corrupt-*")
    assert kept.read_bytes() == before
    assert kept.name in sort.message
    sort.place("a", "PO")
    assert sort.message == ""


def test_a_corrupt_file_is_kept_aside_and_the_learner_told(tmp_path):
    (tmp_path / "ex.answers.json").write_text("{half a file")
    sort = make(tmp_path)
    assert sort.placements == {"a": None, "b": None}
    assert "could not be read" in sort.message
    assert "kept as" in sort.message
    kept = list(tmp_path.glob("ex.answers.json.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_text() == "{half a file"
    assert "Note: Your saved answers" in repr(sort)
    sort.place("a", "PO")
    assert sort.message == ""


def test_cards_unknown_to_this_version_survive_a_save(tmp_path):
    record = answers.Answers("ex", {"a": "PO", "retired-card": "PM"})
    answers.write(tmp_path / "ex.answers.json", record)
    sort = make(tmp_path)
    sort.place("b", "PM")
    assert saved(tmp_path) == {"a": "PO", "b": "PM", "retired-card": "PM"}


def test_practice_check_gives_feedback_and_a_score(tmp_path):
    sort = make(tmp_path, key=KEY, explanations={"a": "Ordering is inward work."})
    sort.place("a", "PO")
    sort.place("b", "PO")
    result = sort.check()
    assert result["a"] == {"correct": True, "explanation": "Ordering is inward work."}
    assert result["b"]["correct"] is False
    assert sort.score == "1 of 2 right"
    sort.place("b", "PM")
    assert "b" not in sort.feedback, "feedback on a moved card is stale"


def test_check_and_reset_requested_by_the_browser(tmp_path):
    sort = make(tmp_path, key=KEY)
    sort.place("a", "PO")
    sort._handle_message(sort, {"action": "check"}, [])
    assert sort.feedback["a"]["correct"] is True
    sort._handle_message(sort, {"action": "reset"}, [])
    assert sort.placements == {"a": None, "b": None}
    assert sort.feedback == {}
    assert saved(tmp_path) == {"a": None, "b": None}


def test_assessment_takes_no_key_and_shows_no_correctness(tmp_path):
    with pytest.raises(ValueError, match="takes no key"):
        make(tmp_path, mode="assessment", key=KEY)
    sort = make(tmp_path, mode="assessment")
    with pytest.raises(RuntimeError, match="graded by nbgrader"):
        sort.check()
    sort._handle_message(sort, {"action": "check"}, [])
    assert sort.feedback == {}


def test_the_key_is_never_in_synced_state(tmp_path):
    sort = make(tmp_path, key={"a": SECRET, "b": "PM"}, explanations={"a": SECRET})
    sort.place("a", "PO")
    assert SECRET not in json.dumps(sort.get_state(), default=str)


def test_text_summary_is_deterministic_and_readable(tmp_path):
    sort = make(tmp_path)
    sort.place("b", "PM")
    assert repr(sort) == (
        "Card sort 'ex' (practice): 1 of 2 placed\n"
        "  Product Manager: Size the market\n"
        "  Not placed yet: Order the work"
    )
    bundle, _ = sort._repr_mimebundle_()
    assert bundle["text/plain"] == repr(sort)


def test_from_catalogue_builds_a_keyed_practice_sort(tmp_path):
    from product_roles import load

    catalogue = load()
    clear = [
        c for c in catalogue.cards if len(c.traditional) == 1 and c.traditional[0] in ("PO", "PM")
    ]
    chosen = [c.id for c in clear[:4]]
    sort = CardSort.from_catalogue("cat", chosen, folder=tmp_path)
    for card in clear[:4]:
        sort.place(card.id, card.traditional[0])
    assert all(v["correct"] for v in sort.check().values())
    assert sort.score == "4 of 4 right"


@pytest.mark.parametrize("count", [1, 7])
def test_two_to_six_categories(tmp_path, count):
    categories = [{"id": f"c{i}", "label": f"C{i}"} for i in range(count)]
    with pytest.raises(traitlets.TraitError, match="2 to 6 categories"):
        CardSort("ex", CARDS, categories, folder=tmp_path)


# -- observers, confidence, bad input ------------------------------------------------


def test_observers_fire_for_a_browser_move_as_for_python(tmp_path):
    sort = make(tmp_path)
    seen = []
    sort.observe(lambda change: seen.append(change["new"]), names="placements")
    sort.set_state({"placements": {"a": "PO", "b": None}})
    sort.place("b", "PM")
    assert seen == [{"a": "PO", "b": None}, {"a": "PO", "b": "PM"}]


def test_confidence_marks_are_saved_and_loaded(tmp_path):
    sort = make(tmp_path, ask_confidence=True)
    sort.set_state({"confidence": {"a": "sure"}})
    sort.mark("b", "unsure")
    on_disk = json.loads((tmp_path / "ex.answers.json").read_text())["confidence"]
    assert on_disk == {"a": "sure", "b": "unsure"}
    sort.mark("b", None)
    again = make(tmp_path)
    assert again.confidence == {"a": "sure"}


@pytest.mark.parametrize("bad", [{"a": "certain"}, {"zzz": "sure"}, {"a": 1}])
def test_bad_confidence_from_the_browser_is_rejected_and_nothing_lost(tmp_path, bad):
    sort = make(tmp_path)
    sort.mark("a", "sure")
    before = (tmp_path / "ex.answers.json").read_bytes()
    with pytest.raises(traitlets.TraitError):
        sort.set_state({"confidence": bad})
    assert sort.confidence == {"a": "sure"}
    assert (tmp_path / "ex.answers.json").read_bytes() == before


def test_feedback_points_out_confidently_wrong_cards(tmp_path):
    sort = make(tmp_path, key=KEY, ask_confidence=True)
    sort.place("a", "PM")
    sort.mark("a", "sure")
    sort.place("b", "PM")
    sort.mark("b", "unsure")
    result = sort.check()
    assert result["a"] == {
        "correct": False,
        "explanation": "",
        "confidence": "sure",
        "expected": ["Product Owner"],
    }
    assert result["b"]["confidence"] == "unsure"
    assert result["b"]["correct"] is True
    assert sort.score == "1 of 2 right; 1 marked sure but wrong"
    assert "Product Manager: Order the work (sure); Size the market (unsure)" in repr(sort)


def test_reset_clears_marks_feedback_and_the_file(tmp_path):
    sort = make(tmp_path, key=KEY)
    sort.place("a", "PO")
    sort.mark("a", "sure")
    sort.check()
    sort.reset()
    assert (sort.placements, sort.confidence, sort.feedback, sort.score) == (
        {"a": None, "b": None},
        {},
        {},
        "",
    )
    assert json.loads((tmp_path / "ex.answers.json").read_text())["confidence"] == {}


def test_python_api_rejects_unknown_cards_and_marks(tmp_path):
    sort = make(tmp_path)
    with pytest.raises(ValueError, match="unknown card 'zzz'"):
        sort.place("zzz", "PO")
    with pytest.raises(ValueError, match="confidence must be"):
        sort.mark("a", "very")
    assert not (tmp_path / "ex.answers.json").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "exam"}, "mode must be one of"),
        ({"key": {"zzz": "PO"}}, "not in this sort"),
    ],
)
def test_bad_construction_says_what_is_wrong(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(tmp_path, **kwargs)


def test_a_card_without_text_is_an_authoring_error(tmp_path):
    with pytest.raises(ValueError, match="each card needs 'id' and 'text'"):
        CardSort("ex", [{"id": "a"}], ROLES, folder=tmp_path)


def test_a_failed_save_keeps_the_move_and_tells_the_learner(tmp_path):
    sort = CardSort("ex", CARDS, ROLES, folder=tmp_path / "no-such-folder")
    sort.place("a", "PO")
    assert sort.placements["a"] == "PO"
    assert "could not be saved" in sort.message
    (tmp_path / "no-such-folder").mkdir()
    sort.place("b", "PM")
    assert sort.message == ""
    assert json.loads((tmp_path / "no-such-folder" / "ex.answers.json").read_text())[
        "placements"
    ] == {"a": "PO", "b": "PM"}


def test_assessment_offers_no_check_button(tmp_path):
    assert make(tmp_path, key=KEY).can_check is True
    assert make(tmp_path, mode="assessment").can_check is False
    assert make(tmp_path).can_check is False  # practice, but nothing to check against


def test_forty_cards_and_six_categories_fit(tmp_path):
    cards = [{"id": f"c{i}", "text": f"Card {i}"} for i in range(40)]
    categories = [{"id": f"k{i}", "label": f"K{i}"} for i in range(6)]
    sort = CardSort("big", cards, categories, folder=tmp_path)
    sort.place("c39", "K5")
    assert sort.placements["c39"] == "k5"
    with pytest.raises(traitlets.TraitError, match="at most 40 cards"):
        CardSort("big", [*cards, {"id": "c40", "text": "One too many"}], categories)


def test_no_key_or_unseen_explanation_in_synced_state_after_a_check(tmp_path):
    sort = make(
        tmp_path,
        key={"a": ["PO", "KEY-SENTINEL"], "b": ["PM", "KEY-SENTINEL"]},
        explanations={"a": "why-a", "b": "why-b-" + SECRET},
    )
    sort.place("a", "PM")
    sort.check()
    state = json.dumps(sort.get_state(), default=str)
    assert "KEY-SENTINEL" not in state
    assert SECRET not in state
    assert "why-a" in state  # a placed card's explanation is the feedback asked for


def test_a_check_with_cards_left_in_the_tray_says_so(tmp_path):
    sort = make(tmp_path, key=KEY)
    sort.check()
    assert sort.score == "No card is placed yet: place the cards, then check (0 of 2 right)"
    sort.place("a", "PO")
    sort.check()
    assert sort.score == "1 of 2 right; 1 card not placed yet"


def test_a_wrong_card_names_the_column_it_belongs_in(tmp_path):
    sort = make(tmp_path, key={"a": ["PO", "PM"], "b": "PM"})
    sort.place("b", "PO")
    assert sort.check()["b"]["expected"] == ["Product Manager"]
    sort.place("a", "PM")
    assert "expected" not in sort.check()["a"], "a right card needs no pointer"


def test_start_again_keeps_the_sort_on_disk_and_undo_brings_it_back(tmp_path):
    sort = make(tmp_path, key=KEY)
    sort.place("a", "PO")
    sort.mark("a", "sure")
    kept = sort.reset()
    assert sort.placements == {"a": None, "b": None}
    assert sort.can_undo
    assert kept.name.startswith("ex.answers.json.before-reset-")
    assert json.loads(kept.read_text())["placements"] == {"a": "PO", "b": None}
    assert kept.name in sort.undo_note
    assert "1 card(s)" in sort.undo_note
    sort._handle_message(sort, {"action": "undo"}, [])
    assert sort.placements == {"a": "PO", "b": None}
    assert sort.confidence == {"a": "sure"}
    assert saved(tmp_path) == {"a": "PO", "b": None}
    assert not sort.can_undo
    assert sort.undo_note == ""
    assert kept.exists(), "the copy on disk outlives the undo"


def test_a_move_after_start_again_ends_the_undo_but_not_the_copy(tmp_path):
    sort = make(tmp_path)
    sort.place("a", "PO")
    kept = sort.reset()
    sort.place("b", "PM")
    assert not sort.can_undo
    assert not sort.undo_reset()
    assert sort.placements == {"a": None, "b": "PM"}
    assert json.loads(kept.read_text())["placements"]["a"] == "PO"


def test_start_again_on_an_empty_sort_keeps_nothing(tmp_path):
    sort = make(tmp_path)
    assert sort.reset() is None
    assert not sort.can_undo
    assert not list(tmp_path.glob("*before-reset*"))


def test_catalogue_explanations_carry_no_contested_elsewhere_note():
    from product_roles.ui.sortstate import catalogue_key

    for era in ("traditional", "ai_era"):
        _, notes = catalogue_key(None, roles=("PO", "PM", "ENG", "TEAM", "OTHER"), era=era)
        assert not [c for c, note in notes.items() if "elsewhere" in note.lower()]

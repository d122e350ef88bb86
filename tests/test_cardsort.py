"""The card-sort widget driven from Python, as the browser would drive it, with no browser."""

import json

import pytest
import traitlets

from product_roles import CardSort, answers

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


def test_a_corrupt_file_is_kept_aside_and_the_learner_told(tmp_path):
    (tmp_path / "ex.answers.json").write_text("{half a file")
    sort = make(tmp_path)
    assert sort.placements == {"a": None, "b": None}
    assert "could not be read" in sort.message and "kept as" in sort.message
    kept = list(tmp_path.glob("ex.answers.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{half a file"
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
    assert sort.placements == {"a": None, "b": None} and sort.feedback == {}
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

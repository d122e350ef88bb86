"""The core-ipywidgets fallback: the same API and answers file as the anywidget view."""

import json

import ipywidgets as w
import pytest

from product_roles import CardSort, SortState, card_sort, catalogue_sort, frontend
from product_roles.ui.coresort import CoreCardSort

CARDS = [{"id": "a", "text": "Order the work"}, {"id": "b", "text": "Size the market"}]
ROLES = [{"id": "PO", "label": "Product Owner"}, {"id": "PM", "label": "Product Manager"}]
KEY = {"a": "PO", "b": "PM"}


def core(tmp_path, **kwargs):
    kwargs.setdefault("folder", tmp_path)
    return card_sort("ex", CARDS, ROLES, ui="core", **kwargs)


def every_widget(root):
    yield root
    for child in getattr(root, "children", ()):
        yield from every_widget(child)


def find(sort, kind, description=None):
    return [
        x
        for x in every_widget(sort)
        if isinstance(x, kind) and (description is None or x.description == description)
    ]


def test_ui_core_builds_the_fallback_with_the_same_api(tmp_path):
    sort = core(tmp_path)
    assert isinstance(sort, CoreCardSort)
    assert isinstance(sort, SortState)
    assert not isinstance(sort, CardSort)
    sort.place("a", "Product Owner")
    assert sort.placements == {"a": "PO", "b": None}


def test_a_dropdown_choice_reaches_the_file_and_python_moves_the_dropdown(tmp_path):
    sort = core(tmp_path, ask_confidence=True)
    where = find(sort, w.Dropdown, "Role")
    where[1].value = "PM"
    data = json.loads((tmp_path / "ex.answers.json").read_text())
    assert data["placements"] == {"a": None, "b": "PM"}
    sort.place("a", "PO")
    assert where[0].value == "PO"
    assert "moved to Product Owner" in sort._status.value


def test_the_same_file_serves_both_front_ends(tmp_path):
    first = CardSort("ex", CARDS, ROLES, folder=tmp_path)
    first.place("a", "PM")
    first.mark("a", "sure")
    second = core(tmp_path)
    assert second.placements == {"a": "PM", "b": None}
    assert second.confidence == {"a": "sure"}


def test_check_and_reset_buttons(tmp_path):
    sort = core(tmp_path, key=KEY, explanations={"a": "Ordering is inward work."})
    sort.place("a", "PO")
    find(sort, w.Button, "Check my sort")[0].click()
    assert "Ordering is inward work." in sort._rows["a"]["verdict"].value
    assert sort.score == "1 of 2 right; 1 card not placed yet"
    # The explanation is folded away behind "Why?".
    assert "<details><summary>Why?</summary>" in sort._rows["a"]["verdict"].value
    find(sort, w.Button, "Start again")[0].click()
    assert sort.placements["a"] == "PO", "Start again asks first"
    find(sort, w.Button, "Keep my cards")[0].click()
    assert sort.placements["a"] == "PO"
    find(sort, w.Button, "Start again")[0].click()
    find(sort, w.Button, "Yes, start again")[0].click()
    assert sort.placements == {"a": None, "b": None}
    assert sort._rows["a"]["verdict"].value == ""
    undo = find(sort, w.Button, "Undo")[0]
    assert sort._undo.layout.display == ""
    undo.click()
    assert sort.placements == {"a": "PO", "b": None}
    assert sort._undo.layout.display == "none"


def test_a_wrong_card_names_its_column_in_the_fallback(tmp_path):
    sort = core(tmp_path, key=KEY)
    sort.place("b", "PO")
    sort.check()
    assert "It belongs in Product Manager." in sort._rows["b"]["verdict"].value


def test_assessment_hides_the_check_button(tmp_path):
    sort = core(tmp_path, mode="assessment")
    assert find(sort, w.Button, "Check my sort")[0].layout.display == "none"


def test_key_never_in_any_widget_state(tmp_path):
    sort = core(tmp_path, key={"a": ["PO", "KEY-SENTINEL"], "b": "PM"}, explanations={"b": "why-b"})
    sort.place("a", "PM")
    sort.check()
    state = json.dumps([x.get_state() for x in every_widget(sort)], default=str)
    assert "KEY-SENTINEL" not in state
    assert "why-b" not in state


def test_text_plain_is_the_whole_summary(tmp_path):
    sort = core(tmp_path)
    sort.place("b", "PM")
    bundle = sort._repr_mimebundle_()
    assert bundle["text/plain"] == repr(sort) == sort.summary()
    assert "Not placed yet: Order the work" in bundle["text/plain"]


def test_environment_variable_chooses_the_front_end(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCT_ROLES_UI", "core")
    assert isinstance(card_sort("ex", CARDS, ROLES, folder=tmp_path), CoreCardSort)
    assert isinstance(card_sort("ex", CARDS, ROLES, folder=tmp_path, ui="anywidget"), CardSort)
    monkeypatch.setenv("PRODUCT_ROLES_UI", "fancy")
    with pytest.raises(ValueError, match="PRODUCT_ROLES_UI must be"):
        card_sort("ex", CARDS, ROLES, folder=tmp_path)


def test_auto_falls_back_when_anywidgets_front_end_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("PRODUCT_ROLES_UI", raising=False)
    assert frontend.anywidget_frontend_installed(), "the venv installs anywidget's extension"
    assert isinstance(card_sort("ex", CARDS, ROLES, folder=tmp_path), CardSort)
    empty = tmp_path / "jupyter-data"
    (empty / "labextensions").mkdir(parents=True)
    monkeypatch.setattr(
        "jupyter_core.paths.jupyter_path", lambda *parts: [str(empty.joinpath(*parts))]
    )
    assert frontend.resolve_ui() == "core"
    assert isinstance(card_sort("ex", CARDS, ROLES, folder=tmp_path), CoreCardSort)


def test_an_unknown_ui_is_refused(tmp_path):
    with pytest.raises(ValueError, match="ui must be"):
        card_sort("ex", CARDS, ROLES, folder=tmp_path, ui="qt")


def test_catalogue_sort_honours_ui(tmp_path):
    sort = catalogue_sort("cat", ["order-backlog"], folder=tmp_path, ui="core")
    assert isinstance(sort, CoreCardSort)
    assert sort.can_check
    sort = catalogue_sort("cat", ["order-backlog"], folder=tmp_path, ui="anywidget")
    assert isinstance(sort, CardSort)
    assert sort.can_check


def test_each_class_builds_only_itself(tmp_path):
    """A class's constructor returns an instance of that class: the front end is chosen
    by card_sort, never by a constructor returning something else."""
    assert (
        type(CoreCardSort.from_catalogue("cat", ["order-backlog"], folder=tmp_path)) is CoreCardSort
    )
    built = CardSort("ex", CARDS, ROLES, folder=tmp_path)
    assert isinstance(built, CardSort)
    assert not isinstance(built, CoreCardSort)
    with pytest.raises(TypeError):
        CoreCardSort("ex", CARDS, ROLES, folder=tmp_path, ui="anywidget")
    with pytest.raises(TypeError, match="card_sort"):
        CardSort("ex", CARDS, ROLES, folder=tmp_path, ui="core")

"""No answer key in what a notebook saves: executed by nbclient, which stores widget state.

nbclient's ``store_widget_state`` is True by default, so every synced trait of every
widget lands in the notebook's metadata, which the browser reads. The key, and the
explanation of any card the learner has not placed, must not be there.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

SETUP = """\
from product_roles import CardSort, ShiftExercise, card_sort

cards = [{"id": "a", "text": "Order the work"}, {"id": "b", "text": "Size the market"}]
roles = [{"id": "PO", "label": "Product Owner"}, {"id": "PM", "label": "Product Manager"}]
key = {"a": ["PO", "KEY-SENTINEL-A"], "b": ["PM", "KEY-SENTINEL-B"]}
why = {"a": "EXPLAINED-A", "b": "EXPLAINED-B"}
"""
PRACTICE = """\
sort = CardSort("meta", cards, roles, key=key, explanations=why)
sort.place("a", "PM")
sort.check()
sort"""
CORE = """\
core = card_sort("meta-core", cards, roles, key=key, explanations=why, ui="core")
core.place("a", "PO")
core.check()
core"""
SHIFT = """\
shift = ShiftExercise("meta-shift", cards, roles, before_key=key, after_key=key,
                      before_explanations=why, after_explanations=why)
shift.before.place("a", "PO")
shift"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("metadata")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in (SETUP, PRACTICE, CORE, SHIFT)]
    client = NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}})
    assert client.store_widget_state, "the default this test relies on"
    client.execute()
    path = folder / "executed.ipynb"
    nbformat.write(nb, path)
    return nbformat.read(path, as_version=4), folder


def test_widget_state_is_saved_but_holds_no_key(executed):
    nb, _folder = executed
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = [m["state"] for m in state.values()]
    # The state really is there: the anywidget sort with the learner's placement.
    assert any(
        m.get("exercise") == "meta" and m.get("placements") == {"a": "PM", "b": None}
        for m in models
    )
    text = json.dumps(nb.metadata)
    assert "KEY-SENTINEL" not in text
    assert "EXPLAINED-B" not in text, "an unplaced card's explanation reached the browser"


def test_outputs_hold_no_key_and_read_well_as_text(executed):
    nb, _folder = executed
    outputs = json.dumps([c.outputs for c in nb.cells])
    assert "KEY-SENTINEL" not in outputs
    assert "EXPLAINED-B" not in outputs
    plain = [o["data"]["text/plain"] for c in nb.cells[1:] for o in c.outputs if "data" in o]
    assert plain[0].startswith("Card sort 'meta' (practice): 1 of 2 placed")
    assert "Score: 0 of 2 right" in plain[0]
    assert plain[1].startswith("Card sort 'meta-core' (practice): 1 of 2 placed")
    assert any(p.startswith("Shift exercise 'meta-shift'") for p in plain)


def test_each_sort_saved_its_own_file(executed):
    _nb, folder = executed
    names = sorted(p.name for p in folder.glob("*.answers.json"))
    # Nothing was placed on the shift's AI-era axis: an empty state writes no file.
    assert names == [
        "meta-core.answers.json",
        "meta-shift-before.answers.json",
        "meta.answers.json",
    ]

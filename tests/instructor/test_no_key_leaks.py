"""No graded answer key reaches a student.

The keys are parsed from the hidden tests in solutions/. None of them may appear in
exercises/ (the release), in the installed package, or in what a release notebook
sends to the browser: its widget state and its outputs, saved by nbclient when the
notebook is executed as a student would run it.
"""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from product_roles.instructor.keys import load_keys

KEYS = load_keys(ROOT / "solutions")
ASSIGNMENTS = sorted({k.assignment for k in KEYS})


def test_every_assignment_has_hidden_keys():
    assert {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()} == set(ASSIGNMENTS)
    for key in KEYS:
        assert key.answers, f"{key.grade_id} explains every item"
        assert all(key.why.values()), f"{key.grade_id} explains every item"


def leaks(text: str) -> list[str]:
    """The pieces of any key found in ``text``: an explanation, or an item next to its answer."""
    # Notebook files and JSON state hold strings with escaped quotes.
    text = text + "\n" + text.replace('\\"', '"')
    found = []
    for key in KEYS:
        for item, accepted in key.answers.items():
            if key.why[item] and key.why[item] in text:
                found.append(f"{key.exercise}/{item}: its explanation")
            for answer in accepted:
                pair = rf'"{re.escape(item)}"\s*:\s*(\{{\s*"answer"\s*:\s*)?\[?\s*"{answer}"'
                if re.search(pair, text):
                    found.append(f"{key.exercise}/{item} -> {answer}")
    return found


def test_the_detector_finds_a_key_in_the_source():
    # Guards the test itself: the same scan over solutions/ must find every key.
    text = "".join(p.read_text() for p in (ROOT / "solutions").rglob("*.ipynb"))
    assert len(leaks(text)) >= sum(len(k.answers) for k in KEYS)


def test_no_key_in_the_release():
    for path in sorted((ROOT / "exercises").rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "BEGIN HIDDEN TESTS" not in text, path
            assert not leaks(text), (path, leaks(text))


def test_no_key_in_the_installed_package():
    package = resources.files("product_roles")
    files = [p for p in _walk(package) if p.name.endswith((".py", ".yaml", ".js", ".css", ".json"))]
    assert len(files) > 10
    for path in files:
        assert not leaks(path.read_text(encoding="utf-8")), path


def _walk(folder):
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _walk(entry)
        else:
            yield entry


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_key_in_what_the_release_sends_to_the_browser(assignment, tmp_path):
    work = tmp_path / assignment
    shutil.copytree(ROOT / "exercises" / assignment, work)
    (notebook,) = work.glob("*.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb, timeout=120, store_widget_state=True, resources={"metadata": {"path": str(work)}}
    ).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    sorts = [m["state"] for m in state.values() if "placements" in m["state"]]
    assert len(sorts) == sum(k.assignment == assignment for k in KEYS), "one widget per sort"
    for widget in sorts:
        assert widget["mode"] == "assessment"
        assert set(widget["placements"].values()) == {None}
        assert widget["feedback"] == {}
        assert widget["score"] == ""
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    sent = json.dumps(nb.metadata["widgets"]) + json.dumps(outputs)
    assert not leaks(sent), leaks(sent)

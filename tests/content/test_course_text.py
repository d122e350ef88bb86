"""What a learner reads stays consistent: labels, feedback and the instructor's timings.

Each test here guards a confusion found by working through the course as a newcomer.
"""

from __future__ import annotations

import re
from importlib import resources

import nbformat
import pytest
import yaml

from conftest import ROOT
from product_roles import CardSort, load
from product_roles.ui.sortstate import catalogue_key

COURSE = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))
QUESTIONS = sorted(resources.files("product_roles.content").joinpath("data/questions").iterdir())
BANKS = [q for q in QUESTIONS if q.name.endswith(".yaml")]


@pytest.mark.parametrize("bank", BANKS, ids=[b.name for b in BANKS])
def test_question_files_hold_only_known_fields(bank):
    """A comma in an unquoted flow mapping, ``{id: a, label: One, two}``, silently cuts
    the label short and adds a stray key; the learner then sees half a column title."""
    data = yaml.safe_load(bank.read_text("utf-8"))
    for sort in data.get("sorts", []):
        for category in sort["categories"]:
            assert set(category) - {"role"} == {"id", "label"}, f"{sort['id']}: {category}"
        for card in sort["cards"]:
            known = {"id", "text", "answer", "why", "card", "narrower_because"}
            assert set(card) <= known, f"{sort['id']}: {card}"
    for question in data.get("questions", []):
        for option in question["options"]:
            assert set(option) <= {"text", "correct", "feedback"}, f"{question['id']}: {option}"


@pytest.mark.parametrize("bank", BANKS, ids=[b.name for b in BANKS])
def test_feedback_does_not_repeat_the_verdict(bank):
    """The widget already writes "Right." or "Not quite." before every feedback."""
    data = yaml.safe_load(bank.read_text("utf-8"))
    texts = [o["feedback"] for q in data.get("questions", []) for o in q["options"]]
    texts += [c["why"] for s in data.get("sorts", []) for c in s["cards"]]
    doubled = [t for t in texts if re.match(r"(Right|Correct|Wrong|Not quite)\b", t)]
    assert not doubled


def test_catalogue_explanations_name_no_source_the_learner_never_met():
    for card in load().cards:
        for text in (card.explanation, card.shift, card.contested_why):
            assert "article" not in text.replace("SAFe's Product Owner article", ""), card.id


def test_a_contested_card_with_one_accepted_answer_says_so(tmp_path):
    """Acceptance criteria are contested only in the AI era: a traditional sort accepts
    the Product Owner alone, and its feedback must not suggest that others count: it
    carries no contested note, and a wrong placement is told the one column that counts."""
    _, notes = catalogue_key(["acceptance-criteria"], roles=["PO", "PM"], era="traditional")
    assert "contested" not in notes["acceptance-criteria"].lower()
    sort = CardSort.from_catalogue(
        "contested-one", ["acceptance-criteria"], roles=["PO", "PM"], folder=tmp_path
    )
    sort.place("acceptance-criteria", "PM")
    assert sort.check()["acceptance-criteria"]["expected"] == ["Product Owner"]
    _, notes = catalogue_key(["acceptance-criteria"], roles=["PO", "PM", "ENG"], era="ai_era")
    assert '"Engineers" and "Product Owner" are all accepted here' in notes["acceptance-criteria"]


def test_a_role_the_sort_does_not_offer_is_named_not_implied_wrong():
    """Accepting work is the Product Owner's or the whole team's: a sort with only the two
    product roles must say that the whole team would count too."""
    _, notes = catalogue_key(["accept-work-as-done"], roles=["PO", "PM"], era="traditional")
    assert 'also accept "Whole team"' in notes["accept-work-as-done"]
    assert 'here only "Product Owner" counts' in notes["accept-work-as-done"]


def notebook_time(path) -> tuple[int, int]:
    first = nbformat.read(path, as_version=4).cells[0].source
    found = re.search(r"\*\*Time\*\*: (\d+) minutes teaching, (\d+) minutes exercises", first)
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_instructor_notes_state_the_notebooks_own_time(path):
    notes = (ROOT / "docs" / "instructor-notes" / f"{path.stem}.md").read_text("utf-8")
    teaching, practice = notebook_time(path)
    stated = (
        f"**Self-paced:** {teaching} minutes teaching, {practice} minutes exercises "
        f"({teaching + practice} minutes)"
    )
    assert stated in notes, f"{path.stem}: notes should say {stated!r}"

"""Practice questions: the bank validates, feedback explains, custom sorts are keyed."""

import copy
from importlib import resources

import pytest
import yaml

from product_roles.catalogue import CatalogueError
from product_roles.quiz import MultipleChoice, bank, custom_sort, parse_bank


@pytest.fixture(scope="module")
def raw():
    text = (
        resources.files("product_roles")
        .joinpath("data/questions/01-start-here.yaml")
        .read_text("utf-8")
    )
    return yaml.safe_load(text)


def test_every_question_has_one_right_option_and_explained_distractors():
    questions, sorts = bank()
    assert questions and sorts
    for question in questions.values():
        assert sum(o.correct for o in question.options) == 1
        assert all(o.feedback.strip() for o in question.options), question.id


def test_checking_an_option_shows_its_feedback():
    quiz = MultipleChoice("start-here-divide")
    assert quiz.check() is None
    assert "Choose an option" in quiz._feedback.value
    option = quiz.answer("They are two names for the same job.")
    assert quiz.check() == option and not option.correct
    assert "Not quite" in quiz._feedback.value and option.feedback in quiz._feedback.value
    assert repr(quiz).startswith("Which sentence")


def test_unknown_question_or_option_is_named():
    with pytest.raises(KeyError, match="no question with id 'nope'"):
        MultipleChoice("nope")
    with pytest.raises(ValueError, match="no option 'maybe'"):
        MultipleChoice("start-here-divide").answer("maybe")


def test_custom_sort_checks_against_its_own_key(tmp_path):
    sort = custom_sort("start-here-claims", folder=tmp_path)
    sort.place("claim-ai-faster-small-task", "supported")
    sort.place("claim-ai-faster-everywhere", "supported")
    verdicts = sort.check()
    assert verdicts["claim-ai-faster-small-task"]["correct"] is True
    assert verdicts["claim-ai-faster-everywhere"]["correct"] is False
    assert "METR" in verdicts["claim-ai-faster-everywhere"]["explanation"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["questions"][0]["options"][1].update(correct=True), "exactly one correct"),
        (lambda d: d["questions"][0]["options"][0].pop("feedback"), "option 1: field 'feedback'"),
        (lambda d: d["sorts"][0]["cards"][0].update(answer=["nope"]), "'answer' is not a category"),
        (lambda d: d["questions"].append(d["questions"][0]), "repeats an earlier question"),
    ],
)
def test_bad_bank_entries_are_named(raw, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(CatalogueError, match=message):
        parse_bank(data)

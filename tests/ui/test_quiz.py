"""Practice questions: the bank validates, feedback explains, custom sorts are keyed."""

import copy
import json
from importlib import resources

import pytest
import yaml

from product_roles.content.catalogue import ContentError
from product_roles.content.questions import bank, parse_bank
from product_roles.ui.choice import CoreMultipleChoice, MultipleChoice, multiple_choice
from product_roles.ui.custom_sorts import custom_sort

QUESTION = "start-here-divide"


@pytest.fixture(autouse=True)
def learner(tmp_path, monkeypatch):
    """Each test answers in its own folder, as one named learner."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRODUCT_ROLES_LEARNER", "ada")
    return "ada"


@pytest.fixture(scope="module")
def raw():
    text = resources.files("product_roles.content").joinpath("data/questions/01-start-here.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def test_every_question_has_one_right_option_and_explained_distractors():
    questions, sorts = bank()
    assert questions
    assert sorts
    for question in questions.values():
        assert sum(o.correct for o in question.options) == 1
        assert all(o.feedback.strip() for o in question.options), question.id


@pytest.mark.parametrize("ui", ["anywidget", "core"])
def test_checking_an_option_shows_its_feedback(ui):
    quiz = multiple_choice(QUESTION, ui=ui)
    assert isinstance(quiz, CoreMultipleChoice) == (ui == "core")
    assert quiz.check() is None
    wrong = next(o for o in quiz.question.options if not o.correct)
    assert quiz.answer(wrong.text) == wrong
    assert quiz.check() == wrong
    shown = quiz.feedback if ui == "anywidget" else quiz._feedback.value
    assert "Not quite" in shown
    assert repr(quiz).startswith(quiz.question.prompt)
    bundle = quiz._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == repr(quiz)


def test_the_browser_chooses_and_asks_for_a_check():
    quiz = MultipleChoice(QUESTION)
    right = next(i for i, o in enumerate(quiz.shown_options) if o.correct)
    quiz.set_state({"choice": right})
    quiz._handle_message(quiz, {"action": "check"}, [])
    assert quiz.verdict == "right"
    assert quiz.feedback.startswith("✓ Right.")
    quiz.set_state({"choice": (right + 1) % len(quiz.options)})
    assert quiz.verdict == "", "a new choice clears the old verdict"
    assert quiz.feedback == "", "a new choice clears the old verdict"


def test_the_key_and_unchosen_feedback_never_reach_the_browser():
    quiz = MultipleChoice(QUESTION)
    state = json.dumps(quiz.get_state(), default=str)
    for option in quiz.question.options:
        assert option.feedback not in state
    assert "correct" not in state


def test_unknown_question_option_or_index_is_named():
    with pytest.raises(KeyError, match="no question with id 'nope'"):
        MultipleChoice("nope")
    with pytest.raises(ValueError, match="no option 'maybe'"):
        MultipleChoice(QUESTION).answer("maybe")
    with pytest.raises(Exception, match="is not an option's index"):
        MultipleChoice(QUESTION).set_state({"choice": 99})


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
        # An unquoted comma in YAML flow style splits a label into a stray key.
        (lambda d: d["sorts"][0]["categories"][0].update({"not measured": None}), "category 1"),
    ],
)
def test_bad_bank_entries_are_named(raw, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(ContentError, match=message):
        parse_bank(data)


def _right_rank(question, pick):
    lengths = [len(o.text) for o in question.options]
    right = next(len(o.text) for o in question.options if o.correct)
    return right == pick(lengths)


@pytest.mark.parametrize(("pick", "name"), [(max, "longest"), (min, "shortest")])
def test_option_length_does_not_give_the_answer_away(pick, name):
    """A learner who always picks the longest (or shortest) option must not do well."""
    questions = list(bank()[0].values())
    giveaways = [q.id for q in questions if _right_rank(q, pick)]
    assert len(giveaways) * 3 <= len(questions), f"right option is the {name} in {giveaways}"


def test_the_right_option_is_not_parked_in_one_place():
    """Options are shuffled per learner, but the stored order should not hint either."""
    questions = list(bank()[0].values())
    places = [next(i for i, o in enumerate(q.options) if o.correct) for q in questions]
    busiest = max(places.count(place) for place in set(places))
    assert busiest * 2 <= len(questions), f"right option positions: {places}"


def test_each_distractor_names_its_own_misconception():
    for question in bank()[0].values():
        feedback = [o.feedback.strip() for o in question.options]
        assert len(set(feedback)) == len(feedback), question.id
        assert len({o.text for o in question.options}) == len(question.options), question.id
        assert len(question.options) >= 3, f"{question.id}: at least two distractors"


@pytest.mark.parametrize("ui", ["anywidget", "core"])
def test_a_choice_survives_a_kernel_restart(tmp_path, ui):
    first = multiple_choice(QUESTION, ui=ui)
    chosen = first.shown_options[2]
    first.answer(chosen.text)
    saved = json.loads((tmp_path / f"{QUESTION}.choice.json").read_text())
    assert saved["format"] == "product-roles-choice"
    assert saved["choice"] == chosen.text
    # A new kernel builds the question afresh from the same folder.
    again = multiple_choice(QUESTION, ui=ui)
    assert again.shown_options[again._selected()] == chosen
    assert again.check() == chosen
    assert "Chosen: (c)" in repr(again)


def test_either_front_end_reads_the_others_choice():
    multiple_choice(QUESTION, ui="core").answer(bank()[0][QUESTION].options[1].text)
    other = MultipleChoice(QUESTION)
    assert other.options[other.choice] == bank()[0][QUESTION].options[1].text


def test_options_are_shuffled_per_learner_and_stable(monkeypatch):
    question = bank()[0][QUESTION]
    orders = {}
    for learner in ("ada", "ben", "chen", "dita", "eli"):
        monkeypatch.setenv("PRODUCT_ROLES_LEARNER", learner)
        order = [o.text for o in MultipleChoice(QUESTION).shown_options]
        assert sorted(order) == sorted(o.text for o in question.options)
        assert order == MultipleChoice(QUESTION).options, "stable on rerun"
        assert order == [o.text for o in multiple_choice(QUESTION, ui="core").shown_options]
        orders[learner] = tuple(order)
    assert len(set(orders.values())) > 1, "every learner saw the same order"
    plain = MultipleChoice(QUESTION, shuffle=False)
    assert plain.options == [o.text for o in question.options]


def test_over_the_whole_bank_the_right_option_moves_about():
    questions, _ = bank()
    places = {[o.correct for o in MultipleChoice(q).shown_options].index(True) for q in questions}
    assert len(places) > 1


def test_without_a_name_a_learner_id_is_made_once_and_kept(tmp_path, monkeypatch):
    from product_roles.ui import choice

    monkeypatch.delenv("PRODUCT_ROLES_LEARNER")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    made = choice.learner_id()
    assert made == choice.learner_id()
    assert (tmp_path / "data" / "product-roles" / "learner-id").read_text().strip() == made
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    assert choice.learner_id() == "hub-user"


def test_a_damaged_choice_file_is_kept_aside_and_the_learner_told(tmp_path):
    (tmp_path / f"{QUESTION}.choice.json").write_text("{not json")
    quiz = MultipleChoice(QUESTION)
    assert quiz.choice is None
    assert "could not be read" in quiz.feedback
    assert len(list(tmp_path.glob(f"{QUESTION}.choice.json.corrupt-*"))) == 1


def test_a_choice_of_a_reworded_option_is_dropped(tmp_path):
    record = {"format": "product-roles-choice", "version": 1, "question": QUESTION}
    (tmp_path / f"{QUESTION}.choice.json").write_text(json.dumps({**record, "choice": "old"}))
    assert MultipleChoice(QUESTION).choice is None

"""The visible part of a graded test cell: what a learner can check before submitting."""

from __future__ import annotations

import pytest

from product_roles.grading import answers, check_ready_to_submit

CARDS = [
    {"id": "order", "text": "Decide what the team builds next"},
    {"id": "price", "text": "Set the price"},
    {"id": "retro", "text": "Run the retrospective"},
]


@pytest.fixture(autouse=True)
def not_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def save(folder, placements):
    answers.write(answers.path_for("ex", folder), answers.Answers("ex", placements))


def test_a_complete_sort_is_ready_whatever_its_answers(tmp_path, capsys):
    save(tmp_path, {"order": "PM", "price": "PM", "retro": "PO"})
    check_ready_to_submit("ex", CARDS, folder=tmp_path)
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("Ready to submit: all 3 cards are placed and saved in ex.answers.json.")


def test_unplaced_cards_are_named_by_their_text_on_stderr(tmp_path, capsys):
    save(tmp_path, {"order": "PO", "price": None})
    check_ready_to_submit("ex", CARDS, folder=tmp_path)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "Not ready to submit: 2 of 3 cards are not placed yet:",
        "- Set the price",
        "- Run the retrospective",
        "Place them in the sort above, then run this cell again.",
    ]


def test_one_unplaced_card_given_by_id(tmp_path, capsys):
    save(tmp_path, {"order": "PO", "price": "PM"})
    check_ready_to_submit("ex", ["order", "price", "retro"], folder=tmp_path)
    assert "1 card is not placed yet:\n- retro\n" in capsys.readouterr().err


def test_no_answers_file_says_where_it_should_be(tmp_path, capsys):
    check_ready_to_submit("ex", CARDS, folder=tmp_path)
    err = capsys.readouterr().err
    assert "no card of this sort is saved yet (ex.answers.json is not beside this notebook)" in (
        " ".join(err.split())
    )
    assert all(len(line) <= 80 for line in err.splitlines()), "nbgrader validate cuts long lines"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_text("{not json"), "it is not valid JSON"),
        (lambda p: p.symlink_to(p.parent / "elsewhere.json"), "it is a link, not a file"),
    ],
)
def test_a_file_the_grader_would_refuse_is_refused_here_too(tmp_path, capsys, make, reason):
    complete = answers.Answers("ex", {"order": "PO", "price": "PM", "retro": "TEAM"})
    answers.write(tmp_path / "elsewhere.json", complete)
    make(answers.path_for("ex", tmp_path))
    check_ready_to_submit("ex", CARDS, folder=tmp_path)
    err = capsys.readouterr().err
    assert "ex.answers.json could not be read:" in err
    assert reason in " ".join(err.split())


def test_during_autograde_the_notice_goes_to_stdout(tmp_path, capsys, monkeypatch):
    """nbgrader reads any stderr in a graded cell as a failure worth 0: the check must
    leave the hidden test's partial credit alone."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    save(tmp_path, {"order": "PO"})
    check_ready_to_submit("ex", CARDS, folder=tmp_path)
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("Not ready to submit: 2 of 3 cards")


def test_another_exercises_file_is_named_for_what_it_is(tmp_path, capsys):
    answers.write(answers.path_for("ex", tmp_path), answers.Answers("warm-up", {"order": "PO"}))
    check_ready_to_submit("ex", CARDS, folder=tmp_path)
    err = " ".join(capsys.readouterr().err.split())
    assert "ex.answers.json holds the answers of exercise 'warm-up'; this sort is 'ex'" in err
    assert "could not be read" not in err

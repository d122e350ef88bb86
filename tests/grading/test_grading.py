"""score_placements: one feedback line per card, partial credit, bad files score 0."""

from product_roles.grading import answers, score_placements

KEY = {
    "a": {"answer": "PO", "why": "Ordering work is inward."},
    "b": "PM",
    "c": ["ENG", "TEAM"],
}


def write(tmp_path, placements):
    answers.write(answers.path_for("ex", tmp_path), answers.Answers("ex", placements))


def test_partial_credit_and_one_line_per_card(tmp_path, capsys):
    write(tmp_path, {"a": "PO", "b": "PO", "c": "TEAM"})
    assert score_placements("ex", KEY, folder=tmp_path) == 2.0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "a: right, PO (1/1). Ordering work is inward.",
        "b: placed in PO; expected PM (0/1)",
        "c: right, TEAM (1/1)",
        "Total: 2 of 3 cards right.",
    ]


def test_reveal_false_hides_the_expected_role(tmp_path, capsys):
    write(tmp_path, {"a": "PM"})
    assert score_placements("ex", KEY, folder=tmp_path, reveal=False) == 0.0
    out = capsys.readouterr().out
    assert "expected" not in out
    assert "inward" not in out
    assert "b: not placed (0/1)" in out


def test_missing_and_garbage_files_score_zero_with_a_reason(tmp_path, capsys):
    assert score_placements("ex", KEY, folder=tmp_path) == 0.0
    assert "is missing" in capsys.readouterr().out
    (tmp_path / "ex.answers.json").write_text("garbage")
    assert score_placements("ex", KEY, folder=tmp_path) == 0.0
    assert "could not be read" in capsys.readouterr().out


def test_a_file_set_aside_as_corrupt_is_named(tmp_path, capsys):
    (tmp_path / "ex.answers.json.corrupt-20261125T000000Z").write_text("garbage")
    assert score_placements("ex", KEY, folder=tmp_path) == 0.0
    out = capsys.readouterr().out
    assert "could not be read, so it was set aside as ex.answers.json.corrupt-2026" in out


def test_the_instructor_can_hide_the_key_for_a_whole_run(tmp_path, capsys, monkeypatch):
    write(tmp_path, {"a": "PM", "b": "PM"})
    monkeypatch.setenv("PRODUCT_ROLES_REVEAL_KEY", "0")
    assert score_placements("ex", KEY, folder=tmp_path) == 1.0
    out = capsys.readouterr().out
    assert "a: placed in PM (0/1)\n" in out
    assert "expected" not in out
    monkeypatch.setenv("PRODUCT_ROLES_REVEAL_KEY", "1")
    score_placements("ex", KEY, folder=tmp_path)
    assert "a: placed in PM; expected PO (0/1). Ordering work is inward." in capsys.readouterr().out


def test_another_exercises_file_is_named_for_what_it_is(tmp_path, capsys):
    """A file renamed or copied from another notebook reads well: it is not called unreadable."""
    other = answers.Answers("warm-up", {"a": "PO", "b": "PM"})
    answers.write(answers.path_for("ex", tmp_path), other)
    assert score_placements("ex", KEY, folder=tmp_path) == 0.0
    out = capsys.readouterr().out
    assert (
        "ex.answers.json holds the answers of exercise 'warm-up'; this sort is 'ex': "
        "was it renamed, or copied from another notebook? No card can be scored."
    ) in out
    assert "could not be read" not in out


def test_the_trusted_grader_says_the_same_of_a_submitted_file(tmp_path):
    from product_roles.instructor.trusted import judge_submitted

    answers.write(answers.path_for("ex", tmp_path), answers.Answers("warm-up", {"a": "PO"}))
    verdict = judge_submitted(tmp_path, "ex", KEY, reveal=True)
    assert verdict.points == 0.0
    assert "holds the answers of exercise 'warm-up'; this sort is 'ex'" in verdict.problem
    assert "cannot be scored: it belongs" not in verdict.problem


def test_a_file_the_sort_set_aside_as_another_exercises_is_named(tmp_path, capsys):
    """The widget sets such a file aside when it opens; the grader reads the copy to say why."""
    from product_roles import CardSort
    from product_roles.instructor.trusted import judge_submitted

    answers.write(answers.path_for("ex", tmp_path), answers.Answers("warm-up", {"a": "PO"}))
    cards = [{"id": card, "text": card} for card in KEY]
    roles = [{"id": r, "label": r} for r in ("PO", "PM", "ENG", "TEAM")]
    CardSort("ex", cards, roles, mode="assessment", folder=tmp_path)
    (kept,) = tmp_path.glob("ex.answers.json.corrupt-*")
    assert not answers.path_for("ex", tmp_path).exists()
    expected = (
        f"ex.answers.json was set aside as {kept.name} when the sort was opened: it holds "
        "the answers of exercise 'warm-up'; this sort is 'ex': was it renamed"
    )
    assert score_placements("ex", KEY, folder=tmp_path) == 0.0
    assert expected in capsys.readouterr().out
    assert expected in judge_submitted(tmp_path, "ex", KEY, reveal=False).problem

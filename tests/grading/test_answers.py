"""The answers file: atomic writes, versioned format, corrupt files kept aside."""

import json
import os

import pytest

from product_roles.grading import answers


def test_round_trip(tmp_path):
    path = answers.path_for("ex", tmp_path)
    answers.write(path, answers.Answers("ex", {"a": "PO", "b": None}, {"a": "sure"}))
    loaded = answers.read(path, "ex")
    assert loaded.placements == {"a": "PO", "b": None}
    assert loaded.confidence == {"a": "sure"}
    data = json.loads(path.read_text())
    assert data["format"] == "product-roles-answers"
    assert data["version"] == 1


def test_a_failed_write_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    path = answers.path_for("ex", tmp_path)
    answers.write(path, answers.Answers("ex", {"a": "PO"}))
    before = path.read_bytes()

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        answers.write(path, answers.Answers("ex", {"a": "PM"}))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], "temp file left behind"


def test_missing_file_reads_as_none(tmp_path):
    assert answers.read(tmp_path / "none.answers.json", "ex") is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[1, 2]", "does not hold a JSON object"),
        (b'{"format": "other"}', "'format' is not"),
        (b'{"format": "product-roles-answers", "version": 99}', "version 99"),
        (
            b'{"format": "product-roles-answers", "version": 1, "exercise": "other"}',
            "belongs to exercise 'other'",
        ),
        (
            (
                b'{"format": "product-roles-answers", "version": 1, "exercise": "ex",'
                b' "placements": {"a": 3}}'
            ),
            "card 'a' is placed in 3",
        ),
    ],
)
def test_a_bad_file_gets_a_plain_reason(tmp_path, content, reason):
    path = answers.path_for("ex", tmp_path)
    path.write_bytes(content)
    with pytest.raises(answers.AnswersError, match=reason):
        answers.read(path, "ex")


def test_set_aside_keeps_the_bytes(tmp_path):
    path = answers.path_for("ex", tmp_path)
    path.write_bytes(b"garbage")
    kept = answers.set_aside(path)
    assert not path.exists()
    assert kept.read_bytes() == b"garbage"
    assert kept.name.startswith("ex.answers.json.corrupt-")


@pytest.mark.parametrize("bad", ["", "../up", "a/b", ".hidden"])
def test_exercise_ids_cannot_escape_the_folder(bad):
    with pytest.raises(ValueError, match="cannot name a file"):
        answers.path_for(bad)

"""The room: gathering many participants' answers files, and what the dashboard makes of them."""

from __future__ import annotations

import json
import os

import pytest

from product_roles import load
from product_roles.grading import answers
from product_roles.workshop import room, room_stats
from product_roles.workshop.dashboard import Dashboard
from product_roles.workshop.room import AI_ERA, TRADITIONAL

CARDS = ["order-backlog", "market-sizing", "acceptance-criteria"]
ROLES = ["PO", "PM", "ENG"]


def seat(root, name, exercise, placements):
    folder = root / name
    folder.mkdir(exist_ok=True)
    answers.write(answers.path_for(exercise, folder), answers.Answers(exercise, placements))
    return folder


@pytest.fixture
def crowd(tmp_path):
    """Three readable sorts and five broken files of every kind."""
    seat(tmp_path, "ana", "ex", {"order-backlog": "PO", "market-sizing": "PM"})
    seat(tmp_path, "ben", "ex", {"order-backlog": "PO", "market-sizing": "PO"})
    seat(tmp_path, "cy", "ex", {"order-backlog": "PM", "acceptance-criteria": None})
    broken = {
        "dee": b"{not json",
        "eli": b"\xff\xfe\x00",
        "fay": json.dumps({"format": "other", "version": 1}).encode(),
        "gus": json.dumps(
            {"format": answers.FORMAT, "version": 1, "exercise": "elsewhere", "placements": {}}
        ).encode(),
        "hal": b"",
    }
    for name, raw in broken.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "ex.answers.json").write_bytes(raw)
    (tmp_path / "ivy").mkdir()  # a seat with nothing saved yet
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "stray.answers.json").write_text("{}")  # not in a seat folder
    return tmp_path


def test_corrupt_files_are_skipped_and_counted_with_reasons(crowd):
    found = room.find_in_room(crowd, "ex")
    assert [p for p, _ in found] == ["ana", "ben", "cy", "dee", "eli", "fay", "gus", "hal"]
    gathered = room.collect(found, "ex", anonymous=False)
    assert gathered.size == 3
    reasons = dict(gathered.skipped)
    assert sorted(reasons) == ["dee", "eli", "fay", "gus", "hal"]
    assert "not valid JSON" in reasons["dee"]
    assert "belongs to exercise 'elsewhere'" in reasons["gus"]
    # Nothing read is changed or moved: the facilitator can still repair the files.
    assert (crowd / "dee" / "ex.answers.json").read_bytes() == b"{not json"


def test_participants_are_anonymous_by_default_and_stable_across_exercises(crowd):
    seat(crowd, "ana", "ex2", {"order-backlog": "PM"})
    first = room.collect(room.find_in_room(crowd, "ex"), "ex")
    second = room.collect(room.find_in_room(crowd, "ex2"), "ex2")
    labels = [s.participant for s in first.sorts]
    assert all(label.startswith("P-") for label in labels)
    assert not {"ana", "ben", "cy"} & {*labels, *(p for p, _ in first.skipped)}
    assert second.sorts[0].participant in labels


def test_tally_agreement_and_splits(crowd):
    gathered = room.collect(room.find_in_room(crowd, "ex"), "ex")
    tallies = room_stats.tally(gathered, CARDS, ROLES)
    backlog = tallies["order-backlog"]
    assert backlog.counts == {"PO": 2, "PM": 1, "ENG": 0}
    assert backlog.placed == 3
    assert backlog.top == "PO"
    assert backlog.agreement == pytest.approx(2 / 3)
    assert backlog.splits  # one in three chose otherwise
    sizing = tallies["market-sizing"]
    assert sizing.counts == {"PO": 1, "PM": 1, "ENG": 0}
    assert sizing.splits
    unplaced = tallies["acceptance-criteria"]
    assert unplaced.placed == 0
    assert unplaced.top is None
    assert unplaced.agreement == 0.0


def test_room_against_the_catalogue_reference(crowd):
    gathered = room.collect(room.find_in_room(crowd, "ex"), "ex")
    tallies = room_stats.tally(gathered, CARDS, ROLES)
    key = room_stats.reference(CARDS, ROLES, "traditional")
    assert key == {
        "order-backlog": ("PO",),
        "market-sizing": ("PM",),
        "acceptance-criteria": ("PO",),
    }
    matches = room_stats.match_reference(tallies, key)
    assert matches == {
        "order-backlog": pytest.approx(2 / 3),
        "market-sizing": 0.5,
        "acceptance-criteria": 0.0,
    }


def test_placements_outside_the_sort_are_ignored_and_counted(tmp_path):
    seat(tmp_path, "a", "ex", {"order-backlog": "CEO", "not-a-card": "PO", "market-sizing": "PM"})
    gathered = room.collect(room.find_in_room(tmp_path, "ex"), "ex")
    tallies = room_stats.tally(gathered, CARDS, ROLES)
    assert tallies["order-backlog"].placed == 0
    assert tallies["market-sizing"].counts["PM"] == 1
    assert room_stats.ignored_placements(gathered, CARDS, ROLES) == 2


def test_shift_pairs_each_participants_two_sorts(tmp_path):
    # a moves acceptance-criteria PO -> ENG; b keeps it; c did only the first sort.
    for name, before, after in (
        ("a", {"acceptance-criteria": "PO", "order-backlog": "PO"}, {"acceptance-criteria": "ENG"}),
        ("b", {"acceptance-criteria": "PO"}, {"acceptance-criteria": "PO", "order-backlog": "PM"}),
        ("c", {"acceptance-criteria": "PM"}, None),
    ):
        seat(tmp_path, name, "before", before)
        if after is not None:
            seat(tmp_path, name, "after", after)
    first = room.collect(room.find_in_room(tmp_path, "before"), "before")
    then = room.collect(room.find_in_room(tmp_path, "after"), "after")
    shifts = room_stats.shift(first, then, CARDS, ROLES)
    criteria = shifts["acceptance-criteria"]
    assert (criteria.both, criteria.moved, criteria.moved_share) == (2, 1, 0.5)
    assert criteria.room_before == "PO"
    # The references are the catalogue's accepted roles among the sort's columns.
    held = load().card("acceptance-criteria")
    assert criteria.reference_before == tuple(r for r in held.traditional if r in ROLES)
    assert criteria.reference_after == tuple(r for r in held.ai_era if r in ROLES)
    assert criteria.reference_moves
    assert shifts["order-backlog"].both == 0  # nobody placed it in both sorts
    assert not shifts["market-sizing"].reference_moves


def test_nbgrader_inbound_takes_each_students_latest_submission(tmp_path):
    def submit(student, assignment, stamp, placements):
        folder = tmp_path / f"{student}+{assignment}+{stamp}+abc"
        folder.mkdir()
        answers.write(answers.path_for("ex", folder), answers.Answers("ex", placements))

    submit("ana", "workshop", "2026-11-25 10:00:00.000001 UTC", {"order-backlog": "PM"})
    submit("ana", "workshop", "2026-11-25 10:05:00.000001 UTC", {"order-backlog": "PO"})
    submit("ben", "workshop", "2026-11-25 10:01:00.000001 UTC", {"order-backlog": "PO"})
    submit("ben", "other", "2026-11-25 11:00:00.000001 UTC", {"order-backlog": "ENG"})
    (tmp_path / "garbage-name").mkdir()
    found = room.find_in_inbound(tmp_path, "workshop", "ex")
    assert [p for p, _ in found] == ["ana", "ben"]
    assert "10:05" in found[0][1].parent.name
    gathered = room.collect(found, "ex")
    assert room_stats.tally(gathered, CARDS, ROLES)["order-backlog"].counts["PO"] == 2


def test_missing_folders_give_an_empty_room(tmp_path):
    assert room.find_in_room(tmp_path / "nowhere", "ex") == []
    assert room.find_in_inbound(tmp_path / "nowhere", "a", "ex") == []
    assert room.collect([], "ex").size == 0


def test_signature_changes_when_a_file_changes(tmp_path):
    folder = seat(tmp_path, "a", "ex", {"order-backlog": "PO"})
    before = room.signature(room.find_in_room(tmp_path, "ex"))
    assert before == room.signature(room.find_in_room(tmp_path, "ex"))
    path = answers.path_for("ex", folder)
    answers.write(path, answers.Answers("ex", {"order-backlog": "PM", "market-sizing": "PM"}))
    assert room.signature(room.find_in_room(tmp_path, "ex")) != before


def test_seat_folder_is_stable_and_names_nobody(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.setenv(room.ROOM_ENV, str(tmp_path / "room"))
    first = room.seat_folder()
    assert first.is_dir()
    assert first.parent == tmp_path / "room"
    assert room.seat_folder() == first
    assert os.environ.get("USER", "root") not in first.name
    monkeypatch.delenv(room.ROOM_ENV)
    with pytest.raises(RuntimeError, match=room.ROOM_ENV):
        room.seat_folder()


def test_dashboard_redraws_only_when_answers_change(tmp_path):
    seat(tmp_path, "a", TRADITIONAL, {"order-backlog": "PO"})
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / f"{TRADITIONAL}.answers.json").write_text("[]")
    board = Dashboard.for_room(tmp_path, cards=CARDS, categories=ROLES)
    assert board.refresh() is True
    assert board.summary() == (
        "1 traditional sort and 0 AI-era sorts in the room; 1 unreadable file skipped"
    )
    assert board.refresh() is False
    seat(tmp_path, "c", AI_ERA, {"order-backlog": "PM"})
    assert board.refresh() is True
    assert board.rooms[1].size == 1
    figures = board.figures()
    assert set(figures) == {"agreement", "splits", "reference", "shift"}
    bars = figures["agreement"].data
    assert [bar.name for bar in bars] == ["Product Owner", "Product Manager", "Engineers"]
    # The agreement view lists the one card anybody placed (all agree on it) first.
    assert bars[0].y[0] == "Put the list of upcoming work in order,<br>most valuable first"
    assert bars[0].x[0] == 100
    assert bars[0].text[0] == "100%"  # the share is written on the bar, not kept for a hover


def test_every_view_has_a_legend_and_says_the_reference_on_its_bars(tmp_path):
    seat(tmp_path, "a", TRADITIONAL, {"order-backlog": "PO", "market-sizing": "PO"})
    seat(tmp_path, "a", AI_ERA, {"order-backlog": "PM", "market-sizing": "PO"})
    board = Dashboard.for_room(tmp_path, cards=CARDS, categories=ROLES)
    board.refresh()
    figures = board.figures()
    for name, figure in figures.items():
        shown = [trace.name for trace in figure.data if trace.showlegend is not False]
        assert len(shown) >= 2, f"{name}: a legend needs two entries or more"
        assert figure.layout.font.size >= 18, name
        assert figure.layout.height <= 720, name
        # plotly hides a legend with one trace drawn: every card on one side must not.
        assert figure.layout.showlegend is True, name
    reference = figures["reference"]
    texts = [t for trace in reference.data for t in trace.text]
    assert "100% · reference: Product Owner" in texts  # ordering the backlog
    assert "0% · reference: Product Manager" in texts  # sizing the market
    # Not by colour alone: the two groups differ in pattern too.
    assert {trace.marker.pattern.shape for trace in reference.data} == {"", "/"}
    shift = figures["shift"]
    assert {trace.marker.pattern.shape for trace in shift.data} == {"", "/"}
    moved = [t for trace in shift.data for t in trace.text if t.startswith("100%")]
    assert moved == ["100% · room PO → PM · ref. PO → PM/PO"]


def test_views_are_drawn_across_the_width_the_page_reports(tmp_path):
    seat(tmp_path, "a", TRADITIONAL, {"order-backlog": "PO"})
    board = Dashboard.for_room(tmp_path, cards=CARDS, categories=ROLES)
    board.refresh()
    assert board.widget.children[1] is board.page_width
    views = list(board.views.values())
    assert len(views) == 4
    assert all(v.layout.width is None for v in views)
    board.page_width.width = 1110  # as the browser reports it
    assert [v.layout.width for v in views] == [1110] * 4
    # A redraw for a new sort keeps the width.
    seat(tmp_path, "b", TRADITIONAL, {"order-backlog": "PM"})
    assert board.refresh() is True
    assert [v.layout.width for v in views] == [1110] * 4


def test_a_room_sort_shows_no_answers_and_saves_in_the_seat(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.setenv(room.ROOM_ENV, str(tmp_path / "room"))
    sort = room.room_sort(TRADITIONAL, CARDS)
    assert sort.mode == "assessment"
    assert [c["id"] for c in sort.categories] == ["PO", "PM", "ENG", "TEAM", "OTHER"]
    sort.place("order-backlog", "PM")
    gathered = room.collect(room.find_in_room(tmp_path / "room", TRADITIONAL), TRADITIONAL)
    assert [s.placements["order-backlog"] for s in gathered.sorts] == ["PM"]


def test_a_seat_and_its_answers_can_be_read_by_the_rooms_group(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    old = os.umask(0o077)  # even a strict umask leaves the room group its read access
    try:
        folder = room.seat_folder(tmp_path / "room")
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o750
    old = os.umask(0o022)
    try:
        path = answers.path_for("ex", folder)
        answers.write(path, answers.Answers("ex", {"order-backlog": "PO"}))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # as open() would make it, not mkstemp's 0600


def test_links_fifos_and_huge_files_are_never_read(tmp_path):
    seat(tmp_path, "fair", "ex", {"order-backlog": "PO"})
    elsewhere = seat(tmp_path / "..", f"{tmp_path.name}-outside", "ex", {"order-backlog": "PM"})
    (tmp_path / "linked-seat").symlink_to(elsewhere)
    (tmp_path / "linked-file").mkdir()
    (tmp_path / "linked-file" / "ex.answers.json").symlink_to(elsewhere / "ex.answers.json")
    (tmp_path / "fifo").mkdir()
    os.mkfifo(tmp_path / "fifo" / "ex.answers.json")
    assert [p for p, _ in room.find_in_room(tmp_path, "ex")] == ["fair"]
    huge = seat(tmp_path, "huge", "ex", {"order-backlog": "PO"}) / "ex.answers.json"
    record = json.loads(huge.read_text())
    record["padding"] = "x" * room.MAX_ANSWERS_BYTES
    huge.write_text(json.dumps(record))
    gathered = room.collect(room.find_in_room(tmp_path, "ex"), "ex", anonymous=False)
    assert [s.participant for s in gathered.sorts] == ["fair"]
    assert gathered.skipped == [("huge", "it is larger than 256 kB")]


def test_one_seat_per_account_keeps_each_owners_latest(tmp_path):
    first = seat(tmp_path, "first", "ex", {"order-backlog": "PO"})
    second = seat(tmp_path, "second", "ex", {"order-backlog": "PM"})
    os.utime(first / "ex.answers.json", ns=(1, 1))
    assert len(room.find_in_room(tmp_path, "ex")) == 2
    # One account made both seats here: only its latest save counts.
    assert room.find_in_room(tmp_path, "ex", one_per_account=True) == [
        ("second", second / "ex.answers.json")
    ]


def test_a_nested_room_counts_one_seat_per_participants_folder(tmp_path):
    # Kubernetes: each server mounts only its own sub-folder of the room volume.
    (tmp_path / "pod-a").mkdir()
    seat(tmp_path / "pod-a", "s1", TRADITIONAL, {"order-backlog": "PO"})
    (tmp_path / "pod-b").mkdir()
    old = seat(tmp_path / "pod-b", "s2", TRADITIONAL, {"order-backlog": "PM"})
    os.utime(old / f"{TRADITIONAL}.answers.json", ns=(1, 1))
    new = seat(tmp_path / "pod-b", "s3", TRADITIONAL, {"order-backlog": "ENG"})
    found = room.find_in_room(tmp_path, TRADITIONAL, nested=True)
    assert found == [
        ("s1", tmp_path / "pod-a" / "s1" / f"{TRADITIONAL}.answers.json"),
        ("s3", new / f"{TRADITIONAL}.answers.json"),
    ]
    board = Dashboard.for_room(tmp_path, nested=True, cards=CARDS, categories=ROLES)
    board.refresh()
    assert board.rooms[0].size == 2

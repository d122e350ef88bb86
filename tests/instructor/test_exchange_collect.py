"""Collecting from the exchange takes only what each student may hand in, and the rest of the class.

Students write their own folders into the exchange's ``inbound/``, named by
themselves. A class is put there as it would arrive on a shared machine, honest
students among attackers: links to the answer key and to ``/dev/zero``, a hard link,
a named pipe, a folder made by one account in another student's name, names that
cannot be read, a time set far ahead. ``product-roles grade`` collects and grades
it, as plain ``nbgrader collect`` does under the course's configuration; every
honest student is collected and gets their marks, and nothing an attacker pointed
at reaches ``submitted/``.
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest

from conftest import nbgrader, product_roles_cli
from grading_course import cell_grades, key_for, keys_of, scratch_course
from product_roles.instructor import exchange_collect
from product_roles.instructor.exchange_collect import REFUSED, Refused, choose_time, read_name
from product_roles.instructor.simulate import submit

ASSIGNMENT = "traditional-divide"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
OTHER_UID = 20003  # an account that exists nowhere: not the grader, not any student
NOBODY = 65534  # the account called "nobody", standing for a student with an account


def stamp(when: datetime.datetime) -> str:
    return when.strftime(exchange_collect.TIMESTAMP_FORMAT)


def right_answers() -> dict:
    (key,) = keys_of(ASSIGNMENT)
    return {ASSIGNMENT: {card: accepted[0] for card, accepted in key.answers.items()}}


class Inbound:
    """A course with an exchange, and a way to put folders in its ``inbound/``."""

    def __init__(self, base: Path) -> None:
        self.course = scratch_course(base / "grader", [ASSIGNMENT])
        self.exchange = base / "exchange"
        self.inbound = self.exchange / "product-roles" / "inbound"
        self.inbound.mkdir(parents=True)
        self.staging = base / "students"
        self.now = datetime.datetime.now(datetime.timezone.utc)

    def hand_in(self, student, *, minutes_ago=1, when=None, owner=None, edit=None, name=None):
        release = self.course / "exercises" / ASSIGNMENT
        made = submit(
            release,
            self.staging / f"{len(list(self.staging.glob('*')))}",
            student,
            right_answers(),
            edit,
        )
        when = when or stamp(self.now - datetime.timedelta(minutes=minutes_ago))
        folder = self.inbound / (name or f"{student}+{ASSIGNMENT}+{when}+{os.urandom(4).hex()}")
        shutil.move(made, folder)
        if owner is not None:
            for path in [folder, *folder.rglob("*")]:
                os.lchown(path, owner, owner)
        return folder

    def grade(self):
        return product_roles_cli(
            "grade", ASSIGNMENT, cwd=self.course, PRODUCT_ROLES_EXCHANGE=str(self.exchange)
        )


def link_to(target: Path, name: str = "notes.txt"):
    def edit(folder: Path) -> None:
        (folder / name).symlink_to(target)

    return edit


def hard_link_to(target: Path):
    def edit(folder: Path) -> None:
        os.link(target, folder / "notes.txt")

    return edit


def named_pipe(folder: Path) -> None:
    os.mkfifo(folder / "pipe")


def nested(depth: int):
    def edit(folder: Path) -> None:
        (folder / "/".join(["d"] * depth)).mkdir(parents=True)

    return edit


def ignored_files(count: int):
    def edit(folder: Path) -> None:
        for n in range(count):
            (folder / f"{n}.pyc").write_bytes(b"")

    return edit


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    box = Inbound(tmp_path_factory.mktemp("collect"))
    solution = box.course / "solutions" / ASSIGNMENT / NOTEBOOK
    gradebook = box.course / "gradebook.db"
    box.hand_in("nobody", owner=NOBODY)  # a student whose account made the folder
    box.hand_in("bob")  # made by the grading account: a course run on one account
    box.hand_in("bob", owner=OTHER_UID, when="2099-01-01 00:00:00.000000 UTC")
    box.hand_in("carol", minutes_ago=5)
    box.hand_in("carol", minutes_ago=2, edit=link_to(gradebook, "data.db"))
    box.hand_in("dan", when="2099-01-01 00:00:00.000000 UTC")
    box.hand_in("eve", edit=link_to(solution))
    box.hand_in("fay", edit=named_pipe)
    box.hand_in("hal", edit=hard_link_to(solution))
    box.hand_in("zed", edit=link_to(Path("/dev/zero"), "data.bin"))
    box.hand_in("gil", minutes_ago=60)  # dated an hour back, made now
    box.hand_in("ida", edit=nested(exchange_collect.MAX_DEPTH + 2))
    box.hand_in("jo", edit=ignored_files(exchange_collect.MAX_ENTRIES + 1))
    box.hand_in("x", name=f"..+{ASSIGNMENT}+{stamp(box.now)}+a1")
    (box.inbound / f"mallory+{ASSIGNMENT}+not a date+x").write_text("")
    forged = f"x\n[INFO] Collected submission: ken {ASSIGNMENT}\nken+{ASSIGNMENT}+never+x"
    (box.inbound / forged).mkdir()
    done = box.grade()
    return box, done


@pytest.mark.slow
def test_the_grade_command_collects_the_class_and_reports_each_refusal(collected):
    _, done = collected
    assert done.returncode == 0, done.stdout + done.stderr
    refusals = [line for line in done.stdout.splitlines() if line.startswith(REFUSED)]
    why = {line.split(f"+{ASSIGNMENT}+")[0].split()[-1]: line for line in refusals}
    assert "it claims to come from bob but was made by uid 20003" in why["bob"]
    assert "data.db is a link" in why["carol"]
    assert "notes.txt is a link" in why["eve"]
    assert "pipe is not a regular file" in why["fay"]
    assert "notes.txt is a hard link" in why["hal"]
    assert "data.bin is a link" in why["zed"]
    assert "names no usable student id" in why[".."]
    assert "has a time nbgrader cannot read" in why["mallory"]
    assert f"nests folders more than {exchange_collect.MAX_DEPTH} deep" in why["ida"]
    assert f"more than {exchange_collect.MAX_ENTRIES} files and folders" in why["jo"]
    assert len(refusals) == 11, refusals
    # A name cannot forge a line of its own: what it holds that is not printable is escaped.
    others = [line for line in done.stdout.splitlines() if not line.startswith(REFUSED)]
    assert not any("Collected submission: ken" in line for line in others)
    assert any("x\\n[INFO]" in line for line in refusals)


@pytest.mark.slow
def test_only_what_students_may_hand_in_reaches_submitted(collected):
    box, _ = collected
    submitted = box.course / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["bob", "carol", "dan", "gil", "nobody"]
    solution = (box.course / "solutions" / ASSIGNMENT / NOTEBOOK).read_bytes()
    for path in submitted.rglob("*"):
        assert not path.is_symlink(), path
        assert path.is_dir() or path.is_file(), path
        if path.is_file():
            assert path.read_bytes() != solution, f"{path} is the answer key"
    assert not list(submitted.rglob("data.*")), "the newer folder with a link was not taken"
    assert not (box.course / ASSIGNMENT).exists(), "nothing was written beside submitted/"


@pytest.mark.slow
def test_every_honest_student_gets_their_marks(collected):
    box, _ = collected
    totals: dict[str, float] = {}
    for (student, _, _), score in cell_grades(box.course, ASSIGNMENT).items():
        totals[student] = totals.get(student, 0.0) + (score or 0.0)
    full = {
        s: float(len(key_for(ASSIGNMENT, s).answers))
        for s in ("bob", "carol", "dan", "gil", "nobody")
    }
    assert totals == full, "bob's own submission stands, carol's earlier one is graded"


@pytest.mark.slow
def test_a_time_set_ahead_becomes_the_time_the_folder_was_made(collected):
    box, _ = collected
    text = (box.course / "submitted" / "dan" / ASSIGNMENT / "timestamp.txt").read_text()
    when = datetime.datetime.strptime(text.removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S.%f")
    assert abs(when - box.now.replace(tzinfo=None)) < datetime.timedelta(minutes=10), text
    kept = (box.course / "submitted" / "bob" / ASSIGNMENT / "timestamp.txt").read_text()
    assert not kept.startswith("2099"), "the folder made in bob's name did not win by its date"


@pytest.mark.slow
def test_a_time_set_back_becomes_the_time_the_files_last_changed(collected):
    box, _ = collected
    text = (box.course / "submitted" / "gil" / ASSIGNMENT / "timestamp.txt").read_text()
    when = datetime.datetime.strptime(text.removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S.%f")
    assert when > box.now.replace(tzinfo=None) - exchange_collect.SLACK, text


def test_a_folder_that_cannot_be_read_as_it_was_is_refused_not_raised(tmp_path, monkeypatch):
    """A file gone between the look and the copy, or one the grader may not read."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "a.ipynb").write_text("{}")

    def vanished(*_args):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(exchange_collect, "_copy_file", vanished)
    with pytest.raises(Refused, match="could not be read as it was"):
        exchange_collect.copy_submission(
            folder, tmp_path / "copy", ignore=[], include=["*"], max_file_kb=100, max_dir_kb=100
        )


def test_a_folder_that_changed_hands_is_refused(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    with pytest.raises(Refused, match="replaced by another account"):
        exchange_collect.copy_submission(
            folder,
            tmp_path / "copy",
            owner=OTHER_UID,
            ignore=[],
            include=["*"],
            max_file_kb=100,
            max_dir_kb=100,
        )


@pytest.mark.slow
def test_plain_nbgrader_collect_uses_the_same_checks(tmp_path):
    box = Inbound(tmp_path)
    box.hand_in("eve", edit=link_to(box.course / "solutions" / ASSIGNMENT / NOTEBOOK))
    box.hand_in("nobody", owner=NOBODY)
    done = nbgrader(
        "collect", ASSIGNMENT, "--update", cwd=box.course, PRODUCT_ROLES_EXCHANGE=str(box.exchange)
    )
    assert f"{REFUSED} eve+{ASSIGNMENT}+" in done.stdout + done.stderr
    assert sorted(p.name for p in (box.course / "submitted").iterdir()) == ["nobody"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"ana+{ASSIGNMENT}+2026-11-20 09:00:00.000000 UTC+f00d", "ana"),
        (f"ana+{ASSIGNMENT}+2026-11-20 09:00:00.000000 UTC", "ana"),
        (f"a+b+{ASSIGNMENT}+2026-11-20 09:00:00.000000 UTC", "a+b"),
        (f"a+b+{ASSIGNMENT}+2026-11-20 09:00:00.000000 UTC+f00d", "a+b"),
    ],
)
def test_a_name_gives_the_student_as_nbgrader_submit_wrote_it(name, expected):
    student, when = read_name(name, ASSIGNMENT)
    assert (student, when) == (expected, datetime.datetime(2026, 11, 20, 9, 0))


@pytest.mark.parametrize(
    "name",
    [
        f"ana+{ASSIGNMENT}+yesterday+f00d",
        f"+{ASSIGNMENT}+2026-11-20 09:00:00.000000 UTC",
        f".+{ASSIGNMENT}+2026-11-20 09:00:00.000000 UTC",
        "ana+other-assignment+2026-11-20 09:00:00.000000 UTC",
        f"ana+{ASSIGNMENT}",
        f"ana+{ASSIGNMENT}+2025-01-01 00:00:00.000000 ..+f00d",  # dateutil raises a warning
    ],
)
def test_a_name_that_cannot_be_read_is_refused(name):
    with pytest.raises(Refused):
        read_name(name, ASSIGNMENT)


def test_the_time_claimed_stands_only_when_the_files_agree():
    claimed = datetime.datetime(2026, 11, 20, 9, 0)
    assert choose_time(claimed, claimed + datetime.timedelta(minutes=1)) == (claimed, "")
    later = claimed + datetime.timedelta(days=2)
    when, why = choose_time(claimed, later)
    assert when == later
    assert "last changed at 2026-11-22 09:00:00 UTC" in why


def test_in_a_shared_exchange_the_graders_own_folder_counts_only_under_its_own_name(tmp_path):
    """A student who can write to inbound/ could rename the grader's test folder to theirs."""
    mine = tmp_path.stat()  # made by this account
    me = exchange_collect.pwd.getpwuid(os.geteuid()).pw_name
    assert exchange_collect.owner_problem(mine, "bob", private=True) == ""
    assert "claims to come from bob" in exchange_collect.owner_problem(mine, "bob", private=False)
    assert exchange_collect.owner_problem(mine, me, private=False) == ""


def marker(text: str):
    def edit(folder: Path) -> None:
        (folder / "version.txt").write_text(text)

    return edit


def collect(box, *extra):
    return nbgrader(
        "collect", ASSIGNMENT, *extra, cwd=box.course, PRODUCT_ROLES_EXCHANGE=str(box.exchange)
    )


@pytest.mark.slow
def test_a_resubmission_is_collected_once_whatever_the_students_clock_says(tmp_path):
    """A clock three minutes slow dates both folders early; the exchange's clock orders them."""
    import time

    box = Inbound(tmp_path)
    version = box.course / "submitted" / "nobody" / ASSIGNMENT / "version.txt"
    box.hand_in("nobody", owner=NOBODY, minutes_ago=3, edit=marker("first"))
    collect(box, "--update")
    assert version.read_text() == "first"
    time.sleep(1.1)  # a later change time than the first folder's
    box.hand_in("nobody", owner=NOBODY, minutes_ago=3, edit=marker("second"))
    collect(box)
    assert version.read_text() == "first", "without --update nbgrader keeps what it has"
    collect(box, "--update")
    assert version.read_text() == "second"
    done = collect(box, "--update")
    assert "No newer submission to collect: nobody" in done.stdout + done.stderr


def test_an_exchange_is_private_only_when_no_other_account_can_write_into_inbound(tmp_path):
    root = tmp_path / "exchange"
    inbound = root / "product-roles" / "inbound"
    inbound.mkdir(parents=True)
    for folder in (tmp_path, root, root / "product-roles"):
        folder.chmod(0o755)
    inbound.chmod(0o733)  # as nbgrader's release makes it: others may add folders
    root.chmod(0o3770)  # a shared exchange, for a group
    assert not exchange_collect._only_mine(inbound, top=tmp_path)
    root.chmod(0o700)  # the course's own exchange: nobody else gets in
    assert exchange_collect._only_mine(inbound, top=tmp_path)
    root.chmod(0o755)
    inbound.chmod(0o755)  # nobody else may write into inbound itself
    assert exchange_collect._only_mine(inbound, top=tmp_path)

"""nbgrader's collect, made to take from the exchange only what a student may hand in.

The exchange's ``inbound/`` folder is writable by every student, and each
submission there is a folder its student made and named. nbgrader's own collect
trusts both: it copies a folder's links by following them, as the instructor (a
link to ``solutions/`` or the gradebook came back as an ordinary file, which the
graded notebook and the feedback then showed); it opens named pipes and devices
(a link to ``/dev/zero`` filled the disk); it takes the student id from the
folder's name and only warns when another account made the folder (one student
replaced another's submission); and one folder with a name it cannot read stops
the whole class being collected. :class:`CollectFromCourseExchange` replaces it in
the course's configuration (:func:`.exchange.configure`), for ``product-roles
grade`` and plain ``nbgrader collect`` alike:

- a folder is collected only when its owner is the account named by its student id,
  or the grading account itself where no other account can write into ``inbound/``
  (a course run on one account);
- it must hold nothing but folders and regular files, each opened without
  following a link and checked once open, so that nothing can be swapped in
  between the check and the copy; a link, a hard link, a pipe or a device refuses
  the whole submission, and nothing of it is copied;
- it must keep within nbgrader's ``CourseDirectory.max_dir_size``; larger files
  than ``max_file_size`` are left out with a warning, as nbgrader leaves them out;
- it may nest folders at most :data:`MAX_DEPTH` deep and hold at most
  :data:`MAX_ENTRIES` entries, ignored ones included;
- its time is the one in its name, unless anything copied changed more than
  :data:`SLACK` away from that time: then it is the latest change, read from the
  copied files after their content, which a student cannot set. A submission can be
  dated neither ahead (to stay the newest) nor back (to beat a due date);
- a folder that is refused, whose name cannot be read, or that cannot be read as
  it was (it changed under the copy, a file the grader may not read), is reported
  and skipped, and the rest of the class is collected; the student's next newest
  folder is tried, up to :data:`MAX_TRIES`. Names are logged with anything
  unprintable escaped.

Each refusal is logged as a warning that starts with :data:`REFUSED`, and kept in
the collector's :attr:`~CollectFromCourseExchange.refused` for the caller to read.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import json
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc

try:
    import pwd
except ImportError:  # Windows, where nbgrader's exchange does not run either
    pwd = None  # type: ignore[assignment]

REFUSED = "Not collected:"
# How far a submission's files may have changed from the time in its name: its copy
# into the exchange, and clocks that differ a little between the machines of a hub.
SLACK = datetime.timedelta(minutes=2)
MAX_ENTRIES = 10_000  # files and folders in one submission, ignored ones included
MAX_DEPTH = 32  # folders within folders
MAX_TRIES = 3  # a student's folders tried, newest first, when one is refused
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's, in the folder's name and timestamp.txt
CHUNK = 1 << 20


class Refused(Exception):
    """A submission folder that is not collected; the message says why."""


@dataclass(frozen=True)
class Inbound:
    """One submission folder in the exchange, as far as it can be trusted."""

    name: str
    student: str
    claimed: datetime.datetime  # the time in its name
    made: datetime.datetime  # when the folder was made, on the exchange's clock
    owner: int  # the account that made it, which must still own it when it is copied

    @property
    def timestamp(self) -> datetime.datetime:
        """Its time before its files are read: the claimed one, unless it was made far from it."""
        return choose_time(self.claimed, self.made)[0]


def read_name(name: str, assignment: str) -> tuple[str, datetime.datetime]:
    """The student id and time in an inbound folder's name, or :class:`Refused`."""
    # As nbgrader names them: student+assignment+time, then +random since 0.7.
    parts = name.rsplit("+", 3)
    if len(parts) == 4 and parts[1] != assignment:
        parts = name.rsplit("+", 2)
    if len(parts) < 3 or parts[1] != assignment:
        raise Refused(f"{name!r} is not named student+{assignment}+time")
    student, stamp = parts[0], parts[2]
    if student in ("", ".", "..") or any(c in student for c in ("/", "\\", "\0")):
        raise Refused(f"{name!r} names no usable student id")
    try:
        when = parse_utc(stamp)
    except Exception as err:  # dateutil also raises warnings of its own made errors
        raise Refused(f"{name!r} has a time nbgrader cannot read ({err})") from err
    return student, when


def owner_problem(status: os.stat_result, student: str, *, private: bool) -> str:
    """Why the account that made a folder may not hand it in as ``student``; "" if it may.

    ``private``: no other account can write to the exchange's ``inbound/``, so a folder
    the grading account made there is its own (a course run on one account). In a
    shared exchange it is not: a student could rename such a folder to their name.
    """
    if pwd is None or (private and status.st_uid == os.geteuid()):
        return ""
    try:
        account = pwd.getpwnam(student)
    except KeyError:
        account = None
    if account is not None and account.pw_uid == status.st_uid:
        return ""
    try:
        owner = pwd.getpwuid(status.st_uid).pw_name
    except KeyError:
        owner = f"uid {status.st_uid}"
    return f"it claims to come from {student} but was made by {owner}"


def _record_path(dest: Path) -> Path:
    """Where the collector notes which exchange folder became ``dest``: beside it, in the
    student's folder, so that it is neither graded nor handed back as feedback."""
    return dest.parent / f".collected-{dest.name}.json"


def _only_mine(inbound: Path, top: Path = Path("/")) -> bool:
    """Whether only this account can write into ``inbound``: no other account may write
    to it, or one of the folders above it (up to ``top``) is this account's and lets
    no other account through."""
    me = os.geteuid()
    try:
        status = inbound.stat()
        if status.st_uid == me and not status.st_mode & 0o022:
            return True
        for folder in [inbound, *inbound.parents]:
            if not folder.is_relative_to(top):
                break
            status = folder.stat()
            if status.st_uid == me and not status.st_mode & 0o011:
                return True
    except OSError:
        return False
    return False


def _utc(seconds: float) -> datetime.datetime:
    # Naive UTC, as nbgrader's parse_utc gives the times it reads.
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).replace(tzinfo=None)


def shown(name: str) -> str:
    """``name`` with anything unprintable escaped, so that a name cannot forge a log line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def choose_time(
    claimed: datetime.datetime, changed: datetime.datetime
) -> tuple[datetime.datetime, str]:
    """The submission's time: the claimed one, unless its files say otherwise."""
    if abs(changed - claimed) <= SLACK:
        return claimed, ""
    return changed, (
        f"its name says {claimed:%Y-%m-%d %H:%M:%S} UTC but its files last changed at "
        f"{changed:%Y-%m-%d %H:%M:%S} UTC, the time it is collected with"
    )


@dataclass
class _Walk:
    """What one pass over a submission may still spend, and what it saw."""

    flags: int
    ignore: list[str]
    include: list[str]
    max_file: int
    bytes_left: int
    entries_left: int = MAX_ENTRIES
    latest: float = 0.0  # the latest status change seen, as a timestamp
    log: Any = None

    def entry(self) -> None:
        self.entries_left -= 1
        if self.entries_left < 0:
            raise Refused(f"it holds more than {MAX_ENTRIES} files and folders")

    def spend(self, size: int) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise Refused("it is larger than CourseDirectory.max_dir_size")


def _ignored(name: str, ignore: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, glob) for glob in ignore)


def copy_submission(
    source: Path,
    target: Path,
    *,
    owner: int | None = None,
    ignore: list[str],
    include: list[str],
    max_file_kb: int,
    max_dir_kb: int,
    log=None,
) -> datetime.datetime:
    """Copy the submission folder ``source`` to the new folder ``target``, or :class:`Refused`.

    Returns the latest status change of anything copied, read from the open files
    after their content was (a student cannot set it). A first pass looks at names
    and types only, so that a folder holding a link or a device is refused before
    anything of it is written; the copy then opens every entry relative to its
    folder's descriptor without following a link and checks it again on the open
    descriptor, so that nothing swapped in between the two passes is followed.
    ``owner``, when given, must still own the folder. ``target`` may be left half
    made on a refusal; the caller removes it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        top = os.open(source, flags | os.O_DIRECTORY)
    except OSError as err:
        raise Refused(f"it is not a folder that can be opened ({err.strerror})") from err
    try:
        status = os.fstat(top)
        if owner is not None and status.st_uid != owner:
            raise Refused("it was replaced by another account's folder while being collected")
        for copying in (False, True):
            walk = _Walk(flags, ignore, include, max_file_kb * 1000, max_dir_kb * 1000, log=log)
            _walk_folder(top, target if copying else None, "", walk, 0)
        latest = max(walk.latest, status.st_ctime, os.fstat(top).st_ctime)
    except OSError as err:
        # A file that went away, one the grader may not read, a link swapped in for
        # a checked folder: the submission is refused, the class goes on.
        raise Refused(f"it could not be read as it was ({err.strerror})") from err
    finally:
        os.close(top)
    return _utc(latest)


def _walk_folder(fd: int, target: Path | None, where: str, walk: _Walk, depth: int) -> None:
    """Check (``target`` None) or copy the folder open at ``fd``."""
    if depth > MAX_DEPTH:
        raise Refused(f"it nests folders more than {MAX_DEPTH} deep")
    if target is not None:
        target.mkdir()
    with os.scandir(fd) as entries:
        for found in entries:
            walk.entry()  # ignored entries count too: each costs a look
            name = found.name
            if _ignored(name, walk.ignore) or (depth == 0 and name == "timestamp.txt"):
                continue  # timestamp.txt is written by the collector, not taken from the student
            label = shown(f"{where}{name}")
            status = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISLNK(status.st_mode):
                raise Refused(f"{label} is a link")
            if stat.S_ISDIR(status.st_mode):
                child = os.open(name, walk.flags | os.O_DIRECTORY, dir_fd=fd)
                try:
                    here = None if target is None else target / name
                    _walk_folder(child, here, f"{where}{name}/", walk, depth + 1)
                    walk.latest = max(walk.latest, os.fstat(child).st_ctime)
                finally:
                    os.close(child)
                continue
            if not stat.S_ISREG(status.st_mode):
                raise Refused(f"{label} is not a regular file (a pipe, socket or device)")
            if walk.include and not any(fnmatch.fnmatch(name, g) for g in walk.include):
                continue
            if walk.max_file and status.st_size > walk.max_file:
                if target is not None and walk.log is not None:
                    walk.log.warning(
                        "Leaving out %s: larger than CourseDirectory.max_file_size", label
                    )
                continue
            if target is None:
                if status.st_nlink > 1:
                    raise Refused(f"{label} is a hard link to a file elsewhere")
                walk.spend(status.st_size)
                continue
            _copy_file(fd, name, target / name, label, walk)


def _copy_bytes(handle: int, path: Path, most: int) -> None:
    """Copy at most ``most`` bytes from ``handle``: a file that grows while copied is refused."""
    with path.open("xb") as out:
        while most > 0:
            block = os.read(handle, min(CHUNK, most))
            if not block:
                return
            out.write(block)
            most -= len(block)
    raise Refused(f"{shown(path.name)} grew while it was being copied")


def _copy_file(fd: int, name: str, path: Path, label: str, walk: _Walk) -> None:
    # O_NONBLOCK: should a pipe have been put in its place since, opening it does
    # not wait for a writer; the check on the open file then refuses it.
    handle = os.open(name, walk.flags | os.O_NONBLOCK, dir_fd=fd)
    try:
        opened = os.fstat(handle)
        if not stat.S_ISREG(opened.st_mode):
            raise Refused(f"{label} is not a regular file (a pipe, socket or device)")
        if opened.st_nlink > 1:
            raise Refused(f"{label} is a hard link to a file elsewhere")
        if walk.max_file and opened.st_size > walk.max_file:
            raise Refused(f"{label} grew past CourseDirectory.max_file_size while collected")
        walk.spend(opened.st_size)
        _copy_bytes(handle, path, opened.st_size + 1)
        # Read after the content: a change made before or during the copy shows here.
        walk.latest = max(walk.latest, opened.st_ctime, os.fstat(handle).st_ctime)
    finally:
        os.close(handle)


class CollectFromCourseExchange(ExchangeCollect):
    """nbgrader's collect, which checks each submission folder before taking it (see the module).

    After :meth:`start`, :attr:`refused` lists ``(folder, why)`` for every folder it
    did not collect.
    """

    def _refuse(self, name: str, why: Refused) -> None:
        self.refused.append((shown(name), str(why)))
        self.log.warning("%s %s: %s", REFUSED, shown(name), why)

    def init_src(self) -> None:
        self.refused: list[tuple[str, str]] = []
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        # Strings, as nbgrader's own collect keeps them.
        self.course_path = str(Path(self.root, self.coursedir.course_id))
        self.inbound_path = str(Path(self.course_path, "inbound"))
        if not Path(self.inbound_path).is_dir():
            self.fail(f"Course not found: {self.inbound_path}")
        assignment = self.coursedir.assignment_id
        wanted = self.coursedir.student_id or "*"  # a glob, as nbgrader's collect takes it
        found: dict[str, list[Inbound]] = {}
        with os.scandir(self.inbound_path) as entries:
            names = sorted(e.name for e in entries if f"+{assignment}+" in e.name)
        for name in names:
            try:
                inbound = self._check(name, assignment)
            except Refused as why:
                self._refuse(name, why)
                continue
            if not fnmatch.fnmatchcase(inbound.student, wanted):
                continue
            found.setdefault(inbound.student, []).append(inbound)
        duedate = self._duedate() if self.before_duedate else None
        # Each student's folders, the one to collect first: the newest, or with
        # --before-duedate the newest before the due date. Should it be refused when
        # copied, the next is tried, so one bad folder does not cost an earlier good one.
        # Newest by when each was made, on the exchange's one clock: the names' times
        # come from the students' machines, whose clocks may differ.
        self.candidates: dict[str, list[Inbound]] = {}
        for student, folders in sorted(found.items()):
            folders.sort(key=lambda i: (i.made, i.claimed), reverse=True)
            if duedate is not None:
                folders.sort(key=lambda i: i.timestamp > duedate)  # stable: newest first in each
            self.candidates[student] = folders[:MAX_TRIES]

    def _duedate(self) -> datetime.datetime | None:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                return gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def _check(self, name: str, assignment: str) -> Inbound:
        student, claimed = read_name(name, assignment)
        try:
            status = Path(self.inbound_path, name).lstat()
        except OSError as err:
            raise Refused(f"it went away before it could be read ({err.strerror})") from err
        if not stat.S_ISDIR(status.st_mode):
            raise Refused("it is not a folder")
        if self.check_owner:
            problem = owner_problem(status, student, private=self._private)
            if problem:
                raise Refused(problem)
        return Inbound(name, student, claimed, _utc(status.st_ctime), status.st_uid)

    @functools.cached_property
    def _private(self) -> bool:
        """Whether no account but the grading one can write into ``inbound/``."""
        return _only_mine(Path(self.inbound_path))

    @staticmethod
    def _collected(dest: Path) -> tuple[str, datetime.datetime] | None:
        """The exchange folder this collector last took for ``dest``, and when it was made."""
        try:
            record = json.loads(_record_path(dest).read_text(encoding="utf-8"))
            return str(record["folder"]), datetime.datetime.fromisoformat(record["made"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # none, or unreadable: the times decide, as nbgrader's collect does

    def _existing_time(self, dest: Path) -> datetime.datetime | None:
        # Not coursedir.get_existing_timestamp: that fails the whole run on a bad file.
        try:
            text = (dest / "timestamp.txt").read_text(encoding="utf-8").strip()
            return parse_utc(text) if text else None
        except (OSError, ValueError, OverflowError):
            return None  # unreadable: the submission in the exchange replaces it

    def copy_files(self) -> None:
        if not self.candidates:
            self.log.warning(
                "No submissions of '%s' for course '%s' to collect",
                self.coursedir.assignment_id,
                self.coursedir.course_id,
            )
        for student, folders in self.candidates.items():
            dest = Path(
                self.coursedir.format_path(
                    self.coursedir.submitted_directory, student, self.coursedir.assignment_id
                )
            )
            existing = self._existing_time(dest) if dest.is_dir() else None
            collected = self._collected(dest) if dest.is_dir() else None
            if dest.is_dir() and not self.update and not self.before_duedate:
                self.log.info(
                    "Submission already exists, use --update to update: %s %s",
                    student,
                    self.coursedir.assignment_id,
                )
                continue
            for inbound in folders:
                if collected is not None:
                    # What this collector took last time: the same folder, or (without
                    # --before-duedate) one made earlier, is nothing new.
                    name, made = collected
                    if inbound.name == name or (not self.before_duedate and inbound.made <= made):
                        self.log.info("No newer submission to collect: %s", student)
                        break
                elif existing is not None and (
                    inbound.timestamp == existing
                    or (not self.before_duedate and inbound.timestamp < existing)
                ):
                    self.log.info("No newer submission to collect: %s", student)
                    break
                try:
                    self._collect(inbound, dest)
                except Refused as why:
                    self._refuse(inbound.name, why)
                    continue
                self.log.info("Collected submission: %s %s", student, self.coursedir.assignment_id)
                break

    def _collect(self, inbound: Inbound, dest: Path) -> None:
        # Staged beside the students' folders, so that a refused submission leaves no
        # folder of its student behind.
        root = dest.parent.parent
        root.mkdir(parents=True, exist_ok=True)
        staging = root / f".collecting-{secrets.token_hex(8)}"
        try:
            changed = copy_submission(
                Path(self.inbound_path, inbound.name),
                staging,
                owner=inbound.owner,
                ignore=list(self.coursedir.ignore),
                include=list(self.coursedir.include),
                max_file_kb=self.coursedir.max_file_size,
                max_dir_kb=self.coursedir.max_dir_size,
                log=self.log,
            )
            when, corrected = choose_time(inbound.claimed, changed)
            if corrected:
                self.log.warning("%s: %s", shown(inbound.name), corrected)
            stamp = when.replace(tzinfo=datetime.timezone.utc)
            (staging / "timestamp.txt").write_text(
                stamp.strftime(TIMESTAMP_FORMAT), encoding="utf-8"
            )
            if self.coursedir.groupshared:
                self._share_with_group(staging)
            dest.parent.mkdir(exist_ok=True)
            if dest.exists():
                shutil.rmtree(dest)
            staging.rename(dest)
            record = {"folder": inbound.name, "made": inbound.made.isoformat()}
            _record_path(dest).write_text(json.dumps(record), encoding="utf-8")
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    @staticmethod
    def _share_with_group(folder: Path) -> None:
        # As nbgrader's collect does for a group-shared course: folders ug+rwx, files ug+rw.
        for root, _dirs, files in os.walk(folder):
            here = Path(root)
            here.chmod((here.stat().st_mode | 0o2770) & 0o2777)
            for name in files:
                path = here / name
                path.chmod((path.stat().st_mode | 0o660) & 0o777)

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
  or the grading account itself (a course run on one account);
- it must hold nothing but folders and regular files, each opened without
  following a link and checked once open, so that nothing can be swapped in
  between the check and the copy; a link, a hard link, a pipe or a device refuses
  the whole submission, and nothing of it is copied;
- it must keep within nbgrader's ``CourseDirectory.max_dir_size``; larger files
  than ``max_file_size`` are left out with a warning, as nbgrader leaves them out;
- its time is the one in its name, unless the folder or anything in it changed
  more than ten minutes from that time: then it is the latest change, which a
  student cannot set, so a submission can neither be dated ahead (to stay the
  newest) nor back (to beat a due date);
- a folder that is refused, or whose name cannot be read, is reported and skipped,
  and the rest of the class is collected.

Each refusal is logged as a warning that starts with :data:`REFUSED`.
"""

from __future__ import annotations

import datetime
import fnmatch
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc

try:
    import pwd
except ImportError:  # Windows, where nbgrader's exchange does not run either
    pwd = None  # type: ignore[assignment]

REFUSED = "Not collected:"
SLACK = datetime.timedelta(minutes=10)
MAX_ENTRIES = 10_000  # files and folders in one submission
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's, in the folder's name and timestamp.txt
CHUNK = 1 << 20


class Refused(Exception):
    """A submission folder that is not collected; the message says why."""


@dataclass(frozen=True)
class Inbound:
    """One submission folder in the exchange, as far as it can be trusted."""

    name: str
    student: str
    timestamp: datetime.datetime
    corrected: str  # why ``timestamp`` is not the one in the name, or ""


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
    except (ValueError, OverflowError) as err:
        raise Refused(f"{name!r} has a time nbgrader cannot read ({err})") from err
    return student, when


def owner_problem(status: os.stat_result, student: str) -> str:
    """Why the account that made a folder may not hand it in as ``student``; "" if it may."""
    if pwd is None or status.st_uid == os.geteuid():
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


def _utc(seconds: float) -> datetime.datetime:
    # Naive UTC, as nbgrader's parse_utc gives the times it reads.
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).replace(tzinfo=None)


def latest_change(folder: Path) -> datetime.datetime:
    """The latest status change in ``folder`` and under it, following no link."""
    latest = folder.lstat().st_ctime
    for root, dirs, files in os.walk(folder):  # os.walk follows no links by default
        for name in dirs + files:
            try:
                latest = max(latest, (Path(root) / name).lstat().st_ctime)
            except OSError:
                continue
    return _utc(latest)


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
class _Budget:
    bytes_left: int
    entries_left: int = MAX_ENTRIES


def _ignored(name: str, ignore: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, glob) for glob in ignore)


def copy_submission(
    source: Path,
    target: Path,
    *,
    ignore: list[str],
    include: list[str],
    max_file_kb: int,
    max_dir_kb: int,
    log=None,
) -> None:
    """Copy the submission folder ``source`` to the new folder ``target``, or :class:`Refused`.

    Every entry is opened relative to its folder's descriptor without following a
    link, and checked on the open descriptor, so a link or a device put in place of
    a checked file is never followed. ``target`` is left half made on a refusal;
    the caller removes it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        top = os.open(source, flags | os.O_DIRECTORY)
    except OSError as err:
        raise Refused(f"it is not a folder that can be opened ({err.strerror})") from err
    try:
        budget = _Budget(bytes_left=max_dir_kb * 1000)
        _copy_folder(top, target, "", flags, ignore, include, max_file_kb * 1000, budget, log)
    finally:
        os.close(top)


def _copy_folder(fd, target, where, flags, ignore, include, max_file, budget, log) -> None:
    target.mkdir()
    for name in sorted(os.listdir(fd)):  # noqa: PTH208 - a descriptor, which Path cannot list
        shown = f"{where}{name}"
        if _ignored(name, ignore) or (where == "" and name == "timestamp.txt"):
            continue  # timestamp.txt is written by the collector, not taken from the student
        budget.entries_left -= 1
        if budget.entries_left < 0:
            raise Refused(f"it holds more than {MAX_ENTRIES} files and folders")
        status = os.stat(name, dir_fd=fd, follow_symlinks=False)
        if stat.S_ISDIR(status.st_mode):
            child = os.open(name, flags | os.O_DIRECTORY, dir_fd=fd)
            try:
                _copy_folder(
                    child, target / name, f"{shown}/", flags, ignore, include, max_file, budget, log
                )
            finally:
                os.close(child)
            continue
        if stat.S_ISLNK(status.st_mode):
            raise Refused(f"{shown} is a link")
        if not stat.S_ISREG(status.st_mode):
            raise Refused(f"{shown} is not a regular file (a pipe, socket or device)")
        if include and not any(fnmatch.fnmatch(name, glob) for glob in include):
            continue
        # O_NONBLOCK: should a pipe have been put in its place since, opening it
        # does not wait for a writer; the check on the open file then refuses it.
        handle = os.open(name, flags | os.O_NONBLOCK, dir_fd=fd)
        try:
            opened = os.fstat(handle)
            if not stat.S_ISREG(opened.st_mode):
                raise Refused(f"{shown} is not a regular file (a pipe, socket or device)")
            if opened.st_nlink > 1:
                raise Refused(f"{shown} is a hard link to a file elsewhere")
            if max_file and opened.st_size > max_file:
                if log is not None:
                    log.warning("Leaving out %s: larger than CourseDirectory.max_file_size", shown)
                continue
            budget.bytes_left -= opened.st_size
            if budget.bytes_left < 0:
                raise Refused("it is larger than CourseDirectory.max_dir_size")
            _copy_bytes(handle, target / name, opened.st_size + 1)
        finally:
            os.close(handle)


def _copy_bytes(handle: int, path: Path, most: int) -> None:
    """Copy at most ``most`` bytes from ``handle``: a file that grows while copied is cut off."""
    with path.open("xb") as out:
        while most > 0:
            block = os.read(handle, min(CHUNK, most))
            if not block:
                return
            out.write(block)
            most -= len(block)
    raise Refused(f"{path.name} grew while it was being copied")


class CollectFromCourseExchange(ExchangeCollect):
    """nbgrader's collect, which checks each submission folder before taking it (see the module)."""

    def init_src(self) -> None:
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
                self.log.warning("%s %s: %s", REFUSED, name, why)
                continue
            if not fnmatch.fnmatchcase(inbound.student, wanted):
                continue
            if inbound.corrected:
                self.log.warning("%s: %s", name, inbound.corrected)
            found.setdefault(inbound.student, []).append(inbound)
        duedate = self._duedate() if self.before_duedate else None
        # Each student's folders, the one to collect first: the newest, or with
        # --before-duedate the newest before the due date. Should it be refused when
        # copied, the next is tried, so one bad folder does not cost an earlier good one.
        self.candidates: dict[str, list[Inbound]] = {}
        for student, folders in sorted(found.items()):
            folders.sort(key=lambda i: i.timestamp, reverse=True)
            if duedate is not None:
                folders.sort(key=lambda i: i.timestamp > duedate)  # stable: newest first in each
            self.candidates[student] = folders
        self.src_records = [
            {"username": s, "filename": f[0].name, "timestamp": f[0].timestamp}
            for s, f in self.candidates.items()
        ]

    def _duedate(self) -> datetime.datetime | None:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                return gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def _check(self, name: str, assignment: str) -> Inbound:
        student, claimed = read_name(name, assignment)
        path = Path(self.inbound_path, name)
        status = path.lstat()
        if not stat.S_ISDIR(status.st_mode):
            raise Refused("it is not a folder")
        if self.check_owner:
            problem = owner_problem(status, student)
            if problem:
                raise Refused(problem)
        when, corrected = choose_time(claimed, latest_change(path))
        return Inbound(name, student, when, corrected)

    def _existing_time(self, dest: Path) -> datetime.datetime | None:
        try:
            text = (dest / "timestamp.txt").read_text(encoding="utf-8").strip()
            return parse_utc(text) if text else None
        except (OSError, ValueError, OverflowError):
            return None  # unreadable: the submission in the exchange replaces it

    def copy_files(self) -> None:
        if not self.src_records:
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
            for inbound in folders:
                if existing is not None and (
                    inbound.timestamp == existing
                    or (not self.before_duedate and inbound.timestamp < existing)
                ):
                    self.log.info("No newer submission to collect: %s", student)
                    break
                try:
                    self._collect(inbound, dest)
                except Refused as why:
                    self.log.warning("%s %s: %s", REFUSED, inbound.name, why)
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
            copy_submission(
                Path(self.inbound_path, inbound.name),
                staging,
                ignore=list(self.coursedir.ignore),
                include=list(self.coursedir.include),
                max_file_kb=self.coursedir.max_file_size,
                max_dir_kb=self.coursedir.max_dir_size,
                log=self.log,
            )
            stamp = inbound.timestamp.replace(tzinfo=datetime.timezone.utc)
            (staging / "timestamp.txt").write_text(
                stamp.strftime(TIMESTAMP_FORMAT), encoding="utf-8"
            )
            if self.coursedir.groupshared:
                self._share_with_group(staging)
            dest.parent.mkdir(exist_ok=True)
            if dest.exists():
                shutil.rmtree(dest)
            staging.rename(dest)
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

"""The room: a workshop's card sorts, gathered from many participants' answers files.

Participants' answers files reach the facilitator in one of three ways, and each has
a finder here that returns ``(participant, path)`` pairs:

- a shared room folder, one sub-folder per participant (a *seat*):
  ``<room>/<seat>/<exercise>.answers.json`` (:func:`find_in_room`; learners save
  there with ``card_sort(..., folder=room.seat_folder())``);
- nbgrader's collected submissions, ``<course>/submitted/<student>/<assignment>/``
  (:func:`find_in_room` on ``submitted/`` with ``assignment``);
- nbgrader's exchange inbound folder, ``<exchange>/<course>/inbound/<student>+<assignment>+<time>[+<random>]/``
  (:func:`find_in_inbound`, the latest submission of each student).

:func:`collect` reads them into a :class:`Room`: files that cannot be read are skipped
and counted with the reason, never fatal. Participants are anonymous by default:
their names are replaced by labels that say nothing about them.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from product_roles.grading import answers

TRADITIONAL = "room-traditional"
AI_ERA = "room-ai-era"
"""Exercise ids of the workshop's two room sorts (see workshop/room-sort.ipynb)."""

ROOM_CARDS = (
    "order-backlog",
    "user-stories",
    "acceptance-criteria",
    "accept-work-as-done",
    "answer-team-questions",
    "customer-interviews",
    "success-metrics",
    "market-sizing",
    "roadmap",
    "stakeholder-management",
    "prototyping",
    "write-code",
)
"""The twelve cards of the room sorts: the ones the AI-era scenario moves, and some it keeps."""

ROOM_ENV = "PRODUCT_ROLES_ROOM"
"""Environment variable naming the shared room folder (set by the workshop's hub)."""

ONE_SEAT_ENV = "PRODUCT_ROLES_ONE_SEAT_PER_ACCOUNT"
"""Set to 1 by a hub that gives each participant a Unix account: one seat per account."""

MAX_ANSWERS_BYTES = 256 * 1024
"""An answers file larger than this is skipped: twelve cards take about 1 kB."""

SEAT_FILE = ".product-roles-seat"


@dataclass(frozen=True)
class Sort:
    """One participant's placements for one exercise."""

    participant: str
    placements: dict[str, str | None]


@dataclass
class Room:
    """Every readable sort of one exercise, and what was skipped and why."""

    exercise: str
    sorts: list[Sort] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many participants' sorts were read."""
        return len(self.sorts)


def find_in_room(
    root: str | os.PathLike,
    exercise: str,
    assignment: str | None = None,
    *,
    one_per_account: bool = False,
    nested: bool = False,
) -> list[tuple[str, Path]]:
    """Find ``<root>/<participant>/[<assignment>/]<exercise>.answers.json`` files.

    Symbolic links are never followed (a participant could otherwise point the
    dashboard at a file they cannot read themselves), and only regular files count.

    Parameters
    ----------
    root : path
        The room folder, or nbgrader's ``submitted/`` folder.
    exercise : str
        The exercise id that names the answers files.
    assignment : str, optional
        For nbgrader's ``submitted/<student>/<assignment>/`` layout.
    one_per_account : bool
        On a hub where each participant is a Unix account: keep one seat per owner
        of the seat folder (the latest saved), so that nobody can sort twice by
        making more seat folders.
    nested : bool
        Each entry of ``root`` is one participant's own folder holding their seat, as
        on Kubernetes, where each server mounts only its own sub-folder of the room
        volume; one seat per such folder counts (the latest saved).

    Returns
    -------
    list of (str, Path)
        Participant folder name and file path, sorted by participant.
    """
    name = answers.path_for(exercise).name
    found: dict[object, tuple[int, str, Path]] = {}
    try:
        seats = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return []
    if nested:
        for person in seats:
            if person.name.startswith(".") or not person.is_dir(follow_symlinks=False):
                continue
            for participant, path in find_in_room(person.path, exercise, assignment):
                key = person.name
                mark = os.lstat(path).st_mtime_ns
                if key not in found or mark > found[key][0]:
                    found[key] = (mark, participant, path)
        return sorted((participant, path) for _, participant, path in found.values())
    for seat in seats:
        if seat.name.startswith(".") or not seat.is_dir(follow_symlinks=False):
            continue
        folder = Path(seat.path, assignment) if assignment else Path(seat.path)
        path = folder / name
        try:
            if assignment and folder.is_symlink():
                continue
            mark = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(mark.st_mode):
            continue
        key = seat.stat(follow_symlinks=False).st_uid if one_per_account else seat.name
        if key not in found or mark.st_mtime_ns > found[key][0]:
            found[key] = (mark.st_mtime_ns, seat.name, path)
    return sorted((participant, path) for _, participant, path in found.values())


def find_in_inbound(
    inbound: str | os.PathLike, assignment: str, exercise: str
) -> list[tuple[str, Path]]:
    """Find each student's latest submission of ``assignment`` in nbgrader's inbound folder.

    nbgrader names a submission ``<student>+<assignment>+<timestamp>`` (newer releases
    add ``+<random>``); its timestamps sort as text in time order.
    """
    name = answers.path_for(exercise).name
    latest: dict[str, tuple[str, Path]] = {}
    try:
        entries = list(os.scandir(inbound))
    except FileNotFoundError:
        return []
    for entry in entries:
        parts = entry.name.split("+")
        if len(parts) < 3 or parts[1] != assignment or not entry.is_dir():
            continue
        student, stamp = parts[0], parts[2]
        path = Path(entry.path, name)
        if path.is_file() and (student not in latest or stamp > latest[student][0]):
            latest[student] = (stamp, path)
    return sorted((student, path) for student, (_, path) in latest.items())


def collect(
    found: Iterable[tuple[str, str | os.PathLike]],
    exercise: str,
    *,
    anonymous: bool = True,
) -> Room:
    """Read answers files into a :class:`Room`; a file that cannot be read is skipped.

    Parameters
    ----------
    found : iterable of (participant, path)
        What a finder returned.
    exercise : str
        The exercise the files must belong to.
    anonymous : bool
        Replace participant names by labels such as ``P-3fa81c02`` that say nothing
        about them (drawn afresh in every process).
    """
    pairs = list(found)
    labels = _labels([p for p, _ in pairs], anonymous)
    room = Room(exercise)
    for participant, path in pairs:
        label = labels[participant]
        try:
            record = _read(path, exercise)
        except answers.AnswersError as err:
            room.skipped.append((label, str(err)))
            continue
        if record is None:  # removed between finding and reading
            room.skipped.append((label, "it disappeared before it could be read"))
            continue
        room.sorts.append(Sort(label, record.placements))
    return room


def _read(path: str | os.PathLike, exercise: str) -> answers.Answers | None:
    """Like :func:`answers.read`, but never through a link, from a FIFO, or too large."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise answers.AnswersError(f"it could not be read ({err.strerror})") from err
    with os.fdopen(handle, "rb") as stream:
        mark = os.fstat(stream.fileno())
        if not stat.S_ISREG(mark.st_mode):
            raise answers.AnswersError("it is not a plain file")
        if mark.st_size > MAX_ANSWERS_BYTES:
            raise answers.AnswersError(f"it is larger than {MAX_ANSWERS_BYTES // 1024} kB")
        raw = stream.read(MAX_ANSWERS_BYTES + 1)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise answers.AnswersError(f"it is not valid JSON ({err})") from err
    return answers.parse(data, exercise)


def signature(found: Iterable[tuple[str, str | os.PathLike]]) -> tuple:
    """A cheap fingerprint of the files (name, size, change time): it changes when any does."""
    marks = []
    for participant, path in found:
        try:
            stat = Path(path).stat()
        except OSError:
            continue
        marks.append((participant, str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(marks))


def seat_folder(room: str | os.PathLike | None = None) -> Path:
    """Return (and create) this participant's own folder inside the shared room folder.

    The seat's name is a random token kept in ``~/.product-roles-seat``, so the room
    folder never shows who sat where, and the same person keeps one seat. The seat
    is mode 0750: on the workshop hub it takes the room folder's group (the
    facilitators and the dashboard), and other participants cannot enter it.

    Raises
    ------
    RuntimeError
        When no room folder is given and ``PRODUCT_ROLES_ROOM`` is not set.
    """
    room = room or os.environ.get(ROOM_ENV)
    if not room:
        raise RuntimeError(
            f"no room folder: the facilitator sets {ROOM_ENV} on the workshop's hub; "
            "outside a workshop, sort without a room (leave folder= out)"
        )
    folder = Path(room) / _seat_id()
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    if folder.stat().st_uid == os.getuid():
        folder.chmod(0o750)  # whatever the umask, the room group can read it
    return folder


def room_sort(exercise: str, card_ids, folder: str | os.PathLike | None = None):
    """A card sort for the room: every role as a column, no answers shown, saved in the seat.

    Assessment mode keeps the course's reference out of the room until the facilitator
    shows it on the dashboard, so people sort by their own judgement.

    Parameters
    ----------
    exercise : str
        The sort's exercise id (the dashboard reads it).
    card_ids : sequence of str
        Catalogue card ids, in display order.
    folder : path, optional
        Where to save; this participant's seat in the room folder by default.
    """
    from product_roles.content.catalogue import load
    from product_roles.ui.cardsort import card_sort

    catalogue = load()
    return card_sort(
        exercise,
        [{"id": card.id, "text": card.text} for card in catalogue.select(list(card_ids))],
        [{"id": role.id, "label": role.label} for role in catalogue.roles],
        mode="assessment",
        folder=folder if folder is not None else seat_folder(),
    )


def _seat_id() -> str:
    home = Path.home()
    path = home / SEAT_FILE
    try:
        seat = path.read_text(encoding="utf-8").strip()
        if seat.isalnum():
            return seat
    except OSError:
        pass
    seat = secrets.token_hex(8)
    try:
        path.write_text(seat + "\n", encoding="utf-8")
    except OSError:
        # A read-only home still gets a stable seat, derived from the account name.
        user = os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
        seat = hashlib.sha256(f"product-roles-seat:{user}".encode()).hexdigest()[:16]
    return seat


def _labels(participants: list[str], anonymous: bool) -> dict[str, str]:
    if not anonymous:
        return {p: p for p in participants}
    # A salt drawn once per process: labels say nothing about names, yet the same
    # person gets the same label in every exercise, so their sorts can be paired.
    return {p: "P-" + hashlib.sha256(_SALT + p.encode()).hexdigest()[:8] for p in participants}


_SALT = secrets.token_bytes(16)

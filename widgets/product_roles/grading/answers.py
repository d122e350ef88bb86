"""The answers file: a learner's placements, saved beside the notebook.

Format (version 1), one JSON file per exercise, named ``<exercise>.answers.json``::

    {
      "format": "product-roles-answers",
      "version": 1,
      "exercise": "traditional-divide",
      "saved_at": "2026-11-25T22:50:00Z",
      "placements": {"card-id": "PO", "other-card": null},
      "confidence": {"card-id": "sure"}
    }

``placements`` maps a card id to a category id, or to ``null`` for a card not yet
placed. ``confidence`` is optional and maps a card id to ``"sure"`` or ``"unsure"``.
Instructors may read or repair these files by hand; :func:`read` says what is wrong
with one that does not load.

Writes are atomic (a temporary file in the same folder, flushed, then ``os.replace``),
so a crash mid-write leaves the previous file whole. A file that cannot be read is
never overwritten: :func:`set_aside` renames it and keeps it.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

FORMAT = "product-roles-answers"
VERSION = 1
SUFFIX = ".answers.json"
CONFIDENCE = ("sure", "unsure")
# A sort of 40 cards takes about 3 KiB; anything far larger is not an answers file.
MAX_BYTES = 256 * 1024


class AnswersError(ValueError):
    """An answers file exists but cannot be used; the message says why in plain words."""


class WrongExercise(AnswersError):
    """An answers file of exercise ``found``, read as the file of ``expected``.

    It is the usual result of a file renamed, or copied from another notebook's folder,
    so :meth:`explain` says that rather than calling the file unreadable.
    """

    def __init__(self, found: str, expected: str) -> None:
        self.found, self.expected = found, expected
        super().__init__(f"it belongs to exercise {self.shown!r}, not {expected!r}")

    @property
    def shown(self) -> str:
        """The other exercise's id, cut short: it comes from the file, whatever it holds."""
        return self.found if len(self.found) <= 60 else f"{self.found[:57]}..."

    def explain(self, name: str) -> str:
        """What is wrong with the file called ``name``, in a learner's words."""
        return (
            f"{name} holds the answers of exercise {self.shown!r}; this sort is "
            f"{self.expected!r}: was it renamed, or copied from another notebook?"
        )


@dataclass
class Answers:
    exercise: str
    placements: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "exercise": self.exercise,
            "saved_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "placements": dict(sorted(self.placements.items())),
            "confidence": dict(sorted(self.confidence.items())),
        }


def path_for(exercise: str, folder: str | os.PathLike = ".") -> Path:
    """Return the answers file's path for ``exercise`` in ``folder`` (the notebook's folder)."""
    if not exercise or any(sep in exercise for sep in ("/", "\\", "\0")) or exercise[0] == ".":
        raise ValueError(f"exercise id {exercise!r} cannot name a file")
    return Path(folder) / f"{exercise}{SUFFIX}"


def parse(data: object, exercise: str) -> Answers:
    """Check decoded JSON ``data`` against the format and return it as :class:`Answers`."""
    if not isinstance(data, dict):
        raise AnswersError("it does not hold a JSON object")
    if data.get("format") != FORMAT:
        raise AnswersError(f"its 'format' is not {FORMAT!r}")
    if data.get("version") != VERSION:
        raise AnswersError(f"its version {data.get('version')!r} is not one this course reads")
    found = data.get("exercise")
    if isinstance(found, str) and found and found != exercise:
        raise WrongExercise(found, exercise)
    if found != exercise:
        raise AnswersError(f"it belongs to exercise {data.get('exercise')!r}, not {exercise!r}")
    placements = data.get("placements")
    if not isinstance(placements, dict):
        raise AnswersError("its 'placements' is not a mapping of card to category")
    for card, category in placements.items():
        if category is not None and not isinstance(category, str):
            raise AnswersError(f"card {card!r} is placed in {category!r}, which is not a name")
    confidence = data.get("confidence", {})
    if not isinstance(confidence, dict) or any(v not in CONFIDENCE for v in confidence.values()):
        raise AnswersError("its 'confidence' marks must each be 'sure' or 'unsure'")
    return Answers(exercise, dict(placements), dict(confidence))


def read(path: str | os.PathLike, exercise: str) -> Answers | None:
    """Read an answers file; return None when there is none.

    Raises
    ------
    AnswersError
        When the file exists but is not a valid answers file for ``exercise``.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise AnswersError(f"it could not be read ({err.strerror})") from err
    return decode(raw, exercise)


def read_submitted(
    path: str | os.PathLike, exercise: str, max_bytes: int = MAX_BYTES
) -> Answers | None:
    """Read an answers file from a submission, trusting nothing about it; None when there is none.

    Unlike :func:`read`, a link is refused rather than followed (a submitted link could
    point the grader at files the student may not read), and so is anything that is
    not a regular file or is larger than ``max_bytes``.

    Raises
    ------
    AnswersError
        When the file is there but cannot be used; the message says why.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as err:
        if Path(path).is_symlink():
            raise AnswersError("it is a link, not a file; submit the file itself") from err
        raise AnswersError(f"it could not be read ({err.strerror})") from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise AnswersError("it is not a regular file")
    with os.fdopen(fd, "rb") as stream:
        raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise AnswersError(
            f"it is larger than {max_bytes // 1024} KiB, far more than any sort needs"
        )
    return decode(raw, exercise)


def decode(raw: bytes, exercise: str) -> Answers:
    """Parse the bytes of an answers file for ``exercise``."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AnswersError(f"it is not valid JSON ({err})") from err
    except (RecursionError, ValueError) as err:  # nested too deep, or a number too long
        raise AnswersError(f"it is not an answers file ({type(err).__name__})") from err
    return parse(data, exercise)


def write(path: str | os.PathLike, answers: Answers) -> None:
    """Write ``answers`` to ``path`` atomically: readers see the old file or the new, never half."""
    write_text_atomically(path, json.dumps(answers.to_json(), indent=2, ensure_ascii=False) + "\n")


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (a temporary file, flushed, then ``os.replace``)."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; give it the mode a plain open() would, so that a
        # room folder's group (the facilitator's dashboard) can read it as well.
        if hasattr(os, "fchmod"):
            os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def set_aside(path: str | os.PathLike) -> Path:
    """Rename an unreadable answers file so that nothing overwrites it; return the new path."""
    path = Path(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    kept = path.with_name(f"{path.name}.corrupt-{stamp}")
    path.replace(kept)
    return kept

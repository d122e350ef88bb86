"""What ``product-roles grade`` shows while a class is graded, and where everything else goes.

On a terminal, one bar is redrawn in place as submissions finish, and only a
submission that could not be graded gets a line of its own; written to a file or a
pipe (a CI log, say), every submission gets one line. Whatever nbgrader, SQLAlchemy
or a kernel write to stderr while grading (warnings, mostly) goes to a log file
instead of between those lines: :func:`stderr_to` sends the process's stderr, which
the workers and their kernels inherit, to that file.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

BAR_WIDTH = 24
_WARNING = re.compile(r"\b\w*Warning: ")


def outcome(result: dict) -> str:
    """One submission's result in words: ``ana: 31 of 36 (0.4 s)``."""
    if result["status"] == "graded":
        said = f"{result['score']:g} of {result['max_score']:g}"
        if result["needs_manual_grade"]:
            said += " (+ manual grading to do)"
    else:
        said = f"NOT GRADED, scored 0: {result['reason']}"
    if result.get("kernels") not in (None, "", "fork"):
        said += f" [kernels: {result['kernels']}]"
    return f"{result['student']}: {said} ({result['seconds']:.1f} s)"


class ClassProgress:
    """Called as ``progress(done, total, result)`` after each submission (see :func:`.parallel.grade_class`).

    Parameters
    ----------
    stream : text stream
        Where progress goes (standard output).
    tty : bool, optional
        Draw a bar in place; by default, when ``stream`` is a terminal.
    quiet : bool
        Show nothing: the summary alone is printed afterwards.
    """

    def __init__(self, stream: TextIO, *, tty: bool | None = None, quiet: bool = False) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.quiet = quiet
        self._drawn = 0

    def __call__(self, done: int, total: int, result: dict) -> None:
        if self.quiet:
            return
        line = f"[{done} of {total}] {outcome(result)}"
        if not self.tty:
            print(line, file=self.stream, flush=True)
            return
        if result["status"] != "graded":
            self._clear()
            print(line, file=self.stream)
        self._draw(done, total, outcome(result))

    def finish(self) -> None:
        """End the bar's line, so the summary starts on a line of its own."""
        if self._drawn:
            print(file=self.stream, flush=True)
            self._drawn = 0

    def _draw(self, done: int, total: int, latest: str) -> None:
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done} of {total}  {latest}"
        width = shutil.get_terminal_size((100, 24)).columns - 1
        bar = bar[:width]
        self.stream.write("\r" + bar.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(bar)

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self._drawn = 0


@dataclass
class Log:
    """The log file of one grading run, and what was written to it during the run."""

    path: Path
    start: int = 0
    text: str = ""

    @property
    def warnings(self) -> int:
        """How many warnings the run wrote (one ``...Warning: `` line each)."""
        return sum(1 for line in self.text.splitlines() if _WARNING.search(line))


@contextmanager
def stderr_into(stream) -> Iterator[None]:
    """Point file descriptor 2 at ``stream``'s file while the block runs, then back.

    The descriptor, not ``sys.stderr``: worker processes and kernels started inside
    the block inherit it, so what they write goes there too.
    """
    sys.stderr.flush()
    terminal = os.dup(2)
    os.dup2(stream.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(terminal, 2)
        os.close(terminal)


@contextmanager
def stderr_to(path: Path, title: str) -> Iterator[Log]:
    """Append this process's stderr, and its children's, to ``path`` while the block runs.

    The redirection is of file descriptor 2, so worker processes and kernels started
    inside the block write there too; ``title`` heads this run's part of the file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    log = Log(path)
    with path.open("a", encoding="utf-8") as stream:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        stream.write(f"=== {title}, {stamp} ===\n")
        stream.flush()
        log.start = stream.tell()
        with stderr_into(stream):
            yield log
    with path.open(encoding="utf-8", errors="replace") as stream:
        stream.seek(log.start)
        log.text = stream.read()

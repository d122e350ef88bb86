"""What one nbgrader run raised and logged, kept as Python objects rather than as text.

nbgrader's converters catch most errors themselves: ``convert_notebooks`` logs the
traceback of what a submission raised (as text, inside its ``except`` block), moves
on to the next one and, at the end, raises its own ``NbGraderException`` that only
points to that log. :func:`run` keeps what the log text was made from: a
:class:`logging.Handler` on the converter's logger keeps each ERROR
:class:`~logging.LogRecord` and, while nbgrader is handling an exception, that
exception itself; what ``start()`` raises is kept too. :func:`worth_retrying` and
:func:`reason` then read exception types, error codes and record messages, never
nbgrader's wording.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field

# SQLite's primary result codes for "another connection holds a lock" (sqlite3.h);
# the sqlite3 module names them only from Python 3.11.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
# What SQLite says for those codes (sqlite3_errstr), for Python 3.10, whose
# sqlite3.OperationalError carries no error code.
_LOCK_MESSAGES = {"database is locked", "database table is locked"}
MAX_REASON = 600


@dataclass
class Outcome:
    """One run of an nbgrader converter.

    ``raised`` holds each exception nbgrader caught and logged, in the order it
    logged them, then the one ``start()`` raised, if any; ``errors`` the messages
    of its ERROR records, but for the tracebacks of exceptions in ``raised``.
    """

    success: bool
    raised: list[BaseException] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Keeper(logging.Handler):
    """Keeps the ERROR records of a run and the exceptions being handled as they were logged."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(logging.ERROR)
        self.outcome = outcome

    def _keep(self, err: BaseException | None) -> None:
        if err is not None and not any(err is kept for kept in self.outcome.raised):
            self.outcome.raised.append(err)

    def emit(self, record: logging.LogRecord) -> None:
        # Logging is synchronous: inside nbgrader's ``except`` block, sys.exc_info()
        # is the exception that block caught.
        handled = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        self._keep(handled)
        message = record.getMessage()
        if handled is not None and message == "".join(traceback.format_exception(handled)):
            return  # nbgrader's text of an exception now kept as the exception
        self.outcome.errors.append(message)


def run(app) -> Outcome:
    """Call ``app.start()`` (an nbgrader converter) and return what it raised and logged.

    Like :func:`nbgrader.utils.capture_log`, never raises what ``start()`` raises,
    ``SystemExit`` included: nbgrader's ``fail()`` ends with ``sys.exit(1)``, which must
    fail one submission, never the worker grading the class. A keyboard interrupt
    still stops grading.
    """
    outcome = Outcome(success=False)
    keeper = _Keeper(outcome)
    app.log.addHandler(keeper)
    try:
        app.start()
    except (Exception, SystemExit) as err:  # noqa: BLE001 - kept in the outcome
        keeper._keep(err)
    else:
        outcome.success = True
    finally:
        app.log.removeHandler(keeper)
    return outcome


def chain(err: BaseException) -> list[BaseException]:
    """``err`` and what it was raised from or while handling, innermost first."""
    links: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and not any(current is seen for seen in links):
        links.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        else:
            current = None if current.__suppress_context__ else current.__context__
    return links[::-1]


def _every_link(outcome: Outcome) -> Iterator[BaseException]:
    """The links of every chain in ``outcome.raised``, each chain innermost first."""
    for err in outcome.raised:
        for link in chain(err):
            yield link
            orig = getattr(link, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
            if isinstance(orig, BaseException):
                yield orig


def _is_lock(err: BaseException) -> bool:
    if not isinstance(err, sqlite3.OperationalError):
        return False
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:
        return str(err) in _LOCK_MESSAGES
    return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)  # an extended code keeps its primary


def _is_port_taken(err: BaseException) -> bool:
    from zmq import ZMQError  # no OSError, but it carries the same errno

    return isinstance(err, (OSError, ZMQError)) and err.errno == errno.EADDRINUSE


def worth_retrying(outcome: Outcome) -> bool:
    """A failure that says nothing about the submission: grading it again may well work.

    Two graders committing to one SQLite file at once (SQLite's busy or locked
    error, however nbgrader or SQLAlchemy wrapped it), or two kernels started at
    the same moment that picked the same free port (``EADDRINUSE``).
    """
    return not outcome.success and any(
        _is_lock(err) or _is_port_taken(err) for err in _every_link(outcome)
    )


def _is_wrapper(err: BaseException) -> bool:
    from nbgrader.converters.base import NbGraderException

    return isinstance(err, NbGraderException)


def _said(err: BaseException) -> str | None:
    """``Type: message`` on one line; None for a wrapper that adds nothing of its own."""
    if _is_wrapper(err):
        return None  # nbgrader's own: it restates, or points to, what it logged
    if isinstance(getattr(err, "orig", None), BaseException):
        return None  # SQLAlchemy's wrapper: the driver's error, which is shown, and the SQL
    message = " ".join(str(err).split())
    return f"{type(err).__name__}: {message}" if message else type(err).__name__


def reason(outcome: Outcome) -> str:
    """Why nbgrader could not grade a submission, in one line of at most 600 characters.

    What was raised comes first, the innermost cause of each exception before what
    wraps it; then nbgrader's error messages. An ``NbGraderException``'s message
    (nbgrader logs it as it raises it) is left out when other exceptions say more:
    it then only points to them ("Please see the above traceback") or gives
    advice that does not fit them.
    """
    links = list(_every_link(outcome))
    parts = [said for link in links if (said := _said(link))]
    restated = {str(link) for link in links if _is_wrapper(link)} if parts else set()
    parts += [" ".join(m.split()) for m in outcome.errors if m and m not in restated]
    text = " | ".join(dict.fromkeys(parts))
    return text[:MAX_REASON] if text else "nbgrader could not grade this submission"

"""The worker reads what nbgrader raised and logged as objects: retries and reasons.

Retrying is decided from real exceptions: a SQLite gradebook locked by another
connection (as SQLite, SQLAlchemy and nbgrader raise it) and a port another socket
holds, against errors of the same types that say something else. Reasons come from
real submissions graded through the course's nbgrader pipeline, and a grade that
first meets a locked gradebook is graded again once the lock is gone.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3

import pytest
import zmq
from nbgrader.api import Gradebook
from nbgrader.converters.base import NbGraderException

from conftest import ROOT, tool_env
from grading_course import key_for, keys_of
from product_roles.instructor import worker
from product_roles.instructor.nbgrader_cli import generate_assignment
from product_roles.instructor.nbgrader_outcome import (
    MAX_REASON,
    Outcome,
    chain,
    reason,
    worth_retrying,
)
from product_roles.instructor.simulate import submit

ASSIGNMENT = "traditional-divide"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def caught(action, *args):
    """The exception ``action(*args)`` raises, as Python built it (cause, context, traceback)."""
    try:
        action(*args)
    except Exception as err:  # noqa: BLE001 - whatever it is, the test looks at it
        return err
    raise AssertionError(f"{action.__name__} raised nothing")


def failed(*raised: BaseException, errors: tuple[str, ...] = ()) -> Outcome:
    return Outcome(success=False, raised=list(raised), errors=list(errors))


def _hold(path):
    """Another connection's exclusive lock on the SQLite file at ``path``."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


@pytest.fixture
def locked(tmp_path):
    """A SQLite file with nbgrader's ``assignment`` table, locked by another connection."""
    path = tmp_path / "plain.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE assignment (id TEXT)")
    holder = _hold(path)
    yield path
    holder.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with the assignment generated, in this process (the worker is what is tested)."""
    course = tmp_path_factory.mktemp("worker-results") / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", tool_env()["PATH"])  # nbgrader stamps a new gradebook with alembic
        generate_assignment(ASSIGNMENT, cwd=course)
    return course


@pytest.fixture(scope="module")
def gradebook_file(course, tmp_path_factory):
    """A gradebook nbgrader made and stamped: a copy of the course's (made once, for both)."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    shutil.copy(course / "gradebook.db", path)
    return path


@pytest.fixture
def locked_gradebook(gradebook_file, tmp_path):
    """A copy of the empty gradebook, locked by another connection."""
    path = shutil.copy(gradebook_file, tmp_path / "gradebook.db")
    holder = _hold(path)
    yield path
    holder.close()


def _read(path):
    # timeout=0: SQLite reports the lock at once instead of waiting for it.
    with sqlite3.connect(path, timeout=0) as conn:
        conn.execute("SELECT * FROM assignment").fetchall()


def _add_student(path):
    with Gradebook(f"sqlite:///{path}?timeout=0") as gb:
        gb.update_or_create_student("ana")


def test_a_locked_sqlite_file_is_worth_retrying(locked):
    err = caught(_read, locked)
    assert isinstance(err, sqlite3.OperationalError)
    assert worth_retrying(failed(err))


@pytest.mark.slow
def test_a_lock_met_through_nbgrader_and_sqlalchemy_is_worth_retrying(locked_gradebook):
    err = caught(_add_student, locked_gradebook)
    names = [type(link).__name__ for link in chain(err)]
    assert "OperationalError" in names, names  # SQLAlchemy's, wrapping sqlite3's as .orig
    assert worth_retrying(failed(err))
    assert reason(failed(err)).startswith("OperationalError: database is locked")


@pytest.mark.slow
def test_a_lock_is_found_under_the_wrapper_nbgrader_raises_while_handling_it(locked_gradebook):
    def wrapped():
        try:
            _add_student(locked_gradebook)
        except Exception as err:
            raise NbGraderException("There was an error accessing the nbgrader database.") from err

    err = caught(wrapped)
    assert isinstance(err, NbGraderException)
    assert worth_retrying(failed(err))
    assert "NbGraderException" not in reason(failed(err))


def test_other_sqlite_errors_are_not_worth_retrying(tmp_path):
    def missing_table():
        with sqlite3.connect(tmp_path / "empty.db") as conn:
            conn.execute("SELECT * FROM assignment")

    err = caught(missing_table)
    assert isinstance(err, sqlite3.OperationalError)
    assert not worth_retrying(failed(err))


def test_a_lock_without_an_error_code_is_known_by_sqlites_own_message():
    # Python 3.10's sqlite3 errors carry no sqlite_errorcode; SQLite's text for the code is fixed.
    assert worth_retrying(failed(sqlite3.OperationalError("database is locked")))
    assert not worth_retrying(failed(sqlite3.OperationalError("no such table: assignment")))


def test_a_port_already_in_use_is_worth_retrying():
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        first.listen()
        err = caught(second.bind, first.getsockname())
    assert isinstance(err, OSError)
    assert worth_retrying(failed(err))


def test_a_kernel_port_zmq_cannot_bind_is_worth_retrying():
    context = zmq.Context()
    first, second = context.socket(zmq.ROUTER), context.socket(zmq.ROUTER)
    try:
        port = first.bind_to_random_port("tcp://127.0.0.1")
        err = caught(second.bind, f"tcp://127.0.0.1:{port}")
    finally:
        first.close(linger=0)
        second.close(linger=0)
        context.term()
    assert isinstance(err, zmq.ZMQError)
    assert worth_retrying(failed(err))


def test_a_refused_connection_is_not_worth_retrying():
    with socket.socket() as closed, socket.socket() as client:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        err = caught(client.connect, closed.getsockname())
    assert isinstance(err, ConnectionRefusedError)
    assert not worth_retrying(failed(err))


def test_a_success_is_never_retried(locked):
    outcome = Outcome(success=True, raised=[caught(_read, locked)])
    assert not worth_retrying(outcome)


def test_the_reason_names_the_innermost_error_first_on_one_bounded_line():
    def parse():
        try:
            json.loads("not json")
        except ValueError as err:
            raise RuntimeError("the notebook\ncould not be read") from err

    text = reason(failed(caught(parse), errors=("x" * 2000,)))
    assert text.startswith("JSONDecodeError: Expecting value")
    assert "| RuntimeError: the notebook could not be read |" in text
    assert "\n" not in text
    assert len(text) == MAX_REASON


def test_nbgraders_message_is_kept_when_nothing_else_says_why():
    message = "No notebooks were matched by 'submitted/ana/a1/*.ipynb'"
    err = caught(_raise, NbGraderException(message))
    assert reason(failed(err, errors=(message,))) == message
    assert reason(failed()) == "nbgrader could not grade this submission"


def _raise(err):
    raise err


def test_an_app_that_calls_fail_is_one_failed_run_not_the_end_of_the_worker():
    """nbgrader's ``fail()`` calls ``sys.exit(1)``: the run fails with its message, nothing escapes."""
    from nbgrader.apps.baseapp import NbGrader

    from product_roles.instructor.nbgrader_outcome import run

    class Failing(NbGrader):
        def start(self):
            self.fail("The course directory %s does not exist", "/nowhere")

    outcome = run(Failing())
    assert not outcome.success
    assert "The course directory /nowhere does not exist" in reason(outcome)


def test_nbgraders_warnings_are_shown_not_raised_and_late_sockets_not_at_all(monkeypatch):
    """Under this suite's "error" filter a warning from grading is shown, and fails nothing."""
    import warnings

    def autograde(*_args):
        warnings.warn("a warning of nbgrader's", UserWarning, stacklevel=1)
        warnings.warn("unclosed socket", ResourceWarning, stacklevel=1)
        return Outcome(success=True)

    monkeypatch.setattr(worker, "_autograde", autograde)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("error")
        outcome = worker._autograde_with_retries(ASSIGNMENT, "ana", None)
    assert outcome.success
    assert [(w.category, str(w.message)) for w in shown] == [
        (UserWarning, "a warning of nbgrader's")
    ]


def right_answers():
    (key,) = keys_of(ASSIGNMENT)
    return {key.exercise: {card: accepted[0] for card, accepted in key.answers.items()}}


def not_json(folder):
    (folder / NOTEBOOK).write_text("this notebook was overwritten with plain text")


def link_to_solution(course):
    def edit(folder):
        (folder / "notes.txt").symlink_to(course / "solutions" / ASSIGNMENT / NOTEBOOK)

    return edit


@pytest.mark.slow
def test_a_notebook_that_is_not_json_fails_with_the_errors_nbgrader_raised(course):
    submit(
        course / "exercises" / ASSIGNMENT, course / "submitted", "gus", right_answers(), not_json
    )
    result = worker.grade_submission(str(course), ASSIGNMENT, "gus")
    assert result["status"] == "failed", result
    assert result["score"] == 0.0
    text = result["reason"]
    assert text.startswith("JSONDecodeError: "), text
    assert "| NotJSONError: Notebook does not appear to be JSON" in text
    assert "There was an error processing assignment 'traditional-divide' for student 'gus'" in text
    for noise in ("Traceback", "NbGraderException", "Please see the"):
        assert noise not in text
    assert "\n" not in text
    assert len(text) <= MAX_REASON


@pytest.mark.slow
def test_a_refused_submission_says_why_the_course_refused_it(course):
    edit = link_to_solution(course)
    submit(course / "exercises" / ASSIGNMENT, course / "submitted", "lin", right_answers(), edit)
    result = worker.grade_submission(str(course), ASSIGNMENT, "lin")
    assert result["status"] == "failed", result
    assert result["reason"].startswith("SubmissionError: notes.txt is a link"), result


@pytest.mark.slow
def test_a_grade_that_meets_a_locked_gradebook_is_graded_again(course, monkeypatch):
    submit(course / "exercises" / ASSIGNMENT, course / "submitted", "ana", right_answers())
    path = course / "gradebook.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    attempts = []

    def release_after_first_failure(outcome):
        # The real decision, seen; the lock is let go once an attempt has met it.
        answer = worth_retrying(outcome)
        attempts.append((outcome.success, answer, reason(outcome)))
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        return answer

    monkeypatch.setattr(worker, "worth_retrying", release_after_first_failure)
    try:
        # timeout=0.1: SQLite gives up on the lock quickly instead of waiting 5 s.
        db_url = f"sqlite:///{path}?timeout=0.1"
        result = worker.grade_submission(str(course), ASSIGNMENT, "ana", db_url=db_url)
    finally:
        holder.close()
    (first_success, first_retry, first_reason), *_ = attempts
    assert not first_success
    assert first_retry, first_reason
    assert first_reason.startswith("OperationalError: database is locked"), first_reason
    assert attempts[-1][0], attempts
    assert result["status"] == "graded", result
    assert result["score"] == float(len(key_for(ASSIGNMENT, "ana").answers)), result
    assert result["reason"] == "", result

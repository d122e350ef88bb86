"""nbgrader's bookkeeping savings last for one grading call, and nbgrader is itself again after it."""

from __future__ import annotations

import threading

import pytest
from nbgrader import api
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import common

from product_roles.instructor import warm

pytestmark = pytest.mark.slow  # a gradebook runs nbgrader's database migrations


def test_the_savings_end_with_the_outermost_call(tmp_path):
    create_engine, schema_checks = api.create_engine, common.jsonschema
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with warm.savings():
        with Gradebook(url) as first, Gradebook(url) as second:
            assert first.engine is second.engine  # one engine for the URL
        with warm.savings():  # a nested call changes nothing
            pass
        assert api.create_engine is not create_engine
        assert common.jsonschema is not schema_checks
    assert api.create_engine is create_engine
    assert common.jsonschema is schema_checks
    assert "create_all" not in vars(api.Base.metadata)
    with Gradebook(url) as first, Gradebook(url) as second:
        assert first.engine is not second.engine
        first.add_student("ana")
        assert [s.id for s in second.students] == ["ana"]


def test_two_threads_share_one_set_of_savings():
    create_engine = api.create_engine
    inside, leave = threading.Barrier(2), threading.Event()

    def grade():
        with warm.savings():
            inside.wait()
            leave.wait()

    thread = threading.Thread(target=grade)
    thread.start()
    with warm.savings():
        inside.wait()
    assert api.create_engine is not create_engine  # the other call is still under way
    leave.set()
    thread.join()
    assert api.create_engine is create_engine

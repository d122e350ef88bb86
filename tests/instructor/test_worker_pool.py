"""How the grading workers start, and what they inherit from the process that grades.

A process with one thread forks its workers; one with several (a notebook server, a
test runner) has them forked by a fork server, which imports the grading modules once
for every later class; each worker sees the grading process's environment as it is
when the class is graded, not as it was when the fork server started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from product_roles.instructor import parallel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux start methods")


def _imported(name: str) -> tuple[bool, int]:
    return name in sys.modules, os.getppid()


def _setting(name: str) -> str | None:
    return os.environ.get(name)


@pytest.fixture
def second_thread():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    yield
    stop.set()
    thread.join()


@pytest.mark.usefixtures("second_thread")
def test_a_process_with_threads_has_its_workers_forked_by_a_fork_server():
    assert parallel._worker_context().get_start_method() == "forkserver"
    with parallel.worker_pool(1) as pool:
        preloaded, parent = pool.submit(_imported, "nbgrader.preprocessors").result()
    assert preloaded, "the fork server imported the grading modules before forking"
    assert parent != os.getpid(), "the worker's parent is the fork server"


@pytest.mark.usefixtures("second_thread")
def test_each_class_sees_the_environment_of_the_moment(monkeypatch):
    with parallel.worker_pool(1) as pool:
        pool.submit(os.getpid).result()  # the fork server is running from here on
    monkeypatch.setenv("PRODUCT_ROLES_TEST_SETTING", "set after the fork server started")
    with parallel.worker_pool(1) as pool:
        seen = pool.submit(_setting, "PRODUCT_ROLES_TEST_SETTING").result()
    assert seen == "set after the fork server started"


def test_a_single_threaded_process_forks_its_workers():
    code = (
        "from product_roles.instructor import parallel\n"
        "print(parallel._worker_context().get_start_method())\n"
    )
    # A fresh interpreter: this runner has threads of its own.
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "fork"

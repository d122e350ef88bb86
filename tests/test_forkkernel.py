"""Kernels forked from the warm server are fresh, separate processes.

What one notebook's code does to its kernel, such as replacing the grading function,
must not reach the next kernel; each kernel runs in the folder and with the
environment nbclient asked for, and a killed kernel is noticed.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from product_roles.instructor.forkkernel import ForkKernelManager, fork_server

pytestmark = pytest.mark.slow


def run(tmp_path, *sources, fork=True):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(
        nb,
        timeout=60,
        resources={"metadata": {"path": str(tmp_path)}},
        **({"kernel_manager_class": ForkKernelManager} if fork else {}),
    ).execute()
    return ["".join(o.get("text", "")) for c in nb.cells for o in c.outputs]


def test_one_kernel_cannot_change_the_next(tmp_path):
    tamper = (
        "import os, product_roles.grading as g\n"
        "g.score_placements = lambda *a, **k: 99.0\n"
        "LEFT_BEHIND = 1\n"
        "print(os.getpid())"
    )
    (first_pid,) = run(tmp_path, tamper)
    check = (
        "import os, product_roles.grading as g\n"
        "print(os.getpid(), g.score_placements.__name__, 'LEFT_BEHIND' in globals())"
    )
    (second,) = run(tmp_path, check)
    pid, name, leftover = second.split()
    assert pid != first_pid.strip()
    assert (name, leftover) == ("score_placements", "False")


def test_a_forked_kernel_sees_what_a_fresh_one_sees(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_PROBE", "seen")
    probe = (
        "import os, sys; print(os.getcwd(), os.environ.get('GRADING_PROBE'), sys.path, sys.argv[0])"
    )
    (forked,) = run(tmp_path, probe)
    (fresh,) = run(tmp_path, probe, fork=False)
    assert forked == fresh
    assert forked.startswith(f"{tmp_path} seen ")


def test_a_killed_kernel_is_noticed(tmp_path):
    with pytest.raises(DeadKernelError):
        run(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert fork_server().fork is not None  # the server lives on for the next kernel
    (out,) = run(tmp_path, "print('next')")
    assert out.strip() == "next"


def test_a_forked_process_gets_its_own_connection(tmp_path):
    import os

    from product_roles.instructor import forkkernel

    parent = forkkernel.fork_server()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports whether it inherited the parent's server object
        os.write(write, b"same" if forkkernel.fork_server() is parent else b"own")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 10) == b"own"

"""Kernels forked from the warm server are fresh, separate processes.

What one notebook's code does to its kernel, such as replacing the grading function,
must not reach the next kernel. Outside the sandbox a forked kernel runs in the
folder and with the environment nbclient asked for, as a fresh kernel would; inside
it, in a private copy of that folder with a clean environment. A kernel that exits
is noticed, and the server lives on.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from product_roles.instructor import forkkernel
from product_roles.instructor.forkkernel import ForkKernelManager

pytestmark = pytest.mark.slow


def run(tmp_path, *sources, fork=True, sandbox=True):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    config = Config()
    config.ForkKernelManager.sandbox = sandbox
    NotebookClient(
        nb,
        timeout=60,
        config=config,
        resources={"metadata": {"path": str(tmp_path)}},
        **({"kernel_manager_class": ForkKernelManager} if fork else {}),
    ).execute()
    return ["".join(o.get("text", "")) for c in nb.cells for o in c.outputs]


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed", "unsandboxed"])
def test_one_kernel_cannot_change_the_next(tmp_path, sandbox):
    tamper = (
        "import os, product_roles.grading as g\n"
        "g.score_placements = lambda *a, **k: 99.0\n"
        "LEFT_BEHIND = 1\n"
        "print(os.getpid(), id(g))"
    )
    (first,) = run(tmp_path, tamper, sandbox=sandbox)
    check = (
        "import os, product_roles.grading as g\n"
        "print(g.score_placements.__name__, 'LEFT_BEHIND' in globals())"
    )
    (second,) = run(tmp_path, check, sandbox=sandbox)
    assert first.split()
    assert second.split() == ["score_placements", "False"]


PROBE = "import os, sys; print(os.getcwd(), os.environ.get('GRADING_PROBE'), sys.path, sys.argv[0])"


def test_an_unsandboxed_forked_kernel_sees_what_a_fresh_one_sees(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_PROBE", "seen")
    (forked,) = run(tmp_path, PROBE, sandbox=False)
    (fresh,) = run(tmp_path, PROBE, fork=False)
    assert forked == fresh
    assert forked.startswith(f"{tmp_path} seen ")


def test_a_sandboxed_kernel_gets_a_copy_and_a_clean_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_PROBE", "seen")
    (tmp_path / "data.txt").write_text("submitted")
    (out,) = run(tmp_path, PROBE + "; print(open('data.txt').read())")
    cwd, probe = out.split()[:2]
    assert cwd != str(tmp_path)
    assert probe == "None"
    assert out.strip().endswith("submitted")


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed", "unsandboxed"])
def test_a_kernel_that_exits_is_noticed(tmp_path, sandbox):
    with pytest.raises(DeadKernelError):
        run(tmp_path, "import os\nos._exit(3)", sandbox=sandbox)
    (out,) = run(tmp_path, "print('next')", sandbox=sandbox)
    assert out.strip() == "next"


def test_a_forked_process_gets_its_own_server():
    parent = forkkernel.fork_server(sandbox=False)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports whether it inherited the parent's server object
        os.write(write, b"same" if forkkernel.fork_server(sandbox=False) is parent else b"own")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 10) == b"own"

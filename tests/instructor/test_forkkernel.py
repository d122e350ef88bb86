"""Kernels forked from the warm server are fresh, separate processes.

What one notebook's code does to its kernel, such as replacing the grading function,
must not reach the next kernel. Outside the sandbox a forked kernel runs in the
folder and with the environment nbclient asked for, as a fresh kernel would; inside
it, in a private copy of that folder with a clean environment. A kernel that exits
is noticed, and the server lives on.

Where no fork server can be had (it cannot start, it stops during a run, the
platform cannot fork, forking is turned off), an unsandboxed submission is run in
jupyter_client's standard kernel instead, and its grading record says so; a
sandboxed one is refused.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from product_roles.instructor import forkkernel, kernels
from product_roles.instructor.forkkernel import ForkKernelManager
from product_roles.instructor.sandbox import SandboxUnavailable, check
from product_roles.instructor.sandboxed_execute import SandboxedExecute, SandboxError

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


# What happens when the fork server cannot be had: a standard kernel, and the record says so.

THREADED = (
    "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
)


def notebook(*sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def texts(nb):
    return ["".join(o.get("text", "") or o.get("evalue", "") for o in c.outputs) for c in nb.cells]


def execute(tmp_path, nb, **options):
    """Run ``nb`` as grading does, unsandboxed; its outputs and its grading record."""
    resources = {"metadata": {"path": str(tmp_path)}}
    # A folder of its own in ``hidden`` gives this run a fork server of its own.
    options.setdefault("hidden", [str(tmp_path / "own-server")])
    nb, resources = SandboxedExecute(sandbox=False, timeout=30, **options).preprocess(nb, resources)
    return texts(nb), resources["product_roles"]["execution"]


def test_a_fork_server_that_cannot_start_gives_standard_kernels(tmp_path, monkeypatch):
    # A preloaded module that starts a thread makes the real server refuse to run.
    (tmp_path / "threaded_preload.py").write_text(THREADED)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    )
    monkeypatch.setenv("PRODUCT_ROLES_PRELOAD", "threaded_preload")
    monkeypatch.setenv("GRADING_PROBE", "seen")
    hidden = [str(tmp_path / "own-server")]
    for _submission in range(2):  # each submission gets a kernel, the second without a retry
        km = ForkKernelManager(sandbox=False, hidden=hidden)
        nb = notebook(PROBE)
        NotebookClient(
            nb, km=km, timeout=60, resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
        assert km.kernels.startswith("standard (the kernel fork server did not start: ")
        assert "a preloaded module started a thread" in km.kernels
        assert texts(nb)[0].startswith(f"{tmp_path} seen ")
    (out, _), record = execute(tmp_path, notebook("print(6 * 7)", "print('after')"))
    assert (out.strip(), record["kernels"]) == ("42", km.kernels)
    assert record["events"] == []


KILL_MY_SERVER = """
import os, signal, time
def fork_server_above():
    pid = os.getppid()
    while pid > 1:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"product_roles.instructor.zygote" in cmdline.read():
                return pid
        with open(f"/proc/{pid}/stat") as stat:
            pid = int(stat.read().rsplit(")", 1)[1].split()[1])
    return None
server = fork_server_above()
if server:
    os.kill(server, signal.SIGKILL)
    time.sleep(5)
print("forked" if server else "not forked")
"""


def test_a_fork_server_that_stops_mid_run_has_the_notebook_run_again(tmp_path):
    nb = notebook(KILL_MY_SERVER, "print('after')")
    out, record = execute(tmp_path, nb)
    assert [t.strip() for t in out] == ["not forked", "after"]
    assert record["kernels"].startswith("standard (during the run, the kernel fork server stopped")
    assert record["events"] == []
    # The next submission gets a fork server again: a new one, started for it.
    out, record = execute(tmp_path, notebook("print('next')"))
    assert (out, record["kernels"]) == (["next\n"], "fork")


def test_without_forking_the_fork_server_is_never_loaded(tmp_path):
    import subprocess

    code = (
        "import sys, nbformat\n"
        "from product_roles.instructor.sandboxed_execute import SandboxedExecute\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print(1 + 1)')])\n"
        "nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}\n"
        f"res = {{'metadata': {{'path': {str(tmp_path)!r}}}}}\n"
        "nb, res = SandboxedExecute(sandbox=False, fork=False).preprocess(nb, res)\n"
        "print(nb.cells[0].outputs[0]['text'].strip(), res['product_roles']['execution']['kernels'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[-1] in ('forkkernel', 'zygote')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["2 standard (forking is turned off)", "[]"]


def test_where_forking_is_unavailable_kernels_are_standard(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "register_at_fork")
    why = "this platform (linux) cannot fork processes"
    assert kernels.fork_unavailable() == why
    (out,), record = execute(tmp_path, notebook("print('ran')"))
    assert (out, record["kernels"]) == ("ran\n", f"standard ({why})")
    # The sandbox needs the fork server: it refuses, and says how to grade without it.
    with pytest.raises(SandboxError, match="--no-sandbox") as refused:
        SandboxedExecute().preprocess(
            notebook("open('ran', 'w')"), {"metadata": {"path": str(tmp_path)}}
        )
    assert why in str(refused.value)
    with pytest.raises(SandboxUnavailable) as unavailable:
        check()
    assert why in str(unavailable.value)
    assert not (tmp_path / "ran").exists()


def test_only_linux_forks_kernels(monkeypatch):
    assert kernels.fork_unavailable() is None  # the machine the suite runs on
    monkeypatch.setattr(sys, "platform", "darwin")
    assert kernels.fork_unavailable() == "the kernel fork server needs Linux, and this is darwin"


def test_the_limits_kill_a_standard_kernel_too(tmp_path):
    nb = notebook("while True:\n    print('x' * 1000)", "print('after')")
    out, record = execute(tmp_path, nb, fork=False, limits={"output_kb": 64})
    assert record["kernels"] == "standard (forking is turned off)"
    assert record["events"] == ["the output limit of 64 KiB was exceeded"]
    assert out[1] == "the output limit of 64 KiB was exceeded"


def test_a_standard_kernel_listens_on_sockets_of_its_own(tmp_path):
    """Not on TCP ports, which a grading worker beside it can be given at the same moment."""
    probe = (
        "from ipykernel.kernelapp import IPKernelApp\n"
        "app = IPKernelApp.instance()\n"
        "print(app.transport, app.ip)"
    )
    (out,), record = execute(tmp_path, notebook(probe), fork=False)
    assert record["kernels"] == "standard (forking is turned off)"
    transport, path = out.split()
    assert transport == "ipc"
    folder = Path(path).parent
    assert folder.name.startswith("pr-kernel-")
    assert not folder.exists(), "the kernel's socket folder outlived its run"


def test_without_unix_sockets_a_standard_kernel_keeps_tcp(monkeypatch):
    from jupyter_client.manager import KernelManager

    km = KernelManager()
    monkeypatch.setattr(os, "name", "nt")
    assert kernels.use_private_sockets(km) is None
    assert km.transport == "tcp"

"""The grading sandbox: each boundary and each limit, tried from inside a kernel.

Code runs in a kernel forked from a sandboxed fork server, as a student's cell
would at grading time, and tries to cross one boundary or exceed one limit; the
test checks that it could not. The last tests check that grading refuses to run
student code where no sandbox can be made, unless told to go without one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

import hostile_submissions as hostile
from conftest import ROOT, product_roles_cli, tool_env
from product_roles.instructor.forkkernel import ForkKernelManager
from product_roles.instructor.nbgrader_cli import generate_assignment
from product_roles.instructor.sandbox import SandboxUnavailable, check
from product_roles.instructor.sandbox.landlock import abi_version
from product_roles.instructor.sandboxed_execute import SandboxedExecute, SandboxError
from product_roles.instructor.simulate import submit

pytestmark = pytest.mark.slow


def run(folder: Path, *sources: str, **limits: int) -> list[str]:
    """Run ``sources`` as cells in a sandboxed kernel started in ``folder``; their text outputs."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    config = Config()
    config.ForkKernelManager.limits = limits
    NotebookClient(
        nb,
        timeout=30,
        allow_errors=True,
        config=config,
        kernel_manager_class=ForkKernelManager,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    texts = []
    for cell in nb.cells:
        texts.append(
            "".join(
                o.get("text", "") or f"{o.get('ename', '')}: {o.get('evalue', '')}"
                for o in cell.outputs
            )
        )
    return texts


def test_the_sandbox_is_available_here():
    assert check().startswith("sandbox ready")


def test_the_kernel_sees_none_of_the_graders_files(tmp_path):
    secret = tmp_path / "course" / "solutions"
    secret.mkdir(parents=True)
    (secret / "key.txt").write_text("the key")
    home = Path.home() / f".sandbox-probe-{uuid.uuid4().hex[:8]}"
    home.write_text("private")
    try:
        (out,) = run(
            tmp_path,
            f"import os; print([os.path.exists(p) for p in ({str(secret)!r}, {str(home)!r}, "
            f"{str(ROOT / 'tests')!r}, {str(ROOT / 'solutions')!r}, '/srv', '/var/lib')])",
        )
    finally:
        home.unlink()
    assert out.strip() == "[False, False, False, False, False, False]"


def test_the_kernel_works_in_a_copy_of_its_submission(tmp_path):
    (tmp_path / "answers.json").write_text("{}")
    (out,) = run(
        tmp_path,
        "import os; open('answers.json', 'w').write('changed'); print(os.getcwd(), os.listdir('.'))",
    )
    assert (tmp_path / "answers.json").read_text() == "{}"
    assert "answers.json" in out
    assert str(tmp_path) not in out


def test_the_kernel_cannot_write_to_python_or_the_package(tmp_path):
    import product_roles

    package = str(Path(product_roles.__file__).parent)
    targets = [sys.prefix, package, sys.base_prefix, "/usr", "/etc"]
    code = (
        f"import os\nfor folder in {targets!r}:\n"
        "    try:\n        open(os.path.join(folder, 'x.pth'), 'w').write('x')\n"
        "        print('WROTE', folder)\n"
        "    except OSError as err:\n        print('refused', err.errno)\n"
    )
    (out,) = run(tmp_path, code)
    assert "WROTE" not in out
    assert out.count("refused") == len(targets)


def test_the_kernel_has_no_network(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    listener.settimeout(0.5)
    try:
        (out,) = run(
            tmp_path,
            "import socket\ns = socket.socket(); s.settimeout(2)\n"
            f"try:\n    s.connect(('127.0.0.1', {port})); print('CONNECTED')\n"
            "except OSError as err:\n    print('refused', err)\n"
            "print(socket.gethostname())",
        )
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert "CONNECTED" not in out
    assert "refused" in out
    assert out.split()[-1] == "grading"


def test_the_kernel_is_process_one_of_its_own_namespace(tmp_path):
    (out,) = run(
        tmp_path,
        "import os; print(os.getpid(), sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))",
    )
    pid, rest = out.split(" ", 1)
    assert pid == "1"
    assert len(eval(rest)) <= 3  # itself, and what it is running now


def test_the_kernel_cannot_signal_anything_outside(tmp_path):
    # Its own namespace has no process of these numbers (it is 1 there; 0 and -1 would
    # reach only its own group and namespace). The grader's parent is no target: when
    # the grader runs detached its parent is init, whose number 1 is the kernel's own.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    outside = [os.getpid(), bystander.pid]
    try:
        outs = run(
            tmp_path,
            "import os, signal\n"
            f"for pid in {outside!r}:\n"
            "    try:\n        os.kill(pid, signal.SIGKILL)\n        print('sent', pid)\n"
            "    except OSError as err:\n        print('refused', pid, err.errno)\n"
            "try:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError as err:\n    print('none', err.errno)\n",
        )
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
    assert "sent" not in outs[0]
    assert outs[0].count("refused") == len(outside)
    (again,) = run(tmp_path, "print('still serving')")
    assert again.strip() == "still serving"


def test_the_kernel_gets_a_clean_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_TOKEN", "secret-token")
    (out,) = run(tmp_path, "import os; print(dict(os.environ))")
    seen = eval(out)
    assert "GRADER_TOKEN" not in seen
    # Of the grader's own variables, only these names reach the kernel, with values of its own.
    shared = {name for name in seen if name in os.environ and seen[name] == os.environ[name]}
    assert shared <= {"LANG", "TERM", "PYDEVD_DISABLE_FILE_VALIDATION"}, shared
    assert seen["HOME"] != os.environ.get("HOME")


def test_landlock_is_applied(tmp_path):
    assert abi_version() >= 1, "this machine's kernel offers Landlock (ABI 7 when measured)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    km = ForkKernelManager()
    client = NotebookClient(nb, km=km, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    assert km.landlock == abi_version()


def test_nothing_the_kernel_started_outlives_it(tmp_path):
    marker = f"sandbox-linger-{uuid.uuid4().hex[:8]}"
    run(
        tmp_path,
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)  # {marker}'],"
        " start_new_session=True)",
    )
    time.sleep(0.5)
    alive = [
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and marker.encode() in _cmdline(p)
    ]
    assert alive == []


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize(
    ("code", "limits", "expected"),
    [
        ("x = bytearray(1536 * 1024 * 1024)", {"memory_mb": 768}, "MemoryError"),
        (
            (
                "import os\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
                # Each child lives long enough for the next to count against the limit;
                # the kernel's end waits for them.
                "            import time; time.sleep(2); os._exit(0)\n        n += 1\n"
                "except OSError as err:\n    print('stopped after', n, err.errno)"
            ),
            {"processes": 24},
            "stopped after",
        ),
        (
            (
                "try:\n    open('big', 'wb').write(b'0' * 3 * 1024 * 1024)\n"
                "except OSError as err:\n    print('refused', err.errno)"
            ),
            {"file_size_mb": 1},
            "refused 27",  # EFBIG
        ),
        (
            (
                "n = 0\ntry:\n    while True:\n        open(f'part{n}', 'wb').write(b'0' * 1024 * 1024)\n"
                "        n += 1\nexcept OSError as err:\n    print('refused after', n, err.errno)"
            ),
            {"disk_mb": 8},
            "refused after",
        ),
        (
            (
                "files = []\ntry:\n    while True:\n        files.append(open('/dev/null'))\n"
                "except OSError as err:\n    code = err.errno\n"
                "for f in files:\n    f.close()\n"  # the kernel needs descriptors to answer
                "print('refused after', len(files), code)"
            ),
            {"open_files": 128},
            "refused after",
        ),
    ],
    ids=["memory", "processes", "file-size", "disk", "open-files"],
)
def test_each_limit_holds(tmp_path, code, limits, expected):
    (out,) = run(tmp_path, code, **limits)
    assert expected in out
    if "after" in expected:
        count = int(out.split("after")[1].split()[0])
        bound = next(iter(limits.values()))
        assert count <= bound


def test_the_cpu_limit_kills_the_kernel(tmp_path):
    with pytest.raises(DeadKernelError):
        run(tmp_path, "while True:\n    pass", cpu_seconds=2)


def _execute(folder: Path, source: str, hidden: tuple[str, ...] = (), **limits: int) -> dict:
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell("print('after')")]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    resources = {"metadata": {"path": str(folder)}}
    SandboxedExecute(limits=limits, hidden=list(hidden), timeout=30).preprocess(nb, resources)
    return {"record": resources["product_roles"]["execution"], "nb": nb}


def test_the_output_limit_stops_the_kernel(tmp_path):
    outcome = _execute(tmp_path, "while True:\n    print('x' * 1000)", output_kb=64)
    assert outcome["record"]["events"] == ["the output limit of 64 KiB was exceeded"]
    after = outcome["nb"].cells[1].outputs[0]
    assert after.ename == "NotRun"


def test_the_time_limit_stops_a_kernel_that_ignores_interrupts(tmp_path):
    source = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)"
    started = time.monotonic()
    outcome = _execute(tmp_path, source, wall_seconds=2)
    assert outcome["record"]["events"] == ["the time limit of 2 s was reached"]
    assert time.monotonic() - started < 30


def test_grading_refuses_without_a_sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCT_ROLES_BWRAP", str(tmp_path / "no-such-bwrap"))
    with pytest.raises(SandboxUnavailable):
        check()
    # A server of its own (this process's others were started with bubblewrap found).
    with pytest.raises(SandboxError, match="could not start"):
        _execute(tmp_path, "open('ran', 'w')", hidden=(str(tmp_path / "elsewhere"),))
    assert not (tmp_path / "ran").exists()


def test_the_grade_command_refuses_without_a_sandbox(tmp_path, monkeypatch):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(
        ROOT / "solutions" / hostile.ASSIGNMENT, course / "solutions" / hostile.ASSIGNMENT
    )
    # Generated in this process (the grade command is what runs as a command here);
    # nbgrader runs alembic, by name, to make the new gradebook.
    monkeypatch.setenv("PATH", tool_env()["PATH"])
    generate_assignment(hostile.ASSIGNMENT, cwd=course)
    submit(course / "exercises" / hostile.ASSIGNMENT, course / "submitted", "ana", None)
    env = {"PRODUCT_ROLES_BWRAP": str(tmp_path / "no-such-bwrap")}
    refused = product_roles_cli("grade", hostile.ASSIGNMENT, "--no-collect", cwd=course, **env)
    assert refused.returncode == 3
    assert "Grading refused" in refused.stderr
    assert "--no-sandbox" in refused.stderr
    # The sandbox needs the fork server: turning forking off alone is refused too.
    no_fork = product_roles_cli(
        "grade", hostile.ASSIGNMENT, "--no-collect", "--no-fork", cwd=course
    )
    assert no_fork.returncode == 2
    assert "--no-fork needs --no-sandbox" in no_fork.stderr
    assert not (course / "autograded").exists()
    allowed = product_roles_cli(
        "grade", hostile.ASSIGNMENT, "--no-collect", "--no-sandbox", cwd=course, **env
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "GRADING WITHOUT A SANDBOX" in allowed.stderr
    assert "Kernels: fork for 1." in allowed.stdout
    assert (course / "autograded" / "ana").is_dir()


def test_the_kernel_holds_no_way_to_the_fork_server(tmp_path):
    from product_roles.instructor.forkkernel import fork_server

    server = fork_server(sandbox=True)
    server.start()
    pipes = {
        os.fstat(server._process.stdin.fileno()).st_ino,
        os.fstat(server._process.stdout.fileno()).st_ino,
    }
    (out,) = run(
        tmp_path,
        "import os\nseen = set()\nfor fd in os.listdir('/proc/self/fd'):\n"
        "    try:\n        seen.add(os.fstat(int(fd)).st_ino)\n    except OSError:\n        pass\n"
        "print(sorted(seen))",
    )
    assert pipes.isdisjoint(eval(out))


def test_a_root_grader_runs_the_kernel_as_nobody(tmp_path):
    (out,) = run(tmp_path, "print(open('/proc/self/uid_map').read().split())")
    inside, outside, _count = eval(out)
    expected = 65534 if os.geteuid() == 0 else os.getuid()
    assert (inside, int(outside)) == ("0", expected)

"""A kernel fork server: it imports the kernel's modules once and forks one kernel per request.

Starting a Python kernel costs most of its time in imports (IPython, ipykernel, the
course package and its widgets). This process pays them once, never runs any
notebook code itself, and forks a fresh child for every kernel it is asked for. What
one submission's code does to its kernel cannot reach the next submission's kernel,
which is forked again from the untouched server.

With ``--confine`` (how grading runs it, inside the bubblewrap sandbox of
:mod:`.sandbox.bwrap`) each kernel is also confined on its own
(:mod:`.sandbox.confine`): namespaces, a private working folder, resource limits,
Landlock. A kernel that cannot be confined is never started.

Usage: ``python -m product_roles.instructor.zygote [--confine CONFIG_JSON]``. The
server reads one JSON request per line on stdin and answers each with one JSON line
on stdout; it exits when stdin closes, so it never outlives its grader. Requests:

- ``{"op": "start", "argv": [...], "env": {...}, "cwd": "...", "folder": "...",
  "limits": {...}}``: ``argv`` follows ``-m ipykernel_launcher``; ``folder`` is the
  kernel's scratch folder (confined kernels only). Answer ``{"kernel": PID,
  "landlock": ABI}`` or ``{"error": "..."}``.
- ``{"op": "signal", "kernel": PID, "signum": N}``: answer ``{"ok": true}``.
- ``{"op": "status", "kernel": PID}``: answer ``{"returncode": N or null}``, null while
  it runs. The server is the kernels' reaper, so a pid it reports on is never a
  recycled one.
- ``{"op": "forget", "kernel": PID}``: kill it if it still runs and drop its status.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import importlib.util
import json
import os
import select
import signal
import sys
import threading
import traceback
from pathlib import Path

# The modules every graded kernel imports; extra ones come in PRODUCT_ROLES_PRELOAD.
# The list is what a kernel imports while it starts and runs a graded notebook
# (measured with sys.modules); none of them starts a thread, which fork would lose.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "tornado.queues",
    "psutil",
    "sqlite3",
    "pdb",
    "pydoc",
    "xmlrpc.server",
    "product_roles",
    "product_roles.grading",
)
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_START_SECONDS = 20


def preload(names) -> None:
    """Import ``names``; a missing optional module is skipped, as a kernel would import it later."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as err:
            print(f"zygote: could not preload {name}: {err}", file=sys.stderr)


def _quiet_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def run_kernel(request: dict) -> None:
    """In the kernel process: become a kernel exactly as ``python -m ipykernel_launcher`` would."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.clear()
    os.environ.update(request["env"])
    # argv[0] as `python -m ipykernel_launcher` sets it: ipykernel reads it at start-up.
    spec = importlib.util.find_spec("ipykernel_launcher")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("no ipykernel_launcher to run", name="ipykernel_launcher")
    sys.argv = [spec.origin, *request["argv"]]
    # ipykernel read JPY_PARENT_PID when this server imported it; pass this kernel's own.
    # (A confined kernel has none: it cannot see its grader, and ends with the sandbox.)
    if request["env"].get("JPY_PARENT_PID"):
        sys.argv.append(f"--IPKernelApp.parent_handle={int(request['env']['JPY_PARENT_PID'])}")
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _kernel_child(request: dict, confine: dict | None, report: int) -> None:
    """The kernel process: confine it, say so on ``report``, then run the kernel."""
    landlock = 0
    if confine is not None:
        from product_roles.instructor.sandbox.confine import become_kernel
        from product_roles.instructor.sandbox.limits import Limits

        landlock = become_kernel(
            request["folder"], confine["read_only"], Limits(**request["limits"])
        )
    else:
        os.chdir(request["cwd"])
    os.write(report, json.dumps({"landlock": landlock}).encode() + b"\n")
    os.close(report)
    os.closerange(3, 65536)
    run_kernel(request)


def _die_with(server: int) -> None:
    """Be killed when the server ends, however it ends."""
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != server:  # it ended before the line above took effect
        os._exit(1)


def _starter_child(request: dict, confine: dict | None, server: int, report: int) -> None:
    """The server's direct child: new namespaces, then the kernel as their first process.

    Unconfined, the child is the kernel itself, killed when the server ends: no
    sandbox ends with the server to take it along, and once the server is gone
    nothing could stop it safely (its pid would be anybody's).
    """
    os.setsid()  # its own session: an interrupt or kill reaches only this kernel
    if confine is None:
        _die_with(server)
        os.write(report, json.dumps({"kernel": os.getpid()}).encode() + b"\n")
        _kernel_child(request, None, report)
        return
    from product_roles.instructor.sandbox.confine import enter_namespaces, private_folders

    enter_namespaces()
    private_folders(request["folder"], confine["scratch"], request["limits"]["disk_mb"])
    kernel = os.fork()
    if kernel == 0:
        _run_child(_kernel_child, request, confine, report)
    os.write(report, json.dumps({"kernel": kernel}).encode() + b"\n")


def _run_child(body, *args) -> None:
    """Run ``body`` in a forked child and leave with its outcome: never return to serve."""
    code = 0
    try:
        body(*args)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException as err:  # noqa: BLE001 - the child must exit, never return to serve
        try:
            os.write(
                args[-1], json.dumps({"error": f"{type(err).__name__}: {err}"}).encode() + b"\n"
            )
        except OSError:
            traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Server:
    """The fork server's state: its kernels and their exit statuses."""

    def __init__(self, confine: dict | None) -> None:
        self.confine = confine
        self.running: set[int] = set()
        self.finished: dict[int, int] = {}

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.running:
                self.running.discard(pid)
                self.finished[pid] = os.waitstatus_to_exitcode(status)

    def start(self, request: dict) -> dict:
        read, write = os.pipe()
        server = os.getpid()
        starter = os.fork()
        if starter == 0:
            os.close(read)
            _quiet_stdio()
            _run_child(_starter_child, request, self.confine, server, write)
        os.close(write)
        reply: dict = {}
        with os.fdopen(read, "rb") as stream:
            while select.select([stream], [], [], _START_SECONDS)[0]:
                line = stream.readline()
                if not line:
                    break
                reply.update(json.loads(line))
                if "error" in reply:
                    break
            else:
                reply.setdefault("error", f"the kernel did not start within {_START_SECONDS} s")
        if "kernel" in reply:
            self.running.add(reply["kernel"])
        if "error" in reply or "landlock" not in reply:
            if "kernel" in reply:
                self._kill(reply["kernel"])
            return {"error": reply.get("error", "the kernel could not be confined")}
        return {"kernel": reply["kernel"], "landlock": reply["landlock"]}

    def _kill(self, pid: int, signum: int = signal.SIGKILL) -> None:
        if pid in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def answer(self, request: dict) -> dict:
        self.reap()
        op = request.get("op")
        if op == "start":
            return self.start(request)
        pid = int(request.get("kernel", 0))
        if op == "signal":
            self._kill(pid, int(request["signum"]))
            return {"ok": True}
        if op == "status":
            if pid not in self.running and pid not in self.finished:
                return {"error": f"no kernel {pid}"}
            return {"returncode": self.finished.get(pid)}
        if op == "forget":
            self._kill(pid)
            self.finished.pop(pid, None)
            return {"ok": True}
        return {"error": f"unknown request {op!r}"}


def serve(confine: dict | None, requests=None, replies=None) -> None:
    """Answer requests, one JSON line each, until ``requests`` closes."""
    requests = requests or sys.stdin.buffer
    replies = replies or sys.stdout.buffer
    # Orphans come back to this process, so it can reap every kernel itself.
    ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    server = Server(confine)
    replies.write(b'{"ready": true}\n')
    replies.flush()
    for line in requests:
        try:
            reply = server.answer(json.loads(line))
        except Exception as err:  # noqa: BLE001 - the grader is told, the server lives on
            reply = {"error": f"{type(err).__name__}: {err}"}
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()
    for pid in list(server.running):
        server._kill(pid)


def main() -> None:
    # Like ipykernel_launcher: the working directory is not an import path while the
    # kernel's modules load (the kernel's shell adds it back when it starts).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    confine = None
    if len(sys.argv) == 3 and sys.argv[1] == "--confine":
        confine = json.loads(sys.argv[2])
        from product_roles.instructor.sandbox.bwrap import drop_privileges

        drop_privileges(*confine["user"])
    extra = [n for n in os.environ.get("PRODUCT_ROLES_PRELOAD", "").split(",") if n]
    preload([*PRELOAD, *extra])
    if threading.active_count() != 1:
        sys.exit("zygote: a preloaded module started a thread; forking would be unsafe")
    serve(confine)


if __name__ == "__main__":
    main()

"""Grading kernels forked from a warm server, sandboxed by default.

:class:`ForkKernelManager` is a jupyter_client kernel manager whose kernels come from
a :mod:`~product_roles.instructor.zygote` fork server of this process's own, through
the provisioner registered as ``product-roles-fork`` in the
``jupyter_client.kernel_provisioners`` entry points. With ``sandbox`` on (the
default) the server runs inside bubblewrap and confines every kernel it forks
(:mod:`.sandbox`); each kernel gets a copy of the submission's folder and nothing
else. Messages, interrupts on a cell time-out and shutdown are jupyter_client's and
nbclient's own, so nbgrader executes a submission as it would in a kernel it started
itself, but pays a kernel's imports once per grading process instead of once per
submission.

The server is spoken to over its stdin and stdout, so no socket path exists that a
kernel could reach it by; it reaps its kernels itself and reports their exit status,
so a pid is never mistaken for a recycled one.

Without the sandbox, a kernel the fork server cannot give (it cannot start, has
stopped, or answers something unreadable) is started by jupyter_client's standard
provisioner instead, and the manager's ``kernels`` says so
(:mod:`.kernels`). With the sandbox that would run student code unconfined, so the
error stands: :class:`.sandboxed_execute.SandboxedExecute` fails that submission
with the reason.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import IO, Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Dict, DottedObjectName, List, Type, default

from product_roles.instructor.kernels import FORK, ForkServerError, fork_unavailable, standard
from product_roles.instructor.sandbox.limits import Limits

PROVISIONER = "product-roles-fork"
_LAUNCHER = "ipykernel_launcher"


class ForkServer:
    """A fork server process of this grader's, started on first use.

    A server that fails to start is not tried again in this process: every later
    request fails at once with the same reason. One that stops after it started is
    started again on the next request; the kernels of the one that stopped are lost,
    and asking after them says so (each kernel knows its server's ``generation``).

    Parameters
    ----------
    sandbox : bool
        Run the server in bubblewrap and confine each kernel (see :mod:`.sandbox`).
    hidden : list of str
        Folders that must not be visible in the sandbox (the course folder, the
        exchange); a layout that would show one is refused.
    """

    def __init__(self, sandbox: bool = True, hidden: list[str] | None = None) -> None:
        self.sandbox = sandbox
        self.hidden = list(hidden or [])
        self.user = (os.getuid(), os.getgid()) if hasattr(os, "getuid") else (0, 0)
        if sandbox:
            from product_roles.instructor.sandbox.bwrap import sandbox_user

            self.user = sandbox_user()
        self.generation = 0
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._scratch: str | None = None
        self._failed: str | None = None
        self._log: IO[bytes] | None = None

    @property
    def scratch(self) -> str:
        """The folder that holds every kernel's own folder; made on first use."""
        with self._lock:
            return self._ensure_scratch()

    def _ensure_scratch(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="pr-grading-", dir=_scratch_parent())
            if self.sandbox:
                os.chown(self._scratch, *self.user)
        return self._scratch

    def start(self) -> None:
        """Start the server now rather than on the first request."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> subprocess.Popen[bytes]:
        """The running server process, started (again) if need be."""
        if self._process is not None and self._process.poll() is None:
            return self._process
        if self._failed:
            raise ForkServerError(self._failed)
        self._stop()
        try:
            process = self._launch()
        except ForkServerError as err:
            self._failed = str(err)
            raise
        self.generation += 1
        return process

    def _launch(self) -> subprocess.Popen[bytes]:
        unavailable = fork_unavailable()
        if unavailable:
            raise ForkServerError(unavailable)
        scratch = self._ensure_scratch()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        inner = [sys.executable, "-m", "product_roles.instructor.zygote"]
        options: dict[str, Any] = {}
        if self.sandbox:
            from product_roles.instructor.sandbox import bwrap

            layout = bwrap.Layout(scratch, hidden=self.hidden)
            confine = {
                "scratch": scratch,
                "read_only": [
                    *[p for p in layout.system() if not Path(p).is_symlink()],
                    *layout.read_only,
                ],
                "user": list(self.user),
            }
            try:
                found = bwrap.find_bwrap()
            except bwrap.SandboxUnavailable as err:
                raise ForkServerError(str(err)) from err
            argv = bwrap.command(found, layout, [*inner, "--confine", json.dumps(confine)])
        else:
            argv = inner
            # Preloading the debugger would warn about frozen modules once per server.
            options = {"env": {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}}
        try:
            # Kept even if it fails to start, so that _stop closes its pipes.
            self._process = process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                cwd="/",
                start_new_session=True,  # a Ctrl-C in the grader's terminal is the grader's
                **options,
            )
        except OSError as err:
            raise ForkServerError(f"the kernel fork server could not start: {err}") from err
        first = _pipes(process)[1].readline()
        if first.strip() != b'{"ready": true}':
            process.wait()
            raise ForkServerError(
                f"the kernel fork server did not start: {self._log_tail() or 'no message'}"
            )
        return process

    def _log_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(lines[-3:])

    def request(self, message: dict, generation: int | None = None) -> dict:
        """Send one request and return the server's answer.

        With ``generation``, the request is about a kernel of that server: when it is
        no longer running, :class:`ForkServerError` says so rather than a new server
        answering for a kernel it never had.
        """
        with self._lock:
            return self._send(message, generation)

    def start_kernel(self, message: dict) -> tuple[dict, int]:
        """Ask for a kernel; the answer and the generation of the server that gave it."""
        with self._lock:
            return self._send(message, None), self.generation

    def _send(self, message: dict, generation: int | None) -> dict:
        if generation is not None and not (generation == self.generation and self._alive()):
            raise ForkServerError(f"the kernel fork server stopped ({self._ending(generation)})")
        stdin, stdout = _pipes(self._ensure())
        try:
            stdin.write(json.dumps(message).encode() + b"\n")
            stdin.flush()
            line = stdout.readline()
        except OSError as err:
            raise ForkServerError(f"the kernel fork server stopped ({err})") from err
        if not line:
            raise ForkServerError(f"the kernel fork server stopped ({self._ending(generation)})")
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            # Whatever it answers next could belong to this request: start afresh.
            self._stop()
            raise ForkServerError(
                f"the kernel fork server answered something unreadable: {line[:80]!r}"
            )
        return answer

    def _ending(self, generation: int | None) -> str:
        """How the server of ``generation`` (or the current one) ended, as far as is known."""
        if generation not in (None, self.generation) or self._process is None:
            return "it was replaced"
        try:
            code = self._process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            code = None
        tail = self._log_tail()
        status = "still running" if code is None else f"exit status {code}"
        return f"{status}: {tail}" if tail else status

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def new_folder(self) -> str:
        """A fresh scratch folder for one kernel: ``files/`` (its submission) and ``sock/``."""
        folder = Path(self.scratch, uuid.uuid4().hex[:8])
        for part in ("", "files", "sock"):
            (folder / part).mkdir(0o700)
        # A str: the folder goes to the server in a JSON request.
        return str(folder)

    def hand_over(self, folder: str) -> None:
        """Give the sandbox user the folder the grader filled in."""
        if self.user == (os.getuid(), os.getgid()):
            return
        for root, dirs, files in os.walk(folder):  # Path.walk is Python 3.12's
            os.chown(root, *self.user)
            for name in dirs + files:
                os.chown(Path(root, name), *self.user, follow_symlinks=False)

    def _stop(self) -> None:
        """Stop the server process; the scratch folder stays for the next one."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                if process.stdin is not None:
                    process.stdin.close()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        with self._lock:
            self._stop()
            if self._scratch:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None


def _scratch_parent() -> str | None:
    """Where kernels' scratch folders go: never under ``/tmp``, which is each kernel's own.

    A kernel may write anywhere in its private ``/tmp``, and Landlock grants a folder's
    rights to everything beneath it, so a scratch folder under ``/tmp`` would be
    writable to the kernel too.
    """
    named = os.environ.get("PRODUCT_ROLES_SCRATCH")
    if named:
        return named
    for candidate in ("/var/tmp", "/dev/shm"):
        if Path(candidate).is_dir() and os.access(candidate, os.W_OK):
            return candidate
    return None


def _pipes(process: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    """The server's stdin and stdout, which :meth:`ForkServer._launch` opens as pipes."""
    if process.stdin is None or process.stdout is None:
        raise ForkServerError("the kernel fork server has no pipes to speak over")
    return process.stdin, process.stdout


_servers: dict[tuple, ForkServer] = {}
_servers_lock = threading.Lock()


def fork_server(sandbox: bool = True, hidden: tuple[str, ...] = ()) -> ForkServer:
    """This process's fork server for ``sandbox`` and ``hidden``, started once, stopped at exit."""
    with _servers_lock:
        key = (sandbox, tuple(hidden))
        if key not in _servers:
            _servers[key] = ForkServer(sandbox, list(hidden))
            atexit.register(_servers[key].close)
        return _servers[key]


def _forget_after_fork() -> None:
    # A forked grading worker must not share its parent's fork servers: replies to two
    # processes on one pipe would reach the wrong one.
    global _servers_lock
    _servers.clear()
    _servers_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class ForkedKernel:
    """The part of ``subprocess.Popen`` that a provisioner uses, for a kernel of the fork server.

    When its server stops, the kernel counts as dead (its server was its only way to
    be signalled), ``lost`` holds the reason and ``on_lost`` is told.
    """

    def __init__(self, server: ForkServer, pid: int, generation: int, on_lost=None) -> None:
        self.server = server
        self.pid = pid
        self.generation = generation
        self.returncode: int | None = None
        self.lost: str | None = None
        self.on_lost = on_lost
        self.stdin = self.stdout = self.stderr = None

    def _ask(self, message: dict) -> dict | None:
        try:
            return self.server.request({**message, "kernel": self.pid}, self.generation)
        except ForkServerError as err:
            if self.lost is None:
                self.lost = str(err)
                if self.on_lost is not None:
                    self.on_lost(self.lost)
            self.returncode = -signal.SIGKILL
            return None

    def poll(self) -> int | None:
        if self.returncode is None:
            answer = self._ask({"op": "status"})
            if answer is not None:
                self.returncode = answer.get("returncode", -signal.SIGKILL)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        started = time.monotonic()
        while (code := self.poll()) is None:
            if timeout is not None and time.monotonic() - started > timeout:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.005)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self._ask({"op": "signal", "signum": int(signum)})

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def forget(self) -> None:
        if self.lost is None:
            self._ask({"op": "forget"})


def _launcher_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` when ``cmd`` starts this interpreter's kernel."""
    if len(cmd) < 3 or _LAUNCHER not in cmd:
        return None
    at = cmd.index(_LAUNCHER)
    if at < 2 or cmd[at - 1] != "-m":
        return None
    if Path(cmd[0]).resolve() != Path(sys.executable).resolve() and cmd[0] != "python":
        return None
    return cmd[at + 1 :]


def _copy_submission(source: str, target: Path, limit_mb: int) -> None:
    """Copy the notebook's folder for the kernel, refusing one larger than its disk."""
    total = 0
    for root, _dirs, files in os.walk(source):  # Path.walk is Python 3.12's
        for name in files:
            path = Path(root, name)
            if not path.is_symlink():
                total += path.stat().st_size
    if total > limit_mb * 1024 * 1024:
        raise ForkServerError(
            f"the submission holds {total // (1024 * 1024)} MiB, more than the sandbox's "
            f"{limit_mb} MiB of disk"
        )
    shutil.copytree(
        source, target, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".grading")
    )


class ForkProvisioner(LocalProvisioner):
    """Launches this interpreter's ipykernel from the fork server of its kernel manager.

    Registered as ``product-roles-fork`` in the ``jupyter_client.kernel_provisioners``
    entry points, and chosen by :class:`ForkKernelManager`'s kernel spec. Any other
    kernel, and without the sandbox any kernel the fork server cannot give, is
    launched by :class:`~jupyter_client.provisioning.LocalProvisioner`, jupyter_client's
    standard provisioner; the manager's ``kernels`` records which.
    """

    @property
    def _manager(self) -> ForkKernelManager:
        """The kernel manager whose kernel spec chose this provisioner."""
        if not isinstance(self.parent, ForkKernelManager):
            raise TypeError(
                f"the {PROVISIONER} provisioner needs a ForkKernelManager, "
                f"not {type(self.parent).__name__}"
            )
        return self.parent

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        km = self._manager
        argv = _launcher_arguments(cmd)
        if argv is None:
            if km.sandbox:
                raise ForkServerError(
                    f"only this Python's ipykernel can be sandboxed, not {' '.join(cmd[:3])}"
                )
            return await self._launch_standard(
                cmd, f"{' '.join(cmd[:3])} is not this Python's ipykernel", **kwargs
            )
        try:
            return self._launch_forked(argv, **kwargs)
        except ForkServerError as err:
            if km.sandbox:
                raise
            return await self._launch_standard(cmd, str(err), **kwargs)

    async def _launch_standard(self, cmd: list[str], why: str, **kwargs: Any):
        self._manager.kernels = standard(why)
        return await super().launch_kernel(cmd, **kwargs)

    def _launch_forked(self, argv: list[str], **kwargs: Any):
        km = self._manager
        server = km.server
        cwd = str(kwargs.get("cwd") or Path.cwd())
        limits = Limits(**km.limits)
        if km.sandbox:
            _copy_submission(cwd, Path(km.folder, "files"), limits.disk_mb)
            server.hand_over(km.folder)
            from product_roles.instructor.sandbox.confine import kernel_environment

            path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
            given = dict(kwargs.get("env") or {})
            env = kernel_environment({n: given[n] for n in km.passed_env if n in given}, path)
        else:
            env = dict(kwargs.get("env") or os.environ)
        answer, generation = server.start_kernel(
            {
                "op": "start",
                "argv": argv,
                "env": env,
                "cwd": cwd,
                "folder": km.folder,
                "limits": limits.to_dict(),
            }
        )
        if "error" in answer or not isinstance(answer.get("kernel"), int):
            why = answer.get("error", f"no kernel in its answer {answer!r:.80}")
            if km.sandbox:
                raise ForkServerError(f"the sandbox refused the kernel: {why}")
            raise ForkServerError(f"the kernel fork server gave no kernel: {why}")
        process = ForkedKernel(server, answer["kernel"], generation, km.note_server_lost)
        # jupyter_client annotates process as a Popen, but uses only the part of one
        # that ForkedKernel has (poll, wait, send_signal, kill, terminate, pid).
        self.process = process  # type: ignore[assignment]
        self.pid = process.pid
        self.pgid = None  # signals go through the server, which knows the kernel
        self.cwd = cwd
        km.landlock = int(answer.get("landlock", 0))
        km.kernels = FORK
        return self.connection_info

    async def wait(self) -> int | None:
        # LocalProvisioner polls every 0.1 s; a forked kernel is gone within milliseconds.
        if isinstance(self.process, ForkedKernel):
            import asyncio

            while self.process.poll() is None:
                await asyncio.sleep(0.005)
            code = self.process.returncode
            self._manager.returncode = code
            self.process.forget()
            self.process = None
            return code
        return await super().wait()

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if not restart and self._manager.folder:
            shutil.rmtree(self._manager.folder, ignore_errors=True)


class ForkKernelClient(AsyncKernelClient):
    """A kernel client that notices a ready kernel sooner.

    jupyter_client checks that IOPub is connected by waiting 0.2 s for a message after
    each kernel_info reply, asks again when none came, and then waits for 0.2 s of
    IOPub silence. A kernel that starts in milliseconds often sends its first status
    before the subscription has reached it, so every start paid 0.2 to 0.4 s. This
    client waits 20 ms instead; the check itself is the same (a kernel_info reply,
    then a message on IOPub).
    """

    iopub_check_interval = 0.02

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        # jupyter_client has no setting or hook for those two 0.2 s waits (they are
        # constants in KernelClient._async_wait_for_ready), so this is its loop with
        # the shorter wait, and nothing else. Its heartbeat wait is left out: it is
        # for clients no kernel manager made, and this one's manager always did.
        import asyncio
        import time
        from queue import Empty

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=self.iopub_check_interval)
                except Empty:
                    pass
                else:
                    # jupyter_client's own step: adapt to the kernel's protocol version.
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            await asyncio.sleep(0)
        # What jupyter_client flushes from IOPub here belongs to no request that
        # nbclient will wait for.
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=self.iopub_check_interval)
            except Empty:
                break


class ForkKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels come from this process's fork server.

    Its kernels listen on Unix sockets in their own scratch folder rather than on TCP
    ports: a sandboxed kernel has no network, and socket names unique per kernel
    cannot collide between graders started at the same moment.

    ``kernels`` says which kernel it started: :data:`.kernels.FORK`, or, without the
    sandbox, jupyter_client's standard kernel and why. ``server_lost`` gives the
    reason when the fork server stopped while the kernel ran.
    """

    sandbox = Bool(True, help="Run the kernel in the grading sandbox.").tag(config=True)
    limits = Dict(
        help="Resource limits of the kernel (see Limits); unnamed ones keep their defaults."
    ).tag(config=True)
    hidden: List[str] = List(help="Folders that must not be visible inside the sandbox.").tag(
        config=True
    )
    passed_env = List(
        ["NBGRADER_EXECUTION"],
        help="Variables of the grader's environment that a sandboxed kernel receives; "
        "it receives no other.",
    ).tag(config=True)

    client_class = DottedObjectName("product_roles.instructor.forkkernel.ForkKernelClient")
    client_factory = Type(klass="jupyter_client.client.KernelClient", config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = Limits(**self.limits).to_dict()
        self.server = fork_server(self.sandbox, tuple(self.hidden))
        self.folder = self.server.new_folder()
        if fork_unavailable() is None:  # else the standard kernel keeps its TCP ports
            self.transport = "ipc"
            self.cache_ports = False
            self.ip = str(Path(self.folder, "sock", "k"))
        self.connection_file = str(Path(self.folder, "sock", "kernel.json"))
        self.landlock = 0
        self.returncode: int | None = None
        self.kernels = ""
        self.server_lost: str | None = None

    @default("client_factory")
    def _client_factory_default(self):
        return ForkKernelClient

    @property
    def kernel_spec(self):
        # A kernel spec's metadata is how jupyter_client picks a provisioner for one
        # kernel; KernelProvisionerFactory.default_provisioner_name would pick it for
        # every kernel of the process.
        spec = super().kernel_spec
        if spec is not None:
            spec.metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER}
        return spec

    def note_server_lost(self, why: str) -> None:
        """Record that the fork server stopped under this manager's kernel."""
        self.server_lost = self.server_lost or why

    def kill_now(self) -> None:
        """Kill the kernel at once, from any thread (a limit was reached)."""
        process = getattr(self.provisioner, "process", None)
        if process is not None:
            process.kill()

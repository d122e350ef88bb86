"""Kernels forked from a warm server instead of started from scratch.

:class:`ForkKernelManager` is a jupyter_client kernel manager whose provisioner asks a
:mod:`~product_roles.instructor.zygote` server for each kernel. Everything else, the
connection file, the messages, interrupts on a cell time-out, the shutdown, is
jupyter_client's and nbclient's own, so nbgrader executes a submission exactly as it
would in a kernel it started itself; only the import cost of a kernel is paid once
per grading worker instead of once per submission.

When a kernel command is not this interpreter's ``ipykernel_launcher`` (another
kernel was asked for), the provisioner starts it the ordinary way.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type, default

_LAUNCHER = "ipykernel_launcher"


class ForkServerError(RuntimeError):
    """The fork server could not give a kernel; the message says why."""


SHARED_ENV = "PRODUCT_ROLES_FORK_SERVER"


class ForkServer:
    """A connection to a zygote server, started here or shared through its socket path.

    Parameters
    ----------
    path : str, optional
        The socket of a running server to share (grading workers get it from their
        parent in ``PRODUCT_ROLES_FORK_SERVER``). Without it, or when that server is
        gone, this object starts a server of its own on first use.
    """

    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.Lock()
        self._shared = path
        self._process: subprocess.Popen | None = None
        self._folder: str | None = None
        self._sock: socket.socket | None = None
        self._reader = None

    @property
    def path(self) -> str:
        """The socket path, starting a server if none is running yet."""
        with self._lock:
            return self._ensure_server()

    def _ensure_server(self) -> str:
        if self._shared:
            return self._shared
        if self._process is None or self._process.poll() is not None:
            self._folder = tempfile.mkdtemp(prefix="kernel-forks-")
            path = os.path.join(self._folder, "socket")
            self._process = subprocess.Popen(
                [sys.executable, "-m", "product_roles.instructor.zygote", path],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=os.path.abspath(os.sep),
                # Preloading the debugger would warn about frozen modules once per
                # server; each kernel gets its own environment from its request.
                env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
                start_new_session=True,  # a Ctrl-C in the grader's terminal is the grader's
            )
            if self._process.stdout.readline().strip() != b"ready":
                raise ForkServerError("the kernel fork server did not start")
        return os.path.join(self._folder, "socket")

    def _connection(self):
        if self._sock is None:
            try:
                path = self._ensure_server()
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.connect(path)
            except OSError:
                if not self._shared:
                    raise
                # The shared server is gone: carry on with one of our own.
                self._sock, self._shared = None, None
                return self._connection()
            self._reader = self._sock.makefile("rb")
        return self._sock, self._reader

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """Return the pid of a new kernel started with ``argv`` in ``cwd`` with ``env``."""
        with self._lock:
            try:
                sock, reader = self._connection()
                server_pid = self._server_pid(sock)
                # As jupyter_client's launcher does: the kernel stops when its parent,
                # here the fork server, is gone.
                env = {**env, "JPY_PARENT_PID": str(server_pid)}
                request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
                sock.sendall(request)
                answer = reader.readline()
            except OSError as err:
                self._drop_connection()
                raise ForkServerError(f"the kernel fork server stopped: {err}") from err
        if not answer:
            self._drop_connection()
            raise ForkServerError("the kernel fork server stopped without answering")
        reply = json.loads(answer)
        if "pid" not in reply:
            raise ForkServerError(f"the kernel fork server could not fork: {reply.get('error')}")
        return int(reply["pid"])

    @staticmethod
    def _server_pid(sock: socket.socket) -> int:
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", creds)[0]

    def _drop_connection(self) -> None:
        if self._sock is not None:
            self._reader.close()
            self._sock.close()
        self._sock = self._reader = None

    def close(self) -> None:
        with self._lock:
            self._drop_connection()
            if self._process is not None and self._process.poll() is None:
                self._process.stdin.close()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
            if self._folder:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server() -> ForkServer:
    """This process's fork server: the shared one its parent named, or its own, stopped at exit."""
    global _server
    with _server_lock:
        if _server is None:
            _server = ForkServer(os.environ.get(SHARED_ENV) or None)
            atexit.register(_server.close)
        return _server


class ForkedKernel:
    """The part of ``subprocess.Popen`` that a provisioner uses, for a forked kernel.

    The kernel is the fork server's child, which reaps it; this process follows it
    by pid (the kernel leads its own process group, so signals reach it and its
    children).
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


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


class ForkProvisioner(LocalProvisioner):
    """Launches ipykernel by forking the warm server; any other kernel the usual way."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        argv = _launcher_arguments(cmd)
        if argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        self.process = ForkedKernel(fork_server().fork(argv, env, cwd))
        self.pid = self.pgid = self.process.pid
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        # LocalProvisioner polls every 0.1 s; a forked kernel is gone within milliseconds.
        if isinstance(self.process, ForkedKernel):
            import asyncio

            while self.process.poll() is None:
                await asyncio.sleep(0.005)
            code = self.process.returncode
            self.process = None
            return code
        return await super().wait()


class ForkKernelClient(AsyncKernelClient):
    """A kernel client that notices a ready kernel sooner.

    jupyter_client checks that IOPub is connected by waiting 0.2 s for a message after
    each kernel_info reply, and asks again when none came. A kernel that starts in
    milliseconds often sends its first status before the subscription has reached it,
    so every start paid that 0.2 s. This client asks again every 20 ms instead; the
    check itself is the same (a kernel_info reply and a message on IOPub).
    """

    iopub_check_interval = 0.02

    async def wait_for_ready(self, timeout: float | None = None) -> None:
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
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            await asyncio.sleep(0)
        # Flush IOPub as jupyter_client does, without its final 0.2 s of silence:
        # anything later belongs to no request that nbclient is waiting for.
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=self.iopub_check_interval)
            except Empty:
                break


_ipc_folder: str | None = None


def _forget_after_fork() -> None:
    # A forked grading worker must not share its parent's connection to a fork
    # server: replies to two processes on one socket would reach the wrong one.
    global _server, _server_lock, _ipc_folder
    _server, _ipc_folder = None, None
    _server_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def ipc_folder() -> str:
    """A private folder for this process's kernel sockets, removed when it exits."""
    global _ipc_folder
    with _server_lock:
        if _ipc_folder is None:
            # Inside a shared server's folder when there is one: its owner removes it
            # even when a worker process ends without running its exit handlers.
            shared = os.path.dirname(os.environ.get(SHARED_ENV, ""))
            base = shared if shared and os.path.isdir(shared) else None
            _ipc_folder = tempfile.mkdtemp(prefix="kernel-ipc-", dir=base)
            atexit.register(shutil.rmtree, _ipc_folder, True)
        return _ipc_folder


class ForkKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels come from the fork server.

    Its kernels listen on Unix sockets in a private folder rather than on TCP ports:
    graders in several processes that each pick "free" TCP ports at the same moment
    can pick the same ones, and a client then talks to another grader's kernel.
    Socket names made unique per kernel cannot collide.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.cache_ports = False
        self.ip = os.path.join(ipc_folder(), f"k-{_new_id()[:12]}")

    client_class = DottedObjectName("product_roles.instructor.forkkernel.ForkKernelClient")
    client_factory = Type(klass="jupyter_client.client.KernelClient", config=True)

    @default("client_factory")
    def _client_factory_default(self):
        return ForkKernelClient

    async def _async_pre_start_kernel(self, **kw: Any):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())

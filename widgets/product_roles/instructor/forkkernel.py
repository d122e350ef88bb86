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
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

_LAUNCHER = "ipykernel_launcher"


class ForkServerError(RuntimeError):
    """The fork server could not give a kernel; the message says why."""


class ForkServer:
    """A running zygote process and a lock around its request pipe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "product_roles.instructor.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=os.path.abspath(os.sep),
            start_new_session=True,  # a Ctrl-C in the grader's terminal is the grader's
        )

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """Return the pid of a new kernel started with ``argv`` in ``cwd`` with ``env``."""
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            try:
                self._process.stdin.write(request)
                self._process.stdin.flush()
                answer = self._process.stdout.readline()
            except OSError as err:
                raise ForkServerError(f"the kernel fork server stopped: {err}") from err
        if not answer:
            raise ForkServerError("the kernel fork server stopped without answering")
        reply = json.loads(answer)
        if "pid" not in reply:
            raise ForkServerError(f"the kernel fork server could not fork: {reply.get('error')}")
        return int(reply["pid"])

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.stdin.close()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server() -> ForkServer:
    """The fork server of this process, started on first use and stopped at exit."""
    global _server
    with _server_lock:
        if _server is None:
            _server = ForkServer()
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


class ForkKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels come from the fork server."""

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

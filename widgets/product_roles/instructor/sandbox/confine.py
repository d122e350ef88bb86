"""The steps that turn a freshly forked child of the fork server into a confined kernel.

The fork server itself already runs in a bubblewrap sandbox (see :mod:`.bwrap`): a
read-only system, no network, its own PID namespace, nothing of the course folder.
What one kernel must not share with the next is set up here, per kernel, in two
processes:

1. :func:`enter_namespaces` and :func:`private_folders`, in the server's direct
   child: a user, mount, PID and IPC namespace of its own, a private in-memory
   ``/tmp`` (its working folder and home) and ``/dev/shm``, and of the grading scratch
   folder only its own part, kept at the same path so that its socket paths mean the
   same thing to the grader.
2. :func:`become_kernel`, in that child's child, PID 1 of the new PID namespace (so
   when it ends, everything it started ends with it): its own ``/proc``, the resource
   limits, Landlock, no capabilities, no new privileges, a clean environment.

Every step raises ``OSError`` on failure: a kernel that cannot be confined never runs.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import shutil
from pathlib import Path

from product_roles.instructor.sandbox import landlock
from product_roles.instructor.sandbox.limits import Limits

_CLONE_NEWNS = 0x00020000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8
_MS_BIND, _MS_REC, _MS_PRIVATE = 4096, 16384, 1 << 18
_PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 24, 38
_CAPSET = {"x86_64": 126, "aarch64": 91}
_CAP_VERSION_3 = 0x20080522

WORK = "/tmp/work"
HOME = "/tmp/home"
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = ""):
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def enter_namespaces() -> None:
    """Enter a new user, mount, PID and IPC namespace, mapping this user to its root."""
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC), "unshare")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")


def private_folders(own: str, scratch_root: str, disk_mb: int) -> None:
    """Give this mount namespace a private ``/tmp`` and ``/dev/shm``, and of ``scratch_root`` only ``own``.

    ``own`` (a folder inside ``scratch_root``) stays at its path, so that the socket
    paths the grader wrote into the connection file reach this kernel; the submission's
    files in ``own/files`` are copied into the working folder ``/tmp/work``.
    """
    keep = os.open(own, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        options = f"size={disk_mb}m,mode=0755"
        _mount("tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, options)
        if Path("/dev/shm").is_dir():
            _mount("tmpfs", "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "size=1m")
        if Path(scratch_root).is_dir():  # outside /tmp: hide the other kernels' folders too
            _mount("tmpfs", scratch_root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=1m,mode=0755")
        Path(own).mkdir(parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{keep}", own, None, _MS_BIND | _MS_REC)
    finally:
        os.close(keep)
    Path(HOME).mkdir(parents=True)
    shutil.copytree(Path(own, "files"), WORK, symlinks=True)


def _drop_capabilities() -> None:
    for cap in range(64):
        if _libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    number = _CAPSET.get(platform.machine())
    if number is None:
        raise OSError(0, f"capabilities cannot be dropped on {platform.machine()}")
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable, twice: all empty
    _libc.syscall.restype = ctypes.c_long
    _check(_libc.syscall(ctypes.c_long(number), header, data), "capset")


def _rlimits(limits: Limits) -> None:
    mib = 1024 * 1024
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_mb * mib),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * mib),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))
    # SIGXCPU at the soft limit, SIGKILL two seconds later for a kernel that ignores it.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 2))


def become_kernel(own: str, read_only: list[str], limits: Limits) -> int:
    """In PID 1 of the kernel's namespace: confine it for good; return the Landlock ABI used."""
    _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    _rlimits(limits)
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    # Its scratch folder on the grader's disk is for its sockets only: nothing written
    # there counts against its disk, and no socket may be swapped for a link.
    abi = landlock.restrict(
        read_only=[*read_only, "/proc"],
        read_write=["/tmp"],
        devices=DEVICES,
        sockets=[str(Path(own, "sock"))],
    )
    _drop_capabilities()
    os.chdir(WORK)
    return abi


def kernel_environment(extra: dict[str, str], path: str) -> dict[str, str]:
    """The whole environment of a confined kernel: nothing of the grader's but ``extra``."""
    return {
        "PATH": path,
        "HOME": HOME,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "PYTHONNOUSERSITE": "1",
        "MPLCONFIGDIR": "/tmp/home/.matplotlib",
        "IPYTHONDIR": "/tmp/home/.ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/home/.runtime",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **extra,
    }

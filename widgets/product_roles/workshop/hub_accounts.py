"""Unix accounts and folders for the workshop hub: one account per participant.

The hub runs as root and gives each participant an account of their own, as The
Littlest JupyterHub does, so that the kernel's own permissions keep people apart:

- an account ``<prefix><name>`` (``jupyter-ana``), created the first time its owner's
  server starts, marked in its comment field so that the hub never takes over an
  account that someone else created;
- a home folder that only its owner can enter (mode 0700);
- a room folder that participants can add a folder to but not list, read or change
  (mode 3753: owner root, the room group may list and read, others may only enter
  and create, the sticky bit stops anyone removing another's folder);
- facilitators (and the dashboard's own account) in the room group, which reads the room.

Everything here shells out to Debian's ``useradd``, ``groupadd``, ``gpasswd`` and
``userdel`` and needs root; the functions do nothing that is already done.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

MARK = "product-roles workshop account"
"""The comment (GECOS) field of every account the hub creates."""

ROOM_MODE = stat.S_ISVTX | stat.S_ISGID | 0o753
"""rwx for root, r-x for the room group, -wx for everyone else, setgid and sticky."""


class AccountError(RuntimeError):
    """An account cannot be used for the workshop; the message says why."""


def _run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AccountError(f"{' '.join(args)} failed: {result.stderr.strip()}")


def ensure_group(name: str, *, system: bool = True) -> int:
    """Create the group ``name`` if it does not exist; return its id."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run("groupadd", *(["--system"] if system else []), name)
        return grp.getgrnam(name).gr_gid


def ensure_account(
    name: str,
    home: str | os.PathLike,
    *,
    groups: Iterable[str] = (),
    system: bool = False,
    shell: str = "/bin/bash",
) -> pwd.struct_passwd:
    """Create the account ``name`` with a private home, or check the one the hub made.

    Parameters
    ----------
    name : str
        The Unix account name.
    home : path
        Its home folder, created with mode 0700 (and set back to 0700 each time).
    groups : iterable of str
        Supplementary groups the account must be in (added when missing).
    system : bool
        A system account (the dashboard's), with no login shell.

    Raises
    ------
    AccountError
        When an account of that name exists but was not made by the hub: a participant
        must never land in an account that belongs to someone or something else.
    """
    home = Path(home)
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        args = ["useradd", "--comment", MARK, "--home-dir", str(home), "--create-home"]
        args += ["--user-group", "--no-log-init", "--shell", shell]
        if system:
            args += ["--system"]
        _run(*args, name)
        account = pwd.getpwnam(name)
    if account.pw_gecos != MARK:
        raise AccountError(f"the account {name!r} exists and was not created for the workshop")
    if Path(account.pw_dir) != home:
        raise AccountError(f"the account {name!r} has its home in {account.pw_dir}, not {home}")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chown(home, account.pw_uid, account.pw_gid)
    home.chmod(0o700)
    for group in groups:
        if name not in grp.getgrnam(group).gr_mem:
            _run("gpasswd", "--add", name, group)
    return account


def remove_account(name: str) -> None:
    """Delete an account the hub created, with its home folder; anything else is left alone."""
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return
    if account.pw_gecos != MARK:
        raise AccountError(f"the account {name!r} was not created for the workshop")
    # userdel refuses while the account runs anything. The hub stops the server first,
    # but a kernel can outlive its server for a moment (longer on a loaded machine),
    # and the facilitator has asked for this participant to be gone.
    end_processes(account.pw_uid)
    _run("userdel", "--remove", name)
    shutil.rmtree(account.pw_dir, ignore_errors=True)


def _processes_of(uid: int) -> list[int]:
    """The processes whose real user is ``uid``, from /proc; zombies, which hold nothing, left out."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with Path(entry.path, "status").open(encoding="ascii", errors="replace") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # it ended while we looked
        if int(fields.get("Uid", "-1 ").split()[0]) == uid and "Z" not in fields.get("State", ""):
            found.append(int(entry.name))
    return found


def end_processes(uid: int, *, wait: float = 10.0) -> None:
    """Kill every process the account ``uid`` runs, and wait until none is left.

    Raises
    ------
    AccountError
        When some are still running after ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    while pids := _processes_of(uid):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            raise AccountError(f"processes of user {uid} would not end: {pids}")
        time.sleep(0.05)


def remove_group(name: str) -> None:
    """Delete the group ``name`` if it exists."""
    with contextlib.suppress(KeyError):
        grp.getgrnam(name)
        _run("groupdel", name)


def make_room(folder: str | os.PathLike, group: str) -> Path:
    """Create (or repair) the room folder: participants add to it, the room group reads it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chown(folder, 0, grp.getgrnam(group).gr_gid)
    folder.chmod(ROOM_MODE)
    return folder


def private_folder(folder: str | os.PathLike, mode: int = 0o700, owner: str | None = None) -> Path:
    """Create ``folder`` readable by its owner alone (root, or ``owner``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        account = pwd.getpwnam(owner)
        os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(mode)
    return folder


def copy_missing(sources: Iterable[str | os.PathLike], account: pwd.struct_passwd) -> list[Path]:
    """Copy files into the account's home unless a file of that name is already there.

    Runs as root inside a folder its owner controls, so it never follows a link: a
    participant who left a symbolic link named like a course notebook gets no copy,
    rather than a root-written file wherever the link points.

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    for source in map(Path, sources):
        target = Path(account.pw_dir, source.name)
        try:
            handle = os.open(target, flags, 0o644)
        except (FileExistsError, OSError):
            continue
        with os.fdopen(handle, "wb") as stream:
            os.fchown(stream.fileno(), account.pw_uid, account.pw_gid)
            stream.write(source.read_bytes())
        written.append(target)
    return written


def blocked_ancestors(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Folders on the way to ``paths`` that other accounts may not enter (no ``o+x``).

    A participant's server runs the hub's Python and imports the course from these
    paths as an ordinary account; any folder listed here stops it from starting.
    """
    blocked: set[Path] = set()
    for path in paths:
        real = Path(os.path.realpath(path))
        for folder in [*reversed(real.parents), real]:
            if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
                blocked.add(folder)
    return sorted(blocked)

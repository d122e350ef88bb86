"""Landlock, the Linux security module that lets an unprivileged process fence itself in.

A process that calls :func:`restrict` keeps, for itself and every process it starts,
only the file-system access it granted, no TCP binding or connecting, and (from ABI 6)
no signals or abstract Unix sockets reaching outside its own domain. It needs no
privilege and cannot be undone. The system calls are made with ``ctypes``: Python has
no binding of its own, and the three calls have the same numbers on every
architecture Linux gives them to.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Iterable

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

# File-system rights, by the ABI that introduced them.
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

READ = EXECUTE | READ_FILE | READ_DIR
WRITE = WRITE_FILE | TRUNCATE | REFER | REMOVE_DIR | REMOVE_FILE
WRITE |= MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO | MAKE_SYM


class LandlockError(OSError):
    """Landlock is missing or refused a rule; the message says which step failed."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _call(number: int, *args) -> int:
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise LandlockError(err, os.strerror(err))
    return result


def abi_version() -> int:
    """The Landlock ABI this kernel offers, or 0 when it offers none."""
    try:
        return _call(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (LandlockError, AttributeError):
        return 0


def _handled_fs(abi: int) -> int:
    rights = READ | WRITE | MAKE_CHAR | MAKE_BLOCK
    if abi < 2:
        rights &= ~REFER
    if abi < 3:
        rights &= ~TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def restrict(
    read_only: Iterable[str],
    read_write: Iterable[str],
    devices: Iterable[str],
    sockets: Iterable[str] = (),
) -> int:
    """Fence this process in: only the paths given stay reachable, as given; return the ABI.

    Parameters
    ----------
    read_only : paths
        Folders (or files) that may be read and executed, with everything beneath them.
    read_write : paths
        Folders that may also be written, with everything beneath them.
    devices : paths
        Device files that may be read and written (``/dev/null`` and the like).
    sockets : paths
        Folders that may be read and where Unix sockets may be made, and nothing else:
        no file written, removed or linked.

    Paths that do not exist are passed over. TCP binding and connecting are refused
    from ABI 4 on; signals and abstract Unix sockets stop at the domain from ABI 6 on.

    Raises
    ------
    LandlockError
        When the kernel offers no Landlock, or refuses the ruleset.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError(0, "this kernel offers no Landlock")
    handled = _handled_fs(abi)
    attr = _RulesetAttr(
        handled_access_fs=handled,
        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
        scoped=(_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _call(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        file_rights = READ_FILE | WRITE_FILE | EXECUTE | (TRUNCATE if abi >= 3 else 0)
        grants = [
            *((path, READ) for path in read_only),
            *((path, handled) for path in read_write),
            *((path, READ_FILE | WRITE_FILE | (IOCTL_DEV if abi >= 5 else 0)) for path in devices),
            *((path, READ | MAKE_SOCK) for path in sockets),
        ]
        for path, rights in grants:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    # Rights that only folders have are refused on a file. Ask the file
                    # just opened, not the name, which could have been swapped since.
                    rights &= file_rights | (IOCTL_DEV if abi >= 5 else 0)
                rule = _PathBeneath(allowed_access=rights & handled, parent_fd=fd)
                _call(
                    _ADD_RULE,
                    ctypes.c_int(ruleset),
                    ctypes.c_int(_RULE_PATH_BENEATH),
                    ctypes.byref(rule),
                    ctypes.c_uint32(0),
                )
            finally:
                os.close(fd)
        _call(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return abi

"""A throw-away PostgreSQL server for the gradebook tests, on a Unix socket of its own.

It uses Debian's ``postgresql`` package (installed by scripts/test): ``initdb`` in a
temporary folder and ``pg_ctl`` listening only on a socket in that folder, so there
is no TCP port to pick or to collide on. PostgreSQL refuses to run as root, so as
root the server runs as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run ./scripts/test, which installs it")
    return found[-1].parent


@contextmanager
def postgres_server(database: str = "gradebook") -> Iterator[str]:
    """Start a server, create ``database``, yield its SQLAlchemy URL, then stop and delete it."""
    bindir = _bindir()
    tmp = Path(tempfile.mkdtemp(prefix="gradebook-pg-"))
    as_root = os.geteuid() == 0

    def run(*cmd: str) -> None:
        if as_root:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    data = tmp / "data"
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader", "--no-sync")
        # No TCP at all (an empty listen_addresses): the socket lives in tmp.
        options = f"-c listen_addresses='' -k {tmp} -F"
        log = str(tmp / "log")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
        try:
            run(str(bindir / "createdb"), "-h", str(tmp), "-U", "grader", database)
            yield f"postgresql://grader@/{database}?host={tmp}"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

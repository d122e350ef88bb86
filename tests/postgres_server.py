"""A throw-away PostgreSQL server on 127.0.0.1, for the gradebook tests.

It uses Debian's ``postgresql`` package (installed by scripts/test): ``initdb`` in a
temporary folder and ``pg_ctl`` on a free loopback port. PostgreSQL refuses to run
as root, so as root the server runs as the ``postgres`` user the package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lab import free_port


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run ./scripts/test, which installs it")
    return Path(found[-1]).parent


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
    data, port = tmp / "data", free_port()
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader", "--no-sync")
        options = f"-h 127.0.0.1 -p {port} -k {tmp} -F"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(tmp / "log"), "-w", "start")  # fmt: skip
        try:
            run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader", database)  # fmt: skip
            yield f"postgresql://grader@127.0.0.1:{port}/{database}"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

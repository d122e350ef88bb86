"""Running nbgrader's own commands for the course, with its output kept for the instructor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def bin_dir() -> Path:
    return Path(sys.executable).parent


def run(*args: str, cwd: str | os.PathLike, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` with this environment's bin/ first on PATH.

    nbgrader's gradebook calls ``alembic`` by name, so the tools must be on PATH.
    """
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [str(bin_dir() / "nbgrader"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise NbgraderFailed(args, done)
    return done


class NbgraderFailed(RuntimeError):
    def __init__(self, args, done: subprocess.CompletedProcess) -> None:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        super().__init__(f"nbgrader {' '.join(args)} failed:\n" + "\n".join(tail))

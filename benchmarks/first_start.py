"""First start from a fresh clone: ``./scripts/course`` (uv) against plain pip.

For each run, a fresh ``git clone`` of this repository's HEAD goes into a temporary
folder, then the clock runs from starting the command to JupyterLab answering with the
first notebook over its contents API:

- ``course (uv)``: ``./scripts/course --no-browser``, as a learner runs it;
- ``plain pip``: ``python -m venv .venv && .venv/bin/pip install -e .`` of the same
  pyproject.toml, then ``.venv/bin/jupyter lab --no-browser`` on ``course/``.

*Cold* runs start from empty package caches (everything is downloaded from PyPI);
*warm* runs reuse the caches the cold runs filled, as on a machine that has installed
the course before. Warm runs alternate between the two commands.

Run from the repository root (a few minutes; it needs PyPI)::

    .venv/bin/python benchmarks/first_start.py [--warm 3] [--no-cold] [--json figures.json]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable if sys.prefix == sys.base_prefix else os.path.realpath(sys._base_executable)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_start(kind: str, caches: Path, scratch: Path, timeout: float = 900) -> float:
    """Seconds from a fresh clone's command to JupyterLab serving the first notebook."""
    clone = scratch / f"clone-{secrets.token_hex(4)}"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(caches / "uv"),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
        "PYTHON": PYTHON,
    }
    for name in ("VIRTUAL_ENV", "PRODUCT_ROLES_INSTALLER", "PRODUCT_ROLES_WORK"):
        env.pop(name, None)
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT))
    )
    lab_args = [
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
    ]
    if os.geteuid() == 0:
        lab_args.append("--allow-root")
    if kind == "course (uv)":
        command = [str(clone / "scripts" / "course"), *lab_args]
        path = "/api/contents/01-start-here.ipynb"
    else:
        script = (
            f"{PYTHON} -m venv .venv && .venv/bin/pip install --quiet -e . && "
            f"exec .venv/bin/jupyter lab {' '.join(lab_args)} --ServerApp.root_dir=course"
        )
        command = ["bash", "-c", script]
        path = "/api/contents/01-start-here.ipynb"
    log = (scratch / f"{clone.name}.log").open("w")
    started = time.monotonic()
    server = subprocess.Popen(
        command,
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"}
        )
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    json.load(response)
                return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, OSError):
                if server.poll() is not None:
                    raise RuntimeError(f"{kind} exited; see {log.name}") from None
                if time.monotonic() - started > timeout:
                    raise RuntimeError(f"{kind} did not answer in {timeout} s") from None
                time.sleep(0.1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=3, help="warm runs of each command")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    kinds = ["course (uv)", "plain pip"]
    results: dict[str, dict[str, list[float]]] = {k: {"cold": [], "warm": []} for k in kinds}
    with tempfile.TemporaryDirectory(prefix="first-start-") as tmp:
        scratch = Path(tmp)
        caches = {k: scratch / f"cache-{i}" for i, k in enumerate(kinds)}
        for kind in kinds:
            if args.no_cold:
                # Warm the caches without timing it.
                first_start(kind, caches[kind], scratch)
            else:
                seconds = first_start(kind, caches[kind], scratch)
                results[kind]["cold"].append(seconds)
                print(f"{kind:12} cold  {seconds:6.1f} s", flush=True)
        for _ in range(args.warm):
            for kind in kinds:
                seconds = first_start(kind, caches[kind], scratch)
                results[kind]["warm"].append(seconds)
                print(f"{kind:12} warm  {seconds:6.1f} s", flush=True)
    print()
    print("| first start (fresh clone to JupyterLab answering) | course (uv) | plain pip | ratio |")
    print("|---|---|---|---|")
    for state in ("cold", "warm"):
        uv, pip = results["course (uv)"][state], results["plain pip"][state]
        if uv and pip:
            a, b = statistics.median(uv), statistics.median(pip)
            print(f"| {state}, median of {len(uv)} | {a:.1f} s | {b:.1f} s | {a / b:.2f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

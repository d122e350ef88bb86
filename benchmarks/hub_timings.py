"""How long the workshop hub takes to start, and to give each participant a server.

Side by side in one run:

- baseline: a plain ``jupyter server`` started by hand on loopback, until its API answers
  (what a user server costs with no hub around it);
- hub start-up: ``workshop/hub`` (as root) until ``/hub/api`` answers through the proxy;
- spawn: for each participant, claim a name, then start their server until the hub says it
  is ready (one after another, then all at once); the first start of a name includes
  creating its Unix account and home.

Run as root: ``.venv/bin/python benchmarks/hub_timings.py [--users 6]`` (after
``./scripts/test`` once, for the npm packages). The accounts it creates are removed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The hub driver lives with the tests, which use the same steps.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hub_driver import Participant, install_workshop_extra, workshop_hub
from lab import free_port
from workshop_helpers import server, wait_for_http


def plain_server(tmp: Path) -> float:
    port = free_port()
    args = [
        str(Path(sys.executable).parent / "jupyter"),
        "server",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--no-browser",
        "--allow-root",
    ]
    started = time.monotonic()
    with server(args, tmp / "plain.log", JUPYTER_RUNTIME_DIR=str(tmp)) as process:
        wait_for_http(f"http://127.0.0.1:{port}/api", process, tmp / "plain.log")
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        baseline = statistics.median(plain_server(tmp) for _ in range(3))
        install_workshop_extra()
        with workshop_hub() as hub:
            startup = hub.startup
            people = [Participant(hub, f"p{i}") for i in range(args.users)]
            half = args.users // 2
            one_by_one = [p.start_server() for p in people[:half]]
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.users) as pool:
                together_started = time.monotonic()
                together = list(pool.map(lambda p: p.start_server(), people[half:]))
                together_total = time.monotonic() - together_started
    print(f"baseline: plain jupyter server ready in {baseline:.1f} s (median of 3)")
    print(f"hub start-up: {startup:.1f} s ({startup / baseline:.1f} x baseline)")
    median = statistics.median(one_by_one)
    print(
        f"spawn, one after another ({half} users): median {median:.1f} s per user "
        f"({median / baseline:.1f} x baseline), max {max(one_by_one):.1f} s"
    )
    print(
        f"spawn, {len(together)} at once: all ready in {together_total:.1f} s "
        f"(slowest {max(together):.1f} s)"
    )


if __name__ == "__main__":
    main()

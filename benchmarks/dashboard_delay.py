"""How long a participant's move takes to reach the projected dashboard.

Starts the dashboard as a facilitator would (``workshop/dashboard``, Voila on loopback),
opens it in Debian's Chromium at 1280 x 720, then, one after another, saves a new sort
in the room and times until the page's status line shows it. Side by side:

- baseline: the dashboard's own polling interval (3 s), the wait a change can never
  beat on average by more than half;
- delay: from the answers file's ``os.replace`` to the new count on the page.

Run: ``.venv/bin/python benchmarks/dashboard_delay.py [--moves 10]`` (after ``./scripts/test``
once, for Chromium and the venv).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from lab import free_port
from product_roles.grading import answers
from product_roles.workshop.dashboard import Dashboard
from product_roles.workshop.room import TRADITIONAL
from workshop_helpers import chromium_page, server, wait_for_http

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=10)
    args = parser.parse_args()
    interval = Dashboard.__init__.__kwdefaults__["interval"]
    delays = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        room = tmp / "room"
        room.mkdir()
        port, log = free_port(), tmp / "voila.log"
        args_ = [str(ROOT / "workshop" / "dashboard"), f"--port={port}"]
        env = {"PRODUCT_ROLES_ROOM": str(room), "JUPYTER_RUNTIME_DIR": str(tmp)}
        with server(args_, log, **env) as voila:
            wait_for_http(f"http://127.0.0.1:{port}/api", voila, log, timeout=300)
            with chromium_page([]) as page:
                page.set_viewport_size({"width": 1280, "height": 720})
                page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
                page.get_by_role("status").wait_for(timeout=120_000)
                for n in range(1, args.moves + 1):
                    seat = room / f"seat-{n}"
                    seat.mkdir()
                    time.sleep(0.37 * n % interval)  # land at different points of a poll
                    started = time.monotonic()
                    answers.write(
                        answers.path_for(TRADITIONAL, seat),
                        answers.Answers(TRADITIONAL, {"order-backlog": "PO"}),
                    )
                    page.wait_for_function(
                        "(n) => document.querySelector('[role=status]').innerText"
                        ".startsWith(n + ' traditional')",
                        arg=n,
                        timeout=60_000,
                    )
                    delays.append(time.monotonic() - started)
    median = statistics.median(delays)
    print(f"baseline: the dashboard polls every {interval:.1f} s")
    print(
        f"delay from a saved sort to the page, {len(delays)} moves: median {median:.2f} s"
        f" ({median / interval:.2f} x the interval), max {max(delays):.2f} s"
    )


if __name__ == "__main__":
    main()

"""Helpers for the workshop's server and browser tests: ports, servers, Chromium."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from lab import CHROMIUM_ARGS
from product_roles.grading import answers

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@contextlib.contextmanager
def server(args: list[str], log: Path, **env: str) -> Iterator[subprocess.Popen]:
    """Run a server in its own process group; stop the whole group afterwards."""
    with log.open("w") as stream:
        process = subprocess.Popen(
            args,
            stdout=stream,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **env},
        )
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for_http(
    url: str, process: subprocess.Popen, log: Path, timeout: float = 120, ok_only: bool = False
) -> None:
    """Wait until ``url`` answers; fail with the log if the server died.

    Any HTTP status counts as an answer, unless ``ok_only``: then only 200 does (a proxy
    answers 503 for a route whose server is not up yet).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            if not ok_only:
                return
            assert process.poll() is None, f"server exited:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"{url} did not answer:\n{log.read_text()[-4000:]}"
            time.sleep(0.3)
        # A half-started server may answer garbage or hang up: not ready yet.
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
            assert process.poll() is None, f"server exited:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, f"{url} did not answer:\n{log.read_text()[-4000:]}"
            time.sleep(0.3)


def is_local(url: str) -> bool:
    """True for file:, data:, blob: and loopback http(s) and ws(s) addresses."""
    parsed = urlparse(url)
    if parsed.scheme in ("file", "data", "blob", "about"):
        return True
    return parsed.hostname in LOCAL_HOSTS


@contextlib.contextmanager
def chromium_page(outside: list[str]) -> Iterator:
    """A Playwright page in Debian's Chromium; every non-local request lands in ``outside``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
            page.on("websocket", lambda ws: None if is_local(ws.url) else outside.append(ws.url))
            yield page
        finally:
            browser.close()


def sit(room: Path, name: str, exercise: str, placements: dict) -> None:
    """Seat ``name`` in the room folder with these placements saved, as the room sort would."""
    (room / name).mkdir(exist_ok=True)
    path = answers.path_for(exercise, room / name)
    answers.write(path, answers.Answers(exercise, placements))

"""The README's run command starts JupyterLab and serves the course on loopback."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT
from lab import free_port

pytestmark = pytest.mark.slow


def test_course_command_serves_the_first_notebook(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    log_path = tmp_path / "lab.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(ROOT / "scripts" / "course"),
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)},
    )
    url = f"http://127.0.0.1:{port}/api/contents/course/01-start-here.ipynb"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    body = json.load(response)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "JupyterLab exited:\n" + log_path.read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 180 s"
                time.sleep(0.5)
        settings = "/lab/api/settings/@jupyterlab/apputils-extension:notification"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{settings}", headers={"Authorization": f"token {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            schema = json.load(response)["schema"]
        # overrides.json from the set-up becomes the setting's default.
        assert schema["properties"]["fetchNews"]["default"] == "false", "news pop-up is on"
        assert body["type"] == "notebook"
        assert body["content"]["cells"][0]["source"].startswith("# 1. Start here")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

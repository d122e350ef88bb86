"""The README's run command: JupyterLab serves the learner's working copy on loopback,
with nbgrader's assignment list and Validate and without its instructor tools."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT
from lab import chromium, server_url

pytestmark = pytest.mark.slow

INSTRUCTOR_COMMANDS = [
    "nbgrader:open-formgrader",
    "nbgrader:open-course-list",
    "nbgrader:open-create-assignment",
]
LEARNER_COMMANDS = ["nbgrader:open-assignment-list"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("course-command")
    token = secrets.token_hex(16)
    work = tmp / "work"
    log_path = tmp / "lab.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(ROOT / "scripts" / "course"),
            "--no-browser",
            "--port=0",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp), "PRODUCT_ROLES_WORK": str(work)},
    )
    try:
        deadline = time.monotonic() + 180
        url = server_url(tmp, server, deadline, log_path)
        while True:
            try:
                get(url, token, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "JupyterLab exited:\n" + log_path.read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 180 s"
                time.sleep(0.5)
        yield url, token, work, log_path
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def get(url: str, token: str, path: str) -> bytes:
    request = urllib.request.Request(url + path, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def status(url: str, token: str, path: str) -> int:
    try:
        get(url, token, path)
    except urllib.error.HTTPError as err:
        return err.code
    return 200


def test_serves_the_learners_working_copy_not_the_tracked_course(course):
    url, token, work, log_path = course
    body = json.loads(get(url, token, "/api/contents/01-start-here.ipynb"))
    assert body["type"] == "notebook"
    assert body["content"]["cells"][0]["source"].startswith("# 1. Start here")
    assert (work / "01-start-here.ipynb").exists()
    assert (work / "assignments" / "traditional-divide" / "traditional-divide.ipynb").exists()
    # The server's root is the working copy: the tracked course is not even reachable.
    assert status(url, token, "/api/contents/course/01-start-here.ipynb") == 404
    assert "Your working copy is" in log_path.read_text()


def test_the_news_pop_up_is_off(course):
    url, token, _, _ = course
    settings = "/lab/api/settings/@jupyterlab/apputils-extension:notification"
    schema = json.loads(get(url, token, settings))["schema"]
    # overrides.json from the set-up becomes the setting's default.
    assert schema["properties"]["fetchNews"]["default"] == "false", "news pop-up is on"


def test_instructor_tools_are_off_and_learner_tools_on_in_the_server(course):
    url, token, _, _ = course
    assert status(url, token, "/formgrader") == 404
    # The assignment list's handler is there (it wants a query, hence not 200).
    assert status(url, token, "/assignments") != 404
    page = get(url, token, "/lab").decode()
    config = json.loads(
        re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.DOTALL)[1]
    )
    disabled = set(config["disabledExtensions"])
    assert {
        "@jupyter/nbgrader:formgrader",
        "@jupyter/nbgrader:create-assignment",
        "@jupyter/nbgrader:course-list",
    } <= disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled


@pytest.fixture(scope="module")
def browser_context():
    """One Chromium for both front ends' pages (a launch costs seconds)."""
    with chromium(viewport={"width": 1280, "height": 800}) as context:
        yield context


@pytest.mark.browser
@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_the_learner_sees_the_assignment_list_and_validate_only(course, browser_context, app):
    url, token, _, _ = course
    address = (
        f"{url}/lab/tree/01-start-here.ipynb?token={token}"
        if app == "lab"
        else f"{url}/notebooks/01-start-here.ipynb?token={token}"
    )
    page = browser_context.new_page()
    try:
        page.goto(address)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        # The notebook toolbar's Validate button comes from nbgrader's learner plugin.
        page.wait_for_selector(".validate-button, button:has-text('Validate')", timeout=60_000)
        commands = page.evaluate(
            "(ids) => ids.map(id => window.jupyterapp.commands.hasCommand(id))",
            INSTRUCTOR_COMMANDS + LEARNER_COMMANDS,
        )
        assert commands == [False] * len(INSTRUCTOR_COMMANDS) + [True] * len(LEARNER_COMMANDS)
        menu = page.locator(".lm-MenuBar-item", has_text="Nbgrader")
        if menu.count():
            menu.click()
            items = page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel").all_inner_texts()
            page.keyboard.press("Escape")
            assert not {"Formgrader", "Course List", "Create Assignment"} & set(items), items
    finally:
        page.close()

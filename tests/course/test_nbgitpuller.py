"""Handing the course out on a hub with nbgitpuller (the workshop extra): the link's
endpoints answer in the course's JupyterLab, the first pull clones the course, and a
later pull brings the course's changes while keeping the learner's."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request

import nbformat
import pytest

from conftest import ROOT
from lab import jupyterlab

pytestmark = pytest.mark.slow


def git(*args: str, cwd) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Course", "-c", "user.email=course@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def pull(lab, repo, target: str) -> list[dict]:
    """Run one nbgitpuller pull through its server API; return its progress events."""
    query = urllib.parse.urlencode({"repo": repo, "branch": "main", "targetpath": target})
    request = urllib.request.Request(
        f"{lab.url}/git-pull/api?{query}", headers={"Authorization": f"token {lab.token}"}
    )
    events = []
    with urllib.request.urlopen(request, timeout=120) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("phase") in ("finished", "error"):
                    break
    assert events, events
    assert events[-1]["phase"] == "finished", events
    return events


@pytest.fixture
def upstream(tmp_path):
    """A course repository as a facilitator publishes it (only course/ is needed here)."""
    work = tmp_path / "upstream-work"
    shutil.copytree(ROOT / "course", work / "course")
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "The course", cwd=work)
    return work


def test_a_pull_link_clones_the_course_and_a_later_pull_keeps_the_learners_work(tmp_path, upstream):
    home = tmp_path / "home"
    home.mkdir()
    with jupyterlab(home, tmp_path / "state") as lab:
        # The link a facilitator hands out: the UI page answers for it.
        link = urllib.parse.urlencode(
            {
                "repo": upstream.as_uri(),
                "branch": "main",
                "urlpath": "lab/tree/course-repo/course/01-start-here.ipynb",
                "targetpath": "course-repo",
            }
        )
        request = urllib.request.Request(
            f"{lab.url}/git-pull?{link}", headers={"Authorization": f"token {lab.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as page:
            assert page.status == 200
        pull(lab, upstream.as_uri(), "course-repo")
        first = home / "course-repo" / "course" / "01-start-here.ipynb"
        assert first.exists()
        # The learner writes in notebook 1; the course changes notebook 2.
        mine = nbformat.read(first, as_version=4)
        mine.cells.append(nbformat.v4.new_markdown_cell("My own reflection"))
        nbformat.write(mine, first)
        second = upstream / "course" / "02-inward-and-outward.ipynb"
        theirs = nbformat.read(second, as_version=4)
        theirs.cells.append(nbformat.v4.new_markdown_cell("A new section of the course"))
        nbformat.write(theirs, second)
        git("commit", "--quiet", "-am", "Notebook 2 grows", cwd=upstream)
        pull(lab, upstream.as_uri(), "course-repo")
    kept = nbformat.read(first, as_version=4)
    assert kept.cells[-1].source == "My own reflection"
    updated = nbformat.read(home / "course-repo" / "course" / second.name, as_version=4)
    assert updated.cells[-1].source == "A new section of the course"

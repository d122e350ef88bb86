"""The course's exchange: named by its configuration, checked before a release, never widened.

The release command makes the course's own exchange (inside the course folder, for
this account only) and refuses a missing or unwritable one with the fix; nbgrader's
own release, under the course's configuration, neither creates an exchange nor
changes its mode. The round trip through the exchange the release made is in
test_instructor_cli.py.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, nbgrader, tool_env
from product_roles.instructor import exchange
from product_roles.instructor.course import load_config
from product_roles.instructor.nbgrader_cli import generate_assignment

ASSIGNMENT = "traditional-divide"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def course_with_config(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    return course


def test_the_configuration_names_the_exchange_inside_the_course_or_from_the_environment(
    tmp_path, monkeypatch
):
    course = course_with_config(tmp_path)
    monkeypatch.delenv(exchange.ENV, raising=False)
    assert exchange.exchange_root(course) == course / "nbgrader-exchange"
    shared = tmp_path / "srv" / "exchange"
    monkeypatch.setenv(exchange.ENV, str(shared))
    assert exchange.exchange_root(course) == shared
    # What nbgrader itself reads, through the course's nbgrader_config.py.
    config = load_config(course)
    assert config.Exchange.root == str(shared)
    from product_roles.instructor.exchange_release import ReleaseToCourseExchange

    assert config.ExchangeFactory.release_assignment is ReleaseToCourseExchange


def test_the_course_exchange_is_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert f"/{exchange.IN_COURSE}/" in ignored


def test_the_course_exchange_is_made_for_this_account_only(tmp_path):
    course = course_with_config(tmp_path)
    root = course / exchange.IN_COURSE
    old = os.umask(0)  # the most permissive umask must not widen it
    try:
        done, problem = exchange.prepare(root, course)
    finally:
        os.umask(old)
    assert problem == ""
    assert "created the exchange" in done
    assert root.is_dir()
    assert mode(root) == 0o700
    assert exchange.prepare(root, course) == ("", ""), "made once"


def test_a_missing_shared_exchange_is_refused_with_the_fix(tmp_path):
    course = course_with_config(tmp_path)
    shared = tmp_path / "srv" / "exchange"
    done, problem = exchange.prepare(shared, course)
    assert done == ""
    assert not shared.exists()
    assert f"There is no exchange at {shared}" in problem
    assert "sudo install -d -m 3770 -g STUDENTS" in problem
    assert exchange.ENV in problem
    (tmp_path / "afile").write_text("")
    assert "is not a folder" in exchange.problem(tmp_path / "afile")


def problem_as(uid: int | None, root: Path) -> str:
    """``exchange.problem(root)`` as seen by the account ``uid`` (this one when None)."""
    if uid is None:
        return exchange.problem(root)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child drops to ``uid`` and sends back what it found
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.write(write, exchange.problem(root).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as stream:
        said = stream.read()
    os.waitpid(child, 0)
    return said


def test_an_exchange_this_account_cannot_write_to_is_refused_with_the_fix():
    """Checked as an account without write access: nobody, when the tests run as root."""
    top = Path(tempfile.mkdtemp(prefix="exchange-", dir="/tmp"))
    try:
        top.chmod(0o755)
        root = top / "exchange"
        root.mkdir()
        other = 65534 if os.geteuid() == 0 else None
        root.chmod(0o755 if other else 0o555)  # not writable by the account that checks
        said = problem_as(other, root)
        assert said.startswith(f"This account cannot write to the exchange {root}"), said
        assert "Join its group" in said
        assert "chmod 3770" in said
        assert exchange.ENV in said
        root.chmod(0o777)
        assert problem_as(other, root) == ""
    finally:
        shutil.rmtree(top)


@pytest.mark.slow
def test_nbgrader_under_the_course_config_neither_makes_nor_widens_the_exchange(tmp_path):
    course = course_with_config(tmp_path)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    # Generated in this process: nbgrader's own release_assignment is what is tested.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", tool_env()["PATH"])  # nbgrader runs alembic by name
        generate_assignment(ASSIGNMENT, cwd=course)
    shared = tmp_path / "shared"
    refused = nbgrader(
        "release_assignment",
        ASSIGNMENT,
        cwd=course,
        check=False,
        PRODUCT_ROLES_EXCHANGE=str(shared),
    )
    assert refused.returncode != 0
    assert f"There is no exchange at {shared}" in refused.stdout + refused.stderr
    assert not shared.exists(), "nbgrader made no exchange"
    shared.mkdir()
    shared.chmod(0o3770)  # a group's exchange, as the instructor guide makes it
    nbgrader("release_assignment", ASSIGNMENT, cwd=course, PRODUCT_ROLES_EXCHANGE=str(shared))
    assert mode(shared) == 0o3770, "nbgrader's own release would have set 0777"
    assert (shared / "product-roles" / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

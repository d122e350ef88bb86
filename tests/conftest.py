"""Shared helpers: the repository's paths and running nbgrader as an instructor would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for nbgrader and jupyter: the venv's bin/ first (alembic is found there)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def nbgrader(*args: str, cwd: Path, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run an nbgrader command; on failure, show its whole output in the assertion."""
    result = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        check=False,
        cwd=cwd,
        env=tool_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, (
            f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def product_roles_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run a ``product-roles`` command as an instructor would; the caller checks the result."""
    return subprocess.run(
        [str(BIN / "product-roles"), *args],
        cwd=cwd,
        env=tool_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assignments() -> list[str]:
    return sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


def make_course(tmp: Path) -> Path:
    """A scratch nbgrader course built from the repository's config and source tree."""
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(tmp / 'exchange')!r}\n")
    (tmp / "exchange").mkdir()
    return course


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# The modules that take longest (measured with --durations). Under pytest-xdist they
# are handed out first, so none of them is left running alone at the end while the
# other workers idle. Order only: no test depends on it.
LONGEST_FIRST = (
    "instructor/test_red_team.py",
    "instructor/test_feedback_hides_tests.py",
    "instructor/test_deal_roundtrip.py",
    "workshop/test_workshop_hub.py",
    "instructor/test_instructor_cli.py",
    "instructor/test_parallel_grading.py",
    "instructor/test_nbgrader_roundtrip.py",
    "instructor/test_export.py",
    "publish/test_slides.py",
    "workshop/test_dashboard_voila.py",
    "workshop/test_tljh_style_hub.py",
    "ui/test_browser_keys.py",
    "instructor/test_exchange.py",
    "instructor/test_sandbox.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    tests = ROOT / "tests"
    # A stable sort: within a module, and among the modules not listed, order is kept.
    items.sort(key=lambda item: rank.get(item.path.relative_to(tests).as_posix(), len(rank)))

"""The package's layers hold: import-linter keeps the rule, and the bottom stays light."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import BIN, ROOT

LIGHT = """
import json, sys
import {module}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""
HEAVY = ("anywidget", "ipywidgets", "plotly", "yaml", "traitlets", "IPython")


def loaded_by(module: str) -> list[str]:
    code = LIGHT.format(module=module, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("module", ["product_roles.grading", "product_roles", "product_roles.cli"])
def test_the_hidden_test_api_and_the_command_line_load_no_widget_library(module):
    assert loaded_by(module) == []


def test_top_level_names_still_load_on_first_use():
    code = "import product_roles as p; print(p.CardSort.__module__, p.load().roles[0].id)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["product_roles.ui.cardsort", "PO"]


def lint_imports(package_parent, *, cwd):
    """Run import-linter on the package found under ``package_parent``."""
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(package_parent), "PATH": str(BIN)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copy_of_the_package(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(
        ROOT / "widgets" / "product_roles",
        tmp_path / "src" / "product_roles",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path


def test_the_contracts_hold_on_the_package(copy_of_the_package):
    result = lint_imports(copy_of_the_package / "src", cwd=copy_of_the_package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A layer reaching up: scoring would pull the widgets into every hidden test.
        ("grading/scoring.py", "from product_roles.ui import cardsort", "Layers"),
        ("content/catalogue.py", "import product_roles.charts.figures", "Layers"),
        # The grader drawing a widget.
        ("instructor/keys.py", "import ipywidgets", "Grading never imports"),
        # The bottom layer reading YAML itself.
        ("grading/answers.py", "import yaml", "The hidden-test API needs"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(copy_of_the_package, module, line, broken):
    path = copy_of_the_package / "src" / "product_roles" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint_imports(copy_of_the_package / "src", cwd=copy_of_the_package)
    assert result.returncode != 0, result.stdout
    assert f"{broken}" in result.stdout, result.stdout
    assert "BROKEN" in result.stdout, result.stdout

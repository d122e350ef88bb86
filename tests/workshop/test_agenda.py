"""The workshop agendas follow the notebooks' own times, and the guide shows them as they are."""

from __future__ import annotations

import shutil
import subprocess

import nbformat
import pytest
import yaml

from conftest import ROOT
from product_roles.workshop import agenda

PLANS = yaml.safe_load((ROOT / "workshop" / "agendas.yaml").read_text(encoding="utf-8"))
GUIDE = ROOT / "docs" / "facilitator-guide.md"


def derived(root=ROOT):
    course = agenda.modules(root / "course")
    sort = agenda.sort_minutes(root / "workshop" / "room-sort.ipynb")
    return course, sort


def test_the_guides_agendas_match_the_notebooks():
    course, sort = derived()
    guide = GUIDE.read_text(encoding="utf-8")
    assert agenda.render_guide(guide, PLANS, course, sort) == guide, (
        "docs/facilitator-guide.md disagrees with the notebooks' times: run workshop/agenda --write"
    )


def test_each_agenda_places_every_module_once_and_the_half_day_fits():
    course, sort = derived()
    agenda.check_plan(PLANS, course, sort)
    half = agenda.rows(PLANS["half-day"], course, sort)
    assert sum(r.length for r in half) <= 180
    homework = PLANS["half-day"]["homework"]["modules"]
    assert homework
    assert not set(homework) & {item.get("module") for item in PLANS["half-day"]["items"]}
    full = {item["module"] for item in PLANS["full-day"]["items"] if "module" in item}
    assert full == set(course)


def test_the_minutes_come_from_the_notebooks(tmp_path):
    shutil.copytree(ROOT / "course", tmp_path / "course")
    (tmp_path / "workshop").mkdir()
    shutil.copy(ROOT / "workshop" / "room-sort.ipynb", tmp_path / "workshop")
    before = agenda.markdown(PLANS["full-day"], *derived(tmp_path))
    path = min((tmp_path / "course").glob("02-*.ipynb"))
    notebook = nbformat.read(path, as_version=4)
    teaching = agenda.modules(tmp_path / "course")[2].teaching
    first = notebook.cells[0]
    first.source = agenda.MODULE_TIME.sub(
        lambda m: (
            f"**Time**: {int(m.group(1)) + 7} minutes teaching, {m.group(2)} minutes exercises"
        ),
        first.source,
    )
    nbformat.write(notebook, path)
    course, sort = derived(tmp_path)
    assert course[2].teaching == teaching + 7
    after = agenda.markdown(PLANS["full-day"], course, sort)
    assert after != before
    # Module 2 grew by seven minutes, and the close starts seven minutes later.
    old = agenda.rows(PLANS["full-day"], derived()[0], sort)
    new = agenda.rows(PLANS["full-day"], course, sort)
    assert [r.length for r in new][1] == [r.length for r in old][1] + 7
    assert new[-1].start == old[-1].start + 7
    big = {**PLANS["half-day"], "limit": 60}
    with pytest.raises(agenda.ContentError, match="do not fit"):
        agenda.check_plan({"half-day": big}, course, sort)


def test_the_documented_command_checks_the_guide(tmp_path):
    result = subprocess.run(
        [str(ROOT / "workshop" / "agenda"), "--check"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Room sort, part 1" in result.stdout

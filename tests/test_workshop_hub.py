"""The workshop hub: two participants log in, sort cards, and the dashboard sees both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from hub_driver import ADMIN_PASSWORD, CONFIG, Participant, workshop_hub
from product_roles.room_dashboard import AI_ERA, TRADITIONAL, Dashboard

pytestmark = pytest.mark.slow

COURSE_LIST = """
from nbgrader.apps import NbGrader
from nbgrader.auth import Authenticator
app = NbGrader()
app.initialize([])
auth = Authenticator(parent=app)
print(type(auth.plugin).__name__, sorted(auth.get_student_courses("*")))
"""

# What each participant does after running the room-sort notebook's cells.
MOVES = {
    "bob": ['before_ai.place("order-backlog", "PO")', 'with_ai.place("order-backlog", "PM")'],
    "cy": ['before_ai.place("order-backlog", "PM")', 'with_ai.place("order-backlog", "PM")'],
}


def test_two_participants_sort_and_the_dashboard_sees_both(tmp_path):
    state = tmp_path / "state"
    with workshop_hub(state) as (hub, startup):
        print(f"hub start-up: {startup:.1f} s")
        with pytest.raises(PermissionError):
            Participant(hub, "mallory", password="not-the-password")
        with pytest.raises(PermissionError):  # a facilitator needs the facilitators' password
            Participant(hub, "ana")
        assert "formgrade-product-roles" in Participant(hub, "ana", ADMIN_PASSWORD).groups()

        for name, moves in MOVES.items():
            person = Participant(hub, name)
            print(f"{name}'s server ready in {person.start_server():.1f} s")
            assert person.groups() == ["nbgrader-product-roles"]
            sort = person.notebook("room-sort.ipynb")  # put there by the hub, from course/
            cells = [c["source"] for c in sort["cells"] if c["cell_type"] == "code"]
            printed = person.run([*cells, *moves, "print(seat)"])
            assert Path(printed.strip()).parent == state / "room"
        # nbgrader in a participant's server: the hub's course config, and the course list.
        assert person.run([COURSE_LIST]).split() == ["JupyterHubAuthPlugin", "['product-roles']"]

    seats = sorted(p.name for p in (state / "room").iterdir())
    assert len(seats) == 2 and not {"bob", "cy"} & set(seats)  # anonymous on disk too
    board = Dashboard.for_room(state / "room")
    assert board.refresh()
    before, after = board.rooms
    assert (before.size, after.size, before.skipped, after.skipped) == (2, 2, [], [])
    assert {s.placements["order-backlog"] for s in before.sorts} == {"PO", "PM"}
    assert board.figures()["shift"].data[0].x[0] == 50  # one of two moved the card
    assert before.exercise == TRADITIONAL and after.exercise == AI_ERA


def test_the_hub_refuses_to_start_without_a_room_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    env["WORKSHOP_STATE"] = str(tmp_path)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Set WORKSHOP_PASSWORD" in result.stdout + result.stderr

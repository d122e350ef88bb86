"""The course on a hub set up like The Littlest JupyterHub: separate accounts, on loopback.

The hub is tests/tljh_like_config.py (TLJH's accounts, groups and log-in) with the
course's file for TLJH, workshop/tljh/product-roles.py, and the room folder made by
the command docs/workshop-hub.md gives. Participants' sorts must reach the
facilitator's dashboard across accounts, and stay out of each other's reach.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from hub_driver import Participant, install_workshop_extra, workshop_hub
from product_roles.workshop.room import TRADITIONAL

pytestmark = pytest.mark.slow

PROBE = """
import json, os
def attempt(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "denied"
"""


def test_sorts_cross_accounts_to_the_facilitator_and_nowhere_else(tmp_path):
    install_workshop_extra()
    skel = Path(tempfile.mkdtemp(prefix="tljh-skel-"))
    skel.chmod(0o755)
    # As the docs say: the course notebooks and the room sort go in the skeleton home.
    for notebook in [
        *sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb")),
        ROOT / "workshop" / "room-sort.ipynb",
    ]:
        shutil.copy(notebook, skel)
    command = [
        sys.executable,
        "-m",
        "jupyterhub",
        "-f",
        str(ROOT / "tests" / "tljh_like_config.py"),
    ]
    users_group = f"tljh{skel.name[-6:].lower()}"
    env = {"TLJH_USERS_GROUP": users_group, "TLJH_SKEL": str(skel)}
    try:
        with workshop_hub(command=command, env=env, log=tmp_path / "hub.log") as hub:
            hub.extra["groups"] = [users_group]
            # The facilitator logs in first and so claims the admin name (TLJH's advice).
            ana = Participant(hub, "ana", password="ana-own-password-123", room_password=None)
            roles = {"bob": "PO", "cy": "PM"}
            people = {
                name: Participant(hub, name, password=f"{name}-own-password", room_password=None)
                for name in roles
            }
            Participant.start_servers([ana, *people.values()])  # they arrive together
            dashboard = hub.home("ana") / "dashboard.ipynb"
            shutil.copy(ROOT / "workshop" / "dashboard.ipynb", dashboard)  # the docs' step
            shutil.chown(dashboard, f"{hub.prefix}ana")

            def sort_the_room(name: str) -> Path:
                person = people[name]
                sort = person.notebook("room-sort.ipynb")
                cells = [c["source"] for c in sort["cells"] if c["cell_type"] == "code"]
                moves = [f'before_ai.place("order-backlog", "{roles[name]}")', "print(seat)"]
                return Path(person.run([*cells, *moves]).strip())

            with ThreadPoolExecutor(max_workers=len(roles)) as pool:
                seats = dict(zip(roles, pool.map(sort_the_room, roles), strict=True))

            counted = ana.run_json(
                "import json\n"
                "from product_roles.workshop.dashboard import Dashboard\n"
                "board = Dashboard.for_room()\n"
                "board.refresh()\n"
                "before, _ = board.rooms\n"
                "print(json.dumps([before.size, before.skipped,"
                " sorted(s.placements['order-backlog'] for s in before.sorts)]))"
            )
            assert counted == [2, [], ["PM", "PO"]]
            voila = ana.session.get(f"{hub.url}/user/ana/voila/render/dashboard.ipynb", timeout=120)
            assert voila.status_code == 200
            assert "jupyter-config-data" in voila.text

            theirs = seats["cy"] / f"{TRADITIONAL}.answers.json"
            seen = people["bob"].run_json(
                PROBE + "print(json.dumps({"
                f"'room': attempt(lambda: os.listdir({str(hub.room)!r})),"
                f"'cy home': attempt(lambda: os.listdir({str(hub.home('cy'))!r})),"
                f"'cy sort': attempt(lambda: open({str(theirs)!r}).read()),"
                f"'ana home': attempt(lambda: os.listdir({str(hub.home('ana'))!r})),"
                "}))"
            )
            assert seen == dict.fromkeys(("room", "cy home", "cy sort", "ana home"), "denied")
            with pytest.raises(PermissionError):
                Participant(hub, "bob", password="mallory-password", room_password=None)
    finally:
        shutil.rmtree(skel, ignore_errors=True)

"""The workshop hub keeps a room of strangers apart, tested from inside their servers.

Three participants (bob, cy, dee) and a facilitator (ana) log in to a hub started as a
facilitator starts it (``workshop/hub``, as root, on loopback). Each boundary is
tried with code run in a participant's kernel through the hub, as a participant could.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from hub_driver import (
    ADMIN_PASSWORD,
    CONFIG,
    PASSWORD,
    Participant,
    install_workshop_extra,
    workshop_hub,
)
from product_roles.workshop.room import TRADITIONAL

pytestmark = pytest.mark.slow

PARTICIPANTS = ("bob", "cy", "dee")

# Run in a participant's kernel: try something, say whether the system allowed it.
PROBE = """
import json, os, urllib.request, urllib.error
def attempt(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "denied"
    except urllib.error.HTTPError as err:
        return f"http {err.code}"
    except OSError as err:
        return type(err).__name__
def read(path):
    with open(path, "rb") as stream:
        return stream.read()
def http(url, token=None, method="GET"):
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"token {token}")
    return urllib.request.urlopen(request, timeout=30).read()
"""

COURSE_LIST = """
from nbgrader.apps import NbGrader
from nbgrader.auth import Authenticator
app = NbGrader()
app.initialize([])
auth = Authenticator(parent=app)
print(type(auth.plugin).__name__, sorted(auth.get_student_courses("*")))
"""

MOVES = {
    "bob": ['before_ai.place("order-backlog", "PO")', 'with_ai.place("order-backlog", "PM")'],
    "cy": ['before_ai.place("order-backlog", "PM")', 'with_ai.place("order-backlog", "PM")'],
    "dee": ['before_ai.place("order-backlog", "PO")', 'with_ai.place("order-backlog", "ENG")'],
}


def probe(person: Participant, checks: dict[str, str]) -> dict[str, str]:
    """Run ``{name: expression}`` in the person's kernel; return what each came to."""
    body = ", ".join(f"{name!r}: {expression}" for name, expression in checks.items())
    return person.run_json(PROBE + f"\nprint(json.dumps({{{body}}}))")


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """A hub with three participants who have each done the room sort, and a facilitator."""
    install_workshop_extra()
    log = tmp_path_factory.mktemp("hub") / "jupyterhub.log"
    with workshop_hub(log=log) as hub:
        print(f"hub start-up: {hub.startup:.1f} s")
        people = {
            name: Participant(hub, name, password=f"{name}-own-password") for name in PARTICIPANTS
        }
        people["ana"] = Participant(hub, "ana", ADMIN_PASSWORD, room_password=None)
        # The room arrives together: the four servers start at once.
        ready = Participant.start_servers(list(people.values()))
        for name, seconds in zip(people, ready, strict=True):
            print(f"{name}'s server ready in {seconds:.1f} s")

        def sort_the_room(name: str) -> None:
            person = people[name]
            sort = person.notebook("room-sort.ipynb")  # put in the home by the hub
            cells = [c["source"] for c in sort["cells"] if c["cell_type"] == "code"]
            person.seat = Path(person.run([*cells, *MOVES[name], "print(seat)"]).strip())

        with ThreadPoolExecutor(max_workers=len(PARTICIPANTS)) as pool:
            list(pool.map(sort_the_room, PARTICIPANTS))
        yield hub, people


def server_state(people, name: str) -> dict:
    """The hub's record of a server (the facilitator's user token is an admin's)."""
    user = people["ana"].api("GET", f"/hub/api/users/{name}").json()
    return user["servers"][""]["state"]


def test_each_name_runs_as_its_own_account_with_a_private_home(room):
    hub, people = room
    uids = set()
    for name in (*PARTICIPANTS, "ana"):
        seen = people[name].run_json(
            "import json, os, pwd, stat\n"
            "me = pwd.getpwuid(os.getuid())\n"
            "print(json.dumps([me.pw_name, os.getuid(), os.getcwd(),"
            " oct(stat.S_IMODE(os.stat(me.pw_dir).st_mode))]))"
        )
        assert seen == [f"{hub.prefix}{name}", seen[1], str(hub.home(name)), "0o700"]
        assert seen[1] != 0
        uids.add(seen[1])
    assert len(uids) == 4
    # The hub opens on module 1, as the agenda does.
    landed = people["bob"].session.get(f"{hub.url}/user/bob/", timeout=60)
    assert landed.url.endswith("/user/bob/lab/tree/01-start-here.ipynb")
    assert (hub.home("ana") / "dashboard.ipynb").is_file()
    assert not (hub.home("bob") / "dashboard.ipynb").exists()


def test_a_participant_cannot_enter_anothers_home(room):
    hub, people = room
    cy = hub.home("cy")
    seen = probe(
        people["bob"],
        {
            "list homes": f"attempt(lambda: os.listdir({str(cy.parent)!r}))",
            "list cy": f"attempt(lambda: os.listdir({str(cy)!r}))",
            "read cy": f"attempt(lambda: read({str(cy / '01-start-here.ipynb')!r}))",
            "read seat file": f"attempt(lambda: read({str(cy / '.product-roles-seat')!r}))",
            "write cy": f"attempt(lambda: open({str(cy / 'planted.txt')!r}, 'w'))",
        },
    )
    assert set(seen.values()) == {"denied"}, seen


def test_the_room_takes_seats_but_nobody_reads_anothers(room):
    hub, people = room
    bob, cy = people["bob"], people["cy"]
    mine = bob.seat / f"{TRADITIONAL}.answers.json"
    theirs = cy.seat / f"{TRADITIONAL}.answers.json"
    seen = probe(
        bob,
        {
            "list room": f"attempt(lambda: os.listdir({str(hub.room)!r}))",
            "read own": f"attempt(lambda: read({str(mine)!r}))",
            "list cy's seat": f"attempt(lambda: os.listdir({str(cy.seat)!r}))",
            "read cy's sort": f"attempt(lambda: read({str(theirs)!r}))",
            "overwrite cy's sort": f"attempt(lambda: open({str(theirs)!r}, 'w'))",
            "remove cy's seat": f"attempt(lambda: os.rename({str(cy.seat)!r}, {str(hub.room / 'x')!r}))",
            "new seat": f"attempt(lambda: os.mkdir({str(hub.room / 'bob-again')!r}))",
        },
    )
    assert seen == {
        "list room": "denied",
        "read own": "allowed",
        "list cy's seat": "denied",
        "read cy's sort": "denied",
        "overwrite cy's sort": "denied",
        "remove cy's seat": "denied",
        "new seat": "allowed",
    }
    assert oct(bob.seat.stat().st_mode & 0o7777) == "0o750"


def test_the_facilitator_reads_the_room_through_its_group_one_seat_per_account(room):
    hub, people = room
    # bob tries to sort twice, through a second seat folder of his own.
    second_ballot = (
        "from product_roles.grading import answers\n"
        f"ballot = answers.path_for({TRADITIONAL!r}, {str(hub.room / 'bob-again')!r})\n"
        f"answers.write(ballot, answers.Answers({TRADITIONAL!r}, {{'order-backlog': 'ENG'}}))"
    )
    people["bob"].run([second_ballot])
    counted = people["ana"].run_json(
        "import json\n"
        "from product_roles.workshop.dashboard import Dashboard\n"
        "board = Dashboard.for_room()\n"
        "board.refresh()\n"
        "before, after = board.rooms\n"
        "print(json.dumps([before.size, after.size, before.skipped, after.skipped,"
        " sorted(s.placements.get('order-backlog') for s in before.sorts),"
        " sorted(s.placements.get('order-backlog') for s in after.sorts)]))"
    )
    # The latest save per account counts: bob's second ballot replaces his first.
    assert counted == [3, 3, [], [], ["ENG", "PM", "PO"], ["ENG", "PM", "PM"]]


def test_secrets_are_out_of_every_participants_reach(room):
    hub, people = room
    hub_pid = hub.pid
    assert "jupyterhub" in Path(f"/proc/{hub_pid}/cmdline").read_text()
    ana_pid = server_state(people, "ana")["pid"]
    ana_env = dict(
        line.split("=", 1)
        for line in Path(f"/proc/{ana_pid}/environ").read_text().split("\0")
        if "=" in line
    )
    bob_pid = server_state(people, "bob")["pid"]
    bob_token = next(
        line.split("=", 1)[1]
        for line in Path(f"/proc/{bob_pid}/environ").read_text().split("\0")
        if line.startswith("JUPYTERHUB_API_TOKEN=")
    )
    secrets = {
        "bob's own token": bob_token,  # the control: bob may read his own server's
        "the facilitators' password": ADMIN_PASSWORD,
        "the facilitator's server token": ana_env["JUPYTERHUB_API_TOKEN"],
        "the cookie secret": (hub.state / "hub" / "jupyterhub_cookie_secret").read_text().strip(),
    }
    assert all(len(value) >= 16 for value in secrets.values())
    state = hub.state
    seen = probe(
        people["bob"],
        {
            "facilitator's environ": f"attempt(lambda: read('/proc/{ana_pid}/environ'))",
            "hub's environ": f"attempt(lambda: read('/proc/{hub_pid}/environ'))",
            "hub folder": f"attempt(lambda: os.listdir({str(state / 'hub')!r}))",
            "database": f"attempt(lambda: read({str(state / 'hub' / 'jupyterhub.sqlite')!r}))",
            "passwords": f"attempt(lambda: read({str(state / 'hub' / 'passwords.dbm')!r}))",
            "answer keys": f"attempt(lambda: os.listdir({str(ROOT / 'solutions')!r}))",
        },
    )
    assert set(seen.values()) == {"denied"}, seen
    # What bob can read: every process's command line and environment, every file under
    # the hub's folder, and the files of the machine's shared temporary folders (their
    # sub-folders belong to whoever made them). None of it holds a secret.
    found = people["bob"].run_json(
        "import json, os\n"
        f"secrets = {json.dumps(secrets)}\n"
        "hits = set()\n"
        "def look(path):\n"
        "    try:\n"
        "        with open(path, 'rb') as f: data = f.read(1_000_000)\n"
        "    except OSError: return\n"
        "    for what, value in secrets.items():\n"
        "        if value.encode() in data: hits.add(what + ' in ' + path)\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    look(f'/proc/{pid}/cmdline'); look(f'/proc/{pid}/environ')\n"
        f"for folder, _, files in os.walk({str(state)!r}):\n"
        "    for name in files: look(os.path.join(folder, name))\n"
        "for top in ('/tmp', '/dev/shm', '/var/tmp'):\n"
        "    for entry in os.scandir(top):\n"
        "        if entry.is_file(follow_symlinks=False): look(entry.path)\n"
        "print(json.dumps(sorted(hits)))"
    )
    assert found, found
    assert all(hit.startswith("bob's own token in /proc/") for hit in found), found


def test_nobody_can_take_a_claimed_or_reserved_name(room):
    hub, _ = room
    with pytest.raises(PermissionError):  # bob's name, the room password, another password
        Participant(hub, "bob", password="mallory-password")
    with pytest.raises(PermissionError):  # a facilitator's name is never claimed by first use
        Participant(hub, "ana", password="mallory-password")
    with pytest.raises(PermissionError):  # the facilitators' password works for them alone
        Participant(hub, "mallory", password=ADMIN_PASSWORD, room_password=None)
    with pytest.raises(PermissionError):  # a new name needs the room password
        Participant(hub, "mallory", password="mallory-password", room_password="a-guess-123")
    with pytest.raises(PermissionError):
        Participant(hub, "mallory", password="mallory-password", room_password=None)
    # bob himself gets back in with his own password, without the room password.
    assert Participant(hub, "bob", password="bob-own-password", room_password=None).groups()


def test_a_participants_server_token_opens_nothing_of_anothers(room):
    hub, people = room
    cy_runtime = hub.home("cy") / ".local" / "share" / "jupyter" / "runtime"
    cy_port = json.loads(next(cy_runtime.glob("jpserver-*.json")).read_text())["port"]
    api = f"{hub.url}/hub/api"
    seen = probe(
        people["bob"],
        {
            "list users": f"attempt(lambda: http({api + '/users'!r}, os.environ['JUPYTERHUB_API_TOKEN']))",
            "cy's token": f"attempt(lambda: http({api + '/users/cy/tokens'!r}, os.environ['JUPYTERHUB_API_TOKEN'], 'POST'))",
            "cy's files via hub": f"attempt(lambda: http({hub.url + '/user/cy/api/contents'!r}, os.environ['JUPYTERHUB_API_TOKEN']))",
            "cy's server direct": f"attempt(lambda: http('http://127.0.0.1:{cy_port}/user/cy/api/contents', os.environ['JUPYTERHUB_API_TOKEN']))",
            "dashboard": f"attempt(lambda: http({hub.url + '/services/dashboard/api/kernels'!r}, os.environ['JUPYTERHUB_API_TOKEN']))",
        },
    )
    assert all(re.fullmatch(r"http (401|403|404)", v) for v in seen.values()), seen
    # Not even the facilitator's own server token is an admin's.
    assert probe(
        people["ana"],
        {
            "list users": f"attempt(lambda: http({api + '/users'!r}, os.environ['JUPYTERHUB_API_TOKEN']))"
        },
    ) == {"list users": "http 403"}
    # bob's own user token, from his log-in, is refused on cy's server too.
    response = people["bob"].session.get(
        f"{hub.url}/user/cy/api/contents", headers=people["bob"].headers, timeout=30
    )
    assert response.status_code in (403, 404)


def test_only_facilitators_open_the_dashboard_service(room):
    hub, people = room
    ana = people["ana"].session.get(f"{hub.url}/services/dashboard/", timeout=120)
    assert ana.status_code == 200
    assert "/voila/render/dashboard.ipynb" in ana.url
    bob = people["bob"].session.get(f"{hub.url}/services/dashboard/", timeout=120)
    assert bob.status_code == 403
    account = people["ana"].api("GET", "/hub/api/services/dashboard").json()
    assert account["name"] == "dashboard"


def test_nbgrader_in_a_participants_server_lists_the_course(room):
    _, people = room
    assert people["bob"].groups() == ["nbgrader-product-roles"]
    assert "formgrade-product-roles" in people["ana"].groups()
    assert people["bob"].run([COURSE_LIST]).split() == ["JupyterHubAuthPlugin", "['product-roles']"]


def run_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_")}
    return subprocess.run(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_hub_refuses_to_start_without_its_passwords(tmp_path):
    result = run_config({"WORKSHOP_STATE": str(tmp_path)})
    assert result.returncode != 0
    assert "Set WORKSHOP_PASSWORD" in result.stdout + result.stderr
    result = run_config(
        {
            "WORKSHOP_STATE": str(tmp_path),
            "WORKSHOP_PASSWORD": PASSWORD,
            "WORKSHOP_FACILITATORS": "ana",
        }
    )
    assert result.returncode != 0
    assert "Set WORKSHOP_ADMIN_PASSWORD" in result.stdout + result.stderr
    assert not list(tmp_path.iterdir())  # nothing was created before the check


@pytest.mark.browser
def test_the_dashboard_service_shows_the_room_and_frees_closed_pages(room):
    from workshop_helpers import chromium_page

    hub, people = room
    ana = people["ana"]

    def kernels() -> int:
        return len(ana.api("GET", "/services/dashboard/api/kernels").json())

    def settle(expected: int) -> int:
        for _ in range(100):
            if (count := kernels()) == expected:
                break
            time.sleep(0.3)
        return count

    before = kernels()  # a page fetched without a browser (above) keeps its kernel a while
    outside: list[str] = []
    with chromium_page(outside) as page:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(f"{hub.url}/hub/login?next=/services/dashboard/")
        page.fill("#username_input", "ana")
        page.fill("#password_input", ADMIN_PASSWORD)
        page.click("#login_submit")
        page.wait_for_url("**/services/dashboard/**", timeout=120_000)
        status = page.get_by_role("status")
        status.wait_for(timeout=120_000)
        assert status.inner_text().startswith("3 traditional sorts and 3 AI-era sorts")
        assert settle(before + 1) == before + 1
        page.reload()
        page.get_by_role("status").wait_for(timeout=120_000)
        assert settle(before + 1) == before + 1  # the reloaded page's old kernel is gone
        page.goto("about:blank")
        assert settle(before) == before  # and a closed page frees its own
    assert outside == [], outside


def test_deleting_a_participant_frees_the_name_and_their_files(room):
    # Last in the file: the other tests count dee's sorts.
    hub, people = room
    dee = people["dee"]
    ana = people["ana"]
    ana.api("DELETE", "/hub/api/users/dee/server")
    ana.api("DELETE", "/hub/api/users/dee")
    assert not hub.home("dee").exists()
    assert not dee.seat.exists()
    newcomer = Participant(hub, "dee", password="another-person-password")
    assert newcomer.groups() == ["nbgrader-product-roles"]

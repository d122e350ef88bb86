"""Drive the workshop's JupyterHub as participants would: log in, start a server, run code.

Used by tests/workshop/test_workshop_hub.py, tests/workshop/test_tljh_style_hub.py and
benchmarks/hub_timings.py. The hub runs as root and creates real Unix accounts; every
account, group and folder a run creates carries a random prefix of its own and is
removed when the run ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from lab import free_port
from workshop_helpers import server, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "workshop" / "jupyterhub_config.py"
HUB_COMMAND = ROOT / "workshop" / "hub"
PASSWORD = "sort-the-cards"
# Drawn afresh in every run: the secrets test searches everything a participant can read
# for it, and a fixed value would turn up in any copy of this file.
ADMIN_PASSWORD = "facilitators-" + secrets.token_hex(12)
MARK = "product-roles workshop account"


@dataclass
class Hub:
    """A running hub: its public URL, folders and the names its accounts carry."""

    url: str
    startup: float
    state: Path
    prefix: str
    room_group: str
    dashboard_account: str
    log: Path
    pid: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def room(self) -> Path:
        return self.state / "room"

    def home(self, name: str) -> Path:
        return self.state / "homes" / f"{self.prefix}{name}"


def python_blockers() -> list[Path]:
    """Folders no ordinary account may enter on the way to this Python or the course."""
    import product_roles
    from product_roles.workshop import hub_accounts

    return hub_accounts.blocked_ancestors(
        [
            sys.executable,
            sys.prefix,
            sys.base_prefix,
            Path(product_roles.__file__).parent,
            ROOT / "workshop",
            ROOT / "node_modules",
        ]
    )


def in_open_view(command: list[str], scratch: Path) -> list[str]:
    """Run ``command`` in a private mount namespace where this Python can be run by anyone.

    On this kind of machine Python lives under /root (mode 0700), which a participant's
    account may not enter, so no user server could start. Inside the namespace each
    such folder is covered by an overlay of itself whose only change is ``o+x``:
    nothing on the machine changes, and the hub's state folder (outside them) is shared.
    """
    blocked = python_blockers()
    if not blocked:
        return command
    lines = ["set -e"]
    for index, folder in enumerate(blocked):
        upper, work = scratch / f"upper{index}", scratch / f"work{index}"
        upper.mkdir(parents=True)
        work.mkdir(parents=True)
        lines.append(
            f"mount -t overlay overlay -o lowerdir={folder},upperdir={upper},workdir={work}"
            f" {folder}"
        )
        lines.append(f"chmod o+x {folder}")
    lines.append('exec "$@"')
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        "\n".join(lines),
        "open-view",
        *command,
    ]


def install_workshop_extra() -> None:
    """Install the ``workshop`` extra once, outside any namespace (see in_open_view)."""
    result = subprocess.run(
        ["bash", "-c", f'source "{ROOT}/scripts/setup.sh" && setup_python workshop'],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@contextlib.contextmanager
def workshop_hub(
    facilitators: str = "ana",
    *,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[Hub]:
    """Start a hub on loopback as a facilitator would; remove all it created afterwards.

    ``command`` defaults to ``workshop/hub``, the documented start command, run with a
    PATH that does not hold the venv (it must find everything itself).
    """
    tag = secrets.token_hex(3)
    state = Path(tempfile.mkdtemp(prefix="workshop-hub-"))
    state.chmod(0o711)
    scratch = Path(tempfile.mkdtemp(prefix="workshop-view-"))
    log = log or scratch / "jupyterhub.log"
    port = free_port()
    hub = Hub(
        url=f"http://127.0.0.1:{port}",
        startup=0.0,
        state=state,
        prefix=f"t{tag}-",
        room_group=f"t{tag}room",
        dashboard_account=f"t{tag}dash",
        log=log,
    )
    settings = {
        "WORKSHOP_STATE": str(state),
        "WORKSHOP_PASSWORD": PASSWORD,
        "WORKSHOP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WORKSHOP_FACILITATORS": facilitators,
        "WORKSHOP_PORT": str(port),
        "WORKSHOP_HUB_PORT": str(free_port()),
        "WORKSHOP_PROXY_API_PORT": str(free_port()),
        "WORKSHOP_DASHBOARD_PORT": str(free_port()),
        "WORKSHOP_ACCOUNT_PREFIX": hub.prefix,
        "WORKSHOP_ROOM_GROUP": hub.room_group,
        "WORKSHOP_DASHBOARD_ACCOUNT": hub.dashboard_account,
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        **(env or {}),
    }
    args = in_open_view(command or [str(HUB_COMMAND)], scratch)
    try:
        started = time.monotonic()
        with server(args, log, **settings) as process:
            wait_for_http(f"{hub.url}/hub/api", process, log, timeout=300, ok_only=True)
            hub.startup = time.monotonic() - started
            hub.pid = process.pid  # unshare, sh and workshop/hub each exec the next
            yield hub
    finally:
        remove_accounts(hub)
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


def remove_accounts(hub: Hub) -> None:
    """Stop what the run's accounts still run, then delete the accounts and groups."""
    accounts = [
        a
        for a in pwd.getpwall()
        if a.pw_gecos == MARK
        and (a.pw_name.startswith(hub.prefix) or a.pw_name == hub.dashboard_account)
    ]
    uids = {a.pw_uid for a in accounts}
    for _ in range(50):
        left = [pid for pid, uid in processes() if uid in uids]
        if not left:
            break
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    for account in accounts:
        subprocess.run(["userdel", "--remove", account.pw_name], capture_output=True, check=False)
    for group in (hub.room_group, *hub.extra.get("groups", ())):
        subprocess.run(["groupdel", group], capture_output=True, check=False)


def processes() -> list[tuple[int, int]]:
    """(pid, real uid) of every process on the machine."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                found.append((int(entry.name), entry.stat().st_uid))
    return found


class Participant:
    """One person in the room: a logged-in browser session and an API token."""

    def __init__(
        self,
        hub: Hub | str,
        name: str,
        password: str = "my-own-password",
        room_password: str | None = PASSWORD,
    ) -> None:
        self.hub = hub.url if isinstance(hub, Hub) else hub
        self.name = name
        self.session = session = requests.Session()
        session.get(f"{self.hub}/hub/login", timeout=30)
        form = {"username": name, "password": password, "_xsrf": _xsrf(session)}
        if room_password is not None:
            form["otp"] = room_password
        response = session.post(
            f"{self.hub}/hub/login", data=form, allow_redirects=False, timeout=30
        )
        if response.status_code != 302:
            raise PermissionError(f"login as {name!r} refused ({response.status_code})")
        session.get(f"{self.hub}/hub/home", timeout=30)  # the session's own XSRF cookie
        response = session.post(
            f"{self.hub}/hub/api/users/{name}/tokens",
            json={"note": "workshop test", "expires_in": 3600},
            headers={"X-XSRFToken": _xsrf(session)},
            timeout=30,
        )
        response.raise_for_status()
        self.token = response.json()["token"]
        self.headers = {"Authorization": f"token {self.token}"}
        self.kernel: str | None = None  # the id of the kernel that run() uses

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(
            method, self.hub + path, headers=self.headers, timeout=60, **kwargs
        )
        response.raise_for_status()
        return response

    def start_server(self, timeout: float = 300) -> float:
        """Start this participant's server; return the seconds until it is ready."""
        started = time.monotonic()
        self.api("POST", f"/hub/api/users/{self.name}/server")
        while True:
            user = self.api("GET", f"/hub/api/users/{self.name}").json()
            if user["servers"].get("", {}).get("ready"):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{self.name}'s server was not ready in {timeout} s")
            time.sleep(0.25)

    @staticmethod
    def start_servers(people: list[Participant], timeout: float = 300) -> list[float]:
        """Start these participants' servers together, as a room arriving at once does;
        return each one's seconds until ready."""
        with ThreadPoolExecutor(max_workers=len(people)) as pool:
            return list(pool.map(lambda person: person.start_server(timeout), people))

    def groups(self) -> list[str]:
        return self.api("GET", f"/hub/api/users/{self.name}").json()["groups"]

    def notebook(self, path: str) -> dict:
        """A notebook from the participant's home, read through the contents API."""
        return self.api("GET", f"/user/{self.name}/api/contents/{path}").json()["content"]

    def run(self, cells: list[str]) -> str:
        """Run code cells in the participant's kernel; return what they print.

        The kernel is started in the participant's server on the first run and kept
        for the next ones, as a notebook's kernel is: each run's code stands on its
        own, and a kernel start costs seconds on a loaded machine.
        """
        if self.kernel is None:
            path = f"/user/{self.name}/api/kernels"
            self.kernel = self.api("POST", path, json={"name": "python3"}).json()["id"]
        return asyncio.run(self._execute(self.kernel, cells))

    def run_json(self, code: str) -> object:
        """Run code whose last line prints one JSON value; return that value."""
        return json.loads(self.run([code]).strip().splitlines()[-1])

    async def _execute(self, kernel_id: str, cells: list[str]) -> str:
        url = (
            f"{self.hub.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel_id}/channels"
        )
        socket = await websocket_connect(HTTPRequest(url, headers=self.headers))
        printed = []
        try:
            for code in cells:
                msg_id = uuid.uuid4().hex
                await socket.write_message(json.dumps(_execute_request(msg_id, code)))
                while True:
                    raw = await asyncio.wait_for(socket.read_message(), timeout=120)
                    if raw is None:
                        raise ConnectionError("the kernel's websocket closed")
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind, content = msg["msg_type"], msg["content"]
                    if kind == "stream":
                        printed.append(content["text"])
                    elif kind == "error":
                        raise RuntimeError(f"{content['ename']}: {content['evalue']}\n{code}")
                    elif kind == "status" and content["execution_state"] == "idle":
                        break
        finally:
            socket.close()
        return "".join(printed)


def _xsrf(session: requests.Session) -> str:
    values = [cookie.value for cookie in session.cookies if cookie.name == "_xsrf"]
    return values[-1]


def _execute_request(msg_id: str, code: str) -> dict:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "",
            "session": uuid.uuid4().hex,
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "channel": "shell",
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        "buffers": [],
    }

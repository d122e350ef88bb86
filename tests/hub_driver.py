"""Drive the workshop's JupyterHub as participants would: log in, start a server, run code.

Used by tests/test_workshop_hub.py and benchmarks/hub_timings.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from lab import free_port
from workshop_helpers import server, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "workshop" / "jupyterhub_config.py"
PASSWORD = "sort-the-cards"
ADMIN_PASSWORD = "facilitators-only-passphrase-0123456789"


@contextlib.contextmanager
def workshop_hub(state: Path, facilitators: str = "ana") -> Iterator[tuple[str, float]]:
    """Start the workshop hub on loopback; yield its URL and its start-up time in seconds."""
    port = free_port()
    env = {
        "WORKSHOP_STATE": str(state),
        "WORKSHOP_PASSWORD": PASSWORD,
        "WORKSHOP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WORKSHOP_FACILITATORS": facilitators,
        "WORKSHOP_PORT": str(port),
        "WORKSHOP_HUB_PORT": str(free_port()),
        "WORKSHOP_PROXY_API_PORT": str(free_port()),
    }
    state.mkdir(parents=True, exist_ok=True)
    log = state.parent / "jupyterhub.log"
    args = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)]
    started = time.monotonic()
    with server(args, log, **env) as hub:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/hub/api", hub, log, timeout=180, ok_only=True)
        yield url, time.monotonic() - started


class Participant:
    """One person in the room: a logged-in browser session and an API token."""

    def __init__(self, hub: str, name: str, password: str = PASSWORD) -> None:
        self.hub, self.name = hub, name
        session = requests.Session()
        session.get(f"{hub}/hub/login", timeout=30)
        response = session.post(
            f"{hub}/hub/login",
            data={"username": name, "password": password, "_xsrf": _xsrf(session)},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise PermissionError(f"login as {name!r} refused ({response.status_code})")
        session.get(f"{hub}/hub/home", timeout=30)  # the session's own XSRF cookie
        response = session.post(
            f"{hub}/hub/api/users/{name}/tokens",
            json={"note": "workshop test", "expires_in": 3600},
            headers={"X-XSRFToken": _xsrf(session)},
            timeout=30,
        )
        response.raise_for_status()
        self.headers = {"Authorization": f"token {response.json()['token']}"}

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

    def groups(self) -> list[str]:
        return self.api("GET", f"/hub/api/users/{self.name}").json()["groups"]

    def notebook(self, path: str) -> dict:
        """A notebook from the participant's home, read through the contents API."""
        return self.api("GET", f"/user/{self.name}/api/contents/{path}").json()["content"]

    def run(self, cells: list[str]) -> str:
        """Run code cells in a fresh kernel of the participant's server; return what they print."""
        kernel = self.api("POST", f"/user/{self.name}/api/kernels", json={"name": "python3"}).json()
        try:
            return asyncio.run(self._execute(kernel["id"], cells))
        finally:
            self.api("DELETE", f"/user/{self.name}/api/kernels/{kernel['id']}")

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

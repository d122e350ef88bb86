"""The class dashboard runs as a Voila page on loopback and redraws when answers arrive."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from lab import free_port
from product_roles import answers
from product_roles.room_dashboard import AI_ERA, TRADITIONAL
from workshop_helpers import chromium_page, server, wait_for_http

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def sit(room: Path, name: str, exercise: str, placements: dict) -> None:
    (room / name).mkdir(exist_ok=True)
    path = answers.path_for(exercise, room / name)
    answers.write(path, answers.Answers(exercise, placements))


def test_voila_serves_the_dashboard_and_it_follows_the_room(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    sit(room, "seat-a", TRADITIONAL, {"order-backlog": "PO", "write-code": "ENG"})
    sit(room, "seat-b", TRADITIONAL, {"order-backlog": "PM", "write-code": "ENG"})
    sit(room, "seat-b", AI_ERA, {"order-backlog": "PM", "write-code": "ENG"})
    (room / "seat-c").mkdir()
    (room / "seat-c" / f"{TRADITIONAL}.answers.json").write_text("{broken")
    port, log = free_port(), tmp_path / "voila.log"
    args = [str(ROOT / "workshop" / "dashboard"), f"--port={port}", "--Voila.ip=127.0.0.1"]
    outside: list[str] = []
    env = {
        "PRODUCT_ROLES_ROOM": str(room),
        "JUPYTER_RUNTIME_DIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    with server(args, log, **env) as voila:
        wait_for_http(f"http://127.0.0.1:{port}/", voila, log)
        with chromium_page(outside) as page:
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            status = page.get_by_role("status")
            status.wait_for(timeout=120_000)
            assert status.inner_text() == (
                "2 traditional sorts and 1 AI-era sort in the room; 1 unreadable file skipped"
            )
            page.locator(".js-plotly-plot").nth(3).wait_for(timeout=60_000)
            titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
            assert [t.split(" ")[0] for t in titles] == ["Agreement", "Where", "The", "The"]
            # Both seats split on ordering the backlog: it is the one card in the split view.
            split_cards = (
                page.locator(".js-plotly-plot").nth(1).locator(".ytick").all_text_contents()
            )
            assert split_cards == ["Put the list of upcoming work in order, most valuable first"]
            page.screenshot(path=str(tmp_path / "dashboard.png"))

            # A participant moves a card: the page follows without a reload.
            sit(room, "seat-d", TRADITIONAL, {"order-backlog": "PO"})
            page.wait_for_function(
                "() => document.querySelector('[role=status]').innerText.startsWith('3 traditional')",
                timeout=60_000,
            )
    assert outside == [], f"requests left the machine: {outside}"

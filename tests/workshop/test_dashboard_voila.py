"""The class dashboard as a Voila page: it follows the room, fits a 1280 x 720 projector,
says everything on its bars, and frees its kernel when the page is reloaded or closed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import ROOT
from lab import free_port
from product_roles.workshop.room import AI_ERA, TRADITIONAL
from workshop_helpers import chromium_page, server, sit, wait_for_http

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def kernels(parent: int) -> int:
    """How many kernel processes ``parent`` (the Voila server) runs."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmdline = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"ipykernel" in cmdline:
            count += 1
    return count


def wait_for_kernels(parent: int, expected: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while (count := kernels(parent)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return count


def test_voila_serves_the_dashboard_and_it_follows_the_room(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    sit(room, "seat-a", TRADITIONAL, {"order-backlog": "PO", "write-code": "ENG"})
    sit(room, "seat-b", TRADITIONAL, {"order-backlog": "PM", "write-code": "ENG"})
    sit(room, "seat-b", AI_ERA, {"order-backlog": "PM", "write-code": "ENG"})
    (room / "seat-c").mkdir()
    (room / "seat-c" / f"{TRADITIONAL}.answers.json").write_text("{broken")
    port, log = free_port(), tmp_path / "voila.log"
    # The documented command, with no venv on PATH: it must find Voila itself.
    args = [str(ROOT / "workshop" / "dashboard"), f"--port={port}"]
    outside: list[str] = []
    env = {
        "PRODUCT_ROLES_ROOM": str(room),
        "JUPYTER_RUNTIME_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    url = f"http://127.0.0.1:{port}/"
    with server(args, log, **env) as voila:
        wait_for_http(f"{url}api", voila, log, timeout=300)  # a 404 that starts no kernel
        assert kernels(voila.pid) == 0
        with chromium_page(outside) as page:
            page.set_viewport_size({"width": 1280, "height": 720})
            page.goto(url, timeout=120_000)
            status = page.get_by_role("status")
            status.wait_for(timeout=120_000)
            assert status.inner_text() == (
                "2 traditional sorts and 1 AI-era sort in the room; 1 unreadable file skipped"
            )
            plots = page.locator(".js-plotly-plot")
            plots.nth(3).wait_for(timeout=60_000)
            titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
            assert [t.split(" ")[0] for t in titles] == ["Agreement", "Where", "The", "The"]
            # Both seats split on ordering the backlog: it is the one card in the split view.
            split_cards = plots.nth(1).locator(".ytick").all_text_contents()
            assert split_cards == ["Put the list of upcoming work in order,most valuable first"]
            for index in range(4):
                plot = plots.nth(index)
                # The drawing itself, not only its container, spans the page.
                box = plot.locator(".main-svg").first.bounding_box()
                assert box["width"] >= 1100, (index, box)
                assert box["height"] <= 720, (index, box)
                assert len(plot.locator(".legend .traces").all()) >= 2, f"view {index}: legend"
                sizes = plot.locator(".ytick text").evaluate_all(
                    "(ticks) => ticks.map((t) => parseFloat(getComputedStyle(t).fontSize))"
                )
                assert sizes, (index, sizes)
                assert min(sizes) >= 18, (index, sizes)
            # The reference is written on the bars, not only in a hover.
            written = plots.nth(2).locator(".bartext").all_text_contents()
            assert "50% · reference: Product Owner" in written, written
            page.screenshot(path=str(tmp_path / "dashboard.png"))

            # A participant moves a card: the page follows without a reload.
            sit(room, "seat-d", TRADITIONAL, {"order-backlog": "PO"})
            page.wait_for_function(
                "() => document.querySelector('[role=status]').innerText.startsWith('3 traditional')",
                timeout=60_000,
            )
            assert wait_for_kernels(voila.pid, 1) == 1
            page.reload()
            page.get_by_role("status").wait_for(timeout=120_000)
            assert wait_for_kernels(voila.pid, 1) == 1  # the old page's kernel is gone
            page.goto("about:blank")
            assert wait_for_kernels(voila.pid, 0) == 0  # and a closed page frees its own
    assert outside == [], f"requests left the machine: {outside}"

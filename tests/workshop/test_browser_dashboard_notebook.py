"""The class dashboard as a notebook in JupyterLab, at a 1280 x 720 projector's size.

Laid out as the notebook tells the facilitator to (file browser hidden, simple
interface), each view is drawn across the notebook, with bars tall enough to read,
axis and legend text at the documented 18 px, and nothing cut off or on top of
anything else. As JupyterLab first opens it, with the file browser beside it, the
views are drawn for the narrower notebook, and they follow it when the file browser
goes. At that width (about 850 px) the sentences written after the bars of the last
two views run past the chart's edge: they need the width the notebook asks for.

The Voila page is tested in ``test_dashboard_voila.py``.
"""

from __future__ import annotations

import itertools
import shutil

import pytest

from conftest import ROOT
from lab import chromium, open_notebook, run_all_cells, shared_lab
from product_roles.workshop.room import AI_ERA, ROOM_CARDS, TRADITIONAL
from product_roles.workshop.room_charts import FONT
from workshop_helpers import sit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1280, "height": 720}
# Four seats that agree on some cards and split on others, so that every view has rows.
SEATS = {
    "seat-a": ["PO", "PO", "PO", "PO", "PO", "PM", "PM", "PM", "PM", "PM", "ENG", "ENG"],
    "seat-b": ["PO", "PO", "PM", "PO", "PO", "PM", "PO", "PM", "PM", "PM", "ENG", "ENG"],
    "seat-c": ["PM", "ENG", "PO", "PO", "ENG", "PM", "PO", "PM", "PM", "PO", "TEAM", "ENG"],
    "seat-d": ["PM", "ENG", "PO", "PO", "PO", "PO", "PM", "PM", "PO", "PO", "ENG", "ENG"],
}
LAYOUTS = {
    # How JupyterLab opens the notebook.
    "file browser open": {"file_browser": True, "simple": False},
    # What the notebook tells the facilitator to do before projecting it.
    "file browser hidden, simple interface": {"file_browser": False, "simple": True},
}
PROJECTED = "file browser hidden, simple interface"

MEASURE = """(plot) => {
    const box = (el) => { const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                width: r.width, height: r.height}; };
    const sizes = (selector) => [...plot.querySelectorAll(selector)]
        .filter((t) => t.textContent.trim())
        .map((t) => parseFloat(getComputedStyle(t).fontSize));
    const svg = plot.querySelector('.main-svg');
    const notebook = plot.closest('.jp-Notebook');
    const texts = [...plot.querySelectorAll('svg text')].filter((t) => t.textContent.trim());
    const chart = box(svg);
    return {
        notebook: box(notebook),
        chart,
        area: box(plot.querySelector('.nsewdrag')),
        rows: plot.querySelectorAll('.ytick').length,
        bars: [...plot.querySelectorAll('.barlayer .point path')]
            .map((b) => b.getBoundingClientRect().height).filter((h) => h > 0),
        ticks: sizes('.xtick text, .ytick text'),
        legend: sizes('.legendtext'),
        barText: sizes('.bartext'),
        yticks: [...plot.querySelectorAll('.ytick text')].map(box),
        title: box(plot.querySelector('.gtitle')),
        legendBox: plot.querySelector('.legend') ? box(plot.querySelector('.legend')) : null,
        outside: texts.map((t) => [t.textContent, box(t)])
            .filter(([, r]) => r.width > 0 && (r.left < chart.left - 1 || r.right > chart.right + 1
                                               || r.top < chart.top - 1
                                               || r.bottom > chart.bottom + 1))
            .map(([text]) => text),
    };
}"""


@pytest.fixture(scope="module")
def page(request, tmp_path_factory):
    # The facilitator's home holds the dashboard notebook, as the hub puts it there;
    # the server's kernels read the room from PRODUCT_ROLES_ROOM, set to lab.room.
    home = shared_lab(request, tmp_path_factory, "facilitator")
    shutil.copy(ROOT / "workshop" / "dashboard.ipynb", home.root)
    room = home.room
    for seat, roles in SEATS.items():
        placements = dict(zip(ROOM_CARDS, roles, strict=True))
        sit(room, seat, TRADITIONAL, placements)
        sit(room, seat, AI_ERA, {**placements, "user-stories": "ENG", "roadmap": "TEAM"})
    home.start_kernel("dashboard.ipynb")
    with chromium(viewport=VIEWPORT) as context:
        page = context.new_page()
        open_notebook(page, home, "dashboard.ipynb")
        run_all_cells(page)
        page.get_by_role("status").wait_for(timeout=90_000)
        assert page.get_by_role("status").inner_text() == (
            "4 traditional sorts and 4 AI-era sorts in the room; 0 unreadable files skipped"
        )
        page.locator(".js-plotly-plot .main-svg").nth(3).wait_for(timeout=60_000)
        yield page
        # The server goes on serving other modules' tests: leave its layout as it opens.
        lay_out(page, **LAYOUTS["file browser open"])


def lay_out(page, file_browser: bool, simple: bool) -> None:
    """Show or hide the file browser and the simple interface, with the commands the
    notebook names (Ctrl+B and View > Simple Interface)."""
    shell = "window.jupyterapp.shell"
    mode = "single-document" if simple else "multiple-document"
    if page.evaluate(f"() => {shell}.leftCollapsed") == file_browser:
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    if page.evaluate(f"() => {shell}.mode") != mode:
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-mode')")
    page.wait_for_function(
        f"([mode, collapsed]) => {shell}.mode === mode && {shell}.leftCollapsed === collapsed",
        arg=[mode, not file_browser],
    )


def wait_for_width(plot) -> None:
    """Wait until ``plot`` is drawn for the width its output now has."""
    drawn = plot.evaluate(
        """(plot) => new Promise((resolve) => {
            const start = performance.now();
            const check = () => {
                const svg = plot.querySelector('.main-svg');
                const drawn = svg ? svg.getBoundingClientRect().width : 0;
                const given = plot.getBoundingClientRect().width;
                if (Math.abs(drawn - given) <= 2 || performance.now() - start > 15000) {
                    resolve({drawn, given});
                } else setTimeout(check, 100);
            };
            check();
        })"""
    )
    assert abs(drawn["drawn"] - drawn["given"]) <= 2, f"not redrawn for its width: {drawn}"


@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
def test_each_view_is_laid_out_for_the_projector(page, layout, tmp_path):
    lay_out(page, **LAYOUTS[layout])
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 4
    for index in range(4):
        plot = plots.nth(index)
        plot.scroll_into_view_if_needed()
        wait_for_width(plot)
        m = plot.evaluate(MEASURE)
        plot.screenshot(path=str(tmp_path / f"view-{index}.png"))
        view = f"{layout}, view {index}"
        notebook, chart, area = m["notebook"], m["chart"], m["area"]
        # Across the notebook, with most of the chart for the bars and their numbers.
        assert chart["width"] >= 0.85 * notebook["width"], (view, chart, notebook)
        assert area["width"] >= 0.5 * chart["width"], (view, area, chart)
        # A view fits the screen, and its bars and card names fit the notebook's pane.
        assert chart["height"] <= VIEWPORT["height"], (view, chart)
        assert area["height"] <= notebook["height"], (view, area, notebook)
        # Rows tall enough for a two-line card name, bars thick enough to see.
        assert m["rows"] >= 3, (view, m["rows"])
        assert area["height"] / m["rows"] >= 2 * FONT, (view, area, m["rows"])
        assert m["bars"], (view, m["bars"])
        assert min(m["bars"]) >= FONT, (view, m["bars"])
        # The documented text size, on both axes and in the legend.
        assert m["ticks"], (view, m["ticks"])
        assert min(m["ticks"]) >= FONT, (view, m["ticks"])
        assert m["legend"], (view, m["legend"])
        assert min(m["legend"]) >= FONT, (view, m["legend"])
        assert m["barText"], (view, m["barText"])
        assert min(m["barText"]) >= FONT - 4, (view, m["barText"])
        # Nothing cut off at the chart's edges, and no words on top of each other.
        if layout == PROJECTED:
            assert not m["outside"], (view, m["outside"])
        names = sorted(m["yticks"], key=lambda r: r["top"])
        for upper, lower in itertools.pairwise(names):
            # Two-line names fill their rows: the boxes, which hold the font's whole
            # line height, may meet, but no further.
            assert upper["bottom"] <= lower["top"] + 2, (view, upper, lower)
        legend, title = m["legendBox"], m["title"]
        apart = (
            legend["top"] >= title["bottom"] - 1
            or legend["bottom"] <= title["top"] + 1
            or legend["left"] >= title["right"] - 1
            or legend["right"] <= title["left"] + 1
        )
        assert apart, (view, "the legend covers the title", legend, title)

"""Workshop slides: built from the course notebooks by one command, checked in Chromium.

Per deck: a slide starts at every heading of the notebook, no slide is taller or wider
than its 1280 x 720 canvas, text stays at a readable size, every chart is drawn, and
the speaker view holds the instructor notes.
"""

from __future__ import annotations

import re
import subprocess

import nbformat
import pytest

from conftest import ROOT
from product_roles.publish import slides
from workshop_helpers import chromium_page

NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))


def headings(notebook) -> list[str]:
    """Every #, ## and ### heading of the notebook's markdown, wherever it stands in a cell."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for block in slides._blocks(cell.source):
                match = slides.HEADING.match(block)
                if match:
                    found.append(slides._plain(match.group(2)).strip())
    return found


def test_a_heading_anywhere_in_a_cell_starts_a_slide_and_long_sections_continue():
    notebook = nbformat.v4.new_notebook()
    long = " ".join(["word"] * 60)
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nWelcome"),
        nbformat.v4.new_markdown_cell(f"Worked answer.\n\n## A section\n\n{long}"),
        nbformat.v4.new_markdown_cell("\n\n".join([long] * 3)),
        nbformat.v4.new_code_cell(
            "chart()",
            outputs=[
                nbformat.v4.new_output(
                    "execute_result", data={"application/vnd.plotly.v1+json": {"data": []}}
                )
            ],
        ),
        nbformat.v4.new_markdown_cell("### An exercise (2 minutes)\n\n```\n# not a heading\n```"),
    ]
    cut = slides.slides_of(notebook)
    assert [(s.title, s.continued, s.kind) for s in cut] == [
        ("Title", False, "text"),
        ("A section", False, "text"),
        ("A section", True, "text"),
        ("A section", True, "chart"),
        ("An exercise (2 minutes)", False, "text"),
    ]
    assert "Worked answer." in cut[0].blocks[-1]
    assert all(s.cost <= slides.BUDGET for s in cut if s.kind == "text")


def test_notes_go_to_the_slide_they_are_about():
    notes = slides.Notes(
        overview="## Timing",
        timing=[("Source 2: SAFe; Exercise 3", "16-20 min: SAFe"), ("Exercise 1", "9-14: sort")],
        answers=["**Exercise 3** (`safe-levels`): Product Management."],
    )
    safe = slides.Slide("Source 2: SAFe, when one team becomes fifty", 2)
    exercise = slides.Slide("Exercise 3: who decides for the train?", 3, exercises=["safe-levels"])
    assert notes.for_slide(safe) == ["16-20 min: SAFe"]
    assert notes.for_slide(exercise) == [
        "16-20 min: SAFe",
        "**Exercise 3** (`safe-levels`): Product Management.",
    ]
    assert notes.for_slide(slides.Slide("Exercise 10: later", 3)) == []


def test_a_missing_reveal_js_is_a_plain_error(tmp_path):
    with pytest.raises(slides.SlidesError, match="npm ci"):
        slides.find_reveal(tmp_path / "nowhere")
    with pytest.raises(slides.SlidesError, match="no course notebooks"):
        slides.build(tmp_path, tmp_path / "out")


MEASURE = """() => {
    const height = Reveal.getConfig().height, width = Reveal.getConfig().width;
    const all = Reveal.getHorizontalSlides();
    const report = [];
    for (let h = 0; h < all.length; h++) {
        Reveal.slide(h);
        const slide = Reveal.getCurrentSlide();
        const text = slide.querySelector("p, li, td");
        report.push({
            h,
            heading: (slide.querySelector("h1, h2") || {}).textContent || "",
            start: slide.classList.contains("section-start"),
            chart: slide.classList.contains("chart"),
            drawn: slide.querySelectorAll(".chart .main-svg").length,
            tall: slide.scrollHeight, wide: slide.scrollWidth,
            height, width,
            font: text ? parseFloat(getComputedStyle(text).fontSize) : 99,
            notes: (slide.querySelector("aside.notes") || {}).textContent || "",
        });
    }
    Reveal.slide(0);
    return report;
}"""


@pytest.mark.slow
@pytest.mark.browser
def test_the_command_builds_decks_that_chromium_shows_offline(tmp_path):
    out = tmp_path / "slides"
    # The documented command, without the venv on PATH.
    result = subprocess.run(
        [str(ROOT / "scripts" / "slides"), "--out", str(out)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    decks = sorted(out.glob("*.slides.html"))
    assert [d.name.split(".")[0] for d in decks] == [p.stem for p in NOTEBOOKS]
    index = (out / "index.html").read_text()
    assert all(d.name in index for d in decks)

    outside: list[str] = []
    with chromium_page(outside) as page:
        page.set_viewport_size({"width": 1280, "height": 720})
        for deck, path in zip(decks, NOTEBOOKS, strict=True):
            notebook = nbformat.read(path, as_version=4)
            page.goto(deck.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            report = page.evaluate(MEASURE)
            name = path.stem
            # A slide per section: each heading opens exactly one slide, in order.
            starts = [r["heading"] for r in report if r["start"]]
            assert starts == headings(notebook), name
            for r in report:
                where = f"{name} slide {r['h'] + 1} ({r['heading']})"
                assert r["tall"] <= r["height"] + 1, where
                assert r["wide"] <= r["width"] + 1, where
                assert r["font"] >= 22, f"{where}: text at {r['font']} px"
                if r["chart"]:
                    assert r["drawn"] >= 1, f"{where}: chart not drawn"
            charts = sum(
                1
                for cell in notebook.cells
                if cell.cell_type == "code" and re.search(r"charts\.\w+\(", cell.source)
            )
            assert sum(r["chart"] for r in report) == charts, name
            # Instructor notes: the title slide has the module's, and every exercise
            # slide has its answers.
            assert "Common misconceptions" in report[0]["notes"], name
            assert sum(bool(r["notes"]) for r in report) >= len(starts) // 3, name
        # The speaker view opens with the current slide's notes.
        page.goto(decks[1].as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        with page.expect_popup() as opened:
            page.keyboard.press("s")
        speaker = opened.value
        speaker.wait_for_load_state()
        notes = speaker.locator(".speaker-controls-notes")
        notes.wait_for(timeout=30_000)
        speaker.wait_for_function(
            "() => document.querySelector('.speaker-controls-notes').innerText.length > 50",
            timeout=30_000,
        )
        assert "misconceptions" in notes.inner_text().lower()
        page.screenshot(path=str(tmp_path / "title-slide.png"))
    assert outside == [], f"requests left the machine: {outside}"

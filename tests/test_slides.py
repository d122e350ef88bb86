"""Workshop slides: built from the course notebooks by one command, shown offline in Chromium."""

from __future__ import annotations

import io
import subprocess
import sys

import nbformat
import pytest
from PIL import Image

from conftest import ROOT
from product_roles import slides
from workshop_helpers import chromium_page

NOTEBOOKS = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))


def test_each_heading_starts_a_slide_and_outputs_are_dropped():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nWelcome"),
        nbformat.v4.new_markdown_cell("Some more words"),
        nbformat.v4.new_markdown_cell("## A section"),
        nbformat.v4.new_markdown_cell("### A sub-heading stays on its slide"),
        nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output("stream", text="x")]),
    ]
    deck = slides.mark_slides(notebook)
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in deck.cells]
    assert kinds == ["slide", "-", "slide", "-", "-"]
    assert deck.cells[4].outputs == []
    assert "slideshow" not in notebook.cells[0].metadata  # the notebook itself is untouched


def test_a_missing_reveal_js_is_a_plain_error(tmp_path):
    with pytest.raises(slides.SlidesError, match="npm ci"):
        slides.find_reveal(tmp_path / "nowhere")
    with pytest.raises(slides.SlidesError, match="no course notebooks"):
        slides.build(tmp_path, tmp_path / "out")


@pytest.mark.slow
@pytest.mark.browser
def test_the_command_builds_decks_that_chromium_shows_offline(tmp_path):
    out = tmp_path / "slides"
    result = subprocess.run(
        [sys.executable, "-m", "product_roles.slides", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    decks = sorted(out.glob("*.slides.html"))
    assert [d.name.split(".")[0] for d in decks] == [p.stem for p in NOTEBOOKS]
    index = (out / "index.html").read_text()
    assert all(d.name in index for d in decks)

    outside: list[str] = []
    with chromium_page(outside) as page:
        page.goto(decks[0].as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        first = nbformat.read(NOTEBOOKS[0], as_version=4)
        title = slides._title(first, "")
        heading = page.locator("section.present h1").first
        assert heading.inner_text().strip() == title
        assert heading.is_visible()
        total = page.evaluate("() => Reveal.getTotalSlides()")
        headings = sum(
            1
            for cell in first.cells
            if cell.cell_type == "markdown" and cell.source.startswith(("# ", "## "))
        )
        assert total == headings
        picture = page.screenshot(path=str(tmp_path / "title-slide.png"))
        shot = Image.open(io.BytesIO(picture)).convert("L")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => Reveal.getIndices().h === 1")
    assert outside == [], f"requests left the machine: {outside}"
    # Not blank: dark text on the white theme covers part of the slide.
    dark = sum(1 for value in shot.getdata() if value < 100)
    assert 0.001 < dark / (shot.width * shot.height) < 0.5
    box = shot.point(lambda v: 255 if v < 100 else 0).getbbox()
    assert box is not None and box[2] - box[0] > 100

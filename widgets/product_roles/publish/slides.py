"""Slides for a live workshop, built from the course notebooks: one command, no internet.

::

    ./scripts/slides --out build/slides

For each ``course/NN-*.ipynb`` the build

1. runs the notebook (in a scratch copy), so that its charts and tables are on the slides;
2. starts a slide at every heading (``#``, ``##`` or ``###``), wherever it stands in a
   cell, and carries on over as many slides as the section needs: each slide gets what
   fits a 1280 x 720 canvas at 28 px text (:data:`BUDGET`), and a slide that still
   comes out too tall is set a little smaller, never below :data:`MIN_SCALE`;
3. shows a chart on a slide of its own, drawn by plotly's own offline JavaScript, with
   the code that made it hidden; an exercise's widget becomes a line that sends people
   to their notebook;
4. puts the module's instructor notes (docs/instructor-notes/) in the speaker view
   (<kbd>S</kbd>): the timing row of each section, the answers of its exercises, and on
   the title slide the module's timing, misconceptions and discussion prompts.

reveal.js comes from the npm package ``reveal.js`` (``npm ci`` at the repository root
puts it in ``node_modules/``), or from ``--reveal``; plotly.js from the installed plotly.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune

REVEAL_FOLDER = "reveal.js"
PLOTLY_FILE = "plotly.min.js"
HEADING = re.compile(r"^(#{1,3}) +(.+?) *#*$")
BUDGET = 14.5
"""Lines of 28 px body text a slide holds under its heading (about 84 characters each)."""
CHARS_PER_LINE = 90
MIN_SCALE = 0.8
"""The smallest a slide's text is scaled to fit: 0.8 x 28 px is still 22 px."""
CHART = "chart"


class SlidesError(RuntimeError):
    """The slides cannot be built; the message says what is missing."""


@dataclass
class Slide:
    """One slide: a heading, blocks of HTML, and the speaker's notes."""

    title: str
    level: int
    blocks: list[str] = field(default_factory=list)
    cost: float = 0.0
    notes: list[str] = field(default_factory=list)
    continued: bool = False
    kind: str = "text"
    exercises: list[str] = field(default_factory=list)


# -- running the notebook ------------------------------------------------------------------


def execute(notebook: nbformat.NotebookNode, timeout: int = 300) -> nbformat.NotebookNode:
    """Run a copy of ``notebook`` in a scratch folder; return it with its outputs.

    Charts come out as plotly's JSON (``PLOTLY_RENDERER=plotly_mimetype``), which the
    deck draws with plotly.js; answers files the exercises save stay in the scratch folder.
    """
    from nbclient import NotebookClient

    ran = nbformat.from_dict(notebook)
    with tempfile.TemporaryDirectory(prefix="slides-") as scratch:
        saved = os.environ.get("PLOTLY_RENDERER")
        os.environ["PLOTLY_RENDERER"] = "plotly_mimetype"
        try:
            NotebookClient(
                ran,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": scratch}},
            ).execute()
        finally:
            if saved is None:
                os.environ.pop("PLOTLY_RENDERER", None)
            else:
                os.environ["PLOTLY_RENDERER"] = saved
    return ran


# -- cutting a notebook into slides ---------------------------------------------------------


def _blocks(markdown: str) -> list[str]:
    """Split markdown into top-level blocks (paragraphs, lists, tables, headings)."""
    blocks, current, fenced = [], [], False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        if not fenced and HEADING.match(line):
            if current:
                blocks.append("\n".join(current))
            blocks.append(line)
            current = []
        elif not fenced and not line.strip():
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _plain(markdown: str) -> str:
    return re.sub(r"<[^>]+>|\[([^\]]*)\]\([^)]*\)|[*_`]", r"\1", markdown)


def _cost(block: str) -> float:
    """How many lines of body text ``block`` takes on a slide, roughly."""
    lines = block.splitlines()
    if lines and lines[0].lstrip().startswith("|"):
        rows = [line for line in lines if not _RULE.match(line)]
        return 0.6 + sum(_row_cost(row) for row in rows)
    if HEADING.match(block):
        return 1.6
    total = 0.6
    item = re.compile(r"^\s*([-*+]|\d+\.) ")
    for entry in re.split(r"\n(?=\s*(?:[-*+]|\d+\.) )", block):
        total += max(1, -(-len(_plain(entry)) // CHARS_PER_LINE)) + (
            0.25 if item.match(entry) else 0
        )
    return total


_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")
TABLE_CHARS = 100
"""Characters of 22 px table text across the whole width of a slide."""


def _row_cost(row: str) -> float:
    """Lines a table row takes: its longest cell, wrapped in its share of the width."""
    cells = [_plain(c).strip() for c in row.strip().strip("|").split("|")]
    width = max(8, TABLE_CHARS // max(1, len(cells)) - 2)
    return 0.85 * max(1, *(-(-len(c) // width) for c in cells))


def _split_table(block: str, budget: float = BUDGET - 2) -> list[str]:
    """A table too long for one slide, as several tables that each repeat the header."""
    lines = block.splitlines()
    if len(lines) < 3 or not lines[0].lstrip().startswith("|") or not _RULE.match(lines[1]):
        return [block]
    head, parts, current, cost = lines[:2], [], [], _row_cost(lines[0])
    for row in lines[2:]:
        if current and cost + _row_cost(row) > budget:
            parts.append("\n".join(head + current))
            current, cost = [], _row_cost(lines[0])
        current.append(row)
        cost += _row_cost(row)
    parts.append("\n".join(head + current))
    return parts


def slides_of(notebook: nbformat.NotebookNode) -> list[Slide]:
    """Cut an executed notebook into slides: a new one at each heading and when one is full."""
    slides: list[Slide] = []

    def start(title: str, level: int, continued: bool = False) -> Slide:
        slide = Slide(title, level, continued=continued)
        slides.append(slide)
        return slide

    def add(html_block: str, cost: float) -> None:
        slide = slides[-1] if slides else start("", 1)
        if slide.kind == CHART or (slide.blocks and slide.cost + cost > BUDGET):
            slide = start(slide.title, slide.level, continued=True)
        slide.blocks.append(html_block)
        slide.cost += cost

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for block in _blocks(cell.source):
                heading = HEADING.match(block)
                if heading:
                    start(_plain(heading.group(2)).strip(), len(heading.group(1)))
                    continue
                for part in _split_table(block):
                    add(markdown2html_mistune(part), _cost(part))
        elif cell.cell_type == "code":
            ids = re.findall(r"[\"']([a-z0-9]+(?:-[a-z0-9]+)+)[\"']", cell.source)
            if slides:
                slides[-1].exercises.extend(ids)
            for output in cell.get("outputs", []):
                _add_output(output, slides, start, add)
    return slides


def _add_output(output, slides, start, add) -> None:
    data = output.get("data", {})
    if "application/vnd.plotly.v1+json" in data:
        title = slides[-1].title if slides else "Chart"
        level = slides[-1].level if slides else 2
        chart = start(title, level, continued=bool(slides))
        chart.kind = CHART
        figure = json.dumps(data["application/vnd.plotly.v1+json"]).replace("</", "<\\/")
        chart.blocks.append(
            f'<div class="chart"></div><script type="application/json" class="figure">{figure}</script>'
        )
        return
    if "application/vnd.jupyter.widget-view+json" in data:
        add(
            '<p class="in-notebook">Your turn: do this exercise in your notebook.</p>',
            1.2,
        )
        return
    if "text/markdown" in data:
        for block in _blocks(data["text/markdown"]):
            for part in _split_table(block):
                add(markdown2html_mistune(part), _cost(part))
        return
    if "image/png" in data:
        add(f'<img alt="" src="data:image/png;base64,{data["image/png"].strip()}">', 10)


# -- instructor notes -------------------------------------------------------------------------


@dataclass
class Notes:
    """A module's instructor notes, cut into what each slide's speaker view needs."""

    overview: str = ""
    timing: list[tuple[str, str]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Notes:
        if not path.is_file():
            return cls()
        text = path.read_text(encoding="utf-8")
        sections = re.split(r"^## ", text, flags=re.MULTILINE)
        overview, answers, timing = [], [], []
        for section in sections[1:]:
            name = section.splitlines()[0].lower()
            if name.startswith("answers"):
                answers = [
                    chunk.strip()
                    for chunk in re.split(r"\n(?=\*\*Exercise|\*\*Warm-up|#### )", section)[1:]
                ]
            else:
                overview.append("## " + section)
            if name.startswith("timing"):
                timing.extend(_timing_rows(section))
        return cls("\n\n".join(overview), timing, answers)

    def for_slide(self, slide: Slide) -> list[str]:
        """Notes for one slide: its timing rows and the answers of its exercises."""
        found = []
        title = _key(slide.title)
        for what, line in [] if slide.continued else self.timing:
            parts = [_key(p) for p in re.split(r";| and |, ", what)]
            if any(len(p) > 3 and re.search(rf"\b{re.escape(p)}\b", title) for p in parts):
                found.append(line)
        for chunk in self.answers:
            if any(f"`{exercise}`" in chunk for exercise in slide.exercises):
                found.append(chunk)
        return found


def _timing_rows(section: str) -> list[tuple[str, str]]:
    """(what, note) for each row of a timing table, whichever column holds the minutes."""
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if len(cells) < 2 or all(set(c) <= set("-: ") for c in cells):
            continue
        minutes = [c for c in cells if re.fullmatch(r"\d+(\s*[\u2013-]\s*\d+)?", c)]
        words = [c for c in cells if c and c not in minutes]
        if not minutes or not words:
            continue  # the header row
        rows.append((words[0], f"{minutes[0]} min: " + ". ".join(words)))
    return rows


def _key(text: str) -> str:
    text = re.sub(r"\([^)]*\)", "", text.lower())
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


# -- writing the deck ---------------------------------------------------------------------------


def render(notebook: nbformat.NotebookNode, title: str, notes: Notes | None = None) -> str:
    """The deck of an executed notebook, as HTML text (reveal.js and plotly.js beside it)."""
    notes = notes or Notes()
    slides = slides_of(notebook)
    sections = []
    for index, slide in enumerate(slides):
        said = notes.for_slide(slide)
        if index == 0 and notes.overview:
            said.insert(0, notes.overview)
        heading = html.escape(slide.title) + (
            ' <span class="cont">(continued)</span>' if slide.continued else ""
        )
        tag = f"h{min(slide.level, 2) if index else 1}"
        classes = " ".join(
            filter(None, [slide.kind, "continued" if slide.continued else "section-start"])
        )
        aside = (
            '<aside class="notes">' + "".join(markdown2html_mistune(n) for n in said) + "</aside>"
            if said
            else ""
        )
        sections.append(
            f'<section class="{classes}"><{tag}>{heading}</{tag}>'
            + "".join(slide.blocks)
            + aside
            + "</section>"
        )
    return _DECK.format(title=html.escape(title), sections="\n".join(sections))


def find_reveal(explicit: str | Path | None = None) -> Path:
    """Find the reveal.js package folder (with ``dist/reveal.js``).

    ``explicit`` is the only candidate when given; otherwise ``node_modules/reveal.js``
    in the working directory, then in the repository this package was installed from.
    """
    if explicit:
        candidates = [Path(explicit)]
    else:
        candidates = [
            Path.cwd() / "node_modules" / "reveal.js",
            Path(__file__).resolve().parents[2] / "node_modules" / "reveal.js",
        ]
    for folder in candidates:
        if (folder / "dist" / "reveal.js").is_file():
            return folder
    raise SlidesError(
        "reveal.js was not found: run `npm ci` at the repository root, "
        "or pass --reveal with the folder of the npm package reveal.js"
    )


def build(
    course: str | Path,
    out: str | Path,
    reveal: str | Path | None = None,
    notes: str | Path | None = None,
) -> list[Path]:
    """Build a deck per ``NN-*.ipynb`` notebook of ``course`` into ``out``, with an index page.

    Parameters
    ----------
    notes : path, optional
        Folder of instructor notes named like the notebooks (``NN-*.md``); by default
        ``docs/instructor-notes`` beside ``course``.

    Returns
    -------
    list of Path
        The decks written, in course order; ``out/index.html`` links to them.
    """
    course, out = Path(course), Path(out)
    notes = Path(notes) if notes else course.parent / "docs" / "instructor-notes"
    notebooks = sorted(course.glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        raise SlidesError(f"no course notebooks (NN-*.ipynb) in {course}")
    source = find_reveal(reveal)
    out.mkdir(parents=True, exist_ok=True)
    target = out / REVEAL_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source / "dist", target / "dist")
    shutil.copytree(source / "plugin" / "notes", target / "plugin" / "notes")
    shutil.copy(source / "LICENSE", target / "LICENSE")
    from plotly.offline import get_plotlyjs

    (out / PLOTLY_FILE).write_text(get_plotlyjs(), encoding="utf-8")
    decks, entries = [], []
    for path in notebooks:
        notebook = execute(nbformat.read(path, as_version=4))
        title = _title(notebook, path.stem)
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(render(notebook, title, Notes.read(notes / f"{path.stem}.md")), "utf-8")
        decks.append(deck)
        entries.append(f'<li><a href="{deck.name}">{html.escape(title)}</a></li>')
    (out / "index.html").write_text(_INDEX.format(items="\n".join(entries)), encoding="utf-8")
    return decks


def _title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


_DECK = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="reveal.js/dist/reveal.css">
<link rel="stylesheet" href="reveal.js/dist/theme/white.css">
<style>
  .reveal {{ font-size: 28px; }}
  .reveal .slides {{ text-align: left; }}
  .reveal .slides section {{ height: 100%; box-sizing: border-box; padding: 0; }}
  .reveal h1, .reveal h2, .reveal h3 {{ text-transform: none; margin-bottom: 0.4em; }}
  .reveal h1 {{ font-size: 1.9em; }}
  .reveal h2 {{ font-size: 1.5em; }}
  .reveal .cont {{ font-size: 0.55em; color: #666; font-weight: normal; }}
  .reveal p, .reveal li {{ line-height: 1.3; }}
  .reveal p {{ margin: 0 0 0.55em; }}
  .reveal ul, .reveal ol {{ display: block; margin: 0 0 0.55em 1.2em; }}
  .reveal table {{ font-size: 0.8em; margin: 0 0 0.5em; }}
  .reveal table th, .reveal table td {{ padding: 0.2em 0.5em; }}
  .reveal .in-notebook {{ border-left: 6px solid #0072B2; padding-left: 0.6em; color: #0b3d66; }}
  .reveal .chart {{ width: 1180px; height: 560px; }}
  .reveal img {{ max-height: 540px; }}
</style>
</head>
<body>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script src="reveal.js/dist/reveal.js"></script>
<script src="reveal.js/plugin/notes/notes.js"></script>
<script src="{plotly}"></script>
<script>
const MIN_SCALE = {min_scale};
function fit(slide) {{
  // Shrink a slide whose content is taller than the canvas, a step at a time.
  const height = Reveal.getConfig().height;
  let scale = 1;
  slide.style.fontSize = "";
  while (slide.scrollHeight > height + 1 && scale > MIN_SCALE + 0.001) {{
    scale -= 0.05;
    slide.style.fontSize = (scale * 100) + "%";
  }}
  slide.dataset.scale = scale.toFixed(2);
}}
function draw(slide) {{
  slide.querySelectorAll("script.figure").forEach((script) => {{
    const target = script.previousElementSibling;
    if (target.dataset.drawn) return;
    const figure = JSON.parse(script.textContent);
    const layout = Object.assign({{}}, figure.layout, {{
      width: 1180, height: 560, autosize: false,
      font: Object.assign({{}}, (figure.layout || {{}}).font, {{ size: 18 }}),
    }});
    Plotly.newPlot(target, figure.data, layout, {{ displayModeBar: false, responsive: false }});
    target.dataset.drawn = "1";
  }});
}}
function show(event) {{
  draw(event.currentSlide);
  fit(event.currentSlide);
}}
Reveal.initialize({{
  width: 1280, height: 720, margin: 0.04, center: false,
  hash: true, slideNumber: "c/t", controls: true, progress: true, transition: "none",
  plugins: [RevealNotes],
}});
Reveal.on("ready", show);
Reveal.on("slidechanged", show);
</script>
</body>
</html>
""".replace("{plotly}", PLOTLY_FILE).replace("{min_scale}", str(MIN_SCALE))

_INDEX = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Workshop slides</title>
<style>body {{ font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5; }}</style>
</head>
<body>
<h1>Workshop slides</h1>
<p>One deck per course notebook. Press <kbd>S</kbd> in a deck for the speaker view
with the instructor notes, <kbd>F</kbd> for full screen, <kbd>Esc</kbd> for an overview.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: build the slides; exit status 1 with a plain message when it cannot."""
    parser = argparse.ArgumentParser(prog="./scripts/slides", description=__doc__.splitlines()[0])
    parser.add_argument("--course", default="course", help="folder of NN-*.ipynb notebooks")
    parser.add_argument("--out", default="build/slides", help="folder to write the slides to")
    parser.add_argument("--reveal", help="folder of the npm package reveal.js")
    parser.add_argument("--notes", help="folder of instructor notes (NN-*.md)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        decks = build(args.course, args.out, args.reveal, args.notes)
    except SlidesError as err:
        print(f"slides: {err}", file=sys.stderr)
        return 1
    print(
        f"slides: {len(decks)} decks in {args.out} ({time.monotonic() - started:.0f} s);"
        f" open {Path(args.out) / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Slides for a live workshop, built from the course notebooks with nbconvert and reveal.js.

One command builds a deck per notebook and an index page into one folder that works
offline, from a USB stick if need be::

    python -m product_roles.slides --out build/slides

reveal.js is not fetched from the web: it comes from the npm package ``reveal.js``
(``npm ci`` at the repository root puts it in ``node_modules/``), or from ``--reveal``.
Each heading of a notebook starts a slide; the rest of a notebook's cells follow on the
same slide, which scrolls when it is long.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "product_roles_slides"
REVEAL_FOLDER = "reveal.js"
_HEADING = re.compile(r"^#{1,2} ", re.MULTILINE)


class SlidesError(RuntimeError):
    """The slides cannot be built; the message says what is missing."""


def mark_slides(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` whose level-1 and level-2 headings each start a slide."""
    deck = nbformat.from_dict(notebook)
    for index, cell in enumerate(deck.cells):
        starts = index == 0 or (cell.cell_type == "markdown" and _HEADING.match(cell.source))
        cell.metadata["slideshow"] = {"slide_type": "slide" if starts else "-"}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return deck


def render(notebook: nbformat.NotebookNode, title: str) -> str:
    """Render one notebook as a reveal.js deck (HTML text) that loads reveal.js from beside it."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name=TEMPLATE,
        reveal_url_prefix=REVEAL_FOLDER,
        reveal_scroll=True,
        reveal_theme="white",
    )
    deck = mark_slides(notebook)
    deck.metadata["title"] = title
    body, _ = exporter.from_notebook_node(deck)
    return body


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


def build(course: str | Path, out: str | Path, reveal: str | Path | None = None) -> list[Path]:
    """Build a deck per ``NN-*.ipynb`` notebook of ``course`` into ``out``, with an index page.

    Returns
    -------
    list of Path
        The decks written, in course order; ``out/index.html`` links to them.
    """
    course, out = Path(course), Path(out)
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
    decks, entries = [], []
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        title = _title(notebook, path.stem)
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(render(notebook, title), encoding="utf-8")
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


_INDEX = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Workshop slides</title>
<style>body {{ font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5; }}</style>
</head>
<body>
<h1>Workshop slides</h1>
<p>One deck per course notebook. Press <kbd>S</kbd> in a deck for the speaker view,
<kbd>F</kbd> for full screen, <kbd>Esc</kbd> for an overview.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: build the slides; exit status 1 with a plain message when it cannot."""
    parser = argparse.ArgumentParser(
        prog="python -m product_roles.slides", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--course", default="course", help="folder of NN-*.ipynb notebooks")
    parser.add_argument("--out", default="build/slides", help="folder to write the slides to")
    parser.add_argument("--reveal", help="folder of the npm package reveal.js")
    args = parser.parse_args(argv)
    try:
        decks = build(args.course, args.out, args.reveal)
    except SlidesError as err:
        print(f"slides: {err}", file=sys.stderr)
        return 1
    print(f"slides: {len(decks)} decks in {args.out}; open {Path(args.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

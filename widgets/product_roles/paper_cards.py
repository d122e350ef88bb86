"""Printable cards for the room sort, for when the technology fails.

Writes one HTML page (print it from any browser, A4 or Letter): a sheet of role
headings and a sheet of cards to cut out, one set per table::

    python -m product_roles.paper_cards --out build/paper-cards.html
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from pathlib import Path

from .catalogue import Catalogue, load
from .room_dashboard import ROOM_CARDS


def page(card_ids: Sequence[str] = ROOM_CARDS, catalogue: Catalogue | None = None) -> str:
    """The printable page for ``card_ids`` (the room sort's cards by default), as HTML text."""
    catalogue = catalogue or load()
    roles = "\n".join(
        f'<div class="role"><strong>{html.escape(r.label)}</strong>'
        f"<p>{html.escape(r.description)}</p></div>"
        for r in catalogue.roles
    )
    cards = "\n".join(
        f'<div class="card"><span class="number">{n}</span>{html.escape(card.text)}</div>'
        for n, card in enumerate(catalogue.select(list(card_ids)), start=1)
    )
    return _PAGE.format(roles=roles, cards=cards, count=len(card_ids))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Room sort: paper cards</title>
<style>
  body {{ font-family: sans-serif; margin: 1cm; }}
  h1 {{ font-size: 14pt; }}
  .sheet {{ display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }}
  .role, .card {{ border: 1px dashed #555; padding: 4mm; break-inside: avoid; }}
  .role strong {{ font-size: 18pt; }}
  .role p {{ font-size: 9pt; }}
  .card {{ min-height: 25mm; font-size: 13pt; position: relative; }}
  .number {{ position: absolute; right: 2mm; bottom: 1mm; font-size: 8pt; color: #555; }}
  .break {{ break-before: page; }}
</style>
</head>
<body>
<h1>Room sort: column headings (lay them out across the table)</h1>
<div class="sheet">
{roles}
</div>
<h1 class="break">Room sort: {count} cards (cut along the dashed lines)</h1>
<p>Sort once for a team before AI coding assistants, photograph the result, then sort
again for a team that uses them heavily.</p>
<div class="sheet">
{cards}
</div>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: write the printable page."""
    parser = argparse.ArgumentParser(
        prog="python -m product_roles.paper_cards", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", default="build/paper-cards.html", help="the HTML file to write")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page(), encoding="utf-8")
    print(f"paper cards: open {out} in a browser and print it")
    return 0


if __name__ == "__main__":
    sys.exit(main())

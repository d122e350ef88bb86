"""Printable cards for the room sort, for when the technology fails.

Writes one HTML page (print it from any browser, A4 or Letter), each part on its own
sheet::

    workshop/paper-cards --out build/paper-cards.html

1. the role headings, to lay across a table;
2. the cards, to cut out, numbered;
3. a tally grid for each table lead: one stroke per person per card, before AI and
   with AI, and a count of who moved each card between the two sorts;
4. the facilitator's key (keep it off the tables): the course's reference for each
   card in both eras, whether the reference moves it, and whether the sources disagree,
   with how to turn the tallies into the dashboard's *room against the reference* and
   *shift* views.

One set per table: print pages 1 to 3 once per table, page 4 once for yourself.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from pathlib import Path

from product_roles.content.catalogue import Catalogue, load
from product_roles.workshop.room import ROOM_CARDS


def page(card_ids: Sequence[str] = ROOM_CARDS, catalogue: Catalogue | None = None) -> str:
    """The printable page for ``card_ids`` (the room sort's cards by default), as HTML text."""
    catalogue = catalogue or load()
    cards = catalogue.select(list(card_ids))
    roles = catalogue.roles
    headings = "\n".join(
        f'<div class="role"><strong>{html.escape(r.label)}</strong>'
        f"<p>{html.escape(r.description)}</p></div>"
        for r in roles
    )
    to_cut = "\n".join(
        f'<div class="card"><span class="number">{n}</span>{html.escape(card.text)}</div>'
        for n, card in enumerate(cards, start=1)
    )
    columns = "".join(f"<th>{html.escape(r.label)}</th>" for r in roles)
    empty = "<td></td>" * len(roles)
    rows = "\n".join(
        f"<tr><th>{n}. {html.escape(card.text)}</th>{empty}</tr>"
        for n, card in enumerate(cards, start=1)
    )
    moved_rows = "\n".join(
        f"<tr><th>{n}. {html.escape(card.text)}</th><td></td><td></td></tr>"
        for n, card in enumerate(cards, start=1)
    )
    label = {r.id: r.label for r in roles}

    def holders(card, era):
        return " or ".join(html.escape(label[r]) for r in card.holders(era))

    key_rows = "\n".join(
        "<tr>"
        f"<th>{n}. {html.escape(card.text)}{' *' if card.contested else ''}</th>"
        f"<td>{holders(card, 'traditional')}</td><td>{holders(card, 'ai_era')}</td>"
        f"<td>{'moves' if set(card.holders('traditional')) != set(card.holders('ai_era')) else 'keeps'}</td>"
        "</tr>"
        for n, card in enumerate(cards, start=1)
    )
    return _PAGE.format(
        roles=headings,
        cards=to_cut,
        count=len(cards),
        columns=columns,
        rows=rows,
        moved_rows=moved_rows,
        key_rows=key_rows,
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Room sort: paper cards, tally grids and the facilitator's key</title>
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
  table {{ border-collapse: collapse; width: 100%; font-size: 9.5pt; margin-bottom: 6mm; }}
  th, td {{ border: 1px solid #333; padding: 1.5mm; text-align: left; vertical-align: top; }}
  table.tally td {{ width: 16mm; height: 8mm; }}
  caption {{ text-align: left; font-weight: bold; padding-bottom: 2mm; }}
  .note {{ font-size: 10pt; }}
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

<h1 class="break">Tally grid for the table lead</h1>
<p class="note">After each sort, ask each person where they would put each card, and
make one stroke per person in that card's row. Count the strokes when you are done and
write the totals in the cells.</p>
<table class="tally">
<caption>Sort 1: before AI</caption>
<tr><th>card</th>{columns}</tr>
{rows}
</table>
<table class="tally">
<caption>Sort 2: with AI</caption>
<tr><th>card</th>{columns}</tr>
{rows}
</table>
<table class="tally">
<caption>Between the two sorts: one stroke per person per card</caption>
<tr><th>card</th><th>same column both times</th><th>moved to another column</th></tr>
{moved_rows}
</table>

<h1 class="break">Facilitator's key (keep it off the tables until the discussion)</h1>
<p class="note">The course's reference for each card (from the card catalogue); a star
marks a card the sources themselves disagree on, where a split room is a fair reading
of the field.</p>
<table>
<tr><th>card</th><th>reference before AI</th><th>reference with AI</th><th>the reference</th></tr>
{key_rows}
</table>
<p class="note"><strong>The room against the reference</strong> (sort 1): for each card,
add the strokes in the reference's columns and divide by all the card's strokes. Below
one half, ask the room why it differs from the sources.</p>
<p class="note"><strong>The shift</strong>: for each card, the strokes in "moved", over
all the card's strokes, is the share of the room that moved it. A card the room moved
but the reference keeps (or the other way round) is the best question of the session:
what do people expect to change that the sources do not show yet?</p>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: write the printable page."""
    parser = argparse.ArgumentParser(
        prog="workshop/paper-cards", description=__doc__.splitlines()[0]
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

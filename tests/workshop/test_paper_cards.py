"""The printable plan B: every room card and role, tally grids, and the facilitator's key."""

from __future__ import annotations

import html
import re
import subprocess

from conftest import ROOT
from product_roles import load
from product_roles.workshop import paper_cards
from product_roles.workshop.room import ROOM_CARDS


def test_the_page_holds_every_room_card_and_role():
    text = paper_cards.page()
    catalogue = load()
    for card in catalogue.select(list(ROOM_CARDS)):
        # once to cut out, once in each of the three tally grids, once in the key
        assert text.count(html.escape(card.text)) == 5, card.id
    for role in catalogue.roles:
        assert f"<strong>{html.escape(role.label)}</strong>" in text
    assert text.count('class="card"') == len(ROOM_CARDS)


def test_the_key_gives_the_reference_in_both_eras_and_whether_it_moves():
    text = paper_cards.page()
    key = text[text.index("Facilitator's key") :]
    rows = re.findall(r"<tr><th>(\d+)\. (.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", key)
    assert len(rows) == len(ROOM_CARDS)
    catalogue = load()
    labels = {r.id: r.label for r in catalogue.roles}
    for (number, text_, before, after, moves), card in zip(
        rows, catalogue.select(list(ROOM_CARDS)), strict=True
    ):
        assert text_ == html.escape(card.text) + (" *" if card.contested else "")
        assert before == " or ".join(labels[r] for r in card.holders("traditional"))
        assert after == " or ".join(labels[r] for r in card.holders("ai_era"))
        changes = set(card.holders("traditional")) != set(card.holders("ai_era"))
        assert moves == ("moves" if changes else "keeps"), number
    # Both answers are in the key; the cards and grids for the tables carry none.
    tables = text[: text.index("Facilitator's key")]
    assert "reference" not in tables.lower()


def test_the_documented_command_works_without_the_venv_on_path(tmp_path):
    out = tmp_path / "print" / "cards.html"
    result = subprocess.run(
        [str(ROOT / "workshop" / "paper-cards"), "--out", str(out)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == paper_cards.page()
    assert str(out) in result.stdout

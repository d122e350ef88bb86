"""The printable plan-B cards hold every room card and every role, escaped."""

from __future__ import annotations

import html

from product_roles import load, paper_cards
from product_roles.room_dashboard import ROOM_CARDS


def test_the_page_holds_every_room_card_and_role_once():
    text = paper_cards.page()
    catalogue = load()
    for card in catalogue.select(list(ROOM_CARDS)):
        assert text.count(html.escape(card.text)) == 1
    for role in catalogue.roles:
        assert f"<strong>{html.escape(role.label)}</strong>" in text
    assert text.count('class="card"') == len(ROOM_CARDS)


def test_the_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "print" / "cards.html"
    assert paper_cards.main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == paper_cards.page()
    assert str(out) in capsys.readouterr().out

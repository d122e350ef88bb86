"""The card sort on core ipywidgets alone, for front ends without anywidget.

One row per card: its text, a dropdown of categories and, when asked, a sure/unsure
dropdown. Check and Start again buttons, a line that reports every move, and the
feedback after a check. The state, API and answers file are those of
:class:`~product_roles.ui.sortstate.SortState`, exactly as for the anywidget view.
"""

from __future__ import annotations

import html

import ipywidgets as w

from product_roles.frontend import key_guard_output
from product_roles.ui.sortstate import UNPLACED_LABEL, SortState

_NO_MARK = "How sure?"


class CoreCardSort(SortState, w.VBox):
    """A card sort drawn with core ipywidgets; built by ``card_sort(..., ui="core")``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._title = w.HTML()
        self._prompt = w.HTML()
        self._notice = w.HTML()
        self._status = w.HTML()
        self._score = w.HTML()
        self._rows: dict[str, dict[str, w.Widget]] = {}
        options = [(UNPLACED_LABEL, "")] + [(c["label"], c["id"]) for c in self.categories]
        rows = []
        for card in self.cards:
            where = w.Dropdown(options=options, description="Role", layout={"width": "16em"})
            where.observe(self._from_dropdown(card["id"]), names="value")
            sure = w.Dropdown(
                options=[(_NO_MARK, ""), ("Sure", "sure"), ("Unsure", "unsure")],
                description="Sure?",
                style={"description_width": "initial"},
                layout={"width": "12em", "display": "" if self.ask_confidence else "none"},
            )
            sure.observe(self._from_mark(card["id"]), names="value")
            text = w.HTML(f"<b>{html.escape(card['text'])}</b>")
            verdict = w.HTML()
            self._rows[card["id"]] = {"where": where, "sure": sure, "verdict": verdict}
            row = w.VBox([w.HBox([where, sure, text], layout={"flex_flow": "row wrap"}), verdict])
            row.add_class("prs-core-card")
            rows.append(row)
        check = w.Button(
            description="Check my sort", layout={"display": "" if self.can_check else "none"}
        )
        check.on_click(lambda _button: self._handle_action("check"))
        reset = w.Button(description="Start again")
        # Start again asks first, and Undo brings the sort back until the next move.
        self._confirm_text = w.HTML()
        yes = w.Button(description="Yes, start again")
        no = w.Button(description="Keep my cards")
        self._confirm = w.HBox([self._confirm_text, yes, no], layout={"display": "none"})
        reset.on_click(self._ask_before_reset)
        yes.on_click(lambda _button: self._confirmed(True))
        no.on_click(lambda _button: self._confirmed(False))
        self._undo_text = w.HTML()
        undo = w.Button(description="Undo")
        undo.on_click(lambda _button: self._handle_action("undo"))
        self._undo = w.HBox([self._undo_text, undo], layout={"display": "none"})
        self.children = [
            self._title,
            self._prompt,
            self._notice,
            *rows,
            w.HBox([check, reset, self._score]),
            self._confirm,
            self._undo,
            self._status,
            # Keeps the notebook's single-key shortcuts off a focused dropdown.
            key_guard_output(),
        ]
        self.add_class("prs-core")
        self._last = dict(self.placements)
        self.observe(
            self._refresh,
            names=["placements", "confidence", "feedback", "score", "message", "can_undo"],
        )
        self._refresh()

    def _ask_before_reset(self, _button=None) -> None:
        placed = sum(v is not None for v in self.placements.values())
        if not placed and not self.confidence:
            self._status.value = "Nothing to start again: no card is placed yet."
            return
        self._confirm_text.value = html.escape(
            f"Put all {placed} placed card(s) back? A copy of your sort is kept, "
            "and Undo brings it back."
        )
        self._confirm.layout.display = ""

    def _confirmed(self, yes: bool) -> None:
        self._confirm.layout.display = "none"
        if yes:
            self._handle_action("reset")
        else:
            self._status.value = "Your cards stay where they are."

    def _from_dropdown(self, card: str):
        def handler(change) -> None:
            category = change["new"] or None
            if self.placements.get(card) != category:
                self.place(card, category)

        return handler

    def _from_mark(self, card: str):
        def handler(change) -> None:
            mark = change["new"] or None
            if self.confidence.get(card) != mark:
                self.mark(card, mark)

        return handler

    def _refresh(self, _change=None) -> None:
        labels = {c["id"]: c["label"] for c in self.categories}
        texts = {c["id"]: c["text"] for c in self.cards}
        for card, parts in self._rows.items():
            parts["where"].value = self.placements.get(card) or ""
            parts["sure"].value = self.confidence.get(card, "")
            parts["verdict"].value = _verdict_html(self.feedback.get(card))
        moved = [c for c, cat in self.placements.items() if self._last.get(c) != cat]
        if moved:
            self._status.value = html.escape(
                " ".join(
                    f'"{texts[c]}" moved to {labels.get(self.placements[c], UNPLACED_LABEL)}.'
                    for c in moved
                )
            )
        self._last = dict(self.placements)
        placed = sum(v is not None for v in self.placements.values())
        self._title.value = f"{placed} of {len(self.cards)} cards placed"
        self._prompt.value = html.escape(self.prompt)
        self._notice.value = f"<b>{html.escape(self.message)}</b>" if self.message else ""
        self._score.value = html.escape(self.score)
        self._undo.layout.display = "" if self.can_undo else "none"
        self._undo_text.value = html.escape(self.undo_note)


def _verdict_html(verdict: dict | None) -> str:
    """One short line, with the explanation folded away behind "Why?"."""
    if not verdict:
        return ""
    if verdict["correct"]:
        head = "✓ Right."
    else:
        head = "✗ Not quite."
        if verdict.get("expected"):
            head += f" It belongs in {' or '.join(verdict['expected'])}."
        if verdict.get("confidence") == "sure":
            head += " You were sure: worth a second look."
    why = verdict.get("explanation")
    folded = f" <details><summary>Why?</summary>{html.escape(why)}</details>" if why else ""
    return f"{html.escape(head)}{folded}"

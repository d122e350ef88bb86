"""The card sort on core ipywidgets alone, for front ends without anywidget.

One row per card: its text, a dropdown of categories and, when asked, a sure/unsure
dropdown. Check and Start again buttons, a line that reports every move, and the
feedback after a check. The state, API and answers file are those of
:class:`~product_roles.sortstate.SortState`, exactly as for the anywidget view.
"""

from __future__ import annotations

import html

import ipywidgets as w

from .frontend import key_guard_output
from .sortstate import UNPLACED_LABEL, SortState

_NO_MARK = "How sure?"


class CoreCardSort(SortState, w.VBox):
    """A card sort drawn with core ipywidgets; built by ``CardSort(..., ui="core")``."""

    def __init__(self, *args, ui: str | None = None, **kwargs) -> None:
        if ui not in (None, "auto", "core"):
            raise ValueError(f"a CoreCardSort is the core front end; ui={ui!r} asks for another")
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
        reset.on_click(lambda _button: self._handle_action("reset"))
        self.children = [
            self._title,
            self._prompt,
            self._notice,
            *rows,
            w.HBox([check, reset, self._score]),
            self._status,
            # Keeps the notebook's single-key shortcuts off a focused dropdown.
            key_guard_output(),
        ]
        self.add_class("prs-core")
        self._last = dict(self.placements)
        self.observe(
            self._refresh, names=["placements", "confidence", "feedback", "score", "message"]
        )
        self._refresh()

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

    def _refresh(self, change=None) -> None:
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


def _verdict_html(verdict: dict | None) -> str:
    if not verdict:
        return ""
    if verdict["correct"]:
        head = "✓ Right."
    elif verdict.get("confidence") == "sure":
        head = "✗ Not quite, and you were sure: worth a second look."
    else:
        head = "✗ Not quite."
    return f"{head} {html.escape(verdict['explanation'])}"

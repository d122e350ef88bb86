"""Two-axis exercises: the same cards sorted twice, before AI and in the AI era.

A :class:`ShiftExercise` composes two card sorts over the same cards and roles. Each
saves to its own answers file (``<exercise>-before.answers.json`` and
``<exercise>-ai-era.answers.json``), so nbgrader's hidden tests grade each axis with
:func:`~product_roles.grading.score_placements` exactly as for a single sort. Shown
in a notebook, the exercise draws both sorts and, below them, a Sankey chart of the
learner's own shift, redrawn after every move; in practice, once every card is
placed on both axes, the reference shift appears below it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import ipywidgets as w

from product_roles.content.catalogue import load
from product_roles.frontend import with_plain_text
from product_roles.grading import accepted_answers
from product_roles.ui.cardsort import card_sort
from product_roles.ui.sortstate import catalogue_key

AXES = ("before", "ai-era")
PROMPTS = {
    "before": "Before AI-assisted development: who held each responsibility?",
    "ai-era": "In the course's AI-era scenario, when code is quick to write: who holds it?",
}


class ShiftExercise:
    """The same cards sorted by role twice: before AI, then in the AI era.

    Parameters
    ----------
    exercise : str
        Exercise id; the two answers files are named ``<exercise>-before`` and
        ``<exercise>-ai-era``.
    cards, categories : sequence of mapping
        As for :func:`~product_roles.ui.cardsort.card_sort`; the same on both axes.
    mode : {"practice", "assessment"}
        Assessment takes no keys and shows no reference shift.
    before_key, after_key : mapping, optional
        The key of each axis (practice only); they stay in Python.
    before_explanations, after_explanations : mapping, optional
        Shown after a check on each axis.
    folder : path, optional
        Where both answers files live (the notebook's folder by default).
    ui, ask_confidence
        Passed to both card sorts.

    Attributes
    ----------
    before, after : CardSort
        The two sorts; use their Python API (``shift.after.place("roadmap", "PM")``).
    """

    def __init__(
        self,
        exercise: str,
        cards: Sequence[Mapping[str, str]],
        categories: Sequence[Mapping[str, str]],
        *,
        mode: str = "practice",
        before_key: Mapping | None = None,
        after_key: Mapping | None = None,
        before_explanations: Mapping[str, str] | None = None,
        after_explanations: Mapping[str, str] | None = None,
        folder: str | os.PathLike = ".",
        ui: str | None = None,
        ask_confidence: bool = False,
    ) -> None:
        if (before_key is None) != (after_key is None):
            raise ValueError("give a key for both axes or for neither")
        common = {"mode": mode, "folder": folder, "ui": ui, "ask_confidence": ask_confidence}
        self.exercise = exercise
        self._ui = ui
        self.before = card_sort(
            f"{exercise}-before",
            cards,
            categories,
            key=before_key,
            explanations=before_explanations,
            prompt=PROMPTS["before"],
            **common,
        )
        self.after = card_sort(
            f"{exercise}-ai-era",
            cards,
            categories,
            key=after_key,
            explanations=after_explanations,
            prompt=PROMPTS["ai-era"],
            **common,
        )
        # The reference draws one role per card (the first accepted), computed here
        # so that no key is ever handed to a widget.
        self._reference = None
        if before_key is not None:
            self._reference = (_first_choice(before_key), _first_choice(after_key))
        self._view = None

    @classmethod
    def from_catalogue(
        cls,
        exercise: str,
        card_ids: Sequence[str] | None = None,
        *,
        roles: Sequence[str] = ("PO", "PM", "ENG", "TEAM", "OTHER"),
        **kwargs,
    ) -> ShiftExercise:
        """A practice shift from catalogue cards, keyed by their traditional and AI-era holders."""
        before_key, before_notes = catalogue_key(card_ids, roles=roles, era="traditional")
        after_key, after_notes = catalogue_key(card_ids, roles=roles, era="ai_era")
        catalogue = load()
        return cls(
            exercise,
            [{"id": c, "text": catalogue.card(c).text} for c in before_key],
            [{"id": r, "label": catalogue.role(r).label} for r in roles],
            before_key=before_key,
            after_key=after_key,
            before_explanations=before_notes,
            after_explanations=after_notes,
            **kwargs,
        )

    def chart(self):
        """The learner's shift as a plotly Sankey, above the reference shift in practice.

        The reference appears once every card is placed on both axes.
        """
        from product_roles import charts  # plotly loads only when a chart is drawn

        categories = [(c["id"], c["label"]) for c in self.before.categories]
        # The reference is drawn from the keys, so it waits until the learner has
        # committed to every card on both axes.
        done = all(
            v is not None for sort in (self.before, self.after) for v in sort.placements.values()
        )
        return charts.placement_shift(
            self.before.placements,
            self.after.placements,
            categories,
            reference=self._reference if done else None,
            waiting=self._reference is not None and not done,
        )

    def moved_cards(self) -> dict[str, tuple[str, str]]:
        """Cards the learner placed in a different role on the two axes: id to (before, after)."""
        return {
            card: (start, self.after.placements.get(card))
            for card, start in self.before.placements.items()
            if start is not None
            and self.after.placements.get(card) is not None
            and self.after.placements[card] != start
        }

    def summary(self) -> str:
        """A deterministic plain-text account of both axes and of the cards that moved."""
        texts = {c["id"]: c["text"] for c in self.before.cards}
        labels = {c["id"]: c["label"] for c in self.before.categories}
        moved = self.moved_cards()
        lines = [
            f"Shift exercise {self.exercise!r}: {len(moved)} card(s) change role",
            self.before.summary(),
            self.after.summary(),
        ]
        lines += [
            f"  Moved: {texts[card]}: {labels[start]} -> {labels[end]}"
            for card, (start, end) in sorted(moved.items())
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def widget(self) -> w.VBox:
        """Both sorts and the live chart in one box (built once, then reused)."""
        if self._view is None:
            chart = self._chart_widget()
            self._view = w.VBox(
                [
                    w.HTML("<b>Step 1.</b> Sort the cards as the roles were before AI."),
                    self.before,
                    w.HTML(
                        "<b>Step 2.</b> Sort the same cards as the course's scenario, "
                        "<i>Everyone moves up</i>, has them."
                    ),
                    self.after,
                    chart,
                ]
            )

            def redraw(_change=None) -> None:
                chart.show(self.chart())

            self.before.observe(redraw, names="placements")
            self.after.observe(redraw, names="placements")
        return self._view

    def _chart_widget(self):
        """The live chart: redrawn in place after every move (no output cleared and re-made)."""
        from product_roles.charts.view import ChartView, PlainChart
        from product_roles.frontend import resolve_ui

        if resolve_ui(self._ui) == "core":
            return PlainChart(self.chart())
        return ChartView(self.chart())

    def _repr_mimebundle_(self, **kwargs):
        return with_plain_text(self.widget()._repr_mimebundle_(**kwargs), self.summary())


def _first_choice(key: Mapping) -> dict[str, str]:
    return {card: accepted_answers(entry)[0][0] for card, entry in key.items()}

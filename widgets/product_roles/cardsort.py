"""The card-sort widget: learners place responsibility cards into roles."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import anywidget
import traitlets

from . import answers
from .catalogue import ERAS, load

_STATIC = Path(__file__).parent / "static"
MODES = ("practice", "assessment")


class CardSort(anywidget.AnyWidget):
    """Sort cards into categories by drag, by select, or from Python.

    Every change is saved atomically to ``<exercise>.answers.json`` in ``folder``
    (the notebook's folder by default), and a saved file is loaded on construction,
    so re-running the notebook, or nbgrader's autograde, sees what the learner did.

    Parameters
    ----------
    exercise : str
        Exercise id; it names the answers file.
    cards : sequence of mapping
        Each with ``id`` and ``text``.
    categories : sequence of mapping
        Each with ``id`` and ``label``; 2 to 6 of them.
    mode : {"practice", "assessment"}
        Practice can check answers against ``key``; assessment never shows correctness.
    key : mapping, optional
        Card id to the accepted category id, or a sequence of them (practice only).
        It stays in Python: it is not a synced trait and never reaches the browser.
    explanations : mapping, optional
        Card id to the explanation shown after a check (practice only).
    folder : path, optional
        Where the answers file lives. Defaults to the working directory, which is the
        notebook's folder in Jupyter and in nbgrader.
    """

    _esm = _STATIC / "cardsort.js"
    _css = _STATIC / "cardsort.css"

    exercise = traitlets.Unicode(help="Exercise id; names the answers file.").tag(sync=True)
    cards = traitlets.List(
        traitlets.Dict(), help="The cards, each {'id', 'text'}, in display order."
    ).tag(sync=True)
    categories = traitlets.List(traitlets.Dict(), help="The columns, each {'id', 'label'}.").tag(
        sync=True
    )
    placements = traitlets.Dict(
        help="Card id to category id, or None for a card not placed yet."
    ).tag(sync=True)
    mode = traitlets.Enum(MODES, default_value="practice", help="practice or assessment.").tag(
        sync=True
    )
    feedback = traitlets.Dict(
        help="After a check in practice mode: card id to {'correct', 'explanation'}."
    ).tag(sync=True)
    score = traitlets.Unicode("", help="The last check's score, in words.").tag(sync=True)
    message = traitlets.Unicode("", help="A notice for the learner, such as a corrupt file.").tag(
        sync=True
    )

    def __init__(
        self,
        exercise: str,
        cards: Sequence[Mapping[str, str]],
        categories: Sequence[Mapping[str, str]],
        *,
        mode: str = "practice",
        key: Mapping[str, str | Sequence[str]] | None = None,
        explanations: Mapping[str, str] | None = None,
        folder: str | os.PathLike = ".",
        **kwargs,
    ) -> None:
        if mode == "assessment" and key is not None:
            raise ValueError("an assessment card sort takes no key: grading happens in nbgrader")
        cards = [{"id": str(c["id"]), "text": str(c["text"])} for c in cards]
        categories = [{"id": str(c["id"]), "label": str(c["label"])} for c in categories]
        self._path = answers.path_for(exercise, folder)
        self._key = {card: _as_tuple(accepted) for card, accepted in (key or {}).items()}
        self._explanations = dict(explanations or {})
        self._kept_unknown: dict[str, str | None] = {}
        placements, confidence, message = self._restore(exercise, cards, categories)
        self._confidence = confidence
        # Initial state goes to the constructor: the first widget of a browser
        # session can otherwise render before its state arrives.
        super().__init__(
            exercise=exercise,
            cards=cards,
            categories=categories,
            placements=placements,
            mode=mode,
            message=message,
            **kwargs,
        )
        self.observe(self._save_after_move, names="placements")
        self.on_msg(self._handle_message)

    # -- validation ---------------------------------------------------------

    @traitlets.validate("cards")
    def _valid_cards(self, proposal):
        cards = proposal["value"]
        ids = [card.get("id") for card in cards]
        if len(set(ids)) != len(ids):
            raise traitlets.TraitError("card ids must be unique")
        if len(cards) > 40:
            raise traitlets.TraitError("a card sort holds at most 40 cards")
        return cards

    @traitlets.validate("categories")
    def _valid_categories(self, proposal):
        categories = proposal["value"]
        if not 2 <= len(categories) <= 6:
            raise traitlets.TraitError("a card sort needs 2 to 6 categories")
        if any(not c.get("id") for c in categories):
            raise traitlets.TraitError("every category needs a non-empty id")
        return categories

    @traitlets.validate("placements")
    def _valid_placements(self, proposal):
        placements = dict(proposal["value"])
        card_ids = {card["id"] for card in self.cards}
        category_ids = {category["id"] for category in self.categories}
        for card, category in placements.items():
            if card_ids and card not in card_ids:
                raise traitlets.TraitError(f"unknown card {card!r}")
            if category is not None and category_ids and category not in category_ids:
                raise traitlets.TraitError(f"unknown category {category!r} for card {card!r}")
        return {card["id"]: placements.get(card["id"]) for card in self.cards} or placements

    # -- the Python API -----------------------------------------------------

    def place(self, card: str, category: str | None) -> None:
        """Put ``card`` in ``category`` (a category id or label), or back to unplaced with None."""
        if category is not None:
            category = self._category_id(category)
        self.placements = {**self.placements, card: category}

    def reset(self) -> None:
        """Put every card back to unplaced and clear feedback (the file is updated too)."""
        self.placements = {card["id"]: None for card in self.cards}
        self.feedback = {}
        self.score = ""

    def check(self) -> dict[str, dict]:
        """Check each placed card against the key (practice mode only) and show feedback.

        Returns
        -------
        dict
            Card id to ``{"correct": bool, "explanation": str}`` for every placed card.
        """
        if self.mode != "practice":
            raise RuntimeError("assessment card sorts are graded by nbgrader, not checked here")
        if not self._key:
            raise RuntimeError("this card sort has no key to check against")
        result = {}
        for card, category in self.placements.items():
            if category is None:
                continue
            accepted = self._key.get(card, ())
            result[card] = {
                "correct": category in accepted,
                "explanation": self._explanations.get(card, ""),
            }
        right = sum(verdict["correct"] for verdict in result.values())
        self.feedback = result
        self.score = f"{right} of {len(self.cards)} right"
        return result

    @property
    def answers_path(self) -> Path:
        """The file this card sort saves to."""
        return self._path

    # -- persistence --------------------------------------------------------

    def _restore(self, exercise, cards, categories):
        placements = {card["id"]: None for card in cards}
        try:
            saved = answers.read(self._path, exercise)
        except answers.AnswersError as err:
            kept = answers.set_aside(self._path)
            message = (
                f"Your saved answers ({self._path.name}) could not be read: {err}. "
                f"The file was kept as {kept.name}; this exercise starts empty."
            )
            return placements, {}, message
        if saved is None:
            return placements, {}, ""
        category_ids = {category["id"] for category in categories}
        for card, category in saved.placements.items():
            if card not in placements:
                self._kept_unknown[card] = category
            elif category is None or category in category_ids:
                placements[card] = category
        return placements, saved.confidence, ""

    def _save_after_move(self, change) -> None:
        moved = {card for card, cat in change["new"].items() if change["old"].get(card) != cat}
        if self.feedback and moved:
            self.feedback = {c: v for c, v in self.feedback.items() if c not in moved}
        record = answers.Answers(
            self.exercise, {**self._kept_unknown, **self.placements}, self._confidence
        )
        answers.write(self._path, record)
        if self.message.startswith("Your saved answers"):
            self.message = ""

    def _handle_message(self, _widget, content, _buffers) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "check" and self.mode == "practice" and self._key:
            self.check()
        elif action == "reset":
            self.reset()

    # -- helpers ------------------------------------------------------------

    def _category_id(self, name: str) -> str:
        for category in self.categories:
            if name in (category["id"], category["label"]):
                return category["id"]
        known = ", ".join(c["id"] for c in self.categories)
        raise ValueError(f"unknown category {name!r}; use one of: {known}")

    def summary(self) -> str:
        """A deterministic plain-text account of the placements, one line per category."""
        texts = {card["id"]: card["text"] for card in self.cards}
        placed = sum(v is not None for v in self.placements.values())
        lines = [f"Card sort {self.exercise!r} ({self.mode}): {placed} of {len(texts)} placed"]
        for category in [*self.categories, {"id": None, "label": "Not placed yet"}]:
            names = [texts[c] for c, cat in self.placements.items() if cat == category["id"]]
            if names:
                lines.append(f"  {category['label']}: " + "; ".join(names))
        if self.score:
            lines.append(f"  Score: {self.score}")
        if self.message:
            lines.append(f"  Note: {self.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    # -- building from the catalogue ------------------------------------------

    @classmethod
    def from_catalogue(
        cls,
        exercise: str,
        card_ids: Sequence[str] | None = None,
        *,
        roles: Sequence[str] = ("PO", "PM"),
        era: str = "traditional",
        **kwargs,
    ) -> CardSort:
        """Build a practice sort from catalogue cards, keyed by their ``era`` holders.

        A card's accepted answers are its holders among ``roles``; a card with none
        of them among ``roles`` is an authoring error and raises ValueError.
        """
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}")
        catalogue = load()
        chosen = catalogue.select(list(card_ids) if card_ids is not None else None)
        key, explanations = {}, {}
        for card in chosen:
            accepted = tuple(r for r in card.holders(era) if r in roles)
            if not accepted:
                raise ValueError(f"card {card.id!r} has no {era} holder among {tuple(roles)}")
            key[card.id] = accepted
            note = card.explanation if era == "traditional" else card.shift
            if card.contested:
                note += f" (Contested: {card.contested_why})"
            explanations[card.id] = note
        return cls(
            exercise,
            [{"id": c.id, "text": c.text} for c in chosen],
            [{"id": r, "label": catalogue.role(r).label} for r in roles],
            key=key,
            explanations=explanations,
            **kwargs,
        )


def _as_tuple(accepted: str | Sequence[str]) -> tuple[str, ...]:
    return (accepted,) if isinstance(accepted, str) else tuple(accepted)

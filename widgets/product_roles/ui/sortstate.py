"""What every card sort shares, whichever front end draws it.

:class:`SortState` holds the state (cards, categories, placements, confidence marks,
feedback), checks it, saves it and loads it. The anywidget front end
(:class:`~product_roles.ui.cardsort.CardSort`) and the core-ipywidgets fallback
(:class:`~product_roles.ui.coresort.CoreCardSort`) both build on it, so both have the
same Python API and write the same answers file.

The answer key and the explanations are plain attributes, never traits: traits with
``sync=True`` reach the browser and the notebook's saved widget metadata.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import traitlets

from product_roles.content.catalogue import ERAS, load
from product_roles.frontend import with_plain_text
from product_roles.grading import accepted_answers, answers

MODES = ("practice", "assessment")
MIN_CATEGORIES, MAX_CATEGORIES = 2, 6
MAX_CARDS = 40
UNPLACED_LABEL = "Not placed yet"


class SortState(traitlets.HasTraits):
    """The state and Python API of a card sort; a front end subclasses it with a widget.

    Parameters
    ----------
    exercise : str
        Exercise id; it names the answers file (``<exercise>.answers.json``).
    cards : sequence of mapping
        Each with ``id`` and ``text``; at most 40.
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
    ask_confidence : bool, optional
        Show a sure/unsure mark on each card; a check then points out the cards the
        learner was sure of and got wrong.
    prompt : str, optional
        One line of instructions shown above the cards.
    """

    exercise = traitlets.Unicode(help="Exercise id; names the answers file.").tag(sync=True)
    prompt = traitlets.Unicode("", help="Instructions shown above the cards.").tag(sync=True)
    cards = traitlets.List(
        traitlets.Dict(), help="The cards, each {'id', 'text'}, in display order."
    ).tag(sync=True)
    categories = traitlets.List(traitlets.Dict(), help="The columns, each {'id', 'label'}.").tag(
        sync=True
    )
    placements = traitlets.Dict(
        help="Card id to category id, or None for a card not placed yet."
    ).tag(sync=True)
    ask_confidence = traitlets.Bool(False, help="Whether each card shows a sure/unsure mark.").tag(
        sync=True
    )
    confidence = traitlets.Dict(help="Card id to 'sure' or 'unsure', for marked cards.").tag(
        sync=True
    )
    mode = traitlets.Enum(MODES, default_value="practice", help="practice or assessment.").tag(
        sync=True
    )
    can_check = traitlets.Bool(False, help="Whether a Check button is offered.").tag(sync=True)
    feedback = traitlets.Dict(
        help="After a check in practice mode: card id to {'correct', 'explanation'}, with"
        " 'expected' (the accepted columns' labels) for a wrong card and 'confidence' for a"
        " marked one."
    ).tag(sync=True)
    score = traitlets.Unicode("", help="The last check's score, in words.").tag(sync=True)
    message = traitlets.Unicode("", help="A notice for the learner, such as a corrupt file.").tag(
        sync=True
    )
    can_undo = traitlets.Bool(False, help="Whether the last Start again can be undone.").tag(
        sync=True
    )
    undo_note = traitlets.Unicode("", help="What Start again did and where the old sort is.").tag(
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
        ask_confidence: bool = False,
        prompt: str = "",
        **kwargs,
    ) -> None:
        if "ui" in kwargs:
            # Widgets pass unknown keywords on as traits, so ui= would be dropped quietly.
            raise TypeError(
                f"{type(self).__name__} is one front end; card_sort(..., ui=...) chooses one"
            )
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if mode == "assessment" and key is not None:
            raise ValueError("an assessment card sort takes no key: grading happens in nbgrader")
        cards = [_clean(entry, "card", ("id", "text")) for entry in cards]
        categories = [_clean(entry, "category", ("id", "label")) for entry in categories]
        card_ids = {card["id"] for card in cards}
        unknown = sorted(set(key or {}) - card_ids)
        if unknown:
            raise ValueError(f"the key names card {unknown[0]!r}, which is not in this sort")
        self._path = answers.path_for(exercise, folder)
        self._key = {card: accepted_answers(entry)[0] for card, entry in (key or {}).items()}
        self._explanations = {str(k): str(v) for k, v in (explanations or {}).items()}
        self._kept_unknown: dict[str, str | None] = {}
        self._kept_confidence: dict[str, str] = {}
        self._before_reset: tuple[dict, dict] | None = None
        self._restoring = False
        placements, confidence, message = self._restore(exercise, cards, categories)
        # Initial state goes to the constructor: the first widget of a browser
        # session can otherwise render before its state arrives.
        super().__init__(
            exercise=exercise,
            prompt=prompt,
            cards=cards,
            categories=categories,
            placements=placements,
            ask_confidence=ask_confidence,
            confidence=confidence,
            mode=mode,
            can_check=mode == "practice" and bool(self._key),
            message=message,
            **kwargs,
        )
        self.observe(self._after_change, names=["placements", "confidence"])

    # -- validation ---------------------------------------------------------

    @traitlets.validate("cards")
    def _valid_cards(self, proposal):
        cards = proposal["value"]
        ids = [card.get("id") for card in cards]
        if len(set(ids)) != len(ids):
            raise traitlets.TraitError("card ids must be unique")
        if not cards:
            raise traitlets.TraitError("a card sort needs at least one card")
        if len(cards) > MAX_CARDS:
            raise traitlets.TraitError(f"a card sort holds at most {MAX_CARDS} cards")
        return cards

    @traitlets.validate("categories")
    def _valid_categories(self, proposal):
        categories = proposal["value"]
        if not MIN_CATEGORIES <= len(categories) <= MAX_CATEGORIES:
            raise traitlets.TraitError(
                f"a card sort needs {MIN_CATEGORIES} to {MAX_CATEGORIES} categories"
            )
        ids = [c.get("id") for c in categories]
        if any(not i for i in ids):
            raise traitlets.TraitError("every category needs a non-empty id")
        if len(set(ids)) != len(ids):
            raise traitlets.TraitError("category ids must be unique")
        return categories

    @traitlets.validate("placements")
    def _valid_placements(self, proposal):
        placements = proposal["value"]
        if not isinstance(placements, dict):
            raise traitlets.TraitError("placements must map card ids to category ids")
        card_ids = {card["id"] for card in self.cards}
        category_ids = {category["id"] for category in self.categories}
        for card, category in placements.items():
            if card_ids and card not in card_ids:
                raise traitlets.TraitError(f"unknown card {card!r}")
            if category is not None and category_ids and category not in category_ids:
                raise traitlets.TraitError(f"unknown category {category!r} for card {card!r}")
        return {card["id"]: placements.get(card["id"]) for card in self.cards} or dict(placements)

    @traitlets.validate("confidence")
    def _valid_confidence(self, proposal):
        marks = proposal["value"]
        card_ids = {card["id"] for card in self.cards}
        for card, mark in marks.items():
            if card_ids and card not in card_ids:
                raise traitlets.TraitError(f"unknown card {card!r}")
            if mark not in (*answers.CONFIDENCE, None):
                raise traitlets.TraitError(
                    f"confidence for {card!r} must be 'sure' or 'unsure', not {mark!r}"
                )
        # An unmarked card is simply absent: "no mark" is not a third value on disk.
        return {card: mark for card, mark in sorted(marks.items()) if mark is not None}

    # -- the Python API -----------------------------------------------------

    def place(self, card: str, category: str | None) -> None:
        """Put ``card`` in ``category`` (a category id or label), or back to unplaced with None."""
        if card not in self.placements:
            known = ", ".join(self.placements)
            raise ValueError(f"unknown card {card!r}; this sort has: {known}")
        if category is not None:
            category = self._category_id(category)
        self.placements = {**self.placements, card: category}

    def mark(self, card: str, confidence: str | None) -> None:
        """Mark ``card`` as "sure" or "unsure", or clear its mark with None."""
        if card not in self.placements:
            raise ValueError(f"unknown card {card!r}")
        if confidence not in (*answers.CONFIDENCE, None):
            raise ValueError(f"confidence must be 'sure', 'unsure' or None, not {confidence!r}")
        self.confidence = {**self.confidence, card: confidence}

    def reset(self) -> Path | None:
        """Put every card back to unplaced, clear marks and feedback (the file is updated too).

        The sort as it was is kept: :meth:`undo_reset` brings it back until the next
        move, and a copy of the answers file stays on disk beside it, named
        ``<exercise>.answers.json.before-reset-<time>``.

        Returns
        -------
        Path or None
            That copy, or None when nothing was placed or marked (nothing to keep).
        """
        placed = any(v is not None for v in self.placements.values())
        if not placed and not self.confidence:
            return None
        kept = self._keep_before_reset()
        previous = (dict(self.placements), dict(self.confidence))
        self._restoring = True
        try:
            with self.hold_trait_notifications():
                self.feedback = {}
                self.score = ""
                self.confidence = {}
                self.placements = {card["id"]: None for card in self.cards}
        finally:
            self._restoring = False
        self._before_reset = previous
        count = sum(v is not None for v in previous[0].values())
        where = f" A copy of your sort is kept in {kept.name}." if kept else ""
        self.undo_note = f"Started again: {count} card(s) went back to the tray.{where}"
        self.can_undo = True
        return kept

    def undo_reset(self) -> bool:
        """Bring back the sort as it was before the last :meth:`reset`; False if there is none."""
        if self._before_reset is None:
            return False
        placements, confidence = self._before_reset
        self._restoring = True
        try:
            with self.hold_trait_notifications():
                self.placements = placements
                self.confidence = confidence
        finally:
            self._restoring = False
        self._forget_reset()
        return True

    def _forget_reset(self) -> None:
        self._before_reset = None
        self.can_undo = False
        self.undo_note = ""

    def _keep_before_reset(self) -> Path | None:
        if not self._path.exists():
            return None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        kept = self._path.with_name(f"{self._path.name}.before-reset-{stamp}")
        try:
            shutil.copy2(self._path, kept)
        except OSError:
            return None
        return kept

    def check(self) -> dict[str, dict]:
        """Check each placed card against the key (practice mode only) and show feedback.

        Returns
        -------
        dict
            Card id to ``{"correct": bool, "explanation": str}`` for every placed card,
            with ``"confidence"`` added for a card the learner marked sure or unsure.
        """
        if self.mode != "practice":
            raise RuntimeError("assessment card sorts are graded by nbgrader, not checked here")
        if not self._key:
            raise RuntimeError("this card sort has no key to check against")
        result = {}
        labels = {c["id"]: c["label"] for c in self.categories}
        for card, category in self.placements.items():
            if category is None:
                continue
            accepted = self._key.get(card, ())
            verdict = {
                "correct": category in accepted,
                "explanation": self._explanations.get(card, ""),
            }
            if not verdict["correct"]:
                # Practice feedback names the right column; assessments never check.
                verdict["expected"] = [labels[a] for a in accepted if a in labels]
            if card in self.confidence:
                verdict["confidence"] = self.confidence[card]
            result[card] = verdict
        self.feedback = result
        self.score = self._score_words(result)
        return result

    def results(self) -> dict[str, str | None]:
        """The learner's placements (a copy), as the answers file holds them."""
        return dict(self.placements)

    @property
    def answers_path(self) -> Path:
        """The file this card sort saves to."""
        return self._path

    def summary(self) -> str:
        """A deterministic plain-text account of the placements, one line per category."""
        texts = {card["id"]: card["text"] for card in self.cards}
        placed = sum(v is not None for v in self.placements.values())
        lines = [f"Card sort {self.exercise!r} ({self.mode}): {placed} of {len(texts)} placed"]
        for category in [*self.categories, {"id": None, "label": UNPLACED_LABEL}]:
            names = [
                texts[c] + (f" ({self.confidence[c]})" if c in self.confidence else "")
                for c, cat in self.placements.items()
                if cat == category["id"]
            ]
            if names:
                lines.append(f"  {category['label']}: " + "; ".join(names))
        if self.score:
            lines.append(f"  Score: {self.score}")
        if self.message:
            lines.append(f"  Note: {self.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_mimebundle_(self, **kwargs):
        # The widget's own bundle cuts text/plain short; nbval, nbgrader and anyone
        # reading a notebook without a browser get the whole summary instead.
        return with_plain_text(super()._repr_mimebundle_(**kwargs), self.summary())

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
    ):
        """Build a practice sort from catalogue cards, keyed by their ``era`` holders.

        A card's accepted answers are its holders among ``roles``; a card with none
        of them among ``roles`` is an authoring error and raises ValueError.
        """
        key, explanations = catalogue_key(card_ids, roles=roles, era=era)
        catalogue = load()
        return cls(
            exercise,
            [{"id": c, "text": catalogue.card(c).text} for c in key],
            [{"id": r, "label": catalogue.role(r).label} for r in roles],
            key=key,
            explanations=explanations,
            **kwargs,
        )

    # -- persistence and messages from a front end ----------------------------

    def _restore(self, exercise, cards, categories):
        placements = {card["id"]: None for card in cards}
        try:
            saved = answers.read(self._path, exercise)
        except answers.AnswersError as err:
            kept = answers.set_aside(self._path)
            if isinstance(err, answers.WrongExercise):
                message = (
                    f"Your saved answers ({self._path.name}) are those of exercise "
                    f"{err.shown!r}; this sort is {exercise!r}: was the file renamed, or "
                    f"copied from another notebook? It was kept as {kept.name}; this "
                    f"exercise starts empty. Those answers belong in "
                    f"{err.shown}{answers.SUFFIX}, beside the notebook of that exercise."
                )
            else:
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
                # A card this version no longer shows: kept on disk, never dropped.
                self._kept_unknown[card] = category
            elif category is None or category in category_ids:
                placements[card] = category
        confidence = {c: m for c, m in saved.confidence.items() if c in placements}
        self._kept_confidence = {c: m for c, m in saved.confidence.items() if c not in placements}
        return placements, confidence, ""

    def _after_change(self, change) -> None:
        if self.can_undo and not self._restoring:
            # A move after Start again is a new sort; the copy on disk stays.
            self._forget_reset()
        if change["name"] == "placements":
            moved = {c for c, cat in change["new"].items() if change["old"].get(c) != cat}
            if self.feedback and moved:
                self.feedback = {c: v for c, v in self.feedback.items() if c not in moved}
        record = answers.Answers(
            self.exercise,
            {**self._kept_unknown, **self.placements},
            {**self._kept_confidence, **self.confidence},
        )
        try:
            answers.write(self._path, record)
        except OSError as err:
            # The move stays in the kernel; the learner is told, and the next move retries.
            self.message = (
                f"Your latest change could not be saved to {self._path} ({err.strerror}). "
                "It is kept while this notebook runs; fix the folder and move any card to retry."
            )
            return
        if self.message.startswith(("Your saved answers", "Your latest change")):
            self.message = ""

    def _handle_action(self, action: object) -> None:
        """Carry out a button press sent by a front end; anything else is ignored."""
        if action == "check" and self.can_check:
            self.check()
        elif action == "reset":
            self.reset()
        elif action == "undo":
            self.undo_reset()

    # -- helpers ------------------------------------------------------------

    def _category_id(self, name: str) -> str:
        for category in self.categories:
            if name in (category["id"], category["label"]):
                return category["id"]
        known = ", ".join(c["id"] for c in self.categories)
        raise ValueError(f"unknown category {name!r}; use one of: {known}")

    def _score_words(self, result: Mapping[str, Mapping]) -> str:
        right = sum(verdict["correct"] for verdict in result.values())
        words = f"{right} of {len(self.cards)} right"
        unplaced = len(self.cards) - len(result)
        if unplaced == len(self.cards):
            return f"No card is placed yet: place the cards, then check ({words})"
        if unplaced:
            words += f"; {unplaced} {'card' if unplaced == 1 else 'cards'} not placed yet"
        sure_wrong = sum(
            1 for v in result.values() if not v["correct"] and v.get("confidence") == "sure"
        )
        if sure_wrong:
            words += f"; {sure_wrong} marked sure but wrong"
        return words


def catalogue_key(
    card_ids: Sequence[str] | None, *, roles: Sequence[str], era: str
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The key and explanations of catalogue cards for ``era``, among ``roles``.

    Raises
    ------
    ValueError
        For an unknown era, or a card with no holder among ``roles`` in that era.
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
        note = card.note(era)
        if card.contested:
            unoffered = tuple(r for r in card.holders(era) if r not in roles)
            note += _contested_note(accepted, card.contested_why, catalogue, unoffered)
        explanations[card.id] = note
    return key, explanations


def _contested_note(
    accepted: Sequence[str], why: str, catalogue, unoffered: Sequence[str] = ()
) -> str:
    """Say which answers this sort accepts for a contested card, when that needs saying.

    When the sort accepts several, they are named. A role the sources accept but the
    sort does not offer as a column is named too, so the note never suggests that it
    would be wrong. A card contested only in the other setting gets no note: the
    verdict already names the one column that counts.
    """
    labels = [f'"{catalogue.role(r).label}"' for r in accepted]
    if len(labels) == 1 and unoffered:
        others = " and ".join(f'"{catalogue.role(r).label}"' for r in unoffered)
        return (
            f" (Contested: the sources also accept {others} for this card, which this"
            f" sort does not offer as a column, so here only {labels[0]} counts. {why})"
        )
    if len(labels) == 1:
        # Contested in the other setting only: here one answer counts, and the
        # verdict names it, so a note would only lengthen every explanation.
        return ""
    listed = f"{', '.join(labels[:-1])} and {labels[-1]}"
    both = "both" if len(labels) == 2 else "all"
    return f" (Contested: {listed} are {both} accepted here. {why})"


def _clean(entry: Mapping[str, str], kind: str, fields: tuple[str, str]) -> dict[str, str]:
    if not isinstance(entry, Mapping) or any(f not in entry for f in fields):
        raise ValueError(f"each {kind} needs {' and '.join(repr(f) for f in fields)}: {entry!r}")
    return {field: str(entry[field]) for field in fields}

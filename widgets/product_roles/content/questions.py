"""The question bank: practice questions and custom sorts, validated on load.

Questions live in ``data/questions/*.yaml`` (one file per notebook) with the rest of
the course's content, so a notebook shows a question by id and its answer is not
printed in the learner's cell.
The same file holds *custom sorts*: card sorts whose cards are not responsibilities,
such as claims to sort by the evidence behind them. A custom sort whose columns stand
for roles says so: each category names its ``role``, the sort names its ``era``, and
each card names the catalogue ``card`` it stands for, so that a test can hold its key
to the catalogue's (a ``narrower_because`` note says why a card accepts fewer roles).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from product_roles.content.loader import ContentError, data_file, read_yaml, require_fields


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class CustomSort:
    id: str
    prompt: str
    categories: tuple[tuple[str, str], ...]
    cards: tuple[dict, ...]
    era: str = ""
    roles: tuple[tuple[str, str], ...] = ()

    def role_of(self, category: str) -> str | None:
        """The catalogue role a category stands for, or None in a sort of claims."""
        return dict(self.roles).get(category)


_CARD_FIELDS = {
    "id": str,
    "text": str,
    "answer": list,
    "why": str,
    "card": str,
    "narrower_because": str,
}
_CARD_OPTIONAL = ("card", "narrower_because")


def _require(where: str, entry: dict, fields: dict, optional=()) -> None:
    require_fields(where, entry, fields, optional=optional, error=ContentError)


def parse_bank(data: dict) -> tuple[dict[str, Question], dict[str, CustomSort]]:
    """Validate the decoded question bank; errors name the entry and the field."""
    _require("question bank", data, {"version": int, "questions": list, "sorts": list})
    questions = {}
    for index, entry in enumerate(data["questions"], start=1):
        where = f"question {entry.get('id', f'#{index}')!r}"
        _require(where, entry, {"id": str, "prompt": str, "options": list})
        options = []
        for number, option in enumerate(entry["options"], start=1):
            _require(
                f"{where} option {number}",
                option,
                {"text": str, "correct": bool, "feedback": str},
            )
            options.append(Option(**option))
        if sum(option.correct for option in options) != 1:
            raise ContentError(f"{where}: field 'options' must mark exactly one correct")
        if entry["id"] in questions:
            raise ContentError(f"{where}: field 'id' repeats an earlier question")
        questions[entry["id"]] = Question(entry["id"], entry["prompt"], tuple(options))
    sorts = {}
    for index, entry in enumerate(data["sorts"], start=1):
        where = f"sort {entry.get('id', f'#{index}')!r}"
        _require(
            where,
            entry,
            {"id": str, "prompt": str, "era": str, "categories": list, "cards": list},
            optional=("era",),
        )
        for number, category in enumerate(entry["categories"], start=1):
            _require(
                f"{where} category {number}",
                category,
                {"id": str, "label": str, "role": str},
                optional=("role",),
            )
        categories = tuple((c["id"], c["label"]) for c in entry["categories"])
        roles = tuple((c["id"], c["role"]) for c in entry["categories"] if "role" in c)
        if roles and (len(roles) != len(categories) or "era" not in entry):
            raise ContentError(
                f"{where}: field 'role' must be on every category, with the sort's 'era'"
            )
        ids = {c[0] for c in categories}
        for card in entry["cards"]:
            label = f"{where} card {card.get('id')!r}"
            _require(label, card, _CARD_FIELDS, optional=_CARD_OPTIONAL)
            if not set(card["answer"]) <= ids or not card["answer"]:
                raise ContentError(f"{label}: field 'answer' is not a category")
            if roles and "card" not in card:
                raise ContentError(f"{label}: field 'card' is missing in a sort of roles")
        sorts[entry["id"]] = CustomSort(
            entry["id"],
            entry["prompt"],
            categories,
            tuple(entry["cards"]),
            era=entry.get("era", ""),
            roles=roles,
        )
    return questions, sorts


@lru_cache(maxsize=1)
def bank() -> tuple[dict[str, Question], dict[str, CustomSort]]:
    """The question bank shipped with the package: every file in ``data/questions/``."""
    questions, sorts = {}, {}
    for entry in sorted(data_file("questions").glob("*.yaml")):
        try:
            more_questions, more_sorts = parse_bank(read_yaml(entry, entry.name))
        except ContentError as err:
            raise ContentError(f"{entry.name}: {err}") from err
        for kind, have, more in (
            ("question", questions, more_questions),
            ("sort", sorts, more_sorts),
        ):
            for repeated in sorted(have.keys() & more.keys()):
                raise ContentError(f"{entry.name}: {kind} {repeated!r} is defined twice")
            have.update(more)
    return questions, sorts

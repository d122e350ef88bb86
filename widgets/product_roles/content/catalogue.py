"""The responsibility catalogue: one data file that feeds the notebooks, widgets and charts.

The catalogue lives in ``data/cards.yaml`` inside the package. It is validated on
load, and a bad entry raises :class:`ContentError` naming the entry and the field,
so an author editing the YAML sees exactly what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from product_roles.content.loader import (
    ContentError,
    data_file,
    parse_yaml,
    read_yaml,
    require_fields,
)

FOCI = ("inward", "outward", "both")
SOURCE_KINDS = ("primary", "secondary", "survey", "study", "opinion")
ERAS = ("traditional", "ai_era", "verification")
# The settings after AI-assisted coding: each is a scenario with a title and a summary.
SCENARIOS = ERAS[1:]

_CARD_FIELDS = {
    "id": str,
    "text": str,
    "focus": str,
    "traditional": list,
    "ai_era": list,
    "verification": list,
    "explanation": str,
    "shift": str,
    "verification_note": str,
    "contested": bool,
    "contested_why": str,
    "sources": list,
}
_ROLE_FIELDS = {"id": str, "label": str, "description": str}
_SCENARIO_FIELDS = {"title": str, "short": str, "summary": str, "sources": list}
_SOURCE_FIELDS = {"title": str, "author": str, "year": int, "url": str, "kind": str}
_SOURCE_OPTIONAL = {"url"}
MAX_CARD_TEXT = 90


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    author: str
    year: int
    kind: str
    url: str = ""

    def citation(self) -> str:
        """Return a short citation: author, title, year."""
        return f"{self.author}, *{self.title}* ({self.year})"


@dataclass(frozen=True)
class Scenario:
    """A setting after AI-assisted coding, argued rather than measured."""

    id: str
    title: str
    short: str
    summary: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    id: str
    text: str
    focus: str
    traditional: tuple[str, ...]
    ai_era: tuple[str, ...]
    verification: tuple[str, ...]
    explanation: str
    shift: str
    verification_note: str
    contested: bool
    contested_why: str
    sources: tuple[str, ...]

    def holders(self, era: str) -> tuple[str, ...]:
        """Return the role ids accepted for this card in ``era`` (one of :data:`ERAS`)."""
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        return getattr(self, era)

    def note(self, era: str) -> str:
        """Return the text that explains this card's answer in ``era``."""
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        return {
            "traditional": self.explanation,
            "ai_era": self.shift,
            "verification": self.verification_note,
        }[era]


@dataclass(frozen=True)
class Catalogue:
    version: int
    roles: tuple[Role, ...]
    sources: dict[str, Source]
    cards: tuple[Card, ...]
    scenarios: dict[str, Scenario]

    def card(self, card_id: str) -> Card:
        """Return the card with id ``card_id``; raise KeyError naming the unknown id."""
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(f"no card with id {card_id!r} in the catalogue")

    def role(self, role_id: str) -> Role:
        """Return the role with id ``role_id``."""
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(f"no role with id {role_id!r} in the catalogue")

    def select(self, card_ids: list[str] | None = None) -> list[Card]:
        """Return the cards named by ``card_ids`` in that order, or all cards."""
        if card_ids is None:
            return list(self.cards)
        return [self.card(card_id) for card_id in card_ids]


def _check_fields(where: str, entry: Any, fields: dict[str, type], optional=frozenset()) -> None:
    require_fields(
        where,
        entry,
        fields,
        optional=optional,
        may_be_empty=("contested_why", "url"),
        error=ContentError,
    )


def parse(data: Any) -> Catalogue:
    """Validate the decoded YAML ``data`` and build a :class:`Catalogue`.

    Raises
    ------
    ContentError
        Naming the entry (``card 'pricing'``, ``role #2``, ``source 'safe'``) and the field.
    """
    _check_fields(
        "catalogue",
        data,
        {"version": int, "roles": list, "sources": dict, "scenarios": dict, "cards": list},
    )
    if data["version"] != 1:
        raise ContentError(f"catalogue: field 'version' is {data['version']}, expected 1")

    roles = []
    for index, entry in enumerate(data["roles"], start=1):
        _check_fields(f"role #{index}", entry, _ROLE_FIELDS)
        roles.append(Role(**entry))
    role_ids = [role.id for role in roles]
    if len(set(role_ids)) != len(role_ids):
        raise ContentError("roles: role ids must be unique")

    sources = {}
    for source_id, entry in data["sources"].items():
        where = f"source {source_id!r}"
        _check_fields(where, entry, _SOURCE_FIELDS, optional=_SOURCE_OPTIONAL)
        if entry["kind"] not in SOURCE_KINDS:
            raise ContentError(f"{where}: field 'kind' must be one of {SOURCE_KINDS}")
        sources[source_id] = Source(id=source_id, **entry)

    scenarios = {}
    if sorted(data["scenarios"]) != sorted(SCENARIOS):
        raise ContentError(f"scenarios: describe exactly {SCENARIOS}")
    for scenario_id in SCENARIOS:
        entry = data["scenarios"][scenario_id]
        where = f"scenario {scenario_id!r}"
        _check_fields(where, entry, _SCENARIO_FIELDS)
        for source_id in entry["sources"]:
            if source_id not in sources:
                raise ContentError(f"{where}: field 'sources' names unknown source {source_id!r}")
        scenarios[scenario_id] = Scenario(
            scenario_id,
            entry["title"],
            entry["short"],
            entry["summary"],
            tuple(entry["sources"]),
        )

    cards, seen = [], set()
    for index, entry in enumerate(data["cards"], start=1):
        label = entry.get("id") if isinstance(entry, dict) else None
        where = f"card {label!r}" if isinstance(label, str) else f"card #{index}"
        _check_fields(where, entry, _CARD_FIELDS)
        if entry["id"] in seen:
            raise ContentError(f"{where}: field 'id' repeats an earlier card")
        seen.add(entry["id"])
        if len(entry["text"]) > MAX_CARD_TEXT:
            raise ContentError(f"{where}: field 'text' is longer than {MAX_CARD_TEXT} characters")
        if entry["focus"] not in FOCI:
            raise ContentError(f"{where}: field 'focus' must be one of {FOCI}")
        for era in ERAS:
            holders = entry[era]
            if not holders:
                raise ContentError(f"{where}: field {era!r} names no role")
            for holder in holders:
                if holder not in role_ids:
                    raise ContentError(f"{where}: field {era!r} names unknown role {holder!r}")
        if entry["contested"] != bool(entry["contested_why"].strip()):
            raise ContentError(
                f"{where}: field 'contested_why' must say why exactly when 'contested' is true"
            )
        if not entry["sources"]:
            raise ContentError(f"{where}: field 'sources' names no source")
        for source_id in entry["sources"]:
            if source_id not in sources:
                raise ContentError(f"{where}: field 'sources' names unknown source {source_id!r}")
        fields = dict(entry)
        for name in (*ERAS, "sources"):
            fields[name] = tuple(fields[name])
        cards.append(Card(**fields))

    return Catalogue(
        version=1, roles=tuple(roles), sources=sources, cards=tuple(cards), scenarios=scenarios
    )


def loads(text: str) -> Catalogue:
    """Parse and validate catalogue YAML given as text."""
    return parse(parse_yaml(text, "catalogue"))


@lru_cache(maxsize=1)
def load() -> Catalogue:
    """Load the catalogue shipped with the package (cached: it never changes at run time)."""
    return parse(read_yaml(data_file("cards.yaml"), "catalogue"))

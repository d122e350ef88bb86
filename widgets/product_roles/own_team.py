"""Exercises about the learner's own team and organisation: no right answers, no key.

Notebook 8 asks learners to design the split of responsibilities for their own team
and to assess how ready their organisation is. Both are card sorts in assessment
mode: saved beside the notebook like every sort, but never marked right or wrong.
The self-assessment statements live in ``data/readiness.yaml``, validated on load;
a bad entry raises :class:`~product_roles.catalogue.CatalogueError` naming it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .cardsort import CardSort
from .catalogue import CatalogueError, load
from .fields import require_fields

_STATEMENT_FIELDS = {"id": str, "area": str, "text": str, "means": str, "sources": list}
MAX_STATEMENT_TEXT = 90


@dataclass(frozen=True)
class Statement:
    id: str
    area: str
    text: str
    means: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Readiness:
    levels: tuple[tuple[str, str], ...]
    areas: tuple[tuple[str, str], ...]
    statements: tuple[Statement, ...]

    def area_label(self, area_id: str) -> str:
        """Return the readable label of an area id."""
        return dict(self.areas)[area_id]


def _pairs(where: str, entries: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"readiness: field {where!r} should be a non-empty list")
    pairs = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"id", "label"}:
            raise CatalogueError(f"readiness: {where} #{number} needs exactly 'id' and 'label'")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in ("id", "label")):
            raise CatalogueError(f"readiness: {where} #{number}: 'id' and 'label' are text")
        pairs.append((entry["id"], entry["label"]))
    if len({p[0] for p in pairs}) != len(pairs):
        raise CatalogueError(f"readiness: {where} ids must be unique")
    return tuple(pairs)


def parse_readiness(data: Any, source_ids: set[str]) -> Readiness:
    """Validate decoded readiness YAML; ``source_ids`` are the catalogue's known sources."""
    if not isinstance(data, dict) or set(data) != {"version", "levels", "areas", "statements"}:
        raise CatalogueError("readiness: needs exactly version, levels, areas and statements")
    if data["version"] != 1:
        raise CatalogueError(f"readiness: field 'version' is {data['version']}, expected 1")
    levels = _pairs("levels", data["levels"])
    areas = _pairs("areas", data["areas"])
    area_ids = {a[0] for a in areas}
    statements, seen = [], set()
    for number, entry in enumerate(data["statements"] or [], start=1):
        label = entry.get("id") if isinstance(entry, dict) else None
        where = f"statement {label!r}" if isinstance(label, str) else f"statement #{number}"
        require_fields(where, entry, _STATEMENT_FIELDS, error=CatalogueError)
        if not entry["sources"]:
            raise CatalogueError(f"{where}: field 'sources' names no source")
        if entry["id"] in seen:
            raise CatalogueError(f"{where}: field 'id' repeats an earlier statement")
        seen.add(entry["id"])
        if entry["area"] not in area_ids:
            raise CatalogueError(f"{where}: field 'area' names unknown area {entry['area']!r}")
        if len(entry["text"]) > MAX_STATEMENT_TEXT:
            raise CatalogueError(
                f"{where}: field 'text' is longer than {MAX_STATEMENT_TEXT} characters"
            )
        for source in entry["sources"]:
            if source not in source_ids:
                raise CatalogueError(f"{where}: field 'sources' names unknown source {source!r}")
        statements.append(Statement(**{**entry, "sources": tuple(entry["sources"])}))
    if not statements:
        raise CatalogueError("readiness: field 'statements' names no statement")
    return Readiness(levels, areas, tuple(statements))


@lru_cache(maxsize=1)
def readiness() -> Readiness:
    """The self-assessment shipped with the package (cached: it never changes at run time)."""
    text = resources.files("product_roles").joinpath("data/readiness.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise CatalogueError(f"readiness: not valid YAML ({err})") from err
    return parse_readiness(data, set(load().sources))


def readiness_sort(exercise: str, *, folder: str | os.PathLike = ".") -> CardSort:
    """A self-assessment: sort each statement by how true it is of your organisation."""
    spec = readiness()
    return CardSort(
        exercise,
        [{"id": s.id, "text": s.text} for s in spec.statements],
        [{"id": i, "label": label} for i, label in spec.levels],
        mode="assessment",
        folder=folder,
    )


def design_sort(
    exercise: str,
    card_ids: Sequence[str],
    *,
    roles: Sequence[str] = ("PO", "PM", "ENG", "TEAM"),
    folder: str | os.PathLike = ".",
) -> CardSort:
    """A design exercise: place catalogue cards with the roles of your own team.

    Any placement is allowed, so the sort has no key and never marks a card wrong.
    """
    catalogue = load()
    cards = catalogue.select(list(card_ids))
    return CardSort(
        exercise,
        [{"id": c.id, "text": c.text} for c in cards],
        [{"id": r, "label": catalogue.role(r).label} for r in roles],
        mode="assessment",
        folder=folder,
    )


def advice(sort: CardSort) -> str:
    """Markdown notes on a learner's self-assessment: what each weaker answer suggests.

    Statements placed as "partly" or "not yet" are listed under their area with what
    that answer means and where the idea comes from; the rest are counted. The notes
    read the learner's placements only, so there is nothing to reveal in advance.
    """
    spec = readiness()
    catalogue = load()
    levels = dict(spec.levels)
    by_id = {s.id: s for s in spec.statements}
    weaker = [
        (by_id[card], level)
        for card, level in sort.placements.items()
        if card in by_id and level in ("partly", "no")
    ]
    answered = sum(1 for c, level in sort.placements.items() if c in by_id and level)
    if not answered:
        return "*Place the statements in the self-assessment above, then run this cell again.*"
    lines = [f"You answered {answered} of {len(spec.statements)} statements."]
    if not weaker:
        lines.append("You placed every answered statement as true for you: look for evidence.")
    for area, label in spec.areas:
        items = [(s, level) for s, level in weaker if s.area == area]
        if not items:
            continue
        lines.append(f"\n**{label}**\n")
        for statement, level in items:
            cited = "; ".join(catalogue.sources[s].citation() for s in statement.sources)
            lines.append(
                f"- *{statement.text}* ({levels[level].lower()}): {statement.means} "
                f"Source: {cited}."
            )
    return "\n".join(lines)

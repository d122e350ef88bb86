"""The self-assessment of notebook 8: how ready an organisation is for the shift.

The statements live in ``data/readiness.yaml``, validated on load; a bad entry raises
:class:`~product_roles.content.loader.ContentError` naming it. The card sorts that
show them are in :mod:`product_roles.ui.own_team`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from product_roles.content.catalogue import load
from product_roles.content.loader import ContentError, data_file, read_yaml, require_fields

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
        raise ContentError(f"readiness: field {where!r} should be a non-empty list")
    pairs = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"id", "label"}:
            raise ContentError(f"readiness: {where} #{number} needs exactly 'id' and 'label'")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in ("id", "label")):
            raise ContentError(f"readiness: {where} #{number}: 'id' and 'label' are text")
        pairs.append((entry["id"], entry["label"]))
    if len({p[0] for p in pairs}) != len(pairs):
        raise ContentError(f"readiness: {where} ids must be unique")
    return tuple(pairs)


def parse_readiness(data: Any, source_ids: set[str]) -> Readiness:
    """Validate decoded readiness YAML; ``source_ids`` are the catalogue's known sources."""
    if not isinstance(data, dict) or set(data) != {"version", "levels", "areas", "statements"}:
        raise ContentError("readiness: needs exactly version, levels, areas and statements")
    if data["version"] != 1:
        raise ContentError(f"readiness: field 'version' is {data['version']}, expected 1")
    levels = _pairs("levels", data["levels"])
    areas = _pairs("areas", data["areas"])
    area_ids = {a[0] for a in areas}
    statements, seen = [], set()
    for number, entry in enumerate(data["statements"] or [], start=1):
        label = entry.get("id") if isinstance(entry, dict) else None
        where = f"statement {label!r}" if isinstance(label, str) else f"statement #{number}"
        require_fields(where, entry, _STATEMENT_FIELDS, error=ContentError)
        if not entry["sources"]:
            raise ContentError(f"{where}: field 'sources' names no source")
        if entry["id"] in seen:
            raise ContentError(f"{where}: field 'id' repeats an earlier statement")
        seen.add(entry["id"])
        if entry["area"] not in area_ids:
            raise ContentError(f"{where}: field 'area' names unknown area {entry['area']!r}")
        if len(entry["text"]) > MAX_STATEMENT_TEXT:
            raise ContentError(
                f"{where}: field 'text' is longer than {MAX_STATEMENT_TEXT} characters"
            )
        for source in entry["sources"]:
            if source not in source_ids:
                raise ContentError(f"{where}: field 'sources' names unknown source {source!r}")
        statements.append(Statement(**{**entry, "sources": tuple(entry["sources"])}))
    if not statements:
        raise ContentError("readiness: field 'statements' names no statement")
    return Readiness(levels, areas, tuple(statements))


@lru_cache(maxsize=1)
def readiness() -> Readiness:
    """The self-assessment shipped with the package (cached: it never changes at run time)."""
    data = read_yaml(data_file("readiness.yaml"), "readiness")
    return parse_readiness(data, set(load().sources))

"""Dated evidence on AI-assisted development: the studies notebook 6 teaches from.

The studies live in ``data/studies.yaml`` inside the package. Each one carries its
year, sample, result, caveat and source next to the numbers the charts draw, and the
file is validated on load: a bad entry raises :class:`ContentError` naming the study
and the field, so an author editing the YAML sees exactly what to fix.
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

DESIGNS = ("controlled experiment", "field experiment", "survey")
METRICS = ("speed", "output", "delivery", "adoption", "trust", "perception")
# Shares of respondents cannot leave 0..100; changes may be negative.
_SHARES = ("adoption", "trust")

_STUDY_FIELDS = {
    "id": str,
    "study": str,
    "year": int,
    "design": str,
    "sample": str,
    "result": str,
    "caveat": str,
    "source": dict,
    "measures": list,
}
_SOURCE_FIELDS = {"title": str, "author": str, "url": str}
_MEASURE_FIELDS = {"metric": str, "label": str, "value": (int, float)}
_MEASURE_OPTIONAL = {"low": (int, float), "high": (int, float)}


@dataclass(frozen=True)
class Measure:
    metric: str
    label: str
    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Study:
    id: str
    study: str
    year: int
    design: str
    sample: str
    result: str
    caveat: str
    title: str
    author: str
    url: str
    measures: tuple[Measure, ...]

    def citation(self) -> str:
        """Return a short citation: author, title, year."""
        return f"{self.author}, *{self.title}* ({self.year})"

    def measures_of(self, metric: str) -> tuple[Measure, ...]:
        """Return this study's measures of one ``metric`` (for example "speed")."""
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
        return tuple(m for m in self.measures if m.metric == metric)


def _check_fields(where: str, entry: Any, fields: dict, optional: dict | None = None) -> None:
    optional = optional or {}
    require_fields(where, entry, {**fields, **optional}, optional=optional, error=ContentError)


def _measure(where: str, entry: Any) -> Measure:
    _check_fields(where, entry, _MEASURE_FIELDS, _MEASURE_OPTIONAL)
    if entry["metric"] not in METRICS:
        raise ContentError(f"{where}: field 'metric' must be one of {METRICS}")
    measure = Measure(**entry)
    if measure.metric in _SHARES and not 0 <= measure.value <= 100:
        raise ContentError(f"{where}: field 'value' is a share of respondents: 0 to 100")
    if (measure.low is None) != (measure.high is None):
        raise ContentError(f"{where}: fields 'low' and 'high' go together")
    if measure.low is not None and not measure.low <= measure.value <= measure.high:
        raise ContentError(f"{where}: field 'value' lies outside its interval low..high")
    return measure


def parse(data: Any) -> tuple[Study, ...]:
    """Validate the decoded YAML ``data`` and return its studies, in file order.

    Raises
    ------
    ContentError
        Naming the study (``study 'metr-2025'``) or the measure, and the field.
    """
    _check_fields("studies file", data, {"version": int, "studies": list})
    if data["version"] != 1:
        raise ContentError(f"studies file: field 'version' is {data['version']}, expected 1")
    studies, seen = [], set()
    for index, entry in enumerate(data["studies"], start=1):
        label = entry.get("id") if isinstance(entry, dict) else None
        where = f"study {label!r}" if isinstance(label, str) else f"study #{index}"
        _check_fields(where, entry, _STUDY_FIELDS)
        if entry["id"] in seen:
            raise ContentError(f"{where}: field 'id' repeats an earlier study")
        seen.add(entry["id"])
        if entry["design"] not in DESIGNS:
            raise ContentError(f"{where}: field 'design' must be one of {DESIGNS}")
        if not 1990 <= entry["year"] <= 2100:
            raise ContentError(f"{where}: field 'year' should be a year, got {entry['year']}")
        _check_fields(f"{where} source", entry["source"], _SOURCE_FIELDS)
        if not entry["source"]["url"].startswith("https://"):
            raise ContentError(f"{where} source: field 'url' should start with https://")
        if not entry["measures"]:
            raise ContentError(f"{where}: field 'measures' names no measure")
        measures = tuple(
            _measure(f"{where} measure #{number}", measure)
            for number, measure in enumerate(entry["measures"], start=1)
        )
        fields = {k: v for k, v in entry.items() if k not in ("source", "measures")}
        studies.append(Study(**fields, **entry["source"], measures=measures))
    return tuple(studies)


def loads(text: str) -> tuple[Study, ...]:
    """Parse and validate studies YAML given as text."""
    return parse(parse_yaml(text, "studies file"))


@lru_cache(maxsize=1)
def load() -> tuple[Study, ...]:
    """Load the studies shipped with the package (cached: they never change at run time)."""
    return parse(read_yaml(data_file("studies.yaml"), "studies file"))


def study(study_id: str) -> Study:
    """Return the shipped study with id ``study_id``; raise KeyError naming an unknown id."""
    for entry in load():
        if entry.id == study_id:
            return entry
    raise KeyError(f"no study with id {study_id!r} in the evidence file")


def as_markdown(studies: tuple[Study, ...] | None = None) -> str:
    """A Markdown table of the studies: year, sample, result and caveat side by side.

    Notebooks show it with ``IPython.display.Markdown``, so no figure is ever typed
    into a notebook and none appears without its caveat.
    """
    studies = studies if studies is not None else load()
    rows = ["| study | year | sample | result | caveat |", "|---|---|---|---|---|"]
    for entry in studies:
        cells = [f"[{entry.study}]({entry.url})", str(entry.year), entry.sample]
        cells += [entry.result, entry.caveat]
        rows.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(rows)

"""The Scrum events and their timeboxes, as the 2020 Scrum Guide sets them.

The data lives in ``data/scrum_events.yaml`` and feeds the chart of how much of a
Sprint the formal events take. A bad entry raises :class:`ContentError` naming the
event and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from product_roles.content.loader import ContentError, data_file, read_yaml, require_fields

_EVENT_FIELDS = {
    "id": str,
    "name": str,
    "hours": (int, float),
    "times_per_sprint": int,
    "who": str,
    "po_part": str,
}


@dataclass(frozen=True)
class ScrumEvent:
    id: str
    name: str
    hours: float
    times_per_sprint: int
    who: str
    po_part: str

    @property
    def hours_per_sprint(self) -> float:
        """The most time the event may take over a one-month Sprint."""
        return self.hours * self.times_per_sprint


@dataclass(frozen=True)
class SprintCalendar:
    source: str
    working_days: int
    hours_per_day: int
    events: tuple[ScrumEvent, ...]

    @property
    def working_hours(self) -> int:
        return self.working_days * self.hours_per_day


def _check(where: str, entry, fields: dict) -> None:
    require_fields(where, entry, fields, error=ContentError)


def parse(data) -> SprintCalendar:
    """Validate decoded YAML and build a :class:`SprintCalendar`.

    Raises
    ------
    ContentError
        When a field is missing or of the wrong type, a duration is not positive, or
        the events together exceed the working hours of the Sprint.
    """
    _check(
        "scrum events",
        data,
        {"version": int, "source": dict, "working_days": int, "hours_per_day": int, "events": list},
    )
    source = data["source"]
    _check("scrum events source", source, {"title": str, "author": str, "year": int, "url": str})
    events = []
    for index, entry in enumerate(data["events"], start=1):
        where = f"event {entry.get('id', f'#{index}') if isinstance(entry, dict) else index!r}"
        _check(where, entry, _EVENT_FIELDS)
        if entry["hours"] <= 0 or entry["times_per_sprint"] <= 0:
            raise ContentError(f"{where}: field 'hours' and 'times_per_sprint' must be positive")
        events.append(ScrumEvent(**{**entry, "hours": float(entry["hours"])}))
    if len({e.id for e in events}) != len(events):
        raise ContentError("scrum events: an event id repeats")
    calendar = SprintCalendar(
        f"{source['author']}, {source['title']} ({source['year']})",
        data["working_days"],
        data["hours_per_day"],
        tuple(events),
    )
    if sum(e.hours_per_sprint for e in events) > calendar.working_hours:
        raise ContentError("scrum events: the events take more time than the Sprint has")
    return calendar


@lru_cache(maxsize=1)
def load() -> SprintCalendar:
    """The Scrum events shipped with the package."""
    return parse(read_yaml(data_file("scrum_events.yaml"), "scrum events"))

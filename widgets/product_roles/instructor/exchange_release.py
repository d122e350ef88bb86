"""nbgrader's release, made to check the course's exchange rather than create or widen it."""

from __future__ import annotations

from pathlib import Path

from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment

from product_roles.instructor.exchange import problem


class ReleaseToCourseExchange(ExchangeReleaseAssignment):
    """nbgrader's release, except that the exchange must exist and keeps its mode.

    nbgrader's own ``ensure_root`` creates a missing exchange and sets any other to
    0777 (``2777`` with ``groupshared``); this one only checks that the account can
    write to it, so a folder made for a group stays the group's.
    """

    def ensure_root(self) -> None:
        found = problem(Path(self.root))
        if found:
            self.fail(found)

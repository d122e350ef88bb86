"""The facilitator's live class dashboard: the room's card sorts, redrawn as answers arrive.

Run it in a notebook the facilitator projects, or as a Voila page::

    from product_roles.workshop.dashboard import Dashboard
    Dashboard.for_room("/srv/workshop/room").start()

It watches the answers files (size and change time) every few seconds and redraws
only when something changed, so 500 participants cost one ``stat`` each per poll.
"""

from __future__ import annotations

import asyncio
import html
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import anywidget
import ipywidgets
import plotly.graph_objects as go
import traitlets

from product_roles.content.catalogue import load
from product_roles.workshop import room, room_charts, room_stats
from product_roles.workshop.room import AI_ERA, ROOM_CARDS, TRADITIONAL

Finder = Callable[[str], list[tuple[str, Path]]]


class PageWidth(anywidget.AnyWidget):
    """The width the page gives the dashboard, in pixels, measured in the browser.

    plotly's figure widget draws at 700 px in a JupyterLab notebook (it is laid out
    before its output is on the page, and never again), and does not follow the
    notebook when the file browser is hidden or the window resized. This view, empty
    and 0 px tall, sits above the charts and reports its own width
    whenever it changes, so that the kernel draws every view across the page.
    """

    _esm = """
    function render({ model, el }) {
      const report = () => {
        const width = Math.floor(el.getBoundingClientRect().width);
        if (width > 0 && width !== model.get("width")) {
          model.set("width", width);
          model.save_changes();
        }
      };
      const watch = new ResizeObserver(() => requestAnimationFrame(report));
      watch.observe(el);
      return () => watch.disconnect();
    }
    export default { render };
    """
    width = traitlets.Int(0, help="Pixels; 0 until a page has shown the view.").tag(sync=True)


class Dashboard:
    """Aggregate two sorts of the same cards (traditional and AI era) and draw them.

    Parameters
    ----------
    finder : callable
        Given an exercise id, returns ``(participant, path)`` pairs (see :mod:`room`).
    cards, categories : sequence of str
        The sorts' card and category ids; all catalogue cards and roles by default.
    exercises : (str, str)
        Exercise ids of the traditional and the AI-era sort.
    anonymous : bool
        Show labels instead of names (the default; the views never list names anyway).
    interval : float
        Seconds between checks for new answers.
    """

    def __init__(
        self,
        finder: Finder,
        *,
        cards: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        exercises: tuple[str, str] = (TRADITIONAL, AI_ERA),
        anonymous: bool = True,
        interval: float = 3.0,
    ) -> None:
        catalogue = load()
        self.finder = finder
        self.cards = list(cards or ROOM_CARDS)
        self.categories = list(categories or [role.id for role in catalogue.roles])
        self.exercises = exercises
        self.anonymous = anonymous
        self.interval = interval
        self.texts = {card.id: card.text for card in catalogue.select(self.cards)}
        self.labels = {r: catalogue.role(r).label for r in self.categories}
        self.contested = {card.id: card.contested for card in catalogue.select(self.cards)}
        self.status = ipywidgets.HTML()
        # Figure widgets updated in place: no flicker, and no Output widget, whose
        # captured displays Voila 0.5 sometimes never finishes sending to the page.
        self.views: dict[str, go.FigureWidget] = {}
        self.page_width = PageWidth()
        self.page_width.observe(self._fit_width, names="width")
        self.widget = ipywidgets.VBox([self.status, self.page_width])
        self.rooms: tuple[room.Room, room.Room] | None = None
        self._signature: tuple | None = None
        self._task: asyncio.Task | None = None

    @classmethod
    def for_room(
        cls,
        folder: str | os.PathLike | None = None,
        *,
        one_per_account: bool | None = None,
        nested: bool = False,
        **kwargs,
    ) -> Dashboard:
        """A dashboard over a shared room folder (``PRODUCT_ROLES_ROOM`` by default).

        ``one_per_account`` counts one seat per Unix account (see
        :func:`room.find_in_room`); the workshop hub turns it on for everyone through
        ``PRODUCT_ROLES_ONE_SEAT_PER_ACCOUNT=1``. ``nested`` reads a room whose
        entries are participants' own folders, each holding a seat (Kubernetes).
        """
        folder = folder or os.environ.get(room.ROOM_ENV)
        if not folder:
            raise RuntimeError(f"name the room folder, or set {room.ROOM_ENV}")
        if one_per_account is None:
            one_per_account = os.environ.get(room.ONE_SEAT_ENV) == "1"
        return cls(
            lambda exercise: room.find_in_room(
                folder, exercise, one_per_account=one_per_account, nested=nested
            ),
            **kwargs,
        )

    @classmethod
    def for_nbgrader(cls, inbound: str | os.PathLike, assignment: str, **kwargs) -> Dashboard:
        """A dashboard over nbgrader's exchange inbound folder for ``assignment``."""
        return cls(lambda exercise: room.find_in_inbound(inbound, assignment, exercise), **kwargs)

    # -- aggregation ------------------------------------------------------------

    def refresh(self, force: bool = False) -> bool:
        """Re-read the answers when any file changed; return True when the views were redrawn."""
        found = {exercise: self.finder(exercise) for exercise in self.exercises}
        mark = tuple(room.signature(pairs) for pairs in found.values())
        if not force and mark == self._signature:
            return False
        self._signature = mark
        self.rooms = tuple(
            room.collect(found[exercise], exercise, anonymous=self.anonymous)
            for exercise in self.exercises
        )
        self._draw()
        return True

    def figures(self) -> dict:
        """The four views of the current rooms, by name."""
        before, after = self.rooms
        tallies = room_stats.tally(before, self.cards, self.categories)
        key = room_stats.reference(self.cards, self.categories, "traditional")
        return {
            "agreement": room_charts.agreement(tallies, self.texts, self.labels),
            "splits": room_charts.splits(tallies, self.texts, self.labels),
            "reference": room_charts.against_reference(
                room_stats.match_reference(tallies, key),
                key,
                self.texts,
                self.labels,
                self.contested,
            ),
            "shift": room_charts.shift(
                room_stats.shift(before, after, self.cards, self.categories),
                self.texts,
                self.labels,
            ),
        }

    def summary(self) -> str:
        """One line: how many sorts were read and how many files were skipped."""
        before, after = self.rooms
        skipped = len(before.skipped) + len(after.skipped)
        ignored = sum(
            room_stats.ignored_placements(r, self.cards, self.categories) for r in self.rooms
        )
        text = (
            f"{_count(before.size, 'traditional sort')} and {_count(after.size, 'AI-era sort')}"
            f" in the room; {_count(skipped, 'unreadable file')} skipped"
        )
        if ignored:
            text += f"; {_count(ignored, 'placement')} outside these cards ignored"
        return text

    # -- display ----------------------------------------------------------------

    def _draw(self) -> None:
        self.status.value = f"<p role='status'><strong>{html.escape(self.summary())}</strong></p>"
        figures = self.figures()
        for figure in figures.values():
            figure.layout.width = self.page_width.width or None
        if not self.views:
            self.views = {name: go.FigureWidget(figure) for name, figure in figures.items()}
            self.widget.children = [self.status, self.page_width, *self.views.values()]
            return
        for name, figure in figures.items():
            view = self.views[name]
            with view.batch_update():
                for shown, fresh in zip(view.data, figure.data, strict=True):
                    shown.update(fresh.to_plotly_json(), overwrite=True)
                view.layout.update(figure.layout.to_plotly_json(), overwrite=True)

    def _fit_width(self, change: dict) -> None:
        for view in self.views.values():
            view.layout.width = change["new"] or None

    def start(self) -> ipywidgets.VBox:
        """Draw now, then keep checking for new answers in the kernel's event loop."""
        self.refresh(force=True)
        if self._task is None or self._task.done():
            self._task = asyncio.get_event_loop().create_task(self._watch())
        return self.widget

    def stop(self) -> None:
        """Stop checking for new answers."""
        if self._task is not None:
            self._task.cancel()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.refresh()
            except (OSError, ValueError) as err:  # a bad moment on disk must not end the view
                self.status.value = f"<p role='status'>Refresh failed: {html.escape(str(err))}</p>"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"

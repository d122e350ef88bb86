"""The card-sort widget: learners place responsibility cards into roles.

:class:`CardSort` draws the sort with anywidget (``static/cardsort.js`` and
``static/cardsort.css``, plain files with no build step). Notebooks build their sorts
with :func:`card_sort` or :func:`catalogue_sort`, which choose the front end: a
``CardSort`` where anywidget's front end is installed, and a
:class:`~product_roles.ui.coresort.CoreCardSort`, the same API on core ipywidgets,
where it is missing or when asked with ``ui="core"`` (see :mod:`product_roles.frontend`).
Both are :class:`~product_roles.ui.sortstate.SortState` instances.
"""

from __future__ import annotations

from collections.abc import Sequence

import anywidget

from product_roles.frontend import STATIC as _STATIC
from product_roles.frontend import resolve_ui, view_module
from product_roles.ui.sortstate import MODES, SortState

__all__ = ["MODES", "CardSort", "card_sort", "catalogue_sort"]


class CardSort(SortState, anywidget.AnyWidget):
    """Sort cards into categories by drag, by select, by keyboard, or from Python.

    Every change is saved atomically to ``<exercise>.answers.json`` in ``folder``
    (the notebook's folder by default), and a saved file is loaded on construction,
    so re-running the notebook, or nbgrader's autograde, sees what the learner did.

    Parameters
    ----------
    exercise, cards, categories, mode, key, explanations, folder, ask_confidence, prompt
        As for :class:`~product_roles.ui.sortstate.SortState`.

    See Also
    --------
    card_sort : builds a ``CardSort`` or its core fallback, whichever the page can show.
    """

    _esm = view_module("cardsort.js")
    _css = _STATIC / "cardsort.css"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.on_msg(self._handle_message)

    def _handle_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict):
            self._handle_action(content.get("action"))


def card_sort(*args, ui: str | None = None, **kwargs) -> SortState:
    """A card sort on the front end this page can show.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`~product_roles.ui.sortstate.SortState`: ``exercise``, ``cards``,
        ``categories``, then ``mode``, ``key``, ``explanations``, ``folder``,
        ``ask_confidence`` and ``prompt``.
    ui : {"auto", "anywidget", "core"}, optional
        Which front end draws the sort; "auto" (the default) follows
        :func:`~product_roles.frontend.resolve_ui`.

    Returns
    -------
    SortState
        A :class:`CardSort`, or a :class:`~product_roles.ui.coresort.CoreCardSort`
        when the core front end is chosen.
    """
    if resolve_ui(ui) == "core":
        from product_roles.ui.coresort import CoreCardSort

        return CoreCardSort(*args, **kwargs)
    return CardSort(*args, **kwargs)


def catalogue_sort(
    exercise: str,
    card_ids: Sequence[str] | None = None,
    *,
    roles: Sequence[str] = ("PO", "PM"),
    era: str = "traditional",
    ui: str | None = None,
    **kwargs,
) -> SortState:
    """A practice sort of catalogue cards, keyed by their ``era`` holders among ``roles``.

    The arguments are those of :meth:`~product_roles.ui.sortstate.SortState.from_catalogue`
    and ``ui`` as for :func:`card_sort`.
    """
    if resolve_ui(ui) == "core":
        from product_roles.ui.coresort import CoreCardSort

        return CoreCardSort.from_catalogue(exercise, card_ids, roles=roles, era=era, **kwargs)
    return CardSort.from_catalogue(exercise, card_ids, roles=roles, era=era, **kwargs)

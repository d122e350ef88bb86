"""The card-sort widget: learners place responsibility cards into roles.

:class:`CardSort` draws the sort with anywidget (``static/cardsort.js`` and
``static/cardsort.css``, plain files with no build step). Where anywidget's front
end is missing, or when asked with ``ui="core"``, constructing a ``CardSort``
returns a :class:`~product_roles.ui.coresort.CoreCardSort` instead: the same API on core
ipywidgets (see :mod:`product_roles.frontend` for how the choice is made).
"""

from __future__ import annotations

import anywidget

from product_roles.frontend import STATIC as _STATIC
from product_roles.frontend import resolve_ui, view_module
from product_roles.ui.sortstate import MODES, SortState

__all__ = ["MODES", "CardSort"]


class CardSort(SortState, anywidget.AnyWidget):
    """Sort cards into categories by drag, by select, by keyboard, or from Python.

    Every change is saved atomically to ``<exercise>.answers.json`` in ``folder``
    (the notebook's folder by default), and a saved file is loaded on construction,
    so re-running the notebook, or nbgrader's autograde, sees what the learner did.

    Parameters
    ----------
    exercise, cards, categories, mode, key, explanations, folder, ask_confidence, prompt
        As for :class:`~product_roles.ui.sortstate.SortState`.
    ui : {"auto", "anywidget", "core"}, optional
        Which front end draws the sort; "auto" (the default) follows
        :func:`~product_roles.frontend.resolve_ui`. With "core" the object returned is
        a :class:`~product_roles.ui.coresort.CoreCardSort`; both are
        :class:`~product_roles.ui.sortstate.SortState` instances.
    """

    _esm = view_module("cardsort.js")
    _css = _STATIC / "cardsort.css"

    def __new__(cls, *args, ui: str | None = None, **kwargs):
        if cls is CardSort and resolve_ui(ui) == "core":
            from product_roles.ui.coresort import CoreCardSort

            # Not a CardSort instance, so Python does not call CardSort.__init__ on it.
            return CoreCardSort(*args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, ui: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.on_msg(self._handle_message)

    def _handle_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict):
            self._handle_action(content.get("action"))

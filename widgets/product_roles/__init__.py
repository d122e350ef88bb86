"""Product Owner vs Product Manager in the age of AI: the course's package.

The package is in layers, each importing only the layers below it (the rule is
checked by import-linter; see docs/architecture.md):

- ``instructor``, ``workshop``, ``publish``: what instructors and facilitators run;
- ``ui``: the widgets learners use (card sorts, multiple choice, the shift exercise);
- ``charts``: the course's plotly figures and the view that shows them;
- ``frontend``: the widgets' ES modules and CSS, and the choice of front end;
- ``content``: the catalogue, the evidence, the question bank and their one loader;
- ``grading``: the answers file and scoring, which is all a hidden test imports.

The names below are what notebooks use; ``card_sort``, ``catalogue_sort`` and
``multiple_choice`` choose the front end the page can show. They load on first use
(PEP 562), so ``import product_roles.grading`` in a hidden test, or the command line,
does not pay for anywidget, ipywidgets or plotly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "CardSort": "product_roles.ui.cardsort",
    "Catalogue": "product_roles.content.catalogue",
    "ContentError": "product_roles.content.loader",
    "MultipleChoice": "product_roles.ui.choice",
    "ShiftExercise": "product_roles.ui.shift",
    "SortState": "product_roles.ui.sortstate",
    "card_sort": "product_roles.ui.cardsort",
    "catalogue_sort": "product_roles.ui.cardsort",
    "custom_sort": "product_roles.ui.custom_sorts",
    "deal_cards": "product_roles.grading.deal",
    "multiple_choice": "product_roles.ui.choice",
    "load": "product_roles.content.catalogue",
}

__all__ = [
    "CardSort",
    "Catalogue",
    "ContentError",
    "MultipleChoice",
    "ShiftExercise",
    "SortState",
    "card_sort",
    "catalogue_sort",
    "custom_sort",
    "deal_cards",
    "load",
    "multiple_choice",
]

if TYPE_CHECKING:
    from product_roles.content.catalogue import Catalogue, load
    from product_roles.content.loader import ContentError
    from product_roles.grading.deal import deal_cards
    from product_roles.ui.cardsort import CardSort, card_sort, catalogue_sort
    from product_roles.ui.choice import MultipleChoice, multiple_choice
    from product_roles.ui.custom_sorts import custom_sort
    from product_roles.ui.shift import ShiftExercise
    from product_roles.ui.sortstate import SortState


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'product_roles' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

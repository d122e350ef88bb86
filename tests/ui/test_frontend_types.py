"""The JSDoc model types of the widgets' ES modules match the Python traits they describe.

``./scripts/test`` runs ``tsc``, which checks each view against its model's
``@typedef``; these tests keep each typedef in step with the traits that Python syncs,
so a trait added, renamed or given new choices on one side fails until the other follows.
"""

from __future__ import annotations

import re

import anywidget
import pytest
import traitlets

from product_roles.charts.view import ChartView
from product_roles.frontend import STATIC
from product_roles.ui.choice import MultipleChoice
from product_roles.ui.sortstate import SortState

# (module, typedef, class whose synced traits it describes)
MODELS = [
    ("cardsort.js", "CardSortModel", SortState),
    ("choice.js", "ChoiceModel", MultipleChoice),
    ("chart.js", "ChartModel", ChartView),
]
WIDGET_PLUMBING = set(anywidget.AnyWidget.class_trait_names(sync=True))


def typedef_properties(module: str, name: str) -> dict[str, str]:
    """Property name to its JSDoc type, from the ``@typedef {object} <name>`` comment."""
    text = (STATIC / module).read_text(encoding="utf-8")
    block = re.search(
        r"/\*\*(?:(?!\*/).)*@typedef \{object\} " + name + r"\b(?:(?!\*/).)*\*/", text, re.DOTALL
    )
    assert block, f"{module} has no @typedef {{object}} {name}"
    found = re.findall(r"@property \{([^}]*)\} \[?(\w+)", block.group(0))
    return {prop: kind for kind, prop in found}


def synced_traits(cls: type[traitlets.HasTraits]) -> dict[str, traitlets.TraitType]:
    return {
        name: trait
        for name, trait in cls.class_traits(sync=True).items()
        if name not in WIDGET_PLUMBING
    }


@pytest.mark.parametrize(("module", "name", "cls"), MODELS)
def test_typedef_names_every_synced_trait(module, name, cls):
    assert sorted(typedef_properties(module, name)) == sorted(synced_traits(cls))


@pytest.mark.parametrize(("module", "name", "cls"), MODELS)
def test_typedef_gives_each_enum_its_choices(module, name, cls):
    props = typedef_properties(module, name)
    enums = {n: t for n, t in synced_traits(cls).items() if isinstance(t, traitlets.Enum)}
    for trait_name, trait in enums.items():
        assert set(re.findall(r'"([^"]*)"', props[trait_name])) == set(trait.values), trait_name

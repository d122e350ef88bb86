"""The catalogue is the single source of who may hold a responsibility.

Every scenario card of a graded assignment, and every card of a custom sort whose
columns stand for roles, names the catalogue card it stands for. Its key may accept
fewer roles than that card only when a ``narrower_because`` note says how the scenario
text decides the question; otherwise a learner would be marked wrong for an answer the
course teaches is right.
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from conftest import ROOT
from product_roles import load
from product_roles.content.questions import bank
from product_roles.grading import accepted_answers
from product_roles.instructor.keys import keys_in_cell

CATALOGUE = load()
ROLE_IDS = {role.id for role in CATALOGUE.roles}
SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))
# The era each role sort of an assignment is graded in; a new role sort must be added.
ERA_OF_EXERCISE = {
    "traditional-divide": "traditional",
    "ai-era-shift-before": "traditional",
    "ai-era-shift-after": "ai_era",
    "design-a-team-plan": "ai_era",
}


def _offered_roles(nb) -> set[str]:
    """The role ids of the notebook's ``ROLES = [...]`` literal: the columns learners see."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "ROLES" for t in node.targets
            ):
                return {role["id"] for role in ast.literal_eval(node.value)}
    return set()


def _role_keys():
    """(exercise, offered roles, raw key) for every hidden key whose answers are roles."""
    found = []
    for path in SOURCES:
        nb = nbformat.read(path, as_version=4)
        offered = _offered_roles(nb)
        for cell in nb.cells:
            for _scorer, exercise, key in keys_in_cell(cell.source):
                answers = {a for entry in key.values() for a in accepted_answers(entry)[0]}
                if answers <= ROLE_IDS:
                    found.append((exercise, offered, key))
    return found


ROLE_KEYS = _role_keys()
ROLE_SORTS = [s for s in bank()[1].values() if s.roles]


def problems(item: str, entry: dict, era: str, offered: set[str], accepted) -> list[str]:
    """What is wrong with one keyed card against its catalogue card, in plain words."""
    if "card" not in entry:
        return [f"{item}: names no catalogue card"]
    try:
        card = CATALOGUE.card(entry["card"])
    except KeyError:
        return [f"{item}: names unknown catalogue card {entry['card']!r}"]
    expected = {r for r in card.holders(era) if r in offered}
    missing = sorted(expected - set(accepted))
    note = entry.get("narrower_because", "").strip()
    if missing and not note:
        return [f"{item}: accepts {sorted(accepted)}, but {card.id!r} also accepts {missing}"]
    if note and not missing:
        return [f"{item}: says why it is narrower than {card.id!r}, but it is not"]
    return []


def test_every_role_sort_of_an_assignment_is_checked():
    exercises = {exercise for exercise, _, _ in ROLE_KEYS}
    assert exercises, "no hidden key of roles was found"
    assert exercises == set(ERA_OF_EXERCISE), "name the era of each role sort here"
    assert all(offered for _, offered, _ in ROLE_KEYS), "each assignment declares ROLES"


@pytest.mark.parametrize("exercise", sorted(ERA_OF_EXERCISE))
def test_assignment_keys_are_no_narrower_than_the_catalogue(exercise):
    (offered, key), *others = [(o, k) for e, o, k in ROLE_KEYS if e == exercise]
    assert not others, f"{exercise} is graded by more than one key"
    found = []
    for item, entry in key.items():
        accepted, _why = accepted_answers(entry)
        assert isinstance(entry, dict), f"{item}: give the card as a dict with 'card'"
        assert set(accepted) <= offered, f"{item}: accepts a role learners cannot choose"
        found += problems(item, entry, ERA_OF_EXERCISE[exercise], offered, accepted)
    assert not found, found


@pytest.mark.parametrize("sort", ROLE_SORTS, ids=[s.id for s in ROLE_SORTS])
def test_custom_sorts_of_roles_are_no_narrower_than_the_catalogue(sort):
    offered = {role for _, role in sort.roles}
    found = []
    for card in sort.cards:
        accepted = [sort.role_of(category) for category in card["answer"]]
        found += problems(card["id"], card, sort.era, offered, accepted)
    assert not found, found


def test_there_is_a_custom_sort_of_roles_to_check():
    assert ROLE_SORTS, "the SAFe levels sort stands for roles and must say so"


def test_the_check_catches_a_narrower_key():
    # Guards the test itself: a card cut down to one of its accepted roles is reported,
    # and a note that explains nothing is reported too.
    two = next(c for c in CATALOGUE.cards if len(c.traditional) >= 2)
    offered = set(two.traditional)
    narrow = {"answer": two.traditional[0], "card": two.id}
    assert problems("x", narrow, "traditional", offered, [two.traditional[0]])
    explained = {**narrow, "narrower_because": "the scenario says so"}
    assert not problems("x", explained, "traditional", offered, [two.traditional[0]])
    wide = {"answer": list(two.traditional), "card": two.id, "narrower_because": "no"}
    assert problems("x", wide, "traditional", offered, list(two.traditional))
    assert problems("x", {"answer": "PO"}, "traditional", {"PO"}, ["PO"])

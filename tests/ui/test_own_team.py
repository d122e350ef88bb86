"""Own-team exercises: the design and self-assessment sorts save work and never mark it."""

import copy
from importlib import resources

import pytest
import yaml

from product_roles import load
from product_roles.content.catalogue import ContentError
from product_roles.content.readiness import parse_readiness, readiness
from product_roles.ui import own_team


@pytest.fixture(scope="module")
def raw():
    text = (
        resources.files("product_roles.content").joinpath("data/readiness.yaml").read_text("utf-8")
    )
    return yaml.safe_load(text)


def test_every_statement_has_an_area_a_meaning_and_known_sources():
    spec = readiness()
    known = set(load().sources)
    areas = {area for area, _ in spec.areas}
    assert {s.area for s in spec.statements} == areas, "every area has a statement"
    for statement in spec.statements:
        assert statement.means.strip()
        assert set(statement.sources) <= known


def test_readiness_sort_saves_placements_and_cannot_be_checked(tmp_path):
    sort = own_team.readiness_sort("mine-readiness", folder=tmp_path)
    assert sort.mode == "assessment"
    sort.place("ai-policy", "Not yet")
    again = own_team.readiness_sort("mine-readiness", folder=tmp_path)
    assert again.placements["ai-policy"] == "no"
    with pytest.raises(RuntimeError, match="graded by nbgrader"):
        again.check()


def test_design_sort_accepts_any_role_for_any_card(tmp_path):
    sort = own_team.design_sort(
        "mine-design", ["write-code", "market-sizing"], roles=["PO", "PM"], folder=tmp_path
    )
    sort.place("write-code", "PM")
    assert sort.placements == {"write-code": "PM", "market-sizing": None}
    assert [c["label"] for c in sort.categories] == ["Product Owner", "Product Manager"]
    with pytest.raises(KeyError, match="no card with id 'nope'"):
        own_team.design_sort("x", ["nope"], folder=tmp_path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["statements"][0].update(area="mood"), "unknown area 'mood'"),
        (lambda d: d["statements"][0].update(sources=["nope"]), "unknown source 'nope'"),
        (lambda d: d["statements"][0].pop("means"), "field 'means' is missing"),
        (lambda d: d["statements"][0].update(text="x" * 91), "longer than 90"),
        (lambda d: d["statements"][0].update(colour="red"), "unknown field 'colour'"),
        (lambda d: d["statements"].append(d["statements"][0]), "repeats an earlier"),
        (lambda d: d["levels"].append({"id": "yes", "label": "Again"}), "ids must be unique"),
        (lambda d: d["areas"][0].pop("label"), "exactly 'id' and 'label'"),
        (lambda d: d.update(statements=[]), "names no statement"),
        (lambda d: d.pop("levels"), "needs exactly version"),
    ],
)
def test_bad_readiness_entries_are_named(raw, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(ContentError, match=message):
        parse_readiness(data, set(load().sources))


def test_advice_explains_only_the_weaker_answers_with_their_sources(tmp_path):
    sort = own_team.readiness_sort("advice", folder=tmp_path)
    assert "Place the statements" in own_team.advice(sort)
    sort.place("tests-catch", "yes")
    sort.place("ai-policy", "no")
    sort.place("time-to-learn", "partly")
    notes = own_team.advice(sort)
    spec = {s.id: s for s in readiness().statements}
    assert "You answered 3 of" in notes
    assert spec["ai-policy"].means in notes
    assert spec["time-to-learn"].means in notes
    assert spec["tests-catch"].means not in notes, "a 'true for us' answer needs no advice"
    assert "**Safety nets for faster coding**" in notes
    assert "(not yet)" in notes
    assert "(2025)" in notes, "every idea is cited with its year"

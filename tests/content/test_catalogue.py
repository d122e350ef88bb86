"""The responsibility catalogue loads, is big enough, and rejects bad entries by name."""

import copy
from importlib import resources

import pytest
import yaml

from product_roles.content.catalogue import ERAS, ContentError, load, loads, parse


@pytest.fixture(scope="module")
def raw():
    text = resources.files("product_roles.content").joinpath("data/cards.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_shipped_catalogue_loads_with_at_least_30_cards():
    catalogue = load()
    assert len(catalogue.cards) >= 30
    assert [role.id for role in catalogue.roles] == ["PO", "PM", "ENG", "TEAM", "OTHER"]


def test_every_card_cites_a_dated_source_and_contested_cards_say_why():
    catalogue = load()
    for card in catalogue.cards:
        assert all(catalogue.sources[s].year >= 1990 for s in card.sources), card.id
        assert card.contested == bool(card.contested_why.strip()), card.id


def test_a_card_is_contested_exactly_when_some_setting_accepts_several_roles():
    """A sort that accepts several answers must tell the learner why, and a card
    flagged contested must accept more than one answer somewhere."""
    wrong = [
        card.id
        for card in load().cards
        if card.contested != any(len(card.holders(era)) > 1 for era in ERAS)
    ]
    assert not wrong, f"contested flag disagrees with the accepted roles: {wrong}"


def test_card_texts_do_not_give_the_answer_away():
    for card in load().cards:
        for giveaway in ("Product Owner", "Product Manager", "engineer"):
            assert giveaway.lower() not in card.text.lower(), card.id


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["cards"][2].pop("focus"), "card '{id2}': field 'focus' is missing"),
        (lambda d: d["cards"][2].update(focus="sideways"), "card '{id2}': field 'focus' must be"),
        (
            lambda d: d["cards"][3].update(traditional=["CEO"]),
            "card '{id3}': field 'traditional' names unknown role 'CEO'",
        ),
        (lambda d: d["cards"][3].update(ai_era=[]), "card '{id3}': field 'ai_era' names no role"),
        (
            lambda d: d["cards"][1].update(sources=["nowhere"]),
            "card '{id1}': field 'sources' names unknown source 'nowhere'",
        ),
        (
            lambda d: d["cards"][1].update(contested="yes"),
            "card '{id1}': field 'contested' should be bool",
        ),
        (lambda d: d["cards"][1].update(colour="red"), "card '{id1}': unknown field 'colour'"),
        (lambda d: d["cards"][4].update(text="x" * 91), "card '{id4}': field 'text' is longer"),
        (
            lambda d: d["cards"][5].update(id=d["cards"][0]["id"]),
            "field 'id' repeats an earlier card",
        ),
        (lambda d: d["roles"][1].pop("label"), "role #2: field 'label' is missing"),
        (
            lambda d: d["cards"][2].pop("verification"),
            "card '{id2}': field 'verification' is missing",
        ),
        (lambda d: d.pop("scenarios"), "catalogue: field 'scenarios' is missing"),
        (lambda d: d["scenarios"].pop("verification"), "scenarios: describe exactly"),
        (
            lambda d: d["scenarios"]["ai_era"].update(sources=["nowhere"]),
            "scenario 'ai_era': field 'sources' names unknown source 'nowhere'",
        ),
        (
            lambda d: next(iter(d["sources"].values())).update(year="2020"),
            "field 'year' should be int",
        ),
    ],
)
def test_a_bad_entry_is_named_with_its_field(raw, mutate, expected):
    data = copy.deepcopy(raw)
    mutate(data)
    ids = {f"id{i}": card["id"] for i, card in enumerate(raw["cards"][:6])}
    with pytest.raises(ContentError, match=None) as caught:
        parse(data)
    assert expected.format(**ids) in str(caught.value)


def test_invalid_yaml_is_reported_as_a_catalogue_error():
    with pytest.raises(ContentError, match="not valid YAML"):
        loads("cards: [unclosed")

"""The Scrum events and the prioritisation example validate, compute and reject bad input."""

import copy
from importlib import resources

import pytest
import yaml

from product_roles.content import prioritisation, scrum_events
from product_roles.content.catalogue import ContentError


def raw(name):
    text = resources.files("product_roles.content").joinpath(f"data/{name}").read_text("utf-8")
    return yaml.safe_load(text)


def test_scrum_events_load_with_the_guide_as_source():
    calendar = scrum_events.load()
    assert [e.id for e in calendar.events] == [
        "sprint-planning",
        "daily-scrum",
        "sprint-review",
        "sprint-retrospective",
    ]
    assert "(2020)" in calendar.source
    assert calendar.working_hours == calendar.working_days * calendar.hours_per_day


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["events"][0].pop("hours"), "event 'sprint-planning': field 'hours'"),
        (lambda d: d["events"][1].update(hours=-1), "must be positive"),
        (lambda d: d["events"][2].update(who=True), "field 'who' should be str"),
        (lambda d: d["events"][0].update(colour="red"), "unknown field 'colour'"),
        (lambda d: d["events"][1].update(id="sprint-planning"), "repeats"),
        (lambda d: d["events"][0].update(hours=400), "more time than the Sprint has"),
    ],
)
def test_a_bad_scrum_event_is_named(mutate, message):
    data = copy.deepcopy(raw("scrum_events.yaml"))
    mutate(data)
    with pytest.raises(ContentError, match=message):
        scrum_events.parse(data)


def test_wsjf_and_rice_follow_their_formulas():
    feature = prioritisation.Feature(
        "x", "X", 8, 5, 3, 4, reach=1000, impact=2, confidence=0.5, effort=4
    )
    assert feature.cost_of_delay == 16
    assert feature.wsjf == 4
    assert feature.rice == 250


def test_ranking_orders_from_highest_score():
    features = prioritisation.load()
    for score in ("wsjf", "rice"):
        values = [getattr(f, score) for f in prioritisation.ranking(features, score)]
        assert values == sorted(values, reverse=True)
    with pytest.raises(ValueError, match="score must be"):
        prioritisation.ranking(features, "gut feeling")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["features"][0]["wsjf"].update(job_size=4), "'job_size' is 4, not one of"),
        (lambda d: d["features"][1]["rice"].update(impact=7), "'impact' is 7"),
        (lambda d: d["features"][2]["rice"].update(effort=0), "'effort' must be positive"),
        (lambda d: d["features"][3]["rice"].pop("reach"), "feature 'online-payment'.*reach"),
        (lambda d: d["features"][0].pop("name"), "field 'name' is missing"),
        (lambda d: d["features"][4]["rice"].update(reach="lots"), "should be a number"),
        (lambda d: d["features"][4].update(id="reminders"), "repeats"),
        (lambda d: d.pop("features"), "'features' is missing"),
    ],
)
def test_a_bad_feature_is_named(mutate, message):
    data = copy.deepcopy(raw("prioritisation_example.yaml"))
    mutate(data)
    with pytest.raises(ContentError, match=message):
        prioritisation.parse(data)

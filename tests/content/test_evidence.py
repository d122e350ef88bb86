"""The dated study file: it validates, every figure is dated and caveated, bad entries are named."""

import copy
from importlib import resources

import pytest
import yaml

from product_roles.content import evidence
from product_roles.content.evidence import ContentError, parse


@pytest.fixture(scope="module")
def raw():
    text = resources.files("product_roles.content").joinpath("data/studies.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_shipped_studies_load_with_year_sample_caveat_and_source():
    studies = evidence.load()
    assert len(studies) >= 7
    for study in studies:
        assert 2020 <= study.year <= 2030, study.id
        assert study.sample, study.id
        assert study.caveat, study.id
        assert study.result, study.id
        assert study.url.startswith("https://"), study.id
        assert str(study.year) in study.citation()


def test_metr_keeps_the_perception_gap_next_to_the_measurement():
    metr = evidence.study("metr-2025")
    speed = metr.measures_of("speed")[0]
    perceived = {m.label: m.value for m in metr.measures_of("perception")}
    assert speed.value < 0 < min(v for k, v in perceived.items() if k != "Measured")
    assert perceived["Measured"] == speed.value
    assert speed.low <= speed.value <= speed.high


def test_unknown_study_or_metric_is_named():
    with pytest.raises(KeyError, match="no study with id 'nope'"):
        evidence.study("nope")
    with pytest.raises(ValueError, match="metric must be one of"):
        evidence.study("metr-2025").measures_of("happiness")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["studies"][0].pop("caveat"), "study 'peng-2023': field 'caveat' is missing"),
        (lambda d: d["studies"][0].update(year="2023"), "field 'year' should be int"),
        (lambda d: d["studies"][0].update(year=True), "field 'year' should be int"),
        (lambda d: d["studies"][0].update(year=23), "field 'year' should be a year"),
        (lambda d: d["studies"][0].update(design="anecdote"), "field 'design' must be one of"),
        (lambda d: d["studies"][0].update(caveat="  "), "field 'caveat' is empty"),
        (lambda d: d["studies"][0].update(extra=1), "unknown field 'extra'"),
        (lambda d: d["studies"][1].update(id="peng-2023"), "repeats an earlier study"),
        (lambda d: d["studies"][0]["source"].pop("url"), "source: field 'url' is missing"),
        (
            lambda d: d["studies"][0]["source"].update(url="ftp://x"),
            "'url' should start with https://",
        ),
        (lambda d: d["studies"][0].update(measures=[]), "names no measure"),
        (lambda d: d["studies"][0]["measures"][0].update(metric="vibes"), "'metric' must be one"),
        (lambda d: d["studies"][0]["measures"][0].update(value="fast"), "'value' should be number"),
        (lambda d: d["studies"][0]["measures"][0].pop("high"), "'low' and 'high' go together"),
        (lambda d: d["studies"][0]["measures"][0].update(value=95), "outside its interval"),
        (lambda d: d["studies"][6]["measures"][0].update(value=140), "share of respondents"),
        (lambda d: d.update(version=2), "expected 1"),
    ],
)
def test_bad_entries_are_named(raw, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(ContentError, match=message):
        parse(data)


def test_broken_yaml_is_reported_not_raised_raw():
    with pytest.raises(ContentError, match="not valid YAML"):
        evidence.loads("studies: [unclosed")


def test_markdown_table_puts_every_caveat_on_the_row_of_its_result():
    table = evidence.as_markdown().splitlines()
    studies = evidence.load()
    assert len(table) == 2 + len(studies)
    for study, row in zip(studies, table[2:], strict=True):
        assert study.result in row
        assert study.caveat in row
        assert f"| {study.year} |" in row
        assert f"({study.url})" in row

"""Charts drawn from the dated study file: every figure comes from it, caveats ride along."""

import pytest

from product_roles import charts
from product_roles.content import evidence


def test_study_results_draws_every_speed_output_and_delivery_measure():
    figure = charts.study_results()
    bars = [trace for trace in figure.data if trace.type == "bar"]
    drawn = [(y, x) for trace in bars for y, x in zip(trace.y, trace.x, strict=True)]
    expected = [
        m
        for s in evidence.load()
        for m in s.measures
        if m.metric in ("speed", "output", "delivery")
    ]
    assert sorted(x for _, x in drawn) == sorted(m.value for m in expected)
    assert all(f"({s.year})" in "".join(y for y, _ in drawn) for s in evidence.load()[:4])


def test_study_results_puts_each_caveat_in_the_hover_and_intervals_in_whiskers():
    figure = charts.study_results()
    bars = [trace for trace in figure.data if trace.type == "bar"]
    caveats = {c for trace in bars for _, c in trace.customdata}
    assert evidence.study("metr-2025").caveat in caveats
    whiskers = next(t for t in figure.data if t.name == "95% interval")
    with_interval = [
        m for s in evidence.load() for m in s.measures if m.low is not None and m.metric == "speed"
    ]
    assert len(whiskers.y) == len(with_interval), "only studies that report an interval"
    metr_row = next(i for i, y in enumerate(whiskers.y) if "METR" in y)
    speed = evidence.study("metr-2025").measures_of("speed")[0]
    assert whiskers.error_x.arrayminus[metr_row] == pytest.approx(speed.value - speed.low)
    assert whiskers.error_x.array[metr_row] == pytest.approx(speed.high - speed.value)


def test_study_results_leaves_out_designs_with_nothing_to_draw():
    only_surveys = [s for s in evidence.load() if s.design == "survey"]
    assert [t.name for t in charts.study_results(only_surveys).data] == ["Survey"], (
        "no empty design traces, and no interval trace when no survey reports one"
    )


def test_metr_perception_shows_expected_believed_and_measured():
    figure = charts.metr_perception()
    metr = evidence.study("metr-2025")
    assert list(figure.data[0].y) == [m.value for m in metr.measures_of("perception")]
    assert str(metr.year) in figure.layout.title.text
    with pytest.raises(KeyError, match="metr-2025"):
        charts.metr_perception([evidence.study("peng-2023")])


def test_study_results_row_labels_leave_room_for_the_bars():
    figure = charts.study_results()
    lines = [line for trace in figure.data for y in trace.y for line in y.split("<br>")]
    assert max(len(line) for line in lines) <= 60, "long labels squeeze the plot at 1280 px"
    assert figure.layout.legend.orientation == "h"

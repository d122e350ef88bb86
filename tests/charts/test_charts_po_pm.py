"""Charts for modules 2 to 4: the responsibility map, the Sprint's timeboxes, two rankings."""

import pytest

from product_roles import charts, load
from product_roles.content.prioritisation import load as load_features
from product_roles.content.prioritisation import ranking
from product_roles.content.scrum_events import load as load_events


def test_responsibility_map_marks_sole_and_shared_holders():
    catalogue = load()
    figure = charts.responsibility_map(["market-sizing", "product-vision", "order-backlog"])
    heatmap = figure.data[0]
    roles = list(heatmap.x)
    rows = dict(zip(heatmap.y, heatmap.z, strict=True))
    # Outward cards come first, inward last.
    assert list(heatmap.y)[-1].startswith("order backlog")
    sizing = rows["market sizing (outward)"]
    assert sizing[roles.index("Product Manager")] == 1.0
    assert sum(sizing) == 1.0
    vision = rows["product vision (outward)"]
    holders = catalogue.card("product-vision").traditional
    assert sum(v == 0.5 for v in vision) == len(holders) > 1


def test_responsibility_map_follows_the_era():
    ai = charts.responsibility_map(["user-stories"], era="ai_era").data[0]
    old = charts.responsibility_map(["user-stories"], era="traditional").data[0]
    assert list(ai.z[0]) != list(old.z[0])
    with pytest.raises(ValueError, match="era"):
        charts.responsibility_map(["user-stories"], era="someday")


def test_sprint_timeboxes_add_up_to_the_working_month():
    calendar = load_events()
    bar = charts.sprint_timeboxes().data[0]
    assert sum(bar.x) == calendar.working_hours
    hours = dict(zip(bar.y, bar.x, strict=True))
    # The 2020 Guide: Planning at most 8 hours, Review 4, Retrospective 3, Daily 15 minutes.
    assert hours["Sprint Planning"] == 8
    assert hours["Sprint Review"] == 4
    assert hours["Sprint Retrospective"] == 3
    assert hours["Daily Scrum"] == 0.25 * calendar.working_days
    assert "Product Owner" in bar.customdata[0]
    # The chart names its source and its one assumption.
    assert calendar.source in charts.sprint_timeboxes().layout.xaxis.title.text


def test_prioritisation_chart_shows_each_feature_at_its_rank():
    features = load_features()
    figure = charts.prioritisation_ranks()
    assert len(figure.data) == len(features)
    by_wsjf = [f.name for f in ranking(features, "wsjf")]
    by_rice = [f.name for f in ranking(features, "rice")]
    for trace in figure.data:
        assert list(trace.y) == [by_wsjf.index(trace.name) + 1, by_rice.index(trace.name) + 1]
    # The numbers are made up, and the chart says so.
    assert "Invented example" in figure.layout.title.text
    # The example exists to show two formulas disagreeing.
    assert by_wsjf != by_rice


def test_a_long_feature_name_is_broken_onto_two_lines_beside_the_chart():
    figure = charts.prioritisation_ranks()
    for trace in figure.data:
        for label in trace.text:
            assert all(
                len(line) <= max(22, len(trace.name) // 2 + 12) for line in label.split("<br>")
            )
            assert label.replace("<br>", " ") == trace.name
        assert trace.cliponaxis is False
    assert any("<br>" in t for trace in figure.data for t in trace.text), "the longest name wraps"

"""Charts about who holds what: merged roles, the AI-era shift, and a learner's own design."""

from product_roles import charts, load
from product_roles.content.readiness import readiness
from product_roles.ui import own_team


def _stack(figure):
    # Horizontal bars carry their counts on x.
    return {t.name: list(t.x if t.orientation == "h" else t.y) for t in figure.data}


def test_merged_role_is_the_union_of_both_roles():
    catalogue = load()
    stack = _stack(charts.merged_role_load())
    totals = [sum(column) for column in zip(*stack.values(), strict=True)]
    po = sum("PO" in c.traditional for c in catalogue.cards)
    pm = sum("PM" in c.traditional for c in catalogue.cards)
    both = sum(bool({"PO", "PM"} & set(c.traditional)) for c in catalogue.cards)
    assert totals == [po, pm, both]
    assert max(po, pm) < both < po + pm, "shared cards count once for the merged role"


def test_holders_by_era_counts_each_role_in_each_era():
    catalogue = load()
    stack = _stack(charts.holders_by_era())
    engineers = [r.id for r in catalogue.roles].index("ENG")
    assert stack["Traditional"][engineers] == sum("ENG" in c.traditional for c in catalogue.cards)
    assert stack["AI-era scenario"][engineers] == sum("ENG" in c.ai_era for c in catalogue.cards)


def test_team_design_counts_placed_cards_by_focus_and_explains_an_empty_sort(tmp_path):
    sort = own_team.design_sort(
        "design", ["write-code", "market-sizing", "sprint-review"], folder=tmp_path
    )
    empty = charts.team_design(sort)
    assert "Place some cards" in empty.layout.annotations[0].text
    sort.place("write-code", "ENG")
    sort.place("market-sizing", "ENG")
    stack = _stack(charts.team_design(sort))
    engineers = [c["id"] for c in sort.categories].index("ENG")
    assert stack["Inward (team, delivery)"][engineers] == 1
    assert stack["Outward (market, business)"][engineers] == 1
    assert sum(map(sum, stack.values())) == 2, "the unplaced card is left out"
    assert not charts.team_design(sort).layout.annotations


def test_readiness_profile_counts_answers_per_area(tmp_path):
    spec = readiness()
    sort = own_team.readiness_sort("readiness", folder=tmp_path)
    sort.place("tests-catch", "yes")
    sort.place("ai-policy", "no")
    stack = _stack(charts.readiness_profile(sort))
    safety = [a for a, _ in spec.areas].index("safety")
    assert stack["True for us"][safety] == 1
    assert stack["Not yet"][safety] == 1
    assert sum(stack["Not answered yet"]) == len(spec.statements) - 2

"""The item statistics, against a small class worked by hand and against reference libraries.

The class below is graded with the trusted grader's own judge and record writer and
read back as the report reads it. Five students, four cards (1: placed right):

    student  c1 c2 c3 c4 | total
    ana       1  1  1  0 |   3
    ben       1  1  1  0 |   3
    cy        1  1  0  0 |   2
    dee       0  0  0  1 |   1
    eve       0  0  0  0 |   0

Facility: c1 = c2 = 3/5, c3 = 2/5, c4 = 1/5.

KR-20 = k/(k-1) * (1 - sum(p q) / var(total)), population variance:
    totals 3, 3, 2, 1, 0: mean 9/5; squared deviations 1.44 + 1.44 + 0.04 + 0.64 + 3.24
    = 6.8, so var = 6.8 / 5 = 1.36.
    sum(p q) = 0.6*0.4 + 0.6*0.4 + 0.4*0.6 + 0.2*0.8 = 0.24 * 3 + 0.16 = 0.88.
    KR-20 = 4/3 * (1 - 0.88 / 1.36) = 4/3 * 0.48 / 1.36 = 4/3 * 6/17 = 8/17.

(KR-20 from the population variance and p q equals Cronbach's alpha from sample
variances and covariances: on complete data every one of them has the same n - 1.)

Discrimination, Pearson's r of the card with the rest score (total minus the card):
    c1: x = 1 1 1 0 0, rest = 2 2 1 1 0; means 0.6 and 1.2;
        Sxy = 0.32 + 0.32 - 0.08 + 0.12 + 0.72 = 1.4, Sxx = 1.2, Syy = 2.8;
        r = 1.4 / sqrt(1.2 * 2.8) = 1.4 / sqrt(3.36), r^2 = 1.96 / 3.36 = 7/12.
    c2: the same column as c1, so r = sqrt(7/12).
    c3: x = 1 1 0 0 0, rest = 2 2 2 1 0; means 0.4 and 1.4;
        Sxy = 0.36 + 0.36 - 0.24 + 0.16 + 0.56 = 1.2, Sxx = 1.2, Syy = 3.2;
        r = 1.2 / sqrt(3.84), r^2 = 1.44 / 3.84 = 3/8.
    c4: x = 0 0 0 1 0, rest = 3 3 2 0 0; means 0.2 and 1.6;
        Sxy = -0.28 - 0.28 - 0.08 - 1.28 + 0.32 = -1.6, Sxx = 0.8, Syy = 9.2;
        r = -1.6 / sqrt(7.36), r^2 = 2.56 / 7.36 = 8/23, negative: flagged.

Upper-lower index, groups of round(0.27 * 5) = 1 student by rest score; students tied
at a group's edge share its place equally:
    c1: top rest 2 is ana and ben, both right: 1; bottom rest 0 is eve, wrong: 0. D = 1.
    c2: the same: D = 1.
    c3: top rest 2 is ana, ben, cy (right, right, wrong), a third each: 2/3; bottom eve: 0.
        D = 2/3.
    c4: top rest 3 is ana and ben, both wrong: 0; bottom rest 0 is dee (right) and eve
        (wrong), half each: 1/2. D = -1/2.

Wrong choices (key: c1 PO, c2 PM, c3 ENG, c4 TEAM): on c3, cy and eve chose PO and dee
TEAM; on c4, ana and ben chose PM, cy ENG, and eve placed nothing. Equal counts are
listed in the catalogue's role order, "not placed" last.

A second class, each student dealt 3 of the 4 cards (-: not dealt), for alpha from
pairwise data:

    student  c1 c2 c3 c4
    ana       1  1  -  1
    ben       1  -  1  1
    cy        -  1  1  0
    dee       0  0  1  -
    eve       0  -  0  0
    fay       -  0  0  1

Each card's sample variance over the students dealt it, n p (1 - p) / (n - 1):
    c1: 1 1 0 0, n 4, p 1/2: 4 * 1/4 / 3 = 1/3;   c2: 1 1 0 0: 1/3;
    c3: 1 1 1 0 0, n 5, p 3/5: 5 * 6/25 / 4 = 3/10;   c4: 1 1 0 0 1: 3/10.
    v = (1/3 + 1/3 + 3/10 + 3/10) / 4 = (40/60 + 36/60) / 4 = 19/60.
Each pair's sample covariance over the students dealt both, sum (x - mx)(y - my) / (n - 1):
    c1 c2 (ana, dee): (1, 1), (0, 0); means 1/2, 1/2: (1/4 + 1/4) / 1 = 1/2.
    c1 c3 (ben, dee, eve): (1, 1), (0, 1), (0, 0); means 1/3, 2/3:
        (2/3 * 1/3 + -1/3 * 1/3 + -1/3 * -2/3) / 2 = (2/9 - 1/9 + 2/9) / 2 = 1/6.
    c1 c4 (ana, ben, eve): (1, 1), (1, 1), (0, 0); means 2/3, 2/3:
        (1/9 + 1/9 + 4/9) / 2 = 1/3.
    c2 c3 (cy, dee, fay): (1, 1), (0, 1), (0, 0): as c1 c3, 1/6.
    c2 c4 (ana, cy, fay): (1, 1), (1, 0), (0, 1); means 2/3, 2/3:
        (1/9 - 2/9 - 2/9) / 2 = -1/6.
    c3 c4 (ben, cy, eve, fay): (1, 1), (1, 0), (0, 0), (0, 1); means 1/2, 1/2:
        (1/4 - 1/4 + 1/4 - 1/4) / 3 = 0.
    c = (1/2 + 1/6 + 1/3 + 1/6 - 1/6 + 0) / 6 = 1 / 6.
Alpha for the m = 3 cards each student sorted:
    3 c / (v + 2 c) = (1/2) / (19/60 + 20/60) = 30/39 = 10/13 (0.77);
for the whole pool, m = 4: (4/6) / (19/60 + 30/60) = 40/49, which pingouin gives too.
"""

from __future__ import annotations

import math
import random

import pytest

from product_roles import load
from product_roles.grading import answers, judge
from product_roles.instructor.class_stats import StudentGrade, build, item_analysis
from product_roles.instructor.item_analysis import (
    KR20,
    PAIRWISE,
    UNPLACED,
    Response,
    analyse,
    kr20,
    pairwise_alpha,
    point_biserial,
    upper_lower_index,
)
from product_roles.instructor.keys import hidden_keys
from product_roles.instructor.trusted import _write_record, read_records

SOURCE = """### BEGIN HIDDEN TESTS
KEY = {"c1": "PO", "c2": "PM", "c3": "ENG", "c4": "TEAM"}
score_placements("sort", KEY)
### END HIDDEN TESTS
"""
RAW_KEY = {"c1": "PO", "c2": "PM", "c3": "ENG", "c4": "TEAM"}
(KEY,) = hidden_keys("a1", "nb", "test-sort", SOURCE)
ROLES = [role.id for role in load().roles]
CLASS = {
    "ana": {"c1": "PO", "c2": "PM", "c3": "ENG", "c4": "PM"},
    "ben": {"c1": "PO", "c2": "PM", "c3": "ENG", "c4": "PM"},
    "cy": {"c1": "PO", "c2": "PM", "c3": "PO", "c4": "ENG"},
    "dee": {"c1": "PM", "c2": "PO", "c3": "TEAM", "c4": "TEAM"},
    "eve": {"c1": "ENG", "c2": "ENG", "c3": "PO"},
}
MATRIX = {  # what the key makes of CLASS, as in the docstring
    "ana": (1, 1, 1, 0),
    "ben": (1, 1, 1, 0),
    "cy": (1, 1, 0, 0),
    "dee": (0, 0, 0, 1),
    "eve": (0, 0, 0, 0),
}


def graded_class(tmp_path, placements_by_student):
    """Judge each student's placements, record them as the grader does, build the statistics."""
    grades, records = [], {}
    for student, placements in placements_by_student.items():
        saved = None if placements is None else answers.Answers("sort", placements)
        verdict = judge("sort", RAW_KEY, saved, reveal=False)
        folder = tmp_path / student
        folder.mkdir(parents=True)
        resources = {"metadata": {"path": str(folder)}, "nbgrader": {"notebook": "nb"}}
        _write_record(resources, {"test-sort": verdict}, [])
        records[student] = read_records(folder)
        grades.append(StudentGrade(student, verdict.points, verdict.max_points, False))
    return build(grades, records, [KEY], ROLES)


@pytest.fixture
def hand_class(tmp_path):
    return item_analysis(graded_class(tmp_path, CLASS))


def test_the_records_give_the_matrix_worked_by_hand(tmp_path):
    stats = graded_class(tmp_path, CLASS)
    cards = [(KEY.exercise, c) for c in RAW_KEY]
    got = {s: tuple(int(stats.responses[s][c].right) for c in cards) for s in CLASS}
    assert got == MATRIX
    assert stats.responses["eve"][("sort", "c4")] == Response(None, False)


def test_facility_by_hand(hand_class):
    assert [(i.card, i.right, i.answered) for i in hand_class.items] == [
        ("c1", 3, 5),
        ("c2", 3, 5),
        ("c3", 2, 5),
        ("c4", 1, 5),
    ]
    assert [i.facility for i in hand_class.items] == [0.6, 0.6, 0.4, 0.2]


def test_discrimination_by_hand(hand_class):
    r = [i.discrimination for i in hand_class.items]
    expected = [math.sqrt(7 / 12), math.sqrt(7 / 12), math.sqrt(3 / 8), -math.sqrt(8 / 23)]
    assert r == pytest.approx(expected, abs=1e-12)
    assert [i.card for i in hand_class.flagged] == ["c4"]


def test_upper_lower_index_by_hand_ties_sharing_the_edge(hand_class):
    assert [i.upper_lower for i in hand_class.items] == pytest.approx([1, 1, 2 / 3, -1 / 2])


def test_kr20_by_hand(hand_class):
    reliability = hand_class.reliability
    assert reliability.value == pytest.approx(8 / 17, abs=1e-12)
    assert (reliability.students, reliability.items, reliability.method) == (5, 4, KR20)
    assert reliability.sentence().startswith("Reliability (KR-20) is 0.47, from 5 students and 4")


def test_wrong_choices_by_hand(hand_class):
    choices = {i.card: i.wrong_choices for i in hand_class.items}
    assert choices["c1"] == (("PM", 1), ("ENG", 1))  # a tie: the catalogue's role order
    assert choices["c3"] == (("PO", 2), ("TEAM", 1))
    assert choices["c4"] == (("PM", 2), ("ENG", 1), (UNPLACED, 1))


def test_totals_per_student(hand_class):
    assert hand_class.totals == {s: (sum(row), 4) for s, row in MATRIX.items()}


def test_the_upper_lower_index_does_not_depend_on_the_order_of_names():
    scores = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0]
    rests = [5, 5, 4, 4, 4, 2, 2, 2, 1, 0, 0]
    first = upper_lower_index(scores, rests)
    order = list(range(len(scores)))
    for seed in range(20):
        random.Random(seed).shuffle(order)
        again = upper_lower_index([scores[i] for i in order], [rests[i] for i in order])
        assert again == pytest.approx(first)
    # 11 students: groups of round(2.97) = 3. Top: the two with rest 5 (right, wrong) in
    # full, then the one place left shared by the three with rest 4 (right, right, wrong),
    # a third each: (1 + 2/3) / 3 = 5/9. Bottom: the two with rest 0 (right, wrong), then
    # the one with rest 1 (right): 2/3. D = 5/9 - 6/9 = -1/9.
    assert first == pytest.approx(-1 / 9)


# Degenerate classes: "not enough data" in words, never NaN, never an exception.


def responses_of(matrix):
    return {
        student: {
            ("sort", f"c{n + 1}"): Response("PO" if x else "PM", bool(x)) for n, x in enumerate(row)
        }
        for student, row in matrix.items()
    }


def items_of(matrix):
    return [("sort", f"c{n + 1}") for n in range(len(next(iter(matrix.values()))))]


@pytest.mark.parametrize(
    ("matrix", "why"),
    [
        ({"ana": (1, 0, 1)}, "at least 2 students"),
        ({"ana": (1,), "ben": (0,)}, "at least 2 cards"),
        ({"ana": (1, 0), "ben": (0, 1)}, "the same number of cards right"),
        ({"ana": (1, 1), "ben": (1, 1)}, "the same number of cards right"),
    ],
)
def test_kr20_not_enough_data(matrix, why):
    result = analyse(responses_of(matrix), items_of(matrix))
    assert result.reliability.value is None
    assert why in result.reliability.note
    assert result.reliability.sentence().startswith("Reliability (KR-20): not enough data: ")
    for item in result.items:
        for value in (item.discrimination, item.upper_lower, item.facility):
            assert value is None or not math.isnan(value)


def test_empty_class_and_no_items():
    assert kr20([]).value is None
    assert "2 cards" in kr20([]).note
    result = analyse({}, [("sort", "c1")])
    (item,) = result.items
    assert (item.answered, item.facility, item.discrimination) == (0, None, None)
    assert item.note == "fewer than 2 students were judged on it"
    assert not result.flagged


@pytest.mark.parametrize(
    ("matrix", "note"),
    [
        ({"ana": (1, 1), "ben": (1, 0), "cy": (1, 1)}, "every student placed it right"),
        ({"ana": (0, 1), "ben": (0, 0), "cy": (0, 1)}, "no student placed it right"),
    ],
)
def test_a_card_that_cannot_tell_students_apart_has_no_discrimination(matrix, note):
    result = analyse(responses_of(matrix), items_of(matrix))
    first = result.items[0]
    assert (first.discrimination, first.upper_lower, first.note) == (None, None, note)
    assert not first.discriminates_negatively


def test_same_rest_score_for_everyone_gives_no_discrimination():
    matrix = {"ana": (1, 1), "ben": (0, 1), "cy": (1, 1)}  # c2 right for all: rest of c1 is 1
    first = analyse(responses_of(matrix), items_of(matrix)).items[0]
    assert first.discrimination is None
    assert first.note == "every student had the same score on the other cards"


def test_point_biserial_of_constant_input_is_none():
    assert point_biserial([1, 1, 1], [0, 1, 2]) is None
    assert point_biserial([1, 0, 1], [2, 2, 2]) is None
    assert point_biserial([1], [3]) is None


def test_a_card_not_dealt_to_a_student_counts_only_where_dealt():
    """With a deal per student, facility and discrimination count who got the card, and
    reliability is alpha from pairwise data over every student."""
    responses = responses_of(
        {"ana": (1, 1, 1), "ben": (1, 0, 0), "cy": (0, 0, 1), "dee": (1, 1, 0)}
    )
    del responses["cy"][("sort", "c2")]
    result = analyse(responses, [("sort", "c1"), ("sort", "c2"), ("sort", "c3")])
    c2 = result.items[1]
    assert (c2.right, c2.answered) == (2, 3)
    assert result.totals["cy"] == (1, 2)
    assert (result.reliability.students, result.reliability.method) == (4, PAIRWISE)
    assert (result.reliability.fewest, result.reliability.most) == (2, 3)


def test_cards_only_in_the_records_follow_the_keys_cards():
    responses = {
        "ana": {("sort", "c1"): Response("PO", True), ("old", "gone"): Response("PM", False)}
    }
    result = analyse(responses, [("sort", "c1")])
    assert [(i.exercise, i.card) for i in result.items] == [("sort", "c1"), ("old", "gone")]


# Against reference implementations on PyPI (test extra): scipy and pingouin.


def random_class(seed, students=60, cards=14):
    """Students of varied skill, cards of varied difficulty; a few cards answered at random."""
    rng = random.Random(seed)
    skill = [rng.gauss(0, 1) for _ in range(students)]
    ease = [rng.gauss(0, 1) for _ in range(cards)]
    matrix = {}
    for s in range(students):
        row = []
        for c in range(cards):
            chance = 0.5 if c % 5 == 4 else 1 / (1 + math.exp(-(skill[s] + ease[c])))
            row.append(int(rng.random() < chance))
        matrix[f"s{s:03d}"] = tuple(row)
    return matrix


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_discrimination_matches_scipy_pointbiserialr(seed):
    from scipy.stats import pointbiserialr

    matrix = random_class(seed)
    result = analyse(responses_of(matrix), items_of(matrix))
    rows = list(matrix.values())
    for n, item in enumerate(result.items):
        x = [row[n] for row in rows]
        rest = [sum(row) - row[n] for row in rows]
        reference = pointbiserialr(x, rest).statistic
        assert item.discrimination == pytest.approx(reference, abs=1e-10), item.card


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kr20_matches_pingouin_cronbach_alpha(seed):
    import pandas as pd
    import pingouin

    matrix = random_class(seed)
    reference, _ = pingouin.cronbach_alpha(data=pd.DataFrame(list(matrix.values())))
    ours = analyse(responses_of(matrix), items_of(matrix)).reliability.value
    assert ours == pytest.approx(reference, abs=1e-10)
    # On the hand-worked class too.
    hand = pd.DataFrame(list(MATRIX.values()))
    assert pingouin.cronbach_alpha(data=hand)[0] == pytest.approx(8 / 17, abs=1e-10)


# Alpha from pairwise data: each student dealt some of the cards.

DEALT = {  # the second class of the docstring; None: not dealt
    "ana": (1, 1, None, 1),
    "ben": (1, None, 1, 1),
    "cy": (None, 1, 1, 0),
    "dee": (0, 0, 1, None),
    "eve": (0, None, 0, 0),
    "fay": (None, 0, 0, 1),
}


def dealt_responses(matrix):
    """``responses_of`` with the cards not dealt (None) left out, as the records leave them."""
    return {
        student: {
            ("sort", f"c{n + 1}"): Response("PO" if x else "PM", bool(x))
            for n, x in enumerate(row)
            if x is not None
        }
        for student, row in matrix.items()
    }


def test_alpha_from_pairwise_data_by_hand():
    reliability = analyse(dealt_responses(DEALT), items_of(DEALT)).reliability
    assert reliability.method == PAIRWISE
    assert reliability.value == pytest.approx(10 / 13, abs=1e-12)
    assert (reliability.students, reliability.items) == (6, 4)
    assert (reliability.length, reliability.fewest, reliability.most) == (3, 3, 3)
    sentence = reliability.sentence()
    assert sentence.startswith(
        "Reliability (Cronbach's alpha from pairwise data, cards dealt per student) is 0.77 "
        "for a test of the 3 cards each student was judged on, from 6 students and a pool "
        "of 4 cards"
    )
    assert "so the total ranks students dependably" in sentence
    # The whole pool's alpha, m = 4.
    assert pairwise_alpha(list(DEALT.values()), length=4).value == pytest.approx(40 / 49)


def test_deals_of_different_sizes_use_the_median_and_say_so():
    matrix = dict(DEALT)
    matrix["gus"] = (1, 1, 1, 1)  # judged on all 4: lengths 3 3 3 3 3 3 4, median 3
    matrix["hal"] = (0, None, None, 0)  # judged on 2: lengths ... 2, median still 3
    reliability = analyse(dealt_responses(matrix), items_of(matrix)).reliability
    assert (reliability.length, reliability.fewest, reliability.most) == (3, 2, 4)
    assert "a test of 3 cards, the median a student was judged on (from 2 to 4)" in (
        reliability.sentence()
    )


@pytest.mark.parametrize(
    ("matrix", "why"),
    [
        ({"ana": (1, 0, None)}, "at least 2 students"),
        ({"ana": (1, None), "ben": (None, 0), "cy": (0, None)}, "at least 2 cards"),
        (  # every pair of cards shared by one student at most
            {"ana": (1, 1, None), "ben": (None, 0, 1), "cy": (0, None, 1), "dee": (1, None, None)},
            "no two cards were both dealt to at least 2 students",
        ),
        (  # the cards' scores never vary: v = c = 0
            {"ana": (1, 1, None), "ben": (1, 1, 1), "cy": (None, 1, 1)},
            "do not vary together",
        ),
    ],
)
def test_pairwise_alpha_not_enough_data(matrix, why):
    reliability = analyse(dealt_responses(matrix), items_of(matrix)).reliability
    assert (reliability.value, reliability.method) == (None, PAIRWISE)
    assert why in reliability.note
    assert reliability.sentence().startswith(
        "Reliability (Cronbach's alpha from pairwise data, cards dealt per student): "
        "not enough data: "
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairwise_alpha_on_complete_data_is_kr20(seed):
    rows = list(random_class(seed).values())
    assert pairwise_alpha(rows).value == pytest.approx(kr20(rows).value, abs=1e-12)
    assert pairwise_alpha(rows).length == len(rows[0])


def dealt_class(seed, students=80, cards=14, dealt=9):
    """``random_class`` with each student dealt ``dealt`` of the cards at random."""
    rng = random.Random(seed)
    return {
        student: tuple(x if n in kept else None for n, x in enumerate(row))
        for student, row in random_class(seed, students, cards).items()
        if (kept := set(rng.sample(range(cards), dealt)))
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pairwise_alpha_matches_pingouin_pairwise(seed):
    """pingouin 0.7's ``nan_policy="pairwise"`` is ``k / (k - 1) * (1 - trace(C) / sum(C))``
    on pandas' pairwise covariance matrix ``C`` (n - 1, each entry over the rows where
    both columns are present), which is ``k c / (v + (k - 1) c)``: ours at m = k. At the
    length each student sorted, ours is pingouin's stepped down by Spearman-Brown."""
    import pandas as pd
    import pingouin

    matrix = dealt_class(seed)
    frame = pd.DataFrame([[math.nan if x is None else x for x in row] for row in matrix.values()])
    assert frame.isna().to_numpy().mean() == pytest.approx(5 / 14)
    pool, _ = pingouin.cronbach_alpha(data=frame, nan_policy="pairwise")
    assert pairwise_alpha(list(matrix.values()), length=14).value == pytest.approx(pool, abs=1e-10)
    dealt = analyse(dealt_responses(matrix), items_of(matrix)).reliability
    assert (dealt.method, dealt.length, dealt.students, dealt.items) == (PAIRWISE, 9, 80, 14)
    # Spearman-Brown for a test r times as long: r alpha / (1 + (r - 1) alpha), r = 9/14.
    r = 9 / 14
    assert dealt.value == pytest.approx(r * pool / (1 + (r - 1) * pool), abs=1e-10)
    assert dealt.value < pool


def test_a_pair_never_dealt_together_is_left_out_where_pingouin_counts_it_as_zero():
    """pandas leaves the covariance of a pair seen together once as NaN and pingouin's
    ``sum(C)`` skips it, as if that covariance were 0; ours averages the pairs it has.
    Both from the same covariance matrix, differing only there."""
    import pandas as pd
    import pingouin

    matrix = dict(DEALT)
    matrix["ana"] = (1, 1, None, None)  # c1 and c2 now shared by dee alone
    matrix["dee"] = (0, None, 1, 0)
    matrix["gus"] = (None, 1, 1, 1)
    frame = pd.DataFrame([[math.nan if x is None else x for x in row] for row in matrix.values()])
    cov = frame.cov().to_numpy()
    assert math.isnan(cov[0, 1])
    v = cov.diagonal().mean()
    pairs = [cov[i, j] for i in range(4) for j in range(i + 1, 4)]
    kept = [c for c in pairs if not math.isnan(c)]
    assert len(kept) == 5
    c, as_zero = sum(kept) / 5, sum(kept) / 6
    ours = pairwise_alpha(list(matrix.values()), length=4).value
    assert ours == pytest.approx(4 * c / (v + 3 * c), abs=1e-12)
    reference, _ = pingouin.cronbach_alpha(data=frame, nan_policy="pairwise")
    assert reference == pytest.approx(4 * as_zero / (v + 3 * as_zero), abs=1e-12)
    assert ours != pytest.approx(reference)

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
"""

from __future__ import annotations

import math
import random

import pytest

from product_roles import load
from product_roles.grading import answers, judge
from product_roles.instructor.class_stats import StudentGrade, build, item_analysis
from product_roles.instructor.item_analysis import (
    UNPLACED,
    Response,
    analyse,
    kr20,
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
    assert reliability.kr20 == pytest.approx(8 / 17, abs=1e-12)
    assert (reliability.students, reliability.items) == (5, 4)
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
    assert result.reliability.kr20 is None
    assert why in result.reliability.note
    assert result.reliability.sentence().startswith("Reliability (KR-20): not enough data: ")
    for item in result.items:
        for value in (item.discrimination, item.upper_lower, item.facility):
            assert value is None or not math.isnan(value)


def test_empty_class_and_no_items():
    assert kr20([]).kr20 is None
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
    """With a deal per student, facility and discrimination count who got the card; KR-20
    counts the students judged on every card."""
    responses = responses_of(
        {"ana": (1, 1, 1), "ben": (1, 0, 0), "cy": (0, 0, 1), "dee": (1, 1, 0)}
    )
    del responses["cy"][("sort", "c2")]
    result = analyse(responses, [("sort", "c1"), ("sort", "c2"), ("sort", "c3")])
    c2 = result.items[1]
    assert (c2.right, c2.answered) == (2, 3)
    assert result.totals["cy"] == (1, 2)
    assert result.reliability.students == 3


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
    ours = analyse(responses_of(matrix), items_of(matrix)).reliability.kr20
    assert ours == pytest.approx(reference, abs=1e-10)
    # On the hand-worked class too.
    hand = pd.DataFrame(list(MATRIX.values()))
    assert pingouin.cronbach_alpha(data=hand)[0] == pytest.approx(8 / 17, abs=1e-10)

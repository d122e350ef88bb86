"""A deal of each student's own: the pure deal, the learner's id, and the grader's reading of it.

The deal is the same for the learner's notebook and for the grader because both call
one pure function with the same literals; these tests check that function (it is
deterministic, differs across students, keeps the counts the instructor set), that
the learner's id is the one nbgrader's exchange submits under, that the grader reads
the deal from the instructor's cell and scores exactly the dealt cards whatever the
answers file holds, and that ``product-roles release`` refuses a deal it cannot grade.
"""

from __future__ import annotations

import ast
import copy
import itertools
import types
from collections import Counter

import nbformat
import pytest

from conftest import ROOT
from grading_course import key_for, keys_of
from product_roles.grading import answers, judge
from product_roles.grading.deal import (
    DealError,
    deal,
    deal_cards,
    dealt_ids,
    group_counts,
    learner_id,
)
from product_roles.instructor import deals as grader_deals
from product_roles.instructor.deals import deal_problems, deals_in_cell, find_deals, with_student
from product_roles.instructor.simulate import dealt_cards, random_placements
from product_roles.instructor.trusted import judge_submitted

ASSIGNMENT = "traditional-divide"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "exercises" / ASSIGNMENT
STUDENTS = [f"student{n:02d}" for n in range(200)]


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == grade_id)


def pool_and_deal(nb=None):
    """The ``POOL`` and ``DEAL`` literals of the assignment's locked cell."""
    nb = nb or nbformat.read(SOURCE, as_version=4)
    values = {}
    for node in ast.walk(ast.parse(cell(nb, "show-cards").source)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in ("POOL", "DEAL"):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values["POOL"], values["DEAL"]


POOL, DEAL = pool_and_deal()


def groups_of(pool):
    return {card["id"]: card["group"] for card in pool}


# -- the pure deal ------------------------------------------------------------


def test_the_deal_is_deterministic_and_keeps_the_instructors_counts():
    first = dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    assert first == dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    assert len(first) == DEAL["cards"] == 16
    assert len(set(first)) == 16
    # One card of each group, as the notebook asks.
    assert Counter(groups_of(POOL)[c] for c in first) == Counter(
        dict.fromkeys(set(groups_of(POOL).values()), 1)
    )
    # Neither the pool's order nor anything but its ids and groups changes the deal.
    shuffled = [{"id": c["id"], "group": c["group"], "text": "?"} for c in reversed(POOL)]
    assert dealt_ids(ASSIGNMENT, shuffled, student="ana", **DEAL) == first
    # Pinned, so that a change to the function cannot pass unnoticed: a deal changed
    # between release and grading would score students on cards they never saw.
    assert first[:4] == PINNED_ANA


PINNED_ANA = ["show-stakeholders", "alerts-before-dark-mode", "detail-top-items", "cycle-goal"]


def test_the_deal_differs_across_students_and_covers_the_pool():
    deals = {s: dealt_ids(ASSIGNMENT, POOL, student=s, **DEAL) for s in STUDENTS}
    sets = {frozenset(d) for d in deals.values()}
    assert len(sets) >= 190, "almost every student has a set of their own"
    orders = {tuple(d) for d in deals.values()}
    assert len(orders) == len(STUDENTS), "and an order of their own"
    shared = [len(set(deals[a]) & set(deals[b])) for a, b in itertools.pairwise(STUDENTS)]
    assert 6 <= sum(shared) / len(shared) <= 10, "neighbours share about half their cards"
    # Each card of a pair is dealt to about half the class (binomial, 200 draws).
    counts = Counter(card for d in deals.values() for card in d)
    assert set(counts) == {c["id"] for c in POOL}
    assert all(70 <= n <= 130 for n in counts.values()), counts
    # The first card shown is not always the same one.
    assert len({d[0] for d in deals.values()}) > 16


def test_seed_exercise_and_student_each_change_the_deal():
    base = dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    assert dealt_ids(ASSIGNMENT, POOL, student="ana", **{**DEAL, "seed": "other"}) != base
    assert dealt_ids("another-sort", POOL, student="ana", **DEAL) != base
    assert dealt_ids(ASSIGNMENT, POOL, student="Ana", **DEAL) != base, "ids are exact"
    default = dealt_ids(ASSIGNMENT, POOL, student=None, **DEAL)
    assert default == dealt_ids(ASSIGNMENT, POOL, student="", **DEAL)
    assert len(default) == 16


def test_counts_by_group_with_the_rest_from_the_whole_pool():
    pool = [{"id": f"a{n}", "group": "A"} for n in range(5)]
    pool += [{"id": f"b{n}", "group": "B"} for n in range(5)]
    pool += [{"id": f"c{n}"} for n in range(5)]
    for student in STUDENTS[:50]:
        got = dealt_ids("ex", pool, seed=1, cards=7, per_group={"A": 2, "B": 3}, student=student)
        kinds = Counter(card[0] for card in got)
        assert len(got) == 7
        assert kinds["a"] >= 2
        assert kinds["b"] >= 3
    plain = dealt_ids("ex", [p["id"] for p in pool], seed=1, cards=15, student="x")
    assert sorted(plain) == sorted(p["id"] for p in pool), "a deal of the whole pool shuffles it"


@pytest.mark.parametrize(
    ("pool", "cards", "per_group", "says"),
    [
        ([], 1, None, "the pool needs cards"),
        ([{"text": "no id"}], 1, None, "each card of the pool needs an id"),
        (["a", "a", "b"], 1, None, "unique; given twice: a"),
        (["a", "b"], 3, None, "3 cards cannot be dealt from a pool of 2"),
        (["a", "b"], 0, None, "a whole number from 1"),
        (["a", "b"], True, None, "a whole number from 1"),
        ([{"id": "a", "group": "g"}, {"id": "b"}], 1, 1, "'b' has none"),
        ([{"id": "a", "group": "g"}], 1, {"h": 1}, "no card of the pool is in group 'h'"),
        ([{"id": "a", "group": "g"}], 1, {"g": 2}, "group 'g' has 1 cards; 2 cannot be dealt"),
        ([{"id": "a", "group": "g"}, {"id": "b", "group": "h"}], 1, 1, "more than the 1 dealt"),
        ([{"id": "a", "group": "g"}], 1, {"g": -1}, "a whole number of cards"),
    ],
)
def test_a_deal_that_cannot_be_made_says_why(pool, cards, per_group, says):
    with pytest.raises(DealError, match=says.replace("(", r"\(")):
        group_counts(pool, cards, per_group)


def test_deal_returns_the_cards_with_their_texts():
    cards = deal(ASSIGNMENT, POOL, student="ana", **DEAL)
    texts = {c["id"]: c["text"] for c in POOL}
    assert [c["id"] for c in cards] == dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    assert all(c == {"id": c["id"], "text": texts[c["id"]]} for c in cards), "no group shown"


# -- the learner's id -----------------------------------------------------------


@pytest.mark.parametrize(
    ("os_user", "hub_user", "expected"),
    [
        ("maria", None, "maria"),
        ("maria", "someone-else", "maria"),  # nbgrader submits under the OS name
        ("jupyter-ana", "ana", "jupyter-ana"),  # a TLJH-style hub's accounts
        ("jovyan", "ana", "ana"),  # Jupyter's Docker images on a hub
        ("jovyan", None, None),  # Binder, or a container of one's own: no id
        ("root", None, "root"),
    ],
)
def test_the_learners_id_is_the_one_nbgrader_submits_under(
    monkeypatch, os_user, hub_user, expected
):
    import pwd

    from nbgrader.utils import get_username

    monkeypatch.setattr(pwd, "getpwuid", lambda _uid: types.SimpleNamespace(pw_name=os_user))
    monkeypatch.setattr("nbgrader.utils.get_osusername", lambda: os_user)
    if hub_user is None:
        monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    else:
        monkeypatch.setenv("JUPYTERHUB_USER", hub_user)
    assert learner_id() == expected
    if expected is not None:
        assert get_username() == expected, "the id nbgrader's exchange submits under"
    else:
        assert get_username() == "jovyan", "nbgrader would submit as the shared account"


def test_no_user_database_means_no_id(monkeypatch):
    import pwd

    def missing(uid):
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", missing)
    assert learner_id() is None


def test_the_notebook_says_whose_cards_they_are(monkeypatch, capsys):
    monkeypatch.setattr("product_roles.grading.deal.learner_id", lambda: "ana")
    cards = deal_cards(ASSIGNMENT, POOL, **DEAL)
    said = capsys.readouterr().out
    assert [c["id"] for c in cards] == dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    assert "dealt to student id 'ana'" in " ".join(said.split())
    assert "pool of 32" in " ".join(said.split())
    assert max(len(line) for line in said.splitlines()) <= 80


def test_without_an_id_the_notebook_says_so_and_deals_the_default_set(monkeypatch, capsys):
    monkeypatch.setattr("product_roles.grading.deal.learner_id", lambda: None)
    cards = deal_cards(ASSIGNMENT, POOL, **DEAL)
    said = " ".join(capsys.readouterr().out.split())
    assert [c["id"] for c in cards] == dealt_ids(ASSIGNMENT, POOL, student=None, **DEAL)
    assert "No student id was found here" in said
    assert "default set of 16 cards" in said
    assert "the cards dealt to your own student id are the ones that count" in said


def test_while_nbgrader_grades_the_kernel_deals_for_the_submission(tmp_path, monkeypatch, capsys):
    # nbgrader's stock pipelines score in the kernel, which runs as the grader's user.
    folder = tmp_path / "autograded" / "zoe" / ASSIGNMENT
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setattr("product_roles.grading.deal.learner_id", lambda: "grader")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    cards = deal_cards(ASSIGNMENT, POOL, **DEAL)
    assert [c["id"] for c in cards] == dealt_ids(ASSIGNMENT, POOL, student="zoe", **DEAL)
    assert "dealt to student id 'zoe'" in " ".join(capsys.readouterr().out.split())
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    cards = deal_cards(ASSIGNMENT, POOL, **DEAL)
    assert [c["id"] for c in cards] == dealt_ids(ASSIGNMENT, POOL, student="grader", **DEAL)


# -- scoring the dealt cards ---------------------------------------------------------


def key_of_pool():
    (key,) = keys_of(ASSIGNMENT)
    return {card: list(accepted) for card, accepted in key.answers.items()}


def test_only_the_dealt_cards_are_scored_and_others_are_named():
    key = key_of_pool()
    dealt = dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    right = {card: accepted[0] for card, accepted in key.items()}
    # Every card of the pool right, and one dealt card left out.
    placements = {**right, dealt[0]: None, "made-up-card": "PO"}
    verdict = judge(
        ASSIGNMENT, key, answers.Answers(ASSIGNMENT, placements), reveal=False, dealt=dealt
    )
    assert (verdict.points, verdict.max_points) == (15.0, 16.0)
    assert [c.card for c in verdict.cards] == dealt, (
        "one verdict a dealt card, in the student's order"
    )
    assert verdict.cards[0].placed is None
    assert not verdict.cards[0].right
    assert f"{dealt[0]}: not placed (0/1)" in verdict.lines
    (ignored,) = [line for line in verdict.lines if line.startswith("Not scored")]
    assert "17 cards were placed but not dealt to you" in ignored
    assert "and 12 more" in ignored
    assert "Only the 16 cards dealt to your student id count." in ignored
    assert verdict.lines[-1] == "Total: 15 of 16 cards right."
    assert not any(answer in ignored for answer in ("PO,", "PM,", "ENG,", "TEAM,"))


def test_no_answers_file_means_every_dealt_card_unplaced():
    key = key_of_pool()
    dealt = dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    verdict = judge(ASSIGNMENT, key, None, reveal=True, dealt=dealt)
    assert (verdict.points, verdict.max_points) == (0.0, 16.0)
    assert [c.card for c in verdict.cards] == dealt


def test_a_dealt_card_the_key_lacks_is_an_authoring_error():
    with pytest.raises(ValueError, match="the key must cover the whole pool"):
        judge("ex", {"a": "PO"}, None, reveal=True, dealt=["a", "b"])


def test_the_grader_scores_the_students_deal_whatever_the_file_claims(tmp_path):
    """A file with easier, undealt cards right gains nothing; the dealt cards decide."""
    key = key_of_pool()
    mine = set(dealt_ids(ASSIGNMENT, POOL, student="ben", **DEAL))
    right = {card: accepted[0] for card, accepted in key.items()}
    wrong = {
        card: next(r for r in ("TEAM", "PO", "PM", "ENG") if r not in a) for card, a in key.items()
    }
    neighbour = dealt_ids(ASSIGNMENT, POOL, student="ana", **DEAL)
    cases = {
        "undealt right, dealt wrong": (
            {c: right[c] if c not in mine else wrong[c] for c in key},
            0,
        ),
        "a neighbour's sort copied": ({c: right[c] for c in neighbour}, len(mine & set(neighbour))),
        "only the dealt cards, right": ({c: right[c] for c in mine}, 16),
        "every card right": (right, 16),
    }
    for name, (placements, points) in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        answers.write(answers.path_for(ASSIGNMENT, folder), answers.Answers(ASSIGNMENT, placements))
        verdict = judge_submitted(folder, ASSIGNMENT, key, False, sorted(mine))
        assert (verdict.points, verdict.max_points) == (points, 16.0), name


# -- the grader's reading of the deal ---------------------------------------------


def test_the_grader_reads_the_deal_the_notebook_makes():
    nb = nbformat.read(SOURCE, as_version=4)
    sources = {
        c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.cell_type == "code"
    }
    found = find_deals(sources)
    assert set(found) == {ASSIGNMENT}
    assert found[ASSIGNMENT].cell == "show-cards"
    for student in ("ana", "ben", None):
        assert found[ASSIGNMENT].dealt(student) == dealt_ids(
            ASSIGNMENT, POOL, student=student, **DEAL
        )
    # The released notebook deals the same, so a learner's copy and the grader agree.
    assert dealt_cards(RELEASE, "ana") == {ASSIGNMENT: found[ASSIGNMENT].dealt("ana")}


def test_the_graded_notebook_deals_the_students_cards(tmp_path, monkeypatch, capsys):
    nb = nbformat.read(RELEASE / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = with_student(cell(nb, "show-cards").source, ASSIGNMENT, "ana")
    assert 'student="ana"' in source or "student='ana'" in source
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(source, "show-cards", "exec"), namespace)  # noqa: S102 - the course's own cell
    assert [c["id"] for c in namespace["CARDS"]] == dealt_ids(
        ASSIGNMENT, POOL, student="ana", **DEAL
    )
    assert "they are the cards graded" in " ".join(capsys.readouterr().out.split())
    # An id with quotes stays one string.
    odd = with_student(cell(nb, "show-cards").source, ASSIGNMENT, "o'brien\")")
    (call,) = [
        n
        for n in ast.walk(ast.parse(odd))
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "deal_cards"
    ]
    assert [k.value.value for k in call.keywords if k.arg == "student"] == ["o'brien\")"]


def test_every_pooled_sort_of_the_course_can_be_dealt_and_graded():
    pooled = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert deal_problems(nb) == [], path
        sources = {
            c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells if c.cell_type == "code"
        }
        pooled += list(find_deals(sources))
    assert ASSIGNMENT in pooled, "at least one assignment deals from a pool"


def test_the_solution_places_whatever_is_dealt():
    """So ``nbgrader validate`` passes the solution for any id it runs under."""
    nb = nbformat.read(SOURCE, as_version=4)
    solution = cell(nb, "place-cards").source
    table = next(
        ast.literal_eval(n.value)
        for n in ast.walk(ast.parse(solution))
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "ROLE_OF"
    )
    key = key_of_pool()
    assert set(table) == {c["id"] for c in POOL} == set(key)
    assert all(table[card] in key[card] for card in table)
    assert "for card in CARDS:" in solution


def test_simulated_students_place_their_dealt_cards():
    import random

    keys = keys_of(ASSIGNMENT)
    for student in ("ana", "ben"):
        dealt = dealt_cards(RELEASE, student)
        placed = random_placements(keys, random.Random(1), 0.5, dealt=dealt)
        assert list(placed[ASSIGNMENT]) == dealt[ASSIGNMENT]
        assert list(key_for(ASSIGNMENT, student).answers) == dealt[ASSIGNMENT]


# -- what release refuses -----------------------------------------------------------


def broken(change):
    nb = nbformat.read(SOURCE, as_version=4)
    change(nb)
    return deal_problems(nb)


def _replace(grade_id, old, new):
    def change(nb):
        source = cell(nb, grade_id).source
        assert old in source, old
        cell(nb, grade_id).source = source.replace(old, new)

    return change


def _points(points):
    def change(nb):
        cell(nb, "test-card-roles").metadata["nbgrader"]["points"] = points

    return change


def _unlock(nb):
    cell(nb, "show-cards").metadata["nbgrader"]["locked"] = False


def _pairs_of_one_answer(nb):
    # Groups by role: four groups of eight, four dealt from each.
    key = key_of_pool()
    pool, _ = pool_and_deal(nb)
    for card in pool:
        card["group"] = f"g-{key[card['id']][0]}"
    text = cell(nb, "show-cards").source
    head, rest = text.split("POOL = [", 1)
    tail = rest.split("\n]\n", 1)[1]
    cell(nb, "show-cards").source = f"{head}POOL = {pool!r}\n{tail}".replace(
        '"per_group": 1', '"per_group": 4'
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_unlock, "deal the cards in a locked, read-only cell"),
        (_points(15), "worth 15 points, but each student is dealt 16"),
        (
            _replace("test-card-roles", '        "churn-study": ', '        "not-in-pool": '),
            "the key has no entry for churn-study",
        ),
        (
            _replace("test-card-roles", '        "churn-study": ', '        "not-in-pool": '),
            "the key holds not-in-pool, not in the pool",
        ),
        (
            _replace("show-cards", '"group": "p01"', '"group": "PO"'),
            "group 'PO' is named like an answer",
        ),
        (_pairs_of_one_answer, "every card of group 'g-ENG' has the same answer"),
        (
            _replace("show-cards", "**DEAL)", '**DEAL, student="ana")'),
            "(each student's id is found when the notebook runs)",
        ),
        (
            _replace("show-cards", "**DEAL)", "**SETTINGS)"),
            "which this cell does not set to a literal",
        ),
        (
            _replace("show-cards", '"per_group": 1', '"per_group": 2'),
            "the groups give 32 cards, more than the 16",
        ),
    ],
)
def test_release_refuses_a_deal_it_cannot_grade(change, says):
    found = broken(change)
    assert any(says in problem for problem in found), found


def test_a_call_the_grader_cannot_read_is_an_error_not_a_silent_whole_pool():
    with pytest.raises(DealError, match="exercise id as a string"):
        deals_in_cell("CARDS = deal_cards(NAME, POOL, seed=1, cards=2)")
    with pytest.raises(DealError, match="needs a seed"):
        deals_in_cell('POOL = ["a", "b"]\nCARDS = deal_cards("ex", POOL, cards=2)')
    assert deals_in_cell("not python (") == []
    assert grader_deals.find_deals({"a": "x = 1"}) == {}
    with pytest.raises(DealError, match="dealt twice"):
        grader_deals.find_deals(
            {
                "a": 'deal_cards("ex", ["a", "b"], seed=1, cards=1)',
                "b": 'deal_cards("ex", ["a", "b"], seed=1, cards=1)',
            }
        )
    assert copy.deepcopy(POOL) == pool_and_deal()[0], "nothing above changed the pool"

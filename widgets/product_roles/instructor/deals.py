"""The deals of pooled card sorts, read from the instructor's source cells as the grader reads keys.

A pooled sort's locked cell deals each learner's cards with literals::

    POOL = [{"id": "split-export", "group": "pair-01", "text": "..."}, ...]
    DEAL = {"seed": "autumn-2026", "cards": 16, "per_group": 1}
    CARDS = deal_cards("traditional-divide", POOL, **DEAL)

The trusted grader reads the pool and the deal from that cell as the gradebook holds
it (:func:`notebook_deals`) and deals the submitting student's cards with the same
pure function (:func:`product_roles.grading.deal.dealt_ids`), whatever the submission
says. :func:`with_student` makes the graded notebook deal the same cards, so its
feedback page shows the student's own sort. :func:`deal_problems` is what
``product-roles release`` checks before a pooled sort reaches students.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from product_roles.grading import accepted_answers
from product_roles.grading.deal import DealError, card_group, card_id, dealt_ids, group_counts
from product_roles.instructor.keys import SCORERS, keys_in_cell

DEALER = "deal_cards"
SPEC_FIELDS = ("seed", "cards", "per_group")


@dataclass(frozen=True)
class PoolDeal:
    """One pooled sort: its pool (``(id, group)`` pairs) and how it is dealt."""

    exercise: str
    pool: tuple[tuple[str, str | None], ...]
    seed: str | int
    cards: int
    per_group: int | Mapping[str, int] | None
    cell: str = ""  # the grade id of the cell it was read from

    def entries(self) -> list[dict]:
        return [{"id": c, "group": g} for c, g in self.pool]

    def dealt(self, student: str | None) -> list[str]:
        """The ids dealt to ``student`` (None: the default set), in that student's order."""
        return dealt_ids(
            self.exercise,
            self.entries(),
            seed=self.seed,
            cards=self.cards,
            per_group=self.per_group,
            student=student,
        )


def _is_dealer(node: ast.AST) -> TypeGuard[ast.Call]:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == DEALER) or (
        isinstance(func, ast.Attribute) and func.attr == DEALER
    )


def _literals(tree: ast.AST) -> dict[str, object]:
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = value
    return found


def _value(node: ast.AST, literals: Mapping[str, object], what: str, exercise: str):
    if isinstance(node, ast.Name):
        if node.id not in literals:
            raise DealError(
                f"{exercise}: {what} is {node.id}, which this cell does not set to a literal; "
                "the grader reads the deal from the cell's literals"
            )
        return literals[node.id]
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError) as err:
        raise DealError(f"{exercise}: {what} must be a literal the grader can read") from err


def deals_in_cell(source: str, cell: str = "") -> list[PoolDeal]:
    """Every ``deal_cards(...)`` call in a cell's source, read from its literals.

    Raises
    ------
    DealError
        For a call the grader cannot read: an exercise that is not a string, a pool or
        a setting that is not a literal of the cell, a ``student`` written in (it would
        deal everyone the same cards), or a deal that cannot be made.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = [node for node in ast.walk(tree) if _is_dealer(node)]
    if not calls:
        return []
    literals = _literals(tree)
    found = []
    for call in calls:
        if len(call.args) < 2 or not isinstance(call.args[0], ast.Constant):
            raise DealError(f"{DEALER} needs the exercise id as a string and the pool")
        exercise = str(call.args[0].value)
        pool = _value(call.args[1], literals, "the pool", exercise)
        spec: dict = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                spread = _value(keyword.value, literals, "the deal", exercise)
                if not isinstance(spread, Mapping):
                    raise DealError(f"{exercise}: **{ast.unparse(keyword.value)} is not a dict")
                spec.update(spread)
            else:
                spec[keyword.arg] = _value(keyword.value, literals, keyword.arg, exercise)
        unknown = sorted(set(spec) - set(SPEC_FIELDS) - {"quiet"})
        if unknown:
            why = (
                " (each student's id is found when the notebook runs)"
                if "student" in unknown
                else ""
            )
            raise DealError(
                f"{exercise}: the deal may set {', '.join(SPEC_FIELDS)}, not {unknown[0]!r}{why}"
            )
        if not isinstance(pool, list | tuple) or not all(
            isinstance(c, str | Mapping) for c in pool
        ):
            raise DealError(f"{exercise}: the pool must be a list of cards")
        if "seed" not in spec or "cards" not in spec:
            raise DealError(f"{exercise}: the deal needs a seed and a number of cards")
        group_counts(pool, spec["cards"], spec.get("per_group"))
        found.append(
            PoolDeal(
                exercise,
                tuple((card_id(c), card_group(c)) for c in pool),
                spec["seed"],
                spec["cards"],
                spec.get("per_group"),
                cell,
            )
        )
    return found


def find_deals(sources: Mapping[str, str]) -> dict[str, PoolDeal]:
    """Exercise id to its deal, from cell sources keyed by grade id; one deal an exercise."""
    deals: dict[str, PoolDeal] = {}
    for cell, source in sources.items():
        for found in deals_in_cell(source, cell):
            if found.exercise in deals:
                raise DealError(
                    f"{found.exercise} is dealt twice, in {deals[found.exercise].cell} and {cell}"
                )
            deals[found.exercise] = found
    return deals


def notebook_deals(gradebook, notebook: str, assignment: str) -> dict[str, PoolDeal]:
    """The deals of one notebook, from the source cells the gradebook holds."""
    cells = gradebook.find_notebook(notebook, assignment).source_cells
    return find_deals({cell.name: cell.source for cell in cells})


def with_student(source: str, exercise: str, student: str) -> str:
    """``source`` with its ``deal_cards`` call of ``exercise`` dealing for ``student``.

    The graded notebook then shows the student's own cards and placements; the score
    does not depend on it (the grader deals in its own process).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        if _is_dealer(node) and node.args and getattr(node.args[0], "value", None) == exercise:
            node.keywords = [k for k in node.keywords if k.arg != "student"]
            node.keywords.append(ast.keyword("student", ast.Constant(str(student))))
            start = _offset(source, node.lineno, node.col_offset)
            if node.end_lineno is None or node.end_col_offset is None:
                return source  # only hand-built nodes lack an end; parsed ones have it
            end = _offset(source, node.end_lineno, node.end_col_offset)
            return source[:start] + ast.unparse(node) + source[end:]
    return source


def _offset(source: str, line: int, column: int) -> int:
    lines = source.splitlines(keepends=True)
    # ast's columns count UTF-8 bytes.
    return sum(len(text) for text in lines[: line - 1]) + len(
        lines[line - 1].encode("utf-8")[:column].decode("utf-8")
    )


def dealt_in_release(folder: str | os.PathLike, student: str | None) -> dict[str, list[str]]:
    """Exercise id to the cards dealt to ``student`` by the notebooks in ``folder``."""
    import nbformat

    dealt = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        sources = {
            cell.metadata.get("nbgrader", {}).get("grade_id", f"cell-{n}"): cell.source
            for n, cell in enumerate(nb.cells)
            if cell.cell_type == "code"
        }
        for exercise, found in find_deals(sources).items():
            dealt[exercise] = found.dealt(student)
    return dealt


def deal_problems(nb) -> list[str]:
    """What stops a source notebook's pooled sorts being graded right; empty when nothing.

    Each deal must be readable, in a locked cell (the grader reads the gradebook's
    copy, and students cannot change it), and the hidden key of its exercise must
    cover exactly the pool, in a graded cell worth one point a dealt card. A group
    named like a category would tell students its cards' answer, and dealing two
    cards or more from a group whose cards all share one answer tells each student
    that those cards go together.
    """
    problems, sources, locked, points, keys = [], {}, set(), {}, {}
    for n, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", f"cell {n + 1}")
        if cell.cell_type != "code":
            continue
        sources[grade_id] = cell.source
        if meta.get("locked") and not meta.get("solution"):
            locked.add(grade_id)
        for scorer, exercise, key in keys_in_cell(cell.source):
            if scorer in SCORERS:
                keys[exercise] = key
                points[exercise] = float(meta.get("points", 0))
    try:
        deals = find_deals(sources)
    except DealError as err:
        return [str(err)]
    for exercise, found in deals.items():
        where = f"{exercise} (dealt in {found.cell})"
        if found.cell not in locked:
            problems.append(f"{where}: deal the cards in a locked, read-only cell")
        scored = keys.get(exercise)
        if scored is None:
            problems.append(f"{where}: no hidden test scores this exercise")
            continue
        pool = {card for card, _ in found.pool}
        if set(scored) != pool:
            lacking = sorted(pool - set(scored))
            extra = sorted(set(scored) - pool)
            if lacking:
                problems.append(f"{where}: the key has no entry for {', '.join(lacking)}")
            if extra:
                problems.append(f"{where}: the key holds {', '.join(extra)}, not in the pool")
        if points[exercise] != found.cards:
            problems.append(
                f"{where}: its test cell is worth {points[exercise]:g} points, but each "
                f"student is dealt {found.cards} cards (one point a card)"
            )
        problems += _group_problems(where, found, scored)
    return problems


def _group_problems(where: str, found: PoolDeal, key: Mapping) -> list[str]:
    first = {card: accepted_answers(entry)[0][0] for card, entry in key.items()}
    named = {answer for entry in key.values() for answer in accepted_answers(entry)[0]}
    problems = []
    counts = group_counts(found.entries(), found.cards, found.per_group)
    members: dict[str, list[str]] = {}
    for card, group in found.pool:
        if group is not None:
            members.setdefault(group, []).append(card)
    for group, cards in sorted(members.items()):
        if group in named:
            problems.append(f"{where}: group {group!r} is named like an answer of the key")
        answers = {first[c] for c in cards if c in first}
        if counts.get(group, 0) >= 2 and len(answers) == 1:
            problems.append(
                f"{where}: every card of group {group!r} has the same answer, and "
                f"{counts[group]} of them are dealt: each student could tell they go together"
            )
    return problems

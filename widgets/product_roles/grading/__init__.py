"""The file contract and scoring: what a hidden test calls, and what the grader judges with.

This layer is the bottom of the package. It imports nothing from the rest of it and
no widget, chart or YAML library, so a hidden test's ``from product_roles.grading
import score_placements`` costs only the standard library and these modules.

- :mod:`.answers`: the answers file a card sort saves and the grader reads.
- :mod:`.scoring`: :func:`judge`, the pure judgement, and :func:`score_placements`,
  how a hidden test names the exercise and its key.
- :mod:`.readiness`: :func:`check_ready_to_submit`, the visible part of a graded test.
- :mod:`.deal`: :func:`deal_cards`, a deal of each student's own from a larger pool.
"""

from product_roles.grading import answers
from product_roles.grading.deal import DealError, deal_cards, learner_id
from product_roles.grading.readiness import check_ready_to_submit
from product_roles.grading.scoring import (
    REVEAL_ENV,
    CardVerdict,
    Verdict,
    accepted_answers,
    judge,
    misfiled_note,
    reveal_from_environment,
    score_placements,
    set_aside_note,
)

__all__ = [
    "REVEAL_ENV",
    "CardVerdict",
    "DealError",
    "Verdict",
    "accepted_answers",
    "answers",
    "check_ready_to_submit",
    "deal_cards",
    "judge",
    "learner_id",
    "misfiled_note",
    "reveal_from_environment",
    "score_placements",
    "set_aside_note",
]

"""The course's nbgrader pipelines: trusted scoring, sandboxed kernels, feedback without keys.

``nbgrader_config.py`` calls :func:`trusted_grading` on its configuration, so plain
``nbgrader autograde`` and ``nbgrader generate_feedback`` run these pipelines exactly
as ``product-roles grade`` and ``product-roles feedback`` do. They are nbgrader's own
default pipelines with these steps put in: :class:`.trusted.ForgetUnknownCells` and
:class:`.trusted.TrustedScoring` while a submission is sanitized, :class:`.sandboxed_execute.SandboxedExecute` in place of
nbgrader's ``Execute``, :class:`.trusted.RecordTrustedScores` after the grades are
saved, and :class:`.trusted.StripHiddenTests` before a feedback page is rendered,
then :class:`.feedback_page.TidyFeedback`, which wraps its long lines.
"""

from __future__ import annotations

# Marks nbgrader's init_assignment once it is wrapped, so that it is wrapped only once.
_CHECKS_SUBMISSIONS = "checks_submissions"


def trusted_grading(c) -> None:
    """Put the trusted, sandboxed pipelines into the nbgrader configuration ``c``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    from product_roles.instructor.feedback_page import TidyFeedback
    from product_roles.instructor.sandboxed_execute import SandboxedExecute
    from product_roles.instructor.trusted import (
        ForgetUnknownCells,
        RecordTrustedScores,
        StripHiddenTests,
        TrustedScoring,
    )

    _check_submissions_before_nbgrader_copies_them()
    # A deleted test cell comes back, so its score is recorded like any other.
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.sanitize_preprocessors = [
        ForgetUnknownCells,
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        OverwriteCells,
        TrustedScoring,
        CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        RecordTrustedScores,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.GenerateFeedback.preprocessors = [
        GetGrades,
        StripHiddenTests,
        CSSHTMLHeaderPreprocessor,
        TidyFeedback,
    ]


def _check_submissions_before_nbgrader_copies_them() -> None:
    """Run :func:`.trusted.check_submission` before nbgrader touches each submission.

    nbgrader copies a submission's files, following links, in ``init_assignment``,
    before any preprocessor runs, and offers no hook that can refuse a submission
    there (its ``pre_convert_hook`` swallows errors). So the check wraps that method;
    its error fails that one submission, as any nbgrader error does, and the class goes on.
    """
    from nbgrader.converters import Autograde

    from product_roles.instructor.trusted import check_submission

    original = Autograde.init_assignment
    if getattr(original, _CHECKS_SUBMISSIONS, False):
        return

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        check_submission(self._format_source(assignment_id, student_id))
        return original(self, assignment_id, student_id)

    setattr(init_assignment, _CHECKS_SUBMISSIONS, True)
    init_assignment.__doc__ = original.__doc__
    Autograde.init_assignment = init_assignment

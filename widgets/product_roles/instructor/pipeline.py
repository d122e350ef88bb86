"""The course's nbgrader pipelines: trusted scoring, sandboxed kernels, feedback without keys.

``nbgrader_config.py`` calls :func:`trusted_grading` on its configuration, so plain
``nbgrader autograde`` and ``nbgrader generate_feedback`` run these pipelines exactly
as ``product-roles grade`` and ``product-roles feedback`` do. They are nbgrader's own
default pipelines with these steps put in: :class:`.trusted.ForgetUnknownCells` and
:class:`.trusted.TrustedScoring` while a submission is sanitized, :class:`.sandboxed_execute.SandboxedExecute` in place of
nbgrader's ``Execute``, :class:`.trusted.RecordTrustedScores` after the grades are
saved, and :class:`.trusted.StripHiddenTests` before a feedback page is rendered.
"""

from __future__ import annotations


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

    from .sandboxed_execute import SandboxedExecute
    from .trusted import ForgetUnknownCells, RecordTrustedScores, StripHiddenTests, TrustedScoring

    # A deleted test cell comes back, so its score is recorded like any other.
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        ForgetUnknownCells,
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
    c.GenerateFeedback.preprocessors = [GetGrades, StripHiddenTests, CSSHTMLHeaderPreprocessor]

"""nbgrader configuration for the course: solutions/ is the source tree, exercises/ the release.

Autograding is trusted and sandboxed for plain `nbgrader autograde` as for
`product-roles grade`: card sorts are scored by the grader's own process from the
answers files as submitted (product_roles.instructor.trusted), and every kernel runs
in the grading sandbox (product_roles.instructor.sandboxed_execute). Feedback pages
never show hidden tests. See docs/instructor-guide.md.
"""

import os

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

from product_roles.instructor.sandboxed_execute import SandboxedExecute
from product_roles.instructor.trusted import RecordTrustedScores, StripHiddenTests, TrustedScoring

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "product-roles"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A card-sort solution is made with the widget, so the release gets a hint, not a
# `raise NotImplementedError()` that would stop a learner's run-all.
c.ClearSolutions.code_stub = {
    "python": "# Sort the cards with the widget above, or from Python, e.g.\n"
    '# sort.place("card-id", "PO")\n'
}

# nbgrader's own pipelines, with the trusted scoring and the sandbox in their places.
# A deleted test cell comes back, so its score is recorded like any other.
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
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
c.GenerateFeedback.preprocessors = [GetGrades, StripHiddenTests, CSSHTMLHeaderPreprocessor]

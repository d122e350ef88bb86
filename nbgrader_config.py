"""nbgrader configuration for the course: solutions/ is the source tree, exercises/ the release.

Autograding is trusted and sandboxed for plain `nbgrader autograde` as for
`product-roles grade`: card sorts are scored by the grader's own process from the
answers files as submitted, every kernel runs in the grading sandbox, and feedback
pages never show hidden tests (product_roles.instructor.pipeline). The sandbox's
limits are set with c.SandboxedExecute.limits; docs/instructor-guide.md explains them.

The exchange, where assignments are released, fetched and submitted, is named here
rather than left at nbgrader's /usr/local/share/nbgrader/exchange:
$PRODUCT_ROLES_EXCHANGE when set (a shared folder, on a hub), else nbgrader-exchange/
in this folder (git-ignored; `product-roles release` makes it). Releasing refuses an
exchange that is missing or not writable, and never changes its mode
(product_roles.instructor.exchange; docs/instructor-guide.md, "The exchange").
"""

from pathlib import Path

from product_roles.instructor.exchange import configure as course_exchange
from product_roles.instructor.pipeline import trusted_grading

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = str(Path(__file__).absolute().parent)
c.CourseDirectory.course_id = "product-roles"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# A card-sort solution is made with the widget, so the release gets a hint, not a
# `raise NotImplementedError()` that would stop a learner's run-all.
c.ClearSolutions.code_stub = {
    "python": "# Sort the cards with the widget above, or from Python with the sort's\n"
    "# place method, as the text above the sort shows.\n"
}

course_exchange(c)
trusted_grading(c)

"""nbgrader configuration for the course: solutions/ is the source tree, exercises/ the release."""

import os

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

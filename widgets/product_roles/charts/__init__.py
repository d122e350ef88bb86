"""The course's charts: plotly figures built from the catalogue and the evidence.

Every function returns a :class:`~product_roles.charts.view.CourseFigure`, an ordinary
plotly figure that shows itself through :class:`~product_roles.charts.view.ChartView`
in the colours of JupyterLab's theme. This layer reads the content layer and plotly;
the widgets that draw a learner's own sort on a chart sit above it, in ``ui``.
"""

from product_roles.charts.figures import (
    holders_by_era,
    merged_role_load,
    metr_perception,
    placement_shift,
    prioritisation_ranks,
    readiness_profile,
    responsibility_map,
    role_shift,
    roles_by_focus,
    scenario_shift,
    scenario_totals,
    sprint_timeboxes,
    study_results,
    team_design,
)
from product_roles.charts.view import CourseFigure, course_figure

__all__ = [
    "CourseFigure",
    "course_figure",
    "holders_by_era",
    "merged_role_load",
    "metr_perception",
    "placement_shift",
    "prioritisation_ranks",
    "readiness_profile",
    "responsibility_map",
    "role_shift",
    "roles_by_focus",
    "scenario_shift",
    "scenario_totals",
    "sprint_timeboxes",
    "study_results",
    "team_design",
]

"""A standalone HTML class report with plotly charts, and a CSV of grades.

Writes ``reports/<assignment>/report.html`` (one file, opens offline: plotly is
embedded) and ``reports/<assignment>/grades.csv``. The report shows the score
distribution; the item analysis (each card's facility, discrimination and wrong
choices, the assignment's reliability, and the cards that discriminate negatively); the
role confusion matrix (expected role against the role students chose) and the most
common misplacements; and a table of students. The charts are in :mod:`.report_charts`,
the tables in :mod:`.report_tables`, the statistics in :mod:`.item_analysis`.

It reads what was graded, never the submissions: the scores from the gradebook, the
placement of each card from the trusted grader's records (:mod:`.class_stats`).
"""

from __future__ import annotations

import csv
import html
import sys
from datetime import datetime, timezone
from pathlib import Path

from product_roles.instructor.class_stats import ClassStats, build, item_analysis, read_gradebook
from product_roles.instructor.course import Course
from product_roles.instructor.item_analysis import ItemAnalysis

HELP = "write a standalone HTML class report with charts, and a CSV of grades"


def add_arguments(parser) -> None:
    parser.add_argument("assignment")
    parser.add_argument("--db", dest="db_url", help="gradebook URL (default: the course's)")
    parser.add_argument("--out", type=Path, help="folder for report.html and grades.csv")


def collect_stats(root: Path, assignment: str, db_url: str | None = None) -> ClassStats:
    """The class statistics of ``assignment`` from the gradebook and the grading records."""
    from product_roles.content.catalogue import load
    from product_roles.instructor.trusted import read_records

    course = Course(root, db_url)
    course_id = course.coursedir.course_id or ""
    grades, keys = read_gradebook(course.gradebook_url, course_id, assignment)
    autograded = course.folder("autograded")
    records = {g.student: read_records(autograded / g.student / assignment) for g in grades}
    roles = [role.id for role in load().roles]
    return build(grades, records, keys, roles, course.submissions(assignment))


def write_csv(stats: ClassStats, path: Path) -> None:
    """One row per student: the graded ones with their scores, then those not graded."""
    cells = sorted({c for g in stats.grades for c in g.cells})
    header = ["student", "status", "score", "max_score", "needs_manual_grade", *cells]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for g in stats.grades:
            row = [
                g.student,
                "graded",
                f"{g.score:g}",
                f"{g.max_score:g}",
                str(g.needs_manual_grade).lower(),
            ]
            writer.writerow(
                row + ["" if g.cells.get(c) is None else f"{g.cells[c]:g}" for c in cells]
            )
        for student in stats.not_graded:
            writer.writerow([student, "not graded"] + [""] * (len(header) - 2))


def figures(stats: ClassStats, analysis: ItemAnalysis, assignment: str) -> dict:
    """The report's charts by section."""
    from product_roles.instructor import report_charts as charts

    return {
        "scores": [charts.distribution(stats, assignment)],
        "items": [charts.facility(analysis), charts.discrimination(analysis)],
        "roles": [charts.confusion(stats), charts.misplacements(stats)],
    }


def write_html(stats: ClassStats, assignment: str, path: Path) -> None:
    from product_roles.instructor.report_tables import SCRIPT, STYLE, item_section, student_section

    analysis = item_analysis(stats)
    charts = {}
    first = True
    for section, drawn in figures(stats, analysis, assignment).items():
        parts = []
        for figure in drawn:
            # The first chart embeds plotly.js, so the file opens with no network.
            parts.append(figure.to_html(full_html=False, include_plotlyjs=first))
            first = False
        charts[section] = "".join(f"<figure>{p}</figure>" for p in parts)
    graded = len(stats.grades)
    mean = sum(g.score for g in stats.grades) / graded if graded else 0
    manual = sum(g.needs_manual_grade for g in stats.grades)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    notes = ""
    if stats.not_graded:
        names = html.escape(", ".join(stats.not_graded))
        notes += (
            f"<p>Not graded, so not counted here ({len(stats.not_graded)}): {names}. "
            "Run <code>product-roles grade</code> for them.</p>"
        )
    if stats.without_cards:
        names = html.escape(", ".join(stats.without_cards))
        notes += (
            f"<p>Counted in the scores but not in the card charts or the item analysis, "
            f"as their card verdicts were not all recorded ({len(stats.without_cards)}): "
            f"{names}.</p>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Class report: {html.escape(assignment)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}}
figure{{margin:1em 0}}{STYLE}</style>
</head><body>
<h1>Class report: {html.escape(assignment)}</h1>
<p>{graded} graded submissions; mean score {mean:.1f}; {manual} still need manual grading.
Generated {stamp}.</p>
{notes}
<section id="scores"><h2>Scores</h2>{charts["scores"]}</section>
<section id="item-analysis"><h2>Item analysis</h2>
<p>One row per card, in the assignment's order; click a heading to sort. <em>Facility</em> is
the share of students who placed the card right. <em>Discrimination</em> is the correlation
between getting the card right and the student's score on the other cards (point-biserial,
rest score): above 0, stronger students get it right more often. <em>Upper &minus; lower</em> is
the share right among the top 27&nbsp;% of students (by score on the other cards) minus
that among the bottom 27&nbsp;%. <em>Wrong choices</em> counts the students who chose each
wrong category. See the instructor guide, <q>Reading the item analysis</q>.</p>
{item_section(analysis)}
{charts["items"]}</section>
<section id="roles"><h2>Roles chosen</h2>{charts["roles"]}</section>
<section id="student-table"><h2>Students</h2>
<p>One row per student, in name order; click a heading to sort. The same figures are in
<code>grades.csv</code>.</p>
{student_section(stats, analysis)}</section>
<script>{SCRIPT}</script>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def run(root: Path, args) -> int:
    stats = collect_stats(root, args.assignment, args.db_url)
    if stats.not_graded:
        print(
            f"Not graded, left out of the report: {', '.join(stats.not_graded)}.", file=sys.stderr
        )
    if not stats.grades:
        print(
            f"No graded submissions of {args.assignment}: run `product-roles grade` first.",
            file=sys.stderr,
        )
        return 1
    out = args.out or root / "reports" / args.assignment
    out.mkdir(parents=True, exist_ok=True)
    write_csv(stats, out / "grades.csv")
    write_html(stats, args.assignment, out / "report.html")
    print(f"Wrote {out / 'report.html'} and {out / 'grades.csv'} ({len(stats.grades)} students).")
    return 0

"""A standalone HTML class report with plotly charts, and a CSV of grades.

Writes ``reports/<assignment>/report.html`` (one file, opens offline: plotly is
embedded) and ``reports/<assignment>/grades.csv``. The report shows the score
distribution, how hard each card was, the role confusion matrix (expected role
against the role students chose) and the most common misplacements.

It reads what was graded, never the submissions: the scores from the gradebook, the
placement of each card from the trusted grader's records (:mod:`.class_stats`).
"""

from __future__ import annotations

import csv
import html
import sys
from datetime import datetime, timezone
from pathlib import Path

from product_roles.instructor.class_stats import ClassStats, build, read_gradebook
from product_roles.instructor.course import Course

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
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for g in stats.grades:
            row = [g.student, "graded", f"{g.score:g}", f"{g.max_score:g}",
                   str(g.needs_manual_grade).lower()]  # fmt: skip
            writer.writerow(
                row + ["" if g.cells.get(c) is None else f"{g.cells[c]:g}" for c in cells]
            )
        for student in stats.not_graded:
            writer.writerow([student, "not graded"] + [""] * (len(header) - 2))


def figures(stats: ClassStats, assignment: str):
    import plotly.graph_objects as go

    scores = [g.score for g in stats.grades]
    top = max((g.max_score for g in stats.grades), default=0)
    distribution = go.Figure(
        go.Histogram(x=scores, xbins={"start": -0.5, "end": top + 0.5, "size": 1})
    )
    distribution.update_layout(
        title=f"Scores on {assignment} ({len(scores)} students, out of {top:g})",
        xaxis_title="Score", yaxis_title="Students", template="plotly_white",
        xaxis_range=[-0.5, top + 0.5], bargap=0.1,
    )  # fmt: skip
    ordered = sorted(stats.cards, key=lambda c: c.share_right)
    difficulty = go.Figure(
        go.Bar(
            x=[round(100 * c.share_right) for c in ordered],
            y=[f"{c.exercise}: {c.card}" for c in ordered],
            orientation="h",
        )
    )
    difficulty.update_layout(
        title="Each card's difficulty: share of students who placed it right",
        xaxis_title="% right", template="plotly_white",
        height=max(400, 22 * len(ordered) + 120), margin={"l": 320},
    )  # fmt: skip
    placed_axis = [*stats.roles, "unplaced"]
    matrix = [[stats.confusion.get((e, p), 0) for p in placed_axis] for e in stats.roles]
    confusion = go.Figure(
        go.Heatmap(z=matrix, x=placed_axis, y=stats.roles, colorscale="Blues", texttemplate="%{z}")
    )
    confusion.update_layout(
        title="Role confusion: the expected role (rows) against the role chosen (columns)",
        xaxis_title="Chosen", yaxis_title="Expected", template="plotly_white",
        yaxis_autorange="reversed",
    )  # fmt: skip
    common = stats.misplacements.most_common(10)[::-1]
    mistakes = go.Figure(
        go.Bar(
            x=[n for _, n in common],
            y=[f"{e}: {c} → {p}" for (e, c, p), n in common],
            orientation="h",
        )
    )
    mistakes.update_layout(
        title="The most common misplacements (card → role chosen)",
        xaxis_title="Students", template="plotly_white", margin={"l": 360},
    )  # fmt: skip
    if not common:
        mistakes.add_annotation(text="No card was misplaced.", showarrow=False, x=0.5, y=0.5,
                                xref="paper", yref="paper")  # fmt: skip
    return [distribution, difficulty, confusion, mistakes]


def write_html(stats: ClassStats, assignment: str, path: Path) -> None:
    parts = []
    for n, figure in enumerate(figures(stats, assignment)):
        # The first chart embeds plotly.js, so the file opens with no network.
        parts.append(figure.to_html(full_html=False, include_plotlyjs=(n == 0)))
    graded = len(stats.grades)
    mean = sum(g.score for g in stats.grades) / graded if graded else 0
    manual = sum(g.needs_manual_grade for g in stats.grades)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    notes = ""
    if stats.not_graded:
        names = html.escape(", ".join(stats.not_graded))
        notes += (f"<p>Not graded, so not counted here ({len(stats.not_graded)}): {names}. "
                  "Run <code>product-roles grade</code> for them.</p>")  # fmt: skip
    if stats.without_cards:
        names = html.escape(", ".join(stats.without_cards))
        notes += (f"<p>Counted in the scores but not in the card charts, as their card "
                  f"verdicts were not recorded ({len(stats.without_cards)}): {names}.</p>")  # fmt: skip
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Class report: {html.escape(assignment)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}}</style>
</head><body>
<h1>Class report: {html.escape(assignment)}</h1>
<p>{graded} graded submissions; mean score {mean:.1f}; {manual} still need manual grading.
Generated {stamp}.</p>
{notes}
{"".join(f"<section>{p}</section>" for p in parts)}
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def run(root: Path, args) -> int:
    stats = collect_stats(root, args.assignment, args.db_url)
    if stats.not_graded:
        print(f"Not graded, left out of the report: {', '.join(stats.not_graded)}.",
              file=sys.stderr)  # fmt: skip
    if not stats.grades:
        print(f"No graded submissions of {args.assignment}: run `product-roles grade` first.",
              file=sys.stderr)  # fmt: skip
        return 1
    out = args.out or root / "reports" / args.assignment
    out.mkdir(parents=True, exist_ok=True)
    write_csv(stats, out / "grades.csv")
    write_html(stats, args.assignment, out / "report.html")
    print(f"Wrote {out / 'report.html'} and {out / 'grades.csv'} ({len(stats.grades)} students).")
    return 0

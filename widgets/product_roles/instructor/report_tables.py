"""The class report's HTML tables: the item analysis and one row per student.

Plain HTML that sorts when a column heading is clicked, with a few lines of script
inside the page (nothing loaded from the network), so a table of five hundred
students stays usable: sort by score, by name, or by what is still to grade. Each
cell carries the value it sorts by; an empty value sorts last either way.
"""

from __future__ import annotations

import html

from product_roles.instructor.class_stats import ClassStats
from product_roles.instructor.item_analysis import ItemAnalysis, ItemStats

FLAG = (
    "Discriminates negatively: stronger students miss it more than weaker ones. "
    "Check the key and the card's wording."
)

STYLE = """
table.sortable{border-collapse:collapse;width:100%;font-size:0.92em}
table.sortable th,table.sortable td{border-bottom:1px solid #ddd;padding:0.3em 0.5em;
  text-align:left;vertical-align:top}
table.sortable td.num{text-align:right;font-variant-numeric:tabular-nums}
table.sortable thead th{position:sticky;top:0;background:#f4f6f9}
table.sortable th button{font:inherit;font-weight:600;background:none;border:0;padding:0;
  cursor:pointer;text-align:left}
table.sortable th[aria-sort=ascending] button::after{content:" \\25B2"}
table.sortable th[aria-sort=descending] button::after{content:" \\25BC"}
#items td:first-child{white-space:nowrap}
tr.flagged td{background:#fdecea}
.scroll{max-height:36em;overflow-y:auto;border:1px solid #ddd}
.flag{color:#a12b1f;font-weight:600}
"""

# Sorts a table's rows by the clicked column, numbers as numbers, names as text;
# the sort is stable, so equal values keep the order they had.
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, column) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = th.dataset.type === "number";
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        if (x === "" || y === "") return (x === "") - (y === "");
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return up ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _number(value: float | None, digits: int = 2, *, why: str = "") -> str:
    if value is None:
        title = f' title="{html.escape(why)}"' if why else ""
        return f'<td class="num" data-sort=""{title}>—</td>'
    return f'<td class="num" data-sort="{value!r}">{value:.{digits}f}</td>'


def _count(value: float | None, text: str | None = None) -> str:
    if value is None:
        return '<td class="num" data-sort=""></td>'
    return f'<td class="num" data-sort="{value!r}">{text or f"{value:g}"}</td>'


def _text(value: str, sort: str | None = None) -> str:
    key = html.escape(value if sort is None else sort)
    return f'<td data-sort="{key}">{html.escape(value)}</td>'


def _header(columns: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<th scope="col" data-type="{kind}"><button type="button">{html.escape(name)}</button></th>'
        for name, kind in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _wrong(item: ItemStats) -> str:
    text = ", ".join(f"{category} {n}" for category, n in item.wrong_choices) or "none"
    most = item.wrong_choices[0][1] if item.wrong_choices else 0
    return f'<td data-sort="{most}">{html.escape(text)}</td>'


def item_section(analysis: ItemAnalysis) -> str:
    """The reliability sentence (KR-20, or alpha from pairwise data), the cards to check, the table."""
    reliability = f'<p id="kr20">{html.escape(analysis.reliability.sentence())}</p>'
    if analysis.flagged:
        names = "".join(
            f"<li><strong>{html.escape(f'{i.exercise}: {i.card}')}</strong> "
            f"(discrimination {i.discrimination:.2f})</li>"
            for i in analysis.flagged
        )
        check = f'<p class="flag">{html.escape(FLAG)}</p><ul id="flagged">{names}</ul>'
    else:
        check = "<p>No card discriminates negatively.</p>"
    columns = [
        ("Card", "text"),
        ("Judged", "number"),
        ("Facility (% right)", "number"),
        ("Discrimination", "number"),
        ("Upper \u2212 lower", "number"),
        ("Wrong choices (students)", "number"),
        ("Check", "text"),
    ]
    rows = []
    for n, item in enumerate(analysis.items):
        facility = None if item.facility is None else 100 * item.facility
        flag = "check the key and the wording" if item.discriminates_negatively else ""
        rows.append(
            f"<tr{' class=flagged' if flag else ''}>"
            + _text(f"{item.exercise}: {item.card}", f"{n:05d}")
            + _count(item.answered)
            + _count(facility, "" if facility is None else f"{facility:.0f}")
            + _number(item.discrimination, why=item.note)
            + _number(item.upper_lower, why=item.note)
            + _wrong(item)
            + f'<td data-sort="{flag}" class="flag">{flag}</td></tr>'
        )
    table = (
        '<div class="scroll"><table class="sortable" id="items">'
        f"{_header(columns)}<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return reliability + check + table


def student_section(stats: ClassStats, analysis: ItemAnalysis) -> str:
    """One row per student, graded or not, in name order."""
    columns = [
        ("Student", "text"),
        ("Status", "text"),
        ("Score", "number"),
        ("Out of", "number"),
        ("%", "number"),
        ("Cards right", "number"),
        ("Cards judged", "number"),
        ("Manual grading to do", "text"),
    ]
    rows = []
    for g in stats.grades:
        right, judged = analysis.totals.get(g.student, (None, None))
        share = 100 * g.score / g.max_score if g.max_score else None
        cells = [
            _text(g.student),
            _text("graded"),
            _count(g.score),
            _count(g.max_score),
            _count(share, "" if share is None else f"{share:.0f}"),
            _count(right),
            _count(judged),
            _text("yes" if g.needs_manual_grade else "no"),
        ]
        rows.append((g.student, cells))
    for student in stats.not_graded:
        cells = [_text(student), _text("not graded"), *[_count(None)] * 5, _text("")]
        rows.append((student, cells))
    body = "".join(f"<tr>{''.join(cells)}</tr>" for _, cells in sorted(rows))
    return (
        '<div class="scroll"><table class="sortable" id="students">'
        f"{_header(columns)}<tbody>{body}</tbody></table></div>"
    )

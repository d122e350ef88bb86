"""`product-roles export`: the gradebook's grades in the layouts Canvas and Moodle import.

A class of ten simulated students is graded once by the real nbgrader pipeline, on two
assignments; the roster maps nine of them to LMS accounts and adds one student who
never submitted. Each case a file must handle has its student: one missing from the
roster, one without e-mail, one with nothing but e-mail, several who skipped an
assignment, two with manual grading to do (a class of over 30 goes through the same
export in test_deal_roundtrip). Each file is checked against the importer's layout (header row,
Canvas's Points Possible row, numeric cells, ids mapped through the roster) and every
number against the gradebook. The roster's checks run without nbgrader.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, nbgrader, product_roles_cli
from grading_course import keys_of, scratch_course
from product_roles import cli
from product_roles.instructor.lms_files import number
from product_roles.instructor.roster import RosterError, read_roster
from product_roles.instructor.simulate import random_placements, submit

ASSIGNMENTS = ["design-a-team", "traditional-divide"]  # the gradebook's order: by name
SUBMITTERS = [f"student{n:02d}" for n in range(10)]
NOT_IN_ROSTER = SUBMITTERS[-1]
NEVER_SUBMITTED = "late-lee"
NO_EMAIL = "student07"  # cannot be named in a Moodle file keyed on e-mail
EMAIL_ONLY = "student08"  # has nothing Canvas matches on
SKIPPED_TEAM = SUBMITTERS[2:7]  # in the roster, no submission of design-a-team
SKIPPED_IN_CANVAS = "student05"  # one of them, in canvas.csv
MARKED_BY_HAND = ["student00", "student01"]  # wrote the manually graded recommendation
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
NUMBER = re.compile(r"^\d+(\.\d{1,2})?$")


def roster_rows():
    rows = []
    for n, student in enumerate([*SUBMITTERS[:-1], NEVER_SUBMITTED]):
        rows.append(
            {
                "nbgrader_id": student,
                "name": f"Surname{n:02d}, Given",  # a comma, as Canvas's "Last, First" names have
                "lms_id": "" if student == EMAIL_ONLY else str(5000 + n),
                "sis_id": "" if student == EMAIL_ONLY else f"S{n:04d}",
                "login": "" if student == EMAIL_ONLY else f"login{n:02d}",
                "email": "" if student == NO_EMAIL else f"{student}@example.edu",
                "section": "Section A" if n % 2 else "Section B",
            }
        )
    return rows


def write_recommendation(folder):
    path = folder / "design-a-team.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata["nbgrader"].get("grade_id") == "recommendation")
    cell.source = "Keep an accountable acceptor for the backlog and review the plan in a quarter."
    nbformat.write(nb, path)


def placements(assignment, rng):
    """Random answers of varied skill, each sort drawing wrong roles from its own roles."""
    skill, chosen = rng.random(), {}
    for key in keys_of(assignment):
        chosen.update(random_placements([key], rng, skill))
    return chosen


def export(*args, cwd):
    return product_roles_cli("export", *args, cwd=cwd)


def read_csv(path):
    with Path(path).open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("export"), ASSIGNMENTS)
    rng = random.Random(2026)
    for student in SUBMITTERS:
        for assignment in ASSIGNMENTS:
            if assignment == "design-a-team" and student in SKIPPED_TEAM:
                continue
            edit = (
                write_recommendation
                if assignment == "design-a-team" and student in MARKED_BY_HAND
                else None
            )
            release = course / "exercises" / assignment
            submit(release, course / "submitted", student, placements(assignment, rng), edit)
    # One autograde run for both assignments: nbgrader reads the id as a glob.
    nbgrader("autograde", "*", cwd=course)
    with (course / "roster.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(roster_rows()[0]))
        writer.writeheader()
        writer.writerows(roster_rows())
    done = export(cwd=course)
    return course, done


@pytest.fixture(scope="module")
def gradebook(graded):
    """(student, assignment) -> (score, max_score, needs_manual_grade), read straight from nbgrader."""
    from nbgrader.api import Gradebook

    course, _ = graded
    result = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "product-roles") as gb:
        points = {a: gb.find_assignment(a).max_score for a in ASSIGNMENTS}
        for assignment in ASSIGNMENTS:
            for sub in gb.assignment_submissions(assignment):
                result[(sub.student.id, assignment)] = (
                    sub.score,
                    sub.max_score,
                    sub.needs_manual_grade,
                )
    return result, points


def notebook_points(assignment):
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return float(sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells))


def expected_cell(scores, student, assignment):
    found = scores.get((student, assignment))
    return "" if found is None else number(found[0])


@pytest.mark.slow
def test_the_class_is_graded_with_a_spread_of_scores(gradebook):
    scores, points = gradebook
    assert len(scores) == 2 * len(SUBMITTERS) - len(SKIPPED_TEAM)
    assert points == {a: notebook_points(a) for a in ASSIGNMENTS}
    divide = {scores[(s, "traditional-divide")][0] for s in SUBMITTERS}
    assert len(divide) >= 5, "random skills give varied scores, so a mapping slip shows"
    assert {s for (s, a), v in scores.items() if v[2]} == set(MARKED_BY_HAND)


@pytest.mark.slow
def test_canvas_file_has_the_gradebook_import_layout(graded, gradebook):
    course, _ = graded
    scores, points = gradebook
    rows = read_csv(course / "exports" / "all" / "canvas.csv")
    header, possible, students = rows[0], rows[1], rows[2:]
    assert header == [*CANVAS_HEADER, *ASSIGNMENTS]
    # What Canvas's importer checks: "Student" first, "ID" second, and, with both SIS
    # columns present, "Section" as the last of five student columns.
    assert "Student" in header[0]
    assert "ID" in header[1]
    assert "Section" in header[4]
    assert possible == [
        "Points Possible",
        "",
        "",
        "",
        "",
        *(number(points[a]) for a in ASSIGNMENTS),
    ]
    roster = {r["lms_id"]: r for r in roster_rows() if r["lms_id"]}
    assert len(students) == len(roster_rows()) - 1
    assert EMAIL_ONLY not in {r["nbgrader_id"] for r in roster.values()}
    for row in students:
        assert len(row) == len(header)
        entry = roster[row[1]]
        assert row[:5] == [
            entry["name"],
            entry["lms_id"],
            entry["sis_id"],
            entry["login"],
            entry["section"],
        ]
        for assignment, cell in zip(ASSIGNMENTS, row[5:], strict=True):
            assert cell == "" or NUMBER.match(cell), cell
            assert cell == expected_cell(scores, entry["nbgrader_id"], assignment)
    by_id = {roster[r[1]]["nbgrader_id"]: r for r in students}
    assert by_id[NEVER_SUBMITTED][5:] == ["", ""]
    assert SKIPPED_IN_CANVAS in SKIPPED_TEAM
    assert by_id[SKIPPED_IN_CANVAS][5] == ""
    assert by_id[SKIPPED_IN_CANVAS][6] != ""
    assert NOT_IN_ROSTER not in {r[0] for r in students}


@pytest.mark.slow
def test_moodle_file_is_keyed_on_one_user_field(graded, gradebook):
    course, _ = graded
    scores, _ = gradebook
    rows = read_csv(course / "exports" / "all" / "moodle.csv")
    assert rows[0] == ["email", *ASSIGNMENTS]
    by_email = {r["email"]: r["nbgrader_id"] for r in roster_rows() if r["email"]}
    assert len(rows) - 1 == len(by_email) == len(roster_rows()) - 1
    for row in rows[1:]:
        assert row[0] in by_email, (
            "every row names a roster account: Moodle stops at an unknown one"
        )
        for assignment, cell in zip(ASSIGNMENTS, row[1:], strict=True):
            assert cell == "" or NUMBER.match(cell), cell
            assert cell == expected_cell(scores, by_email[row[0]], assignment)
    assert sorted(r[0] for r in rows[1:]) == sorted(by_email)


@pytest.mark.slow
def test_plain_file_has_every_student_and_assignment(graded, gradebook):
    course, _ = graded
    scores, points = gradebook
    with (course / "exports" / "all" / "grades.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = {(s, a) for s in [*SUBMITTERS, NEVER_SUBMITTED] for a in ASSIGNMENTS}
    assert {(r["nbgrader_id"], r["assignment"]) for r in rows} == expected
    assert len(rows) == len(expected)
    roster = {r["nbgrader_id"]: r for r in roster_rows()}
    for row in rows:
        key = (row["nbgrader_id"], row["assignment"])
        assert row["in_roster"] == str(row["nbgrader_id"] in roster).lower()
        assert row["submitted"] == str(key in scores).lower()
        assert row["score"] == expected_cell(scores, *key)
        assert float(row["max_score"]) == points[row["assignment"]]
        assert row["needs_manual_grade"] == str(key in scores and scores[key][2]).lower()
        if row["nbgrader_id"] in roster:
            assert row["email"] == roster[row["nbgrader_id"]]["email"]
            assert row["lms_id"] == roster[row["nbgrader_id"]]["lms_id"]


def listed(text, heading):
    """The students listed under the line that starts with ``heading``: the indented lines."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(heading))
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        found += [s.strip() for s in line.split(",") if s.strip()]
    return set(found)


@pytest.mark.slow
def test_unknown_and_missing_students_are_listed_never_dropped(graded):
    course, done = graded
    assert done.returncode == 1, "a graded student is missing from the roster"
    summary = (course / "exports" / "all" / "summary.txt").read_text()
    for text in (done.stderr, summary):
        assert "1 student in the gradebook but not in roster.csv" in text
        assert f"{NOT_IN_ROSTER} (design-a-team, traditional-divide)" in text
        assert (
            f"1 student in the roster with no submission of traditional-divide (an empty cell):\n  {NEVER_SUBMITTED}\n"
            in text
        )
        skipped = len(SKIPPED_TEAM) + 1
        team = listed(text, f"{skipped} students in the roster with no submission of design-a-team")
        assert team == {*SKIPPED_TEAM, NEVER_SUBMITTED}
        assert f"left out of canvas.csv: no lms_id, sis_id or login:\n  {EMAIL_ONLY}\n" in text
        assert f"left out of moodle.csv: no email (--moodle-id email):\n  {NO_EMAIL}\n" in text
        assert "2 students with manual grading still to do on design-a-team" in text
        assert ", ".join(MARKED_BY_HAND) in text
    assert "Wrote " in done.stdout
    assert f"canvas.csv ({len(roster_rows()) - 1} students)" in done.stdout


@pytest.mark.slow
def test_one_assignment_zero_for_missing_and_lms_titles(graded, gradebook, capsys):
    course, _ = graded
    scores, _ = gradebook
    title = "Traditional divide (4521)"  # Canvas matches "Title (assignment id)" to its id
    status = cli.main(
        [
            "--course",
            str(course),
            "export",
            "traditional-divide",
            "--missing",
            "zero",
            "--lms-name",
            f"traditional-divide={title}",
            "--moodle-id",
            "idnumber",
        ]
    )
    assert status == 1
    out = course / "exports" / "traditional-divide"
    canvas = read_csv(out / "canvas.csv")
    assert canvas[0] == [*CANVAS_HEADER, title]
    moodle = read_csv(out / "moodle.csv")
    assert moodle[0] == ["idnumber", title]
    by_sis = {r["sis_id"]: r["nbgrader_id"] for r in roster_rows() if r["sis_id"]}
    cells = {by_sis[row[0]]: row[1] for row in moodle[1:]}
    assert cells[NEVER_SUBMITTED] == "0"
    assert cells["student03"] == number(scores[("student03", "traditional-divide")][0])
    assert NO_EMAIL in cells
    assert EMAIL_ONLY not in cells
    assert "(0):" in capsys.readouterr().err


@pytest.mark.slow
def test_an_assignment_not_in_the_gradebook_is_refused(graded, capsys):
    course, _ = graded
    status = cli.main(["--course", str(course), "export", "no-such-thing"])
    assert status == 2
    err = capsys.readouterr().err
    assert "no assignment 'no-such-thing' in the gradebook" in err
    assert "traditional-divide" in err


# The roster's checks: no nbgrader needed.


def write(tmp_path, text, name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def refused(path):
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    return str(caught.value)


def test_roster_reads_any_column_order_case_bom_and_blank_lines(tmp_path):
    path = write(
        tmp_path,
        "\ufeffEmail,NBGRADER_ID,Name,notes\r\n"
        'a@x.edu,ana,"Doe, Ana",first\r\n\r\n'
        "b@x.edu,ben,Ben,\r\n,,,\r\n",
    )
    roster = read_roster(path)
    assert list(roster.students) == ["ana", "ben"]
    assert roster.get("ana").name == "Doe, Ana"
    assert roster.get("ana").email == "a@x.edu"
    assert roster.get("ben").line == 4
    assert roster.ignored_columns == ("notes",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,name\na@x.edu,Ana\n", "line 1: no 'nbgrader_id' column"),
        ("nbgrader_id,name\nana,Ana\n", "line 1: no LMS identifier column"),
        ("nbgrader_id,email,Email\n", "line 1: the column 'email' appears twice"),
        (
            "nbgrader_id,email\nana,a@x.edu\nben,b@x.edu\nana,c@x.edu\n",
            "line 4: nbgrader_id 'ana' is already on line 2",
        ),
        (
            "nbgrader_id,email\nana,Ana@X.edu\nben,ana@x.edu\n",
            "line 3: email 'ana@x.edu' is already on line 2",
        ),
        ("nbgrader_id,lms_id\nana,17\nben,17\n", "line 3: lms_id '17' is already on line 2"),
        ("nbgrader_id,email\nana,a@x.edu\n,b@x.edu\n", "line 3: no nbgrader_id"),
        ("nbgrader_id,email,sis_id\nana,,\n", "line 2: ana has no LMS identifier"),
        ("nbgrader_id,email\nana,a@x.edu,extra\n", "line 2: 3 fields for 2 columns"),
        # A quoted value over two lines: the next record starts on line 4.
        (
            'nbgrader_id,email,name\nana,a@x.edu,"Ana\nDoe"\nana,b@x.edu,Ana\n',
            "line 4: nbgrader_id 'ana' is already on line 2",
        ),
        ('nbgrader_id,email\nana,"a@x.edu\n', "not valid CSV"),
        ("", "the file is empty"),
        (b"nbgrader_id,email\nan\xe9,a@x.edu\n", "not UTF-8 text"),
    ],
)
def test_roster_refuses_bad_input_naming_the_line(tmp_path, text, message):
    path = write(tmp_path, text)
    error = refused(path)
    assert str(path) in error, error
    assert message in error, error


def test_roster_that_cannot_be_read_is_named(tmp_path):
    assert "no such file" in refused(tmp_path / "absent.csv")
    (tmp_path / "folder.csv").mkdir()
    assert "cannot be read" in refused(tmp_path / "folder.csv")


def test_export_stops_on_a_bad_roster_before_reading_the_gradebook(tmp_path, capsys):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    bad = write(tmp_path, "nbgrader_id,email\nana,a@x.edu\nana,b@x.edu\n")
    assert cli.main(["--course", str(tmp_path), "export", "--roster", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("product-roles export: ")
    assert "line 3" in err
    assert not (tmp_path / "gradebook.db").exists()
    assert not (tmp_path / "exports").exists()


@pytest.mark.parametrize(
    ("value", "text"), [(16.0, "16"), (12.5, "12.5"), (0.0, "0"), (1 / 3, "0.33"), (2500.0, "2500")]
)
def test_numbers_are_plain_decimals(value, text):
    assert number(value) == text

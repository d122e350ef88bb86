"""Takes docs/images/report.png: the class report of a simulated class, in Chromium.

A class of 40 on ``ai-era-shift`` is graded without nbgrader (the gradebook rows and
the grader's own records, :mod:`product_roles.instructor.simulate_graded`), with
skill varying from student to student. On one card the strongest students all choose
the same wrong role, so the report flags it as discriminating negatively, as it
would a card with a flawed key. The report is written by ``product-roles report``
and its item analysis photographed, from the heading to the end of the item table.

Run from the repository root, with Debian's Chromium and the test extra installed:

    PATH=.venv/bin:$PATH .venv/bin/python docs/images/report_screenshot.py
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

from product_roles.instructor import report_command
from product_roles.instructor.keys import load_keys
from product_roles.instructor.simulate import random_placements
from product_roles.instructor.simulate_graded import graded_class

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "ai-era-shift"
TRAP = ("ai-era-shift-after", "sms-code")  # the card the strongest students misplace
CHROMIUM = "/usr/bin/chromium"
BOX = "e => e.getBoundingClientRect()"


def simulated_class(root: Path, students: int = 40, seed: int = 11) -> None:
    source = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    cells = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nbformat.read(source, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("grade") and "BEGIN HIDDEN" in cell.source
    }
    keys = [k for k in load_keys(ROOT / "solutions") if k.assignment == ASSIGNMENT]
    trap_key = next(k for k in keys if k.exercise == TRAP[0]).answers[TRAP[1]]
    wrong = next(role for role in ("PM", "PO", "ENG", "TEAM") if role not in trap_key)
    rng = random.Random(seed)
    placements = {}
    for n in range(students):
        skill = rng.betavariate(3, 2)
        chosen = random_placements(keys, rng, skill)
        if skill > 0.6:
            chosen[TRAP[0]][TRAP[1]] = wrong
        placements[f"student{n:02d}"] = chosen
    graded_class(root, ASSIGNMENT, cells, placements, submitted_only=("student40",))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "report.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        simulated_class(course)
        report_args = argparse.Namespace(assignment=ASSIGNMENT, db_url=None, out=None)
        report_command.run(course, report_args)
        page_file = course / "reports" / ASSIGNMENT / "report.html"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1150, "height": 900})
            page.goto(page_file.as_uri())
            page.wait_for_selector("#scores .plotly .main-svg")
            top = page.eval_on_selector("#item-analysis", BOX + ".top")
            bottom = page.eval_on_selector(
                "#items", "t => t.closest('.scroll').getBoundingClientRect().bottom"
            )
            clip = {"x": 0, "y": top - 8, "width": 1150, "height": bottom - top + 24}
            page.screenshot(path=str(args.out), clip=clip, full_page=True)
            browser.close()
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()

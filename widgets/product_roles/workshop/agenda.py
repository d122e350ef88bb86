"""The workshop agendas, derived from the notebooks' own times.

The plan (``workshop/agendas.yaml``) says which modules run in the room, in what order,
with how much discussion, and what goes home; every module's minutes come from its
notebook's ``**Time**: N minutes teaching, M minutes exercises`` line, and each room
sort's from ``workshop/room-sort.ipynb``. The tables in docs/facilitator-guide.md sit
between ``<!-- agenda:NAME -->`` markers and are written by::

    workshop/agenda --write     # or --check, which fails when the guide is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from product_roles.content.loader import ContentError, read_yaml

MODULE_TIME = re.compile(r"\*\*Time\*\*: (\d+) minutes teaching, (\d+) minutes exercises")
SORT_TIME = re.compile(r"\*\*Time\*\*: (\d+) minutes for each sort")
TITLE = re.compile(r"^# (\d+)\. (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Module:
    number: int
    title: str
    teaching: int
    exercises: int

    @property
    def minutes(self) -> int:
        return self.teaching + self.exercises


@dataclass(frozen=True)
class Row:
    start: int
    length: int
    what: str
    notes: str


def modules(course: Path) -> dict[int, Module]:
    """Every course notebook's number, title and stated minutes."""
    found = {}
    for path in sorted(course.glob("[0-9][0-9]-*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source
        title, time = TITLE.search(first), MODULE_TIME.search(first)
        if not (title and time):
            raise ContentError(f"{path.name}: no '# N. Title' or '**Time**' line in its first cell")
        number = int(title.group(1))
        found[number] = Module(number, title.group(2).strip(), *map(int, time.groups()))
    return found


def sort_minutes(room_sort: Path) -> int:
    """Minutes the room sort notebook gives each of its two sorts."""
    text = "\n".join(c.source for c in nbformat.read(room_sort, as_version=4).cells)
    found = SORT_TIME.search(text)
    if not found:
        raise ContentError(f"{room_sort.name}: no '**Time**: N minutes for each sort' line")
    return int(found.group(1))


def rows(plan: dict, course: dict[int, Module], sort: int) -> list[Row]:
    """The agenda's rows with start times, from the plan and the notebooks' minutes."""
    clock = _minutes(plan["clock"])
    table = []
    for item in plan["items"]:
        notes = item.get("notes", "")
        extra = int(item.get("discussion", 0))
        if "module" in item:
            module = course[item["module"]]
            length, what = module.minutes + extra, f"{module.number} {module.title}"
            if extra:
                notes = _join(f"{module.minutes} min notebook + {extra} min discussion", notes)
        elif "room-sort" in item:
            part = item["room-sort"]
            length = sort + extra
            what = f"**Room sort, part {part}** ({'before AI' if part == 1 else 'with AI'})"
            notes = _join(f"{sort} min sorting + {extra} min discussion", notes)
        else:
            (kind,) = [k for k in ("break", "lunch", "close") if k in item]
            length, what = int(item[kind]), kind
        table.append(Row(clock, length, what, notes))
        clock += length
    return table


def check_plan(plans: dict, course: dict[int, Module], sort: int) -> None:
    """Each agenda covers every module once, in the room or as homework, within its limit."""
    for name, plan in plans.items():
        placed = [item["module"] for item in plan["items"] if "module" in item]
        placed += plan.get("homework", {}).get("modules", [])
        if sorted(placed) != sorted(course):
            raise ContentError(f"{name}: modules {sorted(placed)} are not each course module once")
        limit = plan.get("limit")
        total = sum(row.length for row in rows(plan, course, sort))
        if limit and total > limit:
            raise ContentError(f"{name}: {total} minutes do not fit in {limit}")


def markdown(plan: dict, course: dict[int, Module], sort: int) -> str:
    """The agenda as the facilitator guide's table, and its homework line."""
    table = rows(plan, course, sort)
    lines = ["| start | length | what | notes |", "|---|---|---|---|"]
    lines += [
        f"| {_clock(r.start)} | {r.length} min | {r.what} | {r.notes} |".replace("  ", " ")
        for r in table
    ]
    end = table[-1].start + table[-1].length
    teaching = sum(r.length for r in table if r.what not in ("break", "lunch"))
    lines += ["", f"Ends at {_clock(end)}: {teaching} minutes of teaching and discussion."]
    homework = plan.get("homework")
    if homework:
        names = ", ".join(
            f"{n} {course[n].title} ({course[n].minutes} min)" for n in homework["modules"]
        )
        lines += ["", f"**Homework**: {names}. {homework.get('notes', '')}".rstrip()]
    return "\n".join(lines)


def render_guide(guide: str, plans: dict, course: dict[int, Module], sort: int) -> str:
    """The guide's text with every ``<!-- agenda:NAME -->`` block written afresh."""
    for name, plan in plans.items():
        pattern = re.compile(
            rf"(<!-- agenda:{re.escape(name)} -->\n).*?(<!-- /agenda:{re.escape(name)} -->)",
            re.DOTALL,
        )
        if not pattern.search(guide):
            raise ContentError(f"the guide has no <!-- agenda:{name} --> block")
        table = markdown(plan, course, sort)
        guide = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), guide)
    return guide


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def main(argv: list[str] | None = None) -> int:
    """Command line: check or rewrite the agendas in the facilitator guide."""
    parser = argparse.ArgumentParser(prog="workshop/agenda", description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the repository")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the guide's tables")
    action.add_argument("--check", action="store_true", help="fail when the guide is stale")
    args = parser.parse_args(argv)
    root = Path(args.root)
    course = modules(root / "course")
    sort = sort_minutes(root / "workshop" / "room-sort.ipynb")
    plans = read_yaml(root / "workshop" / "agendas.yaml", "agendas")
    check_plan(plans, course, sort)
    guide_path = root / "docs" / "facilitator-guide.md"
    guide = guide_path.read_text(encoding="utf-8")
    fresh = render_guide(guide, plans, course, sort)
    if args.write:
        guide_path.write_text(fresh, encoding="utf-8")
        print(f"agenda: {guide_path} written")
    elif fresh != guide:
        print(f"agenda: {guide_path} is out of date: run workshop/agenda --write", file=sys.stderr)
        return 1
    else:
        for plan in plans.values():
            print(f"{plan['title']}\n\n{markdown(plan, course, sort)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``product-roles``: the instructor's commands for the course's graded assignments.

Run ``product-roles --help`` (or ``product-roles COMMAND --help``) from the course
folder, the one holding ``nbgrader_config.py``. See docs/instructor-guide.md.
"""

from __future__ import annotations

import argparse
import sys

from product_roles.instructor import (
    export_command,
    feedback_command,
    grade_command,
    release_command,
    report_command,
)

COMMANDS = {
    "release": release_command,
    "grade": grade_command,
    "feedback": feedback_command,
    "report": report_command,
    "export": export_command,
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="product-roles",
        description=(
            "Release, grade, give feedback on, report on and export the course's assignments."
        ),
    )
    top.add_argument("--course", default=None, help="the course folder (default: found from here)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(command)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from product_roles.instructor.course import CourseError, find_root

    try:
        root = find_root(args.course)
        return int(COMMANDS[args.command].run(root, args) or 0)
    except CourseError as err:
        print(f"product-roles {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

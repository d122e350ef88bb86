"""Collect and autograde a whole class in parallel, with progress, one line per submission.

Submissions are collected from the exchange first (as ``nbgrader collect`` does)
unless ``--no-collect`` is given, then every submission in ``submitted/`` is graded
by isolated workers. The grades go to the gradebook; a JSON record of every result,
with the reason for each submission that could not be graded and the kernels
that ran it (``fork``, or ``standard (why)``), is kept in
``reports/<assignment>/grading.json`` (``--student`` updates those students' results
in it). Progress is a bar on a terminal, a line per submission otherwise; warnings
and anything else written to stderr while grading go to
``reports/<assignment>/grading.log``.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from product_roles.instructor import grading_record
from product_roles.instructor.parallel import grade_class
from product_roles.instructor.progress import ClassProgress, stderr_to
from product_roles.instructor.sandbox.limits import Limits

HELP = "collect and autograde every submission, in parallel"


def add_arguments(parser) -> None:
    parser.add_argument("assignment")
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: 2 per core)"
    )
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    parser.add_argument(
        "--db", dest="db_url", help="gradebook URL (default: the course's SQLite file)"
    )
    parser.add_argument("--timeout", type=int, default=None, help="seconds a cell may run")
    parser.add_argument("--student", action="append", help="grade only these students")
    parser.add_argument(
        "--no-collect", action="store_true", help="skip collecting from the exchange"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    parser.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        help="run student code WITHOUT the sandbox, with your rights (see the instructor guide)",
    )
    parser.add_argument(
        "--no-fork",
        dest="fork",
        action="store_false",
        help="start every kernel as jupyter_client does, without the fork server "
        "(slower; the sandbox needs the fork server, so this needs --no-sandbox)",
    )
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"change a sandbox limit ({', '.join(Limits.names())}); repeatable",
    )
    reveal = parser.add_mutually_exclusive_group()
    reveal.add_argument(
        "--reveal-key",
        dest="reveal",
        action="store_true",
        default=None,
        help="feedback names the expected role of a wrong card (the default)",
    )
    reveal.add_argument(
        "--hide-key",
        dest="reveal",
        action="store_false",
        help="feedback says right or wrong but never the expected role",
    )


def collect(root, assignment) -> None:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.utils import capture_log, temp_attrs

    from product_roles.instructor.course import load_config
    from product_roles.instructor.exchange_collect import REFUSED

    config = load_config(root)
    if "root" in config.Exchange and not Path(config.Exchange.root).is_dir():
        print(f"Nothing collected: there is no exchange at {config.Exchange.root}.")
        return
    api = NbGraderAPI(config=config)
    # As api.collect does, keeping the collector to read what it refused: the course's
    # own collector (exchange_collect), or whichever the configuration names.
    with temp_attrs(api.coursedir, assignment_id=assignment):
        collector = api.exchange.Collect(
            coursedir=api.coursedir, authenticator=api.authenticator, parent=api
        )
        collector.update = True
        outcome = capture_log(collector)
    # Each folder refused, and why (a link, another student's name, an unreadable
    # name, ...): the rest of the class was collected.
    for folder, why in getattr(collector, "refused", []):
        print(f"{REFUSED} {folder}: {why}")
    if not outcome.get("success"):
        # Nothing released through an exchange (submissions copied by hand) is fine.
        print(f"Nothing collected from the exchange: {outcome.get('error', '').strip()[-200:]}")


def parse_limits(items: list[str]) -> dict[str, int]:
    """``["memory_mb=512", ...]`` as limits, or ``ValueError`` naming what is wrong."""
    limits = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in Limits.names() or not value.isdigit():
            raise ValueError(
                f"--limit {item!r}: use NAME=WHOLE_NUMBER with NAME one of {', '.join(Limits.names())}"
            )
        limits[name] = int(value)
    Limits(**limits)
    return limits


def sandbox_or_refuse(args) -> str | None:
    """Check the sandbox before any student code runs; the refusal's text when there is none."""
    if not args.sandbox:
        from product_roles.instructor.sandboxed_execute import NO_SANDBOX_WARNING

        print(f"WARNING: {NO_SANDBOX_WARNING}", file=sys.stderr)
        return None
    from product_roles.instructor.sandbox import SandboxUnavailable, check

    try:
        print(check())
    except SandboxUnavailable as err:
        from product_roles.instructor.kernels import fork_unavailable

        fix = "Pass" if fork_unavailable() else "Install bubblewrap, or pass"
        return (
            f"Grading refused: this machine cannot sandbox student code ({err}). Nothing was "
            f"graded. {fix} --no-sandbox to grade without it (student code then runs with "
            "your rights)."
        )
    return None


NO_FORK_NEEDS_NO_SANDBOX = (
    "--no-fork needs --no-sandbox: the sandbox confines kernels started by the kernel "
    "fork server. Nothing was graded. Grade without --no-fork to keep the sandbox, or add "
    "--no-sandbox to run student code without it, with your rights."
)


def kernels_summary(results: list[dict]) -> str:
    """``fork for 118, standard (why) for 2``: which kernels ran how many submissions."""
    counts = Counter(r.get("kernels") for r in results if r.get("kernels"))
    return ", ".join(f"{kernels} for {n}" for kernels, n in counts.most_common()) or "none ran"


def run(root, args) -> int:
    try:
        limits = parse_limits(args.limit)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if not args.fork and args.sandbox:
        print(NO_FORK_NEEDS_NO_SANDBOX, file=sys.stderr)
        return 2
    if args.engine == "local":
        refusal = sandbox_or_refuse(args)
        if refusal:
            print(refusal, file=sys.stderr)
            return 3
    out = root / "reports" / args.assignment
    progress = ClassProgress(sys.stdout, quiet=args.quiet)
    title = f"product-roles grade {args.assignment}" + "".join(
        f" --student {s}" for s in args.student or []
    )
    with stderr_to(out / "grading.log", title) as log:
        if not args.no_collect and args.student is None:
            try:
                collect(root, args.assignment)
            except Exception as err:  # noqa: BLE001 - grading what is already submitted still helps
                print(f"Collecting failed ({err}); grading what is in submitted/.")
        started = time.perf_counter()
        results = grade_class(
            root,
            args.assignment,
            args.student,
            workers=args.workers,
            engine=args.engine,
            scheduler=args.scheduler,
            db_url=args.db_url,
            timeout=args.timeout,
            reveal=args.reveal,
            sandbox=args.sandbox,
            fork=args.fork,
            limits=limits,
            progress=progress,
        )
        elapsed = time.perf_counter() - started
        progress.finish()
    failed = [r for r in results if r["status"] != "graded"]
    record = grading_record.record_path(root, args.assignment)
    grading_record.write(record, results, whole_class=args.student is None)
    # The workers that did grade, not the pool's size: a class of one needs one.
    used = len({r["worker"] for r in results})
    workers = (
        f"{used} worker{'' if used == 1 else 's'}"
        if args.engine == "local"
        else f"Dask at {args.scheduler}"
    )
    print(
        f"Graded {len(results) - len(failed)} of {len(results)} submissions of "
        f"{args.assignment} in {elapsed:.1f} s ({workers}); "
        f"{len(failed)} could not be graded"
        + (f" ({', '.join(r['student'] for r in failed)})" if failed else "")
        + f". Kernels: {kernels_summary(results)}. Details: {record}"
    )
    warned = f"{log.warnings} warnings" if log.warnings else "no warnings"
    print(f"Messages from nbgrader and the kernels ({warned}): {log.path}")
    if not results:
        print(f"No submissions of {args.assignment} in submitted/.", file=sys.stderr)
        return 1
    return 0

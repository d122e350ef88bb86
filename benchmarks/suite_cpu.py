"""Where the test suite's CPU goes: every process it starts, summed by kind.

The suite is CPU-bound on two cores, so its time follows from its CPU. This runs the
test command (``scripts/test``, extra arguments passed on) while it reads every
process's CPU time from ``/proc`` three times a second, and prints the CPU of each
kind of process (Chromium, nbgrader commands, kernels, grading workers, servers...),
the machine's whole busy CPU over the run (``/proc/stat``), and the wall time.

A process that lives less than a sampling interval is missed, so the kinds add up to
a little less than the machine's figure; processes that were running before the
suite started count only what they spent during it.

    .venv/bin/python benchmarks/suite_cpu.py
    .venv/bin/python benchmarks/suite_cpu.py tests/instructor   # a part of the suite
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
# (kind, what its command line or name holds), the first match wins.
KINDS = (
    ("Chromium", ("chromium",)),
    ("PostgreSQL", ("postgres",)),
    ("node (proxy, tsc)", ("node",)),
    ("kernels, standard", ("ipykernel_launcher", "ipykernel ")),
    ("kernels, fork server", ("zygote",)),
    ("grading workers", ("multiprocessing",)),
    ("JupyterHub single-user servers", ("singleuser",)),
    ("JupyterHub", ("jupyterhub",)),
    ("Voila", ("voila",)),
    ("JupyterLab servers", ("jupyter-lab", "jupyter lab", "jupyterlab", "jupyter_server")),
    ("alembic (nbgrader's new gradebooks)", ("alembic",)),
    ("nbgrader commands", ("nbgrader",)),
    ("product-roles commands", ("product-roles", "product_roles")),
    ("pytest and its workers", ("pytest", "execnet", "sys.stdin.readline")),
    ("bubblewrap", ("bwrap",)),
)


def kind_of(command: str) -> str:
    for kind, marks in KINDS:
        if any(mark in command for mark in marks):
            return kind
    return "other"


def machine_cpu() -> float:
    with Path("/proc/stat").open(encoding="ascii") as stat:
        fields = [int(f) for f in stat.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / TICK


def snapshot() -> dict[tuple[int, int], tuple[float, str]]:
    """CPU seconds so far and command line of each process, by (pid, start time).

    A process that has exited but not been reaped keeps its CPU time and loses its
    command line; its name stands in, and :func:`main` keeps the line seen earlier.
    """
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK
        found[(int(entry.name), int(fields[19]))] = (seconds, command.strip() or f"[{name}]")
    return found


def main() -> int:
    before = snapshot()
    last: dict[tuple[int, int], tuple[float, str]] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for process, (seconds, command) in snapshot().items():
                if command.startswith("[") and process in last:
                    command = last[process][1]  # exited: keep the line it had
                last[process] = (seconds, command)
            time.sleep(0.3)

    sampler = threading.Thread(target=sample, daemon=True)
    cpu, started = machine_cpu(), time.perf_counter()
    sampler.start()
    code = subprocess.call(["bash", str(ROOT / "scripts" / "test"), *sys.argv[1:]], cwd=ROOT)
    done.set()
    sampler.join()
    wall, busy = time.perf_counter() - started, machine_cpu() - cpu
    me = os.getpid()
    kinds: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for process, (seconds, command) in last.items():
        if process[0] == me:
            continue
        earlier = before.get(process)
        if earlier is not None:
            seconds -= earlier[0]  # running before the suite: only what it spent since
        kind = "running before the suite" if earlier is not None else kind_of(command)
        kinds[kind] += seconds
        counts[kind] += 1
        if kind == "other":
            others[" ".join(command.split()[:3])[:80]] += seconds
    cores = os.cpu_count() or 1
    print(
        f"\nwall {wall:.0f} s; the machine busy {busy:.0f} s of CPU, of {cores * wall:.0f} s on {cores} cores"
    )
    print("\n| kind of process | processes | CPU |\n|---|---|---|")
    for kind, seconds in kinds.most_common():
        if seconds >= 0.5:
            print(f"| {kind} | {counts[kind]} | {seconds:.0f} s |")
    print(f"| all that were seen | {sum(counts.values())} | {sum(kinds.values()):.0f} s |")
    print("\nThe largest of the other processes:")
    for command, seconds in others.most_common(8):
        print(f"  {seconds:5.0f} s  {command}")
    return code


if __name__ == "__main__":
    sys.exit(main())

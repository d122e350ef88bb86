"""Each test module's CPU, exact: the test command with every module's work in a cgroup.

``suite_cpu.py`` says which kinds of process the suite's CPU goes to; this says which
test modules spend it. It runs the test command (``scripts/test``, extra arguments
passed on) with the ``module_cgroups`` plugin, which moves the test process into a
cgroup of the module it is about to test, so that the module's kernels, commands,
servers and browser are counted with it: the kernel's own CPU counter, not samples.
It prints the modules, most costly first, with the share of the whole.

It needs a cgroup hierarchy this user may write: cgroup v2 (``/sys/fs/cgroup``) or
v1's ``cpuacct`` controller, as root on this kind of machine. CPU the test processes
spend before their first test (collection, imports) is not in any module.

    .venv/bin/python benchmarks/module_cpu.py
    .venv/bin/python benchmarks/module_cpu.py tests/instructor   # a part of the suite
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where a cgroup's CPU is counted: v2's cpu.stat (in microseconds), v1's cpuacct (nanoseconds).
HIERARCHIES = (
    Path("/sys/fs/cgroup"),
    Path("/sys/fs/cgroup/unified"),
    Path("/sys/fs/cgroup/cpuacct"),
)


def cpu_seconds(group: Path) -> float:
    """The CPU that the processes of ``group`` and its children have spent."""
    # v1's cpu.stat, where cpu and cpuacct share a mount, holds no usage: read cpuacct's.
    if (group / "cpuacct.usage").exists():
        return int((group / "cpuacct.usage").read_text(encoding="ascii")) / 1e9
    stat = (group / "cpu.stat").read_text(encoding="ascii").split()
    return int(stat[stat.index("usage_usec") + 1]) / 1e6


def hierarchy() -> Path:
    """The first hierarchy where this user can make a cgroup that counts CPU."""
    for base in HIERARCHIES:
        probe = base / f"product-roles-probe-{os.getpid()}"
        try:
            probe.mkdir()
        except OSError:
            continue
        try:
            if (probe / "cpu.stat").exists() or (probe / "cpuacct.usage").exists():
                return base
        finally:
            probe.rmdir()
    raise SystemExit(
        "no writable cgroup hierarchy with a CPU counter: run as root where cgroups are mounted"
    )


def main() -> int:
    top = hierarchy() / f"product-roles-suite-{os.getpid()}"
    top.mkdir()
    env = dict(os.environ)
    env["PRODUCT_ROLES_CGROUP"] = str(top)
    here = str(Path(__file__).parent)
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    started = time.perf_counter()
    command = ["bash", str(ROOT / "scripts" / "test"), "-p", "module_cgroups", *sys.argv[1:]]
    code = subprocess.call(command, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    spent = {group.name: cpu_seconds(group) for group in top.iterdir() if group.is_dir()}
    total = sum(spent.values())
    print(f"\nwall {wall:.0f} s; the test modules spent {total:.0f} s of CPU\n")
    print("| test module | CPU | share |\n|---|---|---|")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        if seconds >= 0.5:
            shown = name.replace("+", "/").removeprefix("tests/")
            print(f"| {shown} | {seconds:.1f} s | {seconds / total:.0%} |")
    # A cgroup goes once nothing is left in it; the last processes to exit may still be.
    for group in [*top.iterdir(), top]:
        for _ in range(50):
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    return code


if __name__ == "__main__":
    sys.exit(main())

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
# (hierarchy, the file that holds a cgroup's CPU, how to read it as seconds)
HIERARCHIES = (
    (Path("/sys/fs/cgroup"), "cpu.stat", lambda text: _usage_usec(text) / 1e6),
    (Path("/sys/fs/cgroup/unified"), "cpu.stat", lambda text: _usage_usec(text) / 1e6),
    (Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage", lambda text: int(text) / 1e9),
)


def _usage_usec(text: str) -> int:
    return int(next(line.split()[1] for line in text.splitlines() if line.startswith("usage_usec")))


def hierarchy() -> tuple[Path, str, object]:
    """The first hierarchy where this user can make a cgroup that counts CPU."""
    for base, counter, read in HIERARCHIES:
        probe = base / f"product-roles-probe-{os.getpid()}"
        try:
            probe.mkdir()
        except OSError:
            continue
        try:
            if (probe / counter).exists():
                return base, counter, read
        finally:
            probe.rmdir()
    raise SystemExit(
        "no writable cgroup hierarchy with a CPU counter: run as root where cgroups are mounted"
    )


def main() -> int:
    base, counter, read = hierarchy()
    top = base / f"product-roles-suite-{os.getpid()}"
    top.mkdir()
    env = dict(os.environ)
    env["PRODUCT_ROLES_CGROUP"] = str(top)
    here = str(Path(__file__).parent)
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    started = time.perf_counter()
    command = ["bash", str(ROOT / "scripts" / "test"), "-p", "module_cgroups", *sys.argv[1:]]
    code = subprocess.call(command, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    spent = {
        group.name: read((group / counter).read_text(encoding="ascii"))
        for group in top.iterdir()
        if group.is_dir()
    }
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

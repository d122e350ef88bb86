"""A pytest plugin for ``benchmarks/module_cpu.py``: each test module's CPU in a cgroup of its own.

When a test process (the main one or a pytest-xdist worker) starts a test of another
module, it moves itself into that module's cgroup under ``$PRODUCT_ROLES_CGROUP``.
Everything it starts from then on (kernels, nbgrader, servers, Chromium) is born in
that cgroup and stays there, so the cgroup's CPU counter is the module's whole cost,
exact, whatever runs beside it. What a process shares between modules (its JupyterLab,
the generated course) is charged to the first module that asked for it.
"""

from __future__ import annotations

import os
from pathlib import Path

_current: list[str] = []


def _enter(name: str) -> None:
    group = Path(os.environ["PRODUCT_ROLES_CGROUP"]) / name.replace("/", "+")
    group.mkdir(exist_ok=True)
    (group / "cgroup.procs").write_text(str(os.getpid()), encoding="ascii")


def pytest_runtest_protocol(item) -> None:
    module = item.nodeid.split("::", 1)[0]
    if _current != [module]:
        _current[:] = [module]
        _enter(module)


def pytest_sessionfinish() -> None:
    _enter("after-the-last-test")

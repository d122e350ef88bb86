"""Benchmark: a forked kernel's start with ForkKernelClient's ready check and with jupyter_client's.

jupyter_client's ready check waits a fixed 0.2 s for IOPub; ``ForkKernelClient``
waits 20 ms. This script executes a one-cell notebook in a new forked, unsandboxed
kernel, alternately with each client (the manager's ``client_factory``), and prints
the median time of each and their ratio.

Run from the repository root::

    .venv/bin/python benchmarks/ready_check.py --runs 20

It is not a test: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient import NotebookClient
from traitlets.config import Config

from product_roles.instructor.forkkernel import ForkKernelManager


def execute(folder: str, stock: bool) -> float:
    config = Config()
    config.ForkKernelManager.sandbox = False
    if stock:
        config.ForkKernelManager.client_factory = AsyncKernelClient
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    started = time.perf_counter()
    NotebookClient(
        nb,
        config=config,
        kernel_manager_class=ForkKernelManager,
        resources={"metadata": {"path": folder}},
    ).execute()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        execute(folder, False)  # the fork server's start, uncounted
        times: dict[str, list[float]] = {"ForkKernelClient": [], "AsyncKernelClient": []}
        for n in range(options.runs):
            for stock in (False, True) if n % 2 == 0 else (True, False):
                times["AsyncKernelClient" if stock else "ForkKernelClient"].append(
                    execute(folder, stock)
                )
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(f"{name:20s} {value:.3f} s (median of {options.runs})")
    print(f"ratio                {median['AsyncKernelClient'] / median['ForkKernelClient']:.2f}")


if __name__ == "__main__":
    main()

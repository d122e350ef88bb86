"""What ``import product_roles.grading`` costs a hidden test: this tree against a baseline.

Every hidden test and the grader's own process import the hidden-test API. Each run
starts a fresh interpreter, times the import inside it (interpreter start-up not
counted) and lists which heavy libraries it loaded. Runs alternate between this tree
and the baseline, so that both see the same machine load.

The baseline is another checkout of the repository, for example the commit before
the package was put in layers:

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/import_cost.py --baseline /tmp/before --repeats 30

It prints a Markdown table; docs/benchmarks.md records one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("anywidget", "ipywidgets", "plotly", "yaml", "traitlets", "IPython", "numpy")
PROBE = """
import json, sys, time
start = time.perf_counter()
import {module}
took = time.perf_counter() - start
import product_roles
print(json.dumps({{"seconds": took, "file": product_roles.__file__,
    "heavy": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


def one_run(tree: Path, module: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "widgets"), "PYTHONDONTWRITEBYTECODE": "1"}
    code = PROBE.format(module=module, heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out)
    # The editable install must not win over the tree under test.
    if not Path(result["file"]).is_relative_to(tree / "widgets"):
        raise RuntimeError(f"imported {result['file']}, not the package in {tree}")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--module", default="product_roles.grading")
    args = parser.parse_args(argv)
    trees = {"baseline": args.baseline.resolve(), "this tree": ROOT}
    times: dict[str, list[float]] = {name: [] for name in trees}
    heavy: dict[str, list[str]] = {}
    for tree in trees.values():
        one_run(tree, args.module)  # warm the file cache before timing
    for _ in range(args.repeats):
        for name, tree in trees.items():
            result = one_run(tree, args.module)
            times[name].append(result["seconds"])
            heavy[name] = result["heavy"]
    base = statistics.median(times["baseline"])
    print(f"| `import {args.module}` | median of {args.repeats} | loads | ratio |")
    print("|---|---|---|---|")
    for name in trees:
        median = statistics.median(times[name])
        loaded = ", ".join(heavy[name]) or "none of them"
        print(f"| {name} | {median * 1000:.1f} ms | {loaded} | {median / base:.3f} |")


if __name__ == "__main__":
    main()

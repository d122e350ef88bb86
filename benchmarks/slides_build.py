"""How long ``./scripts/slides`` takes to build the eight decks, against running the notebooks.

Side by side in one process, on the course notebooks:

- baseline: executing every course notebook with nbclient, as the build does (kernel
  start, every cell, shutdown), and nothing else;
- build: ``product_roles.publish.slides.build`` into a scratch folder (execute, cut into slides,
  notes, reveal.js and plotly.js copied beside the decks).

Run: ``.venv/bin/python benchmarks/slides_build.py [--repeat 3]`` (after ``npm ci``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from product_roles.publish import slides

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    notebooks = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))
    baseline, build = [], []
    for _ in range(args.repeat):
        started = time.monotonic()
        for path in notebooks:
            slides.execute(nbformat.read(path, as_version=4))
        baseline.append(time.monotonic() - started)
        with tempfile.TemporaryDirectory() as out:
            started = time.monotonic()
            slides.build(ROOT / "course", out)
            build.append(time.monotonic() - started)
    b, s = statistics.median(baseline), statistics.median(build)
    print(
        f"baseline: executing the {len(notebooks)} notebooks: {b:.1f} s (median of {args.repeat})"
    )
    print(f"build: {s:.1f} s (median of {args.repeat}), {s / b:.2f} x the baseline")


if __name__ == "__main__":
    main()

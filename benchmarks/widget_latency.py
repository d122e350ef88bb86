"""Benchmark the card-sort widget against baselines measured side by side.

Three figures, each as a ratio to a baseline run in the same session, interleaved
so that both see the same machine load:

1. Import time: ``import product_roles`` against ``import ipywidgets``, each in a
   fresh interpreter.
2. Render: from asking JupyterLab to run a cell to an interactive card sort in
   Chromium (its ``<select>`` elements enabled), against an empty cell (``None``) and
   a plain ``ipywidgets.Dropdown``.
3. Move to disk: from choosing a role in a card's ``<select>`` to the answers file
   holding it, against a plain ``ipywidgets.Dropdown`` whose observer writes the same
   JSON with a naive ``write_text``.

Run it from the repository root after ``./scripts/test`` has built the venv:

    .venv/bin/python benchmarks/widget_latency.py [--repeats 15]

It prints a Markdown table; docs/widget.md records one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_lab_helpers():
    # The browser tests' helpers, loaded by path: nothing is added to sys.path.
    spec = importlib.util.spec_from_file_location("lab", ROOT / "tests" / "lab.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["lab"] = module
    spec.loader.exec_module(module)
    return module


def import_times(repeats: int) -> dict[str, list[float]]:
    times = {"import ipywidgets": [], "import product_roles": []}
    for _ in range(repeats):
        for label, samples in times.items():
            code = f"import time; t = time.perf_counter(); {label}; print(time.perf_counter() - t)"
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            samples.append(float(out.stdout))
    return times


SETUP = """\
import json, pathlib
import ipywidgets
from product_roles import CardSort

cards = [{"id": f"c{i}", "text": f"Responsibility number {i}"} for i in range(12)]
roles = [{"id": r, "label": r} for r in ("PO", "PM", "ENG", "TEAM", "OTHER")]

def plain_dropdown():
    box = ipywidgets.Dropdown(options=["", "PO", "PM"], description="c0")
    path = pathlib.Path("plain.answers.json")
    box.observe(lambda ch: path.write_text(json.dumps({"c0": ch["new"]})), names="value")
    return box
"""
CELLS = {
    "empty cell": ("None", None),
    "ipywidgets.Dropdown": ("plain_dropdown()", ".widget-dropdown select:enabled"),
    "CardSort": (
        'CardSort("bench", cards, roles)',
        ".prs-root[data-ready='true'] .prs-select:enabled",
    ),
}
TIME_CELL = """
async ([index, selector]) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cell = panel.content.widgets[index];
    const before = cell.model.executionCount;
    panel.content.activeCellIndex = index;
    const start = performance.now();
    window.jupyterapp.commands.execute('notebook:run-cell');
    // The count goes to null while the cell runs, then to a new number.
    const ready = () => cell.model.executionCount !== null
        && cell.model.executionCount !== before
        && (!selector || cell.node.querySelector('.jp-OutputArea ' + selector));
    while (!ready()) await new Promise(requestAnimationFrame);
    return performance.now() - start;
}
"""


def render_and_move_times(lab, repeats: int) -> tuple[dict, dict]:
    render = {label: [] for label in CELLS}
    move = {"ipywidgets.Dropdown": [], "CardSort": []}
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as state:
        root = Path(root)
        lab.write_notebook(root / "bench.ipynb", SETUP, *(code for code, _ in CELLS.values()))
        with (
            lab.jupyterlab(root, Path(state)) as server,
            lab.chromium(viewport={"width": 1280, "height": 800}) as context,
        ):
            page = context.new_page()
            lab.open_notebook(page, server, "bench.ipynb")
            page.evaluate(TIME_CELL, [0, None])  # imports, not timed
            for _ in range(repeats):
                for index, (label, (_code, selector)) in enumerate(CELLS.items(), start=1):
                    render[label].append(page.evaluate(TIME_CELL, [index, selector]) / 1000)
                for label, locator, path in (
                    ("ipywidgets.Dropdown", ".widget-dropdown select", "plain.answers.json"),
                    ("CardSort", ".prs-card[data-card='c0'] .prs-select", "bench.answers.json"),
                ):
                    move[label].append(time_move(page, locator, root / path))
    return render, move


def time_move(page, selector: str, path: Path) -> float:
    """Pick a different role and time until the file on disk holds it."""
    select = page.locator(selector).last
    current = select.input_value()
    target = "PM" if current != "PM" else "PO"
    start = time.perf_counter()
    select.select_option(target)
    while True:
        try:
            data = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            data = {}
        placed = data.get("placements", data).get("c0")
        if placed == target:
            return time.perf_counter() - start
        if time.perf_counter() - start > 30:
            raise RuntimeError(f"{path.name} never showed the move")
        time.sleep(0.001)


def row(label: str, samples: list[float], baseline: list[float]) -> str:
    median, base = statistics.median(samples), statistics.median(baseline)
    return f"| {label} | {median * 1000:.0f} ms | {base * 1000:.0f} ms | {median / base:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    lab = load_lab_helpers()
    imports = import_times(args.repeats)
    render, move = render_and_move_times(lab, args.repeats)
    print(f"Medians of {args.repeats} interleaved runs.\n")
    print("| measure | median | baseline median | ratio |")
    print("|---|---|---|---|")
    print(
        row(
            "import product_roles (vs import ipywidgets)",
            imports["import product_roles"],
            imports["import ipywidgets"],
        )
    )
    print(
        row(
            "run cell to interactive CardSort (vs empty cell)",
            render["CardSort"],
            render["empty cell"],
        )
    )
    print(
        row(
            "run cell to interactive CardSort (vs ipywidgets.Dropdown)",
            render["CardSort"],
            render["ipywidgets.Dropdown"],
        )
    )
    print(
        row(
            "move to answers file on disk (vs Dropdown + write_text)",
            move["CardSort"],
            move["ipywidgets.Dropdown"],
        )
    )


if __name__ == "__main__":
    main()

"""How long the class dashboard takes to aggregate a room of 500 participants.

Writes a synthetic room (each participant sorts the twelve room cards twice, and a
few files are corrupt), then times, side by side in the same process:

- baseline: reading and decoding every answers file with ``json.load`` (the floor:
  no aggregation can be faster than reading the files);
- check: one poll that finds nothing new (``Dashboard.refresh()``: one ``stat`` per file);
- aggregate: reading, validating and tallying the room (``room.collect`` + ``room_stats``);
- dashboard: a full redraw (``Dashboard.refresh(force=True)``: aggregate + four figures).

Run: ``.venv/bin/python benchmarks/room_aggregation.py [--participants 500] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from product_roles.grading import answers
from product_roles.workshop import room, room_stats
from product_roles.workshop.dashboard import Dashboard
from product_roles.workshop.room import AI_ERA, ROOM_CARDS, TRADITIONAL

ROLES = ["PO", "PM", "ENG", "TEAM", "OTHER"]


def make_room(folder: Path, participants: int, seed: int = 7) -> None:
    chance = random.Random(seed)
    for index in range(participants):
        seat = folder / f"seat{index:04d}"
        seat.mkdir()
        for exercise in (TRADITIONAL, AI_ERA):
            if index % 97 == 0:  # about 1 % of files corrupt
                (seat / f"{exercise}.answers.json").write_text("{truncated")
                continue
            placements = {card: chance.choice([*ROLES, None]) for card in ROOM_CARDS}
            answers.write(answers.path_for(exercise, seat), answers.Answers(exercise, placements))


def timed(action, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_room(folder, args.participants)
        files = sorted(folder.glob("*/*.answers.json"))

        def baseline():
            for path in files:
                with contextlib.suppress(ValueError):  # the corrupt files
                    json.loads(path.read_bytes())

        def aggregate():
            for exercise in (TRADITIONAL, AI_ERA):
                gathered = room.collect(room.find_in_room(folder, exercise), exercise)
                room_stats.tally(gathered, ROOM_CARDS, ROLES)

        board = Dashboard.for_room(folder)
        board.refresh(force=True)
        results = {
            "baseline (json.load of every file)": timed(baseline, args.repeat),
            "check for changes (no change)": timed(board.refresh, args.repeat),
            "aggregate (collect + tally)": timed(aggregate, args.repeat),
            "dashboard redraw (aggregate + 4 figures)": timed(
                lambda: board.refresh(force=True), args.repeat
            ),
        }
    base = results["baseline (json.load of every file)"]
    print(f"{args.participants} participants, {len(files)} answers files, median of {args.repeat}")
    for name, seconds in results.items():
        print(f"  {name:42s} {seconds * 1000:8.1f} ms   {seconds / base:5.1f} x baseline")


if __name__ == "__main__":
    main()

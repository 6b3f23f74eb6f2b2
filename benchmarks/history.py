"""Benchmark: read the git history of a plans repository (one pass).

    python benchmarks/history.py [--clients 50] [--commits 5000]

Generates a synthetic repository (benchmarks/synth.py) in a temporary folder and prints the
time `read_history` takes, best of three runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import generate  # noqa: E402

from site_builder.plans.history import read_history  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--commits", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        repo = generate(Path(tmp) / "repo", args.clients, 1, 6, 2, args.commits)
        print(
            f"generated {args.clients} clients, {args.commits} commits in "
            f"{time.perf_counter() - t0:.2f} s"
        )
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            history = read_history(repo / "plans")
            best = min(best, time.perf_counter() - t0)
        changes = sum(len(h.changes) for c in history.milestones.values() for h in c.values())
        print(
            f"history: {history.commits} commits, {changes} schedule changes read in "
            f"{best:.3f} s (best of 3)"
        )


if __name__ == "__main__":
    main()

"""Benchmark: build many client sites, against bare `mkdocs build` runs of the same pages.

    python benchmarks/build.py [--clients 200] [--projects 5] [--commits 5000] [--jobs 2]
                               [--baseline-sample 20]

Generates a synthetic plans repository (benchmarks/synth.py), then prints:
* full build of all clients (wall time, per client, peak memory of any one process);
* the same for half the clients (peak memory must stay flat as clients grow);
* one changed client among all (`--changed-since`, end to end, a fresh process);
* disk per additional client (`du`, which counts hard-linked theme files once);
* history reading time;
* the baseline: sequential bare `mkdocs build` processes of the same generated pages
  (measured on a sample of clients and scaled to all), and the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synth import generate  # noqa: E402

SITE_BUILDER = [sys.executable, "-m", "site_builder"]
TODAY = "2026-03-01"


_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds, and peak RSS (MB) of the largest single process the command started
    (measured in a fresh wrapper process, so earlier runs do not count)."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]) // 1024


def du_kb(path: Path) -> int:
    return int(
        subprocess.run(
            ["du", "-sk", str(path)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
    )


def baseline(repo: Path, clients: list[str], jobs_out: Path) -> float:
    """Seconds for sequential bare `mkdocs build` processes of the same pages."""
    import datetime as dt

    from site_builder.build import base_config_for, prepare_client, templates_for, validate

    base = base_config_for(repo / "plans")
    checked = validate(repo / "plans", clients, today=dt.date.fromisoformat(TODAY))

    work = jobs_out / "baseline"
    total = 0.0
    for client in checked.plans.clients:
        bundle = prepare_client(
            checked.state(client.slug),
            checked.history.last_commit.get(client.slug),
            templates_for(base),
        )
        project = work / client.slug
        docs = project / "docs"
        for page in bundle.pages:
            target = docs / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page.html, encoding="utf-8")
        (project / "mkdocs.yml").write_text(
            f"site_name: {client.slug}\nuse_directory_urls: false\n"
            "theme:\n  name: material\n  font: false\nplugins:\n  - search\n  - offline\n"
        )
        wall, _ = run([sys.executable, "-m", "mkdocs", "build", "-q"], project)
        total += wall
    shutil.rmtree(work)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--projects", type=int, default=5)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline-sample", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sb-bench-") as tmp:
        tmp = Path(tmp)
        repo = generate(tmp / "repo", args.clients, args.projects, 6, 2, args.commits)
        slugs = sorted(p.name for p in (repo / "plans").iterdir())
        pages = 1 + args.projects
        print(
            f"plans: {args.clients} clients x {args.projects} projects ({pages}-page sites), "
            f"{args.commits} commits; {args.jobs} jobs on {os.cpu_count()} cores"
        )

        from site_builder.plans.history import read_history

        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            history = read_history(repo / "plans")
            best = min(best, time.perf_counter() - start)
        print(f"history: {history.commits} commits read in {best:.2f} s (best of 3)")

        half = slugs[: len(slugs) // 2]
        wall_half, peak_half = run(
            SITE_BUILDER
            + [
                "build",
                "--today",
                TODAY,
                "--jobs",
                str(args.jobs),
                "--out",
                str(tmp / "half"),
                *[a for s in half for a in ("--client", s)],
            ],
            repo,
        )
        shutil.rmtree(tmp / "half")
        wall, peak = run(
            SITE_BUILDER
            + ["build", "--today", TODAY, "--jobs", str(args.jobs), "--out", str(tmp / "site")],
            repo,
        )
        print(
            f"full build, {len(half)} clients: {wall_half:.1f} s, peak {peak_half} MB per process"
        )
        print(
            f"full build, {len(slugs)} clients: {wall:.1f} s ({1000 * wall / len(slugs):.0f} ms "
            f"per client), peak {peak} MB per process"
        )

        one = tmp / "one"
        subprocess.run(
            SITE_BUILDER + ["build", "--today", TODAY, "--client", slugs[0], "--out", str(one)],
            cwd=repo,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        first = du_kb(one)
        total = du_kb(tmp / "site")
        print(
            f"disk: one site alone {first} KB; all {len(slugs)} sites {total} KB; per "
            f"additional client {(total - first) / (len(slugs) - 1):.0f} KB"
        )

        plan = repo / "plans" / slugs[len(slugs) // 2] / "project-0" / "plan.yml"
        plan.write_text(plan.read_text().replace("Milestone 0 of", "Milestone zero of"))
        subprocess.run(
            ["git", "commit", "-qam", "one change"],
            cwd=repo,
            check=True,
            env={
                **os.environ,
                "GIT_AUTHOR_NAME": "b",
                "GIT_AUTHOR_EMAIL": "b@x",
                "GIT_COMMITTER_NAME": "b",
                "GIT_COMMITTER_EMAIL": "b@x",
            },
        )
        wall_changed, _ = run(
            SITE_BUILDER
            + ["build", "--today", TODAY, "--changed-since", "HEAD~1", "--out", str(tmp / "site")],
            repo,
        )
        print(
            f"one changed client among {len(slugs)} (--changed-since): {wall_changed:.2f} s "
            f"end to end"
        )

        sample = slugs[: min(args.baseline_sample, len(slugs))]
        base_sample = baseline(repo, sample, tmp)
        base_all = base_sample / len(sample) * len(slugs)
        print(
            f"baseline: sequential bare `mkdocs build`, {base_sample / len(sample):.2f} s per "
            f"client (sample of {len(sample)}) -> {base_all:.0f} s for {len(slugs)} clients"
        )
        print(f"ratio: full build / baseline = {wall / base_all:.2f} (target <= 0.25)")


if __name__ == "__main__":
    main()

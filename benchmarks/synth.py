"""Generate a synthetic plans repository: N clients, projects, milestones, approvals, history.

    python benchmarks/synth.py OUT_DIR --clients 200 --commits 5000

History is written with `git fast-import` (thousands of commits in a second), then checked out,
so the result is a normal git repository with `plans/` at its root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
from pathlib import Path

START = dt.date(2026, 1, 5)


def client_yml(i: int) -> str:
    return (
        f"name: Client {i:04d} Ltd\nlanguage: en\ntimezone: Europe/Berlin\n"
        f"site:\n  primary_color: indigo\ninternal:\n  margin: 3{i % 10}%\n"
    )


def plan_yml(client: int, project: int, dues: list[dt.date], delivered: int) -> str:
    lines = [
        f"title: Project {project} for client {client:04d}",
        "summary: |\n  A synthetic project used to measure site-builder.",
        "currency: EUR",
        "milestones:",
    ]
    for m, due in enumerate(dues):
        lines += [
            f"  - id: m{m}",
            f"    title: Milestone {m} of project {project}",
            f"    phase: Phase {m // 2}",
            "    owner: Sam Lee",
            f"    due: {due}",
        ]
        if m < delivered:
            lines.append(f"    delivered: {due - dt.timedelta(days=2)}")
        if m:
            lines.append(f"    depends_on: [m{m - 1}]")
        lines += [
            "    deliverables:",
            f"      - Deliverable {m}.1",
            f"      - Deliverable {m}.2",
            "    acceptance:",
            f"      - Criterion {m}.1 is met",
            f"    invoice: {1000 * (m + 1)}",
        ]
    return "\n".join(lines) + "\n"


def note(milestone: str, date: dt.date) -> str:
    return (
        f"---\nmilestone: {milestone}\ndecision: approved\ndate: {date}\n"
        f"by: Ada Client <ada@client.example>\n---\nApproved, thank you.\n"
    )


def generate(
    root: Path,
    clients: int,
    projects: int,
    milestones: int,
    approvals: int,
    commits: int,
    seed: int = 0,
) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=False)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    files: dict[str, str] = {}
    dues: dict[tuple[int, int], list[dt.date]] = {}
    for c in range(clients):
        files[f"plans/client-{c:04d}/client.yml"] = client_yml(c)
        for p in range(projects):
            dues[(c, p)] = [START + dt.timedelta(days=14 * (m + 1)) for m in range(milestones)]
            files[f"plans/client-{c:04d}/project-{p}/plan.yml"] = plan_yml(
                c, p, dues[(c, p)], approvals
            )
            for a in range(approvals):
                files[f"plans/client-{c:04d}/project-{p}/approvals/a{a}.md"] = note(
                    f"m{a}", dues[(c, p)][a] - dt.timedelta(days=1)
                )

    stream: list[bytes] = []

    def commit(when: dt.date, message: str, changed: dict[str, str]) -> None:
        stamp = int(dt.datetime(when.year, when.month, when.day, 12).timestamp())
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Pat Planner <pat@agency.example> {stamp} +0000\n".encode())
        data = message.encode()
        stream.append(b"data %d\n%s\n" % (len(data), data))
        for path, text in changed.items():
            blob = text.encode()
            stream.append(f"M 100644 inline {path}\n".encode())
            stream.append(b"data %d\n%s\n" % (len(blob), blob))

    day = START - dt.timedelta(days=30)
    commit(day, "Initial plans", files)
    keys = sorted(dues)
    for n in range(1, commits):
        if n % 20 == 0:
            day += dt.timedelta(days=1)
        c, p = rng.choice(keys)
        m = rng.randrange(milestones)
        dues[(c, p)][m] += dt.timedelta(days=rng.choice((-3, 2, 7)))
        path = f"plans/client-{c:04d}/project-{p}/plan.yml"
        commit(day, f"Move m{m} of client {c}", {path: plan_yml(c, p, dues[(c, p)], approvals)})
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--projects", type=int, default=1)
    parser.add_argument("--milestones", type=int, default=6)
    parser.add_argument("--approvals", type=int, default=2)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate(
        args.out,
        args.clients,
        args.projects,
        args.milestones,
        args.approvals,
        args.commits,
        args.seed,
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

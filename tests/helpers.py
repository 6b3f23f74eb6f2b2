"""Build real plans folders (and git repos) in a temporary directory for tests."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

CLIENT_YML = """\
name: Acme Widgets
timezone: UTC
access:
  mode: link
"""

PLAN_YML = """\
title: Website relaunch
currency: EUR
milestones:
  - id: kickoff
    title: Kickoff done
    owner: Sam Lee
    due: 2026-01-10
    delivered: 2026-01-08
    invoice: 1000
  - id: design
    title: Design approved
    due: 2026-02-10
    delivered: 2026-02-05
    depends_on: [kickoff]
    deliverables:
      - Mockups
    acceptance:
      - Looks good on phones
    invoice: 3000
  - id: launch
    title: Site live
    due: 2026-03-10
    invoice: 6000
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


def approval(
    milestone: str,
    date: str,
    decision: str = "approved",
    by: str = "Ada Client <ada@acme.example>",
    body: str = "Looks good.\n",
    extra: str = "",
) -> str:
    return (
        f"---\nmilestone: {milestone}\ndecision: {decision}\ndate: {date}\nby: {by}\n"
        f"{extra}---\n{body}"
    )


def make_client(
    root: Path,
    slug: str = "acme",
    client_yml: str = CLIENT_YML,
    projects: dict[str, str] | None = None,
    approvals: dict[str, dict[str, str]] | None = None,
) -> Path:
    """plans/<slug>/client.yml + projects {slug: plan.yml} + approvals {project: {name: text}}."""
    folder = root / slug
    write(folder / "client.yml", client_yml)
    for project, plan in (projects if projects is not None else {"web": PLAN_YML}).items():
        write(folder / project / "plan.yml", plan)
    for project, notes in (approvals or {}).items():
        for name, text in notes.items():
            write(folder / project / "approvals" / name, text)
    return folder


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Pat Planner",
        "GIT_AUTHOR_EMAIL": "pat@agency.example",
        "GIT_COMMITTER_NAME": "Pat Planner",
        "GIT_COMMITTER_EMAIL": "pat@agency.example",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit_all(repo: Path, message: str, date: str) -> str:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "--short", "HEAD").strip()


def ssh_key(directory: Path, name: str) -> tuple[Path, str]:
    """A fresh ed25519 key pair: (private key path, public key line)."""
    key = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key, (directory / f"{name}.pub").read_text().strip()


def sign(note: Path, key: Path, namespace: str = "milestone-approval") -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-f", str(key), str(note)],
        check=True,
        capture_output=True,
    )
    return note.with_name(note.name + ".sig")

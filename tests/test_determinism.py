"""Determinism: the same plans (with their git history) and --today give byte-identical sites,
whatever the process, the working folder, the output folder, the hash seed, the time zone, the
wall clock or the number of parallel jobs. Material's sitemap (and its gzip), the search index,
feed.xml and calendar.ics included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support import DEMO_PASSWORDS, DEMO_SALT_SECRET
from helpers import commit_all

REPO = Path(__file__).parent.parent


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(cwd: Path, plans: str, out: str, **env: str) -> None:
    # The demo's password-mode client is encrypted: the same password and salt secret (which
    # pins the salt; without it each empty OUT gets a random one), the same bytes.
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        **{name: value for name, value in DEMO_PASSWORDS.values()},
        "SITE_BUILDER_SALT_SECRET": DEMO_SALT_SECRET,
        **env,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "build",
            "--plans",
            plans,
            "--out",
            out,
            "--today",
            "2026-11-25",
            "--jobs",
            env.pop("JOBS", "2"),
        ],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_builds_in_different_processes_and_folders_are_byte_identical(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "plans", repo / "plans")
    commit_all(repo, "Plans as agreed", "2026-06-01")
    plan = repo / "plans" / "fable" / "brand-refresh" / "plan.yml"
    text = plan.read_text()
    due = next(line for line in text.splitlines() if line.strip().startswith("due:"))
    day = dt.date.fromisoformat(due.split(":", 1)[1].strip())
    plan.write_text(text.replace(due, due.replace(str(day), str(day + dt.timedelta(days=3))), 1))
    commit_all(repo, "Slip the first milestone", "2026-06-15")  # a schedule change
    (tmp_path / "elsewhere").mkdir()

    began = time.time()
    build(repo, "plans", str(tmp_path / "one"), PYTHONHASHSEED="1", TZ="UTC", JOBS="2")
    time.sleep(max(0.0, 1.1 - (time.time() - began)))  # gzip and sitemaps would show the clock
    build(
        tmp_path / "elsewhere",
        str(repo / "plans"),
        "../two/nested",
        PYTHONHASHSEED="4242",
        TZ="America/Los_Angeles",
        JOBS="1",
        LC_ALL="C.UTF-8",
    )

    clients = sorted(p.name for p in (repo / "plans").iterdir() if p.is_dir())
    assert clients == ["fable", "harbor-homes", "northwind"]
    for slug in clients:
        one, two = tree(tmp_path / "one" / slug), tree(tmp_path / "two" / "nested" / slug)
        expected = (
            ("index.html", "status.json", "404.html")
            if slug in DEMO_PASSWORDS
            else (
                "index.html",
                "status.json",
                "feed.xml",
                "calendar.ics",
                "sitemap.xml",
                "sitemap.xml.gz",
                "search/search_index.json",
                "404.html",
            )
        )
        for name in expected:
            assert name in one, (slug, name)
        different = sorted(
            name for name in one.keys() | two.keys() if one.get(name) != two.get(name)
        )
        assert not different, (slug, different)
    status = json.loads((tmp_path / "one" / "fable" / "status.json").read_text())
    assert any(p["schedule_changes"] for p in status["projects"])  # history made it in

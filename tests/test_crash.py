"""Crash safety: a build killed with SIGKILL at any moment leaves every published site complete.

`python -m site_builder build` runs in its own session (process group) with its forkserver and
workers; the whole group is killed at seeded random moments spread over a build's duration.
After each kill, OUT/<client>/ must be byte for byte a complete site that was published before
(hash of every file), no process of the build may survive to write into OUT, and temporary
folders must not pile up. A final successful build leaves no temporary folder at all.
"""
from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import approval, make_client, write
from site_builder.build import TMP_PREFIX

CLIENTS = ("acme", "zeta", "omega")
SEED = 20261125
KILLS_SAME_INPUT = 20  # killed rebuilds of the published input: the site must stay as it was
KILLS_NEW_INPUT = 6  # killed builds of a new --today: each site is the old one or the new one


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))[:10]


def trees(out: Path) -> dict[str, dict[str, str]]:
    return {slug: tree(out / slug) for slug in CLIENTS}


def start(plans: Path, out: Path, today: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", "build", "--plans", str(plans), "--out", str(out),
         "--today", today, "--jobs", "2"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)  # its own process group: forkserver and workers included


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def wait_for_group(pgid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() > deadline:
            pytest.fail(f"processes of the killed build still run: {group_members(pgid)}")
        time.sleep(0.05)


def kill_group(proc: subprocess.Popen) -> bool:
    """SIGKILL the build's whole process group; True if it was still running."""
    running = proc.poll() is None
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    proc.stderr.close()
    wait_for_group(proc.pid)
    return running


def finish(plans: Path, out: Path, today: str) -> float:
    began = time.monotonic()
    proc = start(plans, out, today)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    wait_for_group(proc.pid)
    return time.monotonic() - began


def temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(TMP_PREFIX))


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash") / "plans"
    for slug in CLIENTS:
        folder = make_client(root, slug, client_yml=f"name: {slug.title()} Ltd\n",
                             approvals={"web": {"k.md": approval("kickoff", "2026-01-09")}})
        write(folder / "web" / "documents" / "spec.pdf", f"%PDF {slug}\n" * 2000)
        plan = (folder / "web" / "plan.yml").read_text().replace(
            "      - Mockups", "      - {title: Spec, file: documents/spec.pdf}")
        (folder / "web" / "plan.yml").write_text(plan)
    return root


@pytest.fixture(scope="module")
def second(plans, tmp_path_factory):
    """The sites as a completed build with the new --today writes them."""
    out = tmp_path_factory.mktemp("reference")
    finish(plans, out, "2026-03-01")
    return trees(out)


def test_sigkill_at_random_moments_never_breaks_a_published_site(plans, second, tmp_path):
    out = tmp_path / "site"
    duration = finish(plans, out, "2026-02-01")
    first = trees(out)
    assert all(len(t) > 20 and "index.html" in t for t in first.values())
    assert second != first
    duration = min(duration, finish(plans, out, "2026-02-01"))  # warm: kills land inside
    assert trees(out) == first

    rng = random.Random(SEED)
    interrupted = 0
    for n in range(KILLS_SAME_INPUT + KILLS_NEW_INPUT):
        new_input = n >= KILLS_SAME_INPUT
        proc = start(plans, out, "2026-03-01" if new_input else "2026-02-01")
        time.sleep(rng.uniform(0.02, 0.95) * duration)
        interrupted += kill_group(proc)
        now = trees(out)
        for slug in CLIENTS:
            allowed = (first[slug], second[slug]) if new_input else (first[slug],)
            assert now[slug] in allowed, f"kill {n + 1}: {slug} is not a complete site: " \
                f"{[differences(now[slug], a) for a in allowed]}"
        assert len(temporaries(out)) <= 1, temporaries(out)  # each build clears the last's
    assert interrupted >= (KILLS_SAME_INPUT + KILLS_NEW_INPUT) // 2, interrupted

    finish(plans, out, "2026-03-01")
    assert trees(out) == second
    assert temporaries(out) == []
    store = out / ".site-builder-assets"
    if store.exists():  # shared theme files: nothing half-copied, nothing unreferenced
        leftovers = [p for p in store.rglob("*") if p.is_file() and (
            p.name.endswith(".partial") or p.stat().st_nlink < 2)]
        assert not leftovers


def test_killing_only_the_main_process_leaves_no_worker_behind(plans, second, tmp_path):
    """CI runners may kill just the process they started: the workers must stop on their own
    and write nothing into the published sites."""
    out = tmp_path / "site"
    duration = finish(plans, out, "2026-02-01")
    first = trees(out)
    for fraction in (0.3, 0.6, 0.85):
        proc = start(plans, out, "2026-03-01")
        time.sleep(fraction * duration)
        proc.kill()  # the main process only
        proc.wait(timeout=30)
        proc.stderr.close()
        wait_for_group(proc.pid, timeout=30)  # forkserver and workers exit by themselves
        now = trees(out)
        for slug in CLIENTS:
            assert now[slug] in (first[slug], second[slug]), \
                f"{slug} is not a complete site: {differences(now[slug], first[slug])}"
    finish(plans, out, "2026-02-01")
    assert trees(out) == first and temporaries(out) == []

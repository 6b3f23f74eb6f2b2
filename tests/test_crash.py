"""Crash safety: a build killed with SIGKILL at any moment leaves every published site complete.

`python -m site_builder build` runs in its own session (process group) with its forkserver and
workers; the whole group is killed at moments spread over a build, each one reached by
watching the build, never by sleeping: as soon as it started, when its staging folder holds k
files, after its n-th client is built (its `[n/N] client` progress line), after it published
a first client. After each kill, OUT/<client>/ must be byte for byte a complete site that was
published before (hash of every file), no process of the build may survive to write into OUT,
and temporary folders must not pile up. A final successful build leaves no temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import approval, make_client, write

from site_builder.build import TMP_PREFIX

pytestmark = pytest.mark.slow

CLIENTS = ("acme", "zeta", "omega")
SAFETY_NET = 120  # seconds: only a hung build takes this long to reach a moment


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))[:10]


def trees(out: Path) -> dict[str, dict[str, str]]:
    return {slug: tree(out / slug) for slug in CLIENTS}


def temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(TMP_PREFIX))


class Build:
    """A running `site-builder build` and what it has done so far: its progress lines, the
    files in its staging folder, the clients it has published."""

    def __init__(self, plans: Path, out: Path, today: str):
        self.out = out
        self.stale = set(temporaries(out)) if out.is_dir() else set()
        self.published = {slug: self._inode(slug) for slug in CLIENTS}
        self.lines: list[str] = []
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "site_builder",
                "build",
                "--plans",
                str(plans),
                "--out",
                str(out),
                "--today",
                today,
                "--jobs",
                "2",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )  # forkserver and workers included
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.decode("utf-8", "replace"))

    def _inode(self, slug: str) -> int | None:
        try:
            return os.stat(self.out / slug).st_ino
        except OSError:
            return None

    def built(self) -> int:
        """Clients built so far (`[n/N] client` lines on stderr)."""
        return sum(1 for line in list(self.lines) if re.match(r"\[\d+/\d+\] ", line))

    def staged(self) -> int:
        """Files in this build's staging folder (not a killed build's, which it removes)."""
        if not self.out.is_dir():
            return 0
        return sum(
            len(files)
            for entry in self.out.iterdir()
            if entry.name.startswith(TMP_PREFIX) and entry.name not in self.stale
            for _, _, files in os.walk(entry)
        )

    def publications(self) -> int:
        """Clients whose folder in OUT has been replaced by this build."""
        return sum(1 for slug in CLIENTS if self._inode(slug) != self.published[slug])

    def wait_until(self, moment: Moment) -> None:
        """Return as soon as the build reaches `moment` (or has exited)."""
        reached = moment.reached
        deadline = time.monotonic() + SAFETY_NET
        while self.proc.poll() is None and not reached(self):
            if time.monotonic() > deadline:
                self.kill_group()
                pytest.fail(f"the build did not reach {moment.name}: {''.join(self.lines)}")
            time.sleep(0.001)

    def kill_group(self) -> bool:
        """SIGKILL the build's whole process group; True if it was still running."""
        running = self.proc.poll() is None
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.end()
        return running

    def kill_main(self) -> bool:
        """SIGKILL the main process only, as a CI runner might; True if it was running."""
        running = self.proc.poll() is None
        self.proc.kill()
        self.end(timeout=60)  # forkserver and workers exit by themselves
        return running

    def end(self, timeout: float = 30) -> None:
        self.proc.wait(timeout=SAFETY_NET)
        wait_for_group(self.proc.pid, timeout)
        self.reader.join(timeout=SAFETY_NET)
        self.proc.stderr.close()


@dataclass(frozen=True)
class Moment:
    """A point of a build's progress to kill it at."""

    name: str
    reached: Callable[[Build], bool]

    def __repr__(self) -> str:
        return self.name


def started() -> Moment:
    return Moment("start", lambda build: True)


def staged(files: int) -> Moment:
    return Moment(f"{files} files staged", lambda build: build.staged() >= files)


def built(clients: int) -> Moment:
    return Moment(f"{clients} built", lambda build: build.built() >= clients)


def published(clients: int) -> Moment:
    return Moment(f"{clients} published", lambda build: build.publications() >= clients)


def spread(files: int, fill_levels: int) -> list[Moment]:
    """The start, `fill_levels` fill levels of the staging folder up to 90% of a complete
    build's `files`, each client built, the first and the second client published."""
    return [
        started(),
        *(staged(files * 9 * n // (10 * fill_levels)) for n in range(1, fill_levels + 1)),
        *(built(n) for n in range(1, len(CLIENTS) + 1)),
        published(1),
        published(2),
    ]


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
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def wait_for_group(pgid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() > deadline:
            pytest.fail(f"processes of the killed build still run: {group_members(pgid)}")
        time.sleep(0.05)


def finish(plans: Path, out: Path, today: str) -> None:
    build = Build(plans, out, today)
    build.proc.wait(timeout=300)
    build.end()
    assert build.proc.returncode == 0, "".join(build.lines)


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash") / "plans"
    for slug in CLIENTS:
        folder = make_client(
            root,
            slug,
            client_yml=f"name: {slug.title()} Ltd\n",
            approvals={"web": {"k.md": approval("kickoff", "2026-01-09")}},
        )
        write(folder / "web" / "documents" / "spec.pdf", f"%PDF {slug}\n" * 2000)
        plan = (
            (folder / "web" / "plan.yml")
            .read_text()
            .replace("      - Mockups", "      - {title: Spec, file: documents/spec.pdf}")
        )
        (folder / "web" / "plan.yml").write_text(plan)
    return root


@pytest.fixture(scope="module")
def second(plans, tmp_path_factory):
    """The sites as a completed build with the new --today writes them."""
    out = tmp_path_factory.mktemp("reference")
    finish(plans, out, "2026-03-01")
    return trees(out)


def test_sigkill_at_any_moment_never_breaks_a_published_site(plans, second, tmp_path):
    out = tmp_path / "site"
    finish(plans, out, "2026-02-01")
    first = trees(out)
    assert all(len(t) > 20 and "index.html" in t for t in first.values())
    assert second != first
    files = sum(len(t) for t in first.values())  # what a complete build stages

    kills = [(moment, False) for moment in spread(files, fill_levels=10)]  # same input
    kills += [(moment, True) for moment in spread(files, fill_levels=2)]  # a new --today
    interrupted = 0
    for n, (moment, new_input) in enumerate(kills, 1):
        build = Build(plans, out, "2026-03-01" if new_input else "2026-02-01")
        build.wait_until(moment)
        interrupted += build.kill_group()
        now = trees(out)
        for slug in CLIENTS:
            allowed = (first[slug], second[slug]) if new_input else (first[slug],)
            assert now[slug] in allowed, (
                f"kill {n} at {moment}: {slug} is not a complete "
                f"site: {[differences(now[slug], a) for a in allowed]}"
            )
        assert len(temporaries(out)) <= 1, temporaries(out)  # each build clears the last's
    assert interrupted >= len(kills) // 2, interrupted  # the moments lie inside the builds

    finish(plans, out, "2026-03-01")
    assert trees(out) == second
    assert temporaries(out) == []
    store = out / ".site-builder-assets"
    if store.exists():  # shared theme files: nothing half-copied, nothing unreferenced
        leftovers = [
            p
            for p in store.rglob("*")
            if p.is_file() and (p.name.endswith(".partial") or p.stat().st_nlink < 2)
        ]
        assert not leftovers


def test_killing_only_the_main_process_leaves_no_worker_behind(plans, second, tmp_path):
    """CI runners may kill just the process they started: the workers must stop on their own
    and write nothing into the published sites."""
    out = tmp_path / "site"
    finish(plans, out, "2026-02-01")
    first = trees(out)
    files = sum(len(t) for t in first.values())
    for moment in (staged(files // 2), built(1), built(len(CLIENTS)), published(1)):
        build = Build(plans, out, "2026-03-01")
        build.wait_until(moment)
        build.kill_main()  # waits until the forkserver and workers have exited by themselves
        now = trees(out)
        for slug in CLIENTS:
            assert now[slug] in (first[slug], second[slug]), (
                f"killed at {moment}: {slug} is not a complete site: "
                f"{differences(now[slug], first[slug])}"
            )
    finish(plans, out, "2026-02-01")
    assert trees(out) == first and temporaries(out) == []

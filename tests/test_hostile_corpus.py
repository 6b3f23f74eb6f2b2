"""`check` and `build` over a generated corpus of hostile repositories (tests/hostile.py).

For every class of attack and a few seeds: no traceback, no hang, no control character on
the terminal, no file written outside OUT, no marker of another client, internal note or
e-mail address in any published file. More seeds: HOSTILE_SEEDS=0-49 pytest -m slow.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import sys
import time
import unicodedata
import urllib.parse
from pathlib import Path

import pytest
from hostile import CLASSES, INTERNAL_MARK, MALLORY_EMAIL, VICTIM_EMAIL, VICTIM_MARK, make_repo

pytestmark = pytest.mark.slow

# Where a class must be refused by `check` (exit 1), and where it may pass.
REFUSED = {
    "active_documents",
    "unbound_signature",
    "key_windows",
    "css_svg",
    "dates",
    "control_characters",
    "symlinks",
}
BOUND_SECONDS = 60  # far above the README's per-input bound; a hang ends here
TODAY = "2026-03-01"


def _seeds() -> list[int]:
    first, _, last = os.environ.get("HOSTILE_SEEDS", "0-1").partition("-")
    return list(range(int(first), int(last or first) + 1))


def _snapshot(root: Path, skip: Path) -> dict[str, str]:
    """Every path under root (links not followed) with a digest of what it is."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == skip or skip in here.parents:
            dirs[:] = []
            continue
        for name in dirs + files:
            path = here / name
            if path == skip:
                continue
            stat = path.lstat()
            if path.is_symlink():
                what = "link:" + os.readlink(path)
            elif path.is_file():
                what = hashlib.sha256(path.read_bytes()).hexdigest() + f":{stat.st_mode:o}"
            else:
                what = f"dir:{stat.st_mode:o}"
            found[str(path.relative_to(root))] = what
    return found


def _run(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "site_builder", *args],
        cwd=root,
        capture_output=True,
        timeout=BOUND_SECONDS,
        env={
            **os.environ,
            "MALLORY_PW": "correct horse battery",
            "SITE_BUILDER_LINK_SECRET": "7" * 64,
            **(env or {}),
        },
    )
    done.seconds = time.monotonic() - started
    return done


def _terminal_is_inert(done: subprocess.CompletedProcess) -> None:
    for stream in (done.stdout, done.stderr):
        text = stream.decode("utf-8", "replace")
        assert "Traceback" not in text, text[-3000:]
        bad = [
            c
            for c in text
            if (unicodedata.category(c) == "Cc" and c != "\n")
            or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ]
        assert not bad, (bad[:5], text[-2000:])
        for line in text.splitlines():
            assert "error: forged" not in line or not line.startswith(("plans:", "plans/victim")), (
                line
            )


def _normalised(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    for _ in range(3):  # entities inside entities, percent inside entities
        text = urllib.parse.unquote(html.unescape(text))
    text = unicodedata.normalize("NFKC", text)
    return re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)


def _published_files(out: Path):
    for path in sorted(out.rglob("*")):
        if path.is_file() and not path.is_symlink() and ".site-builder-cache" not in path.parts:
            yield path


def _no_leaks(out: Path) -> None:
    for path in _published_files(out):
        text = _normalised(path.read_bytes())
        where = path.relative_to(out)
        assert INTERNAL_MARK not in text, where
        assert VICTIM_EMAIL not in text and MALLORY_EMAIL not in text, where
        if where.parts[0] == "mallory":  # the shared store (.site-builder-assets) is not a site
            assert VICTIM_MARK not in text, where
            assert "PLAINTEXTQZX" not in text, where


@pytest.mark.parametrize("seed", _seeds())
@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_check_and_build_survive_a_hostile_repository(kind, seed, tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    make_repo(kind, root, seed)
    out = root / "out"
    before = _snapshot(root, skip=out)

    check = _run(root, "check", "--plans", "plans")
    _terminal_is_inert(check)
    assert check.returncode in (0, 1), check.stderr[-2000:]
    if kind in REFUSED:
        assert check.returncode == 1, (kind, check.stderr[-2000:])
        errors = [line for line in check.stderr.decode().splitlines() if ": error: " in line]
        assert errors and all(re.match(r"plans/\S*:\d+: error: ", e) for e in errors), errors

    build = _run(root, "build", "--plans", "plans", "--out", "out", "--today", TODAY, "-j", "1")
    _terminal_is_inert(build)
    assert build.returncode == check.returncode, (check.stderr[-1500:], build.stderr[-1500:])
    if build.returncode == 0:
        assert (out / "victim" / "index.html").is_file()
        _no_leaks(out)
        # A static host (GitHub Pages) can enforce no login: a host-mode site never goes there.
        pub = _run(
            root, "publish", "--plans", "plans", "--out", "out", "--to", "pub", "--target", "static"
        )
        _terminal_is_inert(pub)
        assert pub.returncode == (1 if kind == "host_mode" else 0), pub.stderr[-1500:]
        served = [
            _normalised(p.read_bytes()) for p in (root / "pub" / "www").rglob("*") if p.is_file()
        ]
        assert [t for t in served if "VICTIMQZX milestone" in t]
        if kind == "host_mode":
            assert not [t for t in served if "Mallory milestone" in t]
    else:
        # A failed build writes no site at all.
        assert not [p for p in _published_files(out) if p.suffix == ".html"]

    assert {k: v for k, v in _snapshot(root, skip=out).items() if not k.startswith("pub")} == before
    assert not (root / "PWNED").exists()


@pytest.mark.parametrize(
    "target",
    [
        "plans",
        "plans/victim",
        "plans/victim/vproj",
        ".",
        "..",
        ".git",
        ".git/objects",
        "plans/../plans",
        "PLANS-LINK",
    ],
)
def test_build_never_writes_over_its_inputs(target, tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    plans = make_repo("host_mode", root, 0)
    (plans / "victim" / "vproj" / "approvals" / "2026-02-01-m1.md").write_text(
        "---\nmilestone: m1\ndate: 2026-02-01\nby: V <v@victim-private.example>\n---\nnew\n"
    )
    os.symlink(plans, root / "PLANS-LINK")
    before = _snapshot(tmp_path, skip=tmp_path / "nothing")
    done = _run(root, "build", "--plans", "plans", "--out", target, "--today", TODAY)
    _terminal_is_inert(done)
    assert done.returncode == 2, done.stderr[-1500:]
    assert _snapshot(tmp_path, skip=tmp_path / "nothing") == before

"""Lighthouse (12.2.3, mobile preset: a throttled mid-range phone) on every client page type of
the demo sites, served by a real nginx on 127.0.0.1 with gzip on, as any real host compresses
text: accessibility 100, no layout shift, every image sized. The performance score is a timing
(it moves with the machine's load), so it is a figure printed by benchmarks/lighthouse.py, not
an assertion here.

Needs Debian's chromium and nginx, and lighthouse from npm in .cache/lighthouse (make test-deps installs
it). A missing tool fails the test. The JSON reports go to test-artifacts/lighthouse-*.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest
from browser_support import (
    chromium_binary,
    demo_passwords,
    nginx,
    nginx_binary,
    require,
    world_readable_dir,
)

from site_builder.build import BuildOptions, build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).parent.parent
LIGHTHOUSE = REPO / ".cache" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
ARTIFACTS = REPO / "test-artifacts"
# Client page types: (site, page). Link-mode and public sites; the password site's pages are
# an encrypted shell until the reader types the password (its form is audited by axe in
# tests/test_browser.py).
PAGES = {
    "home": ("fable", "index.html"),
    "project": ("fable", "projects/brand-refresh.html"),
    "404": ("fable", "404.html"),
    "harbor-home": ("harbor-homes", "index.html"),
}
GZIP = (
    "gzip on; gzip_comp_level 5; gzip_types text/css application/javascript "
    "application/json image/svg+xml;"
)


@pytest.fixture(scope="module")
def served():
    require("chromium", chromium_binary() is not None, "apt-get install chromium")
    require("nginx", nginx_binary() is not None, "apt-get install nginx")
    require(
        "lighthouse",
        LIGHTHOUSE.is_file(),
        "npm install --prefix .cache/lighthouse lighthouse@12.2.3 (see scripts/install-test-deps.sh)",
    )
    root = world_readable_dir("site-builder-lighthouse-")
    with demo_passwords():
        build(
            BuildOptions(
                plans=REPO / "plans", out=root / "status", jobs=2, today=dt.date(2026, 11, 25)
            )
        )
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    with nginx(root, GZIP) as url:
        yield url


def lighthouse(url: str, name: str) -> dict:
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"lighthouse-{name}.json"
    env = {**os.environ, "CHROME_PATH": chromium_binary()}
    done = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", list(PAGES))
def test_lighthouse_scores(kind, served):
    site, path = PAGES[kind]
    result = lighthouse(f"{served}/status/{site}/{path}", kind)
    scores = {k: v["score"] for k, v in result["categories"].items()}
    audits = result["audits"]
    failing = {
        k: a.get("displayValue") or a["score"]
        for k, a in audits.items()
        if a.get("score") is not None
        and a["score"] < 0.9
        and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    }
    assert scores["accessibility"] == 1, failing
    assert audits["cumulative-layout-shift"]["numericValue"] == 0
    assert audits["unsized-images"]["score"] == 1, audits["unsized-images"]["details"]

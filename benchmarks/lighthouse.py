"""Lighthouse figures for the demo's client page types (mobile preset, Debian's Chromium).

    .venv/bin/python benchmarks/lighthouse.py [RUNS]

Builds the demo, serves it with nginx on 127.0.0.1 (gzip on, as real hosts compress), runs
lighthouse from .cache/lighthouse (.ci/run installs it) RUNS times per page and prints the
median performance score, total blocking time, largest contentful paint and layout shift. The
goal is performance >= 95 and accessibility 100; tests/test_lighthouse.py asserts the parts
that do not depend on the machine's speed (accessibility, layout shift, sized images).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

import datetime as dt  # noqa: E402

from browser_support import demo_passwords, nginx, world_readable_dir  # noqa: E402
from test_lighthouse import GZIP, PAGES, lighthouse  # noqa: E402

from site_builder.build import BuildOptions, build  # noqa: E402


def main(runs: int) -> None:
    root = world_readable_dir("site-builder-lighthouse-bench-")
    with demo_passwords():
        build(
            BuildOptions(
                plans=Path("plans"), out=root / "status", jobs=2, today=dt.date(2026, 11, 25)
            )
        )
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    print(f"{'page':<12} {'perf':>5} {'a11y':>5} {'TBT ms':>7} {'LCP s':>6} {'CLS':>5}")
    with nginx(root, GZIP) as url:
        for kind, (site, page) in PAGES.items():
            results = [
                lighthouse(f"{url}/status/{site}/{page}", f"bench-{kind}") for _ in range(runs)
            ]

            def median(get, results=results):
                return statistics.median(get(r) for r in results)

            print(
                f"{kind:<12} {median(lambda r: r['categories']['performance']['score']) * 100:5.0f}"
                f" {median(lambda r: r['categories']['accessibility']['score']) * 100:5.0f}"
                f" {median(lambda r: r['audits']['total-blocking-time']['numericValue']):7.0f}"
                f" {median(lambda r: r['audits']['largest-contentful-paint']['numericValue']) / 1000:6.1f}"
                f" {median(lambda r: r['audits']['cumulative-layout-shift']['numericValue']):5.2f}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

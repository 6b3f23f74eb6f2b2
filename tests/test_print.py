"""Printing a project page (the @media print rules in site-builder.css): a status report on one
page for a five-milestone project, without navigation, with every milestone expanded and the
timeline at page width.

Printed with Debian's Chromium (`chromium --headless --print-to-pdf`, the browser's default
paper: US Letter, the shorter of Letter and A4) and checked in print emulation with Playwright,
once per font family (tests/conftest.py). A missing chromium fails these tests.
"""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

# in_browser: tests/test_timeline.py and tests/test_browser_access.py import it from here too
from browser_support import Fonts, chromium_binary, in_browser, require
from helpers import approval, make_client

from site_builder.build import BuildOptions, build

pytestmark = pytest.mark.browser

REPO = Path(__file__).parent.parent
ARTIFACTS = REPO / "test-artifacts"
TODAY = dt.date(2026, 3, 20)

FIVE = """\
title: Website relaunch
summary: |
  A new marketing site for **Acme Widgets**: content strategy, design system and a CMS the
  marketing team can run on its own.
currency: EUR
milestones:
  - id: kickoff
    title: Kickoff complete and project brief agreed
    phase: Kickoff
    owner: Sam Lee
    due: 2026-01-10
    delivered: 2026-01-08
    deliverables: [Project brief, Stakeholder list, Review calendar]
    acceptance: [Goals and success measures agreed, Review dates in everyone's calendar]
    invoice: 4000
  - id: discovery
    title: Discovery readout approved
    phase: Discovery
    owner: Sam Lee
    due: 2026-02-06
    delivered: 2026-02-04
    depends_on: [kickoff]
    deliverables: [Research report, Content audit, Audience personas]
    acceptance: [Three personas confirmed, Content audit covers every page type]
    invoice: 8000
  - id: design
    title: Design system signed off
    phase: Design
    owner: Jonas Weber
    due: 2026-03-13
    delivered: 2026-03-11
    depends_on: [discovery]
    deliverables: [Design system, Page templates, Clickable prototype]
    acceptance: [Templates cover every page type, All text colours pass WCAG AA]
    invoice: 12000
  - id: build
    title: CMS build delivered for review
    phase: Build
    owner: Priya Nair
    due: 2026-04-24
    depends_on: [design]
    deliverables: [Staging site, Editor guide]
    acceptance: [Editors can publish a page unaided, Lighthouse performance above 90]
    invoice: 12000
  - id: launch
    title: Site live and handed over
    phase: Launch
    owner: Priya Nair
    due: 2026-05-29
    depends_on: [build]
    deliverables: [Production site, Handover pack]
    acceptance: [Site live on the production domain, Analytics recording visits]
    invoice: 4000
"""
NOTE = "Thanks, this looks good. One small note on the wording of the summary page.\n"


def chromium() -> str:
    path = chromium_binary()
    require("chromium", path is not None, "apt-get install chromium")
    return path


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def print_to_pdf(html: Path, pdf: Path, fonts: Fonts) -> bytes:
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--no-first-run",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=fonts.env(),
    )
    assert pdf.is_file(), done.stderr[-2000:]
    return pdf.read_bytes()


@pytest.fixture
def five(plans, tmp_path):
    make_client(
        plans,
        projects={"web": FIVE},
        approvals={
            "web": {
                "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09", body=NOTE),
                "2026-02-10-discovery.md": approval("discovery", "2026-02-10", body=NOTE),
                "2026-03-16-design.md": approval(
                    "design", "2026-03-16", "changes-requested", body=NOTE
                ),
            }
        },
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    return tmp_path / "site" / "acme" / "projects" / "web.html"


def test_five_milestone_project_prints_on_one_page(five, tmp_path, font_family):
    pdf = print_to_pdf(five, tmp_path / "web.pdf", font_family)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"print-five-milestones-{font_family.family}.pdf").write_bytes(pdf)
    assert b"/MediaBox [0 0 612 792]" in pdf  # US Letter: the shorter page
    assert pdf_pages(pdf) == 1


def test_demo_project_page_prints_compactly(tmp_path, font_family):
    """The demo's brand refresh has long approval notes: two pages at most."""
    build(
        BuildOptions(
            plans=REPO / "plans",
            out=tmp_path / "site",
            clients=("fable",),
            today=dt.date(2026, 11, 25),
            jobs=1,
        )
    )
    pdf = print_to_pdf(
        tmp_path / "site" / "fable" / "projects" / "brand-refresh.html",
        tmp_path / "fable.pdf",
        font_family,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"print-fable-brand-refresh-{font_family.family}.pdf").write_bytes(pdf)
    assert 1 <= pdf_pages(pdf) <= 2


def test_print_layout(five, tmp_path):
    """In print: no navigation, every milestone expanded, the timeline SVG (not the phone list)
    within the page width; on A4 too."""

    def check(browser):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(five.as_uri())
        assert page.locator("details.sb-milestone:not([open])").count() == 4
        page.emulate_media(media="print")
        for hidden in (
            ".md-header",
            ".md-sidebar--primary",
            ".md-sidebar--secondary",
            ".md-footer",
            ".sb-links",
            "ol.sb-timeline",
            ".headerlink",
        ):
            assert not page.locator(hidden).first.is_visible(), hidden
        acceptance = page.locator("details.sb-milestone .sb-acceptance")
        assert acceptance.count() == 5
        for n in range(5):  # open or not, every milestone's details are printed
            assert acceptance.nth(n).bounding_box()["height"] > 5, n
        svg = page.locator("svg.sb-tl-svg")
        content = page.locator(".md-content__inner").bounding_box()
        box = svg.bounding_box()
        assert svg.is_visible() and box["x"] >= content["x"] - 1
        assert box["x"] + box["width"] <= content["x"] + content["width"] + 1
        return page.pdf(format="A4", print_background=True)

    assert pdf_pages(in_browser(check)) == 1

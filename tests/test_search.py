"""Search finds a milestone: Material's search index has one result per milestone (its title,
status, due date and deliverables, a short preview), none for the timeline's text or the full
approval notes, and a page opened at a milestone's anchor shows that milestone opened."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from browser_support import in_browser
from bs4 import BeautifulSoup
from helpers import CLIENT_YML, PLAN_YML, approval, make_client

from site_builder.build import BuildOptions, build

TODAY = dt.date(2026, 2, 20)
LONG_NOTE = "We checked every screen on three phones and two tablets. " * 40
MANY_DELIVERABLES = "".join(
    f"      - Deliverable number {n} with a fairly long name\n" for n in range(30)
)
PLAN = PLAN_YML.replace("      - Mockups\n", "      - Mockups\n" + MANY_DELIVERABLES)


@pytest.fixture
def site(plans, tmp_path) -> Path:
    make_client(
        plans,
        "acme",
        CLIENT_YML,
        projects={"web": PLAN},
        approvals={
            "web": {
                "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09", body=LONG_NOTE),
                "2026-02-12-design.md": approval("design", "2026-02-12", "changes-requested"),
            }
        },
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    return tmp_path / "site" / "acme"


def entries(site: Path) -> list[dict]:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_one_short_result_per_milestone(site):
    docs = entries(site)
    found = {d["location"]: d for d in docs if "#milestone-" in d["location"]}
    assert list(found) == [
        f"projects/web.html#milestone-{m}" for m in ("kickoff", "design", "launch")
    ]
    assert [d["title"] for d in found.values()] == ["Kickoff done", "Design approved", "Site live"]
    kickoff, design, launch = (
        BeautifulSoup(d["text"], "html.parser").get_text() for d in found.values()
    )
    assert kickoff == "Approved · Due Jan 10, 2026"
    assert design.startswith(
        "Changes requested · Due Feb 10, 2026 · Deliverables: Mockups, Deliverable number 0"
    )
    assert launch == "Upcoming · Due Mar 10, 2026"
    assert all(len(d["text"]) < 300 for d in found.values())  # 30 deliverables: cut short
    # The anchor is on the page, inside the milestone's card.
    page = BeautifulSoup(
        (site / "projects" / "web.html").read_text(encoding="utf-8"), "html.parser"
    )
    heading = page.find(id="milestone-design")
    assert heading.name == "h3" and heading.find_parent("details")["id"] == "sb-milestone-design"


def test_no_timeline_text_and_no_full_notes_in_the_index(site):
    text = " ".join(d["title"] + " " + d["text"] for d in entries(site))
    assert "Kickoff done: due" not in text  # the timeline's text alternative
    assert "Legend" not in text and "Today" not in text
    history = next(d["text"] for d in entries(site) if d["location"].endswith("#approval-history"))
    assert "We checked every screen" in history and LONG_NOTE[200:] not in history
    assert len(history) < 600  # the note's beginning only
    assert "Mockups" in text  # deliverables are found


@pytest.mark.browser
def test_opening_a_milestone_anchor_opens_the_milestone(site):
    page_url = (site / "projects" / "web.html").as_uri()

    def run(browser):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(page_url + "#milestone-kickoff")
            page.wait_for_load_state("load")
            kickoff = page.locator("details#sb-milestone-kickoff")
            assert kickoff.evaluate("d => d.open && d.hasAttribute('data-sb-target')")
            assert not page.locator("details#sb-milestone-launch").evaluate("d => d.open")
            page.evaluate("location.hash = 'sb-milestone-launch'")  # a feed's link, same page
            page.wait_for_function(
                "document.getElementById('sb-milestone-launch').open && "
                "document.getElementById('sb-milestone-launch')"
                ".hasAttribute('data-sb-target')",
                timeout=5_000,
            )
            assert page.locator("details[data-sb-target]").count() == 1  # marked: one card
            return kickoff.locator("dl.sb-facts").is_visible()
        finally:
            context.close()

    assert in_browser(run)

"""Every date `check` accepts builds: dates are bounded to schema.DATE_RANGE (2000..2100).

Out-of-range dates in any date field (due, delivered, an approval's date, --today) are errors
naming file and line; a milestone date far from the plan's others is a warning; a site with
dates at both edges of the range, built on either edge, builds; a past revision of a plan
holding a date the loader would now refuse does not break the build.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from helpers import PLAN_YML, approval, commit_all, make_client

from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.plans.load import load_plans
from site_builder.plans.schema import DATE_RANGE


def _problems(plans) -> list[str]:
    _, diags = load_plans(plans)
    return [d.format() for d in diags.items]


@pytest.mark.parametrize(
    "bad", ["9999-12-31", "0226-03-10", "0001-01-01", "1999-12-31", "2101-01-01", "1900-02-28"]
)
def test_dates_outside_the_accepted_years_are_errors_in_every_date_field(bad, plans):
    plan = PLAN_YML.replace("due: 2026-03-10", f"due: {bad}").replace(
        "delivered: 2026-01-08", f"delivered: {bad}"
    )
    make_client(plans, projects={"web": plan}, approvals={"web": {"a.md": approval("design", bad)}})
    year = "outside the years site-builder accepts (2000 to 2100); check the year"
    assert [p for p in _problems(plans) if ": error: " in p] == [
        f"plans/acme/web/approvals/a.md:4: error: `date`: {bad} is {year}",
        f"plans/acme/web/plan.yml:8: error: `milestones[1].delivered`: {bad} is {year}",
        f"plans/acme/web/plan.yml:22: error: `milestones[3].due`: {bad} is {year}",
    ]


def test_the_edges_of_the_range_are_accepted(plans):
    first, last = DATE_RANGE
    assert (first, last) == (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
    plan = PLAN_YML.replace("due: 2026-01-10", "due: 2000-01-01").replace(
        "due: 2026-03-10", "due: 2100-12-31"
    )
    make_client(plans, projects={"web": plan})
    assert not [p for p in _problems(plans) if ": error: " in p]


def test_a_date_far_from_the_plans_others_is_a_warning(plans):
    """2062 for 2026 is inside the range: only its distance from the plan gives it away."""
    make_client(plans, projects={"web": PLAN_YML.replace("due: 2026-02-10", "due: 2062-02-10")})
    assert _problems(plans) == [
        "plans/acme/web/plan.yml:12: warning: 2062-02-10 is more than 5 years from this "
        "plan's other dates (their median is 2026-02-05); check the year"
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["build", "--out", "site", "--today"],
        ["status", "--today"],
        ["serve", "--today"],
        ["approve", "acme/web", "kickoff", "--date"],
    ],
)
def test_today_outside_the_range_is_a_usage_error(command, plans):
    """--today (and approve's --date, which becomes a note's `date:`) are dates too."""
    make_client(plans)
    result = CliRunner().invoke(main, [*command, "9999-12-31", "--plans", str(plans)])
    assert result.exit_code == 2, result.output
    assert "9999-12-31 is outside the years site-builder accepts (2000 to 2100)" in result.output


@pytest.mark.parametrize("today", ["2000-01-01", "2100-12-31"])
def test_a_site_with_dates_at_both_edges_builds_on_either_edge(today, plans, tmp_path):
    """Calendars add a day to due dates, timelines pad the range, feeds count days: none of it
    may leave the dates Python can hold for any accepted input."""
    plan = """\
title: Edges
currency: EUR
milestones:
  - id: first
    title: First
    due: 2000-01-01
    delivered: 2000-01-01
    invoice: 1
  - id: last
    title: Last
    due: 2100-12-31
    delivered: 2100-12-31
    depends_on: [first]
  - id: open
    title: Open
    due: 2100-12-31
"""
    make_client(
        plans,
        projects={"web": plan},
        approvals={
            "web": {
                "a.md": approval("first", "2000-01-01"),
                "b.md": approval("last", "2100-12-31", decision="changes-requested"),
            }
        },
    )
    commit_all(plans.parent, "plans", "2026-01-20")
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["build", "--plans", str(plans), "--out", str(out), "--today", today, "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    status = json.loads((out / "acme" / "status.json").read_text())
    dues = [m["due"] for p in status["projects"] for m in p["milestones"]]
    assert dues == ["2000-01-01", "2100-12-31", "2100-12-31"]
    assert "DTSTART;VALUE=DATE:21001231" in (out / "acme" / "calendar.ics").read_text()


def test_a_past_revision_with_a_date_now_refused_does_not_break_the_build(plans, tmp_path):
    make_client(plans, projects={"web": PLAN_YML.replace("due: 2026-03-10", "due: 9999-12-31")})
    commit_all(plans.parent, "typo", "2026-01-05")
    make_client(plans, projects={"web": PLAN_YML.replace("due: 2026-03-10", "due: 0001-01-01")})
    commit_all(plans.parent, "another typo", "2026-01-06")
    make_client(plans, projects={"web": PLAN_YML})
    commit_all(plans.parent, "fixed", "2026-01-07")
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=dt.date(2026, 2, 1), jobs=1))
    assert (tmp_path / "site" / "acme" / "index.html").is_file()

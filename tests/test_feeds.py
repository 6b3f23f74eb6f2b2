"""feed.xml, calendar.ics, status badges and publishing templates: real builds, real parsers."""

import datetime as dt
import xml.etree.ElementTree as ET
import zoneinfo
from pathlib import Path

import feedparser
import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import PLAN_YML, approval, commit_all, make_client

from site_builder import derive
from site_builder.build import BuildOptions, build
from site_builder.model import MilestoneHistory, ScheduleChange
from site_builder.plans.load import load_plans
from site_builder.site import feeds
from site_builder.site.i18n import Translator

REPO = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
TODAY = "2026-02-01"
BASE = "https://status.example.com/acme/"
SECRETS = (b"acme.example", b"agency.example", b"SECRET-")

ACME_YML = f"""\
name: Acme Widgets
timezone: UTC
site:
  url: {BASE.rstrip("/")}
access: {{mode: public}}   # only public sites use site.url
internal: {{margin: SECRET-MARGIN}}
"""
# The test plan, with emails in an owner and a deliverable, and an internal note.
ACME_PLAN = (
    PLAN_YML.replace(
        "    title: Design approved\n",
        "    title: Design approved\n    owner: Bo <bo@agency.example>\n",
    )
    .replace("      - Mockups\n", "      - Mockups (ask mo@agency.example)\n      - Style tiles\n")
    .replace("    invoice: 6000\n", "    invoice: 6000\n    internal: {note: SECRET-LAUNCH}\n")
)


def run(plans, out, today=TODAY, clients=()):
    return build(
        BuildOptions(
            plans=plans, out=out, clients=tuple(clients), jobs=1, today=dt.date.fromisoformat(today)
        )
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def acme(plans):
    return make_client(
        plans,
        client_yml=ACME_YML,
        projects={"web": ACME_PLAN},
        approvals={
            "web": {
                "2026-01-09-kickoff.md": approval(
                    "kickoff",
                    "2026-01-09",
                    by="Ada Client <ada@acme.example>",
                    body="Great **start**, thanks. Mail me at ada@acme.example.\n",
                    extra="internal: {x: SECRET-NOTE}\n",
                ),
                "2026-01-20-design.md": approval(
                    "design",
                    "2026-01-20",
                    "changes-requested",
                    body="Please make the logo *bigger*.\n",
                ),
            }
        },
    )


@pytest.fixture
def strict(plans):
    """Signatures required, no site.url: notes don't count, links stay relative."""
    return make_client(
        plans,
        slug="strict",
        client_yml="name: Strict Co\nrequire_signed_approvals: true\n",
        approvals={"web": {"n1.md": approval("kickoff", "2026-01-09")}},
    )


# --- feed.xml ---------------------------------------------------------------------------------


def test_feed_parses_with_feedparser_entries_ids_dates_links(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "acme"
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Acme Widgets: project status"
    assert parsed.feed.author == "Acme Widgets"
    assert parsed.feed.id == "tag:site-builder,2026:acme/feed"
    assert {link.rel: link.href for link in parsed.feed.links} == {
        "self": BASE + "feed.xml",
        "alternate": BASE + "index.html",
    }
    # the newest decision (not the clock), at noon in the client's zone
    assert parsed.feed.updated == "2026-01-20T12:00:00+00:00"

    entries = parsed.entries
    assert [e.id for e in entries] == [  # newest first
        "tag:site-builder,2026:acme/web/approvals/2026-01-20-design.md",
        "tag:site-builder,2026:acme/web/approvals/2026-01-09-kickoff.md",
    ]
    design, kickoff = entries
    assert design.title == "Website relaunch: Design approved (Changes requested)"
    assert design.updated_parsed[:3] == (2026, 1, 20)
    assert kickoff.updated_parsed[:6] == (2026, 1, 9, 12, 0, 0)
    assert design.link == BASE + "projects/web.html#sb-approval-2026-01-20-design"
    assert kickoff.author == "Ada Client"
    assert [t.term for t in design.tags] == ["changes-requested"]
    content = design.content[0]
    assert content.type == "text/html"
    assert "<em>bigger</em>" in content.value and "Not signed" in content.value
    assert "<strong>start</strong>" in kickoff.content[0].value
    assert "[email hidden]" in kickoff.content[0].value

    # The entry links point at elements that exist on the project page.
    page = soup(site / "projects" / "web.html")
    for entry in entries:
        assert page.find(id=entry.link.split("#", 1)[1]) is not None, entry.link


def test_feed_is_atom_per_elementtree(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    root = ET.parse(tmp_path / "site" / "acme" / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated").replace("Z", "+00:00"))
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link.get("href").startswith(BASE + "projects/web.html#")
        assert entry.find(f"{ATOM}content").get("type") == "html"


def test_feed_marks_notes_that_do_not_count_and_keeps_links_relative(plans, strict, tmp_path):
    run(plans, tmp_path / "site")
    parsed = feedparser.parse((tmp_path / "site" / "strict" / "feed.xml").read_bytes())
    assert not parsed.bozo
    [entry] = [e for e in parsed.entries if e.tags[0].term == "approved"]
    assert entry.title == "Website relaunch: Kickoff done (Approved) [not counted]"
    assert "does not count: a verified signature is required" in entry.content[0].value
    assert entry.link == "projects/web.html#sb-approval-n1"
    assert {link.rel: link.href for link in parsed.feed.links} == {
        "self": "feed.xml",
        "alternate": "index.html",
    }


def test_feed_without_entries_is_dated_today(plans, tmp_path):
    undelivered = PLAN_YML.replace("    delivered: 2026-01-08\n", "").replace(
        "    delivered: 2026-02-05\n", ""
    )
    make_client(plans, slug="quiet", projects={"web": undelivered})
    run(plans, tmp_path / "site")
    root = ET.parse(tmp_path / "site" / "quiet" / "feed.xml").getroot()
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == f"{TODAY}T12:00:00+00:00"


# --- calendar.ics -----------------------------------------------------------------------------


def events(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_calendar_has_one_all_day_event_per_unapproved_milestone(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    path = tmp_path / "site" / "acme" / "calendar.ics"
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(cal["prodid"]) == feeds.PRODID and str(cal["version"]) == "2.0"
    assert "Acme Widgets" in str(cal["x-wr-calname"])
    found = events(path)
    # kickoff is approved: no event. design has changes requested, launch is upcoming.
    assert list(found) == ["design.web.acme@site-builder", "launch.web.acme@site-builder"]
    design = found["design.web.acme@site-builder"]
    start, end = design.decoded("dtstart"), design.decoded("dtend")
    assert type(start) is dt.date and type(end) is dt.date  # all-day, not date-times
    assert (start, end) == (dt.date(2026, 2, 10), dt.date(2026, 2, 11))
    assert design["dtstart"].params.get("VALUE") == "DATE"
    assert design.decoded("dtstamp") == dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)
    assert str(design["summary"]) == "Website relaunch: Design approved"
    description = str(design["description"])
    assert "Status: Changes requested" in description
    assert "Owner: Bo <[email hidden]>" in description
    assert "Deliverables: Mockups (ask [email hidden]), Style tiles" in description
    assert BASE + "projects/web.html#sb-milestone-design" in description
    assert str(design["url"]) == BASE + "projects/web.html#sb-milestone-design"
    launch = found["launch.web.acme@site-builder"]
    assert "Status: Upcoming" in str(launch["description"])
    assert launch.decoded("dtstart") == dt.date(2026, 3, 10)


def test_calendar_uids_stable_across_days_only_dtstamp_moves(plans, acme, tmp_path):
    run(plans, tmp_path / "a", today="2026-02-01")
    run(plans, tmp_path / "b", today="2026-02-03")
    first, second = (events(tmp_path / d / "acme" / "calendar.ics") for d in ("a", "b"))
    assert list(first) == list(second)
    for uid in first:
        a, b = first[uid], second[uid]
        assert a.decoded("dtstamp").date() == dt.date(2026, 2, 1)
        assert b.decoded("dtstamp").date() == dt.date(2026, 2, 3)
        for key in ("dtstart", "dtend", "summary", "description", "url", "sequence"):
            assert a.get(key) == b.get(key), (uid, key)


def test_calendar_and_feed_links_relative_without_site_url(plans, strict, tmp_path):
    run(plans, tmp_path / "site")
    found = events(tmp_path / "site" / "strict" / "calendar.ics")
    # Nothing counts (signatures required), so every milestone is still open.
    assert list(found) == [f"{m}.web.strict@site-builder" for m in ("kickoff", "design", "launch")]
    kickoff = found["kickoff.web.strict@site-builder"]
    assert "url" not in kickoff
    assert "projects/web.html#sb-milestone-kickoff" in str(kickoff["description"])
    # due 2026-01-10, delivered 2026-01-08, the decision was due 2026-01-15; today 2026-02-01
    assert "Status: Awaiting your approval · Decision overdue" in str(kickoff["description"])
    assert "overdue)" not in str(kickoff["description"])


# --- reproducibility and privacy --------------------------------------------------------------


def test_feed_calendar_badges_are_byte_identical_across_builds(plans, acme, strict, tmp_path):
    run(plans, tmp_path / "a")
    run(plans, tmp_path / "b")
    for client in ("acme", "strict"):
        for name in ("feed.xml", "calendar.ics", "badges/web.svg"):
            a = (tmp_path / "a" / client / name).read_bytes()
            assert a == (tmp_path / "b" / client / name).read_bytes(), (client, name)


def test_no_email_or_internal_field_in_feed_calendar_or_badge(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "acme"
    for name in ("feed.xml", "calendar.ics", "badges/web.svg"):
        data = (site / name).read_bytes()
        for marker in SECRETS:
            assert marker not in data, (name, marker)


# --- badges -----------------------------------------------------------------------------------


def badge_texts(data: bytes) -> tuple[list[str], str]:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") is None]
    message_rect = root.findall(f".//{SVG}rect")[2]
    return texts, message_rect.get("fill")


def test_badge_in_built_site(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    texts, color = badge_texts((tmp_path / "site" / "acme" / "badges" / "web.svg").read_bytes())
    assert texts == ["milestones", "1/3"]
    assert color == feeds.BADGE_COLORS["on-track"]


@pytest.mark.parametrize(
    "today, health",
    [("2026-01-01", "on-track"), ("2026-02-05", "at-risk"), ("2026-03-20", "overdue")],
)
def test_badge_colour_follows_health(plans, acme, today, health):
    state = client_state(plans, "acme", today)
    [p] = state.projects
    assert p.health == health
    texts, color = badge_texts(feeds.status_badge(p))
    assert color == feeds.BADGE_COLORS[health] and texts[1] == "1/3"


def test_badge_escapes_text(plans, acme):
    [p] = client_state(plans, "acme", TODAY).projects
    data = feeds.status_badge(p, label='<b>"&"</b>')
    texts, _ = badge_texts(data)
    assert texts[0] == '<b>"&"</b>' and b"<b>" not in data


def test_complete_project_badge_is_green(plans):
    notes = {f"{m}.md": approval(m, "2026-01-09") for m in ("kickoff", "design", "launch")}
    make_client(plans, slug="done", approvals={"web": notes})
    [p] = client_state(plans, "done", TODAY).projects
    assert p.health == "complete"
    texts, color = badge_texts(feeds.status_badge(p))
    assert texts[1] == "3/3" and color == feeds.BADGE_COLORS["complete"]


# --- schedule changes (hand-made history) -----------------------------------------------------


def client_state(plans, slug, today, history=None):
    loaded, diags = load_plans(plans, [slug])
    assert not diags.errors, [d.format() for d in diags.errors]
    return derive.derive_client(loaded.client(slug), dt.date.fromisoformat(today), history)


def moved_launch():
    change = ScheduleChange(
        milestone="launch",
        old_due=dt.date(2026, 2, 24),
        new_due=dt.date(2026, 3, 10),
        date=dt.date(2026, 1, 25),
        commit="1a2b3c4",
        author="Pat Planner <pat@agency.example>",
        subject="SECRET-SUBJECT: client paid late",
    )
    return {("web", "launch"): MilestoneHistory(dt.date(2026, 2, 24), (change,))}


def test_schedule_change_entries(plans, acme):
    state = client_state(plans, "acme", TODAY, moved_launch())
    t = Translator("en")
    entries = feeds.feed_entries(state, t)
    assert [e.id for e in entries] == [  # newest first: the move was committed on Jan 25
        "tag:site-builder,2026:acme/web/schedule/launch/1a2b3c4",
        "tag:site-builder,2026:acme/web/approvals/2026-01-20-design.md",
        "tag:site-builder,2026:acme/web/approvals/2026-01-09-kickoff.md",
    ]
    change = entries[0]
    assert change.updated == dt.date(2026, 1, 25) and change.category == "schedule-change"
    assert change.title == "Website relaunch: Site live (due date moved to Mar 10, 2026)"
    assert change.link == BASE + "projects/web.html#sb-milestone-launch"
    assert change.author is None
    assert "planned for Feb 24, 2026, moved to Mar 10, 2026 on Jan 25, 2026" in change.content_html

    data = feeds.atom_feed(state, t)
    for marker in SECRETS:
        assert marker not in data, marker
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    entry = parsed.entries[0]
    assert entry.id == change.id and entry.updated_parsed[:3] == (2026, 1, 25)
    assert "author" not in entry  # inherits the feed's author (the client), never the commit's
    assert parsed.feed.author == "Acme Widgets"
    assert [t.term for t in entry.tags] == ["schedule-change"]


def test_schedule_change_bumps_event_sequence_only(plans, acme):
    t = Translator("en")
    before = events_of(feeds.calendar_ics(client_state(plans, "acme", TODAY), t))
    after = events_of(feeds.calendar_ics(client_state(plans, "acme", TODAY, moved_launch()), t))
    uid = "launch.web.acme@site-builder"
    assert list(before) == list(after)
    assert before[uid].decoded("sequence") == 0 and after[uid].decoded("sequence") == 1
    assert after[uid].decoded("dtstart") == dt.date(2026, 3, 10)


def events_of(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["uid"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_feed_ids_never_depend_on_the_build_date(plans, acme):
    t = Translator("en")
    one = feeds.feed_entries(client_state(plans, "acme", "2026-02-01", moved_launch()), t)
    two = feeds.feed_entries(client_state(plans, "acme", "2026-06-30", moved_launch()), t)
    assert one == two


# --- links on the site ------------------------------------------------------------------------


def test_pages_link_feed_calendar_status_and_badge(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "acme"
    index = soup(site / "index.html")
    links = index.select_one("#sb-links")
    assert links.select_one(".sb-link-feed")["href"] == "feed.xml"
    assert links.select_one(".sb-link-calendar")["href"] == "calendar.ics"
    assert (
        links.select_one(".sb-link-webcal")["href"]
        == "webcal://status.example.com/acme/calendar.ics"
    )
    assert links.select_one(".sb-link-status")["href"] == "status.json"
    assert index.select_one("#sb-project-web img.sb-badge") is None  # the progress bar says it
    alternate = index.find("link", rel="alternate", type="application/atom+xml")
    assert alternate["href"] == "feed.xml" and alternate["title"] == "Acme Widgets"

    page = soup(site / "projects" / "web.html")
    links = page.select_one("#sb-links")
    for cls, target in (
        ("feed", "feed.xml"),
        ("calendar", "calendar.ics"),
        ("status", "status.json"),
        ("badge", "badges/web.svg"),
    ):
        href = links.select_one(f".sb-link-{cls}")["href"]
        assert href == f"../{target}"
        assert (site / "projects" / href).resolve().is_file(), href
    assert links.select_one("img.sb-badge")["src"] == "../badges/web.svg"
    assert (
        links.select_one(".sb-embed").get_text()
        == f"[![milestones]({BASE}badges/web.svg)]({BASE}projects/web.html)"
    )
    assert page.find("link", rel="alternate", type="application/atom+xml")["href"] == "../feed.xml"


def test_no_webcal_or_embed_without_site_url(plans, strict, tmp_path):
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "strict"
    assert soup(site / "index.html").select_one(".sb-link-webcal") is None
    page = soup(site / "projects" / "web.html")
    assert page.select_one(".sb-embed") is None
    assert page.select_one(".sb-link-feed")["href"] == "../feed.xml"


# --- publishing templates ---------------------------------------------------------------------


def test_github_workflow_checks_pull_requests_and_deploys_pages():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "status-sites.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]

    def runs(job):
        return "\n".join(step.get("run", "") for step in jobs[job]["steps"])

    def uses(job):
        return [step.get("uses", "").split("@")[0] for step in jobs[job]["steps"]]

    assert "site-builder check --strict" in runs("check")
    assert "pull_request" in jobs["check"]["if"]
    assert "site-builder build" in runs("build")
    assert "site-builder publish --out _site --to public_dir --target static" in runs("build")
    upload = next(s for s in jobs["build"]["steps"] if "upload-pages" in s.get("uses", ""))
    assert upload["with"]["path"] == "public_dir/www"  # never the access files
    checkout = next(s for s in jobs["build"]["steps"] if "checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0
    assert "actions/upload-pages-artifact" in uses("build")
    assert uses("deploy") == ["actions/deploy-pages"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_gitlab_ci_checks_and_publishes_public():
    ci = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text())
    assert "site-builder check --strict" in ci["check"]["script"]
    assert "site-builder build --out site" in ci["pages"]["script"]
    # --target static: GitLab Pages cannot ask for a login, so publish fails on a host-mode
    # client before `public` exists
    assert (
        "site-builder publish --out site --to public_dir --target static" in ci["pages"]["script"]
    )
    assert "mv public_dir/www public" in ci["pages"]["script"]
    assert ci["pages"]["artifacts"]["paths"] == ["public"]
    assert ci["variables"]["GIT_DEPTH"] == "0"


def test_email_in_a_note_file_name_is_not_published(plans, tmp_path):
    make_client(
        plans,
        slug="named",
        approvals={
            "web": {
                "ada@acme.example.md": approval("kickoff", "2026-01-09"),
                "bob@acme.example.md": approval("design", "2026-01-10"),
            }
        },
    )
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "named"
    data = (site / "feed.xml").read_bytes()
    assert b"acme.example" not in data
    parsed = feedparser.parse(data)
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == 2 and all("/approvals/note-" in i for i in ids)
    page = soup(site / "projects" / "web.html")
    for entry in parsed.entries:
        assert page.find(id=entry.link.split("#", 1)[1]) is not None


# --- deliveries, local dates, SEQUENCE from git, status wording --------------------------------

LA_YML = ACME_YML.replace("timezone: UTC", "timezone: America/Los_Angeles")


def test_feed_announces_deliveries_awaiting_approval_with_absolute_links(plans, tmp_path):
    # kickoff and design are delivered with no decision: both await the client's approval
    make_client(plans, client_yml=ACME_YML, projects={"web": ACME_PLAN})
    run(plans, tmp_path / "site")
    parsed = feedparser.parse((tmp_path / "site" / "acme" / "feed.xml").read_bytes())
    assert not parsed.bozo
    delivered = [e for e in parsed.entries if e.tags[0].term == "delivered"]
    assert [e.title for e in delivered] == [
        "Website relaunch: Design approved (Awaiting your approval)",
        "Website relaunch: Kickoff done (Awaiting your approval)",
    ]
    design, _ = delivered
    assert design.link == BASE + "projects/web.html#sb-milestone-design"
    assert design.updated_parsed[:3] == (2026, 2, 5)
    assert "Delivered: Feb 5, 2026" in design.content[0].value
    assert "[email hidden]" in design.content[0].value  # the deliverable's address
    assert b"mo@agency.example" not in (tmp_path / "site" / "acme" / "feed.xml").read_bytes()
    page = soup(tmp_path / "site" / "acme" / "projects" / "web.html")
    assert page.find(id="sb-milestone-design") is not None


def test_feed_dates_stay_on_their_day_west_of_utc(plans, tmp_path):
    make_client(
        plans,
        client_yml=LA_YML,
        projects={"web": ACME_PLAN},
        approvals={"web": {"2026-01-09-kickoff.md": approval("kickoff", "2026-01-09")}},
    )
    run(plans, tmp_path / "site")
    root = ET.parse(tmp_path / "site" / "acme" / "feed.xml").getroot()
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    for entry in root.findall(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}id").endswith("2026-01-09-kickoff.md"):
            stamp = dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
            assert entry.findtext(f"{ATOM}updated") == "2026-01-09T12:00:00-08:00"
            assert stamp.astimezone(la).date() == dt.date(2026, 1, 9)
            assert stamp.astimezone(dt.timezone.utc).date() == dt.date(2026, 1, 9)
            break
    else:
        raise AssertionError("no kickoff entry")


def test_calendar_sequence_grows_with_each_change_from_git(plans, tmp_path):
    make_client(plans, client_yml=ACME_YML, projects={"web": ACME_PLAN})
    commit_all(tmp_path, "Plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"

    def launch(out):
        run(plans, tmp_path / out)
        return events(tmp_path / out / "acme" / "calendar.ics")["launch.web.acme@site-builder"]

    first = launch("s1")
    assert first.decoded("sequence") == 0
    plan.write_text(plan.read_text().replace("due: 2026-03-10", "due: 2026-03-17"))
    commit_all(tmp_path, "Launch a week later", "2026-01-12")
    second = launch("s2")
    assert second.decoded("sequence") == 1
    assert second.decoded("last-modified") == dt.datetime(2026, 1, 12, tzinfo=dt.timezone.utc)
    plan.write_text(plan.read_text().replace("title: Site live", "title: Site live (phase 1)"))
    commit_all(tmp_path, "Rename launch", "2026-01-15")
    third = launch("s3")
    assert third.decoded("sequence") == 2
    assert third.decoded("last-modified") == dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc)
    assert launch("s4").to_ical() == third.to_ical()  # reproducible
    # the feed announces the schedule change found in git history
    parsed = feedparser.parse((tmp_path / "s3" / "acme" / "feed.xml").read_bytes())
    moved = [e for e in parsed.entries if e.tags[0].term == "schedule-change"]
    assert [e.title for e in moved] == [
        "Website relaunch: Site live (phase 1) (due date moved to Mar 17, 2026)"
    ]
    assert moved[0].link == BASE + "projects/web.html#sb-milestone-launch"


def test_calendar_status_of_a_late_milestone_never_contradicts_itself(plans, acme, tmp_path):
    run(plans, tmp_path / "site", today="2026-03-20")
    found = events(tmp_path / "site" / "acme" / "calendar.ics")
    launch = str(found["launch.web.acme@site-builder"]["description"])
    assert "Status: Upcoming · Late on our side" in launch
    assert "(overdue)" not in launch
    design = str(found["design.web.acme@site-builder"]["description"])
    assert "Status: Changes requested · Late on our side" in design

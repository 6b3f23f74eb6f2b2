"""The client's next step (derive.next_step): whose move, on which milestone, by when; shown at
the top of the home and project pages, in status.json, in every language; and what the client
page no longer shows (jargon, links that cannot work, a blaming "Overdue")."""

import datetime as dt
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import CLIENT_YML, PLAN_YML, approval, make_client

from site_builder import derive
from site_builder.build import BuildOptions, build
from site_builder.derive import (
    CLIENT,
    DONE,
    NOBODY,
    REVIEW,
    REVISE,
    TEAM,
    WORKING,
    derive_project,
    next_step,
)
from site_builder.model import Approval, Client, Milestone, Project, Source
from site_builder.plans.load import load_plans
from site_builder.site.i18n import Translator
from site_builder.site.render import render_site

D = dt.date.fromisoformat
SRC = Source(Path("plan.yml"), 1)
TEMPLATES = Path(__file__).parent.parent / "theme" / "pages"


def ms(mid, due, delivered=None, approve_by=None):
    return Milestone(
        id=mid,
        title=f"{mid.title()} milestone",
        due=D(due),
        source=SRC,
        delivered=D(delivered) if delivered else None,
        approve_by=D(approve_by) if approve_by else None,
    )


def note(milestone, date, decision="approved"):
    return Approval(
        name=f"{date}-{milestone}.md",
        milestone=milestone,
        decision=decision,
        date=D(date),
        by_name="Ada",
        by_email="ada@x.example",
        source=SRC,
        signature="unsigned",
    )


def state(milestones, approvals=(), today="2026-02-01"):
    client = Client(slug="c", name="C", path=Path("c"), source=SRC)
    project = Project(
        slug="p",
        title="P",
        path=Path("p"),
        source=SRC,
        milestones=tuple(milestones),
        approvals=tuple(approvals),
    )
    return derive_project(client, project, D(today))


# --- derive -----------------------------------------------------------------------------------


def test_delivered_milestone_asks_the_client_to_review_by_approve_by():
    p = state([ms("design", "2026-02-10", "2026-02-05", approve_by="2026-02-12")])
    step = p.next_step
    assert (step.whose, step.action, step.milestone.id, step.by, step.late) == (
        CLIENT,
        REVIEW,
        "design",
        D("2026-02-12"),
        False,
    )


def test_without_approve_by_the_client_gets_the_due_date_or_five_working_days():
    # Delivered Thursday 2026-02-05, due 2026-02-06: 5 working days -> Thursday 2026-02-12.
    assert state([ms("d", "2026-02-06", "2026-02-05")]).next_step.by == D("2026-02-12")
    # Delivered early: the due date is later than 5 working days, so it stands.
    assert state([ms("d", "2026-03-20", "2026-02-02")]).next_step.by == D("2026-03-20")
    assert derive.add_working_days(D("2026-02-06"), 1) == D("2026-02-09")  # Friday -> Monday


def test_a_past_approve_by_is_the_clients_delay():
    p = state([ms("d", "2026-01-20", "2026-01-10", approve_by="2026-01-25")], today="2026-02-01")
    assert p.next_step.late and p.next_step.whose == CLIENT
    assert derive.delay_owner(p.current, D("2026-02-01")) == CLIENT


@pytest.mark.parametrize("decision", ["changes-requested", "rejected"])
def test_after_changes_requested_or_rejected_it_is_the_teams_move(decision):
    p = state([ms("d", "2026-02-10", "2026-02-01")], [note("d", "2026-02-02", decision)])
    step = p.next_step
    assert (step.whose, step.action, step.milestone.id, step.by, step.late) == (
        TEAM,
        REVISE,
        "d",
        D("2026-02-10"),
        False,
    )


def test_overdue_while_the_team_revises_is_the_teams_delay_not_the_clients():
    p = state(
        [ms("d", "2026-01-20", "2026-01-10")],
        [note("d", "2026-01-12", "changes-requested")],
        today="2026-02-01",
    )
    assert p.current.overdue
    assert (p.next_step.whose, p.next_step.late) == (TEAM, True)
    assert derive.delay_owner(p.current, D("2026-02-01")) == TEAM


def test_not_delivered_yet_the_team_is_working_and_the_client_waits():
    p = state(
        [ms("a", "2026-01-10", "2026-01-08"), ms("b", "2026-03-01")], [note("a", "2026-01-09")]
    )
    step = p.next_step
    assert (step.whose, step.action, step.milestone.id, step.by, step.late) == (
        TEAM,
        WORKING,
        "b",
        D("2026-03-01"),
        False,
    )


def test_everything_approved_nobody_owes_a_move():
    p = state([ms("a", "2026-01-10", "2026-01-08")], [note("a", "2026-01-09")])
    assert (p.next_step.whose, p.next_step.action, p.next_step.milestone) == (NOBODY, DONE, None)
    assert next_step(None, D("2026-01-01")).action == DONE


def test_delivered_late_but_within_the_clients_time_is_the_teams_delay():
    p = state([ms("d", "2026-01-20", "2026-01-30")], today="2026-02-01")
    assert p.current.overdue and not p.next_step.late
    assert derive.delay_owner(p.current, D("2026-02-01")) == TEAM
    on_time = state([ms("d", "2026-01-30", "2026-01-29")], today="2026-02-01")
    assert on_time.current.overdue and derive.delay_owner(on_time.current, D("2026-02-01")) is None


# --- plural labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, one, many",
    [
        ("en", "0 of 1 milestone approved", "1 of 3 milestones approved"),
        ("de", "0 von 1 Meilenstein freigegeben", "1 von 3 Meilensteinen freigegeben"),
        ("es", "0 de 1 hito aprobado", "1 de 3 hitos aprobados"),
        ("nl", "0 van 1 mijlpaal goedgekeurd", "1 van 3 mijlpalen goedgekeurd"),
    ],
)
def test_counts_use_the_languages_plural_forms(language, one, many):
    t = Translator(language)
    assert t("approved_of", approved=0, total=1, count=1) == one
    assert t("approved_of", approved=1, total=3, count=3) == many
    assert t("timeline.summary", count=1, start="a", end="b", today="c").split(",")[0] in (
        "1 milestone",
        "1 Meilenstein",
        "1 hito",
        "1 mijlpaal",
    )


def test_french_plural_rule_counts_zero_as_one():
    t = Translator("fr")
    assert t("timeline.summary", count=0, start="a", end="b", today="c").startswith("0 jalon,")
    assert t("timeline.summary", count=2, start="a", end="b", today="c").startswith("2 jalons,")


# --- built sites ------------------------------------------------------------------------------

REVIEW_PLAN = PLAN_YML.replace(
    "    delivered: 2026-02-05\n", "    delivered: 2026-02-05\n    approve_by: 2026-02-13\n"
)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def built(
    plans,
    tmp_path,
    client_yml=CLIENT_YML,
    plan=REVIEW_PLAN,
    notes=None,
    today="2026-02-09",
    language=None,
):
    yml = client_yml + (f"language: {language}\n" if language else "")
    make_client(
        plans,
        client_yml=yml,
        projects={"web": plan},
        approvals={"web": notes or {"2026-01-09-kickoff.md": approval("kickoff", "2026-01-09")}},
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=D(today), jobs=1))
    return tmp_path / "site" / "acme"


def test_home_and_project_page_say_what_the_client_must_do_and_by_when(plans, tmp_path):
    site = built(
        plans,
        tmp_path,
        client_yml=CLIENT_YML + "contact: {name: Sam Lee, email: sam@agency.example}\n",
    )
    index = soup(site / "index.html")
    card = index.select_one("#sb-project-web")
    step = card.select_one(".sb-next-step")
    text = step.get_text(" ", strip=True)
    assert "review Design approved" in text and "by Feb 13, 2026" in text
    assert "Ask Sam Lee" in text and "sam@agency.example" not in str(index)
    # It comes before the progress bar and the current checkpoint: first thing in the card.
    assert card.find_all(["div", "p"], recursive=False)[0] is step
    links = [a["href"] for a in step.select("a")]
    assert "projects/web.html#sb-deliverables-design" in links
    assert "projects/web.html#sb-approve-design" in links

    page = soup(site / "projects" / "web.html")
    step = page.select_one(".sb-glance .sb-next-step")
    assert "review Design approved" in step.get_text(" ", strip=True)
    assert "Feb 13, 2026" in step.get_text(" ", strip=True)
    anchors = {a["href"] for a in step.select("a")}
    assert anchors == {"#sb-deliverables-design", "#sb-approve-design"}
    for anchor in anchors:  # every link lands on something on the page
        assert page.select_one(anchor) is not None, anchor

    status = json.loads((site / "status.json").read_text())
    assert status["projects"][0]["next_step"] == {
        "whose": "client",
        "action": "review",
        "milestone": "design",
        "by": "2026-02-13",
        "late": False,
    }


def test_the_teams_delay_is_never_the_clients_overdue(plans, tmp_path):
    site = built(
        plans,
        tmp_path,
        today="2026-02-20",
        notes={
            "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09"),
            "2026-02-06-design.md": approval("design", "2026-02-06", "changes-requested"),
        },
    )
    for path in (site / "index.html", site / "projects" / "web.html"):
        page = soup(path)
        text = page.select_one(".sb-next-step").get_text(" ", strip=True)
        assert "revising Design approved after your feedback" in text
        assert "late on our side" in text and "Feb 10, 2026" in text
        tags = [t.get_text(strip=True) for t in page.select(".sb-overdue, .sb-health")]
        assert "Late on our side" in tags
        assert "Overdue" not in tags and "Decision overdue" not in tags, tags


def test_the_next_step_is_in_the_sites_language(plans, tmp_path):
    site = built(plans, tmp_path, language="de")
    text = soup(site / "index.html").select_one(".sb-next-step").get_text(" ", strip=True)
    assert "Bitte prüfen Sie Design approved" in text and "bis 13.02.2026" in text


def test_money_on_the_home_page_and_a_billing_table_with_totals(plans, tmp_path):
    site = built(plans, tmp_path)
    card = soup(site / "index.html").select_one("#sb-project-web")
    assert card.select_one(".sb-money-line").get_text(strip=True) == "Invoiced €1,000 of €10,000"
    assert card.select_one(".sb-money-line a")["href"] == "projects/web.html#billing"
    billing = soup(site / "projects" / "web.html").select_one("table.sb-billing")
    row = billing.select("tbody tr")[0]
    assert row.th.get_text(strip=True) == "Kickoff done"
    status, amount = row.select("td")
    assert status["data-label"] == "Status" and amount["data-label"] == "Invoice"
    assert "sb-num" in amount["class"] and amount.get_text(strip=True) == "€1,000.00"
    assert not amount.select(".sb-status")  # the tag has its own cell
    assert len(billing.select("tfoot tr.sb-billing-total")) == 2
    css = (
        TEMPLATES.parent / "overrides" / "assets" / "stylesheets" / "site-builder.css"
    ).read_text()
    assert "@media screen and (max-width: 600px)" in css and "attr(data-label)" in css


def test_no_jargon_on_the_client_page(plans, tmp_path):
    site = built(plans, tmp_path)
    index, page = soup(site / "index.html"), soup(site / "projects" / "web.html")
    for soup_ in (index, page):
        text = soup_.select_one("article").get_text(" ", strip=True)
        for jargon in ("Atom feed", "calendar.ics", "(status.json)", "Not signed"):
            assert jargon not in text, jargon
        assert soup_.select_one(".sb-link-feed").get_text() == "Get updates"
        assert soup_.select_one(".sb-link-calendar").get_text() == "Add deadlines to your calendar"
        assert soup_.select_one(".sb-link-status").find_parent("details") is not None
    assert index.select_one("#sb-project-web img.sb-badge") is None  # the bar says it
    assert index.select("h1") and "Acme Widgets" not in index.select_one("article").get_text()
    assert "Acme Widgets" not in page.select_one(".sb-asof").get_text()


def test_signature_state_only_where_it_means_something(plans, tmp_path):
    required = CLIENT_YML + "require_signed_approvals: true\n"
    site = built(plans, tmp_path, client_yml=required)
    note = soup(site / "projects" / "web.html").select_one(".sb-approval")
    assert note.select_one(".sb-signature-unsigned").get_text(strip=True) == "⚠ Not signed"


def test_a_password_site_links_neither_status_json_nor_badges(plans):
    make_client(
        plans, client_yml="name: Acme Widgets\naccess:\n  mode: password\n  password_env: ACME_PW\n"
    )
    loaded, diags = load_plans(plans, ["acme"])
    assert not diags.errors
    bundle = render_site(derive.derive_client(loaded.client("acme"), D("2026-02-09")), TEMPLATES)
    for page in bundle.pages:
        html = BeautifulSoup(page.html, "html.parser")
        hrefs = [a.get("href", "") for a in html.select("a")] + [
            i.get("src", "") for i in html.select("img")
        ]
        assert not [h for h in hrefs if "status.json" in h or "badges/" in h], page.path
        assert not html.select(".sb-link-status, .sb-link-badge, .sb-links"), page.path


def test_the_404_page_uses_relative_asset_paths(plans, tmp_path):
    site = built(plans, tmp_path)
    page = soup(site / "404.html")
    urls = [tag.get("href") or tag.get("src") for tag in page.select("link[href], script[src]")]
    urls += [a["href"] for a in page.select("a[href]")]
    local = [u for u in urls if not u.startswith(("http:", "https:", "#", "data:", "mailto:"))]
    assert local and not [u for u in local if u.startswith("/")], local
    assert any("site-builder.css" in u for u in local)
    assert 'createElement("base")' in str(page)  # resolved at any depth in a browser

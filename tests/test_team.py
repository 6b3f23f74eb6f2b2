"""The internal team dashboard (site_builder/site/team.py, OUT/_team): every figure against values
computed by hand on a small portfolio, the rendered site, and isolation: nothing team-only
ever reaches a client site.

The portfolio, as of 2026-03-01 (no git history, so every baseline is the plan's due date):

alpha / p1 (EUR)   m1 due 01-10, delivered 01-08, approved 01-09   variance -1, 1 day to approve
                   m2 due 02-01, delivered 02-05, approved 02-10   variance +9, 5 days, late
                   m3 due 02-20, delivered 02-25, no decision      awaiting 4 days, overdue
                   m4 due 04-01                                    upcoming
alpha / p2 (USD)   n1 due 02-15, delivered 02-14, approved 02-20   variance +5, 6 days, late
                   n2 due 03-05                                    in progress, due in 4 days
beta / p3 (EUR)    k1 due 02-01, delivered 01-30, approved 01-31   variance -1, 1 day
                   k2 due 03-20, delivered 02-20, no decision      awaiting 9 days
                   k3 due 04-30                                    upcoming, no invoice
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import approval, make_client

from site_builder import derive
from site_builder.build import BuildOptions, build
from site_builder.plans.load import load_plans
from site_builder.site import team

TODAY = dt.date(2026, 3, 1)
E = Decimal

P1 = """\
title: Brand refresh
currency: EUR
internal: {note: "TEAMONLY-PROJECT-2 <b>bold</b>"}
milestones:
  - {id: m1, title: Kickoff, due: 2026-01-10, delivered: 2026-01-08, invoice: 1000}
  - {id: m2, title: Discovery, due: 2026-02-01, delivered: 2026-02-05, invoice: 2000}
  - id: m3
    title: Concept
    due: 2026-02-20
    delivered: 2026-02-25
    invoice: 3000
    internal:
      risk: "TEAMONLY-MILESTONE-3 <script>alert('team')</script>"
      hours: [12, 24]
  - {id: m4, title: Launch, due: 2026-04-01, invoice: 4000}
"""
P2 = """\
title: Pilot
currency: USD
milestones:
  - {id: n1, title: Pilot plan, due: 2026-02-15, delivered: 2026-02-14, invoice: 500}
  - {id: n2, title: Pilot live, due: 2026-03-05, invoice: 1500}
"""
P3 = """\
title: New home
currency: EUR
milestones:
  - {id: k1, title: Permits, due: 2026-02-01, delivered: 2026-01-30, invoice: 10000}
  - {id: k2, title: Slab poured, due: 2026-03-20, delivered: 2026-02-20, invoice: 5000}
  - {id: k3, title: Handover, due: 2026-04-30}
"""
MARKERS = ["TEAMONLY-CLIENT-1", "TEAMONLY-PROJECT-2", "TEAMONLY-MILESTONE-3", "TEAMONLY-APPROVAL-4"]


@pytest.fixture
def portfolio_plans(plans):
    make_client(
        plans,
        "alpha",
        "name: Alpha Corp\ntimezone: UTC\n"
        "internal:\n  contract: TEAMONLY-CLIENT-1\n  margin: 31%\n",
        projects={"p1": P1, "p2": P2},
        approvals={
            "p1": {
                "2026-01-09-m1.md": approval("m1", "2026-01-09"),
                "2026-02-10-m2.md": approval(
                    "m2", "2026-02-10", extra="internal: {via: TEAMONLY-APPROVAL-4}\n"
                ),
            },
            "p2": {"2026-02-20-n1.md": approval("n1", "2026-02-20")},
        },
    )
    make_client(
        plans,
        "beta",
        "name: Beta Homes\ntimezone: UTC\n",
        projects={"p3": P3},
        approvals={"p3": {"2026-01-31-k1.md": approval("k1", "2026-01-31")}},
    )
    return plans


@pytest.fixture
def data(portfolio_plans):
    loaded, diags = load_plans(portfolio_plans)
    assert not diags.errors, diags.errors
    states = [derive.derive_client(c, TODAY) for c in loaded.clients]
    return team.portfolio(states, TODAY)


def test_project_figures(data):
    rows = {r.state.project.slug: r for r in data.projects}
    p1, p2, p3 = rows["p1"].figures, rows["p2"].figures, rows["p3"].figures
    assert (p1.approved, p1.overdue, p1.awaiting, p1.slipped) == (2, 1, 1, 2)
    assert p1.health == "overdue"
    assert p1.mean_variance_days == 4.0  # (-1 + 9) / 2
    assert p1.slippage_rate == round(2 / 3, 4)  # m2 late, m3 overdue; of 2 approved + 1 overdue
    assert p1.mean_days_to_approval == 3.0  # (1 + 5) / 2
    assert p1.invoiced == (("EUR", E(3000)),)
    assert p1.awaiting_approval == (("EUR", E(3000)),)
    assert p1.remaining == (("EUR", E(7000)),)
    assert (p2.health, p2.slippage_rate, p2.mean_variance_days) == ("at-risk", 1.0, 5.0)
    assert p2.invoiced == (("USD", E(500)),) and p2.awaiting_approval == (("USD", E(0)),)
    assert (p3.health, p3.slippage_rate, p3.mean_variance_days, p3.mean_days_to_approval) == (
        "on-track",
        0.0,
        -1.0,
        1.0,
    )
    assert p3.invoiced == (("EUR", E(10000)),) and p3.awaiting_approval == (("EUR", E(5000)),)
    assert rows["p1"].longest_wait == 4 and rows["p2"].longest_wait is None
    assert rows["p3"].longest_wait == 9


def test_client_figures(data):
    clients = {c.client.slug: c.figures for c in data.clients}
    alpha, beta = clients["alpha"], clients["beta"]
    assert (alpha.projects, alpha.milestones, alpha.approved, alpha.overdue, alpha.awaiting) == (
        2,
        6,
        3,
        1,
        1,
    )
    assert alpha.health == "overdue"
    assert alpha.mean_variance_days == round(13 / 3, 2)  # (-1 + 9 + 5) / 3
    assert alpha.slippage_rate == 0.75  # m2, m3, n1 of 3 approved + 1 overdue
    assert alpha.mean_days_to_approval == 4.0  # (1 + 5 + 6) / 3
    # Per currency, never added together.
    assert alpha.invoiced == (("EUR", E(3000)), ("USD", E(500)))
    assert alpha.awaiting_approval == (("EUR", E(3000)), ("USD", E(0)))
    assert alpha.remaining == (("EUR", E(7000)), ("USD", E(1500)))
    assert (beta.health, beta.slippage_rate, beta.mean_variance_days) == ("on-track", 0.0, -1.0)
    assert beta.invoiced == (("EUR", E(10000)),)


def test_total_figures(data):
    total = data.total
    assert (total.projects, total.milestones, total.approved, total.overdue, total.awaiting) == (
        3,
        9,
        4,
        1,
        2,
    )
    assert total.health == "overdue"
    assert total.mean_variance_days == 3.0  # (-1 + 9 + 5 - 1) / 4
    assert total.slippage_rate == 0.6  # 3 slipped / (4 approved + 1 overdue)
    assert total.mean_days_to_approval == 3.25  # (1 + 5 + 6 + 1) / 4
    assert total.invoiced == (("EUR", E(13000)), ("USD", E(500)))
    assert total.awaiting_approval == (("EUR", E(8000)), ("USD", E(0)))
    assert total.remaining == (("EUR", E(12000)), ("USD", E(1500)))


def test_waiting_for_approval_longest_first(data):
    assert [(w.client.slug, w.milestone.id, w.days, w.currency) for w in data.waiting] == [
        ("beta", "k2", 9, "EUR"),
        ("alpha", "m3", 4, "EUR"),
    ]


def test_slippage_by_month(data):
    assert [(m.month.isoformat(), m.approved, m.late, m.rate) for m in data.slippage] == [
        ("2026-01-01", 2, 0, 0.0),
        ("2026-02-01", 2, 2, 1.0),
        ("2026-03-01", 0, 0, None),
    ]


def test_orders_worst_first(data):
    assert [c.client.slug for c in data.clients_by_health] == ["alpha", "beta"]
    assert [r.state.project.slug for r in data.projects_by_health] == ["p1", "p2", "p3"]


def test_internal_notes_render_as_escaped_lists():
    html = str(
        team.internal_html(
            {
                "risk": "<script>x</script>",
                "hours": [12, 24],
                "nested": {"ok": True, "when": dt.date(2026, 1, 2)},
                "empty": None,
            }
        )
    )
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<dt>hours</dt><dd><ul class="sb-internal-list"><li>' in html
    assert "2026-01-02" in html and "yes" in html and "(empty)" in html
    assert not team.has_notes({}) and team.has_notes({"a": 1})


def test_money_is_never_added_across_currencies():
    from site_builder.site.i18n import Translator

    text = str(team.money_html(Translator("en"), (("EUR", E(13000)), ("USD", E(500)))))
    assert text == "€13,000<br>$500"
    assert str(team.money_html(Translator("en"), (("EUR", E(0)), ("USD", E(500))))) == "$500"


# --- the built site ---------------------------------------------------------------------------


def run(plans, out, **options):
    return build(BuildOptions(plans=plans, out=out, today=TODAY, jobs=1, **options))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_team_site_shows_the_figures(portfolio_plans, tmp_path):
    report = run(portfolio_plans, tmp_path / "site", team=True)
    assert sorted(s.slug for s in report.sites) == ["_team", "alpha", "beta"]
    page = soup(tmp_path / "site" / "_team" / "index.html")
    kpi = {
        k: page.select_one(f"#sb-kpi-{k}").get_text(" ", strip=True)
        for k in ("variance", "slippage", "approval", "invoiced", "awaiting")
    }
    assert kpi == {
        "variance": "+3.0 d",
        "slippage": "60%",
        "approval": "3.2 d",
        "invoiced": "€13,000 $500",
        "awaiting": "€8,000",
    }  # $0 is not shown
    clients = page.select("#sb-team-clients tbody tr")
    assert [tr["data-client"] for tr in clients] == ["alpha", "beta"]  # worst first
    alpha = [td.get_text(" ", strip=True) for td in clients[0].select("td")]
    assert alpha[:8] == ["Alpha Corp", "Overdue", "2", "1", "1", "+4.3 d", "75%", "4.0 d"]
    assert alpha[8:] == ["€3,000 $500", "€3,000", "€7,000 $1,500"]
    total = [c.get_text(" ", strip=True) for c in page.select("#sb-team-clients tfoot tr > *")]
    assert total[0] == "Total" and total[5:8] == ["+3.0 d", "60%", "3.2 d"]
    assert total[8] == "€13,000 $500"  # two currencies, two amounts: never "13,500"
    projects = page.select("#sb-team-projects tbody tr")
    assert [tr["data-project"] for tr in projects] == ["p1", "p2", "p3"]
    p1 = [td.get_text(" ", strip=True) for td in projects[0].select("td")]
    assert p1[:2] == ["Brand refresh Alpha Corp", "Overdue"]
    assert p1[2].startswith("Concept Awaiting client approval overdue")
    assert p1[4:6] == ["2/4", "4 d"]
    assert p1[-1] == "–"  # no git history: no recorded change
    waiting = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select("#sb-team-waiting tbody tr")
    ]
    assert [(w[2], w[4], w[5]) for w in waiting] == [
        ("Slab poured", "9", "€5,000"),
        ("Concept overdue", "4", "€3,000"),
    ]
    slippage = [
        [td.get_text(strip=True) for td in tr.select("td")][:4]
        for tr in page.select("#sb-team-slippage tbody tr")
    ]
    assert slippage == [
        ["Jan 2026", "2", "0", "0%"],
        ["Feb 2026", "2", "2", "100%"],
        ["Mar 2026", "0", "0", "–"],
    ]
    # Sortable on header click, and complete without JavaScript: cells carry sort keys.
    assert len(page.select("table.sb-sortable")) == 3
    assert any("sb-sortable" in (script.string or "") for script in page.select("script"))
    assert clients[0].select("td")[5]["data-sort"] == "4.33"


def test_team_site_shows_internal_notes_escaped(portfolio_plans, tmp_path):
    run(portfolio_plans, tmp_path / "site", team=True)
    html = (tmp_path / "site" / "_team" / "index.html").read_text(encoding="utf-8")
    for marker in MARKERS:
        assert marker in html, marker
    assert "<script>alert('team')</script>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    notes = soup(tmp_path / "site" / "_team" / "index.html").select_one("#notes-alpha")
    assert "margin" in notes.get_text() and "31%" in notes.get_text()
    # The search index of the team site has them too (it is internal).
    index = (tmp_path / "site" / "_team" / "search" / "search_index.json").read_text()
    assert "TEAMONLY-CLIENT-1" in index


def test_no_client_site_contains_team_only_data(portfolio_plans, tmp_path):
    run(portfolio_plans, tmp_path / "site", team=True)
    site = tmp_path / "site"
    checked = 0
    for client in ("alpha", "beta"):
        for path in (site / client).rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            for marker in [*MARKERS, "Delivery dashboard", "Internal: not for clients"]:
                assert marker.encode() not in data, (path, marker)
            checked += 1
        other = "Beta Homes" if client == "alpha" else "Alpha Corp"
        for path in (site / client).rglob("*"):
            if path.is_file() and path.suffix in (".html", ".json", ".xml", ".ics"):
                assert other not in path.read_text(encoding="utf-8"), (path, other)
    assert checked > 20
    status = json.loads((site / "alpha" / "status.json").read_text())
    assert "internal" not in json.dumps(status)
    # The client sites are the same with or without the team dashboard beside them.
    run(portfolio_plans, tmp_path / "alone")
    for client in ("alpha", "beta"):
        for path in (tmp_path / "alone" / client).rglob("*.html"):
            twin = site / client / path.relative_to(tmp_path / "alone" / client)
            assert twin.read_bytes() == path.read_bytes(), path


# --- in a real browser --------------------------------------------------------------------------

from test_print import in_browser  # noqa: E402

REPO = Path(__file__).parent.parent
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def team_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("team") / "site"
    build(
        BuildOptions(plans=REPO / "plans", out=out, today=dt.date(2026, 11, 25), jobs=2, team=True)
    )
    return out / "_team" / "index.html"


def test_dashboard_sorts_and_screenshots(team_site):
    """Header clicks sort (text, numbers, empty cells last); screenshots of the demo dashboard
    at desktop and phone width go to test-artifacts/team-dashboard-*.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def use(browser):
        errors = []
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(team_site.as_uri())
        page.screenshot(path=str(ARTIFACTS / "team-dashboard-desktop.png"))
        page.screenshot(path=str(ARTIFACTS / "team-dashboard-full.png"), full_page=True)

        def column(n):
            return page.eval_on_selector_all(
                "#sb-team-projects tbody tr", f"rows => rows.map(r => r.cells[{n}].textContent)"
            )

        def click(n):
            page.locator("#sb-team-projects thead th").nth(n).locator("button.sb-sort").click()

        first = column(2)
        click(2)
        ascending = column(2)
        assert ascending == sorted(first, key=str.lower)
        assert (
            page.locator("#sb-team-projects thead th").nth(2).get_attribute("aria-sort")
            == "ascending"
        )
        click(2)
        assert column(2) == ascending[::-1]
        click(4)  # progress, as a number: 0/3 < 3/5 < 3/7 < 4/7
        progress = [tuple(map(int, p.split("/"))) for p in column(4)]
        assert [a / b for a, b in progress] == sorted(a / b for a, b in progress)
        click(5)  # days waiting: the one waiting project first, empty cells last
        waits = column(5)
        assert waits[0] != "–" and waits[-1] == "–"
        assert not errors, errors
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(team_site.as_uri())
        phone.screenshot(path=str(ARTIFACTS / "team-dashboard-phone.png"))
        assert phone.locator(".sb-kpis").bounding_box()["width"] <= 390

    in_browser(use)
    for name in ("desktop", "full", "phone"):
        assert (ARTIFACTS / f"team-dashboard-{name}.png").stat().st_size > 10000, name


WIDE_PLAN = """\
title: {title}
currency: {currency}
milestones:
  - {{id: a, title: A long milestone title that wraps over several lines of its cell, due: 2026-01-10, delivered: 2026-01-08, invoice: 9876543210.10}}
  - {{id: b, title: Second, due: 2026-02-01, delivered: 2026-02-25, invoice: 1234567890.90}}
  - {{id: c, title: Third, due: 2026-04-01, invoice: 5555555555}}
"""


@pytest.fixture
def wide_team(plans, tmp_path):
    """Amounts in the tens of millions in three currencies, long client and project names:
    what made the clients table 1,407 px wide inside 1,232 px, cutting amounts."""
    for n, name in enumerate(
        (
            "Northwind Logistics International",
            "The Okafor Family Trust",
            "Fable Studio and Partners",
        )
    ):
        make_client(
            plans,
            f"c{n}",
            f"name: {name}\ntimezone: UTC\n",
            projects={
                f"p{k}": WIDE_PLAN.format(
                    title=f"{name} programme {k} (phase two)", currency=currency
                )
                for k, currency in enumerate(("EUR", "USD", "CHF", "SEK"))
            },
            approvals={"p0": {"a.md": approval("a", "2026-01-09")}},
        )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1, team=True))
    return tmp_path / "site" / "_team" / "index.html"


FIT = """() => {
    const cut = [];
    document.querySelectorAll('.sb-table-wrap').forEach(w => {
        if (w.scrollWidth > w.clientWidth + 1)
            cut.push(w.querySelector('table').id + ' ' + w.scrollWidth + '>' + w.clientWidth);
    });
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
        cut.push('page ' + document.documentElement.scrollWidth);
    // an amount is never split over two lines: each text line of a money cell is one box
    document.querySelectorAll('.sb-team td.sb-money').forEach(td => {
        td.childNodes.forEach(node => {
            if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) return;
            const range = document.createRange();
            range.selectNodeContents(node);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) cut.push('wrapped ' + node.textContent);
        });
    });
    return cut;
}"""


def test_dashboard_fits_1280_and_prints_every_column(wide_team):
    """At 1280x800 no table scrolls and no amount wraps; printed (landscape A4: 273 mm of
    width inside the margins, 1032 CSS px) every column is on the page."""

    def use(browser):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(wide_team.as_uri())
        assert page.evaluate(FIT) == []
        page.screenshot(path=str(ARTIFACTS / "team-dashboard-wide.png"), full_page=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 1032, "height": 730})
        assert page.evaluate(FIT) == []
        sizes = page.evaluate("""() => [...document.styleSheets].flatMap(s => {
            try { return [...s.cssRules]; } catch (e) { return []; } })
            .filter(r => r instanceof CSSPageRule).map(r => r.style.size)""")
        assert "landscape" in sizes
        page.pdf(path=str(ARTIFACTS / "team-dashboard.pdf"))

    in_browser(use)


# --- hostile plan text ----------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_text_is_inert_on_the_team_site(tmp_path):
    """Every XSS payload (tests/xss_payloads.py) in every field, internal notes included: the
    dashboard holds no active element its plain-text twin does not, and no plan text in a
    script."""
    import yaml
    from test_security import PAYLOADS, active_elements, html, make_client, unsafe_markup

    def plans_with(root: Path, clients: dict[str, list[str]]) -> Path:
        for slug, texts in clients.items():
            make_client(root, slug, texts)
            client_yml = yaml.safe_load((root / slug / "client.yml").read_text())
            client_yml["internal"] = {"notes": texts, texts[0]: {"nested": texts[-1]}}
            (root / slug / "client.yml").write_text(yaml.safe_dump(client_yml))
            for plan in (root / slug).glob("*/plan.yml"):
                data = yaml.safe_load(plan.read_text())
                data["internal"] = {"risk": texts[0]}
                for m in data["milestones"]:
                    m["internal"] = [texts[-1], {"why": texts[0]}]
                plan.write_text(yaml.safe_dump(data))
        build(BuildOptions(plans=root, out=root.parent / "site", today=TODAY, jobs=2, team=True))
        return root.parent / "site" / "_team" / "index.html"

    per_client = 23
    hostile = plans_with(
        tmp_path / "hostile" / "plans",
        {
            f"x{n // per_client + 1}": PAYLOADS[n : n + per_client]
            for n in range(0, len(PAYLOADS), per_client)
        },
    )
    plain = plans_with(tmp_path / "plain" / "plans", {"plain": ["Plain one", "Plain two"]})
    doc = html(hostile.read_text(encoding="utf-8"))
    assert unsafe_markup(doc) == []
    extra = active_elements(doc) - active_elements(html(plain.read_text(encoding="utf-8")))
    assert not extra, extra
    assert not [s for s in doc.find_all("script") if "sbxss" in "".join(map(str, s.contents))]
    assert doc.get_text().count("sbxss") >= len(PAYLOADS)  # shown, as text


def test_team_site_links_each_client_to_its_site_and_nothing_to_nowhere(portfolio_plans, tmp_path):
    """Client names open the client's site (its folder beside _team in the build output);
    every local link and resource of the page exists; no feed is advertised (it has none)."""
    run(portfolio_plans, tmp_path / "site", team=True)
    team_dir = tmp_path / "site" / "_team"
    page = soup(team_dir / "index.html")
    links = {
        a.get_text(strip=True): a["href"]
        for a in page.select("#sb-team-clients tbody td:first-child a")
    }
    assert links == {"Alpha Corp": "../alpha/index.html", "Beta Homes": "../beta/index.html"}
    assert not page.select('link[type="application/atom+xml"]')
    missing = []
    for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
        for element in page.find_all(tag):
            target = (element.get(attr) or "").split("#")[0].split("?")[0]
            if not target or "://" in target or target.startswith(("mailto:", "data:")):
                continue
            if not (team_dir / target).resolve().exists():
                missing.append(f"<{tag} {attr}={element.get(attr)}>")
    assert not missing, missing
    # Client sites that have a feed still advertise it.
    client = soup(tmp_path / "site" / "alpha" / "index.html")
    assert client.select_one('link[type="application/atom+xml"]')["href"].endswith("feed.xml")


def test_team_site_shows_the_last_change_of_each_project(portfolio_plans, tmp_path):
    """Commit ids and authors are for the team: the newest recorded change per project (a due
    date moved, an approval note added), with its date, author and short commit."""
    from helpers import commit_all, git

    repo = portfolio_plans.parent  # the plans folder inside a repository
    commit_all(repo, "plans", "2026-02-21")
    plan = portfolio_plans / "beta" / "p3" / "plan.yml"
    plan.write_text(plan.read_text().replace("due: 2026-04-30", "due: 2026-05-15"))
    git(repo, "add", "-A")
    env_author = "Robin Reviser"
    import os
    import subprocess

    subprocess.run(
        ["git", "commit", "-q", "-m", "move handover"],
        cwd=repo,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": env_author,
            "GIT_COMMITTER_NAME": env_author,
            "GIT_AUTHOR_EMAIL": "r@agency.example",
            "GIT_COMMITTER_EMAIL": "r@agency.example",
            "GIT_AUTHOR_DATE": "2026-02-28T12:00:00+00:00",
            "GIT_COMMITTER_DATE": "2026-02-28T12:00:00+00:00",
        },
    )
    sha = git(repo, "rev-parse", "--short", "HEAD").strip()
    run(portfolio_plans, tmp_path / "site", team=True)
    page = soup(tmp_path / "site" / "_team" / "index.html")
    rows = {
        tr["data-project"]: tr.select("td")[-1] for tr in page.select("#sb-team-projects tbody tr")
    }
    assert rows["p3"].get_text(" ", strip=True) == f"Feb 28, 2026 {env_author} · {sha}"
    assert rows["p3"]["data-sort"] == "2026-02-28"
    # p1's approval notes were added by the first commit, by the helpers' author.
    assert rows["p1"].get_text(" ", strip=True).startswith("Feb 21, 2026 Pat Planner · ")
    # Never on a client page.
    for path in (tmp_path / "site" / "beta").rglob("*.html"):
        assert env_author not in path.read_text(encoding="utf-8")

"""Whole builds: real plan folders in tmp_path -> real MkDocs/Material sites."""

import hashlib
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import approval, make_client, write

from site_builder.build import BuildOptions, build
from site_builder.errors import BuildError, PlanError

TODAY = "2026-02-01"


def run(plans, out, today=TODAY, **options):
    import datetime as dt

    return build(
        BuildOptions(
            plans=plans,
            out=out,
            today=dt.date.fromisoformat(today),
            jobs=options.pop("jobs", 1),
            **options,
        )
    )


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder -> sha256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def entries(out: Path) -> list[str]:
    """What a build left in OUT besides its own bookkeeping (asset store, lock); a leftover
    staging folder (.site-builder-tmp-*) or a template cache counts."""
    bookkeeping = {".site-builder-assets", ".site-builder.lock"}
    return sorted(p.name for p in out.iterdir() if p.name not in bookkeeping)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def acme(plans):
    folder = make_client(
        plans,
        client_yml="name: Acme Widgets\ntimezone: Europe/Berlin\n"
        "internal: {margin: SECRET-MARGIN-41}\n",
        approvals={
            "web": {
                "2026-01-09-kickoff.md": approval(
                    "kickoff", "2026-01-09", body="Great **start**, thanks.\n"
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
    write(folder / "web" / "documents" / "mockups.pdf", "%PDF-1.4 mock\n")
    plan = (
        (folder / "web" / "plan.yml")
        .read_text()
        .replace("      - Mockups", "      - {title: Mockups, file: documents/mockups.pdf}")
    )
    (folder / "web" / "plan.yml").write_text(plan)
    return folder


def test_status_json_is_exactly_the_spec_shape(plans, acme, tmp_path):
    report = run(plans, tmp_path / "site")
    assert [s.slug for s in report.sites] == ["acme"]
    status = json.loads((tmp_path / "site" / "acme" / "status.json").read_text())
    assert status == {
        "client": {"slug": "acme", "name": "Acme Widgets"},
        "today": "2026-02-01",
        "projects": [
            {
                "slug": "web",
                "title": "Website relaunch",
                "currency": "EUR",
                "complete": False,
                "progress": {"approved": 1, "total": 3},
                "current": "design",
                "next": ["launch"],
                "health": "on-track",
                "next_step": {
                    "whose": "team",
                    "action": "revise",
                    "milestone": "design",
                    "by": "2026-02-10",
                    "late": False,
                },
                "milestones": [
                    {
                        "id": "kickoff",
                        "title": "Kickoff done",
                        "phase": None,
                        "owner": "Sam Lee",
                        "status": "approved",
                        "overdue": False,
                        "due": "2026-01-10",
                        "baseline_due": "2026-01-10",
                        "delivered": "2026-01-08",
                        "approved_on": "2026-01-09",
                        "variance_days": -1,
                        "days_to_approval": 1,
                        "invoice": 1000,
                    },
                    {
                        "id": "design",
                        "title": "Design approved",
                        "phase": None,
                        "owner": None,
                        "status": "changes-requested",
                        "overdue": False,
                        "due": "2026-02-10",
                        "baseline_due": "2026-02-10",
                        "delivered": "2026-02-05",
                        "approved_on": None,
                        "variance_days": None,
                        "days_to_approval": None,
                        "invoice": 3000,
                    },
                    {
                        "id": "launch",
                        "title": "Site live",
                        "phase": None,
                        "owner": None,
                        "status": "upcoming",
                        "overdue": False,
                        "due": "2026-03-10",
                        "baseline_due": "2026-03-10",
                        "delivered": None,
                        "approved_on": None,
                        "variance_days": None,
                        "days_to_approval": None,
                        "invoice": 6000,
                    },
                ],
                "approvals": [
                    {
                        "milestone": "kickoff",
                        "decision": "approved",
                        "date": "2026-01-09",
                        "by": "Ada Client",
                        "signature": "unsigned",
                        "counted": True,
                        "recorded": None,
                    },
                    {
                        "milestone": "design",
                        "decision": "changes-requested",
                        "date": "2026-01-20",
                        "by": "Ada Client",
                        "signature": "unsigned",
                        "counted": True,
                        "recorded": None,
                    },
                ],
                "schedule_changes": [],
                "scope_changes": [],
                "metrics": {
                    "slippage_rate": 0.0,
                    "mean_days_to_approval": 1.0,
                    "invoiced": 1000,
                    "remaining": 9000,
                },
            }
        ],
    }


def test_pages_show_checkpoint_next_and_history(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "acme"
    index = soup(site / "index.html")
    card = index.select_one("#sb-project-web")
    assert card.select_one(".sb-current-title strong").get_text() == "Design approved"
    assert [
        li.select_one(".sb-next-title").get_text() for li in card.select(".sb-next-list li")
    ] == ["Site live"]
    assert "1 of 3 milestones approved" in card.get_text()
    assert index.title.get_text() == "Acme Widgets"

    page = soup(site / "projects" / "web.html")
    assert page.h1.get_text(" ", strip=True).startswith("Website relaunch")
    current = page.select_one("#sb-current")
    assert "Design approved" in current.h3.get_text()
    assert "Changes requested" in current.get_text()
    assert current.select_one(".sb-deliverables a")["href"] == "web/documents/mockups.pdf"
    assert (
        site / "projects" / "web" / "documents" / "mockups.pdf"
    ).read_text() == "%PDF-1.4 mock\n"
    assert "Looks good on phones" in current.get_text()
    history = page.select(".sb-approval")
    assert [h.select_one(".sb-decision").get_text() for h in history] == [
        "Changes requested",
        "Approved",
    ]  # newest first
    assert history[0].select_one(".sb-note em").get_text() == "bigger"
    # Signatures are not required here: an unsigned note shows no signature state.
    assert "Ada Client" in history[1].get_text() and not history[1].select(".sb-signature")
    timeline = page.select(".sb-tl-item")
    assert [t["class"][1] for t in timeline] == [
        "sb-status-approved",
        "sb-status-changes-requested",
        "sb-status-upcoming",
    ]
    billing = page.select_one(".sb-billing tfoot").get_text(" ", strip=True)
    assert "€1,000.00" in billing and "€9,000.00" in billing
    toc = [a.get_text(strip=True) for a in page.select(".md-nav--secondary a")]
    assert toc[:3] == ["Current checkpoint", "What comes next", "Timeline"]


def test_nothing_internal_and_no_email_is_published(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-MARGIN-41" not in data, path
            assert b"acme.example" not in data, path


def test_clients_are_isolated(plans, tmp_path):
    markers = {}
    for slug in ("alpha", "beta"):
        tag = slug.upper()
        markers[slug] = [
            f"{tag}-CLIENTNAME",
            f"{tag}-PROJECT",
            f"{tag}-MILESTONE",
            f"{tag}-OWNER",
            f"{tag}-DELIVERABLE",
            f"{tag}-CRITERION",
            f"{tag}-NOTEBODY",
            f"{tag}-SIGNER",
            "77777" if slug == "alpha" else "88888",
        ]
        plan = (
            f"title: {tag}-PROJECT\nmilestones:\n  - id: one\n    title: {tag}-MILESTONE\n"
            f"    owner: {tag}-OWNER\n    due: 2026-01-10\n    deliverables: [{tag}-DELIVERABLE]\n"
            f"    acceptance: [{tag}-CRITERION]\n"
            f"    invoice: {'77777' if slug == 'alpha' else '88888'}\n"
            f"    internal: {{x: {tag}-INTERNAL}}\n  - id: two\n    title: Two\n"
            f"    due: 2026-03-01\n"
        )
        make_client(
            plans,
            slug=slug,
            client_yml=f"name: {tag}-CLIENTNAME\n",
            projects={"proj": plan},
            approvals={
                "proj": {
                    "n.md": approval(
                        "one",
                        "2026-01-11",
                        by=f"{tag}-SIGNER <s@{slug}.example>",
                        body=f"{tag}-NOTEBODY\n",
                    )
                }
            },
        )
    run(plans, tmp_path / "site", jobs=2)
    for slug, other in (("alpha", "beta"), ("beta", "alpha")):
        site = tmp_path / "site" / slug
        text = {
            p: p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file()
        }
        everything = "\n".join(text.values())
        for marker in markers[slug][:8]:
            assert marker in everything, marker  # the site does show its own client
        # The client's name is in the header (not the pages' text): search has the project.
        assert markers[slug][1] in text[site / "search" / "search_index.json"]
        for marker in markers[other] + [f"{slug.upper()}-INTERNAL", f"{other.upper()}-INTERNAL"]:
            leaks = [p for p, t in text.items() if marker in t]
            assert not leaks, (marker, leaks)


def test_rebuilds_are_byte_identical_and_parallel_equals_sequential(plans, acme, tmp_path):
    make_client(plans, slug="other")
    run(plans, tmp_path / "a", jobs=1)
    run(plans, tmp_path / "b", jobs=2)
    first, second = tree(tmp_path / "a" / "acme"), tree(tmp_path / "b" / "acme")
    assert first == second and len(first) > 20
    assert tree(tmp_path / "a" / "other") == tree(tmp_path / "b" / "other")


def test_plan_errors_leave_the_previous_site_untouched(plans, acme, tmp_path):
    out = tmp_path / "site"
    run(plans, out)
    before = tree(out / "acme")
    (acme / "web" / "plan.yml").write_text("title: Broken\nmilestones: []\n")
    with pytest.raises(PlanError):
        run(plans, out, today="2026-03-01")
    assert tree(out / "acme") == before
    assert entries(out) == ["acme"]


def test_a_failing_client_build_publishes_nothing(plans, acme, tmp_path, monkeypatch):
    make_client(plans, slug="zeta")
    out = tmp_path / "site"
    run(plans, out)
    before = {slug: tree(out / slug) for slug in ("acme", "zeta")}
    from site_builder.engines import mkdocs as mkdocs_backend

    real = mkdocs_backend.build_site

    def failing(bundle, *args):
        if bundle.slug == "zeta":
            raise BuildError("zeta: MkDocs failed: disk full")
        return real(bundle, *args)

    monkeypatch.setattr(mkdocs_backend, "build_site", failing)
    with pytest.raises(BuildError):
        run(plans, out, today="2026-03-01")  # acme would change (new today), but must not
    assert {slug: tree(out / slug) for slug in ("acme", "zeta")} == before
    assert entries(out) == ["acme", "zeta"]


def test_leftovers_of_a_killed_build_are_cleaned(plans, acme, tmp_path):
    out = tmp_path / "site"
    (out / ".site-builder-tmp-dead" / "acme").mkdir(parents=True)
    run(plans, out)
    assert entries(out) == ["acme"]


def test_client_selection_builds_only_that_client(plans, acme, tmp_path):
    make_client(plans, slug="other")
    report = run(plans, tmp_path / "site", clients=("other",))
    assert [s.slug for s in report.sites] == ["other"]
    assert not (tmp_path / "site" / "acme").exists()


def test_untrusted_text_is_escaped_and_markdown_sanitised(plans, tmp_path):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    plan = (
        f"title: '{evil}'\nsummary: |\n  [click](javascript:alert(3)) <b onclick=x>b</b>\n"
        f"  <iframe src=//evil.example></iframe> ![i](https://evil.example/t.png)\n"
        f"milestones:\n  - id: a\n    title: '{evil}'\n    owner: '\"><svg onload=alert(4)>'\n"
        f"    due: 2026-01-10\n    deliverables: ['{evil}']\n"
    )
    make_client(
        plans,
        client_yml=f"name: '{evil}'\n",
        projects={"web": plan},
        approvals={
            "web": {
                "n.md": approval(
                    "a",
                    "2026-01-09",
                    body=f"{evil}\n\n<a href='javascript:alert(5)'>x</a>\n"
                    "Mail me: someone@private.example\n",
                )
            }
        },
    )
    run(plans, tmp_path / "site")
    for path in (tmp_path / "site" / "acme").rglob("*.html"):
        page = soup(path)
        for tag in page.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.startswith("on"), (path, tag)
                if attr in ("href", "src"):
                    assert "javascript:" not in str(value) and "evil.example" not in str(value)
        scripts = [s for s in page.find_all("script") if "alert" in s.get_text()]
        assert not scripts, path
        assert not page.find_all(["iframe", "img", "svg"], src=lambda v: v and "x" == v)
        assert "private.example" not in path.read_text()
    project = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in project  # shown as text
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in project  # no </title> breakout


def test_client_branding_logo_favicon_colours_and_stylesheet(plans, tmp_path):
    folder = make_client(
        plans,
        client_yml="name: Acme\nsite:\n  primary_color: teal\n"
        "  accent_color: deep orange\n  logo: logo.png\n"
        "  favicon: icon.png\n  css: brand.css\n",
    )
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nlogo")
    (folder / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\nicon")
    (folder / "brand.css").write_text(".md-header { background: url(data:image/png;base64,AA); }")
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "acme"
    page = soup(site / "index.html")
    body = page.body
    assert body["data-md-color-primary"] == "teal" and body["data-md-color-accent"] == "deep-orange"
    assert page.select_one('link[rel="icon"]')["href"] == "assets/client-favicon.png"
    assert page.select_one(".md-logo img")["src"] == "assets/client-logo.png"
    assert [l["href"] for l in page.select('link[rel="stylesheet"]')][-1] == "assets/client.css"
    assert (site / "assets" / "client.css").read_text().startswith(".md-header")


def test_client_stylesheet_may_not_reach_other_hosts(plans):
    from site_builder.plans.load import load_plans

    folder = make_client(plans, client_yml="name: Acme\nsite:\n  css: brand.css\n")
    (folder / "brand.css").write_text("body { background: url('https://tracker.example/p.gif') }")
    _, diags = load_plans(plans)
    (problem,) = [d.format() for d in diags.errors]
    assert problem.startswith("plans/acme/client.yml:3: error: `site.css` must not @import")


def test_index_shows_the_latest_decisions_newest_first(plans, acme, tmp_path):
    run(plans, tmp_path / "site")
    card = soup(tmp_path / "site" / "acme" / "index.html").select_one("#sb-project-web")
    items = card.select(".sb-latest-list li")
    assert [li.select_one(".sb-decision").get_text() for li in items] == [
        "Changes requested",
        "Approved",
    ]
    assert items[0].a["href"].startswith("projects/web.html#sb-approval-")
    assert "Ada Client" in items[0].get_text()


def test_markdown_documents_are_published_as_they_are(plans, tmp_path):
    note = "# Inspection\n\n<script>alert(1)</script> all good\n"
    plan = (
        "title: T\nmilestones:\n  - id: a\n    title: A\n    due: 2026-01-10\n"
        "    deliverables:\n      - {title: Report, file: documents/report.md}\n"
    )
    folder = make_client(plans, projects={"web": plan})
    write(folder / "web" / "documents" / "report.md", note)
    run(plans, tmp_path / "site")
    site = tmp_path / "site" / "acme"
    published = site / "projects" / "web" / "documents" / "report.md"
    assert published.read_text() == note  # byte for byte, not rendered
    assert not (site / "projects" / "web" / "documents" / "report.html").exists()
    link = soup(site / "projects" / "web.html").select_one(".sb-deliverables a")["href"]
    assert (site / "projects" / link).resolve() == published.resolve()


def test_no_compiled_template_is_loaded_from_the_output_folder(plans, acme, tmp_path):
    """Compiled templates are code: a cache planted in OUT (e.g. restored from a CI cache)
    must never run. Plant a poisoned entry for every page template, build in a fresh process
    (an empty in-memory cache), and the pages are the real ones."""
    import subprocess
    import sys

    import jinja2

    from site_builder.build import base_config_for, templates_for

    out = tmp_path / "site"
    planted = []
    for folder in (out / ".site-builder-cache" / "templates", out / ".site-builder-cache"):
        folder.mkdir(parents=True, exist_ok=True)

        class Poison(jinja2.BytecodeCache):
            def load_bytecode(self, bucket):
                bucket.code = env.compile("POISONED-CACHE", bucket.key)
                (folder / bucket.key).write_bytes(bucket.bytecode_to_string())
                planted.append(bucket.key)

            def dump_bytecode(self, bucket):
                pass

        templates = templates_for(base_config_for(plans))
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=Poison()
        )
        for name in env.list_templates():
            env.get_template(name)
    assert planted
    done = subprocess.run(
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
            TODAY,
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pages = [p for p in (out / "acme").rglob("*.html")]
    assert pages and not [p for p in pages if "POISONED-CACHE" in p.read_text()]
    assert "Acme Widgets" in (out / "acme" / "index.html").read_text()


# --- one derivation per client per run ------------------------------------------------------


@pytest.fixture
def derivations(monkeypatch):
    """Counts derive.derive_client calls per client slug (in this process: jobs=1)."""
    from site_builder import derive

    counts: dict[str, int] = {}
    real = derive.derive_client

    def counting(client, *args, **kwargs):
        counts[client.slug] = counts.get(client.slug, 0) + 1
        return real(client, *args, **kwargs)

    monkeypatch.setattr(derive, "derive_client", counting)
    return counts


def test_a_build_with_the_team_dashboard_derives_each_client_once(plans, tmp_path, derivations):
    make_client(plans, "acme")
    make_client(plans, "globex")
    report = run(plans, tmp_path / "out", team=True)
    assert sorted(s.slug for s in report.sites) == ["_team", "acme", "globex"]
    assert derivations == {"acme": 1, "globex": 1}
    status = json.loads((tmp_path / "out" / "acme" / "status.json").read_text())
    assert status["projects"][0]["milestones"]  # the one derivation reached the site


def test_status_and_due_reuse_the_derivation_of_validation(plans, derivations):
    import datetime as dt

    from site_builder.authoring.export import client_states
    from site_builder.events.due import due_records

    make_client(plans, "acme")
    make_client(plans, "globex")
    day = dt.date.fromisoformat(TODAY)
    assert [s.client.slug for s in client_states(plans, today=day)] == ["acme", "globex"]
    assert derivations == {"acme": 1, "globex": 1}
    due_records(plans, 365, day)
    assert derivations == {"acme": 2, "globex": 2}

"""What clients see, in a real browser: Debian's Chromium (driven by Playwright) loading the demo
sites from a real nginx on 127.0.0.1, served under a sub-path as a host would.

* every page loads with no console error and no request to any host but 127.0.0.1;
* the current checkpoint and what comes next are visible above the fold, on a laptop
  (1280x800) and on a phone (390x844);
* axe-core finds no accessibility violation of any impact on any page type (client home,
  project page, 404, password login page, team dashboard), light and dark scheme, laptop and
  phone;
* Lighthouse (mobile preset): performance and accessibility on every client page type;
* search works, over http and straight from disk (file://);
* hostile plan text runs nothing: no dialog opens on any page or in search results.

Each test runs once per font family (DejaVu only, Liberation only: tests/conftest.py).
Screenshots of the demo sites go to test-artifacts/. Needs chromium and nginx (Debian
packages), Python's playwright and axe-core from npm in .cache/node (make test-deps installs all of
them). A missing tool fails these tests; `pytest -m "not browser"` leaves them out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import (
    DEMO_PASSWORDS,
    Session,
    demo_passwords,
    demo_paths,
    nginx,
    nginx_binary,
    require,
    unlock,
)

from site_builder.build import BuildOptions, build

pytestmark = pytest.mark.browser

REPO = Path(__file__).parent.parent
AXE = REPO / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
DEMO_TODAY = dt.date(2026, 11, 25)
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SUB_PATH = "/status/"  # sites are served as http://127.0.0.1:PORT/status/<client>/


@pytest.fixture(scope="session")
def tools():
    """nginx and axe-core (chromium and playwright: the `browser` fixture, tests/conftest.py)."""
    require("nginx", nginx_binary() is not None, "apt-get install nginx")
    require(
        "axe-core",
        AXE.is_file(),
        "npm install --prefix .cache/node axe-core (see scripts/install-test-deps.sh)",
    )
    return {"nginx": nginx_binary()}


# --- sites and server ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def www():
    """A world-readable web root (nginx's workers may run as another user)."""
    root = Path(tempfile.mkdtemp(prefix="site-builder-www-"))
    root.chmod(0o755)
    (root / "status").mkdir(mode=0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def demo(www):
    """The demo sites (plans/ of this repository), as of the day they were written for."""
    out = www / "status"
    with demo_passwords():  # password-mode clients are encrypted; the tests type the password
        report = build(
            BuildOptions(plans=REPO / "plans", out=out, today=DEMO_TODAY, jobs=2, team=True)
        )
    sites = {}
    for site in report.sites:
        if site.slug == "_team":
            sites["_team"] = {"index.html": "index.html"}
            continue
        data = (site.path / "status.json").read_bytes()
        if site.slug in DEMO_PASSWORDS:
            from site_builder.access.password import decrypt

            data = decrypt(data, DEMO_PASSWORDS[site.slug][1])
        status = json.loads(data.decode("utf-8"))
        # {page: where it is served}: password sites give their pages opaque names
        sites[site.slug] = demo_paths(
            site.slug, ["index.html"] + [f"projects/{p['slug']}.html" for p in status["projects"]]
        )
    assert sorted(sites) == ["_team", "fable", "harbor-homes", "northwind"]
    return sites


def open_demo(tab, server, demo, client: str, path: str):
    """Open a demo page; a password-protected one is unlocked as its reader would."""
    page = tab.open(f"{server}{SUB_PATH}{client}/{demo[client][path]}")
    if client in DEMO_PASSWORDS:
        unlock(page, DEMO_PASSWORDS[client][1])
        page.wait_for_load_state("networkidle")
    return page


@pytest.fixture(scope="session")
def server(tools, www):
    """nginx on 127.0.0.1 serving `www`; everything it writes stays in a temporary folder."""
    with nginx(www, nginx_path=tools["nginx"]) as url:
        yield url


# --- a page under watch -------------------------------------------------------------------------


class Visit:
    """A browser tab that records every request, console error and dialog."""

    def __init__(self, browser, viewport: str = "desktop", color_scheme: str = "light"):
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(
            viewport=VIEWPORTS[viewport], color_scheme=color_scheme, service_workers="block"
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: (
                m.type == "error" and self.errors.append(f"{m.text} ({m.location.get('url')})")
            ),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on(
            "requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}")
        )
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:  # never let it out: record it, and fail it here
            self.foreign.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, url: str, settle: bool = True):
        response = self.page.goto(url, wait_until="networkidle" if settle else "load")
        assert response is None or response.ok, (url, response.status if response else None)
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def make(viewport: str = "desktop", color_scheme: str = "light") -> Visit:
        opened.append(Visit(browser, viewport, color_scheme))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def in_viewport(page, selector: str) -> list[str]:
    """Why the first element matching `selector` is not fully visible without scrolling."""
    element = page.locator(selector).first
    if element.count() == 0:
        return [f"{selector}: not on the page"]
    if not element.is_visible():
        return [f"{selector}: not visible"]
    box, view = element.bounding_box(), page.viewport_size
    if (
        box["y"] < 0
        or box["x"] < 0
        or box["y"] + box["height"] > view["height"]
        or box["x"] + box["width"] > view["width"] + 0.5
    ):
        return [f"{selector}: at {box} outside the {view['width']}x{view['height']} viewport"]
    return []


def screenshot(page, name: str, full_page: bool = False) -> None:
    """test-artifacts/NAME-FAMILY.png: one per font family."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{Session.fonts.family}.png"), full_page=full_page)


def axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
        for v in result
        if v["impact"] in impacts
    ]


# --- the demo sites -----------------------------------------------------------------------------


def demo_pages():
    """(client, page) pairs, known before the sites are built (for test ids)."""
    pages = []
    for client in sorted(p.name for p in (REPO / "plans").iterdir() if p.is_dir()):
        pages.append((client, "index.html"))
        for project in sorted(
            p.name for p in (REPO / "plans" / client).iterdir() if (p / "plan.yml").is_file()
        ):
            pages.append((client, f"projects/{project}.html"))
    return pages


def page_name(client: str, page: str) -> str:
    return f"{client}-{page.removesuffix('.html').replace('/', '-')}"


@pytest.mark.parametrize("client, path", demo_pages(), ids=lambda v: str(v))
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_pages_load_cleanly_and_show_where_things_stand(
    client, path, viewport, demo, server, visit
):
    assert path in demo[client]
    tab = visit(viewport)
    page = open_demo(tab, server, demo, client, path)
    screenshot(page, f"{page_name(client, path)}-{viewport}")
    if viewport == "desktop":
        screenshot(page, f"{page_name(client, path)}-full", full_page=True)

    assert not tab.errors, tab.errors
    assert not tab.foreign, f"requests to other hosts: {tab.foreign}"
    assert len(tab.requests) > 5  # the page, its styles, scripts, images: all recorded

    problems = []
    if path == "index.html":  # the first project's card: the next step, where we are, what next
        card = "section.sb-project-card"
        # The next step names the milestone and its date, inside the first screen.
        problems += in_viewport(page, f"{card} .sb-next-step-text")
        sentence = page.locator(f"{card} .sb-next-step-text").first.inner_text()
        current = page.locator(f"{card} .sb-current-title")
        if current.count():
            problems += in_viewport(page, f"{card} .sb-current-title")
            title = current.first.inner_text().strip()
            assert title.split(" ")[0] in sentence, (title, sentence)
            assert re.search(r"\b20\d\d\b", sentence), sentence
        else:
            problems += in_viewport(page, f"{card} .sb-complete")
        if page.locator(f"{card} .sb-next").count():
            problems += in_viewport(page, f"{card} .sb-next .sb-label")
            if viewport == "desktop":  # on a phone the next step says it; the list may follow
                problems += in_viewport(page, f"{card} .sb-next-list li")
    else:
        glance = ".sb-glance"
        if page.locator("#sb-current").count():
            problems += in_viewport(page, f"{glance} .sb-glance-now")
        else:
            problems += in_viewport(page, f"{glance} .sb-complete")
        if page.locator(".sb-next-list li").count():
            problems += in_viewport(page, f"{glance} .sb-glance-next")
    assert not problems, problems
    # No page scrolls sideways, on a phone either.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the {viewport} viewport"


# Every page type a reader meets: (client, page, how it is opened).
PAGE_TYPES = {
    "home": ("fable", "index.html", "open"),
    "project": ("fable", "projects/brand-refresh.html", "open"),
    "404": ("fable", "no/such/page.html", "missing"),
    "login": ("northwind", "index.html", "locked"),  # the password form, before unlocking
    "unlocked": ("northwind", "index.html", "open"),
    "team": ("_team", "index.html", "open"),
}


def open_page_type(tab, server, demo, kind: str):
    client, path, how = PAGE_TYPES[kind]
    if how == "open":
        return open_demo(tab, server, demo, client, path)
    if how == "missing":  # nginx serves the site's 404 page as a host would (error_page)
        tab.page.goto(f"{server}{SUB_PATH}{client}/404.html", wait_until="networkidle")
        return tab.page
    page = tab.open(f"{server}{SUB_PATH}{client}/{demo[client][path]}")
    page.wait_for_selector("#sb-form:not([hidden])")
    return page


@pytest.mark.parametrize("kind", PAGE_TYPES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_accessibility_violation_of_any_impact(kind, scheme, viewport, demo, server, visit):
    """axe-core reports nothing, minor and moderate included, on every page type; a screenshot
    of each (light scheme) goes to test-artifacts/page-KIND-VIEWPORT-FAMILY.png."""
    tab = visit(viewport, scheme)
    page = open_page_type(tab, server, demo, kind)
    if scheme == "light":
        screenshot(page, f"page-{kind}-{viewport}")
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("client, path", demo_pages(), ids=lambda v: str(v))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violation_on_any_demo_page(client, path, scheme, demo, server, visit):
    """Every demo page, every impact (minor included)."""
    tab = visit("desktop", scheme)
    page = open_demo(tab, server, demo, client, path)
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def test_axe_does_find_violations(server, demo, visit, www):
    """The audit is live: a page with a known serious violation is reported."""
    broken = www / "status" / "fable" / "broken.html"
    index = (www / "status" / "fable" / "index.html").read_text(encoding="utf-8")
    broken.write_text(
        index.replace("</article>", '<img src="x.png"></article>', 1), encoding="utf-8"
    )
    try:
        page = visit().open(f"{server}{SUB_PATH}fable/broken.html", settle=False)
        assert any("image-alt" in v for v in axe_violations(page))
    finally:
        broken.unlink()


def search(page, words: str):
    """Type into Material's search box; the result items."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():  # narrow screens: open the search dialog first
        page.locator("label.md-header__button[for=__search]").first.click()
    box.click()
    box.press_sequentially(words, delay=20)  # Material searches on key events
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=15_000)
    return results


def test_search_works_over_http_and_from_disk(demo, server, visit, www):
    tab = visit()
    page = tab.open(f"{server}{SUB_PATH}fable/index.html")
    assert "Brand" in search(page, "brand").first.inner_text()
    assert not tab.foreign and not tab.errors, (tab.foreign, tab.errors)

    offline = visit()  # file://: the vendored iframe-worker shim runs the search worker
    page = offline.open((www / "status" / "fable" / "index.html").as_uri(), settle=False)
    assert "Brand" in search(page, "brand").first.inner_text()
    assert not offline.foreign, offline.foreign


# --- hostile text in a real browser -------------------------------------------------------------


def dense_client(plans: Path, slug: str, texts: list[str]) -> None:
    """One project whose every milestone carries one payload in every field, with a note each:
    all payloads on one page (the summary holds them all too)."""
    import yaml
    from helpers import write
    from test_security import HOSTILE_FILE, note

    milestones = []
    for n, text in enumerate(texts):
        milestones.append(
            {
                "id": f"m{n}",
                "title": text,
                "phase": text,
                "owner": text,
                "due": str(dt.date(2026, 1, 1) + dt.timedelta(days=30 * n)),
                "deliverables": [text, {"title": text, "file": HOSTILE_FILE}],
                "acceptance": [text, f"{text} (second criterion)"],
            }
        )
        if n < len(texts) // 2:
            milestones[-1]["delivered"] = milestones[-1]["due"]
    plan = {"title": texts[0], "summary": "\n\n".join(texts), "milestones": milestones}
    folder = plans / slug
    write(
        folder / "client.yml", yaml.safe_dump({"name": " ".join(texts)[:200]}, allow_unicode=True)
    )
    write(
        folder / "p" / "plan.yml",
        yaml.safe_dump(plan, allow_unicode=True, sort_keys=False, width=10_000),
    )
    write(folder / "p" / HOSTILE_FILE, "%PDF-1.4\n")
    for n, text in enumerate(texts[: len(texts) // 2]):
        decision = "approved" if n % 2 == 0 else "changes-requested"
        write(
            folder / "p" / "approvals" / f"{n:02d}.md",
            note(f"m{n}", decision, str(dt.date(2026, 1, 2) + dt.timedelta(days=30 * n)), text),
        )
        write(
            folder / "p" / "approvals" / f"{n:02d}-b.md",
            note(f"m{n + len(texts) // 2}", "rejected", "2026-01-03", text),
        )


@pytest.fixture(scope="session")
def hostile(www, tmp_path_factory):
    """Every XSS payload (tests/xss_payloads.py) in every field: 23 payloads per client, all of
    them on its project page."""
    from test_security import PAYLOADS

    plans = tmp_path_factory.mktemp("hostile") / "plans"
    per_client = 23
    for n in range(0, len(PAYLOADS), per_client):
        dense_client(plans, f"x{n // per_client + 1}", PAYLOADS[n : n + per_client])
    out = www / "hostile"
    report = build(BuildOptions(plans=plans, out=out, today=DEMO_TODAY, jobs=2))
    pages = {}
    for site in report.sites:
        page = (site.path / "projects" / "p.html").read_text(encoding="utf-8")
        assert page.count("sb-milestone-m") >= per_client - 1  # every payload is on it
        pages[site.slug] = sorted(str(p.relative_to(site.path)) for p in site.path.rglob("*.html"))
    return pages


def test_hostile_text_runs_nothing_in_a_browser(hostile, server, visit):
    tab = visit()
    loaded = 0
    for client, pages in hostile.items():
        for path in pages:
            tab.open(f"{server}/hostile/{client}/{path}", settle=False)
            loaded += 1
        results = search(tab.page, "criterion")  # results quote the payloads, rendered as HTML
        assert results.count() > 0
        tab.page.wait_for_timeout(300)
    assert loaded >= 3 * len(hostile)
    assert not tab.dialogs, tab.dialogs
    assert not tab.foreign, tab.foreign
    tab.page.evaluate("() => setTimeout(() => alert('probe'))")  # the listener does hear alerts
    tab.page.wait_for_timeout(300)
    assert tab.dialogs == ["alert: probe"]

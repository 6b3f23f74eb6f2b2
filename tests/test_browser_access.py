"""A password-protected site in a real browser (Debian's Chromium via Playwright, like
tests/test_browser.py), published with `site-builder publish` and served by nginx under a
sub-path: the right password shows the current checkpoint, a wrong one shows an error and
nothing of the plan, the site's other pages open without asking again, documents download
decrypted, and the login page itself passes the accessibility audit. Once per font family.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from browser_support import (
    in_browser,
    is_locked,
    nginx,
    nginx_binary,
    opened,
    require,
    unlock,
    world_readable_dir,
)
from click.testing import CliRunner
from helpers import PLAN_YML, approval, make_client, write
from test_browser import AXE, Visit, axe_violations, screenshot

from site_builder.build import BuildOptions, build
from site_builder.cli import main

pytestmark = pytest.mark.browser

PASSWORD = "a browser test passphrase"
CHECKPOINT = "MRK_CURRENT_CHECKPOINT"
SECOND = "MRK_SECOND_PROJECT"


def tab_task(test):
    """Run test(new_tab) in the session's browser, with test_browser.py's request recording."""

    def task(browser):
        opened_tabs = []

        def new_tab():
            opened_tabs.append(Visit(browser))
            return opened_tabs[-1]

        try:
            return test(new_tab)
        finally:
            for tab in opened_tabs:
                tab.close()

    return in_browser(task)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A password-mode client with two projects and a document, built, published under
    /status/ and served by nginx: the URL of its index page."""
    require("nginx", nginx_binary() is not None, "apt-get install nginx")
    require(
        "axe-core",
        AXE.is_file(),
        "npm install --prefix .cache/node axe-core (scripts/install-test-deps.sh)",
    )
    plans = tmp_path_factory.mktemp("access-browser") / "plans"
    plan = PLAN_YML.replace("title: Design approved", f"title: {CHECKPOINT}").replace(
        "      - Mockups\n",
        "      - Mockups\n      - {title: Style guide, file: documents/style-guide.pdf}\n",
    )
    folder = make_client(
        plans,
        "vault",
        "name: MRK_VAULT_CO\naccess:\n  mode: password\n  password_env: VAULT_BROWSER_PW\n",
        projects={"web": plan, "app": PLAN_YML.replace("Website relaunch", SECOND)},
        approvals={"web": {"k.md": approval("kickoff", "2026-01-09")}},
    )
    write(folder / "web" / "documents" / "style-guide.pdf", "%PDF-1.4 MRK_DOCUMENT\n")
    out = tmp_path_factory.mktemp("access-browser-out") / "site"
    os.environ["VAULT_BROWSER_PW"] = PASSWORD
    try:
        build(BuildOptions(plans=plans, out=out, today=dt.date(2026, 2, 20), jobs=1))
    finally:
        del os.environ["VAULT_BROWSER_PW"]
    root = world_readable_dir("site-builder-browser-access-")
    try:
        done = CliRunner().invoke(
            main,
            [
                "publish",
                "--plans",
                str(plans),
                "--out",
                str(out),
                "--to",
                str(root / "pub"),
                "--base-path",
                "/status/",
            ],
        )
        assert done.exit_code == 0, done.output
        (root / "srv").mkdir(mode=0o755)
        os.symlink(root / "pub" / "www", root / "srv" / "status")
        with nginx(root / "srv", f"include {root / 'pub' / 'access' / 'nginx.conf'};") as url:
            yield f"{url}/status/vault/index.html"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_login_page_shows_nothing_of_the_plan_and_passes_axe(site):
    def test(visit):
        tab = visit()
        page = tab.open(site)
        assert is_locked(page) and page.title() == "Protected status page"
        content = page.content()
        assert "MRK_" not in content and "vault" not in content.lower()
        assert page.locator("#sb-password").is_visible()
        assert page.evaluate("document.activeElement.id") == "sb-password"
        screenshot(page, "password-login")
        violations = axe_violations(page)
        assert not violations, "\n".join(violations)
        assert not tab.errors and not tab.foreign, (tab.errors, tab.foreign)

    tab_task(test)


def test_a_wrong_password_shows_an_error_and_not_the_content(site):
    def test(visit):
        tab = visit()
        page = tab.open(site)
        page.fill("#sb-password", "not the password")
        page.click("#sb-submit")
        error = page.locator("#sb-error")
        error.wait_for(state="visible", timeout=30_000)
        assert "did not open the page" in error.inner_text()
        assert error.get_attribute("aria-live") == "assertive"
        assert page.locator("#sb-password").get_attribute("aria-invalid") == "true"
        assert is_locked(page) and "MRK_" not in page.content()
        screenshot(page, "password-wrong")
        unlock(page, PASSWORD)  # and the right one still works afterwards
        assert CHECKPOINT in page.content()

    tab_task(test)


def test_the_right_password_shows_the_current_checkpoint_and_other_pages_follow(site):
    def test(visit):
        tab = visit()
        page = tab.open(site)
        unlock(page, PASSWORD)
        page.wait_for_load_state("networkidle")
        titles = page.locator("section.sb-project-card .sb-current-title").all_inner_texts()
        assert any(CHECKPOINT in t for t in titles), titles  # web: kickoff approved, design next
        assert page.locator(".sb-current-title", has_text=CHECKPOINT).first.is_visible()
        assert "MRK_VAULT_CO" in page.title()
        screenshot(page, "password-unlocked")
        # Another page of the site: decrypted with the key in this tab's memory, no prompt.
        link = page.locator("a.md-nav__link", has_text=SECOND).first
        href = link.get_attribute("href")
        assert SECOND not in href and "app" not in href  # opaque page names
        link.click()
        page.wait_for_function("t => document.title.includes(t)", arg=SECOND)
        opened(page)  # no password typed: the key in memory opened it
        assert page.locator(".sb-glance").is_visible() and SECOND in page.title()
        assert page.url.endswith(href.split("/")[-1])  # at its own address
        # Back and forward follow the pages, still without a prompt.
        page.go_back()
        page.wait_for_function("t => !document.title.includes(t)", arg=SECOND)
        opened(page)
        assert page.url == site and not is_locked(page)
        page.go_forward()
        page.wait_for_function("t => document.title.includes(t)", arg=SECOND)
        opened(page)
        # Nothing of the key or the password is stored where any page of this origin (another
        # project on the same host) could read it.
        stored = page.evaluate("""async () => JSON.stringify({
            session: Object.entries(sessionStorage), local: Object.entries(localStorage),
            cookies: document.cookie,
            databases: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name)
                                           : []})""")
        assert PASSWORD not in stored and "site-builder" not in stored, stored
        assert '"databases":[]' in stored and '"cookies":""' in stored, stored
        # A document: fetched, decrypted and handed over under its own name.
        page.locator("a.md-nav__link", has_text="Website relaunch").first.click()
        page.wait_for_function("t => !document.title.includes(t)", arg=SECOND)
        opened(page)
        with page.expect_download() as download:
            page.locator("a[data-sb-encrypted]").first.click()
        assert download.value.suggested_filename == "style-guide.pdf"
        assert open(download.value.path(), "rb").read() == b"%PDF-1.4 MRK_DOCUMENT\n"
        assert not tab.errors and not tab.foreign, (tab.errors, tab.foreign)
        assert not tab.dialogs
        # A new tab has no key, and neither has this one once reloaded: both ask again.
        fresh = visit()
        assert is_locked(fresh.open(site))
        page.reload()
        assert is_locked(page)

    tab_task(test)

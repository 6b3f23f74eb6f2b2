"""A client approves a milestone on their status page, in a real browser, with a real signature.

Debian's Chromium (Playwright) opens a site built from a plans git repo straight from disk
(file://): it enrols the device (a non-extractable Ed25519 key in IndexedDB), approves the
milestone awaiting approval with a message, and saves the Download file. The team adds the key
the page showed (`site-builder signers add`) and files the decision (`site-builder receive`);
OpenSSH's own `ssh-keygen -Y verify` accepts the note; the next build shows the milestone
approved with a verified signature. No request leaves the site's own files meanwhile. The
same controls work inside a decrypted password-mode page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import Session, in_browser, unlock
from helpers import CLIENT_YML, PLAN_YML, approval, commit_all, make_client

from site_builder.access import password as protect
from site_builder.build import BuildOptions, build
from site_builder.plans import signatures
from site_builder.plans.load import load_plans

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
TODAY = dt.date(2026, 2, 7)
CONTACT = "projects@agency.example"
CLIENT = CLIENT_YML + f"contact:\n  name: Sam Lee\n  email: {CONTACT}\n"
PASSWORD = "approve test passphrase 123"
SALT_SECRET = "approve test salt secret 0123456789"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def plans_repo(root: Path, client_yml: str = CLIENT) -> Path:
    """A plans git repo whose `design` milestone awaits the client's approval."""
    plans = root / "plans"
    make_client(
        plans,
        client_yml=client_yml,
        projects={"web": PLAN_YML},
        approvals={"web": {"2026-01-09-kickoff.md": approval("kickoff", "2026-01-09")}},
    )
    commit_all(root, "plans", "2026-01-20")
    return plans


def enrol_and_approve(page, message: str) -> str:
    """Enrol this browser and approve `design`; the key line the page showed."""
    box = page.locator("#sb-approve-design")
    box.get_by_role("button", name="Set up approvals on this device").click()
    box.get_by_label("Your name").fill("Ada Client")
    box.get_by_label("Your e-mail address").fill("ada@acme.example")
    box.get_by_role("button", name="Create my signing key").click()
    key_line = box.locator(".sb-approve-key code")
    key_line.wait_for()
    box.get_by_label("Message (optional)").fill(message)
    box.get_by_role("button", name="Approve", exact=True).click()
    box.get_by_role("link", name="Download").wait_for()
    return key_line.inner_text().strip()


def test_a_client_approves_on_the_page_and_the_team_files_it(tmp_path):
    plans = plans_repo(tmp_path)
    out = tmp_path / "site"
    build(BuildOptions(plans=plans, out=out, today=TODAY))
    site = out / "acme"
    page_html = (site / "projects" / "web.html").read_text()
    assert 'data-sb-contact="projects@agency.example"' in page_html  # the one address
    assert "ada@acme.example" not in page_html

    def run(browser):
        context = browser.new_context(accept_downloads=True)
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        try:
            page = context.new_page()
            page.goto((site / "projects" / "web.html").as_uri())
            page.wait_for_load_state("load")
            box = page.locator("#sb-approve-design")
            hidden = box.get_by_role("button", name="Approve", exact=True, include_hidden=True)
            assert hidden.count() == 1 and not hidden.is_visible()  # until enrolled
            key_line = enrol_and_approve(page, "Looks great on phones.\n\nGo ahead.")
            send = box.get_by_role("link", name="Send by e-mail")
            assert send.get_attribute("href").startswith(f"mailto:{CONTACT}?subject=")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / f"approve-signed-{Session.fonts.family}.png"), full_page=True
            )
            with page.expect_download() as download:
                box.get_by_role("link", name="Download").click()
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            return key_line, saved, requests
        finally:
            context.close()

    key_line, saved, requests = in_browser(run)
    assert saved.name.endswith("-design.approval.txt")
    own = site.as_uri() + "/"
    foreign = [u for u in requests if not u.startswith((own, "blob:", "data:"))]
    assert not foreign, foreign  # no request but the page's own files
    assert key_line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA")

    done = cli(
        "signers",
        "add",
        "acme",
        key_line,
        "--name",
        "Ada Client",
        "--email",
        "ada@acme.example",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # A changed byte in the browser-made file is refused, and nothing is written.
    mutated = tmp_path / "mutated.txt"
    mutated.write_text(saved.read_text().replace("Go ahead.", "Go ahead!"))
    done = cli("receive", str(mutated), cwd=tmp_path)
    assert done.returncode == 1 and "the signature does not verify" in done.stderr
    done = cli("receive", str(saved), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    notes = sorted((plans / "acme" / "web" / "approvals").glob("*-design.md"))
    assert len(notes) == 1 and "Go ahead." in notes[0].read_text()

    # OpenSSH itself accepts the note, with an allowed_signers file made from client.yml.
    loaded, _ = load_plans(plans)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(
        signatures.allowed_signers_text(
            (s.email, k) for s in loaded.client("acme").signers for k in s.keys
        )
    )
    with open(notes[0], "rb") as note:
        verify = subprocess.run(
            [
                "ssh-keygen",
                "-Y",
                "verify",
                "-n",
                "milestone-approval",
                "-f",
                str(allowed),
                "-I",
                "ada@acme.example",
                "-s",
                f"{notes[0]}.sig",
            ],
            stdin=note,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert verify.returncode == 0, verify.stderr

    build(BuildOptions(plans=plans, out=out, today=TODAY))
    status = json.loads((site / "status.json").read_text())["projects"][0]
    design = next(m for m in status["milestones"] if m["id"] == "design")
    assert design["status"] == "approved"
    assert [(a["milestone"], a["signature"]) for a in status["approvals"]] == [
        ("kickoff", "unsigned"),
        ("design", "verified"),
    ]


def test_the_controls_work_inside_a_decrypted_password_page(tmp_path, monkeypatch):
    plans = plans_repo(
        tmp_path, CLIENT.replace("mode: link", "mode: password\n  password_env: ACME_PW")
    )
    monkeypatch.setenv("ACME_PW", PASSWORD)
    monkeypatch.setenv("SITE_BUILDER_SALT_SECRET", SALT_SECRET)
    out = tmp_path / "site"
    build(BuildOptions(plans=plans, out=out, today=TODAY))
    salt = protect.pinned_salt(SALT_SECRET, "acme", PASSWORD)
    sealer = protect.Sealer(protect.derive_key(PASSWORD, salt), salt)
    page_path = out / "acme" / sealer.opaque_page("projects/web.html")
    assert b"Set up approvals" not in page_path.read_bytes()  # encrypted like the rest

    def run(browser):
        context = browser.new_context(accept_downloads=True)
        try:
            page = context.new_page()
            page.goto(page_path.as_uri())
            unlock(page, PASSWORD)
            key_line = enrol_and_approve(page, "Approved from the protected page.")
            note = page.locator("#sb-approve-design .sb-approve-note code").text_content()
            page.screenshot(path=str(ARTIFACTS / f"approve-password-{Session.fonts.family}.png"))
            return key_line, note
        finally:
            context.close()

    key_line, note = in_browser(run)
    assert key_line.startswith("ssh-ed25519 ")
    assert 'client: "acme"\nproject: "web"\nmilestone: "design"' in note
    assert "-----BEGIN SSH SIGNATURE-----" in note

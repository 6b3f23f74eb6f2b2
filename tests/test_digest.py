"""`events --email`: one digest per recipient, written as .eml and sent to a real SMTP server
(aiosmtpd on 127.0.0.1), then read back with Python's email package."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from helpers import approval, commit_all, make_client, ssh_key, write

from site_builder.cli import main

BASE = "https://status.example.com/acme/"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PASSWORD = "pw-S3cret-value"


def client_yml(ada_key, bo_key):
    return f"""\
name: Acme Widgets
language: de
timezone: UTC
site:
  url: {BASE}
access: {{mode: public}}
signers:
  - name: Ada Client
    email: ada@acme.example
    key: {ada_key}
    notify: [email]
  - name: Bo Client
    email: bo@acme.example
    key: {bo_key}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server accepted: (envelope recipients, raw message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"bot" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def history(plans, tmp_path):
    _, ada = ssh_key(tmp_path, "ada")
    _, bo = ssh_key(tmp_path, "bo")
    make_client(plans, client_yml=client_yml(ada, bo))
    make_client(plans, slug="other", client_yml="name: Other Co\naccess: {mode: link}\n")
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    write(plans / "other" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    commit_all(tmp_path, "Kickoff approved", "2026-01-10")
    return start


def env(port, scheme="smtp+insecure"):
    return {
        "SITE_BUILDER_SMTP_URL": f"{scheme}://bot@127.0.0.1:{port}",
        "SITE_BUILDER_SMTP_PASSWORD": PASSWORD,
        "SITE_BUILDER_SMTP_FROM": "Status bot <status@agency.example>",
        "SITE_BUILDER_SMTP_TIMEOUT": "10",
    }


def run(*args, environ):
    return CliRunner().invoke(main, ["events", *args], env=environ, catch_exceptions=False)


def parts(message):
    plain = message.get_body(("plain",)).get_content()
    markup = message.get_body(("html",)).get_content()
    return plain, markup


def test_digests_go_to_the_team_and_opted_in_signers_only(history, smtp, tmp_path):
    inbox, port = smtp
    result = run(
        "--since",
        history,
        "--email",
        "--email-team",
        "team@agency.example",
        "--email-out",
        "mail",
        environ=env(port),
    )
    assert result.exit_code == 0, result.output
    assert "sent 2 e-mail digest(s)" in result.stderr
    assert PASSWORD not in result.output
    received = {
        tuple(rcpt): email.message_from_bytes(raw, policy=email.policy.default)
        for rcpt, raw in inbox.messages
    }
    assert set(received) == {("team@agency.example",), ("ada@acme.example",)}  # not Bo

    ada = received[("ada@acme.example",)]
    assert ada["To"] == "Ada Client <ada@acme.example>"
    assert ada["From"] == "Status bot <status@agency.example>"
    assert ada["Subject"] == "Acme Widgets: 1 Neuigkeit"
    assert re.fullmatch(r"<[0-9a-f]{32}@agency\.example>", ada["Message-ID"])
    assert ada["Date"]
    assert ada.get_content_type() == "multipart/alternative"
    plain, markup = parts(ada)
    for body in (plain, markup):
        assert "Kickoff done" in body and "Freigegeben von Ada Client" in body
        assert "Other Co" not in body  # only her client's events
        assert [m.group(0) for m in ADDRESS.finditer(body)] == []  # no address in the body
    assert f'<a href="{BASE}projects/web.html">Statusseite öffnen</a>' in markup

    team = received[("team@agency.example",)]
    plain, markup = parts(team)
    assert "Acme Widgets" in plain and "Other Co" in plain  # every client, in English
    assert "Approved by Ada Client" in plain
    assert [m.group(0) for m in ADDRESS.finditer(plain + markup)] == []

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    ids = {
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Message-ID"]
        for f in files
    }
    assert ids == {ada["Message-ID"], team["Message-ID"]}


def test_message_ids_and_files_are_reproducible(history, tmp_path):
    for out in ("a", "b"):
        result = run(
            "--since",
            history,
            "--email",
            "--email-team",
            "team@agency.example",
            "--email-out",
            out,
            environ={"SITE_BUILDER_SMTP_URL": None},
        )
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        p.name for p in (tmp_path / "b").iterdir()
    )


def test_starttls_is_required_unless_insecure_localhost(history, smtp):
    inbox, port = smtp
    result = run(
        "--since",
        history,
        "--email",
        "--email-team",
        "team@agency.example",
        environ=env(port, "smtp"),
    )
    assert result.exit_code == 1
    assert "does not offer STARTTLS" in result.stderr and "no e-mail sent" in result.stderr
    assert PASSWORD not in result.output
    assert inbox.messages == []

    remote = {**env(port), "SITE_BUILDER_SMTP_URL": "smtp+insecure://bot@mail.example.com"}
    result = run(
        "--since", history, "--email", "--email-team", "team@agency.example", environ=remote
    )
    assert result.exit_code == 2
    assert "only reaches this machine" in result.stderr


class Rejecting(Inbox):
    """Refuses every message, echoing the password (as a careless server might)."""

    async def handle_DATA(self, server, session, envelope):
        return f"554 5.7.1 not accepted from bot:{PASSWORD}"


def test_smtp_failures_are_reported_without_the_password(history):
    controller = Controller(
        Rejecting(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        result = run(
            "--since",
            history,
            "--email",
            "--email-team",
            "team@agency.example",
            environ=env(controller.port),
        )
    finally:
        controller.stop()
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "was not sent" in line]
    assert len(lines) == 2  # each message tried and reported
    assert all("554 5.7.1 not accepted from bot:***" in line for line in lines)
    assert PASSWORD not in result.output


def test_password_in_the_url_is_refused(history):
    result = run(
        "--since",
        history,
        "--email",
        "--email-out",
        "mail",
        environ={
            "SITE_BUILDER_SMTP_URL": f"smtps://bot:{PASSWORD}@mail.example.com",
            "SITE_BUILDER_SMTP_FROM": "status@agency.example",
        },
    )
    assert result.exit_code == 2
    assert "SITE_BUILDER_SMTP_PASSWORD" in result.stderr and PASSWORD not in result.output


def test_the_from_address_can_come_from_site_builder_yml(history, tmp_path):
    """site-builder.yml `email_from` is the From unless SITE_BUILDER_SMTP_FROM is set; a bad
    one is a plan error with its line, before anything is written."""
    settings = tmp_path / "site-builder.yml"
    settings.write_text(
        "name: Northstar\nemail_from: Northstar status <status@northstar.example>\n"
    )
    args = ["--since", history, "--email", "--email-team", "team@agency.example"]
    done = run(*args, "--email-out", "a", environ={"SITE_BUILDER_SMTP_URL": None})
    assert done.exit_code == 0, done.output
    for path in (tmp_path / "a").glob("*.eml"):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert mail["From"] == "Northstar status <status@northstar.example>"
    environ = {"SITE_BUILDER_SMTP_URL": None, "SITE_BUILDER_SMTP_FROM": "bot@agency.example"}
    done = run(*args, "--email-out", "b", environ=environ)
    mail = next((tmp_path / "b").glob("*.eml")).read_bytes()
    assert b"From: bot@agency.example" in mail

    settings.write_text("name: Northstar\nemail_from: status@northstar.example\n")
    done = run(*args, "--email-out", "c", environ={"SITE_BUILDER_SMTP_URL": None})
    assert done.exit_code == 1
    assert done.stderr.startswith("site-builder.yml:2: error: `email_from` must be a name and")
    assert not (tmp_path / "c").exists()

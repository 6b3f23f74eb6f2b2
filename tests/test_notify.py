"""`events --format slack|teams|google-chat`: each service's incoming-webhook payload, checked
against JSON Schemas written from the services' public docs, posted to a real local server."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from helpers import approval, commit_all, make_client, write
from webhook_server import WebhookServer, reply

from site_builder.cli import main

SCHEMAS = Path(__file__).parent / "fixtures" / "notify"
BASE = "https://status.example.com/acme/"
FAST = {"SITE_BUILDER_WEBHOOK_RETRY_DELAYS": "0.01", "http_proxy": None, "HTTP_PROXY": None}
# Plan text that tries to mention everyone and to link, in each service's syntax.
HOSTILE = (
    "<!channel> <https://evil.example|click> @here <users/all> [x](https://evil.example) "
    "& ada@acme.example"
)


def client_yml(language="en"):
    return (
        f"name: Acme Widgets\nlanguage: {language}\ntimezone: UTC\n"
        f"site:\n  url: {BASE}\naccess: {{mode: public}}\n"
    )


def schema(fmt):
    return json.loads((SCHEMAS / f"{fmt}.schema.json").read_text())


@pytest.fixture
def history(plans, tmp_path):
    """Since the returned commit: launch added with a hostile title, kickoff approved, design's
    due date moved."""
    make_client(plans, client_yml=client_yml())
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    text = plan.read_text().replace("due: 2026-02-10", "due: 2026-02-17")
    plan.write_text(
        text + f"  - id: extra\n    title: {json.dumps(HOSTILE)}\n    due: 2026-04-01\n"
    )
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    commit_all(tmp_path, "Changes", "2026-01-10")
    return start


def payloads(*args):
    result = CliRunner().invoke(main, ["events", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["slack", "teams", "google-chat"])
def test_payloads_match_the_services_documented_shapes(history, fmt):
    found = payloads("--since", history, "--format", fmt)
    assert len(found) == 3  # added, due-moved, approved: one message per record
    for payload in found:
        jsonschema.validate(payload, schema(fmt))
    text = json.dumps(found, ensure_ascii=False)
    assert "acme.example" not in text  # the address in the title is redacted
    assert "email hidden" in text  # Teams: with its brackets escaped


def slack_texts(payload):
    return [payload["text"]] + [b["text"]["text"] for b in payload["blocks"]]


def test_slack_text_cannot_mention_or_link(history):
    found = payloads("--since", history, "--format", "slack")
    hostile = [p for p in found if "evil" in p["text"]]
    assert hostile
    for payload in found:
        for text in slack_texts(payload):
            # the only <...> are our own links to the client's site
            assert all(m.startswith(BASE) for m in re.findall(r"<([^>]*)>", text)), text
            assert "@here" not in text and "<!" not in text
    assert all(p["blocks"][0]["text"]["verbatim"] is True for p in found)  # no auto-links
    section = hostile[0]["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &lt;https://evil.example|click&gt;" in section
    assert "&amp; [email hidden]" in section
    assert f"<{BASE}projects/web.html|Open the status page>" in section


def test_teams_card_text_cannot_link(history):
    found = payloads("--since", history, "--format", "teams")
    for payload in found:
        card = payload["attachments"][0]["content"]
        for block in card["body"]:
            assert "](" not in block["text"] and "<" not in block["text"].replace("\\<", "")
        assert card["actions"] == [
            {
                "type": "Action.OpenUrl",
                "title": "Open the status page",
                "url": BASE + "projects/web.html",
            }
        ]
    texts = [b["text"] for p in found for b in p["attachments"][0]["content"]["body"]]
    assert any(r"\[x\]\(https://evil\.example\)" in t for t in texts)


def test_google_chat_text_cannot_mention_or_link(history):
    found = payloads("--since", history, "--format", "google-chat")
    for payload in found:
        links = re.findall(r"<([^>]*)>", payload["text"])
        assert links == [f"{BASE}projects/web.html|Open the status page"], payload["text"]
    assert any("‹users/all›" in p["text"] for p in found)


def test_messages_are_in_the_clients_language(plans, tmp_path):
    make_client(plans, client_yml=client_yml("de"))
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    commit_all(tmp_path, "Approved", "2026-01-10")
    [payload] = payloads("--since", start, "--format", "google-chat")
    assert "Freigegeben von Ada Client am 09.01.2026" in payload["text"]
    assert "Rechnung freigegeben: 1.000,00\xa0€" in payload["text"]
    assert "Statusseite öffnen" in payload["text"]


def test_due_soon_reminders_as_slack_messages(plans):
    make_client(plans, client_yml=client_yml("fr"))
    found = payloads("--due-within", "10", "--today", "2026-02-05", "--format", "slack")
    jsonschema.validate(found[0], schema("slack"))
    assert [p["text"] for p in found] == [
        (
            "Acme Widgets · Website relaunch: Kickoff done: Prévu le 10 janv. 2026 : en retard de "
            "26 jours · En attente de votre validation · Responsable: Sam Lee"
        ),
        (
            "Acme Widgets · Website relaunch: Design approved: Prévu le 10 févr. 2026 : dans 5 "
            "jours · En attente de votre validation"
        ),
    ]


def receiving():
    """Records each POST's body and answers 200 "ok" (as Slack does)."""
    return WebhookServer(lambda handler, n: reply(handler, 200, b"ok"), "/services/T0/B0/x")


@pytest.mark.parametrize("fmt", ["slack", "teams", "google-chat"])
def test_webhook_receives_one_payload_per_record(history, fmt):
    expected = payloads("--since", history, "--format", fmt)
    with receiving() as receiver:
        result = CliRunner().invoke(
            main,
            ["events", "--since", history, "--format", fmt, "--webhook", receiver.url],
            env=FAST,
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    received = [json.loads(body) for body in receiver.bodies]
    assert received == expected
    for payload in received:
        jsonschema.validate(payload, schema(fmt))
    assert "posted 3 event(s)" in result.stderr


def test_notification_labels_are_catalog_entries_in_every_language_with_plurals():
    from site_builder.events import notify
    from site_builder.site import i18n

    keys = [k for k in i18n.EN if k.startswith("notify.")]
    assert len(keys) == 11
    for language in ("de", "fr", "es", "nl"):
        assert not [k for k in i18n.missing_labels(language) if k in keys], language
    de = notify.Labels("de")
    assert de("notify.overdue", due="1. März", count=1) == "Fällig am 1. März: 1 Tag überfällig"
    assert de("notify.overdue", due="1. März", count=3) == "Fällig am 1. März: 3 Tage überfällig"
    assert notify.Labels("fr")("notify.subject", client="Acme", count=0) == "Acme : 0 mise à jour"
    assert notify.Labels("en")("notify.subject", client="Acme", count=2) == "Acme: 2 updates"

"""`site-builder events`: change events from real git repos, due-soon reminders, webhooks."""

import email.utils
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from helpers import CLIENT_YML, PLAN_YML, approval, commit_all, git, make_client, sign, write
from webhook_server import WebhookServer, reply

from site_builder import __version__
from site_builder.cli import main

SIGNED_CLIENT = """\
name: Acme Widgets
require_signed_approvals: true
signers:
  - name: Ada Client
    email: ada@acme.example
    key: {key}
"""


def cli(*args, env=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def events(*args, env=None):
    result = cli("events", "--json", *args, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def plan_file(plans, project="web", slug="acme"):
    return plans / slug / project / "plan.yml"


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def summary(records):
    return [(r["type"], r["milestone"]["id"], r["date"], r["commit"]) for r in records]


# --- change events -------------------------------------------------------------------------------


def test_every_event_type_with_its_commit_and_date(plans, tmp_path):
    make_client(plans)
    start = commit_all(tmp_path, "Initial plan", "2026-01-01")
    plan = plan_file(plans)
    edit(plan, "due: 2026-02-10", "due: 2026-02-20")
    moved = commit_all(tmp_path, "Design later", "2026-01-15")
    edit(plan, "    due: 2026-03-10\n", "    due: 2026-03-10\n    delivered: 2026-03-08\n")
    plan.write_text(
        plan.read_text() + "  - id: training\n    title: Training\n"
        "    due: 2026-04-01\n    owner: Sam Lee\n"
    )
    delivered = commit_all(tmp_path, "Launch delivered, training added", "2026-03-08")
    notes = plans / "acme" / "web" / "approvals"
    write(notes / "1-kickoff.md", approval("kickoff", "2026-01-09"))
    write(notes / "2-design.md", approval("design", "2026-03-09", "changes-requested"))
    write(notes / "3-launch.md", approval("launch", "2026-03-10", "rejected"))
    decided = commit_all(tmp_path, "Client decisions", "2026-03-11")
    edit(
        plan, "  - id: training\n    title: Training\n    due: 2026-04-01\n    owner: Sam Lee\n", ""
    )
    removed = commit_all(tmp_path, "Training dropped", "2026-03-12")

    records = events("--since", start)
    assert summary(records) == [
        ("approved", "kickoff", "2026-01-09", decided),  # the decision date, not the commit's
        ("due-moved", "design", "2026-01-15", moved),
        ("delivered", "launch", "2026-03-08", delivered),
        ("changes-requested", "design", "2026-03-09", decided),
        ("rejected", "launch", "2026-03-10", decided),
    ]
    by_type = {r["type"]: r for r in records}
    assert by_type["due-moved"]["from"] == "2026-02-10"
    assert by_type["due-moved"]["to"] == "2026-02-20"
    assert by_type["delivered"]["delivered"] == "2026-03-08"
    assert by_type["approved"]["invoice"] == 1000 and by_type["approved"]["currency"] == "EUR"
    assert by_type["changes-requested"]["invoice"] is None
    assert by_type["rejected"]["by"] == "Ada Client"

    # a narrower range: added in one commit, removed in the next
    added = events("--since", decided, "--until", removed)
    assert summary(added) == [("milestone-removed", "training", "2026-03-12", removed)]
    assert added[0]["milestone"]["title"] == "Training"
    assert summary(events("--since", moved, "--until", delivered)) == [
        ("delivered", "launch", "2026-03-08", delivered),
        ("milestone-added", "training", "2026-03-08", delivered),
    ]
    # the default --until is HEAD; nothing changed since it
    assert events("--since", "HEAD") == []


def test_json_shape_and_text_lines(plans, tmp_path):
    make_client(plans)
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    sha = commit_all(tmp_path, "Kickoff approved", "2026-01-10")
    (record,) = events("--since", start)
    assert record == {
        "id": f"acme/web/kickoff/approved/k.md@{sha}",
        "type": "approved",
        "date": "2026-01-09",
        "commit": sha,
        "client": {"slug": "acme", "name": "Acme Widgets"},
        "project": {"slug": "web", "title": "Website relaunch"},
        "milestone": {"id": "kickoff", "title": "Kickoff done"},
        "due": "2026-01-10",
        "delivered": "2026-01-08",
        "from": None,
        "to": None,
        "by": "Ada Client",
        "note": "k.md",
        "signature": "unsigned",
        "counted": True,
        "invoice": 1000,
        "currency": "EUR",
    }
    result = cli("events", "--since", start)
    assert result.exit_code == 0
    assert result.stdout == (
        f"2026-01-09  acme/web/kickoff  approved by Ada Client; invoice "
        f"1,000 EUR released  [{sha}]\n"
    )
    assert "ada@acme.example" not in result.output
    empty = cli("events", "--since", "HEAD")
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert f"no events between {sha} and {sha}" in empty.stderr


def test_net_change_over_the_range_and_the_commit_that_made_it(plans, tmp_path):
    make_client(plans)
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    plan = plan_file(plans)
    edit(plan, "due: 2026-02-10", "due: 2026-02-20")
    commit_all(tmp_path, "Design later", "2026-01-10")
    edit(plan, "due: 2026-02-20", "due: 2026-03-01")
    last = commit_all(tmp_path, "Design later again", "2026-01-20")
    edit(plan, "title: Site live", "title: Site is live")  # unrelated edit
    commit_all(tmp_path, "Retitle", "2026-01-25")
    (moved,) = events("--since", start)
    assert (moved["from"], moved["to"], moved["commit"], moved["date"]) == (
        "2026-02-10",
        "2026-03-01",
        last,
        "2026-01-20",
    )

    edit(plan, "due: 2026-03-01", "due: 2026-02-10")  # moved back: no net change
    commit_all(tmp_path, "Back to plan", "2026-02-01")
    assert events("--since", start) == []


def test_a_merge_credits_each_change_to_the_commit_that_made_it(plans, tmp_path):
    """main moves design, a branch moves launch, then a merge: neither move is credited to the
    other side's commit or to the merge."""
    make_client(plans)
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    plan = plan_file(plans)
    git(tmp_path, "checkout", "-q", "-b", "later-launch")
    edit(plan, "due: 2026-03-10", "due: 2026-03-24")
    on_branch = commit_all(tmp_path, "Launch later", "2026-01-05")
    git(tmp_path, "checkout", "-q", "main")
    edit(plan, "due: 2026-02-10", "due: 2026-02-17")
    on_main = commit_all(tmp_path, "Design later", "2026-01-08")
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "Merge", "later-launch", date="2026-01-12")
    moved = {r["milestone"]["id"]: (r["commit"], r["date"]) for r in events("--since", start)}
    assert moved == {"design": (on_main, "2026-01-08"), "launch": (on_branch, "2026-01-05")}


def test_invoice_is_released_once_when_the_milestone_becomes_approved(plans, tmp_path):
    notes = plans / "acme" / "web" / "approvals"
    make_client(plans, approvals={"web": {"1.md": approval("kickoff", "2026-01-09")}})
    start = commit_all(tmp_path, "Plan, kickoff approved", "2026-01-10")
    write(notes / "2.md", approval("kickoff", "2026-01-12", body="Approved again.\n"))
    write(notes / "3.md", approval("design", "2026-02-06", "changes-requested"))
    write(notes / "4.md", approval("design", "2026-02-01"))  # older than the request: not decisive
    commit_all(tmp_path, "More notes", "2026-02-07")
    records = {r["note"]: r for r in events("--since", start)}
    assert records["2.md"]["type"] == "approved" and records["2.md"]["invoice"] is None
    assert records["4.md"]["type"] == "approved" and records["4.md"]["invoice"] is None
    assert records["3.md"]["type"] == "changes-requested"

    since = git(tmp_path, "rev-parse", "--short", "HEAD").strip()
    write(notes / "5.md", approval("design", "2026-02-10"))
    write(notes / "6.md", approval("launch", "2026-03-11", extra="deliverables: [Site]\n"))
    commit_all(tmp_path, "Design and launch approved", "2026-03-12")
    records = {r["note"]: r for r in events("--since", since)}
    assert (records["5.md"]["invoice"], records["6.md"]["invoice"]) == (3000, 6000)

    # an edited note is reported again, but releases nothing a second time
    since = git(tmp_path, "rev-parse", "--short", "HEAD").strip()
    edit(notes / "6.md", "Looks good.", "Looks great.")
    commit_all(tmp_path, "Typo", "2026-03-13")
    (again,) = events("--since", since)
    assert (again["type"], again["note"], again["invoice"]) == ("approved", "6.md", None)


def test_required_signatures_decide_whether_an_approval_counts(plans, tmp_path, keys):
    ada_key, ada_pub = keys["ada"]
    eve_key, _ = keys["eve"]
    notes = plans / "acme" / "web" / "approvals"
    make_client(plans, client_yml=SIGNED_CLIENT.format(key=ada_pub))
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    write(notes / "k.md", approval("kickoff", "2026-01-09"))
    write(notes / "d.md", approval("design", "2026-02-06"))
    sign(notes / "d.md", eve_key)  # valid signature, but not by a listed signer
    unsigned = commit_all(tmp_path, "Notes without valid signatures", "2026-02-07")
    records = events("--since", start)
    assert [
        (r["note"], r["type"], r["signature"], r["counted"], r["invoice"]) for r in records
    ] == [
        ("k.md", "approved", "unsigned", False, None),
        ("d.md", "approved", "unknown-signer", False, None),
    ]
    text = cli("events", "--since", start).stdout
    assert "approved by Ada Client; does not count (signature unsigned)" in text

    (notes / "d.md.sig").unlink()
    sign(notes / "k.md", ada_key)
    sign(notes / "d.md", ada_key)
    signed = commit_all(tmp_path, "Signatures", "2026-02-08")
    # only the signatures changed: the notes now count, so they are events of that commit
    records = events("--since", unsigned)
    assert [
        (r["note"], r["signature"], r["counted"], r["invoice"], r["commit"]) for r in records
    ] == [("k.md", "verified", True, 1000, signed), ("d.md", "verified", True, 3000, signed)]
    # over the whole range: one event per note, counted
    assert [(r["note"], r["counted"]) for r in events("--since", start)] == [
        ("k.md", True),
        ("d.md", True),
    ]
    # a note whose signature no longer verifies is reported, not counted
    edit(notes / "k.md", "Looks good.", "Looks good, with changes.")
    commit_all(tmp_path, "Edited after signing", "2026-02-09")
    (tampered,) = events("--since", signed)
    assert (tampered["signature"], tampered["counted"], tampered["invoice"]) == (
        "invalid",
        False,
        None,
    )


def test_signers_come_from_client_yml_at_until(plans, tmp_path, keys):
    ada_key, ada_pub = keys["ada"]
    notes = plans / "acme" / "web" / "approvals"
    make_client(plans, client_yml=SIGNED_CLIENT.format(key=keys["eve"][1]))
    start = commit_all(tmp_path, "Plan, Eve's key by mistake", "2026-01-01")
    write(notes / "k.md", approval("kickoff", "2026-01-09"))
    sign(notes / "k.md", ada_key)
    write(plans / "acme" / "client.yml", SIGNED_CLIENT.format(key=ada_pub))
    commit_all(tmp_path, "Signed note; Ada's real key", "2026-01-10")
    (record,) = events("--since", start)
    assert (record["signature"], record["counted"]) == ("verified", True)


def test_emails_are_never_printed(plans, tmp_path):
    make_client(
        plans,
        projects={
            "web": PLAN_YML.replace("title: Site live", "title: Live (ask sam@agency.example)")
        },
    )
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    edit(plan_file(plans), "due: 2026-03-10", "due: 2026-03-17")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    commit_all(tmp_path, "Changes", "2026-01-10")
    for args in (("--json",), ()):
        result = cli("events", "--since", start, *args)
        assert result.exit_code == 0
        assert "@acme.example" not in result.output and "sam@agency" not in result.output
    assert "Live (ask [email hidden])" in cli("events", "--since", start, "--json").output


def test_plans_broken_at_until_are_errors_with_their_line(plans, tmp_path):
    make_client(plans)
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    write(plans / "acme" / "web" / "approvals" / "n.md", approval("desgin", "2026-02-06"))
    sha = commit_all(tmp_path, "Typo", "2026-02-07")
    result = cli("events", "--since", start)
    assert result.exit_code == 1
    assert (
        f"plans/acme/web/approvals/n.md:2: error: milestone `desgin` not found (did you "
        f"mean `design`?); ids in this plan: kickoff, design, launch (in revision {sha})"
    ) in result.stderr
    assert result.stdout == ""


def test_unreadable_plan_at_since_is_a_warning(plans, tmp_path):
    make_client(plans, projects={"web": "title: [unclosed\n"})
    start = commit_all(tmp_path, "Broken plan", "2026-01-01")
    write(plan_file(plans), PLAN_YML)
    commit_all(tmp_path, "Fixed plan", "2026-01-02")
    result = cli("events", "--since", start)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (
        f"plans/acme/web/plan.yml:0: warning: cannot be read in revision {start}" in result.stderr
    )


def test_plans_at_the_repository_root_and_client_added(tmp_path):
    repo = tmp_path / "plans-repo"
    repo.mkdir()
    write(repo / "README.md", "plans\n")
    start = commit_all(repo, "Empty", "2026-01-01")
    make_client(repo, slug="beta", approvals={"web": {"k.md": approval("kickoff", "2026-01-03")}})
    added = commit_all(repo, "New client", "2026-01-04")
    records = events("--plans", str(repo), "--since", start)
    assert [(r["type"], r["milestone"]["id"]) for r in records] == [
        ("approved", "kickoff"),
        ("milestone-added", "kickoff"),
        ("delivered", "kickoff"),
        ("milestone-added", "design"),
        ("delivered", "design"),
        ("milestone-added", "launch"),
    ]
    assert {r["commit"] for r in records} == {added}
    assert records[0]["client"] == {"slug": "beta", "name": "Acme Widgets"}


def test_bad_usage_exits_2(plans, tmp_path, monkeypatch):
    make_client(plans)
    assert cli("events").exit_code == 2  # neither mode
    assert cli("events", "--since", "HEAD", "--due-within", "7").exit_code == 2
    assert cli("events", "--since", "HEAD").exit_code == 2  # not a git repository yet
    commit_all(tmp_path, "Plan", "2026-01-01")
    unknown = cli("events", "--since", "nope")
    assert unknown.exit_code == 2
    assert "site-builder: error: --since: unknown revision `nope`" in unknown.stderr
    assert cli("events", "--since", "--help").exit_code == 2
    assert cli("events", "--since", "HEAD", "--today", "2026-01-01").exit_code == 2
    assert cli("events", "--due-within", "7", "--until", "HEAD").exit_code == 2
    assert cli("events", "--due-within", "-1").exit_code == 2
    bad_url = cli("events", "--since", "HEAD", "--webhook", "ftp://u:pw@example.com/h?t=x")
    assert bad_url.exit_code == 2
    assert "not `ftp://example.com/h`" in bad_url.stderr and "pw" not in bad_url.stderr
    monkeypatch.delenv("NO_SUCH_SECRET", raising=False)
    missing = cli(
        "events",
        "--since",
        "HEAD",
        "--webhook",
        "http://127.0.0.1:9/",
        "--webhook-secret-env",
        "NO_SUCH_SECRET",
    )
    assert missing.exit_code == 2
    assert "environment variable NO_SUCH_SECRET is not set" in missing.stderr


# --- due soon ------------------------------------------------------------------------------------


def test_due_within_lists_overdue_and_soon_not_approved(plans, tmp_path):
    make_client(plans, approvals={"web": {"k.md": approval("kickoff", "2026-01-09")}})
    make_client(
        plans,
        slug="zeta",
        client_yml="name: Zeta\ntimezone: Pacific/Auckland\n",
        projects={
            "app": "title: App\nmilestones:\n  - id: beta\n    title: Beta\n"
            "    owner: Kim\n    due: 2026-02-20\n"
        },
    )
    records = events("--due-within", "7", "--today", "2026-02-14")
    assert [
        (
            r["type"],
            r["client"]["slug"],
            r["milestone"]["id"],
            r["due"],
            r["days_left"],
            r["status"],
            r["owner"],
        )
        for r in records
    ] == [
        ("overdue", "acme", "design", "2026-02-10", -4, "awaiting-approval", None),
        ("due-soon", "zeta", "beta", "2026-02-20", 6, "in-progress", "Kim"),
    ]
    assert records[1] == {
        "type": "due-soon",
        "client": {"slug": "zeta", "name": "Zeta"},
        "project": {"slug": "app", "title": "App"},
        "milestone": {"id": "beta", "title": "Beta"},
        "owner": "Kim",
        "due": "2026-02-20",
        "days_left": 6,
        "status": "in-progress",
        "today": "2026-02-14",
    }
    text = cli("events", "--due-within", "0", "--today", "2026-02-20").stdout.splitlines()
    assert text == [
        "2026-02-10  acme/web/design  overdue by 10 day(s): Design approved (awaiting-approval)",
        "2026-02-20  zeta/app/beta  due today: Beta (in-progress, owner Kim)",
    ]
    nothing = cli("events", "--due-within", "3", "--today", "2026-01-01")
    assert (nothing.exit_code, nothing.stdout) == (0, "")
    assert "nothing due within 3 day(s)" in nothing.stderr


def test_without_today_each_client_counts_from_its_own_date(plans, monkeypatch):
    import datetime as dt

    from site_builder import build

    make_client(plans)  # UTC
    make_client(plans, slug="zeta", client_yml=CLIENT_YML.replace("UTC", "Pacific/Auckland"))
    now = dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.timezone.utc)  # 10 March in Auckland
    real = build.client_today
    monkeypatch.setattr(build, "client_today", lambda c, today: real(c, today, now=now))
    launch = {
        r["client"]["slug"]: (r["today"], r["days_left"])
        for r in events("--due-within", "1")
        if r["milestone"]["id"] == "launch"
    }
    assert launch == {"acme": ("2026-03-09", 1), "zeta": ("2026-03-10", 0)}


# --- webhooks ------------------------------------------------------------------------------------


def receiving(failures=0, status=500):
    """Records POSTs; answers `status` to the first `failures` of them, then 204."""
    return WebhookServer(lambda handler, n: reply(handler, status if n < failures else 204))


@pytest.fixture
def history(plans, tmp_path):
    """A repo whose last commit approves kickoff and moves launch: two events."""
    make_client(plans)
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    edit(plan_file(plans), "due: 2026-03-10", "due: 2026-03-17")
    commit_all(tmp_path, "Kickoff approved, launch later", "2026-01-10")
    return start


FAST = {
    "SITE_BUILDER_WEBHOOK_RETRY_DELAYS": "0.01,0.01,0.01",
    "WEBHOOK_SECRET": "s3cr3t-value",
    "http_proxy": None,
    "HTTP_PROXY": None,
}


def test_webhook_posts_each_event_as_signed_json(history):
    with receiving() as receiver:
        result = cli(
            "events",
            "--since",
            history,
            "--webhook",
            f"http://127.0.0.1:{receiver.port}/hooks/plans?token=abc",
            "--webhook-secret-env",
            "WEBHOOK_SECRET",
            env=FAST,
        )
    assert result.exit_code == 0, result.output
    expected = events("--since", history)
    assert len(receiver.requests) == 2
    for (path, headers, body), record in zip(receiver.requests, expected):
        assert path == "/hooks/plans?token=abc"
        assert json.loads(body) == record
        headers = {k.lower(): v for k, v in headers.items()}
        assert headers["content-type"] == "application/json"
        assert headers["user-agent"] == f"site-builder/{__version__}"
        assert headers["x-site-builder-event"] == record["type"]
        digest = hmac.new(b"s3cr3t-value", body, hashlib.sha256).hexdigest()
        assert headers["x-site-builder-signature"] == f"sha256={digest}"
    assert [json.loads(b)["type"] for _, _, b in receiver.requests] == ["approved", "due-moved"]
    assert f"posted 2 event(s) to http://127.0.0.1:{receiver.port}/hooks/plans" in result.stderr
    assert "s3cr3t" not in result.output and "token=abc" not in result.output


def test_webhook_retries_with_backoff_then_succeeds(history):
    with receiving(failures=2) as receiver:
        result = cli(
            "events",
            "--since",
            history,
            "--webhook",
            f"http://127.0.0.1:{receiver.port}/",
            env=FAST,
        )
    assert result.exit_code == 0, result.output
    bodies = [json.loads(body)["type"] for _, _, body in receiver.requests]
    assert bodies == ["approved", "approved", "approved", "due-moved"]


def test_webhook_basic_auth_from_the_url(history):
    with receiving() as receiver:
        result = cli(
            "events",
            "--since",
            history,
            "--webhook",
            f"http://ci:p%40ss@127.0.0.1:{receiver.port}/",
            env=FAST,
        )
    assert result.exit_code == 0, result.output
    headers = {k.lower(): v for k, v in receiver.requests[0][1].items()}
    assert headers["authorization"] == "Basic Y2k6cEBzcw=="  # ci:p@ss
    assert "p%40ss" not in result.output and "p@ss" not in result.output


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_down_exits_1_with_a_clear_message_and_no_secret(history):
    port = free_port()  # nothing listens there any more
    result = cli(
        "events",
        "--since",
        history,
        "--webhook",
        f"http://ci:hunter2@127.0.0.1:{port}/hook?token=abc",
        "--webhook-secret-env",
        "WEBHOOK_SECRET",
        env=FAST,
    )
    assert result.exit_code == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(
        f"site-builder: error: webhook http://127.0.0.1:{port}/hook: "
        f"approved event for acme/web/kickoff was not delivered: "
    )
    assert "(4 attempt(s)); 0 of 2 event(s) delivered, 1 not sent" in message
    for secret in ("s3cr3t", "hunter2", "token=abc", "ci:"):
        assert secret not in result.output
    assert "Traceback" not in result.output
    # the events themselves were printed before delivery was attempted
    assert "acme/web/kickoff  approved by Ada Client" in result.stdout


def test_webhook_client_errors_are_not_retried(history):
    with receiving(failures=5, status=400) as receiver:
        result = cli(
            "events",
            "--since",
            history,
            "--webhook",
            f"http://127.0.0.1:{receiver.port}/",
            env=FAST,
        )
    assert result.exit_code == 1
    assert (
        f"site-builder: error: webhook http://127.0.0.1:{receiver.port}/: approved event "
        f"for acme/web/kickoff was not delivered: HTTP 400 Bad Request (1 attempt(s)); "
        f"0 of 2 event(s) delivered, 1 not sent"
    ) in result.stderr
    assert len(receiver.requests) == 1


def test_due_within_reminders_go_to_the_webhook(plans):
    make_client(plans)
    with receiving() as receiver:
        result = cli(
            "events",
            "--due-within",
            "7",
            "--today",
            "2026-03-05",
            "--webhook",
            f"http://127.0.0.1:{receiver.port}/remind",
            env=FAST,
        )
    assert result.exit_code == 0, result.output
    posted = [json.loads(body) for _, _, body in receiver.requests]
    assert [(p["type"], p["milestone"]["id"], p["days_left"]) for p in posted] == [
        ("overdue", "kickoff", -54),
        ("overdue", "design", -23),
        ("due-soon", "launch", 5),
    ]


def test_run_events_without_click_posts_reminders_and_keeps_a_failure_for_last(
    plans, tmp_path, monkeypatch
):
    """run_events is the whole command: its outcome holds the records, the payloads, every
    line in order with its stream, what was posted and written, and the failure to raise last.
    The due path hands the clients it validated to the payloads (no second load)."""
    import datetime as dt
    from dataclasses import replace

    from site_builder.events import notify
    from site_builder.events.run import EventsRequest, Line, run_events
    from site_builder.events.webhooks import WebhookError

    make_client(plans, client_yml=CLIENT_YML.replace("timezone:", "language: de\ntimezone:"))
    for name in ("http_proxy", "HTTP_PROXY", "SITE_BUILDER_SMTP_URL", "SITE_BUILDER_SMTP_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(notify, "clients_of", lambda *args: pytest.fail("plans loaded twice"))
    request = EventsRequest(plans, due_within=7, today=dt.date(2026, 3, 5), fmt="slack")
    shown = [
        "2026-01-10  acme/web/kickoff  overdue by 54 day(s): Kickoff done "
        "(awaiting-approval, owner Sam Lee)",
        "2026-02-10  acme/web/design  overdue by 23 day(s): Design approved (awaiting-approval)",
        "2026-03-10  acme/web/launch  due in 5 day(s): Site live (upcoming)",
    ]

    with receiving() as receiver:
        hook = f"http://127.0.0.1:{receiver.port}/remind"
        outcome = run_events(replace(request, webhook=f"{hook}?token=abc"))
    assert outcome.failure is None
    assert [(r["type"], r["milestone"]["id"]) for r in outcome.records] == [
        ("overdue", "kickoff"),
        ("overdue", "design"),
        ("due-soon", "launch"),
    ]
    posted = [json.loads(body) for _, _, body in receiver.requests]
    assert posted == list(outcome.payloads)
    assert "überfällig" in posted[0]["text"]  # the client's language, from the validated plans
    assert outcome.delivered == 3
    assert outcome.lines == (
        *(Line(text) for text in shown),
        Line(f"posted 3 event(s) to {hook}", stderr=True),
    )

    with receiving(failures=1, status=400) as receiver:
        failed = run_events(
            replace(
                request,
                webhook=f"http://127.0.0.1:{receiver.port}/remind",
                email=True,
                email_team="team@agency.example",
                email_out=tmp_path / "mail",
            )
        )
    assert isinstance(failed.failure, WebhookError)
    assert "400" in str(failed.failure)
    assert failed.delivered == 0
    assert len(failed.written) == 1 and failed.written[0].parent == tmp_path / "mail"
    assert b"Kickoff done" in failed.written[0].read_bytes()
    assert failed.lines == (
        *(Line(text) for text in shown),
        Line(f"wrote {failed.written[0]}", stderr=True),
    )


def test_webhook_that_never_answers_times_out(history):
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        result = cli(
            "events",
            "--since",
            history,
            "--webhook",
            f"http://127.0.0.1:{port}/",
            env={**FAST, "SITE_BUILDER_WEBHOOK_TIMEOUT": "0.2"},
        )
    assert result.exit_code == 1
    assert "was not delivered: no complete answer within 0.2 s (4 attempt(s))" in result.stderr


def test_reminders_workflow_posts_due_soon_on_a_schedule():
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "reminders.yml"
    workflow = yaml.safe_load(path.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["schedule"][0]["cron"]
    (step,) = [s for s in workflow["jobs"]["remind"]["steps"] if "events" in s.get("run", "")]
    assert step["run"].startswith("site-builder events --due-within 7 --webhook ")
    assert "--webhook-secret-env REMINDER_WEBHOOK_SECRET" in step["run"]


# --- webhook deadlines, Retry-After, failure messages -------------------------------------------


def scripted(answer):
    """`answer(handler, n)` writes the n-th answer (0-based) by hand; POST times recorded."""
    return WebhookServer(answer)


def trickle(handler, data: bytes):
    """Send `data` one byte every 0.5 s (stopping when the client hangs up): each read is quick,
    so only a deadline on the whole request ends it."""
    for byte in data:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


def trickled_headers(handler, n):
    trickle(handler, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"." * 200 + b"\r\n\r\n")


def trickled_body(handler, n):
    handler.send_response(200)
    handler.send_header("Content-Length", "200")
    handler.end_headers()
    trickle(handler, b"." * 200)


def run_cli(*args, env):
    """The CLI in a child process, bounded: a hung delivery fails the test instead of hanging."""
    env = {
        k: v
        for k, v in {**os.environ, **env}.items()
        if v is not None and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    return subprocess.run(
        [sys.executable, "-m", "site_builder", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize("answer", [trickled_headers, trickled_body])
def test_webhook_request_has_a_wall_clock_deadline(history, answer):
    with scripted(answer) as server:
        done = run_cli(
            "events",
            "--since",
            history,
            "--webhook",
            server.url,
            env={"SITE_BUILDER_WEBHOOK_TIMEOUT": "2", "SITE_BUILDER_WEBHOOK_RETRY_DELAYS": ""},
        )
    assert done.returncode == 1, done.stderr
    assert "was not delivered: no complete answer within 2 s (1 attempt(s))" in done.stderr
    assert len(server.times) == 1


def test_webhook_run_has_a_wall_clock_deadline_over_all_retries(history):
    with scripted(trickled_body) as server:
        done = run_cli(
            "events",
            "--since",
            history,
            "--webhook",
            server.url,
            env={
                "SITE_BUILDER_WEBHOOK_TIMEOUT": "2",
                "SITE_BUILDER_WEBHOOK_DEADLINE": "3",
                "SITE_BUILDER_WEBHOOK_RETRY_DELAYS": "0.01,0.01,0.01",
            },
        )
    assert done.returncode == 1, done.stderr
    assert "the webhook deadline of 3 s for the run" in done.stderr
    assert "0 of 2 event(s) delivered" in done.stderr
    assert len(server.times) == 2  # the second attempt got only the second left of the run


def in_seconds(seconds):
    return lambda: str(seconds)


def at_date_in(seconds):
    """Retry-After as an HTTP-date, computed when the answer is sent."""
    return lambda: email.utils.formatdate(time.time() + seconds, usegmt=True)


def answer_then_204(status, retry_after):
    def answer(handler, n):
        if n == 0:
            handler.send_response(status)
            handler.send_header("Retry-After", retry_after())
            handler.send_header("Content-Length", "0")
        else:
            handler.send_response(204)
        handler.end_headers()

    return answer


@pytest.mark.parametrize(
    "status, retry_after",
    [(429, in_seconds(1)), (503, at_date_in(2))],
    ids=["seconds", "http-date"],
)
def test_webhook_waits_as_long_as_retry_after_asks(history, status, retry_after):
    with scripted(answer_then_204(status, retry_after)) as server:
        result = cli("events", "--since", history, "--webhook", server.url, env=FAST)
    assert result.exit_code == 0, result.output
    assert len(server.times) == 3  # the first event twice, then the second
    assert server.times[1] - server.times[0] >= 1.0  # not the 0.01 s backoff


@pytest.mark.parametrize(
    "retry_after, shown",
    [(in_seconds(120), "120 s"), (at_date_in(3600), "3600 s")],
    ids=["seconds", "http-date"],
)
def test_webhook_gives_up_when_retry_after_is_past_the_run_deadline(history, retry_after, shown):
    with scripted(answer_then_204(503, retry_after)) as server:
        result = cli("events", "--since", history, "--webhook", server.url, env=FAST)
    assert result.exit_code == 1
    assert (
        "was not delivered: HTTP 503 Service Unavailable; the server asks to retry after "
        f"{shown}, past the webhook deadline of 60 s for the run"
    ) in result.stderr
    assert "(1 attempt(s)); 0 of 2 event(s) delivered, 1 not sent" in result.stderr
    assert len(server.times) == 1


def test_webhook_redirects_are_refused(history):
    def redirect(handler, n):
        handler.send_response(307)
        handler.send_header("Location", "/elsewhere")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with scripted(redirect) as server:
        result = cli("events", "--since", history, "--webhook", server.url, env=FAST)
    assert result.exit_code == 1
    assert (
        "was not delivered: HTTP 307 Temporary Redirect (redirects are not followed: use "
        "the final address) (1 attempt(s))"
    ) in result.stderr
    assert server.paths == ["/hook"]  # one POST, no request to /elsewhere


def test_webhook_failure_shows_status_and_a_short_inert_excerpt_without_secrets(history):
    body = (
        "Invalid \x1b[2J\x1b]8;;http://evil\x07signature\x1b]8;;\x07 for token=abc and "
        "s3cr3t-value\r\nFAKE: line\u202e " + "x" * 500
    ).encode()

    def refuse(handler, n):
        handler.send_response(401, "Nope \x1b]0;owned\x07\x1b[31m")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    with scripted(refuse) as server:
        result = cli(
            "events",
            "--since",
            history,
            "--webhook",
            f"{server.url}?token=abc",
            "--webhook-secret-env",
            "WEBHOOK_SECRET",
            env=FAST,
        )
    assert result.exit_code == 1
    message = result.stderr.strip().splitlines()[-1]
    assert 'was not delivered: HTTP 401 Nope \\x1b]0;owned\\x07\\x1b[31m: "Invalid ' in message
    excerpt = message.split(': "', 1)[1].rsplit('" (1 attempt(s))', 1)[0]
    assert excerpt.endswith("…") and len(excerpt) <= 200
    assert "for *** and ***\\r\\nFAKE: line\\u202e xxx" not in excerpt  # whitespace collapsed
    assert "for *** and *** FAKE: line\\u202e xxx" in excerpt
    for secret in ("s3cr3t", "token=abc"):
        assert secret not in result.output
    assert not any(c in result.stderr for c in "\x1b\x07\r\u202e")


def test_slack_format_honours_retry_after_too(history):
    with scripted(answer_then_204(429, in_seconds(1))) as server:
        result = cli(
            "events", "--since", history, "--format", "slack", "--webhook", server.url, env=FAST
        )
    assert result.exit_code == 0, result.output
    assert len(server.times) == 3  # the first message twice, then the second
    assert server.times[1] - server.times[0] >= 1.0
    assert "posted 2 event(s)" in result.stderr


def test_a_plan_at_a_revision_is_read_with_the_loaders_rules(plans, tmp_path):
    """events reads plan.yml with the loader's own milestone reader: a plan the loader
    refuses (here: a milestone depending on a later one) is refused at either end too."""
    make_client(plans)
    start = commit_all(tmp_path, "Plan", "2026-01-01")
    edit(plan_file(plans), "depends_on: [kickoff]", "depends_on: [launch]")
    sha = commit_all(tmp_path, "Bad dependency", "2026-01-02")
    result = cli("events", "--since", start)
    assert result.exit_code == 1
    assert (
        "`depends_on`: milestone `launch` comes later in the plan; a milestone may only "
        f"depend on earlier ones (in revision {sha})"
    ) in result.stderr


def test_a_hanging_name_lookup_ends_at_the_request_deadline(monkeypatch):
    """The system resolver has no timeout: a lookup that never answers still ends with the
    request's deadline, reported like any late answer (no hang, no traceback)."""
    import socket
    import threading

    from site_builder.events import webhooks

    release = threading.Event()
    real = socket.getaddrinfo

    def hanging(host, *args, **kwargs):
        if host == "hanging-dns.example":
            release.wait(120)  # a resolver that does not answer
            raise socket.gaierror("never")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    hook = webhooks.webhook(
        "http://hanging-dns.example/hook",
        environ={webhooks.TIMEOUT_ENV: "1", webhooks.DELAYS_ENV: ""},
    )
    record = {
        "id": "r1",
        "type": "approved",
        **{k: {"slug": "x", "id": "x"} for k in ("client", "project", "milestone")},
    }
    try:
        with pytest.raises(webhooks.WebhookError) as failed:
            webhooks.deliver(hook, [record])
    finally:
        release.set()
    assert "no complete answer within 1 s (1 attempt(s))" in str(failed.value)

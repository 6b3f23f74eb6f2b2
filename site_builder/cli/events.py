"""The events command: what changed, what is due; printed, posted or mailed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..errors import SiteBuilderError, UsageError
from ..textsafe import printable_json
from .shared import (
    plans_option,
    say,
    show_diagnostics,
    today_option,
)


@click.command("events")
@plans_option
@click.option(
    "--since",
    metavar="REV",
    help="Report what changed in the plans between git revision REV and --until.",
)
@click.option(
    "--until",
    metavar="REV",
    help="End of the range for --since (default: HEAD; uncommitted edits are not included).",
)
@click.option(
    "--due-within",
    type=click.IntRange(0, 3650),
    metavar="DAYS",
    help="Instead: milestones not approved that are due within DAYS days or overdue.",
)
@today_option(
    help="With --due-within: count days from this date (default: today in each client's time zone)."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.option(
    "--webhook",
    metavar="URL",
    help="POST each record as JSON to URL (10 s per request, 60 s per run, "
    "retried with backoff or as Retry-After asks).",
)
@click.option(
    "--webhook-secret-env",
    metavar="NAME",
    help="Sign each POST with the secret in environment variable NAME "
    "(X-Site-Builder-Signature: sha256=HMAC of the body).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "slack", "teams", "google-chat"]),
    help="Payload shape for --webhook or stdout: json (the records), or one "
    "incoming-webhook message per record for Slack, Microsoft Teams or Google "
    "Chat, in the client's language.",
)
@click.option(
    "--email",
    "as_email",
    is_flag=True,
    help="Also write an e-mail digest per recipient (--email-team and signers with "
    "`notify: [email]`); sent when SITE_BUILDER_SMTP_URL is set.",
)
@click.option(
    "--email-team", metavar="ADDRESS", help="With --email: the team's address (gets every event)."
)
@click.option(
    "--email-out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="With --email: write the messages as DIR/*.eml.",
)
def events_command(
    plans,
    since,
    until,
    due_within,
    today,
    as_json,
    webhook,
    webhook_secret_env,
    fmt,
    as_email,
    email_team,
    email_out,
) -> None:
    """Events for CI: what changed between two revisions (--since), or what is due soon
    (--due-within). Exit 1 when a webhook delivery fails."""

    from ..events import due, webhooks
    from ..events.changes import change_events
    from ..events.records import change_line

    if (since is None) == (due_within is None):
        raise UsageError(
            "events: give either --since REV (what changed) or --due-within "
            "DAYS (what is due), not both or neither"
        )
    if until is not None and since is None:
        raise UsageError("events: --until goes with --since")
    if today is not None and due_within is None:
        raise UsageError("events: --today goes with --due-within")
    if webhook_secret_env is not None and webhook is None:
        raise UsageError("events: --webhook-secret-env goes with --webhook")
    if (email_team is not None or email_out is not None) and not as_email:
        raise UsageError("events: --email-team and --email-out go with --email")
    if as_json and fmt not in (None, "json"):
        raise UsageError("events: --json is --format json")
    hook = webhooks.webhook(webhook, webhook_secret_env) if webhook is not None else None
    mail = _email_setup(email_team, email_out) if as_email else None
    if since is not None:
        changes = change_events(plans, since, until or "HEAD")
        show_diagnostics(changes.warnings)
        records, line = changes.records, change_line
        empty = f"no events between {changes.since.short} and {changes.until.short}"
    else:
        records, line = due.due_records(plans, due_within, today), due.due_line
        empty = f"nothing due within {due_within} day(s) or overdue"
    clients = {}
    if records and (fmt not in (None, "json") or mail is not None):
        from ..events import notify

        clients = notify.clients_of(plans, (r["client"]["slug"] for r in records))
    payloads = None
    if fmt not in (None, "json"):
        from ..events import notify

        payloads = notify.payloads(records, fmt, clients)
    if as_json or (fmt is not None and hook is None):
        shown = payloads if payloads is not None else records
        click.echo(printable_json(json.dumps(shown, indent=2, ensure_ascii=False)))
    else:
        for record in records:
            say(line(record))
    if not records:
        say(empty, err=True)
    failed = None
    if hook is not None and records:
        try:
            sent = webhooks.deliver(hook, records, payloads=payloads)
            say(f"posted {sent} event(s) to {hook.shown}", err=True)
        except webhooks.WebhookError as exc:
            failed = exc
    if mail is not None and records:
        _email_digests(mail, records, clients)
    if failed is not None:
        raise failed


def _email_setup(team, out):
    """The checked e-mail settings of `events --email`: (team, out folder, sender, SMTP)."""
    from ..events import digest

    server = digest.smtp_settings()
    if out is None and server is None:
        raise UsageError(f"events --email: give --email-out DIR or set {digest.URL_ENV}")
    return team, out, digest.sender(team), server


def _email_digests(mail, records, clients) -> None:
    from ..events import digest

    team, out, sender, server = mail
    messages = digest.digests(
        records, clients, team, sender, dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    )
    if out is not None:
        for path in digest.write(messages, out):
            say(f"wrote {path}", err=True)
    if server is not None:
        problems = digest.send(server, messages)
        for problem in problems:
            say(problem, err=True)
        if problems:
            raise SiteBuilderError(
                f"the e-mail digests were not all sent ({len(problems)} problem(s) above)"
            )
        say(f"sent {len(messages)} e-mail digest(s) through {server.shown}", err=True)


COMMANDS = (events_command,)

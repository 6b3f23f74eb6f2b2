"""The events command: what changed, what is due; printed, posted or mailed."""

from __future__ import annotations

from pathlib import Path

import click

from .shared import plans_option, say, today_option


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
    from ..events.run import EventsRequest, Line, run_events

    def show(line: Line) -> None:
        if line.json:
            click.echo(line.text, err=line.stderr)
        else:
            say(line.text, err=line.stderr)

    outcome = run_events(
        EventsRequest(
            plans,
            since=since,
            until=until,
            due_within=due_within,
            today=today,
            as_json=as_json,
            webhook=webhook,
            webhook_secret_env=webhook_secret_env,
            fmt=fmt,
            email=as_email,
            email_team=email_team,
            email_out=email_out,
        ),
        show,
    )
    if outcome.failure is not None:
        raise outcome.failure


COMMANDS = (events_command,)

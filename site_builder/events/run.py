"""One run of `site-builder events`: the options checked, the records found (changes or due
soon), then shown, posted to a webhook and mailed as digests. The click command only parses
options, calls `run_events` and prints its outcome."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, PlanError, SiteBuilderError, UsageError
from ..model import Client
from ..plans import agency
from ..textsafe import printable_json
from . import digest, due, notify, webhooks
from .changes import change_events
from .records import change_line


@dataclass(frozen=True)
class EventsRequest:
    """The options of one `events` run."""

    plans: Path
    since: str | None = None  # what changed since this revision ...
    until: str | None = None  # ... up to this one (default HEAD)
    due_within: int | None = None  # or: what is due within this many days, or overdue
    today: dt.date | None = None  # with due_within (default: each client's today)
    as_json: bool = False
    webhook: str | None = None
    webhook_secret_env: str | None = None
    fmt: str | None = None  # notify.FORMATS: payload shape for the webhook or stdout
    email: bool = False
    email_team: str | None = None
    email_out: Path | None = None

    def check(self) -> None:
        """UsageError for options that do not go together."""
        if (self.since is None) == (self.due_within is None):
            raise UsageError(
                "events: give either --since REV (what changed) or --due-within "
                "DAYS (what is due), not both or neither"
            )
        if self.until is not None and self.since is None:
            raise UsageError("events: --until goes with --since")
        if self.today is not None and self.due_within is None:
            raise UsageError("events: --today goes with --due-within")
        if self.webhook_secret_env is not None and self.webhook is None:
            raise UsageError("events: --webhook-secret-env goes with --webhook")
        if (self.email_team is not None or self.email_out is not None) and not self.email:
            raise UsageError("events: --email-team and --email-out go with --email")
        if self.as_json and self.fmt not in (None, notify.JSON):
            raise UsageError("events: --json is --format json")


@dataclass(frozen=True)
class Line:
    """One line to print: to stderr or stdout; `json` text is already inert (printable_json)
    and is printed as it is, line breaks included."""

    text: str
    stderr: bool = False
    json: bool = False


@dataclass(frozen=True)
class EventsOutcome:
    """What a run found and did. `lines` is everything to print, in order; `failure`, when
    set, is the error to raise after printing them (exit code from the error)."""

    records: tuple[dict, ...]
    payloads: tuple[dict, ...] | None  # chat payloads (--format other than json)
    warnings: tuple[Diagnostic, ...]
    lines: tuple[Line, ...]
    delivered: int = 0  # events posted to the webhook
    written: tuple[Path, ...] = ()  # e-mail digests written as .eml files
    sent: int = 0  # e-mail digests sent over SMTP
    failure: Exception | None = None


@dataclass(frozen=True)
class _Mailing:
    """The checked settings of `--email`."""

    team: str | None
    out: Path | None
    sender: str
    server: digest.Smtp | None


@dataclass(frozen=True)
class _Found:
    records: list[dict]
    warnings: tuple[Diagnostic, ...]
    line: Callable[[dict], str]
    empty: str  # what to say when there are no records
    clients: Mapping[str, Client] | None  # the records' clients, when already loaded


def run_events(request: EventsRequest, show: Callable[[Line], None] | None = None) -> EventsOutcome:
    """Find the events, show them, post them to the webhook, mail the digests. `show` is
    called with each line as soon as it is known (a webhook may take a while); the lines are
    in the outcome too.

    Bad options, settings and plans raise before anything is done. A failure after that (a
    webhook delivery, SMTP, the plans of the clients named) comes back as `failure` with the
    lines of what was done before it; a webhook failure lets the e-mail digests go out first.
    """
    request.check()
    hook = (
        webhooks.webhook(request.webhook, request.webhook_secret_env)
        if request.webhook is not None
        else None
    )
    mail = _mailing(request.plans, request.email_team, request.email_out) if request.email else None
    found = _find(request)
    records, fmt = found.records, request.fmt
    lines: list[Line] = []

    def emit(*new: Line) -> None:
        lines.extend(new)
        for line in new:
            if show is not None:
                show(line)

    emit(*(Line(d.format(), stderr=True) for d in found.warnings))
    payloads: list[dict] | None = None
    delivered, sent = 0, 0
    written: list[Path] = []
    failure: Exception | None = None
    try:
        clients: Mapping[str, Client] = {}
        if records and (fmt not in (None, notify.JSON) or mail is not None):
            clients = (
                found.clients
                if found.clients is not None
                else notify.clients_of(request.plans, (r["client"]["slug"] for r in records))
            )
        if fmt not in (None, notify.JSON):
            payloads = notify.payloads(records, fmt, clients)
        if request.as_json or (fmt is not None and hook is None):
            shown = payloads if payloads is not None else records
            text = printable_json(json.dumps(shown, indent=2, ensure_ascii=False))
            emit(Line(text, json=True))
        else:
            emit(*(Line(found.line(r)) for r in records))
        if not records:
            emit(Line(found.empty, stderr=True))
        if hook is not None and records:
            try:
                delivered = webhooks.deliver(hook, records, payloads=payloads)
                emit(Line(f"posted {delivered} event(s) to {hook.shown}", stderr=True))
            except webhooks.WebhookError as exc:
                failure = exc  # raised last: the digests still go out
        if mail is not None and records:
            messages = digest.digests(
                records,
                clients,
                mail.team,
                mail.sender,
                dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
            )
            if mail.out is not None:
                written = digest.write(messages, mail.out)
                emit(*(Line(f"wrote {path}", stderr=True) for path in written))
            if mail.server is not None:
                problems = digest.send(mail.server, messages)
                emit(*(Line(problem, stderr=True) for problem in problems))
                if problems:
                    raise SiteBuilderError(
                        f"the e-mail digests were not all sent ({len(problems)} problem(s) above)"
                    )
                sent = len(messages)
                emit(Line(f"sent {sent} e-mail digest(s) through {mail.server.shown}", stderr=True))
    except (SiteBuilderError, OSError) as exc:
        failure = exc  # shown after what was done before it
    return EventsOutcome(
        records=tuple(records),
        payloads=None if payloads is None else tuple(payloads),
        warnings=found.warnings,
        lines=tuple(lines),
        delivered=delivered,
        written=tuple(written),
        sent=sent,
        failure=failure,
    )


def _mailing(plans: Path, team: str | None, out: Path | None) -> _Mailing:
    server = digest.smtp_settings()
    if out is None and server is None:
        raise UsageError(f"events --email: give --email-out DIR or set {digest.URL_ENV}")
    settings, problems = agency.load_settings(plans)
    if problems.errors:
        raise PlanError(problems.errors)
    return _Mailing(team, out, digest.sender(team, settings.email_from), server)


def _find(request: EventsRequest) -> _Found:
    """The records of the run: what changed (--since) or what is due (--due-within)."""
    if request.since is not None:
        changes = change_events(request.plans, request.since, request.until or "HEAD")
        return _Found(
            changes.records,
            tuple(changes.warnings),
            change_line,
            f"no events between {changes.since.short} and {changes.until.short}",
            None,
        )
    assert request.due_within is not None  # request.check()
    found = due.due_records(request.plans, request.due_within, request.today)
    return _Found(
        found.records,
        (),
        due.due_line,
        f"nothing due within {request.due_within} day(s) or overdue",
        found.clients,
    )

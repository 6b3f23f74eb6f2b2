"""E-mail digests of events (`events --email`): one RFC 5322 message per recipient.

Recipients are the team (`--email-team ADDRESS`), which gets every record, and each client's
signers who opted in with `notify: [email]` in client.yml, who get their own client's records
in the client's language. These addresses are only used to send: they never reach a site.
Each message has a plain-text and an HTML part (the same words, notify.message), a Message-ID
derived from its content (so a re-run writes the same file name and ID) and a From address from
SITE_BUILDER_SMTP_FROM (else the team address).

Messages are written as .eml files (`--email-out DIR`) and, when SITE_BUILDER_SMTP_URL is set,
sent: `smtp://[user@]host[:port]` (STARTTLS required), `smtps://` (TLS from the start), or
`smtp+insecure://` (no TLS, only to this machine: for tests). The password comes from
SITE_BUILDER_SMTP_PASSWORD, never from the URL; messages never show it.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import html
import ipaddress
import os
import smtplib
import ssl
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ..errors import UsageError
from ..model import Client
from ..textsafe import printable
from .notify import Labels, Message, clean_line, message, project_link

URL_ENV = "SITE_BUILDER_SMTP_URL"
PASSWORD_ENV = "SITE_BUILDER_SMTP_PASSWORD"
FROM_ENV = "SITE_BUILDER_SMTP_FROM"
TIMEOUT_ENV = "SITE_BUILDER_SMTP_TIMEOUT"  # seconds per connection step; default 30
EMAIL_OPT_IN = "email"  # client.yml signer `notify: [email]`


@dataclass(frozen=True)
class Recipient:
    address: str = field(repr=False)
    name: str
    language: str
    clients: tuple[str, ...] | None  # None: the team, every client


def _address(text: str, what: str) -> str:
    name, address = email.utils.parseaddr(text)
    if (
        "@" not in address
        or any(c in address for c in ' \r\n<>,;"')
        or not address.rpartition("@")[2]
    ):
        raise UsageError(f"{what}: `{printable(text)}` is not an e-mail address")
    return address


def recipients(clients: Mapping[str, Client], team: str | None) -> list[Recipient]:
    """The team (when given), then every opted-in signer of each client, by client slug."""
    out = [Recipient(_address(team, "--email-team"), "", "en", None)] if team else []
    seen = {r.address.lower() for r in out}
    for slug in sorted(clients):
        client = clients[slug]
        for signer in client.signers:
            if EMAIL_OPT_IN in signer.notify and signer.email.lower() not in seen:
                seen.add(signer.email.lower())
                out.append(Recipient(signer.email, signer.name, client.language, (slug,)))
    return out


def sender(
    team: str | None, agency_from: str | None = None, environ: Mapping[str, str] = os.environ
) -> str:
    """The From address: SITE_BUILDER_SMTP_FROM, else site-builder.yml `email_from`, else the
    team address."""
    for value, what in (
        (environ.get(FROM_ENV), FROM_ENV),
        (agency_from, "site-builder.yml `email_from`"),
        (team, "--email-team"),
    ):
        if value:
            _address(value, what)
            return value
    raise UsageError(
        f"events --email: set {FROM_ENV} or `email_from` in site-builder.yml (the From "
        "address), or give --email-team"
    )


def _html(m: Message) -> str:
    parts = [
        f"<h2>{html.escape(m.title)}</h2>",
        *(f"<p>{html.escape(line)}</p>" for line in m.lines),
    ]
    if m.link:
        parts.append(
            f'<p><a href="{html.escape(m.link, quote=True)}">{html.escape(m.link_label)}</a></p>'
        )
    return "\n".join(parts)


def compose(
    recipient: Recipient,
    records: list[dict],
    clients: Mapping[str, Client],
    from_address: str,
    now: dt.datetime,
) -> EmailMessage | None:
    """The digest for one recipient; None when no record concerns them."""
    mine = [
        r for r in records if recipient.clients is None or r["client"]["slug"] in recipient.clients
    ]
    if not mine:
        return None
    labels = Labels(recipient.language)
    messages = [
        message(r, labels, project_link(clients.get(r["client"]["slug"]), r["project"]["slug"]))
        for r in mine
    ]
    names = sorted({r["client"]["name"] for r in mine})
    subject = clean_line(labels("notify.subject", client=", ".join(names), count=len(mine)))
    text = (
        labels("notify.intro")
        + "\n\n"
        + "\n\n".join(
            "\n".join([m.title, *m.lines, *([m.link] if m.link else [])]) for m in messages
        )
        + "\n"
    )
    markup = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(recipient.language)}"><body>\n'
        f"<p>{html.escape(labels('notify.intro'))}</p>\n"
        + "\n".join(_html(m) for m in messages)
        + "\n</body></html>\n"
    )
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = from_address
    msg["To"] = email.utils.formataddr((clean_line(recipient.name), recipient.address))
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(now)
    domain = email.utils.parseaddr(from_address)[1].rpartition("@")[2]
    digest = hashlib.sha256(f"{recipient.address}\n{subject}\n{text}".encode()).hexdigest()
    msg["Message-ID"] = f"<{digest[:32]}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(markup, subtype="html")
    return msg


def digests(
    records: list[dict],
    clients: Mapping[str, Client],
    team: str | None,
    from_address: str,
    now: dt.datetime,
) -> list[EmailMessage]:
    found = (compose(r, records, clients, from_address, now) for r in recipients(clients, team))
    return [m for m in found if m is not None]


def write(messages: list[EmailMessage], folder: Path) -> list[Path]:
    """Each message as FOLDER/<its Message-ID's local part>.eml."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for msg in messages:
        path = folder / (msg["Message-ID"].strip("<>").partition("@")[0] + ".eml")
        path.write_bytes(msg.as_bytes())
        paths.append(path)
    return paths


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Smtp:
    scheme: str  # smtp (STARTTLS) | smtps | smtp+insecure
    host: str
    port: int
    shown: str  # scheme://host:port, for messages
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def scrub(self, text: str) -> str:
        return text.replace(self.password, "***") if self.password else text


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_settings(environ: Mapping[str, str] = os.environ) -> Smtp | None:
    """The SMTP server of SITE_BUILDER_SMTP_URL, or None when it is not set."""
    url = environ.get(URL_ENV)
    if not url:
        return None
    parts = urllib.parse.urlsplit(url.strip())
    ports = {"smtp": 587, "smtps": 465, "smtp+insecure": 25}
    try:
        port = parts.port or ports.get(parts.scheme, 0)
    except ValueError:
        port = 0
    shown = f"{parts.scheme}://{parts.hostname}:{port}"
    if parts.scheme not in ports or not parts.hostname or not port:
        raise UsageError(
            f"{URL_ENV} must be smtp://[user@]host[:port], smtps://... or "
            f"smtp+insecure://... (localhost only), not `{printable(shown)}`"
        )
    if parts.password is not None:
        raise UsageError(f"{URL_ENV}: put the password in {PASSWORD_ENV}, not in the URL")
    if parts.scheme == "smtp+insecure" and not _loopback(parts.hostname):
        raise UsageError(
            f"{URL_ENV}: smtp+insecure:// (no TLS) only reaches this machine "
            f"(localhost); use smtp:// (STARTTLS) or smtps://"
        )
    user = urllib.parse.unquote(parts.username) if parts.username else None
    password = environ.get(PASSWORD_ENV) or None
    if user and not password:
        raise UsageError(f"{URL_ENV} names a user: set {PASSWORD_ENV}")
    try:
        timeout = float(environ.get(TIMEOUT_ENV, "30"))
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 600:
        raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds between 0 and 600")
    return Smtp(parts.scheme, parts.hostname, port, shown, user, password, timeout)


def _connect(server: Smtp) -> smtplib.SMTP:
    context = ssl.create_default_context()
    conn: smtplib.SMTP
    if server.scheme == "smtps":
        conn = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
    else:
        conn = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        conn.ehlo()
        if server.scheme == "smtp":
            if not conn.has_extn("starttls"):
                raise smtplib.SMTPException(
                    "the server does not offer STARTTLS: nothing is sent unencrypted (use "
                    "smtps:// if it speaks TLS from the start)"
                )
            conn.starttls(context=context)
            conn.ehlo()
        if server.user:
            conn.login(server.user, server.password or "")
    except BaseException:
        conn.close()
        raise
    return conn


def send(server: Smtp, messages: list[EmailMessage]) -> list[str]:
    """Send every message over one connection; the problems (secrets scrubbed), [] when all
    were accepted."""
    if not messages:
        return []
    try:
        conn = _connect(server)
    except (smtplib.SMTPException, OSError) as exc:
        return [server.scrub(f"SMTP {server.shown}: {_reason(exc)}; no e-mail sent")]
    problems = []
    with conn:
        for msg in messages:
            try:
                conn.send_message(msg)
            except (smtplib.SMTPException, OSError) as exc:
                problems.append(
                    server.scrub(
                        f"SMTP {server.shown}: message {msg['Message-ID']} was not sent: "
                        f"{_reason(exc)}"
                    )
                )
                # SMTPException is an OSError: stop only when the connection is gone.
                if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
                    exc, smtplib.SMTPException
                ):
                    break
    return problems


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {' '.join(detail.split())}"[:300]
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"{type(exc).__name__}: {exc}"[:300]

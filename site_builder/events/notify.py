"""Event records as chat messages: the incoming-webhook payloads of Slack, Microsoft Teams and
Google Chat (`events --format`), and the plain wording the e-mail digest reuses.

Each record becomes one `Message` in the client's language (its title, a few lines, a link to
the project page when the client's site has a public address), then one payload per service:

* slack: `text` (the notification fallback) and `blocks` (a verbatim mrkdwn section);
* teams: a message with one Adaptive Card attachment (TextBlocks and an Action.OpenUrl);
* google-chat: `text`.

Plan text is untrusted: every piece of it is escaped for the service that renders it, so it
can neither mention anyone nor hide a link under other words (Slack `<!channel>`, `<url|text>`;
Google Chat `<users/all>`; Teams Markdown links). A bare URL in plan text may still be shown
as a link by Teams and Google Chat (Slack's section is verbatim). Email addresses are
redacted (records are; messages are again).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..model import Client
from ..site import emails
from ..site.i18n import Translator
from .records import ADDED, DELIVERED, DUE_MOVED, DUE_SOON, OVERDUE, REMOVED

JSON, SLACK, TEAMS, GOOGLE_CHAT = "json", "slack", "teams", "google-chat"
FORMATS = (JSON, SLACK, TEAMS, GOOGLE_CHAT)
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


# The few labels of notifications and digests, in every language the sites speak (English is
# the fallback). Kept here, beside their only user.
class Labels(Translator):
    """The site's labels (dates, money, statuses) for notifications; their own texts are the
    `notify.*` entries of the same gettext catalogs (site/locale/)."""

    def iso_date(self, iso: str | None) -> str:
        return self.date(dt.date.fromisoformat(iso)) if iso else ""


@dataclass(frozen=True)
class Message:
    """One record in words: plan text unescaped (each format escapes it), no addresses."""

    title: str
    lines: tuple[str, ...]
    link: str | None
    link_label: str


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_line(text: str) -> str:
    """One line of plan text: no control or bidi characters, no email address."""
    return emails.redact(_CONTROL.sub(" ", str(text)))


def message(record: dict, labels: Labels, link: str | None = None) -> Message:
    """The words of one event record (change or due-soon)."""
    kind, L = record["type"], labels
    title = (
        f"{record['client']['name']} · {record['project']['title']}: {record['milestone']['title']}"
    )
    if kind == ADDED:
        what = L("notify.added", due=L.iso_date(record["due"]))
    elif kind == REMOVED:
        what = L("notify.removed")
    elif kind == DUE_MOVED:
        what = L(
            "moved",
            old=L.iso_date(record["from"]),
            new=L.iso_date(record["to"]),
            date=L.iso_date(record["date"]),
        )
    elif kind == DELIVERED:
        what = L("notify.delivered", date=L.iso_date(record["delivered"]))
    elif kind in (OVERDUE, DUE_SOON):
        left = record["days_left"]
        what = (
            L("notify.overdue", due=L.iso_date(record["due"]), count=-left)
            if left < 0
            else L("notify.due_today")
            if left == 0
            else L("notify.due_soon", due=L.iso_date(record["due"]), count=left)
        )
        what += f" · {L('status.' + record['status'])}"
        if record.get("owner"):
            what += f" · {L('owner')}: {record['owner']}"
    else:
        what = L(
            "notify.decided",
            decision=L(f"decision.{kind}"),
            name=record["by"],
            date=L.iso_date(record["date"]),
        )
        if not record["counted"]:
            what += f" ({L('feed.not_counted')})"
    lines = [what]
    if record.get("invoice") is not None:
        amount = L.money(Decimal(str(record["invoice"])), record["currency"])
        lines.append(L("notify.invoice", amount=amount))
    return Message(
        clean_line(title), tuple(clean_line(line) for line in lines), link, L("notify.open")
    )


# --- per service ---------------------------------------------------------------------------------

_SLACK_MENTION = re.compile(r"@(?=(channel|here|everyone)\b)", re.IGNORECASE)


def slack_escape(text: str) -> str:
    """Slack's three control characters as entities (so `<!channel>`, `<@U1>` and `<url|x>`
    stay text), and a word joiner after `@` of @channel, @here, @everyone."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_MENTION.sub("@\u2060", text)


def _slack_link(url: str, label: str) -> str:
    # A URL in <...|...> must not carry |, < or >: percent-encode them.
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace("&", "&amp;")
    return f"<{safe}|{slack_escape(label)}>"


SLACK_SECTION_MAX = 3000  # characters of a section block's text (Block Kit)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def slack(m: Message) -> dict:
    body = "\n".join(slack_escape(line) for line in m.lines)
    link = f"\n{_slack_link(m.link, m.link_label)}" if m.link else ""
    text = _cut(f"*{slack_escape(m.title)}*\n{body}", SLACK_SECTION_MAX - len(link)) + link
    fallback = slack_escape(m.title) + ": " + " · ".join(slack_escape(x) for x in m.lines)
    return {
        "text": fallback,
        # verbatim: Slack does not turn bare URLs, #channels or @names into links
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}],
    }


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def teams_escape(text: str) -> str:
    """Markdown punctuation backslash-escaped: Adaptive Card TextBlocks render a Markdown
    subset, so plan text could otherwise make links. Teams mentions need explicit entities,
    which these payloads never carry."""
    return _MARKDOWN.sub(r"\\\1", text)


def teams(m: Message) -> dict:
    body = [
        {
            "type": "TextBlock",
            "text": teams_escape(m.title),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    body += [{"type": "TextBlock", "text": teams_escape(line), "wrap": True} for line in m.lines]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if m.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": m.link_label, "url": m.link}]
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def chat_escape(text: str) -> str:
    """Google Chat reads `<...>` as a link or mention (`<users/all>`) and has no escape for it:
    angle brackets in plan text become the look-alike single guillemets ‹ ›."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def google_chat(m: Message) -> dict:
    lines = [f"*{chat_escape(m.title)}*", *(chat_escape(line) for line in m.lines)]
    if m.link:
        url = m.link.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
        lines.append(f"<{url}|{chat_escape(m.link_label)}>")
    return {"text": "\n".join(lines)}


_RENDER = {SLACK: slack, TEAMS: teams, GOOGLE_CHAT: google_chat}


# --- records to payloads -------------------------------------------------------------------------


def project_link(client: Client | None, project: str) -> str | None:
    """The absolute address of a project page, when the client's site has a public one."""
    if client is None:
        return None
    from ..site.feeds import site_base

    base = site_base(client)
    return f"{base}projects/{project}.html" if base else None


def clients_of(plans: Path, slugs: Iterable[str]) -> dict[str, Client]:
    """The clients named, loaded from the working tree (language, time zone, site address,
    signers); PlanError when they cannot be read."""
    from ..errors import PlanError
    from ..plans.load import load_plans

    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    loaded, diags = load_plans(plans, wanted)
    if diags.errors:
        raise PlanError(diags.errors)
    return {c.slug: c for c in loaded.clients}


def payloads(records: list[dict], fmt: str, clients: Mapping[str, Client]) -> list[dict]:
    """One payload per record in the format's shape (`json`: the record itself)."""
    if fmt == JSON:
        return list(records)
    render = _RENDER[fmt]
    out = []
    for r in records:
        client = clients.get(r["client"]["slug"])
        labels = Labels(client.language if client else "en")
        out.append(render(message(r, labels, project_link(client, r["project"]["slug"]))))
    return out

"""Subscriptions: the Atom feed, the ICS calendar and the status badges of a client's site.

Pure functions over derived state (no I/O, no clock): the same state and `today` give the same
bytes. Every text that reaches a file is email-redacted, last of all just before it is
serialised (feed content as the HTML a reader will show); `internal` fields, commit authors and
commit messages are never read. XML is written with ElementTree, the calendar with icalendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass
from urllib.parse import quote

import icalendar

from ..derive import APPROVED, AWAITING, ClientState, ProjectState, approve_by, delay_owner
from ..model import Approval, Client
from . import emails
from .i18n import Translator
from .text import markdown_html, redact, redact_html

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SVG_NS = "http://www.w3.org/2000/svg"
TAG_PREFIX = "tag:site-builder,2026:"  # fixed authority and date: ids never depend on the build
PRODID = "-//site-builder//Milestone status//EN"
UID_DOMAIN = "site-builder"
FEED_PATH, CALENDAR_PATH, STATUS_PATH = "feed.xml", "calendar.ics", "status.json"

BADGE_COLORS = {
    "complete": "#2e7d32",
    "on-track": "#2e7d32",
    "at-risk": "#b26a00",
    "overdue": "#c62828",
}
BADGE_LABEL_COLOR = "#555"


def with_labels(t: Translator) -> Translator:
    """`t` itself: the feed, calendar and link labels now live in i18n.EN with the others
    (kept so callers written against the old, separate label set keep working)."""
    return t


# --- links ------------------------------------------------------------------------------------


def site_base(client: Client) -> str | None:
    """The client's site.url ending in '/', or None (links then stay relative). Only public
    sites use their address: a private site never links to a public one."""
    url = client.site.url
    if not url or not client.access.public:
        return None
    return url if url.endswith("/") else url + "/"


def site_link(client: Client, path: str) -> str:
    """A link to `path` (relative to the site root): absolute when site.url is set."""
    base = site_base(client)
    return base + path if base else path


def site_links(client: Client) -> dict[str, str | None]:
    """What the page templates link to (root-relative), plus absolute forms when known."""
    base = site_base(client)
    webcal = None
    if base and base.startswith(("https://", "http://")):
        webcal = "webcal://" + base.split("://", 1)[1] + CALENDAR_PATH
    return {
        "feed": FEED_PATH,
        "calendar": CALENDAR_PATH,
        "status": STATUS_PATH,
        "webcal": webcal,
        "base": base,
    }


def badge_path(project_slug: str) -> str:
    return f"badges/{project_slug}.svg"


def public_name(name: str) -> str:
    """A note's file name as published: an email in it (however written) is replaced by a
    stable hash, so two such notes keep distinct names."""
    if emails.redact(name) == name:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return emails.redact(name, f"note-{digest}")


def approval_anchor(approval: Approval) -> str:
    """The HTML id of an approval note on its project page, from the note's file name."""
    name = public_name(approval.name)
    stem = name[:-3] if name.endswith(".md") else name
    return "sb-approval-" + (re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-") or "note")


def _project_page(slug: str, anchor: str = "") -> str:
    return f"projects/{slug}.html" + (f"#{anchor}" if anchor else "")


def _tag(*parts: str) -> str:
    return TAG_PREFIX + "/".join(quote(p, safe="") for p in parts)


def _zone(client: Client) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(client.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.timezone.utc


def _timestamp(day: dt.date, zone: dt.tzinfo = dt.timezone.utc) -> str:
    """A date as an Atom time: noon in the client's time zone with its offset, so a reader in
    any zone shows the same calendar day (midnight UTC is the previous day west of UTC)."""
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone).isoformat()


def _milestone_title(p: ProjectState, milestone_id: str) -> str:
    return next((s.milestone.title for s in p.milestones if s.id == milestone_id), milestone_id)


# --- Atom -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    updated: dt.date
    link: str
    content_html: str
    category: str
    author: str | None = None  # None: the feed's author (the client)


def approval_entries(client: Client, p: ProjectState, t: Translator) -> list[FeedEntry]:
    """One entry per approval note, counted or not (notes that don't count say so)."""
    project, t = p.project, with_labels(t)
    entries = []
    for state in p.approvals:
        a = state.approval
        milestone = _milestone_title(p, a.milestone)
        decision = t(f"decision.{a.decision}")
        title = f"{project.title}: {milestone} ({decision})"
        meta = [t.date(a.date), a.by_name, t(f"signature.{a.signature}")]
        if not state.counted:
            title += f" [{t('feed.not_counted')}]"
            meta.append(t("not_counted"))
        parts = [
            f"<p><strong>{_h(decision)}</strong>: {_h(milestone)} ({_h(project.title)})</p>",
            f"<p>{' · '.join(_h(m) for m in meta)}</p>",
        ]
        if a.deliverables:
            parts.append(f"<p>{_h(t('reviewed'))}: {_h(', '.join(a.deliverables))}</p>")
        if a.body.strip():
            parts.append(f"<blockquote>{markdown_html(a.body)}</blockquote>")
        entries.append(
            FeedEntry(
                id=_tag(client.slug, project.slug, "approvals", public_name(a.name)),
                title=redact(title),
                updated=a.date,
                link=site_link(client, _project_page(project.slug, approval_anchor(a))),
                content_html="\n".join(parts),
                category=a.decision,
                author=redact(a.by_name),
            )
        )
    return entries


def schedule_entries(client: Client, p: ProjectState, t: Translator) -> list[FeedEntry]:
    """One entry per commit that moved a due date (never the commit's author or message)."""
    project, t = p.project, with_labels(t)
    entries = []
    for c in p.schedule_changes:
        milestone = _milestone_title(p, c.milestone)
        moved = t("moved", old=t.date(c.old_due), new=t.date(c.new_due), date=t.date(c.date))
        entries.append(
            FeedEntry(
                id=_tag(client.slug, project.slug, "schedule", c.milestone, c.commit),
                title=redact(
                    f"{project.title}: {milestone} ({t('feed.rescheduled', new=t.date(c.new_due))})"
                ),
                updated=c.date,
                link=site_link(client, _project_page(project.slug, f"sb-milestone-{c.milestone}")),
                content_html=(
                    f"<p><strong>{_h(milestone)}</strong> ({_h(project.title)}): {_h(moved)}</p>"
                ),
                category="schedule-change",
            )
        )
    return entries


def delivered_entries(client: Client, p: ProjectState, t: Translator) -> list[FeedEntry]:
    """One entry per milestone delivered and awaiting the client's decision."""
    project, entries = p.project, []
    for s in p.milestones:
        m = s.milestone
        if s.status != AWAITING or m.delivered is None:
            continue
        status = t("status.awaiting-approval")
        meta = [f"{t('delivered')}: {t.date(m.delivered)}"]
        by = approve_by(m)
        if by is not None:
            meta.append(f"{t('due')}: {t.date(by)}")
        parts = [
            f"<p><strong>{_h(status)}</strong>: {_h(m.title)} ({_h(project.title)})</p>",
            f"<p>{' · '.join(_h(x) for x in meta)}</p>",
        ]
        if m.deliverables:
            parts.append(
                f"<p>{_h(t('deliverables'))}: {_h(', '.join(d.title for d in m.deliverables))}</p>"
            )
        entries.append(
            FeedEntry(
                id=_tag(client.slug, project.slug, "delivered", m.id, m.delivered.isoformat()),
                title=redact(f"{project.title}: {m.title} ({status})"),
                updated=m.delivered,
                link=site_link(client, _project_page(project.slug, f"sb-milestone-{m.id}")),
                content_html="\n".join(parts),
                category="delivered",
            )
        )
    return entries


def feed_entries(state: ClientState, t: Translator) -> list[FeedEntry]:
    """Every entry of the client's feed, newest first (ties: by id, so the order is stable)."""
    t, entries = with_labels(t), []
    for p in state.projects:
        entries += approval_entries(state.client, p, t)
        entries += schedule_entries(state.client, p, t)
        entries += delivered_entries(state.client, p, t)
    entries.sort(key=lambda e: e.id)
    entries.sort(key=lambda e: e.updated, reverse=True)
    return entries


def atom_feed(state: ClientState, t: Translator) -> bytes:
    """feed.xml (RFC 4287): deliveries awaiting approval, approval decisions and schedule
    changes of every project, dated at noon in the client's time zone."""
    client, t = state.client, with_labels(t)
    zone = _zone(client)
    entries = feed_entries(state, t)
    name = redact(client.name)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: client.language})
    _text(feed, "id", _tag(client.slug, "feed"))
    _text(feed, "title", t("feed.title", client=name))
    _text(feed, "updated", _timestamp(entries[0].updated if entries else state.today, zone))
    ET.SubElement(
        feed,
        "link",
        {"rel": "self", "type": "application/atom+xml", "href": site_link(client, FEED_PATH)},
    )
    ET.SubElement(
        feed,
        "link",
        {"rel": "alternate", "type": "text/html", "href": site_link(client, "index.html")},
    )
    _text(ET.SubElement(feed, "author"), "name", name)
    _text(feed, "generator", "site-builder")
    for e in entries:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", e.id)
        _text(entry, "title", redact(e.title))
        _text(entry, "updated", _timestamp(e.updated, zone))
        _text(entry, "published", _timestamp(e.updated, zone))
        if e.author:
            _text(ET.SubElement(entry, "author"), "name", redact(e.author))
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": e.link})
        ET.SubElement(entry, "category", {"term": e.category})
        # Readers decode this HTML once more: redact what they will show, after every step.
        _text(entry, "content", redact_html(e.content_html), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _h(text: str) -> str:
    return html.escape(redact(text), quote=True)


# --- ICS --------------------------------------------------------------------------------------


def event_uid(client: Client, p: ProjectState, milestone_id: str) -> str:
    """Stable across builds: the same milestone is the same calendar event."""
    return f"{milestone_id}.{p.project.slug}.{client.slug}@{UID_DOMAIN}"


def calendar_ics(state: ClientState, t: Translator) -> bytes:
    """calendar.ics (RFC 5545): one all-day event per milestone not yet approved, on its due date.

    UID and DTSTAMP are set here (icalendar's defaults are random and 'now'); DTSTAMP is the
    status date at 00:00 UTC, so the same input and `today` give the same bytes. SEQUENCE counts
    the commits that moved the due date or edited the milestone's title, deliverables or
    acceptance (so it grows with each change and is the same in every build); LAST-MODIFIED is
    the latest of those commits, the delivery and the decisions (DTSTAMP without any).
    """
    client, t = state.client, with_labels(t)
    stamp = dt.datetime.combine(state.today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", icalendar.vText(redact(client.name)))
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(dt.timedelta(hours=6)))
    for p in state.projects:
        for s in p.milestones:
            if s.status == APPROVED:
                continue
            m = s.milestone
            link = site_link(client, _project_page(p.project.slug, f"sb-milestone-{m.id}"))
            status = t(f"status.{s.status}")
            late = delay_owner(s, state.today)  # as the page says it: whose delay, never both
            if late:
                status += f" · {t('overdue.' + late)}"
            lines = [f"{t('status')}: {status}"]
            if m.owner:
                lines.append(f"{t('owner')}: {m.owner}")
            if m.deliverables:
                lines.append(f"{t('deliverables')}: " + ", ".join(d.title for d in m.deliverables))
            lines.append(link)
            event = icalendar.Event()
            event.add("uid", event_uid(client, p, m.id))
            event.add("dtstamp", stamp)
            event.add("dtstart", m.due)
            event.add("dtend", m.due + dt.timedelta(days=1))
            event.add("summary", redact(f"{p.project.title}: {m.title}"))
            event.add("description", redact("\n".join(lines)))
            moves = [c.date for c in p.schedule_changes if c.milestone == m.id]
            edits = [e.date for e in p.scope_edits if e.milestone == m.id]
            event.add("sequence", len(moves) + len(edits))
            changed = [
                *moves,
                *edits,
                *([m.delivered] if m.delivered else []),
                *(a.approval.date for a in p.approvals if a.approval.milestone == m.id),
            ]
            event.add(
                "last-modified",
                dt.datetime.combine(max(changed), dt.time(0, 0), tzinfo=dt.timezone.utc)
                if changed
                else stamp,
            )
            event.add("transp", "TRANSPARENT")
            if link.startswith(("https://", "http://")):  # URL must be absolute (RFC 5545)
                event.add("url", link, parameters={"VALUE": "URI"})
            cal.add_component(event)
    return cal.to_ical()


# --- badges -----------------------------------------------------------------------------------


def _text_width(text: str) -> int:
    """Approximate width in px of `text` in 11px Verdana (shields.io's badge font)."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "mwMW@%")
    narrow = sum(1 for ch in text if ch in "ilj.,:;|!'/() ")
    return round(7 * len(text) + 2 * wide - 3 * narrow)


def badge_width(p: ProjectState, label: str = "milestones") -> int:
    """The badge's width in pixels (its height is 20), so pages can reserve its box."""
    left, right = _badge_widths(p, label)
    return left + right


def _badge_widths(p: ProjectState, label: str) -> tuple[int, int]:
    message = f"{p.metrics.approved}/{p.metrics.total}"
    return _text_width(redact(label)) + 10, _text_width(message) + 10


def status_badge(p: ProjectState, label: str = "milestones") -> bytes:
    """badges/<project>.svg: shields-style "milestones | 3/5", coloured by project health."""
    message = f"{p.metrics.approved}/{p.metrics.total}"
    label = redact(label)
    left, right = _badge_widths(p, label)
    width = left + right
    color = BADGE_COLORS.get(p.health, BADGE_LABEL_COLOR)
    title = f"{label}: {message} ({p.health})"
    svg = ET.Element(
        "svg",
        {"xmlns": SVG_NS, "width": str(width), "height": "20", "role": "img", "aria-label": title},
    )
    ET.SubElement(svg, "title").text = title
    gradient = ET.SubElement(svg, "linearGradient", {"id": "s", "x2": "0", "y2": "100%"})
    ET.SubElement(gradient, "stop", {"offset": "0", "stop-color": "#bbb", "stop-opacity": ".1"})
    ET.SubElement(gradient, "stop", {"offset": "1", "stop-opacity": ".1"})
    clip = ET.SubElement(svg, "clipPath", {"id": "r"})
    ET.SubElement(clip, "rect", {"width": str(width), "height": "20", "rx": "3", "fill": "#fff"})
    shapes = ET.SubElement(svg, "g", {"clip-path": "url(#r)"})
    ET.SubElement(shapes, "rect", {"width": str(left), "height": "20", "fill": BADGE_LABEL_COLOR})
    ET.SubElement(
        shapes, "rect", {"x": str(left), "width": str(right), "height": "20", "fill": color}
    )
    ET.SubElement(shapes, "rect", {"width": str(width), "height": "20", "fill": "url(#s)"})
    texts = ET.SubElement(
        svg,
        "g",
        {
            "fill": "#fff",
            "text-anchor": "middle",
            "font-size": "11",
            "font-family": "Verdana,Geneva,DejaVu Sans,sans-serif",
        },
    )
    for x, text in ((left / 2, label), (left + right / 2, message)):
        ET.SubElement(
            texts,
            "text",
            {
                "x": f"{x:g}",
                "y": "15",
                "fill": "#010101",
                "fill-opacity": ".3",
                "aria-hidden": "true",
            },
        ).text = text
        ET.SubElement(texts, "text", {"x": f"{x:g}", "y": "14"}).text = text
    return ET.tostring(svg, encoding="utf-8", xml_declaration=False) + b"\n"

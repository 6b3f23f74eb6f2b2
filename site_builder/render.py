"""Render stage: derived state -> the pages and files of one client's site.

Produces a `SiteBundle` (page HTML, status.json, feed, calendar, documents to publish) from
Jinja2 templates in theme/pages/. No MkDocs here: mkdocs_backend.py turns a bundle into a site.
Pages are finished HTML: plan text never passes through a Markdown pipeline (whose extensions
a team may configure) except our own, sanitised one.

Plan text is untrusted. Every template value is HTML-escaped (autoescape) with email addresses
redacted, and Markdown written by people (summaries, approval notes) is rendered, then
sanitised with nh3 (Ammonia) so no script, handler or dangerous URL reaches a page. Addresses
are found however they are written (emails.py: entities, percent-encoding, look-alike
characters and inline markup decoded first) and redacted in what a reader sees: each value,
and the HTML Markdown made after sanitising (text and attribute values). Markdown is rendered in time linear in its size (mdsafe.py), so the largest admitted note
renders in about a second whatever it holds.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import jinja2
import nh3
from markupsafe import Markup

from . import emails, feeds, mdsafe, revision, template_cache, timeline
from .derive import ClientState, ProjectState, delay_owner
from .i18n import EN, Translator

EMAIL_REPLACEMENT = emails.REPLACEMENT
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr",
    "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


@dataclass(frozen=True)
class Heading:
    """An entry of a page's table of contents."""

    level: int
    id: str
    title: str  # HTML-escaped


@dataclass(frozen=True)
class Page:
    """A generated page: finished HTML for the content area, never run through Markdown."""

    path: str  # source path inside the site, e.g. projects/brand-refresh.md
    title: str  # already HTML-escaped: MkDocs templates print titles unescaped
    html: str
    toc: tuple[Heading, ...] = ()


_TOC_HEADING = re.compile(r'<h([2-3]) id="([a-z0-9-]+)" data-sb-toc>(.*?)<a class="headerlink"')


def page(path: str, title: str, html_text: str) -> Page:
    """A Page with its table of contents taken from the template's section headings."""
    toc = tuple(Heading(int(level), anchor, label)
                for level, anchor, label in _TOC_HEADING.findall(html_text))
    return Page(path, title, html_text, toc)


@dataclass(frozen=True)
class SiteFile:
    """A non-page file of the site: generated content, or a copy of a file in the plans."""

    path: str  # path inside the site
    content: bytes | None = None
    source: Path | None = None


@dataclass(frozen=True)
class SiteBundle:
    """Everything MkDocs needs to build one client's site, computed without MkDocs."""

    slug: str
    site_name: str  # HTML-escaped
    language: str
    site_url: str | None
    primary_color: str | None
    logo: str | None  # path inside the site
    pages: tuple[Page, ...]
    files: tuple[SiteFile, ...]
    today: dt.date
    last_updated: dt.date | None = None  # last commit touching the client's folder
    accent_color: str | None = None
    favicon: str | None = None  # path inside the site
    extra_css: tuple[str, ...] = ()  # paths inside the site
    # Access mode (model.Access): only "public" sites drop noindex; "password" sites are
    # built without search and then encrypted (protect.py). Not public unless said so.
    access: str = "link"


def redact(text: str) -> str:
    """Text as published: email addresses removed however they are written (emails.py; they
    are never published), and characters XML cannot carry (control characters, lone
    surrogates) dropped, so feed.xml stays valid."""
    return emails.redact(_NOT_XML.sub("", text))


def redact_html(markup: str) -> str:
    """Finished HTML as published: addresses in its text and attribute values removed."""
    return emails.redact_html(_NOT_XML.sub("", markup))


def _finalize(value):
    """Applied to every {{ }} value: redact emails; neutralise braces (template plugins)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(redact_html(str(value)).replace("{", "&#123;").replace("}", "&#125;"))
    if isinstance(value, (str, int, float, Decimal, dt.date)):
        escaped = html.escape(redact(str(value)), quote=True)
        return Markup(escaped.replace("{", "&#123;").replace("}", "&#125;"))
    return value


@functools.lru_cache(maxsize=64)  # a note is shown on its page and in the feed
def markdown_html(text: str | None) -> Markup:
    """Markdown written by people -> sanitised HTML (no scripts, handlers, images, bad URLs),
    with email addresses redacted in the result (after every step that decodes text).

    The loader refuses text beyond mdsafe's bounds; should any reach here, it is shown as
    plain text rather than given to the sanitiser, whose work grows with nesting."""
    if not text:
        return Markup("")
    text = _NOT_XML.sub("", text)
    if mdsafe.problem(text) is not None:
        return Markup(f'<p class="sb-plain">{html.escape(emails.redact(text))}</p>')
    rendered = mdsafe.to_html(text)
    clean = nh3.clean(
        rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(emails.redact_html(clean))


@functools.lru_cache(maxsize=8)
def _environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), autoescape=True, finalize=_finalize,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, bytecode_cache=template_cache.CACHE,
    )
    env.filters["markdown"] = markdown_html
    env.filters["urlpath"] = lambda p: quote(p, safe="/")
    env.globals["timeline"] = timeline  # timeline.timeline_html(p, today, t) etc.
    return env


def render_site(state: ClientState, templates: Path,
                last_updated: dt.date | None = None) -> SiteBundle:
    """All pages and files of one client's site."""
    client = state.client
    t = feeds.with_labels(Translator(client.language))  # + feed, calendar and link labels
    env = _environment(templates)
    # Password sites leave out the feed and the calendar: feed readers and calendar apps
    # cannot decrypt them (docs/hosting/private-sites.md).
    subscriptions = client.access.mode != "password"
    links = feeds.site_links(client)
    if not subscriptions:  # and status.json and badges, encrypted, would open as ciphertext
        links = {**links, "feed": None, "calendar": None, "webcal": None, "status": None}
    common = {"client": client, "today": state.today, "t": t, "projects": state.projects,
              "pct": _percent, "last_updated": last_updated,
              "links": links, "anchor": feeds.approval_anchor,
              "badge_path": feeds.badge_path, "badge_width": feeds.badge_width,
              "delay_owner": delay_owner}
    pages = [page("index.md", html.escape(t("overview")),
                  env.get_template("index.html.j2").render(**common))]
    files = [SiteFile("status.json", content=status_json(state))]
    if subscriptions:
        files += [SiteFile(feeds.FEED_PATH, content=feeds.atom_feed(state, t)),
                  SiteFile(feeds.CALENDAR_PATH, content=feeds.calendar_ics(state, t))]
    for project_state in state.projects:
        project = project_state.project
        pages.append(with_contact(client, page(
            f"projects/{project.slug}.md", html.escape(redact(project.title)),
            env.get_template("project.html.j2").render(
                **common, p=project_state, signing=signing_context(client, project, t)),
        )))
        files.append(SiteFile(feeds.badge_path(project.slug),
                              content=feeds.status_badge(project_state)))
        for doc in project.documents:
            files.append(SiteFile(f"projects/{project.slug}/{doc.rel_path}", source=doc.path))
    branding = {}
    for key, source, name in (("logo", client.site.logo, "client-logo"),
                              ("favicon", client.site.favicon, "client-favicon"),
                              ("css", client.site.css, "client")):
        if source is not None:
            branding[key] = f"assets/{name}{source.suffix.lower()}"
            files.append(SiteFile(branding[key], source=source))
    return SiteBundle(
        slug=client.slug, site_name=html.escape(redact(client.name)), language=client.language,
        # Only public sites name their address (canonical links): docs/hosting/private-sites.md.
        site_url=client.site.url if client.access.public else None,
        primary_color=client.site.primary_color,
        accent_color=client.site.accent_color, logo=branding.get("logo"),
        favicon=branding.get("favicon"),
        extra_css=(branding["css"],) if "css" in branding else (),
        pages=tuple(pages), files=tuple(files), today=state.today, last_updated=last_updated,
        access=client.access.mode,
    )


# --- approving on the page (approve.js; docs/clients/approving.md) --------------

# The approval controls' tag (theme/pages/_approve.j2): plan text can write neither a <div>
# (escaped, or removed by the sanitiser) nor a quote inside a tag.
_CONTACT_SLOT = re.compile(r'(<div class="sb-approve-ui" hidden data-sb-approve [^<>]*?'
                           r'data-sb-contact=)""')


def signing_context(client, project, t: Translator) -> dict:
    """What a project page's approval controls put into the notes they sign."""
    return {"client": client.slug, "project": project.slug,
            "revision": revision.plan_revision(project),
            "deliverables": revision.shown_deliverables,
            "contact_name": client.contact.name if client.contact else None,
            "has_contact": client.contact is not None,
            "labels": {key: t(key) for key in EN if key.startswith("approve.")}}


def with_contact(client, built: Page) -> Page:
    """The page with the client's contact address (client.yml `contact:`, checked against
    the schema's email pattern) in its approval controls: the one address a site publishes,
    put in after every redaction, in that tag only."""
    if client.contact is None:
        return built
    address = html.escape(client.contact.email, quote=True)
    return dataclasses.replace(built, html=_CONTACT_SLOT.sub(
        lambda m: f'{m.group(1)}"{address}"', built.html))


def _percent(approved: int, total: int) -> int:
    return round(100 * approved / total) if total else 0


# --- status.json ------------------------------------------------------------------------------


def _amount(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: str | None) -> str | None:
    return redact(value) if value is not None else None


def project_status(p: ProjectState) -> dict:
    """The status.json entry of one project (spec section 5)."""
    project = p.project
    return {
        "slug": project.slug,
        "title": _text(project.title),
        "currency": project.currency,
        "complete": p.complete,
        "progress": {"approved": p.metrics.approved, "total": p.metrics.total},
        "current": p.current.id if p.current else None,
        "next": [s.id for s in p.next],
        "health": p.health,
        "next_step": {
            "whose": p.next_step.whose,
            "action": p.next_step.action,
            "milestone": p.next_step.milestone.id if p.next_step.milestone else None,
            "by": _day(p.next_step.by),
            "late": p.next_step.late,
        },
        "milestones": [{
            "id": s.id,
            "title": _text(s.milestone.title),
            "phase": _text(s.milestone.phase),
            "owner": _text(s.milestone.owner),
            "status": s.status,
            "overdue": s.overdue,
            "due": _day(s.milestone.due),
            "baseline_due": _day(s.baseline_due),
            "delivered": _day(s.milestone.delivered),
            "approved_on": _day(s.approved_on),
            "variance_days": s.variance_days,
            "days_to_approval": s.days_to_approval,
            "invoice": _amount(s.milestone.invoice),
        } for s in p.milestones],
        "approvals": [{
            "milestone": a.approval.milestone,
            "decision": a.approval.decision,
            "date": _day(a.approval.date),
            "by": _text(a.approval.by_name),
            "signature": a.approval.signature,
            "counted": a.counted,
            "recorded": {
                "by": _text(a.provenance.author),
                "date": _day(a.provenance.date),
                "commit": a.provenance.commit,
            } if a.provenance else None,
        } for a in p.approvals],
        "schedule_changes": [{
            "milestone": c.milestone,
            "from": _day(c.old_due),
            "to": _day(c.new_due),
            "date": _day(c.date),
            "commit": c.commit,
            "author": _text(c.author),
        } for c in p.schedule_changes],
        "scope_changes": [{
            "milestone": e.milestone,
            "date": _day(e.date),
            "commit": e.commit,
            "fields": list(e.fields),
        } for e in p.scope_changes],
        "metrics": {
            "slippage_rate": p.metrics.slippage_rate,
            "mean_days_to_approval": p.metrics.mean_days_to_approval,
            "invoiced": _amount(p.metrics.invoiced),
            "remaining": _amount(p.metrics.remaining),
        },
    }


def status_document(state: ClientState) -> dict:
    return {
        "client": {"slug": state.client.slug, "name": _text(state.client.name)},
        "today": _day(state.today),
        "projects": [project_status(p) for p in state.projects],
    }


def status_json(state: ClientState) -> bytes:
    text = json.dumps(status_document(state), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")




def problems_site(slug: str, diagnostics, today: dt.date, templates: Path) -> SiteBundle:
    """For live preview: a page listing what is wrong in the plans (and nothing else)."""
    env = _environment(templates)
    lines = [d.format() for d in diagnostics]
    body = env.get_template("problems.html.j2").render(problems=lines, t=Translator("en"))
    return SiteBundle(
        slug=slug, site_name=html.escape(slug), language="en", site_url=None,
        primary_color="red", logo=None, pages=(page("index.md", "Problems", body),), files=(),
        today=today,
    )

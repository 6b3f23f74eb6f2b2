"""Render stage: derived state -> the pages and files of one client's site.

Produces a `SiteBundle` (page HTML, status.json, feed, calendar, documents to publish) from
Jinja2 templates in theme/pages/. No MkDocs here: engines/mkdocs/ turns a bundle into a site.
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
from markupsafe import Markup

from ..derive import ClientState, ProjectState, delay_owner
from ..model import AccessMode
from ..plans.agency import AgencySettings
from . import emails, feeds, revision, template_cache, timeline
from .i18n import EN, Translator
from .text import markdown_html, redact, redact_html

EMAIL_REPLACEMENT = emails.REPLACEMENT


@dataclass(frozen=True)
class Heading:
    """An entry of a page's table of contents."""

    level: int
    id: str
    title: str  # HTML-escaped


@dataclass(frozen=True)
class Page:
    """A generated page: finished HTML for the content area, never run through Markdown."""

    path: str  # its address inside the site, e.g. projects/brand-refresh.html
    title: str  # already HTML-escaped: MkDocs templates print titles unescaped
    html: str
    toc: tuple[Heading, ...] = ()


_TOC_HEADING = re.compile(r'<h([2-3]) id="([a-z0-9-]+)" data-sb-toc>(.*?)<a class="headerlink"')


def page(path: str, title: str, html_text: str) -> Page:
    """A Page with its table of contents taken from the template's section headings."""
    toc = tuple(
        Heading(int(level), anchor, label)
        for level, anchor, label in _TOC_HEADING.findall(html_text)
    )
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
    # Access mode (model.Access): only public sites drop noindex; password sites are built
    # without search and then encrypted (protect.py). Not public unless said so.
    access: AccessMode = AccessMode.LINK


@dataclass(frozen=True)
class Preview:
    """One client's site for live preview, the paths to watch, and the agency's settings."""

    bundle: SiteBundle
    watch: list[Path]
    agency: AgencySettings


def brand(bundle: SiteBundle, settings: AgencySettings) -> SiteBundle:
    """The bundle with the agency's defaults under the client's own branding: colours and
    logo where the client has none, the agency's stylesheets before the client's."""
    files = list(bundle.files)
    logo = bundle.logo
    if logo is None and settings.logo is not None:
        logo = f"assets/agency-logo{settings.logo.suffix.lower()}"
        files.append(SiteFile(logo, source=settings.logo))
    css = []
    for n, source in enumerate(settings.extra_css, 1):
        css.append(f"assets/agency-{n}.css")
        files.append(SiteFile(css[-1], source=source))
    return dataclasses.replace(
        bundle,
        primary_color=bundle.primary_color or settings.primary_color,
        accent_color=bundle.accent_color or settings.accent_color,
        logo=logo,
        extra_css=(*css, *bundle.extra_css),
        files=tuple(files),
    )


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


@functools.lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment of the page templates in `templates`: autoescaped, emails
    redacted in every value, Markdown through the sanitised `markdown` filter."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=template_cache.CACHE,
    )
    env.filters["markdown"] = markdown_html
    env.filters["urlpath"] = lambda p: quote(p, safe="/")
    env.globals["timeline"] = timeline  # timeline.timeline_html(p, today, t) etc.
    return env


def render_site(
    state: ClientState, templates: Path, last_updated: dt.date | None = None
) -> SiteBundle:
    """All pages and files of one client's site."""
    client = state.client
    t = feeds.with_labels(Translator(client.language))  # + feed, calendar and link labels
    env = environment(templates)
    # Password sites leave out the feed and the calendar: feed readers and calendar apps
    # cannot decrypt them (docs/hosting/private-sites.md).
    subscriptions = not client.access.needs_password
    links = feeds.site_links(client)
    if not subscriptions:  # and status.json and badges, encrypted, would open as ciphertext
        links = {**links, "feed": None, "calendar": None, "webcal": None, "status": None}
    common = {
        "client": client,
        "today": state.today,
        "t": t,
        "projects": state.projects,
        "pct": _percent,
        "last_updated": last_updated,
        "links": links,
        "anchor": feeds.approval_anchor,
        "badge_path": feeds.badge_path,
        "badge_width": feeds.badge_width,
        "delay_owner": delay_owner,
    }
    pages = [
        page(
            "index.html",
            html.escape(t("overview")),
            env.get_template("index.html.j2").render(**common),
        )
    ]
    files = [SiteFile("status.json", content=status_json(state))]
    if subscriptions:
        files += [
            SiteFile(feeds.FEED_PATH, content=feeds.atom_feed(state, t)),
            SiteFile(feeds.CALENDAR_PATH, content=feeds.calendar_ics(state, t)),
        ]
    for project_state in state.projects:
        project = project_state.project
        pages.append(
            with_contact(
                client,
                page(
                    f"projects/{project.slug}.html",
                    html.escape(redact(project.title)),
                    env.get_template("project.html.j2").render(
                        **common, p=project_state, signing=signing_context(client, project, t)
                    ),
                ),
            )
        )
        files.append(
            SiteFile(feeds.badge_path(project.slug), content=feeds.status_badge(project_state))
        )
        for doc in project.documents:
            files.append(SiteFile(f"projects/{project.slug}/{doc.rel_path}", source=doc.path))
    branding = {}
    for key, source, name in (
        ("logo", client.site.logo, "client-logo"),
        ("favicon", client.site.favicon, "client-favicon"),
        ("css", client.site.css, "client"),
    ):
        if source is not None:
            branding[key] = f"assets/{name}{source.suffix.lower()}"
            files.append(SiteFile(branding[key], source=source))
    return SiteBundle(
        slug=client.slug,
        site_name=html.escape(redact(client.name)),
        language=client.language,
        # Only public sites name their address (canonical links): docs/hosting/private-sites.md.
        site_url=client.site.url if client.access.public else None,
        primary_color=client.site.primary_color,
        accent_color=client.site.accent_color,
        logo=branding.get("logo"),
        favicon=branding.get("favicon"),
        extra_css=(branding["css"],) if "css" in branding else (),
        pages=tuple(pages),
        files=tuple(files),
        today=state.today,
        last_updated=last_updated,
        access=client.access.mode,
    )


# --- approving on the page (approve.js; docs/clients/approving.md) --------------

# The approval controls' tag (theme/pages/_approve.j2): plan text can write neither a <div>
# (escaped, or removed by the sanitiser) nor a quote inside a tag.
_CONTACT_SLOT = re.compile(
    r'(<div class="sb-approve-ui" hidden data-sb-approve [^<>]*?'
    r'data-sb-contact=)""'
)


def signing_context(client, project, t: Translator) -> dict:
    """What a project page's approval controls put into the notes they sign."""
    return {
        "client": client.slug,
        "project": project.slug,
        "revision": revision.plan_revision(project),
        "deliverables": revision.shown_deliverables,
        "contact_name": client.contact.name if client.contact else None,
        "has_contact": client.contact is not None,
        "labels": {key: t(key) for key in EN if key.startswith("approve.")},
    }


def with_contact(client, built: Page) -> Page:
    """The page with the client's contact address (client.yml `contact:`, checked against
    the schema's email pattern) in its approval controls: the one address a site publishes,
    put in after every redaction, in that tag only."""
    if client.contact is None:
        return built
    address = html.escape(client.contact.email, quote=True)
    return dataclasses.replace(
        built, html=_CONTACT_SLOT.sub(lambda m: f'{m.group(1)}"{address}"', built.html)
    )


def _percent(approved: int, total: int) -> int:
    return round(100 * approved / total) if total else 0


# --- status.json ------------------------------------------------------------------------------


def json_amount(value: Decimal | None):
    """A money amount as a JSON number (an int when whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def json_day(value: dt.date | None) -> str | None:
    """A date as JSON (ISO 8601), or None."""
    return value.isoformat() if value else None


def json_text(value: str | None) -> str | None:
    """Plan text as published (redacted), or None."""
    return redact(value) if value is not None else None


def project_status(p: ProjectState) -> dict:
    """The status.json entry of one project (spec section 5)."""
    project = p.project
    return {
        "slug": project.slug,
        "title": json_text(project.title),
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
            "by": json_day(p.next_step.by),
            "late": p.next_step.late,
        },
        "milestones": [
            {
                "id": s.id,
                "title": json_text(s.milestone.title),
                "phase": json_text(s.milestone.phase),
                "owner": json_text(s.milestone.owner),
                "status": s.status,
                "overdue": s.overdue,
                "due": json_day(s.milestone.due),
                "baseline_due": json_day(s.baseline_due),
                "delivered": json_day(s.milestone.delivered),
                "approved_on": json_day(s.approved_on),
                "variance_days": s.variance_days,
                "days_to_approval": s.days_to_approval,
                "invoice": json_amount(s.milestone.invoice),
            }
            for s in p.milestones
        ],
        "approvals": [
            {
                "milestone": a.approval.milestone,
                "decision": a.approval.decision,
                "date": json_day(a.approval.date),
                "by": json_text(a.approval.by_name),
                "signature": a.approval.signature,
                "counted": a.counted,
                "recorded": {
                    "by": json_text(a.provenance.author),
                    "date": json_day(a.provenance.date),
                    "commit": a.provenance.commit,
                }
                if a.provenance
                else None,
            }
            for a in p.approvals
        ],
        "schedule_changes": [
            {
                "milestone": c.milestone,
                "from": json_day(c.old_due),
                "to": json_day(c.new_due),
                "date": json_day(c.date),
                "commit": c.commit,
                "author": json_text(c.author),
            }
            for c in p.schedule_changes
        ],
        "scope_changes": [
            {
                "milestone": e.milestone,
                "date": json_day(e.date),
                "commit": e.commit,
                "fields": list(e.fields),
            }
            for e in p.scope_changes
        ],
        "metrics": {
            "slippage_rate": p.metrics.slippage_rate,
            "mean_days_to_approval": p.metrics.mean_days_to_approval,
            "invoiced": json_amount(p.metrics.invoiced),
            "remaining": json_amount(p.metrics.remaining),
        },
    }


def status_document(state: ClientState) -> dict:
    return {
        "client": {"slug": state.client.slug, "name": json_text(state.client.name)},
        "today": json_day(state.today),
        "projects": [project_status(p) for p in state.projects],
    }


def status_json(state: ClientState) -> bytes:
    text = json.dumps(status_document(state), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def problems_site(slug: str, diagnostics, today: dt.date, templates: Path) -> SiteBundle:
    """For live preview: a page listing what is wrong in the plans (and nothing else)."""
    env = environment(templates)
    lines = [d.format() for d in diagnostics]
    body = env.get_template("problems.html.j2").render(problems=lines, t=Translator("en"))
    return SiteBundle(
        slug=slug,
        site_name=html.escape(slug),
        language="en",
        site_url=None,
        primary_color="red",
        logo=None,
        pages=(page("index.html", "Problems", body),),
        files=(),
        today=today,
    )

"""The project timeline: HTML text laid out by the browser over a few SVG shapes (no JavaScript).

A pure function of a project's derived state, `today` and the site's Translator: the same
inputs give the same bytes. Colour comes from CSS classes (site-builder.css maps them to the
status variables, so dark mode, branding and print follow the page), never from fills here.

Nothing here measures text. Every position is a percentage of the date axis, and every piece
of text sits in a box of its own that the browser sizes for the font it really has:

    Today lane      |Today                      the label on its own lane, beside its line
    month lane   Jun   Jul   Aug   Sep   Oct  | Nov   Dec     one cell per month; a label
    year lane    2026                         |       2027     that does not fit is hidden
    axis         ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━  whole, never cut or overlapped
    one row each   ◆ Kickoff done             |
    milestone,       Jun 5 · Approved         |
    title wrapped          Design signed off ◇- - -◆          label beside its diamonds, on
    in its row           Nov 27 · Awaiting    |               the side with more room

Rows stack in normal flow, so labels can never overlap, whatever their wrapped height; the
work is linear in the number of milestones (one row each, no packing). Gridlines and the today
line run behind the text, whose background covers them. The text is real HTML, read once by
screen readers (a one-line summary, then the list); the shapes and lanes are aria-hidden.

Plan text is untrusted: it reaches the markup only as ElementTree text or attribute values
(escaped on output), email-redacted, with braces neutralised like every page value.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup

from ..derive import APPROVED, MilestoneState, ProjectState
from .i18n import Translator
from .text import redact

SVG_NS = "http://www.w3.org/2000/svg"

# Marker sizes in CSS pixels (the diamonds' half-diagonals); the ring is drawn around overdue.
MARKER, CURRENT_MARKER, GHOST_MARKER, RING = 6, 8, 5, 4
BOX = CURRENT_MARKER + RING + 2  # each marker's SVG is 2 * BOX wide, centred on its date
SIDE_ROOM = 40  # % of the axis a label needs beside its diamonds; with less it goes below them

# Marker kinds, one CSS class each (sb-tl-<kind>), in the order of the legend.
KINDS = (
    "approved",
    "approved-late",
    "awaiting-approval",
    "changes-requested",
    "in-progress",
    "overdue",
    "upcoming",
)


# --- status -----------------------------------------------------------------------------------


def kind(s: MilestoneState) -> str:
    """The colour class of a milestone: approved (on time or late), overdue, else its status."""
    if s.status == APPROVED:
        return "approved-late" if s.approved_on and s.approved_on > s.baseline_due else "approved"
    if s.overdue:
        return "overdue"
    return s.status


def status_text(s: MilestoneState, t: Translator) -> str:
    """The status as the label says it: "In progress · overdue"."""
    if kind(s) == "approved-late":
        return t("timeline.approved_late")
    return t(f"status.{s.status}") + (f" · {t('overdue')}" if s.overdue else "")


def legend(p: ProjectState, t: Translator) -> list[tuple[str, str]]:
    """(CSS class, label) for each kind of marker this timeline shows, in `KINDS` order; then
    the ghosted baseline, when a due date moved."""
    names = {
        "approved": t("status.approved"),
        "approved-late": t("timeline.approved_late"),
        "overdue": t("health.overdue"),
    }
    shown = {kind(s) for s in p.milestones}
    items = [(f"sb-tl-{k}", names.get(k) or t(f"status.{k}")) for k in KINDS if k in shown]
    if any(s.baseline_due != s.milestone.due for s in p.milestones):
        items.append(("sb-tl-ghost", t("baseline")))
    return items


# --- geometry ---------------------------------------------------------------------------------


def date_range(p: ProjectState, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the axis: every due date, baseline and today, with some air."""
    days = [today]
    for s in p.milestones:
        days += [s.milestone.due, s.baseline_due]
    first, last = min(days), max(days)
    span = max((last - first).days, 28)
    pad = dt.timedelta(days=max(3, span // 40))
    return first - pad, first + dt.timedelta(days=span) + pad


def x_of(day: dt.date, start: dt.date, end: dt.date) -> float:
    """Where `day` is on the axis, in percent of its length (two decimals)."""
    return round((day - start).days / (end - start).days * 100, 2)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month after `start` up to `end`."""
    found = []
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        if day > start:
            found.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return found


def side(x: float, low: float, high: float) -> tuple[str, ...]:
    """Where a label goes: "right" of its markers (from `high` on), or "left" (up to `low`),
    whichever has more room; and also "below" them when neither has SIDE_ROOM percent, as
    when a moved due date's connector spans most of the axis (the label then starts at the
    due date, `x`)."""
    if max(100 - high, low) >= SIDE_ROOM:
        return ("right",) if 100 - high >= low else ("left",)
    return ("below", "right" if x <= 50 else "left")


# --- markup -----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Plan text as it may appear in the chart: emails redacted, XML-invalid characters gone."""

    return " ".join(redact(text).split())


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _el(
    parent: ET.Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs or {})
    if text is not None:
        element.text = text
    return element


def _diamond(r: float) -> str:
    """A diamond of half-diagonal `r`, centred in its marker's box."""
    c = BOX
    return f"M{c} {c - r}L{c + r} {c}L{c} {c + r}L{c - r} {c}Z"


def _marker(parent: ET.Element, css: str, x: float, paths: Sequence[tuple[str, float]]) -> None:
    """A small SVG centred on `x` (percent): one diamond path per (class, half-diagonal)."""
    svg = _el(
        parent,
        "svg",
        {
            "class": css,
            "style": f"left:{_pct(x)}",
            "width": str(2 * BOX),
            "height": str(2 * BOX),
            "viewBox": f"0 0 {2 * BOX} {2 * BOX}",
        },
    )
    for path_class, r in paths:
        _el(svg, "path", {"class": path_class, "d": _diamond(r)})


def summary(p: ProjectState, today: dt.date, t: Translator) -> str:
    """The sentence that opens the timeline for screen readers: count, date span, today."""
    first = min(s.milestone.due for s in p.milestones)
    last = max(s.milestone.due for s in p.milestones)
    return t(
        "timeline.summary",
        count=len(p.milestones),
        start=t.date(first),
        end=t.date(last),
        today=t.date(today),
    )


def _today(chart: ET.Element, start: dt.date, end: dt.date, today: dt.date, t: Translator) -> None:
    """The Today lane: its label alone, beside the today line, on the side with more room."""
    x = x_of(today, start, end)
    lane = _el(chart, "div", {"class": "sb-tl-today-lane", "aria-hidden": "true"})
    _el(
        lane,
        "span",
        {
            "class": "sb-tl-today-label sb-tl-" + ("right" if x <= 50 else "left"),
            "style": f"--x:{_pct(x)}",
            "data-date": today.isoformat(),
        },
        t("timeline.today"),
    )


def _lanes(chart: ET.Element, start: dt.date, end: dt.date, t: Translator) -> None:
    """The month and year lanes: one cell per month (year), each label inside its cell; a
    label wider than its cell wraps out of it and is hidden (CSS), never cut or overlapped."""
    firsts = months(start, end)
    years = [start] + [m for m in firsts if m.month == 1]
    for css, bounds, label in (
        ("sb-tl-months", firsts, lambda d: t.month(d)),
        ("sb-tl-years", years, lambda d: str(d.year)),
    ):
        row = _el(chart, "div", {"class": f"sb-tl-lane {css}", "aria-hidden": "true"})
        for n, day in enumerate(bounds):
            left = x_of(day, start, end)
            right = x_of(bounds[n + 1], start, end) if n + 1 < len(bounds) else 100
            cell = _el(
                row,
                "span",
                {"class": "sb-tl-cell", "style": f"left:{_pct(left)};width:{_pct(right - left)}"},
            )
            _el(cell, "span", {"class": "sb-tl-tick-label"}, label(day))


def _grid(chart: ET.Element, start: dt.date, end: dt.date, today: dt.date) -> None:
    """Month gridlines and the today line: one SVG stretched over the chart below the Today
    lane, behind the text; its strokes keep their width (non-scaling-stroke, in the CSS)."""
    svg = _el(
        chart,
        "svg",
        {
            "class": "sb-tl-svg",
            "aria-hidden": "true",
            "viewBox": "0 0 100 100",
            "preserveAspectRatio": "none",
        },
    )
    for day in months(start, end):
        x = f"{x_of(day, start, end):g}"
        _el(svg, "line", {"class": "sb-tl-tick", "x1": x, "x2": x, "y1": "0", "y2": "100"})
    x = f"{x_of(today, start, end):g}"
    _el(
        svg,
        "line",
        {
            "class": "sb-tl-today-line",
            "x1": x,
            "x2": x,
            "y1": "0",
            "y2": "100",
            "data-date": today.isoformat(),
        },
    )


def _row(rows: ET.Element, s: MilestoneState, start: dt.date, end: dt.date, t: Translator) -> None:
    """One milestone's row: its markers (aria-hidden), then its title and date line."""
    x = x_of(s.milestone.due, start, end)
    moved = s.baseline_due != s.milestone.due
    ghost = x_of(s.baseline_due, start, end) if moved else x
    low, high = min(x, ghost), max(x, ghost)
    where = side(x, low, high)
    if "below" in where:
        low = high = x
    classes = (
        f"sb-tl-item sb-status-{s.status} sb-tl-{kind(s)}"
        + "".join(f" sb-tl-{w}" for w in where)
        + (" sb-tl-current" if s.is_current else "")
    )
    item = _el(
        rows,
        "li",
        {
            "class": classes,
            "data-milestone": s.id,
            "data-status": s.status,
            "data-overdue": "true" if s.overdue else "false",
            "data-due": s.milestone.due.isoformat(),
            "data-x": f"{x:g}",
            "style": f"--x:{_pct(x)};--lo:{_pct(low)};--hi:{_pct(high)}",
        },
    )
    marks = _el(item, "span", {"class": "sb-tl-marks", "aria-hidden": "true"})
    if moved:  # the baseline: outlined diamond, dashed line to the due date
        _el(
            marks,
            "span",
            {
                "class": "sb-tl-connector",
                "data-baseline": s.baseline_due.isoformat(),
                "style": f"left:{_pct(min(x, ghost))};width:{_pct(abs(x - ghost))}",
            },
        )
        _marker(marks, "sb-tl-ghost", ghost, [("sb-tl-ghost-marker", GHOST_MARKER)])
    r = CURRENT_MARKER if s.is_current else MARKER
    _marker(
        marks,
        "sb-tl-dot",
        x,
        ([("sb-tl-ring", r + RING)] if s.overdue else []) + [("sb-tl-marker", r)],
    )
    text = _el(item, "span", {"class": "sb-tl-text"})
    _el(text, "span", {"class": "sb-tl-label"}, _clean(s.milestone.title)).tail = " "
    meta = _el(
        text, "span", {"class": "sb-tl-meta"}, f"{t.date(s.milestone.due)} · {status_text(s, t)}"
    )
    if moved:
        _el(
            meta,
            "span",
            {"class": "sb-visually-hidden"},
            " " + t("timeline.moved", date=t.date(s.baseline_due)),
        )


def timeline_html(p: ProjectState, today: dt.date, t: Translator) -> Markup:
    """The project's timeline chart as an HTML <div> (markup, safe to print as is)."""
    start, end = date_range(p, today)
    chart = ET.Element(
        "div",
        {"class": "sb-tl-chart", "data-start": start.isoformat(), "data-end": end.isoformat()},
    )
    _el(chart, "p", {"class": "sb-visually-hidden"}, summary(p, today, t))
    _today(chart, start, end, today, t)
    body = _el(chart, "div", {"class": "sb-tl-body"})
    _grid(body, start, end, today)
    _lanes(body, start, end, t)
    _el(body, "div", {"class": "sb-tl-axis", "aria-hidden": "true"}).append(
        ET.Element(
            "span", {"class": "sb-tl-elapsed", "style": f"width:{_pct(x_of(today, start, end))}"}
        )
    )
    rows = _el(
        body,
        "ol",
        {"class": "sb-tl-list", "aria-label": t("timeline.title", project=_clean(p.project.title))},
    )
    for s in p.milestones:
        _row(rows, s, start, end, t)
    # XML serialisation escapes "<" in attributes too; no element is written self-closed.
    markup = ET.tostring(chart, encoding="unicode", short_empty_elements=False)
    # Like every page value: no braces a template plugin could pick up.
    return Markup(markup.replace("{", "&#123;").replace("}", "&#125;"))

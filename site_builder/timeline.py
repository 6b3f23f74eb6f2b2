"""The project timeline: a server-rendered SVG (no JavaScript), built with ElementTree.

A pure function of a project's derived state, `today` and the site's Translator: the same
inputs give the same bytes. Colour comes from CSS classes (site-builder.css maps them to the
status variables, so dark mode, branding and print follow the page), never from fills here.

Layout: a date axis along the top (month ticks, a "today" line running down the whole chart),
and the milestones below it in rows. Each milestone is a diamond at its due date with its label
beside it (title; date and status), on the right, or on the left when the right has no room.
Rows are assigned greedily in plan order: a milestone goes in the first row where its diamond,
its label (estimated text width) and its ghosted baseline leave room; so labels never overlap,
and a label is always next to its own diamond (no leader lines to follow)::

    Jun 2026      Aug        Oct   Today    Dec        Feb
    ---+----------+----------+-------|-------+----------+---
    ◆ Kickoff done        ◆ Concept selected  ◇- - -◆ Design signed off
      Jun 5 · Approved      Aug 28 · Approved   |     Nov 27 · Awaiting approval
             ◆ Discovery approved               |               Final assets ◇
               Jul 10 · Approved late           |      Jan 29, 2027 · Upcoming

Plan text is untrusted: it reaches the SVG only as ElementTree text or attribute values
(escaped on output), email-redacted, with braces neutralised like every page value.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from markupsafe import Markup

from .derive import APPROVED, MilestoneState, ProjectState
from .i18n import Translator

SVG_NS = "http://www.w3.org/2000/svg"

WIDTH = 720  # viewBox width; the page scales the SVG to its column
MARGIN = 4  # nothing is drawn closer than this to the left and right edges
AXIS_LEFT, AXIS_RIGHT = 14, WIDTH - 14  # room for a diamond at either end
MONTH_Y = 12  # baseline of the month labels and of "Today"
AXIS_Y = 22
ROWS_TOP = AXIS_Y + 8
ROW_HEIGHT = 36
TITLE_SIZE, META_SIZE, MONTH_SIZE = 12.5, 10.5, 10.5
TITLE_Y, META_Y, MARKER_Y = 15, 29, 11  # inside a row: baselines and the diamonds' centre
LABEL_PAD = 5  # between a diamond and its label
ROW_GAP = 10  # horizontal room between two milestones in one row
MAX_TITLE_WIDTH, MAX_META_WIDTH = 240, 320
MARKER, CURRENT_MARKER, GHOST_MARKER = 6, 8, 5
RING = 4  # the overdue ring, around the diamond

# Marker kinds, one CSS class each (sb-tl-<kind>), in the order of the legend.
KINDS = ("approved", "approved-late", "awaiting-approval", "changes-requested", "in-progress",
         "overdue", "upcoming")


# --- text -------------------------------------------------------------------------------------

# Advance widths (1/1000 em) of Helvetica/Arial/Liberation Sans, the metric-compatible fonts
# the timeline's text is set in (site-builder.css); regular and bold.
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_REGULAR = dict(zip(_LOWER, (556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
                             556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500)))
_REGULAR |= dict(zip(_UPPER, (667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
                              722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611)))
_BOLD = dict(zip(_LOWER, (556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611,
                          611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500)))
_BOLD |= dict(zip(_UPPER, (722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722,
                           778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611)))
_COMMON = {" ": 278, ".": 278, ",": 278, ":": 278, ";": 278, "·": 278, "-": 333, "–": 556,
           "—": 1000, "…": 1000, "(": 333, ")": 333, "/": 278, "'": 191, "’": 222, "&": 722,
           "!": 278, "?": 611, "%": 889, "@": 1015, "+": 584, "#": 556, "*": 389, "\"": 355}
SAFETY = 1.1  # hinting, and the fonts that stand in where none of the three is installed


def _char_width(ch: str, bold: bool) -> float:
    if ch.isdigit() and ch.isascii():
        return 556
    table = _BOLD if bold else _REGULAR
    if ch in table:
        return table[ch]
    if ch in _COMMON:
        return _COMMON[ch]
    if ord(ch) >= 0x2E80:  # CJK and other wide scripts
        return 1000
    base = unicodedata.normalize("NFD", ch)[0]  # é -> e
    return table.get(base, 850 if ch.isupper() else 650)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the rendered width of `text` at font size `size`."""
    return sum(_char_width(ch, bold) for ch in text) / 1000 * size * SAFETY


def fit(text: str, size: float, width: float, bold: bool = False) -> str:
    """`text`, shortened with an ellipsis until its estimated width is at most `width`."""
    if text_width(text, size, bold) <= width:
        return text
    cut = len(text)
    while cut > 1 and text_width(text[:cut].rstrip() + "…", size, bold) > width:
        cut -= 1
    return text[:cut].rstrip() + "…"


@dataclass(frozen=True)
class Label:
    """A milestone's label: its title, and a line with its date and status."""

    title: str
    meta: str

    @property
    def width(self) -> float:
        return max(text_width(self.title, TITLE_SIZE, True), text_width(self.meta, META_SIZE))

    def fitted(self, width: float, meta_width: float | None = None) -> "Label":
        return Label(fit(self.title, TITLE_SIZE, width, True),
                     fit(self.meta, META_SIZE, width if meta_width is None else meta_width))


# --- status -----------------------------------------------------------------------------------


def kind(s: MilestoneState) -> str:
    """The colour class of a milestone: approved (on time or late), overdue, else its status."""
    if s.status == APPROVED:
        return "approved-late" if s.approved_on and s.approved_on > s.baseline_due else "approved"
    if s.overdue:
        return "overdue"
    return s.status


def status_text(s: MilestoneState, t: Translator) -> str:
    """The status as the label and the text alternative say it: "In progress · overdue"."""
    if kind(s) == "approved-late":
        return t("timeline.approved_late")
    return t(f"status.{s.status}") + (f" · {t('overdue')}" if s.overdue else "")


def legend(p: ProjectState, t: Translator) -> list[tuple[str, str]]:
    """(CSS class, label) for each kind of marker this timeline shows, in `KINDS` order; then
    the ghosted baseline, when a due date moved."""
    names = {"approved": t("status.approved"), "approved-late": t("timeline.approved_late"),
             "overdue": t("health.overdue")}
    shown = {kind(s) for s in p.milestones}
    items = [(f"sb-tl-{k}", names.get(k) or t(f"status.{k}")) for k in KINDS if k in shown]
    if any(s.baseline_due != s.milestone.due for s in p.milestones):
        items.append(("sb-tl-ghost", t("baseline")))
    return items


def today_index(p: ProjectState, today: dt.date) -> int:
    """Where "today" goes in the plan-ordered milestone list: after the milestones due up to
    today (for the list that stands in for the SVG on narrow screens)."""
    return next((i for i, s in enumerate(p.milestones) if s.milestone.due > today),
                len(p.milestones))


# --- layout -----------------------------------------------------------------------------------


def date_range(p: ProjectState, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the axis: every due date, baseline and today, with some air."""
    days = [today]
    for s in p.milestones:
        days += [s.milestone.due, s.baseline_due]
    first, last = min(days), max(days)
    span = max((last - first).days, 28)
    pad = dt.timedelta(days=max(3, span // 40))
    return first - pad, first + dt.timedelta(days=span) + pad


@dataclass(frozen=True)
class Placed:
    """Where one milestone is drawn."""

    x: float  # the diamond (due date)
    ghost_x: float | None  # the ghosted baseline diamond, when the due date moved
    label: Label
    label_left: float  # the label's box, horizontally
    label_right: float
    row: int

    @property
    def anchor(self) -> str:
        """SVG text-anchor of the label: start (right of the diamond) or end (left of it)."""
        return "start" if self.label_left >= self.x else "end"

    @property
    def top(self) -> float:
        return ROWS_TOP + self.row * ROW_HEIGHT

    @property
    def extent(self) -> tuple[float, float]:
        """Everything this milestone covers in its row: diamonds, connector and label."""
        xs = [self.x, self.ghost_x if self.ghost_x is not None else self.x]
        return (min(min(xs) - CURRENT_MARKER - RING, self.label_left),
                max(max(xs) + CURRENT_MARKER + RING, self.label_right))

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The label's rectangle: left, top, right, bottom."""
        return (self.label_left, self.top + TITLE_Y - TITLE_SIZE,
                self.label_right, self.top + META_Y + 3)


def assign_rows(extents: list[tuple[float, float]], gap: float = ROW_GAP) -> list[int]:
    """Rows for horizontal extents (left, right), greedily in the given order: each goes in
    the first row where it keeps `gap` from everything already there."""
    rows: list[list[tuple[float, float]]] = []
    assigned = []
    for left, right in extents:
        for n, taken in enumerate(rows):
            if all(right + gap <= l or r + gap <= left for l, r in taken):
                taken.append((left, right))
                assigned.append(n)
                break
        else:
            rows.append([(left, right)])
            assigned.append(len(rows) - 1)
    return assigned


def place_label(x: float, ghost_x: float | None, label: Label) -> tuple[Label, float, float]:
    """The label's box beside its diamond: on the right, or on the left when the right has no
    room; shortened (ellipsis) when neither side has room for all of it. A ghosted baseline is
    kept clear of the label by starting it beyond the ghost."""
    low = min(x, ghost_x) if ghost_x is not None else x
    high = max(x, ghost_x) if ghost_x is not None else x
    right_start = high + CURRENT_MARKER + LABEL_PAD
    left_end = low - CURRENT_MARKER - LABEL_PAD
    label = label.fitted(MAX_TITLE_WIDTH, MAX_META_WIDTH)
    width = label.width
    if right_start + width <= WIDTH - MARGIN:
        return label, right_start, right_start + width
    if left_end - width >= MARGIN:
        return label, left_end - width, left_end
    if WIDTH - MARGIN - right_start >= left_end - MARGIN:
        label = label.fitted(WIDTH - MARGIN - right_start)
        return label, right_start, right_start + label.width
    label = label.fitted(left_end - MARGIN)
    return label, left_end - label.width, left_end


def layout(p: ProjectState, today: dt.date, t: Translator
           ) -> tuple[dt.date, dt.date, list[Placed], int]:
    """(first day, last day, each milestone placed, number of rows)."""
    start, end = date_range(p, today)
    placed = []
    for s in p.milestones:
        x = x_of(s.milestone.due, start, end)
        ghost = x_of(s.baseline_due, start, end) if s.baseline_due != s.milestone.due else None
        label, left, right = place_label(x, ghost, Label(
            _clean(s.milestone.title), f"{t.date(s.milestone.due)} · {status_text(s, t)}"))
        placed.append(Placed(x, ghost, label, left, right, 0))
    rows = assign_rows([m.extent for m in placed])
    placed = [Placed(m.x, m.ghost_x, m.label, m.label_left, m.label_right, row)
              for m, row in zip(placed, rows)]
    return start, end, placed, max(rows) + 1


def x_of(day: dt.date, start: dt.date, end: dt.date) -> float:
    return round(AXIS_LEFT + (day - start).days / (end - start).days * (AXIS_RIGHT - AXIS_LEFT),
                 1)


# --- the SVG ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Plan text as it may appear in the SVG: emails redacted, XML-invalid characters gone."""
    from .render import redact  # late import: render imports this module

    return " ".join(redact(text).split())


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _diamond(x: float, y: float, r: float) -> str:
    return (f"M{_num(x)} {_num(y - r)}L{_num(x + r)} {_num(y)}L{_num(x)} {_num(y + r)}"
            f"L{_num(x - r)} {_num(y)}Z")


def _el(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None,
        text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs or {})
    if text is not None:
        element.text = text
    return element


def description(p: ProjectState, today: dt.date, t: Translator) -> tuple[str, str]:
    """The SVG's <title> and <desc>: the whole timeline as text, for screen readers."""
    first = min(s.milestone.due for s in p.milestones)
    last = max(s.milestone.due for s in p.milestones)
    title = t("timeline.title", project=_clean(p.project.title))
    parts = [t("timeline.summary", count=len(p.milestones), start=t.date(first),
               end=t.date(last), today=t.date(today))]
    for s in p.milestones:
        item = t("timeline.item", title=_clean(s.milestone.title), due=t.date(s.milestone.due),
                 status=status_text(s, t))
        if s.baseline_due != s.milestone.due:
            item += " " + t("timeline.moved", date=t.date(s.baseline_due))
        parts.append(item)
    return title, " ".join(parts)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month after `start` up to `end`."""
    found = []
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        if day > start:
            found.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return found


def timeline_svg(p: ProjectState, today: dt.date, t: Translator) -> Markup:
    """The project's timeline as an inline <svg> element (markup, safe to print as is)."""
    start, end, placed, rows = layout(p, today, t)
    height = ROWS_TOP + rows * ROW_HEIGHT
    slug = p.project.slug
    title_text, desc_text = description(p, today, t)
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "class": "sb-tl-svg", "viewBox": f"0 0 {WIDTH} {height}",
        "width": str(WIDTH), "height": str(height), "role": "img",
        "aria-labelledby": f"sb-tl-{slug}-title sb-tl-{slug}-desc",
        "data-start": start.isoformat(), "data-end": end.isoformat(),
    })
    _el(svg, "title", {"id": f"sb-tl-{slug}-title"}, title_text)
    _el(svg, "desc", {"id": f"sb-tl-{slug}-desc"}, desc_text)

    # Month gridlines and labels: labels thinned so they never touch, and clear of "Today".
    today_x = x_of(today, start, end)
    today_label = t("timeline.today")
    today_w = text_width(today_label, MONTH_SIZE, bold=True)
    today_left = min(max(today_x - today_w / 2, MARGIN), WIDTH - MARGIN - today_w)
    grid = _el(svg, "g", {"class": "sb-tl-months"})
    firsts = months(start, end)
    month_px = (AXIS_RIGHT - AXIS_LEFT) * 30.44 / (end - start).days
    widest = max((text_width(t.month(m, True), MONTH_SIZE) for m in firsts), default=0)
    step = max(1, math.ceil((widest + 8) / month_px))
    for n, m in enumerate(firsts):
        x = x_of(m, start, end)
        _el(grid, "line", {"class": "sb-tl-tick", "x1": _num(x), "x2": _num(x),
                           "y1": str(AXIS_Y - 4), "y2": str(height)})
        if n % step:
            continue
        label = t.month(m, with_year=(n == 0 or m.month == 1))
        left, right = x + 3, x + 3 + text_width(label, MONTH_SIZE)
        if right > WIDTH - MARGIN or (left < today_left + today_w + 6 and today_left - 6 < right):
            continue
        _el(grid, "text", {"class": "sb-tl-month", "x": _num(x + 3), "y": str(MONTH_Y),
                           "font-size": _num(MONTH_SIZE)}, label)

    # The axis, heavier up to today; the today line runs down the whole chart.
    _el(svg, "line", {"class": "sb-tl-axis", "x1": str(AXIS_LEFT), "x2": str(AXIS_RIGHT),
                      "y1": str(AXIS_Y), "y2": str(AXIS_Y)})
    _el(svg, "line", {"class": "sb-tl-elapsed", "x1": str(AXIS_LEFT), "x2": _num(today_x),
                      "y1": str(AXIS_Y), "y2": str(AXIS_Y)})
    now = _el(svg, "g", {"class": "sb-tl-today", "data-date": today.isoformat(),
                         "data-x": _num(today_x)})
    _el(now, "line", {"class": "sb-tl-today-line", "x1": _num(today_x), "x2": _num(today_x),
                      "y1": str(MONTH_Y + 3), "y2": str(height)})
    _el(now, "text", {"class": "sb-tl-today-label", "x": _num(today_left + today_w / 2),
                      "y": str(MONTH_Y), "text-anchor": "middle",
                      "font-size": _num(MONTH_SIZE)}, today_label)

    for s, m in zip(p.milestones, placed):
        y = m.top + MARKER_Y
        classes = f"sb-tl-milestone sb-tl-{kind(s)}" + (" sb-tl-current" if s.is_current else "")
        group = _el(svg, "g", {
            "class": classes, "data-milestone": s.id, "data-status": s.status,
            "data-overdue": "true" if s.overdue else "false",
            "data-due": s.milestone.due.isoformat(), "data-x": _num(m.x),
            "data-row": str(m.row), "data-box": " ".join(_num(v) for v in m.box),
        })
        _el(group, "title", None, f"{_clean(s.milestone.title)}: {t.date(s.milestone.due)}, "
                                  f"{status_text(s, t)}")
        r = CURRENT_MARKER if s.is_current else MARKER
        if m.ghost_x is not None:  # the baseline: outlined diamond, dashed line to the due date
            ghost = _el(group, "g", {"class": "sb-tl-ghost",
                                     "data-baseline": s.baseline_due.isoformat()})
            _el(ghost, "title", None, f"{t('baseline')} {t.date(s.baseline_due)}")
            direction = 1 if m.x > m.ghost_x else -1
            _el(ghost, "line", {"class": "sb-tl-connector",
                                "x1": _num(m.ghost_x + direction * GHOST_MARKER),
                                "x2": _num(m.x - direction * r), "y1": _num(y), "y2": _num(y)})
            _el(ghost, "path", {"class": "sb-tl-ghost-marker",
                                "d": _diamond(m.ghost_x, y, GHOST_MARKER)})
        if s.overdue:
            _el(group, "path", {"class": "sb-tl-ring", "d": _diamond(m.x, y, r + RING)})
        _el(group, "path", {"class": "sb-tl-marker", "d": _diamond(m.x, y, r)})
        x_text = m.label_left if m.anchor == "start" else m.label_right
        text_attrs = {"x": _num(x_text)} | ({"text-anchor": "end"} if m.anchor == "end" else {})
        _el(group, "text", {"class": "sb-tl-label", **text_attrs, "y": _num(m.top + TITLE_Y),
                            "font-size": _num(TITLE_SIZE)}, m.label.title)
        _el(group, "text", {"class": "sb-tl-meta", **text_attrs, "y": _num(m.top + META_Y),
                            "font-size": _num(META_SIZE)}, m.label.meta)

    markup = ET.tostring(svg, encoding="unicode", short_empty_elements=True)
    # Like every page value: no braces a template plugin could pick up.
    return Markup(markup.replace("{", "&#123;").replace("}", "&#125;"))

"""The project timeline (site_builder/site/timeline.py): structure, colours, ghosts, labels that
are never cut and never overlap whatever the font, escaping, the text for screen readers, linear
work for huge plans, and how it sits in a built page.

The last tests render the demo timelines in a real browser (once per font family, see
tests/conftest.py): no two labels intersect, no title is clipped, the page never scrolls
sideways, at desktop and phone width; screenshots go to test-artifacts/.
"""

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import approval, make_client

from site_builder.build import BuildOptions, build
from site_builder.derive import derive_project
from site_builder.model import Approval, Client, Milestone, MilestoneHistory, Project, Source
from site_builder.site import timeline
from site_builder.site.i18n import Translator

D = dt.date.fromisoformat
SRC = Source(Path("plan.yml"), 1)
EN = Translator("en")
TODAY = D("2026-03-01")


def ms(mid, due, delivered=None, title=None, invoice=None):
    return Milestone(
        id=mid,
        title=title or mid.replace("-", " ").title(),
        due=D(due),
        source=SRC,
        delivered=D(delivered) if delivered else None,
        invoice=Decimal(invoice) if invoice is not None else None,
    )


def note(milestone, date, decision="approved"):
    return Approval(
        name=f"{date}-{milestone}.md",
        milestone=milestone,
        decision=decision,
        date=D(date),
        by_name="Ada",
        by_email="ada@x.example",
        source=SRC,
        signature="unsigned",
    )


def state(milestones, approvals=(), baselines=None, today=TODAY, title="Relaunch"):
    approvals = tuple(sorted(approvals, key=lambda a: (a.date, a.name)))
    project = Project(
        slug="web",
        title=title,
        path=Path("web"),
        source=SRC,
        milestones=tuple(milestones),
        approvals=approvals,
    )
    client = Client(slug="acme", name="Acme", path=Path("acme"), source=SRC)
    history = {mid: MilestoneHistory(D(day)) for mid, day in (baselines or {}).items()}
    return derive_project(client, project, today, history)


def chart_of(p, today=TODAY, t=EN):
    markup = str(timeline.timeline_html(p, today, t))
    return markup, BeautifulSoup(markup, "html.parser").select_one("div.sb-tl-chart")


def items(chart):
    return chart.select("ol.sb-tl-list > li.sb-tl-item")


def classes(element):
    return set(element.get("class", []))


def style_vars(element):
    """An element's style attribute as {property: float} (percentages without the %)."""
    return {
        k.strip(): float(v.strip().rstrip("%"))
        for k, v in (d.split(":") for d in element["style"].split(";"))
    }


# One milestone of every kind, plan-ordered; today is 2026-03-01.
EVERY_KIND = state(
    [
        ms("on-time", "2026-01-10", "2026-01-08"),  # approved before its baseline
        ms("late", "2026-01-20", "2026-01-25"),  # approved after it
        ms("rework", "2026-02-10", "2026-02-05"),  # changes requested, due passed: overdue
        ms("review", "2026-03-05", "2026-02-27"),  # delivered, no decision: awaiting
        ms("build", "2026-03-20"),  # not delivered yet: upcoming
        ms("launch", "2026-04-30"),
    ],
    [
        note("on-time", "2026-01-09"),
        note("late", "2026-01-28"),
        note("rework", "2026-02-12", "changes-requested"),
    ],
    baselines={"late": "2026-01-15"},  # due moved from 15 to 20 January
)


def test_one_row_and_one_marker_per_milestone_in_plan_order():
    _, chart = chart_of(EVERY_KIND)
    rows = items(chart)
    assert [li["data-milestone"] for li in rows] == [s.id for s in EVERY_KIND.milestones]
    for li in rows:
        assert len(li.select("svg.sb-tl-dot path.sb-tl-marker")) == 1
        assert len(li.select(".sb-tl-label")) == 1
    assert len(chart.select("path.sb-tl-marker")) == 6


def test_markers_sit_at_their_due_dates_on_a_proportional_axis():
    _, chart = chart_of(EVERY_KIND)
    start, end = D(chart["data-start"]), D(chart["data-end"])
    xs = {}
    for li in items(chart):
        due = D(li["data-due"])
        x = style_vars(li)["--x"]
        assert x == pytest.approx((due - start).days / (end - start).days * 100, abs=0.01)
        assert style_vars(li.select_one("svg.sb-tl-dot"))["left"] == x  # the diamond is there
        xs[li["data-milestone"]] = x
    # Equal gaps in days are equal gaps in x: 10 days = 10 days.
    per_day = (xs["late"] - xs["on-time"]) / 10
    assert (xs["launch"] - xs["build"]) / 41 == pytest.approx(per_day, rel=0.01)


def test_colour_classes_follow_status_and_overdue():
    _, chart = chart_of(EVERY_KIND)
    kinds = {li["data-milestone"]: classes(li) for li in items(chart)}
    assert "sb-tl-approved" in kinds["on-time"]
    assert "sb-tl-approved-late" in kinds["late"]
    assert "sb-tl-overdue" in kinds["rework"]  # changes requested, and past due
    assert "sb-tl-awaiting-approval" in kinds["review"]
    assert "sb-tl-in-progress" not in kinds["build"] and "sb-tl-upcoming" in kinds["build"]
    assert "sb-tl-upcoming" in kinds["launch"]
    statuses = {li["data-milestone"]: li["data-status"] for li in items(chart)}
    assert statuses["rework"] == "changes-requested"
    # Overdue is shown beside the status: a ring, and the word, only on the overdue milestone.
    rings = [li["data-milestone"] for li in items(chart) if li.select_one("path.sb-tl-ring")]
    assert rings == ["rework"]
    meta = {li["data-milestone"]: li.select_one(".sb-tl-meta").get_text() for li in items(chart)}
    assert meta["rework"].endswith("Changes requested · overdue")
    assert meta["late"].startswith("Jan 20, 2026 · Approved late")
    assert meta["review"] == "Mar 5, 2026 · Awaiting your approval"


def test_in_progress_and_changes_requested_without_overdue():
    p = state(
        [
            ms("a", "2026-02-01", "2026-01-30"),
            ms("b", "2026-03-10", "2026-03-01"),
            ms("c", "2026-04-01"),
        ],
        [note("a", "2026-01-31"), note("b", "2026-03-02", "rejected")],
        today=D("2026-03-03"),
    )
    _, chart = chart_of(p, D("2026-03-03"))
    kinds = {li["data-milestone"]: classes(li) for li in items(chart)}
    assert "sb-tl-changes-requested" in kinds["b"] and "sb-tl-current" in kinds["b"]
    p = state(
        [ms("a", "2026-02-01", "2026-01-30"), ms("b", "2026-03-10")],
        [note("a", "2026-01-31")],
        today=D("2026-03-03"),
    )
    _, chart = chart_of(p, D("2026-03-03"))
    assert "sb-tl-in-progress" in classes(items(chart)[1])


def test_every_kind_has_a_colour_in_the_stylesheet():
    css = (
        Path(__file__).parent.parent
        / "theme"
        / "overrides"
        / "assets"
        / "stylesheets"
        / "site-builder.css"
    ).read_text(encoding="utf-8")
    for kind in timeline.KINDS:
        rule = re.search(rf"\.sb-tl-{kind} \.sb-tl-marker \{{([^}}]*)\}}", css)
        assert rule and "var(--sb-" in rule.group(1), kind
        assert re.search(rf"\.sb-tl-key\.sb-tl-{kind} \{{", css), kind  # and in the legend


def test_today_line_sits_between_the_right_milestones():
    _, chart = chart_of(EVERY_KIND)
    line = chart.select_one("svg.sb-tl-svg line.sb-tl-today-line")
    label = chart.select_one(".sb-tl-today-lane .sb-tl-today-label")
    assert line["data-date"] == label["data-date"] == "2026-03-01"
    x = float(line["x1"])
    assert line["x1"] == line["x2"] and style_vars(label)["--x"] == x
    assert (line["y1"], line["y2"]) == ("0", "100")  # the whole chart, below the Today lane
    xs = {li["data-milestone"]: float(li["data-x"]) for li in items(chart)}
    assert xs["rework"] < x < xs["review"]  # due 10 Feb < 1 Mar < due 5 Mar
    assert label.get_text() == "Today"
    assert style_vars(chart.select_one(".sb-tl-elapsed"))["width"] == x


def test_today_outside_the_plan_extends_the_axis():
    p = state([ms("a", "2026-05-01"), ms("b", "2026-06-01")], today=D("2026-03-01"))
    _, chart = chart_of(p, D("2026-03-01"))
    x_today = float(chart.select_one("line.sb-tl-today-line")["x1"])
    xs = [float(li["data-x"]) for li in items(chart)]
    assert 0 <= x_today < min(xs) and max(xs) <= 100
    assert D(chart["data-start"]) <= D("2026-03-01")


def test_ghost_markers_only_where_the_due_date_moved():
    _, chart = chart_of(EVERY_KIND)
    ghosts = chart.select("svg.sb-tl-ghost")
    assert len(ghosts) == 1
    owner = ghosts[0].find_parent("li")
    assert owner["data-milestone"] == "late"
    connector = owner.select_one(".sb-tl-connector")
    assert connector["data-baseline"] == "2026-01-15"
    ghost_x, due_x = style_vars(ghosts[0])["left"], float(owner["data-x"])
    assert ghost_x < due_x
    assert style_vars(connector) == pytest.approx({"left": ghost_x, "width": due_x - ghost_x})
    # Screen readers hear the original date once, in the milestone's own text.
    assert "Originally due Jan 15, 2026." in owner.select_one(".sb-tl-text").get_text()
    # The label starts beyond both diamonds.
    assert "sb-tl-right" in classes(owner)
    assert style_vars(owner)["--lo"] == ghost_x and style_vars(owner)["--hi"] == due_x
    # Nothing moved: no ghost at all.
    _, chart = chart_of(state([ms("a", "2026-02-01"), ms("b", "2026-03-10")]))
    assert chart.select(".sb-tl-ghost, .sb-tl-connector") == []


def test_the_legend_names_what_the_timeline_shows():
    assert timeline.legend(EVERY_KIND, EN) == [
        ("sb-tl-approved", "Approved"),
        ("sb-tl-approved-late", "Approved late"),
        ("sb-tl-awaiting-approval", "Awaiting your approval"),
        ("sb-tl-overdue", "Overdue"),
        ("sb-tl-upcoming", "Upcoming"),
        ("sb-tl-ghost", "Originally due"),
    ]


# --- labels: whole, with room, whatever the font --------------------------------------------


LONG = "Design system, brand guidelines and every template signed off by the board"


def room(li):
    """The share of the axis (%) a row's label may use, by its side and its markers."""
    v, where = style_vars(li), classes(li)
    if "sb-tl-below" in where:
        assert v["--lo"] == v["--hi"] == v["--x"]  # below the markers, from the due date on
    return 100 - v["--hi"] if "sb-tl-right" in where else v["--lo"]


def assert_labels_whole_with_room(p, chart):
    """Every title is in the chart exactly as planned (no ellipsis), on a side of its own
    row with at least timeline.SIDE_ROOM % of the axis (the browser wraps it there)."""
    titles = {s.id: " ".join(s.milestone.title.split()) for s in p.milestones}
    for li in items(chart):
        assert li.select_one(".sb-tl-label").get_text() == titles[li["data-milestone"]]
        assert len(classes(li) & {"sb-tl-right", "sb-tl-left"}) == 1, li["class"]
        assert room(li) >= timeline.SIDE_ROOM, (li["data-milestone"], li["style"])
    assert "…" not in chart.get_text()


@pytest.mark.parametrize("spacing", [0, 1, 3, 7, 20])
def test_crowded_milestones_each_get_a_row_and_whole_titles(spacing):
    start = D("2026-01-05")
    milestones = [
        ms(
            f"m{i}",
            (start + dt.timedelta(days=i * spacing)).isoformat(),
            title=f"{LONG} ({i})" if i % 2 else f"Short {i}",
        )
        for i in range(12)
    ]
    p = state(milestones, today=D("2026-01-20"))
    _, chart = chart_of(p, D("2026-01-20"))
    assert len(items(chart)) == 12
    assert_labels_whole_with_room(p, chart)


def test_random_plans_keep_whole_labels_with_room():
    """200 seeded random plans: 1-12 milestones over up to a year and a half, titles of any
    length, moved due dates, decisions, today anywhere."""
    import random

    rng = random.Random(7)
    words = [
        "Kickoff",
        "design",
        "signed",
        "off",
        "UAT",
        "Überprüfung",
        "go-live",
        "W",
        "integration",
        "of",
        "the",
        "warehouse",
        "management",
        "system",
        "i",
    ]
    below = 0
    for case in range(200):
        start = D("2026-01-01") + dt.timedelta(days=rng.randint(0, 200))
        milestones, approvals, baselines = [], [], {}
        day = start
        for i in range(rng.randint(1, 12)):
            day += dt.timedelta(days=rng.choice([0, 1, 3, 10, 30, 90]))
            title = " ".join(rng.choice(words) for _ in range(rng.randint(1, 14)))
            delivered = (day - dt.timedelta(days=2)).isoformat() if rng.random() < 0.5 else None
            milestones.append(ms(f"m{i}", day.isoformat(), delivered, title=title))
            if delivered and rng.random() < 0.6:
                approvals.append(
                    note(
                        f"m{i}",
                        (day + dt.timedelta(days=rng.randint(-3, 9))).isoformat(),
                        rng.choice(["approved", "rejected"]),
                    )
                )
            if rng.random() < 0.3:
                baselines[f"m{i}"] = (day - dt.timedelta(days=rng.randint(-20, 300))).isoformat()
        today = start + dt.timedelta(days=rng.randint(-60, 500))
        p = state(milestones, approvals, baselines, today=today)
        _, chart = chart_of(p, today)
        assert len(items(chart)) == len(milestones), case
        assert_labels_whole_with_room(p, chart)
        below += len(chart.select("li.sb-tl-below"))
    assert below  # the long moves put some labels below their markers


def test_labels_go_on_the_side_with_more_room():
    assert timeline.side(10, 10, 10) == ("right",)
    assert timeline.side(90, 90, 90) == ("left",)
    assert timeline.side(50, 50, 50) == ("right",)
    assert timeline.side(60, 20, 60) == ("right",)  # baseline at 20, due at 60: 40% vs 20%
    assert timeline.side(70, 20, 70) == ("below", "left")  # neither side has 40%
    assert timeline.side(30, 30, 95) == ("below", "right")


def test_month_and_year_lanes_have_a_cell_per_month_and_year():
    p = state([ms("a", "2026-11-02"), ms("b", "2027-02-20")], today=D("2026-12-01"))
    _, chart = chart_of(p, D("2026-12-01"))
    start, end = D(chart["data-start"]), D(chart["data-end"])
    cells = chart.select(".sb-tl-months .sb-tl-cell")
    assert [c.get_text() for c in cells] == ["Nov", "Dec", "Jan", "Feb", "Mar"][: len(cells)]
    assert len(cells) == len(timeline.months(start, end))
    spans = [style_vars(c) for c in cells]
    for a, b in zip(spans, spans[1:]):  # side by side, never overlapping
        assert a["left"] + a["width"] == pytest.approx(b["left"], abs=0.011)
    assert spans[-1]["left"] + spans[-1]["width"] == pytest.approx(100, abs=0.011)
    ticks = [float(line["x1"]) for line in chart.select("line.sb-tl-tick")]
    assert ticks == [s["left"] for s in spans]
    years = chart.select(".sb-tl-years .sb-tl-cell")
    assert [c.get_text() for c in years] == ["2026", "2027"]
    assert style_vars(years[0])["left"] == 0
    assert style_vars(years[1])["left"] == spans[2]["left"]  # January


def test_a_huge_plan_is_laid_out_in_linear_work():
    """20,000 milestones on one day (the worst case for packing labels into shared rows,
    which took minutes): one row each, in a subprocess that must finish within 60 s."""
    script = """
import datetime as dt, sys
sys.path.insert(0, "tests")
from test_timeline import EN, ms, state, timeline
D = dt.date.fromisoformat
p = state([ms(f"m{i}", (D("2026-01-01") + dt.timedelta(days=i % 3)).isoformat(),
              title=f"Milestone number {i}") for i in range(20000)], today=D("2026-01-02"))
html = str(timeline.timeline_html(p, D("2026-01-02"), EN))
print(html.count('<li class="sb-tl-item'))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["20000"]


# --- text, escaping, determinism ------------------------------------------------------------


def test_screen_readers_get_the_timeline_once():
    """A summary sentence, then the ordered list of milestones (title, date, status); every
    other piece (lanes, lines, markers) is aria-hidden, so nothing is read twice."""
    _, chart = chart_of(EVERY_KIND)
    summary = chart.select_one("p.sb-visually-hidden")
    assert summary.get_text() == (
        "6 milestones, due from Jan 10, 2026 to Apr 30, 2026. Today is Mar 1, 2026."
    )
    assert chart.select_one("ol.sb-tl-list")["aria-label"] == "Timeline of Relaunch"
    hidden = chart.select('[aria-hidden="true"]')
    for svg in chart.select("svg"):
        assert any(h is svg or svg in h.descendants for h in hidden)
    spoken = [
        s
        for s in chart.find_all(string=True)
        if not any(h is s.parent or s in h.descendants for h in hidden)
    ]
    assert "".join(spoken) == summary.get_text() + "".join(li.get_text() for li in items(chart))
    first = items(chart)[0].get_text()
    assert first == "On Time Jan 10, 2026 · Approved"
    for s in EVERY_KIND.milestones:
        assert sum(s.milestone.title in text for text in spoken) == 1


def test_plan_text_is_escaped_and_redacted():
    evil = '<script>alert("x")</script> & {{ config }} </span><span>ada@evil.example'
    p = state([ms("a", "2026-02-01", title=evil), ms("b", "2026-03-10")], title=evil)
    markup, chart = chart_of(p)
    assert "<script" not in markup and "</span><span>" not in markup
    assert "&lt;script&gt;" in markup
    assert "evil.example" not in markup and "[email hidden]" in markup
    assert "{" not in markup and "}" not in markup  # no template-plugin syntax survives
    label = items(chart)[0].select_one(".sb-tl-label").get_text()
    assert label.startswith('<script>alert("x")')  # shown as text, exactly


def test_same_input_same_bytes():
    assert chart_of(EVERY_KIND)[0] == chart_of(EVERY_KIND)[0]


def test_month_labels_and_dates_are_locale_formatted():
    _, chart = chart_of(EVERY_KIND, t=Translator("de"))
    months = [c.get_text() for c in chart.select(".sb-tl-months .sb-tl-cell")]
    assert months == ["Feb", "Mär", "Apr", "Mai"]
    assert chart.select_one(".sb-tl-today-label").get_text() == "Heute"
    assert items(chart)[0].select_one(".sb-tl-meta").get_text() == "10.01.2026 · Freigegeben"


# --- in a built page ------------------------------------------------------------------------


def test_project_page_carries_the_timeline_once(plans, tmp_path):
    make_client(
        plans,
        approvals={
            "web": {
                "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09"),
                "2026-02-12-design.md": approval("design", "2026-02-12"),
            }
        },
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=D("2026-02-20"), jobs=1))
    page = BeautifulSoup(
        (tmp_path / "site" / "acme" / "projects" / "web.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    figure = page.select_one("figure#sb-timeline")
    assert figure.has_attr("data-search-exclude")  # Material's search skips the chart
    assert len(page.select(".sb-tl-chart")) == 1 and len(page.select("ol.sb-tl-list")) == 1
    assert [li["class"][2] for li in figure.select("li.sb-tl-item")] == [
        "sb-tl-approved",
        "sb-tl-approved-late",
        "sb-tl-in-progress",
    ]
    legend = figure.select_one(".sb-tl-legend")
    assert legend["aria-hidden"] == "true"
    assert [li.get_text(strip=True) for li in legend.select("li")] == [
        "Approved",
        "Approved late",
        "In progress",
    ]
    index = json.loads(
        (tmp_path / "site" / "acme" / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    section = next(d for d in index["docs"] if d["location"] == "projects/web.html#timeline")
    assert "Today" not in section["text"] and "Approved" not in section["text"]


# --- in a real browser ----------------------------------------------------------------------

from browser_support import DEMO_PASSWORDS, Session, demo_passwords, demo_paths, in_browser, unlock  # noqa: E402

REPO = Path(__file__).parent.parent
ARTIFACTS = REPO / "test-artifacts"
TIMELINE_PAGES = [
    ("fable", "brand-refresh"),
    ("harbor-homes", "12-elm-street"),
    ("northwind", "tms-rollout"),
    ("northwind", "driver-app-pilot"),
]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}

# In the page: the rendered box of every label (milestone titles and their date lines, the
# visible month and year labels, Today), titles that are clipped, and the page's scroll width.
MEASURE = """() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  const visible = (e, clip) => { const [a, b] = [box(e), box(clip)];
    return a[0] >= b[0] - .5 && a[2] <= b[2] + .5 && a[1] >= b[1] - .5 && a[3] <= b[3] + .5; };
  const labels = [];
  for (const e of document.querySelectorAll('.sb-tl-chart .sb-tl-text > span'))
    labels.push({what: e.className + ' ' + e.textContent, box: box(e)});
  for (const e of document.querySelectorAll('.sb-tl-chart .sb-tl-cell > span'))
    if (visible(e, e.parentElement)) labels.push({what: 'axis ' + e.textContent, box: box(e)});
  for (const e of document.querySelectorAll('.sb-tl-chart .sb-tl-today-label'))
    labels.push({what: 'today', box: box(e)});
  const clipped = [...document.querySelectorAll('.sb-tl-chart .sb-tl-text > span')].filter(e =>
    e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis'
    || e.getClientRects().length === 0).map(e => e.textContent);
  return {labels, clipped, rows: document.querySelectorAll('.sb-tl-item').length,
          shown: labels.filter(l => l.what.startsWith('axis')).length,
          scroll: document.documentElement.scrollWidth, width: window.innerWidth};
}"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo sites (plans/ of this repository) as of the day they were written for."""
    out = tmp_path_factory.mktemp("demo") / "site"
    with demo_passwords():  # the password-mode demo client is encrypted: tests unlock it
        build(BuildOptions(plans=REPO / "plans", out=out, today=D("2026-11-25"), jobs=2))
    return out


def test_rendered_labels_stay_in_their_boxes(demo_site):
    """With the fonts this run's browser really has (DejaVu only, or Liberation only): on every
    demo project page, at desktop and phone width, no two labels of the timeline intersect
    (titles, date lines, month and year labels, Today), no title is clipped or cut with an
    ellipsis, and the page does not scroll sideways."""

    def measure(browser):
        found = {}
        for size, (width, height) in SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for client, project in TIMELINE_PAGES:
                path = demo_paths(client, [f"projects/{project}.html"])[f"projects/{project}.html"]
                page.goto((demo_site / client / path).as_uri())
                if client in DEMO_PASSWORDS:
                    unlock(page, DEMO_PASSWORDS[client][1])
                found[project, size] = page.evaluate(MEASURE)
            page.close()
        return found

    for (project, size), found in in_browser(measure).items():
        where = (project, size, Session.fonts.family if Session.fonts else None)
        labels = found["labels"]
        titles = [label for label in labels if "sb-tl-label" in label["what"]]
        assert len(titles) == found["rows"] >= 3, where
        assert found["shown"] >= 3, where  # month and year labels: some always fit
        assert found["clipped"] == [], where
        assert found["scroll"] <= found["width"], where
        for a, b in itertools.combinations(labels, 2):
            assert not overlapping(a["box"], b["box"]), (where, a, b)


def overlapping(a, b):
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def test_timeline_screenshots_desktop_and_phone(demo_site):
    """test-artifacts/timeline-<client>-<fonts>-{desktop-light,desktop-dark,phone}.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    fonts = Session.fonts.family if Session.fonts else "default"

    def shoot(browser):
        for client, project in TIMELINE_PAGES[:2]:
            url = (demo_site / client / "projects" / f"{project}.html").as_uri()
            for name, (width, height), scheme in (
                ("desktop-light", SIZES["desktop"], "light"),
                ("desktop-dark", SIZES["desktop"], "dark"),
                ("phone", SIZES["phone"], "light"),
            ):
                page = browser.new_page(
                    viewport={"width": width, "height": height}, color_scheme=scheme
                )
                page.goto(url)
                figure = page.locator("figure#sb-timeline")
                assert figure.is_visible() and figure.bounding_box()["width"] <= width
                figure.screenshot(path=str(ARTIFACTS / f"timeline-{client}-{fonts}-{name}.png"))
                page.close()

    in_browser(shoot)
    for client in ("fable", "harbor-homes"):
        for name in ("desktop-light", "desktop-dark", "phone"):
            shot = ARTIFACTS / f"timeline-{client}-{fonts}-{name}.png"
            assert shot.stat().st_size > 5000, shot

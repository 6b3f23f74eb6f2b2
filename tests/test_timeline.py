"""The project timeline SVG (site_builder/timeline.py): structure, colours, ghosts, labels that
never overlap, escaping, the text alternative, and how it sits in a built page.

The last tests render the demo timelines in a real browser (the test_browser.py harness):
rendered text stays inside the boxes the layout reserved, and screenshots at desktop and phone
width go to test-artifacts/.
"""
import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import approval, make_client
from site_builder import timeline
from site_builder.build import BuildOptions, build
from site_builder.derive import MilestoneHistory, derive_project
from site_builder.i18n import Translator
from site_builder.model import Approval, Client, Milestone, Project, Source

D = dt.date.fromisoformat
SRC = Source(Path("plan.yml"), 1)
NS = {"svg": "http://www.w3.org/2000/svg"}
EN = Translator("en")
TODAY = D("2026-03-01")


def ms(mid, due, delivered=None, title=None, invoice=None):
    return Milestone(id=mid, title=title or mid.replace("-", " ").title(), due=D(due),
                     source=SRC, delivered=D(delivered) if delivered else None,
                     invoice=Decimal(invoice) if invoice is not None else None)


def note(milestone, date, decision="approved"):
    return Approval(name=f"{date}-{milestone}.md", milestone=milestone, decision=decision,
                    date=D(date), by_name="Ada", by_email="ada@x.example", source=SRC,
                    signature="unsigned")


def state(milestones, approvals=(), baselines=None, today=TODAY, title="Relaunch"):
    approvals = tuple(sorted(approvals, key=lambda a: (a.date, a.name)))
    project = Project(slug="web", title=title, path=Path("web"), source=SRC,
                      milestones=tuple(milestones), approvals=approvals)
    client = Client(slug="acme", name="Acme", path=Path("acme"), source=SRC)
    history = {mid: MilestoneHistory(D(day)) for mid, day in (baselines or {}).items()}
    return derive_project(client, project, today, history)


def svg_of(p, today=TODAY, t=EN):
    markup = str(timeline.timeline_svg(p, today, t))
    return markup, ET.fromstring(markup)  # well-formed XML, or this raises


def groups(root):
    return root.findall("svg:g[@data-milestone]", NS)


def classes(element):
    return set(element.get("class", "").split())


# One milestone of every kind, plan-ordered; today is 2026-03-01.
EVERY_KIND = state(
    [ms("on-time", "2026-01-10", "2026-01-08"),      # approved before its baseline
     ms("late", "2026-01-20", "2026-01-25"),         # approved after it
     ms("rework", "2026-02-10", "2026-02-05"),       # changes requested, due passed: overdue
     ms("review", "2026-03-05", "2026-02-27"),       # delivered, no decision: awaiting
     ms("build", "2026-03-20"),                      # not delivered yet: upcoming
     ms("launch", "2026-04-30")],
    [note("on-time", "2026-01-09"), note("late", "2026-01-28"),
     note("rework", "2026-02-12", "changes-requested")],
    baselines={"late": "2026-01-15"},                # due moved from 15 to 20 January
)


def test_one_marker_per_milestone_in_plan_order():
    _, root = svg_of(EVERY_KIND)
    found = groups(root)
    assert [g.get("data-milestone") for g in found] == [s.id for s in EVERY_KIND.milestones]
    for g in found:
        assert len(g.findall("svg:path[@class='sb-tl-marker']", NS)) == 1
        assert len(g.findall("svg:text[@class='sb-tl-label']", NS)) == 1
    assert len(root.findall(".//svg:path[@class='sb-tl-marker']", NS)) == 6


def test_markers_sit_at_their_due_dates_on_a_proportional_axis():
    _, root = svg_of(EVERY_KIND)
    xs = {g.get("data-milestone"): float(g.get("data-x")) for g in groups(root)}
    start, end = D(root.get("data-start")), D(root.get("data-end"))
    for s in EVERY_KIND.milestones:
        expected = timeline.AXIS_LEFT + (s.milestone.due - start).days / (end - start).days * (
            timeline.AXIS_RIGHT - timeline.AXIS_LEFT)
        assert xs[s.id] == pytest.approx(expected, abs=0.1)
    # Equal gaps in days are equal gaps in x: 10 days = 10 days.
    per_day = (xs["late"] - xs["on-time"]) / 10
    assert (xs["launch"] - xs["build"]) / 41 == pytest.approx(per_day, rel=0.01)


def test_colour_classes_follow_status_and_overdue():
    _, root = svg_of(EVERY_KIND)
    kinds = {g.get("data-milestone"): classes(g) for g in groups(root)}
    assert "sb-tl-approved" in kinds["on-time"]
    assert "sb-tl-approved-late" in kinds["late"]
    assert "sb-tl-overdue" in kinds["rework"]  # changes requested, and past due
    assert "sb-tl-awaiting-approval" in kinds["review"]
    assert "sb-tl-in-progress" not in kinds["build"] and "sb-tl-upcoming" in kinds["build"]
    assert "sb-tl-upcoming" in kinds["launch"]
    statuses = {g.get("data-milestone"): g.get("data-status") for g in groups(root)}
    assert statuses["rework"] == "changes-requested"
    # Overdue is shown beside the status: a ring, and the word, only on the overdue milestone.
    rings = [g.get("data-milestone") for g in groups(root)
             if g.find("svg:path[@class='sb-tl-ring']", NS) is not None]
    assert rings == ["rework"]
    meta = {g.get("data-milestone"): g.find("svg:text[@class='sb-tl-meta']", NS).text
            for g in groups(root)}
    assert meta["rework"].endswith("Changes requested · overdue")
    assert meta["late"].endswith("Approved late")
    assert meta["review"] == "Mar 5, 2026 · Awaiting your approval"


def test_in_progress_and_changes_requested_without_overdue():
    p = state([ms("a", "2026-02-01", "2026-01-30"), ms("b", "2026-03-10", "2026-03-01"),
               ms("c", "2026-04-01")],
              [note("a", "2026-01-31"), note("b", "2026-03-02", "rejected")],
              today=D("2026-03-03"))
    _, root = svg_of(p, D("2026-03-03"))
    kinds = {g.get("data-milestone"): classes(g) for g in groups(root)}
    assert "sb-tl-changes-requested" in kinds["b"] and "sb-tl-current" in kinds["b"]
    p = state([ms("a", "2026-02-01", "2026-01-30"), ms("b", "2026-03-10")],
              [note("a", "2026-01-31")], today=D("2026-03-03"))
    _, root = svg_of(p, D("2026-03-03"))
    assert "sb-tl-in-progress" in classes(groups(root)[1])


def test_every_kind_has_a_colour_in_the_stylesheet():
    css = (Path(__file__).parent.parent / "theme" / "overrides" / "assets" / "stylesheets"
           / "site-builder.css").read_text(encoding="utf-8")
    for kind in timeline.KINDS:
        rule = re.search(rf"\.sb-tl-{kind} \.sb-tl-marker \{{([^}}]*)\}}", css)
        assert rule and "var(--sb-" in rule.group(1), kind
        assert re.search(rf"\.sb-tl-key\.sb-tl-{kind} \{{", css), kind  # and in the legend


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_colours_have_contrast_in_light_and_dark_mode():
    """Every --sb-* colour (markers, badges, the today line) against the page background:
    4.5:1, enough for text, which badges are. Slate is Material's dark scheme background
    (hsl(225, 15%, 14%))."""
    css = (Path(__file__).parent.parent / "theme" / "overrides" / "assets" / "stylesheets"
           / "site-builder.css").read_text(encoding="utf-8")
    schemes = {":root": "#ffffff", '[data-md-color-scheme="slate"]': "#1e2129"}
    for selector, background in schemes.items():
        block = re.search(re.escape(selector) + r" \{([^}]*)\}", css).group(1)
        colours = dict(re.findall(r"(--sb-[a-z-]+): (#[0-9a-fA-F]{6})", block))
        assert {"--sb-approved", "--sb-approved-late", "--sb-awaiting", "--sb-changes",
                "--sb-progress", "--sb-upcoming", "--sb-overdue", "--sb-today"} <= set(colours)
        for name, colour in colours.items():
            assert contrast(colour, background) >= 4.5, (selector, name, colour)


def test_today_line_sits_between_the_right_milestones():
    _, root = svg_of(EVERY_KIND)
    today = root.find("svg:g[@class='sb-tl-today']", NS)
    assert today.get("data-date") == "2026-03-01"
    line = today.find("svg:line[@class='sb-tl-today-line']", NS)
    x = float(line.get("x1"))
    assert line.get("x1") == line.get("x2") == today.get("data-x")
    xs = {g.get("data-milestone"): float(g.get("data-x")) for g in groups(root)}
    assert xs["rework"] < x < xs["review"]  # due 10 Feb < 1 Mar < due 5 Mar
    assert today.find("svg:text", NS).text == "Today"
    # It runs down through every row of labels.
    assert float(line.get("y2")) == float(root.get("height"))


def test_today_outside_the_plan_extends_the_axis():
    p = state([ms("a", "2026-05-01"), ms("b", "2026-06-01")], today=D("2026-03-01"))
    _, root = svg_of(p, D("2026-03-01"))
    x_today = float(root.find(".//svg:line[@class='sb-tl-today-line']", NS).get("x1"))
    xs = [float(g.get("data-x")) for g in groups(root)]
    assert timeline.AXIS_LEFT <= x_today < min(xs)
    assert D(root.get("data-start")) <= D("2026-03-01")


def test_ghost_markers_only_where_the_due_date_moved():
    _, root = svg_of(EVERY_KIND)
    ghosts = root.findall(".//svg:g[@class='sb-tl-ghost']", NS)
    assert len(ghosts) == 1
    owner = next(g for g in groups(root) if g.find("svg:g[@class='sb-tl-ghost']", NS)
                 is not None)
    assert owner.get("data-milestone") == "late"
    ghost = ghosts[0]
    assert ghost.get("data-baseline") == "2026-01-15"
    assert ghost.find("svg:path[@class='sb-tl-ghost-marker']", NS) is not None
    connector = ghost.find("svg:line[@class='sb-tl-connector']", NS)
    assert float(connector.get("x1")) < float(connector.get("x2")) <= float(owner.get("data-x"))
    # Nothing moved: no ghost at all.
    _, root = svg_of(state([ms("a", "2026-02-01"), ms("b", "2026-03-10")]))
    assert root.findall(".//svg:g[@class='sb-tl-ghost']", NS) == []


def test_the_legend_names_what_the_timeline_shows():
    assert timeline.legend(EVERY_KIND, EN) == [
        ("sb-tl-approved", "Approved"), ("sb-tl-approved-late", "Approved late"),
        ("sb-tl-awaiting-approval", "Awaiting your approval"), ("sb-tl-overdue", "Overdue"),
        ("sb-tl-upcoming", "Upcoming"), ("sb-tl-ghost", "Originally due")]


# --- labels never overlap -------------------------------------------------------------------


def boxes(root):
    return {g.get("data-milestone"): tuple(map(float, g.get("data-box").split()))
            for g in groups(root)}


def overlapping(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_no_overlap(root):
    found = boxes(root)
    width = float(root.get("width"))
    for mid, box in found.items():
        assert 0 <= box[0] < box[2] <= width, (mid, box)
    for (a, box_a), (b, box_b) in itertools.combinations(found.items(), 2):
        assert not overlapping(box_a, box_b), (a, box_a, b, box_b)
    # No label covers another milestone's diamond either.
    for g in groups(root):
        x, row = float(g.get("data-x")), g.get("data-row")
        for other in groups(root):
            if other is not g and other.get("data-row") == row:
                box = boxes(root)[other.get("data-milestone")]
                assert not box[0] - timeline.CURRENT_MARKER < x < box[2] + \
                    timeline.CURRENT_MARKER, (g.get("data-milestone"), other.get("data-milestone"))


LONG = "Design system, brand guidelines and every template signed off by the board"


@pytest.mark.parametrize("spacing", [0, 1, 3, 7, 20])
def test_crowded_milestones_get_separate_rows(spacing):
    start = D("2026-01-05")
    milestones = [ms(f"m{i}", (start + dt.timedelta(days=i * spacing)).isoformat(),
                     title=f"{LONG} ({i})" if i % 2 else f"Short {i}") for i in range(12)]
    p = state(milestones, today=D("2026-01-20"))
    _, root = svg_of(p, D("2026-01-20"))
    assert_no_overlap(root)
    rows = [int(g.get("data-row")) for g in groups(root)]
    if spacing == 0:  # all on one day: one row each
        assert sorted(rows) == list(range(12))


def test_random_plans_never_overlap():
    """200 seeded random plans: 1-12 milestones over up to a year and a half, titles of any
    length, moved due dates, decisions, today anywhere."""
    import random

    rng = random.Random(7)
    words = ["Kickoff", "design", "signed", "off", "UAT", "Überprüfung", "go-live", "W",
             "integration", "of", "the", "warehouse", "management", "system", "i"]
    for case in range(200):
        start = D("2026-01-01") + dt.timedelta(days=rng.randint(0, 200))
        milestones, approvals, baselines = [], [], {}
        day = start
        for i in range(rng.randint(1, 12)):
            day += dt.timedelta(days=rng.choice([0, 1, 3, 10, 30, 90]))
            title = " ".join(rng.choice(words) for _ in range(rng.randint(1, 14)))
            delivered = (day - dt.timedelta(days=2)).isoformat() if rng.random() < .5 else None
            milestones.append(ms(f"m{i}", day.isoformat(), delivered, title=title))
            if delivered and rng.random() < .6:
                approvals.append(note(f"m{i}", (day + dt.timedelta(days=rng.randint(-3, 9)))
                                      .isoformat(), rng.choice(["approved", "rejected"])))
            if rng.random() < .3:
                baselines[f"m{i}"] = (day - dt.timedelta(days=rng.randint(-20, 60))).isoformat()
        today = start + dt.timedelta(days=rng.randint(-60, 500))
        p = state(milestones, approvals, baselines, today=today)
        _, root = svg_of(p, today)
        assert len(groups(root)) == len(milestones), case
        assert_no_overlap(root)


def test_labels_near_the_right_edge_flip_to_the_left_of_their_diamond():
    p = state([ms("a", "2026-01-01"), ms("b", "2026-06-01", title=LONG)], today=D("2026-01-01"))
    _, root = svg_of(p, D("2026-01-01"))
    last = groups(root)[-1]
    label = last.find("svg:text[@class='sb-tl-label']", NS)
    assert label.get("text-anchor") == "end"
    box = boxes(root)["b"]
    assert box[2] <= float(last.get("data-x"))
    assert_no_overlap(root)


def test_sparse_milestones_share_one_row():
    p = state([ms("a", "2026-01-01"), ms("b", "2026-07-01"), ms("c", "2027-01-01")],
              today=D("2026-02-01"))
    _, root = svg_of(p, D("2026-02-01"))
    assert {g.get("data-row") for g in groups(root)} == {"0"}


def test_assign_rows_is_greedy_first_fit():
    # a and c fit one row; b overlaps a; d overlaps everything in rows 0 and 1.
    assert timeline.assign_rows([(0, 100), (50, 150), (120, 200), (0, 300)], gap=10) == \
        [0, 1, 0, 2]
    assert timeline.assign_rows([(0, 100), (105, 200)], gap=10) == [0, 1]
    assert timeline.assign_rows([(0, 100), (110, 200)], gap=10) == [0, 0]


def test_text_width_estimate_grows_with_text_and_bold():
    w = timeline.text_width
    assert w("Kickoff", 12) < w("Kickoff done", 12) < w("Kickoff done", 12, bold=True)
    assert w("iiii", 12) < w("MMMM", 12)
    assert w("Überprüfung", 12) == pytest.approx(w("Uberprufung", 12))
    long = timeline.fit(LONG, 12.5, 150, bold=True)
    assert long.endswith("…") and w(long, 12.5, True) <= 150


# --- text, escaping, determinism ------------------------------------------------------------


def test_text_alternative_for_screen_readers():
    _, root = svg_of(EVERY_KIND)
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert [title.get("id"), desc.get("id")] == ids
    assert title.text == "Timeline of Relaunch"
    assert desc.text.startswith("6 milestones, due from Jan 10, 2026 to Apr 30, 2026. "
                                "Today is Mar 1, 2026.")
    for s in EVERY_KIND.milestones:
        assert s.milestone.title in desc.text
    assert "Rework: due Feb 10, 2026, Changes requested · overdue." in desc.text
    assert "Late: due Jan 20, 2026, Approved late. Originally due Jan 15, 2026." in desc.text


def test_plan_text_is_escaped_and_redacted():
    evil = '<script>alert("x")</script> & {{ config }} </text><text>ada@evil.example'
    p = state([ms("a", "2026-02-01", title=evil), ms("b", "2026-03-10")], title=evil)
    markup, root = svg_of(p)
    assert "<script" not in markup and "</text><text>" not in markup
    assert "&lt;script&gt;" in markup
    assert "evil.example" not in markup and "[email hidden]" in markup
    assert "{" not in markup and "}" not in markup  # no template-plugin syntax survives
    label = groups(root)[0].find("svg:text[@class='sb-tl-label']", NS).text
    assert label.startswith('<script>alert("x")')  # shown as text, exactly


def test_same_input_same_bytes():
    assert svg_of(EVERY_KIND)[0] == svg_of(EVERY_KIND)[0]


def test_month_ticks_are_locale_formatted():
    _, root = svg_of(EVERY_KIND, t=Translator("de"))
    months = [t.text for t in root.findall(".//svg:text[@class='sb-tl-month']", NS)]
    ticks = root.findall(".//svg:line[@class='sb-tl-tick']", NS)
    assert len(ticks) == len(timeline.months(D(root.get("data-start")), D(root.get("data-end"))))
    assert months == ["Feb. 2026", "Apr", "Mai"]  # März gives way to "Heute"
    assert root.find(".//svg:text[@class='sb-tl-today-label']", NS).text == "Heute"
    meta = groups(root)[0].find("svg:text[@class='sb-tl-meta']", NS).text
    assert meta == "10.01.2026 · Freigegeben"


# --- in a built page ------------------------------------------------------------------------


def test_project_page_carries_the_svg_and_the_narrow_screen_list(plans, tmp_path):
    make_client(plans, approvals={"web": {
        "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09"),
        "2026-02-12-design.md": approval("design", "2026-02-12")}})
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=D("2026-02-20"), jobs=1))
    page = BeautifulSoup((tmp_path / "site" / "acme" / "projects" / "web.html")
                         .read_text(encoding="utf-8"), "html.parser")
    section = page.select_one("figure#sb-timeline")
    svgs = section.select("svg.sb-tl-svg")
    assert len(svgs) == 1 and len(svgs[0].select("g.sb-tl-milestone")) == 3
    assert svgs[0]["role"] == "img"
    assert [li["class"][2] for li in page.select("ol.sb-timeline li.sb-timeline-item")] == [
        "sb-tl-approved", "sb-tl-approved-late", "sb-tl-in-progress"]
    items = page.select("ol.sb-timeline > li")
    assert [" ".join(li["class"]) for li in items].index("sb-timeline-today") == 2
    legend = [li.get_text(strip=True) for li in section.select(".sb-tl-legend li")]
    assert legend == ["Approved", "Approved late", "In progress"]


# --- in a real browser ----------------------------------------------------------------------

from browser_support import DEMO_PASSWORDS, demo_passwords, demo_paths, unlock  # noqa: E402
from test_print import in_browser  # noqa: E402

REPO = Path(__file__).parent.parent
ARTIFACTS = REPO / "test-artifacts"
TIMELINE_PAGES = [("fable", "brand-refresh"), ("harbor-homes", "12-elm-street"),
                  ("northwind", "tms-rollout"), ("northwind", "driver-app-pilot")]


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo sites (plans/ of this repository) as of the day they were written for."""
    out = tmp_path_factory.mktemp("demo") / "site"
    with demo_passwords():  # the password-mode demo client is encrypted: tests unlock it
        build(BuildOptions(plans=REPO / "plans", out=out, today=D("2026-11-25"), jobs=2))
    return out


def test_rendered_labels_stay_in_their_boxes(demo_site):
    """The layout's text-width estimate holds for the fonts a browser really uses: every
    label's rendered text lies inside its reserved box, so no two labels touch."""
    def measure(browser):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        found = {}
        for client, project in TIMELINE_PAGES:
            path = demo_paths(client, [f"projects/{project}.html"])[f"projects/{project}.html"]
            page.goto((demo_site / client / path).as_uri())
            if client in DEMO_PASSWORDS:
                unlock(page, DEMO_PASSWORDS[client][1])
            found[project] = page.evaluate("""() => [...document.querySelectorAll(
                'svg.sb-tl-svg g.sb-tl-milestone')].map(g => ({
                    id: g.dataset.milestone, box: g.dataset.box.split(' ').map(Number),
                    texts: [...g.querySelectorAll(':scope > text')].map(t => {
                        const b = t.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height];
                    })}))""")
        return found

    for project, items in in_browser(measure).items():
        assert items, project
        rendered = {}
        for item in items:
            left, top, right, bottom = item["box"]
            for x0, y0, x1, y1 in item["texts"]:
                assert left - 0.5 <= x0 and x1 <= right + 0.5, (project, item, x0, x1)
            texts = item["texts"]
            rendered[item["id"]] = [min(t[0] for t in texts), min(t[1] for t in texts),
                                    max(t[2] for t in texts), max(t[3] for t in texts)]
        for (a, box_a), (b, box_b) in itertools.combinations(rendered.items(), 2):
            assert not overlapping(box_a, box_b), (project, a, box_a, b, box_b)


def test_timeline_screenshots_desktop_and_phone(demo_site):
    """test-artifacts/timeline-<client>-{desktop-light,desktop-dark,phone}.png: the SVG on
    wide screens, the vertical list on phones."""
    ARTIFACTS.mkdir(exist_ok=True)

    def shoot(browser):
        for client, project in TIMELINE_PAGES[:2]:
            url = (demo_site / client / "projects" / f"{project}.html").as_uri()
            for scheme in ("light", "dark"):
                page = browser.new_page(viewport={"width": 1280, "height": 800},
                                        color_scheme=scheme)
                page.goto(url)
                figure = page.locator("figure#sb-timeline")
                assert figure.is_visible() and not page.locator("ol.sb-timeline").is_visible()
                figure.screenshot(path=str(ARTIFACTS / f"timeline-{client}-desktop-{scheme}.png"))
                page.close()
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(url)
            assert not page.locator("figure#sb-timeline").is_visible()
            listing = page.locator("ol.sb-timeline")
            assert listing.is_visible() and listing.bounding_box()["width"] <= 390
            listing.screenshot(path=str(ARTIFACTS / f"timeline-{client}-phone.png"))
            page.close()

    in_browser(shoot)
    for name in ("fable-desktop-light", "fable-desktop-dark", "fable-phone",
                 "harbor-homes-desktop-light", "harbor-homes-phone"):
        assert (ARTIFACTS / f"timeline-{name}.png").stat().st_size > 5000, name

"""Hostile plan text: no script, handler or dangerous URL from plan data reaches a published file.

Every payload of tests/xss_payloads.py goes into every text field a plan has (client name,
project title and summary, milestone title, phase and owner, deliverables as text and as
{title, file}, acceptance criteria, approval note bodies, reviewed deliverables, the approver's
name), then real sites are built and every output file is parsed the way its reader would:
HTML with html5lib (the browsers' parsing algorithm), the search index and the Atom feed as
the HTML they are rendered as, status.json as JSON, calendar.ics with icalendar.

A page built from hostile text must hold exactly the same active elements (script, iframe,
svg, img, form, ...) as the same page built from plain text: anything more came from the plan.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import write
from xss_payloads import PAYLOADS, TEMPLATE_PRODUCT

from site_builder.build import BuildOptions, build
from site_builder.errors import PlanError
from site_builder.site.render import redact

TODAY = dt.date(2026, 3, 1)
PER_CLIENT = 2  # payloads per client: the client name holds both (it has room for 200 chars)
PER_GROUP = 10  # payloads per parametrised case (5 clients)
GROUPS = [PAYLOADS[i : i + PER_GROUP] for i in range(0, len(PAYLOADS), PER_GROUP)]
HOSTILE_FILE = "documents/x\"'><svg onload=alert('sbxss')>.pdf"

# Elements that can run script, load something or submit something. A page built from hostile
# text may hold only those its plain-text twin holds.
ACTIVE = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "img",
    "image",
    "picture",
    "source",
    "video",
    "audio",
    "track",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "link",
    "meta",
    "base",
    "style",
    "template",
    "noscript",
    "portal",
    "fencedframe",
    "marquee",
    "xmp",
    "plaintext",
    "canvas",
    "dialog",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "codebase",
    "cite",
    "longdesc",
    "usemap",
    "manifest",
    "ping",
    "srcset",
    "imagesrcset",
    "to",
    "values",
    "from",
    "by",
}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")


# --- the plans ----------------------------------------------------------------------------------


def _yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def _person(text: str) -> str:
    """An approver name from hostile text (a name cannot hold < or >: `by: Name <email>`)."""
    name = " ".join(re.sub(r"[<>]", "", text).split())
    return name or "Ada Client"


def plan_data(text: str) -> dict:
    """A plan whose every text field is `text`: an approved milestone, the current one
    (changes requested) and one that comes next."""

    def milestone(mid, due, **extra):
        return {
            "id": mid,
            "title": text,
            "phase": text,
            "owner": text,
            "due": due,
            "deliverables": [text, {"title": text, "file": HOSTILE_FILE}],
            "acceptance": [text, f"{text} (second criterion)"],
            **extra,
        }

    return {
        "title": text,
        "summary": text,
        "currency": "EUR",
        "milestones": [
            milestone("done", "2026-01-10", delivered="2026-01-08", invoice=1000),
            milestone(
                "now", "2026-03-10", delivered="2026-02-20", invoice=2000, depends_on=["done"]
            ),
            milestone("next", "2026-04-10", invoice=3000),
        ],
    }


def note(milestone: str, decision: str, date: str, text: str) -> str:
    front = _yaml(
        {
            "milestone": milestone,
            "decision": decision,
            "date": date,
            "by": f"{_person(text)} <ada@client.example>",
            "deliverables": [text],
        }
    )
    return f"---\n{front}---\n{text}\n"


def make_client(plans: Path, slug: str, texts: list[str]) -> None:
    folder = plans / slug
    write(folder / "client.yml", _yaml({"name": " ".join(texts)[:200]}))
    for n, text in enumerate(texts, 1):
        project = folder / f"p{n}"
        write(project / "plan.yml", _yaml(plan_data(text)))
        write(project / HOSTILE_FILE, "%PDF-1.4\n")
        write(project / "approvals" / "1-done.md", note("done", "approved", "2026-01-09", text))
        write(
            project / "approvals" / "2-now.md", note("now", "changes-requested", "2026-02-22", text)
        )


PLAIN = ["Plain text one", "Plain text two"]


def build_sites(plans: Path, out: Path, clients: dict[str, list[str]]) -> Path:
    for slug, texts in clients.items():
        make_client(plans, slug, texts)
    try:
        build(BuildOptions(plans=plans, out=out, today=TODAY, jobs=2))
    except PlanError as exc:  # a payload must never make a plan invalid: show why it did
        pytest.fail("\n".join(d.format() for d in exc.diagnostics))
    return out


def clients_of(group: int) -> dict[str, list[str]]:
    payloads = GROUPS[group]
    return {
        f"g{group + 1}c{n // PER_CLIENT + 1}": payloads[n : n + PER_CLIENT]
        for n in range(0, len(payloads), PER_CLIENT)
    }


@pytest.fixture(scope="module")
def hostile_sites(tmp_path_factory) -> Path:
    """Every group's clients, and `plain` (the same client built from plain text), built
    together: one build, so the workers reuse their compiled templates."""
    root = tmp_path_factory.mktemp("hostile")
    clients = {"plain": PLAIN}
    for group in range(len(GROUPS)):
        clients.update(clients_of(group))
    return build_sites(root / "plans", root / "site", clients)


@pytest.fixture(scope="module")
def baseline(hostile_sites) -> Path:
    """The pages built from plain text: the active elements a page may hold."""
    return hostile_sites / "plain"


# --- checks -------------------------------------------------------------------------------------


def html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html5lib")


def _scheme(value: str) -> str:
    """A URL as a browser reads its scheme: no whitespace or control characters, lower case."""
    return re.sub(r"[\x00-\x20\x7f-\x9f]+", "", value).lower()


def unsafe_markup(doc: BeautifulSoup) -> list[str]:
    """Handlers, dangerous URLs and inline-frame documents anywhere in a parsed document."""
    problems = []
    for tag in doc.find_all(True):
        for attr, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            name = attr.split(":")[-1].lower()
            if name.startswith("on"):
                problems.append(f"handler <{tag.name} {attr}={value!r}>")
            if name == "srcdoc":
                problems.append(f"inline document <{tag.name} srcdoc>")
            if attr.lower() in URL_ATTRIBUTES or name in URL_ATTRIBUTES:
                for part in value.split(","):  # srcset: several URLs
                    if _scheme(part).startswith(DANGEROUS_SCHEMES):
                        problems.append(f"dangerous URL <{tag.name} {attr}={value!r}>")
            if (
                name == "style"
                and re.search(r"expression\(|javascript:|url\(", value, re.I)
                and "sbxss" in value
            ):
                problems.append(f"style from plan data <{tag.name} style={value!r}>")
            if name == "content" and "url=" in value.lower() and "sbxss" in value:
                problems.append(f"refresh from plan data <{tag.name} {value!r}>")
        if tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
            problems.append("meta refresh")
    return problems


def raw_text(tag) -> str:
    """The text of a <script> or <style> (BeautifulSoup's get_text() leaves it out)."""
    return "".join(str(child) for child in tag.contents)


def active_elements(doc: BeautifulSoup) -> collections.Counter:
    """(tag, attribute names, script/style text) of every active element."""
    found = collections.Counter()
    for tag in doc.find_all(True):
        if tag.name.lower() in ACTIVE or tag.name.split(":")[-1].lower() in ACTIVE:
            text = raw_text(tag) if tag.name in ("script", "style") else ""
            if tag.name == "script" and tag.get("id") == "__config":
                text = ""  # Material's JSON config: checked as data below
            found[(tag.name, tuple(sorted(tag.attrs)), text.strip())] += 1
    return found


@functools.cache
def allowed_elements(plain: Path) -> collections.Counter:
    return active_elements(html(plain.read_text(encoding="utf-8")))


def check_html_page(path: Path, plain: Path) -> list[str]:
    doc = html(path.read_text(encoding="utf-8"))
    problems = [f"{path.name}: {p}" for p in unsafe_markup(doc)]
    extra = active_elements(doc) - allowed_elements(plain)
    problems += [f"{path.name}: active element from plan data: {e}" for e in extra]
    for script in doc.find_all("script"):
        if "sbxss" in raw_text(script):
            problems.append(f"{path.name}: plan text inside a <script>")
    config = doc.find("script", id="__config")
    if config is not None:
        json.loads(raw_text(config))  # stays JSON: nothing broke out of it
    return problems


def check_fragment(where: str, fragment: str) -> list[str]:
    """HTML that a reader renders (search results, feed entries): nothing active at all."""
    doc = html(fragment)
    problems = [f"{where}: {p}" for p in unsafe_markup(doc)]
    body = doc.body or doc
    problems += [
        f"{where}: active element {t.name}" for t in body.find_all(True) if t.name in ACTIVE
    ]
    return problems


def check_search_index(site: Path) -> list[str]:
    index_json = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    index = json.loads(index_json)
    problems = []
    for doc in index["docs"]:
        where = f"search_index.json {doc['location']}"
        if _scheme(doc["location"]).startswith(DANGEROUS_SCHEMES):
            problems.append(f"{where}: dangerous location")
        problems += check_fragment(where + " title", doc["title"])
        problems += check_fragment(where + " text", doc["text"])
    inline = site / "search" / "search_index.js"
    if inline.exists():  # the offline plugin's copy: `var __index = <the same JSON>`
        assert inline.read_text(encoding="utf-8") == "var __index = " + index_json
    return problems


def check_feed(site: Path) -> list[str]:
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring((site / "feed.xml").read_bytes())  # well-formed, or this raises
    problems = []
    for element in root.iter():
        for attr in ("href", "src"):
            if _scheme(element.get(attr, "")).startswith(DANGEROUS_SCHEMES):
                problems.append(f"feed.xml: dangerous {attr} in {element.tag}")
        if element.tag in (f"{atom}content", f"{atom}summary", f"{atom}title") and element.get(
            "type"
        ) in ("html", "xhtml"):
            problems += check_fragment(f"feed.xml {element.tag}", element.text or "")
    return problems


def check_calendar(site: Path, projects: int) -> list[str]:
    raw = (site / "calendar.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(raw)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    problems = []
    lines = raw.split(b"\r\n")  # a folded line goes on with a space: text cannot start one
    if len(events) != 2 * projects or lines.count(b"BEGIN:VEVENT") != 2 * projects:
        problems.append(f"calendar.ics: {len(events)} events, expected {2 * projects}")
    if any(line.startswith(b"SUMMARY:sbxss") for line in lines):
        problems.append("calendar.ics: plan text started a property of its own")
    if any(b"\n" in line or b"\r" in line for line in lines):
        problems.append("calendar.ics: a bare line break inside a line")
    return problems


def check_status(site: Path, texts: list[str]) -> list[str]:
    """Plan text comes back from status.json exactly as written (emails redacted): data."""
    status = json.loads((site / "status.json").read_text(encoding="utf-8"))
    problems = []
    if status["client"]["name"] != redact(" ".join(texts)[:200]):
        problems.append("status.json: client name changed")
    for project, text in zip(status["projects"], texts):
        expected = redact(text)
        values = [project["title"]] + [
            m[k] for m in project["milestones"] for k in ("title", "phase", "owner")
        ]
        if any(v != expected for v in values):
            problems.append(f"status.json: text of {project['slug']} changed: {values[0]!r}")
        if {a["by"] for a in project["approvals"]} != {redact(_person(text))}:
            problems.append(f"status.json: approver of {project['slug']} changed")
    return problems


def visible(text: str) -> str:
    """What a browser shows for `text` put into an element: whitespace collapsed."""
    text = text.replace("\x00", "").replace("\ufffd", "").replace("\r", "\n")
    return " ".join(text.split())


def check_shown_as_text(site: Path, texts: list[str]) -> list[str]:
    """Titles are shown as the text that was written, not interpreted."""
    problems = []
    for n, text in enumerate(texts, 1):
        page = html((site / "projects" / f"p{n}.html").read_text(encoding="utf-8"))
        shown = visible(page.select_one("h3.sb-current-title").get_text())
        if not shown.startswith(visible(redact(text))):
            problems.append(f"p{n}: current milestone title shown as {shown!r}")
        items = [visible(li.get_text()) for li in page.select("#sb-current .sb-acceptance li")]
        if items[:1] != [visible(redact(text))]:
            problems.append(f"p{n}: acceptance criterion shown as {items[:1]!r}")
        title = visible(page.title.get_text())
        if not title.startswith(visible(redact(text))):
            problems.append(f"p{n}: <title> is {title!r}")
    return problems


# --- the tests ----------------------------------------------------------------------------------


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 50
    for needle in (
        "<script",
        "onerror",
        "javascript:",
        "data:",
        "vbscript:",
        "<svg",
        "<math",
        "</title>",
        "</textarea>",
        "{{7*7}}",
        "{%",
        "](",
        "![",
        "&#",
        "\u200b",
    ):
        assert any(needle in p for p in PAYLOADS), needle


@pytest.mark.parametrize("group", range(len(GROUPS)), ids=lambda g: f"payloads-{g + 1}")
def test_hostile_text_in_every_field_stays_text(group, hostile_sites, baseline):
    clients, out = clients_of(group), hostile_sites

    problems = []
    for slug, texts in clients.items():
        site = out / slug
        for page in sorted(site.rglob("*.html")):
            twin = baseline / page.relative_to(site)  # same pages: p1, p2, index, 404
            problems += [f"{slug}/{p}" for p in check_html_page(page, twin)]
        problems += [f"{slug}: {p}" for p in check_search_index(site)]
        problems += [f"{slug}: {p}" for p in check_feed(site)]
        problems += [f"{slug}: {p}" for p in check_calendar(site, len(texts))]
        problems += [f"{slug}: {p}" for p in check_status(site, texts)]
        problems += [f"{slug}: {p}" for p in check_shown_as_text(site, texts)]
        for svg in (site / "badges").glob("*.svg"):
            badge = ET.fromstring(svg.read_bytes())
            if (
                any(
                    e.tag.endswith("script") or any(a.lower().startswith("on") for a in e.attrib)
                    for e in badge.iter()
                )
                or b"sbxss" in svg.read_bytes()
            ):
                problems.append(f"{slug}: badge {svg.name} holds plan text or script")
        ET.fromstring((site / "sitemap.xml").read_bytes())
        for path in site.rglob("*"):
            if path.is_file() and TEMPLATE_PRODUCT.encode() in path.read_bytes():
                problems.append(f"{slug}: template syntax was evaluated in {path.name}")
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_look_for(baseline):
    """The detectors are not vacuous: each flags a page with the problem planted in it."""
    page = (baseline / "projects" / "p1.html").read_text(encoding="utf-8")
    plain = baseline / "projects" / "p1.html"
    planted = {
        "handler": '<p onmouseover="x()">a</p>',
        "javascript: URL": '<a href=" java\tscript:alert(1)">a</a>',
        "data: URL": '<iframe src="data:text/html,x"></iframe>',
        "form action": '<form action="javascript:x()"></form>',
        "svg": "<svg><circle r=1></circle></svg>",
        "img": '<img src="https://evil.example/t.png">',
        "math": "<math><mi>x</mi></math>",
        "script": "<script>alert('sbxss')</script>",
    }
    for what, markup in planted.items():
        hostile = page.replace("</article>", markup + "</article>", 1)
        assert hostile != page
        target = plain.with_name("planted.html")
        target.write_text(hostile, encoding="utf-8")
        try:
            assert check_html_page(target, plain), what
        finally:
            target.unlink()
    assert check_fragment("x", "<img src=x onerror=alert(1)>")
    assert not check_html_page(plain, plain)


def test_template_syntax_is_shown_literally(tmp_path):
    out = build_sites(tmp_path / "plans", tmp_path / "site", {"tpl": ["{{7*7}}", "{% raw %}"]})
    page = html((out / "tpl" / "projects" / "p1.html").read_text(encoding="utf-8"))
    assert page.select_one("h1.sb-project-title").get_text().startswith("{{7*7}}")
    assert "{{7*7}}" in page.select_one(".sb-summary").get_text()


def test_a_site_url_cannot_break_out_of_an_attribute(plans, tmp_path):
    """Material prints site_url unescaped (canonical link, 404.html): refuse unsafe ones."""
    make_client(plans, "acme", PLAIN[:1])
    path = plans / "acme" / "client.yml"
    for url in (
        "https://x.example/\"><script>alert('sbxss')</script>/",
        "https://x.example/'onmouseover='alert(1)'/",
        "https://x.example/a b/",
        "javascript:alert(1)//x.example/",
        "https://x.example/<svg>/",
    ):
        path.write_text(_yaml({"name": "Acme", "site": {"url": url}}))
        with pytest.raises(PlanError) as caught:
            build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
        assert any("site.url" in d.message and d.line == 3 for d in caught.value.diagnostics)
    assert not (tmp_path / "site" / "acme").exists()
    path.write_text(
        _yaml(
            {
                "name": "Acme",
                "access": {"mode": "public"},  # canonical: public
                "site": {"url": "https://status.example.com:8443/clients/acme-1/"},
            }
        )
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    page = html((tmp_path / "site" / "acme" / "index.html").read_text(encoding="utf-8"))
    assert (
        page.find("link", rel="canonical")["href"]
        == "https://status.example.com:8443/clients/acme-1/index.html"
    )


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>'
UNSAFE_LOGOS = {
    "script": SVG.format("<script>alert('sbxss')</script>"),
    "prefixed script": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/'
    '2000/svg"><x:script>alert(1)</x:script></svg>',
    "script from an entity": '<!DOCTYPE svg [<!ENTITY s "&#60;script&#62;alert(1)&#60;/script'
    '&#62;">]>' + SVG.format("&s;"),
    "handler": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "handler in another namespace": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:e="urn:e" '
    'e:onclick="alert(1)"/>',
    "link": SVG.format('<a href="https://evil.example/"><rect width="5" height="5"/></a>'),
    "animated link": SVG.format(
        '<a><set attributeName="href" to="&#106;avascript:alert(1)"/><text>x</text></a>'
    ),
    "external image": SVG.format('<image href="https://evil.example/t.png"/>'),
    "foreignObject": SVG.format("<foreignObject><iframe src='//evil.example'/></foreignObject>"),
    "stylesheet instruction": '<?xml-stylesheet href="https://evil.example/x.xsl"?>' + SVG,
    "not XML": '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
}


@pytest.mark.parametrize("kind", UNSAFE_LOGOS, ids=list(UNSAFE_LOGOS))
def test_an_svg_logo_that_could_run_script_is_refused(kind, plans, tmp_path):
    """The logo is published as assets/client-logo.svg: opened directly, it runs in the site."""
    make_client(plans, "acme", PLAIN[:1])
    write(plans / "acme" / "logo.svg", UNSAFE_LOGOS[kind])
    (plans / "acme" / "client.yml").write_text("name: Acme\nsite:\n  logo: logo.svg\n")
    with pytest.raises(PlanError) as caught:
        build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    (problem,) = [d.format() for d in caught.value.diagnostics if d.is_error]
    assert problem.startswith(
        "plans/acme/client.yml:3: error: `site.logo` SVG is not inert (logo.svg line 1: "
    ), problem
    assert problem.endswith("Use a plain SVG or a PNG")


def test_a_plain_svg_logo_is_published(plans, tmp_path):
    make_client(plans, "acme", PLAIN[:1])
    logo = SVG.format(
        '<defs><linearGradient id="g"/></defs><use href="#g"/>'
        '<rect width="10" height="10" fill="url(#g)"/>'
    )
    write(plans / "acme" / "logo.svg", '<?xml version="1.0" encoding="UTF-8"?>\n' + logo)
    (plans / "acme" / "client.yml").write_text("name: Acme\nsite:\n  logo: logo.svg\n")
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    assert published_logo(tmp_path / "site" / "acme").endswith(logo)


def published_logo(site: Path) -> str:
    """The logo the site's pages show (assets/client-logo.svg, in the header)."""
    page = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "assets/client-logo.svg" in [img.get("src") for img in page.select("img")]
    return (site / "assets" / "client-logo.svg").read_text(encoding="utf-8")


def test_an_svg_logo_with_an_external_doctype_is_fine(plans, tmp_path):
    """Editors write `<!DOCTYPE svg PUBLIC ...>`; without an internal subset it declares
    nothing."""
    make_client(plans, "acme", PLAIN[:1])
    logo = (
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG.format("<g/>")
    )
    write(plans / "acme" / "logo.svg", logo)
    (plans / "acme" / "client.yml").write_text("name: Acme\nsite:\n  logo: logo.svg\n")
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    assert published_logo(tmp_path / "site" / "acme") == logo

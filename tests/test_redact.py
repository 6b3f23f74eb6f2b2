"""Email addresses never reach any output, however they are written.

Every encoding of an address (entities, percent-encoding, look-alike and invisible characters,
bracketed words, Markdown escapes and markup) is planted in every text field of a real plan;
every file of the built site (pages, search index, sitemap, feed, calendar, badges,
status.json), read with all those encodings decoded, holds neither the local part nor the
domain. Text that is not an address comes back unchanged.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import re
import unicodedata
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from helpers import approval, make_client

from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.site import feeds, render


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def entities(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


# Each variant writes the address local@domain.example; markdown-only ones need a renderer.
VARIANTS = {
    "plain": lambda l, d: f"{l}@{d}.example",
    "decimal entity": lambda l, d: f"{l}&#64;{d}.example",
    "hex entity": lambda l, d: f"{l}&#x40;{d}.example",
    "named entity": lambda l, d: f"{l}&commat;{d}&period;example",
    "zero-padded entities": lambda l, d: f"{l}&#0064;{d}&#x0002E;example",
    "mixed entities": lambda l, d: f"{l}&#x0040;{d}&period;example",
    "all entities": lambda l, d: entities(f"{l}@{d}.example"),
    "double-encoded entity": lambda l, d: f"{l}&amp;#64;{d}.example",
    "percent": lambda l, d: f"{l}%40{d}.example",
    "percent of an entity": lambda l, d: f"{l}&#37;40{d}.example",
    "soft hyphen, zero width": lambda l, d: f"{l[:2]}\u00ad{l[2:]}@{d[:2]}\u200b{d[2:]}.example",
    "word joiner, bidi mark": lambda l, d: f"{l}\u2060@\u200e{d}.example",
    "full width": lambda l, d: full_width(f"{l}@{d}.example"),
    "full-width at": lambda l, d: f"{l}＠{d}．example",
    "small at": lambda l, d: f"{l}\ufe6b{d}.example",
    "bracketed words": lambda l, d: f"{l} [at] {d} [dot] example",
    "parenthesised at": lambda l, d: f"{l}(at){d}.example",
    "markdown escape": lambda l, d: f"{l}\\@{d}\\.example",
    "mailto link": lambda l, d: f"[mail me](mailto:{l}@{d}.example)",
    "percent in a link": lambda l, d: f"[profile](https://x.test/?to={l}%40{d}.example)",
    "autolink": lambda l, d: f"<{l}@{d}.example>",
    "inline html": lambda l, d: f"{l}<em>@</em>{d}.example",
    "code span": lambda l, d: f"`{l}@{d}.example`",
    "html title": lambda l, d: f'<abbr title="{l}&#64;{d}.example">contact</abbr>',
}
MARKDOWN_ONLY = {"mailto link", "percent in a link", "autolink", "code span", "html title"}


def marks(n: int) -> tuple[str, str]:
    """A unique local part and domain for variant n (no marker is a prefix of another)."""
    return f"lqz{n}x", f"dqz{n}x"


def address(n: int, name: str) -> str:
    return VARIANTS[name](*marks(n))


def readable(data: bytes, name: str) -> str:
    """A file's text with every encoding a reader (or a person) could undo, undone."""
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8", "replace")
    if name.endswith(".json"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    if name.endswith(".ics"):
        text = text.replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")
    for _ in range(4):
        text = html.unescape(unquote(text))
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text += "\n" + re.sub(r"<[^<>]*>", "", text)  # also without markup inside an address
    text = re.sub(r"\s*[\[(](at|dot)[\])]\s*", lambda m: "@" if m[1] == "at" else ".", text)
    return text.replace("\\", "").lower()


def leaks(text: str) -> list[str]:
    found = []
    for n, name in enumerate(VARIANTS):
        local, domain = marks(n)
        if local in text or domain in text:
            found.append(name)
    return found


# --- whole sites --------------------------------------------------------------------------------


def plan_with_every_variant() -> str:
    """A plan whose summary holds every variant and milestone n holds variant n everywhere."""
    summary = "\n\n".join(f"Variant {n}: {address(n, name)}" for n, name in enumerate(VARIANTS))
    lines = ["title: Website relaunch", f"summary: {json.dumps(summary)}", "milestones:"]
    for n, name in enumerate(VARIANTS):
        text = address(n, name) if name not in MARKDOWN_ONLY else address(n, "plain")
        lines += [
            f"  - id: m{n}",
            f"    title: {json.dumps('Step ' + text)}",
            f"    owner: {json.dumps(text)}",
            f"    due: 2026-03-{1 + n:02d}",
            f"    phase: {json.dumps(text)}",
            f"    deliverables: [{json.dumps('Report for ' + text)}]",
            f"    acceptance: [{json.dumps('Checked by ' + text)}]",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def site(plans, tmp_path):
    body = "\n\n".join(f"Variant {n}: {address(n, name)}" for n, name in enumerate(VARIANTS))
    by = json.dumps(f"Ada {address(1, 'decimal entity')} <a@acme.example>")
    make_client(
        plans,
        client_yml="name: Acme\ntimezone: UTC\naccess:\n  mode: public\n",
        projects={"web": plan_with_every_variant()},
        approvals={
            "web": {
                "note.md": approval("m0", "2026-01-09", body=body),
                "other.md": approval(
                    "m1", "2026-01-10", by=by, body="Meet @ 5pm, ping @adahandle."
                ),
            }
        },
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", jobs=1, today=dt.date(2026, 2, 1)))
    return tmp_path / "site" / "acme"


def test_no_output_file_holds_an_address_in_any_encoding(site):
    files = [p for p in site.rglob("*") if p.is_file()]
    names = {p.relative_to(site).as_posix() for p in files}
    assert {
        "feed.xml",
        "calendar.ics",
        "status.json",
        "search/search_index.json",
        "projects/web.html",
        "index.html",
        "badges/web.svg",
    } <= names
    leaked = {}
    for path in files:
        found = leaks(readable(path.read_bytes(), path.name))
        if found:
            leaked[path.relative_to(site).as_posix()] = found
    assert not leaked
    page = (site / "projects" / "web.html").read_text(encoding="utf-8")
    assert page.count("[email hidden]") >= len(VARIANTS)  # they were there, and redacted


def test_text_that_is_not_an_address_is_kept(site):
    page = (site / "projects" / "web.html").read_text(encoding="utf-8")
    assert "Meet @ 5pm, ping @adahandle." in page
    note = json.loads((site / "status.json").read_text())["projects"][0]["approvals"]
    assert {a["by"] for a in note} == {"Ada Client", "Ada [email hidden]"}


def test_the_scanner_finds_every_variant_unredacted():
    """The test's decoding is strong enough: each variant, as written, is found."""
    for n, name in enumerate(VARIANTS):
        assert leaks(readable(address(n, name).encode(), "x.html")) == [name]


# --- the functions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(VARIANTS) - MARKDOWN_ONLY))
def test_redact_removes_every_plain_text_variant(name):
    redacted = render.redact(f"Write to {address(7, name)} today.")
    assert redacted.replace("<em></em>", "") == "Write to [email hidden] today."


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_markdown_html_redacts_after_rendering_and_sanitising(name):
    shown = str(render.markdown_html.__wrapped__(f"Write to {address(7, name)} today."))
    assert not leaks(readable(shown.encode(), "x.html")), shown
    if name != "mailto link":  # (the sanitiser drops mailto: links; their text stays)
        assert "[email hidden]" in shown


@pytest.mark.parametrize(
    "text",
    [
        "Meet @ 5pm",
        "ping @adahandle on the forum",
        "AT&T and R&D",
        "50% off (at) noon",
        "&lt;b&gt; is bold",
        "user@localhost",
        "a [dot] b",
        "x\u00ady",
        "ｆｕｌｌ ｗｉｄｔｈ",
        "C:\\path\\@home",
        "Price: 10%40",
        "&#64;handle",
        "<em>@</em> sign",
    ],
)
def test_text_without_an_address_is_unchanged(text):
    assert render.redact(text) == text


def test_html_redaction_keeps_tags_balanced():
    markup = (
        '<p>ada<em>@</em>fable.example and <a href="https://x.test/?u=ada%40fable.example">'
        "me</a></p>"
    )
    assert render.redact_html(markup) == (
        '<p>[email hidden]<em></em> and <a href="https://x.test/?u=[email hidden]">me</a></p>'
    )


def test_note_file_names_with_an_encoded_address_get_a_stable_hash():
    name = "2026-01-09 ada&#64;fable.example review.md"
    shown = feeds.public_name(name)
    assert re.fullmatch(r"2026-01-09 note-[0-9a-f]{10} review\.md", shown), shown
    assert shown == feeds.public_name(name) != feeds.public_name("2026-01-09 bo%40fable.example.md")
    assert feeds.public_name("2026-01-09-kickoff.md") == "2026-01-09-kickoff.md"


def test_events_output_redacts_every_variant(plans):
    milestones = "".join(
        f"  - id: m{n}\n    title: {json.dumps(address(n, name))}\n"
        f"    owner: {json.dumps(address(n, name))}\n    due: 2026-02-{1 + n:02d}\n"
        for n, name in enumerate(VARIANTS)
        if name not in MARKDOWN_ONLY
    )
    make_client(plans, projects={"web": "title: Web\nmilestones:\n" + milestones})
    for args in ((), ("--json",)):
        result = CliRunner().invoke(
            main,
            ["events", "--due-within", "60", "--today", "2026-02-01", *args],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.count("[email hidden]") >= 2 * (len(VARIANTS) - len(MARKDOWN_ONLY))
        assert not leaks(readable(result.stdout.encode(), "out.json" if args else "out.txt"))

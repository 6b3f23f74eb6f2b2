"""Plan text as published: email addresses redacted, characters XML cannot carry dropped, and
Markdown written by people rendered and sanitised (nh3) so no script, handler or dangerous URL
reaches a page. Every page, feed and status document goes through these."""

from __future__ import annotations

import functools
import html
import re

import nh3
from markupsafe import Markup

from ..plans import mdsafe
from . import emails

# Characters XML 1.0 cannot carry (feed.xml must stay valid).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def redact(text: str) -> str:
    """Text as published: email addresses removed however they are written (emails.py; they
    are never published), and characters XML cannot carry (control characters, lone
    surrogates) dropped, so feed.xml stays valid."""
    return emails.redact(NOT_XML.sub("", text))


def redact_html(markup: str) -> str:
    """Finished HTML as published: addresses in its text and attribute values removed."""
    return emails.redact_html(NOT_XML.sub("", markup))


@functools.lru_cache(maxsize=64)  # a note is shown on its page and in the feed
def markdown_html(text: str | None) -> Markup:
    """Markdown written by people -> sanitised HTML (no scripts, handlers, images, bad URLs),
    with email addresses redacted in the result (after every step that decodes text).

    The loader refuses text beyond mdsafe's bounds; should any reach here, it is shown as
    plain text rather than given to the sanitiser, whose work grows with nesting."""
    if not text:
        return Markup("")
    text = NOT_XML.sub("", text)
    if mdsafe.problem(text) is not None:
        return Markup(f'<p class="sb-plain">{html.escape(emails.redact(text))}</p>')
    rendered = mdsafe.to_html(text)
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(emails.redact_html(clean))

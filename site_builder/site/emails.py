"""Email addresses in published text: found however they are written, and removed.

An address may reach a reader after any number of decoding steps: HTML entities (`&#64;`,
`&commat;`, `&#x0040;`, double-encoded `&amp;#64;`), percent-encoding (`%40` in a link),
Markdown backslash escapes, full-width or other compatibility characters (`＠`, NFKC), invisible
characters that split it (soft hyphen, zero-width space, bidi marks), bracketed words
(`[at]`, `(dot)`) and, in HTML, inline markup (`ada<em>@</em>example.org`). Detection runs
on a *view* of the text with all of these decoded, keeping for every character of the view
the span of the original it came from, so exactly that span is replaced; text without an
address comes back unchanged.

Everything here is linear in the length of the text: each decoding pass is one scan with
bounded tokens, at most `_MAX_PASSES` passes run, and the address scanner looks at each
character a constant number of times (it never backtracks over a run of letters).
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import unquote

REPLACEMENT = "[email hidden]"
_MAX_PASSES = 4  # decoding passes; `&amp;amp;#37;40` needs three

# One token per decoding step; everything between tokens is copied as it is. The entities HTML
# escaping writes everywhere are left as they are when decoding them cannot matter: `&lt;`,
# `&gt;`, `&quot;` and `&#39;` stand for characters that end an address just as `;` does,
# and `&amp;` only matters before what could make it an entity again (`&amp;#64;`).
_ENTITY = (
    r"&(?!(?:lt|gt|quot|apos|#0*39|#x0*27);|amp;(?![#A-Za-z]))"
    r"(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)"
)
_WORD = r"[\[({][ \t]{0,3}(?:at|dot)[ \t]{0,3}[\])}]"
_TOKEN = re.compile(
    rf"(?P<entity>{_ENTITY})"
    r"|(?P<percent>(?:%[0-9A-Fa-f]{2})+)"
    r"|(?P<escape>\\[!-/:-@\[-`{-~])"
    rf"|(?P<word>[ \t]{{0,3}}{_WORD}[ \t]{{0,3}})"
    r"|(?P<unicode>[^\x00-\x7f]+)",
    re.IGNORECASE,
)
# Characters that render as nothing (or as a hyphen only at a line break): dropped from the view.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# Where an '@' of the decoded view can come from: '@' and the two characters NFKC turns into
# one (＠, ﹫), or a token that decodes (entity, percent-encoding, bracketed word). Text with
# none of them holds no address, and is returned without building a view.
_MAYBE_AT = re.compile(rf"[@\uff20\ufe6b]|{_ENTITY}|%[0-9A-Fa-f]{{2}}|{_WORD}", re.IGNORECASE)

_LOCAL = re.compile(r"[\w.%+'-]+")  # matched on the reversed text before an '@'
_DOMAIN = re.compile(r"(?:[^\W_]|-)+(?:\.(?:[^\W_]|-)+)*\.[^\W\d_]{2,}")

# HTML: tags (quoted attribute values may hold '>'), and the attribute values inside a tag.
_TAG = re.compile(r"<[A-Za-z/!?](?:[^<>\"']|\"[^\"]*\"|'[^']*')*>")
_ATTRIBUTE_VALUE = re.compile(r"(=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))")

Tag = tuple[int, int, str]  # (start, end, markup) of one HTML tag
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
# Inline elements join the text around them (`ada<em>@</em>example.org` reads as an address);
# any other tag separates text.
_INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    }
)


def redact(text: str, replacement: str = REPLACEMENT) -> str:
    """`text` with every email address, however it is written, replaced by `replacement`.

    Text that looks like markup is read both as it is and with its tags taken out (a person
    reads `ada<em>@</em>example.org` as an address too)."""
    if not _MAYBE_AT.search(text):
        return text
    spans = _address_spans(*_view(text, ()))
    tags = [(m.start(), m.end(), m.group()) for m in _TAG.finditer(text)] if "<" in text else []
    if tags:
        spans = _merge(spans + _address_spans(*_view(text, tags)))
    return _replace(text, spans, tags, replacement)


def redact_html(markup: str) -> str:
    """HTML with every address in its text and attribute values replaced (tags are kept).

    Text is read as a browser shows it: entities decoded, inline tags joining the text around
    them. Meant for well-formed HTML such as a sanitiser's output or our own templates.
    """
    if not _MAYBE_AT.search(markup):
        return markup
    markup = _TAG.sub(_redact_attributes, markup)
    tags = [(m.start(), m.end(), m.group()) for m in _TAG.finditer(markup)]
    spans = _address_spans(*_view(markup, tags))
    return _replace(markup, spans, tags, REPLACEMENT)


def _redact_attributes(tag: re.Match) -> str:
    text = tag.group()
    if "=" not in text:
        return text

    def value(m: re.Match) -> str:
        quoted = m.group(2) is not None or m.group(3) is not None
        raw = next(v for v in m.group(2, 3, 4) if v is not None)
        clean = redact(raw)
        if clean == raw:
            return m.group()
        quote = '"' if m.group(2) is not None else "'" if quoted else '"'
        return f"{m.group(1)}{quote}{clean}{quote}"

    return _ATTRIBUTE_VALUE.sub(value, text)


# --- the decoded view --------------------------------------------------------------------------


def _view(text: str, tags: Sequence[Tag]) -> tuple[str, Sequence[int], Sequence[int]]:
    """(view, starts, ends): the decoded text, and for each of its characters the span of
    `text` it comes from. `tags` (HTML only) are removed first."""
    starts: Sequence[int] | None = None
    ends: Sequence[int] = ()
    view = text
    if tags:
        view, starts, ends = _drop_tags(text, tags)
    for _ in range(_MAX_PASSES):
        if not _TOKEN.search(view):
            break
        decoded, pass_starts, pass_ends = _decode_once(view)
        if decoded == view:
            break
        if starts is None:
            starts, ends = pass_starts, pass_ends
        else:  # compose: positions in this pass's input -> positions in `text`
            starts = [starts[i] for i in pass_starts]
            ends = [ends[i - 1] for i in pass_ends]
        view = decoded
    if starts is None:
        starts, ends = range(len(text)), range(1, len(text) + 1)
    return view, starts, ends


def _drop_tags(text: str, tags: Sequence[Tag]) -> tuple[str, list[int], list[int]]:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for start, end, tag in tags:
        _copy(text, pos, start, pieces, starts, ends)
        name = _TAG_NAME.match(tag)
        if not name or name.group(1).lower() not in _INLINE:
            pieces.append("\n")
            starts.append(start)
            ends.append(end)
        pos = end
    _copy(text, pos, len(text), pieces, starts, ends)
    return "".join(pieces), starts, ends


def _decode_once(text: str) -> tuple[str, list[int], list[int]]:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        _copy(text, pos, m.start(), pieces, starts, ends)
        pos = m.end()
        kind, token = m.lastgroup, m.group()
        if kind == "unicode":
            _decode_unicode(token, m.start(), pieces, starts, ends)
            continue
        if kind == "entity":
            decoded = html.unescape(token)
        elif kind == "percent":
            decoded = unquote(token, errors="replace")
        elif kind == "escape":
            decoded = token[1]
        else:
            decoded = "@" if "at" in token.lower() else "."
        pieces.append(decoded)
        starts.extend([m.start()] * len(decoded))
        ends.extend([m.end()] * len(decoded))
    _copy(text, pos, len(text), pieces, starts, ends)
    return "".join(pieces), starts, ends


def _decode_unicode(
    run: str, offset: int, pieces: list[str], starts: list[int], ends: list[int]
) -> None:
    """Non-ASCII characters: invisible ones dropped, the rest NFKC-normalised (＠ -> @)."""
    if not _INVISIBLE.search(run) and unicodedata.is_normalized("NFKC", run):
        _copy(run, 0, len(run), pieces, starts, ends, offset)
        return
    for i, char in enumerate(run):
        if _INVISIBLE.match(char) or unicodedata.category(char) == "Cf":
            continue
        decoded = unicodedata.normalize("NFKC", char)
        pieces.append(decoded)
        starts.extend([offset + i] * len(decoded))
        ends.extend([offset + i + 1] * len(decoded))


def _copy(
    text: str,
    start: int,
    end: int,
    pieces: list[str],
    starts: list[int],
    ends: list[int],
    offset: int = 0,
) -> None:
    if end > start:
        pieces.append(text[start:end])
        starts.extend(range(offset + start, offset + end))
        ends.extend(range(offset + start + 1, offset + end + 1))


# --- finding and replacing ---------------------------------------------------------------------


def _address_spans(view: str, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
    """Spans of the original text holding an address of `view`, in order, not overlapping.

    Each '@' is checked once: the local part is the run of address characters before it (read
    on the reversed text, so a long run is scanned once), the domain the labels after it.
    """
    spans: list[tuple[int, int]] = []
    reversed_view = view[::-1]
    n, at = len(view), view.find("@")
    while at != -1:
        domain = _DOMAIN.match(view, at + 1)
        local = _LOCAL.match(reversed_view, n - at) if domain else None
        if domain and local:
            first, last = at - len(local.group()), domain.end() - 1
            span = (starts[first], ends[last])
            if spans and span[0] <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
            else:
                spans.append(span)
            at = view.find("@", domain.end())
        else:
            at = view.find("@", at + 1)
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _replace(text: str, spans: list[tuple[int, int]], tags: Sequence[Tag], replacement: str) -> str:
    """Each span replaced by `replacement`; tags inside a span (HTML) are kept after it, so
    the markup stays balanced."""
    if not spans:
        return text
    tag_starts = [start for start, _, _ in tags]
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(replacement)
        first = bisect.bisect_left(tag_starts, start)
        last = bisect.bisect_left(tag_starts, end)
        out.extend(tag for _, tag_end, tag in tags[first:last] if tag_end <= end)
        pos = end
    out.append(text[pos:])
    return "".join(out)

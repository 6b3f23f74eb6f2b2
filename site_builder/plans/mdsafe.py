"""Markdown written by people -> HTML, in time linear in its size (like yamlsafe.py for YAML).

Rendered by cmark-gfm (GitHub's CommonMark parser, in C), which stays linear on hostile input
(Python-Markdown took minutes on 20 KB of `![`). What comes next is the HTML sanitiser, whose
tree builder slows down with nesting depth (each element checks the elements open around it),
so `problem` bounds what could nest: Markdown structure (block quotes, lists, emphasis,
links) at most MAX_DEPTH levels, and raw HTML at most MAX_HTML_TAGS tags (an unclosed `<div>`
nests everything after it). The loader refuses a note or summary beyond either bound, with
its line; `to_html` is only ever given text within them.
"""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options

MAX_DEPTH = 32  # elements nested in the HTML Markdown makes (a list item in a list: 2)
MAX_HTML_TAGS = 1_000  # raw HTML tags in one text

_UNSAFE = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_VALIDATE_UTF8  # raw HTML kept
_SAFE = Options.CMARK_OPT_SOURCEPOS | Options.CMARK_OPT_VALIDATE_UTF8  # raw HTML omitted
_EXTENSIONS = ["table"]
# cmark's own tags (raw HTML is omitted in _SAFE output): text `<` is always `&lt;` there.
_CMARK_TAG = re.compile(r'<(/?)[a-z][a-z0-9]*(?: data-sourcepos="(\d+))?[^>]*?(/?)>')
_START_TAG = re.compile(r"<[A-Za-z]")


_EMPTY_TH = re.compile(r"<th((?:\s[^<>]*)?)>\s*</th>")
_EMPTY_HEAD = re.compile(r"<thead>\s*<tr>(?:\s*<td(?:\s[^<>]*)?></td>)*\s*</tr>\s*</thead>\s*")


def to_html(text: str) -> str:
    """CommonMark with GitHub tables -> HTML, raw HTML kept (it is sanitised afterwards).

    A table header cell with no text is no header (screen readers announce nothing for it):
    it becomes a data cell, and a header row of nothing but empty cells goes (`| | |` is how
    Markdown writes a key-value table)."""
    html = cmarkgfm.markdown_to_html_with_extensions(text, _UNSAFE, _EXTENSIONS)
    if "<th" not in html:
        return html
    return _EMPTY_HEAD.sub("", _EMPTY_TH.sub(r"<td\1></td>", html))


def problem(text: str) -> tuple[int, str] | None:
    """(line in `text`, message) when `text` is beyond the bounds above, else None."""
    structure = cmarkgfm.markdown_to_html_with_extensions(text, _SAFE, _EXTENSIONS)
    lines, deepest, first_too_deep = [1], 0, None
    for m in _CMARK_TAG.finditer(structure):
        closing, line, void = m.groups()
        if closing:
            if len(lines) > 1:
                lines.pop()
        elif not void and not m.group().startswith(("<br", "<hr", "<img", "<input")):
            lines.append(int(line) if line else lines[-1])
            if len(lines) - 1 > MAX_DEPTH and first_too_deep is None:
                first_too_deep = lines[-1]
            deepest = max(deepest, len(lines) - 1)
    if first_too_deep is not None:
        return first_too_deep, (
            f"Markdown nests {deepest} elements deep (block quotes, lists, "
            f"emphasis, links); the limit is {MAX_DEPTH}"
        )
    raw_tags = len(_START_TAG.findall(to_html(text))) - len(_START_TAG.findall(structure))
    if raw_tags > MAX_HTML_TAGS:
        # The line of the first `<` past the limit in the text: raw tags are among them.
        past = next(m for n, m in enumerate(_START_TAG.finditer(text)) if n == MAX_HTML_TAGS)
        return (
            text.count("\n", 0, past.start()) + 1,
            f"{raw_tags:,} raw HTML tags; the limit is {MAX_HTML_TAGS:,} (write Markdown instead)",
        )
    return None

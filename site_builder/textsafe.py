"""Text for a terminal: whatever the tool prints is inert.

Plan text, file names, git output and HTTP answers reach the terminal in diagnostics, tables
and messages. A control character there could move the cursor, rewrite earlier lines, change
the window title or forge a line (a newline in a file name); a bidi override could make text
read differently from what it is. `printable` shows every such character as a visible escape
(`\\x1b`, `\\n`, `\\u202e`), so one field always prints as one inert line.
"""

from __future__ import annotations

import unicodedata

# Invisible or layout-changing categories: C0/C1 controls and DEL (Cc), format characters such
# as bidi overrides, isolates and zero-width spaces (Cf), lone surrogates (Cs), and the line and
# paragraph separators (Zl, Zp).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Format characters that real text needs: zero-width non-joiner and joiner (Persian, Indic
# scripts, emoji sequences). They do not reorder or hide text.
_KEPT = frozenset("\u200c\u200d")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _unsafe(char: str) -> bool:
    return char not in _KEPT and unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: object) -> str:
    """`text` as one inert line: control, format and separator characters escaped.

    Backslashes are left alone, so applying it twice changes nothing.
    """
    text = str(text)
    if text.isprintable():  # fast path; also true for ordinary spaces
        return text
    return "".join(_escape(c) if _unsafe(c) else c for c in text)


def printable_json(text: str) -> str:
    """JSON text (from json.dumps) with the characters `printable` escapes written as JSON
    escapes (\\uXXXX), so it stays valid JSON with the same value."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n" or not _unsafe(char):  # json.dumps writes its own line breaks only
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            high, low = divmod(ord(char) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
    return "".join(out)

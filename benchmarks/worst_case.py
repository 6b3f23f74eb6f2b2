"""Benchmark: the time per class of hostile text, at the largest size the limits admit.

    python benchmarks/worst_case.py [--render-only] [--only NAME ...] [--timeout 120]

`inputs(size)` generates each class of worst-case text (tests/test_limits.py builds sites from
the worst of them): runs of every ASCII punctuation character, of letters, digits, spaces and
line breaks, of Markdown constructs (`![`, `[`, `[a](`, emphasis, backticks, `<`, `>` and list
markers), nested brackets, quotes and lists, table rows and columns, long words, many `@`
signs and encoded addresses (entities, percent-encoding, look-alike and invisible characters).

For each class it prints the seconds of
* `render`: Markdown + sanitising + email redaction of a note body at the note limit
  (load.MAX_NOTE_BYTES), in this process;
* `note`: `site-builder build` of one client whose approval note is that text at the limit;
* `plan`: the same with a 1 MB plan.yml: the summary at its limit (20,000 characters) and as
  many milestones as fit, each with a title, deliverable and acceptance criterion of that text
  at their limits.
"""

from __future__ import annotations

import argparse
import json
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.plans import load
from site_builder.site import render  # noqa: E402

SUMMARY_CHARS, TITLE_CHARS, DELIVERABLE_CHARS, ACCEPTANCE_CHARS = 20_000, 300, 500, 1_000
TODAY = "2026-02-01"
NOTE_HEAD = (
    "---\nmilestone: kickoff\ndecision: approved\ndate: 2026-01-09\n"
    "by: Ada Client <ada@acme.example>\n---\n"
)

# Units repeated to fill the size: Markdown constructs and their combinations.
UNITS = {
    "letter": "a",
    "digit": "7",
    "space": " ",
    "newline": "\n",
    "tab": "\t",
    "non-ascii": "é",
    "cjk": "漢",
    "zero-width": "\u200b",
    "full-width-at": "＠",
    **{f"char {c}": c for c in string.punctuation},
    "image open": "![",
    "link open": "[",
    "link": "[a](",
    "image": "![a](b",
    "empty link": "[](",
    "link label": "[a]",
    "reference": "[a]: ",
    "bracket star": "[*",
    "star bracket": "*[",
    "star a": "*a",
    "underscore a": "_a",
    "star underscore": "*_",
    "double star": "**a",
    "backticks": "`a",
    "code fence": "```\n",
    "tilde fence": "~~~\n",
    "lt a": "<a",
    "lt slash": "</",
    "html tag": "<b>",
    "html comment": "<!--",
    "cdata": "<![CDATA[",
    "autolink": "<http://a",
    "auto email": "<a@",
    "entity": "&#",
    "named entity": "&a",
    "quote line": ">\n",
    "quote space": "> ",
    "list line": "-\n",
    "list item": "- a\n",
    "ordered item": "1. a\n",
    "heading": "# a\n",
    "setext": "a\n=\n",
    "table row": "|a|\n",
    "pipe line": "|\n",
    "hr": "***\n",
    "backslash": "\\",
    "escaped bracket": "\\[",
    "line break": "a  \n",
    "indented code": "    a\n",
    "at": "@",
    "letter at": "a@",
    "at dot": "@a.",
    "address": "ab@cd.ef ",
    "address no space": "a@b.cd",
    "local run": "a.b-c_d+",
    "percent": "%4",
    "percent at": "%40",
    "entity at": "&#64;",
    "entity at hex": "&#x40;",
    "double entity": "&amp;#64;",
    "bracket at": "[at]",
    "paren at": "(at)",
}


def _repeat(unit: str, size: int) -> str:
    """`unit` repeated to at most `size` UTF-8 bytes."""
    count = max(1, size // len(unit.encode("utf-8")))
    return unit * count


def inputs(size: int) -> dict[str, str]:
    """Every worst-case class, as text of at most `size` UTF-8 bytes."""
    half = size // 2
    found = {name: _repeat(unit, size) for name, unit in UNITS.items()}
    found.update(
        {
            "nested brackets": "[" * half + "]" * half,
            "nested images": "![" * (size // 4) + "]" * (size // 4),
            "nested parens in link": "[a](" + "(" * (half - 4) + ")" * (half - 4),
            "nested emphasis": "*" * half + "a" + "*" * (half - 1),
            "nested quotes": "> " * half,
            "nested lists": "".join("  " * (n % 50) + "- a\n" for n in range(size // 60)),
            "table columns": "|a" * (size // 4) + "\n" + "|-" * (size // 4) + "\n",
            "table rows": "|a|b|\n|-|-|\n" + _repeat("|x|y|\n", size - 12),
            "long word": "a" * size,
            "many lines": _repeat("a\n", size),
            "mixed specials": _repeat("![*_`<>&[(@%\\]#|", size),
            "split address": _repeat("ad\u00ada\u200b@fa\u2060ble.example ", size),
        }
    )
    return found


# --- measuring ----------------------------------------------------------------------------------


def note_plans(root: Path, text: str) -> None:
    """plans/acme with one project whose approval note body is `text`, at the note limit."""
    folder = root / "acme"
    (folder / "web" / "approvals").mkdir(parents=True)
    (folder / "client.yml").write_text("name: Acme\ntimezone: UTC\naccess:\n  mode: link\n")
    (folder / "web" / "plan.yml").write_text(
        "title: Web\nmilestones:\n  - id: kickoff\n    title: Kickoff\n    due: 2026-01-10\n"
    )
    body = _fit(text, load.MAX_NOTE_BYTES - len(NOTE_HEAD.encode()))
    (folder / "web" / "approvals" / "note.md").write_text(NOTE_HEAD + body, encoding="utf-8")


def plan_plans(root: Path, text: str) -> None:
    """plans/acme with a plan.yml of (almost) 1 MB built from `text` at every field's limit."""
    folder = root / "acme"
    (folder / "web").mkdir(parents=True)
    (folder / "client.yml").write_text("name: Acme\ntimezone: UTC\naccess:\n  mode: link\n")
    head = f"title: Web\nsummary: {json.dumps(text[:SUMMARY_CHARS])}\nmilestones:\n"
    parts, size, n = [head], len(head.encode()), 0
    while True:
        item = (
            f"  - id: m{n}\n    title: {json.dumps(text[:TITLE_CHARS])}\n"
            f"    due: 2026-{1 + n % 12:02d}-10\n"
            f"    deliverables: [{json.dumps(text[:DELIVERABLE_CHARS])}]\n"
            f"    acceptance: [{json.dumps(text[:ACCEPTANCE_CHARS])}]\n"
        )
        if size + len(item.encode()) > load.MAX_YAML_BYTES:
            break
        parts.append(item)
        size += len(item.encode())
        n += 1
    (folder / "web" / "plan.yml").write_text("".join(parts), encoding="utf-8")


def _fit(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def build_seconds(make, text: str, timeout: float) -> str:
    """Seconds `site-builder build` takes on plans made by `make(root, text)`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make(root / "plans", text)
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "site_builder",
                    "build",
                    "--plans",
                    "plans",
                    "--out",
                    "site",
                    "--today",
                    TODAY,
                    "--jobs",
                    "1",
                ],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return f">{timeout:.0f} s"
        seconds = time.perf_counter() - start
        shutil.rmtree(root / "site", ignore_errors=True)
        if done.returncode:
            refused = done.stderr.strip().splitlines()[0] if done.stderr.strip() else "?"
            return f"refused {seconds:.1f} s ({refused[:60]})"
        return f"{seconds:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--render-only", action="store_true", help="skip the builds")
    parser.add_argument("--only", nargs="*", help="class names to run (default: all)")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    cases = inputs(load.MAX_NOTE_BYTES - len(NOTE_HEAD.encode()))
    print(f"{'class':24} {'render':>7} {'note':>7} {'plan':>7}")
    for name, text in cases.items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        render.markdown_html.__wrapped__(text)
        rendered = f"{time.perf_counter() - start:.2f}"
        note = plan = "-"
        if not args.render_only:
            note = build_seconds(note_plans, text, args.timeout)
            plan = build_seconds(plan_plans, text, args.timeout)
        print(f"{name:24} {rendered:>7} {note:>7} {plan:>7}", flush=True)


if __name__ == "__main__":
    main()

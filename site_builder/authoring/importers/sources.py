"""Read milestones from a tracker's export: GitHub and GitLab API JSON, Jira's issue CSV, and
the generic CSV (`id,title,due,owner,invoice,phase,delivered`).

Every reader returns what it `Found` and reports problems as diagnostics tied to the source file
and line (JSON: the line where the milestone's object starts); `read` keeps the dated ones as
`Record`s. A record without a due date is skipped with a warning: trackers routinely keep
undated milestones ("Backlog", "Someday").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from ...errors import Diagnostics
from ...plans.schema import SLUG_RE, date_range_problem

KINDS = ("github", "gitlab", "jira", "csv")
JIRA_MODES = ("epics", "versions")
CSV_COLUMNS = ("id", "title", "due", "owner", "invoice", "phase", "delivered")
MAX_IMPORT_BYTES = 20_000_000
MAX_TITLE, MAX_NAME = 300, 200  # plan.yml's limits (schema.MILESTONE)
# Cells our own CSV exports protect against formula injection start with a quote and one of
# these (export.py); reading them back drops the quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.+\-Z ]*)?\Z")
# Jira's default export format `dd/MMM/yy h:mm a` ("10/Mar/26 12:00 AM"), with or without
# the time, and with a four-digit year.
_JIRA_DAY = re.compile(
    r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?\Z"
)


@dataclass(frozen=True)
class Found:
    """One milestone as a source has it; its due date may be missing."""

    title: str
    due: dt.date | None
    path: Path  # the source file (or a pseudo path such as github:owner/repo)
    line: int  # where the record starts in it (0: unknown)
    ref: str | None = None  # tracker reference, kept as `internal: {source: REF}`
    id: str | None = None  # explicit id (generic CSV)
    owner: str | None = None
    phase: str | None = None
    invoice: Decimal | None = None
    delivered: dt.date | None = None

    @property
    def label(self) -> str:
        return f'milestone "{self.title}"' + (f" ({self.ref})" if self.ref else "")


@dataclass(frozen=True)
class Record(Found):
    """A milestone that can go into a plan: dated, with text plan.yml accepts (`read` returns
    only these)."""

    due: dt.date


def slugify(text: str) -> str:
    """A milestone id from a title: ASCII letters and digits joined by '-', at most 63."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:63].rstrip("-")


def unprotect(cell: str) -> str:
    """A cell as written before formula-injection protection (a leading ' before = + - @)."""
    rest = cell[1:]
    unquoted = rest[1:] if rest.startswith("'") else rest
    return (
        rest if cell.startswith("'") and unquoted.lstrip(" ").startswith(_FORMULA_START) else cell
    )


def one_line(text: str) -> str:
    return " ".join(text.split())


def read(
    kind: str, path: Path, data: bytes, diags: Diagnostics, jira_milestones: str = "epics"
) -> list[Record]:
    """Parse `data` (the contents of `path`) as a `kind` export; dated records, due order
    for trackers, file order for the generic CSV."""
    if len(data) > MAX_IMPORT_BYTES:
        diags.error(path, 0, f"file is larger than {MAX_IMPORT_BYTES:,} bytes")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        diags.error(path, 0, "file is not UTF-8 text")
        return []
    if kind in ("github", "gitlab"):
        records = _api_json(kind, path, text, diags)
    elif kind == "jira":
        records = _jira(path, text, diags, jira_milestones)
    else:
        return _dated(_generic_csv(path, text, diags), diags)
    return sorted(_dated(records, diags), key=lambda r: r.due)


def _dated(records: list[Found], diags: Diagnostics) -> list[Record]:
    """The records that can become milestones: dated, with text plan.yml accepts."""
    kept: list[Record] = []
    for r in records:
        too_long = [
            name
            for name, value, limit in (
                ("title", r.title, MAX_TITLE),
                ("owner", r.owner, MAX_NAME),
                ("phase", r.phase, MAX_NAME),
            )
            if value and len(value) > limit
        ]
        if too_long:
            diags.error(
                r.path, r.line, f"{r.label[:80]}: {too_long[0]} is longer than plan.yml allows"
            )
        elif r.due is None:
            diags.warning(
                r.path, r.line, f"{r.label} has no due date; skipped (a plan milestone needs one)"
            )
        else:
            kept.append(
                Record(
                    r.title,
                    r.due,
                    r.path,
                    r.line,
                    ref=r.ref,
                    id=r.id,
                    owner=r.owner,
                    phase=r.phase,
                    invoice=r.invoice,
                    delivered=r.delivered,
                )
            )
    return kept


def _checked_date(
    value: dt.date, path: Path, line: int, what: str, diags: Diagnostics
) -> dt.date | None:
    problem = date_range_problem(value)
    if problem:
        diags.error(path, line, f"{what}: {problem}")
        return None
    return value


def iso_date(value: str) -> dt.date | None:
    """YYYY-MM-DD, optionally followed by a time (the calendar date as written)."""
    match = _ISO_DAY.match(value.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def jira_date(value: str) -> dt.date | None:
    """A date in either of Jira's export formats: `10/Mar/26 12:00 AM` or ISO."""
    value = value.strip()
    match = _JIRA_DAY.match(value)
    if not match:
        return iso_date(value)
    day, month, year = match.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    try:
        return dt.date(int(year) + (2000 if len(year) == 2 else 0), number, int(day))
    except ValueError:
        return None


# --- GitHub and GitLab: the JSON of the milestones API ----------------------------------------


def _json_items(path: Path, text: str, diags: Diagnostics) -> list[tuple[int, object]]:
    """The elements of a top-level JSON list, each with the line it starts on."""
    decoder = json.JSONDecoder()
    index = len(text) - len(text.lstrip())
    if not text.startswith("[", index):
        diags.error(path, 1, "expected a JSON list of milestones, as the API returns it")
        return []
    items: list[tuple[int, object]] = []
    index += 1
    try:
        while True:
            index = _skip_space(text, index)
            if text.startswith("]", index):
                if _skip_space(text, index + 1) != len(text):
                    raise json.JSONDecodeError("extra data after the list", text, index + 1)
                return items
            value, end = decoder.raw_decode(text, index)
            items.append((text.count("\n", 0, index) + 1, value))
            index = _skip_space(text, end)
            if text.startswith(",", index):
                index += 1
            elif not text.startswith("]", index):
                raise json.JSONDecodeError("expected ',' or ']'", text, index)
    except json.JSONDecodeError as exc:
        diags.error(path, exc.lineno, f"invalid JSON: {exc.msg}")
        return []


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _api_json(kind: str, path: Path, text: str, diags: Diagnostics) -> list[Found]:
    number_key, due_key = ("number", "due_on") if kind == "github" else ("iid", "due_date")
    records: list[Found] = []
    for line, item in _json_items(path, text, diags):
        if not isinstance(item, dict):
            diags.error(path, line, "expected a milestone object ({...})")
            continue
        title, number, due = item.get("title"), item.get(number_key), item.get(due_key)
        if not isinstance(title, str) or not one_line(title):
            diags.error(path, line, "milestone without a `title`")
            continue
        title = one_line(title)
        if not isinstance(number, int) or isinstance(number, bool):
            diags.error(path, line, f'milestone "{title}": `{number_key}` must be a number')
            continue
        date = None
        if due is not None:
            date = iso_date(due) if isinstance(due, str) else None
            if date is None:
                diags.error(
                    path,
                    line,
                    f'milestone "{title}": `{due_key}` must be a date '
                    f"(YYYY-MM-DD...), not {json.dumps(due)[:40]}",
                )
                continue
            date = _checked_date(date, path, line, f'milestone "{title}"', diags)
            if date is None:
                continue
        records.append(Found(title, date, path, line, ref=f"{kind}#{number}"))
    return records


# --- CSV ------------------------------------------------------------------------------------


def _csv_rows(path: Path, text: str, diags: Diagnostics) -> list[tuple[int, list[str]]]:
    """Rows with the line each starts on; the header first."""
    rows, start = [], 1
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        diags.error(path, reader.line_num or 1, f"invalid CSV: {exc}")
        return []
    if not rows:
        diags.error(path, 1, "the CSV file is empty (expected a header row)")
    return rows


def _generic_csv(path: Path, text: str, diags: Diagnostics) -> list[Found]:
    rows = _csv_rows(path, text, diags)
    if not rows:
        return []
    (header_line, header), body = rows[0], rows[1:]
    names = [h.strip().lower() for h in header]
    for name in ("title", "due"):
        if name not in names:
            diags.error(
                path,
                header_line,
                f"the header has no `{name}` column; expected "
                f"{','.join(CSV_COLUMNS)} (id, title and due first)",
            )
    for name in names:
        if name not in CSV_COLUMNS:
            diags.warning(
                path,
                header_line,
                f"column `{name}` is not imported (columns: {','.join(CSV_COLUMNS)})",
            )
    if "title" not in names or "due" not in names:
        return []
    records: list[Found] = []
    seen: dict[str, int] = {}  # id -> the line it is first on
    for line, row in body:
        cells = {
            name: unprotect(row[i].strip()) if i < len(row) else ""
            for i, name in enumerate(names)
            if name in CSV_COLUMNS
        }
        record = _csv_record(path, line, cells, diags)
        if record is None:
            continue
        key = record.id or slugify(record.title)
        if key and key in seen:
            diags.error(
                path, line, f"milestone id `{key}` is used twice (first on line {seen[key]})"
            )
            continue
        seen[key] = line
        records.append(record)
    return records


def _csv_record(path: Path, line: int, cells: dict[str, str], diags: Diagnostics) -> Found | None:
    title = one_line(cells.get("title", ""))
    if not title:
        diags.error(path, line, "`title` is empty")
        return None
    ok = True
    mid = cells.get("id") or None
    if mid is not None and not SLUG_RE.match(mid):
        diags.error(
            path,
            line,
            f"`id` must be a slug (lower-case letters, digits and '-', "
            f"starting with a letter or digit, at most 63), not `{mid}`",
        )
        ok = False
    dates: dict[str, dt.date | None] = {}
    for name in ("due", "delivered"):
        value = cells.get(name, "")
        dates[name] = None
        if value:
            date = iso_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
            if date is None:
                diags.error(
                    path, line, f"`{name}` must be a date written YYYY-MM-DD, not `{value[:40]}`"
                )
                ok = False
            else:
                dates[name] = _checked_date(date, path, line, f"`{name}`", diags)
                ok = ok and dates[name] is not None
    invoice = None
    if cells.get("invoice"):
        try:
            invoice = Decimal(cells["invoice"].replace(",", "").replace("_", ""))
            if not invoice.is_finite() or invoice < 0 or invoice > Decimal("1e15"):
                raise InvalidOperation
        except InvalidOperation:
            diags.error(
                path,
                line,
                f"`invoice` must be an amount such as 8000 or 1250.50, "
                f"not `{cells['invoice'][:40]}`",
            )
            ok = False
    if not ok:
        return None
    return Found(
        title,
        dates["due"],
        path,
        line,
        id=mid,
        owner=one_line(cells.get("owner", "")) or None,
        phase=one_line(cells.get("phase", "")) or None,
        invoice=invoice,
        delivered=dates["delivered"],
    )


# --- Jira: the issue export CSV ---------------------------------------------------------------


def _jira(path: Path, text: str, diags: Diagnostics, mode: str) -> list[Found]:
    rows = _csv_rows(path, text, diags)
    if not rows:
        return []
    (header_line, header), body = rows[0], rows[1:]
    # Jira repeats a column for multi-valued fields ("Fix Version/s" once per version).
    columns: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        columns.setdefault(name.strip().lower(), []).append(index)

    def cells(row: list[str], *names: str) -> list[str]:
        found = [
            unprotect(row[i].strip()) for n in names for i in columns.get(n, ()) if i < len(row)
        ]
        return [c for c in found if c]

    def first(row: list[str], *names: str) -> str:
        return next(iter(cells(row, *names)), "")

    needed = ["summary", "due date"] + (["issue type"] if mode == "epics" else ["fix version/s"])
    missing = [n for n in needed if n not in columns]
    if missing:
        diags.error(
            path,
            header_line,
            "not a Jira issue export: no " + ", ".join(f"`{n}`" for n in missing) + " column",
        )
        return []
    if mode == "epics":
        records: list[Found] = []
        for line, row in body:
            if first(row, "issue type").lower() != "epic":
                continue
            title = one_line(
                first(row, "epic name", "custom field (epic name)") or first(row, "summary")
            )
            key = first(row, "issue key")
            due = _jira_due(path, line, first(row, "due date"), diags)
            if title and due is not False:
                records.append(Found(title, due, path, line, ref=f"jira#{key}" if key else None))
        return records
    versions: dict[str, list] = {}  # name -> [line, latest due]
    for line, row in body:
        due = _jira_due(path, line, first(row, "due date"), diags)
        for name in cells(row, "fix version/s"):
            entry = versions.setdefault(one_line(name), [line, None])
            if due and (entry[1] is None or due > entry[1]):
                entry[1] = due
    return [
        Found(name, due, path, line, ref=f"jira-version#{name}")
        for name, (line, due) in versions.items()
    ]


def _jira_due(
    path: Path, line: int, value: str, diags: Diagnostics
) -> dt.date | None | Literal[False]:
    """The date of a `Due date` cell; None when empty; False (reported) when unreadable."""
    if not value:
        return None
    date = jira_date(value)
    if date is None:
        diags.error(
            path,
            line,
            f"`Due date`: `{value[:40]}` is not a date in Jira's export "
            "formats (10/Mar/26 12:00 AM, or 2026-03-10)",
        )
        return False
    return _checked_date(date, path, line, "`Due date`", diags) or False

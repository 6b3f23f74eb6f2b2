"""Status, invoices and plans as JSON or CSV for spreadsheets and trackers.

Every value comes from the same per-project structure as status.json (render.status_document),
so an export says exactly what the client's site says. Every CSV is RFC 4180 (csv module,
CRLF, a header row, UTF-8) and protected against formula injection: a cell that starts with
= + - @ tab or a line break gets a leading single quote (the OWASP rule), so a spreadsheet
shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from ..build import validate
from ..derive import ClientState
from ..errors import UsageError
from ..site.render import status_document
from ..site.text import redact
from ..textsafe import printable, printable_json
from .scaffold import split_target

STATUS_COLUMNS = (
    "client",
    "project",
    "milestone",
    "title",
    "status",
    "overdue",
    "due",
    "baseline_due",
    "approved_on",
    "invoice",
    "currency",
)
INVOICE_COLUMNS = (
    "client",
    "project",
    "milestone",
    "title",
    "amount",
    "currency",
    "approved_on",
    "invoiced",
    "due",
)
# Fields Jira's CSV importer maps (Issue Type, Summary, Epic Name, Due Date, Description).
JIRA_COLUMNS = ("Issue Type", "Summary", "Epic Name", "Due Date", "Description")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def client_states(
    plans: Path, client: str | None = None, today: dt.date | None = None
) -> list[ClientState]:
    """Every client's derived state (or one client's), with its git history."""
    return list(validate(plans, [client] if client else [], today=today).states)


def json_text(value) -> str:
    """JSON for a terminal or a pipe: control and bidi characters written as \\u escapes."""
    return printable_json(json.dumps(value, indent=2, ensure_ascii=False))


def safe_cell(value) -> str:
    """One CSV cell: text as `printable` shows it (line breaks kept), formula-protected."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    raw = str(value)
    text = "\n".join(printable(part) for part in raw.split("\n"))
    # A cell that already looks protected is protected again, so reading it back (import
    # drops one quote) gives the text as written.
    unquoted = raw[1:] if raw.startswith("'") else raw
    return "'" + text if unquoted.lstrip(" ").startswith(_FORMULA_START) else text


def csv_text(header: tuple[str, ...], rows) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(row.get(name)) for name in header])
    return out.getvalue()


# --- status ---------------------------------------------------------------------------------


def status_json(states: list[ClientState]) -> str:
    """A list with one status.json document per client."""
    return json_text([status_document(s) for s in states])


def status_rows(states: list[ClientState]) -> list[dict]:
    rows = []
    for state in states:
        doc = status_document(state)
        for p in doc["projects"]:
            for m in p["milestones"]:
                rows.append(
                    {
                        "client": doc["client"]["slug"],
                        "project": p["slug"],
                        "milestone": m["id"],
                        "currency": p["currency"],
                        **{
                            k: m[k]
                            for k in (
                                "title",
                                "status",
                                "overdue",
                                "due",
                                "baseline_due",
                                "approved_on",
                                "invoice",
                            )
                        },
                    }
                )
    return rows


def status_csv(states: list[ClientState]) -> str:
    return csv_text(STATUS_COLUMNS, status_rows(states))


# --- invoices -------------------------------------------------------------------------------


def invoice_rows(
    states: list[ClientState], start: dt.date | None = None, end: dt.date | None = None
) -> list[dict]:
    """One row per milestone with an invoice amount: invoiced (approved) rows are in the range
    by their approval date, not-yet-invoiced ones by their due date (both ends inclusive)."""
    rows = []
    for state in states:
        doc = status_document(state)
        for p in doc["projects"]:
            for m in p["milestones"]:
                if m["invoice"] is None:
                    continue
                invoiced = m["status"] == "approved"
                day = dt.date.fromisoformat(m["approved_on"] if invoiced else m["due"])
                if (start and day < start) or (end and day > end):
                    continue
                rows.append(
                    {
                        "client": doc["client"]["slug"],
                        "project": p["slug"],
                        "milestone": m["id"],
                        "title": m["title"],
                        "amount": m["invoice"],
                        "currency": p["currency"],
                        "approved_on": m["approved_on"],
                        "invoiced": invoiced,
                        "due": m["due"],
                    }
                )
    return rows


def invoices_csv(rows: list[dict]) -> str:
    return csv_text(INVOICE_COLUMNS, rows)


def invoices_json(rows: list[dict]) -> str:
    return json_text(rows)


# --- plan -> Jira ---------------------------------------------------------------------------


def jira_csv(plans: Path, target: str) -> str:
    """CLIENT/PROJECT's milestones as epics for Jira's CSV importer (dates yyyy-MM-dd)."""
    client, project = split_target(plans, target)
    state = client_states(plans, client)[0]
    found = next((p for p in state.projects if p.project.slug == project), None)
    if found is None:
        known = ", ".join(p.project.slug for p in state.projects) or "none"
        raise UsageError(f"project `{project}` not found in {client}; projects: {known}")
    doc = next(p for p in status_document(state)["projects"] if p["slug"] == project)
    rows = []
    for s, m in zip(found.milestones, doc["milestones"]):
        parts = [f"Owner: {m['owner']}"] if m["owner"] else []
        for heading, items in (
            ("Deliverables", [d.title for d in s.milestone.deliverables]),
            ("Acceptance criteria", list(s.milestone.acceptance)),
        ):
            if items:
                parts.append(
                    heading + ":\n" + "\n".join(f"* {redact(' '.join(i.split()))}" for i in items)
                )
        rows.append(
            {
                "Issue Type": "Epic",
                "Summary": m["title"],
                "Epic Name": m["title"],
                "Due Date": m["due"],
                "Description": "\n\n".join(parts),
            }
        )
    return csv_text(JIRA_COLUMNS, rows)

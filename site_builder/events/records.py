"""The event records of `site-builder events`: their types, the client/project/milestone
part every record has, and their one-line text for terminals and logs."""

from __future__ import annotations

import re

from ..site.render import json_text
from ..site.text import redact

ADDED, DUE_MOVED, DELIVERED = "milestone-added", "due-moved", "delivered"
CHANGES_REQUESTED, REJECTED, APPROVED_EVENT, REMOVED = (
    "changes-requested",
    "rejected",
    "approved",
    "milestone-removed",
)
# Records with the same date, client, project and milestone come in this order.
TYPES = (ADDED, DUE_MOVED, DELIVERED, CHANGES_REQUESTED, REJECTED, APPROVED_EVENT, REMOVED)
OVERDUE, DUE_SOON = "overdue", "due-soon"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --- shared record pieces ----------------------------------------------------------------------


def where(
    client: str, client_name: str, project: str, project_title: str, mid: str, title: str
) -> dict:
    return {
        "client": {"slug": client, "name": json_text(client_name)},
        "project": {"slug": project, "title": json_text(project_title)},
        "milestone": {"id": mid, "title": json_text(title)},
    }


# --- text output ---------------------------------------------------------------------------------


def plain_text(value) -> str:
    """Plan text for a terminal: no control characters (escape sequences), no emails."""
    return _CONTROL.sub("?", redact(str(value)))


def record_path(r: dict) -> str:
    return f"{r['client']['slug']}/{r['project']['slug']}/{r['milestone']['id']}"


def change_line(r: dict) -> str:
    kind = r["type"]
    if kind == ADDED:
        what = f"milestone added: {r['milestone']['title']} (due {r['due']})"
    elif kind == REMOVED:
        what = f"milestone removed: {r['milestone']['title']}"
    elif kind == DUE_MOVED:
        what = f"due date moved from {r['from']} to {r['to']}"
    elif kind == DELIVERED:
        what = f"delivered on {r['delivered']}"
    else:
        what = f"{kind.replace('-', ' ')} by {r['by']}"
        if not r["counted"]:
            what += f"; does not count (signature {r['signature']})"
        elif r["invoice"] is not None:
            what += f"; invoice {r['invoice']:,} {r['currency']} released"
    return plain_text(f"{r['date']}  {record_path(r)}  {what}  [{r['commit']}]")

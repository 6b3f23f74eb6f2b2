"""`site-builder events --due-within N`: milestones not approved whose due date is at most N
days after the client's today (overdue ones included), from the working tree, like `status`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..derive import APPROVED
from ..model import Client
from ..site.render import json_day, json_text
from .records import DUE_SOON, OVERDUE, plain_text, record_path, where

# --- due soon ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """The due-soon and overdue records, and the clients they name as validation loaded them
    (language, site address, signers: what chat payloads and digests need)."""

    records: list[dict]
    clients: dict[str, Client]


def due_records(plans: Path, within: int, today: dt.date | None = None) -> Due:
    """Milestones not approved and due at most `within` days after the client's today, with
    the clients they name."""
    from ..build import validate

    found = []
    states = validate(plans, today=today).states
    for state in states:
        client, day = state.client, state.today
        for project in state.projects:
            for position, s in enumerate(project.milestones):
                m = s.milestone
                left = (m.due - day).days
                if s.status == APPROVED or left > within:
                    continue
                record = {
                    "type": OVERDUE if left < 0 else DUE_SOON,
                    **where(
                        client.slug,
                        client.name,
                        project.project.slug,
                        project.project.title,
                        m.id,
                        m.title,
                    ),
                    "owner": json_text(m.owner),
                    "due": json_day(m.due),
                    "days_left": left,
                    "status": s.status,
                    "today": day.isoformat(),
                }
                found.append(((m.due, client.slug, project.project.slug, position), record))
    found.sort(key=lambda item: item[0])
    records = [record for _, record in found]
    named = {r["client"]["slug"] for r in records}
    return Due(records, {s.client.slug: s.client for s in states if s.client.slug in named})


def due_line(r: dict) -> str:
    left = r["days_left"]
    when = (
        f"overdue by {-left} day(s)"
        if left < 0
        else "due today"
        if left == 0
        else f"due in {left} day(s)"
    )
    owner = f", owner {r['owner']}" if r["owner"] else ""
    return plain_text(
        f"{r['due']}  {record_path(r)}  {when}: {r['milestone']['title']} ({r['status']}{owner})"
    )

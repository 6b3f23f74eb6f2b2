"""The plan revision an approval made on a status page is bound to.

`plan_revision(project)` names the plan exactly as the client's page shows it: the first 16
hex digits of SHA-256 over a canonical JSON of the published plan (title, summary, currency
and every published field of every milestone, email addresses redacted as on the page). The
page puts it in the notes it signs (`plan_revision:`); `site-builder receive` refuses a note
whose revision is not the current one, so a client cannot approve a plan that has changed
since the page they signed on was built.

Why a content hash rather than a git commit id: it is the same in CI and on a laptop, in a
shallow clone, without git and with uncommitted edits; it changes only when what the client
sees changes (not for comments or `internal:` notes); and it is made from published text only,
so it reveals nothing that is not on the page. Its limit: documents a deliverable links to
are named, not hashed: replacing a file under documents/ keeps the revision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

from ..model import Milestone, Project
from . import emails

# Milestone fields that are not what the client sees (where it was written; team notes).
_UNPUBLISHED = {"source", "internal"}


def shown_deliverables(milestone: Milestone) -> list[str]:
    """The deliverable titles of a milestone as its page lists them (and a note repeats)."""
    return [emails.redact(d.title) for d in milestone.deliverables]


def plan_revision(project: Project) -> str:
    """The revision of a project's plan as published (see the module docstring)."""
    data = {
        "title": project.title,
        "summary": project.summary,
        "currency": project.currency,
        "milestones": [
            {
                f.name: getattr(m, f.name)
                for f in dataclasses.fields(m)
                if f.name not in _UNPUBLISHED
            }
            for m in project.milestones
        ],
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(emails.redact(text).encode("utf-8")).hexdigest()[:16]


def _plain(value):
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot hash {type(value).__name__}")

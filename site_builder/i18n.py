"""Labels shown on client sites, per language, and locale-aware dates and money (Babel).

A label missing in the client's language falls back to English.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency

EN = {
    "overview": "Overview",
    "projects": "Projects",
    "project": "Project",
    "progress": "Progress",
    "approved_of": "{approved} of {total} milestones approved",
    "current_checkpoint": "Current checkpoint",
    "what_next": "What comes next",
    "nothing_next": "Nothing after this checkpoint.",
    "complete": "Complete: every milestone is approved.",
    "timeline": "Timeline",
    "milestones": "Milestones",
    "approval_history": "Approval history",
    "no_approvals": "No decisions recorded yet.",
    "schedule_changes": "Schedule changes",
    "no_schedule_changes": "No due date has moved.",
    "billing": "Billing",
    "invoiced": "Invoiced (approved milestones)",
    "remaining": "Remaining",
    "total": "Total",
    "owner": "Owner",
    "due": "Due",
    "delivered": "Delivered",
    "approved_on": "Approved",
    "phase": "Phase",
    "deliverables": "Deliverables",
    "acceptance": "Acceptance criteria",
    "depends_on": "Depends on",
    "invoice": "Invoice",
    "status": "Status",
    "milestone": "Milestone",
    "decision": "Decision",
    "date": "Date",
    "by": "By",
    "signature": "Signature",
    "not_counted": "does not count: a verified signature is required",
    "reviewed": "Reviewed",
    "moved": "planned for {old}, moved to {new} on {date}",
    "baseline": "Originally due",
    "recorded": "recorded by {author} on {date}",
    "scope_changes": "Scope changes after sign-off",
    "scope_change": "{fields} changed on {date}, after approval on {approved}",
    "field.title": "title",
    "field.deliverables": "deliverables",
    "field.acceptance": "acceptance criteria",
    "health": "Health",
    "overdue": "overdue",
    "days_to_approval": "Mean days to approval",
    "slippage_rate": "Slippage rate",
    "machine_readable": "Machine-readable status",
    "last_updated": "Last updated",
    "status_as_of": "Status as of {date}",
    "health.on-track": "On track",
    "health.at-risk": "At risk",
    "health.overdue": "Overdue",
    "health.complete": "Complete",
    "status.approved": "Approved",
    "status.changes-requested": "Changes requested",
    "status.awaiting-approval": "Awaiting your approval",
    "status.in-progress": "In progress",
    "status.upcoming": "Upcoming",
    "decision.approved": "Approved",
    "decision.changes-requested": "Changes requested",
    "decision.rejected": "Rejected",
    "signature.verified": "Verified signature",
    "signature.unsigned": "Not signed",
    "signature.invalid": "Signature does not verify",
    "signature.unknown-signer": "Signed by an unknown key",
}

LABELS: dict[str, dict[str, str]] = {"en": EN}


class Translator:
    """Labels, dates and money for one site language."""

    def __init__(self, language: str):
        self.language = language
        self.labels = {**EN, **LABELS.get(language.split("-")[0], {}), **LABELS.get(language, {})}
        try:
            self.locale = Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en")

    def __call__(self, key: str, **values) -> str:
        text = self.labels.get(key, key)
        return text.format(**values) if values else text

    def fields(self, names) -> str:
        """Plan field names as readable labels: "deliverables, acceptance criteria"."""
        return ", ".join(self(f"field.{name}") for name in names)

    def date(self, value: dt.date | None) -> str:
        return format_date(value, format="medium", locale=self.locale) if value else ""

    def money(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return ""
        return format_currency(amount, currency, locale=self.locale)


def missing_labels(language: str) -> list[str]:
    """English labels with no translation in `language` (for `check` warnings)."""
    base = language.split("-")[0]
    if base == "en":
        return []
    have = {**LABELS.get(base, {}), **LABELS.get(language, {})}
    return [k for k in EN if k not in have]

"""The internal team dashboard: every client and project on one site (OUT/_team).

Unlike client sites, this one may show `internal:` notes. It is built from the same derived
state as the client sites and is never mixed into them.

The figures are pure functions of derived state (`portfolio`), so tests can check them against
hand-computed values:

* **health** of a project is `derive.health` (overdue, at risk: due within 7 days and not
  delivered, on track, complete); a client's is its worst project's.
* **days waiting** = the client's today − `delivered`, for each awaiting-approval milestone.
* **milestone variance** = mean `variance_days` of the approved milestones (approval date −
  baseline due; negative is early).
* **slippage rate** = slipped / (approved + overdue), pooled over the milestones of the group
  (not a mean of project rates); None when nothing is approved or overdue.
* **mean days to approval** = mean `days_to_approval` over the milestones that have one.
* **invoiced** (approved), **awaiting approval** (invoice of awaiting-approval milestones) and
  **remaining** (not approved) are sums *per currency*: amounts in different currencies are
  never added together.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..derive import (
    APPROVED,
    AT_RISK,
    AWAITING,
    COMPLETE,
    ON_TRACK,
    OVERDUE_HEALTH,
    ClientState,
    MilestoneState,
    ProjectState,
    slippage_rate,
)
from ..model import Client
from .i18n import Translator
from .render import SiteBundle, environment, page
from .text import redact

TEAM_SLUG = "_team"
HEALTH_ORDER = (OVERDUE_HEALTH, AT_RISK, ON_TRACK, COMPLETE)  # worst first
SLIPPAGE_MONTHS = 12  # the slippage chart shows this many months, up to today's

Money = tuple[tuple[str, Decimal], ...]  # (currency, amount), sorted by currency


@dataclass(frozen=True)
class Figures:
    """The portfolio metrics of a group of milestones (a project, a client, everything)."""

    projects: int
    milestones: int
    approved: int
    overdue: int  # overdue milestones
    awaiting: int  # milestones awaiting the client's approval
    health: str  # the worst health of the group's projects
    mean_variance_days: float | None
    slipped: int
    slippage_rate: float | None
    mean_days_to_approval: float | None
    invoiced: Money
    awaiting_approval: Money  # invoice amounts of awaiting-approval milestones
    remaining: Money


@dataclass(frozen=True)
class Waiting:
    """A milestone delivered and waiting for the client's decision."""

    client: Client
    project: ProjectState
    milestone: MilestoneState
    days: int  # the client's today - delivered
    currency: str


@dataclass(frozen=True)
class LastChange:
    """The newest commit git credits with a change to a project's milestones: a due date
    moved, a scope edit after approval, or an approval note added (derive's history)."""

    date: dt.date
    author: str
    commit: str  # short sha
    what: str  # "schedule", "scope" or "approval"


def last_change(p: ProjectState) -> LastChange | None:
    """The project's most recent recorded change (on the same date: the one listed last)."""
    changes = [LastChange(c.date, c.author, c.commit, "schedule") for c in p.schedule_changes]
    changes += [LastChange(c.date, c.author, c.commit, "scope") for c in p.scope_changes]
    changes += [
        LastChange(a.provenance.date, a.provenance.author, a.provenance.commit, "approval")
        for a in p.approvals
        if a.provenance is not None
    ]
    return max(reversed(changes), key=lambda c: c.date, default=None)


@dataclass(frozen=True)
class ProjectRow:
    client: Client
    state: ProjectState
    today: dt.date  # the client's today
    figures: Figures
    waiting: tuple[Waiting, ...]

    @property
    def longest_wait(self) -> int | None:
        return max((w.days for w in self.waiting), default=None)

    @property
    def last_change(self) -> LastChange | None:
        return last_change(self.state)


@dataclass(frozen=True)
class ClientRow:
    client: Client
    today: dt.date
    projects: tuple[ProjectRow, ...]
    figures: Figures

    @property
    def has_notes(self) -> bool:
        """Whether the client, or any of its projects, milestones or approval notes, has
        `internal:` notes."""
        return has_notes(self.client.internal) or any(
            has_notes(r.state.project.internal)
            or any(has_notes(s.milestone.internal) for s in r.state.milestones)
            or any(has_notes(a.internal) for a in r.state.project.approvals)
            for r in self.projects
        )


@dataclass(frozen=True)
class MonthSlippage:
    """Milestones approved in one month, and how many of them after their baseline date."""

    month: dt.date  # first day of the month
    approved: int
    late: int

    @property
    def rate(self) -> float | None:
        return round(self.late / self.approved, 4) if self.approved else None


@dataclass(frozen=True)
class Portfolio:
    today: dt.date
    clients: tuple[ClientRow, ...]
    total: Figures
    waiting: tuple[Waiting, ...]  # longest wait first
    slippage: tuple[MonthSlippage, ...]  # oldest month first

    @property
    def projects(self) -> tuple[ProjectRow, ...]:
        return tuple(p for c in self.clients for p in c.projects)

    @property
    def clients_by_health(self) -> tuple[ClientRow, ...]:
        """Worst health first, then by name: the order a delivery lead reads them in."""
        return tuple(
            sorted(
                self.clients,
                key=lambda c: (
                    HEALTH_ORDER.index(c.figures.health),
                    c.client.name.lower(),
                    c.client.slug,
                ),
            )
        )

    @property
    def projects_by_health(self) -> tuple[ProjectRow, ...]:
        """Worst health first; then the longest wait for approval, then client and title."""
        return tuple(
            sorted(
                self.projects,
                key=lambda r: (
                    HEALTH_ORDER.index(r.state.health),
                    -(r.longest_wait or 0),
                    r.client.name.lower(),
                    r.client.slug,
                    r.state.project.title.lower(),
                    r.state.project.slug,
                ),
            )
        )


# --- figures ----------------------------------------------------------------------------------


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _money(pairs: Iterable[tuple[str, Decimal | None]], currencies: Iterable[str]) -> Money:
    totals: dict[str, Decimal] = {c: Decimal(0) for c in currencies}
    for currency, amount in pairs:
        if amount is not None:
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    return tuple(sorted(totals.items()))


def worst_health(healths: Iterable[str]) -> str:
    found = set(healths)
    return next((h for h in HEALTH_ORDER if h in found), COMPLETE)


def figures(projects: Iterable[ProjectState]) -> Figures:
    """Metrics pooled over the milestones of `projects` (see the module docstring)."""
    projects = list(projects)
    pairs = [(s, p.project.currency) for p in projects for s in p.milestones]
    states = [s for s, _ in pairs]
    approved = [s for s in states if s.status == APPROVED]
    overdue = [s for s in states if s.overdue]
    currencies = {c for s, c in pairs if s.milestone.invoice is not None}
    return Figures(
        projects=len(projects),
        milestones=len(states),
        approved=len(approved),
        overdue=len(overdue),
        awaiting=sum(1 for s in states if s.status == AWAITING),
        health=worst_health(p.health for p in projects),
        mean_variance_days=_mean(
            [s.variance_days for s in approved if s.variance_days is not None]
        ),
        slipped=sum(1 for s in states if s.slipped),
        slippage_rate=slippage_rate(states),
        mean_days_to_approval=_mean(
            [s.days_to_approval for s in states if s.days_to_approval is not None]
        ),
        invoiced=_money(
            ((c, s.milestone.invoice) for s, c in pairs if s.status == APPROVED), currencies
        ),
        awaiting_approval=_money(
            ((c, s.milestone.invoice) for s, c in pairs if s.status == AWAITING), currencies
        ),
        remaining=_money(
            ((c, s.milestone.invoice) for s, c in pairs if s.status != APPROVED), currencies
        ),
    )


def waiting(client: Client, p: ProjectState, today: dt.date) -> tuple[Waiting, ...]:
    """The project's milestones awaiting the client's approval, with days since delivery."""
    return tuple(
        Waiting(client, p, s, (today - s.milestone.delivered).days, p.project.currency)
        for s in p.milestones
        if s.status == AWAITING and s.milestone.delivered
    )


def slippage_by_month(
    projects: Iterable[ProjectState], today: dt.date, months: int = SLIPPAGE_MONTHS
) -> tuple[MonthSlippage, ...]:
    """Approvals per month (of the approval date) and how many came after the baseline date,
    for the `months` months up to today's, oldest first; months without approvals included."""
    counts: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for p in projects:
        for s in p.milestones:
            if s.approved_on is None:
                continue
            month = s.approved_on.replace(day=1)
            counts[month][0] += 1
            counts[month][1] += s.approved_on > s.baseline_due
    if not counts:
        return ()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    first = max(first, min(counts))
    rows, month = [], first
    while month <= today.replace(day=1):
        approved, late = counts.get(month, (0, 0))
        rows.append(MonthSlippage(month, approved, late))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return tuple(rows)


def portfolio(states: Iterable[ClientState], today: dt.date) -> Portfolio:
    """Every figure the dashboard shows, per project, per client and in total."""
    clients = []
    for state in states:
        rows = tuple(
            ProjectRow(
                state.client, p, state.today, figures([p]), waiting(state.client, p, state.today)
            )
            for p in state.projects
        )
        clients.append(ClientRow(state.client, state.today, rows, figures(r.state for r in rows)))
    projects = [r.state for c in clients for r in c.projects]
    every_wait = [w for c in clients for r in c.projects for w in r.waiting]
    every_wait.sort(key=lambda w: (-w.days, w.client.slug, w.project.project.slug, w.milestone.id))
    return Portfolio(
        today,
        tuple(clients),
        figures(projects),
        tuple(every_wait),
        slippage_by_month(projects, today),
    )


# --- internal notes ---------------------------------------------------------------------------


def internal_html(value: Any, depth: int = 0) -> Markup:
    """Free-form `internal:` data as escaped, YAML-like HTML: mappings as definition lists,
    sequences as bullet lists, text as text (line breaks kept)."""
    if depth > 32:
        return Markup("…")
    if isinstance(value, dict):
        items = "".join(
            f"<dt>{_h(key)}</dt><dd>{internal_html(item, depth + 1)}</dd>"
            for key, item in value.items()
        )
        return Markup(f'<dl class="sb-internal-map">{items}</dl>')
    if isinstance(value, (list, tuple)):
        items = "".join(f"<li>{internal_html(item, depth + 1)}</li>" for item in value)
        return Markup(f'<ul class="sb-internal-list">{items}</ul>')
    if value is None:
        return Markup('<span class="sb-meta">(empty)</span>')
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, (dt.date, dt.datetime)):
        return Markup(_h(value.isoformat()))
    return Markup(f'<span class="sb-internal-text">{_h(str(value).strip())}</span>')


def _h(value: Any) -> str:
    return html.escape(redact(str(value)), quote=True)


def has_notes(value: Any) -> bool:
    return value not in (None, {}, [], "")


# --- the site ---------------------------------------------------------------------------------


def shown(money: Money) -> Money:
    """The amounts worth showing: those that are not zero (all of them when every one is)."""
    return tuple((c, a) for c, a in money if a) or money


def money_html(t: Translator, money: Money) -> Markup:
    """Amounts per currency, one per line: never added across currencies."""
    return Markup(
        "<br>".join(
            html.escape(t.money(amount, currency, whole=True)) for currency, amount in shown(money)
        )
        or "–"
    )


def money_sort(money: Money) -> str:
    """A sort key for a money cell: the amount when there is one currency, else nothing."""
    return str(money[0][1]) if len(money) == 1 else ""


def client_href(client: Client) -> str:
    """Where a client's site is, from the dashboard: its folder in the same build output
    (OUT/<slug>/, beside OUT/_team). Deliberately not the published address: a link-mode site
    is published under a secret path, which the dashboard does not need to know, and this
    link works from disk and on any host that serves the build output as it is."""
    return f"../{client.slug}/index.html"


def render_team_site(states: Sequence[ClientState], templates: Path, today: dt.date) -> SiteBundle:
    """The team dashboard's pages (English: it is for the delivery team)."""
    t = Translator("en")
    env = environment(templates)
    data = portfolio(states, today)
    html_text = env.get_template("team.html.j2").render(
        states=states,
        today=today,
        t=t,
        portfolio=data,
        internal=internal_html,
        has_notes=has_notes,
        money=lambda m: money_html(t, m),
        money_sort=money_sort,
        shown=shown,
        client_href=client_href,
        health_order=HEALTH_ORDER,
    )
    return SiteBundle(
        slug=TEAM_SLUG,
        site_name="Delivery dashboard",
        language="en",
        site_url=None,
        primary_color="blue grey",
        logo=None,
        pages=(page("index.html", "Portfolio", html_text),),
        files=(),
        today=today,
    )

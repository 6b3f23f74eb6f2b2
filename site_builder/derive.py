"""Derive stage: the status of every milestone and project (spec section 3).

Pure functions over the model: no I/O, `today` and the git history are passed in. Everything a
page, feed or status.json shows about progress comes from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .model import (
    Approval,
    Client,
    Milestone,
    MilestoneHistory,
    Project,
    Provenance,
    ScheduleChange,
    ScopeEdit,
)
from .plans.signatures import VERIFIED

APPROVED, CHANGES_REQUESTED, AWAITING, IN_PROGRESS, UPCOMING = (
    "approved",
    "changes-requested",
    "awaiting-approval",
    "in-progress",
    "upcoming",
)
STATUSES = (APPROVED, CHANGES_REQUESTED, AWAITING, IN_PROGRESS, UPCOMING)
# Project health, worst first.
OVERDUE_HEALTH, AT_RISK, ON_TRACK, COMPLETE = "overdue", "at-risk", "on-track", "complete"
AT_RISK_DAYS = 7


@dataclass(frozen=True)
class ApprovalState:
    approval: Approval
    counted: bool
    provenance: Provenance | None = None


@dataclass(frozen=True)
class MilestoneState:
    milestone: Milestone
    status: str
    overdue: bool
    baseline_due: dt.date
    decision: Approval | None = None  # the counted note that decides the status
    approved_on: dt.date | None = None
    variance_days: int | None = None
    days_to_approval: int | None = None
    slipped: bool = False
    is_current: bool = False

    @property
    def id(self) -> str:
        return self.milestone.id


@dataclass(frozen=True)
class Metrics:
    slippage_rate: float | None
    mean_days_to_approval: float | None
    invoiced: Decimal
    remaining: Decimal
    approved: int
    total: int
    overdue: int


# Whose move it is (NextStep.whose) and what the next step is (NextStep.action).
CLIENT, TEAM, NOBODY = "client", "team", "nobody"
REVIEW, REVISE, WORKING, DONE = "review", "revise", "working", "complete"
REVIEW_WORKING_DAYS = 5  # without `approve_by`: the client gets at least this long to decide


@dataclass(frozen=True)
class NextStep:
    """The one sentence at the top of a client's page: whose move it is, on which milestone,
    what is asked (review, revise, working, complete) and by when.

    `late`: `by` has passed. A late step of the team's is the team's delay, never the client's.
    """

    whose: str  # client | team | nobody
    action: str  # review | revise | working | complete
    milestone: MilestoneState | None = None
    by: dt.date | None = None
    late: bool = False


@dataclass(frozen=True)
class ProjectState:
    project: Project
    milestones: tuple[MilestoneState, ...]
    current: MilestoneState | None
    next: tuple[MilestoneState, ...]
    approvals: tuple[ApprovalState, ...]  # oldest first
    schedule_changes: tuple[ScheduleChange, ...]
    metrics: Metrics
    health: str
    scope_changes: tuple[ScopeEdit, ...] = ()  # edits committed after the milestone's approval
    next_step: NextStep = NextStep(NOBODY, DONE)
    # every commit that edited a title, deliverables or acceptance (the calendar's SEQUENCE)
    scope_edits: tuple[ScopeEdit, ...] = ()

    @property
    def complete(self) -> bool:
        return self.current is None


@dataclass(frozen=True)
class ClientState:
    client: Client
    today: dt.date
    projects: tuple[ProjectState, ...] = field(default=())


def counts(client: Client, approval: Approval) -> bool:
    """Whether a note decides anything: with required signatures, only verified notes do."""
    return approval.signature == VERIFIED or not client.require_signed_approvals


def derive_client(
    client: Client,
    today: dt.date,
    history: Mapping[tuple[str, str], MilestoneHistory] | None = None,
    provenance: Mapping[tuple[str, str], Provenance] | None = None,
) -> ClientState:
    """The state of every project of a client.

    `history` maps (project, milestone id) and `provenance` maps (project, note file name).
    """
    history, provenance = history or {}, provenance or {}
    return ClientState(
        client,
        today,
        tuple(
            derive_project(
                client,
                project,
                today,
                {
                    m.id: history[(project.slug, m.id)]
                    for m in project.milestones
                    if (project.slug, m.id) in history
                },
                {
                    a.name: provenance[(project.slug, a.name)]
                    for a in project.approvals
                    if (project.slug, a.name) in provenance
                },
            )
            for project in client.projects
        ),
    )


def derive_project(
    client: Client,
    project: Project,
    today: dt.date,
    history: Mapping[str, MilestoneHistory] | None = None,
    provenance: Mapping[str, Provenance] | None = None,
) -> ProjectState:
    history, provenance = history or {}, provenance or {}
    approvals = tuple(
        ApprovalState(a, counts(client, a), provenance.get(a.name)) for a in project.approvals
    )
    decisions: dict[str, Approval] = {}
    for state in approvals:  # oldest first, so the latest counted note wins
        if state.counted:
            decisions[state.approval.milestone] = state.approval

    current_id = next(
        (m.id for m in project.milestones if _decision(decisions.get(m.id)) != APPROVED), None
    )
    built = []
    for m in project.milestones:
        decision = decisions.get(m.id)
        hist = history.get(m.id)
        built.append(
            milestone_state(
                m, decision, today, m.id == current_id, hist.baseline_due if hist else m.due
            )
        )
    states = tuple(built)
    current = next((s for s in states if s.is_current), None)
    following = tuple(states[states.index(current) + 1 :]) if current else ()
    changes = tuple(
        sorted(
            (c for h in history.values() for c in h.changes),
            key=lambda c: (c.date, c.commit, c.milestone),
        )
    )
    metrics = project_metrics(states)
    return ProjectState(
        project,
        states,
        current,
        following,
        approvals,
        changes,
        metrics,
        health(states, today),
        scope_changes(states, history),
        next_step(current, today),
        tuple(
            sorted(
                (e for h in history.values() for e in h.scope_edits),
                key=lambda e: (e.date, e.commit, e.milestone),
            )
        ),
    )


def add_working_days(day: dt.date, count: int) -> dt.date:
    """`count` working days (Monday to Friday; public holidays are not known) after `day`."""
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def approve_by(m: Milestone) -> dt.date | None:
    """When the client's decision on a delivered milestone is due: plan.yml `approve_by`, else
    the due date, or 5 working days after delivery when that is later (a late delivery never
    leaves the client less time). None before delivery."""
    if m.approve_by is not None:
        return m.approve_by
    if m.delivered is None:
        return None
    return max(m.due, add_working_days(m.delivered, REVIEW_WORKING_DAYS))


def next_step(current: MilestoneState | None, today: dt.date) -> NextStep:
    """Whose move it is on the current milestone (the first one not approved), and by when.

    awaiting approval -> the client reviews and decides by `approve_by`; changes requested or
    rejected -> the team revises, next delivery on the due date; in progress -> the team is
    working, expected on the due date; nothing left -> complete.
    """
    if current is None:
        return NextStep(NOBODY, DONE)
    if current.status == AWAITING:
        by = approve_by(current.milestone)
        return NextStep(CLIENT, REVIEW, current, by, by is not None and by < today)
    due = current.milestone.due
    action = REVISE if current.status == CHANGES_REQUESTED else WORKING
    return NextStep(TEAM, action, current, due, due < today)


def delay_owner(s: MilestoneState, today: dt.date) -> str | None:
    """Whose delay an overdue milestone is, as the client's page shows it: the client's only
    when it waits for their decision past its `approve_by` date; the team's when it is not
    delivered, is being revised, or was delivered late and the client's time to decide has not
    run out; None when not overdue, or delivered on time and still within the decision time."""
    if not s.overdue:
        return None
    if s.status != AWAITING:
        return TEAM
    by = approve_by(s.milestone)
    if by is not None and by < today:
        return CLIENT
    return TEAM if s.milestone.delivered and s.milestone.delivered > s.milestone.due else None


def scope_changes(
    states: tuple[MilestoneState, ...], history: Mapping[str, MilestoneHistory]
) -> tuple[ScopeEdit, ...]:
    """Edits to title, deliverables or acceptance committed after the milestone's approval."""
    found = [
        edit
        for s in states
        if s.approved_on and s.id in history
        for edit in history[s.id].scope_edits
        if edit.date > s.approved_on
    ]
    return tuple(sorted(found, key=lambda e: (e.date, e.commit, e.milestone)))


def _decision(approval: Approval | None) -> str | None:
    if approval is None:
        return None
    return APPROVED if approval.decision == "approved" else CHANGES_REQUESTED


def milestone_state(
    m: Milestone, decision: Approval | None, today: dt.date, is_current: bool, baseline_due: dt.date
) -> MilestoneState:
    """Status rules of spec section 3, first match wins."""
    decided = _decision(decision)
    if decided:
        status = decided
    elif m.delivered is not None:
        status = AWAITING
    elif is_current:
        status = IN_PROGRESS
    else:
        status = UPCOMING
    approved_on = decision.date if decision is not None and decided == APPROVED else None
    overdue = status != APPROVED and m.due < today
    variance = (approved_on - baseline_due).days if approved_on else None
    days_to_approval = (approved_on - m.delivered).days if approved_on and m.delivered else None
    slipped = (approved_on is not None and approved_on > baseline_due) or overdue
    return MilestoneState(
        m,
        status,
        overdue,
        baseline_due,
        decision,
        approved_on,
        variance,
        days_to_approval,
        slipped,
        is_current,
    )


def slippage_rate(states: Sequence[MilestoneState]) -> float | None:
    """Slipped / (approved + overdue): the share of milestones that slipped past their
    baseline among those whose outcome is known; None while none is."""
    approved = sum(1 for s in states if s.status == APPROVED)
    overdue = sum(1 for s in states if s.overdue)
    slipped = sum(1 for s in states if s.slipped)
    return round(slipped / (approved + overdue), 4) if approved + overdue else None


def project_metrics(states: tuple[MilestoneState, ...]) -> Metrics:
    approved = [s for s in states if s.status == APPROVED]
    overdue = [s for s in states if s.overdue]
    waits = [s.days_to_approval for s in states if s.days_to_approval is not None]
    return Metrics(
        slippage_rate=slippage_rate(states),
        mean_days_to_approval=round(sum(waits) / len(waits), 2) if waits else None,
        invoiced=sum((s.milestone.invoice for s in approved if s.milestone.invoice), Decimal(0)),
        remaining=sum(
            (s.milestone.invoice for s in states if s.status != APPROVED and s.milestone.invoice),
            Decimal(0),
        ),
        approved=len(approved),
        total=len(states),
        overdue=len(overdue),
    )


def health(states: tuple[MilestoneState, ...], today: dt.date) -> str:
    """complete, overdue (anything overdue), at-risk (due within 7 days, not delivered), on-track."""
    if all(s.status == APPROVED for s in states):
        return COMPLETE
    if any(s.overdue for s in states):
        return OVERDUE_HEALTH
    soon = today + dt.timedelta(days=AT_RISK_DAYS)
    if any(
        s.status in (IN_PROGRESS, UPCOMING, CHANGES_REQUESTED) and s.milestone.due <= soon
        for s in states
    ):
        return AT_RISK
    return ON_TRACK

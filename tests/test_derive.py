"""Status rules of spec section 3, as pure functions with `today` passed in."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from site_builder.build import client_today
from site_builder.derive import derive_project
from site_builder.model import Approval, Client, Milestone, MilestoneHistory, Project, Source

D = dt.date.fromisoformat
SRC = Source(Path("plan.yml"), 1)


def ms(mid, due, delivered=None, invoice=None):
    return Milestone(
        id=mid,
        title=mid.title(),
        due=D(due),
        source=SRC,
        delivered=D(delivered) if delivered else None,
        invoice=Decimal(invoice) if invoice is not None else None,
    )


def note(milestone, date, decision="approved", name=None, signature="unsigned"):
    return Approval(
        name=name or f"{date}-{milestone}.md",
        milestone=milestone,
        decision=decision,
        date=D(date),
        by_name="Ada",
        by_email="ada@x.example",
        source=SRC,
        signature=signature,
    )


def project(milestones, approvals=()):
    approvals = tuple(sorted(approvals, key=lambda a: (a.date, a.name)))
    return Project(
        slug="p",
        title="P",
        path=Path("p"),
        source=SRC,
        milestones=tuple(milestones),
        approvals=approvals,
    )


def client(require=False):
    return Client(slug="c", name="C", path=Path("c"), source=SRC, require_signed_approvals=require)


THREE = [
    ms("kickoff", "2026-01-10", "2026-01-08", 1000),
    ms("design", "2026-02-10", "2026-02-05", 3000),
    ms("launch", "2026-03-10", None, 6000),
]


def by_id(state):
    return {s.id: s for s in state.milestones}


def test_statuses_current_next_and_billing():
    p = project(THREE, [note("kickoff", "2026-01-09")])
    state = derive_project(client(), p, D("2026-02-01"))
    s = by_id(state)
    assert [s[m].status for m in ("kickoff", "design", "launch")] == [
        "approved",
        "awaiting-approval",
        "upcoming",
    ]
    assert state.current.id == "design" and [n.id for n in state.next] == ["launch"]
    assert s["kickoff"].approved_on == D("2026-01-09")
    assert s["kickoff"].variance_days == -1 and s["kickoff"].days_to_approval == 1
    assert state.metrics.invoiced == 1000 and state.metrics.remaining == 9000
    assert state.metrics.slippage_rate == 0.0
    assert state.metrics.mean_days_to_approval == 1.0


def test_in_progress_is_the_current_checkpoint_without_delivery():
    p = project([ms("a", "2026-01-10"), ms("b", "2026-02-10")])
    s = by_id(derive_project(client(), p, D("2026-01-01")))
    assert (s["a"].status, s["b"].status) == ("in-progress", "upcoming")


def test_latest_decision_wins_and_ties_go_by_file_name():
    p = project(
        THREE,
        [
            note("kickoff", "2026-01-09", "changes-requested"),
            note("kickoff", "2026-01-12", "approved"),
            note("design", "2026-02-06", "approved", name="a.md"),
            note("design", "2026-02-06", "rejected", name="b.md"),
        ],
    )
    state = derive_project(client(), p, D("2026-02-07"))
    s = by_id(state)
    assert s["kickoff"].status == "approved" and s["kickoff"].approved_on == D("2026-01-12")
    assert s["design"].status == "changes-requested"
    assert state.current.id == "design"


def test_approval_after_changes_requested_can_be_reversed_again():
    p = project(
        THREE, [note("kickoff", "2026-01-09"), note("kickoff", "2026-01-20", "changes-requested")]
    )
    assert (
        by_id(derive_project(client(), p, D("2026-01-21")))["kickoff"].status == "changes-requested"
    )


def test_all_approved_means_complete_with_no_current():
    p = project(
        THREE,
        [note("kickoff", "2026-01-09"), note("design", "2026-02-12"), note("launch", "2026-03-09")],
    )
    state = derive_project(client(), p, D("2026-04-01"))
    assert state.complete and state.current is None and state.next == ()
    assert state.health == "complete"
    assert state.metrics.invoiced == 10000 and state.metrics.remaining == 0
    assert state.metrics.slippage_rate == round(1 / 3, 4)  # design approved after its due date


def test_overdue_is_shown_beside_the_status_and_counts_as_slipped():
    p = project(THREE, [note("kickoff", "2026-01-09")])
    state = derive_project(client(), p, D("2026-02-11"))
    design = by_id(state)["design"]
    assert design.status == "awaiting-approval" and design.overdue and design.slipped
    assert not by_id(state)["launch"].overdue
    assert state.metrics.slippage_rate == 0.5  # 1 slipped of (1 approved + 1 overdue)
    assert state.health == "overdue"


def test_due_today_is_not_overdue_yet():
    p = project(THREE, [note("kickoff", "2026-01-09")])
    assert not by_id(derive_project(client(), p, D("2026-02-10")))["design"].overdue


def test_unsigned_notes_do_not_count_when_signatures_are_required():
    p = project(
        THREE,
        [
            note("kickoff", "2026-01-09", signature="verified"),
            note("design", "2026-02-06", signature="unsigned"),
            note("design", "2026-02-07", signature="invalid"),
        ],
    )
    state = derive_project(client(require=True), p, D("2026-02-08"))
    assert by_id(state)["design"].status == "awaiting-approval"
    assert [a.counted for a in state.approvals] == [True, False, False]
    same_without_requirement = derive_project(client(), p, D("2026-02-08"))
    assert by_id(same_without_requirement)["design"].status == "approved"


def test_baseline_and_variance_come_from_history():
    p = project(THREE, [note("kickoff", "2026-01-12")])
    history = {"kickoff": MilestoneHistory(D("2026-01-05"))}
    k = by_id(derive_project(client(), p, D("2026-01-20"), history))["kickoff"]
    assert k.baseline_due == D("2026-01-05") and k.variance_days == 7 and k.slipped


def test_no_slippage_rate_without_approved_or_overdue():
    state = derive_project(client(), project(THREE), D("2026-01-01"))
    assert state.metrics.slippage_rate is None and state.metrics.mean_days_to_approval is None


def test_at_risk_when_due_within_a_week_and_not_delivered():
    p = project([ms("a", "2026-01-10")])
    assert derive_project(client(), p, D("2026-01-04")).health == "at-risk"
    assert derive_project(client(), p, D("2026-01-02")).health == "on-track"
    delivered = project([ms("a", "2026-01-10", "2026-01-03")])
    assert derive_project(client(), delivered, D("2026-01-04")).health == "on-track"


def test_today_is_decided_in_the_clients_time_zone():
    # 23:30 UTC on 9 Feb is already 10 Feb in Berlin and still 9 Feb in Chicago.
    now = dt.datetime(2026, 2, 9, 23, 30, tzinfo=dt.timezone.utc)
    berlin = Client(slug="b", name="B", path=Path("b"), source=SRC, timezone="Europe/Berlin")
    chicago = Client(slug="c", name="C", path=Path("c"), source=SRC, timezone="America/Chicago")
    assert client_today(berlin, None, now=now) == D("2026-02-10")
    assert client_today(chicago, None, now=now) == D("2026-02-09")
    assert client_today(berlin, D("2026-01-01"), now=now) == D("2026-01-01")
    # The same milestone due 9 Feb is overdue for the Berlin client only.
    p = project([ms("a", "2026-02-09")])
    assert by_id(derive_project(berlin, p, client_today(berlin, None, now=now)))["a"].overdue
    assert not by_id(derive_project(chicago, p, client_today(chicago, None, now=now)))["a"].overdue

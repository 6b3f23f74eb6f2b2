"""`site-builder events --since`: what changed in the plans between two git revisions.

**Change events** (`--since A [--until B]`, B defaults to HEAD) are the net difference between
the plans as committed at A and at B; reading the range from git is gitrange.py's part. Each
event names the commit that made it: the last commit in the range that changed that value (B
itself when only a merge did), found in the range's `git log --raw`.

Event types: milestone-added, due-moved, delivered (`delivered` newly set), changes-requested,
rejected, approved, milestone-removed. An approval note added or changed in the range is an
event of its decision. When the client requires signatures it counts only with a verified
signature (`counted`); a signature added later to an unchanged note is an event only when it
makes the note count. `invoice` is the amount released: set only on the counted approval that
turned the milestone approved (it was not approved at A and this note is its decision at B).

The records' types and text are in records.py, reading one revision in revisions.py; due
dates are in due.py, delivery to a webhook in webhooks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..derive import counts
from ..errors import Diagnostic, PlanError
from ..model import Milestone
from ..plans import schema
from ..plans.gitlog import Commit
from ..site.feeds import public_name
from ..site.render import json_amount, json_day, json_text
from .gitrange import GitRange, open_range
from .records import ADDED, DELIVERED, DUE_MOVED, REMOVED, TYPES, where
from .revisions import LightReader, NotesAt, PlanAt


@dataclass(frozen=True)
class Changes:
    records: list[dict]
    warnings: list[Diagnostic]
    since: Commit
    until: Commit


class _Events:
    """The event records of one range: `records()`."""

    def __init__(self, range_: GitRange):
        self.range = range_
        self.a, self.b, self.prefix = range_.a, range_.b, range_.prefix
        self._light = LightReader()

    def records(self) -> list[dict]:
        rng, prefix = self.range, self.prefix
        plan_paths: dict[str, tuple[str, str]] = {}  # changed plan.yml -> (client, project)
        note_projects, clients = set(), set()
        for path in rng.changed_files():
            parts = rng.rel(path)
            if not parts or not schema.SLUG_RE.match(parts[0]):
                continue
            if len(parts) == 3 and parts[2] == "plan.yml":
                plan_paths[path] = (parts[0], parts[1])
                clients.add(parts[0])
            elif (
                len(parts) == 4
                and parts[2] == "approvals"
                and parts[3].endswith((".md", ".md.sig"))
            ):
                note_projects.add((parts[0], parts[1]))
                clients.add(parts[0])
        if not clients:
            return []

        log = rng.log()
        folders = [f"{prefix}{c}/{p}/approvals" for c, p in sorted(note_projects)]
        listed = {self.a: rng.ls_tree(self.a, folders), self.b: rng.ls_tree(self.b, folders)}
        projects = note_projects | set(plan_paths.values())
        sides = (self.a, self.b)
        wanted = [rng.at(f"{prefix}{c}/client.yml", s) for c in clients for s in sides]
        wanted += [rng.at(f"{prefix}{c}/{p}/plan.yml", s) for c, p in projects for s in sides]
        wanted += [oid for files in listed.values() for oid in files.values()]
        wanted += [
            blob
            for _, entries in log
            for status, _, path, blob in entries
            if path in plan_paths and status != "D"
        ]
        rng.read(wanted)

        client_at = {
            (c, s): rng.client(c, rng.at(f"{prefix}{c}/client.yml", s), s)
            for c in sorted(clients)
            for s in sides
        }
        plan_at: dict[tuple, PlanAt | None] = {}
        unreadable: set[tuple] = set()  # (client, project, side): present but not readable
        for c, p in sorted(projects):
            path = f"{prefix}{c}/{p}/plan.yml"
            for s in sides:
                plan_at[(c, p, s)] = rng.plan(rng.at(path, s), path, s)
                if plan_at[(c, p, s)] is None and rng.at(path, s) in rng.blobs:
                    unreadable.add((c, p, s))

        found: list[tuple[tuple, dict]] = []
        for path, (c, p) in sorted(plan_paths.items()):
            if (c, p, self.a) in unreadable or (c, p, self.b) in unreadable:
                continue  # warned (at A) or an error (at B)
            found += self._plan_events(
                c, p, path, plan_at[(c, p, self.a)], plan_at[(c, p, self.b)], client_at, log
            )
        for c, p in sorted(note_projects):
            folder = f"{prefix}{c}/{p}/approvals/"
            before = NotesAt.listed(client_at[(c, self.a)], listed[self.a], folder)
            after = NotesAt.listed(client_at[(c, self.b)], listed[self.b], folder)
            found += self._approval_events(
                c, p, folder, plan_at[(c, p, self.a)], plan_at[(c, p, self.b)], before, after, log
            )
        if rng.errors.errors:
            raise PlanError(rng.errors.errors)
        found.sort(key=lambda item: item[0])
        return [record for _, record in found]

    def _plan_events(self, c, p, path, before, after, client_at, log) -> list[tuple[tuple, dict]]:
        before, after = before or PlanAt("", "USD", {}), after or PlanAt("", "USD", {})
        last = self._last_changes(path, log)
        client = client_at[(c, self.b)] or client_at[(c, self.a)]
        client_name = client.name if client else c
        out = []

        def event(kind, m: Milestone, plan: PlanAt, changed: str, position: int, **extra):
            commit = last.get((m.id, changed), self.b)
            record = {
                "id": f"{c}/{p}/{m.id}/{kind}@{commit.short}",
                "type": kind,
                "date": commit.date.isoformat(),
                "commit": commit.short,
                **where(c, client_name, p, plan.title, m.id, m.title),
                "due": json_day(m.due),
                "delivered": json_day(m.delivered),
                "from": None,
                "to": None,
                "by": None,
                "note": None,
                "signature": None,
                "counted": None,
                "invoice": None,
                "currency": plan.currency,
                **extra,
            }
            out.append(
                ((record["date"], c, p, position, TYPES.index(kind), "", commit.short), record)
            )

        for mid, m in after.milestones.items():
            old = before.milestones.get(mid)
            position = after.position(mid)
            if old is None:
                event(ADDED, m, after, "present", position)
            elif old.due != m.due:
                event(
                    DUE_MOVED,
                    m,
                    after,
                    "due",
                    position,
                    **{"from": json_day(old.due), "to": json_day(m.due)},
                )
            if m.delivered is not None and (old is None or old.delivered is None):
                event(DELIVERED, m, after, "delivered", position)
        for mid, m in before.milestones.items():
            if mid not in after.milestones:
                event(REMOVED, m, before, "present", 10_000 + before.position(mid))
        return out

    def _last_changes(self, path: str, log) -> dict[tuple[str, str], Commit]:
        """(milestone, field) -> the commit in the range that made the value B has.

        A commit makes a value when it differs from the value at every parent; a merge that
        takes one side's value inherits that side's commit. Parents outside the range count
        as the plan at A."""
        rng, reader = self.range, self._light
        at_a = reader.read(rng.blob(rng.at(path, self.a))) or {}
        state: dict[str, dict] = {}  # sha -> plan items at that commit (path only)
        made: dict[str, dict[tuple[str, str], Commit]] = {}  # sha -> who made each value

        def value(items: dict, mid: str, field: str):
            item = items.get(mid)
            if field == "present":
                return item is not None
            return None if item is None else item[0 if field == "due" else 1]

        for commit, entries in log:
            parents = [p for p in commit.parents if p in state] or [None]
            first = state.get(parents[0], at_a) if parents[0] else at_a
            current = first
            for status, _, changed, blob in entries:
                if changed == path:
                    read = {} if status == "D" else reader.read(rng.blob(blob))
                    current = first if read is None else read  # unreadable: keep the parent's
            state[commit.sha] = current
            credit: dict[tuple[str, str], Commit] = {}
            for mid in {
                m for p in parents for m in (state.get(p, at_a) if p else at_a)
            } | current.keys():
                for key in ("present", "due", "delivered"):
                    mine = value(current, mid, key)
                    same = [
                        p
                        for p in parents
                        if value(state.get(p, at_a) if p else at_a, mid, key) == mine
                    ]
                    if not same:
                        credit[(mid, key)] = commit
                    elif same[0] and (mid, key) in made.get(same[0], {}):
                        credit[(mid, key)] = made[same[0]][(mid, key)]
            made[commit.sha] = credit
        return made[log[-1][0].sha] if log else {}  # the (rewritten) tip: B

    def _approval_events(
        self, c, p, folder, plan_a, plan_b, before: NotesAt, after: NotesAt, log
    ) -> list[tuple[tuple, dict]]:
        rng = self.range
        changed = [
            n
            for n, oid in sorted(after.files.items())
            if (oid, after.sigs.get(n)) != (before.files.get(n), before.sigs.get(n))
        ]
        if not changed:
            return []
        if plan_b is None or after.client is None:
            if not rng.errors.errors:  # nothing reported yet: say why the notes are not read
                missing = "plan.yml" if plan_b is None else "client.yml"
                for n in changed:
                    rng.errors.error(
                        rng.top / (folder + n),
                        0,
                        f"approval note without a readable {missing} (in revision {self.b.short})",
                    )
            return []
        after.parsed = {
            n: a
            for n, oid in sorted(after.files.items())
            if (a := rng.note(oid, folder + n, plan_b.milestones, self.b))
        }
        if before.client is not None:
            ids = (plan_a or plan_b).milestones
            before.parsed = {
                n: a
                for n, oid in sorted(before.files.items())
                if (a := rng.note(oid, folder + n, ids, self.a))
            }

        touched: dict[str, Commit] = {}  # note name -> last commit changing it or its .sig
        for commit, entries in log:
            for _, _, path, _ in entries:
                if path.startswith(folder):
                    touched[path[len(folder) :].removesuffix(".sig")] = commit
        out = []
        for name in changed:
            if name not in after.parsed:
                continue  # reported as an error
            note = rng.signed(after, name)
            counted = counts(after.client, note)
            if before.files.get(name) == after.files[name]:  # only its signature changed
                counted_before = (
                    before.client is not None
                    and name in before.parsed
                    and counts(before.client, rng.signed(before, name))
                )
                if not counted or counted_before:
                    continue  # it did not start to count: nothing was decided
            milestone = plan_b.milestones[note.milestone]
            released = None
            if note.decision == "approved" and counted:
                now, then = (
                    rng.decision(after, note.milestone),
                    rng.decision(before, note.milestone),
                )
                if (
                    now is not None
                    and now.name == name
                    and (then is None or then.decision != "approved")
                ):
                    released = milestone.invoice
            commit = touched.get(name, self.b)
            record = {
                "id": (
                    f"{c}/{p}/{note.milestone}/{note.decision}/{public_name(name)}@{commit.short}"
                ),
                "type": note.decision,
                "date": note.date.isoformat(),
                "commit": commit.short,
                **where(c, after.client.name, p, plan_b.title, milestone.id, milestone.title),
                "due": json_day(milestone.due),
                "delivered": json_day(milestone.delivered),
                "from": None,
                "to": None,
                "by": json_text(note.by_name),
                "note": json_text(name),
                "signature": note.signature,
                "counted": counted,
                "invoice": json_amount(released),
                "currency": plan_b.currency,
            }
            out.append(
                (
                    (
                        record["date"],
                        c,
                        p,
                        plan_b.position(note.milestone),
                        TYPES.index(note.decision),
                        name,
                        commit.short,
                    ),
                    record,
                )
            )
        return out


def change_events(plans: Path, since: str, until: str = "HEAD") -> Changes:
    """The events between two revisions of the plans (see the module docstring)."""
    with open_range(plans, since, until) as range_:
        records = _Events(range_).records()
    return Changes(records, range_.warnings, range_.a, range_.b)

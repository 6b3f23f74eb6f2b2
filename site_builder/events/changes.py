"""`site-builder events --since`: what changed in the plans between two git revisions.

**Change events** (`--since A [--until B]`, B defaults to HEAD) are the net difference between
the plans as committed at A and at B, read from git without a checkout and with a fixed number
of git processes whatever the size of the range:

* one `git diff-tree A B` names the files that differ;
* one `git log --raw A..B` finds, for each change, the commit that made it (the last commit in
  the range that changed that value; B itself when only a merge did);
* `git ls-tree` lists the approval notes of the projects whose notes changed, at A and at B;
* one `git cat-file --batch` reads every blob needed (gitlog.read_blobs).

Plans and notes are parsed with the loader's schema (load.py). A file that cannot be read at B
is an error (the events would be wrong); at A, a warning, and that file's changes are skipped.

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

import dataclasses
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..derive import counts
from ..errors import Diagnostic, Diagnostics, PlanError, SiteBuilderError, UsageError
from ..model import Approval, Client, Milestone, Source
from ..plans import schema, signatures
from ..plans.clients import client_from_text
from ..plans.files import MAX_YAML_BYTES, decode, parse_yaml
from ..plans.gitlog import LOG_FORMAT, Commit, open_repo, parse_log, read_blobs
from ..plans.notes import parse_approval_note
from ..site.feeds import public_name
from ..site.render import json_amount, json_day, json_text
from .records import ADDED, DELIVERED, DUE_MOVED, REMOVED, TYPES, where
from .revisions import LightReader, NotesAt, PlanAt, one_error, resolve_revision

_ZERO = "0" * 40


class EventsError(SiteBuilderError):
    """Events could not be computed for a reason outside the plans (git, ssh-keygen)."""


@dataclass(frozen=True)
class Changes:
    records: list[dict]
    warnings: list[Diagnostic]
    since: Commit
    until: Commit


class _Range:
    """Everything read for one `--since A --until B`; `records()` computes the events."""

    def __init__(self, repo, top: Path, prefix: str, a: Commit, b: Commit):
        self.repo, self.top, self.prefix, self.a, self.b = repo, top, prefix, a, b
        self.errors = Diagnostics()  # files at B that cannot be read: fatal
        self.warnings: list[Diagnostic] = []
        self.blobs: dict[str, bytes | None] = {}
        self._verifiers: dict[tuple, signatures.Verifier] = {}
        self._states: dict[tuple, str] = {}
        self._light = LightReader()

    # git plumbing

    def _git(self, *args: str) -> str:
        import git

        try:
            return getattr(self.repo.git, args[0].replace("-", "_"))(
                *args[1:], strip_newline_in_stdout=False
            )
        except git.GitCommandError as exc:
            detail = (exc.stderr or "").strip().splitlines()
            raise EventsError(f"git {args[0]} failed: {detail[-1] if detail else exc}") from None

    def _rel(self, path: str) -> tuple[str, ...] | None:
        """A repository path as parts below the plans folder; None when outside it."""
        if not path.startswith(self.prefix):
            return None
        return tuple(PurePosixPath(path[len(self.prefix) :]).parts)

    def _diff(self) -> dict[str, tuple[str | None, str | None]]:
        """path -> (blob at A, blob at B) for every file that differs (None: absent)."""
        out = self._git(
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--raw",
            "--no-abbrev",
            self.a.sha,
            self.b.sha,
            "--",
            self.prefix or ".",
        )
        tokens, changed, i = out.split("\0"), {}, 0
        while i + 1 < len(tokens):
            meta = tokens[i]
            if not meta.startswith(":"):
                i += 1
                continue
            old_mode, new_mode, old, new = meta[1:].split()[:4]
            if "160000" not in (old_mode, new_mode):  # submodules are not plan files
                changed[tokens[i + 1]] = (
                    None if old == _ZERO else old,
                    None if new == _ZERO else new,
                )
            i += 2
        return changed

    def _ls_tree(self, commit: Commit, folders: list[str]) -> dict[str, str]:
        """path -> blob of every file under `folders` at `commit`."""
        if not folders:
            return {}
        out = self._git("ls-tree", "-r", "-z", commit.sha, "--", *folders)
        files = {}
        for entry in filter(None, out.split("\0")):
            meta, _, path = entry.partition("\t")
            mode, kind, oid = meta.split()
            if kind == "blob":
                files[path] = oid
        return files

    # parsing

    def _file(self, name: str | None, path: str, at: Commit) -> tuple[str | None, Path]:
        """The text of a blob (None: absent or reported) and the path to report it under."""
        shown = self.top / path
        if name is None or name not in self.blobs:
            return None, shown
        data = self.blobs[name]
        diags = Diagnostics()
        if data is None:
            diags.error(shown, 0, f"file is too large (the limit is {MAX_YAML_BYTES:,} bytes)")
            text = None
        else:
            text = decode(shown, data, diags)
        self._problems(diags, at, path)
        return text, shown

    def _problems(self, diags: Diagnostics, at: Commit, path: str) -> bool:
        """Record the problems of a file read at `at`; True when there were errors."""
        if not diags.errors:
            return False
        if at is self.b:
            for d in diags.errors:
                self.errors.error(d.path, d.line, f"{d.message} (in revision {at.short})")
        else:
            self.warnings.append(
                Diagnostic(
                    self.top / path,
                    0,
                    "warning",
                    f"cannot be read in revision {at.short} "
                    f"({diags.errors[0].message}); its changes since then are not reported",
                )
            )
        return True

    def client(self, slug: str, name: str | None, at: Commit) -> Client | None:
        path = f"{self.prefix}{slug}/client.yml"
        text, shown = self._file(name, path, at)
        if text is None:
            return None
        diags = Diagnostics()
        client = client_from_text(slug, shown, text, diags)
        if self._problems(diags, at, path) or client is None:
            return None
        return client

    def plan(self, name: str | None, path: str, at: Commit) -> PlanAt | None:
        text, shown = self._file(name, path, at)
        if text is None:
            return None
        diags = Diagnostics()
        fields = parse_yaml(shown, text, schema.PLAN, diags)
        if self._problems(diags, at, path) or fields is None:
            return None
        milestones: dict[str, Milestone] = {}
        for item in fields.get("milestones") or []:
            mid = item.get("id")
            if mid in milestones:
                self._problems(
                    one_error(shown, item.line_of("id"), f"milestone id `{mid}` is used twice"),
                    at,
                    path,
                )
                return None
            milestones[mid] = Milestone(
                id=mid,
                title=item["title"],
                due=item["due"],
                source=Source(shown, item.line),
                owner=item.get("owner"),
                delivered=item.get("delivered"),
                invoice=item.get("invoice"),
            )
        return PlanAt(fields["title"], fields.get("currency", "USD"), milestones)

    def note(self, oid: str, path: str, ids: Iterable[str], at: Commit) -> Approval | None:
        """An approval note at `at`; its signature state is filled in by `signed`."""
        shown = self.top / path
        raw = self.blobs.get(oid)
        diags = Diagnostics()
        parsed = None
        if raw is None:
            diags.error(shown, 0, f"file is too large (the limit is {MAX_YAML_BYTES:,} bytes)")
        else:
            parsed = parse_approval_note(shown, raw, ids, diags)
        if self._problems(diags, at, path) or parsed is None:
            return None
        fields, body = parsed
        name, email = fields["by"]
        return Approval(
            name=PurePosixPath(path).name,
            milestone=fields["milestone"],
            decision=fields.get("decision", "approved"),
            date=fields["date"],
            by_name=name,
            by_email=email,
            source=Source(shown, fields.line),
            signature=signatures.UNSIGNED,
            body=body,
        )

    def signed(self, side: NotesAt, name: str) -> Approval:
        """A parsed note with its signature state, checked against the client's signers."""
        note, oid, sig = side.parsed[name], side.files[name], side.sigs.get(name)
        if sig is None:
            return note
        key = (oid, sig, note.by_email, side.client.signers)
        if key not in self._states:
            verifier = self._verifiers.get(side.client.signers)
            if verifier is None:
                verifier = self._verifiers[side.client.signers] = self._stack.enter_context(
                    signatures.Verifier(side.client.signers)
                )
            data = self.blobs.get(sig)
            try:
                self._states[key] = verifier.state(
                    self.blobs[oid],
                    data if data is not None else b"too large",
                    note.by_email,
                    note.date,
                )
            except signatures.SshKeygenMissing as exc:
                raise EventsError(f"{exc}; install OpenSSH (openssh-client)") from None
        return dataclasses.replace(note, signature=self._states[key])

    def decision(self, side: NotesAt, mid: str) -> Approval | None:
        """The note that decides a milestone (spec 3: latest counted note by date, then name)."""
        if side.client is None:
            return None
        notes = [
            self.signed(side, n) if side.client.require_signed_approvals else a
            for n, a in side.parsed.items()
            if a.milestone == mid
        ]
        return max(
            (a for a in notes if counts(side.client, a)),
            key=lambda a: (a.date, a.name),
            default=None,
        )

    # the events

    def records(self) -> list[dict]:
        with ExitStack() as self._stack:
            return self._records()

    def at(self, path: str, side: Commit) -> str | None:
        """The object name of a file at A or B (None: absent)."""
        if path in self.diff:
            return self.diff[path][0 if side is self.a else 1]
        return f"{self.b.sha}:{path}"  # unchanged between A and B (may be absent in both)

    def _records(self) -> list[dict]:
        self.diff = self._diff()
        plan_paths, note_projects, clients = set(), set(), set()
        for path in self.diff:
            parts = self._rel(path)
            if not parts or not schema.SLUG_RE.match(parts[0]):
                continue
            if len(parts) == 3 and parts[2] == "plan.yml":
                plan_paths.add(path)
                clients.add(parts[0])
            elif (
                len(parts) == 4
                and parts[2] == "approvals"
                and parts[3].endswith((".md", ".md.sig"))
            ):
                note_projects.add(parts[:2])
                clients.add(parts[0])
        if not clients:
            return []

        # Each commit is compared with its own (rewritten) parents, merges with their first
        # parent, as history.py does: a change merged from a branch is the branch commit's.
        log = list(
            parse_log(
                self._git(
                    "log",
                    "--reverse",
                    "--topo-order",
                    "--full-history",
                    "--parents",
                    "--diff-merges=first-parent",
                    "--no-renames",
                    "--raw",
                    "--no-abbrev",
                    "-z",
                    f"--format={LOG_FORMAT}",
                    f"{self.a.sha}..{self.b.sha}",
                    "--",
                    self.prefix or ".",
                )
            )
        )
        folders = [f"{self.prefix}{c}/{p}/approvals" for c, p in sorted(note_projects)]
        listed = {self.a: self._ls_tree(self.a, folders), self.b: self._ls_tree(self.b, folders)}
        projects = note_projects | {self._rel(path)[:2] for path in plan_paths}
        sides = (self.a, self.b)
        wanted = [self.at(f"{self.prefix}{c}/client.yml", s) for c in clients for s in sides]
        wanted += [self.at(f"{self.prefix}{c}/{p}/plan.yml", s) for c, p in projects for s in sides]
        wanted += [oid for files in listed.values() for oid in files.values()]
        wanted += [
            blob
            for _, entries in log
            for status, _, path, blob in entries
            if path in plan_paths and status != "D"
        ]
        self.blobs = read_blobs(self.repo, [w for w in wanted if w], MAX_YAML_BYTES)

        client_at = {
            (c, s): self.client(c, self.at(f"{self.prefix}{c}/client.yml", s), s)
            for c in sorted(clients)
            for s in sides
        }
        plan_at: dict[tuple, PlanAt | None] = {}
        unreadable: set[tuple] = set()  # (client, project, side): present but not readable
        for c, p in sorted(projects):
            path = f"{self.prefix}{c}/{p}/plan.yml"
            for s in sides:
                plan_at[(c, p, s)] = self.plan(self.at(path, s), path, s)
                if plan_at[(c, p, s)] is None and self.at(path, s) in self.blobs:
                    unreadable.add((c, p, s))

        found: list[tuple[tuple, dict]] = []
        for path in sorted(plan_paths):
            c, p = self._rel(path)[:2]
            if (c, p, self.a) in unreadable or (c, p, self.b) in unreadable:
                continue  # warned (at A) or an error (at B)
            found += self._plan_events(
                c, p, path, plan_at[(c, p, self.a)], plan_at[(c, p, self.b)], client_at, log
            )
        for c, p in sorted(note_projects):
            folder = f"{self.prefix}{c}/{p}/approvals/"
            before = NotesAt.listed(client_at[(c, self.a)], listed[self.a], folder)
            after = NotesAt.listed(client_at[(c, self.b)], listed[self.b], folder)
            found += self._approval_events(
                c, p, folder, plan_at[(c, p, self.a)], plan_at[(c, p, self.b)], before, after, log
            )
        if self.errors.errors:
            raise PlanError(self.errors.errors)
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
        reader = self._light
        at_a = reader.read(self.blobs.get(self.at(path, self.a))) or {}
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
                    read = {} if status == "D" else reader.read(self.blobs.get(blob))
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
        changed = [
            n
            for n, oid in sorted(after.files.items())
            if (oid, after.sigs.get(n)) != (before.files.get(n), before.sigs.get(n))
        ]
        if not changed:
            return []
        if plan_b is None or after.client is None:
            if not self.errors.errors:  # nothing reported yet: say why the notes are not read
                missing = "plan.yml" if plan_b is None else "client.yml"
                for n in changed:
                    self.errors.error(
                        self.top / (folder + n),
                        0,
                        f"approval note without a readable {missing} (in revision {self.b.short})",
                    )
            return []
        after.parsed = {
            n: a
            for n, oid in sorted(after.files.items())
            if (a := self.note(oid, folder + n, plan_b.milestones, self.b))
        }
        if before.client is not None:
            ids = (plan_a or plan_b).milestones
            before.parsed = {
                n: a
                for n, oid in sorted(before.files.items())
                if (a := self.note(oid, folder + n, ids, self.a))
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
            note = self.signed(after, name)
            counted = counts(after.client, note)
            if before.files.get(name) == after.files[name]:  # only its signature changed
                was = self.signed(before, name) if name in before.parsed else None
                if not counted or (was is not None and counts(before.client, was)):
                    continue  # it did not start to count: nothing was decided
            milestone = plan_b.milestones[note.milestone]
            released = None
            if note.decision == "approved" and counted:
                now, then = (
                    self.decision(after, note.milestone),
                    self.decision(before, note.milestone),
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
    plans = Path(plans)
    if not plans.is_dir():
        raise UsageError(f"plans folder `{plans}` not found")
    repo = open_repo(plans)
    if repo is None or not repo.head.is_valid():
        raise UsageError(
            "`events --since` reads git history, but the plans folder is not in "
            "a git repository with commits"
        )
    top = Path(repo.working_tree_dir).resolve()
    try:
        prefix = plans.resolve().relative_to(top).as_posix()
    except ValueError:
        raise UsageError("the plans folder is outside its git working tree") from None
    prefix = "" if prefix == "." else prefix + "/"
    shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
    a = resolve_revision(repo, "--since", since, shallow)
    b = resolve_revision(repo, "--until", until, shallow)
    reader = _Range(repo, top, prefix, a, b)
    records = reader.records()
    return Changes(records, reader.warnings, a, b)

"""`site-builder events`: what changed in the plans between two git revisions, what is due soon.

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

**Due soon** (`--due-within N`): milestones not approved whose due date is at most N days after
the client's today (overdue ones included), from the working tree, like `status`.

`deliver` posts each record as JSON to a webhook (HMAC signature optional), with retries
(honouring Retry-After) and wall-clock deadlines per request and per run; errors never show
the URL's query, its user info or the secret.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import email.utils
import functools
import hashlib
import hmac
import http.client
import io
import json
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from .. import __version__
from ..derive import APPROVED, counts
from ..errors import Diagnostic, Diagnostics, PlanError, SiteBuilderError, UsageError
from ..model import Approval, Client, Milestone, Source
from ..plans import schema, signatures
from ..plans.clients import signers_of
from ..plans.files import MAX_YAML_BYTES, decode, parse_yaml
from ..plans.gitlog import LOG_FORMAT, Commit, open_repo, parse_log, read_blobs
from ..plans.history import RevisionReader, yaml_data
from ..plans.notes import parse_approval_note
from ..site.feeds import public_name
from ..site.render import json_amount, json_day, json_text
from ..site.text import redact
from ..textsafe import printable

ADDED, DUE_MOVED, DELIVERED = "milestone-added", "due-moved", "delivered"
CHANGES_REQUESTED, REJECTED, APPROVED_EVENT, REMOVED = (
    "changes-requested", "rejected", "approved", "milestone-removed")
# Records with the same date, client, project and milestone come in this order.
TYPES = (ADDED, DUE_MOVED, DELIVERED, CHANGES_REQUESTED, REJECTED, APPROVED_EVENT, REMOVED)
OVERDUE, DUE_SOON = "overdue", "due-soon"

_ZERO = "0" * 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class EventsError(SiteBuilderError):
    """Events could not be computed for a reason outside the plans (git, ssh-keygen)."""


class WebhookError(SiteBuilderError):
    """A record could not be delivered to the webhook (exit status 1)."""


@dataclass(frozen=True)
class Changes:
    records: list[dict]
    warnings: list[Diagnostic]
    since: Commit
    until: Commit


# --- shared record pieces ----------------------------------------------------------------------


def _where(client: str, client_name: str, project: str, project_title: str, mid: str,
           title: str) -> dict:
    return {"client": {"slug": client, "name": json_text(client_name)},
            "project": {"slug": project, "title": json_text(project_title)},
            "milestone": {"id": mid, "title": json_text(title)}}


# --- reading revisions -------------------------------------------------------------------------


@dataclass
class _Plan:
    title: str
    currency: str
    milestones: dict[str, Milestone]  # in plan order

    def position(self, mid: str) -> int:
        return list(self.milestones).index(mid)


class _LightReader:
    """id -> (due, delivered) as written in a plan.yml revision, to find the commit of a change
    (history.RevisionReader's per-milestone cache, with a lighter extract)."""

    def __init__(self) -> None:
        self._reader = RevisionReader(self._items)

    def read(self, data: bytes | None) -> dict[str, tuple] | None:
        """None when unreadable."""
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return self._reader.read(text)

    @staticmethod
    def _items(node) -> dict[str, tuple] | None:
        if not isinstance(node, yaml.SequenceNode):
            return None
        try:
            items = yaml_data(node, [50_000])
        except ValueError:
            return None
        out: dict[str, tuple] = {}
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.setdefault(item["id"], (item.get("due"), item.get("delivered")))
        return out


class _Range:
    """Everything read for one `--since A --until B`; `records()` computes the events."""

    def __init__(self, repo, top: Path, prefix: str, a: Commit, b: Commit):
        self.repo, self.top, self.prefix, self.a, self.b = repo, top, prefix, a, b
        self.errors = Diagnostics()  # files at B that cannot be read: fatal
        self.warnings: list[Diagnostic] = []
        self.blobs: dict[str, bytes | None] = {}
        self._verifiers: dict[tuple, signatures.Verifier] = {}
        self._states: dict[tuple, str] = {}
        self._light = _LightReader()

    # git plumbing

    def _git(self, *args: str) -> str:
        import git

        try:
            return getattr(self.repo.git, args[0].replace("-", "_"))(
                *args[1:], strip_newline_in_stdout=False)
        except git.GitCommandError as exc:
            detail = (exc.stderr or "").strip().splitlines()
            raise EventsError(f"git {args[0]} failed: {detail[-1] if detail else exc}") from None

    def _rel(self, path: str) -> tuple[str, ...] | None:
        """A repository path as parts below the plans folder; None when outside it."""
        if not path.startswith(self.prefix):
            return None
        return tuple(PurePosixPath(path[len(self.prefix):]).parts)

    def _diff(self) -> dict[str, tuple[str | None, str | None]]:
        """path -> (blob at A, blob at B) for every file that differs (None: absent)."""
        out = self._git("diff-tree", "-r", "-z", "--no-renames", "--raw", "--no-abbrev",
                        self.a.sha, self.b.sha, "--", self.prefix or ".")
        tokens, changed, i = out.split("\0"), {}, 0
        while i + 1 < len(tokens):
            meta = tokens[i]
            if not meta.startswith(":"):
                i += 1
                continue
            old_mode, new_mode, old, new = meta[1:].split()[:4]
            if "160000" not in (old_mode, new_mode):  # submodules are not plan files
                changed[tokens[i + 1]] = (None if old == _ZERO else old,
                                          None if new == _ZERO else new)
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
            self.warnings.append(Diagnostic(
                self.top / path, 0, "warning", f"cannot be read in revision {at.short} "
                f"({diags.errors[0].message}); its changes since then are not reported"))
        return True

    def client(self, slug: str, name: str | None, at: Commit) -> Client | None:
        path = f"{self.prefix}{slug}/client.yml"
        text, shown = self._file(name, path, at)
        if text is None:
            return None
        diags = Diagnostics()
        fields = parse_yaml(shown, text, schema.CLIENT, diags)
        signers = signers_of(shown, fields, diags) if fields is not None else ()
        if self._problems(diags, at, path) or fields is None:
            return None
        return Client(slug=slug, name=fields["name"], path=shown.parent,
                      source=Source(shown, fields.line),
                      require_signed_approvals=fields.get("require_signed_approvals", False),
                      signers=signers)

    def plan(self, name: str | None, path: str, at: Commit) -> _Plan | None:
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
                self._problems(_one_error(shown, item.line_of("id"),
                                          f"milestone id `{mid}` is used twice"), at, path)
                return None
            milestones[mid] = Milestone(
                id=mid, title=item["title"], due=item["due"], source=Source(shown, item.line),
                owner=item.get("owner"), delivered=item.get("delivered"),
                invoice=item.get("invoice"))
        return _Plan(fields["title"], fields.get("currency", "USD"), milestones)

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
        return Approval(name=PurePosixPath(path).name, milestone=fields["milestone"],
                        decision=fields.get("decision", "approved"), date=fields["date"],
                        by_name=name, by_email=email, source=Source(shown, fields.line),
                        signature=signatures.UNSIGNED, body=body)

    def signed(self, side: _Notes, name: str) -> Approval:
        """A parsed note with its signature state, checked against the client's signers."""
        note, oid, sig = side.parsed[name], side.files[name], side.sigs.get(name)
        if sig is None:
            return note
        key = (oid, sig, note.by_email, side.client.signers)
        if key not in self._states:
            verifier = self._verifiers.get(side.client.signers)
            if verifier is None:
                verifier = self._verifiers[side.client.signers] = self._stack.enter_context(
                    signatures.Verifier(side.client.signers))
            data = self.blobs.get(sig)
            try:
                self._states[key] = verifier.state(
                    self.blobs[oid], data if data is not None else b"too large", note.by_email,
                    note.date)
            except signatures.SshKeygenMissing as exc:
                raise EventsError(f"{exc}; install OpenSSH (openssh-client)") from None
        return dataclasses.replace(note, signature=self._states[key])

    def decision(self, side: _Notes, mid: str) -> Approval | None:
        """The note that decides a milestone (spec 3: latest counted note by date, then name)."""
        if side.client is None:
            return None
        notes = [self.signed(side, n) if side.client.require_signed_approvals else a
                 for n, a in side.parsed.items() if a.milestone == mid]
        return max((a for a in notes if counts(side.client, a)),
                   key=lambda a: (a.date, a.name), default=None)

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
            elif len(parts) == 4 and parts[2] == "approvals" and \
                    parts[3].endswith((".md", ".md.sig")):
                note_projects.add(parts[:2])
                clients.add(parts[0])
        if not clients:
            return []

        # Each commit is compared with its own (rewritten) parents, merges with their first
        # parent, as history.py does: a change merged from a branch is the branch commit's.
        log = list(parse_log(self._git(
            "log", "--reverse", "--topo-order", "--full-history", "--parents",
            "--diff-merges=first-parent", "--no-renames", "--raw", "--no-abbrev", "-z",
            f"--format={LOG_FORMAT}", f"{self.a.sha}..{self.b.sha}", "--",
            self.prefix or ".")))
        folders = [f"{self.prefix}{c}/{p}/approvals" for c, p in sorted(note_projects)]
        listed = {self.a: self._ls_tree(self.a, folders), self.b: self._ls_tree(self.b, folders)}
        projects = note_projects | {self._rel(path)[:2] for path in plan_paths}
        sides = (self.a, self.b)
        wanted = [self.at(f"{self.prefix}{c}/client.yml", s) for c in clients for s in sides]
        wanted += [self.at(f"{self.prefix}{c}/{p}/plan.yml", s) for c, p in projects
                   for s in sides]
        wanted += [oid for files in listed.values() for oid in files.values()]
        wanted += [blob for _, entries in log for status, _, path, blob in entries
                   if path in plan_paths and status != "D"]
        self.blobs = read_blobs(self.repo, [w for w in wanted if w], MAX_YAML_BYTES)

        client_at = {(c, s): self.client(c, self.at(f"{self.prefix}{c}/client.yml", s), s)
                     for c in sorted(clients) for s in sides}
        plan_at: dict[tuple, _Plan | None] = {}
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
            found += self._plan_events(c, p, path, plan_at[(c, p, self.a)],
                                       plan_at[(c, p, self.b)], client_at, log)
        for c, p in sorted(note_projects):
            folder = f"{self.prefix}{c}/{p}/approvals/"
            before = _Notes.listed(client_at[(c, self.a)], listed[self.a], folder)
            after = _Notes.listed(client_at[(c, self.b)], listed[self.b], folder)
            found += self._approval_events(c, p, folder, plan_at[(c, p, self.a)],
                                           plan_at[(c, p, self.b)], before, after, log)
        if self.errors.errors:
            raise PlanError(self.errors.errors)
        found.sort(key=lambda item: item[0])
        return [record for _, record in found]

    def _plan_events(self, c, p, path, before, after, client_at, log) -> list[tuple[tuple, dict]]:
        before, after = before or _Plan("", "USD", {}), after or _Plan("", "USD", {})
        last = self._last_changes(path, log)
        client = client_at[(c, self.b)] or client_at[(c, self.a)]
        client_name = client.name if client else c
        out = []

        def event(kind, m: Milestone, plan: _Plan, changed: str, position: int, **extra):
            commit = last.get((m.id, changed), self.b)
            record = {"id": f"{c}/{p}/{m.id}/{kind}@{commit.short}", "type": kind,
                      "date": commit.date.isoformat(), "commit": commit.short,
                      **_where(c, client_name, p, plan.title, m.id, m.title),
                      "due": json_day(m.due), "delivered": json_day(m.delivered),
                      "from": None, "to": None, "by": None, "note": None, "signature": None,
                      "counted": None, "invoice": None, "currency": plan.currency, **extra}
            out.append(((record["date"], c, p, position, TYPES.index(kind), "", commit.short),
                        record))

        for mid, m in after.milestones.items():
            old = before.milestones.get(mid)
            position = after.position(mid)
            if old is None:
                event(ADDED, m, after, "present", position)
            elif old.due != m.due:
                event(DUE_MOVED, m, after, "due", position,
                      **{"from": json_day(old.due), "to": json_day(m.due)})
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
            for mid in {m for p in parents for m in (state.get(p, at_a) if p else at_a)} \
                    | current.keys():
                for key in ("present", "due", "delivered"):
                    mine = value(current, mid, key)
                    same = [p for p in parents
                            if value(state.get(p, at_a) if p else at_a, mid, key) == mine]
                    if not same:
                        credit[(mid, key)] = commit
                    elif same[0] and (mid, key) in made.get(same[0], {}):
                        credit[(mid, key)] = made[same[0]][(mid, key)]
            made[commit.sha] = credit
        return made[log[-1][0].sha] if log else {}  # the (rewritten) tip: B

    def _approval_events(self, c, p, folder, plan_a, plan_b, before: _Notes,
                         after: _Notes, log) -> list[tuple[tuple, dict]]:
        changed = [n for n, oid in sorted(after.files.items())
                   if (oid, after.sigs.get(n)) != (before.files.get(n), before.sigs.get(n))]
        if not changed:
            return []
        if plan_b is None or after.client is None:
            if not self.errors.errors:  # nothing reported yet: say why the notes are not read
                missing = "plan.yml" if plan_b is None else "client.yml"
                for n in changed:
                    self.errors.error(self.top / (folder + n), 0, f"approval note without a "
                                      f"readable {missing} (in revision {self.b.short})")
            return []
        after.parsed = {n: a for n, oid in sorted(after.files.items())
                        if (a := self.note(oid, folder + n, plan_b.milestones, self.b))}
        if before.client is not None:
            ids = (plan_a or plan_b).milestones
            before.parsed = {n: a for n, oid in sorted(before.files.items())
                             if (a := self.note(oid, folder + n, ids, self.a))}

        touched: dict[str, Commit] = {}  # note name -> last commit changing it or its .sig
        for commit, entries in log:
            for _, _, path, _ in entries:
                if path.startswith(folder):
                    touched[path[len(folder):].removesuffix(".sig")] = commit
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
                now, then = self.decision(after, note.milestone), \
                    self.decision(before, note.milestone)
                if now is not None and now.name == name and \
                        (then is None or then.decision != "approved"):
                    released = milestone.invoice
            commit = touched.get(name, self.b)
            record = {
                "id": (f"{c}/{p}/{note.milestone}/{note.decision}/{public_name(name)}"
                       f"@{commit.short}"),
                "type": note.decision, "date": note.date.isoformat(), "commit": commit.short,
                **_where(c, after.client.name, p, plan_b.title, milestone.id, milestone.title),
                "due": json_day(milestone.due), "delivered": json_day(milestone.delivered),
                "from": None, "to": None, "by": json_text(note.by_name), "note": json_text(name),
                "signature": note.signature, "counted": counted,
                "invoice": json_amount(released), "currency": plan_b.currency,
            }
            out.append(((record["date"], c, p, plan_b.position(note.milestone),
                         TYPES.index(note.decision), name, commit.short), record))
        return out


@dataclass
class _Notes:
    """The approval notes of one project at one revision."""

    client: Client | None
    files: dict[str, str]  # note file name -> blob
    sigs: dict[str, str]  # note file name -> blob of its .sig
    parsed: dict[str, Approval] = field(default_factory=dict)  # signature states unchecked

    @classmethod
    def listed(cls, client: Client | None, tree: dict[str, str], folder: str) -> _Notes:
        files = {path[len(folder):]: oid for path, oid in tree.items()
                 if path.startswith(folder) and "/" not in path[len(folder):]}
        return cls(client, {n: o for n, o in files.items() if n.endswith(".md")},
                   {n[:-4]: o for n, o in files.items() if n.endswith(".md.sig")})


def _one_error(path: Path, line: int, message: str) -> Diagnostics:
    diags = Diagnostics()
    diags.error(path, line, message)
    return diags


def _resolve(repo, option: str, rev: str, shallow: bool) -> Commit:
    import git

    if not rev or rev.startswith("-") or "\n" in rev:
        raise UsageError(f"{option}: `{rev}` is not a git revision")
    try:
        out = repo.git.show("-s", f"--format={LOG_FORMAT}", f"{rev}^{{commit}}", "--")
    except git.GitCommandError:
        hint = (" (the clone is shallow: fetch the full history; in GitHub Actions "
                "actions/checkout with fetch-depth: 0)") if shallow else ""
        raise UsageError(f"{option}: unknown revision `{rev}`{hint}") from None
    return next(parse_log(out))[0]


def change_events(plans: Path, since: str, until: str = "HEAD") -> Changes:
    """The events between two revisions of the plans (see the module docstring)."""
    plans = Path(plans)
    if not plans.is_dir():
        raise UsageError(f"plans folder `{plans}` not found")
    repo = open_repo(plans)
    if repo is None or not repo.head.is_valid():
        raise UsageError("`events --since` reads git history, but the plans folder is not in "
                         "a git repository with commits")
    top = Path(repo.working_tree_dir).resolve()
    try:
        prefix = plans.resolve().relative_to(top).as_posix()
    except ValueError:
        raise UsageError("the plans folder is outside its git working tree") from None
    prefix = "" if prefix == "." else prefix + "/"
    shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
    a = _resolve(repo, "--since", since, shallow)
    b = _resolve(repo, "--until", until, shallow)
    reader = _Range(repo, top, prefix, a, b)
    records = reader.records()
    return Changes(records, reader.warnings, a, b)
# --- due soon ------------------------------------------------------------------------------------


def due_records(plans: Path, within: int, today: dt.date | None = None) -> list[dict]:
    """Milestones not approved and due at most `within` days after the client's today."""
    from ..build import client_today, validate
    from ..derive import derive_client

    checked = validate(plans, today=today)
    found = []
    for client in checked.plans.clients:
        day = client_today(client, today)
        state = derive_client(client, day, checked.history.for_client(client.slug),
                              checked.history.approvals_for(client.slug))
        for project in state.projects:
            for position, s in enumerate(project.milestones):
                m = s.milestone
                left = (m.due - day).days
                if s.status == APPROVED or left > within:
                    continue
                record = {
                    "type": OVERDUE if left < 0 else DUE_SOON,
                    **_where(client.slug, client.name, project.project.slug,
                             project.project.title, m.id, m.title),
                    "owner": json_text(m.owner), "due": json_day(m.due), "days_left": left,
                    "status": s.status, "today": day.isoformat(),
                }
                found.append(((m.due, client.slug, project.project.slug, position), record))
    found.sort(key=lambda item: item[0])
    return [record for _, record in found]


# --- text output ---------------------------------------------------------------------------------


def _plain_text(value) -> str:
    """Plan text for a terminal: no control characters (escape sequences), no emails."""
    return _CONTROL.sub("?", redact(str(value)))


def _path(r: dict) -> str:
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
    return _plain_text(f"{r['date']}  {_path(r)}  {what}  [{r['commit']}]")


def due_line(r: dict) -> str:
    left = r["days_left"]
    when = (f"overdue by {-left} day(s)" if left < 0 else "due today" if left == 0
            else f"due in {left} day(s)")
    owner = f", owner {r['owner']}" if r["owner"] else ""
    return _plain_text(f"{r['due']}  {_path(r)}  {when}: {r['milestone']['title']} "
                       f"({r['status']}{owner})")


# --- webhook -------------------------------------------------------------------------------------

TIMEOUT_ENV = "SITE_BUILDER_WEBHOOK_TIMEOUT"  # seconds per request, all of it; default 10
DEADLINE_ENV = "SITE_BUILDER_WEBHOOK_DEADLINE"  # seconds for the whole run, waits too; default 60
DELAYS_ENV = "SITE_BUILDER_WEBHOOK_RETRY_DELAYS"  # seconds before each retry; default 0.5,1,2
SIGNATURE_HEADER = "X-Site-Builder-Signature"
_RETRY_STATUS = {408, 425, 429}  # and every 5xx
_EXCERPT = 200  # characters of a failed answer's body shown in the message
_MAX_ANSWER = 1_000_000  # bytes of a successful answer read (the rest is not waited for)


@dataclass(frozen=True)
class Webhook:
    url: str  # what is requested (without user info)
    shown: str  # what messages show: scheme, host, port and path only
    secret: str | None = field(default=None, repr=False)
    authorization: str | None = field(default=None, repr=False)  # from user info in the URL
    timeout: float = 10.0  # wall-clock limit of one request: connect, send, whole answer
    delays: tuple[float, ...] = (0.5, 1.0, 2.0)
    hidden: tuple[str, ...] = field(default=(), repr=False)  # never printed
    deadline: float = 60.0  # wall-clock limit of the whole delivery, retries and waits included

    def scrub(self, text: str) -> str:
        for secret in sorted(self.hidden, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _seconds(name: str, text: str, most: float = 600) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= most:  # NaN fails too
        raise UsageError(f"environment variable {name}: `{printable(text)}` is not a number of "
                         f"seconds between 0 and {most:g}")
    return value


def webhook(url: str, secret_env: str | None = None,
            environ: Mapping[str, str] = os.environ) -> Webhook:
    """Check a --webhook address (and read the secret); UsageError when unusable."""
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    shown = urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))
    hidden = []  # the query and user info are hidden; `shown` has neither
    if parts.query:
        hidden.append(parts.query)
    if "@" in parts.netloc:
        hidden.append(parts.netloc.rpartition("@")[0])
        hidden += [urllib.parse.unquote(v) for v in (parts.username, parts.password) if v]
    try:
        _ = parts.port  # raises ValueError for a port that is not a number
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(f"--webhook must be an http:// or https:// address, not `{shown}`")
    authorization = None
    if parts.username is not None:
        user, password = (urllib.parse.unquote(v or "") for v in (parts.username, parts.password))
        pair = f"{user}:{password}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
    secret = None
    if secret_env is not None:
        secret = environ.get(secret_env)
        if not secret:
            raise UsageError(f"--webhook-secret-env: environment variable {secret_env} is not "
                             "set or empty")
        hidden.append(secret)
    timeout = _seconds(TIMEOUT_ENV, environ.get(TIMEOUT_ENV, "10"))
    deadline = _seconds(DEADLINE_ENV, environ.get(DEADLINE_ENV, "60"), most=3600)
    delays_text = environ.get(DELAYS_ENV, "0.5,1,2")
    delays = tuple(_seconds(DELAYS_ENV, d) for d in delays_text.split(",") if d.strip())
    if len(delays) > 10:
        raise UsageError(f"environment variable {DELAYS_ENV}: at most 10 retries")
    return Webhook(urllib.parse.urlunsplit((parts.scheme, host, parts.path or "/", parts.query,
                                            "")),
                   shown, secret, authorization, timeout or 10.0, delays,
                   tuple(h for h in hidden if h), deadline or 60.0)


# Socket timeouts apply to each read: a server trickling one byte at a time never trips them.
# The connections below end every step of a request at one wall-clock instant instead:
# connecting and sending get the time left as their timeout, and each read of the answer
# (status line, headers, body) waits at most until that instant.


class _DeadlineReader(io.RawIOBase):
    """A socket as a file whose reads end at `until` (time.monotonic)."""

    def __init__(self, sock, until: float):
        super().__init__()
        # The socket's own file keeps it open after urllib closes the connection object.
        self._sock, self._file, self._until = sock, sock.makefile("rb", buffering=0), until

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self._until - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline passed")
        self._sock.settimeout(left)
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


class _DeadlineSocket:
    """What http.client's response reads from: it only calls makefile()."""

    def __init__(self, sock, until: float):
        self._sock, self._until = sock, until

    def makefile(self, mode: str):
        return io.BufferedReader(_DeadlineReader(self._sock, self._until))


def _deadline_response(sock, *args, until: float, **kwargs) -> http.client.HTTPResponse:
    return http.client.HTTPResponse(_DeadlineSocket(sock, until), *args, **kwargs)


class _DeadlineConnection:
    """Mixed into http.client's connections: everything ends at `until`."""

    def __init__(self, *args, until: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.until = until
        self.response_class = functools.partial(_deadline_response, until=until)

    def connect(self) -> None:
        self.timeout = max(self.until - time.monotonic(), 0.001)  # connect and send
        super().connect()


class _HTTPConnection(_DeadlineConnection, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, http.client.HTTPSConnection):
    pass


class _DeadlineHTTP(urllib.request.HTTPHandler):
    def __init__(self, until: float):
        super().__init__()
        self.until = until

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, until=self.until), req)


class _DeadlineHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, until: float):
        super().__init__()
        self.until = until

    def https_open(self, req):
        return self.do_open(functools.partial(_HTTPSConnection, until=self.until), req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would arrive as a GET without its body: fail instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass(frozen=True)
class _Attempt:
    problem: str = ""  # "" when delivered
    retry: bool = False
    retry_after: float | None = None  # seconds the server asked to wait (Retry-After)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date); None if absent
    or unreadable."""
    value = (value or "").strip()
    if re.fullmatch(r"[0-9]{1,12}", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max((when - dt.datetime.now(dt.timezone.utc)).total_seconds(), 0.0)


def _excerpt(hook: Webhook, data: bytes) -> str:
    """A failed answer's body as a short quote: secrets scrubbed, whitespace runs collapsed,
    control characters escaped, at most _EXCERPT characters."""
    text = printable(" ".join(hook.scrub(data.decode("utf-8", "replace")).split()))
    return text if len(text) <= _EXCERPT else text[:_EXCERPT - 1] + "…"


def _post_once(hook: Webhook, body: bytes, headers: dict, until: float, late: str) -> _Attempt:
    """One POST that ends by `until` (time.monotonic); `late` is the problem if it does not."""
    opener = urllib.request.build_opener(_NoRedirect, _DeadlineHTTP(until), _DeadlineHTTPS(until))
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request) as response:
            read = 0
            while read < _MAX_ANSWER and (chunk := response.read(65_536)):
                read += len(chunk)
        return _Attempt()
    except urllib.error.HTTPError as exc:
        with exc:
            try:
                data = exc.read(4 * _EXCERPT)
            except (http.client.HTTPException, OSError):
                data = b""
        reason = printable(hook.scrub(str(exc.reason or "")))[:100]
        problem = f"HTTP {exc.code} {reason}".strip()
        if data.strip():
            problem += f': "{_excerpt(hook, data)}"'
        if 300 <= exc.code < 400:
            return _Attempt(problem + " (redirects are not followed: use the final address)")
        return _Attempt(problem, exc.code >= 500 or exc.code in _RETRY_STATUS,
                        _retry_after(exc.headers.get("Retry-After")))
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return _Attempt(late, True)
        return _Attempt(printable(getattr(reason, "strerror", None) or reason), True)
    except TimeoutError:
        return _Attempt(late, True)
    except (http.client.HTTPException, OSError) as exc:
        return _Attempt(printable(f"{type(exc).__name__}: {exc}"), True)


def _request(hook: Webhook, payload: dict, kind: str) -> tuple[bytes, dict]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json",
               "User-Agent": f"site-builder/{__version__}",
               "X-Site-Builder-Event": kind}
    if hook.authorization:
        headers["Authorization"] = hook.authorization
    if hook.secret:
        digest = hmac.new(hook.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
    return body, headers


def _send(hook: Webhook, body: bytes, headers: dict, run_until: float,
          sleep: Callable[[float], None]) -> tuple[str, int]:
    """(problem, attempts) of one record: tried, then retried after the delays (or longer when
    the server asks with Retry-After), all within the run's deadline; problem "" when sent."""
    run_deadline = f"the webhook deadline of {hook.deadline:g} s for the run"
    problem, attempts, delays = "", 0, iter(hook.delays)
    while True:
        now = time.monotonic()
        if now >= run_until:
            return (f"{problem}; " if problem else "") + f"{run_deadline} passed", attempts
        if now + hook.timeout <= run_until:
            until, late = now + hook.timeout, f"no complete answer within {hook.timeout:g} s"
        else:
            until, late = run_until, f"no complete answer before {run_deadline} passed"
        attempts += 1
        outcome = _post_once(hook, body, headers, until, late)
        problem = outcome.problem
        delay = next(delays, None) if problem and outcome.retry else None
        if delay is None:
            return problem, attempts
        wait = max(delay, outcome.retry_after or 0.0)
        left = run_until - time.monotonic()
        if wait >= left:
            asked = f"the server asks to retry after {math.ceil(wait)} s" \
                if outcome.retry_after is not None and outcome.retry_after >= delay \
                else f"the next retry would come after {wait:g} s"
            return f"{problem}; {asked}, past {run_deadline} ({max(left, 0):.0f} s left)", \
                attempts
        sleep(wait)


def deliver(hook: Webhook, records: list[dict],
            sleep: Callable[[float], None] = time.sleep,
            payloads: list[dict] | None = None) -> int:
    """POST each record as JSON (or its payload, notify.payloads: one per record), in order;
    WebhookError at the first that cannot be delivered.

    Each request ends within hook.timeout seconds and the whole delivery within hook.deadline,
    retries and waits included (wall clock: a server trickling its answer cannot stretch it).
    """
    run_until = time.monotonic() + hook.deadline
    bodies = records if payloads is None else payloads
    for index, (record, body) in enumerate(zip(records, bodies), 1):
        problem, attempts = _send(hook, *_request(hook, body, record["type"]), run_until, sleep)
        if problem:
            left = len(records) - index
            raise WebhookError(hook.scrub(
                f"webhook {hook.shown}: {record['type']} event for {_path(record)} was not "
                f"delivered: {problem} ({attempts} attempt(s)); {index - 1} of {len(records)} "
                f"event(s) delivered" + (f", {left} not sent" if left else "")))
    return len(records)

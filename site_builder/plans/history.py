"""Git history of the plans: baselines, schedule changes, scope edits, provenance.

The whole plans tree is read in ONE traversal: a single `git log --raw` (which names the blob
of every changed file) plus GitPython's persistent `git cat-file --batch` process for the plan
blobs. Cost grows linearly with commits; nothing runs per file or per milestone.

Merges are read as a graph, not as a line. Commits come parents first; each commit is
compared with its own parents (a merge is listed with its diff against its first parent and
compared with every parent), and the state after each commit is kept until its last child
is read (one state for a straight history, one per open branch otherwise). Per milestone:

* A value (due date, or the scope: title, deliverables, acceptance) that equals a parent's
  came with that parent's story, when that story continues the first parent's: a change made
  on a branch and merged unopposed keeps the branch commit, its author and date, however many
  merges carry it (octopus merges too); the merge itself is not a change.
* A value no parent had, or one that settles two diverged stories (both sides changed it), is
  a change made by that commit: a merge resolving a conflict is credited to the merge, read
  from the first parent's side (main's history stays as it was; the other side's moves, which
  never stood on main on their own, are not listed). A revert is a change like any other.
* `baseline_due` is the `due` of the first commit that contained the milestone, on whatever
  branch it was added; an approval note is credited to the commit that added it, also on a
  branch. "Last updated" is the newest commit whose diff (a merge's: against its first
  parent) touches the client's folder, so a merge that brings a change counts.

* A milestone is identified by its `id` within its plan.yml; renaming or moving the plan file
  (git rename detection) keeps its history, a renamed id is a new milestone.
* The working tree is the current state; history comes from commits only.
* Plans outside a git repository give an empty history (current values are used).
* A revision of plan.yml that cannot be read is skipped for the figures, with one warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from ..errors import Diagnostic, UsageError
from ..model import MilestoneHistory, Provenance, ScheduleChange, ScopeEdit
from . import yamlsafe
from .gitlog import LOG_FORMAT, MAX_BLOB_BYTES, Commit, iter_blobs, open_repo, parse_log
from .schema import date_range_problem

SCOPE_FIELDS = ("title", "deliverables", "acceptance")


@dataclass(frozen=True)
class History:
    """What git says about the plans, per client slug."""

    milestones: dict[str, dict[tuple[str, str], MilestoneHistory]] = field(default_factory=dict)
    approvals: dict[str, dict[tuple[str, str], Provenance]] = field(default_factory=dict)
    last_commit: dict[str, int] = field(default_factory=dict)  # client -> unix time
    warnings: tuple[Diagnostic, ...] = ()
    commits: int = 0

    def for_client(self, slug: str) -> dict[tuple[str, str], MilestoneHistory]:
        return self.milestones.get(slug, {})

    def approvals_for(self, slug: str) -> dict[tuple[str, str], Provenance]:
        return self.approvals.get(slug, {})


# --- reading old revisions ---------------------------------------------------------------------


@dataclass
class _Snapshot:
    """The fields of one milestone in one revision that history cares about."""

    due: dt.date | None
    scope: dict


def yaml_data(node: yaml.Node, budget: list[int]):
    """Node -> plain Python (strings, lists, dicts), bounded by a node budget."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("too large")
    if isinstance(node, yaml.MappingNode):
        return {getattr(k, "value", ""): yaml_data(v, budget) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [yaml_data(v, budget) for v in node.value]
    return node.value


def _milestone_snapshots(root: yaml.Node) -> dict[str, _Snapshot] | None:
    """Milestone id -> snapshot from the milestones list node; None if unreadable."""
    try:
        items = yaml_data(root, [50_000])
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    out: dict[str, _Snapshot] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        written = item.get("due")
        try:
            due = dt.date.fromisoformat(written) if isinstance(written, str) else None
        except ValueError:
            due = None
        if due is not None and date_range_problem(due):
            due = None  # a past revision the loader would refuse (e.g. 9999-12-31): unreadable
        out.setdefault(item["id"], _Snapshot(due, {k: item.get(k) for k in SCOPE_FIELDS}))
    return out


_MILESTONES_KEY = re.compile(r"^milestones:[ \t]*(#.*)?$", re.M)
_TOP_LEVEL = re.compile(r"^(?!- |-$)[^\s#]", re.M)  # a top-level key ends the list
_FIRST_CONTENT = re.compile(r"^ *[^ \n#]", re.M)  # first line that is not blank or a comment


class RevisionReader:
    """Reads the milestones of plan.yml revisions, caching each milestone's text.

    Consecutive revisions of a plan differ in one or two milestones, so the block-style
    milestones list is split into one chunk per item and only chunks not seen before are
    parsed; anything else (flow style, odd layout) is parsed whole. `extract` turns the
    milestones list node into {id: value}, or None when unreadable.
    """

    def __init__(self, extract: Callable[[yaml.Node], dict | None] | None = None) -> None:
        self._extract = extract or _milestone_snapshots
        self._chunks: dict[str, dict | None] = {}

    def read(self, text: str) -> dict | None:
        chunks = self._split(text)
        if chunks is None:
            root = yamlsafe.parse(text)
            if not isinstance(root, yaml.MappingNode):
                return None
            node = next(
                (v for k, v in root.value if getattr(k, "value", None) == "milestones"), None
            )
            return self._extract(node) if node is not None else None
        out: dict = {}
        for chunk in chunks:
            if chunk not in self._chunks:
                node = yamlsafe.parse(chunk)
                self._chunks[chunk] = (
                    self._extract(node) if isinstance(node, yaml.SequenceNode) else None
                )
            values = self._chunks[chunk]
            if values is None:
                return None
            for mid, value in values.items():
                out.setdefault(mid, value)
        return out

    @staticmethod
    def _split(text: str) -> list[str] | None:
        """The items of a block-style top-level `milestones:` list, as text; None otherwise."""
        keys = list(_MILESTONES_KEY.finditer(text))
        if len(keys) != 1:
            return None
        start = keys[0].end() + 1
        end_match = _TOP_LEVEL.search(text, start)
        section = text[start : end_match.start() if end_match else len(text)]
        first = _FIRST_CONTENT.search(section)
        if first is None or not section.startswith("- ", first.end() - 1):
            return None
        marker = section[first.start() : first.end() - 1] + "- "
        pieces = ("\n" + section[first.start() :]).split("\n" + marker)
        return [marker + piece for piece in pieces[1:]]


@dataclass(frozen=True)
class _Track:
    """One milestone's story as of one commit: never changed once made (commits share it)."""

    baseline: dt.date | None
    last: _Snapshot
    changes: tuple[ScheduleChange, ...] = ()
    scope: tuple[ScopeEdit, ...] = ()


def _inherited(
    parents: list[_Track], same: Callable[[_Track], bool], story: Callable[[_Track], tuple]
) -> tuple | None:
    """The story of a parent whose value this commit kept, if that story continues the first
    parent's (no parent, a fast-forward, a branch's change merged unopposed); None when this
    commit itself made the value (an edit, or a merge settling two diverged stories)."""
    base = story(parents[0])
    for parent in parents:
        if same(parent) and story(parent)[: len(base)] == base:
            return story(parent)
    return None


def _next_track(mid: str, snap: _Snapshot, parents: list[_Track], commit: Commit) -> _Track:
    """The milestone after `commit`, given its track in each parent that had it (first parent
    first). See the module docstring for how merges are read."""
    if not parents:
        return _Track(snap.due, snap)
    first = parents[0]
    if first.last is snap:  # the same cached milestone text: nothing changed
        return first
    due = snap.due if snap.due is not None else first.last.due
    changes = _inherited(parents, lambda p: p.last.due == due, lambda p: p.changes)
    if changes is None:
        changes = first.changes
        if due is not None and first.last.due is not None:
            changes += (
                ScheduleChange(
                    mid,
                    first.last.due,
                    due,
                    commit.date,
                    commit.short,
                    commit.author,
                    commit.subject,
                ),
            )
    scope = _inherited(parents, lambda p: p.last.scope == snap.scope, lambda p: p.scope)
    if scope is None:
        edited = tuple(f for f in SCOPE_FIELDS if snap.scope.get(f) != first.last.scope.get(f))
        scope = first.scope + (
            ScopeEdit(mid, commit.date, commit.short, edited, commit.author, commit.subject),
        )
    return _Track(
        first.baseline or due,
        snap if snap.due is not None else _Snapshot(due, snap.scope),
        changes,
        scope,
    )


@dataclass(frozen=True)
class _Lineage:
    """One plan.yml through its renames, as of one commit: what each milestone looked like
    and how it got there. Never changed once made (commits share it)."""

    tracks: dict[str, _Track] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()

    @staticmethod
    def after(
        parents: list[_Lineage], commit: Commit, snapshots: dict[str, _Snapshot] | None
    ) -> _Lineage:
        """The plan after `commit` (None: its revision could not be read), given the same
        plan in each parent that had it (first parent first)."""
        if len(parents) == 1:  # the common case, kept cheap
            unreadable, tracks = parents[0].unreadable, dict(parents[0].tracks)
        else:
            unreadable = tuple(dict.fromkeys(s for p in parents for s in p.unreadable))
            tracks = {}
            for parent in reversed(parents):  # milestones no longer listed: first parent's
                tracks.update(parent.tracks)
        if snapshots is None:
            return _Lineage(tracks, unreadable + (commit.short,))
        for mid, snap in snapshots.items():
            known = tracks.get(mid)
            if known is not None and known.last is snap and len(parents) == 1:
                continue  # the same cached milestone text: nothing changed
            tracks[mid] = _next_track(
                mid, snap, [p.tracks[mid] for p in parents if mid in p.tracks], commit
            )
        return _Lineage(tracks, unreadable)


@dataclass
class _State:
    """The plans as of one commit: plan path -> lineage, note path -> who added it."""

    plans: dict[str, _Lineage] = field(default_factory=dict)
    notes: dict[str, Provenance] = field(default_factory=dict)


# --- the one pass -------------------------------------------------------------------------------


def read_history(plans: Path, clients: Iterable[str] = ()) -> History:
    """Read the history of the plans tree (or only some clients' folders) in one pass.

    Empty outside git.
    """
    repo = open_repo(plans)
    if repo is None or not repo.head.is_valid():
        return History()
    top = Path(repo.working_tree_dir).resolve()
    try:
        prefix = Path(plans).resolve().relative_to(top).as_posix()
    except ValueError:
        return History()
    prefix = "" if prefix == "." else prefix + "/"
    warnings: list[Diagnostic] = []
    if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
        warnings.append(
            Diagnostic(
                Path(plans),
                0,
                "warning",
                "the git history is shallow: baselines and schedule changes "
                "may be incomplete; fetch the full history (in GitHub "
                "Actions: actions/checkout with fetch-depth: 0)",
            )
        )
    # Parents first (--reverse --topo-order); every merge, diffed against its first parent
    # (--full-history: git would otherwise drop the side a merge did not take); --parents
    # rewrites parents to the nearest commit shown, so every parent's state is known.
    output = repo.git.log(
        "--reverse",
        "--topo-order",
        "--full-history",
        "--parents",
        "--diff-merges=first-parent",
        "-M",
        "--raw",
        "--no-abbrev",
        "-z",
        f"--format={LOG_FORMAT}",
        "--",
        *([f"{prefix}{c}/" for c in clients] or [prefix or "."]),
        strip_newline_in_stdout=False,
    )

    log = list(parse_log(output))
    wanted = list(
        dict.fromkeys(
            blob
            for _, entries in log
            for status, _, new, blob in entries
            if status != "D"
            and new.startswith(prefix)
            and new.endswith("/plan.yml")
            and len(PurePosixPath(new[len(prefix) :]).parts) == 3
        )
    )
    parsed = _read_plan_blobs(repo, wanted)

    # The state after each commit, kept until its last child is done (one for a straight
    # line; one per open branch otherwise). A commit takes over its first parent's state
    # when it is that parent's last child, and copies it otherwise.
    children: dict[str, int] = {}
    for commit, _ in log:
        for parent in commit.parents:
            children[parent] = children.get(parent, 0) + 1
    states: dict[str, _State] = {}
    last_commit: dict[str, int] = {}
    for commit, entries in log:
        parents = [states.get(p, _State()) for p in commit.parents] or [_State()]
        first = commit.parents[0] if commit.parents else None
        state = (
            parents[0]
            if first and children[first] == 1
            else _State(dict(parents[0].plans), dict(parents[0].notes))
        )
        others = parents[1:]
        for status, old, new, blob in entries:
            if not new.startswith(prefix):
                continue
            parts = new[len(prefix) :].split("/")
            last_commit[parts[0]] = max(last_commit.get(parts[0], 0), commit.time)
            if status == "D":
                state.plans.pop(new, None)
                state.notes.pop(new, None)
                continue
            renamed = status == "R"
            if len(parts) == 4 and parts[2] == "approvals" and parts[3].endswith(".md"):
                moved_note = state.notes.pop(old, None) if renamed else None
                state.notes[new] = (
                    state.notes.get(new)
                    or moved_note
                    or next((p.notes[n] for p in others for n in (new, old) if n in p.notes), None)
                    or Provenance(commit.author, commit.date, commit.short)
                )
            if len(parts) != 3 or parts[2] != "plan.yml":
                continue
            moved_plan = state.plans.pop(old, None) if renamed else None
            lineages = [state.plans.get(new) or moved_plan] + [
                p.plans.get(new) or (p.plans.get(old) if renamed else None) for p in others
            ]
            state.plans[new] = _Lineage.after(
                [x for x in lineages if x is not None], commit, parsed.get(blob)
            )
        states[commit.sha] = state
        for parent in commit.parents:
            children[parent] -= 1
            if not children[parent]:
                states.pop(parent, None)
    final = states.get(log[-1][0].sha, _State()) if log else _State()

    milestones: dict[str, dict[tuple[str, str], MilestoneHistory]] = {}
    for path, lineage in sorted(final.plans.items()):
        client, project, _ = PurePosixPath(path[len(prefix) :]).parts
        per_client = milestones.setdefault(client, {})
        for mid, track in lineage.tracks.items():
            if track.baseline is not None:
                per_client[(project, mid)] = MilestoneHistory(
                    track.baseline, track.changes, track.scope
                )
        if lineage.unreadable:
            shown = ", ".join(lineage.unreadable[:5]) + (
                "..." if len(lineage.unreadable) > 5 else ""
            )
            warnings.append(
                Diagnostic(
                    top / path,
                    0,
                    "warning",
                    f"{len(lineage.unreadable)} old revision(s) could not be read ({shown}); "
                    "skipped for baselines and schedule changes",
                )
            )
    approvals: dict[str, dict[tuple[str, str], Provenance]] = {}
    for path, prov in final.notes.items():
        client, project, _, name = PurePosixPath(path[len(prefix) :]).parts
        approvals.setdefault(client, {})[(project, name)] = prov
    return History(milestones, approvals, last_commit, tuple(warnings), len(log))


def _read_plan_blobs(repo, blobs: list[str]) -> dict[str, dict[str, _Snapshot] | None]:
    """Milestones of every plan.yml blob, streamed through one `git cat-file --batch`."""
    reader = RevisionReader()
    out: dict[str, dict[str, _Snapshot] | None] = dict.fromkeys(blobs)
    for blob, data in iter_blobs(repo, blobs, MAX_BLOB_BYTES):
        try:
            out[blob] = reader.read(data.decode("utf-8")) if data is not None else None
        except UnicodeDecodeError:
            pass
    return out


def changed_clients(plans: Path, since: str, shared: list[Path]) -> set[str] | None:
    """Clients whose folder changed since `since` (working tree included).

    None means "all": the shared theme or configuration changed.
    """
    repo = open_repo(plans)
    if repo is None:
        raise UsageError("--changed-since needs the plans to be in a git repository")
    import git

    try:
        repo.git.rev_parse("--verify", f"{since}^{{commit}}")
    except git.GitCommandError:
        raise UsageError(f"--changed-since: unknown revision `{since}`") from None
    top = Path(repo.working_tree_dir).resolve()
    plans_rel = Path(plans).resolve().relative_to(top).as_posix()
    shared_rel = [
        p.resolve().relative_to(top).as_posix()
        for p in shared
        if p.exists() and top in p.resolve().parents
    ]
    names = repo.git.diff("--name-only", "-z", since, "--", plans_rel, *shared_rel).split("\0")
    names += repo.git.ls_files(
        "--others", "--exclude-standard", "-z", "--", plans_rel, *shared_rel
    ).split("\0")
    clients = set()
    for name in filter(None, names):
        if any(name == s or name.startswith(s + "/") for s in shared_rel):
            return None
        rel = (
            PurePosixPath(name).relative_to(plans_rel) if plans_rel != "." else PurePosixPath(name)
        )
        if len(rel.parts) > 1:
            clients.add(rel.parts[0])
    return clients

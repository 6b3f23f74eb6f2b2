"""Git history of the plans: baselines, schedule changes, scope edits, provenance.

The whole plans tree is read in ONE traversal: a single `git log --raw` (which names the blob
of every changed file) plus GitPython's persistent `git cat-file --batch` process for the plan
blobs. Cost grows linearly with commits; nothing runs per file or per milestone.

* A milestone is identified by its `id` within its plan.yml; renaming or moving the plan file
  (git rename detection) keeps its history, a renamed id is a new milestone.
* The working tree is the current state; history comes from commits only.
* Plans outside a git repository give an empty history (current values are used).
* A revision of plan.yml that cannot be read is skipped for the figures, with one warning.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

import yaml

from . import yamlsafe
from .derive import MilestoneHistory, Provenance, ScheduleChange, ScopeEdit
from .errors import Diagnostic, UsageError

SCOPE_FIELDS = ("title", "deliverables", "acceptance")
MAX_BLOB_BYTES = 1_000_000
_RECORD, _FIELD = "\x1e", "\x1f"
_LOG_FORMAT = "%x1e%H%x1f%ct%x1f%cI%x1f%an%x1f%s"


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # unix seconds
    date: dt.date  # the committer's local date
    author: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


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


def _plain(node: yaml.Node, budget: list[int]):
    """Node -> plain Python (strings, lists, dicts), bounded by a node budget."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("too large")
    if isinstance(node, yaml.MappingNode):
        return {getattr(k, "value", ""): _plain(v, budget) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, budget) for v in node.value]
    return node.value


def _milestone_snapshots(root: yaml.Node) -> dict[str, _Snapshot] | None:
    """Milestone id -> snapshot from the milestones list node; None if unreadable."""
    try:
        items = _plain(root, [50_000])
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    out = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        try:
            due = dt.date.fromisoformat(item.get("due")) if isinstance(item.get("due"), str) \
                else None
        except ValueError:
            due = None
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
            node = next((v for k, v in root.value if getattr(k, "value", None) == "milestones"),
                        None)
            return self._extract(node) if node is not None else None
        out: dict = {}
        for chunk in chunks:
            if chunk not in self._chunks:
                node = yamlsafe.parse(chunk)
                self._chunks[chunk] = (self._extract(node)
                                       if isinstance(node, yaml.SequenceNode) else None)
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
        section = text[start:end_match.start() if end_match else len(text)]
        first = _FIRST_CONTENT.search(section)
        if first is None or not section.startswith("- ", first.end() - 1):
            return None
        marker = section[first.start():first.end() - 1] + "- "
        pieces = ("\n" + section[first.start():]).split("\n" + marker)
        return [marker + piece for piece in pieces[1:]]


@dataclass
class _Lineage:
    """One plan.yml through its renames: what each milestone looked like so far."""

    path: str
    baseline: dict[str, dt.date] = field(default_factory=dict)
    last: dict[str, _Snapshot] = field(default_factory=dict)
    changes: dict[str, list[ScheduleChange]] = field(default_factory=dict)
    scope: dict[str, list[ScopeEdit]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def apply(self, commit: Commit, snapshots: dict[str, _Snapshot]) -> None:
        for mid, snap in snapshots.items():
            before = self.last.get(mid)
            if snap is before:  # same cached milestone text: nothing changed
                continue
            if mid not in self.baseline and snap.due is not None:
                self.baseline[mid] = snap.due
            if before is not None:
                if snap.due is not None and before.due is not None and snap.due != before.due:
                    self.changes.setdefault(mid, []).append(ScheduleChange(
                        mid, before.due, snap.due, commit.date, commit.short, commit.author,
                        commit.subject))
                edited = tuple(f for f in SCOPE_FIELDS if snap.scope.get(f) != before.scope.get(f))
                if edited:
                    self.scope.setdefault(mid, []).append(ScopeEdit(
                        mid, commit.date, commit.short, edited, commit.author, commit.subject))
            if snap.due is None and before is not None:
                snap = _Snapshot(before.due, snap.scope)
            self.last[mid] = snap


# --- the one pass -------------------------------------------------------------------------------


def _open_repo(plans: Path):
    import git  # GitPython

    try:
        return git.Repo(plans, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def _parse_log(output: str):
    """Yield (Commit, [(status, old_path, new_path, new_blob)]) from `git log --raw -z`."""
    for record in output.split(_RECORD)[1:]:
        header, _, raw = record.partition("\0")
        sha, ctime, cdate, author, subject = header.split(_FIELD, 4)
        commit = Commit(sha, int(ctime), dt.date.fromisoformat(cdate[:10]), author, subject)
        tokens = raw.lstrip("\n").split("\0")
        entries, i = [], 0
        while i < len(tokens):
            meta = tokens[i]
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta[1:].split()
            status, blob = parts[4][0], parts[3]
            if status in "RC":
                entries.append((status, tokens[i + 1], tokens[i + 2], blob))
                i += 3
            else:
                entries.append((status, tokens[i + 1], tokens[i + 1], blob))
                i += 2
        yield commit, entries


def read_history(plans: Path, clients: Iterable[str] = ()) -> History:
    """Read the history of the plans tree (or only some clients' folders) in one pass.

    Empty outside git.
    """
    repo = _open_repo(plans)
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
        warnings.append(Diagnostic(Path(plans), 0, "warning",
                                   "the git history is shallow: baselines and schedule changes "
                                   "may be incomplete; fetch the full history (in GitHub "
                                   "Actions: actions/checkout with fetch-depth: 0)"))
    output = repo.git.log("--reverse", "--topo-order", "-M", "--raw", "--no-abbrev", "-z",
                          f"--format={_LOG_FORMAT}", "--",
                          *([f"{prefix}{c}/" for c in clients] or [prefix or "."]),
                          strip_newline_in_stdout=False)

    log = list(_parse_log(output))
    wanted = list(dict.fromkeys(
        blob for _, entries in log for status, _, new, blob in entries
        if status != "D" and new.startswith(prefix) and new.endswith("/plan.yml")
        and len(PurePosixPath(new[len(prefix):]).parts) == 3))
    parsed = _read_plan_blobs(repo, wanted)

    lineages: dict[str, _Lineage] = {}  # current path -> lineage
    provenance: dict[str, Provenance] = {}  # note path -> the commit that added it
    last_commit: dict[str, int] = {}
    for commit, entries in log:
        for status, old, new, blob in entries:
            if not new.startswith(prefix):
                continue
            parts = new[len(prefix):].split("/")
            last_commit[parts[0]] = max(last_commit.get(parts[0], 0), commit.time)
            if status == "D":
                lineages.pop(new, None)
                provenance.pop(new, None)
                continue
            if len(parts) == 4 and parts[2] == "approvals" and parts[3].endswith(".md"):
                if status == "R" and old in provenance:
                    provenance[new] = provenance.pop(old)
                elif new not in provenance:
                    provenance[new] = Provenance(commit.author, commit.date, commit.short)
            if len(parts) != 3 or parts[2] != "plan.yml":
                continue
            lineage = lineages.pop(old, None) if status == "R" else lineages.get(new)
            lineage = lineage or _Lineage(new)
            lineages[new] = lineage
            snapshots = parsed.get(blob)
            if snapshots is None:
                lineage.unreadable.append(commit.short)
            else:
                lineage.apply(commit, snapshots)

    milestones: dict[str, dict[tuple[str, str], MilestoneHistory]] = {}
    for path, lineage in sorted(lineages.items()):
        client, project, _ = PurePosixPath(path[len(prefix):]).parts
        per_client = milestones.setdefault(client, {})
        for mid, baseline in lineage.baseline.items():
            per_client[(project, mid)] = MilestoneHistory(
                baseline, tuple(lineage.changes.get(mid, ())), tuple(lineage.scope.get(mid, ())))
        if lineage.unreadable:
            shown = ", ".join(lineage.unreadable[:5]) + ("..." if len(lineage.unreadable) > 5
                                                         else "")
            warnings.append(Diagnostic(
                top / path, 0, "warning",
                f"{len(lineage.unreadable)} old revision(s) could not be read ({shown}); "
                "skipped for baselines and schedule changes"))
    approvals: dict[str, dict[tuple[str, str], Provenance]] = {}
    for path, prov in provenance.items():
        client, project, _, name = PurePosixPath(path[len(prefix):]).parts
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
    repo = _open_repo(plans)
    if repo is None:
        raise UsageError("--changed-since needs the plans to be in a git repository")
    import git

    try:
        repo.git.rev_parse("--verify", f"{since}^{{commit}}")
    except git.GitCommandError:
        raise UsageError(f"--changed-since: unknown revision `{since}`") from None
    top = Path(repo.working_tree_dir).resolve()
    plans_rel = Path(plans).resolve().relative_to(top).as_posix()
    shared_rel = [p.resolve().relative_to(top).as_posix() for p in shared
                  if p.exists() and top in p.resolve().parents]
    names = repo.git.diff("--name-only", "-z", since, "--", plans_rel, *shared_rel).split("\0")
    names += repo.git.ls_files("--others", "--exclude-standard", "-z", "--", plans_rel,
                               *shared_rel).split("\0")
    clients = set()
    for name in filter(None, names):
        if any(name == s or name.startswith(s + "/") for s in shared_rel):
            return None
        rel = PurePosixPath(name).relative_to(plans_rel) if plans_rel != "." else \
            PurePosixPath(name)
        if len(rel.parts) > 1:
            clients.add(rel.parts[0])
    return clients


def read_blobs(repo, names: list[str], max_bytes: int = MAX_BLOB_BYTES) -> dict[str, bytes | None]:
    """The contents of many blobs through ONE streaming `git cat-file --batch`.

    `names` are blob ids or `<rev>:<path>` names. Names that do not exist (or are not blobs)
    are left out of the result; blobs larger than `max_bytes` map to None.
    """
    return dict(iter_blobs(repo, names, max_bytes))


def iter_blobs(repo, names: list[str], max_bytes: int = MAX_BLOB_BYTES) \
        -> Iterator[tuple[str, bytes | None]]:
    """(name, contents) of each existing blob, in order, streamed from one cat-file process;
    contents are None for blobs larger than `max_bytes`."""
    wanted = list(dict.fromkeys(n for n in names if "\n" not in n))
    if not wanted:
        return
    process = subprocess.Popen([repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git", "cat-file",
                                "--batch"], cwd=repo.working_tree_dir, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def feed() -> None:  # a thread, so the pipe never fills up in both directions
        try:
            process.stdin.write("".join(f"{n}\n" for n in wanted).encode())
            process.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for name in wanted:
            header = process.stdout.readline().split()
            if len(header) != 3 or not header[2].isdigit():
                continue  # "<name> missing" (or ambiguous): nothing follows
            size = int(header[2])
            if header[1] == b"blob" and size <= max_bytes:
                yield name, process.stdout.read(size + 1)[:size]
                continue
            remaining = size + 1  # skip the contents and the newline after them
            while remaining > 0:
                chunk = process.stdout.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            if header[1] == b"blob":
                yield name, None
    finally:
        process.stdout.close()
        process.kill()
        writer.join()
        process.wait()

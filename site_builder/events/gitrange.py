"""The plans between two git revisions A and B, for `events --since`, read without a checkout
and with a fixed number of git processes whatever the size of the range:

* one `git diff-tree A B` names the files that differ (`changed_files`);
* one `git log --raw A..B` lists the commits in the range and the files each changed (`log`);
* `git ls-tree` lists the approval notes of the projects whose notes changed (`ls_tree`);
* one `git cat-file --batch` reads every blob needed (`read`, gitlog.read_blobs).

Files at either side are parsed with the loader's schema. A file that cannot be read at B is
an error (`errors`: the events would be wrong); at A, a warning, and that file's changes are
skipped. Which events the differences make is changes.py's part.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path, PurePosixPath

from ..derive import counts
from ..errors import Diagnostic, Diagnostics, SiteBuilderError, UsageError
from ..model import Approval, Client, Source
from ..plans import schema, signatures
from ..plans.clients import client_from_text
from ..plans.files import MAX_YAML_BYTES, decode, parse_yaml
from ..plans.gitlog import LOG_FORMAT, Commit, open_repo, parse_log, read_blobs
from ..plans.notes import parse_approval_note
from ..plans.projects import read_milestones
from .revisions import NotesAt, PlanAt, resolve_revision

_ZERO = "0" * 40


class EventsError(SiteBuilderError):
    """Events could not be computed for a reason outside the plans (git, ssh-keygen)."""


class GitRange:
    """Everything read for one `--since A --until B`. A context manager: it holds the
    signature verifiers (ssh-keygen's allowed-signers files) until it is closed."""

    def __init__(self, repo, top: Path, prefix: str, a: Commit, b: Commit):
        self.repo, self.top, self.prefix, self.a, self.b = repo, top, prefix, a, b
        self.errors = Diagnostics()  # files at B that cannot be read: fatal
        self.warnings: list[Diagnostic] = []
        self.blobs: dict[str, bytes | None] = {}
        self.diff: dict[str, tuple[str | None, str | None]] = {}
        self._verifiers: dict[tuple, signatures.Verifier] = {}
        self._states: dict[tuple, str] = {}
        self._stack = ExitStack()

    def __enter__(self) -> GitRange:
        self._stack.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.__exit__(*exc_info)

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

    def rel(self, path: str) -> tuple[str, ...] | None:
        """A repository path as parts below the plans folder; None when outside it."""
        if not path.startswith(self.prefix):
            return None
        return tuple(PurePosixPath(path[len(self.prefix) :]).parts)

    def changed_files(self) -> dict[str, tuple[str | None, str | None]]:
        """path -> (blob at A, blob at B) for every file that differs (None: absent); kept as
        `diff` for `at`."""
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
        self.diff = changed
        return changed

    def log(self) -> list[tuple[Commit, list]]:
        """The commits of A..B, oldest first, each with its [(status, old path, path, blob)].

        Each commit is compared with its own (rewritten) parents, merges with their first
        parent, as history.py does: a change merged from a branch is the branch commit's."""
        return list(
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

    def ls_tree(self, commit: Commit, folders: list[str]) -> dict[str, str]:
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

    def at(self, path: str, side: Commit) -> str | None:
        """The object name of a file at A or B (None: absent)."""
        if path in self.diff:
            return self.diff[path][0 if side is self.a else 1]
        return f"{self.b.sha}:{path}"  # unchanged between A and B (may be absent in both)

    def read(self, names: Iterable[str | None]) -> None:
        """Read these blobs (None: absent) in one process, into `blobs`."""
        self.blobs = read_blobs(self.repo, [n for n in names if n], MAX_YAML_BYTES)

    def blob(self, name: str | None) -> bytes | None:
        """A blob read by `read` (None: absent, too large or not read)."""
        return None if name is None else self.blobs.get(name)

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
        milestones = read_milestones(shown, fields, None, diags)
        if self._problems(diags, at, path):
            return None
        return PlanAt(fields["title"], fields.get("currency", "USD"), {m.id: m for m in milestones})

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
        data = self.blobs.get(oid)
        if sig is None or side.client is None or data is None:
            return note  # unsigned; or never parsed (no readable client.yml, too large)
        signers = side.client.signers
        key = (oid, sig, note.by_email, signers)
        if key not in self._states:
            verifier = self._verifiers.get(signers)
            if verifier is None:
                verifier = self._verifiers[signers] = self._stack.enter_context(
                    signatures.Verifier(signers)
                )
            signature = self.blobs.get(sig)
            try:
                self._states[key] = verifier.state(
                    data,
                    signature if signature is not None else b"too large",
                    note.by_email,
                    note.date,
                )
            except signatures.SshKeygenMissing as exc:
                raise EventsError(f"{exc}; install OpenSSH (openssh-client)") from None
        return dataclasses.replace(note, signature=self._states[key])

    def decision(self, side: NotesAt, mid: str) -> Approval | None:
        """The note that decides a milestone (spec 3: latest counted note by date, then name)."""
        client = side.client
        if client is None:
            return None
        notes = [
            self.signed(side, n) if client.require_signed_approvals else a
            for n, a in side.parsed.items()
            if a.milestone == mid
        ]
        return max(
            (a for a in notes if counts(client, a)),
            key=lambda a: (a.date, a.name),
            default=None,
        )


def open_range(plans: Path, since: str, until: str = "HEAD") -> GitRange:
    """The range `--since` .. `--until` of the git history of a plans folder."""
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
    return GitRange(repo, top, prefix, a, b)

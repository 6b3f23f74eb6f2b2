"""Reading the plans at one git revision, for `events --since`: a plan's milestones, a
project's approval notes, a revision resolved to its commit."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from ..errors import UsageError
from ..model import Approval, Client, Milestone
from ..plans.gitlog import LOG_FORMAT, Commit, parse_log
from ..plans.history import RevisionReader, yaml_data

# --- reading revisions -------------------------------------------------------------------------


@dataclass
class PlanAt:
    title: str
    currency: str
    milestones: dict[str, Milestone]  # in plan order

    def position(self, mid: str) -> int:
        return list(self.milestones).index(mid)


class LightReader:
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


@dataclass
class NotesAt:
    """The approval notes of one project at one revision."""

    client: Client | None
    files: dict[str, str]  # note file name -> blob
    sigs: dict[str, str]  # note file name -> blob of its .sig
    parsed: dict[str, Approval] = field(default_factory=dict)  # signature states unchecked

    @classmethod
    def listed(cls, client: Client | None, tree: dict[str, str], folder: str) -> NotesAt:
        files = {
            path[len(folder) :]: oid
            for path, oid in tree.items()
            if path.startswith(folder) and "/" not in path[len(folder) :]
        }
        return cls(
            client,
            {n: o for n, o in files.items() if n.endswith(".md")},
            {n[:-4]: o for n, o in files.items() if n.endswith(".md.sig")},
        )


def resolve_revision(repo, option: str, rev: str, shallow: bool) -> Commit:
    import git

    if not rev or rev.startswith("-") or "\n" in rev:
        raise UsageError(f"{option}: `{rev}` is not a git revision")
    try:
        out = repo.git.show("-s", f"--format={LOG_FORMAT}", f"{rev}^{{commit}}", "--")
    except git.GitCommandError:
        hint = (
            (
                " (the clone is shallow: fetch the full history; in GitHub Actions "
                "actions/checkout with fetch-depth: 0)"
            )
            if shallow
            else ""
        )
        raise UsageError(f"{option}: unknown revision `{rev}`{hint}") from None
    return next(parse_log(out))[0]

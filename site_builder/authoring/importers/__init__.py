"""`site-builder import`: milestones from GitHub, GitLab, Jira or a CSV file into plan.yml.

sources.py reads each format into `Record`s, merge.py writes them into the plan's text, and
fetch.py gets GitHub milestones over HTTP. See docs/managers/import-export.md.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ...errors import Diagnostic, Diagnostics, PlanError, UsageError
from ...plans.files import MAX_YAML_BYTES
from ..scaffold import split_target
from ..yamltext import display_path, replace_file
from . import merge, sources
from .fetch import fetch_github_milestones
from .sources import JIRA_MODES, KINDS, Record

__all__ = ["ImportRequest", "Imported", "JIRA_MODES", "KINDS", "Record", "run_import"]


@dataclass(frozen=True)
class ImportRequest:
    plans: Path
    kind: str  # one of KINDS
    target: str  # CLIENT/PROJECT
    file: Path | None = None
    dry_run: bool = False
    jira_milestones: str = "epics"
    repo: str | None = None  # GitHub OWNER/NAME, fetched instead of reading `file`
    token: str | None = None
    title: str | None = None  # a new project's title


@dataclass(frozen=True)
class Imported:
    path: Path  # plan.yml
    created: bool
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    diff: tuple[str, ...]  # unified diff lines (without line breaks)
    warnings: tuple[Diagnostic, ...]
    written: bool


def run_import(request: ImportRequest) -> Imported:
    """Read the source, merge it into CLIENT/PROJECT/plan.yml, write unless a dry run."""
    if request.kind not in KINDS:
        raise UsageError(f"unknown source `{request.kind}`; sources: {', '.join(KINDS)}")
    client, project = split_target(request.plans, request.target)
    source, data = _source(request)
    diags = Diagnostics()
    records = sources.read(request.kind, source, data, diags, request.jira_milestones)
    if diags.errors:
        raise PlanError(diags.items)
    if not records:
        diags.error(source, 0, "no milestone with a due date to import")
        raise PlanError(diags.items)
    path = Path(request.plans) / client / project / "plan.yml"
    old = _read_plan(path)
    if old is None:
        title = request.title or project.replace("-", " ").capitalize()
        shown = source if request.repo else source.name
        result = merge.new_plan(title, records, f"{request.kind} ({shown})")
    else:
        result = merge.merge(path, old, records)
    diff = tuple(
        line.rstrip("\r\n")
        for line in difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            fromfile=f"a/{display_path(path)}" if old is not None else "/dev/null",
            tofile=f"b/{display_path(path)}",
        )
    )
    written = False
    if not request.dry_run and result.text != old:
        replace_file(path, result.text)
        written = True
    return Imported(
        path,
        old is None,
        result.added,
        result.updated,
        result.unchanged,
        diff,
        tuple(diags.warnings),
        written,
    )


def _source(request: ImportRequest) -> tuple[Path, bytes]:
    if request.repo is not None:
        if request.kind != "github":
            raise UsageError("--repo fetches GitHub milestones; use it with `import github`")
        if request.file is not None:
            raise UsageError("give FILE or --repo, not both")
        return Path(f"github:{request.repo}"), fetch_github_milestones(request.repo, request.token)
    if request.file is None:
        raise UsageError(
            "give the FILE to import"
            + (" (or --repo OWNER/NAME)" if request.kind == "github" else "")
        )
    try:
        with open(request.file, "rb") as handle:
            return request.file, handle.read(sources.MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {request.file}: {exc.strerror or exc}") from None


def _read_plan(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_YAML_BYTES else None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8") if data is not None else _refuse(path)
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


def _refuse(path: Path):
    raise UsageError(f"{path} is larger than {MAX_YAML_BYTES:,} bytes")

"""plan.yml: a project folder -> Project (milestones, deliverables, documents), with its
approval notes (notes.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from ..errors import Diagnostics
from ..model import (
    Deliverable,
    Document,
    Milestone,
    Project,
    Source,
)
from . import inert, mdsafe, schema
from .files import (
    FAR_DATE_YEARS,
    IGNORED_NAMES,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS_PER_PROJECT,
    MAX_MILESTONES_WARNING,
    MAX_YAML_BYTES,
    FileRefused,
    inside,
    parse_yaml,
    read_file,
    read_text,
)
from .notes import Note, approval_note_files, read_notes

# --- plan.yml ---------------------------------------------------------------------------------


def load_project(folder: Path, real: Path, diags: Diagnostics) -> tuple[Project, list[Note]] | None:
    """The project (approvals not yet attached) and its parsed approval notes."""
    path = folder / "plan.yml"
    before = len(diags.errors)
    fields = None
    if inside(path, real, diags):
        text = read_text(path, MAX_YAML_BYTES, diags)
        fields = parse_yaml(path, text, schema.PLAN, diags) if text is not None else None
    documents = {}
    approval_files: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name in ("plan.yml", *IGNORED_NAMES) or not inside(entry, real, diags):
            continue
        if entry.name == "approvals" and entry.is_dir():
            approval_files = approval_note_files(entry, real, diags)
        elif entry.name == "documents" and entry.is_dir():
            documents = _documents(folder, entry, real, diags)
        else:
            diags.error(
                entry,
                0,
                "unexpected entry in the project folder; it holds plan.yml, "
                "approvals/ and documents/",
            )
    milestones = read_milestones(path, fields, documents, diags) if fields is not None else ()
    if (
        fields is not None
        and fields.get("summary")
        and (problem := mdsafe.problem(fields["summary"])) is not None
    ):
        diags.error(
            path, fields.line_of("summary"), f"`summary` (its line {problem[0]}): {problem[1]}"
        )
    notes = read_notes(approval_files, milestones, diags)
    if fields is None or len(diags.errors) > before:
        return None
    used = {d.file for m in milestones for d in m.deliverables if d.file}
    return Project(
        slug=folder.name,
        title=fields["title"],
        path=folder,
        source=Source(path, fields.line),
        milestones=milestones,
        documents=tuple(documents[f] for f in sorted(used)),
        summary=fields.get("summary"),
        currency=fields.get("currency", "USD"),
        internal=fields.get("internal"),
    ), notes


def read_milestones(
    path: Path, fields: schema.Fields, documents: dict[str, Document] | None, diags: Diagnostics
) -> tuple[Milestone, ...]:
    """The milestones of a parsed plan.yml, every rule checked (the one plan.yml reader of the
    loader and of `events`). `documents`: the project's documents/, which deliverable files
    must name; None for a plan read at a git revision, whose documents are not read."""
    items = fields.get("milestones") or []
    if len(items) > MAX_MILESTONES_WARNING:
        diags.warning(
            path,
            fields.line_of("milestones"),
            f"{len(items)} milestones in one project (more than "
            f"{MAX_MILESTONES_WARNING}): milestones are checkpoints, not tasks",
        )
    out: list[Milestone] = []
    seen: dict[str, int] = {}  # milestone id -> its line
    all_ids = [item.get("id") for item in items]
    for index, item in enumerate(items):
        mid = item.get("id")
        if mid is None or item.get("title") is None or item.get("due") is None:
            continue  # already reported
        if mid in seen:
            diags.error(
                path,
                item.line_of("id"),
                f"milestone id `{mid}` is used twice (first "
                f"on line {seen[mid]}); ids must be unique",
            )
            continue
        deps = item.get("depends_on") or []
        for dep, dep_line in zip(deps, getattr(deps, "lines", [])):
            if dep in seen or dep in all_ids[:index]:
                continue  # fine, or an earlier milestone whose own error is already reported
            if dep == mid:
                diags.error(path, dep_line, f"milestone `{mid}` cannot depend on itself")
            elif dep in all_ids:
                diags.error(
                    path,
                    dep_line,
                    f"`depends_on`: milestone `{dep}` comes later in the "
                    "plan; a milestone may only depend on earlier ones",
                )
            else:
                diags.error(
                    path,
                    dep_line,
                    f"`depends_on`: milestone `{dep}` not found"
                    + schema.did_you_mean(dep, seen)
                    + "; earlier milestones: "
                    + (", ".join(seen) or "none"),
                )
        seen[mid] = item.line
        delivered = item.get("delivered")
        out.append(
            Milestone(
                id=mid,
                title=item["title"],
                due=item["due"],
                source=Source(path, item.line),
                phase=item.get("phase"),
                owner=item.get("owner"),
                delivered=delivered,
                depends_on=tuple(deps),
                acceptance=tuple(item.get("acceptance") or ()),
                deliverables=_deliverables(path, item.get("deliverables") or [], documents, diags),
                invoice=item.get("invoice"),
                internal=item.get("internal"),
                approve_by=item.get("approve_by"),
            )
        )
    _warn_far_dates(path, items, diags)
    return tuple(out)


def _warn_far_dates(path: Path, items, diags: Diagnostics) -> None:
    """Warn about a due or delivered date far from the plan's others: 2062 for 2026 is a
    typo that the accepted years (schema.DATE_RANGE) cannot catch."""
    dated = [
        (item.get(key), item.line_of(key))
        for item in items
        for key in ("due", "delivered")
        if item.get(key) is not None
    ]
    if len(dated) < 2:
        return
    median = sorted(date for date, _ in dated)[len(dated) // 2]
    for date, line in dated:
        if abs((date - median).days) > FAR_DATE_YEARS * 366:
            diags.warning(
                path,
                line,
                f"{date.isoformat()} is more than {FAR_DATE_YEARS} years "
                f"from this plan's other dates (their median is "
                f"{median.isoformat()}); check the year",
            )


def _deliverables(
    path: Path, items, documents: dict[str, Document] | None, diags: Diagnostics
) -> tuple[Deliverable, ...]:
    out = []
    for item, _line in zip(items, getattr(items, "lines", [])):
        if isinstance(item, str):
            out.append(Deliverable(item))
            continue
        title, file = item.get("title"), item.get("file")
        if title is None:
            continue
        if file is not None:
            pure = PurePosixPath(file.replace("\\", "/"))
            key = str(pure)
            if pure.is_absolute() or ".." in pure.parts or re.match(r"[A-Za-z]:", file):
                diags.error(
                    path,
                    item.line_of("file"),
                    f"deliverable file must be a path under "
                    f"documents/ without `..` or a leading `/`, not `{file}`",
                )
                continue
            if not pure.parts or pure.parts[0] != "documents":
                diags.error(
                    path,
                    item.line_of("file"),
                    f"deliverable file `{file}` must be under "
                    f"documents/ (e.g. documents/{pure.name})",
                )
                continue
            if documents is None:  # a plan at a revision: its documents are not read
                out.append(Deliverable(title, key))
                continue
            if key not in documents:
                near = schema.did_you_mean(key, documents)
                diags.error(
                    path,
                    item.line_of("file"),
                    f"deliverable file `{file}` not found in this project's documents/{near}",
                )
                continue
            problem = _document_problem(documents[key])
            if problem:
                diags.error(path, item.line_of("file"), f"deliverable file `{file}` {problem}")
                continue
            file = key
        out.append(Deliverable(title, file))
    return tuple(out)


def _document_problem(document: Document) -> str | None:
    """Why a document a deliverable links to cannot be published, if it cannot: its type is
    not on the allow-list (inert.DOCUMENT_TYPES), it is hard-linked, or it is text that a
    browser could sniff as a page."""
    name = PurePosixPath(document.rel_path).name
    problem = inert.document_type_problem(name)
    if problem:
        return problem
    try:
        head = read_file(document.path, inert.SNIFF_BYTES, head=True)
    except FileRefused as refused:
        return f"cannot be published: {refused}"
    if inert.sniffs_as_html(name, head):
        return (
            "starts like an HTML or XML page: a browser that sniffs could show it as a page "
            "of the client's site; publish it as PDF or in a .zip"
        )
    return None


def _documents(project: Path, folder: Path, real: Path, diags) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames):
            sub = here / name
            if sub.is_symlink():
                dirnames.remove(name)
                if inside(sub, real, diags):
                    diags.error(
                        sub,
                        0,
                        "symbolic links to folders are not followed in "
                        "documents/; copy the folder in instead",
                    )
        for name in sorted(filenames):
            file = here / name
            if name in IGNORED_NAMES or not inside(file, real, diags):
                continue
            if len(docs) >= MAX_DOCUMENTS_PER_PROJECT:
                diags.error(folder, 0, f"more than {MAX_DOCUMENTS_PER_PROJECT} documents")
                return docs
            resolved = file.resolve()
            if not resolved.is_file():
                diags.error(file, 0, "not a regular file")
                continue
            size = resolved.stat().st_size
            rel = file.relative_to(project).as_posix()
            if size > MAX_DOCUMENT_BYTES:
                diags.error(
                    file,
                    0,
                    f"document is too large ({size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,})",
                )
                continue
            docs[rel] = Document(rel, resolved, size)
    return docs

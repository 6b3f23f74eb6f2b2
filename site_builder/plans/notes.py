"""Approval notes (approvals/*.md): YAML front matter + Markdown -> Approval, bound to their
folder and verified against the client's signers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostics
from ..model import (
    Approval,
    Client,
    Source,
)
from . import mdsafe, schema, signatures
from .files import (
    IGNORED_NAMES,
    MAX_APPROVALS_PER_PROJECT,
    MAX_NOTE_BYTES,
    FileRefused,
    decode,
    inside,
    parse_yaml,
    read_file,
)

# --- approvals/*.md ---------------------------------------------------------------------------


def approval_note_files(folder: Path, real: Path, diags: Diagnostics) -> list[Path]:
    notes, sigs = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED_NAMES or not inside(entry, real, diags):
            continue
        if entry.is_file() and entry.name.endswith(".md"):
            notes.append(entry)
        elif entry.is_file() and entry.name.endswith(".md.sig"):
            sigs.append(entry)
        else:
            diags.error(
                entry,
                0,
                "unexpected entry in approvals/; it holds <name>.md notes and "
                "their optional <name>.md.sig signatures",
            )
    names = {n.name for n in notes}
    for sig in sigs:
        if sig.name[: -len(".sig")] not in names:
            diags.error(sig, 0, f"signature without a note: {sig.name[:-4]} not found")
    if len(notes) > MAX_APPROVALS_PER_PROJECT:
        diags.error(
            folder,
            0,
            f"{len(notes)} approval notes; the limit per project is {MAX_APPROVALS_PER_PROJECT}",
        )
        return []
    return notes


# The YAML front matter of an approval note (between `---` lines).
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class Note:
    path: Path
    raw: bytes
    fields: schema.Fields
    body: str


def read_notes(files: list[Path], milestones, diags) -> list[Note]:
    """Parse approval notes (front matter + body); signatures are checked in approvals_of."""
    ids = [m.id for m in milestones]
    out = []
    for path in files:
        try:
            raw = read_file(path, MAX_NOTE_BYTES) if path.stat().st_size <= MAX_NOTE_BYTES else None
        except OSError as exc:
            diags.error(path, 0, f"cannot read file: {exc.strerror or exc}")
            continue
        except FileRefused as refused:
            diags.error(path, 0, str(refused))
            continue
        if raw is None:
            diags.error(path, 0, f"approval note is larger than {MAX_NOTE_BYTES:,} bytes")
            continue
        parsed = parse_approval_note(path, raw, ids, diags)
        if parsed is not None:
            out.append(Note(path, raw, *parsed))
    return out


@dataclass(frozen=True)
class FrontMatter:
    """A note's text split at its front matter (the BOM before the first fence dropped)."""

    yaml: str  # between the `---` lines; its first line is line 2 of the note
    body: str  # the Markdown after the closing fence
    body_line: int  # how many lines precede the body (the fences and the YAML)


def split_front_matter(text: str) -> FrontMatter | None:
    """A note's text -> its front matter and body; None if it does not start with one."""
    text = text.lstrip("\ufeff")
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    return FrontMatter(match.group(1), text[match.end() :], text.count("\n", 0, match.end()))


def parse_front_matter(
    path: Path, text: str, diags: Diagnostics, first_line: int = 1
) -> tuple[schema.Fields, FrontMatter] | None:
    """A note's text -> (its front matter checked against schema.APPROVAL, the split text);
    None if reported. `first_line` is the line of the note's first `---` in `path`."""
    front = split_front_matter(text)
    if front is None:
        diags.error(
            path,
            first_line,
            "an approval note starts with YAML front matter between "
            "`---` lines (milestone, decision, date, by)",
        )
        return None
    fields = parse_yaml(path, front.yaml, schema.APPROVAL, diags, line_offset=first_line)
    return None if fields is None else (fields, front)


def parse_approval_note(
    path: Path, raw: bytes, milestone_ids: Iterable[str], diags: Diagnostics
) -> tuple[schema.Fields, str] | None:
    """One approval note's bytes -> (front matter fields, Markdown body); None if reported.

    The one parser of approval notes (schema.APPROVAL): the loader uses it for the working
    tree, `site-builder events` for notes read from git revisions. `milestone_ids` are the
    ids of the note's plan; `path` (<client>/<project>/approvals/<name>.md) names the file in
    messages and the folders its `client:` and `project:` must match.
    """
    if len(raw) > MAX_NOTE_BYTES:
        diags.error(path, 0, f"approval note is larger than {MAX_NOTE_BYTES:,} bytes")
        return None
    text = decode(path, raw, diags)
    if text is None:
        return None
    parsed = parse_front_matter(path, text, diags)
    if parsed is None:
        return None
    fields, front = parsed
    ids = list(milestone_ids)
    milestone = fields.get("milestone")
    if milestone is not None and milestone not in ids:
        diags.error(
            path,
            fields.line_of("milestone"),
            f"milestone `{milestone}` not found{schema.did_you_mean(milestone, ids)}; "
            f"ids in this plan: {', '.join(ids) or 'none'}",
        )
        return None
    if not check_binding(path, fields, diags):
        return None
    if not all(fields.get(k) for k in ("milestone", "date", "by")):
        return None
    if (problem := mdsafe.problem(front.body)) is not None:  # bounds the work of rendering it
        diags.error(path, front.body_line + problem[0], problem[1])
        return None
    return fields, front.body


def check_binding(path: Path, fields: schema.Fields, diags: Diagnostics) -> bool:
    """Whether a note's `client:` and `project:` match the folders it lies in (errors if not).

    They bind a signed note to its place: the signature covers them, so a note and its .sig
    copied into another project (which may reuse milestone ids such as `kickoff`) is an error
    there and never counts. A note without either is unbound (see `is_bound`).
    """
    folders = {"client": path.parent.parent.parent.name, "project": path.parent.parent.name}
    given = {k: fields.get(k) for k in folders if k in fields}  # None: invalid (reported)
    if len(given) == 1:
        ((key, value),) = given.items()
        if value is None:
            return False
        other = "project" if key == "client" else "client"
        diags.error(
            path,
            fields.line_of(key),
            f"`{key}: {value}` needs `{other}:` too: a note "
            f"names both its client and its project, e.g. "
            f"`{other}: {folders[other]}`",
        )
        return False
    ok = True
    for key, value in given.items():
        if value is None:
            ok = False
        elif value != folders[key]:
            diags.error(
                path,
                fields.line_of(key),
                f"`{key}: {value}` does not match the "
                f"folder this note lies in ({folders['client']}/{folders['project']}): "
                f"the note was made for {given['client']}/{given['project']} and does "
                "not count here; remove this copy, or record the decision for this "
                "project with `site-builder approve`",
            )
            ok = False
    return ok


def is_bound(fields: schema.Fields) -> bool:
    """Whether a note names its client and project (checked by `check_binding`)."""
    return fields.get("client") is not None and fields.get("project") is not None


def unbound_warning(client: str, project: str) -> str:
    """The warning for a verified note without `client:` and `project:`."""
    return (
        "signed note is not bound to its client and project; re-sign with site-builder "
        f"approve --sign (or add `client: {client}` and `project: {project}` to its front "
        "matter and sign it again): until then a copy of it and its .sig would count in "
        f"any project of {client} with the same milestone id"
    )


def signature_path(note: Path) -> Path:
    """Where a note's detached signature is: beside it, NOTE.sig."""
    return note.with_name(note.name + ".sig")


def read_signature(note: Path) -> bytes | None:
    """The detached signature beside a note (NOTE.sig), if any; one over the size limit
    reads as `too large` (so it verifies as invalid, never as absent)."""
    sig_path = signature_path(note)
    if not sig_path.is_file():
        return None
    if sig_path.stat().st_size > signatures.MAX_SIGNATURE_BYTES:
        return b"too large"
    return sig_path.read_bytes()


def approvals_of(
    client: Client, notes: list[Note], verifier: signatures.Verifier, diags: Diagnostics
) -> tuple[Approval, ...]:
    """Turn parsed notes into Approvals (oldest first), checking each signature."""
    approvals = []
    for note in notes:
        sig_path = signature_path(note.path)
        signature = read_signature(note.path)
        name, email = note.fields["by"]
        date = note.fields["date"]
        try:
            state = verifier.state(note.raw, signature, email, date)
            retired = (
                verifier.key_outside_window(note.raw, signature, email, date)
                if state == signatures.UNKNOWN_SIGNER and signature is not None
                else None
            )
        except signatures.SshKeygenMissing as exc:
            diags.error(sig_path, 0, f"{exc}; install OpenSSH (openssh-client)")
            state, retired = signatures.INVALID, None
        line = note.fields.line
        if state == signatures.INVALID:
            diags.warning(
                note.path,
                line,
                f"signature {sig_path.name} does not verify (was the note changed after signing?)",
            )
        elif retired is not None:
            diags.warning(
                note.path,
                note.fields.line_of("date"),
                f"signature {sig_path.name} is by a key client.yml lists for {email}, "
                f"but that key is {signatures.window(retired)} and the note is dated "
                f"{date}",
            )
        elif state == signatures.UNKNOWN_SIGNER:
            diags.warning(
                note.path,
                line,
                f"signature {sig_path.name} is valid but not by a "
                f"signer listed in client.yml with the `by:` email",
            )
        elif state == signatures.VERIFIED and not is_bound(note.fields):
            project = note.path.parent.parent.name
            diags.warning(note.path, line, unbound_warning(client.slug, project))
        if client.require_signed_approvals and state != signatures.VERIFIED:
            diags.warning(
                note.path,
                line,
                f"approval does not count: client.yml requires signed "
                f"approvals and this note is {state}",
            )
        fields = note.fields
        approvals.append(
            Approval(
                name=note.path.name,
                milestone=fields["milestone"],
                decision=fields.get("decision", "approved"),
                date=fields["date"],
                by_name=name,
                by_email=email,
                source=Source(note.path, line),
                signature=state,
                deliverables=tuple(fields.get("deliverables") or ()),
                body=note.body,
                internal=fields.get("internal"),
            )
        )
    approvals.sort(key=lambda a: (a.date, a.name))
    return tuple(approvals)

"""`site-builder approve` and `site-builder verify`: record client decisions and check signatures.

`approve` writes approvals/<date>-<milestone>[-n].md with correct front matter that names its
client and project (never over an existing note) and, with a key, signs it with
`ssh-keygen -Y sign -n milestone-approval` and checks the signature against client.yml exactly
as a build does (signatures.Verifier). `verify` lists notes with their signature state.

Only the files involved are read (the project's plan.yml, the client's client.yml, the notes),
so a problem elsewhere in the plans does not stop anyone from recording or checking a decision.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..build import client_today
from ..errors import Diagnostics, PlanError, SiteBuilderError, UsageError
from ..model import Client, SigningKey, Source
from ..plans import schema, signatures
from ..plans.clients import client_from_text
from ..plans.files import (
    MAX_NOTE_BYTES,
    MAX_YAML_BYTES,
    FileRefused,
    decode,
    parse_yaml,
    read_file,
    read_text,
)
from ..plans.notes import (
    check_binding,
    is_bound,
    parse_front_matter,
    read_signature,
    signature_path,
    unbound_warning,
)
from ..plans.schema import EMAIL_RE, PERSON_RE
from .scaffold import split_target, yaml_scalar

DECISIONS = ("approved", "changes-requested", "rejected")
DEFAULT_BODIES = {
    "approved": "Approved.",
    "changes-requested": "Changes requested.",
    "rejected": "Rejected.",
}
_SIGN_TIMEOUT = 300  # long enough to type a passphrase


# --- reading the few files involved -----------------------------------------------------------


def read_record(
    path: Path,
    record: schema.Record,
    diags: Diagnostics,
    text: str | None = None,
    line_offset: int = 0,
) -> schema.Fields | None:
    """Parse one YAML file (or front matter `text`) against a record: read here (only the
    files involved), parsed by the loader's parse_yaml."""
    if text is None:
        text = read_text(path, MAX_YAML_BYTES, diags)
        if text is None:
            return None
    return parse_yaml(path, text, record, diags, line_offset)


def read_client(client_dir: Path) -> tuple[Client, Diagnostics]:
    """What approve and verify need from client.yml (plans.clients.client_from_text), and its
    problems; without a readable client.yml, a Client with no signers."""
    path = client_dir / "client.yml"
    diags = Diagnostics()
    text = read_text(path, MAX_YAML_BYTES, diags)
    client = client_from_text(client_dir.name, path, text, diags) if text is not None else None
    return client or Client(client_dir.name, client_dir.name, client_dir, Source(path, 1)), diags


@dataclass(frozen=True)
class Note:
    path: Path
    raw: bytes
    by_name: str
    by_email: str
    date: dt.date
    bound: bool  # names its client and project (notes.is_bound)
    line: int  # of the front matter


def read_note(path: Path, diags: Diagnostics) -> Note | None:
    """One note's signer, date and binding, read by the loader's parser (notes.py)."""
    try:  # the loader's reader: no link swapped in, no hard link, the note size limit
        raw = read_file(path, MAX_NOTE_BYTES)
    except FileRefused as refused:
        diags.error(path, 0, str(refused))
        return None
    text = decode(path, raw, diags)
    parsed = parse_front_matter(path, text, diags) if text is not None else None
    if parsed is None:
        return None
    fields = parsed[0]
    if not check_binding(path, fields, diags) or not (fields.get("by") and fields.get("date")):
        return None
    name, email = fields["by"]
    return Note(path, raw, name, email, fields["date"], is_bound(fields), fields.line)


# --- approve ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRequest:
    plans: Path
    target: str  # CLIENT/PROJECT
    milestone: str
    by: str  # Name <email>
    decision: str = "approved"
    date: dt.date | None = None
    note: str | None = None  # the note's Markdown; default: one line naming the decision
    key: Path | None = None  # sign with this key
    deliverables: tuple[str, ...] = ()


def approve(request: ApprovalRequest, say: Callable[[str], None]) -> Path:
    """Write (and optionally sign and check) an approval note; the note's path.

    Raises UsageError before writing anything when the request is wrong, and SiteBuilderError
    (exit 1) when signing fails or the signature does not verify; the files are then kept.
    """
    plans = Path(request.plans)
    client, project = split_target(plans, request.target)
    project_dir = plans / client / project
    plan_path = project_dir / "plan.yml"
    if not plan_path.is_file():
        known = existing_projects(plans, client)
        raise UsageError(
            f"project `{client}/{project}` not found"
            f"{schema.did_you_mean(project, known)}; projects of {client}: "
            f"{', '.join(known) or 'none'}"
        )
    diags = Diagnostics()
    fields = read_record(plan_path, schema.PLAN, diags)
    if diags.errors or fields is None:
        raise PlanError(diags.items)
    ids = [m.get("id") for m in fields.get("milestones") or [] if m.get("id")]
    if request.milestone not in ids:
        raise UsageError(
            f"milestone `{request.milestone}` not found in {client}/{project}"
            f"{schema.did_you_mean(request.milestone, ids)}; ids in this plan: "
            f"{', '.join(ids)}"
        )
    name, email = _person(request.by)
    if request.decision not in DECISIONS:
        raise UsageError(f"--decision must be one of {', '.join(DECISIONS)}")
    key = None
    if request.key is not None:
        key = Path(os.path.expanduser(str(request.key)))
        if not key.is_file():
            raise UsageError(
                f"--sign: key file `{request.key}` not found (the private key, "
                "e.g. ~/.ssh/id_ed25519)"
            )
        if shutil.which("ssh-keygen") is None:
            raise UsageError(
                "--sign needs ssh-keygen (OpenSSH); install it, e.g. the openssh-client package"
            )
    info, info_diags = read_client(plans / client)
    date = request.date or client_today(info, None)
    text = _note_text(request, client, project, name, email, date)
    if len(text.encode("utf-8")) > MAX_NOTE_BYTES:
        raise UsageError(f"the note is larger than {MAX_NOTE_BYTES:,} bytes")

    note = create_note(
        project_dir / "approvals", f"{date.isoformat()}-{request.milestone}", text.encode("utf-8")
    )
    say(f"wrote {_shown(note)}")
    if key is None:
        if info.require_signed_approvals:
            say(
                f"note: {client}'s client.yml requires signed approvals; this decision counts "
                f"once {name} signs it:"
            )  # `say` prints one line: line breaks are escaped
            say(
                f"  ssh-keygen -Y sign -n {signatures.NAMESPACE} -f ~/.ssh/id_ed25519 "
                f"{_shown(note)}"
            )
        return note

    signature = sign(note, key)
    say(f"signed {_shown(signature)}")
    if info_diags.errors:
        raise SiteBuilderError(
            f"cannot check the signature: {_shown(info.source.path)} has errors ("
            + "; ".join(d.format() for d in info_diags.errors)
            + f"). The note and its signature were kept: {_shown(note)}, {_shown(signature)}"
        )
    with signatures.Verifier(info.signers) as verifier:
        raw, signed = note.read_bytes(), signature.read_bytes()
        state = verifier.state(raw, signed, email.lower(), date)
        retired = (
            verifier.key_outside_window(raw, signed, email.lower(), date)
            if state == signatures.UNKNOWN_SIGNER
            else None
        )
    if state != signatures.VERIFIED:
        raise SiteBuilderError(
            _not_verified(state, email, info, key, retired, date)
            + (
                f" The note and its signature were kept so you can inspect them: {_shown(note)}, "
                f"{_shown(signature)} (delete both to start over)."
            )
        )
    say(f"verified: signed by {name} <{email}>, a signer in {_shown(info.source.path)}")
    return note


def _person(value: str) -> tuple[str, str]:
    match = PERSON_RE.match(value)
    if not match or not match["name"] or not EMAIL_RE.match(match["email"]):
        raise UsageError(
            f'--by must be a name and an email, like "Ada Client <ada@example.com>", not `{value}`'
        )
    return match["name"], match["email"]


def _note_text(
    request: ApprovalRequest, client: str, project: str, name: str, email: str, date: dt.date
) -> str:
    # client and project bind the note to its folder once signed (notes.check_binding).
    lines = [
        "---",
        f"client: {client}",
        f"project: {project}",
        f"milestone: {request.milestone}",
        f"decision: {request.decision}",
        f"date: {date.isoformat()}",
        f"by: {yaml_scalar(f'{name} <{email}>')}",
    ]
    if request.deliverables:
        lines.append("deliverables:")
        lines += [f"  - {yaml_scalar(d)}" for d in request.deliverables]
    lines.append("---")
    body = request.note if request.note is not None else DEFAULT_BODIES[request.decision]
    body = body.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")
    text = "\n".join(lines) + "\n" + body + ("" if body.endswith("\n") else "\n")
    diags = Diagnostics()  # the same checks the loader makes: nothing invalid gets written
    parse_front_matter(Path("note.md"), text, diags)
    if diags.errors:
        raise UsageError("; ".join(d.message for d in diags.errors))
    return text


def create_note(
    folder: Path,
    base: str,
    raw: bytes,
    signature: bytes | None = None,
    taken: Callable[[Path], None] | None = None,
) -> Path:
    """Write approvals/<base>.md, or <base>-2.md, -3, ...: never over an existing note or
    signature (`taken(path)` sees each name that is, and may raise); with `signature`, the
    note's .sig beside it. Created exclusively, so two writers never share a name."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = folder / (f"{base}.md" if n == 1 else f"{base}-{n}.md")
        if path.exists() or signature_path(path).exists():
            if taken is not None:
                taken(path)
            continue
        try:
            with open(path, "xb") as handle:
                handle.write(raw)
        except FileExistsError:
            continue
        if signature is not None:
            with open(signature_path(path), "xb") as handle:
                handle.write(signature)
        return path
    raise UsageError(f"too many notes named {base}-N.md in {_shown(folder)}")


def sign(note: Path, key: Path) -> Path:
    """`ssh-keygen -Y sign -n milestone-approval -f KEY NOTE`; the .sig written."""
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise SiteBuilderError(
            f"ssh-keygen (OpenSSH) not found; {_shown(note)} was written unsigned"
        )
    interactive = sys.stdin is not None and sys.stdin.isatty()
    try:
        done = subprocess.run(
            [keygen, "-Y", "sign", "-n", signatures.NAMESPACE, "-f", str(key), str(note)],
            stdin=None if interactive else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_SIGN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        done = None
    signature = signature_path(note)
    if done is None or done.returncode != 0 or not signature.is_file():
        reason = " ".join((done.stderr or "").split()) if done is not None else "timed out"
        raise SiteBuilderError(
            f"ssh-keygen could not sign with {key}: {reason or 'unknown error'}. "
            f"{_shown(note)} was written unsigned; sign it later with: ssh-keygen -Y sign -n "
            f"{signatures.NAMESPACE} -f {key} {_shown(note)}"
        )
    return signature


def _not_verified(
    state: str, email: str, info: Client, key: Path, retired: SigningKey | None, date: dt.date
) -> str:
    emails, client_yml = [s.email for s in info.signers], _shown(info.source.path)
    if retired is not None:
        return (
            f"the signature is {state}: {key} is a key {client_yml} lists for "
            f"{email}, but it is {signatures.window(retired)} and the note is dated {date}."
        )
    if state == signatures.UNKNOWN_SIGNER and email.lower() not in emails:
        return (
            f"the signature is {state}: {client_yml} lists no signer with the email "
            f"{email} (signers: {', '.join(emails) or 'none'}). Add the signer with their "
            "public key, or correct --by."
        )
    if state == signatures.UNKNOWN_SIGNER:
        return f"the signature is {state}: {key} is not the key {client_yml} lists for {email}."
    return f"the signature is {state}: it does not verify over the note."


# --- verify -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteState:
    path: Path
    state: str | None  # None: the note could not be read (see the diagnostics)
    by_name: str | None = None
    counts: bool = True  # False when the client requires signatures and this is not verified


def find_notes(paths: Iterable[Path], plans: Path) -> list[Path]:
    """The approval notes named by `paths` (notes, their .sig, or folders), or all of them."""
    found: dict[Path, Path] = {}
    for given in list(paths) or [Path(plans)]:
        given = Path(given)
        if not given.exists():
            raise UsageError(f"`{given}` not found")
        if given.is_dir():
            candidates = sorted(
                p
                for p in given.rglob("*.md")
                if p.parent.name == "approvals" and (p.parent.parent / "plan.yml").is_file()
            )
        elif given.name.endswith(".md.sig"):
            note = given.with_name(given.name[: -len(".sig")])
            if not note.is_file():
                raise UsageError(f"`{given}` is a signature without its note ({note.name})")
            candidates = [note]
        elif given.name.endswith(".md"):
            candidates = [given]
        else:
            raise UsageError(
                f"`{given}` is not an approval note (.md), a signature (.md.sig) or a folder"
            )
        for note in candidates:
            found.setdefault(note.resolve(), note)
    return sorted(found.values(), key=lambda p: str(p))


def verify(paths: Iterable[Path], plans: Path) -> tuple[list[NoteState], Diagnostics]:
    """The signature state of each note, checked against its client's client.yml."""
    diags = Diagnostics()
    results: list[NoteState] = []
    clients: dict[Path, tuple[Client, signatures.Verifier]] = {}
    with contextlib.ExitStack() as stack:
        for path in find_notes(paths, plans):
            client_dir = path.parent.parent.parent
            if path.parent.name != "approvals" or not (client_dir / "client.yml").is_file():
                diags.error(
                    path,
                    0,
                    "not an approval note of a plans folder (expected "
                    "<client>/<project>/approvals/<name>.md beside "
                    "<client>/client.yml)",
                )
                results.append(NoteState(path, None))
                continue
            key = client_dir.resolve()
            if key not in clients:
                info, info_diags = read_client(client_dir)
                diags.extend(info_diags)
                clients[key] = (info, stack.enter_context(signatures.Verifier(info.signers)))
            info, verifier = clients[key]
            note = read_note(path, diags)
            if note is None:
                results.append(NoteState(path, None))
                continue
            signature = read_signature(path)
            try:
                state = verifier.state(note.raw, signature, note.by_email, note.date)
            except signatures.SshKeygenMissing as exc:
                raise SiteBuilderError(f"{exc}; install OpenSSH (openssh-client)") from None
            if state == signatures.VERIFIED and not note.bound:
                diags.warning(
                    path, note.line, unbound_warning(client_dir.name, path.parent.parent.name)
                )
            counts = state == signatures.VERIFIED or not info.require_signed_approvals
            results.append(NoteState(path, state, note.by_name, counts))
    return results, diags


def summary(results: list[NoteState]) -> str:
    counts = Counter(r.state or "unreadable" for r in results)
    order = [*signatures.STATES, "unreadable"]
    return f"{len(results)} note(s): " + (
        ", ".join(f"{counts[s]} {s}" for s in order if counts[s]) or "none found"
    )


def check_verified(results: list[NoteState], diags: Diagnostics, strict: bool = False) -> None:
    """`verify`'s verdict: raise when a signature is invalid, a note or client.yml could not
    be read, or (strict) a note is not verified; return when every note is in order."""
    invalid = [r for r in results if r.state == signatures.INVALID]
    if invalid:
        raise SiteBuilderError(
            f"{len(invalid)} note(s) with an invalid signature: changed "
            "after signing, or not a signature of this note"
        )
    if any(r.state is None for r in results) or diags.errors:
        raise SiteBuilderError("some notes or client.yml files could not be read (see above)")
    if strict and any(r.state != signatures.VERIFIED for r in results):
        raise SiteBuilderError("--strict: not every note has a verified signature")


def existing_projects(plans: Path, client: str) -> list[str]:
    folder = Path(plans) / client
    return (
        sorted(p.name for p in folder.iterdir() if (p / "plan.yml").is_file())
        if folder.is_dir()
        else []
    )


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)

"""`site-builder receive FILE`: file a decision a client signed on their status page.

The page (theme/overrides/assets/javascripts/approve.js) hands the client one text: the
approval note, then its armoured SSH signature. It reaches the team as the file the page's
"Download" saved, as an e-mail ("Send by e-mail": a saved .eml, plain or quoted-printable,
multipart, format=flowed, CRLF line ends) or pasted on standard input. This module finds the
note and the signature in it and checks, before writing anything:

* the note is bound (`client:`, `project:`) to a client and project that exist, names a
  milestone of that plan, lists the deliverables the page showed, and was made for the
  current plan revision (revision.py): a note signed on a page built from an older plan is
  refused, since the client did not see the plan as it is now;
* the signature verifies over the note's exact bytes with a key client.yml lists for the
  note's `by:` email, valid on its `date:` (signatures.Verifier, as a build checks it).

Then it writes approvals/DATE-MILESTONE.md and its .md.sig; never over an existing note (the
next free name DATE-MILESTONE-2.md, ... is used and reported; the same note received twice is
refused). Problems are reported as PATH:LINE (lines of an e-mail count in its decoded text).
"""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from ..errors import Diagnostics, PlanError, SiteBuilderError
from ..plans import signatures
from ..plans.files import MAX_NOTE_BYTES
from ..plans.load import load_plans
from ..plans.notes import parse_front_matter, signature_path, split_front_matter
from ..site.revision import plan_revision, shown_deliverables
from .approve import create_note

MAX_INPUT_BYTES = 5_000_000
BEGIN, END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
_ARMOUR = re.compile(
    r"^[ \t]*-----BEGIN SSH SIGNATURE-----[ \t]*\n"
    r"((?:[ \t]*[A-Za-z0-9+/=]+[ \t]*\n){1,200})"
    r"[ \t]*-----END SSH SIGNATURE-----[ \t]*$",
    re.M,
)
_FENCE = re.compile(r"^---[ \t]*\n", re.M)
_HEADER = re.compile(rb"[A-Za-z0-9-]{1,76}:")
_MAIL_HEADERS = ("from", "to", "subject", "date", "mime-version", "content-type", "message-id")


class ReceiveError(SiteBuilderError):
    """The input holds no decision to file, or it cannot be filed (no file line to name)."""


@dataclass(frozen=True)
class Received:
    note: Path
    signature: Path
    milestone: str
    decision: str
    by_name: str
    renamed_from: str | None  # the name taken by an earlier note, when another was chosen


@dataclass(frozen=True)
class _Found:
    note: str
    signature: str  # armoured, canonical line ends
    line: int  # of the note's first line in the text (1-based)
    signature_line: int


def read_input(file: str) -> tuple[Path, bytes]:
    """(the name to report, the bytes) of FILE, or of standard input for `-`."""
    if file == "-":
        return Path("<stdin>"), sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    try:
        with open(file, "rb") as handle:
            return Path(file), handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise ReceiveError(f"cannot read {file}: {exc.strerror or exc}") from None


def receive(source: Path, data: bytes, plans: Path) -> Received:
    """Check the decision in `data` (read from `source`) and file it (module docstring)."""
    if len(data) > MAX_INPUT_BYTES:
        raise ReceiveError(f"{_shown(source)} is larger than {MAX_INPUT_BYTES:,} bytes")
    found = next(filter(None, (_find(text) for text in _texts(data))), None)
    if found is None:
        raise ReceiveError(
            f"no signed decision found in {_shown(source)}: expected an approval note (front "
            f"matter between `---` lines) followed by {BEGIN} ... {END}, as the status page's "
            "Download saves it or its e-mail carries it"
        )
    raw = found.note.encode("utf-8")
    diags = Diagnostics()
    if len(raw) > MAX_NOTE_BYTES:
        raise ReceiveError(f"the note in {_shown(source)} is larger than {MAX_NOTE_BYTES:,} bytes")
    parsed = parse_front_matter(source, found.note, diags, found.line)
    if parsed is None or diags.errors:
        raise PlanError(diags.errors)
    fields = parsed[0]

    def refuse(field: str, message: str) -> NoReturn:
        diags.error(source, fields.line_of(field), message)
        raise PlanError(diags.errors)

    for field in ("client", "project", "plan_revision"):
        if fields.get(field) is None:
            refuse(
                field,
                f"the note has no `{field}:`: notes made on a status page name the "
                "client, project and plan revision they were made for; record "
                "other decisions with `site-builder approve`",
            )
    client_slug, project_slug = fields["client"], fields["project"]
    if not (Path(plans) / client_slug / "client.yml").is_file():
        refuse(
            "client",
            f"client `{client_slug}` not found in {plans}/: the note was made "
            "for another plans repository",
        )
    loaded, load_diags = load_plans(plans, only=[client_slug])
    if load_diags.errors:
        raise PlanError(load_diags.errors)
    client = loaded.client(client_slug)
    project = next((p for p in client.projects if p.slug == project_slug), None)
    if project is None:
        refuse(
            "project",
            f"project `{project_slug}` not found for client {client_slug}; "
            f"its projects: {', '.join(p.slug for p in client.projects)}",
        )
    milestone = next((m for m in project.milestones if m.id == fields["milestone"]), None)
    if milestone is None:
        refuse(
            "milestone",
            f"milestone `{fields['milestone']}` is not in the plan of {client_slug}/{project_slug}",
        )
    current = plan_revision(project)
    if fields["plan_revision"] != current:
        refuse(
            "plan_revision",
            f"the note was made for plan revision "
            f"{fields['plan_revision']}, but the plan of {client_slug}/"
            f"{project_slug} is now at revision {current}: it changed "
            "after the client's page was built, so the client did not see "
            "this plan; refused (ask them to decide again on the updated "
            "page)",
        )
    listed = list(fields.get("deliverables") or ())
    if listed != shown_deliverables(milestone):
        refuse(
            "deliverables",
            "the note's `deliverables:` are not the deliverables the plan "
            f"lists for `{milestone.id}`",
        )

    name, address = fields["by"]
    date = fields["date"]
    signature = found.signature.encode("ascii")
    try:
        with signatures.Verifier(client.signers) as verifier:
            state = verifier.state(raw, signature, address, date)
            retired = (
                verifier.key_outside_window(raw, signature, address, date)
                if state == signatures.UNKNOWN_SIGNER
                else None
            )
    except signatures.SshKeygenMissing as exc:
        raise ReceiveError(f"{exc}; install OpenSSH (openssh-client)") from None
    if state != signatures.VERIFIED:
        diags.error(
            source, found.signature_line, _why(state, retired, address, date, client, client_slug)
        )
        raise PlanError(diags.errors)

    folder = project.path / "approvals"
    base = f"{date.isoformat()}-{milestone.id}"

    def repeated(path: Path) -> None:
        if path.is_file() and path.read_bytes() == raw:
            raise ReceiveError(f"this decision was already received: {_shown(path)}")

    note_path = create_note(folder, base, raw, signature, repeated)
    renamed_from = f"{base}.md" if note_path.name != f"{base}.md" else None
    return Received(
        note_path,
        signature_path(note_path),
        milestone.id,
        fields.get("decision", "approved"),
        name,
        renamed_from,
    )


def _why(state: str, retired, address: str, date, client, slug: str) -> str:
    client_yml = _shown(client.path / "client.yml")
    if retired is not None:
        return (
            f"the signature is by a key {client_yml} lists for {address}, but that key is "
            f"{signatures.window(retired)} and the note is dated {date}"
        )
    if state == signatures.UNKNOWN_SIGNER:
        if address not in {s.email for s in client.signers}:
            return (
                f"the signature is valid, but {client_yml} lists no signer with the email "
                f"of `by:`; add the key the client's page showed with: site-builder "
                f'signers add {slug} "KEY LINE" --name NAME --email EMAIL'
            )
        return (
            f"the signature is valid, but not made with a key {client_yml} lists for the "
            "`by:` email; add the key the client's page showed with `site-builder signers "
            "add`"
        )
    return (
        "the signature does not verify over the note: the note or the signature was "
        "changed after signing (by hand, or by a mail program on the way)"
    )


# --- finding the note and the signature -------------------------------------------------------


def _texts(data: bytes) -> list[str]:
    """The texts that may hold the decision: the e-mail's text parts, or the whole input."""
    if _looks_like_mail(data):
        message = email.message_from_bytes(data, policy=email.policy.default)
        texts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            try:
                content = part.get_content()
            except (LookupError, ValueError, AssertionError):
                continue
            if isinstance(content, bytes):
                content = content.decode("utf-8", "replace")
            if not isinstance(content, str):
                continue
            content = _lines(content)
            if part.get_content_type() == "text/plain" and _param(part, "format") == "flowed":
                content = _unflow(content, _param(part, "delsp") == "yes")
            texts.append(content)
        return texts
    return [_lines(data.decode("utf-8", "replace"))]


def _param(part: email.message.Message, name: str) -> str:
    """A Content-Type parameter of a mail part, lower-cased ("" when absent)."""
    return email.utils.collapse_rfc2231_value(part.get_param(name, "")).lower()


def _looks_like_mail(data: bytes) -> bool:
    head = data[:8192].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    names = {
        line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        for line in head
        if _HEADER.match(line)
    }
    return (
        bool(head) and _HEADER.match(head[0]) is not None and len(names & set(_MAIL_HEADERS)) >= 2
    )


def _lines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _unflow(text: str, delsp: bool) -> str:
    """format=flowed (RFC 3676) text with its soft line breaks joined again."""
    out, held = [], ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            held += line[:-1] if delsp else line
        else:
            out.append(held + line)
            held = ""
    if held:
        out.append(held)
    return "\n".join(out)


def _find(text: str) -> _Found | None:
    armour = _ARMOUR.search(text)
    if armour is None:
        return None
    body = "".join(line.strip() + "\n" for line in armour.group(1).splitlines())
    signature = f"{BEGIN}\n{body}{END}\n"
    before = text[: armour.start()]
    for fence in _FENCE.finditer(before):
        if fence.start() and before[fence.start() - 1] != "\n":
            continue
        front = split_front_matter(before[fence.start() :])
        if front and re.search(r"^milestone:", front.yaml, re.M):
            line = before.count("\n", 0, fence.start()) + 1
            return _Found(
                before[fence.start() :], signature, line, text.count("\n", 0, armour.start()) + 1
            )
    return None


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)

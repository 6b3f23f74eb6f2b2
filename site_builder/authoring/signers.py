"""`site-builder signers add`: put a signer's public key into client.yml.

The key usually comes from a client's status page ("Set up approvals on this device"), which
shows it as a key line (`ssh-ed25519 AAAA...`) or an allowed_signers line (`EMAIL ssh-ed25519
AAAA...`); both are accepted. A new email becomes a new entry of `signers:`; a known one gets
the key added to its `keys:` (a `key:` is turned into `keys:` with both). A key already listed
(for anyone) is refused.

client.yml is edited as text, at the places the YAML parser reports: comments, field order,
quoting and every other field stay exactly as they were. The result is parsed and checked like
the loader does before it replaces the file; nothing is written when that fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Diagnostics, PlanError, SiteBuilderError, UsageError
from ..plans import schema, yamlsafe
from ..plans.clients import signers_of
from ..plans.schema import EMAIL_RE, SLUG_RE, SSH_KEY_RE
from .approve import read_record
from .scaffold import existing_clients, yaml_scalar
from .yamltext import display_path, item_columns, last_index, line_end, replace_file


@dataclass(frozen=True)
class Added:
    path: Path  # client.yml
    email: str
    new_signer: bool  # False: a key added to an existing signer
    keys: int  # how many keys the signer has now


def parse_key_line(line: str) -> tuple[str | None, str]:
    """A key line or an allowed_signers line -> (email or None, key line)."""
    text = " ".join(line.split())
    if SSH_KEY_RE.match(text):
        return None, text
    first, _, rest = text.partition(" ")
    if "@" in first and SSH_KEY_RE.match(rest):
        return first.lower(), rest
    raise UsageError(
        "KEY LINE must be an OpenSSH public key line (`ssh-ed25519 AAAA...`, the "
        "contents of a .pub file) or an allowed_signers line (`EMAIL ssh-ed25519 "
        f"AAAA...`), not `{' '.join(text.split()[:2])[:80]}`"
    )


def add_signer(
    plans: Path, client: str, line: str, name: str, email: str, valid_after: dt.date | None = None
) -> Added:
    """Add a key for `email` to plans/CLIENT/client.yml (see the module docstring)."""
    if not SLUG_RE.match(client) or not (Path(plans) / client / "client.yml").is_file():
        known = existing_clients(plans)
        raise UsageError(
            f"client `{client}` not found in {plans}/"
            f"{schema.did_you_mean(client, known)}; clients: "
            f"{', '.join(known) or 'none'}"
        )
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise UsageError(f"--email must be an email address, not `{email}`")
    name = " ".join(name.split())
    if not name or "<" in name or ">" in name:
        raise UsageError("--name must be the signer's name (without < or >)")
    given_email, key = parse_key_line(line)
    if given_email is not None and given_email != email:
        raise UsageError(f"the key line names {given_email}, but --email is {email}")

    path = Path(plans) / client / "client.yml"
    text = path.read_bytes().decode("utf-8")
    diags = Diagnostics()
    fields = read_record(path, schema.CLIENT, diags, text)
    signers = signers_of(path, fields, diags) if fields is not None else ()
    if diags.errors or fields is None:
        raise PlanError(diags.errors or diags.items)
    blob = key.split()[1]
    for signer in signers:
        if any(k.key.split()[1] == blob for k in signer.keys):
            raise SiteBuilderError(
                f"{display_path(path)}: this key is already listed for "
                f"{signer.email}; nothing was changed"
            )
    existing = next((s for s in signers if s.email == email), None)
    new_text = _edited(text, email, key, name, valid_after)
    check = Diagnostics()
    new_fields = read_record(path, schema.CLIENT, check, new_text)
    new_signers = signers_of(path, new_fields, check) if new_fields is not None else ()
    mine = next((s for s in new_signers if s.email == email), None)
    if check.errors or mine is None or not any(k.key.split()[1] == blob for k in mine.keys):
        problems = "; ".join(d.message for d in check.errors) or "the key was not found after"
        raise SiteBuilderError(
            f"{display_path(path)}: cannot add the key by editing the file "
            f"({problems}); add it by hand; nothing was changed"
        )
    replace_file(path, new_text)
    return Added(path, email, existing is None, len(mine.keys))


# --- editing the text -------------------------------------------------------------------------


def _edited(text: str, email: str, key: str, name: str, valid_after: dt.date | None) -> str:
    root = yamlsafe.parse(text)
    if not isinstance(root, yaml.MappingNode):
        raise SiteBuilderError("client.yml is not a YAML mapping")
    nl = "\r\n" if "\r\n" in text else "\n"
    entry = _key_entry(key, valid_after)
    signers = _value(root, "signers")
    if signers is None or (isinstance(signers, yaml.ScalarNode) and not signers.value):
        first, *rest = _signer(name, email, entry)
        body = ["- " + first, *("  " + x for x in rest)]
        if signers is None:
            block = "signers:" + nl + nl.join("  " + x for x in body) + nl
            return text + ("" if text.endswith("\n") or not text else nl) + block
        return _splice(
            text,
            signers.end_mark.index,
            signers.end_mark.index,
            nl + nl.join("  " + x for x in body),
        )
    if not isinstance(signers, yaml.SequenceNode):
        raise SiteBuilderError("`signers:` is not a list")
    if signers.flow_style:
        if signers.value:
            raise SiteBuilderError("`signers:` is written as a [flow] list")
        first, *rest = _signer(name, email, entry)
        lines = ["  - " + first, *("    " + x for x in rest)]
        start = len(text[: signers.start_mark.index].rstrip(" "))
        return _splice(text, start, signers.end_mark.index, nl + nl.join(lines))
    for item in signers.value:
        item_email = _value(item, "email") if isinstance(item, yaml.MappingNode) else None
        if isinstance(item_email, yaml.ScalarNode) and item_email.value.lower() == email:
            return _add_key(text, item, entry, nl)
    dash, column = item_columns(text, signers.value[-1])
    body = _signer(name, email, entry)
    lines = [
        " " * dash + "-" + " " * (column - dash - 1) + body[0],
        *(" " * column + x for x in body[1:]),
    ]
    return _insert_after(text, signers.value[-1], nl + nl.join(lines))


def _add_key(text: str, signer: yaml.MappingNode, entry: list[str], nl: str) -> str:
    for key_node, value in signer.value:
        if key_node.value == "keys":
            if not isinstance(value, yaml.SequenceNode) or value.flow_style or not value.value:
                raise SiteBuilderError("this signer's `keys:` is not a block list")
            dash, column = item_columns(text, value.value[-1])
            lines = [
                " " * dash + "-" + " " * (column - dash - 1) + entry[0],
                *(" " * column + x for x in entry[1:]),
            ]
            return _insert_after(text, value.value[-1], nl + nl.join(lines))
    for key_node, value in signer.value:
        if key_node.value == "key" and isinstance(value, yaml.ScalarNode):
            indent = " " * (key_node.start_mark.column + 2)
            old = text[value.start_mark.index : value.end_mark.index]
            added = nl + nl.join(
                [indent + "- " + entry[0], *(indent + "  " + x for x in entry[1:])]
            )
            end = line_end(text, value.end_mark.index)
            # Right to left, so earlier offsets stay valid.
            text = _splice(text, end, end, added)
            text = _splice(
                text, value.start_mark.index, value.end_mark.index, nl + indent + "- " + old
            )
            return _splice(text, key_node.start_mark.index, value.start_mark.index, "keys:")
    raise SiteBuilderError("this signer has neither `key:` nor `keys:`")


def _signer(name: str, email: str, entry: list[str]) -> list[str]:
    return [
        f"name: {yaml_scalar(name)}",
        f"email: {yaml_scalar(email)}",
        "keys:",
        "  - " + entry[0],
        *("    " + x for x in entry[1:]),
    ]


def _key_entry(key: str, valid_after: dt.date | None) -> list[str]:
    if valid_after is None:
        return [yaml_scalar(key)]
    return [f"key: {yaml_scalar(key)}", f"valid_after: {valid_after.isoformat()}"]


def _value(mapping: yaml.Node, name: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    return next((v for k, v in mapping.value if getattr(k, "value", None) == name), None)


def _insert_after(text: str, node: yaml.Node, added: str) -> str:
    end = line_end(text, last_index(node))
    return _splice(text, end, end, added)


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]

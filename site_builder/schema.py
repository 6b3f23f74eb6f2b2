"""The file formats of a plans repository, each declared once.

Every field of client.yml, plan.yml and approval front matter is declared here with its type
and documentation. The loader validates YAML nodes against these declarations (keeping line
numbers), and the same declarations can be exported as JSON Schema for editors.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostics

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# Deliberately strict: principals end up in an allowed_signers file, where `*`, `?`, `,` and
# quotes are pattern syntax; an email containing them could match anyone.
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}\Z")
PERSON_RE = re.compile(r"\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*\Z")
SSH_KEY_RE = re.compile(
    r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|"
    r"sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?\Z"
)
MATERIAL_COLORS = (
    "red", "pink", "purple", "deep purple", "indigo", "blue", "light blue", "cyan", "teal",
    "green", "light green", "lime", "yellow", "amber", "orange", "deep orange", "brown",
    "grey", "blue grey", "black", "white",
)
INVALID = object()  # a value that failed validation (already reported)


@dataclass
class Ctx:
    """Where the nodes come from, so every message can name the file and line."""

    path: Path
    diags: Diagnostics
    line_offset: int = 0  # lines before the YAML text in the file (front matter)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.line_offset

    def error(self, node: yaml.Node | None, message: str, line: int | None = None) -> None:
        self.diags.error(self.path, line if line is not None else self.line(node), message)

    def warning(self, node: yaml.Node | None, message: str, line: int | None = None) -> None:
        self.diags.warning(self.path, line if line is not None else self.line(node), message)


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"`{node.value}`" if len(node.value) < 40 else "a long text"


# --- types -----------------------------------------------------------------------------------


class Type:
    """A field type: converts a YAML node to a Python value, reporting problems to ctx."""

    json: dict = {}

    def convert(self, node: yaml.Node, ctx: Ctx, what: str) -> Any:
        raise NotImplementedError


def _scalar(node, ctx, what, expected) -> str | Any:
    if not isinstance(node, yaml.ScalarNode):
        ctx.error(node, f"`{what}` must be {expected}, not {_describe(node)}")
        return INVALID
    return node.value


class Str(Type):
    """Text. Numbers and yes/no are taken as written (`title: 2024` is the text "2024")."""

    json = {"type": "string"}

    def __init__(self, max_len: int = 10_000):
        self.max_len = max_len

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "text")
        if value is INVALID:
            return INVALID
        if len(value) > self.max_len:
            ctx.error(node, f"`{what}` is longer than {self.max_len} characters")
            return INVALID
        return value


class Slug(Type):
    json = {"type": "string", "pattern": SLUG_RE.pattern.rstrip("\\Z") + "$"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "a slug")
        if value is INVALID:
            return INVALID
        if not SLUG_RE.match(value):
            ctx.error(node, f"`{what}` must be a slug (lower-case letters, digits and '-', "
                            f"starting with a letter or digit, at most 63), not `{value}`")
            return INVALID
        return value


class Date(Type):
    json = {"type": "string", "format": "date"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "a date")
        if value is INVALID:
            return INVALID
        if not DATE_RE.match(value):
            ctx.error(node, f"`{what}` must be a date written YYYY-MM-DD, not `{value}`")
            return INVALID
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            ctx.error(node, f"`{what}`: {value} is not a real date")
            return INVALID


class Bool(Type):
    json = {"type": "boolean"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "true or false")
        if value is INVALID:
            return INVALID
        if node.tag != "tag:yaml.org,2002:bool" or value.lower() not in ("true", "false"):
            ctx.error(node, f"`{what}` must be true or false, not `{value}`")
            return INVALID
        return value.lower() == "true"


class Amount(Type):
    """A non-negative amount of money, kept exact (Decimal)."""

    json = {"type": "number", "minimum": 0}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "an amount")
        if value is INVALID:
            return INVALID
        cleaned = value.replace("_", "")
        try:
            if node.tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
                raise InvalidOperation
            amount = Decimal(cleaned)
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            ctx.error(node, f"`{what}` must be a number such as 8000 or 1250.50, not `{value}`")
            return INVALID
        if amount < 0:
            ctx.error(node, f"`{what}` must not be negative")
            return INVALID
        if amount > Decimal("1e15"):
            ctx.error(node, f"`{what}` is implausibly large")
            return INVALID
        return amount


class Enum(Type):
    def __init__(self, *values: str):
        self.values = values
        self.json = {"type": "string", "enum": list(values)}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "one of " + ", ".join(self.values))
        if value is INVALID:
            return INVALID
        if value not in self.values:
            ctx.error(node, f"`{what}` must be one of {', '.join(self.values)}, not `{value}`"
                            + did_you_mean(value, self.values))
            return INVALID
        return value


class Email(Type):
    json = {"type": "string", "format": "email"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "an email address")
        if value is INVALID:
            return INVALID
        if not EMAIL_RE.match(value):
            ctx.error(node, f"`{what}` must be a plain email address like ada@example.com, "
                            f"not `{value}`")
            return INVALID
        return value.lower()


class Person(Type):
    """`Name <email>`; converted to a (name, email) pair."""

    json = {"type": "string", "pattern": "^[^<>]*<[^<>\\s]+>\\s*$"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "`Name <email>`")
        if value is INVALID:
            return INVALID
        match = PERSON_RE.match(value)
        if not match or not match["name"] or not EMAIL_RE.match(match["email"]):
            ctx.error(node, f"`{what}` must be a name and an email, like "
                            f"`Ada Client <ada@example.com>`, not `{value}`")
            return INVALID
        return match["name"], match["email"].lower()


class SshKey(Type):
    json = {"type": "string", "pattern": "^(ssh-|ecdsa-|sk-)"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "an OpenSSH public key line")
        if value is INVALID:
            return INVALID
        value = value.strip()
        if not SSH_KEY_RE.match(value) or "\n" in value:
            ctx.error(node, f"`{what}` must be an OpenSSH public key line such as "
                            "`ssh-ed25519 AAAAC3Nza...` (the contents of a .pub file)")
            return INVALID
        return value


class Currency(Type):
    json = {"type": "string", "pattern": "^[A-Z]{3}$"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "an ISO 4217 currency code")
        if value is INVALID:
            return INVALID
        from babel.numbers import list_currencies

        if value.upper() not in list_currencies():
            ctx.error(node, f"`{what}` must be an ISO 4217 currency code such as EUR or USD, "
                            f"not `{value}`")
            return INVALID
        return value.upper()


class Color(Type):
    json = {"type": "string", "enum": list(MATERIAL_COLORS)}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "a Material palette colour")
        if value is INVALID:
            return INVALID
        if value.lower() not in MATERIAL_COLORS:
            ctx.error(node, f"`{what}` must be a Material palette colour ("
                            + ", ".join(MATERIAL_COLORS) + f"), not `{value}`"
                            + did_you_mean(value.lower(), MATERIAL_COLORS))
            return INVALID
        return value.lower()


class Anything(Type):
    """Free-form data (used for `internal:`); kept as plain Python values."""

    json = {}

    def convert(self, node, ctx, what):
        if isinstance(node, yaml.MappingNode):
            return {str(getattr(k, "value", "")): self.convert(v, ctx, what) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(v, ctx, what) for v in node.value]
        return node.value


class Seq(list):
    """A converted list that remembers the line of each item."""

    line: int = 0
    lines: list[int]


class ListOf(Type):
    def __init__(self, item: Type, min_items: int = 0, allow_scalar: bool = False):
        self.item, self.min_items, self.allow_scalar = item, min_items, allow_scalar
        self.json = {"type": "array", "items": item.json}
        if min_items:
            self.json["minItems"] = min_items

    def convert(self, node, ctx, what):
        if isinstance(node, yaml.ScalarNode) and self.allow_scalar:
            nodes = [node]
        elif not isinstance(node, yaml.SequenceNode):
            ctx.error(node, f"`{what}` must be a list, not {_describe(node)}")
            return INVALID
        else:
            nodes = node.value
        out = Seq()
        out.line, out.lines = ctx.line(node), []
        for i, item in enumerate(nodes):
            value = self.item.convert(item, ctx, f"{what}[{i + 1}]")
            if value is not INVALID:
                out.append(value)
                out.lines.append(ctx.line(item))
        if len(nodes) < self.min_items:
            ctx.error(node, f"`{what}` needs at least {self.min_items} item(s)")
            return INVALID
        return out


class OneOf(Type):
    """A scalar of one type or a mapping of another (e.g. a deliverable)."""

    def __init__(self, scalar: Type, mapping: "Record"):
        self.scalar, self.mapping = scalar, mapping
        self.json = {"oneOf": [scalar.json, mapping.json]}

    def convert(self, node, ctx, what):
        if isinstance(node, yaml.MappingNode):
            return self.mapping.convert(node, ctx, what)
        return self.scalar.convert(node, ctx, what)


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it is required, and what it means."""

    name: str
    type: Type
    doc: str
    required: bool = False
    example: Any = None


class Fields(dict):
    """A converted mapping: field name -> value, plus the line of the mapping and of each key."""

    line: int = 0
    lines: dict[str, int]

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def get(self, key, default=None):
        """The value of a field, or `default` when absent or invalid (already reported)."""
        value = super().get(key, default)
        return default if value is INVALID else value


@dataclass
class Record(Type):
    """A mapping with declared fields; unknown keys are errors with a did-you-mean hint."""

    title: str
    fields: list[Field] = field(default_factory=list)

    @property
    def json(self):  # type: ignore[override]
        return {
            "type": "object",
            "title": self.title,
            "additionalProperties": False,
            "required": [f.name for f in self.fields if f.required],
            "properties": {
                f.name: {**f.type.json, "description": f.doc,
                         **({"examples": [f.example]} if f.example is not None else {})}
                for f in self.fields
            },
        }

    def convert(self, node, ctx, what=""):
        if not isinstance(node, yaml.MappingNode):
            ctx.error(node, f"{'`' + what + '` must be' if what else 'expected'} a mapping "
                            f"of fields, not {_describe(node)}")
            return INVALID
        known = {f.name: f for f in self.fields}
        out = Fields()
        out.line, out.lines = ctx.line(node), {}
        for key_node, value_node in node.value:
            prefix = f"{what}." if what else ""
            if not isinstance(key_node, yaml.ScalarNode):
                ctx.error(key_node, f"field names must be text, not {_describe(key_node)}")
                continue
            key = key_node.value
            if key not in known:
                ctx.error(key_node, f"unknown field `{prefix}{key}`" + (
                    did_you_mean(key, known) or "; expected one of " + ", ".join(known)))
                continue
            if key in out.lines:
                ctx.error(key_node, f"`{prefix}{key}` is given twice (first on line "
                                    f"{out.lines[key]})")
                continue
            out.lines[key] = ctx.line(key_node)
            if _is_null(value_node):
                continue  # an empty value counts as absent
            value = known[key].type.convert(value_node, ctx, prefix + key)
            if value is not INVALID:
                out[key] = value
            else:
                out[key] = INVALID
        for f in self.fields:
            if f.required and f.name not in out.lines:
                ctx.error(node, f"missing required field `{(what + '.') if what else ''}{f.name}`"
                          + (f", e.g. `{f.name}: {f.example}`" if f.example is not None else ""))
            elif f.required and f.name not in out:
                ctx.error(None, f"`{(what + '.') if what else ''}{f.name}` must not be empty",
                          line=out.lines[f.name])
        return out


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


# --- the three file formats -------------------------------------------------------------------

SIGNER = Record("Signer", [
    Field("name", Str(200), "The signer's name as shown on the site.", True, "Ada Client"),
    Field("email", Email(), "The signature principal: must equal the email in an approval's "
          "`by:` for the signature to count as verified.", True, "ada@fable.example"),
    Field("key", SshKey(), "The signer's OpenSSH public key line (contents of the .pub file).",
          True, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA..."),
])

SITE = Record("Site settings", [
    Field("url", Str(500), "Public address of the client's site; used for canonical links, "
          "the feed and the calendar.", example="https://status.example.com/fable/"),
    Field("logo", Str(300), "Logo image, relative to the client folder (svg, png, jpg, webp).",
          example="logo.svg"),
    Field("primary_color", Color(), "Material palette colour for the header.",
          example="indigo"),
])

CLIENT = Record("client.yml", [
    Field("name", Str(200), "The client's name, shown as the site title.", True, "Fable Studio"),
    Field("language", Str(20), "Site language (a Material language code).", example="en"),
    Field("timezone", Str(64), "IANA time zone whose 'today' decides what is overdue.",
          example="Europe/Berlin"),
    Field("require_signed_approvals", Bool(), "When true, an approval counts only with a "
          "verified SSH signature.", example=False),
    Field("signers", ListOf(SIGNER), "People who may sign approvals for this client."),
    Field("site", SITE, "How the client's site looks and where it lives."),
    Field("internal", Anything(), "Free-form notes for the team; never published."),
])

DELIVERABLE = Record("Deliverable", [
    Field("title", Str(500), "What is handed over.", True, "Readout deck"),
    Field("file", Str(500), "A file under the project's documents/ folder, published with the "
          "site.", example="documents/readout.pdf"),
])

MILESTONE = Record("Milestone", [
    Field("id", Slug(), "Identifier, unique in the project; approvals name it.", True,
          "discovery"),
    Field("title", Str(300), "What has been reached when this checkpoint passes.", True,
          "Discovery readout approved"),
    Field("phase", Str(200), "Optional phase the milestone closes.", example="Discovery"),
    Field("owner", Str(200), "Who is responsible for reaching it.", example="Sam Lee"),
    Field("due", Date(), "Target date, YYYY-MM-DD.", True, "2026-02-06"),
    Field("delivered", Date(), "When the deliverables were handed over, YYYY-MM-DD.",
          example="2026-02-04"),
    Field("depends_on", ListOf(Slug(), allow_scalar=True), "Ids of earlier milestones that "
          "must pass first.", example=["kickoff"]),
    Field("deliverables", ListOf(OneOf(Str(500), DELIVERABLE)), "What is handed over: text, "
          "or {title, file} with a file under documents/."),
    Field("acceptance", ListOf(Str(1000)), "Criteria the client checks before approving."),
    Field("invoice", Amount(), "Amount invoiced when the client approves.", example=8000),
    Field("internal", Anything(), "Free-form notes for the team; never published."),
])

PLAN = Record("plan.yml", [
    Field("title", Str(300), "The project's name.", True, "Brand refresh"),
    Field("summary", Str(20_000), "Markdown shown at the top of the project page."),
    Field("currency", Currency(), "ISO 4217 code of invoice amounts.", example="EUR"),
    Field("milestones", ListOf(MILESTONE, min_items=1), "Ordered checkpoints of the project.",
          True),
    Field("internal", Anything(), "Free-form notes for the team; never published."),
])

APPROVAL = Record("approval front matter", [
    Field("milestone", Slug(), "Id of the milestone decided on.", True, "discovery"),
    Field("decision", Enum("approved", "changes-requested", "rejected"),
          "The client's decision (default approved).", example="approved"),
    Field("date", Date(), "Date of the decision, YYYY-MM-DD.", True, "2026-02-05"),
    Field("by", Person(), "Who decided: name and email.", True,
          "Ada Client <ada@fable.example>"),
    Field("deliverables", ListOf(Str(500), allow_scalar=True), "What was reviewed."),
    Field("internal", Anything(), "Free-form notes for the team; never published."),
])

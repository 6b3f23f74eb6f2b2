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

from ..errors import Diagnostics

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}\Z")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# Deliberately strict: principals end up in an allowed_signers file, where `*`, `?`, `,` and
# quotes are pattern syntax; an email containing them could match anyone.
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}\Z")
PLAN_REVISION_RE = re.compile(r"[0-9a-f]{16}\Z")
PERSON_RE = re.compile(r"\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*\Z")
SSH_KEY_RE = re.compile(
    r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|"
    r"sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?\Z"
)
# htpasswd hashes nginx and Apache accept: bcrypt ($2y$, htpasswd -B), Apache MD5 ($apr1$),
# SHA-256/512 crypt ($5$, $6$) and unsalted SHA-1 ({SHA}). Anything else, {PLAIN} included, is
# taken for a password written in clear.
PASSWORD_HASH_RE = re.compile(
    r"(?:\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}"
    r"|\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}"
    r"|\$5\$(?:rounds=[0-9]{4,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}"
    r"|\$6\$(?:rounds=[0-9]{4,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}"
    r"|\{SHA\}[A-Za-z0-9+/]{27}=)\Z"
)
WEAK_HASH_PREFIXES = ("$apr1$", "{SHA}")
HTPASSWD_USER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}\Z")
NO_PASSWORDS = ("never put passwords in client.yml; use password_env / hashes: "
                "`access.password_env` names the environment variable that holds the password "
                "(password mode), `access.users` takes htpasswd hashes such as `$2y$...` from "
                "`htpasswd -nB NAME` (host mode)")
MATERIAL_COLORS = (
    "red", "pink", "purple", "deep purple", "indigo", "blue", "light blue", "cyan", "teal",
    "green", "light green", "lime", "yellow", "amber", "orange", "deep orange", "brown",
    "grey", "blue grey", "black", "white",
)
INVALID = object()  # a value that failed validation (already reported)


def json_pattern(regex: re.Pattern | str) -> str:
    """A Python pattern anchored with `\\Z` as an anchored JSON Schema (ECMA-262) pattern."""
    text = regex.pattern if isinstance(regex, re.Pattern) else regex
    return "^" + (text[:-2] if text.endswith("\\Z") else text) + "$"


def _any_case(word: str) -> str:
    """`Indigo` -> `[Ii][Nn]...`: JSON Schema patterns have no case-insensitive flag."""
    assert re.fullmatch(r"[A-Za-z ]+", word), word  # nothing that would need escaping
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


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
    """A field type: converts a YAML node to a Python value, reporting problems to ctx.

    `json` is the JSON Schema fragment accepting the same values, as an editor reading the
    file as YAML 1.2 sees them (dates are text; yes/no are text; 2024 is a number).
    """

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

    def __init__(self, max_len: int = 10_000):
        self.max_len = max_len
        # Numbers and true/false are accepted too: the loader takes them as written.
        self.json = {"type": ["string", "number", "boolean"], "maxLength": max_len}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "text")
        if value is INVALID:
            return INVALID
        if len(value) > self.max_len:
            ctx.error(node, f"`{what}` is longer than {self.max_len} characters")
            return INVALID
        return value


class Slug(Type):
    # `id: 2024` is the slug "2024" to the loader and a number to an editor.
    json = {"type": ["string", "integer"], "pattern": json_pattern(SLUG_RE), "minimum": 0}

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
    """A calendar date, YYYY-MM-DD, within DATE_RANGE."""

    json = {"type": "string", "format": "date",
            "pattern": "^(?:20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "a date")
        if value is INVALID:
            return INVALID
        if not DATE_RE.match(value):
            ctx.error(node, f"`{what}` must be a date written YYYY-MM-DD, not `{value}`")
            return INVALID
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            ctx.error(node, f"`{what}`: {value} is not a real date")
            return INVALID
        problem = date_range_problem(date)
        if problem:
            ctx.error(node, f"`{what}`: {problem}")
            return INVALID
        return date


# Every date site-builder accepts (plans, approval notes, signer keys, --today): wide enough
# for any real plan, narrow enough that each one can be counted from, drawn and put in a
# calendar (9999-12-31 plus a day overflows), and that a typo such as 0226 for 2026 is caught.
DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def date_range_problem(date: dt.date) -> str | None:
    """Why `date` is outside DATE_RANGE (a sentence to follow "`field`: "), if it is."""
    first, last = DATE_RANGE
    if first <= date <= last:
        return None
    return (f"{date.isoformat()} is outside the years site-builder accepts ({first.year} to "
            f"{last.year}); check the year")


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

    json = {"type": "number", "minimum": 0, "maximum": 10**15}

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
    json = {"type": "string", "format": "email", "pattern": json_pattern(EMAIL_RE)}

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

    json = {"type": "string",
            "pattern": "^\\s*[^<>\\s][^<>]*<" + EMAIL_RE.pattern[:-2] + ">\\s*$"}

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
    json = {"type": "string", "pattern": "^\\s*" + SSH_KEY_RE.pattern[:-2] + "\\s*$"}

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


class Pattern(Type):
    """Text matching a regular expression; `explain` says what is expected."""

    def __init__(self, regex: re.Pattern, explain: str):
        self.regex, self.explain = regex, explain
        self.json = {"type": "string", "pattern": json_pattern(regex)}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "text")
        if value is INVALID:
            return INVALID
        if not self.regex.match(value):
            ctx.error(node, f"`{what}` {self.explain}, not `{value}`")
            return INVALID
        return value


class PasswordHash(Type):
    """An htpasswd hash; anything else is taken for a password and refused (never echoed)."""

    json = {"type": "string", "pattern": json_pattern(PASSWORD_HASH_RE)}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "an htpasswd hash")
        if value is INVALID:
            return INVALID
        if not PASSWORD_HASH_RE.match(value):
            # The value is not quoted: it may well be a password.
            ctx.error(node, f"`{what}` is not an htpasswd hash ($2y$..., $apr1$..., $5$..., "
                            f"$6$... or {{SHA}}...): {NO_PASSWORDS}")
            return INVALID
        return value


class Currency(Type):
    # Which codes exist is checked by the loader only (Babel's list changes between releases).
    json = {"type": "string", "pattern": "^[A-Za-z]{3}$"}

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
    # The enum gives editors completions; the pattern accepts any case, as the loader does.
    json = {"anyOf": [
        {"type": "string", "enum": list(MATERIAL_COLORS)},
        {"type": "string", "pattern": "^(" + "|".join(map(_any_case, MATERIAL_COLORS)) + ")$"},
    ]}

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
        array = {"type": "array", "items": item.json}
        if min_items:
            array["minItems"] = min_items
        self.json = {"anyOf": [item.json, array]} if allow_scalar else array

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
            if _is_null(item):  # `- ` alone would otherwise become the text "" or "~"
                ctx.error(item, f"`{what}[{i + 1}]` is empty: write a value or remove the "
                                "`-` line")
                continue
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

    def __init__(self, scalar: Type, mapping: Record):
        self.scalar, self.mapping = scalar, mapping
        self.json = {"oneOf": [scalar.json, mapping.json]}

    def convert(self, node, ctx, what):
        if isinstance(node, yaml.MappingNode):
            return self.mapping.convert(node, ctx, what)
        return self.scalar.convert(node, ctx, what)


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it is required, and what it means.

    `example` appears in the JSON Schema and, for a required field, in the message when it is
    missing. `json_extra` adds JSON Schema keywords for checks the loader makes elsewhere
    (e.g. the pattern of `language`); it never changes what the loader accepts.
    """

    name: str
    type: Type
    doc: str
    required: bool = False
    example: Any = None
    json_extra: dict | None = None
    missing_hint: str = ""  # appended to the message when a required field is missing

    @property
    def json(self) -> dict:
        """The JSON Schema of this key's value (null allowed when optional: empty = absent)."""
        fragment = {**self.type.json, **(self.json_extra or {})}
        if not self.required:
            fragment = _nullable(fragment)
        examples = fragment.pop("examples", None) or \
            ([self.example] if self.example is not None else None)
        fragment.pop("description", None)  # a nested record's own doc: the field's says more
        return {"description": self.doc, **fragment, **({"examples": examples} if examples else {})}


def _nullable(fragment: dict) -> dict:
    """`fragment` or null (an empty value, which the loader treats as absent)."""
    if not fragment:
        return fragment  # anything, null included
    out = dict(fragment)
    for combinator in ("anyOf", "oneOf"):
        if combinator in out:
            out[combinator] = [*out[combinator], {"type": "null"}]
            return out
    types = out["type"] if isinstance(out["type"], list) else [out["type"]]
    out["type"] = [*types, "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


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
    doc: str = ""
    # Keys that are always an error, with the message to give (e.g. `password:`). The JSON
    # Schema refuses them like any unknown key (additionalProperties: false).
    forbidden: dict[str, str] = field(default_factory=dict)
    # JSON Schema keywords for rules between fields that the loader checks (e.g. `key` or
    # `keys`); like Field.json_extra, it never changes what the loader accepts.
    json_rules: dict = field(default_factory=dict)

    @property
    def json(self):  # type: ignore[override]
        required = [f.name for f in self.fields if f.required]
        return {
            "title": self.title,
            **({"description": self.doc} if self.doc else {}),
            "type": "object",
            **({"required": required} if required else {}),
            "properties": {f.name: f.json for f in self.fields},
            "additionalProperties": False,
            **self.json_rules,
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
            if key not in known and key in self.forbidden:
                ctx.error(key_node, f"`{prefix}{key}`: {self.forbidden[key]}")
                continue
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
                          + (f", e.g. `{f.name}: {f.example}`" if f.example is not None else "")
                          + (f": {f.missing_hint}" if f.missing_hint else ""))
            elif f.required and f.name not in out:
                ctx.error(None, f"`{(what + '.') if what else ''}{f.name}` must not be empty",
                          line=out.lines[f.name])
        return out


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


# --- the three file formats -------------------------------------------------------------------
# Docs and examples end up in the JSON Schemas editors use (schema_export.py): write them for
# the project manager hovering over a key.

_EXAMPLE_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMb4Cqo6765xwnqQJMZdGBJQVHPXhPa99aakt1JnLTcF "
                "ada@laptop")
_INTERNAL_DOC = ("Free-form notes for the team (any YAML). Never published: not on the site, "
                 "not in status.json.")

_EXAMPLE_NEW_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHprgl2Unzctpe8QqQZ6HC/IoZijZqYUrdGKJyxEuw"
                    "ym ada@new-laptop")

SIGNING_KEY = Record("Signing key", [
    Field("key", SshKey(), "An OpenSSH public key line (the contents of a .pub file).", True,
          _EXAMPLE_KEY),
    Field("valid_after", Date(), "First date (inclusive) of the approval notes this key may "
          "sign, compared with each note's `date:`. Default: no limit.", example="2026-06-01"),
    Field("valid_before", Date(), "Last date (inclusive) of the approval notes this key may "
          "sign: set it when the key is retired, and notes dated up to then keep verifying. "
          "Default: no limit.", example="2026-05-31"),
], doc="One of a signer's keys and the note dates it may sign (OpenSSH allowed_signers "
       "valid-after / valid-before).")

SIGNER = Record("Signer", [
    Field("name", Str(200), "The signer's name as shown on the site.", True, "Ada Client"),
    Field("email", Email(), "The signature principal: must equal the email in an approval's "
          "`by:` for the signature to count as verified. Never published.", True,
          "ada@fable.example"),
    Field("key", SshKey(), "The signer's OpenSSH public key line: the contents of their .pub "
          "file (e.g. ~/.ssh/id_ed25519.pub). Give `key` or `keys`, not both.",
          example=_EXAMPLE_KEY),
    Field("keys", ListOf(OneOf(SshKey(), SIGNING_KEY), min_items=1), "Several keys (e.g. "
          "when the signer gets a new laptop): key lines, or {key, valid_after, valid_before} "
          "to limit a key to notes dated in that window. A note verifies against the keys "
          "valid on its `date:`.",
          example=[{"key": _EXAMPLE_KEY, "valid_before": "2026-05-31"},
                   {"key": _EXAMPLE_NEW_KEY, "valid_after": "2026-06-01"}]),
    Field("notify", ListOf(Enum("email")), "What this person is sent: `[email]` opts in "
          "to the e-mail digest of `site-builder events --email` (this client's changes, in "
          "its language). The address is only used for sending, never published. Default: "
          "nothing.", example=["email"]),
], doc="Someone who may sign approval notes for this client.",
   json_rules={"oneOf": [{"required": ["key"]}, {"required": ["keys"]}]})

SITE = Record("Site settings", [
    Field("url", Str(500), "Public address of the client's site, http(s), ending in /; used "
          "for canonical links, the feed and the calendar.",
          example="https://status.example.com/fable/",
          json_extra={"type": "string", "pattern": r"^https?://[^\s/?#]+[^\s]*$"}),
    Field("logo", Str(300), "Logo image, relative to the client folder (svg, png, jpg, webp, "
          "gif; at most 2 MB; SVG without scripts or links).", example="logo.svg",
          json_extra={"type": "string"}),
    Field("primary_color", Color(), "Material palette colour for the header.",
          example="indigo"),
    Field("accent_color", Color(), "Material palette colour for links and highlights.",
          example="deep orange"),
    Field("favicon", Str(300), "Browser tab icon, relative to the client folder (png, svg, "
          "ico; at most 2 MB).", example="favicon.png", json_extra={"type": "string"}),
    Field("css", Str(300), "Extra stylesheet for this client's site, relative to the client "
          "folder (no @import, no remote url()).", example="brand.css",
          json_extra={"type": "string"}),
], doc="How the client's site looks and where it lives.")

CONTACT = Record("Contact", [
    Field("name", Str(200), "Who at the agency receives this client's decisions.", True,
          "Sam Lee"),
    Field("email", Email(), "The agency's address for this client. PUBLISHED on the client's "
          "site (the one address that is): the status page's \"Send by e-mail\" link sends "
          "signed decisions to it. Use a team address, not a private one.", True,
          "projects@northstar.example"),
], doc="The agency's contact for this client, shown on its site.")

_EXAMPLE_HASH = "$2y$10$PiMa.2EGJDafhSC2LtTLp.0kZViOlNy/ndQxgYYA6Z0y.J0tjKtDm"
ACCESS_MODES = ("public", "link", "password", "host")
_NO_PASSWORD_KEYS = {key: NO_PASSWORDS for key in ("password", "passwords", "passwd", "pass")}

ACCESS_USER = Record("Login", [
    Field("name", Pattern(HTPASSWD_USER_RE, "must be a user name (letters, digits and "
                                            "`._@+-`, no spaces or colons)"),
          "The user name the client types at the login prompt.", True, "okafor"),
    Field("hash", PasswordHash(), "The password's htpasswd hash, never the password: bcrypt "
          "from `htpasswd -nB NAME` ($2y$...); $apr1$ and {SHA} hashes work too but are quick "
          "to crack.", True, _EXAMPLE_HASH, missing_hint=NO_PASSWORDS),
], doc="One login for a host-mode site.", forbidden=_NO_PASSWORD_KEYS)

ACCESS = Record("Access", [
    Field("mode", Enum(*ACCESS_MODES), "Who can read the site. public: anyone, and search "
          "engines may index it. link (default): anyone with its unguessable address (a path "
          "derived from SITE_BUILDER_LINK_SECRET; `site-builder links` prints it). password: "
          "every page and status.json are encrypted in the build; the client types a password. "
          "host: the web server asks for a login (htpasswd `users`).", example="link"),
    Field("password_env", Pattern(ENV_NAME_RE, "must be the name of an environment variable "
                                               "(letters, digits and _)"),
          "Password mode: the environment variable holding the password (set it in CI "
          "secrets). The password itself never goes in this file.",
          example="NORTHWIND_SITE_PASSWORD"),
    Field("users", ListOf(ACCESS_USER, min_items=1), "Host mode: who may log in, each with "
          "an htpasswd hash of their password.",
          example=[{"name": "okafor", "hash": _EXAMPLE_HASH}]),
], doc="Who can read this client's site; see docs/hosting/private-sites.md.",
   forbidden=_NO_PASSWORD_KEYS)

# Draft-07 conditionals (editors): password mode needs password_env, host mode needs users.
_ACCESS_RULES = {"allOf": [
    {"if": {"properties": {"mode": {"const": "password"}}, "required": ["mode"]},
     "then": {"required": ["password_env"]}},
    {"if": {"properties": {"mode": {"const": "host"}}, "required": ["mode"]},
     "then": {"required": ["users"]}},
]}

CLIENT = Record("client.yml", [
    Field("name", Str(200), "The client's name, shown as the site title.", True, "Fable Studio"),
    Field("language", Str(20), "Site language: a Material for MkDocs language code such as "
          "en, de, fr or pt-BR. Default en.", example="en",
          json_extra={"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"}),
    Field("timezone", Str(64), "IANA time zone whose 'today' decides what is overdue. "
          "Default UTC.", example="Europe/Berlin", json_extra={"type": "string"}),
    Field("require_signed_approvals", Bool(), "When true, an approval counts only with a "
          "verified SSH signature (approvals/<name>.md.sig). Default false.", example=False),
    Field("signers", ListOf(SIGNER), "People who may sign approvals for this client, each "
          "with their SSH public key (`key`) or keys (`keys`).", example=[{
              "name": "Ada Client", "email": "ada@fable.example", "key": _EXAMPLE_KEY}]),
    Field("site", SITE, "How the client's site looks and where it lives.",
          example={"url": "https://status.example.com/fable/", "logo": "logo.svg",
                   "primary_color": "indigo"}),
    Field("access", ACCESS, "Who can read the site: public, link (the default), password or "
          "host. Say it explicitly: `check` warns when it is missing.",
          example={"mode": "password", "password_env": "NORTHWIND_SITE_PASSWORD"},
          json_extra=_ACCESS_RULES),
    Field("contact", CONTACT, "The agency's contact for this client: decisions signed on the "
          "status page are sent to this address, which is published on the site (the only "
          "email address that ever is). Without it, \"Send by e-mail\" opens a message with "
          "no recipient.", example={"name": "Sam Lee", "email": "projects@northstar.example"}),
    Field("internal", Anything(), _INTERNAL_DOC, example={"contract": "MSA-2026-014"}),
], doc="plans/<client>/client.yml: one client, who gets one status site.",
   forbidden={"password": NO_PASSWORDS})

AGENCY_COLORS = Record("Agency colours", [
    Field("primary", Color(), "Material palette colour for the header of every client's site "
          "(a client's `site.primary_color` wins).", example="indigo"),
    Field("accent", Color(), "Material palette colour for links and highlights (a client's "
          "`site.accent_color` wins).", example="indigo"),
], doc="The default palette of every client's site.")

AGENCY = Record("site-builder.yml", [
    Field("name", Str(200), "The agency's name: the author of every site, and the footer "
          "`Status page by NAME` unless `footer` says otherwise.",
          example="Northstar Delivery Co."),
    Field("colors", AGENCY_COLORS, "Default colours of every client's site.",
          example={"primary": "indigo", "accent": "indigo"}),
    Field("logo", Str(300), "Default header logo, relative to this file (svg, png, jpg, webp, "
          "gif; at most 2 MB; SVG without scripts or links). A client's `site.logo` wins.",
          example="branding/logo.svg", json_extra={"type": "string"}),
    Field("footer", Str(500), "Footer text of every page (plain text). Default: `Status page "
          "by NAME`, or nothing without a name.", example="Status page by Northstar Delivery Co."),
    Field("copyright", Str(500), "Copyright line under the footer text (plain text).",
          example="© 2026 Northstar Delivery Co."),
    Field("languages", ListOf(Str(20), min_items=1), "The site languages the agency supports: "
          "`check` refuses a client.yml `language` not in this list. Default: any language "
          "Material for MkDocs has.", example=["en", "de"],
          json_extra={"type": "array", "minItems": 1, "items": {
              "type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"}}),
    Field("extra_css", ListOf(Str(300)), "Stylesheets for every client's site, relative to "
          "this file (no @import, no remote url(): the same rules as a client's `site.css`, "
          "which comes after them).", example=["branding/agency.css"],
          json_extra={"type": "array", "items": {"type": "string"}}),
], doc="site-builder.yml, beside the plans folder: the agency's settings, laid over "
       "site-builder's base configuration; each client.yml is laid over them.")

DELIVERABLE = Record("Deliverable", [
    Field("title", Str(500), "What is handed over.", True, "Readout deck"),
    Field("file", Str(500), "A file under the project's documents/ folder, linked from the "
          "site and published with it.", example="documents/readout.pdf",
          json_extra={"type": "string", "pattern": r"^(\.[/\\])*documents[/\\]"}),
], doc="A deliverable with a file the client can download.")

MILESTONE = Record("Milestone", [
    Field("id", Slug(), "Identifier, unique in the project (lower-case letters, digits and "
          "'-'); approvals name it.", True, "discovery"),
    Field("title", Str(300), "What has been reached when this checkpoint passes.", True,
          "Discovery readout approved"),
    Field("phase", Str(200), "Optional phase the milestone closes.", example="Discovery"),
    Field("owner", Str(200), "Who is responsible for reaching it.", example="Sam Lee"),
    Field("due", Date(), "Target date, YYYY-MM-DD.", True, "2026-02-06"),
    Field("delivered", Date(), "When the deliverables were handed over, YYYY-MM-DD; the "
          "milestone then awaits the client's approval.", example="2026-02-04"),
    Field("approve_by", Date(), "The date by which the client is asked to decide on the "
          "delivered milestone, YYYY-MM-DD; shown in the page's \"your next step\". Without "
          "it: the due date, or 5 working days after delivery when that is later.",
          example="2026-02-11"),
    Field("depends_on", ListOf(Slug(), allow_scalar=True), "Ids of earlier milestones in "
          "this plan that must pass first.", example=["kickoff"]),
    Field("deliverables", ListOf(OneOf(Str(500), DELIVERABLE)), "What is handed over: text, "
          "or {title, file} with a file under documents/.",
          example=["Research report", {"title": "Readout deck",
                                       "file": "documents/readout.pdf"}]),
    Field("acceptance", ListOf(Str(1000)), "Criteria the client checks before approving.",
          example=["Client confirms the three audience personas"]),
    Field("invoice", Amount(), "Amount invoiced when the client approves (in the plan's "
          "currency).", example=8000),
    Field("internal", Anything(), _INTERNAL_DOC, example={"risk": "Depends on the client's "
                                                                  "legal review"}),
], doc="A checkpoint: zero duration, an owner, a due date, deliverables and acceptance "
       "criteria, often an invoice released on approval.")

PLAN = Record("plan.yml", [
    Field("title", Str(300), "The project's name.", True, "Brand refresh"),
    Field("summary", Str(20_000), "Markdown shown at the top of the project page.",
          example="Brand refresh ahead of the **2027 slate** announcement."),
    Field("currency", Currency(), "ISO 4217 code of invoice amounts. Default USD.",
          example="EUR"),
    Field("milestones", ListOf(MILESTONE, min_items=1), "Ordered checkpoints of the project "
          "(at least one; more than 10 is a warning).", True,
          json_extra={"examples": [[{"id": "discovery", "title": "Discovery readout approved",
                                     "due": "2026-02-06"}]]}),
    Field("internal", Anything(), _INTERNAL_DOC, example={"budget_owner": "Sam Lee"}),
], doc="plans/<client>/<project>/plan.yml: a project's milestones, in order.")

APPROVAL = Record("approval front matter", [
    Field("client", Slug(), "The client folder this note belongs to. With `project`, it binds "
          "a signed note to its place: a copy in another folder is an error and never counts. "
          "`site-builder approve` writes both.", example="fable"),
    Field("project", Slug(), "The project folder this note belongs to (see `client`).",
          example="brand-refresh"),
    Field("milestone", Slug(), "Id of the milestone decided on (an id in plan.yml).", True,
          "discovery"),
    Field("decision", Enum("approved", "changes-requested", "rejected"),
          "The client's decision. Default approved.", example="approved"),
    Field("date", Date(), "Date of the decision, YYYY-MM-DD.", True, "2026-02-05"),
    Field("by", Person(), "Who decided: name and email, `Name <email>`. For a signed note, "
          "the email of a signer in client.yml.", True, "Ada Client <ada@fable.example>"),
    Field("deliverables", ListOf(Str(500), allow_scalar=True), "What was reviewed.",
          example=["Research report", "Readout deck"]),
    Field("plan_revision", Pattern(PLAN_REVISION_RE, "must be a plan revision: 16 hex "
                                                     "digits"),
          "The revision of the plan the client saw when deciding on the status page (16 hex "
          "digits, a hash of the published plan). `site-builder receive` refuses a note made "
          "for another revision.", example="3f9c2a71d04be815"),
    Field("internal", Anything(), _INTERNAL_DOC, example={"received_by": "email"}),
], doc="The YAML front matter of plans/<client>/<project>/approvals/<name>.md, between `---` "
       "lines; the Markdown after it is the client's note.",
   # `client` and `project` come together (that they match the folders: the loader).
   json_rules={"anyOf": [{"required": ["client", "project"]},
                         {"not": {"anyOf": [{"required": ["client"]},
                                            {"required": ["project"]}]}}]})

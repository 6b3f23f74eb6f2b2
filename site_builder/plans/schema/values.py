"""The declaration machinery, part 1: patterns, the validation context (Ctx) and the value
types (Str, Slug, Date, Amount, ...) a field can have. The records built from them are in
records.py; the file formats declared with both, in client.py, plan.py, approval.py and
agency.py."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ...errors import Diagnostics

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
NO_PASSWORDS = (
    "never put passwords in client.yml; use password_env / hashes: "
    "`access.password_env` names the environment variable that holds the password "
    "(password mode), `access.users` takes htpasswd hashes such as `$2y$...` from "
    "`htpasswd -nB NAME` (host mode)"
)
INTERNAL_DOC = (
    "Free-form notes for the team (any YAML). Never published: not on the site, not in status.json."
)
MATERIAL_COLORS = (
    "red",
    "pink",
    "purple",
    "deep purple",
    "indigo",
    "blue",
    "light blue",
    "cyan",
    "teal",
    "green",
    "light green",
    "lime",
    "yellow",
    "amber",
    "orange",
    "deep orange",
    "brown",
    "grey",
    "blue grey",
    "black",
    "white",
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


def describe(node: yaml.Node) -> str:
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
        ctx.error(node, f"`{what}` must be {expected}, not {describe(node)}")
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
            ctx.error(
                node,
                f"`{what}` must be a slug (lower-case letters, digits and '-', "
                f"starting with a letter or digit, at most 63), not `{value}`",
            )
            return INVALID
        return value


class Date(Type):
    """A calendar date, YYYY-MM-DD, within DATE_RANGE."""

    json = {
        "type": "string",
        "format": "date",
        "pattern": "^(?:20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$",
    }

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
    return (
        f"{date.isoformat()} is outside the years site-builder accepts ({first.year} to "
        f"{last.year}); check the year"
    )


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
            ctx.error(
                node,
                f"`{what}` must be one of {', '.join(self.values)}, not `{value}`"
                + did_you_mean(value, self.values),
            )
            return INVALID
        return value


class Email(Type):
    json = {"type": "string", "format": "email", "pattern": json_pattern(EMAIL_RE)}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "an email address")
        if value is INVALID:
            return INVALID
        if not EMAIL_RE.match(value):
            ctx.error(
                node, f"`{what}` must be a plain email address like ada@example.com, not `{value}`"
            )
            return INVALID
        return value.lower()


class Person(Type):
    """`Name <email>`; converted to a (name, email) pair."""

    json = {"type": "string", "pattern": "^\\s*[^<>\\s][^<>]*<" + EMAIL_RE.pattern[:-2] + ">\\s*$"}

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "`Name <email>`")
        if value is INVALID:
            return INVALID
        match = PERSON_RE.match(value)
        if not match or not match["name"] or not EMAIL_RE.match(match["email"]):
            ctx.error(
                node,
                f"`{what}` must be a name and an email, like "
                f"`Ada Client <ada@example.com>`, not `{value}`",
            )
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
            ctx.error(
                node,
                f"`{what}` must be an OpenSSH public key line such as "
                "`ssh-ed25519 AAAAC3Nza...` (the contents of a .pub file)",
            )
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
            ctx.error(
                node,
                f"`{what}` is not an htpasswd hash ($2y$..., $apr1$..., $5$..., "
                f"$6$... or {{SHA}}...): {NO_PASSWORDS}",
            )
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
            ctx.error(
                node,
                f"`{what}` must be an ISO 4217 currency code such as EUR or USD, not `{value}`",
            )
            return INVALID
        return value.upper()


class Color(Type):
    # The enum gives editors completions; the pattern accepts any case, as the loader does.
    json = {
        "anyOf": [
            {"type": "string", "enum": list(MATERIAL_COLORS)},
            {"type": "string", "pattern": "^(" + "|".join(map(_any_case, MATERIAL_COLORS)) + ")$"},
        ]
    }

    def convert(self, node, ctx, what):
        value = _scalar(node, ctx, what, "a Material palette colour")
        if value is INVALID:
            return INVALID
        if value.lower() not in MATERIAL_COLORS:
            ctx.error(
                node,
                f"`{what}` must be a Material palette colour ("
                + ", ".join(MATERIAL_COLORS)
                + f"), not `{value}`"
                + did_you_mean(value.lower(), MATERIAL_COLORS),
            )
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


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"

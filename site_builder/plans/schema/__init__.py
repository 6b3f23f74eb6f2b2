"""The file formats of a plans repository, each declared once.

Every field of client.yml, plan.yml and approval front matter is declared here with its type
and documentation. The loader validates YAML nodes against these declarations (keeping line
numbers), and the same declarations can be exported as JSON Schema for editors.

The machinery (values.py: patterns, Ctx, the value types; records.py: ListOf, Field, Record)
is apart from the declarations, one module per file (client.py: CLIENT and its records; plan.py:
PLAN; approval.py: APPROVAL; agency.py: AGENCY); every public name of them is re-exported here.
"""

from __future__ import annotations

from .agency import AGENCY, AGENCY_COLORS
from .approval import APPROVAL
from .client import ACCESS, ACCESS_MODES, ACCESS_USER, CLIENT, CONTACT, SIGNER, SIGNING_KEY, SITE
from .plan import DELIVERABLE, MILESTONE, PLAN
from .records import (
    Field,
    Fields,
    ListOf,
    OneOf,
    Record,
    Seq,
)
from .values import (
    DATE_RANGE,
    DATE_RE,
    EMAIL_RE,
    ENV_NAME_RE,
    HTPASSWD_USER_RE,
    INTERNAL_DOC,
    INVALID,
    MATERIAL_COLORS,
    NO_PASSWORDS,
    PASSWORD_HASH_RE,
    PERSON_RE,
    PLAN_REVISION_RE,
    SLUG_RE,
    SSH_KEY_RE,
    WEAK_HASH_PREFIXES,
    Amount,
    Anything,
    Bool,
    Color,
    Ctx,
    Currency,
    Date,
    Email,
    Enum,
    PasswordHash,
    Pattern,
    Person,
    Slug,
    SshKey,
    Str,
    Type,
    date_range_problem,
    describe,
    did_you_mean,
    is_null,
    json_pattern,
)

__all__ = [
    "ACCESS",
    "ACCESS_MODES",
    "ACCESS_USER",
    "AGENCY",
    "AGENCY_COLORS",
    "APPROVAL",
    "Amount",
    "Anything",
    "Bool",
    "CLIENT",
    "CONTACT",
    "Color",
    "Ctx",
    "Currency",
    "DATE_RANGE",
    "DATE_RE",
    "DELIVERABLE",
    "Date",
    "EMAIL_RE",
    "ENV_NAME_RE",
    "Email",
    "Enum",
    "Field",
    "Fields",
    "HTPASSWD_USER_RE",
    "INTERNAL_DOC",
    "INVALID",
    "ListOf",
    "MATERIAL_COLORS",
    "MILESTONE",
    "NO_PASSWORDS",
    "OneOf",
    "PASSWORD_HASH_RE",
    "PERSON_RE",
    "PLAN",
    "PLAN_REVISION_RE",
    "PasswordHash",
    "Pattern",
    "Person",
    "Record",
    "SIGNER",
    "SIGNING_KEY",
    "SITE",
    "SLUG_RE",
    "SSH_KEY_RE",
    "Seq",
    "Slug",
    "SshKey",
    "Str",
    "Type",
    "WEAK_HASH_PREFIXES",
    "date_range_problem",
    "describe",
    "did_you_mean",
    "is_null",
    "json_pattern",
]

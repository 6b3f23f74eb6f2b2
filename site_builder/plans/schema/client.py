"""client.yml: one client, its signers and their keys, its site settings, its contact and
who may read its site."""

from __future__ import annotations

from ...model import AccessMode
from .records import Field, ListOf, OneOf, Record
from .values import (
    ENV_NAME_RE,
    HTPASSWD_USER_RE,
    INTERNAL_DOC,
    NO_PASSWORDS,
    Anything,
    Bool,
    Color,
    Date,
    Email,
    Enum,
    PasswordHash,
    Pattern,
    SshKey,
    Str,
)

# Docs and examples end up in the JSON Schemas editors use (schema_export.py) and the reference
# pages (docs_reference.py): write them for the project manager hovering over a key.

_EXAMPLE_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMb4Cqo6765xwnqQJMZdGBJQVHPXhPa99aakt1JnLTcF ada@laptop"
)

_EXAMPLE_NEW_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHprgl2Unzctpe8QqQZ6HC/IoZijZqYUrdGKJyxEuw"
    "ym ada@new-laptop"
)

SIGNING_KEY = Record(
    "Signing key",
    [
        Field(
            "key",
            SshKey(),
            "An OpenSSH public key line (the contents of a .pub file).",
            True,
            _EXAMPLE_KEY,
        ),
        Field(
            "valid_after",
            Date(),
            "First date (inclusive) of the approval notes this key may "
            "sign, compared with each note's `date:`. Default: no limit.",
            example="2026-06-01",
        ),
        Field(
            "valid_before",
            Date(),
            "Last date (inclusive) of the approval notes this key may "
            "sign: set it when the key is retired, and notes dated up to then keep verifying. "
            "Default: no limit.",
            example="2026-05-31",
        ),
    ],
    doc="One of a signer's keys and the note dates it may sign (OpenSSH allowed_signers "
    "valid-after / valid-before).",
)

SIGNER = Record(
    "Signer",
    [
        Field("name", Str(200), "The signer's name as shown on the site.", True, "Ada Client"),
        Field(
            "email",
            Email(),
            "The signature principal: must equal the email in an approval's "
            "`by:` for the signature to count as verified. Never published.",
            True,
            "ada@fable.example",
        ),
        Field(
            "key",
            SshKey(),
            "The signer's OpenSSH public key line: the contents of their .pub "
            "file (e.g. ~/.ssh/id_ed25519.pub). Give `key` or `keys`, not both.",
            example=_EXAMPLE_KEY,
        ),
        Field(
            "keys",
            ListOf(OneOf(SshKey(), SIGNING_KEY), min_items=1),
            "Several keys (e.g. "
            "when the signer gets a new laptop): key lines, or {key, valid_after, valid_before} "
            "to limit a key to notes dated in that window. A note verifies against the keys "
            "valid on its `date:`.",
            example=[
                {"key": _EXAMPLE_KEY, "valid_before": "2026-05-31"},
                {"key": _EXAMPLE_NEW_KEY, "valid_after": "2026-06-01"},
            ],
        ),
        Field(
            "notify",
            ListOf(Enum("email")),
            "What this person is sent: `[email]` opts in "
            "to the e-mail digest of `site-builder events --email` (this client's changes, in "
            "its language). The address is only used for sending, never published. Default: "
            "nothing.",
            example=["email"],
        ),
    ],
    doc="Someone who may sign approval notes for this client.",
    json_rules={"oneOf": [{"required": ["key"]}, {"required": ["keys"]}]},
)

SITE = Record(
    "Site settings",
    [
        Field(
            "url",
            Str(500),
            "Public address of the client's site, http(s), ending in /; used "
            "for canonical links, the feed and the calendar.",
            example="https://status.example.com/fable/",
            json_extra={"type": "string", "pattern": r"^https?://[^\s/?#]+[^\s]*$"},
        ),
        Field(
            "logo",
            Str(300),
            "Logo image, relative to the client folder (svg, png, jpg, webp, "
            "gif; at most 2 MB; SVG without scripts or links).",
            example="logo.svg",
            json_extra={"type": "string"},
        ),
        Field(
            "primary_color", Color(), "Material palette colour for the header.", example="indigo"
        ),
        Field(
            "accent_color",
            Color(),
            "Material palette colour for links and highlights.",
            example="deep orange",
        ),
        Field(
            "favicon",
            Str(300),
            "Browser tab icon, relative to the client folder (png, svg, ico; at most 2 MB).",
            example="favicon.png",
            json_extra={"type": "string"},
        ),
        Field(
            "css",
            Str(300),
            "Extra stylesheet for this client's site, relative to the client "
            "folder (no @import, no remote url()).",
            example="brand.css",
            json_extra={"type": "string"},
        ),
    ],
    doc="How the client's site looks and where it lives.",
)

CONTACT = Record(
    "Contact",
    [
        Field(
            "name", Str(200), "Who at the agency receives this client's decisions.", True, "Sam Lee"
        ),
        Field(
            "email",
            Email(),
            "The agency's address for this client. PUBLISHED on the client's "
            'site (the one address that is): the status page\'s "Send by e-mail" link sends '
            "signed decisions to it. Use a team address, not a private one.",
            True,
            "projects@northstar.example",
        ),
    ],
    doc="The agency's contact for this client, shown on its site.",
)

_EXAMPLE_HASH = "$2y$10$PiMa.2EGJDafhSC2LtTLp.0kZViOlNy/ndQxgYYA6Z0y.J0tjKtDm"
ACCESS_MODES = tuple(mode.value for mode in AccessMode)
_NO_PASSWORD_KEYS = {key: NO_PASSWORDS for key in ("password", "passwords", "passwd", "pass")}

ACCESS_USER = Record(
    "Login",
    [
        Field(
            "name",
            Pattern(
                HTPASSWD_USER_RE,
                "must be a user name (letters, digits and `._@+-`, no spaces or colons)",
            ),
            "The user name the client types at the login prompt.",
            True,
            "okafor",
        ),
        Field(
            "hash",
            PasswordHash(),
            "The password's htpasswd hash, never the password: bcrypt "
            "from `htpasswd -nB NAME` ($2y$...); $apr1$ and {SHA} hashes work too but are quick "
            "to crack.",
            True,
            _EXAMPLE_HASH,
            missing_hint=NO_PASSWORDS,
        ),
    ],
    doc="One login for a host-mode site.",
    forbidden=_NO_PASSWORD_KEYS,
)

ACCESS = Record(
    "Access",
    [
        Field(
            "mode",
            Enum(*ACCESS_MODES),
            "Who can read the site. public: anyone, and search "
            "engines may index it. link (default): anyone with its unguessable address (a path "
            "derived from SITE_BUILDER_LINK_SECRET; `site-builder links` prints it). password: "
            "every page and status.json are encrypted in the build; the client types a password. "
            "host: the web server asks for a login (htpasswd `users`).",
            example="link",
        ),
        Field(
            "password_env",
            Pattern(
                ENV_NAME_RE, "must be the name of an environment variable (letters, digits and _)"
            ),
            "Password mode: the environment variable holding the password (set it in CI "
            "secrets). The password itself never goes in this file.",
            example="NORTHWIND_SITE_PASSWORD",
        ),
        Field(
            "users",
            ListOf(ACCESS_USER, min_items=1),
            "Host mode: who may log in, each with an htpasswd hash of their password.",
            example=[{"name": "okafor", "hash": _EXAMPLE_HASH}],
        ),
    ],
    doc="Who can read this client's site; see docs/hosting/private-sites.md.",
    forbidden=_NO_PASSWORD_KEYS,
)

# Draft-07 conditionals (editors): password mode needs password_env, host mode needs users.
_ACCESS_RULES = {
    "allOf": [
        {
            "if": {"properties": {"mode": {"const": "password"}}, "required": ["mode"]},
            "then": {"required": ["password_env"]},
        },
        {
            "if": {"properties": {"mode": {"const": "host"}}, "required": ["mode"]},
            "then": {"required": ["users"]},
        },
    ]
}

CLIENT = Record(
    "client.yml",
    [
        Field(
            "name", Str(200), "The client's name, shown as the site title.", True, "Fable Studio"
        ),
        Field(
            "language",
            Str(20),
            "Site language: a Material for MkDocs language code such as "
            "en, de, fr or pt-BR. Default en.",
            example="en",
            json_extra={"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"},
        ),
        Field(
            "timezone",
            Str(64),
            "IANA time zone whose 'today' decides what is overdue. Default UTC.",
            example="Europe/Berlin",
            json_extra={"type": "string"},
        ),
        Field(
            "require_signed_approvals",
            Bool(),
            "When true, an approval counts only with a "
            "verified SSH signature (approvals/<name>.md.sig). Default false.",
            example=False,
        ),
        Field(
            "signers",
            ListOf(SIGNER),
            "People who may sign approvals for this client, each "
            "with their SSH public key (`key`) or keys (`keys`).",
            example=[{"name": "Ada Client", "email": "ada@fable.example", "key": _EXAMPLE_KEY}],
        ),
        Field(
            "site",
            SITE,
            "How the client's site looks and where it lives.",
            example={
                "url": "https://status.example.com/fable/",
                "logo": "logo.svg",
                "primary_color": "indigo",
            },
        ),
        Field(
            "access",
            ACCESS,
            "Who can read the site: public, link (the default), password or "
            "host. Say it explicitly: `check` warns when it is missing.",
            example={"mode": "password", "password_env": "NORTHWIND_SITE_PASSWORD"},
            json_extra=_ACCESS_RULES,
        ),
        Field(
            "contact",
            CONTACT,
            "The agency's contact for this client: decisions signed on the "
            "status page are sent to this address, which is published on the site (the only "
            'email address that ever is). Without it, "Send by e-mail" opens a message with '
            "no recipient.",
            example={"name": "Sam Lee", "email": "projects@northstar.example"},
        ),
        Field("internal", Anything(), INTERNAL_DOC, example={"contract": "MSA-2026-014"}),
    ],
    doc="plans/<client>/client.yml: one client, who gets one status site.",
    forbidden={"password": NO_PASSWORDS},
)

"""The file formats of a plans repository, each declared once: client.yml, plan.yml, approval
front matter and site-builder.yml, with their nested records."""

from __future__ import annotations

from .records import (
    Field,
    ListOf,
    OneOf,
    Record,
)
from .values import (
    ENV_NAME_RE,
    HTPASSWD_USER_RE,
    NO_PASSWORDS,
    PLAN_REVISION_RE,
    Amount,
    Anything,
    Bool,
    Color,
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
)

# --- the three file formats -------------------------------------------------------------------
# Docs and examples end up in the JSON Schemas editors use (schema_export.py): write them for
# the project manager hovering over a key.

_EXAMPLE_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMb4Cqo6765xwnqQJMZdGBJQVHPXhPa99aakt1JnLTcF ada@laptop"
)
_INTERNAL_DOC = (
    "Free-form notes for the team (any YAML). Never published: not on the site, not in status.json."
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
ACCESS_MODES = ("public", "link", "password", "host")
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
        Field("internal", Anything(), _INTERNAL_DOC, example={"contract": "MSA-2026-014"}),
    ],
    doc="plans/<client>/client.yml: one client, who gets one status site.",
    forbidden={"password": NO_PASSWORDS},
)

AGENCY_COLORS = Record(
    "Agency colours",
    [
        Field(
            "primary",
            Color(),
            "Material palette colour for the header of every client's site "
            "(a client's `site.primary_color` wins).",
            example="indigo",
        ),
        Field(
            "accent",
            Color(),
            "Material palette colour for links and highlights (a client's "
            "`site.accent_color` wins).",
            example="indigo",
        ),
    ],
    doc="The default palette of every client's site.",
)

AGENCY = Record(
    "site-builder.yml",
    [
        Field(
            "name",
            Str(200),
            "The agency's name: the author of every site, and the footer "
            "`Status page by NAME` unless `footer` says otherwise.",
            example="Northstar Delivery Co.",
        ),
        Field(
            "colors",
            AGENCY_COLORS,
            "Default colours of every client's site.",
            example={"primary": "indigo", "accent": "indigo"},
        ),
        Field(
            "logo",
            Str(300),
            "Default header logo, relative to this file (svg, png, jpg, webp, "
            "gif; at most 2 MB; SVG without scripts or links). A client's `site.logo` wins.",
            example="branding/logo.svg",
            json_extra={"type": "string"},
        ),
        Field(
            "footer",
            Str(500),
            "Footer text of every page (plain text). Default: `Status page "
            "by NAME`, or nothing without a name.",
            example="Status page by Northstar Delivery Co.",
        ),
        Field(
            "copyright",
            Str(500),
            "Copyright line under the footer text (plain text).",
            example="© 2026 Northstar Delivery Co.",
        ),
        Field(
            "languages",
            ListOf(Str(20), min_items=1),
            "The site languages the agency supports: "
            "`check` refuses a client.yml `language` not in this list. Default: any language "
            "Material for MkDocs has.",
            example=["en", "de"],
            json_extra={
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"},
            },
        ),
        Field(
            "extra_css",
            ListOf(Str(300)),
            "Stylesheets for every client's site, relative to "
            "this file (no @import, no remote url(): the same rules as a client's `site.css`, "
            "which comes after them).",
            example=["branding/agency.css"],
            json_extra={"type": "array", "items": {"type": "string"}},
        ),
    ],
    doc="site-builder.yml, beside the plans folder: the agency's settings, laid over "
    "site-builder's base configuration; each client.yml is laid over them.",
)

DELIVERABLE = Record(
    "Deliverable",
    [
        Field("title", Str(500), "What is handed over.", True, "Readout deck"),
        Field(
            "file",
            Str(500),
            "A file under the project's documents/ folder, linked from the "
            "site and published with it.",
            example="documents/readout.pdf",
            json_extra={"type": "string", "pattern": r"^(\.[/\\])*documents[/\\]"},
        ),
    ],
    doc="A deliverable with a file the client can download.",
)

MILESTONE = Record(
    "Milestone",
    [
        Field(
            "id",
            Slug(),
            "Identifier, unique in the project (lower-case letters, digits and "
            "'-'); approvals name it.",
            True,
            "discovery",
        ),
        Field(
            "title",
            Str(300),
            "What has been reached when this checkpoint passes.",
            True,
            "Discovery readout approved",
        ),
        Field("phase", Str(200), "Optional phase the milestone closes.", example="Discovery"),
        Field("owner", Str(200), "Who is responsible for reaching it.", example="Sam Lee"),
        Field("due", Date(), "Target date, YYYY-MM-DD.", True, "2026-02-06"),
        Field(
            "delivered",
            Date(),
            "When the deliverables were handed over, YYYY-MM-DD; the "
            "milestone then awaits the client's approval.",
            example="2026-02-04",
        ),
        Field(
            "approve_by",
            Date(),
            "The date by which the client is asked to decide on the "
            'delivered milestone, YYYY-MM-DD; shown in the page\'s "your next step". Without '
            "it: the due date, or 5 working days after delivery when that is later.",
            example="2026-02-11",
        ),
        Field(
            "depends_on",
            ListOf(Slug(), allow_scalar=True),
            "Ids of earlier milestones in this plan that must pass first.",
            example=["kickoff"],
        ),
        Field(
            "deliverables",
            ListOf(OneOf(Str(500), DELIVERABLE)),
            "What is handed over: text, or {title, file} with a file under documents/.",
            example=["Research report", {"title": "Readout deck", "file": "documents/readout.pdf"}],
        ),
        Field(
            "acceptance",
            ListOf(Str(1000)),
            "Criteria the client checks before approving.",
            example=["Client confirms the three audience personas"],
        ),
        Field(
            "invoice",
            Amount(),
            "Amount invoiced when the client approves (in the plan's currency).",
            example=8000,
        ),
        Field(
            "internal",
            Anything(),
            _INTERNAL_DOC,
            example={"risk": "Depends on the client's legal review"},
        ),
    ],
    doc="A checkpoint: zero duration, an owner, a due date, deliverables and acceptance "
    "criteria, often an invoice released on approval.",
)

PLAN = Record(
    "plan.yml",
    [
        Field("title", Str(300), "The project's name.", True, "Brand refresh"),
        Field(
            "summary",
            Str(20_000),
            "Markdown shown at the top of the project page.",
            example="Brand refresh ahead of the **2027 slate** announcement.",
        ),
        Field(
            "currency", Currency(), "ISO 4217 code of invoice amounts. Default USD.", example="EUR"
        ),
        Field(
            "milestones",
            ListOf(MILESTONE, min_items=1),
            "Ordered checkpoints of the project (at least one; more than 10 is a warning).",
            True,
            json_extra={
                "examples": [
                    [
                        {
                            "id": "discovery",
                            "title": "Discovery readout approved",
                            "due": "2026-02-06",
                        }
                    ]
                ]
            },
        ),
        Field("internal", Anything(), _INTERNAL_DOC, example={"budget_owner": "Sam Lee"}),
    ],
    doc="plans/<client>/<project>/plan.yml: a project's milestones, in order.",
)

APPROVAL = Record(
    "approval front matter",
    [
        Field(
            "client",
            Slug(),
            "The client folder this note belongs to. With `project`, it binds "
            "a signed note to its place: a copy in another folder is an error and never counts. "
            "`site-builder approve` writes both.",
            example="fable",
        ),
        Field(
            "project",
            Slug(),
            "The project folder this note belongs to (see `client`).",
            example="brand-refresh",
        ),
        Field(
            "milestone",
            Slug(),
            "Id of the milestone decided on (an id in plan.yml).",
            True,
            "discovery",
        ),
        Field(
            "decision",
            Enum("approved", "changes-requested", "rejected"),
            "The client's decision. Default approved.",
            example="approved",
        ),
        Field("date", Date(), "Date of the decision, YYYY-MM-DD.", True, "2026-02-05"),
        Field(
            "by",
            Person(),
            "Who decided: name and email, `Name <email>`. For a signed note, "
            "the email of a signer in client.yml.",
            True,
            "Ada Client <ada@fable.example>",
        ),
        Field(
            "deliverables",
            ListOf(Str(500), allow_scalar=True),
            "What was reviewed.",
            example=["Research report", "Readout deck"],
        ),
        Field(
            "plan_revision",
            Pattern(PLAN_REVISION_RE, "must be a plan revision: 16 hex digits"),
            "The revision of the plan the client saw when deciding on the status page (16 hex "
            "digits, a hash of the published plan). `site-builder receive` refuses a note made "
            "for another revision.",
            example="3f9c2a71d04be815",
        ),
        Field("internal", Anything(), _INTERNAL_DOC, example={"received_by": "email"}),
    ],
    doc="The YAML front matter of plans/<client>/<project>/approvals/<name>.md, between `---` "
    "lines; the Markdown after it is the client's note.",
    # `client` and `project` come together (that they match the folders: the loader).
    json_rules={
        "anyOf": [
            {"required": ["client", "project"]},
            {"not": {"anyOf": [{"required": ["client"]}, {"required": ["project"]}]}},
        ]
    },
)

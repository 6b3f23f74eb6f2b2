"""The typed model of a plans repository: what load.py produces and everything else reads.

Frozen dataclasses, each value traceable to its file and line (`Source`). Free-form `internal`
data is kept for team-only views; it is excluded from repr so it never lands in a log.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a value was written: file and 1-based line."""

    path: Path
    line: int = 1


@dataclass(frozen=True)
class SigningKey:
    """One public key of a signer and the note dates it may sign (both edges inclusive)."""

    key: str  # OpenSSH public key line
    valid_after: dt.date | None = None  # first note date it verifies
    valid_before: dt.date | None = None  # last note date it verifies

    def valid_on(self, date: dt.date) -> bool:
        return (self.valid_after is None or self.valid_after <= date) and (
            self.valid_before is None or date <= self.valid_before
        )


@dataclass(frozen=True)
class Signer:
    """Someone who may sign approval notes (client.yml `signers:`), with one or more keys."""

    name: str
    email: str
    keys: tuple[SigningKey, ...]
    notify: tuple[str, ...] = ()  # client.yml `notify: [email]`: e-mail digests (never published)


@dataclass(frozen=True)
class Contact:
    """The agency's contact for a client (client.yml `contact:`): the one published address."""

    name: str
    email: str


@dataclass(frozen=True)
class SiteSettings:
    url: str | None = None
    logo: Path | None = None  # absolute paths inside the client folder
    favicon: Path | None = None
    css: Path | None = None
    primary_color: str | None = None
    accent_color: str | None = None


@dataclass(frozen=True)
class AccessUser:
    """A host-mode login: a user name and its htpasswd hash (never a password)."""

    name: str
    hash: str = field(repr=False)


# The build secret link-mode paths are keyed with (access/modes.py); never a password_env.
LINK_SECRET_ENV = "SITE_BUILDER_LINK_SECRET"


class AccessMode(str, enum.Enum):
    """Who may read a client's site (client.yml `access.mode`); each value is the word
    client.yml, status.json and the access marker use, and is what str() and f-strings give.

    public: anyone, and search engines may index it; link: anyone with the secret path;
    password: the pages are encrypted; host: the web server asks for a login.
    """

    PUBLIC = "public"
    LINK = "link"
    PASSWORD = "password"
    HOST = "host"

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    @property
    def public(self) -> bool:
        """Anyone may read the site, at its plain path, and search engines may index it."""
        return self is AccessMode.PUBLIC

    @property
    def has_secret_path(self) -> bool:
        """The site is served under an unguessable path, which no shared file may name."""
        return self is AccessMode.LINK

    @property
    def needs_password(self) -> bool:
        """The pages are encrypted with a password (no search index, no feeds)."""
        return self is AccessMode.PASSWORD

    @property
    def needs_login(self) -> bool:
        """The web server asks for a login (htpasswd users) before serving any file."""
        return self is AccessMode.HOST

    @property
    def noindex(self) -> bool:
        """Search engines are asked not to index the site, nor follow its links."""
        return not self.public


@dataclass(frozen=True)
class Access:
    """Who may read the client's site (client.yml `access:`; docs/hosting/private-sites.md).

    public: anyone; link: anyone with the secret path (the default); password: the pages are
    encrypted, the password comes from the environment variable `password_env`; host: the web
    server asks for a login (htpasswd `users`).
    """

    mode: AccessMode = AccessMode.LINK
    explicit: bool = False  # False: client.yml has no access block (check warns)
    password_env: str | None = None
    users: tuple[AccessUser, ...] = field(default=(), repr=False)
    # client.yml line of `access.mode` (of `access:` without one; 0: no block), for messages
    line: int = field(default=0, compare=False)

    @property
    def public(self) -> bool:
        """Anyone may read the site, at its plain path."""
        return self.mode.public

    @property
    def has_secret_path(self) -> bool:
        """The site is served under an unguessable path (link mode)."""
        return self.mode.has_secret_path

    @property
    def needs_password(self) -> bool:
        """The pages are encrypted with the password from `password_env`."""
        return self.mode.needs_password

    @property
    def needs_login(self) -> bool:
        """The web server asks for a login (htpasswd `users`)."""
        return self.mode.needs_login


@dataclass(frozen=True)
class Deliverable:
    title: str
    file: str | None = None  # posix path relative to the project folder, under documents/


@dataclass(frozen=True)
class Document:
    """A file under a project's documents/ folder that a deliverable links to."""

    rel_path: str  # posix path relative to the project folder, e.g. documents/readout.pdf
    path: Path  # absolute, resolved, inside the client folder
    size: int


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    due: dt.date
    source: Source
    phase: str | None = None
    owner: str | None = None
    delivered: dt.date | None = None
    depends_on: tuple[str, ...] = ()
    deliverables: tuple[Deliverable, ...] = ()
    acceptance: tuple[str, ...] = ()
    invoice: Decimal | None = None
    internal: Any = field(default=None, repr=False, compare=False)
    approve_by: dt.date | None = None  # plan.yml `approve_by`: the client's decision date


@dataclass(frozen=True)
class Approval:
    """One client decision, from approvals/<name>.md (and its optional .sig)."""

    name: str  # file name, e.g. 2026-02-05-discovery.md; breaks ties between same-day notes
    milestone: str
    decision: str  # approved | changes-requested | rejected
    date: dt.date
    by_name: str
    by_email: str = field(repr=False)
    source: Source
    signature: str  # verified | unsigned | invalid | unknown-signer
    deliverables: tuple[str, ...] = ()
    body: str = ""  # the note's Markdown text (untrusted)
    internal: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Project:
    slug: str
    title: str
    path: Path
    source: Source
    milestones: tuple[Milestone, ...]
    approvals: tuple[Approval, ...] = ()
    documents: tuple[Document, ...] = ()
    summary: str | None = None
    currency: str = "USD"
    internal: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Client:
    slug: str
    name: str
    path: Path
    source: Source
    projects: tuple[Project, ...] = ()
    language: str = "en"
    language_line: int = 1
    timezone: str = "UTC"
    require_signed_approvals: bool = False
    signers: tuple[Signer, ...] = field(default=(), repr=False)
    site: SiteSettings = SiteSettings()
    internal: Any = field(default=None, repr=False, compare=False)
    access: Access = Access()
    contact: Contact | None = None


@dataclass(frozen=True)
class Plans:
    """Every client loaded from one plans folder."""

    root: Path
    clients: tuple[Client, ...] = ()

    def client(self, slug: str) -> Client:
        return next(c for c in self.clients if c.slug == slug)


# --- history: what git says about a plan (plans/history.py reads it) ---------------------------


@dataclass(frozen=True)
class ScheduleChange:
    """A commit that moved a milestone's due date."""

    milestone: str
    old_due: dt.date
    new_due: dt.date
    date: dt.date  # commit date
    commit: str  # short sha
    author: str = ""
    subject: str = ""


@dataclass(frozen=True)
class ScopeEdit:
    """A commit that changed a milestone's title, deliverables or acceptance criteria."""

    milestone: str
    date: dt.date  # commit date
    commit: str  # short sha
    fields: tuple[str, ...]
    author: str = ""
    subject: str = ""


@dataclass(frozen=True)
class MilestoneHistory:
    """What git says about one milestone: its first due date, every move and scope edit."""

    baseline_due: dt.date
    changes: tuple[ScheduleChange, ...] = ()
    scope_edits: tuple[ScopeEdit, ...] = ()


@dataclass(frozen=True)
class Provenance:
    """The commit that added an approval note: who committed it, and when."""

    author: str
    date: dt.date
    commit: str

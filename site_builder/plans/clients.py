"""client.yml: a client folder -> Client (settings, signers, access, site files), with its
projects (projects.py)."""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from pathlib import Path, PurePosixPath

from ..errors import Diagnostics
from ..model import (
    LINK_SECRET_ENV,
    Access,
    AccessMode,
    AccessUser,
    Client,
    Contact,
    Project,
    Signer,
    SigningKey,
    SiteSettings,
    Source,
)
from . import inert, schema, signatures
from .files import (
    FAVICON_SUFFIXES,
    IGNORED_NAMES,
    LOGO_SUFFIXES,
    MAX_SITE_FILE_BYTES,
    MAX_YAML_BYTES,
    FileRefused,
    inside,
    parse_yaml,
    read_file,
    read_text,
)
from .notes import Note, approvals_of
from .projects import load_project
from .schema import SLUG_RE

# The bytes each raster type starts with: a logo is published under its suffix's type.
_MAGIC = {
    ".png": re.compile(rb"\x89PNG\r\n\x1a\n"),
    ".jpg": re.compile(rb"\xff\xd8\xff"),
    ".jpeg": re.compile(rb"\xff\xd8\xff"),
    ".gif": re.compile(rb"GIF8[79]a"),
    ".webp": re.compile(rb"RIFF....WEBP", re.S),
    ".ico": re.compile(rb"\x00\x00\x01\x00"),
}


_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\Z")
# MkDocs/Material print site_url unescaped (canonical link; every URL of 404.html): allow only
# characters that cannot end an attribute or open a tag.
_SITE_URL_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%/:@+-]*)?\Z")


# --- client.yml -------------------------------------------------------------------------------


def load_client(folder: Path, diags: Diagnostics) -> Client | None:
    path = folder / "client.yml"
    real = folder.resolve()
    before = len(diags.errors)
    fields = None
    if inside(path, real, diags):
        text = read_text(path, MAX_YAML_BYTES, diags)
        fields = parse_yaml(path, text, schema.CLIENT, diags) if text is not None else None

    referenced: set[str] = set()
    site = SiteSettings()
    access = Access()
    language, timezone = "en", "UTC"
    signers: tuple[Signer, ...] = ()
    if fields is not None:
        language = fields.get("language", "en")
        if not _LANGUAGE_RE.match(language):
            diags.error(
                path,
                fields.line_of("language"),
                f"`language` must be a language code such as en, de or pt-BR, not `{language}`",
            )
        timezone = _timezone(path, fields, diags)
        signers = signers_of(path, fields, diags)
        site, referenced = _site(folder, real, path, fields.get("site"), diags)
        access = _access(path, fields, site, diags)

    projects: list[tuple[Project, list[Note]]] = []
    for entry in sorted(folder.iterdir()):
        if entry.name in ("client.yml", *IGNORED_NAMES) or entry.name in referenced:
            continue
        if not inside(entry, real, diags):
            continue
        if entry.is_dir() and SLUG_RE.match(entry.name) and (entry / "plan.yml").is_file():
            loaded = load_project(entry, real, diags)
            if loaded is not None:
                projects.append(loaded)
        elif entry.is_dir() and not SLUG_RE.match(entry.name):
            diags.error(
                entry,
                0,
                f"project folder name `{entry.name}` is not a slug "
                "(lower-case letters, digits and '-')",
            )
        elif entry.is_dir():
            diags.error(entry / "plan.yml", 0, "missing plan.yml: every project folder needs one")
        else:
            diags.error(
                entry,
                0,
                "unexpected file in the client folder; it holds client.yml, "
                "project folders and the files client.yml refers to (site.logo, site.favicon, "
                "site.css)",
            )
    if fields is None or len(diags.errors) > before:
        return None
    if not projects:
        diags.warning(path, 1, "client has no projects yet (add <project>/plan.yml)")
    client = Client(
        slug=folder.name,
        name=fields["name"],
        path=folder,
        source=Source(path, fields.line),
        language=language,
        language_line=fields.line_of("language"),
        timezone=timezone,
        require_signed_approvals=fields.get("require_signed_approvals", False),
        signers=signers,
        site=site,
        internal=fields.get("internal"),
        access=access,
        contact=Contact(**fields["contact"]) if fields.get("contact") else None,
    )
    with signatures.Verifier(signers) as verifier:
        return dataclasses.replace(
            client,
            projects=tuple(
                dataclasses.replace(project, approvals=approvals_of(client, notes, verifier, diags))
                for project, notes in projects
            ),
        )


def client_from_text(slug: str, path: Path, text: str, diags: Diagnostics) -> Client | None:
    """client.yml's text -> a Client without projects, site or access: what checking a
    decision needs (name, timezone, signers, require_signed_approvals); None if reported.

    The reader of client.yml for the commands that read a decision outside a build (`approve`,
    `verify`, `events` at a git revision); load_client makes the full checks for a build.
    """
    fields = parse_yaml(path, text, schema.CLIENT, diags)
    if fields is None:
        return None
    return Client(
        slug=slug,
        name=fields["name"],
        path=path.parent,
        source=Source(path, fields.line),
        timezone=_timezone(path, fields, diags),
        require_signed_approvals=fields.get("require_signed_approvals", False),
        signers=signers_of(path, fields, diags),
    )


def _timezone(path: Path, fields: schema.Fields, diags: Diagnostics) -> str:
    """The client's IANA time zone; UTC, with an error, when it names none."""
    timezone = fields.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        diags.error(
            path,
            fields.line_of("timezone"),
            f"`timezone` must be an IANA time zone such as Europe/Berlin or UTC, not `{timezone}`",
        )
        return "UTC"
    return timezone


def signers_of(path: Path, fields: schema.Fields, diags: Diagnostics) -> tuple[Signer, ...]:
    """The `signers:` of a converted client.yml, with the rules between entries checked.

    Each signer has `key:` or `keys:` (key lines or {key, valid_after, valid_before}); an email
    and a key may each appear once in the file (a key shared by two signers would let either
    sign as the other).
    """
    out: list[Signer] = []
    seen: dict[str, int] = {}  # email -> its line
    seen_keys: dict[tuple[str, ...], int] = {}  # (type, base64) -> its line
    items = fields.get("signers") or []
    for item, line in zip(items, getattr(items, "lines", [])):
        keys = _signing_keys(path, item, line, diags)
        if keys is None or not all(item.get(k) for k in ("name", "email")):
            continue
        if item["email"] in seen:
            diags.error(
                path,
                line,
                f"signer email {item['email']} is listed twice (first on "
                f"line {seen[item['email']]}); list all of a signer's "
                "keys under one entry with `keys:`",
            )
            continue
        seen[item["email"]] = line
        for key, key_line in keys:
            blob = tuple(key.key.split()[:2])
            if blob in seen_keys:
                diags.error(
                    path,
                    key_line,
                    f"this key is already listed on line "
                    f"{seen_keys[blob]}: each key belongs to one "
                    "signer, once",
                )
            seen_keys.setdefault(blob, key_line)
        out.append(
            Signer(
                item["name"],
                item["email"],
                tuple(k for k, _ in keys),
                tuple(item.get("notify") or ()),
            )
        )
    return tuple(out)


def _signing_keys(
    path: Path, item: schema.Fields, line: int, diags: Diagnostics
) -> list[tuple[SigningKey, int]] | None:
    """A signer's keys with their lines; None when missing or invalid (reported)."""
    if "key" in item.lines and "keys" in item.lines:
        diags.error(path, item.line_of("keys"), "give `key` (one key) or `keys` (a list), not both")
        return None
    if "key" not in item.lines and "keys" not in item.lines:
        diags.error(
            path,
            line,
            "signer without a key: add `key: ssh-ed25519 AAAA...` (the "
            "contents of their .pub file) or `keys:` (a list)",
        )
        return None
    field = "key" if "key" in item.lines else "keys"
    if field not in item:  # `key:` left empty (an invalid value is in `item`, reported)
        diags.error(path, item.line_of(field), f"`{field}` must not be empty")
        return None
    if field == "key":
        return [(SigningKey(item["key"]), item.line_of("key"))] if item.get("key") else None
    entries = item.get("keys") or []  # invalid entries are left out (and reported)
    out = []
    for entry, entry_line in zip(entries, getattr(entries, "lines", [])):
        if isinstance(entry, str):
            out.append((SigningKey(entry), entry_line))
            continue
        if not entry.get("key"):
            continue  # reported
        after, before = entry.get("valid_after"), entry.get("valid_before")
        if after and before and after > before:
            diags.error(
                path,
                entry.line_of("valid_before"),
                f"`valid_before` {before} is earlier than `valid_after` {after}: "
                "this key could sign no note",
            )
            continue
        out.append((SigningKey(entry["key"], after, before), entry_line))
    return out or None


def _access(path: Path, fields: schema.Fields, site: SiteSettings, diags: Diagnostics) -> Access:
    """The `access:` block (docs/hosting/private-sites.md): rules one field cannot check."""
    block = fields.get("access")
    if "access" not in fields.lines:
        diags.warning(
            path,
            1,
            "no `access:` block: the site defaults to link mode (anyone with "
            "its secret address can read it); say so explicitly, e.g. "
            "`access: {mode: link}` (or public, password, host)",
        )
        return Access()
    if block is None:
        if "access" not in fields:  # `access:` left empty (not invalid: that is reported)
            diags.error(
                path,
                fields.line_of("access"),
                "`access` is empty: give a `mode` (public, link, password or host)",
            )
        return Access()
    line = block.line
    # The schema checked the word (an invalid one is reported and reads as the default).
    mode = AccessMode(block.get("mode", AccessMode.LINK.value))
    password_env = block.get("password_env")
    users = block.get("users") or []
    if mode.needs_password and password_env is None and "password_env" not in block.lines:
        diags.error(
            path,
            line,
            "password mode needs `password_env`: the name of the "
            "environment variable that holds the password, e.g. "
            "`password_env: NORTHWIND_SITE_PASSWORD`",
        )
    if not mode.needs_password and "password_env" in block.lines:
        diags.error(
            path,
            block.line_of("password_env"),
            f"`access.password_env` is only for password mode (mode here: {mode})",
        )
    if password_env == LINK_SECRET_ENV:
        diags.error(
            path,
            block.line_of("password_env"),
            f"`access.password_env` must not be {LINK_SECRET_ENV} (the link secret): "
            "give the password a variable of its own",
        )
    if mode.needs_login and not users and "users" not in block.lines:
        diags.error(
            path,
            line,
            "host mode needs `users`: at least one `{name, hash}` with an "
            "htpasswd hash (`htpasswd -nB NAME` prints one)",
        )
    if not mode.needs_login and "users" in block.lines:
        diags.error(
            path,
            block.line_of("users"),
            f"`access.users` is only for host mode (mode here: {mode})",
        )
    out: list[AccessUser] = []
    seen: dict[str, int] = {}  # user name -> its line
    for item, item_line in zip(users, getattr(users, "lines", [])):
        name, hashed = item.get("name"), item.get("hash")
        if name is None or hashed is None:
            continue  # already reported
        if name in seen:
            diags.error(
                path, item_line, f"user `{name}` is listed twice (first on line {seen[name]})"
            )
            continue
        seen[name] = item_line
        if hashed.startswith(schema.WEAK_HASH_PREFIXES):
            kind = "$apr1$ (MD5)" if hashed.startswith("$apr1$") else "{SHA} (unsalted SHA-1)"
            diags.warning(
                path,
                item.line_of("hash"),
                f"user `{name}`: {kind} hashes are quick to crack if the file leaks; "
                "prefer bcrypt (`htpasswd -nB NAME`)",
            )
        out.append(AccessUser(name, hashed))
    if not mode.public and site.url is not None:
        site_fields = fields.get("site")
        diags.warning(
            path,
            site_fields.line_of("url") if site_fields else line,
            f"`site.url` is ignored in {mode} mode: only public sites link to "
            "their address (canonical links, absolute feed and calendar links); "
            "remove it or use `access: {mode: public}`",
        )
    return Access(
        mode=mode,
        explicit=True,
        password_env=password_env,
        users=tuple(out),
        line=block.line_of("mode"),
    )


def _site(folder: Path, real: Path, path: Path, fields, diags) -> tuple[SiteSettings, set[str]]:
    if not fields:
        return SiteSettings(), set()
    url = fields.get("url")
    if url is not None and not _SITE_URL_RE.match(url):
        diags.error(
            path,
            fields.line_of("url"),
            f"`site.url` must be an http(s) address such as "
            f"https://status.example.com/fable/ (no query, "
            f"quotes, spaces or <>), not `{url}`",
        )
        url = None
    if url is not None and not url.endswith("/"):
        url += "/"
    referenced: set[str] = set()
    files = {}
    for key, suffixes in (
        ("logo", LOGO_SUFFIXES),
        ("favicon", FAVICON_SUFFIXES),
        ("css", {".css"}),
    ):
        rel = fields.get(key)
        if rel is None:
            continue
        line = fields.line_of(key)
        candidate = _relative_file(folder, real, rel, path, line, f"site.{key}", diags)
        if candidate is None:
            continue
        referenced.add(PurePosixPath(rel.replace("\\", "/")).parts[0])
        problem = _site_file_problem(key, candidate, suffixes)
        if problem:
            diags.error(path, line, problem)
        else:
            files[key] = candidate
    return SiteSettings(
        url=url,
        logo=files.get("logo"),
        favicon=files.get("favicon"),
        css=files.get("css"),
        primary_color=fields.get("primary_color"),
        accent_color=fields.get("accent_color"),
    ), referenced


def _site_file_problem(key: str, file: Path, suffixes: set[str]) -> str | None:
    """Why a logo, favicon or stylesheet cannot be published, if it cannot."""
    suffix = file.suffix.lower()
    if suffix not in suffixes:
        return f"`site.{key}` must be one of: " + ", ".join(sorted(suffixes))
    if file.stat().st_size > MAX_SITE_FILE_BYTES:
        return f"`site.{key}` is larger than {MAX_SITE_FILE_BYTES // 1_000_000} MB"
    try:
        data = read_file(file, MAX_SITE_FILE_BYTES)
    except FileRefused as refused:
        return f"`site.{key}`: {refused}"
    if suffix in _MAGIC and not _MAGIC[suffix].match(data):
        return (
            f"`site.{key}` is not a {suffix[1:].upper()} file (its first bytes say "
            f"otherwise); it is published as one, so save it in that format"
        )
    if suffix == ".svg":
        problem = inert.svg_problem(data)
        if problem:
            return (
                f"`site.{key}` SVG is not inert ({file.name} line {problem.line}: "
                f"{problem.message}); a published SVG may hold only {inert.SVG_ALLOWED}. "
                "Use a plain SVG or a PNG"
            )
    if key == "css":
        try:
            problem = inert.css_problem(data.decode("utf-8"))
        except UnicodeDecodeError:
            return "`site.css` is not valid UTF-8 text"
        if problem:
            return (
                "`site.css` must not @import other files or load url()s (sites make no "
                f"third-party requests): {file.name} line {problem.line}: `{problem.message}` "
                f"is not allowed; a client stylesheet may use {inert.CSS_ALLOWED}"
            )
    return None


def _relative_file(
    base: Path, real_container: Path, rel: str, path: Path, line: int, what: str, diags: Diagnostics
) -> Path | None:
    """Resolve `rel` (a posix path written in a plan) under `base`, refusing escapes."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"[A-Za-z]:", rel) or ".." in pure.parts or not pure.parts:
        diags.error(
            path,
            line,
            f"`{what}` must be a path inside the folder, without `..` or a "
            f"leading `/`, not `{rel}`",
        )
        return None
    candidate = base.joinpath(*pure.parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        diags.error(path, line, f"`{what}`: file `{rel}` not found")
        return None
    if real_container not in resolved.parents:
        diags.error(path, line, f"`{what}`: `{rel}` is a symbolic link out of the client folder")
        return None
    if not resolved.is_file():
        diags.error(path, line, f"`{what}`: `{rel}` is not a file")
        return None
    return resolved

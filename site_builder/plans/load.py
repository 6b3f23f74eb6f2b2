"""Load stage: a plans folder -> the typed model, with every problem found at once.

Reads client.yml, plan.yml, approval notes (YAML front matter + Markdown) and the documents
deliverables point to; checks every rule of the spec; verifies approval signatures. Nothing
outside a client's folder is read: symbolic links that leave it, client folders that are
links and hard-linked files are errors. What may be published is decided in inert.py.
"""
from __future__ import annotations

import dataclasses
import os
import re
import stat
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Diagnostics, UsageError
from ..model import (
    LINK_SECRET_ENV,
    Access,
    AccessUser,
    Approval,
    Client,
    Contact,
    Deliverable,
    Document,
    Milestone,
    Plans,
    Project,
    Signer,
    SigningKey,
    SiteSettings,
    Source,
)
from . import inert, mdsafe, schema, signatures, yamlsafe
from .schema import INVALID, SLUG_RE, Ctx

# Limits that keep hostile or accidental input from hanging a build (docs/security.md, "Limits").
MAX_YAML_BYTES = 1_000_000
MAX_NOTE_BYTES = 256_000
MAX_DOCUMENT_BYTES = 100_000_000
MAX_APPROVALS_PER_PROJECT = 5_000
MAX_DOCUMENTS_PER_PROJECT = 2_000
MAX_MILESTONES_WARNING = 10
FAR_DATE_YEARS = 5  # a milestone date this far from the plan's median date is a warning
LOGO_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}
FAVICON_SUFFIXES = {".png", ".svg", ".ico"}
MAX_SITE_FILE_BYTES = 2_000_000
# The bytes each raster type starts with: a logo is published under its suffix's type.
_MAGIC = {".png": re.compile(rb"\x89PNG\r\n\x1a\n"), ".jpg": re.compile(rb"\xff\xd8\xff"),
          ".jpeg": re.compile(rb"\xff\xd8\xff"), ".gif": re.compile(rb"GIF8[79]a"),
          ".webp": re.compile(rb"RIFF....WEBP", re.S), ".ico": re.compile(rb"\x00\x00\x01\x00")}
# Files git and editors leave around that are not part of the plans.
IGNORED_NAMES = {".gitattributes", ".gitignore", ".gitkeep"}
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\Z")
# MkDocs/Material print site_url unescaped (canonical link; every URL of 404.html): allow only
# characters that cannot end an attribute or open a tag.
_SITE_URL_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%/:@+-]*)?\Z")


def load_plans(root: Path, only: Iterable[str] = ()) -> tuple[Plans, Diagnostics]:
    """Load every client (or only the named ones) and report every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"plans folder `{root}` not found")
    diags = Diagnostics()
    real_root = root.resolve()
    client_dirs: dict[str, Path] = {}
    for entry in sorted(root.iterdir()):
        if entry.name in IGNORED_NAMES:
            continue
        if not _inside(entry, real_root, diags):
            continue
        if entry.is_symlink():  # its "own folder" would be another client's (or anyone's)
            diags.error(entry, 0, "client folder is a symbolic link: a client folder must be a "
                                  "real folder; move or copy the folder in instead")
        elif not entry.is_dir():
            diags.error(entry, 0, "unexpected file in the plans folder; it holds only client "
                                  "folders (plans/<client>/client.yml)")
        elif not SLUG_RE.match(entry.name):
            diags.error(entry, 0, f"client folder name `{entry.name}` is not a slug "
                                  "(lower-case letters, digits and '-')")
        elif not (entry / "client.yml").is_file():
            diags.error(entry / "client.yml", 0, "missing client.yml: every client folder "
                                                 "needs one (at least `name:`)")
        else:
            client_dirs[entry.name] = entry
    wanted = list(dict.fromkeys(only))
    for slug in wanted:
        if slug not in client_dirs:
            known = ", ".join(client_dirs) or "none"
            raise UsageError(f"unknown client `{slug}`"
                             f"{schema.did_you_mean(slug, client_dirs)}; clients: {known}")
    clients = []
    for slug in wanted or list(client_dirs):
        client = _load_client(client_dirs[slug], diags)
        if client is not None:
            clients.append(client)
    return Plans(root=root, clients=tuple(clients)), diags


# --- files and folders ------------------------------------------------------------------------


def _inside(path: Path, container: Path, diags: Diagnostics) -> bool:
    """False (and an error) when `path` is a symlink resolving outside `container`."""
    if not path.is_symlink():
        return True
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        diags.error(path, 0, "broken or looping symbolic link")
        return False
    if target == container or container in target.parents:
        return True
    diags.error(path, 0, f"symbolic link points outside the client folder ({container.name}/); "
                         "copy the file in instead")
    return False


def _read_text(path: Path, limit: int, diags: Diagnostics) -> str | None:
    try:
        data = _read_file(path, limit)
    except _FileRefused as refused:
        diags.error(path, 0, str(refused))
        return None
    return decode(path, data, diags)


class _FileRefused(Exception):
    """A plan file that is not read, and why (one sentence)."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _read_file(path: Path, limit: int, head: bool = False) -> bytes:
    """The bytes of a plan file (the first `limit` only if `head`): opened at its resolved
    path without following a link swapped in since it was checked (O_NOFOLLOW), refused if
    it is not a regular file, is hard-linked or is larger than `limit`."""
    try:
        fd = os.open(path.resolve(strict=True), os.O_RDONLY | _NOFOLLOW)
    except (OSError, RuntimeError) as exc:
        raise _FileRefused(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    with os.fdopen(fd, "rb") as file:
        problem = _file_problem(os.fstat(fd), None if head else limit)
        if problem:
            raise _FileRefused(problem)
        data = file.read(limit + 1)
    if len(data) > limit and not head:  # grew since fstat
        raise _FileRefused(f"file is too large (more than {limit:,} bytes)")
    return data[:limit]


def _file_problem(info: os.stat_result, limit: int | None) -> str | None:
    """Why a plan file (its stat) is not read as client data, if it is not."""
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_nlink > 1:
        # Either name may be the original: the other may be in another client's folder.
        return (f"file has {info.st_nlink} hard links; a hard-linked file may be another "
                "client's, so it is never read or published: copy it in instead (git never "
                "makes hard links)")
    if limit is not None and info.st_size > limit:
        return f"file is too large ({info.st_size:,} bytes; the limit is {limit:,})"
    return None


def decode(path: Path, data: bytes, diags: Diagnostics) -> str | None:
    """A file's bytes as UTF-8 text, or None with an error for `path`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags.error(path, line, "file is not valid UTF-8 text")
        return None


def parse_yaml(path: Path, text: str, record: schema.Record, diags: Diagnostics,
                line_offset: int = 0) -> schema.Fields | None:
    """YAML text checked against a schema record, or None with the problems in `diags`."""
    parsed = yamlsafe.parse(text)
    if isinstance(parsed, yamlsafe.YamlProblem):
        diags.error(path, parsed.line + line_offset, parsed.message)
        return None
    ctx = Ctx(path, diags, line_offset)
    if parsed is None:
        diags.error(path, 1 + line_offset, f"{record.title} is empty")
        return None
    fields = record.convert(parsed, ctx)
    return None if fields is INVALID else fields


# --- client.yml -------------------------------------------------------------------------------


def _load_client(folder: Path, diags: Diagnostics) -> Client | None:
    path = folder / "client.yml"
    real = folder.resolve()
    before = len(diags.errors)
    fields = None
    if _inside(path, real, diags):
        text = _read_text(path, MAX_YAML_BYTES, diags)
        fields = parse_yaml(path, text, schema.CLIENT, diags) if text is not None else None

    referenced: set[str] = set()
    site = SiteSettings()
    access = Access()
    language, timezone, signers = "en", "UTC", ()
    if fields is not None:
        language = fields.get("language", "en")
        if not _LANGUAGE_RE.match(language):
            diags.error(path, fields.line_of("language"),
                        f"`language` must be a language code such as en, de or pt-BR, "
                        f"not `{language}`")
        timezone = fields.get("timezone", "UTC")
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            diags.error(path, fields.line_of("timezone"),
                        f"`timezone` must be an IANA time zone such as Europe/Berlin or UTC, "
                        f"not `{timezone}`")
        signers = signers_of(path, fields, diags)
        site, referenced = _site(folder, real, path, fields.get("site"), diags)
        access = _access(path, fields, site, diags)

    projects: list[tuple[Project, list[_Note]]] = []
    for entry in sorted(folder.iterdir()):
        if entry.name in ("client.yml", *IGNORED_NAMES) or entry.name in referenced:
            continue
        if not _inside(entry, real, diags):
            continue
        if entry.is_dir() and SLUG_RE.match(entry.name) and (entry / "plan.yml").is_file():
            loaded = _load_project(entry, real, diags)
            if loaded is not None:
                projects.append(loaded)
        elif entry.is_dir() and not SLUG_RE.match(entry.name):
            diags.error(entry, 0, f"project folder name `{entry.name}` is not a slug "
                                  "(lower-case letters, digits and '-')")
        elif entry.is_dir():
            diags.error(entry / "plan.yml", 0, "missing plan.yml: every project folder needs one")
        else:
            diags.error(entry, 0, "unexpected file in the client folder; it holds client.yml, "
                                  "project folders and the files client.yml refers to (site.logo, site.favicon, "
                                  "site.css)")
    if fields is None or len(diags.errors) > before:
        return None
    if not projects:
        diags.warning(path, 1, "client has no projects yet (add <project>/plan.yml)")
    client = Client(
        slug=folder.name, name=fields["name"], path=folder, source=Source(path, fields.line),
        language=language, language_line=fields.line_of("language"),
        timezone=timezone,
        require_signed_approvals=fields.get("require_signed_approvals", False),
        signers=signers, site=site, internal=fields.get("internal"), access=access,
        contact=Contact(**fields["contact"]) if fields.get("contact") else None,
    )
    with signatures.Verifier(signers) as verifier:
        return dataclasses.replace(client, projects=tuple(
            dataclasses.replace(project, approvals=_approvals(client, notes, verifier, diags))
            for project, notes in projects
        ))


def signers_of(path: Path, fields: schema.Fields, diags: Diagnostics) -> tuple[Signer, ...]:
    """The `signers:` of a converted client.yml, with the rules between entries checked.

    Each signer has `key:` or `keys:` (key lines or {key, valid_after, valid_before}); an email
    and a key may each appear once in the file (a key shared by two signers would let either
    sign as the other).
    """
    out, seen, seen_keys = [], {}, {}
    items = fields.get("signers") or []
    for item, line in zip(items, getattr(items, "lines", [])):
        keys = _signing_keys(path, item, line, diags)
        if keys is None or not all(item.get(k) for k in ("name", "email")):
            continue
        if item["email"] in seen:
            diags.error(path, line, f"signer email {item['email']} is listed twice (first on "
                                    f"line {seen[item['email']]}); list all of a signer's "
                                    "keys under one entry with `keys:`")
            continue
        seen[item["email"]] = line
        for key, key_line in keys:
            blob = tuple(key.key.split()[:2])
            if blob in seen_keys:
                diags.error(path, key_line, f"this key is already listed on line "
                                            f"{seen_keys[blob]}: each key belongs to one "
                                            "signer, once")
            seen_keys.setdefault(blob, key_line)
        out.append(Signer(item["name"], item["email"], tuple(k for k, _ in keys),
                          tuple(item.get("notify") or ())))
    return tuple(out)


def _signing_keys(path: Path, item: schema.Fields, line: int,
                  diags: Diagnostics) -> list[tuple[SigningKey, int]] | None:
    """A signer's keys with their lines; None when missing or invalid (reported)."""
    if "key" in item.lines and "keys" in item.lines:
        diags.error(path, item.line_of("keys"), "give `key` (one key) or `keys` (a list), "
                                                "not both")
        return None
    if "key" not in item.lines and "keys" not in item.lines:
        diags.error(path, line, "signer without a key: add `key: ssh-ed25519 AAAA...` (the "
                                "contents of their .pub file) or `keys:` (a list)")
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
            diags.error(path, entry.line_of("valid_before"),
                        f"`valid_before` {before} is earlier than `valid_after` {after}: "
                        "this key could sign no note")
            continue
        out.append((SigningKey(entry["key"], after, before), entry_line))
    return out or None


def _access(path: Path, fields: schema.Fields, site: SiteSettings,
            diags: Diagnostics) -> Access:
    """The `access:` block (docs/hosting/private-sites.md): rules one field cannot check."""
    block = fields.get("access")
    if "access" not in fields.lines:
        diags.warning(path, 1, "no `access:` block: the site defaults to link mode (anyone with "
                               "its secret address can read it); say so explicitly, e.g. "
                               "`access: {mode: link}` (or public, password, host)")
        return Access()
    if block is None:
        if "access" not in fields:  # `access:` left empty (not invalid: that is reported)
            diags.error(path, fields.line_of("access"), "`access` is empty: give a `mode` "
                                                       "(public, link, password or host)")
        return Access()
    line = block.line
    mode = block.get("mode", "link")
    password_env = block.get("password_env")
    users = block.get("users") or []
    if mode == "password" and password_env is None and "password_env" not in block.lines:
        diags.error(path, line, "password mode needs `password_env`: the name of the "
                                "environment variable that holds the password, e.g. "
                                "`password_env: NORTHWIND_SITE_PASSWORD`")
    if mode != "password" and "password_env" in block.lines:
        diags.error(path, block.line_of("password_env"),
                    f"`access.password_env` is only for password mode (mode here: {mode})")
    if password_env == LINK_SECRET_ENV:
        diags.error(path, block.line_of("password_env"),
                    f"`access.password_env` must not be {LINK_SECRET_ENV} (the link secret): "
                    "give the password a variable of its own")
    if mode == "host" and not users and "users" not in block.lines:
        diags.error(path, line, "host mode needs `users`: at least one `{name, hash}` with an "
                                "htpasswd hash (`htpasswd -nB NAME` prints one)")
    if mode != "host" and "users" in block.lines:
        diags.error(path, block.line_of("users"),
                    f"`access.users` is only for host mode (mode here: {mode})")
    out, seen = [], {}
    for item, item_line in zip(users, getattr(users, "lines", [])):
        name, hashed = item.get("name"), item.get("hash")
        if name is None or hashed is None:
            continue  # already reported
        if name in seen:
            diags.error(path, item_line, f"user `{name}` is listed twice (first on line "
                                         f"{seen[name]})")
            continue
        seen[name] = item_line
        if hashed.startswith(schema.WEAK_HASH_PREFIXES):
            kind = "$apr1$ (MD5)" if hashed.startswith("$apr1$") else "{SHA} (unsalted SHA-1)"
            diags.warning(path, item.line_of("hash"),
                          f"user `{name}`: {kind} hashes are quick to crack if the file leaks; "
                          "prefer bcrypt (`htpasswd -nB NAME`)")
        out.append(AccessUser(name, hashed))
    if mode != "public" and site.url is not None:
        site_fields = fields.get("site")
        diags.warning(path, site_fields.line_of("url") if site_fields else line,
                      f"`site.url` is ignored in {mode} mode: only public sites link to "
                      "their address (canonical links, absolute feed and calendar links); "
                      "remove it or use `access: {mode: public}`")
    return Access(mode=mode, explicit=True, password_env=password_env, users=tuple(out),
                  line=block.line_of("mode"))


def _site(folder: Path, real: Path, path: Path, fields, diags) -> tuple[SiteSettings, set[str]]:
    if not fields:
        return SiteSettings(), set()
    url = fields.get("url")
    if url is not None and not _SITE_URL_RE.match(url):
        diags.error(path, fields.line_of("url"), f"`site.url` must be an http(s) address such as "
                                                 f"https://status.example.com/fable/ (no query, "
                                                 f"quotes, spaces or <>), not `{url}`")
        url = None
    if url is not None and not url.endswith("/"):
        url += "/"
    referenced: set[str] = set()
    files = {}
    for key, suffixes in (("logo", LOGO_SUFFIXES), ("favicon", FAVICON_SUFFIXES),
                          ("css", {".css"})):
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
    return SiteSettings(url=url, logo=files.get("logo"), favicon=files.get("favicon"),
                        css=files.get("css"), primary_color=fields.get("primary_color"),
                        accent_color=fields.get("accent_color")), referenced


def _site_file_problem(key: str, file: Path, suffixes: set[str]) -> str | None:
    """Why a logo, favicon or stylesheet cannot be published, if it cannot."""
    suffix = file.suffix.lower()
    if suffix not in suffixes:
        return f"`site.{key}` must be one of: " + ", ".join(sorted(suffixes))
    if file.stat().st_size > MAX_SITE_FILE_BYTES:
        return f"`site.{key}` is larger than {MAX_SITE_FILE_BYTES // 1_000_000} MB"
    try:
        data = _read_file(file, MAX_SITE_FILE_BYTES)
    except _FileRefused as refused:
        return f"`site.{key}`: {refused}"
    if suffix in _MAGIC and not _MAGIC[suffix].match(data):
        return (f"`site.{key}` is not a {suffix[1:].upper()} file (its first bytes say "
                f"otherwise); it is published as one, so save it in that format")
    if suffix == ".svg":
        problem = inert.svg_problem(data)
        if problem:
            return (f"`site.{key}` SVG is not inert ({file.name} line {problem.line}: "
                    f"{problem.message}); a published SVG may hold only {inert.SVG_ALLOWED}. "
                    "Use a plain SVG or a PNG")
    if key == "css":
        try:
            problem = inert.css_problem(data.decode("utf-8"))
        except UnicodeDecodeError:
            return "`site.css` is not valid UTF-8 text"
        if problem:
            return ("`site.css` must not @import other files or load url()s (sites make no "
                    f"third-party requests): {file.name} line {problem.line}: `{problem.message}` "
                    f"is not allowed; a client stylesheet may use {inert.CSS_ALLOWED}")
    return None


def _relative_file(base: Path, real_container: Path, rel: str, path: Path, line: int,
                   what: str, diags: Diagnostics) -> Path | None:
    """Resolve `rel` (a posix path written in a plan) under `base`, refusing escapes."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"[A-Za-z]:", rel) or ".." in pure.parts or not pure.parts:
        diags.error(path, line, f"`{what}` must be a path inside the folder, without `..` or a "
                                f"leading `/`, not `{rel}`")
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


# --- plan.yml ---------------------------------------------------------------------------------


def _load_project(folder: Path, real: Path,
                  diags: Diagnostics) -> tuple[Project, list[_Note]] | None:
    """The project (approvals not yet attached) and its parsed approval notes."""
    path = folder / "plan.yml"
    before = len(diags.errors)
    fields = None
    if _inside(path, real, diags):
        text = _read_text(path, MAX_YAML_BYTES, diags)
        fields = parse_yaml(path, text, schema.PLAN, diags) if text is not None else None
    documents = {}
    approval_files: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name in ("plan.yml", *IGNORED_NAMES) or not _inside(entry, real, diags):
            continue
        if entry.name == "approvals" and entry.is_dir():
            approval_files = _approval_files(entry, real, diags)
        elif entry.name == "documents" and entry.is_dir():
            documents = _documents(folder, entry, real, diags)
        else:
            diags.error(entry, 0, "unexpected entry in the project folder; it holds plan.yml, "
                                  "approvals/ and documents/")
    milestones = _milestones(path, fields, documents, diags) if fields is not None else ()
    if fields is not None and fields.get("summary") and \
            (problem := mdsafe.problem(fields["summary"])) is not None:
        diags.error(path, fields.line_of("summary"), f"`summary` (its line {problem[0]}): "
                                                     f"{problem[1]}")
    notes = _notes(approval_files, milestones, diags)
    if fields is None or len(diags.errors) > before:
        return None
    used = {d.file for m in milestones for d in m.deliverables if d.file}
    return Project(
        slug=folder.name, title=fields["title"], path=folder, source=Source(path, fields.line),
        milestones=milestones,
        documents=tuple(documents[f] for f in sorted(used)),
        summary=fields.get("summary"), currency=fields.get("currency", "USD"),
        internal=fields.get("internal"),
    ), notes


def _milestones(path: Path, fields: schema.Fields, documents: dict[str, Document],
                diags: Diagnostics) -> tuple[Milestone, ...]:
    items = fields.get("milestones") or []
    if len(items) > MAX_MILESTONES_WARNING:
        diags.warning(path, fields.line_of("milestones"),
                      f"{len(items)} milestones in one project (more than "
                      f"{MAX_MILESTONES_WARNING}): milestones are checkpoints, not tasks")
    out, seen = [], {}
    all_ids = [item.get("id") for item in items]
    for index, item in enumerate(items):
        mid = item.get("id")
        if mid is None or item.get("title") is None or item.get("due") is None:
            continue  # already reported
        if mid in seen:
            diags.error(path, item.line_of("id"), f"milestone id `{mid}` is used twice (first "
                                                  f"on line {seen[mid]}); ids must be unique")
            continue
        deps = item.get("depends_on") or []
        for dep, dep_line in zip(deps, getattr(deps, "lines", [])):
            if dep in seen or dep in all_ids[:index]:
                continue  # fine, or an earlier milestone whose own error is already reported
            if dep == mid:
                diags.error(path, dep_line, f"milestone `{mid}` cannot depend on itself")
            elif dep in all_ids:
                diags.error(path, dep_line, f"`depends_on`: milestone `{dep}` comes later in the "
                                            "plan; a milestone may only depend on earlier ones")
            else:
                diags.error(path, dep_line, f"`depends_on`: milestone `{dep}` not found"
                            + schema.did_you_mean(dep, seen) + "; earlier milestones: "
                            + (", ".join(seen) or "none"))
        seen[mid] = item.line
        delivered = item.get("delivered")
        out.append(Milestone(
            id=mid, title=item["title"], due=item["due"], source=Source(path, item.line),
            phase=item.get("phase"), owner=item.get("owner"), delivered=delivered,
            depends_on=tuple(deps), acceptance=tuple(item.get("acceptance") or ()),
            deliverables=_deliverables(path, item.get("deliverables") or [], documents, diags),
            invoice=item.get("invoice"), internal=item.get("internal"),
            approve_by=item.get("approve_by"),
        ))
    _warn_far_dates(path, items, diags)
    return tuple(out)


def _warn_far_dates(path: Path, items, diags: Diagnostics) -> None:
    """Warn about a due or delivered date far from the plan's others: 2062 for 2026 is a
    typo that the accepted years (schema.DATE_RANGE) cannot catch."""
    dated = [(item.get(key), item.line_of(key)) for item in items
             for key in ("due", "delivered") if item.get(key) is not None]
    if len(dated) < 2:
        return
    median = sorted(date for date, _ in dated)[len(dated) // 2]
    for date, line in dated:
        if abs((date - median).days) > FAR_DATE_YEARS * 366:
            diags.warning(path, line, f"{date.isoformat()} is more than {FAR_DATE_YEARS} years "
                                      f"from this plan's other dates (their median is "
                                      f"{median.isoformat()}); check the year")


def _deliverables(path, items, documents, diags) -> tuple[Deliverable, ...]:
    out = []
    for item, _line in zip(items, getattr(items, "lines", [])):
        if isinstance(item, str):
            out.append(Deliverable(item))
            continue
        title, file = item.get("title"), item.get("file")
        if title is None:
            continue
        if file is not None:
            pure = PurePosixPath(file.replace("\\", "/"))
            key = str(pure)
            if pure.is_absolute() or ".." in pure.parts or re.match(r"[A-Za-z]:", file):
                diags.error(path, item.line_of("file"), f"deliverable file must be a path under "
                            f"documents/ without `..` or a leading `/`, not `{file}`")
                continue
            if not pure.parts or pure.parts[0] != "documents":
                diags.error(path, item.line_of("file"), f"deliverable file `{file}` must be under "
                            f"documents/ (e.g. documents/{pure.name})")
                continue
            if key not in documents:
                near = schema.did_you_mean(key, documents)
                diags.error(path, item.line_of("file"), f"deliverable file `{file}` not found in "
                            f"this project's documents/{near}")
                continue
            problem = _document_problem(documents[key])
            if problem:
                diags.error(path, item.line_of("file"), f"deliverable file `{file}` {problem}")
                continue
            file = key
        out.append(Deliverable(title, file))
    return tuple(out)


def _document_problem(document: Document) -> str | None:
    """Why a document a deliverable links to cannot be published, if it cannot: its type is
    not on the allow-list (inert.DOCUMENT_TYPES), it is hard-linked, or it is text that a
    browser could sniff as a page."""
    name = PurePosixPath(document.rel_path).name
    problem = inert.document_type_problem(name)
    if problem:
        return problem
    try:
        head = _read_file(document.path, inert.SNIFF_BYTES, head=True)
    except _FileRefused as refused:
        return f"cannot be published: {refused}"
    if inert.sniffs_as_html(name, head):
        return ("starts like an HTML or XML page: a browser that sniffs could show it as a page "
                "of the client's site; publish it as PDF or in a .zip")
    return None


def _documents(project: Path, folder: Path, real: Path, diags) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames):
            sub = here / name
            if sub.is_symlink():
                dirnames.remove(name)
                if _inside(sub, real, diags):
                    diags.error(sub, 0, "symbolic links to folders are not followed in "
                                        "documents/; copy the folder in instead")
        for name in sorted(filenames):
            file = here / name
            if name in IGNORED_NAMES or not _inside(file, real, diags):
                continue
            if len(docs) >= MAX_DOCUMENTS_PER_PROJECT:
                diags.error(folder, 0, f"more than {MAX_DOCUMENTS_PER_PROJECT} documents")
                return docs
            resolved = file.resolve()
            if not resolved.is_file():
                diags.error(file, 0, "not a regular file")
                continue
            size = resolved.stat().st_size
            rel = file.relative_to(project).as_posix()
            if size > MAX_DOCUMENT_BYTES:
                diags.error(file, 0, f"document is too large ({size:,} bytes; the limit is "
                                     f"{MAX_DOCUMENT_BYTES:,})")
                continue
            docs[rel] = Document(rel, resolved, size)
    return docs


# --- approvals/*.md ---------------------------------------------------------------------------


def _approval_files(folder: Path, real: Path, diags: Diagnostics) -> list[Path]:
    notes, sigs = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED_NAMES or not _inside(entry, real, diags):
            continue
        if entry.is_file() and entry.name.endswith(".md"):
            notes.append(entry)
        elif entry.is_file() and entry.name.endswith(".md.sig"):
            sigs.append(entry)
        else:
            diags.error(entry, 0, "unexpected entry in approvals/; it holds <name>.md notes and "
                                  "their optional <name>.md.sig signatures")
    names = {n.name for n in notes}
    for sig in sigs:
        if sig.name[: -len(".sig")] not in names:
            diags.error(sig, 0, f"signature without a note: {sig.name[:-4]} not found")
    if len(notes) > MAX_APPROVALS_PER_PROJECT:
        diags.error(folder, 0, f"{len(notes)} approval notes; the limit per project is "
                               f"{MAX_APPROVALS_PER_PROJECT}")
        return []
    return notes


# The YAML front matter of an approval note (between `---` lines).
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                           re.S | re.M)


@dataclass(frozen=True)
class _Note:
    path: Path
    raw: bytes
    fields: schema.Fields
    body: str


def _notes(files: list[Path], milestones, diags) -> list[_Note]:
    """Parse approval notes (front matter + body); signatures are checked in _approvals."""
    ids = [m.id for m in milestones]
    out = []
    for path in files:
        try:
            raw = _read_file(path, MAX_NOTE_BYTES) if path.stat().st_size <= MAX_NOTE_BYTES \
                else None
        except OSError as exc:
            diags.error(path, 0, f"cannot read file: {exc.strerror or exc}")
            continue
        except _FileRefused as refused:
            diags.error(path, 0, str(refused))
            continue
        if raw is None:
            diags.error(path, 0, f"approval note is larger than {MAX_NOTE_BYTES:,} bytes")
            continue
        parsed = parse_approval_note(path, raw, ids, diags)
        if parsed is not None:
            out.append(_Note(path, raw, *parsed))
    return out


def parse_approval_note(path: Path, raw: bytes, milestone_ids: Iterable[str],
                        diags: Diagnostics) -> tuple[schema.Fields, str] | None:
    """One approval note's bytes -> (front matter fields, Markdown body); None if reported.

    The one parser of approval notes (schema.APPROVAL): the loader uses it for the working
    tree, `site-builder events` for notes read from git revisions. `milestone_ids` are the
    ids of the note's plan; `path` (<client>/<project>/approvals/<name>.md) names the file in
    messages and the folders its `client:` and `project:` must match.
    """
    if len(raw) > MAX_NOTE_BYTES:
        diags.error(path, 0, f"approval note is larger than {MAX_NOTE_BYTES:,} bytes")
        return None
    text = decode(path, raw, diags)
    if text is None:
        return None
    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        diags.error(path, 1, "an approval note starts with YAML front matter between `---` "
                             "lines (milestone, decision, date, by)")
        return None
    fields = parse_yaml(path, match.group(1), schema.APPROVAL, diags, line_offset=1)
    if fields is None:
        return None
    ids = list(milestone_ids)
    milestone = fields.get("milestone")
    if milestone is not None and milestone not in ids:
        diags.error(path, fields.line_of("milestone"),
                    f"milestone `{milestone}` not found{schema.did_you_mean(milestone, ids)}; "
                    f"ids in this plan: {', '.join(ids) or 'none'}")
        return None
    if not check_binding(path, fields, diags):
        return None
    if not all(fields.get(k) for k in ("milestone", "date", "by")):
        return None
    body = text[match.end():]
    if (problem := mdsafe.problem(body)) is not None:  # bounds the work of rendering it
        diags.error(path, text.count("\n", 0, match.end()) + problem[0], problem[1])
        return None
    return fields, body


def check_binding(path: Path, fields: schema.Fields, diags: Diagnostics) -> bool:
    """Whether a note's `client:` and `project:` match the folders it lies in (errors if not).

    They bind a signed note to its place: the signature covers them, so a note and its .sig
    copied into another project (which may reuse milestone ids such as `kickoff`) is an error
    there and never counts. A note without either is unbound (see `is_bound`).
    """
    folders = {"client": path.parent.parent.parent.name, "project": path.parent.parent.name}
    given = {k: fields.get(k) for k in folders if k in fields}  # None: invalid (reported)
    if len(given) == 1:
        (key, value), = given.items()
        if value is None:
            return False
        other = "project" if key == "client" else "client"
        diags.error(path, fields.line_of(key), f"`{key}: {value}` needs `{other}:` too: a note "
                                               f"names both its client and its project, e.g. "
                                               f"`{other}: {folders[other]}`")
        return False
    ok = True
    for key, value in given.items():
        if value is None:
            ok = False
        elif value != folders[key]:
            diags.error(path, fields.line_of(key), f"`{key}: {value}` does not match the "
                        f"folder this note lies in ({folders['client']}/{folders['project']}): "
                        f"the note was made for {given['client']}/{given['project']} and does "
                        "not count here; remove this copy, or record the decision for this "
                        "project with `site-builder approve`")
            ok = False
    return ok


def is_bound(fields: schema.Fields) -> bool:
    """Whether a note names its client and project (checked by `check_binding`)."""
    return fields.get("client") is not None and fields.get("project") is not None


def unbound_warning(client: str, project: str) -> str:
    """The warning for a verified note without `client:` and `project:`."""
    return ("signed note is not bound to its client and project; re-sign with site-builder "
            f"approve --sign (or add `client: {client}` and `project: {project}` to its front "
            "matter and sign it again): until then a copy of it and its .sig would count in "
            f"any project of {client} with the same milestone id")


def _approvals(client: Client, notes: list[_Note], verifier: signatures.Verifier,
               diags: Diagnostics) -> tuple[Approval, ...]:
    """Turn parsed notes into Approvals (oldest first), checking each signature."""
    approvals = []
    for note in notes:
        sig_path = note.path.with_name(note.path.name + ".sig")
        signature = None
        if sig_path.is_file():
            signature = sig_path.read_bytes() if sig_path.stat().st_size <= \
                signatures.MAX_SIGNATURE_BYTES else b"too large"
        name, email = note.fields["by"]
        date = note.fields["date"]
        try:
            state = verifier.state(note.raw, signature, email, date)
            retired = verifier.key_outside_window(note.raw, signature, email, date) \
                if state == signatures.UNKNOWN_SIGNER else None
        except signatures.SshKeygenMissing as exc:
            diags.error(sig_path, 0, f"{exc}; install OpenSSH (openssh-client)")
            state, retired = signatures.INVALID, None
        line = note.fields.line
        if state == signatures.INVALID:
            diags.warning(note.path, line, f"signature {sig_path.name} does not verify (was the "
                                           "note changed after signing?)")
        elif retired is not None:
            diags.warning(note.path, note.fields.line_of("date"),
                          f"signature {sig_path.name} is by a key client.yml lists for {email}, "
                          f"but that key is {signatures.window(retired)} and the note is dated "
                          f"{date}")
        elif state == signatures.UNKNOWN_SIGNER:
            diags.warning(note.path, line, f"signature {sig_path.name} is valid but not by a "
                                           f"signer listed in client.yml with the `by:` email")
        elif state == signatures.VERIFIED and not is_bound(note.fields):
            project = note.path.parent.parent.name
            diags.warning(note.path, line, unbound_warning(client.slug, project))
        if client.require_signed_approvals and state != signatures.VERIFIED:
            diags.warning(note.path, line, f"approval does not count: client.yml requires signed "
                                           f"approvals and this note is {state}")
        fields = note.fields
        approvals.append(Approval(
            name=note.path.name, milestone=fields["milestone"],
            decision=fields.get("decision", "approved"), date=fields["date"],
            by_name=name, by_email=email, source=Source(note.path, line),
            signature=state, deliverables=tuple(fields.get("deliverables") or ()),
            body=note.body, internal=fields.get("internal"),
        ))
    approvals.sort(key=lambda a: (a.date, a.name))
    return tuple(approvals)

"""Load stage: a plans folder -> the typed model, with every problem found at once.

Reads client.yml, plan.yml, approval notes (YAML front matter + Markdown) and the documents
deliverables point to; checks every rule of the spec; verifies approval signatures. Nothing
outside a client's folder is read: symbolic links that leave it are errors.
"""
from __future__ import annotations

import dataclasses
import os
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable
from xml.etree import ElementTree

from . import schema, signatures, yamlsafe
from .access import LINK_SECRET_ENV
from .errors import Diagnostics, UsageError
from .model import (
    Access, AccessUser, Approval, Client, Deliverable, Document, Milestone, Plans, Project,
    Signer, SiteSettings, Source,
)
from .schema import INVALID, SLUG_RE, Ctx

# Limits that keep hostile or accidental input from hanging a build (see README, "Limits").
MAX_YAML_BYTES = 1_000_000
MAX_NOTE_BYTES = 256_000
MAX_DOCUMENT_BYTES = 100_000_000
MAX_APPROVALS_PER_PROJECT = 5_000
MAX_DOCUMENTS_PER_PROJECT = 2_000
MAX_MILESTONES_WARNING = 10
LOGO_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}
# Served from the client's own site, these would run script there: never published.
ACTIVE_DOCUMENT_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz", ".xml", ".xsl",
                            ".xslt", ".js", ".mjs", ".swf"}
FAVICON_SUFFIXES = {".png", ".svg", ".ico"}
_UNSAFE_CSS = re.compile(rb"@import|url\(\s*[\"']?\s*(?:(?!data:)[a-z][a-z0-9+.-]*:|//)|expression\s*\(|"
                         rb"javascript:|behavior\s*:", re.I)
# Files git and editors leave around that are not part of the plans.
IGNORED_NAMES = {".gitattributes", ".gitignore", ".gitkeep"}
_UNSAFE_SVG = re.compile(rb"<script|\bon[a-z]+\s*=|javascript:|<foreignobject|xlink:href\s*=\s*"
                         rb"[\"'](?!#)|\bhref\s*=\s*[\"'](?!#)", re.I)
_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener",
                  "a", "set", "animate", "animatemotion", "animatetransform"}
# Entity declarations (an internal DTD subset) and processing instructions (xml-stylesheet).
_SVG_DECLARATIONS = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*\[|<\?(?!xml[\s?])", re.I)
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
        if not entry.is_dir():
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
        size = path.stat().st_size
        if size > limit:
            diags.error(path, 0, f"file is too large ({size:,} bytes; the limit is {limit:,})")
            return None
        data = path.read_bytes()
    except OSError as exc:
        diags.error(path, 0, f"cannot read file: {exc.strerror or exc}")
        return None
    return _decode(path, data, diags)


def _decode(path: Path, data: bytes, diags: Diagnostics) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags.error(path, line, "file is not valid UTF-8 text")
        return None


def _parse_yaml(path: Path, text: str, record: schema.Record, diags: Diagnostics,
                line_offset: int = 0) -> schema.Fields | None:
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
        fields = _parse_yaml(path, text, schema.CLIENT, diags) if text is not None else None

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
        signers = _signers(path, fields, diags)
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
    )
    with signatures.Verifier([signatures.SignerKey(s.email, s.key) for s in signers]) as verifier:
        return dataclasses.replace(client, projects=tuple(
            dataclasses.replace(project, approvals=_approvals(client, notes, verifier, diags))
            for project, notes in projects
        ))


def _signers(path: Path, fields: schema.Fields, diags: Diagnostics) -> tuple[Signer, ...]:
    out, seen = [], {}
    items = fields.get("signers") or []
    for item, line in zip(items, getattr(items, "lines", [])):
        if not all(item.get(k) for k in ("name", "email", "key")):
            continue
        if item["email"] in seen:
            diags.error(path, line, f"signer email {item['email']} is listed twice "
                                    f"(first on line {seen[item['email']]})")
            continue
        seen[item["email"]] = line
        out.append(Signer(item["name"], item["email"], item["key"]))
    return tuple(out)


def _access(path: Path, fields: schema.Fields, site: SiteSettings,
            diags: Diagnostics) -> Access:
    """The `access:` block (README, "Private sites"), with the rules one field cannot check."""
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
    return Access(mode=mode, explicit=True, password_env=password_env, users=tuple(out))


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
    if file.suffix.lower() not in suffixes:
        return f"`site.{key}` must be one of: " + ", ".join(sorted(suffixes))
    if file.stat().st_size > 2_000_000:
        return f"`site.{key}` is larger than 2 MB"
    data = file.read_bytes()
    if file.suffix.lower() == ".svg" and _unsafe_svg(data):
        return f"`site.{key}` SVG contains scripts, event handlers or links; use a plain SVG or a PNG"
    if key == "css" and _UNSAFE_CSS.search(data):
        return ("`site.css` must not @import other files or load url()s from other hosts "
                "(sites make no third-party requests); put assets in the stylesheet itself")
    return None


def _unsafe_svg(data: bytes) -> bool:
    """True if an SVG could run script or load anything when opened (it is served from the
    client's site, so it runs there). Parsed, not only grepped: `<x:script>` (a prefixed SVG
    script) and scripts declared in a DOCTYPE entity get past any pattern."""
    if _UNSAFE_SVG.search(data) or _SVG_DECLARATIONS.search(data):
        return True
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return True  # browsers would not show it either
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.rsplit("}", 1)[-1].lower() in _SVG_FORBIDDEN:
            return True
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not value.strip().startswith("#")):
                return True
    return False


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
                  diags: Diagnostics) -> tuple[Project, list["_Note"]] | None:
    """The project (approvals not yet attached) and its parsed approval notes."""
    path = folder / "plan.yml"
    before = len(diags.errors)
    fields = None
    if _inside(path, real, diags):
        text = _read_text(path, MAX_YAML_BYTES, diags)
        fields = _parse_yaml(path, text, schema.PLAN, diags) if text is not None else None
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
        ))
    return tuple(out)


def _deliverables(path, items, documents, diags) -> tuple[Deliverable, ...]:
    out = []
    for item, line in zip(items, getattr(items, "lines", [])):
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
            if pure.suffix.lower() in ACTIVE_DOCUMENT_SUFFIXES:
                diags.error(path, item.line_of("file"), f"deliverable file `{file}` is active "
                            f"content ({pure.suffix}) that would run on the client's site; "
                            f"publish it as PDF, an image or a text file instead")
                continue
            file = key
        out.append(Deliverable(title, file))
    return tuple(out)


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


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
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
            raw = path.read_bytes() if path.stat().st_size <= MAX_NOTE_BYTES else None
        except OSError as exc:
            diags.error(path, 0, f"cannot read file: {exc.strerror or exc}")
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
    ids of the note's plan; `path` only names the file in messages.
    """
    if len(raw) > MAX_NOTE_BYTES:
        diags.error(path, 0, f"approval note is larger than {MAX_NOTE_BYTES:,} bytes")
        return None
    text = _decode(path, raw, diags)
    if text is None:
        return None
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        diags.error(path, 1, "an approval note starts with YAML front matter between `---` "
                             "lines (milestone, decision, date, by)")
        return None
    fields = _parse_yaml(path, match.group(1), schema.APPROVAL, diags, line_offset=1)
    if fields is None:
        return None
    ids = list(milestone_ids)
    milestone = fields.get("milestone")
    if milestone is not None and milestone not in ids:
        diags.error(path, fields.line_of("milestone"),
                    f"milestone `{milestone}` not found{schema.did_you_mean(milestone, ids)}; "
                    f"ids in this plan: {', '.join(ids) or 'none'}")
        return None
    if not all(fields.get(k) for k in ("milestone", "date", "by")):
        return None
    return fields, text[match.end():]


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
        try:
            state = verifier.state(note.raw, signature, email)
        except signatures.SshKeygenMissing as exc:
            diags.error(sig_path, 0, f"{exc}; install OpenSSH (openssh-client)")
            state = signatures.INVALID
        line = note.fields.line
        if state == signatures.INVALID:
            diags.warning(note.path, line, f"signature {sig_path.name} does not verify (was the "
                                           "note changed after signing?)")
        elif state == signatures.UNKNOWN_SIGNER:
            diags.warning(note.path, line, f"signature {sig_path.name} is valid but not by a "
                                           f"signer listed in client.yml with the `by:` email")
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

"""Who can read a client's site: the four access modes and the files hosts need for them.

Pure functions (no MkDocs, no network); the only I/O is writing the access files of a build.

* public: anyone; the site may be indexed.
* link (the default): the site is served under an unguessable path segment, an HMAC of the
  client's slug keyed with the build secret in SITE_BUILDER_LINK_SECRET. The secret never goes
  into the repository or a built site; only `site-builder links` and `publish` read it.
* password: the build encrypts the site (protect.py); the password comes from the environment
  variable client.yml names in `access.password_env`.
* host: the web server asks for a login. client.yml holds htpasswd hashes (never passwords);
  this module writes the htpasswd file and the nginx `location` that uses it.

Every non-public site carries `noindex` (meta in every page, robots.txt and `_headers` from
`publish`) and no canonical link to a public address.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import SiteBuilderError
from ..folders import swap_into_place
from ..model import LINK_SECRET_ENV, Access, AccessMode, Client


class Safeguard(enum.Enum):
    """Something a web host must do for a site beyond serving its files as they are."""

    LOGIN = "ask for a login (HTTP Basic auth) before serving any file"


def safeguards(mode: AccessMode) -> frozenset[Safeguard]:
    """What a site in this mode needs from the host that serves it.

    public, link and password sites need nothing but the files served as they are (a link
    site's protection is its unguessable path, a password site's its encryption), so any
    static host will do; a host site is plain HTML that only the server's login protects."""
    return frozenset({Safeguard.LOGIN}) if mode.needs_login else frozenset()


MIN_LINK_SECRET = 16  # characters; `openssl rand -hex 32` gives 64
LINK_SEGMENT_LENGTH = 32  # base32 characters: 160 bits of the HMAC
ACCESS_DIR = "_access"  # OUT/_access/<slug>/: never a client slug (slugs have no "_")
MARKER = ".site-builder-access.json"  # in each built site: the mode it was built for
NOINDEX = "noindex, nofollow"
REALM = "Status page"  # the login prompt's title: names no client
_BASIC_AUTH_PAIR = re.compile(r"[^\s:]+:\S+\Z")


class AccessError(SiteBuilderError):
    """Access cannot be set up as asked: a missing secret, a site built for another mode."""


# --- link mode --------------------------------------------------------------------------------


def link_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """The link secret from the environment; an error naming the variable when missing."""
    value = (os.environ if environ is None else environ).get(LINK_SECRET_ENV, "")
    if not value:
        raise AccessError(
            f"{LINK_SECRET_ENV} is not set: link-mode sites are served under a "
            f"path derived from it. Make one with `openssl rand -hex 32`, keep it "
            f"in your CI secrets and set it for `links` and `publish`"
        )
    if len(value) < MIN_LINK_SECRET:
        raise AccessError(
            f"{LINK_SECRET_ENV} is too short ({len(value)} characters; at least "
            f"{MIN_LINK_SECRET}): a short secret lets anyone who knows a client's "
            f"slug guess its path. Make one with `openssl rand -hex 32`"
        )
    return value.encode("utf-8")


def link_segment(secret: bytes, slug: str) -> str:
    """The unguessable path segment of a link-mode site: base32 of
    HMAC-SHA256(secret, "site-builder-link\\0" + slug), lower case, 32 characters (160 bits).
    The same secret always gives the same path; another secret gives unrelated ones."""
    mac = hmac.new(secret, b"site-builder-link\0" + slug.encode("utf-8"), hashlib.sha256)
    return base64.b32encode(mac.digest()).decode("ascii").lower()[:LINK_SEGMENT_LENGTH]


def site_path(client: Client, secret: bytes | None) -> str:
    """The folder a client's site is served from, relative to the web root (no slashes)."""
    if client.access.has_secret_path:
        if secret is None:
            raise AccessError(f"{client.slug}: link mode needs {LINK_SECRET_ENV}")
        return link_segment(secret, client.slug)
    return client.slug


# --- password mode ----------------------------------------------------------------------------


def password_for(access: Access, environ: Mapping[str, str] | None = None) -> str | None:
    """The password of a password-mode site from its environment variable (None: not set)."""
    if not access.needs_password or not access.password_env:
        return None
    return (os.environ if environ is None else environ).get(access.password_env) or None


# --- marker: what a built site was built for --------------------------------------------------


def write_marker(site_dir: Path, mode: AccessMode, protected: bool | None = None) -> None:
    """Record the mode a site was built for, so `publish` never ships a site built for another
    mode (e.g. a plain site of a client that has since moved to password mode)."""
    data: dict[str, str | bool] = {"mode": mode.value}
    if mode.needs_password:
        data["protected"] = bool(protected)
    (site_dir / MARKER).write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")


def read_marker(site_dir: Path) -> dict | None:
    try:
        data = json.loads((site_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --- host mode: htpasswd and nginx ------------------------------------------------------------


def htpasswd(access: Access) -> str:
    """The htpasswd file of a host-mode client: `name:hash` lines (hashes from client.yml)."""
    return "".join(f"{user.name}:{user.hash}\n" for user in access.users)


def nginx_location(url_path: str, mode: AccessMode, htpasswd_file: str | None = None) -> str:
    """An nginx `location` for one site: noindex headers, and a login for host mode.

    `^~` keeps regular-expression locations elsewhere in the server from taking the request
    (and so skipping the login)."""
    lines = [f"location ^~ {url_path} {{"]
    if mode.needs_login:
        lines += [f'    auth_basic "{REALM}";', f'    auth_basic_user_file "{htpasswd_file}";']
    lines += [
        f'    add_header X-Robots-Tag "{NOINDEX}" always;',
        '    add_header Referrer-Policy "no-referrer" always;',
        '    add_header X-Content-Type-Options "nosniff" always;',
        "}",
    ]
    return "\n".join(lines) + "\n"


def host_headers() -> str:
    """`_headers` for a site served as the root of its own host (Netlify, Cloudflare Pages)."""
    return (
        "# Netlify / Cloudflare Pages: response headers for this site when it is the root of\n"
        "# its host. A login needs the host's own feature (site-builder's\n"
        "# docs/hosting/private-sites.md).\n"
        f"/*\n  X-Robots-Tag: {NOINDEX}\n  Referrer-Policy: no-referrer\n"
        "  X-Content-Type-Options: nosniff\n"
    )


def write_build_access_files(out: Path, staging: Path, clients: Iterable[Client]) -> None:
    """After a build: OUT/_access/<slug>/ for each host-mode client built (htpasswd, an nginx
    location, `_headers`); the folder of a built client that is no longer in host mode goes.

    Outside every site folder, so uploading a site never uploads a password hash. Each
    client's folder is replaced atomically (written in the staging folder, then renamed)."""

    root = out / ACCESS_DIR
    for client in clients:
        target = root / client.slug
        if not client.access.needs_login:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            continue
        new = staging / ACCESS_DIR / client.slug
        new.mkdir(parents=True)
        (new / "htpasswd").write_text(htpasswd(client.access), encoding="utf-8")
        (new / "nginx.conf").write_text(
            "# nginx: include this inside the `server` block that serves the sites. Adjust the\n"
            f"# path if the site is not served at /{client.slug}/, and give the full path of the\n"
            "# htpasswd file (relative paths are taken from nginx's configuration folder).\n"
            "# `site-builder publish` writes a ready-made version for all clients.\n"
            + nginx_location(
                f"/{client.slug}/", client.access.mode, f"_access/{client.slug}/htpasswd"
            ),
            encoding="utf-8",
        )
        (new / "_headers").write_text(host_headers(), encoding="utf-8")
        root.mkdir(exist_ok=True)
        swap_into_place(new, target)
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()


# --- publish: robots.txt and _headers ---------------------------------------------------------


def robots_txt(public_paths: Iterable[str]) -> str:
    """Crawlers may read public sites only. Names no non-public path (it is a public file)."""
    lines = [
        "# Written by site-builder publish: only public status sites may be crawled.",
        "User-agent: *",
    ]
    lines += [f"Allow: {path}" for path in public_paths]
    lines.append("Disallow: /")
    return "\n".join(lines) + "\n"


def basic_auth_env(slug: str) -> str:
    """The variable `publish` reads for a host-mode client's Netlify Basic-Auth line."""
    return "SITE_BUILDER_BASIC_AUTH_" + slug.upper().replace("-", "_")


def basic_auth_value(slug: str, environ: Mapping[str, str]) -> str | None:
    """`user:password [user:password...]` for Netlify, from the environment (never the repo)."""
    name = basic_auth_env(slug)
    value = environ.get(name, "").strip()
    if not value:
        return None
    pairs = value.split()
    if not all(_BASIC_AUTH_PAIR.match(pair) for pair in pairs):
        raise AccessError(
            f"{name} must be `user:password` pairs separated by spaces (the value is not shown)"
        )
    return " ".join(pairs)


def headers_file(
    noindex_paths: Iterable[str], any_public: bool, basic_auth: Mapping[str, str]
) -> str:
    """The root `_headers` (Netlify, Cloudflare Pages; other hosts ignore it).

    With no public site, one rule covers everything, so the file names no path at all. With
    public sites, each password and host site gets its own noindex rule; link-mode paths are
    never written into a file (GitHub Pages would serve this one): those sites rely on the
    noindex meta of every page and on robots.txt."""
    lines = [
        "# Written by site-builder publish for Netlify and Cloudflare Pages (they read it and",
        "# do not serve it). Other hosts: see site-builder's docs/hosting/publish.md.",
        "/*",
        "  Referrer-Policy: no-referrer",
        "  X-Content-Type-Options: nosniff",
    ]
    if not any_public:
        lines.append(f"  X-Robots-Tag: {NOINDEX}")
    else:
        for path in noindex_paths:
            lines += ["", f"{path}*", f"  X-Robots-Tag: {NOINDEX}"]
    for path, credentials in basic_auth.items():
        lines += ["", f"{path}*", f"  Basic-Auth: {credentials}"]
    return "\n".join(lines) + "\n"

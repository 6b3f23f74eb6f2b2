"""`site-builder publish`: lay the built sites out as the host must serve them.

The build writes OUT/<client>/ (CI artifacts, previews). `publish --to DIR` turns that into:

    DIR/www/                 the web root to deploy (and nothing else)
      <slug>/                public, password and host sites
      <secret>/              link sites, under their unguessable path (access.link_segment)
      index.html             an empty page, so no host lists the folders
      robots.txt             crawlers may read public sites only
      _headers               Netlify / Cloudflare Pages: noindex, no referrer, Basic-Auth
    DIR/access/              never deploy this folder to a web root
      nginx.conf             one `location` per non-public site (login for host mode)
      htpasswd/<slug>        host-mode logins (hashes from client.yml)

Files are hard links to the built ones where possible (copies otherwise). It refuses a link
site without SITE_BUILDER_LINK_SECRET, a site built for another access mode, a password site
built without its password, and a DIR inside OUT or the other way round.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from . import access
from .errors import PlanError, UsageError
from .load import load_plans
from .model import Client

PUBLISH_MARKER = ".site-builder-publish"  # DIR holds a previous publish: safe to replace
TMP_NAME = ".site-builder-publish-tmp"


@dataclass(frozen=True)
class PublishOptions:
    to: Path
    out: Path = Path("site")
    plans: Path = Path("plans")
    base_path: str = "/"  # where DIR/www is served from, e.g. /status/
    htpasswd_dir: str | None = None  # where access/htpasswd/ will be on the server


@dataclass(frozen=True)
class Published:
    slug: str
    mode: str
    path: str  # URL path under the host, e.g. /status/northwind/ (secret for link mode)


@dataclass
class PublishReport:
    sites: list[Published] = field(default_factory=list)
    www: Path | None = None
    access: Path | None = None
    notes: list[str] = field(default_factory=list)


def _normal_base(base: str) -> str:
    base = "/" + base.strip().strip("/")
    base = base if base == "/" else base + "/"
    if any(c in base for c in " \t\n\"';{}#?<>\\"):
        raise UsageError(f"--base-path `{base}` must be a plain URL path such as /status/")
    return base


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def publish(options: PublishOptions, environ: Mapping[str, str] | None = None) -> PublishReport:
    environ = os.environ if environ is None else environ
    base = _normal_base(options.base_path)
    to, out, plans_dir = (Path(p).resolve() for p in (options.to, options.out, options.plans))
    if _inside(to, out) or _inside(out, to):
        raise UsageError(f"--to {options.to} and --out {options.out} must not contain each "
                         "other: publish copies the built sites into a folder of its own")
    if _inside(to, plans_dir) or _inside(plans_dir, to):
        raise UsageError(f"--to {options.to} must not be inside the plans folder (or contain "
                         "it)")
    if not out.is_dir():
        raise UsageError(f"no built sites in {options.out}: run `site-builder build` first")
    if to.exists() and (not to.is_dir() or (any(to.iterdir())
                                            and not (to / PUBLISH_MARKER).is_file())):
        raise UsageError(f"--to {options.to} exists and was not written by `site-builder "
                         "publish`; give an empty or new folder")

    plans, diags = load_plans(options.plans)
    if diags.errors:
        raise PlanError(diags.errors)
    clients = list(plans.clients)
    secret = access.link_secret(environ) if any(c.access.mode == "link"
                                                for c in clients) else None
    problems = []
    for client in clients:
        problem = _built_problem(client, out / client.slug, options.out)
        if problem:
            problems.append(problem)
    basic_auth = {}
    for client in clients:
        if client.access.mode == "host":
            credentials = access.basic_auth_value(client.slug, environ)
            if credentials:
                basic_auth[base + client.slug + "/"] = credentials
    if problems:
        raise access.AccessError("cannot publish:\n  " + "\n  ".join(problems))

    try:
        return _lay_out(options, clients, secret, basic_auth, base, to, out)
    except OSError as exc:
        raise access.AccessError(f"cannot write {options.to}: {exc.strerror or exc}") from None


def _lay_out(options: PublishOptions, clients: list[Client], secret: bytes | None,
             basic_auth: dict[str, str], base: str, to: Path, out: Path) -> PublishReport:
    report = PublishReport()
    to.mkdir(parents=True, exist_ok=True)
    staging = to / TMP_NAME
    shutil.rmtree(staging, ignore_errors=True)
    www, access_dir = staging / "www", staging / "access"
    www.mkdir(parents=True)
    (access_dir / "htpasswd").mkdir(parents=True)
    htpasswd_dir = (options.htpasswd_dir.rstrip("/") if options.htpasswd_dir
                    else str(to / "access" / "htpasswd"))
    if any(c in htpasswd_dir for c in "\"$;{}\n\\"):
        raise UsageError(f"the htpasswd folder `{htpasswd_dir}` has characters nginx would "
                         "read as syntax (quotes, $, ;, braces); use --htpasswd-dir")
    locations = []
    for client in clients:
        folder = access.site_path(client, secret)
        _link_tree(out / client.slug, www / folder)
        url_path = base + folder + "/"
        report.sites.append(Published(client.slug, client.access.mode, url_path))
        if client.access.mode == "host":
            (access_dir / "htpasswd" / client.slug).write_text(
                access.htpasswd(client.access), encoding="utf-8")
            locations.append(access.nginx_location(url_path, "host",
                                                   f"{htpasswd_dir}/{client.slug}"))
        elif client.access.mode != "public":
            locations.append(access.nginx_location(url_path, client.access.mode))
    public = [p.path for p in report.sites if p.mode == "public"]
    noindex = [p.path for p in report.sites if p.mode in ("password", "host")]
    (www / "robots.txt").write_text(access.robots_txt(public), encoding="utf-8")
    (www / "_headers").write_text(access.headers_file(noindex, bool(public), basic_auth),
                                  encoding="utf-8")
    (www / "index.html").write_text(_EMPTY_INDEX, encoding="utf-8")
    (access_dir / "nginx.conf").write_text(_nginx_include(base, locations), encoding="utf-8")

    for name in ("www", "access"):  # replace the previous publish
        shutil.rmtree(to / name, ignore_errors=True)
        os.rename(staging / name, to / name)
    shutil.rmtree(staging, ignore_errors=True)
    (to / PUBLISH_MARKER).write_text("written by site-builder publish; replaced by the next "
                                     "one\n", encoding="utf-8")
    report.www, report.access = Path(options.to) / "www", Path(options.to) / "access"
    if base != "/":
        report.notes.append(f"robots.txt and _headers act only at the root of a host; www/ "
                            f"is served from {base}, so put their rules in the host's own root")
    hosts = [c.slug for c in clients if c.access.mode == "host"]
    missing = [c for c in hosts if base + c + "/" not in basic_auth]
    if missing:
        report.notes.append(
            "host mode needs a server that asks for the login: nginx with access/nginx.conf; "
            "on Netlify, set " + ", ".join(access.basic_auth_env(c) for c in missing)
            + " (user:password) for _headers Basic-Auth; GitHub Pages cannot do it")
    return report


def _built_problem(client: Client, site: Path, shown_out: Path) -> str | None:
    """Why OUT/<slug> cannot be published as this client's site, if it cannot."""
    shown = f"{shown_out}/{client.slug}"
    if not site.is_dir():
        return f"{client.slug}: {shown} is not built; run `site-builder build`"
    marker = access.read_marker(site)
    mode = client.access.mode
    if marker is None:
        return (f"{client.slug}: {shown} was built by an older site-builder (no access "
                f"marker); build it again")
    if marker.get("mode") != mode:
        return (f"{client.slug}: {shown} was built for {marker.get('mode')} mode, client.yml "
                f"says {mode}; build it again")
    if mode == "password" and marker.get("protected") is not True:
        return (f"{client.slug}: {shown} was built without its password "
                f"({client.access.password_env} was not set); set it and build again")
    return None


def _link_tree(source: Path, target: Path) -> None:
    """Copy a built site with hard links (a copy where links are impossible)."""
    for folder, dirs, files in os.walk(source):
        dirs.sort()
        here = Path(folder)
        dest = target / here.relative_to(source)
        dest.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if here == source and name == access.MARKER:
                continue
            src = here / name
            try:
                os.link(src, dest / name)
            except OSError:
                shutil.copy2(src, dest / name)


_EMPTY_INDEX = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow">
<title>Status pages</title></head>
<body><p>Nothing here. Use the address of your own status page.</p></body>
</html>
"""


def _nginx_include(base: str, locations: list[str]) -> str:
    where = ("#     server { listen 443 ssl; root /srv/status/www; "
             "include /srv/status/access/nginx.conf; }\n" if base == "/" else
             f"# (the server's `root` is the folder whose {base.strip('/')}/ is www/; these\n"
             "# locations inherit it, so do not serve www/ with `alias`), e.g.\n"
             f"#     server {{ listen 443 ssl; root /srv/sites; include /srv/access/nginx.conf; }}"
             f"\n#     with www/ copied to /srv/sites{base}\n")
    head = (
        "# Written by site-builder publish. Include it in the `server` block that serves the\n"
        f"# published www/ folder at {base}\n" + where +
        "# Host-mode sites ask for a login (HTTPS only: Basic auth sends the password with\n"
        "# every request); every private site gets noindex and no-referrer headers.\n"
        "# The htpasswd files must stay outside the web root.\n")
    return head + ("\n" + "\n".join(locations) if locations else "")

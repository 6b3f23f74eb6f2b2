"""`site-builder publish`: lay the built sites out as the host must serve them.

The build writes OUT/<client>/ (CI artifacts, previews). `publish --to DIR` turns that into:

    DIR/www/                 the web root to deploy (and nothing else)
      <slug>/                public, password and host sites
      <secret>/              link sites, under their unguessable path (access.link_segment)
      index.html             an empty page, so no host lists the folders
      robots.txt             crawlers may read public sites only
      .nojekyll              GitHub Pages: serve files as they are (no Jekyll)
      _headers               Netlify / Cloudflare Pages: noindex, no referrer (Basic-Auth
                             only for --target netlify-pro)
    DIR/access/              never deploy this folder to a web root
      nginx.conf             one `location` per non-public site (login for host mode)
      htpasswd/<slug>        host-mode logins (hashes from client.yml)

`--target` names the kind of host (TARGETS) and so what it enforces. A site is published only
where the host enforces everything its access mode needs (`access.safeguards`): a host-mode
site is plain HTML, so a host that cannot ask for a login never gets it. Such a client is
left out of DIR entirely and reported as an error at its `access.mode` line (exit 1); the
other sites are published.

Files are hard links to the built ones where possible (copies otherwise). It refuses a link
site without SITE_BUILDER_LINK_SECRET, a site built for another access mode, a password site
built without its password, and a DIR inside OUT or the other way round.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, Diagnostics, PlanError, UsageError
from ..folders import check_output_folder
from ..model import AccessMode, Client
from ..plans.load import load_plans
from . import modes as access
from .modes import Safeguard, safeguards

PUBLISH_MARKER = ".site-builder-publish"  # DIR holds a previous publish: safe to replace
TMP_NAME = ".site-builder-publish-tmp"


@dataclass(frozen=True)
class Target:
    """A kind of web host, and what it enforces beyond serving files as they are."""

    name: str
    hosts: str  # which hosts these are (help and messages)
    enforces: frozenset[Safeguard] = frozenset()
    # The login is a `Basic-Auth` line in _headers, with credentials from the environment
    # (access.basic_auth_env): a host-mode client without them gets no login, so is left out.
    login_in_headers: bool = False

    def lacks(self, mode: AccessMode) -> frozenset[Safeguard]:
        """What a site in this mode needs that this host does not do (empty: publishable)."""
        return safeguards(mode) - self.enforces


# Conservative: a host counts as enforcing a login only when --target names one that asks for
# it (nginx with the nginx.conf publish writes, Netlify plans that honour Basic-Auth, or a
# login you set up). Netlify's free plans and Cloudflare Pages ignore Basic-Auth in _headers
# (and GitHub Pages serves that file), so they are `static`, which is the default.
TARGETS = {
    t.name: t
    for t in (
        Target(
            "static",
            "GitHub Pages, GitLab Pages, Cloudflare Pages, Netlify's free plans or "
            "any host that serves the files as they are",
        ),
        Target(
            "nginx",
            "nginx with DIR/access/nginx.conf included in its server block",
            frozenset({Safeguard.LOGIN}),
        ),
        Target(
            "netlify-pro",
            "Netlify on a Pro or Enterprise plan (Basic-Auth in _headers; "
            "other plans serve the site to anyone)",
            frozenset({Safeguard.LOGIN}),
            login_in_headers=True,
        ),
        # The operator's word, as for nginx: a login per client path set up outside publish.
        Target(
            "external-login",
            "a host whose login you set up for each client's path yourself "
            "(Cloudflare Access, a CloudFront Function, a proxy)",
            frozenset({Safeguard.LOGIN}),
        ),
    )
}
DEFAULT_TARGET = "static"


@dataclass(frozen=True)
class PublishOptions:
    to: Path
    out: Path = Path("site")
    plans: Path = Path("plans")
    base_path: str = "/"  # where DIR/www is served from, e.g. /status/
    htpasswd_dir: str | None = None  # where access/htpasswd/ will be on the server
    target: str = DEFAULT_TARGET  # a key of TARGETS


@dataclass(frozen=True)
class Published:
    slug: str
    mode: AccessMode
    path: str  # URL path under the host, e.g. /status/northwind/ (secret for link mode)


@dataclass
class PublishReport:
    sites: list[Published] = field(default_factory=list)
    www: Path | None = None
    access: Path | None = None
    notes: list[str] = field(default_factory=list)
    left_out: list[Diagnostic] = field(default_factory=list)  # errors: exit 1


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
    target = TARGETS.get(options.target)
    if target is None:
        raise UsageError(
            f"--target {options.target}: not a known host; use one of " + ", ".join(TARGETS)
        )
    to, out = (Path(p).resolve() for p in (options.to, options.out))
    if _inside(to, out) or _inside(out, to):
        raise UsageError(
            f"--to {options.to} and --out {options.out} must not contain each "
            "other: publish copies the built sites into a folder of its own"
        )
    check_output_folder(options.to, options.plans, "--to")  # plans, theme, .git, cwd
    if not out.is_dir():
        raise UsageError(f"no built sites in {options.out}: run `site-builder build` first")
    if to.exists() and (
        not to.is_dir() or (any(to.iterdir()) and not (to / PUBLISH_MARKER).is_file())
    ):
        raise UsageError(
            f"--to {options.to} exists and was not written by `site-builder "
            "publish`; give an empty or new folder"
        )

    plans, diags = load_plans(options.plans)
    if diags.errors:
        raise PlanError(diags.errors)
    left_out = Diagnostics()
    basic_auth = {}
    clients = []
    for client in plans.clients:
        credentials = None
        if target.login_in_headers and Safeguard.LOGIN in safeguards(client.access.mode):
            credentials = access.basic_auth_value(client.slug, environ)
        reason = _unenforceable(client, target, credentials is not None)
        if reason:
            left_out.error(client.source.path, client.access.line, reason)
            continue
        if credentials:
            basic_auth[base + client.slug + "/"] = credentials
        clients.append(client)
    secret = access.link_secret(environ) if any(c.access.has_secret_path for c in clients) else None
    problems = []
    for client in clients:
        problem = _built_problem(client, out / client.slug, options.out)
        if problem:
            problems.append(problem)
    if problems:
        raise access.AccessError("cannot publish: " + "; ".join(problems))  # one line

    try:
        report = _lay_out(options, clients, secret, basic_auth, base, to, out)
    except OSError as exc:
        raise access.AccessError(f"cannot write {options.to}: {exc.strerror or exc}") from None
    report.left_out = left_out.errors
    return report


@dataclass(frozen=True)
class SiteLink:
    """Where one client's site is published: its path under www/ (a secret one in link mode)."""

    slug: str
    path: str
    mode: AccessMode


def site_links(plans: Path) -> list[SiteLink]:
    """Every client's published path (`links`); needs the link secret when a client is in
    link mode. Raises PlanError when the plans have errors."""
    loaded, diags = load_plans(plans)
    if diags.errors:
        raise PlanError(diags.errors)
    secret = access.link_secret() if any(c.access.has_secret_path for c in loaded.clients) else None
    return [SiteLink(c.slug, access.site_path(c, secret), c.access.mode) for c in loaded.clients]


def _unenforceable(client: Client, target: Target, has_credentials: bool) -> str | None:
    """Why this host cannot protect the client's site as its access mode says (None: it can)."""
    mode = client.access.mode
    lacks = target.lacks(mode)
    others = [t.name for t in TARGETS.values() if not t.lacks(mode)]
    if lacks:
        return (
            f"`access.mode: {mode.value}`: {client.slug} was left out of the published "
            f"folder: a {mode.value}-mode site is plain HTML that only its host protects, "
            f"and --target {target.name} ({target.hosts}) cannot "
            + "; ".join(s.value for s in sorted(lacks, key=lambda s: s.name))
            + f". Publish it with --target {', '.join(others[:-1])} or {others[-1]} on "
            "such a host, or use `access.mode: password` (encrypted, safe on any host)"
        )
    if target.login_in_headers and Safeguard.LOGIN in safeguards(mode) and not has_credentials:
        return (
            f"`access.mode: {mode.value}`: {client.slug} was left out of the published "
            f"folder: --target {target.name} asks for the login with a Basic-Auth line in "
            f"_headers, and {access.basic_auth_env(client.slug)} (user:password pairs, "
            f"from your CI secrets) is not set"
        )
    return None


def _lay_out(
    options: PublishOptions,
    clients: list[Client],
    secret: bytes | None,
    basic_auth: dict[str, str],
    base: str,
    to: Path,
    out: Path,
) -> PublishReport:
    report = PublishReport()
    to.mkdir(parents=True, exist_ok=True)
    staging = to / TMP_NAME
    shutil.rmtree(staging, ignore_errors=True)
    www, access_dir = staging / "www", staging / "access"
    www.mkdir(parents=True)
    (access_dir / "htpasswd").mkdir(parents=True)
    htpasswd_dir = (
        options.htpasswd_dir.rstrip("/")
        if options.htpasswd_dir
        else str(to / "access" / "htpasswd")
    )
    if any(c in htpasswd_dir for c in '"$;{}\n\\'):
        raise UsageError(
            f"the htpasswd folder `{htpasswd_dir}` has characters nginx would "
            "read as syntax (quotes, $, ;, braces); use --htpasswd-dir"
        )
    locations = []
    for client in clients:
        folder = access.site_path(client, secret)
        _link_tree(out / client.slug, www / folder)
        url_path = base + folder + "/"
        report.sites.append(Published(client.slug, client.access.mode, url_path))
        if client.access.needs_login:
            (access_dir / "htpasswd" / client.slug).write_text(
                access.htpasswd(client.access), encoding="utf-8"
            )
            locations.append(
                access.nginx_location(url_path, client.access.mode, f"{htpasswd_dir}/{client.slug}")
            )
        elif not client.access.public:
            locations.append(access.nginx_location(url_path, client.access.mode))
    public = [p.path for p in report.sites if p.mode.public]
    # A secret path is never written into a file that may be served.
    noindex = [p.path for p in report.sites if p.mode.noindex and not p.mode.has_secret_path]
    (www / "robots.txt").write_text(access.robots_txt(public), encoding="utf-8")
    (www / "_headers").write_text(
        access.headers_file(noindex, bool(public), basic_auth), encoding="utf-8"
    )
    (www / "index.html").write_text(_EMPTY_INDEX, encoding="utf-8")
    # GitHub Pages runs Jekyll on branch deploys, which turns published .md documents into
    # pages (raw HTML included); .nojekyll serves every file as it is.
    (www / ".nojekyll").write_bytes(b"")
    (access_dir / "nginx.conf").write_text(_nginx_include(base, locations), encoding="utf-8")

    for name in ("www", "access"):  # replace the previous publish
        shutil.rmtree(to / name, ignore_errors=True)
        os.rename(staging / name, to / name)
    shutil.rmtree(staging, ignore_errors=True)
    (to / PUBLISH_MARKER).write_text(
        "written by site-builder publish; replaced by the next one\n", encoding="utf-8"
    )
    report.www, report.access = Path(options.to) / "www", Path(options.to) / "access"
    if base != "/":
        report.notes.append(
            f"robots.txt and _headers act only at the root of a host; www/ "
            f"is served from {base}, so put their rules in the host's own root"
        )
    if options.target == "nginx" and any(c.access.needs_login for c in clients):
        report.notes.append(
            "host-mode sites are protected only once access/nginx.conf is "
            "included in the server block that serves www/"
        )
    return report


def _built_problem(client: Client, site: Path, shown_out: Path) -> str | None:
    """Why OUT/<slug> cannot be published as this client's site, if it cannot."""
    shown = f"{shown_out}/{client.slug}"
    if not site.is_dir():
        return f"{client.slug}: {shown} is not built; run `site-builder build`"
    marker = access.read_marker(site)
    mode = client.access.mode
    if marker is None:
        return (
            f"{client.slug}: {shown} was built by an older site-builder (no access "
            f"marker); build it again"
        )
    if marker.get("mode") != mode.value:
        return (
            f"{client.slug}: {shown} was built for {marker.get('mode')} mode, client.yml "
            f"says {mode}; build it again"
        )
    if client.access.needs_password and marker.get("protected") is not True:
        return (
            f"{client.slug}: {shown} was built without its password "
            f"({client.access.password_env} was not set); set it and build again"
        )
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
    where = (
        "#     server { listen 443 ssl; root /srv/status/www; "
        "include /srv/status/access/nginx.conf; }\n"
        if base == "/"
        else f"# (the server's `root` is the folder whose {base.strip('/')}/ is www/; these\n"
        "# locations inherit it, so do not serve www/ with `alias`), e.g.\n"
        f"#     server {{ listen 443 ssl; root /srv/sites; include /srv/access/nginx.conf; }}"
        f"\n#     with www/ copied to /srv/sites{base}\n"
    )
    head = (
        "# Written by site-builder publish. Include it in the `server` block that serves the\n"
        f"# published www/ folder at {base}\n"
        + where
        + "# Host-mode sites ask for a login (HTTPS only: Basic auth sends the password with\n"
        "# every request); every private site gets noindex and no-referrer headers.\n"
        "# The htpasswd files must stay outside the web root.\n"
        "# Every site (public ones too) is served with nosniff: browsers then never show a\n"
        "# document as a page because of what it contains. nginx drops server-level headers\n"
        "# in a location with add_header of its own: add this line there too.\n"
        'add_header X-Content-Type-Options "nosniff" always;\n'
    )
    return head + ("\n" + "\n".join(locations) if locations else "")

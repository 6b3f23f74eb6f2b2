"""The private-site commands: links, publish, decrypt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from .shared import (
    plans_option,
    say,
    show_diagnostics,
    sites_option,
)


@click.command()
@plans_option
@click.option(
    "--base-url",
    metavar="URL",
    default="",
    help="Where the published www/ folder is served, e.g. https://status.example.com/; "
    "prints full addresses instead of paths.",
)
def links(plans, base_url) -> None:
    """Print where each client's site is published (link mode: its secret path).

    Needs SITE_BUILDER_LINK_SECRET when a client is in link mode. The output names secret
    addresses: send each client only their own, and keep it out of public CI logs.
    """
    from ..access.publish import site_links

    base = base_url.rstrip("/") + "/" if base_url else ""
    for link in site_links(plans):
        say(f"{link.slug}: {base}{link.path}/ ({link.mode})")


@click.command()
@plans_option
@sites_option("Where `build` wrote the sites.")
@click.option(
    "--to",
    "to",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to lay the sites out in: DIR/www (deploy this) and DIR/access.",
)
@click.option(
    "--base-path",
    default="/",
    show_default=True,
    metavar="PATH",
    help="URL path www/ is served from, e.g. /status/ (robots.txt, _headers, nginx).",
)
@click.option(
    "--htpasswd-dir",
    metavar="PATH",
    help="Where DIR/access/htpasswd/ will be on the web server (default: its path "
    "here), for nginx.conf.",
)
@click.option(
    "--target",
    metavar="HOST",
    default="static",
    show_default=True,
    help="The host www/ goes to: static (GitHub/GitLab/Cloudflare Pages, any plain "
    "host), nginx (with access/nginx.conf), netlify-pro (Basic-Auth in "
    "_headers), external-login (a login you set up per client path). Clients "
    "whose access mode the host cannot enforce are left out (exit 1).",
)
def publish(plans, out, to, base_path, htpasswd_dir, target) -> None:
    """Lay the built sites out as the host must serve them: secret paths, robots.txt,
    _headers, and nginx access files (docs/hosting/publish.md)."""
    from ..access.publish import PublishOptions
    from ..access.publish import publish as run_publish

    report = run_publish(
        PublishOptions(
            to=to,
            out=out,
            plans=plans,
            base_path=base_path,
            htpasswd_dir=htpasswd_dir,
            target=target,
        )
    )
    for site in report.sites:
        # Never print a link-mode path: CI logs are often readable by more people.
        shown = "secret path, see `site-builder links`" if site.mode.has_secret_path else site.path
        say(f"{site.slug}: {site.mode} ({shown})")
    for note in report.notes:
        say(f"note: {note}", err=True)
    say(
        f"published {len(report.sites)} site(s): deploy {report.www}/; keep "
        f"{report.access}/ off the web"
    )
    if report.left_out:
        show_diagnostics(report.left_out)
        say(
            f"site-builder: {len(report.left_out)} client(s) left out: the host "
            f"cannot protect them; do not deploy until this is fixed",
            err=True,
        )
        sys.exit(1)


@click.command()
@click.option(
    "--password-env",
    metavar="NAME",
    help="Environment variable holding the password (default: ask on the terminal).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the plaintext here instead of standard output.",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
def decrypt(password_env, output, file) -> None:
    """Decrypt a file of a password-protected site: status.json, a page or a document."""
    from ..access.password import decrypt as run_decrypt

    try:
        with click.open_file(str(file), "rb") as handle:
            data = handle.read(200_000_000)
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise UsageError(f"environment variable {password_env} is not set")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, err=True)
    else:
        raise UsageError("give --password-env NAME (no terminal to ask for the password)")
    plain = run_decrypt(data, password)
    if output:
        try:
            output.write_bytes(plain)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(plain)
        sys.stdout.buffer.flush()


# --- authoring: editor schemas, scaffolding, approvals ----------------------------------------


COMMANDS = (
    links,
    publish,
    decrypt,
)

"""The site commands: build, check, status, serve."""

from __future__ import annotations

import click

from .shared import (
    Progress,
    parse_shard,
    plans_option,
    say,
    settings_option,
    show_diagnostics,
    sites_option,
    strict_option,
    today_option,
)


@click.command()
@plans_option
@sites_option("Where the sites go: OUT/<client>/.")
@click.option(
    "--client",
    "clients",
    multiple=True,
    metavar="SLUG",
    help="Build only this client (repeatable).",
)
@today_option(help="Compute statuses as of this date (default: today in each client's zone).")
@strict_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, 256),
    default=0,
    help="Parallel builds (default: one per CPU).",
)
@click.option(
    "--changed-since",
    metavar="REV",
    help="Build only clients whose folder (or the shared theme/config) changed since "
    "this git revision.",
)
@click.option(
    "--shard",
    callback=lambda ctx, param, value: parse_shard(value),
    metavar="I/N",
    help="Build only shard I of N (a stable 1/N of the clients, for CI matrices).",
)
@click.option(
    "--team",
    is_flag=True,
    help="Also write the internal team dashboard (all clients, internal notes) to "
    "OUT/_team. Never publish it with the client sites.",
)
@settings_option
def build(plans, out, clients, today, strict, jobs, changed_since, shard, team, settings) -> None:
    """Build every client's status site into OUT/<client>/."""
    from ..build import BuildOptions
    from ..build import build as run_build

    options = BuildOptions(
        plans=plans,
        out=out,
        clients=tuple(clients),
        today=today,
        strict=strict,
        jobs=jobs,
        changed_since=changed_since,
        shard=shard,
        team=team,
        settings=settings,
    )
    with Progress() as progress:
        report = run_build(options, progress=progress.advance)
    show_diagnostics(report.warnings)
    for site in report.sites:
        say(f"{site.slug}: {site.path / 'index.html'}")
        for warning in site.warnings:
            say(f"{site.slug}: warning: {warning}", err=True)
    if not report.sites and (changed_since or shard):
        say("nothing to build: no selected client changed")
    else:
        say(f"built {len(report.sites)} site(s) in {out}/")


@click.command()
@plans_option
@strict_option
@settings_option
def check(plans, strict, settings) -> None:
    """Validate the plans; report every problem as PATH:LINE: error: MESSAGE."""
    from ..build import validate

    checked = validate(plans, strict=strict, settings=settings)
    loaded, diags = checked.plans, checked.diagnostics
    show_diagnostics(diags.warnings)
    projects = sum(len(c.projects) for c in loaded.clients)
    say(
        f"ok: {len(loaded.clients)} client(s), {projects} project(s), "
        f"{len(diags.warnings)} warning(s)"
    )


@click.command()
@plans_option
@today_option()
@click.option(
    "--format",
    "form",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: for people; json: a list of status.json documents; csv: one row per milestone.",
)
@click.argument("client", required=False)
def status(plans, today, form, client) -> None:
    """Print each project's status (all clients, or one): a table, JSON or CSV."""
    from ..authoring import export
    from ..terminal import print_status

    states = export.client_states(plans, client, today)
    if form == "table":
        print_status(states)
    else:
        text = export.status_json(states) if form == "json" else export.status_csv(states)
        click.echo(text, nl=form == "json")


@click.command()
@plans_option
@today_option()
@click.option(
    "--dev-addr",
    metavar="HOST:PORT",
    default=None,
    help="Address to serve on (default 127.0.0.1:8000).",
)
@settings_option
@click.argument("client")
def serve(plans, today, dev_addr, settings, client) -> None:
    """Live preview of one client's site; rebuilds when its files change."""
    from ..build import base_config_for, config_layer, prepare_for_preview
    from ..engines.mkdocs import serve as run_serve

    fixed = today.isoformat() if today else None
    preview = prepare_for_preview(plans, client, fixed, settings)  # unknown client: exit 2
    run_serve(
        preview,
        base_config_for(plans),
        plans,
        fixed,
        dev_addr,
        settings,
        config_layer(plans),
    )


# --- private sites: links, publish, decrypt ---------------------------------------------------


COMMANDS = (
    build,
    check,
    status,
    serve,
)

"""The command line: a thin layer that parses options and turns exceptions into exit codes.

Exit status: 0 success; 1 the plans have errors (or warnings with --strict); 2 bad usage.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import PlanError, SiteBuilderError, UsageError

EXIT_INTERNAL = 70


def _today(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
    except ValueError:
        raise click.BadParameter(f"`{value}` is not a date written YYYY-MM-DD") from None


def _bad_date(value):
    raise ValueError(value)


plans_option = click.option(
    "--plans", type=click.Path(path_type=Path, file_okay=False), default=Path("plans"),
    show_default=True, help="The plans folder (one sub-folder per client).")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def _report(diagnostics) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)


def _run(action) -> None:
    """Run a command body; map our exceptions to exit codes, never show a traceback."""
    try:
        action()
    except PlanError as exc:
        _report(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        warnings = len(exc.diagnostics) - errors
        click.echo(f"site-builder: {errors} error(s), {warnings} warning(s); nothing was written",
                   err=True)
        sys.exit(1)
    except UsageError as exc:
        click.echo(f"site-builder: error: {exc}", err=True)
        sys.exit(2)
    except SiteBuilderError as exc:
        click.echo(f"site-builder: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("site-builder: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("SITE_BUILDER_DEBUG"):
            raise
        click.echo(f"site-builder: internal error: {type(exc).__name__}: {exc} "
                   "(set SITE_BUILDER_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_INTERNAL)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="site-builder")
def main() -> None:
    """Milestone status sites from plans kept in git: one static site per client."""


@main.command()
@plans_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True, help="Where the sites go: OUT/<client>/.")
@click.option("--client", "clients", multiple=True, metavar="SLUG",
              help="Build only this client (repeatable).")
@click.option("--today", callback=_today, metavar="YYYY-MM-DD",
              help="Compute statuses as of this date (default: today in each client's zone).")
@strict_option
@click.option("--jobs", "-j", type=click.IntRange(0, 256), default=0,
              help="Parallel builds (default: one per CPU).")
@click.option("--changed-since", metavar="REV",
              help="Build only clients whose folder (or the shared theme/config) changed since "
                   "this git revision.")
def build(plans, out, clients, today, strict, jobs, changed_since) -> None:
    """Build every client's status site into OUT/<client>/."""
    from .build import BuildOptions, build as run_build

    def action():
        options = BuildOptions(plans=plans, out=out, clients=tuple(clients), today=today,
                               strict=strict, jobs=jobs, changed_since=changed_since)
        report = run_build(options, progress=None)
        _report(report.warnings)
        for site in report.sites:
            click.echo(f"{site.slug}: {site.path / 'index.html'}")
            for warning in site.warnings:
                click.echo(f"{site.slug}: warning: {warning}", err=True)
        click.echo(f"built {len(report.sites)} site(s) in {out}/")

    _run(action)


@main.command()
@plans_option
@strict_option
def check(plans, strict) -> None:
    """Validate the plans; report every problem as PATH:LINE: error: MESSAGE."""
    from .build import validate

    def action():
        checked = validate(plans, strict=strict)
        loaded, diags = checked.plans, checked.diagnostics
        _report(diags.warnings)
        projects = sum(len(c.projects) for c in loaded.clients)
        click.echo(f"ok: {len(loaded.clients)} client(s), {projects} project(s), "
                   f"{len(diags.warnings)} warning(s)")

    _run(action)


@main.command()
@plans_option
@click.option("--today", callback=_today, metavar="YYYY-MM-DD",
              help="Compute statuses as of this date.")
@click.argument("client", required=False)
def status(plans, today, client) -> None:
    """Print each project's status as a table (all clients, or one)."""
    from .build import client_today, validate
    from .derive import derive_client
    from .terminal import print_status

    def action():
        checked = validate(plans, [client] if client else [], today=today)
        history = checked.history
        states = [derive_client(c, client_today(c, today), history.for_client(c.slug),
                                history.approvals_for(c.slug))
                  for c in checked.plans.clients]
        print_status(states)

    _run(action)


@main.command()
@plans_option
@click.option("--today", callback=_today, metavar="YYYY-MM-DD",
              help="Compute statuses as of this date.")
@click.option("--dev-addr", metavar="HOST:PORT", default=None,
              help="Address to serve on (default 127.0.0.1:8000).")
@click.argument("client")
def serve(plans, today, dev_addr, client) -> None:
    """Live preview of one client's site; rebuilds when its files change."""
    from .build import base_config_for, prepare_for_preview
    from .mkdocs_backend import serve as run_serve

    def action():
        bundle, _ = prepare_for_preview(plans, client, today.isoformat() if today else None)
        run_serve(bundle, base_config_for(plans), plans,
                  today.isoformat() if today else None, dev_addr)

    _run(action)

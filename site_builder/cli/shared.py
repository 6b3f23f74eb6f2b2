"""What every command shares: printing, option declarations, dates, progress, exit codes."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import PlanError, SiteBuilderError, UsageError
from ..textsafe import printable

EXIT_INTERNAL = 70


def say(text: str, err: bool = False) -> None:
    """Print one line. Every line the CLI writes goes through here (JSON aside), so plan text,
    file names and server answers in it print inert: control characters, bidi overrides and
    line breaks inside it are shown escaped (textsafe.printable)."""
    click.echo(printable(text), err=err)


def parse_date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value) if len(value) == 10 else _not_a_date(value)
    except ValueError:
        raise click.BadParameter(f"`{printable(value)}` is not a date written YYYY-MM-DD") from None
    from ..plans.schema import date_range_problem  # late: keeps `--help` fast

    problem = date_range_problem(date)
    if problem:
        raise click.BadParameter(problem)
    return date


def _not_a_date(value):
    raise ValueError(value)


def parse_shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter(f"`{printable(value)}` is not I/N, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise click.BadParameter(f"`{printable(value)}`: I must be between 1 and N")
    return index, count


class Progress:
    """A progress bar on a terminal (rich); plain `[n/N] client` lines in CI logs."""

    def __init__(self) -> None:
        self._bar: Any = None  # a rich.progress.Progress, imported only on a terminal
        self._task: Any = None

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False),
                transient=True,
                console=None,
            )
            self._bar.__enter__()
        return self

    def advance(self, site, done: int, total: int) -> None:
        if self._bar is None:
            say(f"[{done}/{total}] {site.slug}", err=True)
            return
        if self._task is None:
            self._task = self._bar.add_task("", total=total)
        self._bar.update(self._task, completed=done, description=printable(site.slug))

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


plans_option = click.option(
    "--plans",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("plans"),
    show_default=True,
    help="The plans folder (one sub-folder per client).",
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
settings_option = click.option(
    "--settings",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="The agency's settings (default: site-builder.yml in the folder "
    "holding the plans folder).",
)


def sites_option(help: str):
    """`--out DIR`: the folder holding the built sites, OUT/<client>/ (declared once, here)."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("site"),
        show_default=True,
        help=help,
    )


def today_option(help: str = "Compute statuses as of this date."):
    """`--today YYYY-MM-DD`: the date statuses are computed as of (declared once, here)."""
    return click.option("--today", callback=parse_date, metavar="YYYY-MM-DD", help=help)


def show_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        say(d.format(), err=True)


class Commands(click.Group):
    """The command group: runs a command and maps our exceptions to exit codes (1 plan
    errors, 2 usage, a SiteBuilderError's own code, 130 interrupted); never a traceback.
    The commands themselves only parse options and call one function of the pipeline."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: bad options, --help, --version
        except PlanError as exc:
            show_diagnostics(exc.diagnostics)
            errors = sum(1 for d in exc.diagnostics if d.is_error)
            warnings = len(exc.diagnostics) - errors
            say(
                f"site-builder: {errors} error(s), {warnings} warning(s); nothing was written",
                err=True,
            )
            sys.exit(1)
        except UsageError as exc:
            say(f"site-builder: error: {exc}", err=True)
            sys.exit(2)
        except SiteBuilderError as exc:
            say(f"site-builder: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            say("site-builder: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly; the traceback only on request
            if os.environ.get("SITE_BUILDER_DEBUG"):
                raise
            say(
                f"site-builder: internal error: {type(exc).__name__}: {exc} "
                "(set SITE_BUILDER_DEBUG=1 for details)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

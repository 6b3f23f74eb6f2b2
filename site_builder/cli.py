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


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter(f"`{value}` is not I/N, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise click.BadParameter(f"`{value}`: I must be between 1 and N")
    return index, count


class Progress:
    """A progress bar on a terminal (rich); plain `[n/N] client` lines in CI logs."""

    def __init__(self) -> None:
        self._bar = None
        self._task = None

    def __enter__(self) -> "Progress":
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, \
                TextColumn, TimeElapsedColumn

            self._bar = Bar(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.description}"),
                            transient=True, console=None)
            self._bar.__enter__()
        return self

    def advance(self, site, done: int, total: int) -> None:
        if self._bar is None:
            click.echo(f"[{done}/{total}] {site.slug}", err=True)
            return
        if self._task is None:
            self._task = self._bar.add_task("", total=total)
        self._bar.update(self._task, completed=done, description=site.slug)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

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
@click.option("--shard", callback=lambda ctx, param, value: _shard(value), metavar="I/N",
              help="Build only shard I of N (a stable 1/N of the clients, for CI matrices).")
@click.option("--team", is_flag=True,
              help="Also write the internal team dashboard (all clients, internal notes) to "
                   "OUT/_team. Never publish it with the client sites.")
def build(plans, out, clients, today, strict, jobs, changed_since, shard, team) -> None:
    """Build every client's status site into OUT/<client>/."""
    from .build import BuildOptions, build as run_build

    def action():
        options = BuildOptions(plans=plans, out=out, clients=tuple(clients), today=today,
                               strict=strict, jobs=jobs, changed_since=changed_since,
                               shard=shard, team=team)
        with Progress() as progress:
            report = run_build(options, progress=progress.advance)
        _report(report.warnings)
        for site in report.sites:
            click.echo(f"{site.slug}: {site.path / 'index.html'}")
            for warning in site.warnings:
                click.echo(f"{site.slug}: warning: {warning}", err=True)
        if not report.sites and (changed_since or shard):
            click.echo("nothing to build: no selected client changed")
        else:
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
        fixed = today.isoformat() if today else None
        bundle, _ = prepare_for_preview(plans, client, fixed)  # unknown client: exit 2
        run_serve(bundle, base_config_for(plans), plans, fixed, dev_addr)

    _run(action)


# --- private sites: links, publish, decrypt ---------------------------------------------------


@main.command()
@plans_option
@click.option("--base-url", metavar="URL", default="",
              help="Where the published www/ folder is served, e.g. https://status.example.com/; "
                   "prints full addresses instead of paths.")
def links(plans, base_url) -> None:
    """Print where each client's site is published (link mode: its secret path).

    Needs SITE_BUILDER_LINK_SECRET when a client is in link mode. The output names secret
    addresses: send each client only their own, and keep it out of public CI logs.
    """
    from . import access
    from .load import load_plans

    def action():
        loaded, diags = load_plans(plans)
        if diags.errors:
            raise PlanError(diags.errors)
        secret = access.link_secret() if any(c.access.mode == "link"
                                             for c in loaded.clients) else None
        base = base_url.rstrip("/") + "/" if base_url else ""
        for client in loaded.clients:
            path = access.site_path(client, secret)
            click.echo(f"{client.slug}: {base}{path}/ ({client.access.mode})")

    _run(action)


@main.command()
@plans_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True, help="Where `build` wrote the sites.")
@click.option("--to", "to", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to lay the sites out in: DIR/www (deploy this) and DIR/access.")
@click.option("--base-path", default="/", show_default=True, metavar="PATH",
              help="URL path www/ is served from, e.g. /status/ (robots.txt, _headers, nginx).")
@click.option("--htpasswd-dir", metavar="PATH",
              help="Where DIR/access/htpasswd/ will be on the web server (default: its path "
                   "here), for nginx.conf.")
def publish(plans, out, to, base_path, htpasswd_dir) -> None:
    """Lay the built sites out as the host must serve them: secret paths, robots.txt,
    _headers, and nginx access files (README, "Private sites")."""
    from .publish import PublishOptions, publish as run_publish

    def action():
        report = run_publish(PublishOptions(to=to, out=out, plans=plans, base_path=base_path,
                                            htpasswd_dir=htpasswd_dir))
        for site in report.sites:
            # Never print a link-mode path: CI logs are often readable by more people.
            shown = "secret path, see `site-builder links`" if site.mode == "link" \
                else site.path
            click.echo(f"{site.slug}: {site.mode} ({shown})")
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(f"published {len(report.sites)} site(s): deploy {report.www}/; keep "
                   f"{report.access}/ off the web")

    _run(action)


@main.command()
@click.option("--password-env", metavar="NAME",
              help="Environment variable holding the password (default: ask on the terminal).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write the plaintext here instead of standard output.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
def decrypt(password_env, output, file) -> None:
    """Decrypt a file of a password-protected site: status.json, a page or a document."""
    from .protect import decrypt as run_decrypt

    def action():
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

    _run(action)


# --- authoring: editor schemas, scaffolding, approvals ----------------------------------------


@main.command()
@click.argument("kind", required=False, type=click.Choice(["client", "plan", "approval"]))
@click.option("--write", "write", is_flag=True,
              help="Write all three schemas into --out (and, run from a source checkout, into "
                   "the package's site_builder/schemas/).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("schemas"),
              show_default=True, help="Folder for --write.")
def schema(kind, write, out) -> None:
    """Print the JSON Schema of client.yml, plan.yml or approval front matter."""
    from . import schema_export

    def action():
        if write == (kind is not None):
            raise UsageError("name one schema to print (client, plan or approval), or use "
                             "--write to write all of them")
        if kind is not None:
            click.echo(schema_export.render(kind), nl=False)
            return
        folders = [out]
        package = schema_export.source_checkout_dir()
        if package is not None and package.resolve() != out.resolve():
            folders.append(package)
        for folder in folders:
            for path in schema_export.write(folder):
                click.echo(f"wrote {os.path.relpath(path)}")

    _run(action)


@main.group()
def new() -> None:
    """Start a client or a project from a template (never overwrites)."""


@new.command("client")
@plans_option
@click.option("--name", required=True, help="The client's name (the site title).")
@click.argument("slug")
def new_client(plans, name, slug) -> None:
    """Write plans/SLUG/client.yml."""
    from .scaffold import new_client as run

    def action():
        written = run(plans, slug, name)
        for path in written.schemas:
            click.echo(f"wrote {os.path.relpath(path)} (editor schema)")
        click.echo(f"wrote {os.path.relpath(written.path)}")
        click.echo(f"next: site-builder new project {slug}/PROJECT --template "
                   "agency|saas|construction")

    _run(action)


@new.command("project")
@plans_option
@click.option("--template", required=True, type=click.Choice(["agency", "saas", "construction"]),
              help="The kind of engagement: its typical milestones.")
@click.option("--title", help="The project's name (default: from the slug).")
@click.option("--start", callback=_today, metavar="YYYY-MM-DD",
              help="Start date; due dates are spaced from it (default: today).")
@click.option("--currency", default="USD", show_default=True, metavar="CODE",
              help="ISO 4217 code of invoice amounts.")
@click.argument("target", metavar="CLIENT/SLUG")
def new_project(plans, template, title, start, currency, target) -> None:
    """Write plans/CLIENT/SLUG/plan.yml with the milestones of a template."""
    from .scaffold import new_project as run

    def action():
        written = run(plans, target, template, title=title, start=start, currency=currency)
        for path in written.schemas:
            click.echo(f"wrote {os.path.relpath(path)} (editor schema)")
        click.echo(f"wrote {os.path.relpath(written.path)}: {written.milestones} milestones, "
                   f"due {written.first_due} to {written.last_due}")
        click.echo("next: put names in place of the owner roles, adjust the dates, then run "
                   "site-builder check")

    _run(action)


@main.command()
@plans_option
@click.option("--by", "by", required=True, metavar='"NAME <EMAIL>"',
              help="Who decided (for a signed note: a signer's email in client.yml).")
@click.option("--decision", type=click.Choice(["approved", "changes-requested", "rejected"]),
              default="approved", show_default=True)
@click.option("--date", callback=_today, metavar="YYYY-MM-DD",
              help="Date of the decision (default: today in the client's time zone).")
@click.option("--note-file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help="The client's note (Markdown); `-` reads standard input.")
@click.option("--deliverable", "deliverables", multiple=True, metavar="TEXT",
              help="What was reviewed (repeatable).")
@click.option("--sign", "key", type=click.Path(path_type=Path, dir_okay=False), metavar="KEY",
              help="Sign the note with this SSH private key (ssh-keygen -Y sign) and check "
                   "the signature against client.yml.")
@click.argument("target", metavar="CLIENT/PROJECT")
@click.argument("milestone")
def approve(plans, by, decision, date, note_file, deliverables, key, target, milestone) -> None:
    """Record a client decision as approvals/DATE-MILESTONE.md (optionally signed)."""
    from .authoring import ApprovalRequest, approve as run

    def action():
        note = None
        if note_file is not None:
            try:
                with click.open_file(str(note_file), "rb") as handle:
                    note = handle.read(1_000_000).decode("utf-8")
            except OSError as exc:
                raise UsageError(f"--note-file: cannot read {note_file}: "
                                 f"{exc.strerror or exc}") from None
            except UnicodeDecodeError:
                raise UsageError(f"--note-file: {note_file} is not UTF-8 text") from None
        run(ApprovalRequest(plans=plans, target=target, milestone=milestone, by=by,
                            decision=decision, date=date, note=note, key=key,
                            deliverables=tuple(deliverables)), say=click.echo)

    _run(action)


@main.command()
@plans_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) unless every note is verified.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
def verify(plans, strict, paths) -> None:
    """List approval notes with their signature state; exit 1 if any is invalid.

    PATH may be a note, its .sig, or a folder (a client, a project, approvals/); default: every
    note in the plans folder.
    """
    from . import signatures
    from .authoring import summary, verify as run

    def action():
        results, diags = run(paths, plans)
        for result in results:
            shown = os.path.relpath(result.path)
            by = f"  {result.by_name}" if result.by_name else ""
            counts = "" if result.counts else "  (does not count: signatures required)"
            click.echo(f"{result.state or 'unreadable':<15} {shown}{by}{counts}")
        _report(diags.items)
        click.echo(summary(results))
        invalid = [r for r in results if r.state == signatures.INVALID]
        unreadable = [r for r in results if r.state is None]
        if invalid:
            raise SiteBuilderError(f"{len(invalid)} note(s) with an invalid signature: changed "
                                   "after signing, or not a signature of this note")
        if unreadable or diags.errors:
            raise SiteBuilderError("some notes or client.yml files could not be read (see above)")
        if strict and any(r.state != signatures.VERIFIED for r in results):
            raise SiteBuilderError("--strict: not every note has a verified signature")

    _run(action)


@main.command("events")
@plans_option
@click.option("--since", metavar="REV",
              help="Report what changed in the plans between git revision REV and --until.")
@click.option("--until", metavar="REV",
              help="End of the range for --since (default: HEAD; uncommitted edits are not "
                   "included).")
@click.option("--due-within", type=click.IntRange(0, 3650), metavar="DAYS",
              help="Instead: milestones not approved that are due within DAYS days or overdue.")
@click.option("--today", callback=_today, metavar="YYYY-MM-DD",
              help="With --due-within: count days from this date (default: today in each "
                   "client's time zone).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.option("--webhook", metavar="URL",
              help="POST each record as JSON to URL (timeout 10 s, retried with backoff).")
@click.option("--webhook-secret-env", metavar="NAME",
              help="Sign each POST with the secret in environment variable NAME "
                   "(X-Site-Builder-Signature: sha256=HMAC of the body).")
def events_command(plans, since, until, due_within, today, as_json, webhook,
                   webhook_secret_env) -> None:
    """Events for CI: what changed between two revisions (--since), or what is due soon
    (--due-within). Exit 1 when a webhook delivery fails."""
    import json

    from . import events as ev

    def action():
        if (since is None) == (due_within is None):
            raise UsageError("events: give either --since REV (what changed) or --due-within "
                             "DAYS (what is due), not both or neither")
        if until is not None and since is None:
            raise UsageError("events: --until goes with --since")
        if today is not None and due_within is None:
            raise UsageError("events: --today goes with --due-within")
        if webhook_secret_env is not None and webhook is None:
            raise UsageError("events: --webhook-secret-env goes with --webhook")
        hook = ev.webhook(webhook, webhook_secret_env) if webhook is not None else None
        if since is not None:
            changes = ev.change_events(plans, since, until or "HEAD")
            _report(changes.warnings)
            records, line = changes.records, ev.change_line
            empty = f"no events between {changes.since.short} and {changes.until.short}"
        else:
            records, line = ev.due_records(plans, due_within, today), ev.due_line
            empty = f"nothing due within {due_within} day(s) or overdue"
        if as_json:
            click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        else:
            for record in records:
                click.echo(line(record))
        if not records:
            click.echo(empty, err=True)
        if hook is not None and records:
            sent = ev.deliver(hook, records)
            click.echo(f"posted {sent} event(s) to {hook.shown}", err=True)

    _run(action)

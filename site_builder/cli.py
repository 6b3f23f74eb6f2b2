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
from .textsafe import printable, printable_json

EXIT_INTERNAL = 70


def say(text: str, err: bool = False) -> None:
    """Print one line. Every line the CLI writes goes through here (JSON aside), so plan text,
    file names and server answers in it print inert: control characters, bidi overrides and
    line breaks inside it are shown escaped (textsafe.printable)."""
    click.echo(printable(text), err=err)


def _today(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
    except ValueError:
        raise click.BadParameter(f"`{printable(value)}` is not a date written YYYY-MM-DD") \
            from None
    from .plans.schema import date_range_problem  # late: keeps `--help` fast

    problem = date_range_problem(date)
    if problem:
        raise click.BadParameter(problem)
    return date


def _bad_date(value):
    raise ValueError(value)


def _shard(value: str | None) -> tuple[int, int] | None:
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
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.description}", markup=False),
                            transient=True, console=None)
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
    "--plans", type=click.Path(path_type=Path, file_okay=False), default=Path("plans"),
    show_default=True, help="The plans folder (one sub-folder per client).")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
settings_option = click.option(
    "--settings", type=click.Path(path_type=Path, dir_okay=False), default=None,
    metavar="FILE", help="The agency's settings (default: site-builder.yml in the folder "
                         "holding the plans folder).")


def _report(diagnostics) -> None:
    for d in diagnostics:
        say(d.format(), err=True)


def _run(action) -> None:
    """Run a command body; map our exceptions to exit codes, never show a traceback."""
    try:
        action()
    except PlanError as exc:
        _report(exc.diagnostics)
        errors = sum(1 for d in exc.diagnostics if d.is_error)
        warnings = len(exc.diagnostics) - errors
        say(f"site-builder: {errors} error(s), {warnings} warning(s); nothing was written",
            err=True)
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
        say(f"site-builder: internal error: {type(exc).__name__}: {exc} "
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
@settings_option
def build(plans, out, clients, today, strict, jobs, changed_since, shard, team,
          settings) -> None:
    """Build every client's status site into OUT/<client>/."""
    from .build import BuildOptions
    from .build import build as run_build

    def action():
        options = BuildOptions(plans=plans, out=out, clients=tuple(clients), today=today,
                               strict=strict, jobs=jobs, changed_since=changed_since,
                               shard=shard, team=team, settings=settings)
        with Progress() as progress:
            report = run_build(options, progress=progress.advance)
        _report(report.warnings)
        for site in report.sites:
            say(f"{site.slug}: {site.path / 'index.html'}")
            for warning in site.warnings:
                say(f"{site.slug}: warning: {warning}", err=True)
        if not report.sites and (changed_since or shard):
            say("nothing to build: no selected client changed")
        else:
            say(f"built {len(report.sites)} site(s) in {out}/")

    _run(action)


@main.command()
@plans_option
@strict_option
@settings_option
def check(plans, strict, settings) -> None:
    """Validate the plans; report every problem as PATH:LINE: error: MESSAGE."""
    from .build import validate

    def action():
        checked = validate(plans, strict=strict, settings=settings)
        loaded, diags = checked.plans, checked.diagnostics
        _report(diags.warnings)
        projects = sum(len(c.projects) for c in loaded.clients)
        say(f"ok: {len(loaded.clients)} client(s), {projects} project(s), "
            f"{len(diags.warnings)} warning(s)")

    _run(action)


@main.command()
@plans_option
@click.option("--today", callback=_today, metavar="YYYY-MM-DD",
              help="Compute statuses as of this date.")
@click.option("--format", "form", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="table: for people; json: a list of status.json "
                                      "documents; csv: one row per milestone.")
@click.argument("client", required=False)
def status(plans, today, form, client) -> None:
    """Print each project's status (all clients, or one): a table, JSON or CSV."""
    from .authoring import export
    from .terminal import print_status

    def action():
        states = export.client_states(plans, client, today)
        if form == "table":
            print_status(states)
        else:
            text = export.status_json(states) if form == "json" else export.status_csv(states)
            click.echo(text, nl=form == "json")

    _run(action)


@main.command()
@plans_option
@click.option("--format", "form", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@click.option("--from", "start", callback=_today, metavar="YYYY-MM-DD",
              help="First day: the approval date of invoiced rows, the due date of the others.")
@click.option("--to", "end", callback=_today, metavar="YYYY-MM-DD", help="Last day (inclusive).")
@click.argument("client", required=False)
def invoices(plans, form, start, end, client) -> None:
    """One row per milestone with an invoice amount: invoiced (approved) or still to invoice."""
    from .authoring import export

    def action():
        if start and end and start > end:
            raise UsageError("--from is after --to")
        rows = export.invoice_rows(export.client_states(plans, client), start, end)
        if form == "json":
            click.echo(export.invoices_json(rows))
        else:
            click.echo(export.invoices_csv(rows), nl=False)

    _run(action)


@main.group("export")
def export_group() -> None:
    """Write a plan in another tool's format on standard output."""


@export_group.command("jira")
@plans_option
@click.argument("target", metavar="CLIENT/PROJECT")
def export_jira(plans, target) -> None:
    """The project's milestones as epics for Jira's CSV importer: `> plan.csv`."""
    from .authoring import export

    def action():
        click.echo(export.jira_csv(plans, target), nl=False)

    _run(action)


@main.command("import")
@plans_option
@click.argument("kind", type=click.Choice(["github", "gitlab", "jira", "csv"]))
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--into", "target", required=True, metavar="CLIENT/PROJECT",
              help="The project to write or merge into (a new one is created).")
@click.option("--dry-run", is_flag=True, help="Print the change as a unified diff; write nothing.")
@click.option("--jira-milestones", type=click.Choice(["epics", "versions"]), default="epics",
              show_default=True, help="jira: epics, or fix versions (due: their latest issue).")
@click.option("--repo", metavar="OWNER/NAME", help="github: fetch this repository's milestones "
                                                   "instead of reading FILE.")
@click.option("--token-env", metavar="NAME",
              help="With --repo: environment variable holding a GitHub token.")
@click.option("--title", help="A new project's title (default: from its slug).")
def import_command(plans, kind, file, target, dry_run, jira_milestones, repo, token_env,
                   title) -> None:
    """Milestones from GitHub or GitLab (API JSON), Jira (issue CSV export) or a CSV file
    (id,title,due,owner,invoice,phase,delivered) into CLIENT/PROJECT/plan.yml. Matches by
    tracker reference, then id; changes only titles and due dates of existing milestones."""
    from .authoring.importers import ImportRequest, run_import

    def action():
        token = None
        if token_env:
            if repo is None:
                raise UsageError("--token-env goes with --repo")
            token = os.environ.get(token_env)
            if not token:
                raise UsageError(f"environment variable {token_env} is not set")
        done = run_import(ImportRequest(plans=plans, kind=kind, target=target, file=file,
                                        dry_run=dry_run, jira_milestones=jira_milestones,
                                        repo=repo, token=token, title=title))
        _report(done.warnings)
        if dry_run:
            for line in done.diff:
                say(line)
        shown = os.path.relpath(done.path)
        counts = (f"{len(done.added)} added, {len(done.updated)} updated, "
                  f"{len(done.unchanged)} unchanged")
        if dry_run:
            say(f"dry run: {shown} not written ({counts})", err=True)
        elif done.written:
            say(f"{'wrote' if done.created else 'updated'} {shown}: {counts}")
        else:
            say(f"{shown}: already up to date ({counts})")

    _run(action)


@main.command()
@plans_option
@click.option("--today", callback=_today, metavar="YYYY-MM-DD",
              help="Compute statuses as of this date.")
@click.option("--dev-addr", metavar="HOST:PORT", default=None,
              help="Address to serve on (default 127.0.0.1:8000).")
@settings_option
@click.argument("client")
def serve(plans, today, dev_addr, settings, client) -> None:
    """Live preview of one client's site; rebuilds when its files change."""
    from .build import base_config_for, config_layer, prepare_for_preview
    from .engines.mkdocs import serve as run_serve

    def action():
        fixed = today.isoformat() if today else None
        preview = prepare_for_preview(plans, client, fixed, settings)  # unknown client: exit 2
        run_serve(preview.bundle, base_config_for(plans), plans, fixed, dev_addr, settings,
                  config_layer(plans))

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
    from .access import modes as access
    from .plans.load import load_plans

    def action():
        loaded, diags = load_plans(plans)
        if diags.errors:
            raise PlanError(diags.errors)
        secret = access.link_secret() if any(c.access.mode == "link"
                                             for c in loaded.clients) else None
        base = base_url.rstrip("/") + "/" if base_url else ""
        for client in loaded.clients:
            path = access.site_path(client, secret)
            say(f"{client.slug}: {base}{path}/ ({client.access.mode})")

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
@click.option("--target", metavar="HOST", default="static", show_default=True,
              help="The host www/ goes to: static (GitHub/GitLab/Cloudflare Pages, any plain "
                   "host), nginx (with access/nginx.conf), netlify-pro (Basic-Auth in "
                   "_headers), external-login (a login you set up per client path). Clients "
                   "whose access mode the host cannot enforce are left out (exit 1).")
def publish(plans, out, to, base_path, htpasswd_dir, target) -> None:
    """Lay the built sites out as the host must serve them: secret paths, robots.txt,
    _headers, and nginx access files (docs/hosting/publish.md)."""
    from .access.publish import PublishOptions
    from .access.publish import publish as run_publish

    def action():
        report = run_publish(PublishOptions(to=to, out=out, plans=plans, base_path=base_path,
                                            htpasswd_dir=htpasswd_dir, target=target))
        for site in report.sites:
            # Never print a link-mode path: CI logs are often readable by more people.
            shown = "secret path, see `site-builder links`" if site.mode == "link" \
                else site.path
            say(f"{site.slug}: {site.mode} ({shown})")
        for note in report.notes:
            say(f"note: {note}", err=True)
        say(f"published {len(report.sites)} site(s): deploy {report.www}/; keep "
            f"{report.access}/ off the web")
        if report.left_out:
            _report(report.left_out)
            say(f"site-builder: {len(report.left_out)} client(s) left out: the host "
                f"cannot protect them; do not deploy until this is fixed", err=True)
            sys.exit(1)

    _run(action)


@main.command()
@click.option("--password-env", metavar="NAME",
              help="Environment variable holding the password (default: ask on the terminal).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write the plaintext here instead of standard output.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
def decrypt(password_env, output, file) -> None:
    """Decrypt a file of a password-protected site: status.json, a page or a document."""
    from .access.password import decrypt as run_decrypt

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
@click.argument("kind", required=False,
                type=click.Choice(["client", "plan", "approval", "agency"]))
@click.option("--write", "write", is_flag=True,
              help="Write all four schemas into --out (and, run from a source checkout, into "
                   "the package's site_builder/authoring/schemas/).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("schemas"),
              show_default=True, help="Folder for --write.")
def schema(kind, write, out) -> None:
    """Print the JSON Schema of client.yml, plan.yml, approval front matter or the agency's
    site-builder.yml."""
    from .authoring import schema_export

    def action():
        if write == (kind is not None):
            raise UsageError("name one schema to print (client, plan, approval or agency), or "
                             "use --write to write all of them")
        if kind is not None:
            click.echo(schema_export.render(kind), nl=False)
            return
        folders = [out]
        package = schema_export.source_checkout_dir()
        if package is not None and package.resolve() != out.resolve():
            folders.append(package)
        for folder in folders:
            for path in schema_export.write(folder):
                say(f"wrote {os.path.relpath(path)}")

    _run(action)


@main.command("init")
@click.option("--ci", type=click.Choice(["github", "gitlab"]), default="github", show_default=True,
              help="The CI to write: GitHub Actions (+ Pages) or GitLab CI (+ Pages).")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
                required=False)
def init_command(ci, directory) -> None:
    """Set up a plans repository in DIRECTORY (default: here); never overwrites a file."""
    from .authoring.init import init as run
    from .authoring.init import next_steps

    def action():
        report = run(directory, ci)
        for path in report.written:
            say(f"wrote {os.path.relpath(report.root / path)}")
        for path in report.skipped:
            say(f"skipped {os.path.relpath(report.root / path)}: it exists (not overwritten)")
        if report.clients:
            say(f"plans/ has {len(report.clients)} client(s) already: no example client written")
        if not report.in_git:
            say(f"site-builder: warning: {report.root} is not in a git repository; site-builder "
                "reads the plans' history from git: run `git init` there", err=True)
        say(f"{len(report.written)} file(s) written, {len(report.skipped)} left as they were")
        for line in next_steps(report):
            say(line)

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
    from .authoring.scaffold import new_client as run

    def action():
        written = run(plans, slug, name)
        for path in written.schemas:
            say(f"wrote {os.path.relpath(path)} (editor schema)")
        say(f"wrote {os.path.relpath(written.path)}")
        say(f"next: site-builder new project {slug}/PROJECT --template "
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
    from .authoring.scaffold import new_project as run

    def action():
        written = run(plans, target, template, title=title, start=start, currency=currency)
        for path in written.schemas:
            say(f"wrote {os.path.relpath(path)} (editor schema)")
        say(f"wrote {os.path.relpath(written.path)}: {written.milestones} milestones, "
            f"due {written.first_due} to {written.last_due}")
        say("next: put names in place of the owner roles, adjust the dates, then run "
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
    from .authoring.approve import ApprovalRequest
    from .authoring.approve import approve as run

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
                            deliverables=tuple(deliverables)), say=say)

    _run(action)


@main.group()
def signers() -> None:
    """Manage who may sign approvals (client.yml `signers:`)."""


@signers.command("add")
@plans_option
@click.option("--name", required=True, help="The signer's name.")
@click.option("--email", required=True, help="The signer's email (the `by:` of their notes).")
@click.option("--valid-after", callback=_today, metavar="YYYY-MM-DD",
              help="The key signs only notes dated on or after this day.")
@click.argument("client")
@click.argument("key_line", metavar='"KEY LINE"')
def signers_add(plans, name, email, valid_after, client, key_line) -> None:
    """Add a public key (as a status page shows it) to CLIENT's client.yml, keeping the
    file's comments and layout."""
    from .authoring.signers import add_signer

    def action():
        added = add_signer(plans, client, key_line, name, email, valid_after)
        what = "new signer" if added.new_signer else f"now {added.keys} keys"
        say(f"added the key for {added.email} to {os.path.relpath(added.path)} ({what})")

    _run(action)


@main.command()
@plans_option
@click.argument("file", metavar="FILE")
def receive(plans, file) -> None:
    """File a decision signed on a client's status page: FILE is the downloaded file or a
    saved e-mail (.eml); `-` reads pasted text from standard input."""
    from .authoring.receive import ReceiveError, read_input
    from .authoring.receive import receive as run

    def action():
        try:
            source, data = read_input(file)
            got = run(source, data, plans)
        except ReceiveError as exc:
            say(f"receive: error: {exc}", err=True)
            sys.exit(1)
        if got.renamed_from:
            say(f"note: {got.renamed_from} exists; this decision gets the next free name")
        say(f"wrote {os.path.relpath(got.note)} and {got.signature.name}: {got.decision} "
            f"`{got.milestone}` by {got.by_name}, signature verified")
        say(f"next: git add {os.path.relpath(got.note)} {os.path.relpath(got.signature)} "
            "&& git commit")

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
    from .authoring.approve import summary
    from .authoring.approve import verify as run
    from .plans import signatures

    def action():
        results, diags = run(paths, plans)
        for result in results:
            shown = os.path.relpath(result.path)
            by = f"  {result.by_name}" if result.by_name else ""
            counts = "" if result.counts else "  (does not count: signatures required)"
            say(f"{result.state or 'unreadable':<15} {shown}{by}{counts}")
        _report(diags.items)
        say(summary(results))
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
              help="POST each record as JSON to URL (10 s per request, 60 s per run, "
                   "retried with backoff or as Retry-After asks).")
@click.option("--webhook-secret-env", metavar="NAME",
              help="Sign each POST with the secret in environment variable NAME "
                   "(X-Site-Builder-Signature: sha256=HMAC of the body).")
@click.option("--format", "fmt", type=click.Choice(["json", "slack", "teams", "google-chat"]),
              help="Payload shape for --webhook or stdout: json (the records), or one "
                   "incoming-webhook message per record for Slack, Microsoft Teams or Google "
                   "Chat, in the client's language.")
@click.option("--email", "as_email", is_flag=True,
              help="Also write an e-mail digest per recipient (--email-team and signers with "
                   "`notify: [email]`); sent when SITE_BUILDER_SMTP_URL is set.")
@click.option("--email-team", metavar="ADDRESS", help="With --email: the team's address "
              "(gets every event).")
@click.option("--email-out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="With --email: write the messages as DIR/*.eml.")
def events_command(plans, since, until, due_within, today, as_json, webhook,
                   webhook_secret_env, fmt, as_email, email_team, email_out) -> None:
    """Events for CI: what changed between two revisions (--since), or what is due soon
    (--due-within). Exit 1 when a webhook delivery fails."""
    import json

    from .events import changes as ev

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
        if (email_team is not None or email_out is not None) and not as_email:
            raise UsageError("events: --email-team and --email-out go with --email")
        if as_json and fmt not in (None, "json"):
            raise UsageError("events: --json is --format json")
        hook = ev.webhook(webhook, webhook_secret_env) if webhook is not None else None
        mail = _email_setup(email_team, email_out) if as_email else None
        if since is not None:
            changes = ev.change_events(plans, since, until or "HEAD")
            _report(changes.warnings)
            records, line = changes.records, ev.change_line
            empty = f"no events between {changes.since.short} and {changes.until.short}"
        else:
            records, line = ev.due_records(plans, due_within, today), ev.due_line
            empty = f"nothing due within {due_within} day(s) or overdue"
        clients = {}
        if records and (fmt not in (None, "json") or mail is not None):
            from .events import notify

            clients = notify.clients_of(plans, (r["client"]["slug"] for r in records))
        payloads = None
        if fmt not in (None, "json"):
            from .events import notify

            payloads = notify.payloads(records, fmt, clients)
        if as_json or (fmt is not None and hook is None):
            shown = payloads if payloads is not None else records
            click.echo(printable_json(json.dumps(shown, indent=2, ensure_ascii=False)))
        else:
            for record in records:
                say(line(record))
        if not records:
            say(empty, err=True)
        failed = None
        if hook is not None and records:
            try:
                sent = ev.deliver(hook, records, payloads=payloads)
                say(f"posted {sent} event(s) to {hook.shown}", err=True)
            except ev.WebhookError as exc:
                failed = exc
        if mail is not None and records:
            _email_digests(mail, records, clients)
        if failed is not None:
            raise failed

    _run(action)


def _email_setup(team, out):
    """The checked e-mail settings of `events --email`: (team, out folder, sender, SMTP)."""
    from .events import digest

    server = digest.smtp_settings()
    if out is None and server is None:
        raise UsageError(f"events --email: give --email-out DIR or set {digest.URL_ENV}")
    return team, out, digest.sender(team), server


def _email_digests(mail, records, clients) -> None:
    from .events import digest

    team, out, sender, server = mail
    messages = digest.digests(records, clients, team, sender,
                              dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    if out is not None:
        for path in digest.write(messages, out):
            say(f"wrote {path}", err=True)
    if server is not None:
        problems = digest.send(server, messages)
        for problem in problems:
            say(problem, err=True)
        if problems:
            raise SiteBuilderError(f"the e-mail digests were not all sent ({len(problems)} "
                                   "problem(s) above)")
        say(f"sent {len(messages)} e-mail digest(s) through {server.shown}", err=True)

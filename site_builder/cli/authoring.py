"""The authoring commands: invoices, export, import, schema, init, new, approve, signers,
receive, verify."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from .shared import (
    parse_date,
    plans_option,
    say,
    show_diagnostics,
)


@click.command()
@plans_option
@click.option(
    "--format", "form", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--from",
    "start",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="First day: the approval date of invoiced rows, the due date of the others.",
)
@click.option(
    "--to", "end", callback=parse_date, metavar="YYYY-MM-DD", help="Last day (inclusive)."
)
@click.argument("client", required=False)
def invoices(plans, form, start, end, client) -> None:
    """One row per milestone with an invoice amount: invoiced (approved) or still to invoice."""
    from ..authoring import export

    if start and end and start > end:
        raise UsageError("--from is after --to")
    rows = export.invoice_rows(export.client_states(plans, client), start, end)
    if form == "json":
        click.echo(export.invoices_json(rows))
    else:
        click.echo(export.invoices_csv(rows), nl=False)


@click.group("export")
def export_group() -> None:
    """Write a plan in another tool's format on standard output."""


@export_group.command("jira")
@plans_option
@click.argument("target", metavar="CLIENT/PROJECT")
def export_jira(plans, target) -> None:
    """The project's milestones as epics for Jira's CSV importer: `> plan.csv`."""
    from ..authoring import export

    click.echo(export.jira_csv(plans, target), nl=False)


@click.command("import")
@plans_option
@click.argument("kind", type=click.Choice(["github", "gitlab", "jira", "csv"]))
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into",
    "target",
    required=True,
    metavar="CLIENT/PROJECT",
    help="The project to write or merge into (a new one is created).",
)
@click.option("--dry-run", is_flag=True, help="Print the change as a unified diff; write nothing.")
@click.option(
    "--jira-milestones",
    type=click.Choice(["epics", "versions"]),
    default="epics",
    show_default=True,
    help="jira: epics, or fix versions (due: their latest issue).",
)
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    help="github: fetch this repository's milestones instead of reading FILE.",
)
@click.option(
    "--token-env", metavar="NAME", help="With --repo: environment variable holding a GitHub token."
)
@click.option("--title", help="A new project's title (default: from its slug).")
def import_command(
    plans, kind, file, target, dry_run, jira_milestones, repo, token_env, title
) -> None:
    """Milestones from GitHub or GitLab (API JSON), Jira (issue CSV export) or a CSV file
    (id,title,due,owner,invoice,phase,delivered) into CLIENT/PROJECT/plan.yml. Matches by
    tracker reference, then id; changes only titles and due dates of existing milestones."""
    from ..authoring.importers import ImportRequest, run_import

    token = None
    if token_env:
        if repo is None:
            raise UsageError("--token-env goes with --repo")
        token = os.environ.get(token_env)
        if not token:
            raise UsageError(f"environment variable {token_env} is not set")
    done = run_import(
        ImportRequest(
            plans=plans,
            kind=kind,
            target=target,
            file=file,
            dry_run=dry_run,
            jira_milestones=jira_milestones,
            repo=repo,
            token=token,
            title=title,
        )
    )
    show_diagnostics(done.warnings)
    if dry_run:
        for line in done.diff:
            say(line)
    shown = os.path.relpath(done.path)
    counts = (
        f"{len(done.added)} added, {len(done.updated)} updated, {len(done.unchanged)} unchanged"
    )
    if dry_run:
        say(f"dry run: {shown} not written ({counts})", err=True)
    elif done.written:
        say(f"{'wrote' if done.created else 'updated'} {shown}: {counts}")
    else:
        say(f"{shown}: already up to date ({counts})")


@click.command()
@click.argument("kind", required=False, type=click.Choice(["client", "plan", "approval", "agency"]))
@click.option(
    "--write",
    "write",
    is_flag=True,
    help="Write all four schemas into --out (and, run from a source checkout, into "
    "the package's site_builder/authoring/schemas/).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("schemas"),
    show_default=True,
    help="Folder for --write.",
)
def schema(kind, write, out) -> None:
    """Print the JSON Schema of client.yml, plan.yml, approval front matter or the agency's
    site-builder.yml."""
    from ..authoring import schema_export

    if write == (kind is not None):
        raise UsageError(
            "name one schema to print (client, plan, approval or agency), or "
            "use --write to write all of them"
        )
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


@click.command("init")
@click.option(
    "--ci",
    type=click.Choice(["github", "gitlab"]),
    default="github",
    show_default=True,
    help="The CI to write: GitHub Actions (+ Pages) or GitLab CI (+ Pages).",
)
@click.argument(
    "directory", type=click.Path(path_type=Path, file_okay=False), default=Path("."), required=False
)
def init_command(ci, directory) -> None:
    """Set up a plans repository in DIRECTORY (default: here); never overwrites a file."""
    from ..authoring.init import init as run
    from ..authoring.init import next_steps

    report = run(directory, ci)
    for path in report.written:
        say(f"wrote {os.path.relpath(report.root / path)}")
    for path in report.skipped:
        say(f"skipped {os.path.relpath(report.root / path)}: it exists (not overwritten)")
    if report.clients:
        say(f"plans/ has {len(report.clients)} client(s) already: no example client written")
    if not report.in_git:
        say(
            f"site-builder: warning: {report.root} is not in a git repository; site-builder "
            "reads the plans' history from git: run `git init` there",
            err=True,
        )
    say(f"{len(report.written)} file(s) written, {len(report.skipped)} left as they were")
    for line in next_steps(report):
        say(line)


@click.group()
def new() -> None:
    """Start a client or a project from a template (never overwrites)."""


@new.command("client")
@plans_option
@click.option("--name", required=True, help="The client's name (the site title).")
@click.argument("slug")
def new_client(plans, name, slug) -> None:
    """Write plans/SLUG/client.yml."""
    from ..authoring.scaffold import new_client as run

    written = run(plans, slug, name)
    for path in written.schemas:
        say(f"wrote {os.path.relpath(path)} (editor schema)")
    say(f"wrote {os.path.relpath(written.path)}")
    say(f"next: site-builder new project {slug}/PROJECT --template agency|saas|construction")


@new.command("project")
@plans_option
@click.option(
    "--template",
    required=True,
    type=click.Choice(["agency", "saas", "construction"]),
    help="The kind of engagement: its typical milestones.",
)
@click.option("--title", help="The project's name (default: from the slug).")
@click.option(
    "--start",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="Start date; due dates are spaced from it (default: today).",
)
@click.option(
    "--currency",
    default="USD",
    show_default=True,
    metavar="CODE",
    help="ISO 4217 code of invoice amounts.",
)
@click.argument("target", metavar="CLIENT/SLUG")
def new_project(plans, template, title, start, currency, target) -> None:
    """Write plans/CLIENT/SLUG/plan.yml with the milestones of a template."""
    from ..authoring.scaffold import new_project as run

    written = run(plans, target, template, title=title, start=start, currency=currency)
    for path in written.schemas:
        say(f"wrote {os.path.relpath(path)} (editor schema)")
    say(
        f"wrote {os.path.relpath(written.path)}: {written.milestones} milestones, "
        f"due {written.first_due} to {written.last_due}"
    )
    say(
        "next: put names in place of the owner roles, adjust the dates, then run site-builder check"
    )


@click.command()
@plans_option
@click.option(
    "--by",
    "by",
    required=True,
    metavar='"NAME <EMAIL>"',
    help="Who decided (for a signed note: a signer's email in client.yml).",
)
@click.option(
    "--decision",
    type=click.Choice(["approved", "changes-requested", "rejected"]),
    default="approved",
    show_default=True,
)
@click.option(
    "--date",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="Date of the decision (default: today in the client's time zone).",
)
@click.option(
    "--note-file",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="The client's note (Markdown); `-` reads standard input.",
)
@click.option(
    "--deliverable",
    "deliverables",
    multiple=True,
    metavar="TEXT",
    help="What was reviewed (repeatable).",
)
@click.option(
    "--sign",
    "key",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="KEY",
    help="Sign the note with this SSH private key (ssh-keygen -Y sign) and check "
    "the signature against client.yml.",
)
@click.argument("target", metavar="CLIENT/PROJECT")
@click.argument("milestone")
def approve(plans, by, decision, date, note_file, deliverables, key, target, milestone) -> None:
    """Record a client decision as approvals/DATE-MILESTONE.md (optionally signed)."""
    from ..authoring.approve import ApprovalRequest
    from ..authoring.approve import approve as run

    note = None
    if note_file is not None:
        try:
            with click.open_file(str(note_file), "rb") as handle:
                note = handle.read(1_000_000).decode("utf-8")
        except OSError as exc:
            raise UsageError(
                f"--note-file: cannot read {note_file}: {exc.strerror or exc}"
            ) from None
        except UnicodeDecodeError:
            raise UsageError(f"--note-file: {note_file} is not UTF-8 text") from None
    run(
        ApprovalRequest(
            plans=plans,
            target=target,
            milestone=milestone,
            by=by,
            decision=decision,
            date=date,
            note=note,
            key=key,
            deliverables=tuple(deliverables),
        ),
        say=say,
    )


@click.group()
def signers() -> None:
    """Manage who may sign approvals (client.yml `signers:`)."""


@signers.command("add")
@plans_option
@click.option("--name", required=True, help="The signer's name.")
@click.option("--email", required=True, help="The signer's email (the `by:` of their notes).")
@click.option(
    "--valid-after",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="The key signs only notes dated on or after this day.",
)
@click.argument("client")
@click.argument("key_line", metavar='"KEY LINE"')
def signers_add(plans, name, email, valid_after, client, key_line) -> None:
    """Add a public key (as a status page shows it) to CLIENT's client.yml, keeping the
    file's comments and layout."""
    from ..authoring.signers import add_signer

    added = add_signer(plans, client, key_line, name, email, valid_after)
    what = "new signer" if added.new_signer else f"now {added.keys} keys"
    say(f"added the key for {added.email} to {os.path.relpath(added.path)} ({what})")


@click.command()
@plans_option
@click.argument("file", metavar="FILE")
def receive(plans, file) -> None:
    """File a decision signed on a client's status page: FILE is the downloaded file or a
    saved e-mail (.eml); `-` reads pasted text from standard input."""
    from ..authoring.receive import ReceiveError, read_input
    from ..authoring.receive import receive as run

    try:
        source, data = read_input(file)
        got = run(source, data, plans)
    except ReceiveError as exc:
        say(f"receive: error: {exc}", err=True)
        sys.exit(1)
    if got.renamed_from:
        say(f"note: {got.renamed_from} exists; this decision gets the next free name")
    say(
        f"wrote {os.path.relpath(got.note)} and {got.signature.name}: {got.decision} "
        f"`{got.milestone}` by {got.by_name}, signature verified"
    )
    say(f"next: git add {os.path.relpath(got.note)} {os.path.relpath(got.signature)} && git commit")


@click.command()
@plans_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) unless every note is verified.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
def verify(plans, strict, paths) -> None:
    """List approval notes with their signature state; exit 1 if any is invalid.

    PATH may be a note, its .sig, or a folder (a client, a project, approvals/); default: every
    note in the plans folder.
    """
    from ..authoring.approve import check_verified, summary
    from ..authoring.approve import verify as run

    results, diags = run(paths, plans)
    for result in results:
        shown = os.path.relpath(result.path)
        by = f"  {result.by_name}" if result.by_name else ""
        counts = "" if result.counts else "  (does not count: signatures required)"
        say(f"{result.state or 'unreadable':<15} {shown}{by}{counts}")
    show_diagnostics(diags.items)
    say(summary(results))
    check_verified(results, diags, strict)


COMMANDS = (
    invoices,
    export_group,
    import_command,
    schema,
    init_command,
    new,
    approve,
    signers,
    receive,
    verify,
)

"""`site-builder new client|project`: valid starting files, schema line, never overwriting."""

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import git
from test_schema_export import editor_load, schema_errors

from site_builder.authoring import schema_export
from site_builder.authoring.scaffold_templates import TEMPLATES
from site_builder.cli import main
from site_builder.plans.load import load_plans

MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def schema_of(path: Path) -> Path:
    """The schema file a scaffolded file's first line points the editor at."""
    match = MODELINE.match(path.read_text(encoding="utf-8"))
    assert match, "first line is not a yaml-language-server schema line"
    return (path.parent / match.group(1)).resolve()


def test_new_client_writes_a_valid_client_yml(plans, tmp_path):
    result = cli("new", "client", "acme", "--name", "Acme Widgets")
    assert result.exit_code == 0, result.output
    path = plans / "acme" / "client.yml"
    assert "wrote plans/acme/client.yml" in result.output
    assert "site-builder new project acme/" in result.output
    loaded, diags = load_plans(plans)
    assert not diags.errors
    assert loaded.client("acme").name == "Acme Widgets"
    assert [d.message for d in diags.warnings] == [
        "client has no projects yet (add <project>/plan.yml)"
    ]
    # The repository had no schemas/: they were written, and the first line points at them.
    assert schema_of(path) == tmp_path / "schemas" / "client.schema.json"
    assert schema_of(path).read_text() == schema_export.render("client")
    assert schema_errors("client", editor_load(path.read_text())) == []


def test_new_client_keeps_awkward_names_exact(plans):
    name = 'Smith & Co: "Widgets" #1'
    assert cli("new", "client", "smith", "--name", name).exit_code == 0
    loaded, diags = load_plans(plans)
    assert not diags.errors
    assert loaded.client("smith").name == name


def test_new_client_refuses_to_overwrite(plans):
    assert cli("new", "client", "acme", "--name", "Acme").exit_code == 0
    path = plans / "acme" / "client.yml"
    path.write_text("name: Edited by hand\n")
    result = cli("new", "client", "acme", "--name", "Other")
    assert result.exit_code == 2
    assert "plans/acme/client.yml already exists; not overwriting it" in result.stderr
    assert path.read_text() == "name: Edited by hand\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["new", "client", "Acme Inc", "--name", "Acme"], "client `Acme Inc` is not a slug"),
        (["new", "client", "acme", "--name", "  "], "--name must not be empty"),
        (["new", "client", "acme", "--name", "x" * 201], "`name` is longer than 200 characters"),
    ],
)
def test_new_client_bad_usage(plans, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (plans / "acme").exists()


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_new_project_from_each_template(plans, template):
    assert cli("new", "client", "acme", "--name", "Acme").exit_code == 0
    result = cli(
        "new",
        "project",
        f"acme/{template}-job",
        "--template",
        template,
        "--start",
        "2026-03-04",
        "--title",
        "The job",
    )
    assert result.exit_code == 0, result.output
    path = plans / "acme" / f"{template}-job" / "plan.yml"
    assert f"wrote plans/acme/{template}-job/plan.yml" in result.output

    loaded, diags = load_plans(plans)
    assert not diags.items, [d.format() for d in diags.items]
    project = loaded.client("acme").projects[0]
    assert project.title == "The job"
    assert 5 <= len(project.milestones) <= 7
    dues = [m.due for m in project.milestones]
    assert dues == sorted(dues) and len(set(dues)) == len(dues)
    assert dues[0] > dt.date(2026, 3, 4)
    assert all(d.weekday() < 5 for d in dues)
    for index, milestone in enumerate(project.milestones):
        assert milestone.deliverables and milestone.acceptance and milestone.owner
        assert milestone.depends_on == ((project.milestones[index - 1].id,) if index else ())
    assert schema_of(path).read_text() == schema_export.render("plan")
    assert schema_errors("plan", editor_load(path.read_text())) == []
    assert cli("check").exit_code == 0


def test_new_project_defaults_start_today_and_title_from_slug(plans):
    cli("new", "client", "acme", "--name", "Acme")
    assert cli("new", "project", "acme/website-relaunch", "--template", "agency").exit_code == 0
    loaded, _ = load_plans(plans)
    project = loaded.client("acme").projects[0]
    assert project.title == "Website relaunch"
    assert project.currency == "USD"
    today = dt.date.today()
    assert today < project.milestones[0].due <= today + dt.timedelta(days=10)


def test_new_project_refuses_to_overwrite(plans):
    cli("new", "client", "acme", "--name", "Acme")
    assert cli("new", "project", "acme/web", "--template", "saas").exit_code == 0
    path = plans / "acme" / "web" / "plan.yml"
    before = path.read_bytes()
    result = cli("new", "project", "acme/web", "--template", "agency")
    assert result.exit_code == 2
    assert "plans/acme/web/plan.yml already exists; not overwriting it" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["acme-co/web", "--template", "saas"],
            "client `acme-co` not found in plans/ (did you mean `acme`?); clients: acme",
        ),
        (["web", "--template", "saas"], "expected CLIENT/PROJECT"),
        (["acme/Web Site", "--template", "saas"], "project `Web Site` is not a slug"),
        (
            ["acme/web", "--template", "saas", "--currency", "Euro"],
            "`currency` must be an ISO 4217 currency code",
        ),
        (["acme/web", "--template", "saas", "--start", "1/3/2026"], "YYYY-MM-DD"),
        (["acme/web", "--template", "wedding"], "'wedding' is not one of"),
    ],
)
def test_new_project_bad_usage(plans, args, message):
    cli("new", "client", "acme", "--name", "Acme")
    result = cli("new", "project", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (plans / "acme" / "web").exists()


def test_schema_line_points_into_the_git_repository(tmp_path):
    """In a repository with schemas/ at its root (like this one), nothing else is written."""
    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    git(repo, "init", "-q")
    schema_export.write(repo / "schemas")
    plans = repo / "work" / "plans"
    result = cli("new", "client", "acme", "--name", "Acme", "--plans", str(plans))
    assert result.exit_code == 0, result.output
    assert "editor schema" not in result.output
    client = plans / "acme" / "client.yml"
    assert (
        client.read_text().splitlines()[0]
        == "# yaml-language-server: $schema=../../../schemas/client.schema.json"
    )
    cli("new", "project", "acme/web", "--template", "construction", "--plans", str(plans))
    assert schema_of(plans / "acme" / "web" / "plan.yml") == repo / "schemas" / "plan.schema.json"


def test_new_via_subprocess(tmp_path):
    run = [sys.executable, "-m", "site_builder", "new"]
    done = subprocess.run(
        [*run, "client", "harbor", "--name", "Harbor Homes"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [
            *run,
            "project",
            "harbor/12-elm-street",
            "--template",
            "construction",
            "--start",
            "2026-05-01",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "7 milestones, due 2026-05-15 to 2027-01-08" in done.stdout
    again = subprocess.run(
        [*run, "client", "harbor", "--name", "Harbor"], capture_output=True, text=True
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr and "Traceback" not in again.stderr

"""`site-builder init`: the files an agency's own plans repository starts with, never
overwriting anything that is there."""

import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner
from helpers import git

from site_builder import __version__
from site_builder.authoring import schema_export
from site_builder.authoring.init import TEMPLATES
from site_builder.cli import main
from site_builder.plans import agency
from site_builder.plans.load import load_plans

REPO = Path(__file__).resolve().parent.parent
GITHUB = {".github/workflows/status-sites.yml", ".github/workflows/reminders.yml"}
COMMON = {
    "site-builder.yml",
    "requirements-ci.txt",
    ".pre-commit-config.yaml",
    ".gitignore",
    ".vscode/settings.json",
    ".vscode/extensions.json",
    "plans/example-client/client.yml",
    "plans/example-client/website-relaunch/plan.yml",
    *(f"schemas/{schema_export.file_name(kind)}" for kind in schema_export.KINDS),
}


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def files_under(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def new_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


def test_init_writes_an_agency_repository(tmp_path):
    repo = new_repo(tmp_path / "agency")
    result = cli("init", str(repo))
    assert result.exit_code == 0, result.output
    written = files_under(repo)
    assert set(written) == COMMON | GITHUB
    for path in written:
        assert f"wrote {Path('agency', path)}" in result.output
    assert "warning" not in result.output  # a git repository: no advice to run `git init`
    assert "14 file(s) written, 0 left as they were" in result.output
    for step in (
        "site-builder.yml",
        "site-builder check --strict",
        "git add -A && git commit",
        "SITE_BUILDER_LINK_SECRET",
        "paid plan",
        "pre-commit install",
    ):
        assert step in result.output, step

    # CI installs the release that wrote the files, and pre-commit runs the same one.
    pins = [
        line
        for line in written["requirements-ci.txt"].decode().splitlines()
        if not line.startswith("#")
    ]
    assert pins == [f"site-builder=={__version__}"]
    (hook_repo,) = yaml.safe_load(written[".pre-commit-config.yaml"])["repos"]
    assert hook_repo["rev"] == f"v{__version__}"
    (ours,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hook_repo["hooks"]] == [ours["id"]]
    assert re.search(ours["files"], "site-builder.yml")  # agency settings changes are checked

    # The editor schemas are this release's, and VS Code maps each to files that exist.
    for kind in schema_export.KINDS:
        name = f"schemas/{schema_export.file_name(kind)}"
        assert written[name].decode() == schema_export.render(kind)
    mapping = json.loads(written[".vscode/settings.json"])["yaml.schemas"]
    assert {Path(schema).name for schema in mapping} >= {"client.schema.json", "plan.schema.json"}
    for schema, globs in mapping.items():
        assert (repo / schema).is_file(), schema
        assert any(repo.glob(pattern) for pattern in globs), globs
    assert "redhat.vscode-yaml" in json.loads(written[".vscode/extensions.json"])["recommendations"]
    gitignore = written[".gitignore"].decode().splitlines()
    assert {"/site/", "/_site/", "/public_dir/", "/public/"} <= set(gitignore)


def test_the_example_client_and_settings_pass_check_strict(tmp_path):
    repo = new_repo(tmp_path / "agency")
    assert cli("init", str(repo)).exit_code == 0
    result = cli("check", "--plans", str(repo / "plans"), "--strict")
    assert result.exit_code == 0, result.output
    assert "ok: 1 client(s), 1 project(s), 0 warning(s)" in result.output
    loaded, diags = load_plans(repo / "plans")
    assert not diags.errors and loaded.client("example-client").name == "Example Client"
    settings, diags = agency.load_settings(repo / "plans")
    assert not diags.errors and not diags.warnings
    assert settings.path == (repo / "site-builder.yml").resolve()
    assert (settings.name, settings.copyright) == ("Your Agency", "© Your Agency")
    # The commented-out fields are valid as they stand once uncommented.
    text = (repo / "site-builder.yml").read_text()
    uncommented = re.sub(r"(?m)^# (colors:|  primary:|  accent:|logo:|languages:)", r"\1", text)
    assert uncommented.count("\n# ") < text.count("\n# ") - 4
    (repo / "branding").mkdir()
    (repo / "branding" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" '
        'height="1"/></svg>'
    )
    (repo / "site-builder.yml").write_text(uncommented)
    settings, diags = agency.load_settings(repo / "plans")
    assert not diags.errors, [d.format() for d in diags]
    assert (settings.primary_color, settings.languages) == ("indigo", ("en",))
    assert settings.logo is not None
    # Each scaffolded file's first line finds its schema without the VS Code settings too.
    for path in ("site-builder.yml", "plans/example-client/client.yml"):
        first = (repo / path).read_text().splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert (repo / path).parent.joinpath(target).is_file(), first


def test_init_never_overwrites(tmp_path):
    repo = new_repo(tmp_path / "agency")
    assert cli("init", str(repo)).exit_code == 0
    (repo / "site-builder.yml").write_text("name: Ours\n")
    (repo / ".github" / "workflows" / "reminders.yml").unlink()
    before = files_under(repo)
    result = cli("init", str(repo))
    assert result.exit_code == 0, result.output
    after = files_under(repo)
    assert after.pop(".github/workflows/reminders.yml")  # the one missing file comes back
    assert after == before
    assert "1 file(s) written, 11 left as they were" in result.output
    assert "skipped agency/site-builder.yml: it exists (not overwritten)" in result.output
    assert "plans/ has 1 client(s) already: no example client written" in result.output
    result = cli("init", str(repo))
    assert "wrote" not in result.output and "0 file(s) written" in result.output


def test_init_adds_no_example_to_a_repository_with_clients(tmp_path):
    repo = new_repo(tmp_path / "agency")
    assert (
        cli("new", "client", "acme", "--name", "Acme", "--plans", str(repo / "plans")).exit_code
        == 0
    )
    result = cli("init", str(repo))
    assert result.exit_code == 0, result.output
    assert not (repo / "plans" / "example-client").exists()
    assert sorted(p.name for p in (repo / "plans").iterdir()) == ["acme"]
    assert "plans/ has 1 client(s) already" in result.output


def test_init_leaves_paths_in_the_way_alone(tmp_path):
    """A file where a folder would go, a symlink (even a dangling one) where a file would go
    and a symlinked folder that leads out of the repository are all left alone."""
    repo = new_repo(tmp_path / "agency")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo / ".vscode").write_text("not a folder")
    (repo / ".github").symlink_to(outside, target_is_directory=True)
    (repo / ".gitignore").symlink_to(outside / "gitignore-target")
    (repo / "plans").write_text("not a folder either")
    result = cli("init", str(repo))
    assert result.exit_code == 0, result.output
    assert list(outside.iterdir()) == []  # nothing written through the links
    assert (repo / ".vscode").read_text() == "not a folder"
    for path in (
        ".vscode/settings.json",
        ".vscode/extensions.json",
        ".gitignore",
        "plans/example-client/client.yml",
        *sorted(GITHUB),
    ):
        assert f"skipped {Path('agency', path)}: it exists" in result.output, path
    assert (repo / "site-builder.yml").is_file()


def test_init_gitlab(tmp_path):
    repo = new_repo(tmp_path / "agency")
    result = cli("init", "--ci", "gitlab", str(repo))
    assert result.exit_code == 0, result.output
    assert set(files_under(repo)) == COMMON | {".gitlab-ci.yml"}
    ci = yaml.safe_load((repo / ".gitlab-ci.yml").read_text())
    assert (
        "python -m pip install --quiet -r requirements-ci.txt" in ci["default"]["before_script"][1]
    )
    assert ci["default"]["cache"]["key"]["files"] == ["requirements-ci.txt"]
    assert "site-builder check --strict" in ci["check"]["script"]
    assert "Pipeline schedules" in result.output and "Pages -> Source" not in result.output


def test_init_in_a_plain_folder_advises_git_init(tmp_path):
    result = CliRunner().invoke(main, ["init", "fresh"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "warning: fresh is not in a git repository" in result.stderr
    assert "run `git init` there" in result.stderr
    assert "git init; git add -A && git commit" in result.stdout
    assert (tmp_path / "fresh" / "plans" / "example-client" / "client.yml").is_file()


def test_init_refuses_a_file_and_an_unknown_ci(tmp_path):
    (tmp_path / "file").write_text("x")
    result = cli("init", "file")
    assert result.exit_code == 2 and "file" in result.output
    result = cli("init", "--ci", "jenkins")
    assert result.exit_code == 2 and not (tmp_path / "plans").exists()


def test_templates_name_no_demo_agency_or_checkout_install():
    for path in TEMPLATES.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "Northstar" not in text and "NORTHWIND" not in text, path
            assert "pip install ." not in text, path


def test_docs_name_this_release():
    """A version bump updates the changelog and the pins the docs tell agencies to use."""
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert re.search(rf"(?m)^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog)
    assert f"[{__version__}]: https://github.com/site-builder/site-builder/" in changelog
    readme = "\n".join(p.read_text() for p in sorted((REPO / "docs").rglob("*.md")))
    assert f"pip install site-builder=={__version__}" in readme
    assert f"rev: v{__version__} " in readme
    assert not re.search(r"rev: v(?!" + re.escape(__version__) + r" )\d", readme)

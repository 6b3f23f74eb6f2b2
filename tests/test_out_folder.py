"""The output can never overwrite the input: `build --out` and `publish --to` refuse a folder
that is, contains or lies inside the plans, the theme or .git, or that is the current folder;
and a site never writes outside its own folder."""

import dataclasses
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import approval, commit_all, make_client, write

from site_builder import build as build_module
from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.errors import BuildError
from site_builder.site.render import SiteFile

REPO = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, str]:
    """Every file (and folder) under `folder`, with a hash of each file's bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def repo(tmp_path, plans):
    """A plans repository with its own mkdocs.yml and theme/ beside plans/, and an approval
    note that is not committed yet."""
    make_client(plans)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    commit_all(tmp_path, "plans", "2026-01-05")
    write(
        plans / "acme" / "web" / "approvals" / "2026-01-09-kickoff.md",
        approval("kickoff", "2026-01-09"),
    )
    return tmp_path


def cli(*args):
    return CliRunner().invoke(
        main, list(args), catch_exceptions=False, env={"SITE_BUILDER_LINK_SECRET": "s" * 32}
    )


UNSAFE = [
    ("plans", "is the plans folder"),
    ("plans/", "is the plans folder"),
    ("plans/acme", "lies inside the plans folder"),
    ("plans/acme/web/new", "lies inside the plans folder"),
    ("plans/../plans", "is the plans folder"),
    (".", "contains the plans folder"),
    ("..", "contains the plans folder"),
    ("theme", "is the theme folder"),
    ("theme/overrides", "lies inside the theme folder"),
    ("theme/new", "lies inside the theme folder"),
    (".git", "is the git folder of the plans"),
    (".git/objects/site", "lies inside the git folder of the plans"),
    ("link-to-plans", "is the plans folder"),
    ("link-to-plans/acme", "lies inside the plans folder"),
    ("link-to-repo/plans/acme", "lies inside the plans folder"),
]


@pytest.mark.parametrize("out, relation", UNSAFE)
def test_build_refuses_an_output_folder_that_would_overwrite_an_input(repo, out, relation):
    (repo / "link-to-plans").symlink_to(repo / "plans")
    (repo / "link-to-repo").symlink_to(repo)
    before = snapshot(repo)
    result = cli("build", "--plans", "plans", "--out", out, "--today", "2026-02-01", "-j", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"site-builder: error: --out {out.rstrip('/')} {relation} ")
    assert "would overwrite it" in result.stderr
    assert snapshot(repo) == before  # the uncommitted note too; nothing created


def test_the_current_folder_is_never_the_output(repo, monkeypatch):
    (repo / "work").mkdir()
    monkeypatch.chdir(repo / "work")
    before = snapshot(repo)
    result = cli("build", "--plans", "../plans", "--out", ".", "--today", "2026-02-01")
    assert result.exit_code == 2
    assert "--out . is the current folder" in result.stderr
    assert snapshot(repo) == before


def test_a_git_worktree_protects_both_git_folders(repo):
    """In a linked worktree .git is a file; the repository's own git folder is protected."""
    from helpers import git

    worktree = repo / "wt"
    git(repo, "worktree", "add", "-q", str(worktree))
    before = snapshot(repo)
    result = cli(
        "build",
        "--plans",
        str(worktree / "plans"),
        "--out",
        str(repo / ".git" / "site"),
        "--today",
        "2026-02-01",
    )
    assert result.exit_code == 2
    assert "lies inside the git folder of the plans" in result.stderr
    assert snapshot(repo) == before


def test_an_ordinary_output_folder_inside_the_repository_is_fine(repo):
    result = cli("build", "--plans", "plans", "--out", "site", "--today", "2026-02-01", "-j", "1")
    assert result.exit_code == 0, result.output
    assert (repo / "site" / "acme" / "index.html").is_file()
    assert (repo / "plans" / "acme" / "web" / "approvals" / "2026-01-09-kickoff.md").is_file()


@pytest.mark.parametrize(
    "to, relation",
    [
        ("plans/pub", "lies inside the plans folder"),
        ("theme", "is the theme folder"),
        ("link-to-plans", "is the plans folder"),
        (".git/pub", "lies inside the git folder of the plans"),
    ],
)
def test_publish_refuses_the_same_folders(repo, to, relation):
    (repo / "link-to-plans").symlink_to(repo / "plans")
    assert (
        cli(
            "build", "--plans", "plans", "--out", "site", "--today", "2026-02-01", "-j", "1"
        ).exit_code
        == 0
    )
    before = snapshot(repo)
    result = cli("publish", "--plans", "plans", "--out", "site", "--to", to)
    assert result.exit_code == 2, result.output
    assert f"--to {to} {relation}" in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    "path",
    [
        "/ABSOLUTE/escape.txt",
        "../../escape.txt",
        "projects/..\\..\\..\\escape.txt",
        "c:/escape.txt",
    ],
)
def test_a_site_never_writes_outside_its_folder(plans, tmp_path, monkeypatch, path):
    """Loading refuses such paths in plans; the writer refuses them on its own as well."""
    make_client(plans)
    path = path.replace("/ABSOLUTE", str(tmp_path))
    real = build_module.render_site

    def with_escape(*args, **kwargs):
        bundle = real(*args, **kwargs)
        return dataclasses.replace(bundle, files=bundle.files + (SiteFile(path, b"x"),))

    monkeypatch.setattr(build_module, "render_site", with_escape)
    with pytest.raises(BuildError, match="not a path inside the site folder"):
        build(BuildOptions(plans=plans, out=tmp_path / "out", today=dt.date(2026, 2, 1), jobs=1))
    assert not list(tmp_path.rglob("escape.txt"))

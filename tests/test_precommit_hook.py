"""The pre-commit hook other repositories use: `site-builder check` on plan changes."""

import re
from pathlib import Path

import yaml

from site_builder.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_hook_runs_site_builder_check_on_plan_changes():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "site-builder-check"
    assert hook["entry"] == "site-builder check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    command = hook["entry"].split()
    assert command[0] in (REPO / "pyproject.toml").read_text()  # the console script
    assert command[1] in main.commands
    files = re.compile(hook["files"])
    for path in (
        "plans/fable/client.yml",
        "plans/fable/web/approvals/n.md",
        "mkdocs.yml",
        "theme/overrides/main.html",
    ):
        assert files.search(path), path
    for path in ("README.md", "site_builder/cli.py", "docs/plans/x.md", "mkdocs.yml.bak"):
        assert not files.search(path), path


def test_readme_documents_the_hook_and_the_new_commands():
    readme = "\n".join(p.read_text() for p in sorted((REPO / "docs").rglob("*.md")))
    assert "id: site-builder-check" in readme
    for command in (
        "site-builder schema",
        "site-builder new client",
        "site-builder new project",
        "site-builder approve",
        "site-builder verify",
        "# Getting started (project managers)",
        "ssh-keygen -t ed25519",
    ):
        assert command in readme, command

"""`site-builder init`: set up an agency's plans repository (never overwrites).

Writes what a repository needs to use a released site-builder without forking it: an example
client in plans/ (from the same scaffolding as `site-builder new`), the agency settings
(site-builder.yml), CI that checks pull requests and publishes the sites (GitHub Actions or
GitLab CI) installing the release pinned in requirements-ci.txt, a pre-commit hook pinned to
the same release, the editor schemas (schemas/, as `new` writes them) and VS Code settings
that point at them, and a .gitignore that keeps build output out of git.

The files come from package data (site_builder/authoring/templates/init/); this repository's own
workflows are the same files with this checkout installed instead of a release (a test checks
they agree). A path that exists is never touched, whatever it is: it is reported as skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import UsageError
from . import scaffold, schema_export

TEMPLATES = Path(__file__).parent / "templates" / "init"
VERSION_MARK = "__SITE_BUILDER_VERSION__"
CI_SYSTEMS = ("github", "gitlab")

EXAMPLE_CLIENT, EXAMPLE_NAME = "example-client", "Example Client"
EXAMPLE_PROJECT, EXAMPLE_TEMPLATE = "website-relaunch", "agency"

# (path in the repository, template under TEMPLATES); template names have no leading dot so
# that packaging tools never take them for hidden files.
COMMON_FILES = (
    ("site-builder.yml", "site-builder.yml"),
    ("requirements-ci.txt", "requirements-ci.txt"),
    (".pre-commit-config.yaml", "pre-commit-config.yaml"),
    (".gitignore", "gitignore"),
    (".vscode/extensions.json", "vscode-extensions.json"),
)
CI_FILES = {
    "github": (
        (".github/workflows/status-sites.yml", "github/status-sites.yml"),
        (".github/workflows/reminders.yml", "github/reminders.yml"),
    ),
    "gitlab": ((".gitlab-ci.yml", "gitlab-ci.yml"),),
}
SCHEMA_FOLDER = "schemas"  # where `site-builder new` looks for (and writes) the schemas
# The files each schema describes, for VS Code's YAML extension (kinds without files here,
# such as approval front matter inside Markdown, are reached by the `$schema` line only).
SCHEMA_FILES = {
    "client": ["plans/*/client.yml"],
    "plan": ["plans/*/*/plan.yml"],
    "agency": ["site-builder.yml"],
}


@dataclass(frozen=True)
class InitReport:
    """What `init` did: paths relative to `root`."""

    root: Path
    ci: str
    written: tuple[str, ...]
    skipped: tuple[str, ...]
    in_git: bool  # root is inside a git work tree
    example: str | None  # the example client's folder, if written
    clients: tuple[str, ...]  # the clients plans/ had already (then no example is written)


def template(name: str) -> str:
    """A packaged template with this release's version filled in."""
    return (TEMPLATES / name).read_text(encoding="utf-8").replace(VERSION_MARK, __version__)


def vscode_settings() -> str:
    schemas = {
        f"./{SCHEMA_FOLDER}/{schema_export.file_name(kind)}": SCHEMA_FILES[kind]
        for kind in schema_export.KINDS
        if kind in SCHEMA_FILES
    }
    return json.dumps({"yaml.schemas": schemas}, indent=2) + "\n"


def planned_files(ci: str) -> dict[str, str]:
    """Every file `init --ci CI` writes outside plans/: relative path -> text."""
    files = {path: template(name) for path, name in (*COMMON_FILES, *CI_FILES[ci])}
    files[".vscode/settings.json"] = vscode_settings()
    for kind in schema_export.KINDS:
        files[f"{SCHEMA_FOLDER}/{schema_export.file_name(kind)}"] = schema_export.render(kind)
    return files


def init(root: Path, ci: str = "github", start: dt.date | None = None) -> InitReport:
    """Write the starting files into `root` (created if missing); never overwrite one."""
    if ci not in CI_SYSTEMS:
        raise UsageError(f"--ci must be one of {', '.join(CI_SYSTEMS)}, not `{ci}`")
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    skipped: list[str] = []
    # Schemas first: the example client's `$schema` lines find them and `new` writes none.
    for relative, text in sorted(
        planned_files(ci).items(),
        key=lambda item: (not item[0].startswith(SCHEMA_FOLDER + "/"), item[0]),
    ):
        (written if _create(root, relative, text) else skipped).append(relative)
    clients = tuple(scaffold.existing_clients(root / "plans"))
    example = None if clients else _example_client(root, start, written, skipped)
    here = root.resolve()
    in_git = any((folder / ".git").exists() for folder in (here, *here.parents))
    return InitReport(root, ci, tuple(written), tuple(skipped), in_git, example, clients)


def _example_client(
    root: Path, start: dt.date | None, written: list[str], skipped: list[str]
) -> str | None:
    """One example client with one project (plans/ has no client yet)."""
    plans = root / "plans"
    folder = f"plans/{EXAMPLE_CLIENT}"
    client_file, plan_file = f"{folder}/client.yml", f"{folder}/{EXAMPLE_PROJECT}/plan.yml"
    if (
        os.path.lexists(root / folder)
        or (plans.exists() and not plans.is_dir())
        or not _inside(root, root / client_file)
    ):
        skipped.append(client_file)
        return None
    scaffold.new_client(plans, EXAMPLE_CLIENT, EXAMPLE_NAME)
    scaffold.new_project(
        plans, f"{EXAMPLE_CLIENT}/{EXAMPLE_PROJECT}", EXAMPLE_TEMPLATE, start=start
    )
    written += [client_file, plan_file]
    return folder


def _create(root: Path, relative: str, text: str) -> bool:
    """Write root/relative unless something is there (or its folder leads out of root)."""
    path = root / relative
    if os.path.lexists(path) or not _inside(root, path):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(text)
    except (FileExistsError, NotADirectoryError):  # a file where a folder would go
        return False
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return True


def _inside(root: Path, path: Path) -> bool:
    """The folder `path` would be written in is within root (no symlinked folder out)."""
    return path.parent.resolve().is_relative_to(root.resolve())


def next_steps(report: InitReport) -> list[str]:
    """What to do after `init`, in order."""
    plans = "plans/"
    if report.example:
        plans = (
            f"{report.example}/ (rename it for a real client, or start one with "
            "`site-builder new client SLUG --name NAME`)"
        )
    host = {
        "github": "on GitHub: Settings -> Pages -> Source: GitHub Actions (Pages from a private "
        "repository needs a paid plan); Settings -> Secrets and variables -> Actions: "
        "SITE_BUILDER_LINK_SECRET (`openssl rand -hex 32`), optionally "
        "SITE_BUILDER_SALT_SECRET, and REMINDER_WEBHOOK_URL for reminders",
        "gitlab": "on GitLab: Settings -> CI/CD -> Variables (masked): SITE_BUILDER_LINK_SECRET "
        "(`openssl rand -hex 32`), optionally SITE_BUILDER_SALT_SECRET; Build -> "
        "Pipeline schedules: one a day, so `overdue` follows the calendar",
    }[report.ci]
    commit = "git add -A && git commit" if report.in_git else "git init; git add -A && git commit"
    return [
        "next:",
        f"  1. edit site-builder.yml (your agency's name) and {plans}",
        "  2. site-builder check --strict",
        f"  3. {commit}, and push",
        f"  4. {host}",
        "  5. optional: `pre-commit install`, so every commit is checked first",
    ]

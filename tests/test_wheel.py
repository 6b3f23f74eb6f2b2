"""The release, end to end: build the sdist and wheel, install the wheel in a clean virtual
environment outside this repository, and run an agency's first day with it: `init` in a new
git repository, a client and a project, `check --strict`, an approval, `build` and `publish`."""

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import git
from test_workflows import actionlint

from site_builder import __version__
from site_builder.authoring import schema_export

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
LINK_SECRET = "wheel-test-link-secret-0123456789abcdef"


def run(*args, cwd: Path, env: dict | None = None, timeout: int = 600) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build`: the sdist, and the wheel built from it; both pass `twine check`."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, REPO, cwd=out)
    run(sys.executable, "-m", "twine", "check", "--strict", *sorted(out.iterdir()), cwd=out)
    return out


def test_the_wheel_carries_the_package_data(dist):
    (wheel,) = dist.glob(f"site_builder-{__version__}-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "site_builder/_data/mkdocs.yml",
        "site_builder/authoring/templates/init/site-builder.yml",
        "site_builder/authoring/templates/init/requirements-ci.txt",
        "site_builder/authoring/templates/init/github/status-sites.yml",
        "site_builder/authoring/templates/init/github/reminders.yml",
        "site_builder/authoring/templates/init/gitlab-ci.yml",
        "site_builder/authoring/templates/init/pre-commit-config.yaml",
        *(
            f"site_builder/authoring/schemas/{schema_export.file_name(kind)}"
            for kind in schema_export.KINDS
        ),
        f"site_builder-{__version__}.dist-info/licenses/LICENSE",
    }
    assert expected <= names, sorted(expected - names)
    theme = {n for n in names if n.startswith("site_builder/_data/theme/")}
    assert len(theme) >= len([p for p in (REPO / "theme").rglob("*") if p.is_file()])
    metadata = (
        zipfile.ZipFile(wheel).read(f"site_builder-{__version__}.dist-info/METADATA").decode()
    )
    assert "Project-URL: Changelog, https://github.com/site-builder/site-builder" in metadata
    assert "Classifier: Programming Language :: Python :: 3" in metadata
    assert len(list(dist.glob(f"site_builder-{__version__}.tar.gz"))) == 1


def test_an_agency_adopts_the_released_wheel(dist, tmp_path):
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    started = time.monotonic()
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "SITE_BUILDER_LINK_SECRET")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
        cwd=tmp_path,
        env=env,
        timeout=900,
    )
    print(f"clean install of the wheel with its dependencies: {time.monotonic() - started:.0f} s")

    repo = tmp_path / "agency-plans"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")

    def sb(*args, extra_env=None):
        return run(venv / "bin" / "site-builder", *args, cwd=repo, env={**env, **(extra_env or {})})

    where = run(
        venv / "bin" / "python",
        "-c",
        "import site_builder; print(site_builder.__file__)",
        cwd=repo,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(venv)  # the wheel, not this checkout
    assert __version__ in sb("--version")

    said = sb("init")
    assert "wrote plans/example-client/client.yml" in said and "warning" not in said
    sb("new", "client", "acme", "--name", "Acme Ltd")
    sb("new", "project", "acme/website", "--template", "agency", "--start", "2026-01-05")
    assert "ok: 2 client(s), 2 project(s), 0 warning(s)" in sb("check", "--strict")
    sb(
        "approve",
        "acme/website",
        "kickoff",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-01-12",
    )
    sb("check", "--strict")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Plans for Acme", date="2026-01-12")
    sb("build", "--out", "site", "--today", "2026-02-02")
    sb(
        "publish",
        "--out",
        "site",
        "--to",
        "public_dir",
        "--target",
        "static",
        extra_env={"SITE_BUILDER_LINK_SECRET": LINK_SECRET},
    )

    outputs = [
        p for folder in ("site", "public_dir") for p in (repo / folder).rglob("*") if p.is_file()
    ]
    assert outputs
    for path in outputs:
        data = path.read_bytes()
        assert b"Northstar" not in data, path  # the demo agency of this repository
        assert b"fonts.googleapis" not in data and b"fonts.gstatic" not in data, path

    www = repo / "public_dir" / "www"
    statuses = {
        json.loads(p.read_text())["client"]["slug"]: p.parent for p in www.glob("*/status.json")
    }
    assert set(statuses) == {"acme", "example-client"}
    acme = statuses["acme"]
    assert acme.name != "acme"  # link mode: under a secret path
    status = json.loads((acme / "status.json").read_text())
    kickoff = status["projects"][0]["milestones"][0]
    assert (kickoff["id"], kickoff["status"]) == ("kickoff", "approved")
    pages = sorted(acme.rglob("*.html"))
    assert len(pages) >= 2
    for page in pages:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        assert soup.find("meta", attrs={"name": "robots"})["content"].startswith("noindex"), page
        assert soup.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer", page
        sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
        assert any(href.endswith("site-builder.css") for href in sheets), (page, sheets)
        assert soup.find("meta", attrs={"name": "author"})["content"] == "Your Agency"

    lint = actionlint(repo)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "Checking 2 workflow file(s)" in lint.stdout

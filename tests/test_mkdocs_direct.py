"""MkDocs used directly (`mkdocs build` with the site-builder plugin): it builds one client
into SITE_DIR/<client> or stops with one clear plugin error; never a traceback, and never
another client's output deleted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import make_client, write

REPO = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).parent / "mkdocs"


@pytest.fixture
def checkout(tmp_path):
    """A copy of this repository's layout: mkdocs.yml, theme/, two clients in plans/, and a
    site/ folder that already holds another client's site."""
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    make_client(root / "plans")
    make_client(root / "plans", slug="beta")
    write(root / "site" / "beta" / "index.html", "beta's own site\n")
    return root


def mkdocs(*args, cwd: Path, client: str | None = "acme"):
    env = {k: v for k, v in os.environ.items() if k != "SITE_BUILDER_CLIENT"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if client is not None:
        env["SITE_BUILDER_CLIENT"] = client
    return subprocess.run(
        [str(MKDOCS), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_mkdocs_build_writes_only_its_clients_folder(checkout):
    done = mkdocs("build", cwd=checkout)
    assert done.returncode == 0, done.stderr
    page = BeautifulSoup((checkout / "site" / "acme" / "index.html").read_text(), "html.parser")
    assert page.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert page.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"
    assert (checkout / "site" / "beta" / "index.html").read_text() == "beta's own site\n"
    assert not (checkout / "site" / "index.html").exists()
    assert not list((checkout / "site" / "acme").glob("*.j2"))  # nothing from docs_dir


def test_mkdocs_build_with_f_from_another_folder(checkout, tmp_path):
    done = mkdocs("build", "-f", str(checkout / "mkdocs.yml"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (checkout / "site" / "acme" / "index.html").is_file()
    assert (checkout / "site" / "beta" / "index.html").read_text() == "beta's own site\n"


@pytest.mark.parametrize(
    "client, message",
    [
        (None, "site-builder: which client? Run `site-builder build --client SLUG`"),
        ("nobody", "site-builder: unknown client `nobody`"),
    ],
)
def test_mkdocs_build_stops_with_one_clear_error(checkout, tmp_path, client, message):
    for cwd, args in ((checkout, ()), (tmp_path, ("-f", str(checkout / "mkdocs.yml")))):
        done = mkdocs("build", *args, cwd=cwd, client=client)
        assert done.returncode == 1
        assert message in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
    assert (checkout / "site" / "beta" / "index.html").read_text() == "beta's own site\n"


def test_mkdocs_build_without_a_plans_folder_says_where_it_looked(checkout, tmp_path):
    shutil.rmtree(checkout / "plans")
    done = mkdocs("build", cwd=checkout)
    assert done.returncode == 1
    assert f"site-builder: no plans folder at {checkout / 'plans'}" in done.stderr
    assert "Traceback" not in done.stderr


def test_mkdocs_build_refuses_a_config_that_drops_a_protection(checkout):
    text = (checkout / "mkdocs.yml").read_text()
    assert "  font: false" in text
    (checkout / "mkdocs.yml").write_text(text.replace("  font: false", "  font:\n    text: Roboto"))
    line = (checkout / "mkdocs.yml").read_text().splitlines().index("  font:") + 1
    done = mkdocs("build", cwd=checkout)
    assert done.returncode == 1
    assert "site-builder: this config would weaken the sites' protections" in done.stderr
    assert f"mkdocs.yml:{line}: error: `theme.font` must be false" in done.stderr
    assert not (checkout / "site" / "acme").exists()


def test_mkdocs_build_never_empties_the_plans(checkout):
    with open(checkout / "mkdocs.yml", "a") as config:
        config.write("site_dir: plans\n")
    done = mkdocs("build", cwd=checkout)
    assert done.returncode == 1
    assert "lies inside the plans folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert (checkout / "plans" / "acme" / "client.yml").is_file()

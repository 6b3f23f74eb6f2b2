"""An agency adopts site-builder in its own plans repository: its settings (site-builder.yml)
and its own mkdocs.yml are layered over the packaged base, and no layer drops a protection."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import CLIENT_YML, make_client, write

from site_builder.build import BuildOptions, build
from site_builder.cli import main

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 2, 1)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<rect width="10" height="10"/></svg>'
)


def check(*args):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def build_all(plans, out, **options):
    return build(BuildOptions(plans=plans, out=out, today=TODAY, jobs=1, **options))


def text_files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def assert_protected(site: Path) -> BeautifulSoup:
    """The protections of a private (link-mode) site, checked in its built files."""
    page = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    assert page.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert page.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"
    sheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assert "assets/stylesheets/site-builder.css" in sheets
    assert "Material for MkDocs" not in page.select_one(".md-copyright").get_text()  # generator
    for path, data in text_files(site):
        for host in (b"fonts.googleapis", b"fonts.gstatic"):
            assert host not in data, (path, host)
    return page


# --- no agency settings: nothing of the demo agency ----------------------------------------------


def test_fresh_plans_repository_shows_no_demo_agency(plans, tmp_path):
    make_client(plans)
    build_all(plans, tmp_path / "site")
    files = list(text_files(tmp_path / "site"))
    assert files
    for path, data in files:
        assert b"Northstar" not in data, path
    assert_protected(tmp_path / "site" / "acme")


def test_this_repository_keeps_its_demo_agency_in_site_builder_yml():
    settings = yaml.safe_load((REPO / "site-builder.yml").read_text())
    assert settings["name"] == "Northstar Delivery Co."
    assert "Northstar" not in (REPO / "mkdocs.yml").read_text()
    schema = json.loads((REPO / "schemas" / "agency.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(settings)


# --- site-builder.yml ------------------------------------------------------------------------------


AGENCY_YML = """\
name: Brightline & Partners
colors:
  primary: teal
  accent: amber
logo: branding/logo.svg
footer: Status pages by Brightline <& Partners>
copyright: © 2026 Brightline
extra_css:
  - branding/agency.css
"""


def test_agency_settings_apply_under_each_clients_own(plans, tmp_path):
    write(tmp_path / "site-builder.yml", AGENCY_YML)
    write(tmp_path / "branding" / "logo.svg", SVG)
    write(tmp_path / "branding" / "agency.css", ":root { --agency: #0a7; }\n")
    make_client(plans)
    make_client(plans, slug="beta", client_yml=CLIENT_YML + "site:\n  primary_color: red\n")
    build_all(plans, tmp_path / "site")

    acme = assert_protected(tmp_path / "site" / "acme")
    assert acme.body["data-md-color-primary"] == "teal"
    assert acme.body["data-md-color-accent"] == "amber"
    copyright = acme.select_one(".md-copyright__highlight")
    assert (
        copyright.get_text("|", strip=True)
        == "Status pages by Brightline <& Partners>|© 2026 Brightline"
    )  # escaped, not markup
    assert acme.find("meta", attrs={"name": "author"})["content"] == "Brightline & Partners"
    sheets = [link["href"] for link in acme.find_all("link", rel="stylesheet")]
    assert sheets.index("assets/stylesheets/site-builder.css") < sheets.index("assets/agency-1.css")
    assert (tmp_path / "site" / "acme" / "assets" / "agency-1.css").read_text().startswith(":root")
    assert (tmp_path / "site" / "acme" / "assets" / "agency-logo.svg").read_text() == SVG
    assert acme.select_one(".md-logo img")["src"] == "assets/agency-logo.svg"

    beta = assert_protected(tmp_path / "site" / "beta")
    assert beta.body["data-md-color-primary"] == "red"  # the client's own wins
    assert beta.body["data-md-color-accent"] == "amber"


def test_settings_option_names_another_file(plans, tmp_path):
    write(tmp_path / "config" / "agency.yml", "name: Elsewhere Ltd\n")
    make_client(plans)
    build_all(plans, tmp_path / "site", settings=tmp_path / "config" / "agency.yml")
    page = (tmp_path / "site" / "acme" / "index.html").read_text()
    assert "Status page by Elsewhere Ltd" in page
    missing = check("--settings", "nowhere.yml")
    assert missing.exit_code == 1
    assert "nowhere.yml:0: error: the settings file does not exist" in missing.output


@pytest.mark.parametrize(
    "settings, line, message",
    [
        ("name: A\ncolour: red\n", 2, "unknown field `colour`"),
        ("colors:\n  primary: rouge\n", 2, "`colors.primary` must be a Material palette colour"),
        ("logo: nothere.svg\n", 1, "`logo`: file not found"),
        ("logo: ../outside.svg\n", 1, "`logo` must be a path inside the folder"),
        (
            "extra_css:\n  - ok.css\n  - remote.css\n",
            3,
            "must not @import other files or load url()s",
        ),
        ("extra_css:\n  - script.svg\n", 2, "`extra_css` must be one of: .css"),
        ("languages: [de]\n", 2, "`language`: `en` is not one of the agency's languages (de"),
        ("footer: [a, b]\n", 1, "`footer` must be text"),
    ],
)
def test_agency_settings_errors_name_their_line(plans, tmp_path, settings, line, message):
    write(tmp_path / "ok.css", "a { color: red }\n")
    write(tmp_path / "remote.css", "@import url(https://fonts.googleapis.com/css?family=Roboto);\n")
    write(tmp_path / "script.svg", SVG)
    write(tmp_path / "outside.svg", SVG)
    write(tmp_path / "site-builder.yml", settings)
    make_client(plans, client_yml="name: Acme\nlanguage: en\naccess:\n  mode: link\n")
    result = check()
    assert result.exit_code == 1
    where = "plans/acme/client.yml" if "languages" in settings else "site-builder.yml"
    found = [l for l in result.output.splitlines() if l.startswith(f"{where}:{line}: error:")]
    assert found and message in found[0], result.output


# --- the agency's own mkdocs.yml: a layer, never a replacement ------------------------------------


MINIMAL_MKDOCS = "site_name: Agency\ncopyright: Agency Ltd\ntheme: material\n"


def test_a_minimal_own_mkdocs_yml_keeps_every_protection(plans, tmp_path):
    """The issue's report: a three-line mkdocs.yml used to replace the base (no noindex, no
    no-referrer, Google Fonts, no stylesheet) and nothing warned."""
    write(tmp_path / "mkdocs.yml", MINIMAL_MKDOCS)
    make_client(plans)
    assert check("--strict").exit_code == 0
    build_all(plans, tmp_path / "site")
    page = assert_protected(tmp_path / "site" / "acme")
    assert page.select_one(".md-copyright__highlight").get_text(strip=True) == "Agency Ltd"


def test_a_copy_of_the_base_is_a_valid_layer(plans, tmp_path):
    write(tmp_path / "mkdocs.yml", (REPO / "mkdocs.yml").read_text() + "copyright: Copied Agency\n")
    make_client(plans)
    assert check("--strict").exit_code == 0
    build_all(plans, tmp_path / "site")
    page = assert_protected(tmp_path / "site" / "acme")
    assert "Copied Agency" in page.select_one(".md-copyright__highlight").get_text()


WEAKENING = {
    "google-fonts": (
        "theme:\n  name: material\n  font:\n    text: Roboto\n",
        3,
        "`theme.font` must be false",
    ),
    "other-theme": ("theme:\n  name: readthedocs\n", 2, "`theme.name` must be material"),
    "custom-dir": (
        "theme:\n  name: material\n  custom_dir: my-overrides\n",
        3,
        "`theme.custom_dir` would replace",
    ),
    "theme-logo": ("theme:\n  name: material\n  logo: logo.png\n", 3, "`theme.logo`"),
    "no-stylesheet": ("extra_css:\n  - brand.css\n", 1, "`extra_css` must start with"),
    "remote-stylesheet": (
        "extra_css:\n  - assets/stylesheets/site-builder.css\n"
        "  - https://fonts.googleapis.com/css\n",
        3,
        "`extra_css`: `https:",
    ),
    "generator": ("extra:\n  generator: true\n", 2, "`extra.generator` must be false"),
    "analytics": ("extra:\n  analytics:\n    provider: google\n", 2, "`extra.analytics`"),
    "polyfills": ("extra:\n  polyfills: [https://cdn.example/x.js]\n", 2, "`extra.polyfills`"),
    "reserved": ("extra:\n  site_builder: {public: true}\n", 2, "`extra.site_builder`"),
    "no-site-builder": ("plugins:\n  - search\n  - offline\n", 1, "`plugins` must be"),
    "order": ("plugins:\n  - search\n  - site-builder\n  - offline\n", 1, "`plugins` must be"),
    "macros": (
        "plugins:\n  - site-builder\n  - search\n  - offline\n  - macros\n",
        1,
        "`plugins` must be",
    ),
    "snippets": (
        "markdown_extensions:\n  - toc\n  - pymdownx.snippets\n",
        3,
        "`markdown_extensions`: `pymdownx.snippets` is not allowed",
    ),
    "hooks": ("hooks:\n  - hooks.py\n", 1, "`hooks`: hooks run Python code"),
    "scripts": ("extra_javascript:\n  - https://cdn.example/x.js\n", 1, "`extra_javascript`"),
    "templates": ("extra_templates:\n  - robots.txt\n", 1, "`extra_templates`"),
    "inherit": ("INHERIT: other.yml\n", 1, "`INHERIT`"),
    "site-url": ("site_url: https://status.example.com/\n", 1, "`site_url`"),
    "repo-link": ("repo_url: https://git.example.com/agency/plans\n", 1, "`repo_url`"),
    "directory-urls": ("use_directory_urls: true\n", 1, "`use_directory_urls` must be false"),
    "unknown": ("google_analytics: [UA-1, auto]\n", 1, "`google_analytics` is not supported"),
}


@pytest.mark.parametrize("name", list(WEAKENING))
def test_check_refuses_a_layer_that_weakens_a_site(plans, tmp_path, name):
    snippet, line, message = WEAKENING[name]
    write(tmp_path / "mkdocs.yml", "site_name: Agency\n" + snippet)
    make_client(plans)
    result = check()
    assert result.exit_code == 1, result.output
    wanted = f"mkdocs.yml:{line + 1}: error: {message}"
    assert any(l.startswith(wanted) for l in result.output.splitlines()), result.output
    assert "Traceback" not in result.output


def test_build_refuses_a_weakening_layer_and_writes_nothing(plans, tmp_path):
    write(
        tmp_path / "mkdocs.yml",
        "site_name: Agency\ntheme:\n  name: material\n  font:\n    text: Roboto\n",
    )
    make_client(plans)
    result = CliRunner().invoke(
        main, ["build", "--out", "site", "--today", "2026-02-01"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "mkdocs.yml:4: error: `theme.font` must be false" in result.output
    assert not (tmp_path / "site" / "acme").exists()


def test_site_builder_yml_is_read_with_the_plan_files_rules(plans, tmp_path):
    """Not UTF-8, too large or a hard link: one line each, like any plan file."""
    import os

    from site_builder.plans import agency

    settings = tmp_path / "site-builder.yml"
    settings.write_bytes(b"name: Caf\xe9\n")
    _, diags = agency.load_settings(plans)
    assert [d.format() for d in diags.errors] == [
        "site-builder.yml:1: error: file is not valid UTF-8 text"
    ]
    settings.write_text("name: x\n" + "# padding\n" * (agency.MAX_SETTINGS_BYTES // 10 + 1))
    _, diags = agency.load_settings(plans)
    assert "file is too large" in diags.errors[0].message
    settings.write_text("name: Northstar\n")
    os.link(settings, tmp_path / "elsewhere.yml")
    _, diags = agency.load_settings(plans)
    assert "hard links" in diags.errors[0].message

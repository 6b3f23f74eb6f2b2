"""The documentation: the docs site builds with --strict, the file-format reference matches
schema.py, the README stays a short front door whose links resolve, nothing points outside the
repository, and every docs page the program names exists."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.authoring import docs_reference
from site_builder.plans import schema

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
CONFIG = REPO / "mkdocs.docs.yml"
MKDOCS = Path(sys.executable).with_name("mkdocs")
DOC_POINTER = re.compile(r"\bdocs/[\w/-]+\.md")
# A pointer to the old manual, e.g. (README, "Private sites"): the section now lives in docs/.
README_POINTER = re.compile(r"README,\s*\\?\"")
TEXT_SUFFIXES = {
    ".md",
    ".yml",
    ".yaml",
    ".py",
    ".js",
    ".j2",
    ".html",
    ".toml",
    ".txt",
    ".cfg",
    ".json",
    ".css",
    ".sh",
}
# Written split so that this file does not match itself.
OUTSIDE = ("../" + "shared", "/" + "work/", "/" + "root/")


def repository_files() -> list[Path]:
    """Every text file git tracks or would track (new files included, ignored ones not)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    paths = [REPO / name for name in listed.split("\0") if name]
    return [
        p
        for p in paths
        if p.is_file() and (p.suffix in TEXT_SUFFIXES or p.name in ("Makefile", "_headers", "run"))
    ]


class _Resources(HTMLParser):
    """What a page loads (scripts, stylesheets, images, frames), as opposed to links."""

    def __init__(self):
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.loaded.append(attrs["src"])
        if (
            tag == "link"
            and attrs.get("href")
            and attrs.get("rel") not in ("alternate", "canonical")
        ):
            self.loaded.append(attrs["href"])


def test_the_docs_site_builds_strictly_without_warnings(tmp_path):
    out = tmp_path / "site-docs"
    done = subprocess.run(
        [str(MKDOCS), "build", "--strict", "-f", str(CONFIG), "-d", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(MKDOCS.parent), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    pages = sorted(out.rglob("*.html"))
    for name in (
        "index.html",
        "clients/approving.html",
        "hosting/private-sites.html",
        "reference/client-yml.html",
        "reference/contract.html",
        "security.html",
        "development.html",
    ):
        assert (out / name).is_file(), name
    # No request to anyone but the docs site itself (no Google Fonts, no CDN).
    for page in pages:
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        remote = [url for url in parser.loaded if re.match(r"(https?:)?//", url)]
        assert not remote, (page, remote)
    for css in out.rglob("*.css"):
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", css.read_text()), css


def test_the_docs_config_is_not_the_client_sites_config():
    text = CONFIG.read_text()
    assert "site-builder" not in re.findall(
        r"(?m)^\s*-\s*([\w-]+)", text.split("plugins:")[1].split("\n\n")[0]
    )
    assert re.search(r"(?m)^\s*font: false", text)
    assert re.search(r"(?m)^docs_dir: docs$", text)


@pytest.mark.parametrize("kind", sorted(docs_reference.PAGES))
def test_the_reference_pages_are_generated_from_the_schema(kind, tmp_path):
    """Regenerate with `python -m site_builder.authoring.docs_reference` when this fails."""
    _, file_name, _ = docs_reference.PAGES[kind]
    committed = (DOCS / "reference" / file_name).read_text(encoding="utf-8")
    assert committed == docs_reference.render(kind), (
        f"docs/reference/{file_name} is out of date: run python -m site_builder.authoring.docs_reference"
    )
    written = docs_reference.write(tmp_path)
    assert (tmp_path / file_name).read_text(encoding="utf-8") == committed
    assert len(written) == len(docs_reference.PAGES)


@pytest.mark.parametrize("kind", sorted(docs_reference.PAGES))
def test_the_reference_lists_every_field_with_its_type_and_example(kind):
    record, file_name, _ = docs_reference.PAGES[kind]
    page = (DOCS / "reference" / file_name).read_text(encoding="utf-8")
    for _, rec in docs_reference.sections(record):
        for f in rec.fields:
            row = next(
                (
                    line
                    for line in page.splitlines()
                    if line.startswith(f"| `{f.name}` |") and f.doc[:20].split("<")[0] in line
                ),
                None,
            )
            assert row is not None, (rec.title, f.name)
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
            assert cells[1] == docs_reference.type_name(f.type).replace("|", "\\|")
            assert cells[2] == ("yes" if f.required else "")
            if f.example is not None:
                assert cells[4].startswith("`"), (rec.title, f.name)


def test_every_nested_record_has_a_section_the_types_link_to():
    page = docs_reference.render("client")
    for name in ("signer", "signing-key", "site-settings", "contact", "access", "login"):
        assert f"{{#{name}}}" in page, name
        assert f"(#{name})" in page, name
    assert "mapping: [Access](#access)" in page
    assert "list of OpenSSH public key line, or mapping: [Signing key](#signing-key)" in page


def test_a_field_type_without_words_is_an_error():
    class Novel(schema.Type):
        pass

    with pytest.raises(TypeError, match="Novel"):
        docs_reference.type_name(Novel())


def test_declaration_text_cannot_become_html():
    assert (
        docs_reference.prose("plans/<client>/plan.yml & `Name <email>`")
        == "plans/&lt;client&gt;/plan.yml &amp; `Name <email>`"
    )
    assert (
        docs_reference.prose("see docs/hosting/private-sites.md.")
        == "see [hosting/private-sites.md](../hosting/private-sites.md)."
    )


def test_the_contract_is_in_the_repository():
    contract = (DOCS / "reference" / "contract.md").read_text(encoding="utf-8")
    assert contract.startswith("# Product contract: milestone status sites from git\n")
    assert "This page is the product contract" in contract
    for section in (
        "## 1. Who uses it",
        "## 3. Status rules",
        "### status.json",
        "## 6. Additions (second round)",
    ):
        assert section in contract, section


def test_the_readme_is_a_short_front_door():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    for needed in ("make demo", "make test", "make test-quick", "docs/"):
        assert needed in readme, needed
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    relative = [link for link in links if not re.match(r"[a-z]+:|#", link)]
    assert relative, "the README links into the docs"
    missing = [link for link in relative if not (REPO / link.split("#")[0]).exists()]
    assert not missing, missing
    image = next(link for link in relative if link.endswith(".png"))
    assert (REPO / image).read_bytes().startswith(b"\x89PNG")


def test_no_file_points_outside_the_repository():
    offenders = []
    for path in repository_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(REPO)}: {needle}" for needle in OUTSIDE if needle in text]
    assert not offenders, offenders


def test_every_docs_page_the_product_names_exists():
    product = [
        p
        for p in repository_files()
        if p.is_relative_to(REPO / "site_builder")
        or p.is_relative_to(REPO / "theme")
        or p.is_relative_to(REPO / ".github")
        or p.is_relative_to(REPO / "plans")
        or p.parent == REPO
        and p.suffix in (".yml", ".yaml")
    ]
    named, stale = {}, []
    for path in product:
        text = path.read_text(encoding="utf-8", errors="replace")
        for pointer in DOC_POINTER.findall(text):
            named.setdefault(pointer, []).append(str(path.relative_to(REPO)))
        if README_POINTER.search(text):
            stale.append(str(path.relative_to(REPO)))
    assert len(named) >= 8, named  # the scan sees the pointers (scaffold, _headers, CI, ...)
    missing = {pointer: where for pointer, where in named.items() if not (REPO / pointer).is_file()}
    assert not missing, missing
    assert not stale, f"pointers to README sections; point to a docs/ page instead: {stale}"

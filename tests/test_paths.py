"""Paths: nothing outside a client's folder is read or published.

Symbolic links that leave the client folder (as a document, a documents/ sub-folder, an
approval note, plan.yml, client.yml, a project folder, a client folder, the logo), a client
folder that is a link (even to another client), hard-linked files (documents, plan.yml,
client.yml, notes, logo, stylesheet), `..` and
absolute paths in deliverable files and site.logo, and names that are not slugs are errors that
name the file. A secret planted next to the plans must never reach any output.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from helpers import PLAN_YML, approval, make_client, write

from site_builder.build import BuildOptions, build
from site_builder.errors import PlanError

TODAY = dt.date(2026, 2, 1)
SECRET = "SECRET-OUTSIDE-7f3a9c"


@pytest.fixture
def world(tmp_path, plans):
    """plans/ with two good clients, and secrets beside plans/ (a file and a folder)."""
    outside = tmp_path / "outside"
    write(outside / "secret.pdf", f"%PDF {SECRET}\n")
    write(
        outside / "secret.svg",
        f'<svg xmlns="http://www.w3.org/2000/svg"><title>{SECRET}</title></svg>',
    )
    write(outside / "folder" / "inside.pdf", f"%PDF {SECRET}\n")
    write(outside / "plan.yml", PLAN_YML.replace("Website relaunch", SECRET))
    write(outside / "client.yml", f"name: {SECRET}\n")
    write(outside / "note.md", approval("kickoff", "2026-01-09", body=f"{SECRET}\n"))
    write(outside / "project" / "plan.yml", PLAN_YML.replace("Website relaunch", SECRET))
    make_client(plans, "acme")
    make_client(plans, "good")
    return outside


def _plan_with_file(plans: Path, file: str) -> None:
    plan = PLAN_YML.replace("      - Mockups", f"      - {{title: Mockups, file: '{file}'}}")
    (plans / "acme" / "web" / "plan.yml").write_text(plan)


def _link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def _hard(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.link(target, path)
    return path


def _logo(plans: Path, value: str) -> None:
    (plans / "acme" / "client.yml").write_text(f"name: Acme\nsite:\n  logo: '{value}'\n")


# Each case breaks plans/acme (or plans/ itself) and names the file the error must point at
# (relative to the test's folder) and words of the message.
CASES = {
    "document symlinked out": (
        lambda p, o: (
            _link(p / "acme/web/documents/spec.pdf", o / "secret.pdf"),
            _plan_with_file(p, "documents/spec.pdf"),
        ),
        "plans/acme/web/documents/spec.pdf",
        "symbolic link",
        True,
    ),
    "documents folder symlinked out": (
        lambda p, o: (
            _link(p / "acme/web/documents/more", o / "folder"),
            write(p / "acme/web/documents/ok.pdf", "%PDF ok"),
        ),
        "plans/acme/web/documents/more",
        "symbolic link",
        True,
    ),
    "whole documents/ symlinked out": (
        lambda p, o: _link(p / "acme/web/documents", o / "folder"),
        "plans/acme/web/documents",
        "symbolic link",
        True,
    ),
    "approval note symlinked out": (
        lambda p, o: _link(p / "acme/web/approvals/2026-01-09-kickoff.md", o / "note.md"),
        "plans/acme/web/approvals/2026-01-09-kickoff.md",
        "symbolic link",
        True,
    ),
    "plan.yml symlinked out": (
        lambda p, o: (
            (p / "acme/web/plan.yml").unlink(),
            _link(p / "acme/web/plan.yml", o / "plan.yml"),
        ),
        "plans/acme/web/plan.yml",
        "symbolic link",
        True,
    ),
    "client.yml symlinked out": (
        lambda p, o: (
            (p / "acme/client.yml").unlink(),
            _link(p / "acme/client.yml", o / "client.yml"),
        ),
        "plans/acme/client.yml",
        "symbolic link",
        True,
    ),
    "project folder symlinked out": (
        lambda p, o: _link(p / "acme/stolen", o / "project"),
        "plans/acme/stolen",
        "symbolic link",
        True,
    ),
    "project folder symlinked to another client": (
        lambda p, o: _link(p / "acme/theirs", p / "good" / "web"),
        "plans/acme/theirs",
        "symbolic link",
        True,
    ),
    "client folder symlinked out": (
        lambda p, o: (_link(p / "evil", o), write(o / "web" / "plan.yml", PLAN_YML)),
        "plans/evil",
        "symbolic link",
        False,
    ),
    "client folder symlinked to another client": (
        lambda p, o: _link(p / "evil", p / "good"),
        "plans/evil",
        "symbolic link",
        False,
    ),
    "approvals/ symlinked to another client's": (
        lambda p, o: (
            write(
                p / "good/web/approvals/2026-01-09-kickoff.md", approval("kickoff", "2026-01-09")
            ),
            _link(p / "acme/web/approvals", p / "good/web/approvals"),
        ),
        "plans/acme/web/approvals",
        "symbolic link",
        True,
    ),
    "documents/ symlinked to another client's": (
        lambda p, o: (
            write(p / "good/web/documents/spec.pdf", f"%PDF {SECRET}\n"),
            _link(p / "acme/web/documents", p / "good/web/documents"),
            _plan_with_file(p, "documents/spec.pdf"),
        ),
        "plans/acme/web/documents",
        "symbolic link",
        True,
    ),
    "document symlinked to another client's": (
        lambda p, o: (
            write(p / "good/web/documents/spec.pdf", f"%PDF {SECRET}\n"),
            _link(p / "acme/web/documents/spec.pdf", p / "good/web/documents/spec.pdf"),
            _plan_with_file(p, "documents/spec.pdf"),
        ),
        "plans/acme/web/documents/spec.pdf",
        "symbolic link",
        True,
    ),
    "document hard-linked to a file outside": (
        lambda p, o: (
            _hard(p / "acme/web/documents/spec.pdf", o / "secret.pdf"),
            _plan_with_file(p, "documents/spec.pdf"),
        ),
        "plans/acme/web/plan.yml",
        "hard links",
        True,
    ),
    "document hard-linked to another client's": (
        lambda p, o: (
            write(p / "good/web/documents/spec.pdf", f"%PDF {SECRET}\n"),
            _hard(p / "acme/web/documents/r.PDF", p / "good/web/documents/spec.pdf"),
            _plan_with_file(p, "documents/r.PDF"),
        ),
        "plans/acme/web/plan.yml",
        "hard links",
        True,
    ),
    "plan.yml hard-linked": (
        lambda p, o: (
            (p / "acme/web/plan.yml").unlink(),
            _hard(p / "acme/web/plan.yml", o / "plan.yml"),
        ),
        "plans/acme/web/plan.yml",
        "hard links",
        True,
    ),
    "client.yml hard-linked": (
        lambda p, o: (
            (p / "acme/client.yml").unlink(),
            _hard(p / "acme/client.yml", o / "client.yml"),
        ),
        "plans/acme/client.yml",
        "hard links",
        True,
    ),
    "approval note hard-linked": (
        lambda p, o: _hard(p / "acme/web/approvals/2026-01-09-kickoff.md", o / "note.md"),
        "plans/acme/web/approvals/2026-01-09-kickoff.md",
        "hard links",
        True,
    ),
    "logo hard-linked": (
        lambda p, o: (_hard(p / "acme/logo.svg", o / "secret.svg"), _logo(p, "logo.svg")),
        "plans/acme/client.yml",
        "hard links",
        True,
    ),
    "stylesheet hard-linked": (
        lambda p, o: (
            write(o / "brand.css", f"/* {SECRET} */ a {{ color: red }}\n"),
            _hard(p / "acme/brand.css", o / "brand.css"),
            (p / "acme/client.yml").write_text("name: Acme\nsite:\n  css: brand.css\n"),
        ),
        "plans/acme/client.yml",
        "hard links",
        True,
    ),
    "logo symlinked out": (
        lambda p, o: (_link(p / "acme/logo.svg", o / "secret.svg"), _logo(p, "logo.svg")),
        "plans/acme/client.yml",
        "symbolic link",
        True,
    ),
    "logo with ..": (
        lambda p, o: _logo(p, "../../outside/secret.svg"),
        "plans/acme/client.yml",
        "..",
        True,
    ),
    "logo absolute": (
        lambda p, o: _logo(p, str(o / "secret.svg")),
        "plans/acme/client.yml",
        "leading `/`",
        True,
    ),
    "deliverable file with ..": (
        lambda p, o: _plan_with_file(p, "documents/../../../outside/secret.pdf"),
        "plans/acme/web/plan.yml",
        "..",
        True,
    ),
    "deliverable file absolute": (
        lambda p, o: _plan_with_file(p, str(o / "secret.pdf")),
        "plans/acme/web/plan.yml",
        "leading `/`",
        True,
    ),
    "deliverable file with a drive letter": (
        lambda p, o: _plan_with_file(p, "C:\\outside\\secret.pdf"),
        "plans/acme/web/plan.yml",
        "leading `/`",
        True,
    ),
    "deliverable file outside documents/": (
        lambda p, o: (
            write(p / "acme/web/approvals/x.md", approval("kickoff", "2026-01-09")),
            _plan_with_file(p, "approvals/x.md"),
        ),
        "plans/acme/web/plan.yml",
        "documents/",
        True,
    ),
    "client folder name not a slug": (
        lambda p, o: make_client(p, "Acme Corp"),
        "plans/Acme Corp",
        "not a slug",
        False,
    ),
    "project folder name not a slug": (
        lambda p, o: write(p / "acme" / "Web_Site" / "plan.yml", PLAN_YML),
        "plans/acme/Web_Site",
        "not a slug",
        True,
    ),
    "milestone id not a slug": (
        lambda p, o: (p / "acme/web/plan.yml").write_text(
            PLAN_YML.replace("id: launch", "id: ../launch")
        ),
        "plans/acme/web/plan.yml",
        "slug",
        True,
    ),
    "dot-dot folder name": (
        lambda p, o: write(p / "acme" / "..." / "plan.yml", PLAN_YML),
        "plans/acme/...",
        "not a slug",
        True,
    ),
}


def _published(out: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()} if out.exists() else {}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_escapes_are_errors_naming_the_file_and_nothing_is_published(case, world, plans, tmp_path):
    breaks, where, words, others_build = CASES[case]
    breaks(plans, world)
    out = tmp_path / "site"
    with pytest.raises(PlanError) as caught:
        build(BuildOptions(plans=plans, out=out, today=TODAY, jobs=1))
    errors = [d for d in caught.value.diagnostics if d.is_error]
    shown = [d.format() for d in errors]
    assert any(d.format().startswith(f"{where}:") and words in d.message for d in errors), shown
    assert not any(SECRET in line for line in shown)  # messages do not quote the secret either
    assert not [p for p in out.rglob("*") if p.name in ("acme", "good", "evil")]

    # The clients that are fine still build on their own, and nothing outside leaks into them.
    if others_build:
        build(BuildOptions(plans=plans, out=out, clients=("good",), today=TODAY, jobs=1))
        assert (out / "good" / "index.html").is_file() and not (out / "acme").exists()
    else:
        with pytest.raises(PlanError):  # a broken plans folder is broken for every client
            build(BuildOptions(plans=plans, out=out, clients=("good",), today=TODAY, jobs=1))
    leaks = [path for path, data in _published(out).items() if SECRET.encode() in data]
    assert not leaks


def test_symlinks_inside_the_client_folder_are_fine(plans, tmp_path):
    """A link that stays in the client folder is not an escape (documents shared by projects)."""
    folder = make_client(plans, "acme", projects={"web": PLAN_YML, "app": PLAN_YML})
    write(folder / "app" / "documents" / "shared.pdf", "%PDF shared\n")
    _link(folder / "web" / "documents" / "shared.pdf", Path("../../app/documents/shared.pdf"))
    _plan_with_file(plans, "documents/shared.pdf")
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    published = tmp_path / "site" / "acme" / "projects" / "web" / "documents" / "shared.pdf"
    assert published.read_bytes() == b"%PDF shared\n" and not published.is_symlink()


def test_a_hard_link_inside_the_client_folder_is_refused_too(plans, tmp_path):
    """Which name is the original cannot be told, so every hard-linked published file is
    refused, even when both names are in the same client's folder."""
    folder = make_client(plans, "acme", projects={"web": PLAN_YML, "app": PLAN_YML})
    write(folder / "app" / "documents" / "shared.pdf", "%PDF shared\n")
    _hard(folder / "web" / "documents" / "shared.pdf", folder / "app" / "documents" / "shared.pdf")
    _plan_with_file(plans, "documents/shared.pdf")
    with pytest.raises(PlanError) as caught:
        build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    assert [d.format() for d in caught.value.diagnostics if d.is_error] == [
        "plans/acme/web/plan.yml:16: error: deliverable file `documents/shared.pdf` cannot be "
        "published: file has 2 hard links; a hard-linked file may be another client's, so it is "
        "never read or published: copy it in instead (git never makes hard links)"
    ]

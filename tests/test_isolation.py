"""Isolation at scale: six clients built together, each with unique markers in every field.

No file of one client's site (pages, search index, sitemap, feed, calendar, badges, status.json,
documents, logo) holds another client's names, titles, slugs, amounts or text; no `internal:`
value and no email address (plan text, approvers, signers, git authors) appears anywhere in
the output.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
from pathlib import Path

import pytest
import yaml
from helpers import git, write

from site_builder.build import BuildOptions, build

TAGS = ["AMBERQX", "BIRCHQX", "CEDARQX", "DAHLIAQX", "ELMQX", "FERNQX"]
TODAY = dt.date(2026, 3, 1)
EMAIL_RE = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
SHOWN_FIELDS = [
    "CLIENTNAME",
    "PROJECTTITLE",
    "SUMMARY",
    "KICKOFF",
    "DESIGN",
    "LAUNCH",
    "PHASE",
    "OWNER",
    "DELIVERABLE",
    "DOCTITLE",
    "CRITERION",
    "NOTEBODY",
    "APPROVER",
    "REVIEWED",
    "DOCUMENT-CONTENT",
    "LOGO",
]


def amounts(n: int) -> list[int]:
    return [9_137_000 + 101 * n, 8_246_000 + 101 * n, 7_355_000 + 101 * n]


def emails(tag: str) -> list[str]:
    t = tag.lower()
    return [
        f"{t}.pm@{t}-private.example",
        f"ada.{t}@{t}-client.example",
        f"signer.{t}@{t}-client.example",
        f"dev.{t}@agency-internal.example",
        f"cc.{t}@{t}.example.co.uk",
    ]


def contact(tag: str) -> str:
    """The agency's address for the client (client.yml `contact:`): the one address that is
    published, on that client's site only."""
    return f"projects.{tag.lower()}@agency-team.example"


def internals(tag: str) -> list[str]:
    return [
        f"INTERNAL-{tag}-{where}" for where in ("client", "nested", "plan", "milestone", "approval")
    ]


def make_client(plans: Path, n: int, tag: str, key: str) -> None:
    t, (a1, a2, a3) = tag.lower(), amounts(n)
    mail = emails(tag)
    folder = plans / t
    write(
        folder / "client.yml",
        yaml.safe_dump(
            {
                "name": f"{tag}-CLIENTNAME",
                "timezone": "Europe/Berlin",
                "signers": [{"name": f"{tag}-SIGNERNAME", "email": mail[2], "key": key}],
                "site": {"url": f"https://status.example.com/{t}/", "logo": "logo.svg"},
                "contact": {"name": f"{tag}-CONTACT", "email": contact(tag)},
                "internal": {
                    "note": f"INTERNAL-{tag}-client",
                    "nested": {"deep": [f"INTERNAL-{tag}-nested", mail[4]]},
                },
            },
            sort_keys=False,
        ),
    )
    write(
        folder / "logo.svg",
        f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
        f"<title>{tag}-LOGO</title></svg>",
    )
    project = folder / f"{t}-site"
    write(project / "documents" / f"{t}-brief.pdf", f"%PDF {tag}-DOCUMENT-CONTENT\n")
    plan = {
        "title": f"{tag}-PROJECTTITLE",
        "summary": f"{tag}-SUMMARY: questions to {mail[0]} please.",
        "currency": "EUR",
        "internal": {"budget": f"INTERNAL-{tag}-plan"},
        "milestones": [
            {
                "id": f"{t}-kickoff",
                "title": f"{tag}-KICKOFF",
                "phase": f"{tag}-PHASE",
                "owner": f"{tag}-OWNER <{mail[0]}>",
                "due": "2026-01-10",
                "delivered": "2026-01-08",
                "invoice": a1,
                "deliverables": [
                    f"{tag}-DELIVERABLE",
                    {"title": f"{tag}-DOCTITLE", "file": f"documents/{t}-brief.pdf"},
                ],
                "acceptance": [f"{tag}-CRITERION, confirmed by {mail[1]}"],
                "internal": {"risk": f"INTERNAL-{tag}-milestone"},
            },
            {
                "id": f"{t}-design",
                "title": f"{tag}-DESIGN",
                "due": "2026-02-20",
                "delivered": "2026-02-18",
                "owner": f"{tag}-OWNER",
                "invoice": a2,
            },
            {"id": f"{t}-launch", "title": f"{tag}-LAUNCH", "due": "2026-04-01", "invoice": a3},
        ],
    }
    write(project / "plan.yml", yaml.safe_dump(plan, sort_keys=False))


def approve(plans: Path, tag: str) -> None:
    t, mail = tag.lower(), emails(tag)
    front = yaml.safe_dump(
        {
            "milestone": f"{t}-kickoff",
            "decision": "approved",
            "date": "2026-01-12",
            "by": f"{tag}-APPROVER <{mail[1]}>",
            "deliverables": [f"{tag}-REVIEWED"],
            "internal": {"x": f"INTERNAL-{tag}-approval"},
        },
        sort_keys=False,
    )
    write(
        plans / t / f"{t}-site" / "approvals" / "2026-01-12-kickoff.md",
        f"---\n{front}---\n{tag}-NOTEBODY. Write to {mail[1]} or {mail[4]}.\n",
    )


def commit_as(repo: Path, tag: str, message: str, date: str) -> None:
    mail = emails(tag)[3]
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        f"user.name=Dev {tag}",
        "-c",
        f"user.email={mail}",
        "commit",
        "-q",
        f"--author=Dev {tag} <{mail}>",
        "-m",
        message,
        date=date,
    )


def theme_file_hashes() -> set[str]:
    """Files shipped by Material and our theme: byte-identical copies carry no client data."""
    import material

    roots = [
        Path(material.__file__).parent / "templates",
        Path(__file__).parent.parent / "theme" / "overrides",
    ]
    return {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in root.rglob("*")
        if p.is_file()
    }


def contents(folder: Path) -> dict[Path, bytes]:
    """Every file under `folder` (gzip files also decompressed)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path] = data + (gzip.decompress(data) if path.suffix == ".gz" else b"")
    return files


@pytest.fixture(scope="module")
def six(tmp_path_factory, keys):
    root = tmp_path_factory.mktemp("isolation")
    plans = root / "plans"
    for n, tag in enumerate(TAGS):
        make_client(plans, n, tag, keys["ada"][1])
        if n == 0:
            git(root, "init", "-q", "-b", "main")
        commit_as(root, tag, f"{tag}-SUBJECT-1 plan for {tag}", "2026-01-05")
    for tag in TAGS:  # a slip and an approval per client, each committed on its own
        path = plans / tag.lower() / f"{tag.lower()}-site" / "plan.yml"
        path.write_text(path.read_text().replace("due: '2026-02-20'", "due: '2026-02-27'"))
        approve(plans, tag)
        commit_as(root, tag, f"{tag}-SUBJECT-2 design moved", "2026-01-15")
    out = root / "site"
    report = build(BuildOptions(plans=plans, out=out, today=TODAY, jobs=2))
    assert sorted(s.slug for s in report.sites) == sorted(t.lower() for t in TAGS)
    return out


def test_each_site_shows_its_own_client(six):
    """The markers are really rendered: a test that finds nothing must be finding them absent."""
    for n, tag in enumerate(TAGS):
        site = contents(six / tag.lower())
        everything = b"\n".join(site.values())
        missing = [f for f in SHOWN_FIELDS if f"{tag}-{f}".encode() not in everything]
        assert not missing, (tag, missing)
        index = site[six / tag.lower() / "search" / "search_index.json"]
        # The client's name is in the header only (issue 15), not in the pages' searched text.
        for field in ("PROJECTTITLE", "KICKOFF", "NOTEBODY"):
            assert f"{tag}-{field}".encode() in index, (tag, field)
        assert b"9,137," in everything and str(amounts(n)[0]).encode() in everything
        assert b"[email hidden]" in everything  # the planted addresses were there, redacted


def test_no_site_holds_another_clients_data(six):
    theme = theme_file_hashes()
    problems = []
    for n, tag in enumerate(TAGS):
        site = contents(six / tag.lower())
        data_files = {
            p: d for p, d in site.items() if hashlib.sha256(p.read_bytes()).hexdigest() not in theme
        }
        for m, other in enumerate(TAGS):
            if other == tag:
                continue
            for path, data in site.items():  # every file, theme copies included
                if other.encode() in data or other.lower().encode() in data:
                    problems.append(f"{tag}: {other} in {path.relative_to(six)}")
            for amount in amounts(m):
                for form in (str(amount), f"{amount:,}"):
                    problems += [
                        f"{tag}: {other}'s amount {form} in {p.relative_to(six)}"
                        for p, d in data_files.items()
                        if form.encode() in d
                    ]
    assert not problems, "\n".join(problems)


def test_no_internal_value_and_no_email_address_anywhere(six):
    theme = theme_file_hashes()
    everything = contents(six)  # every client, the shared asset store, the lock file
    planted = [m.encode() for tag in TAGS for m in internals(tag) + emails(tag)]
    planted += [f"{tag}-SIGNERNAME".encode() for tag in TAGS]  # signers are not published
    leaks = [
        f"{m.decode()} in {p.relative_to(six)}"
        for p, data in everything.items()
        for m in planted
        if m in data
    ]
    assert not leaks, "\n".join(leaks)
    owners = {
        data: p.relative_to(six).parts[0]
        for p, data in everything.items()
        if p.relative_to(six).parts[0] in {t.lower() for t in TAGS}
    }
    for path, data in everything.items():  # nor any other address, in any file we wrote
        if hashlib.sha256(path.read_bytes()).hexdigest() in theme:
            continue
        # ... but the client's own contact, which client.yml publishes on purpose (in its
        # site, and in the shared store's copy of a file of its site)
        slug = owners.get(data, path.relative_to(six).parts[0])
        allowed = {contact(t).encode() for t in TAGS if t.lower() == slug}
        found = [a for a in EMAIL_RE.findall(data) if a not in allowed]
        assert not found, (path.relative_to(six), found[:3])
    for tag in TAGS:  # it is there: in the approval controls of the project page, and only
        page = (six / tag.lower() / "projects" / f"{tag.lower()}-site.html").read_bytes()
        assert f'data-sb-contact="{contact(tag)}"'.encode() in page
        assert page.count(contact(tag).encode()) == 1
    assert not [p for p in six.iterdir() if p.name.startswith("_")]  # no team dashboard


def test_git_history_reaches_each_site_but_not_its_authors_address(six):
    import json

    for tag in TAGS:
        status = json.loads((six / tag.lower() / "status.json").read_text())
        project = status["projects"][0]
        assert [c["milestone"] for c in project["schedule_changes"]] == [f"{tag.lower()}-design"]
        assert project["approvals"][0]["recorded"]["by"] == f"Dev {tag}"
        assert f"dev.{tag.lower()}" not in json.dumps(status)

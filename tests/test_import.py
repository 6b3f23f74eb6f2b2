"""`site-builder import`: tracker exports into plan.yml (new plans, merges, dry runs, errors).

Fixtures in tests/fixtures/import/ follow the shapes of the public API docs: GitHub's
GET /repos/{owner}/{repo}/milestones, GitLab's GET /projects/:id/milestones and Jira's issue
CSV export (repeated "Fix Version/s" columns, `10/Mar/26 12:00 AM` dates).
"""

import datetime as dt
import http.server
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CLIENT_YML, write

from site_builder.authoring.importers import fetch, sources
from site_builder.cli import main
from site_builder.errors import Diagnostics
from site_builder.plans.load import load_plans

FIXTURES = Path(__file__).parent / "fixtures" / "import"
GITHUB = FIXTURES / "github-milestones.json"


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def client(plans, slug="acme"):
    write(plans / slug / "client.yml", CLIENT_YML)


def milestones(plans, project="web"):
    loaded, diags = load_plans(plans)
    assert not diags.errors, [d.format() for d in diags.errors]
    found = next(p for p in loaded.client("acme").projects if p.slug == project)
    return {m.id: m for m in found.milestones}


def test_github_milestones_import_build_and_status_round_trip(plans, tmp_path):
    client(plans)
    result = cli("import", "github", str(GITHUB), "--into", "acme/web", "--title", "Relaunch")
    assert result.exit_code == 0, result.output
    assert "wrote plans/acme/web/plan.yml: 3 added, 0 updated, 0 unchanged" in result.output
    # The undated "Backlog" milestone is skipped, naming the line its object starts on.
    assert (
        'github-milestones.json:47: warning: milestone "Backlog" (github#7) has no due '
        "date; skipped" in result.stderr
    )
    built = cli("build", "--today", "2026-03-01", "--out", "public")
    assert built.exit_code == 0, built.output
    status = json.loads((tmp_path / "public" / "acme" / "status.json").read_text())
    project = status["projects"][0]
    assert project["title"] == "Relaunch"
    assert [(m["id"], m["title"], m["due"]) for m in project["milestones"]] == [
        ("discovery-readout-approved", "Discovery readout approved", "2026-02-06"),
        ("design-system-signed-off", "Design system signed off", "2026-03-13"),
        ("site-live-go-live", "Site live (go-live)", "2026-04-24"),
    ]
    # The tracker reference is kept where it is never published.
    assert milestones(plans)["design-system-signed-off"].internal == {"source": "github#4"}
    assert "github#4" not in (tmp_path / "public" / "acme" / "status.json").read_text()


HAND_WRITTEN = """\
# Hand-written plan: this comment stays.
title: Website relaunch
currency: EUR
milestones:
  - id: discovery-readout-approved   # matched by id
    title: Discovery readout (draft)
    owner: Sam Lee
    due: 2026-02-01   # moved twice already
    deliverables:
      - Research report
    acceptance:
      - Client confirms the three audience personas
    invoice: 8000

  - id: design
    title: >-
      Design system
      draft
    due: 2026-03-01
    invoice: 3000
    internal:
      source: github#4
      note: keep me

  - id: extra
    title: Something hand-made
    due: 2026-05-01
# trailing comment
"""


def test_merge_keeps_hand_written_fields_and_comments_and_updates_title_and_due(plans):
    client(plans)
    path = write(plans / "acme" / "web" / "plan.yml", HAND_WRITTEN)
    result = cli("import", "github", str(GITHUB), "--into", "acme/web")
    assert result.exit_code == 0, result.output
    assert "1 added, 2 updated, 0 unchanged" in result.output
    text = path.read_text()
    for kept in (
        "# Hand-written plan: this comment stays.",
        "   # matched by id",
        "due: 2026-02-06   # moved twice already",
        "      - Research report",
        "      note: keep me",
        "# trailing comment\n",
        "currency: EUR",
    ):
        assert kept in text
    got = milestones(plans)
    assert list(got) == ["discovery-readout-approved", "design", "extra", "site-live-go-live"]
    first = got["discovery-readout-approved"]
    assert (first.title, first.due, first.owner, first.invoice) == (
        "Discovery readout approved",
        dt.date(2026, 2, 6),
        "Sam Lee",
        8000,
    )
    assert [d.title for d in first.deliverables] == ["Research report"]
    assert first.acceptance == ("Client confirms the three audience personas",)
    assert first.internal == {"source": "github#3"}  # added, so a renamed title still matches
    # Matched by its source reference although the id differs; the block title is replaced.
    design = got["design"]
    assert (design.title, design.due, design.invoice) == (
        "Design system signed off",
        dt.date(2026, 3, 13),
        3000,
    )
    assert design.internal == {"source": "github#4", "note": "keep me"}
    assert got["extra"].title == "Something hand-made"  # not in the tracker: untouched
    assert got["site-live-go-live"].internal == {"source": "github#5"}
    # Importing again changes nothing.
    again = cli("import", "github", str(GITHUB), "--into", "acme/web")
    assert "already up to date (0 added, 0 updated, 3 unchanged)" in again.output
    assert path.read_text() == text


def test_reimport_matches_by_source_reference_when_the_tracker_renames(plans, tmp_path):
    client(plans)
    assert cli("import", "github", str(GITHUB), "--into", "acme/web").exit_code == 0
    renamed = json.loads(GITHUB.read_text())
    renamed[1]["title"] = "Design system approved by marketing"
    renamed[1]["due_on"] = "2026-03-20T08:00:00Z"
    (tmp_path / "renamed.json").write_text(json.dumps(renamed))
    result = cli("import", "github", "renamed.json", "--into", "acme/web")
    assert "0 added, 1 updated, 2 unchanged" in result.output
    design = milestones(plans)["design-system-signed-off"]  # the id never changes
    assert (design.title, design.due) == (
        "Design system approved by marketing",
        dt.date(2026, 3, 20),
    )


def test_a_different_tracker_milestone_with_the_same_title_gets_its_own_id(plans, tmp_path):
    client(plans)
    write(
        plans / "acme" / "web" / "plan.yml",
        "title: Web\nmilestones:\n  - id: beta\n"
        "    title: Beta\n    due: 2026-01-01\n    internal:\n      source: github#1\n",
    )
    (tmp_path / "gh.json").write_text(
        json.dumps(
            [{"number": 9, "title": "Beta", "due_on": "2026-02-01T00:00:00Z", "state": "open"}]
        )
    )
    assert cli("import", "github", "gh.json", "--into", "acme/web").exit_code == 0
    got = milestones(plans)
    assert got["beta"].due == dt.date(2026, 1, 1)
    assert (got["beta-2"].due, got["beta-2"].internal) == (
        dt.date(2026, 2, 1),
        {"source": "github#9"},
    )


def test_dry_run_prints_a_diff_and_writes_nothing(plans):
    client(plans)
    result = cli("import", "github", str(GITHUB), "--into", "acme/new", "--dry-run")
    assert result.exit_code == 0, result.output
    assert not (plans / "acme" / "new").exists()
    lines = result.stdout.splitlines()
    assert lines[:2] == ["--- /dev/null", "+++ b/plans/acme/new/plan.yml"]
    assert "+    title: Design system signed off" in lines
    path = write(plans / "acme" / "web" / "plan.yml", HAND_WRITTEN)
    before = path.read_bytes()
    result = cli("import", "github", str(GITHUB), "--into", "acme/web", "--dry-run")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["plan.yml"]
    lines = result.stdout.splitlines()
    assert lines[:2] == ["--- a/plans/acme/web/plan.yml", "+++ b/plans/acme/web/plan.yml"]
    assert "-    title: Discovery readout (draft)" in lines
    assert "+    title: Discovery readout approved" in lines
    assert "dry run: plans/acme/web/plan.yml not written (1 added, 2 updated" in result.stderr


def test_gitlab_milestones(plans):
    client(plans)
    assert (
        cli(
            "import", "gitlab", str(FIXTURES / "gitlab-milestones.json"), "--into", "acme/tms"
        ).exit_code
        == 0
    )
    got = milestones(plans, "tms")
    assert [(m.id, m.title, m.due.isoformat(), m.internal["source"]) for m in got.values()] == [
        ("kickoff-complete", "Kickoff complete", "2026-07-08", "gitlab#1"),
        ("sandbox-configured", "Sandbox configured", "2026-09-25", "gitlab#2"),
        ("go-live-dallas-fort-worth", "Go-live: Dallas & Fort Worth", "2026-12-01", "gitlab#3"),
    ]


def test_jira_epics_and_versions(plans):
    client(plans)
    result = cli("import", "jira", str(FIXTURES / "jira-export.csv"), "--into", "acme/epics")
    assert result.exit_code == 0, result.output
    assert (
        'jira-export.csv:6: warning: milestone "Content migration" (jira#WEB-3) has no '
        "due date" in result.stderr
    )
    got = milestones(plans, "epics")
    assert [(m.title, m.due.isoformat(), m.internal["source"]) for m in got.values()] == [
        ("Discovery readout approved", "2026-02-06", "jira#WEB-1"),  # its Epic Name
        ("Design system, components and tokens", "2026-03-13", "jira#WEB-2"),
    ]
    assert (
        cli(
            "import",
            "jira",
            str(FIXTURES / "jira-export.csv"),
            "--into",
            "acme/versions",
            "--jira-milestones",
            "versions",
        ).exit_code
        == 0
    )
    got = milestones(plans, "versions")
    # A version is due when its last issue is (WEB-2 is in both versions).
    assert [(m.id, m.due.isoformat()) for m in got.values()] == [
        ("release-1", "2026-03-13"),
        ("release-2", "2026-03-20"),
    ]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("10/Mar/26 12:00 AM", "2026-03-10"),
        ("1/Dec/26 9:30 PM", "2026-12-01"),
        ("10/mar/2026", "2026-03-10"),
        ("2026-03-10", "2026-03-10"),
        ("2026-03-10 00:00", "2026-03-10"),
        ("2026-03-10T23:00:00.000+0100", "2026-03-10"),
    ],
)
def test_jira_date_formats(cell, expected):
    assert sources.jira_date(cell).isoformat() == expected


@pytest.mark.parametrize("cell", ["31/Feb/26", "10/Mrz/26", "03/10/2026", "next week", ""])
def test_jira_dates_that_are_not_dates(cell):
    assert sources.jira_date(cell) is None


def test_jira_iso_export(plans):
    client(plans)
    assert (
        cli("import", "jira", str(FIXTURES / "jira-export-iso.csv"), "--into", "acme/ops").exit_code
        == 0
    )
    assert [(m.id, m.due.isoformat()) for m in milestones(plans, "ops").values()] == [
        ("go-live", "2026-04-24"),
        ("hypercare-ends", "2026-05-29"),
    ]


def test_generic_csv_writes_every_documented_column(plans):
    client(plans)
    assert (
        cli("import", "csv", str(FIXTURES / "milestones.csv"), "--into", "acme/web").exit_code == 0
    )
    got = milestones(plans)
    assert list(got) == ["kickoff", "design-approved", "launch"]
    kickoff = got["kickoff"]
    assert (
        kickoff.title,
        kickoff.due,
        kickoff.owner,
        kickoff.invoice,
        kickoff.phase,
        kickoff.delivered,
    ) == ("Kickoff done", dt.date(2026, 1, 10), "Sam Lee", 1000, "Initiate", dt.date(2026, 1, 8))
    assert got["launch"].title == "Site live, with redirects"


def test_bad_records_are_all_reported_with_their_line_and_nothing_is_written(plans, tmp_path):
    client(plans)
    (tmp_path / "bad.csv").write_text(
        "id,title,due,invoice\n"
        "ok,Fine,2026-01-01,10\n"
        "Bad Id,Bad id,2026-01-02,\n"
        "x,Spreadsheet date,03/10/2026,\n"
        "y,Money,2026-01-03,lots\n"
        "z,Far future,2626-01-03,\n"
        ",,2026-01-04,\n"
        "ok,Twice,2026-01-05,\n"
    )
    result = cli("import", "csv", "bad.csv", "--into", "acme/web")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:7] == [
        "bad.csv:3: error: `id` must be a slug (lower-case letters, digits and '-', starting "
        "with a letter or digit, at most 63), not `Bad Id`",
        "bad.csv:4: error: `due` must be a date written YYYY-MM-DD, not `03/10/2026`",
        "bad.csv:5: error: `invoice` must be an amount such as 8000 or 1250.50, not `lots`",
        "bad.csv:6: error: `due`: 2626-01-03 is outside the years site-builder accepts (2000 "
        "to 2100); check the year",
        "bad.csv:7: error: `title` is empty",
        "bad.csv:8: error: milestone id `ok` is used twice (first on line 2)",
        "site-builder: 6 error(s), 0 warning(s); nothing was written",
    ]
    assert not (plans / "acme" / "web").exists()
    (tmp_path / "nocols.csv").write_text("name,date\nA,2026-01-01\n")
    result = cli("import", "csv", "nocols.csv", "--into", "acme/web")
    assert "nocols.csv:1: error: the header has no `title` column" in result.stderr
    assert "nocols.csv:1: error: the header has no `due` column" in result.stderr


def test_bad_json_is_reported_with_its_line(plans, tmp_path):
    client(plans)
    (tmp_path / "gh.json").write_text(
        '[\n  {"number": 1, "title": "A", "due_on": null},\n'
        '  {"number": 2, "title": "B" "due_on": null}\n]\n'
    )
    result = cli("import", "github", "gh.json", "--into", "acme/web")
    assert result.exit_code == 1
    assert "gh.json:3: error: invalid JSON: Expecting ',' delimiter" in result.stderr
    (tmp_path / "gh.json").write_text(
        '[\n {"number": 1, "title": "A", "due_on": "soon"},\n'
        ' {"number": "2", "title": "B"},\n {"title": ""}\n]'
    )
    lines = cli("import", "github", "gh.json", "--into", "acme/web").stderr.splitlines()
    assert lines[:3] == [
        'gh.json:2: error: milestone "A": `due_on` must be a date (YYYY-MM-DD...), not "soon"',
        'gh.json:3: error: milestone "B": `number` must be a number',
        "gh.json:4: error: milestone without a `title`",
    ]
    (tmp_path / "gh.json").write_text('{"message": "Not Found"}')
    assert (
        "gh.json:1: error: expected a JSON list of milestones"
        in cli("import", "github", "gh.json", "--into", "acme/web").stderr
    )


def test_only_undated_milestones_is_an_error(plans, tmp_path):
    client(plans)
    (tmp_path / "gh.json").write_text('[{"number": 1, "title": "Backlog", "due_on": null}]')
    result = cli("import", "github", "gh.json", "--into", "acme/web")
    assert result.exit_code == 1
    assert "gh.json:0: error: no milestone with a due date to import" in result.stderr


HOSTILE_TITLES = [
    "x\n  - id: evil\n    title: injected",
    "title: nested: colon",
    "# not a comment",
    "'single",
    '"double',
    "*alias",
    "&anchor value",
    "!!python/object:os.system",
    "- dash",
    "[flow, list]",
    "{flow: map}",
    "yes",
    "2026-01-01",
    "null",
    "~",
    "@at",
    "%percent",
    "`backtick",
    "| pipe",
    "> fold",
    "trailing \\",
    "tab\there",
    "ünïcødé ☃",
    "a" * 300,
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_any_title_is_written_as_plain_text_and_reads_back_the_same(plans, tmp_path, title):
    client(plans)
    write(plans / "acme" / "web" / "plan.yml", HAND_WRITTEN)
    (tmp_path / "gh.json").write_text(
        json.dumps(
            [
                {"number": 4, "title": title, "due_on": "2026-02-06T00:00:00Z"},
                {"number": 99, "title": title, "due_on": "2026-06-01T00:00:00Z"},
            ]
        )
    )
    result = cli("import", "github", "gh.json", "--into", "acme/web")
    assert result.exit_code == 0, result.output
    got = milestones(plans)
    shown = " ".join(title.split())
    assert got["design"].title == shown  # replaced in place (a block scalar there)
    assert [m.title for m in got.values()][-1] == shown
    assert len(got) == 4  # three hand-written + one new: nothing injected


def test_a_file_name_cannot_inject_yaml_into_the_header_comment(plans, tmp_path):
    client(plans)
    name = tmp_path / "x\nmilestones: []\n.json"
    name.write_bytes(GITHUB.read_bytes())
    assert cli("import", "github", str(name), "--into", "acme/web").exit_code == 0
    assert len(milestones(plans)) == 3


def test_flow_style_milestones_are_refused_without_writing(plans):
    client(plans)
    text = "title: Web\nmilestones: [{id: a, title: A, due: 2026-01-01}]\n"
    path = write(plans / "acme" / "web" / "plan.yml", text)
    result = cli("import", "github", str(GITHUB), "--into", "acme/web")
    assert result.exit_code == 1
    assert "must be a block list" in result.stderr
    assert path.read_text() == text


def test_usage_errors_exit_2(plans):
    client(plans)
    assert cli("import", "github", str(GITHUB), "--into", "nobody/web").exit_code == 2
    assert cli("import", "github", str(GITHUB), "--into", "acme").exit_code == 2
    assert cli("import", "github", "--into", "acme/web").exit_code == 2
    assert cli("import", "csv", "missing.csv", "--into", "acme/web").exit_code == 2
    assert cli("import", "gitlab", "--repo", "a/b", "--into", "acme/web").exit_code == 2
    assert (
        cli(
            "import",
            "github",
            "--repo",
            "a/b",
            "--token-env",
            "NO_SUCH_VARIABLE_X",
            "--into",
            "acme/web",
        ).exit_code
        == 2
    )


def test_crlf_plans_stay_crlf(plans):
    client(plans)
    path = plans / "acme" / "web" / "plan.yml"
    path.parent.mkdir(parents=True)
    path.write_bytes(HAND_WRITTEN.replace("\n", "\r\n").encode())
    assert cli("import", "github", str(GITHUB), "--into", "acme/web").exit_code == 0
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert len(milestones(plans)) == 4


def test_fetch_reads_every_page_with_the_token(monkeypatch):
    """The live fetch against a local stand-in for the API: pagination and the token."""
    seen = []
    page_one = [
        {"number": n, "title": f"M{n}", "due_on": "2026-01-01T00:00:00Z"} for n in range(1, 101)
    ]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            body = json.dumps(
                page_one
                if "page=1&" in self.path + "&"
                else [{"number": 101, "title": "Last", "due_on": None}]
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        data = fetch.fetch_github_milestones(
            "octo/site", "t0ken", api=f"http://127.0.0.1:{server.server_port}"
        )
    finally:
        server.shutdown()
    assert [p for p, _ in seen] == [
        "/repos/octo/site/milestones?state=all&per_page=100&page=1",
        "/repos/octo/site/milestones?state=all&per_page=100&page=2",
    ]
    assert {a for _, a in seen} == {"Bearer t0ken"}
    diags = Diagnostics()
    records = sources.read("github", Path("github:octo/site"), data, diags)
    assert len(records) == 100 and len(diags.warnings) == 1


def test_slugify():
    assert sources.slugify("Go-live: Dallas & Fort Worth") == "go-live-dallas-fort-worth"
    assert sources.slugify("Équipe prête ✓") == "equipe-prete"
    assert sources.slugify("☃☃") == ""
    assert len(sources.slugify("x" * 100)) == 63


def test_csv_rows_match_by_id_and_change_only_title_and_due(plans, tmp_path):
    client(plans)
    write(
        plans / "acme" / "web" / "plan.yml",
        "title: Web\nmilestones:\n  - id: kickoff\n    title: Kickoff\n    owner: Sam Lee\n"
        "    due: 2026-01-01\n    invoice: 1000\n    internal:\n      source: github#1\n",
    )
    (tmp_path / "m.csv").write_text(
        "id,title,due,owner,invoice\n"
        "kickoff,Kickoff held,2026-01-05,Someone Else,5\n"
        ",Launch,2026-03-01,Ana Ruiz,1e3\n"
    )
    result = cli("import", "csv", "m.csv", "--into", "acme/web")
    assert "1 added, 1 updated, 0 unchanged" in result.output, result.output
    got = milestones(plans)
    kickoff = got["kickoff"]
    assert (kickoff.title, kickoff.due, kickoff.owner, kickoff.invoice) == (
        "Kickoff held",
        dt.date(2026, 1, 5),
        "Sam Lee",
        1000,
    )
    assert (got["launch"].owner, got["launch"].invoice) == ("Ana Ruiz", 1000)

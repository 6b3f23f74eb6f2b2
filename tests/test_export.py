"""Exports: `status --format json|csv`, `invoices`, `export jira`, and CSV formula protection."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import PLAN_YML, approval, make_client

from site_builder.authoring import export
from site_builder.authoring.importers import sources
from site_builder.cli import main
from site_builder.errors import Diagnostics


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def acme(plans):
    make_client(
        plans, approvals={"web": {"2026-01-09-kickoff.md": approval("kickoff", "2026-01-09")}}
    )
    return plans


def test_status_json_is_a_list_of_the_status_json_documents(acme, tmp_path):
    result = cli("status", "--today", "2026-02-11", "--format", "json")
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert cli("build", "--today", "2026-02-11", "--out", "public").exit_code == 0
    built = json.loads((tmp_path / "public" / "acme" / "status.json").read_text())
    assert documents == [built]


def test_status_csv_has_one_row_per_milestone(acme):
    result = cli("status", "--today", "2026-02-11", "--format", "csv", "acme")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(
        b"client,project,milestone,title,status,overdue,"
        b"due,baseline_due,approved_on,invoice,currency\r\n"
    )
    got = rows(result.stdout)
    assert [
        (r["milestone"], r["status"], r["overdue"], r["approved_on"], r["invoice"]) for r in got
    ] == [
        ("kickoff", "approved", "no", "2026-01-09", "1000"),
        ("design", "awaiting-approval", "yes", "", "3000"),
        ("launch", "upcoming", "no", "", "6000"),
    ]
    assert {r["client"] for r in got} == {"acme"} and {r["currency"] for r in got} == {"EUR"}


def test_status_table_stays_the_default(acme):
    result = cli("status", "--today", "2026-02-11")
    assert "Acme Widgets / Website relaunch" in result.output


def test_invoices_csv_columns_and_date_filter(acme):
    result = cli("invoices")
    assert result.exit_code == 0, result.output
    got = rows(result.stdout)
    assert list(got[0]) == [
        "client",
        "project",
        "milestone",
        "title",
        "amount",
        "currency",
        "approved_on",
        "invoiced",
        "due",
    ]
    assert [(r["milestone"], r["amount"], r["invoiced"], r["approved_on"]) for r in got] == [
        ("kickoff", "1000", "yes", "2026-01-09"),
        ("design", "3000", "no", ""),
        ("launch", "6000", "no", ""),
    ]

    # Invoiced rows count by approval date (kickoff: 01-09, though due 01-10); the others by
    # due date (design 02-10, launch 03-10). Both ends are inclusive.
    def between(start, end):
        out = cli("invoices", "--from", start, "--to", end)
        return [r["milestone"] for r in rows(out.stdout)]

    assert between("2026-01-09", "2026-01-09") == ["kickoff"]
    assert between("2026-01-10", "2026-02-10") == ["design"]
    assert between("2026-02-11", "2026-12-31") == ["launch"]
    assert cli("invoices", "--from", "2026-03-01", "--to", "2026-02-01").exit_code == 2


def test_invoices_json(acme):
    result = cli("invoices", "--format", "json", "--to", "2026-01-31")
    assert json.loads(result.stdout) == [
        {
            "client": "acme",
            "project": "web",
            "milestone": "kickoff",
            "title": "Kickoff done",
            "amount": 1000,
            "currency": "EUR",
            "approved_on": "2026-01-09",
            "invoiced": True,
            "due": "2026-01-10",
        }
    ]


def test_plan_to_jira_csv_and_back(acme):
    result = cli("export", "jira", "acme/web")
    assert result.exit_code == 0, result.output
    got = rows(result.stdout)
    assert list(got[0]) == ["Issue Type", "Summary", "Epic Name", "Due Date", "Description"]
    assert {r["Issue Type"] for r in got} == {"Epic"}
    assert got[1]["Description"] == (
        "Deliverables:\n* Mockups\n\nAcceptance criteria:\n* Looks good on phones"
    )
    assert got[0]["Description"] == "Owner: Sam Lee"
    diags = Diagnostics()
    records = sources.read("jira", Path("plan.csv"), result.stdout.encode(), diags)
    assert not diags.items
    assert [(r.title, r.due.isoformat()) for r in records] == [
        ("Kickoff done", "2026-01-10"),
        ("Design approved", "2026-02-10"),
        ("Site live", "2026-03-10"),
    ]


def test_export_jira_unknown_project_is_usage_error(acme):
    result = cli("export", "jira", "acme/nope")
    assert result.exit_code == 2
    assert "project `nope` not found in acme; projects: web" in result.stderr


FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "  =1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_every_csv_neutralises_formulas(plans, formula):
    quoted = json.dumps(formula)
    make_client(
        plans,
        projects={
            "web": PLAN_YML.replace("title: Site live", f"title: {quoted}").replace(
                "owner: Sam Lee", f"owner: {quoted}"
            )
        },
    )
    outputs = [
        cli("status", "--format", "csv", "--today", "2026-02-11").stdout,
        cli("invoices").stdout,
        cli("export", "jira", "acme/web").stdout,
    ]
    for text in outputs:
        cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
        assert "'" + formula in cells
        assert formula not in cells
        for cell in cells:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Reading our own export back drops the protection again.
    records = sources.read("jira", Path("p.csv"), outputs[2].encode(), Diagnostics())
    assert records[-1].title == " ".join(formula.split())


def test_safe_cell_covers_the_owasp_characters():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert export.safe_cell(start + "x").startswith("'")
    assert export.safe_cell("plain") == "plain"
    assert export.safe_cell(None) == ""
    assert export.safe_cell(True) == "yes"


def test_csv_output_is_inert_on_a_terminal(plans):
    make_client(
        plans,
        projects={
            "web": PLAN_YML.replace("title: Site live", 'title: "Site \\e[2J live \\u202e evil"')
        },
    )
    for form in ("csv", "json"):
        text = cli("status", "--format", form, "--today", "2026-02-11").stdout
        # As in status.json, control characters are dropped; the bidi override is escaped.
        assert "\x1b" not in text and "\u202e" not in text
        assert "Site [2J live \\u202e evil" in text
    data = json.loads(text)
    assert data[0]["projects"][0]["milestones"][2]["title"] == "Site [2J live \u202e evil"


def test_exports_are_deterministic(acme):
    for args in (
        ["status", "--format", "json"],
        ["status", "--format", "csv"],
        ["invoices"],
        ["export", "jira", "acme/web"],
    ):
        args = args + (["--today", "2026-02-11"] if args[0] == "status" else [])
        assert cli(*args).stdout == cli(*args).stdout


def test_plan_errors_exit_1(plans):
    make_client(plans, projects={"web": PLAN_YML.replace("due: 2026-01-10", "due: soon")})
    for args in (["status", "--format", "csv"], ["invoices"], ["export", "jira", "acme/web"]):
        result = cli(*args)
        assert result.exit_code == 1
        assert "plans/acme/web/plan.yml:7: error:" in result.stderr


def test_a_title_that_starts_with_a_quote_survives_the_round_trip(plans):
    make_client(
        plans, projects={"web": PLAN_YML.replace("title: Site live", 'title: "\'=not a formula"')}
    )
    text = cli("export", "jira", "acme/web").stdout
    assert "''=not a formula" in text
    records = sources.read("jira", Path("p.csv"), text.encode(), Diagnostics())
    assert records[-1].title == "'=not a formula"

"""The command line: options, output format and exit codes (0 ok, 1 plan errors, 2 usage)."""

import json
import subprocess
import sys

from click.testing import CliRunner
from helpers import PLAN_YML, approval, make_client

from site_builder.cli import main


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_ok(plans):
    make_client(plans)
    result = cli("check")
    assert result.exit_code == 0
    assert "ok: 1 client(s), 1 project(s), 0 warning(s)" in result.output


def test_check_reports_every_problem_and_exits_1(plans):
    make_client(
        plans,
        projects={"web": PLAN_YML.replace("due: 2026-01-10", "due: soon")},
        approvals={"web": {"n.md": approval("nope", "2026-01-01")}},
    )
    result = cli("check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "plans/acme/web/approvals/n.md:2: error: milestone `nope` not found; ids in this plan: "
        "design, launch",
        "plans/acme/web/plan.yml:7: error: `milestones[1].due` must be a date written "
        "YYYY-MM-DD, not `soon`",
    ]
    assert "Traceback" not in result.output


def test_warnings_fail_only_with_strict(plans):
    items = "".join(
        f"  - id: m{i}\n    title: M\n    due: 2026-01-{i + 1:02d}\n" for i in range(11)
    )
    make_client(plans, projects={"web": f"title: Big\nmilestones:\n{items}"})
    assert cli("check").exit_code == 0
    strict = cli("check", "--strict")
    assert strict.exit_code == 1
    assert "plans/acme/web/plan.yml:2: warning: 11 milestones" in strict.stderr


def test_bad_usage_exits_2(plans):
    make_client(plans)
    assert cli("build", "--today", "01/02/2026").exit_code == 2
    assert cli("build", "--client", "nobody").exit_code == 2
    assert cli("check", "--plans", "missing").exit_code == 2
    assert cli("frobnicate").exit_code == 2


def test_build_prints_where_each_site_went(plans, tmp_path):
    make_client(plans)
    result = cli("build", "--today", "2026-02-01", "--out", "public")
    assert result.exit_code == 0, result.output
    assert "acme: public/acme/index.html" in result.output
    assert (
        json.loads((tmp_path / "public" / "acme" / "status.json").read_text())["today"]
        == "2026-02-01"
    )


def test_status_prints_a_table(plans):
    make_client(plans, approvals={"web": {"n.md": approval("kickoff", "2026-01-09")}})
    result = cli("status", "--today", "2026-02-11", "acme")
    assert result.exit_code == 0
    assert "Acme Widgets / Website relaunch" in result.output
    assert "1/3 approved" in result.output
    assert "awaiting-approval · overdue" in result.output


def test_python_dash_m_is_the_same_program_and_never_shows_a_traceback(plans):
    make_client(plans, projects={"web": "title: [unclosed\n"})
    done = subprocess.run(
        [sys.executable, "-m", "site_builder", "check"], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.startswith("plans/acme/web/plan.yml:2: error: invalid YAML")
    assert "Traceback" not in done.stderr


def test_bad_option_values_are_echoed_inert(plans):
    make_client(plans)
    for args in (
        ["build", "--today", "\x1b[2J\x1b]0;owned\x07"],
        ["build", "--shard", "1/\x1b[2J"],
    ):
        result = cli(*args)
        assert result.exit_code == 2
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "`\\x1b[2J" in result.output or "\\x1b[2J`" in result.output


def test_every_command_maps_exceptions_the_same_way(plans, monkeypatch):
    """One place (cli.shared.Commands) turns exceptions into exit codes for every command,
    nested groups included: usage 2, plan errors 1, a bug a one-line internal error."""
    import site_builder.authoring.export
    import site_builder.build
    from site_builder.cli import EXIT_INTERNAL

    make_client(plans)
    assert cli("new", "client", "--frobnicate").exit_code == 2  # a nested group's option
    assert cli("signers", "add").exit_code == 2

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(site_builder.build, "validate", broken)
    monkeypatch.setattr(site_builder.authoring.export, "validate", broken)
    for args in (["check"], ["status"], ["events", "--due-within", "3"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == EXIT_INTERNAL, (args, result.output)
        assert "internal error: RuntimeError: boom" in result.stderr
        assert "Traceback" not in result.output

"""`site-builder approve` and `site-builder verify`, with real ssh-keygen keys made in the test."""

import datetime as dt
import subprocess
import sys
import zoneinfo

import pytest
from click.testing import CliRunner
from helpers import PLAN_YML, approval, make_client, sign, write

from site_builder.cli import main
from site_builder.plans.load import load_plans


def cli(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def client_yml(keys, require=False):
    return (
        f"name: Acme\ntimezone: UTC\nrequire_signed_approvals: "
        f"{'true' if require else 'false'}\n"
        f"signers:\n  - name: Ada Client\n    email: ada@acme.example\n"
        f"    key: {keys['ada'][1]}\n"
    )


@pytest.fixture
def acme(plans, keys):
    make_client(plans, client_yml=client_yml(keys))
    return plans / "acme" / "web" / "approvals"


def approvals(plans):
    loaded, diags = load_plans(plans)
    assert not diags.errors, [d.format() for d in diags.errors]
    return {a.name: a for a in loaded.client("acme").projects[0].approvals}


def test_approve_writes_a_note_the_loader_reads(plans, acme, tmp_path):
    write(tmp_path / "note.md", "Approved, **with thanks**.\r\nSecond line.")
    result = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Ada Client <Ada@Acme.example>",
        "--date",
        "2026-02-06",
        "--note-file",
        "note.md",
        "--deliverable",
        "Mockups",
        "--deliverable",
        "Style: tiles",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "wrote plans/acme/web/approvals/2026-02-06-design.md\n"
    note = acme / "2026-02-06-design.md"
    assert note.read_text() == (
        "---\nclient: acme\nproject: web\nmilestone: design\ndecision: approved\ndate: 2026-02-06\n"
        'by: Ada Client <Ada@Acme.example>\ndeliverables:\n  - Mockups\n  - "Style: tiles"\n'
        "---\nApproved, **with thanks**.\nSecond line.\n"
    )
    (found,) = approvals(plans).values()
    assert (found.milestone, found.decision, found.date, found.by_name, found.by_email) == (
        "design",
        "approved",
        dt.date(2026, 2, 6),
        "Ada Client",
        "ada@acme.example",
    )
    assert found.deliverables == ("Mockups", "Style: tiles")
    assert found.signature == "unsigned"


def test_approve_never_overwrites(plans, acme):
    for decision in ("changes-requested", "rejected", "approved"):
        result = cli(
            "approve",
            "acme/web",
            "design",
            "--by",
            "Ada Client <ada@acme.example>",
            "--date",
            "2026-02-06",
            "--decision",
            decision,
        )
        assert result.exit_code == 0, result.output
    write(acme / "2026-02-07-design.md.sig", "stray")  # a leftover signature blocks its name
    cli("approve", "acme/web", "design", "--by", "Ada <ada@acme.example>", "--date", "2026-02-07")
    names = sorted(p.name for p in acme.iterdir())
    assert names == [
        "2026-02-06-design-2.md",
        "2026-02-06-design-3.md",
        "2026-02-06-design.md",
        "2026-02-07-design-2.md",
        "2026-02-07-design.md.sig",
    ]
    (acme / "2026-02-07-design.md.sig").unlink()  # the loader reports a .sig without a note
    found = approvals(plans)
    assert [found[n].decision for n in sorted(found)] == [
        "rejected",
        "approved",
        "changes-requested",
        "approved",
    ]
    assert (acme / "2026-02-06-design.md").read_text().endswith("---\nChanges requested.\n")


def test_approve_defaults_to_today_in_the_clients_zone(plans, keys):
    make_client(plans, client_yml=client_yml(keys).replace("UTC", "Pacific/Kiritimati"))
    assert cli("approve", "acme/web", "launch", "--by", "Ada <ada@acme.example>").exit_code == 0
    today = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()
    assert (plans / "acme" / "web" / "approvals" / f"{today}-launch.md").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["acme/web", "desgin"],
            "milestone `desgin` not found in acme/web (did you mean `design`?); "
            "ids in this plan: kickoff, design, launch",
        ),
        (
            ["acme/wbe", "design"],
            "project `acme/wbe` not found (did you mean `web`?); projects of acme: web",
        ),
        (["acmee/web", "design"], "client `acmee` not found in plans/ (did you mean `acme`?)"),
        (["acme/web", "design", "--by", "Ada Client"], "--by must be a name and an email"),
        (["acme/web", "design", "--date", "6.2.2026"], "is not a date written YYYY-MM-DD"),
        (["acme/web", "design", "--decision", "approve"], "'approve' is not one of"),
        (
            ["acme/web", "design", "--sign", "missing_key"],
            "--sign: key file `missing_key` not found",
        ),
        (["acme/web", "design", "--note-file", "missing.md"], "missing.md"),
    ],
)
def test_approve_bad_usage_writes_nothing(plans, acme, args, message):
    if "--by" not in args:
        args = [*args, "--by", "Ada Client <ada@acme.example>"]
    result = cli("approve", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not acme.exists()


def test_approve_refuses_a_broken_plan(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(keys),
        projects={"web": "title: Web\nmilestones:\n  - id: kickoff\n    title: K\n    due: soon\n"},
    )
    result = cli("approve", "acme/web", "kickoff", "--by", "Ada <ada@acme.example>")
    assert result.exit_code == 1
    assert "plans/acme/web/plan.yml:5: error: `milestones[1].due` must be a date" in result.stderr


def test_approve_note_from_stdin(plans, acme):
    result = cli(
        "approve",
        "acme/web",
        "kickoff",
        "--by",
        "Ada <ada@acme.example>",
        "--date",
        "2026-01-09",
        "--note-file",
        "-",
        input="From the email of 9 January.\n",
    )
    assert result.exit_code == 0
    assert (
        (acme / "2026-01-09-kickoff.md").read_text().endswith("---\nFrom the email of 9 January.\n")
    )


def test_approve_and_sign_verifies(plans, acme, keys):
    result = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-02-06",
        "--sign",
        str(keys["ada"][0]),
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "wrote plans/acme/web/approvals/2026-02-06-design.md",
        "signed plans/acme/web/approvals/2026-02-06-design.md.sig",
        "verified: signed by Ada Client <ada@acme.example>, a signer in plans/acme/client.yml",
    ]
    assert approvals(plans)["2026-02-06-design.md"].signature == "verified"
    # The note names its client and project, so the signature binds it to acme/web.
    assert (
        (acme / "2026-02-06-design.md")
        .read_text()
        .startswith("---\nclient: acme\nproject: web\nmilestone: design\n")
    )
    _, diags = load_plans(plans)
    assert not [d for d in diags.items if "approvals" in d.path.parts]  # no "not bound"


def test_signing_with_a_retired_key_says_so(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(keys).replace(
            f"    key: {keys['ada'][1]}\n",
            f"    keys:\n      - {{key: {keys['ada'][1]}, valid_before: 2026-05-31}}\n",
        ),
    )
    result = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-06-01",
        "--sign",
        str(keys["ada"][0]),
    )
    assert result.exit_code == 1
    assert (
        f"the signature is unknown-signer: {keys['ada'][0]} is a key plans/acme/client.yml "
        "lists for ada@acme.example, but it is valid from any date to 2026-05-31 and the "
        "note is dated 2026-06-01."
    ) in result.stderr
    ok = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-05-31",
        "--sign",
        str(keys["ada"][0]),
    )
    assert ok.exit_code == 0, ok.output


def test_signing_with_a_key_client_yml_does_not_list_fails_and_keeps_the_files(plans, acme, keys):
    result = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-02-06",
        "--sign",
        str(keys["eve"][0]),
    )
    assert result.exit_code == 1
    assert "the signature is unknown-signer" in result.stderr
    assert "is not the key plans/acme/client.yml lists for ada@acme.example" in result.stderr
    assert "The note and its signature were kept so you can inspect them" in result.stderr
    assert (acme / "2026-02-06-design.md.sig").is_file()
    assert approvals(plans)["2026-02-06-design.md"].signature == "unknown-signer"


def test_signing_as_someone_not_listed_says_who_is(plans, acme, keys):
    result = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Eve <eve@acme.example>",
        "--sign",
        str(keys["eve"][0]),
    )
    assert result.exit_code == 1
    assert (
        "lists no signer with the email eve@acme.example (signers: ada@acme.example)"
        in result.stderr
    )


def test_signing_with_a_broken_key_file_keeps_the_unsigned_note(plans, acme, tmp_path):
    write(tmp_path / "not-a-key", "hello\n")
    result = cli(
        "approve",
        "acme/web",
        "design",
        "--by",
        "Ada <ada@acme.example>",
        "--date",
        "2026-02-06",
        "--sign",
        "not-a-key",
    )
    assert result.exit_code == 1
    assert "ssh-keygen could not sign with not-a-key" in result.stderr
    assert (
        "was written unsigned; sign it later with: ssh-keygen -Y sign -n "
        "milestone-approval -f not-a-key plans/acme/web/approvals/2026-02-06-design.md"
        in result.stderr
    )
    assert sorted(p.name for p in acme.iterdir()) == ["2026-02-06-design.md"]


def test_unsigned_approval_for_a_client_requiring_signatures_says_how_to_sign(plans, keys):
    make_client(plans, client_yml=client_yml(keys, require=True))
    result = cli(
        "approve",
        "acme/web",
        "kickoff",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-01-09",
    )
    assert result.exit_code == 0
    assert "requires signed approvals" in result.output
    assert (
        "ssh-keygen -Y sign -n milestone-approval -f ~/.ssh/id_ed25519 "
        "plans/acme/web/approvals/2026-01-09-kickoff.md" in result.output
    )


def test_approve_and_sign_via_subprocess(plans, acme, keys):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "approve",
            "acme/web",
            "kickoff",
            "--by",
            "Ada Client <ada@acme.example>",
            "--date",
            "2026-01-09",
            "--sign",
            str(keys["ada"][0]),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert "verified: signed by Ada Client" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "site_builder", "verify"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[0]
        == "verified        plans/acme/web/approvals/2026-01-09-kickoff.md  Ada Client"
    )


# --- verify -----------------------------------------------------------------------------------


@pytest.fixture
def signed_notes(plans, keys):
    """Notes in every signature state, in two projects."""
    make_client(
        plans,
        client_yml=client_yml(keys),
        projects={"web": PLAN_YML, "app": PLAN_YML},
        approvals={
            "web": {
                "1-ok.md": approval("kickoff", "2026-01-09"),
                "2-unsigned.md": approval("design", "2026-02-06"),
                "3-tampered.md": approval("design", "2026-02-07"),
                "4-eve.md": approval("design", "2026-02-08"),
            },
            "app": {"ok.md": approval("kickoff", "2026-01-09")},
        },
    )
    web, app = plans / "acme" / "web" / "approvals", plans / "acme" / "app" / "approvals"
    sign(web / "1-ok.md", keys["ada"][0])
    sign(web / "3-tampered.md", keys["ada"][0])
    (web / "3-tampered.md").write_text(approval("design", "2026-02-07", body="Changed!\n"))
    sign(web / "4-eve.md", keys["eve"][0])
    sign(app / "ok.md", keys["ada"][0])
    write(plans / "acme" / "web" / "documents" / "readme.md", "not a note\n")
    return web, app


def test_verify_lists_every_note_and_fails_on_invalid(plans, signed_notes):
    result = cli("verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "verified        plans/acme/app/approvals/ok.md  Ada Client",
        "verified        plans/acme/web/approvals/1-ok.md  Ada Client",
        "unsigned        plans/acme/web/approvals/2-unsigned.md  Ada Client",
        "invalid         plans/acme/web/approvals/3-tampered.md  Ada Client",
        "unknown-signer  plans/acme/web/approvals/4-eve.md  Ada Client",
        "5 note(s): 2 verified, 1 unsigned, 1 invalid, 1 unknown-signer",
    ]
    assert "1 note(s) with an invalid signature" in result.stderr


def test_verify_given_paths(plans, signed_notes):
    web, app = signed_notes
    only = cli("verify", str(web / "1-ok.md.sig"), str(app))
    assert only.exit_code == 0
    assert only.stdout.splitlines() == [
        "verified        plans/acme/app/approvals/ok.md  Ada Client",
        "verified        plans/acme/web/approvals/1-ok.md  Ada Client",
        "2 note(s): 2 verified",
    ]
    unsigned = cli("verify", str(web / "2-unsigned.md"))
    assert unsigned.exit_code == 0
    strict = cli("verify", "--strict", str(web / "2-unsigned.md"))
    assert strict.exit_code == 1
    assert "--strict: not every note has a verified signature" in strict.stderr
    assert cli("verify", "nowhere").exit_code == 2
    assert cli("verify", str(plans / "acme" / "client.yml")).exit_code == 2


def test_verify_marks_notes_that_do_not_count(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(keys, require=True),
        approvals={"web": {"n.md": approval("kickoff", "2026-01-09")}},
    )
    result = cli("verify")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "unsigned        plans/acme/web/approvals/n.md  "
        "Ada Client  (does not count: signatures required)"
    )


def test_verify_reports_unreadable_notes(plans, keys):
    make_client(
        plans, client_yml=client_yml(keys), approvals={"web": {"n.md": "no front matter\n"}}
    )
    result = cli("verify")
    assert result.exit_code == 1
    assert "unreadable      plans/acme/web/approvals/n.md" in result.stdout
    assert (
        "plans/acme/web/approvals/n.md:1: error: an approval note starts with YAML front "
        "matter" in result.stderr
    )


def test_verify_with_no_notes(plans, keys):
    make_client(plans, client_yml=client_yml(keys))
    result = cli("verify")
    assert result.exit_code == 0
    assert result.stdout == "0 note(s): none found\n"


def test_verify_from_another_directory(plans, signed_notes, monkeypatch):
    monkeypatch.chdir(plans / "acme")
    result = cli("verify", "--plans", "..", "app")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "verified        app/approvals/ok.md  Ada Client"


def test_verify_warns_about_unbound_signed_notes_and_refuses_misplaced_ones(
    plans, signed_notes, keys
):
    web, app = signed_notes
    result = cli("verify", str(web / "1-ok.md"))
    assert result.exit_code == 0
    assert (
        "plans/acme/web/approvals/1-ok.md:2: warning: signed note is not bound to its "
        "client and project; re-sign with site-builder approve --sign"
    ) in result.stderr
    bound = cli(
        "approve",
        "acme/web",
        "launch",
        "--by",
        "Ada Client <ada@acme.example>",
        "--date",
        "2026-03-09",
        "--sign",
        str(keys["ada"][0]),
    )
    assert bound.exit_code == 0, bound.output
    note = web / "2026-03-09-launch.md"
    for suffix in ("", ".sig"):
        (app / f"{note.name}{suffix}").write_bytes((web / f"{note.name}{suffix}").read_bytes())
    copied = cli("verify", str(app / note.name))
    assert copied.exit_code == 1
    assert (
        "plans/acme/app/approvals/2026-03-09-launch.md:3: error: `project: web` does not "
        "match the folder this note lies in (acme/app)"
    ) in copied.stderr
    assert cli("verify", str(note)).stderr == ""

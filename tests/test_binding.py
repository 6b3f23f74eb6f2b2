"""Signed approvals are bound to their client and project, and signers may rotate keys.

Real ssh-keygen keys (the `keys` fixture); plans folders built in tmp_path; statuses derived
from what the loader returns.
"""

import datetime as dt
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from helpers import PLAN_YML, approval, make_client, sign

from site_builder.cli import main
from site_builder.derive import derive_project
from site_builder.model import SigningKey
from site_builder.plans.load import load_plans

D = dt.date.fromisoformat
BOUND = "client: acme\nproject: web\n"


def client_yml(signers: str, require: bool = True) -> str:
    return (
        f"name: Acme\nrequire_signed_approvals: {'true' if require else 'false'}\n"
        f"signers:\n{signers}access: {{mode: link}}\n"
    )


def ada(key_lines: str) -> str:
    """One signer, Ada, whose key field(s) are `key_lines` (indented under the signer)."""
    return f"  - name: Ada Client\n    email: ada@acme.example\n{key_lines}"


def formatted(diagnostics) -> list[str]:
    return [d.format() for d in diagnostics]


def project_state(plans, slug="web", today="2026-07-01"):
    loaded, diags = load_plans(plans)
    assert not diags.errors, formatted(diags.errors)
    client = loaded.client("acme")
    project = next(p for p in client.projects if p.slug == slug)
    return derive_project(client, project, D(today)), project, diags


def statuses(state):
    return {s.id: s.status for s in state.milestones}


# --- binding ----------------------------------------------------------------------------------


@pytest.fixture
def two_projects(plans, keys):
    """acme (signatures required) with projects web and app from the same template; Ada has
    signed a bound approval of web's kickoff."""
    make_client(
        plans,
        client_yml=client_yml(ada(f"    key: {keys['ada'][1]}\n")),
        projects={"web": PLAN_YML, "app": PLAN_YML},
        approvals={
            "web": {"2026-01-09-kickoff.md": approval("kickoff", "2026-01-09", extra=BOUND)}
        },
    )
    note = plans / "acme" / "web" / "approvals" / "2026-01-09-kickoff.md"
    sign(note, keys["ada"][0])
    return note


def test_bound_signed_note_counts_in_its_own_project(plans, two_projects):
    state, project, diags = project_state(plans)
    assert project.approvals[0].signature == "verified"
    assert statuses(state)["kickoff"] == "approved"
    assert state.metrics.invoiced == 1000
    assert not diags.warnings, formatted(diags.warnings)


def test_signed_note_copied_into_another_project_is_an_error_and_counts_nowhere(
    plans, two_projects
):
    target = plans / "acme" / "app" / "approvals"
    target.mkdir()
    for name in ("2026-01-09-kickoff.md", "2026-01-09-kickoff.md.sig"):
        shutil.copy(two_projects.parent / name, target / name)
    loaded, diags = load_plans(plans)
    # client: is on line 6 of the note, project: on line 7: the error points at `project:`.
    assert formatted(diags.errors) == [
        "plans/acme/app/approvals/2026-01-09-kickoff.md:7: error: `project: web` does not match "
        "the folder this note lies in (acme/app): the note was made for acme/web and does not "
        "count here; remove this copy, or record the decision for this project with "
        "`site-builder approve`"
    ]
    assert loaded.clients == ()  # nothing is built or invoiced from a client with errors
    result = CliRunner().invoke(main, ["status", "--today", "2026-07-01"])
    assert result.exit_code == 1
    assert "approvals/2026-01-09-kickoff.md:7: error: `project: web`" in result.stderr
    # Without the copy, app's kickoff is not approved and its invoice is not released.
    shutil.rmtree(target)
    state, _, _ = project_state(plans, "app")
    assert statuses(state)["kickoff"] == "awaiting-approval"
    assert state.metrics.invoiced == 0


def test_signed_note_copied_to_another_client_points_at_client(plans, two_projects, keys):
    # The other client lists the same signer (an agency's contact working for two brands).
    make_client(plans, slug="globex", client_yml=client_yml(ada(f"    key: {keys['ada'][1]}\n")))
    target = plans / "globex" / "web" / "approvals"
    target.mkdir()
    for name in ("2026-01-09-kickoff.md", "2026-01-09-kickoff.md.sig"):
        shutil.copy(two_projects.parent / name, target / name)
    _, diags = load_plans(plans)
    (error,) = formatted(diags.errors)
    assert error.startswith(
        "plans/globex/web/approvals/2026-01-09-kickoff.md:6: error: "
        "`client: acme` does not match the folder this note lies in "
        "(globex/web)"
    )


def test_unsigned_notes_are_checked_against_their_folder_too(plans):
    make_client(
        plans,
        approvals={
            "web": {
                "a.md": approval("kickoff", "2026-01-09", extra="client: acme\nproject: app\n"),
                "b.md": approval("design", "2026-02-06", extra="project: web\n"),
                "c.md": approval("launch", "2026-03-06", extra="client: Acme\nproject: web\n"),
            }
        },
    )
    _, diags = load_plans(plans)
    assert formatted(diags.errors) == [
        "plans/acme/web/approvals/a.md:7: error: `project: app` does not match the folder this "
        "note lies in (acme/web): the note was made for acme/app and does not count here; "
        "remove this copy, or record the decision for this project with `site-builder approve`",
        "plans/acme/web/approvals/b.md:6: error: `project: web` needs `client:` too: a note "
        "names both its client and its project, e.g. `client: acme`",
        "plans/acme/web/approvals/c.md:6: error: `client` must be a slug (lower-case letters, "
        "digits and '-', starting with a letter or digit, at most 63), not `Acme`",
    ]


def test_signed_unbound_note_still_counts_with_a_warning(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(ada(f"    key: {keys['ada'][1]}\n")),
        approvals={"web": {"old.md": approval("kickoff", "2026-01-09")}},
    )
    sign(plans / "acme" / "web" / "approvals" / "old.md", keys["ada"][0])
    state, project, diags = project_state(plans)
    assert project.approvals[0].signature == "verified"
    assert statuses(state)["kickoff"] == "approved"
    assert state.metrics.invoiced == 1000
    assert formatted(diags.warnings) == [
        "plans/acme/web/approvals/old.md:2: warning: signed note is not bound to its client "
        "and project; re-sign with site-builder approve --sign (or add `client: acme` and "
        "`project: web` to its front matter and sign it again): until then a copy of it and "
        "its .sig would count in any project of acme with the same milestone id"
    ]


def test_unsigned_unbound_notes_need_no_binding(plans):
    make_client(plans, approvals={"web": {"n.md": approval("kickoff", "2026-01-09")}})
    _, diags = load_plans(plans)
    assert not diags.items, formatted(diags.items)


# --- key rotation -----------------------------------------------------------------------------


@pytest.fixture
def rotated(plans, keys):
    """Ada's old key (the `ada` pair) retired after 2026-05-31; her new one (the `eve` pair,
    here a second key of Ada's) valid from 2026-06-01."""
    old, new = keys["ada"][1], keys["eve"][1]
    make_client(
        plans,
        client_yml=client_yml(
            ada(
                f"    keys:\n      - key: {old}\n        valid_before: 2026-05-31\n"
                f"      - {{key: {new}, valid_after: 2026-06-01}}\n"
            )
        ),
        approvals={
            "web": {
                "1-old-key-in-window.md": approval("kickoff", "2026-05-31", extra=BOUND),
                "2-new-key-in-window.md": approval("design", "2026-06-01", extra=BOUND),
                "3-old-key-after-retirement.md": approval("launch", "2026-06-01", extra=BOUND),
                "4-new-key-backdated.md": approval("launch", "2026-05-30", extra=BOUND),
            }
        },
    )
    folder = plans / "acme" / "web" / "approvals"
    sign(folder / "1-old-key-in-window.md", keys["ada"][0])
    sign(folder / "2-new-key-in-window.md", keys["eve"][0])
    sign(folder / "3-old-key-after-retirement.md", keys["ada"][0])
    sign(folder / "4-new-key-backdated.md", keys["eve"][0])
    return folder


def test_rotation_keeps_earlier_notes_verified_and_refuses_keys_outside_their_window(
    plans, rotated
):
    state, project, diags = project_state(plans)
    assert {a.name: a.signature for a in project.approvals} == {
        "1-old-key-in-window.md": "verified",
        "2-new-key-in-window.md": "verified",
        "3-old-key-after-retirement.md": "unknown-signer",
        "4-new-key-backdated.md": "unknown-signer",
    }
    assert statuses(state) == {"kickoff": "approved", "design": "approved", "launch": "in-progress"}
    assert state.metrics.invoiced == 4000  # launch's 6000 stays unreleased
    window_warnings = [d.format() for d in diags.warnings if "lists for" in d.message]
    assert window_warnings == [  # at the line of each note's `date:`
        "plans/acme/web/approvals/3-old-key-after-retirement.md:4: warning: signature "
        "3-old-key-after-retirement.md.sig is by a key client.yml lists for ada@acme.example, "
        "but that key is valid from any date to 2026-05-31 and the note is dated 2026-06-01",
        "plans/acme/web/approvals/4-new-key-backdated.md:4: warning: signature "
        "4-new-key-backdated.md.sig is by a key client.yml lists for ada@acme.example, but "
        "that key is valid from 2026-06-01 to any later date and the note is dated 2026-05-30",
    ]


def test_two_keys_without_windows_both_verify(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(
            ada(f"    keys:\n      - {keys['ada'][1]}\n      - {keys['eve'][1]}\n")
        ),
        approvals={
            "web": {
                "a.md": approval("kickoff", "2026-01-09", extra=BOUND),
                "e.md": approval("design", "2026-02-06", extra=BOUND),
            }
        },
    )
    folder = plans / "acme" / "web" / "approvals"
    sign(folder / "a.md", keys["ada"][0])
    sign(folder / "e.md", keys["eve"][0])
    state, project, diags = project_state(plans)
    assert [a.signature for a in project.approvals] == ["verified", "verified"]
    assert state.metrics.invoiced == 4000
    assert not diags.items, formatted(diags.items)


def test_replacing_the_key_outright_still_unverifies_earlier_notes(plans, keys):
    """The reason for `keys:`: with only the new key listed, the old notes do not verify."""
    make_client(
        plans,
        client_yml=client_yml(ada(f"    key: {keys['eve'][1]}\n")),
        approvals={"web": {"a.md": approval("kickoff", "2026-01-09", extra=BOUND)}},
    )
    sign(plans / "acme" / "web" / "approvals" / "a.md", keys["ada"][0])
    _, project, _ = project_state(plans)
    assert project.approvals[0].signature == "unknown-signer"


@pytest.mark.parametrize(
    "signers, expected",
    [
        (
            ada("    key: {ada}\n    keys: [{eve}]\n"),
            "plans/acme/client.yml:7: error: give `key` (one key) or `keys` (a list), not both",
        ),
        (
            ada(""),
            "plans/acme/client.yml:4: error: signer without a key: add `key: ssh-ed25519 "
            "AAAA...` (the contents of their .pub file) or `keys:` (a list)",
        ),
        (
            ada(
                "    keys:\n      - key: {ada}\n        valid_after: 2026-06-01\n"
                "        valid_before: 2026-05-31\n"
            ),
            "plans/acme/client.yml:9: error: `valid_before` 2026-05-31 is earlier than "
            "`valid_after` 2026-06-01: this key could sign no note",
        ),
        (ada("    key:\n"), "plans/acme/client.yml:6: error: `key` must not be empty"),
        (
            ada("    keys: []\n"),
            "plans/acme/client.yml:6: error: `signers[1].keys` needs at least 1 item(s)",
        ),
        (
            ada("    keys:\n      - key: {ada}\n        valid_until: 2026-05-31\n"),
            "plans/acme/client.yml:8: error: unknown field `signers[1].keys[1].valid_until` (did you "
            "mean `valid_after`?)",
        ),
        (
            ada("    key: {ada}\n")
            + "  - name: Eve\n    email: eve@acme.example\n    key: {ada}\n",
            "plans/acme/client.yml:9: error: this key is already listed on line 6: each key belongs "
            "to one signer, once",
        ),
        (
            ada("    key: {ada}\n") + ada("    key: {eve}\n"),
            "plans/acme/client.yml:7: error: signer email ada@acme.example is listed twice (first on "
            "line 4); list all of a signer's keys under one entry with `keys:`",
        ),
    ],
)
def test_signer_key_problems_name_their_line(plans, keys, signers, expected):
    text = signers.format(ada=keys["ada"][1], eve=keys["eve"][1])
    make_client(plans, client_yml=client_yml(text))
    _, diags = load_plans(plans)
    assert formatted(diags.errors) == [expected]


def test_key_windows_mean_what_openssh_allowed_signers_options_mean(tmp_path, keys):
    """valid_after/valid_before on note dates == OpenSSH's valid-after/valid-before with
    -Overify-time set to the note's date: both edges inclusive."""
    note = tmp_path / "note.md"
    note.write_text("---\nmilestone: kickoff\n---\n")
    sig = sign(note, keys["ada"][0])
    key_type, key_data = keys["ada"][1].split()[:2]
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(
        f'ada@acme.example namespaces="milestone-approval",'
        f'valid-after="20260501",valid-before="20260531" {key_type} {key_data}\n'
    )
    window = SigningKey(keys["ada"][1], D("2026-05-01"), D("2026-05-31"))
    for day in ("2026-04-30", "2026-05-01", "2026-05-31", "2026-06-01"):
        done = subprocess.run(
            [
                "ssh-keygen",
                "-Y",
                "verify",
                "-f",
                str(allowed),
                "-I",
                "ada@acme.example",
                "-n",
                "milestone-approval",
                "-s",
                str(sig),
                f"-Overify-time={day.replace('-', '')}",
            ],
            input=note.read_bytes(),
            capture_output=True,
        )
        if b"verify-time" in done.stderr:
            pytest.skip("this ssh-keygen has no -Overify-time")
        assert (done.returncode == 0) == window.valid_on(D(day)), day

"""Approval signatures, checked with real ssh-keygen keys made in the test."""

import pytest
from helpers import approval, make_client, sign, write

from site_builder.build import validate
from site_builder.errors import PlanError
from site_builder.plans.load import load_plans

BOUND = "client: acme\nproject: web\n"  # signed notes name their client and project


def client_yml(keys, require=False, email="ada@acme.example"):
    return (
        f"name: Acme\nrequire_signed_approvals: {'true' if require else 'false'}\n"
        f"signers:\n  - name: Ada Client\n    email: {email}\n    key: {keys['ada'][1]}\n"
        "access: {mode: link}\n"
    )


def states(plans):
    loaded, diags = load_plans(plans)
    (client,) = loaded.clients
    return {a.name: a.signature for a in client.projects[0].approvals}, diags


def notes_folder(plans):
    return plans / "acme" / "web" / "approvals"


def test_every_signature_state(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(keys),
        approvals={
            "web": {
                "1-verified.md": approval("kickoff", "2026-01-09", extra=BOUND),
                "2-unsigned.md": approval("design", "2026-02-06"),
                "3-tampered.md": approval("design", "2026-02-07"),
                "4-other-key.md": approval("design", "2026-02-08"),
                "5-other-email.md": approval("design", "2026-02-09", by="Eve <eve@acme.example>"),
                "6-garbage.md": approval("design", "2026-02-10"),
                "7-namespace.md": approval("design", "2026-02-11"),
            }
        },
    )
    folder = notes_folder(plans)
    ada, eve = keys["ada"][0], keys["eve"][0]
    sign(folder / "1-verified.md", ada)
    sign(folder / "3-tampered.md", ada)
    (folder / "3-tampered.md").write_text(approval("design", "2026-02-07", body="Changed!\n"))
    sign(folder / "4-other-key.md", eve)
    sign(folder / "5-other-email.md", ada)  # right key, but `by:` names someone else
    write(
        folder / "6-garbage.md.sig",
        "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
    )
    sign(folder / "7-namespace.md", ada, namespace="file")
    found, diags = states(plans)
    assert found == {
        "1-verified.md": "verified",
        "2-unsigned.md": "unsigned",
        "3-tampered.md": "invalid",
        "4-other-key.md": "unknown-signer",
        "5-other-email.md": "unknown-signer",
        "6-garbage.md": "invalid",
        "7-namespace.md": "invalid",
    }
    assert not diags.errors
    warned = {d.path.name for d in diags.warnings}
    assert warned == {
        "3-tampered.md",
        "4-other-key.md",
        "5-other-email.md",
        "6-garbage.md",
        "7-namespace.md",
    }


def test_crlf_conversion_breaks_the_signature(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(keys),
        approvals={"web": {"n.md": approval("kickoff", "2026-01-09")}},
    )
    note = notes_folder(plans) / "n.md"
    sign(note, keys["ada"][0])
    note.write_bytes(note.read_bytes().replace(b"\n", b"\r\n"))
    found, _ = states(plans)
    assert found == {"n.md": "invalid"}


def test_required_signatures_strict_check_names_the_file(plans, keys):
    make_client(
        plans,
        client_yml=client_yml(keys, require=True),
        approvals={
            "web": {
                "ok.md": approval("kickoff", "2026-01-09", extra=BOUND),
                "unsigned.md": approval("design", "2026-02-06"),
            }
        },
    )
    sign(notes_folder(plans) / "ok.md", keys["ada"][0])
    validate(plans)  # not strict: warnings only
    with pytest.raises(PlanError) as caught:
        validate(plans, strict=True)
    (problem,) = [d.format() for d in caught.value.diagnostics]
    assert problem == (
        "plans/acme/web/approvals/unsigned.md:2: warning: approval does not "
        "count: client.yml requires signed approvals and this note is unsigned"
    )

"""`site-builder receive`: a decision signed on a status page is checked, then filed.

The notes here are signed with ssh-keygen directly (the page's own signatures: the browser test,
tests/test_browser_approve.py). Each refusal names its reason; nothing is written then.
"""

from __future__ import annotations

import email.message
import email.policy
import json
import subprocess
import sys

import pytest
from helpers import make_client, sign, write

from site_builder.plans.load import load_plans
from site_builder.site.revision import plan_revision

CLIENT = """\
name: Acme Widgets
access:
  mode: link
signers:
  - name: Ada Client
    email: ada@acme.example
    key: {key}
"""


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", *args], input=stdin, capture_output=True, timeout=120
    )


@pytest.fixture
def acme(plans, keys):
    make_client(plans, client_yml=CLIENT.format(key=keys["ada"][1]))
    return plans


def revision(plans, client="acme", project="web") -> str:
    loaded, _ = load_plans(plans, only=[client])
    return plan_revision(next(p for p in loaded.client(client).projects if p.slug == project))


def note_text(
    plans,
    *,
    client="acme",
    project="web",
    milestone="design",
    rev=None,
    by="Ada Client <ada@acme.example>",
    deliverables=("Mockups",),
    body="Looks great.\n",
) -> str:
    rev = rev or revision(plans)
    lines = [
        "---",
        f"client: {client}",
        f"project: {project}",
        f"milestone: {milestone}",
        "decision: approved",
        "date: 2026-02-06",
        f'by: "{by}"',
        f'plan_revision: "{rev}"',
        "deliverables:",
    ]
    lines += [f"  - {json.dumps(d)}" for d in deliverables]
    return "\n".join(lines + ["---", body])


def signed_file(tmp_path, text: str, key, name="decision.approval.txt"):
    """The file the page's Download saves: the note, then its armoured signature."""
    note = write(tmp_path / "work" / f"{name}.md", text)
    sig = sign(note, key)
    return write(tmp_path / name, text + sig.read_text())


def approvals(plans):
    folder = plans / "acme" / "web" / "approvals"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_signed_decision_is_filed_and_counts(acme, keys, tmp_path):
    text = note_text(acme)
    done = run("receive", str(signed_file(tmp_path, text, keys["ada"][0])))
    assert done.returncode == 0, done.stderr.decode()
    assert approvals(acme) == ["2026-02-06-design.md", "2026-02-06-design.md.sig"]
    note = acme / "acme" / "web" / "approvals" / "2026-02-06-design.md"
    assert note.read_text() == text  # the exact bytes that were signed
    loaded, diags = load_plans(acme)
    assert not diags.errors and not diags.warnings
    assert [a.signature for a in loaded.client("acme").projects[0].approvals] == ["verified"]


def test_the_same_decision_twice_is_refused_and_another_gets_a_new_name(acme, keys, tmp_path):
    first = signed_file(tmp_path, note_text(acme), keys["ada"][0])
    assert run("receive", str(first)).returncode == 0
    again = run("receive", str(first))
    assert again.returncode == 1
    assert b"receive: error: this decision was already received" in again.stderr
    second = signed_file(
        tmp_path, note_text(acme, body="Approved, see call.\n"), keys["ada"][0], "second.txt"
    )
    done = run("receive", str(second))
    assert done.returncode == 0, done.stderr.decode()
    assert b"2026-02-06-design.md exists" in done.stdout
    assert "2026-02-06-design-2.md" in approvals(acme)


def test_pasted_text_on_stdin(acme, keys, tmp_path):
    data = signed_file(tmp_path, note_text(acme), keys["ada"][0]).read_bytes()
    done = run("receive", "-", stdin=b"Here it is:\n\n" + data + b"\nThanks, Ada\n")
    assert done.returncode == 0, done.stderr.decode()
    assert "2026-02-06-design.md" in approvals(acme)


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64", "flowed"])
def test_a_saved_email(acme, keys, tmp_path, encoding):
    long_body = ("A long remark that a mail program would wrap " * 4).strip() + "\n"
    text = note_text(acme, body="Grüße. " + long_body)
    data = signed_file(tmp_path, text, keys["ada"][0]).read_text()
    message = email.message.EmailMessage(policy=email.policy.SMTP)  # CRLF line ends
    message["From"], message["To"] = "Ada <ada@acme.example>", "pm@agency.example"
    message["Subject"] = "Approved: design"
    if encoding == "flowed":  # soft line breaks: a trailing space, then the rest of the line
        flowed = "\n".join(
            " ".join(line.split(" ")[:5]) + " \n" + " ".join(line.split(" ")[5:])
            if line.count(" ") > 8
            else line
            for line in data.split("\n")
        )
        flowed = flowed.replace("\n ", "\n  ")  # space-stuffing, as RFC 3676 senders do
        assert flowed.count(" \n") == 1
        message.set_content(flowed, params={"format": "flowed"}, cte="8bit")
    else:
        message.set_content("Hello,\n\n" + data, cte=encoding)
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="x.pdf")
    eml = tmp_path / "decision.eml"
    eml.write_bytes(message.as_bytes())
    assert b"\r\n" in eml.read_bytes()
    done = run("receive", str(eml))
    assert done.returncode == 0, done.stderr.decode()
    assert (acme / "acme" / "web" / "approvals" / "2026-02-06-design.md").read_text() == text


# --- refusals ---------------------------------------------------------------------------------


def refused(path, *needles: str) -> str:
    done = run("receive", str(path))
    err = done.stderr.decode()
    assert done.returncode == 1, err
    for needle in needles:
        assert needle in err, err
    return err


def test_a_changed_byte_is_refused(acme, keys, tmp_path):
    path = signed_file(tmp_path, note_text(acme), keys["ada"][0])
    path.write_text(path.read_text().replace("Looks great.", "Looks great!"))
    refused(path, "decision.approval.txt:13: error: the signature does not verify")
    assert approvals(acme) == []


def test_a_key_not_in_client_yml_is_refused(acme, keys, tmp_path):
    path = signed_file(tmp_path, note_text(acme), keys["eve"][0])
    refused(path, "the signature is valid, but not made with a key")
    assert approvals(acme) == []


def test_an_email_not_in_client_yml_is_refused(acme, keys, tmp_path):
    path = signed_file(tmp_path, note_text(acme, by="Eve <eve@acme.example>"), keys["eve"][0])
    refused(path, "lists no signer with the email of `by:`", "site-builder signers add acme")


def test_a_note_for_another_project_is_refused(acme, keys, tmp_path):
    make_client(acme, "beta", client_yml=CLIENT.format(key=keys["ada"][1]))
    other = note_text(acme, client="beta", rev=revision(acme, "beta"))
    # beta's own plan is fine for it; but acme's folder never gets it: it is filed in beta's
    done = run("receive", str(signed_file(tmp_path, other, keys["ada"][0])))
    assert done.returncode == 0, done.stderr.decode()
    assert approvals(acme) == [] and (acme / "beta" / "web" / "approvals").is_dir()
    # A project this client does not have, and a client this plans folder does not have:
    refused(
        signed_file(
            tmp_path, note_text(acme, project="shop", rev="0" * 16), keys["ada"][0], "p.txt"
        ),
        "p.txt:3: error: project `shop` not found",
    )
    refused(
        signed_file(
            tmp_path, note_text(acme, client="zeta", rev="0" * 16), keys["ada"][0], "c.txt"
        ),
        "c.txt:2: error: client `zeta` not found",
    )


def test_a_note_for_an_older_plan_revision_is_refused(acme, keys, tmp_path):
    old = revision(acme)
    path = signed_file(tmp_path, note_text(acme), keys["ada"][0])
    plan = acme / "acme" / "web" / "plan.yml"
    plan.write_text(plan.read_text().replace("due: 2026-03-10", "due: 2026-03-24"))
    new = revision(acme)
    assert new != old
    refused(
        path,
        "decision.approval.txt:8: error: the note was made for plan revision "
        f"{old}, but the plan of acme/web is now at revision {new}",
    )
    assert approvals(acme) == []


def test_an_internal_edit_keeps_the_revision(acme):
    before = revision(acme)
    plan = acme / "acme" / "web" / "plan.yml"
    plan.write_text("# a comment\n" + plan.read_text() + "internal: {budget: 9000}\n")
    assert revision(acme) == before


def test_deliverables_other_than_the_plans_are_refused(acme, keys, tmp_path):
    path = signed_file(tmp_path, note_text(acme, deliverables=("Mockups", "Logo")), keys["ada"][0])
    refused(path, "`deliverables:` are not the deliverables the plan lists")


def test_an_unbound_note_and_garbage_are_refused(acme, keys, tmp_path):
    text = note_text(acme).replace("client: acme\nproject: web\n", "")
    refused(signed_file(tmp_path, text, keys["ada"][0]), "the note has no `client:`")
    garbage = write(tmp_path / "garbage.txt", "hello\n")
    refused(garbage, "receive: error: no signed decision found in garbage.txt")
    assert approvals(acme) == []


def test_the_plan_revision_is_a_field_of_the_approval_schema(acme):
    note = acme / "acme" / "web" / "approvals" / "2026-02-06-design.md"
    write(note, note_text(acme, rev="not-a-revision"))
    _, diags = load_plans(acme)
    assert [d.message for d in diags.errors] == [
        "`plan_revision` must be a plan revision: 16 hex digits, not `not-a-revision`"
    ]

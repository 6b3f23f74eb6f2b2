"""`site-builder signers add`: a key into client.yml, the rest of the file untouched."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import make_client, ssh_key

from site_builder.plans.load import load_plans

CLIENT = """\
# Acme: status site
name: Acme Widgets   # shown as the title
access:
  mode: link
signers:
  # the client's sponsor
  - name: Ada Client
    email: ada@acme.example
    key: {key}  # laptop
    # keep this comment
internal:
  contract: MSA-1   # never published
"""


def add(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "signers", "add", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def acme(plans, keys):
    make_client(plans, client_yml=CLIENT.format(key=keys["ada"][1]))
    return plans / "acme" / "client.yml"


def signers(plans):
    loaded, diags = load_plans(plans)
    assert not diags.errors, diags.errors
    return {s.email: s for s in loaded.client("acme").signers}


def test_a_second_key_turns_key_into_keys_and_keeps_every_comment(acme, plans, keys, tmp_path):
    _, new = ssh_key(tmp_path, "phone")
    before = acme.read_text()
    done = add(
        "acme",
        new,
        "--name",
        "Ada Client",
        "--email",
        "ada@acme.example",
        "--valid-after",
        "2026-06-01",
    )
    assert done.returncode == 0, done.stderr
    assert "now 2 keys" in done.stdout
    text = acme.read_text()
    old_line = f"    key: {keys['ada'][1]}  # laptop\n"
    assert old_line in before
    assert text == before.replace(
        old_line,
        (
            f"    keys:\n      - {keys['ada'][1]}  # laptop\n"
            f"      - key: {new}\n        valid_after: 2026-06-01\n"
        ),
    )
    ada = signers(plans)["ada@acme.example"]
    assert [k.key for k in ada.keys] == [keys["ada"][1], new]
    assert ada.keys[1].valid_after.isoformat() == "2026-06-01"


def test_a_third_key_is_appended_and_a_new_email_is_a_new_signer(acme, plans, keys, tmp_path):
    keys_made = [ssh_key(tmp_path, n)[1] for n in ("k2", "k3", "bob")]
    for line in keys_made[:2]:
        assert add("acme", line, "--name", "Ada", "--email", "ada@acme.example").returncode == 0
    # The allowed_signers line a status page shows: the email, then the key.
    done = add(
        "acme",
        f"bob@acme.example {keys_made[2]}",
        "--name",
        "Bob Buyer",
        "--email",
        "Bob@Acme.example",
    )
    assert done.returncode == 0, done.stderr
    assert "new signer" in done.stdout
    found = signers(plans)
    assert len(found["ada@acme.example"].keys) == 3
    assert found["bob@acme.example"].name == "Bob Buyer"
    text = acme.read_text()
    assert "# keep this comment" in text and "contract: MSA-1   # never published" in text
    assert text.index("name: Bob Buyer") < text.index("internal:")


def test_a_client_without_signers_gets_the_block(plans, keys):
    make_client(plans, client_yml="name: Acme\naccess:\n  mode: link\n")
    done = add("acme", keys["ada"][1], "--name", "Ada", "--email", "ada@acme.example")
    assert done.returncode == 0, done.stderr
    assert [s.email for s in signers(plans).values()] == ["ada@acme.example"]


def test_a_duplicate_key_is_refused_and_nothing_changes(acme, plans, keys):
    before = acme.read_text()
    for email in ("ada@acme.example", "eve@acme.example"):
        done = add("acme", keys["ada"][1], "--name", "Someone", "--email", email)
        assert done.returncode == 1
        assert "this key is already listed for ada@acme.example" in done.stderr
    assert acme.read_text() == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["not a key", "--name", "A", "--email", "a@acme.example"], "KEY LINE must be"),
        (["{key}", "--name", "A", "--email", "not-an-email"], "--email must be"),
        (["{key}", "--name", "A <x>", "--email", "a@acme.example"], "--name must be"),
        (
            ["eve@acme.example {key}", "--name", "A", "--email", "a@acme.example"],
            "the key line names eve@acme.example",
        ),
    ],
)
def test_bad_input_is_refused(acme, keys, args, message):
    before = acme.read_text()
    done = add("acme", *[a.format(key=keys["eve"][1]) for a in args])
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert acme.read_text() == before


def test_an_unknown_client_is_refused(acme, keys):
    done = add("acmee", keys["eve"][1], "--name", "A", "--email", "a@acme.example")
    assert done.returncode == 2 and "client `acmee` not found" in done.stderr
    assert "did you mean `acme`" in done.stderr or "acme" in done.stderr

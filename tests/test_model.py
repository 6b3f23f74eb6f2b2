"""The model's own behaviour (site_builder/model.py): what each access mode means.

Building and publishing sites in each mode is in tests/test_access.py and tests/test_publish.py;
here the one place that answers "what does this mode need" is checked against a table."""

from __future__ import annotations

import json

import pytest
from helpers import make_client

from site_builder.model import Access, AccessMode
from site_builder.plans.load import load_plans
from site_builder.plans.schema import ACCESS_MODES

BCRYPT = "$2y$10$PiMa.2EGJDafhSC2LtTLp.0kZViOlNy/ndQxgYYA6Z0y.J0tjKtDm"

# mode: (public, has_secret_path, needs_password, needs_login, noindex)
ANSWERS = {
    "public": (True, False, False, False, False),
    "link": (False, True, False, False, True),
    "password": (False, False, True, False, True),
    "host": (False, False, False, True, True),
}


@pytest.mark.parametrize("word", ANSWERS)
def test_each_mode_answers_each_question(word):
    mode = AccessMode(word)
    asked = (mode.public, mode.has_secret_path, mode.needs_password, mode.needs_login)
    assert (*asked, mode.noindex) == ANSWERS[word]
    access = Access(mode=mode)
    assert (access.public, access.has_secret_path, access.needs_password, access.needs_login) == (
        asked
    )


def test_the_modes_are_the_table_and_the_schema():
    assert [m.value for m in AccessMode] == list(ANSWERS) == list(ACCESS_MODES)
    assert Access().mode is AccessMode.LINK


@pytest.mark.parametrize("mode", list(AccessMode))
def test_a_mode_reads_and_writes_as_its_client_yml_word(mode):
    # Messages, status files and the access marker show the word, never `AccessMode.LINK`.
    assert str(mode) == f"{mode}" == f"{mode:>0}" == mode.value
    assert json.dumps({"mode": mode}) == json.dumps({"mode": mode.value})


@pytest.mark.parametrize("word", ANSWERS)
def test_client_yml_loads_the_mode_as_the_enum(plans, word):
    users = f"  users: [{{name: ada, hash: '{BCRYPT}'}}]\n"
    extra = {"password": "  password_env: ACME_PW\n", "host": users}
    make_client(
        plans,
        client_yml=f"name: Acme\ntimezone: UTC\naccess:\n  mode: {word}\n{extra.get(word, '')}",
    )
    loaded, diags = load_plans(plans)
    assert not diags.errors, [d.format() for d in diags.items]
    assert loaded.client("acme").access.mode is AccessMode(word)


def test_an_unknown_mode_is_an_error_at_its_line(plans):
    make_client(plans, client_yml="name: Acme\ntimezone: UTC\naccess:\n  mode: Public\n")
    _, diags = load_plans(plans)
    assert [d.format() for d in diags.errors] == [
        "plans/acme/client.yml:4: error: `access.mode` must be one of public, link, password, "
        "host, not `Public` (did you mean `public`?)"
    ]

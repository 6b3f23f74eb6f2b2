"""Private sites (README, "Private sites"): the `access:` block of client.yml, link paths,
password-mode encryption, noindex and canonical links, host-mode access files.

Publishing (the served layout, robots.txt, _headers, a real nginx asking for logins) is in
tests/test_publish.py; the password form in a real browser in tests/test_browser_access.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import approval, make_client, write

from site_builder.access import modes as access
from site_builder.access import password as protect
from site_builder.access import shell as login
from site_builder.build import BuildOptions, build, validate
from site_builder.cli import main
from site_builder.engines import mkdocs as mkdocs_engine
from site_builder.errors import PlanError
from site_builder.plans.load import load_plans

TODAY = dt.date(2026, 2, 20)
PASSWORD = "a long passphrase for the tests"
BCRYPT = "$2y$10$PiMa.2EGJDafhSC2LtTLp.0kZViOlNy/ndQxgYYA6Z0y.J0tjKtDm"
APR1 = "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"
SHA = "{SHA}" + "W6ph5Mm5Pz8GgiULbPgzG37mj9g="


def cli(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def run(plans, out, clients=(), jobs=1):
    return build(BuildOptions(plans=plans, out=out, clients=tuple(clients), today=TODAY, jobs=jobs))


def client_yml(access_block: str, name: str = "Acme Widgets", extra: str = "") -> str:
    return f"name: {name}\ntimezone: UTC\n{extra}{access_block}"


def problems(plans) -> list[str]:
    _, diags = load_plans(plans)
    return [d.format() for d in diags.items]


# --- client.yml: the access block -------------------------------------------------------------


def test_missing_access_block_is_a_warning_that_says_link_mode(plans):
    make_client(plans, client_yml="name: Acme Widgets\n")
    result = cli("check")
    assert result.exit_code == 0
    assert (
        "plans/acme/client.yml:1: warning: no `access:` block: the site defaults to link mode"
    ) in result.output
    assert cli("check", "--strict").exit_code == 1
    assert load_plans(plans)[0].client("acme").access == access.Access()  # link, implicit


@pytest.mark.parametrize("mode", ["public", "link"])
def test_an_explicit_mode_needs_nothing_else(plans, mode):
    make_client(plans, client_yml=client_yml(f"access:\n  mode: {mode}\n"))
    assert problems(plans) == []
    assert load_plans(plans)[0].client("acme").access.mode == mode


def test_password_and_host_modes_load(plans):
    make_client(plans, "p", client_yml("access:\n  mode: password\n  password_env: P_PW\n"))
    make_client(
        plans,
        "h",
        client_yml(
            f"access:\n  mode: host\n  users:\n"
            f"    - name: ada\n      hash: {BCRYPT}\n"
            f"    - name: bo\n      hash: '$6$salt$"
            f"{'a' * 86}'\n"
        ),
    )
    assert problems(plans) == []
    loaded = load_plans(plans)[0]
    assert loaded.client("p").access.password_env == "P_PW"
    assert [u.name for u in loaded.client("h").access.users] == ["ada", "bo"]
    assert BCRYPT not in repr(loaded.client("h"))  # hashes stay out of logs


@pytest.mark.parametrize(
    "text, line",
    [
        ("access:\n  mode: password\n  password: hunter2hunter2\n", 6),
        ("access:\n  mode: host\n  users:\n    - name: ada\n      password: hunter2hunter2\n", 8),
        ("password: hunter2hunter2\naccess:\n  mode: link\n", 4),
        ("access:\n  mode: host\n  users:\n    - name: ada\n      hash: hunter2hunter2\n", 8),
        (
            "access:\n  mode: host\n  users:\n    - name: ada\n      hash: '{PLAIN}hunter2hunter2'\n",
            8,
        ),
        ("access:\n  mode: host\n  users:\n    - name: ada\n      hash: $2y$10$tooshort\n", 8),
    ],
)
def test_a_password_in_client_yml_is_an_error_that_never_repeats_it(plans, text, line):
    make_client(plans, client_yml=client_yml(text, extra="# comment\n"))
    result = cli("check")
    assert result.exit_code == 1
    assert f"plans/acme/client.yml:{line}: error:" in result.output
    assert "never put passwords in client.yml; use password_env / hashes" in result.output
    assert "hunter2" not in result.output and "tooshort" not in result.output


def test_a_user_without_a_hash_is_refused_with_the_same_advice(plans):
    make_client(plans, client_yml=client_yml("access:\n  mode: host\n  users:\n    - name: ada\n"))
    (problem,) = [p for p in problems(plans) if "error" in p]
    assert problem.startswith(
        "plans/acme/client.yml:6: error: missing required field `access.users[1].hash`"
    )
    assert "never put passwords in client.yml" in problem


@pytest.mark.parametrize(
    "text, expected",
    [
        ("access:\n  mode: password\n", "5: error: password mode needs `password_env`"),
        ("access:\n  mode: host\n", "5: error: host mode needs `users`"),
        (
            "access:\n  mode: link\n  password_env: X\n",
            "6: error: `access.password_env` is only for password mode (mode here: link)",
        ),
        (
            f"access:\n  mode: public\n  users:\n    - name: ada\n      hash: {BCRYPT}\n",
            "6: error: `access.users` is only for host mode (mode here: public)",
        ),
        (
            "access:\n  mode: secret\n",
            "5: error: `access.mode` must be one of public, link, password, host, not `secret`",
        ),
        (
            "access:\n  mode: password\n  password_env: 'not a name'\n",
            "6: error: `access.password_env` must be the name of an environment variable",
        ),
        (
            "access:\n  mode: password\n  password_env: SITE_BUILDER_LINK_SECRET\n",
            "6: error: `access.password_env` must not be SITE_BUILDER_LINK_SECRET",
        ),
        ("access:\n", "4: error: `access` is empty"),
        (
            f"access:\n  mode: host\n  users:\n    - name: ada\n      hash: {BCRYPT}\n"
            f"    - name: ada\n      hash: {BCRYPT}\n",
            "9: error: user `ada` is listed twice",
        ),
    ],
)
def test_access_rules(plans, text, expected):
    make_client(plans, client_yml=client_yml(text, extra="# one\n"))
    assert any(p.startswith(f"plans/acme/client.yml:{expected}") for p in problems(plans)), (
        problems(plans)
    )


def test_weak_hashes_work_but_warn(plans):
    make_client(
        plans,
        client_yml=client_yml(
            f"access:\n  mode: host\n  users:\n"
            f"    - name: ada\n      hash: '{APR1}'\n"
            f"    - name: bo\n      hash: '{SHA}'\n"
        ),
    )
    found = problems(plans)
    assert len(found) == 2 and all(": warning: user `" in p for p in found), found
    assert "$apr1$ (MD5) hashes are quick to crack" in found[0]
    assert "{SHA} (unsalted SHA-1)" in found[1]


def test_site_url_on_a_private_site_is_ignored_with_a_warning(plans):
    make_client(
        plans,
        client_yml=client_yml(
            "access:\n  mode: link\n", extra="site:\n  url: https://x.example/acme/\n"
        ),
    )
    (warning,) = problems(plans)
    assert warning.startswith(
        "plans/acme/client.yml:4: warning: `site.url` is ignored in link mode"
    )


# --- noindex, canonical links -----------------------------------------------------------------


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_public_sites_drop_noindex_private_ones_keep_it_without_a_canonical_link(plans, tmp_path):
    url = "extra: 1\n"
    for slug, mode in (("pub", "public"), ("lnk", "link"), ("hst", "host")):
        block = f"access:\n  mode: {mode}\n" + (
            f"  users:\n    - name: ada\n      hash: '{BCRYPT}'\n" if mode == "host" else ""
        )
        make_client(
            plans,
            slug,
            client_yml(block, extra=f"site:\n  url: https://status.example.com/{slug}/\n"),
        )
    del url
    run(plans, tmp_path / "site")
    for slug in ("pub", "lnk", "hst"):
        site = tmp_path / "site" / slug
        for page in ("index.html", "projects/web.html"):
            html = soup(site / page)
            robots = html.find("meta", attrs={"name": "robots"})
            canonical = html.find("link", rel="canonical")
            referrer = html.find("meta", attrs={"name": "referrer"})
            if slug == "pub":
                assert robots is None and referrer is None
                assert canonical["href"].startswith("https://status.example.com/pub/")
            else:
                assert robots["content"] == "noindex, nofollow"
                assert referrer["content"] == "no-referrer"
                assert canonical is None
        text = "".join(
            p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file()
        )
        if slug != "pub":  # no address of the site anywhere: feed and calendar links relative
            assert "status.example.com" not in text
            assert "webcal://" not in text
    assert access.read_marker(tmp_path / "site" / "pub") == {"mode": "public"}
    assert access.read_marker(tmp_path / "site" / "lnk") == {"mode": "link"}


# --- link mode --------------------------------------------------------------------------------


def test_link_segment_is_stable_unguessable_and_per_secret():
    one = access.link_segment(b"s" * 32, "fable")
    assert one == access.link_segment(b"s" * 32, "fable")
    assert re.fullmatch(r"[a-z2-7]{32}", one)
    assert one != access.link_segment(b"t" * 32, "fable")
    assert one != access.link_segment(b"s" * 32, "fable2")
    assert "fable" not in one
    import base64
    import hmac

    expected = (
        base64.b32encode(hmac.new(b"s" * 32, b"site-builder-link\0fable", hashlib.sha256).digest())
        .decode()
        .lower()[:32]
    )
    assert one == expected


def test_links_command(plans):
    make_client(plans, "fable", client_yml("access:\n  mode: link\n"))
    make_client(plans, "pub", client_yml("access:\n  mode: public\n"))
    missing = CliRunner().invoke(main, ["links"], env={"SITE_BUILDER_LINK_SECRET": ""})
    assert missing.exit_code == 1
    assert "SITE_BUILDER_LINK_SECRET is not set" in missing.output
    short = CliRunner().invoke(main, ["links"], env={"SITE_BUILDER_LINK_SECRET": "short"})
    assert short.exit_code == 1 and "too short" in short.output
    secret = "x" * 40
    done = cli(
        "links",
        "--base-url",
        "https://status.example.com/s",
        env={"SITE_BUILDER_LINK_SECRET": secret},
    )
    assert done.exit_code == 0
    segment = access.link_segment(secret.encode(), "fable")
    assert done.output.splitlines() == [
        f"fable: https://status.example.com/s/{segment}/ (link)",
        "pub: https://status.example.com/s/pub/ (public)",
    ]
    again = cli("links", env={"SITE_BUILDER_LINK_SECRET": secret})
    assert again.output.splitlines()[0] == f"fable: {segment}/ (link)"
    other = cli("links", env={"SITE_BUILDER_LINK_SECRET": "y" * 40})
    assert segment not in other.output


def test_no_link_secret_needed_without_link_clients(plans):
    make_client(plans, "pub", client_yml("access:\n  mode: public\n"))
    done = CliRunner().invoke(main, ["links"], env={"SITE_BUILDER_LINK_SECRET": ""})
    assert done.exit_code == 0 and done.output == "pub: pub/ (public)\n"


# --- password mode ----------------------------------------------------------------------------

# Markers hold `_`, which neither base64 nor hex contains: finding one in an encrypted file
# can only mean plan text in clear. Slugs hold `-` for the same reason.
MARKERS = {
    "client name": "MRK_CLIENT_NAME",
    "project title": "MRK_PROJECT_TITLE",
    "summary": "MRK_SUMMARY",
    "milestone title": "MRK_M1_TITLE",
    "phase": "MRK_PHASE",
    "owner": "MRK_OWNER",
    "deliverable": "MRK_DELIVERABLE",
    "document title": "MRK_DOC_TITLE",
    "acceptance": "MRK_ACCEPT",
    "second milestone": "MRK_M2_TITLE",
    "approval note": "MRK_NOTE_BODY",
    "approver": "MRK_APPROVER",
    "reviewed": "MRK_REVIEWED",
    "document content": "MRK_DOC_CONTENT",
    "logo": "MRK_LOGO_TITLE",
    "project slug": "zq-proj-mark",
    "milestone id": "zq-m1-mark",
    "document name": "zq-doc-mark",
    "client slug": "zq-client-mark",
    "amount": "424242",
    "amount formatted": "424,242",
}
SECRET_PLAN = f"""\
title: {MARKERS["project title"]}
summary: "{MARKERS["summary"]} **bold**"
currency: EUR
milestones:
  - id: {MARKERS["milestone id"]}
    title: {MARKERS["milestone title"]}
    phase: {MARKERS["phase"]}
    owner: {MARKERS["owner"]}
    due: 2026-02-10
    delivered: 2026-02-05
    deliverables:
      - {MARKERS["deliverable"]}
      - {{title: {MARKERS["document title"]}, file: documents/{MARKERS["document name"]}.pdf}}
    acceptance:
      - {MARKERS["acceptance"]}
    invoice: 424242.17
  - id: second
    title: {MARKERS["second milestone"]}
    due: 2026-03-10
"""


def secret_client(plans: Path, mode: str = "password", env: str = "ACME_SITE_PASSWORD") -> Path:
    block = f"access:\n  mode: {mode}\n" + (
        f"  password_env: {env}\n" if mode == "password" else ""
    )
    slug = MARKERS["client slug"]
    folder = make_client(
        plans,
        slug,
        client_yml(block, name=MARKERS["client name"], extra="site:\n  logo: logo.svg\n"),
        projects={MARKERS["project slug"]: SECRET_PLAN},
        approvals={
            MARKERS["project slug"]: {
                "n.md": approval(
                    MARKERS["milestone id"],
                    "2026-02-06",
                    "changes-requested",
                    by=f"{MARKERS['approver']} <a@acme.example>",
                    body=f"{MARKERS['approval note']}\n",
                    extra=f"deliverables: [{MARKERS['reviewed']}]\n",
                )
            }
        },
    )
    write(
        folder / "logo.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
        f"<title>{MARKERS['logo']}</title></svg>",
    )
    write(
        folder / MARKERS["project slug"] / "documents" / f"{MARKERS['document name']}.pdf",
        f"%PDF-1.4 {MARKERS['document content']}\n",
    )
    return folder


def all_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leaks(files: dict[str, bytes], needles, names: bool = True) -> list[str]:
    """Where any needle appears in a file's bytes (or, with `names`, in its path)."""
    found = []
    for name, data in files.items():
        for needle in needles:
            if (
                needle.encode() in data
                or needle.encode() in data.lower()
                or (names and needle in name)
            ):
                found.append(f"{needle} in {name}")
    return found


@pytest.fixture
def protected_site(plans, tmp_path, monkeypatch, caplog):
    secret_client(plans)
    monkeypatch.setenv("ACME_SITE_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)
    result = cli(
        "build", "--out", str(tmp_path / "site"), "--today", TODAY.isoformat(), "--jobs", "1"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and PASSWORD not in caplog.text
    return tmp_path / "site" / MARKERS["client slug"]


def test_password_site_holds_no_plan_text_in_any_file(protected_site, tmp_path):
    files = all_files(protected_site)
    assert leaks(files, MARKERS.values()) == []
    assert leaks(files, [m.lower() for m in MARKERS.values()]) == []
    # ... nor anywhere in the output folder (which names the site's folder after the client),
    # and never the password.
    everything = all_files(tmp_path / "site")
    assert leaks(everything, MARKERS.values(), names=False) == []
    assert leaks(everything, [PASSWORD, PASSWORD.replace(" ", "")]) == []
    names = sorted(files)
    assert "status.json" in names and "index.html" in names and "404.html" in names
    for gone in (
        "feed.xml",
        "calendar.ics",
        "sitemap.xml",
        "sitemap.xml.gz",
        "objects.inv",
        "search/search_index.json",
    ):
        assert gone not in names
    assert not [n for n in names if n.startswith(("badges/", "projects/", "search/"))]
    assert not [n for n in names if "client-" in n]  # logo inlined into the encrypted pages
    pages = [n for n in names if n.endswith(".html")]
    assert len(pages) == 3  # index, 404 and the project page (opaque name)
    for name in pages:
        page = soup(protected_site / name)
        assert page.title.string == "Protected status page"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
        assert page.find("nav") is None and page.find("a") is None
        assert page.find("label", attrs={"for": "sb-password"})
        assert page.find(id="sb-error")["aria-live"] == "assertive"
        assert not [
            s
            for s in page.find_all(["script", "link", "img"])
            if s.get("src") or (s.get("href") or "data:").split(":")[0] != "data"
        ]
    assert access.read_marker(protected_site) == {"mode": "password", "protected": True}


def test_password_site_decrypts_to_the_real_pages(protected_site):
    status = json.loads(protect.decrypt((protected_site / "status.json").read_bytes(), PASSWORD))
    assert status["client"]["name"] == MARKERS["client name"]
    envelope = json.loads((protected_site / "status.json").read_text())
    assert envelope["format"] == "site-builder-encrypted/1"
    assert envelope["kdf"] == {
        "name": "PBKDF2-HMAC-SHA256",
        "iterations": 600_000,
        "salt": envelope["kdf"]["salt"],
    }
    index = protect.decrypt((protected_site / "index.html").read_bytes(), PASSWORD).decode()
    assert MARKERS["milestone title"] in index and MARKERS["client name"] in index
    assert "data:image/svg+xml;base64," in index  # the logo and the badge, inlined
    salt = base64.b64decode(envelope["kdf"]["salt"])
    page_name = protect.Sealer(protect.derive_key(PASSWORD, salt), salt).opaque_page(
        f"projects/{MARKERS['project slug']}.html"
    )
    project = protect.decrypt((protected_site / page_name).read_bytes(), PASSWORD).decode()
    for key in ("summary", "owner", "acceptance", "approval note", "document title"):
        assert MARKERS[key] in project, key
    link = BeautifulSoup(project, "html.parser").find("a", attrs={"data-sb-encrypted": True})
    assert link["data-sb-name"] == f"{MARKERS['document name']}.pdf"
    target = (protected_site / Path(page_name).parent / link["href"]).resolve()
    assert protect.decrypt(target.read_bytes(), PASSWORD).startswith(b"%PDF-1.4 MRK_DOC")
    assert f'href="{link["href"]}"' in project  # links to other pages use the opaque names
    with pytest.raises(protect.DecryptError, match="wrong password"):
        protect.decrypt((protected_site / "status.json").read_bytes(), "not the password")


def test_decrypt_command(protected_site, tmp_path, monkeypatch):
    monkeypatch.setenv("PW", PASSWORD)
    done = cli("decrypt", "--password-env", "PW", str(protected_site / "status.json"))
    assert done.exit_code == 0 and json.loads(done.output)["client"]["slug"] == "zq-client-mark"
    monkeypatch.setenv("PW", "wrong")
    wrong = CliRunner().invoke(
        main, ["decrypt", "--password-env", "PW", str(protected_site / "index.html")]
    )
    assert wrong.exit_code == 1 and "wrong password" in wrong.output
    plain = tmp_path / "plain.json"
    write(plain, "{}")
    assert (
        "not a file encrypted by site-builder"
        in CliRunner().invoke(main, ["decrypt", "--password-env", "PW", str(plain)]).output
    )


def salt_of(site: Path) -> bytes:
    return base64.b64decode(json.loads((site / "status.json").read_text())["kdf"]["salt"])


def decrypted(site: Path, password: str) -> list[bytes]:
    """Every page's and status.json's plaintext, in a stable order, opaque names (derived
    from the key) replaced by a placeholder."""
    opaque = re.compile(rb"(?:[0-9a-f]{12}/)*[0-9a-f]{24}\.(?:html|bin)")
    return sorted(
        opaque.sub(b"OPAQUE", protect.decrypt(p.read_bytes(), password))
        for p in site.rglob("*")
        if p.suffix == ".html" or p.name == "status.json"
    )


def test_password_salt_is_random_kept_while_the_password_is_and_new_with_a_new_one(
    plans, tmp_path, monkeypatch
):
    """The salt is unknown before the build (not derived from the slug) and changes with the
    password; a rebuild into the same OUT with the same password is byte-identical."""
    secret_client(plans)
    slug = MARKERS["client slug"]
    monkeypatch.delenv(protect.SALT_SECRET_ENV, raising=False)
    monkeypatch.setenv("ACME_SITE_PASSWORD", PASSWORD)
    run(plans, tmp_path / "one")
    run(plans, tmp_path / "two", jobs=2)
    one, two = all_files(tmp_path / "one" / slug), all_files(tmp_path / "two" / slug)
    assert salt_of(tmp_path / "one" / slug) != salt_of(tmp_path / "two" / slug)
    assert (
        salt_of(tmp_path / "one" / slug)
        != hashlib.sha256(b"site-builder-salt\0" + slug.encode()).digest()[:16]
    )
    assert one["status.json"] != two["status.json"]
    assert decrypted(tmp_path / "one" / slug, PASSWORD) == decrypted(
        tmp_path / "two" / slug, PASSWORD
    )
    run(plans, tmp_path / "one")  # the same OUT, the same password: the same salt and bytes
    assert all_files(tmp_path / "one" / slug) == one and len(one) > 10
    monkeypatch.setenv("ACME_SITE_PASSWORD", PASSWORD + "!")
    run(plans, tmp_path / "one")
    three = all_files(tmp_path / "one" / slug)
    assert salt_of(tmp_path / "one" / slug) != salt_of(tmp_path / "two" / slug)
    assert three["status.json"] != one["status.json"]
    assert sorted(n for n in three if n.endswith(".html")) != sorted(
        n for n in one if n.endswith(".html")
    )  # opaque names follow the key


def test_a_salt_secret_pins_salts_for_reproducible_builds(plans, tmp_path, monkeypatch):
    secret_client(plans)
    slug = MARKERS["client slug"]
    pin = "salt-pin-for-tests-0123456789abcdef"
    monkeypatch.setenv(protect.SALT_SECRET_ENV, pin)
    monkeypatch.setenv("ACME_SITE_PASSWORD", PASSWORD)
    run(plans, tmp_path / "one")
    run(plans, tmp_path / "two", jobs=2)
    one = all_files(tmp_path / "one" / slug)
    assert one == all_files(tmp_path / "two" / slug) and len(one) > 10
    assert salt_of(tmp_path / "one" / slug) == protect.pinned_salt(pin, slug, PASSWORD)
    monkeypatch.setenv("ACME_SITE_PASSWORD", PASSWORD + "!")
    run(plans, tmp_path / "one")
    assert salt_of(tmp_path / "one" / slug) == protect.pinned_salt(pin, slug, PASSWORD + "!")
    assert protect.pinned_salt(pin, slug, PASSWORD) != protect.pinned_salt(
        pin, slug, PASSWORD + "!"
    )
    assert protect.pinned_salt(pin, slug, PASSWORD) != protect.pinned_salt(
        pin + "x", slug, PASSWORD
    )
    monkeypatch.setenv(protect.SALT_SECRET_ENV, "short")
    with pytest.raises(protect.SaltSecretError, match="too short"):
        run(plans, tmp_path / "one")


def test_a_previous_build_salted_from_the_slug_is_not_reused(tmp_path):
    """Sites built before salts were random kept a predictable salt: the next build makes a
    new one even though the password still opens the old site."""
    slug_salt = hashlib.sha256(b"site-builder-salt\0acme").digest()[:16]
    old = protect.Sealer(protect.derive_key("pw", slug_salt), slug_salt)
    write(tmp_path / "acme" / "index.html", login.shell(old.envelope("index.html", b"x"), "en"))
    assert protect.sealer_for("acme", "pw", tmp_path / "acme").salt != slug_salt
    random_salt = b"r" * 16
    kept = protect.Sealer(protect.derive_key("pw", random_salt), random_salt)
    write(tmp_path / "acme" / "index.html", login.shell(kept.envelope("index.html", b"x"), "en"))
    assert protect.sealer_for("acme", "pw", tmp_path / "acme").salt == random_salt
    assert protect.sealer_for("acme", "other", tmp_path / "acme").salt != random_salt


def test_synthetic_ivs_differ_per_plaintext_and_path():
    sealer = protect.Sealer(b"k" * 32, b"s" * 16)
    a, b = sealer.seal("a.html", b"one"), sealer.seal("a.html", b"two")
    assert a[0] != b[0] and a == sealer.seal("a.html", b"one")
    assert sealer.seal("b.html", b"one")[0] != a[0]
    assert len(a[0]) == 12


def test_without_its_password_a_site_is_a_placeholder_never_plain(plans, tmp_path, monkeypatch):
    secret_client(plans)
    monkeypatch.delenv("ACME_SITE_PASSWORD", raising=False)
    result = cli(
        "build", "--out", str(tmp_path / "site"), "--today", TODAY.isoformat(), "--jobs", "1"
    )
    assert result.exit_code == 0, result.output
    assert (
        "zq-client-mark: warning: password mode, but the environment variable "
        "ACME_SITE_PASSWORD is not set: wrote a placeholder page"
    ) in result.output
    site = tmp_path / "site" / MARKERS["client slug"]
    files = all_files(site)
    assert sorted(files) == [access.MARKER, "404.html", "index.html"]
    assert leaks(files, MARKERS.values()) == []
    assert b"Status page not available" in files["index.html"]
    assert access.read_marker(site) == {"mode": "password", "protected": False}


def test_a_short_password_warns(plans, tmp_path, monkeypatch):
    secret_client(plans)
    monkeypatch.setenv("ACME_SITE_PASSWORD", "tiny1")
    report = run(plans, tmp_path / "site")
    (warning,) = report.sites[0].warnings
    assert "ACME_SITE_PASSWORD is shorter than 12 characters" in warning
    assert "tiny1" not in warning


def test_key_and_shell_match_what_the_browser_does():
    """The JS derives PBKDF2-SHA256 with the envelope's salt and iterations: same bytes."""
    salt = b"s" * 16
    assert protect.derive_key("pw", salt) == hashlib.pbkdf2_hmac("sha256", b"pw", salt, 600_000, 32)
    js = login.UNLOCK_JS.read_text()
    for needle in (
        'name: "PBKDF2", hash: "SHA-256"',
        '"AES-GCM"',
        "deriveKey",
        "document.open()",
        "document.write(html)",
        "document.close()",
    ):
        assert needle in js
    # The key stays in the tab's memory, not extractable: nothing any page of the same origin
    # (another project on *.github.io) could read back from storage.
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.S)
    for storage in (
        "sessionStorage",
        "localStorage",
        "indexedDB",
        "document.cookie",
        "exportKey",
        "deriveBits",
    ):
        assert storage not in code, storage
    shell = login.shell(protect.Sealer(b"k" * 32, salt).envelope("index.html", b"<p>x</p>"), "de")
    assert '<html lang="de">' in shell and "Geschützte Statusseite" in shell
    assert "http://" not in shell and "https://" not in shell  # no request anywhere


def test_protect_replaces_files_and_never_writes_into_hard_links(tmp_path):
    site = tmp_path / "site"
    write(site / "index.html", '<html><body><a href="projects/p.html">p</a></body></html>')
    write(site / "projects" / "p.html", '<html><img src="../badges/p.svg"></html>')
    write(site / "badges" / "p.svg", "<svg/>")
    write(site / "assets" / "theme.css", "body{}")
    write(site / "odd.txt", "MRK_UNEXPECTED")
    shared = tmp_path / "shared.css"
    shared.write_text("body{}")
    (site / "assets" / "theme.css").unlink()
    import os

    os.link(shared, site / "assets" / "theme.css")
    html_before = tmp_path / "linked.html"
    os.link(site / "index.html", html_before)
    sealer = protect.Sealer(b"k" * 32, b"s" * 16)
    engine = login.EngineFiles(
        mkdocs_engine.THEME_FOLDER, mkdocs_engine.PAGE_LISTINGS, mkdocs_engine.PAGE_LISTING_FOLDERS
    )
    report = login.protect_site(site, sealer, "en", ["badges/p.svg"], engine)
    assert html_before.read_text().startswith("<html><body>")  # the other link is untouched
    assert shared.read_text() == "body{}" and (site / "assets" / "theme.css").is_file()
    assert report.removed == ["badges/p.svg"] and report.encrypted == ["odd.txt"]
    assert b"MRK_UNEXPECTED" not in b"".join(all_files(site).values())
    assert not (site / "badges").exists() and not (site / "projects").exists()


# --- host mode: access files of a build -------------------------------------------------------


def test_host_mode_build_writes_access_files_outside_the_site(plans, tmp_path):
    make_client(
        plans,
        "home",
        client_yml(f"access:\n  mode: host\n  users:\n    - name: ada\n      hash: '{BCRYPT}'\n"),
    )
    make_client(plans, "open", client_yml("access:\n  mode: public\n"))
    out = tmp_path / "site"
    run(plans, out)
    folder = out / access.ACCESS_DIR / "home"
    assert sorted(p.name for p in folder.iterdir()) == ["_headers", "htpasswd", "nginx.conf"]
    assert (folder / "htpasswd").read_text() == f"ada:{BCRYPT}\n"
    conf = (folder / "nginx.conf").read_text()
    assert "location ^~ /home/ {" in conf and 'auth_basic "Status page";' in conf
    assert "X-Robots-Tag: noindex, nofollow" in (folder / "_headers").read_text()
    assert not (out / access.ACCESS_DIR / "open").exists()
    published = [p for p in (out / "home").rglob("*") if p.is_file()]
    assert published and not [
        p
        for p in published
        if BCRYPT.encode() in p.read_bytes() or p.name in ("htpasswd", "_headers", "nginx.conf")
    ]
    # The client leaves host mode: its access files go with the next build.
    write(plans / "home" / "client.yml", client_yml("access:\n  mode: link\n"))
    run(plans, out)
    assert not (out / access.ACCESS_DIR).exists()


def test_no_access_folder_without_host_clients(plans, tmp_path):
    make_client(plans)
    run(plans, tmp_path / "site")
    assert not (tmp_path / "site" / access.ACCESS_DIR).exists()


def test_validate_reports_access_problems_as_plan_errors(plans):
    make_client(plans, client_yml=client_yml("access:\n  mode: password\n"))
    with pytest.raises(PlanError) as caught:
        validate(plans)
    assert any("password_env" in d.message for d in caught.value.diagnostics)


def test_demo_plans_declare_every_mode_but_public():
    loaded, diags = load_plans(Path(__file__).resolve().parent.parent / "plans")
    assert not diags.errors and not diags.warnings, [d.format() for d in diags.items]
    assert {c.slug: c.access.mode for c in loaded.clients} == {
        "fable": "link",
        "harbor-homes": "host",
        "northwind": "password",
    }
    assert loaded.client("northwind").access.password_env == "NORTHWIND_SITE_PASSWORD"

"""`site-builder publish`: the served layout (secret paths, robots.txt, _headers, access files),
its refusals, and a real nginx on 127.0.0.1 asking for the logins host mode generates.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import nginx, nginx_binary, world_readable_dir
from click.testing import CliRunner
from helpers import make_client, write

from site_builder.access import modes as access
from site_builder.access import publish as publish_module
from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.model import AccessMode

TODAY = dt.date(2026, 2, 20)
SECRET = "publish-test-secret-0123456789abcdef"
OTHER_SECRET = "another-secret-entirely-0123456789"
DEMO_BCRYPT = "$2y$10$v6re/RUAEah7tnAw4JO4cOPkTdzkyO/4sSBlrlBPJfTDcY1.fcKje"  # plans/harbor-homes
DEMO_BCRYPT_PASSWORD = "harbor demo passphrase"


def yml(name: str, block: str) -> str:
    return f"name: {name}\ntimezone: UTC\naccess:\n{block}"


def host_block(users: dict[str, str]) -> str:
    return "  mode: host\n  users:\n" + "".join(
        f"    - name: {user}\n      hash: '{hashed}'\n" for user, hashed in users.items()
    )


def run_build(plans: Path, out: Path, env: dict | None = None):
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        return build(BuildOptions(plans=plans, out=out, today=TODAY, jobs=1))
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def publish(*args, secret: str | None = SECRET, extra_env: dict | None = None):
    env = {"SITE_BUILDER_LINK_SECRET": secret or ""}
    env.update(extra_env or {})
    return CliRunner().invoke(main, ["publish", *args], env=env)


@pytest.fixture
def four(plans, tmp_path):
    """One client per mode, built."""
    make_client(plans, "open", yml("Open Co", "  mode: public\n"))
    make_client(plans, "quiet", yml("Quiet Co", "  mode: link\n"))
    make_client(plans, "other", yml("Other Co", "  mode: link\n"))
    make_client(plans, "vault", yml("Vault Co", "  mode: password\n  password_env: VAULT_PW\n"))
    make_client(plans, "gate", yml("Gate Co", host_block({"ada": DEMO_BCRYPT})))
    run_build(plans, tmp_path / "site", {"VAULT_PW": "vault passphrase for tests"})
    return tmp_path / "site"


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_publish_lays_out_each_mode(four, tmp_path):
    result = publish("--out", "site", "--to", "pub", "--target", "nginx")
    assert result.exit_code == 0, result.output
    www = tmp_path / "pub" / "www"
    quiet, other = (access.link_segment(SECRET.encode(), s) for s in ("quiet", "other"))
    assert sorted(p.name for p in www.iterdir()) == sorted(
        [".nojekyll", "_headers", "gate", "index.html", "open", "robots.txt", "vault", quiet, other]
    )
    assert sorted(p.name for p in (tmp_path / "pub" / "access").rglob("*")) == [
        "gate",
        "htpasswd",
        "nginx.conf",
    ]
    # Link paths are never printed (CI logs), other paths are.
    assert quiet not in result.output and "quiet: link (secret path" in result.output
    assert "gate: host (/gate/)" in result.output
    # Each site is the built one, hard-linked, without the build's marker.
    built = files_under(four / "quiet")
    published = files_under(www / quiet)
    assert published == {k: v for k, v in built.items() if k != access.MARKER}
    index = www / quiet / "index.html"
    assert os.stat(index).st_ino == os.stat(four / "quiet" / "index.html").st_ino
    assert (www / "robots.txt").read_text().splitlines()[-3:] == [
        "User-agent: *",
        "Allow: /open/",
        "Disallow: /",
    ]
    headers = (www / "_headers").read_text()
    assert "/vault/*\n  X-Robots-Tag: noindex, nofollow" in headers
    assert "/gate/*\n  X-Robots-Tag: noindex, nofollow" in headers
    assert "Basic-Auth" not in headers
    conf = (tmp_path / "pub" / "access" / "nginx.conf").read_text()
    assert f"location ^~ /{quiet}/ {{" in conf and "location ^~ /vault/ {" in conf
    assert f'auth_basic_user_file "{tmp_path / "pub" / "access" / "htpasswd" / "gate"}";' in conf
    assert "location ^~ /open/" not in conf
    assert (tmp_path / "pub" / "access" / "htpasswd" / "gate").read_text() == f"ada:{DEMO_BCRYPT}\n"
    # No hash, no access file inside the web root.
    for name, data in files_under(www).items():
        assert DEMO_BCRYPT.encode() not in data and "htpasswd" not in name, name


def test_nothing_published_names_another_clients_path(four, tmp_path):
    assert publish("--to", "pub", "--target", "nginx").exit_code == 0
    www = tmp_path / "pub" / "www"
    paths = {slug: access.link_segment(SECRET.encode(), slug) for slug in ("quiet", "other")}
    for slug, segment in paths.items():
        for name, data in files_under(www / segment).items():
            for other_slug, other in paths.items():
                if other_slug != slug:
                    assert other.encode() not in data, (slug, name)
            for client in ("Open Co", "Vault Co", "Gate Co", "Quiet Co", "Other Co"):
                if client.split()[0].lower() != slug:
                    assert client.encode() not in data, (slug, name, client)
    for root_file in ("robots.txt", "_headers", "index.html"):
        text = (www / root_file).read_text()
        for segment in paths.values():
            assert segment not in text, root_file
    # every site folder holds only its own client's pages: no index lists another client
    for folder in ("open", "gate"):
        for name, data in files_under(www / folder).items():
            assert not any(s.encode() in data for s in paths.values()), name


def test_link_paths_are_stable_per_secret(four, tmp_path):
    nginx_ = ("--target", "nginx")
    assert publish("--to", "one", *nginx_).exit_code == 0
    assert publish("--to", "one", *nginx_).exit_code == 0  # publishing again replaces it
    assert publish("--to", "two", *nginx_).exit_code == 0
    assert publish("--to", "three", *nginx_, secret=OTHER_SECRET).exit_code == 0
    names = [
        sorted(p.name for p in (tmp_path / d / "www").iterdir()) for d in ("one", "two", "three")
    ]
    assert names[0] == names[1] and names[0] != names[2]
    assert access.link_segment(OTHER_SECRET.encode(), "quiet") in names[2]


def test_publish_refuses(four, tmp_path, plans):
    missing = publish("--to", "pub", secret=None)
    assert missing.exit_code == 1
    assert "SITE_BUILDER_LINK_SECRET is not set" in missing.output
    assert not (tmp_path / "pub").exists()
    inside = publish("--to", "site/pub")
    assert inside.exit_code == 2 and "must not contain each other" in inside.output
    around = publish("--out", "pub/site", "--to", "pub")
    assert around.exit_code == 2
    write(tmp_path / "mine" / "notes.txt", "keep me")
    foreign = publish("--to", "mine")
    assert foreign.exit_code == 2 and "was not written by `site-builder publish`" in foreign.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    # A client moved to password mode since the build: its plain site is not published.
    write(
        plans / "other" / "client.yml",
        yml("Other Co", "  mode: password\n  password_env: OTHER_PW\n"),
    )
    stale = publish("--to", "pub")
    assert stale.exit_code == 1
    assert "other: site/other was built for link mode, client.yml says password" in stale.output
    run_build(plans, tmp_path / "site", {"VAULT_PW": "vault passphrase for tests"})
    placeholder = publish("--to", "pub")
    assert placeholder.exit_code == 1
    assert (
        "other: site/other was built without its password (OTHER_PW was not set)"
        in placeholder.output
    )
    assert not (tmp_path / "pub").exists()
    assert publish("--to", "pub", "--out", "nowhere").exit_code == 2


def test_netlify_basic_auth_comes_only_from_the_environment(four, tmp_path):
    env = {access.basic_auth_env("gate"): "ada:correct-horse-battery"}
    done = publish(
        "--to", "pub", "--base-path", "/status", "--target", "netlify-pro", extra_env=env
    )
    assert done.exit_code == 0, done.output
    headers = (tmp_path / "pub" / "www" / "_headers").read_text()
    assert "/status/gate/*\n  Basic-Auth: ada:correct-horse-battery" in headers
    assert "robots.txt and _headers act only at the root of a host" in done.output
    bad = publish(
        "--to",
        "pub",
        "--target",
        "netlify-pro",
        extra_env={access.basic_auth_env("gate"): "no-colon-here"},
    )
    assert bad.exit_code == 1 and "SITE_BUILDER_BASIC_AUTH_GATE must be" in bad.output
    assert "no-colon-here" not in bad.output
    # Credentials go into _headers only for the host that reads (and never serves) that file:
    # GitHub Pages would serve it to anyone, nginx has its own login.
    for target in ("static", "nginx"):
        publish("--to", f"pub-{target}", "--target", target, extra_env=env)
        text = (tmp_path / f"pub-{target}" / "www" / "_headers").read_text()
        assert "Basic-Auth" not in text and "correct-horse" not in text, target
    # netlify-pro without the credentials: no login, so the host-mode site is left out.
    unset = publish("--to", "pub2", "--target", "netlify-pro")
    assert unset.exit_code == 1 and not (tmp_path / "pub2" / "www" / "gate").exists()
    assert "SITE_BUILDER_BASIC_AUTH_GATE (user:password pairs" in unset.output
    assert "Basic-Auth" not in (tmp_path / "pub2" / "www" / "_headers").read_text()


def client_yml_line(plans: Path, slug: str, text: str) -> int:
    lines = (plans / slug / "client.yml").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("target", ["static", None])  # None: the default target
def test_a_host_that_cannot_ask_for_a_login_never_gets_a_host_mode_site(
    four, tmp_path, plans, target
):
    """GitHub Pages (and any plain static host) would serve a host-mode site, plain HTML, to
    anyone: it is left out, with an error at client.yml's `access.mode` line, exit 1."""
    make_client(
        plans,
        "gate2",
        yml("Gate Two", f"  users:\n    - name: bo\n      hash: '{DEMO_BCRYPT}'\n  mode: host\n"),
    )
    run_build(plans, tmp_path / "site", {"VAULT_PW": "vault passphrase for tests"})
    write(tmp_path / "pub" / "www" / "gate" / "index.html", "from an older publish")
    write(tmp_path / "pub" / publish_module.PUBLISH_MARKER, "")
    args = ["--to", "pub"] + (["--target", target] if target else [])
    result = publish(*args)
    assert result.exit_code == 1, result.output
    www = tmp_path / "pub" / "www"
    assert not (www / "gate").exists() and not (www / "gate2").exists()
    assert not (tmp_path / "pub" / "access" / "htpasswd" / "gate").exists()
    for name, data in files_under(tmp_path / "pub").items():
        assert b"Gate Co" not in data and b"Gate Two" not in data, name
        assert DEMO_BCRYPT.encode() not in data, name
    for slug in ("gate", "gate2"):
        line = client_yml_line(plans, slug, "mode: host")
        assert (
            f"plans/{slug}/client.yml:{line}: error: `access.mode: host`: {slug} was left "
            "out" in result.output
        )
    assert "--target nginx, netlify-pro or external-login on such a host" in result.output
    assert "access.mode: password" in result.output
    # The other modes are still published.
    quiet = access.link_segment(SECRET.encode(), "quiet")
    assert {p.name for p in www.iterdir()} >= {"open", "vault", quiet}
    assert "Open Co" in (www / "open" / "index.html").read_text()


def test_the_model_says_which_host_enforces_which_mode():
    needs_login = [m for m in AccessMode if access.safeguards(m)]
    assert needs_login == [AccessMode.HOST]
    static = publish_module.TARGETS["static"]
    assert [m for m in AccessMode if not static.lacks(m)] == [
        AccessMode.PUBLIC,
        AccessMode.LINK,
        AccessMode.PASSWORD,
    ]
    for name in ("nginx", "netlify-pro", "external-login"):
        assert not any(publish_module.TARGETS[name].lacks(m) for m in AccessMode), name


def test_an_unknown_target_is_a_usage_error(four):
    result = publish("--to", "pub", "--target", "github")
    assert result.exit_code == 2 and "static, nginx, netlify-pro, external-login" in result.output


def test_without_public_sites_one_rule_covers_everything(plans, tmp_path):
    make_client(plans, "quiet", yml("Quiet Co", "  mode: link\n"))
    run_build(plans, tmp_path / "site")
    assert publish("--to", "pub").exit_code == 0
    www = tmp_path / "pub" / "www"
    assert (www / "robots.txt").read_text().endswith("User-agent: *\nDisallow: /\n")
    headers = (www / "_headers").read_text()
    assert (
        "/*\n  Referrer-Policy: no-referrer\n  X-Content-Type-Options: nosniff\n"
        "  X-Robots-Tag: noindex, nofollow\n" in headers
    )
    assert headers.count("/*") == 1


# --- a real nginx asks for the logins ---------------------------------------------------------


def apr1(password: str) -> str:
    """An Apache MD5 hash, as `htpasswd -m` or `openssl passwd -apr1` writes it."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is missing: apt-get install openssl (make test-deps does)"
    return subprocess.run(
        [openssl, "passwd", "-apr1", password], capture_output=True, text=True, check=True
    ).stdout.strip()


def sha(password: str) -> str:
    return "{SHA}" + base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()


def fetch(url: str, user: str | None = None, password: str | None = None):
    request = urllib.request.Request(url)
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers


@pytest.fixture
def served(plans, tmp_path):
    """Two host-mode clients and a link-mode one, published under /status/ and served by
    nginx with the generated include."""
    if nginx_binary() is None:
        pytest.fail("nginx is missing: apt-get install nginx (make test-deps does)")
    make_client(plans, "alpha", yml("Alpha Co", host_block({"ann": apr1("ann-password-1")})))
    make_client(
        plans,
        "beta",
        yml("Beta Co", host_block({"ben": sha("ben-password-2"), "okafor": DEMO_BCRYPT})),
    )
    make_client(plans, "lima", yml("Lima Co", "  mode: link\n"))
    run_build(plans, tmp_path / "site")
    root = world_readable_dir("site-builder-publish-")
    try:
        done = publish("--to", str(root / "pub"), "--base-path", "/status/", "--target", "nginx")
        assert done.exit_code == 0, done.output
        (root / "srv").mkdir(mode=0o755)
        os.symlink(root / "pub" / "www", root / "srv" / "status")
        include = f"include {root / 'pub' / 'access' / 'nginx.conf'};"
        with nginx(root / "srv", include) as url:
            yield url + "/status/"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_nginx_asks_each_host_client_for_its_own_login(served):
    for path in ("alpha/index.html", "alpha/", "alpha/status.json", "beta/projects/web.html"):
        status, _, headers = fetch(served + path)
        assert status == 401, path
        assert headers["WWW-Authenticate"] == 'Basic realm="Status page"'
    assert fetch(served + "alpha/index.html", "ben", "ben-password-2")[0] == 401  # other client
    assert fetch(served + "beta/index.html", "ann", "ann-password-1")[0] == 401
    assert fetch(served + "alpha/index.html", "ann", "wrong")[0] == 401
    status, body, headers = fetch(served + "alpha/index.html", "ann", "ann-password-1")
    assert status == 200 and "Alpha Co" in body and "Beta Co" not in body
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert headers["Referrer-Policy"] == "no-referrer"
    status, body, _ = fetch(served + "beta/index.html", "ben", "ben-password-2")
    assert status == 200 and "Beta Co" in body
    # bcrypt, as `htpasswd -B` writes it (the demo's hash): Debian's nginx takes it too.
    status, body, _ = fetch(served + "beta/projects/web.html", "okafor", DEMO_BCRYPT_PASSWORD)
    assert status == 200 and "Website relaunch" in body


def test_nginx_serves_link_sites_only_under_their_secret_path(served):
    segment = access.link_segment(SECRET.encode(), "lima")
    status, body, headers = fetch(served + f"{segment}/index.html")
    assert status == 200 and "Lima Co" in body
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert fetch(served + "lima/index.html")[0] == 404
    assert fetch(served + "robots.txt")[0] == 200
    for secret_file in ("../pub/access/nginx.conf", "access/nginx.conf", "htpasswd/alpha"):
        assert fetch(served + secret_file)[0] in (400, 404), secret_file
    status, body, _ = fetch(served)
    assert status == 200 and "Lima" not in body and segment not in body  # no listing

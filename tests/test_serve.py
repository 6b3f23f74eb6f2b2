"""Live preview: `site-builder serve CLIENT` rebuilds on changes and shows plan errors, answers
only requests addressed to it, and says when a password-mode preview is unencrypted."""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from bs4 import BeautifulSoup
from helpers import make_client

from site_builder.engines.mkdocs import addressed_here


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, text: str, timeout: float = 30) -> str:
    deadline, last = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                last = response.read().decode("utf-8")
            if text in last:
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear at {url}; last page:\n{last[:2000]}")


@pytest.mark.slow
def test_serve_rebuilds_on_change_and_shows_problems_instead_of_dying(plans, tmp_path):
    folder = make_client(plans)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "site_builder",
            "serve",
            "acme",
            "--today",
            "2026-02-01",
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base + "projects/web.html", "Website relaunch")
        plan = folder / "web" / "plan.yml"
        good = plan.read_text()
        plan.write_text(good.replace("Website relaunch", "Website relaunch, phase two"))
        wait_for(base + "projects/web.html", "Website relaunch, phase two")

        plan.write_text(good.replace("due: 2026-01-10", "due: soon"))
        page = wait_for(base, "The plans have problems")
        assert "plans/acme/web/plan.yml:7: error: `milestones[1].due` must be a date" in page
        assert server.poll() is None  # still serving

        plan.write_text(good)
        wait_for(base + "projects/web.html", "Website relaunch")
    finally:
        server.terminate()
        server.wait(timeout=10)


def get(port: int, path: str, host: str) -> tuple[int, str]:
    """A request to the preview on 127.0.0.1:port carrying this Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def start(tmp_path, client: str, port: int, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "site_builder",
            "serve",
            client,
            "--today",
            "2026-02-01",
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def stop(server: subprocess.Popen) -> str:
    server.terminate()
    try:
        return server.communicate(timeout=10)[1]
    except subprocess.TimeoutExpired:
        server.kill()
        return server.communicate()[1]


def test_serve_answers_only_its_own_host_names_and_prints_its_address(plans, tmp_path):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 sends
    `Host: evil.example`; the preview refuses it (421, nothing of the site)."""
    make_client(plans)
    port = free_port()
    server = start(tmp_path, "acme", port)
    try:
        wait_for(f"http://127.0.0.1:{port}/", "Website relaunch")
        for host in (
            f"127.0.0.1:{port}",
            f"localhost:{port}",
            f"[::1]:{port}",
            f"LOCALHOST:{port}",
        ):
            status, body = get(port, "/projects/web.html", host)
            assert status == 200 and "Website relaunch" in body, host
        for host in (
            "evil.example",
            f"evil.example:{port}",
            f"127.0.0.1.evil.example:{port}",
            f"localhost:{port + 1}",
            "127.0.0.1",
            f"10.0.0.1:{port}",
            "",
            "[::1",
            f"localhost:{port}x",
        ):
            for path in ("/", "/projects/web.html", "/status.json", "/livereload/1/1"):
                status, body = get(port, path, host)
                assert status == 421 and "Website" not in body and "acme" not in body, (host, path)
    finally:
        errors = stop(server)
    assert f"serving acme on http://127.0.0.1:{port}/" in errors
    assert "NOT encrypted" not in errors


def test_a_password_mode_preview_says_loudly_that_it_is_unencrypted(plans, tmp_path):
    make_client(
        plans,
        "vault",
        "name: Vault Co\ntimezone: UTC\naccess:\n  mode: password\n"
        "  password_env: VAULT_SERVE_PW\n",
    )
    port = free_port()
    server = start(tmp_path, "vault", port, {"VAULT_SERVE_PW": "a long preview password"})
    try:
        base = f"http://127.0.0.1:{port}/"
        for page in ("", "projects/web.html"):
            html = wait_for(base + page, "Website relaunch")
            banner = BeautifulSoup(html, "html.parser").body.find(recursive=False)
            assert "sb-preview-unencrypted" in banner["class"], page
            assert banner["role"] == "alert" and "Unencrypted preview" in banner.text
        status, missing = get(port, "/no-such-page.html", f"127.0.0.1:{port}")
        assert status == 404 and "Unencrypted preview" in missing
    finally:
        errors = stop(server)
    assert (
        f"vault is in password mode, but this preview is NOT encrypted: anyone who can "
        f"reach http://127.0.0.1:{port}/ reads the whole site" in errors
    )


@pytest.mark.parametrize(
    "header, host, expected",
    [
        ("127.0.0.1:8000", "127.0.0.1", True),
        ("localhost:8000", "127.0.0.1", True),
        ("[::1]:8000", "::1", True),
        ("localhost.:8000", "127.0.0.1", True),
        ("preview.internal:8000", "preview.internal", True),  # the name it was told to bind
        ("192.168.1.20:8000", "0.0.0.0", True),  # all interfaces: any IP address, never a name
        ("[fe80::1]:8000", "::", True),
        ("attacker.example:8000", "0.0.0.0", False),
        ("192.168.1.20:8000", "127.0.0.1", False),
        ("localhost", "127.0.0.1", False),  # port 80
        ("localhost:80", "127.0.0.1", False),
        ("localhost:8000:1", "127.0.0.1", False),
        ("", "127.0.0.1", False),
    ],
)
def test_which_host_headers_name_the_preview(header, host, expected):
    assert addressed_here(header, host, 8000) is expected


def test_serve_prepares_the_client_once_for_its_first_build(plans, tmp_path, monkeypatch):
    """The command prepares the client (unknown client: exit 2, before any server); the first
    build uses that, and only a rebuild after a change prepares it again."""
    from click.testing import CliRunner
    from mkdocs.livereload import LiveReloadServer

    import site_builder.build
    import site_builder.plugin
    from site_builder.cli import main

    make_client(plans)
    calls = []
    real = site_builder.build.prepare_for_preview

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    def stop_after_first_build(self, *args, **kwargs):
        raise KeyboardInterrupt  # MkDocs' serve shuts down cleanly on it

    monkeypatch.setattr(site_builder.build, "prepare_for_preview", counting)
    monkeypatch.setattr(site_builder.plugin, "prepare_for_preview", counting)
    monkeypatch.setattr(LiveReloadServer, "serve", stop_after_first_build)
    result = CliRunner().invoke(
        main, ["serve", "acme", "--today", "2026-02-01", "--dev-addr", f"127.0.0.1:{free_port()}"]
    )
    assert result.exit_code == 0, result.output
    assert calls == ["acme"]

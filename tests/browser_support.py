"""Shared by the browser tests and the nginx tests: a throwaway nginx on 127.0.0.1, opening
password-protected demo pages (they arrive encrypted; the test types the password), and the
fonts Chromium runs with.

Every browser test runs twice: once with only DejaVu fonts, once with only Liberation fonts
(metric-compatible with Arial, Helvetica and Times), each through a private fontconfig file.
The fixtures (font_family, browser) are in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

# Demo clients in password mode: (environment variable, the password the tests build with).
DEMO_PASSWORDS = {"northwind": ("NORTHWIND_SITE_PASSWORD", "northwind demo passphrase (tests)")}
# Pins password-mode salts (SITE_BUILDER_SALT_SECRET), so demo page names are known in advance.
DEMO_SALT_SECRET = "demo salt secret for the tests 0123456789"


T = TypeVar("T")

# Font families a browser test runs with: (folder of the Debian package, the package).
FONT_FAMILIES = {
    "dejavu": (Path("/usr/share/fonts/truetype/dejavu"), "fonts-dejavu-core"),
    "liberation": (Path("/usr/share/fonts/truetype/liberation"), "fonts-liberation"),
}
# The system's fontconfig rules (generic families, metric aliases), not its font folders, and
# none of the user's own configuration (it may add folders).
FONTCONFIG_RULES = Path("/etc/fonts/conf.d")
PERSONAL_RULES = ("50-user.conf", "51-local.conf")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require(what: str, present: bool, how: str) -> None:
    """Fail (never skip) a test whose tool is missing: CI must not pass without it."""
    if not present:
        pytest.fail(
            f"{what} is missing: {how}. Run `make test-deps` (scripts/install-test-deps.sh), or leave the browser tests out "
            f"with -m 'not browser'",
            pytrace=False,
        )


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass(frozen=True)
class Fonts:
    """One font family, and the fontconfig file that shows Chromium only that family."""

    family: str
    config: Path

    def env(self) -> dict[str, str]:
        """The environment to start Chromium with."""
        return {**os.environ, "FONTCONFIG_FILE": str(self.config)}


def font_config(family: str, folder: Path, fonts: Path | None = None) -> Fonts:
    """Write folder/fonts.conf: the fonts of `family` only (its Debian package's folder, or
    `fonts`), with the system's rules for generic families and a cache of its own."""
    default, package = FONT_FAMILIES[family]
    fonts = fonts or default
    require(
        f"the {family} fonts ({fonts})",
        fonts.is_dir() and any(fonts.glob("*.ttf")),
        f"apt-get install {package}",
    )
    rules = [r for r in sorted(FONTCONFIG_RULES.glob("*.conf")) if r.name not in PERSONAL_RULES]
    require(f"fontconfig's rules ({FONTCONFIG_RULES})", bool(rules), "apt-get install fontconfig")
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<fontconfig>",
        f"  <dir>{fonts}</dir>",
        f"  <cachedir>{folder / 'cache'}</cachedir>",
    ]
    lines += [f"  <include>{rule}</include>" for rule in rules] + ["</fontconfig>"]
    (folder / "fonts.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Fonts(family, folder / "fonts.conf")


class Session:
    """The running Chromium and the fonts it sees (set by the `browser` fixture)."""

    browser = None
    fonts: Fonts | None = None


def in_browser(task: Callable[[object], T]) -> T:
    """task(browser) with the session's Chromium: for tests marked `browser`, which run once
    per font family (tests/conftest.py)."""
    assert Session.browser is not None, (
        "no browser is running: mark the test @pytest.mark.browser (see tests/conftest.py)"
    )
    return task(Session.browser)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def world_readable_dir(prefix: str) -> Path:
    """A temporary folder nginx's workers can read (they may run as another user, and
    pytest's own temporary folders are private to ours)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    return root


@contextlib.contextmanager
def nginx(root: Path, server_extra: str = "", nginx_path: str | None = None) -> Iterator[str]:
    """nginx on a free port of 127.0.0.1 serving `root`, with `server_extra` inside the server
    block (e.g. `include .../nginx.conf;`); yields http://127.0.0.1:PORT. Its configuration,
    logs and temporary files stay in a folder of their own, removed afterwards."""
    binary = nginx_path or nginx_binary()
    assert binary, "nginx is not installed (apt-get install nginx)"
    prefix = Path(tempfile.mkdtemp(prefix="site-builder-nginx-"))
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    types {{ application/atom+xml xml; text/calendar ics; }}
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        location / {{ try_files $uri $uri/ =404; }}
        {server_extra}
    }}
}}
""")
    check = subprocess.run(
        [binary, "-t", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, f"nginx -t refused the configuration: {check.stderr}"
    proc = subprocess.Popen(
        [
            binary,
            "-p",
            str(prefix),
            "-e",
            str(prefix / "error.log"),
            "-c",
            str(conf),
            "-g",
            "daemon off;",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (prefix / "error.log").read_text()
                        if (prefix / "error.log").exists()
                        else ""
                    )
                    raise AssertionError(f"nginx did not start: {log}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)  # graceful stop
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()
        shutil.rmtree(prefix, ignore_errors=True)


# --- password-protected pages in a browser ----------------------------------------------------


def is_locked(page) -> bool:
    return page.locator('meta[name="site-builder"][content="protected"]').count() > 0


def unlock(page, password: str, timeout: int = 30_000) -> None:
    """Type the password into a protected page's form and wait for the real page. A page of a
    site already unlocked in this tab opens by itself (the key is kept for the session)."""
    page.wait_for_function(
        "() => { const f = document.getElementById('sb-form');"
        " return (f && !f.hidden) || !!document.querySelector('.md-content'); }",
        timeout=timeout,
    )
    if is_locked(page):
        page.fill("#sb-password", password)
        page.click("#sb-submit")
    opened(page, timeout)


def opened(page, timeout: int = 30_000) -> None:
    """Wait until a protected page has replaced itself by the decrypted one and that one has
    loaded (its scripts and styles): document.write does not count as a navigation."""
    page.wait_for_function(
        '() => !document.querySelector(\'meta[name="site-builder"][content="protected"]\')'
        " && !!document.querySelector('.md-content') && document.readyState === 'complete'"
        " && !!window.document$",
        timeout=timeout,
    )


def demo_paths(client: str, pages: list[str]) -> dict[str, str]:
    """Where each page of a demo site is served: password sites give pages opaque names."""
    if client not in DEMO_PASSWORDS:
        return {p: p for p in pages}
    from site_builder.access import password as protect

    salt = protect.pinned_salt(DEMO_SALT_SECRET, client, DEMO_PASSWORDS[client][1])
    sealer = protect.Sealer(protect.derive_key(DEMO_PASSWORDS[client][1], salt), salt)
    return {p: p if p in ("index.html", "404.html") else sealer.opaque_page(p) for p in pages}


@contextlib.contextmanager
def demo_passwords() -> Iterator[None]:
    """The demo's password environment variables, set for a build (then restored)."""
    pinned = {name: value for name, value in DEMO_PASSWORDS.values()}
    pinned["SITE_BUILDER_SALT_SECRET"] = DEMO_SALT_SECRET
    old = {name: os.environ.get(name) for name in pinned}
    os.environ.update(pinned)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

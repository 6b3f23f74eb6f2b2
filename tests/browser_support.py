"""Shared by the browser tests and the nginx tests: a throwaway nginx on 127.0.0.1, and opening
password-protected demo pages (they arrive encrypted; the test types the password).

tests/test_browser.py keeps its own fixtures (tools, browser, visit); this module holds what
other test files need without a browser.
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
from pathlib import Path
from typing import Iterator

# Demo clients in password mode: (environment variable, the password the tests build with).
DEMO_PASSWORDS = {"northwind": ("NORTHWIND_SITE_PASSWORD", "northwind demo passphrase (tests)")}


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


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
    check = subprocess.run([binary, "-t", "-p", str(prefix), "-e", str(prefix / "error.log"),
                            "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, f"nginx -t refused the configuration: {check.stderr}"
    proc = subprocess.Popen([binary, "-p", str(prefix), "-e", str(prefix / "error.log"),
                             "-c", str(conf), "-g", "daemon off;"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (prefix / "error.log").read_text() \
                        if (prefix / "error.log").exists() else ""
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
        timeout=timeout)
    if is_locked(page):
        page.fill("#sb-password", password)
        page.click("#sb-submit")
    opened(page, timeout)


def opened(page, timeout: int = 30_000) -> None:
    """Wait until a protected page has replaced itself by the decrypted one and that one has
    loaded (its scripts and styles): document.write does not count as a navigation."""
    page.wait_for_function(
        "() => !document.querySelector('meta[name=\"site-builder\"][content=\"protected\"]')"
        " && !!document.querySelector('.md-content') && document.readyState === 'complete'"
        " && !!window.document$", timeout=timeout)


def demo_paths(client: str, pages: list[str]) -> dict[str, str]:
    """Where each page of a demo site is served: password sites give pages opaque names."""
    if client not in DEMO_PASSWORDS:
        return {p: p for p in pages}
    from site_builder import protect

    salt = protect.salt_for(client)
    sealer = protect.Sealer(protect.derive_key(DEMO_PASSWORDS[client][1], salt), salt)
    return {p: p if p in ("index.html", "404.html") else sealer.opaque_page(p) for p in pages}


@contextlib.contextmanager
def demo_passwords() -> Iterator[None]:
    """The demo's password environment variables, set for a build (then restored)."""
    old = {name: os.environ.get(name) for name, _ in DEMO_PASSWORDS.values()}
    os.environ.update({name: value for name, value in DEMO_PASSWORDS.values()})
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

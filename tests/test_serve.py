"""Live preview: `site-builder serve CLIENT` rebuilds on changes and shows plan errors."""
import socket
import subprocess
import sys
import time
import urllib.request

from helpers import make_client


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


def test_serve_rebuilds_on_change_and_shows_problems_instead_of_dying(plans, tmp_path):
    folder = make_client(plans)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "serve", "acme", "--today", "2026-02-01",
         "--dev-addr", f"127.0.0.1:{port}"], cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
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

"""The preview's guards: it answers only its own host names (against DNS rebinding), and a
password-mode preview says on every page that it is unencrypted."""

from __future__ import annotations

import ipaddress
import re

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
PREVIEW_BANNER = (
    '<div class="sb-preview-unencrypted" role="alert" style="position:sticky;top:0;z-index:10;'
    "margin:0;padding:.6rem 1rem;background:#b3261e;color:#fff;font:600 1rem/1.4 system-ui,"
    'sans-serif;text-align:center">Unencrypted preview: this site is password-protected only '
    'when built with <code style="color:inherit">site-builder build</code>. Here anyone who can '
    "reach this address reads it in clear.</div>"
)
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)


def with_preview_banner(page: str) -> str:
    """A page with the unencrypted-preview banner first in its body."""
    match = _BODY_TAG.search(page)
    at = match.end() if match else 0
    return page[:at] + PREVIEW_BANNER + page[at:]


def _host_and_port(header: str) -> tuple[str, int] | None:
    """(name, port) of an HTTP Host header (port 80 when absent); None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):  # [IPv6]:port
        name, _, rest = header[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("" if not rest else None)
    else:
        name, _, port = header.partition(":")
    if not name or port is None or (port and not port.isdigit()):
        return None
    return name.rstrip("."), int(port) if port else 80


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def addressed_here(header: str, host: str, port: int) -> bool:
    """Whether a request's Host header names this preview server: the address it is bound
    to, or localhost, 127.0.0.1, [::1], with its port. A page on another site whose name
    an attacker points at 127.0.0.1 (DNS rebinding) sends its own name, so it is refused;
    a server bound to all interfaces accepts any IP address (not a name: names rebind)."""
    parsed = _host_and_port(header)
    if parsed is None or parsed[1] != port:
        return False
    name, bound = parsed[0], host.strip("[]").lower()
    return name in LOCAL_NAMES or name == bound or (bound in _WILDCARDS and _is_ip(name))


def only_addressed_here(app, host: str, port: int):
    """WSGI middleware: answer 421 (and no content) to requests for any other host name."""

    def guarded(environ, start_response):
        if addressed_here(environ.get("HTTP_HOST", ""), host, port):
            return app(environ, start_response)
        body = b"421 Misdirected Request: this preview answers only its own address\n"
        start_response(
            "421 Misdirected Request",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return guarded

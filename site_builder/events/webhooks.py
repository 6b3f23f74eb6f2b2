"""`deliver` posts each event record as JSON to a webhook (HMAC signature optional), with
retries (honouring Retry-After) and wall-clock deadlines per request and per run; errors
never show the URL's query, its user info or the secret."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import functools
import hashlib
import hmac
import http.client
import io
import json
import math
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .. import __version__
from ..errors import SiteBuilderError, UsageError
from ..textsafe import printable
from .records import record_path


class WebhookError(SiteBuilderError):
    """A record could not be delivered to the webhook (exit status 1)."""


# --- webhook -------------------------------------------------------------------------------------

TIMEOUT_ENV = "SITE_BUILDER_WEBHOOK_TIMEOUT"  # seconds per request, all of it; default 10
DEADLINE_ENV = "SITE_BUILDER_WEBHOOK_DEADLINE"  # seconds for the whole run, waits too; default 60
DELAYS_ENV = "SITE_BUILDER_WEBHOOK_RETRY_DELAYS"  # seconds before each retry; default 0.5,1,2
SIGNATURE_HEADER = "X-Site-Builder-Signature"
_RETRY_STATUS = {408, 425, 429}  # and every 5xx
_EXCERPT = 200  # characters of a failed answer's body shown in the message
_MAX_ANSWER = 1_000_000  # bytes of a successful answer read (the rest is not waited for)


@dataclass(frozen=True)
class Webhook:
    url: str  # what is requested (without user info)
    shown: str  # what messages show: scheme, host, port and path only
    secret: str | None = field(default=None, repr=False)
    authorization: str | None = field(default=None, repr=False)  # from user info in the URL
    timeout: float = 10.0  # wall-clock limit of one request: connect, send, whole answer
    delays: tuple[float, ...] = (0.5, 1.0, 2.0)
    hidden: tuple[str, ...] = field(default=(), repr=False)  # never printed
    deadline: float = 60.0  # wall-clock limit of the whole delivery, retries and waits included

    def scrub(self, text: str) -> str:
        for secret in sorted(self.hidden, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _seconds(name: str, text: str, most: float = 600) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= most:  # NaN fails too
        raise UsageError(
            f"environment variable {name}: `{printable(text)}` is not a number of "
            f"seconds between 0 and {most:g}"
        )
    return value


def webhook(
    url: str, secret_env: str | None = None, environ: Mapping[str, str] = os.environ
) -> Webhook:
    """Check a --webhook address (and read the secret); UsageError when unusable."""
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    shown = urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))
    hidden = []  # the query and user info are hidden; `shown` has neither
    if parts.query:
        hidden.append(parts.query)
    if "@" in parts.netloc:
        hidden.append(parts.netloc.rpartition("@")[0])
        hidden += [urllib.parse.unquote(v) for v in (parts.username, parts.password) if v]
    try:
        _ = parts.port  # raises ValueError for a port that is not a number
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(f"--webhook must be an http:// or https:// address, not `{shown}`")
    authorization = None
    if parts.username is not None:
        user, password = (urllib.parse.unquote(v or "") for v in (parts.username, parts.password))
        pair = f"{user}:{password}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
    secret = None
    if secret_env is not None:
        secret = environ.get(secret_env)
        if not secret:
            raise UsageError(
                f"--webhook-secret-env: environment variable {secret_env} is not set or empty"
            )
        hidden.append(secret)
    timeout = _seconds(TIMEOUT_ENV, environ.get(TIMEOUT_ENV, "10"))
    deadline = _seconds(DEADLINE_ENV, environ.get(DEADLINE_ENV, "60"), most=3600)
    delays_text = environ.get(DELAYS_ENV, "0.5,1,2")
    delays = tuple(_seconds(DELAYS_ENV, d) for d in delays_text.split(",") if d.strip())
    if len(delays) > 10:
        raise UsageError(f"environment variable {DELAYS_ENV}: at most 10 retries")
    return Webhook(
        urllib.parse.urlunsplit((parts.scheme, host, parts.path or "/", parts.query, "")),
        shown,
        secret,
        authorization,
        timeout or 10.0,
        delays,
        tuple(h for h in hidden if h),
        deadline or 60.0,
    )


# Socket timeouts apply to each read: a server trickling one byte at a time never trips them.
# The connections below end every step of a request at one wall-clock instant instead:
# connecting and sending get the time left as their timeout, and each read of the answer
# (status line, headers, body) waits at most until that instant.


class _DeadlineReader(io.RawIOBase):
    """A socket as a file whose reads end at `until` (time.monotonic)."""

    def __init__(self, sock, until: float):
        super().__init__()
        # The socket's own file keeps it open after urllib closes the connection object.
        self._sock, self._file, self._until = sock, sock.makefile("rb", buffering=0), until

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self._until - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline passed")
        self._sock.settimeout(left)
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An answer whose every read (status line, headers, body) ends at `until`."""

    def __init__(self, sock: socket.socket, *args, until: float, **kwargs):
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # the plain file of the socket, unread: replaced by one with a deadline
        self.fp = io.BufferedReader(_DeadlineReader(sock, until))


class _HTTPConnection(http.client.HTTPConnection):
    """An http.client connection where everything ends at `until`."""

    def __init__(self, *args, until: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.until = until
        # http.client only calls response_class(sock, ...): a partial carrying the deadline
        # is such a callable, though typeshed declares the attribute a class.
        self.response_class = functools.partial(_DeadlineResponse, until=until)  # type: ignore[assignment]
        # http.client's hook for opening the socket (the standard library's tests use it):
        # the system resolver has no timeout of its own, so name lookup is bounded here.
        self._create_connection = _connect_within

    def connect(self) -> None:
        self.timeout = max(self.until - time.monotonic(), 0.001)  # resolve, connect and send
        super().connect()


def _resolve(host: str, port: int, timeout: float) -> list:
    """getaddrinfo within `timeout` seconds: in a thread, which is left behind (daemon) if
    the resolver hangs; TimeoutError then."""
    infos: list = []
    errors: list[OSError] = []

    def lookup() -> None:
        try:
            infos.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            errors.append(exc)

    thread = threading.Thread(target=lookup, name="webhook-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"looking up {host} took longer than the deadline")
    if errors:
        raise errors[0]
    return infos


def _connect_within(address: tuple[str, int], timeout: float | None = None, source=None):
    """socket.create_connection, with the name lookup bounded by `timeout` too."""
    host, port = address
    started = time.monotonic()
    infos = _resolve(host, port, timeout or 10.0)
    last: OSError = OSError(f"no address for {host}")
    for _family, _type, _proto, _name, sockaddr in infos:
        left = max((timeout or 10.0) - (time.monotonic() - started), 0.001)
        try:  # a numeric address: create_connection looks nothing up
            return socket.create_connection((sockaddr[0], sockaddr[1]), left, source)
        except OSError as exc:
            last = exc
    raise last


class _HTTPSConnection(_HTTPConnection, http.client.HTTPSConnection):
    pass


class _DeadlineHTTP(urllib.request.HTTPHandler):
    def __init__(self, until: float):
        super().__init__()
        self.until = until

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, until=self.until), req)


class _DeadlineHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, until: float):
        super().__init__()
        self.until = until

    def https_open(self, req):
        return self.do_open(functools.partial(_HTTPSConnection, until=self.until), req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would arrive as a GET without its body: fail instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass(frozen=True)
class _Attempt:
    problem: str = ""  # "" when delivered
    retry: bool = False
    retry_after: float | None = None  # seconds the server asked to wait (Retry-After)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date); None if absent
    or unreadable."""
    value = (value or "").strip()
    if re.fullmatch(r"[0-9]{1,12}", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max((when - dt.datetime.now(dt.timezone.utc)).total_seconds(), 0.0)


def _excerpt(hook: Webhook, data: bytes) -> str:
    """A failed answer's body as a short quote: secrets scrubbed, whitespace runs collapsed,
    control characters escaped, at most _EXCERPT characters."""
    text = printable(" ".join(hook.scrub(data.decode("utf-8", "replace")).split()))
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _post_once(hook: Webhook, body: bytes, headers: dict, until: float, late: str) -> _Attempt:
    """One POST that ends by `until` (time.monotonic); `late` is the problem if it does not."""
    opener = urllib.request.build_opener(_NoRedirect, _DeadlineHTTP(until), _DeadlineHTTPS(until))
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request) as response:
            read = 0
            while read < _MAX_ANSWER and (chunk := response.read(65_536)):
                read += len(chunk)
        return _Attempt()
    except urllib.error.HTTPError as exc:
        with exc:
            try:
                data = exc.read(4 * _EXCERPT)
            except (http.client.HTTPException, OSError):
                data = b""
        reason = printable(hook.scrub(str(exc.reason or "")))[:100]
        problem = f"HTTP {exc.code} {reason}".strip()
        if data.strip():
            problem += f': "{_excerpt(hook, data)}"'
        if 300 <= exc.code < 400:
            return _Attempt(problem + " (redirects are not followed: use the final address)")
        return _Attempt(
            problem,
            exc.code >= 500 or exc.code in _RETRY_STATUS,
            _retry_after(exc.headers.get("Retry-After")),
        )
    except urllib.error.URLError as exc:
        cause = exc.reason
        if isinstance(cause, TimeoutError):
            return _Attempt(late, True)
        return _Attempt(printable(getattr(cause, "strerror", None) or cause), True)
    except TimeoutError:
        return _Attempt(late, True)
    except (http.client.HTTPException, OSError) as exc:
        return _Attempt(printable(f"{type(exc).__name__}: {exc}"), True)


def _request(hook: Webhook, payload: dict, kind: str) -> tuple[bytes, dict]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"site-builder/{__version__}",
        "X-Site-Builder-Event": kind,
    }
    if hook.authorization:
        headers["Authorization"] = hook.authorization
    if hook.secret:
        digest = hmac.new(hook.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers[SIGNATURE_HEADER] = f"sha256={digest}"
    return body, headers


def _send(
    hook: Webhook, body: bytes, headers: dict, run_until: float, sleep: Callable[[float], None]
) -> tuple[str, int]:
    """(problem, attempts) of one record: tried, then retried after the delays (or longer when
    the server asks with Retry-After), all within the run's deadline; problem "" when sent."""
    run_deadline = f"the webhook deadline of {hook.deadline:g} s for the run"
    problem, attempts, delays = "", 0, iter(hook.delays)
    while True:
        now = time.monotonic()
        if now >= run_until:
            return (f"{problem}; " if problem else "") + f"{run_deadline} passed", attempts
        if now + hook.timeout <= run_until:
            until, late = now + hook.timeout, f"no complete answer within {hook.timeout:g} s"
        else:
            until, late = run_until, f"no complete answer before {run_deadline} passed"
        attempts += 1
        outcome = _post_once(hook, body, headers, until, late)
        problem = outcome.problem
        delay = next(delays, None) if problem and outcome.retry else None
        if delay is None:
            return problem, attempts
        wait = max(delay, outcome.retry_after or 0.0)
        left = run_until - time.monotonic()
        if wait >= left:
            asked = (
                f"the server asks to retry after {math.ceil(wait)} s"
                if outcome.retry_after is not None and outcome.retry_after >= delay
                else f"the next retry would come after {wait:g} s"
            )
            return f"{problem}; {asked}, past {run_deadline} ({max(left, 0):.0f} s left)", attempts
        sleep(wait)


def deliver(
    hook: Webhook,
    records: list[dict],
    sleep: Callable[[float], None] = time.sleep,
    payloads: list[dict] | None = None,
) -> int:
    """POST each record as JSON (or its payload, notify.payloads: one per record), in order;
    WebhookError at the first that cannot be delivered.

    Each request ends within hook.timeout seconds and the whole delivery within hook.deadline,
    retries and waits included (wall clock: a server trickling its answer cannot stretch it).
    """
    run_until = time.monotonic() + hook.deadline
    bodies = records if payloads is None else payloads
    for index, (record, body) in enumerate(zip(records, bodies), 1):
        problem, attempts = _send(hook, *_request(hook, body, record["type"]), run_until, sleep)
        if problem:
            left = len(records) - index
            raise WebhookError(
                hook.scrub(
                    f"webhook {hook.shown}: {record['type']} event for {record_path(record)} was not "
                    f"delivered: {problem} ({attempts} attempt(s)); {index - 1} of {len(records)} "
                    f"event(s) delivered" + (f", {left} not sent" if left else "")
                )
            )
    return len(records)

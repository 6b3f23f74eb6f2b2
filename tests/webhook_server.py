"""A real HTTP server on 127.0.0.1 for webhook tests: records every POST, answers as told."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable

Answer = Callable[[http.server.BaseHTTPRequestHandler, int], None]


def reply(handler: http.server.BaseHTTPRequestHandler, status: int = 204, body: bytes = b""):
    """A complete answer: the status, a Content-Length and the body."""
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class WebhookServer:
    """`answer(handler, n)` writes the answer to the n-th POST (0-based; default 204). Each
    POST is recorded as (path, headers, body) in `requests`, with its arrival time (monotonic)
    in `times`. Use as a context manager."""

    def __init__(self, answer: Answer | None = None, path: str = "/hook") -> None:
        self.requests: list[tuple[str, dict, bytes]] = []
        self.times: list[float] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                recorder.times.append(time.monotonic())
                recorder.requests.append((self.path, dict(self.headers), body))
                try:
                    (answer or reply)(self, len(recorder.requests) - 1)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]

    @property
    def bodies(self) -> list[bytes]:
        return [body for _, _, body in self.requests]

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

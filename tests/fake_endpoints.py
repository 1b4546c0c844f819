"""Misbehaving endpoints on 127.0.0.1 for the fault tests: an HTTP server that answers what it
is told (and records what it got), and a socket that accepts connections and never answers."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


@dataclass
class Got:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answers:
    """What the fake endpoint answers (each request in turn; the last one repeats) and what it got."""

    replies: list[tuple[int, str, bytes]]
    got: list[Got] = field(default_factory=list)
    url: str = ""

    def reply(self) -> tuple[int, str, bytes]:
        return self.replies[min(len(self.got) - 1, len(self.replies) - 1)]


@contextmanager
def fake_endpoint(*replies: tuple[int, str, bytes]) -> Iterator[Answers]:
    """An HTTP server on 127.0.0.1 that answers ``(status, content type, body)`` in turn."""
    answers = Answers(list(replies))

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            answers.got.append(Got(self.command, self.path, dict(self.headers), self.rfile.read(length)))
            status, content_type, body = answers.reply()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = handle_any

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    answers.url = f"http://127.0.0.1:{server.server_address[1]}/query"
    try:
        yield answers
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """The URL of a socket that accepts connections (the kernel does) and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"


def closed_port_url() -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on (a stopped server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/query"

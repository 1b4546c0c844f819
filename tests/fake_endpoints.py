"""Misbehaving endpoints on 127.0.0.1 for the fault tests: an HTTP server that answers what it
is told (and records what it got), a socket that accepts connections and never answers, and
raw sockets that drip an answer a byte at a time or flood one without end (every loop bounded)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: ``(status, content type, body)``, or with a dict of more headers (a redirect's ``Location``).
Reply = tuple[int, str, bytes] | tuple[int, str, bytes, dict[str, str]]
#: SPARQL JSON results: their content type, a body of no rows (the canned query's one variable), the reply.
JSON = "application/sparql-results+json"
ROWS = b'{"head": {"vars": ["date"]}, "results": {"bindings": []}}'
NO_ROWS: Reply = (200, JSON, ROWS)


@dataclass
class Got:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answers:
    """What the fake endpoint answers (each request in turn; the last one repeats) and what it got."""

    replies: list[Reply]
    got: list[Got] = field(default_factory=list)
    url: str = ""

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``, to build URLs of other paths on the same server."""
        return self.url.removesuffix("/query")

    def reply(self) -> Reply:
        return self.replies[min(len(self.got) - 1, len(self.replies) - 1)]


def redirect(status: int, location: str) -> Reply:
    """A redirect answer to ``location``."""
    return (status, "text/plain", b"moved", {"Location": location})


@contextmanager
def fake_endpoint(*replies: Reply, tls: Path | None = None) -> Iterator[Answers]:
    """An HTTP server on 127.0.0.1 that answers ``(status, content type, body[, headers])`` in turn
    (over TLS with the certificate ``tls``, see :func:`self_signed`)."""
    answers = Answers(list(replies))

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            answers.got.append(Got(self.command, self.path, dict(self.headers), self.rfile.read(length)))
            status, content_type, body, *more = answers.reply()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (more[0] if more else {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls, tls.with_name("key.pem"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    answers.url = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}/query"
    try:
        yield answers
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def self_signed(folder: Path) -> Path:
    """A certificate for 127.0.0.1 (made by openssl), its key beside it in ``key.pem``; a client
    trusts it with ``SSL_CERT_FILE`` set to its path."""
    pem, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(pem)],
                   check=True, capture_output=True, timeout=60)
    return pem


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


@dataclass
class Raw:
    """A raw endpoint's URL and what happened: connections taken, bytes sent."""

    url: str = ""
    connections: int = 0
    sent: int = 0


@contextmanager
def raw_endpoint(answer: Callable[[socket.socket, Raw], None], *, connections: int = 4) -> Iterator[Raw]:
    """A socket on 127.0.0.1 that reads each request's head and lets ``answer`` write whatever it likes.

    At most ``connections`` are served; the server stops when the block ends.
    """
    raw = Raw()
    stop = threading.Event()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    raw.url = f"http://127.0.0.1:{server.getsockname()[1]}/query"

    def run() -> None:
        while not stop.is_set() and raw.connections < connections:
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            raw.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    _read_head(conn)
                    answer(conn, raw)
                except OSError:  # the client hung up: what the tests want
                    pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield raw
    finally:
        stop.set()
        thread.join(10)
        server.close()


def _read_head(conn: socket.socket) -> None:
    """Read up to the end of a request's head (at most 64 KiB; the body is left unread)."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return
        head += chunk


def drip(data: bytes, *, every: float, stop_after: float = 30) -> Callable[[socket.socket, Raw], None]:
    """An answer that sends ``data`` one byte every ``every`` seconds (for at most ``stop_after`` s)."""
    def answer(conn: socket.socket, raw: Raw) -> None:
        ends = time.monotonic() + stop_after
        for byte in data:
            if time.monotonic() > ends:
                return
            conn.sendall(bytes([byte]))
            raw.sent += 1
            time.sleep(every)
    return answer


def flood(head: bytes, *, chunk: bytes = b"x" * 65536, most: int = 2**31) -> Callable[[socket.socket, Raw], None]:
    """An answer that sends ``head`` then ``chunk`` again and again as fast as it can, until the
    client hangs up (or ``most`` bytes, a bound so the loop always ends)."""
    def answer(conn: socket.socket, raw: Raw) -> None:
        conn.sendall(head)
        while raw.sent < most:
            conn.sendall(chunk)
            raw.sent += len(chunk)
    return answer

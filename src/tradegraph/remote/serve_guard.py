"""The front of ``tradegraph serve``: it listens on the user's port and passes on to the Oxigraph
server (on a private loopback port) only the requests it has vetted.

The Oxigraph server answers whoever reaches it and runs ``SERVICE`` and ``LOAD``; the front
refuses, before anything reaches it:

* a ``Host`` that does not name this server (a web page on another name that resolves to
  127.0.0.1: DNS rebinding), and a request from a page of another origin (``Origin``,
  ``Referer``, ``Sec-Fetch-Site``): 403;
* on a writable server, any write without the token (``Authorization: Bearer TOKEN``): 401;
  on a read-only one, any write: 403;
* a query or update that asks for ``SERVICE``, ``LOAD``, or a dataset (``FROM``, ``USING`` or
  the protocol's ``default-graph-uri``, ``using-graph-uri``...) naming a graph the store does
  not hold, unless the server was started with ``allow_remote``: 403. The text is parsed
  (:mod:`tradegraph.sparql.guard`), and what is passed on is rebuilt from what was vetted: one
  form-encoded body with the same parameters, so the server reads exactly what was checked.

Each connection has a deadline for its request head and its body, and serves one request;
asyncio holds thousands of idle connections, so half-open ones (slowloris) cost no answers.

Given ``pages`` (a function of a path and its parameters, such as the query browser's; this
wing does not know what it shows), the front answers every ``GET`` and ``HEAD`` of a path
that is not the SPARQL protocol's with it, after the same ``Host`` and ``Origin`` checks;
any other method on such a path is refused. The Oxigraph server's own query page then moves
to :data:`RAW_PAGE`.
"""

from __future__ import annotations

import asyncio
import hmac
import http.client
import io
import signal
import threading
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from tradegraph.errors import UsageError
from tradegraph.sparql.guard import Reach, UnreadableSparql, reach, stray

HOST = "127.0.0.1"
HEAD_BYTES = 64 * 1024
HEAD_SECONDS = 10.0
BODY_SECONDS = 60.0
SEND_SECONDS = 60.0
SPARQL_BYTES = 256 * 1024  # a query or update from anyone: rdflib reads some 100 kB a second
WRITE_BYTES = 64 * 1024 * 1024  # a body from the token's holder
STATIC = ("/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg")
OPERATIONS = {"/query": "query", "/update": "update", "/sparql": None}
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
FORM = "application/x-www-form-urlencoded"
#: Where the Oxigraph server's own query page (YASGUI) is when ``pages`` answer at ``/``.
RAW_PAGE = "/yasgui"
READ_ONLY = "The server is read-only"
#: The environment variable that holds the write token of a writable server.
TOKEN_VARIABLE = "TRADEGRAPH_SERVE_TOKEN"
_NO_BACKEND = "the Oxigraph server behind this one does not answer"
_REMOTE_HINT = "tradegraph serve reaches no other server (start it with --allow-remote to allow it)"


class Refused(Exception):
    """An answer the front gives itself: a status and one line of text."""

    def __init__(self, status: int, text: str, *, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(text)
        self.status, self.text, self.headers = status, text, headers

    def response(self) -> bytes:
        body = (self.text + "\n").encode("utf-8")
        reason = http.client.responses.get(self.status, "Error")
        head = [f"HTTP/1.1 {self.status} {reason}", "Content-Type: text/plain; charset=utf-8",
                f"Content-Length: {len(body)}", "X-Content-Type-Options: nosniff", "Connection: close"]
        head += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Request:
    """One request as the front read it."""

    method: str
    path: str
    params: list[tuple[str, str]]
    headers: http.client.HTTPMessage
    body: bytes = b""


@dataclass(frozen=True)
class Page:
    """An answer that ``pages`` give: a status, a media type and the body."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def response(self, *, head: bool = False) -> bytes:
        reason = http.client.responses.get(self.status, "Error")
        lines = [f"HTTP/1.1 {self.status} {reason}", f"Content-Type: {self.media_type}",
                 f"Content-Length: {len(self.body)}", "X-Content-Type-Options: nosniff",
                 "X-Frame-Options: DENY", "Referrer-Policy: same-origin", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else self.body)


#: What answers the pages: a path and its query parameters in, a :class:`Page` out (run in a thread).
Pages = Callable[[str, list[tuple[str, str]]], Page]


@dataclass
class Forward:
    """What is passed on to the Oxigraph server."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Guard:
    """The vetting front for the Oxigraph server on ``HOST:backend``.

    ``graphs``: the named graphs the store holds (a dataset may name only these); ``token``: the
    write token of a writable server (``None``: read-only).
    """

    port: int
    backend: int
    graphs: frozenset[str]
    token: str | None = None
    allow_remote: bool = False
    head_seconds: float = HEAD_SECONDS
    body_seconds: float = BODY_SECONDS
    pages: Pages | None = None
    _server: asyncio.AbstractServer | None = None

    @property
    def authority(self) -> str:
        return f"{HOST}:{self.port}"

    async def start(self) -> None:
        """Listen on ``HOST:port`` (0: a free port, then :attr:`port` is the one taken)."""
        try:
            self._server = await asyncio.start_server(self.handle, HOST, self.port, limit=HEAD_BYTES, backlog=1024)
        except OSError as error:
            raise UsageError(f"cannot listen on {HOST}:{self.port}: {error.strerror or error}",
                             hint="choose another with --port N") from None
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def run(self, *, alive: Callable[[], bool], on_ready: Callable[[], None]) -> bool:
        """Serve until SIGINT or SIGTERM (True) or until ``alive()`` turns false (False)."""
        loop, stop = asyncio.get_running_loop(), asyncio.Event()
        await self.start()
        previous = {sig: signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
                    for sig in (signal.SIGINT, signal.SIGTERM)
                    if threading.current_thread() is threading.main_thread()}
        stopping = asyncio.ensure_future(stop.wait())
        try:
            on_ready()
            while not stop.is_set() and alive():  # asyncio.wait, not wait_for: a signal that lands as the
                await asyncio.wait({stopping}, timeout=0.2)  # 0.2 s times out cannot turn into a CancelledError
            return stop.is_set()
        finally:
            stopping.cancel()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            assert self._server is not None
            self._server.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: read one request within the deadlines, vet it, pass it on or refuse it."""
        try:
            try:
                request = await self.read(reader, writer)
                if self.is_page(request):
                    await self.answer_page(request, writer)
                    return
                forward = await self.vet(request)
            except Refused as refused:
                writer.write(refused.response())
                await asyncio.wait_for(writer.drain(), SEND_SECONDS)
                writer.write_eof()
                await _discard(reader)
                return
            await self.relay(forward, writer)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    async def read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Request:
        """The request head (within :data:`HEAD_SECONDS`), checked, then its body."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.head_seconds)
        except TimeoutError:
            raise Refused(408, "the request head did not arrive in time") from None
        except asyncio.LimitOverrunError:
            raise Refused(431, f"the request head is over {HEAD_BYTES} bytes") from None
        line, _, rest = head.partition(b"\r\n")
        try:
            method, target, version = line.decode("ascii").split(" ")
            headers = http.client.parse_headers(io.BytesIO(rest))
        except (UnicodeDecodeError, ValueError, http.client.HTTPException):
            raise Refused(400, "not an HTTP request") from None
        if version not in ("HTTP/1.0", "HTTP/1.1") or not target.startswith("/"):
            raise Refused(400, "not an HTTP/1.1 request for a path on this server")
        self.check_origin(headers)
        path, _, query = target.partition("?")
        request = Request(method, path, parse_qsl(query, keep_blank_values=True), headers)
        limit = self.check_access(request)
        request.body = await self.read_body(request, reader, writer, limit=limit)
        return request

    def check_origin(self, headers: http.client.HTTPMessage) -> None:
        """Refuse a ``Host`` other than this server's, and a request from another origin's page."""
        hosts = headers.get_all("Host") or []
        mine = {self.authority, f"localhost:{self.port}"} | ({HOST, "localhost"} if self.port == 80 else set())
        if len(hosts) != 1 or hosts[0].strip().lower() not in mine:
            raise Refused(403, f"the Host header does not name this server ({self.authority}): refused, "
                               "as a page on another name that points here (DNS rebinding) would be")
        origin = headers.get("Origin") or _origin_of(headers.get("Referer"))
        site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
        if (origin is not None and origin.strip().lower() not in {f"http://{name}" for name in mine}) \
                or site in ("cross-site", "same-site"):
            raise Refused(403, f"a request from a page of another origin ({_shown(origin or site)}) is refused; "
                               f"this server answers pages of http://{self.authority} and programs")

    def check_access(self, request: Request) -> int:
        """The size the body may have; :class:`Refused` when the head shows a write without the right."""
        if _is_write(request):
            self.check_writer(request)
        return WRITE_BYTES if self._holds_token(request) else SPARQL_BYTES

    def check_writer(self, request: Request) -> None:
        """:class:`Refused` unless the server is writable and ``request`` carries its token."""
        if self.token is None:
            raise Refused(403, READ_ONLY)
        if not self._holds_token(request):
            raise Refused(401, f"writing needs the token this server printed at start (or {TOKEN_VARIABLE}), "
                               "sent as 'Authorization: Bearer TOKEN'", headers=(("WWW-Authenticate", "Bearer"),))

    def _holds_token(self, request: Request) -> bool:
        scheme, _, credential = (request.headers.get("Authorization") or "").strip().partition(" ")
        return self.token is not None and scheme.lower() == "bearer" and hmac.compare_digest(
            credential.strip().encode("utf-8", "replace"), self.token.encode("utf-8"))

    async def read_body(self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        *, limit: int) -> bytes:
        """The body, by ``Content-Length`` and within :data:`BODY_SECONDS`."""
        if request.headers.get("Transfer-Encoding"):
            raise Refused(411, "send the body with a Content-Length (chunked bodies are not read)")
        lengths = set(request.headers.get_all("Content-Length") or [])
        if not lengths:
            return b""
        length = lengths.pop().strip()
        if lengths or not length.isdigit():
            raise Refused(400, "the Content-Length is not one number")
        if int(length) > limit:
            raise Refused(413, f"the body is over {limit:,} bytes")
        if (request.headers.get("Expect") or "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            return await asyncio.wait_for(reader.readexactly(int(length)), self.body_seconds)
        except TimeoutError:
            raise Refused(408, "the request body did not arrive in time") from None

    def is_page(self, request: Request) -> bool:
        """Whether ``pages`` answer ``request``'s path (every path but the protocol's and the raw page's)."""
        path = request.path
        return self.pages is not None and not (path in OPERATIONS or path.startswith("/store") or _is_raw(path)
                                               or path in STATIC[1:])

    async def answer_page(self, request: Request, writer: asyncio.StreamWriter) -> None:
        """Answer ``request`` with ``pages`` (read-only: GET and HEAD only)."""
        assert self.pages is not None
        if request.method not in ("GET", "HEAD"):
            raise Refused(405, f"the pages are read-only: {_shown(request.method)} is refused",
                          headers=(("Allow", "GET, HEAD"),))
        page = await asyncio.get_running_loop().run_in_executor(None, self.pages, request.path, request.params)
        writer.write(page.response(head=request.method == "HEAD"))
        await asyncio.wait_for(writer.drain(), SEND_SECONDS)

    async def vet(self, request: Request) -> Forward:
        """What to pass on for ``request``, or :class:`Refused`."""
        accept = {"Accept": request.headers.get("Accept") or "*/*"}
        method, path = request.method, request.path
        if self.pages is not None and _is_raw(path):  # the Oxigraph page, moved from /
            path = path[len(RAW_PAGE):] or "/"
        if path in STATIC and method in ("GET", "HEAD"):
            return Forward(method, path, accept)
        if path.startswith("/store") and method in ("GET", "HEAD", "PUT", "POST", "DELETE"):
            target = path + (f"?{urlencode(request.params)}" if request.params else "")
            kind = request.headers.get("Content-Type")
            return Forward(method, target, accept | ({"Content-Type": kind} if kind else {}), request.body)
        if path in OPERATIONS and method == "GET" and not request.params:
            return Forward("GET", path, accept)  # the service description
        if path in OPERATIONS and method in ("GET", "POST"):
            params = _sparql_params(request)
            operation = _operation(path, params)
            if operation == "update":
                self.check_writer(request)
            await asyncio.get_running_loop().run_in_executor(None, self.check_sparql, operation, params, path)
            return Forward("POST", f"/{operation}", accept | {"Content-Type": FORM}, urlencode(params).encode())
        raise Refused(404 if method in ("GET", "HEAD", "POST", "PUT", "DELETE") else 405,
                      f"no {_shown(method)} {_shown(path)} here: queries go to /query, updates to /update")

    def check_sparql(self, operation: str, params: list[tuple[str, str]], path: str) -> None:
        """Refuse SERVICE, LOAD and datasets of graphs this store does not hold (unless allowed)."""
        texts = [value for name, value in params if name == operation]
        if len(texts) != 1:
            raise Refused(400, f"give the {operation} once (as the {operation} parameter or the body)")
        try:
            found = reach(texts[0], update=operation == "update", base=f"http://{self.authority}{path}")
        except UnreadableSparql as error:
            raise Refused(400, f"tradegraph serve reads every {operation} before running it, and could not read "
                               f"this one: {_shown(str(error))}") from None
        if self.allow_remote:
            return  # the Oxigraph server's SERVICE and LOAD may reach out; its FROM selects its own graphs
        found |= Reach(dataset=tuple((name, value) for name, value in params if name in DATASET_PARAMS))
        out = stray(found, graphs=lambda: self.store_graphs(found.graphs))
        if out is not None and out.keyword in ("SERVICE", "LOAD"):
            raise Refused(403, f"{out.keyword} is refused: {_REMOTE_HINT}")
        if out is not None:
            raise Refused(403, f"<{_shown(str(out.target))}> is not a graph of this store, and a dataset (FROM, USING, "
                               f"default-graph-uri...) may name only those: {_REMOTE_HINT}")

    def store_graphs(self, wanted: Iterable[str]) -> frozenset[str]:
        """The store's graphs; asked of the server again when a writable one may have gained some."""
        if self.token is not None and not self.graphs.issuperset(wanted):
            request = urllib.request.Request(
                f"http://{HOST}:{self.backend}/query",
                data=urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"}).encode(),
                headers={"Accept": "text/csv", "Content-Type": FORM})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # the private loopback server
                    self.graphs = frozenset(answer.read().decode("utf-8").split()[1:])
            except OSError:
                raise Refused(502, _NO_BACKEND) from None
        return self.graphs

    async def relay(self, forward: Forward, writer: asyncio.StreamWriter) -> None:
        """Pass ``forward`` on to the Oxigraph server and stream its answer back as it comes."""
        try:
            upstream_reader, upstream = await asyncio.open_connection(HOST, self.backend, limit=HEAD_BYTES)
        except OSError:
            writer.write(Refused(502, _NO_BACKEND).response())
            return
        try:
            head = [f"{forward.method} {forward.target} HTTP/1.1", f"Host: {HOST}:{self.backend}",
                    f"X-Forwarded-Host: {self.authority}", "Connection: close", f"Content-Length: {len(forward.body)}"]
            head += [f"{name}: {value}" for name, value in forward.headers.items() if _is_header_value(value)]
            upstream.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + forward.body)
            answer = await upstream_reader.readuntil(b"\r\n\r\n")
            writer.write(_close_after(answer))
            while chunk := await upstream_reader.read(65536):
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), SEND_SECONDS)
            await asyncio.wait_for(writer.drain(), SEND_SECONDS)
        finally:
            upstream.close()


def _sparql_params(request: Request) -> list[tuple[str, str]]:
    """The request's parameters, the body's among them (a form, or the text of a query or update)."""
    params = list(request.params)
    if request.method != "POST":
        return params
    kind = (request.headers.get_content_type() or "").lower()
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None
    if kind == FORM:
        extra = parse_qsl(body, keep_blank_values=True)
    elif kind in ("application/sparql-query", "application/sparql-update"):
        extra = [(kind.rsplit("-", 1)[1], body)]
    else:
        raise Refused(415, f"{_shown(kind)} is not a SPARQL body: send application/sparql-query, "
                           f"application/sparql-update or {FORM}")
    if {name for name, _ in extra} & {name for name, _ in params}:
        raise Refused(400, "a parameter is given both in the URL and in the body")
    return params + extra


def _operation(path: str, params: list[tuple[str, str]]) -> str:
    names = {name for name, _ in params}
    operation = OPERATIONS[path] or ("update" if "update" in names and "query" not in names else "query")
    if (operation == "update" and "query" in names) or (operation == "query" and "update" in names):
        raise Refused(400, "a request is one query or one update, not both")
    return operation


def _is_write(request: Request) -> bool:
    """Whether the head of ``request`` shows a write (a Graph Store write, an update); a form sent
    to /sparql shows it only in its body (:meth:`Guard.vet` checks that one)."""
    if request.path.startswith("/store"):
        return request.method in ("PUT", "POST", "DELETE")
    kind = (request.headers.get_content_type() or "").lower()
    return request.method == "POST" and (request.path == "/update" or (
        request.path == "/sparql" and kind == "application/sparql-update"))


def _is_raw(path: str) -> bool:
    return path == RAW_PAGE or path.startswith(RAW_PAGE + "/")


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"


def _close_after(head: bytes) -> bytes:
    """The server's answer head with ``Connection: close`` (the front serves one request a connection)."""
    lines = [line for line in head.rstrip(b"\r\n").split(b"\r\n")
             if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"


def _is_header_value(value: str) -> bool:
    return value.isprintable() and all(ord(char) < 256 for char in value)


def _shown(text: str) -> str:
    """A client's words in an answer: printable ASCII, at most 100 characters."""
    return "".join(char if " " <= char <= "~" else "?" for char in text[:100])


async def _discard(reader: asyncio.StreamReader, *, limit: int = WRITE_BYTES, seconds: float = 2.0) -> None:
    """Read what the client still sends (a body not wanted), so that closing does not reset the
    connection before it reads the answer."""
    loop = asyncio.get_running_loop()
    deadline, left = loop.time() + seconds, limit
    while left > 0 and (remaining := deadline - loop.time()) > 0:
        try:
            chunk = await asyncio.wait_for(reader.read(min(left, 65536)), remaining)
        except (TimeoutError, ConnectionError):
            return
        if not chunk:
            return
        left -= len(chunk)

"""One HTTP exchange with a SPARQL endpoint, under the one policy every request follows.

:func:`exchange` is the only place tradegraph opens an HTTP connection to an endpoint (queries,
updates and Graph Store requests alike), so no path can forget a rule:

- **One origin.** A redirect is followed only to the origin the user configured (scheme, host
  and port): a redirect to another host or port, from https down to http, or from http up to
  https is refused, so credentials and data never reach another origin. Every hop of a chain
  is checked against the configured origin, and a chain ends after :data:`MAX_REDIRECTS`.
- **No silent GET.** A request other than ``GET``/``HEAD`` (a query sent by ``POST``, an
  update, a Graph Store ``PUT``, ``POST`` or ``DELETE``) follows only ``307`` and ``308``, which
  repeat the same method with the same body. ``301``, ``302`` and ``303`` would turn it into a
  ``GET`` without its body (a write that never happened), so they are refused.
- **Confirmed.** Only ``200``, ``201`` and ``204`` confirm a request; another ``2xx`` (``202
  Accepted``: queued, not done) is refused.
- **One deadline.** The whole exchange (connect, send, every read, every hop) ends when
  ``timeout`` seconds have passed: a watchdog shuts the connection down, however slowly the
  server drips its answer.
- **A size cap.** An answer longer than ``limit`` bytes is refused as soon as it passes it.

Failures are :class:`Refused` (the endpoint answered against the policy), :class:`TimeoutError`
(the deadline passed), or what :mod:`urllib` raises; :mod:`tradegraph.remote.transport` turns each
into one line.

>>> same_origin("http://h:80/query", "http://H/update"), same_origin("http://h/q", "https://h/q")
(True, False)
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: Hops a redirect chain may take (each to the configured origin) before it is refused.
MAX_REDIRECTS = 5
#: The statuses that confirm a request was done.
CONFIRMED = (200, 201, 204)
_CHUNK = 1 << 16
_EXCERPT = 2000
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(Exception):
    """The endpoint answered in a way the policy refuses: what it did, what was expected, a hint."""

    def __init__(self, what: str, *, expected: str, hint: str | None = None) -> None:
        super().__init__(what)
        self.what, self.expected, self.hint = what, expected, hint


@dataclass(frozen=True)
class Reply:
    """A confirmed answer: its status, content type (without parameters) and body."""

    status: int
    content_type: str
    body: bytes


def exchange(url: str, method: str, *, body: bytes | None, headers: dict[str, str], timeout: float,
             limit: int, purpose: str) -> Reply:
    """Send one request to ``url`` and read its whole answer, under the policy above.

    ``purpose`` (``query``, ``update``, ``graph store``) names the request in messages.
    An :class:`urllib.error.HTTPError` raised for a 4xx or 5xx carries the first
    2,000 bytes of the server's explanation (read within the deadline).
    """
    watchdog = _Watchdog(timeout)
    opener = urllib.request.build_opener(_Redirects(url, purpose), _HTTPHandler(watchdog), _HTTPSHandler(watchdog))
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with watchdog:
            try:
                with opener.open(req, timeout=timeout) as response:
                    reply = Reply(response.status, response.headers.get_content_type(), _read(response, limit))
            except urllib.error.HTTPError as exc:
                raise _kept(exc) from None
    except Exception:  # cut at the deadline, a status line or headers may look like anything
        if watchdog.expired:
            raise TimeoutError(f"no whole answer within {timeout:g} s") from None
        raise
    if watchdog.expired:  # a server that stops talking at the deadline still sent only part of it
        raise TimeoutError(f"no whole answer within {timeout:g} s")
    if reply.status not in CONFIRMED:
        raise Refused(f"answered HTTP {reply.status} {http.client.responses.get(reply.status, '')}".rstrip()
                      + f", which does not confirm the {purpose}",
                      expected="200, 201 or 204", hint="a 202 means the store queued it without doing it yet")
    return reply


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs have the same scheme, host and port (the default port if none)."""
    return _origin(a) == _origin(b)


def shown(url: str) -> str:
    """``url`` without credentials, query string or fragment, as messages show it."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a number: no origin equals it
        return ("", url, None)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _read(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The whole body, or :class:`Refused` as soon as it is longer than ``limit`` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit, announced=int(declared))
    data = bytearray()
    while chunk := response.read(min(_CHUNK, limit + 1 - len(data))):
        data += chunk
        if len(data) > limit:
            raise _too_large(limit)
    return bytes(data)


def _too_large(limit: int, *, announced: int | None = None) -> Refused:
    size = f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit:,} bytes"
    what = f"announced an answer of {announced:,} bytes" if announced is not None else "sent an answer"
    return Refused(f"{what}, over the limit of {size}",
                   expected=f"an answer of at most {size}",
                   hint="ask for less (narrower parameters, a LIMIT), or raise Endpoint(max_answer=...)")


def _kept(exc: urllib.error.HTTPError) -> urllib.error.HTTPError:
    """``exc`` with the start of its body read now (under the deadline) and its connection closed."""
    try:
        said = exc.read(_EXCERPT)
    except Exception:  # the body is gone or the connection broke: the status is enough
        said = b""
    finally:
        exc.close()
    return urllib.error.HTTPError(exc.url, exc.code, exc.reason, exc.headers, io.BytesIO(said))


class _Watchdog:
    """One deadline for a whole exchange: when it passes, every socket of the exchange is shut."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def left(self) -> float:
        """Seconds to the deadline (a little above 0 once past, so a connect fails at once)."""
        return max(0.001, self.ends - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Wake whoever blocks on ``sock`` (a shutdown does, from another thread; a close does not)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed or never connected
        pass


class _Watched(http.client.HTTPConnection):
    """A connection that connects within what is left of the deadline and lets the watchdog shut it."""

    def __init__(self, *args: Any, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watchdog = watchdog

    def connect(self) -> None:
        self.timeout = self.watchdog.left()
        super().connect()
        if self.sock is not None:
            self.watchdog.watch(self.sock)


class _WatchedTLS(_Watched, http.client.HTTPSConnection):
    """The same over TLS (the socket watched is the TLS one, once the handshake is done)."""


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_Watched, req, watchdog=self.watchdog)  # type: ignore[arg-type]  # urllib passes the keywords on


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_WatchedTLS, req, context=self._context, watchdog=self.watchdog)  # type: ignore[attr-defined,arg-type]


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where the policy allows (see the module's docstring)."""

    max_repeats = max_redirections = MAX_REDIRECTS + 1  # our own count below is the one that acts

    def __init__(self, configured: str, purpose: str) -> None:
        self.configured, self.purpose, self.hops = configured, purpose, 0

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request:
        fp.close()  # what a redirect says is never read: it could be endless
        self.hops += 1
        moved = f"redirected (HTTP {code}) to {shown(newurl)}"
        if not same_origin(newurl, self.configured):
            raise Refused(f"{moved}, another origin", expected=f"answers from {_origin_text(self.configured)} only",
                          hint="credentials and data go only to the origin given: if the endpoint moved, "
                               "give its new URL")
        method = req.get_method()
        if method not in ("GET", "HEAD") and code not in (307, 308):
            raise Refused(f"{moved}, which would repeat the {self.purpose} as a GET without its body",
                          expected=f"the {self.purpose} answered where it was sent (or a 307/308 redirect)",
                          hint=f"give {shown(newurl)} as the URL")
        if self.hops > MAX_REDIRECTS:
            raise Refused(f"redirected more than {MAX_REDIRECTS} times (last to {shown(newurl)})",
                          expected="an answer", hint="give the URL the redirects end at")
        return urllib.request.Request(newurl, data=req.data, method=method, headers=dict(req.headers))


def _origin_text(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"

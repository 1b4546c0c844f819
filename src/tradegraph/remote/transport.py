"""HTTP to a SPARQL endpoint: where it is, its credentials, retries, and failures as one line.

An :class:`Endpoint` is a URL with a timeout, a cap on the size of an answer and a retry
policy. :func:`request` runs one request through :func:`~tradegraph.remote.exchange.exchange` (the one
policy for redirects, the deadline and the cap): it retries connection failures and HTTP 5xx
with exponential backoff, but only when the request is idempotent (a query, a Graph Store
``PUT``, a ``DROP``), and turns every failure into an :class:`~tradegraph.errors.EndpointError`
that names the endpoint and what happened. Credentials come from the environment
(:data:`USER`/:data:`PASSWORD` for HTTP Basic or Digest, or :data:`TOKEN` for a bearer token);
they are sent to the configured origin only, never shown.

A user and password go as HTTP Basic with the request. A store that answers ``401`` with an
HTTP Digest challenge (Virtuoso's ``/sparql-auth`` and ``/sparql-graph-crud-auth``) gets the
request again with the Digest answer that :mod:`urllib.request`'s digest handler computes, for
the URL configured only (a redirect is followed only to the same origin, and the password is
registered for that origin alone); later requests to that origin answer its last challenge
at once, so a large body is not sent twice each time, and a ``stale`` or new challenge is
answered again once.

>>> Endpoint("http://127.0.0.1:7878/query?x=1").shown
'http://127.0.0.1:7878/query'
>>> Endpoint("ftp://example.org/")
Traceback (most recent call last):
...
tradegraph.errors.UsageError: endpoint URL 'ftp://example.org/' is not an http(s) URL; expected a URL like http://127.0.0.1:7878/query
"""

from __future__ import annotations

import base64
import dataclasses
import http.client
import logging
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import ClassVar
from urllib.parse import urlsplit

from tradegraph.errors import EndpointError, Location, UsageError
from tradegraph.remote.exchange import Refused, Reply, exchange, same_origin, shown

#: The longest timeout an endpoint may have, in seconds (a week).
MAX_TIMEOUT = 7 * 24 * 3600
#: The default cap on the size of an endpoint's answer, in bytes (256 MiB).
MAX_ANSWER = 256 * 2**20
#: Environment variables that hold the credentials of a protected endpoint.
USER, PASSWORD, TOKEN = "TRADEGRAPH_ENDPOINT_USER", "TRADEGRAPH_ENDPOINT_PASSWORD", "TRADEGRAPH_ENDPOINT_TOKEN"

log = logging.getLogger("tradegraph.remote.endpoint")


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL endpoint's URL, how long a whole exchange may take, how large an answer may be
    (``max_answer`` bytes), and how often to retry."""

    url: str
    timeout: float = 60.0
    retries: int = 2
    backoff: float = 0.5
    max_answer: int = MAX_ANSWER

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"endpoint URL {self.shown!r} is not an http(s) URL",
                             expected="a URL like http://127.0.0.1:7878/query")
        if parts.username or parts.password:
            raise UsageError(f"endpoint URL {self.shown!r} carries credentials",
                             expected="a URL without user:password@",
                             hint=f"set {USER} and {PASSWORD}, or {TOKEN}, in the environment")
        if not 0 < self.timeout <= MAX_TIMEOUT:  # also refuses nan and inf
            raise UsageError(f"timeout {self.timeout:g} s is out of range",
                             expected=f"a number of seconds above 0 and at most {MAX_TIMEOUT:,} (a week)")
        if self.max_answer <= 0:
            raise UsageError(f"max_answer {self.max_answer} is not positive", expected="a number of bytes above 0")

    @property
    def shown(self) -> str:
        """The URL as messages show it: no credentials, no query string."""
        return shown(self.url)

    def at(self, url: str) -> Endpoint:
        """The same timeout, cap, retries and credentials for another URL of the same store."""
        return dataclasses.replace(self, url=url)


def credentials() -> dict[str, str]:
    """The ``Authorization`` header the environment asks for, if any."""
    user, password, token = (os.environ.get(name) for name in (USER, PASSWORD, TOKEN))
    if token:
        return {"Authorization": f"Bearer {token}"}
    if user or password:
        if not (user and password):
            raise UsageError(f"only one of {USER} and {PASSWORD} is set", expected="both, or neither")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    return {}


def redact(text: str) -> str:
    """``text`` with every credential from the environment (and its Basic form) replaced by ``***``.

    >>> os.environ[TOKEN] = "s3cret"; redact("token s3cret"); del os.environ[TOKEN]
    'token ***'
    """
    secrets = [os.environ.get(name) or "" for name in (PASSWORD, TOKEN)]
    secrets += [value.split(" ", 1)[1] for value in credentials().values()]
    for secret in sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def request(endpoint: Endpoint, method: str, *, body: bytes | None = None, content_type: str | None = None,
            accept: str = "*/*", idempotent: bool, purpose: str) -> Reply:
    """Send one HTTP request to ``endpoint.url``; its confirmed answer.

    Connection failures and HTTP 5xx are retried with exponential backoff when ``idempotent``;
    ``purpose`` (``query``, ``update`` or ``graph store``) names the request in messages and
    tailors their hints.
    """
    headers = {"Accept": accept, **credentials(), **({"Content-Type": content_type} if content_type else {})}
    tries = 1 + max(0, endpoint.retries) if idempotent else 1
    for number in range(1, tries + 1):
        try:
            return _authorized(endpoint, method, body, headers, purpose)
        except Exception as exc:
            failure = _failure(exc, endpoint, purpose)
            if failure is None:
                raise
            what, retry, expected, hint = failure
            if not retry or number == tries:
                if number > 1:
                    what += f" (after {number} tries)"
                raise EndpointError(redact(what), where=Location(endpoint.shown), expected=expected,
                                    hint=hint) from None
            delay = endpoint.backoff * 2 ** (number - 1)
            log.warning("%s: %s; retrying in %g s", endpoint.shown, redact(what), delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _authorized(endpoint: Endpoint, method: str, body: bytes | None, headers: dict[str, str],
                purpose: str) -> Reply:
    """One exchange, answering the store's HTTP Digest challenge (once) when a user and password are set."""
    digest = _Digest.known(endpoint.url)
    ready = digest.answer(endpoint.url, method, body) if digest is not None else None
    if ready is not None:
        headers = {**headers, "Authorization": ready}
    try:
        return exchange(endpoint.url, method, body=body, headers=headers, timeout=endpoint.timeout,
                        limit=endpoint.max_answer, purpose=purpose)
    except urllib.error.HTTPError as exc:
        challenge = _digest_challenge(exc)
        if challenge is None and _silent_refusal(exc, headers):
            # Virtuoso answers Basic credentials with a bare 401: asked without them, it says what it wants
            try:
                return exchange(endpoint.url, method, body=body,
                                headers={k: v for k, v in headers.items() if k != "Authorization"},
                                timeout=endpoint.timeout, limit=endpoint.max_answer, purpose=purpose)
            except urllib.error.HTTPError as bare:
                challenge = _digest_challenge(bare)
        if challenge is None:
            raise exc from None
        digest = _Digest.challenged(endpoint.url, challenge)
        answer = digest.answer(endpoint.url, method, body) if digest is not None else None
        if answer is None or answer == headers.get("Authorization"):
            raise exc from None  # no password for it, or the same answer refused: the 401 stands
        return exchange(endpoint.url, method, body=body, headers={**headers, "Authorization": answer},
                        timeout=endpoint.timeout, limit=endpoint.max_answer, purpose=purpose)


def _silent_refusal(exc: urllib.error.HTTPError, headers: dict[str, str]) -> bool:
    """Whether ``exc`` is a 401 that names no scheme at all, to a request that carried Basic credentials."""
    return (exc.code == 401 and headers.get("Authorization", "").startswith("Basic ")
            and not (isinstance(exc.headers, Message) and exc.headers.get_all("WWW-Authenticate")))


def _digest_challenge(exc: urllib.error.HTTPError) -> str | None:
    """The HTTP Digest challenge of a 401 answer (what follows ``Digest``), if it has one."""
    if exc.code != 401 or not isinstance(exc.headers, Message):
        return None
    for value in exc.headers.get_all("WWW-Authenticate") or []:
        scheme, _, challenge = str(value).strip().partition(" ")
        if scheme.lower() == "digest" and challenge.strip():
            return challenge.strip()
    return None


class _Digest:
    """The HTTP Digest answers to one origin's challenge, computed by :mod:`urllib.request`'s digest
    handler with the environment's user and password, registered for that origin only."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _by_origin: ClassVar[dict[tuple[str, str, str], _Digest]] = {}   # (origin, user, password) -> last challenge

    def __init__(self, origin: str, user: str, password: str, challenge: str) -> None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, origin, user, password)  # realm None: whichever the origin names
        self.handler = urllib.request.AbstractDigestAuthHandler(manager)
        self.origin = origin
        self.challenge = urllib.request.parse_keqv_list(
            [part for part in urllib.request.parse_http_list(challenge) if part])

    @classmethod
    def _key(cls, url: str) -> tuple[str, str, str] | None:
        user, password = os.environ.get(USER), os.environ.get(PASSWORD)
        if not (user and password) or os.environ.get(TOKEN):
            return None
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/", user, password

    @classmethod
    def known(cls, url: str) -> _Digest | None:
        """The origin's last challenge, when it asked for Digest before (in this process)."""
        key = cls._key(url)
        with cls._lock:
            return cls._by_origin.get(key) if key else None

    @classmethod
    def challenged(cls, url: str, challenge: str) -> _Digest | None:
        """The answers to the origin's new ``challenge`` (None without a user and password)."""
        key = cls._key(url)
        if key is None:
            return None
        digest = cls(key[0], key[1], key[2], challenge)
        with cls._lock:
            cls._by_origin[key] = digest
        return digest

    def answer(self, url: str, method: str, body: bytes | None) -> str | None:
        """The ``Authorization`` header for a request to ``url`` (of this origin only), or None."""
        if not same_origin(url, self.origin):
            return None
        request = urllib.request.Request(url, data=body, method=method)
        try:
            with self._lock:
                value = self.handler.get_authorization(request, self.challenge)
        except (ValueError, urllib.error.URLError):  # a qop or algorithm it does not speak
            return None
        return f"Digest {value}" if value else None


_Failure = tuple[str, bool, str | None, str | None]   # what, retry?, expected, hint


def _failure(exc: Exception, endpoint: Endpoint, purpose: str) -> _Failure | None:
    """What went wrong, whether to retry, what was expected and a hint; None for a bug."""
    if isinstance(exc, Refused):
        return one_line(exc.what), False, exc.expected, exc.hint
    if isinstance(exc, urllib.error.HTTPError):
        return _http_failure(exc, purpose)
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return (f"no answer within {endpoint.timeout:g} s", False, "an answer within the timeout",
                "the server may be stuck or the work slow: check it, or raise --timeout")
    if isinstance(reason, ConnectionRefusedError):
        return ("connection refused", True, "a SPARQL endpoint listening there",
                "is the server running? check the host and port; `tradegraph serve` starts one")
    if isinstance(reason, socket.gaierror):
        return (f"cannot resolve the host {urlsplit(endpoint.url).hostname!r}", False, None, "check the URL")
    if isinstance(reason, (ConnectionError, http.client.RemoteDisconnected)):
        return ("the connection closed before an answer", True, "an HTTP answer", "check the server's log")
    if isinstance(reason, http.client.IncompleteRead):
        return (f"the answer broke off after {len(reason.partial):,} bytes", True, "a whole HTTP answer",
                "check the server's log")
    if isinstance(reason, http.client.HTTPException):
        return (f"answered with something that is not HTTP ({type(reason).__name__})", False,
                "an HTTP server", "check the host and port")
    if isinstance(reason, OSError):
        return (f"network error: {reason.strerror or reason}", False, None, "check the URL and the network")
    return None


_HINTS = {
    "query": "check the URL: Oxigraph answers queries at /query, Fuseki at /DATASET/query (or /sparql)",
    "update": "push needs the SPARQL Update URL: Oxigraph's /update, Fuseki's /DATASET/update",
    "graph store": "check --graph-store: Oxigraph's /store, Fuseki's /DATASET/data",
}


def _http_failure(exc: urllib.error.HTTPError, purpose: str) -> _Failure:
    said = _excerpt(exc)
    what = one_line(f"HTTP {exc.code} {exc.reason}") + (f": {said}" if said else "")
    if exc.code in (401, 403):
        return (what, False, "access to the endpoint",
                f"set {USER} and {PASSWORD}, or {TOKEN}; a read-only store refuses writes: "
                "`tradegraph serve --writable` accepts them")
    if exc.code in (404, 405, 501):
        return what, False, f"a SPARQL {purpose} endpoint", _HINTS.get(purpose)
    if exc.code >= 500:
        return what, True, "a SPARQL answer", "the server failed on the request; check its log"
    return what, False, f"the endpoint to accept the {purpose}", None


def _excerpt(exc: urllib.error.HTTPError) -> str:
    """The first words of the server's explanation, on one line."""
    try:
        text = exc.read(2000).decode("utf-8", "replace")
    except Exception:  # the body is gone or the connection broke: the status is enough
        return ""
    text = one_line(re.sub(r"<[^>]*>", " ", text))
    return text[:200] + ("..." if len(text) > 200 else "")


def one_line(text: str) -> str:
    r"""A server's words squeezed onto one line of plain words: controls become spaces, runs of
    space one (unlike :func:`tradegraph.errors.printable`, which escapes, this is for excerpts).

    >>> one_line("a\x1b[2J\nb  c")
    'a [2J b c'
    """
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())

"""Issue 14, classes 3 and 7: a write is confirmed by the status of the request that carried its
body, and nothing (credentials, queries, data) goes to an origin other than the configured one.

Every request to an endpoint goes through one policy (tradegraph.remote.exchange): a redirect to
another origin is refused; a request other than GET/HEAD follows only a 307/308 to the same
origin; only 200, 201 and 204 confirm. The servers are real, on 127.0.0.1 (HTTP and HTTPS)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tradegraph.errors import EndpointError
from tradegraph.project import Project
from tradegraph.query.run import run_sparql
from tradegraph.remote.exchange import MAX_REDIRECTS, Refused, exchange, same_origin
from tradegraph.remote.push import push
from tradegraph.remote.transport import PASSWORD, TOKEN, USER, Endpoint

from .conftest import FIXTURES
from .fake_endpoints import JSON, NO_ROWS, fake_endpoint, redirect, self_signed

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
FIXTURE = FIXTURES / "minimal"
DONE = (204, "text/plain", b"")
SECRET = "t0ken-Secret-42"


def fast(url: str) -> Endpoint:
    return Endpoint(url, backoff=0.01, timeout=10)


def push_update(url: str, **options: object):  # type: ignore[no-untyped-def]
    return push(Project.open(FIXTURE), fast(url), batch_size=5, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------- class 3: writes are confirmed
@pytest.mark.parametrize("code", [301, 302, 303])
def test_a_push_by_update_redirected_to_a_get_is_an_error(code: int) -> None:
    with fake_endpoint(redirect(code, "/elsewhere"), NO_ROWS) as fake:
        with pytest.raises(EndpointError) as error:
            push_update(fake.origin + "/update")
    assert str(error.value) == (
        f"{fake.origin}/update: redirected (HTTP {code}) to {fake.origin}/elsewhere, which would repeat the update "
        "as a GET without its body; expected the update answered where it was sent (or a 307/308 redirect) "
        f"(hint: give {fake.origin}/elsewhere as the URL)")
    assert error.value.exit_code == 3
    assert [g.method for g in fake.got] == ["POST"]  # no GET followed, nothing retried


@pytest.mark.parametrize("code", [301, 302, 303])
def test_a_graph_store_write_redirected_is_an_error_not_a_fall_back(code: int) -> None:
    with fake_endpoint(redirect(code, "/data2"), DONE) as fake:
        with pytest.raises(EndpointError, match=rf"/data: redirected \(HTTP {code}\) to {fake.origin}/data2, which would "
                                                r"repeat the graph store as a GET without its body"):
            push_update(fake.origin + "/update", graph_store=fake.origin + "/data")
    assert [g.method for g in fake.got] == ["PUT"]


def test_the_push_command_exits_3_and_never_says_pushed(cli, minimal: Path) -> None:
    with fake_endpoint(redirect(302, "/"), NO_ROWS) as fake:
        run = cli("push", "--project", str(minimal), "--endpoint", fake.origin + "/update")
    assert run.code == 3
    assert "pushed" not in run.out
    assert [line for line in run.err.splitlines() if line.startswith("error:")] == [
        f"error: {fake.origin}/update: redirected (HTTP 302) to {fake.origin}/, which would repeat the update as a GET "
        f"without its body; expected the update answered where it was sent (or a 307/308 redirect) (hint: give "
        f"{fake.origin}/ as the URL)"]
    assert [g.method for g in fake.got] == ["POST"]


@pytest.mark.parametrize("code", [307, 308])
def test_a_307_or_308_on_the_same_origin_carries_the_write_again(code: int) -> None:
    with fake_endpoint(redirect(code, "/real-update"), DONE) as fake:  # the first request is redirected
        result = push(Project.open(FIXTURE), fast(fake.origin + "/update"))
    first, again = fake.got[:2]
    assert (first.method, first.path, again.method, again.path) == ("POST", "/update", "POST", "/real-update")
    assert first.body == again.body and b"INSERT+DATA" in again.body
    assert len(fake.got) == result.requests + 1 and sum(result.graphs.values()) > 0


@pytest.mark.parametrize("status", [202, 203, 205, 206])
def test_a_2xx_that_does_not_confirm_the_write_is_an_error(status: int) -> None:
    with fake_endpoint((status, "text/plain", b"")) as fake:
        with pytest.raises(EndpointError) as error:
            push_update(fake.origin + "/update")
    assert f"/update: answered HTTP {status} " in str(error.value)
    assert str(error.value).endswith(", which does not confirm the update; expected 200, 201 or 204 (hint: a 202 "
                                     "means the store queued it without doing it yet)")
    assert len(fake.got) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("code", [301, 302, 303])
def test_no_method_but_get_and_head_follows_a_method_changing_redirect(method: str, code: int) -> None:
    with fake_endpoint(redirect(code, "/other"), DONE) as fake:
        with pytest.raises(Refused, match=rf"redirected \(HTTP {code}\) .* without its body"):
            exchange(fake.url, method, body=b"x" if method != "DELETE" else None, headers={}, timeout=5,
                     limit=1000, purpose="update")
    assert [g.method for g in fake.got] == [method]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "GET", "HEAD"])
@pytest.mark.parametrize("code", [307, 308])
def test_307_and_308_keep_the_method_and_the_body(method: str, code: int) -> None:
    body = None if method in ("GET", "HEAD", "DELETE") else b"the body"
    with fake_endpoint(redirect(code, "/other?x=1"), DONE) as fake:
        reply = exchange(fake.url, method, body=body, headers={"Content-Type": "text/plain"}, timeout=5, limit=1000,
                         purpose="update")
    assert reply.status == 204
    assert [(g.method, g.path, g.body) for g in fake.got] == [(method, "/query", body or b""),
                                                              (method, "/other?x=1", body or b"")]
    assert fake.got[1].headers.get("Content-Type") == "text/plain"


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_get_follows_any_redirect_on_the_same_origin(code: int) -> None:
    with fake_endpoint(redirect(code, "/moved"), (200, "text/plain", b"here")) as fake:
        reply = exchange(fake.url, "GET", body=None, headers={}, timeout=5, limit=1000, purpose="query")
    assert (reply.body, [g.path for g in fake.got]) == (b"here", ["/query", "/moved"])


def test_a_redirect_loop_ends_after_a_few_hops() -> None:
    with fake_endpoint(redirect(307, "/query")) as fake:
        with pytest.raises(EndpointError, match=rf"redirected more than {MAX_REDIRECTS} times \(last to "):
            push_update(fake.origin + "/query")
    assert len(fake.got) == MAX_REDIRECTS + 1


# ---------------------------------------------------------------- class 7: one origin
def credentials(monkeypatch: pytest.MonkeyPatch, kind: str) -> str:
    """Set credentials of ``kind`` in the environment; the Authorization header they make."""
    for name in (USER, PASSWORD, TOKEN):
        monkeypatch.delenv(name, raising=False)
    if kind == "token":
        monkeypatch.setenv(TOKEN, SECRET)
        return f"Bearer {SECRET}"
    monkeypatch.setenv(USER, "analyst")
    monkeypatch.setenv(PASSWORD, SECRET)
    return "Basic " + base64.b64encode(f"analyst:{SECRET}".encode()).decode()


COMMANDS = {  # each given the URL and a copy of the minimal project (a push remembers in its build/)
    "query": lambda url, project: ("query", "who-met-whom", "--project", str(project), "--endpoint", url),
    "sparql select": lambda url, _: ("sparql", "--endpoint", url, "SELECT * WHERE { ?s ?p ?o }"),
    "sparql ask": lambda url, _: ("sparql", "--endpoint", url, "ASK { ?s ?p ?o }"),
    "sparql construct": lambda url, _: ("sparql", "--endpoint", url, "CONSTRUCT WHERE { ?s ?p ?o }"),
    "push by update": lambda url, project: ("push", "--project", str(project), "--endpoint", url),
    "push by graph store": lambda url, project: ("push", "--project", str(project), "--endpoint", url,
                                                 "--graph-store", url),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("elsewhere", ["another port", "another host name"])
def test_no_command_follows_a_redirect_to_another_origin(monkeypatch: pytest.MonkeyPatch, cli, minimal: Path,
                                                         command: str, code: int, elsewhere: str) -> None:
    header = credentials(monkeypatch, "token" if code % 2 else "basic")
    with fake_endpoint(NO_ROWS) as other:
        target = other.url if elsewhere == "another port" else other.url.replace("127.0.0.1", "localhost")
        with fake_endpoint(redirect(code, target)) as first:
            run = cli(*COMMANDS[command](first.url, minimal))
    assert other.got == []
    assert [g.headers["Authorization"] for g in first.got] == [header]
    assert run.code == 3
    assert run.err.splitlines()[-1] == (
        f"error: {first.url}: redirected (HTTP {code}) to {target}, another origin; expected answers from "
        f"http://127.0.0.1:{first.url.split(':')[2].split('/')[0]} only (hint: credentials and data go only to the "
        "origin given: if the endpoint moved, give its new URL)")
    assert SECRET not in run.out + run.err


def test_a_chain_is_checked_at_every_hop(monkeypatch: pytest.MonkeyPatch) -> None:
    header = credentials(monkeypatch, "token")
    with fake_endpoint(NO_ROWS) as other:
        with fake_endpoint(redirect(307, "/hop"), redirect(308, other.url)) as first:
            with pytest.raises(EndpointError, match="another origin"):
                run_sparql("ASK {}", endpoint=fast(first.url))
    assert other.got == []
    assert [(g.path, g.headers["Authorization"]) for g in first.got] == [("/query", header), ("/hop", header)]


def test_https_redirected_down_to_http_sends_nothing_there(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(self_signed(tmp_path)))
    credentials(monkeypatch, "token")
    with fake_endpoint(NO_ROWS) as plain:
        with fake_endpoint(redirect(307, plain.url), tls=tmp_path / "cert.pem") as secure:
            assert secure.url.startswith("https://")
            with pytest.raises(EndpointError, match=rf"redirected \(HTTP 307\) to {plain.url}, another origin"):
                run_sparql("ASK {}", endpoint=fast(secure.url))
    assert plain.got == [] and len(secure.got) == 1


def test_https_works_and_carries_the_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(self_signed(tmp_path)))
    header = credentials(monkeypatch, "basic")
    with fake_endpoint((200, JSON, b'{"boolean": true}'), tls=tmp_path / "cert.pem") as secure:
        assert run_sparql("ASK {}", endpoint=fast(secure.url)) is True
    assert [g.headers["Authorization"] for g in secure.got] == [header]


def test_http_redirected_up_to_https_on_the_same_host_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    credentials(monkeypatch, "token")
    with fake_endpoint(NO_ROWS) as fake:
        upgraded = fake.url.replace("http://", "https://")
        fake.replies[0] = redirect(308, upgraded)
        with pytest.raises(EndpointError, match=rf"to {upgraded}, another origin; .*give its new URL"):
            run_sparql("ASK {}", endpoint=fast(fake.url))
    assert len(fake.got) == 1  # the https URL was never opened (the same port would not speak TLS anyway)


@pytest.mark.parametrize("a, b, same", [
    ("http://h/q", "http://h:80/u", True),
    ("https://h/q", "https://H:443/u?x", True),
    ("http://h/q", "https://h/q", False),    # an upgrade is another origin: give the https URL
    ("https://h/q", "http://h/q", False),    # a downgrade
    ("http://h:7878/q", "http://h:7879/q", False),
    ("http://h/q", "http://h.evil/q", False),
    ("http://h/q", "http://user@h.evil/q", False),
    ("http://h/q", "http://h:bad/q", False),
])
def test_what_counts_as_the_same_origin(a: str, b: str, same: bool) -> None:
    assert same_origin(a, b) is same


def test_every_request_goes_through_the_one_policy(monkeypatch: pytest.MonkeyPatch, cli, minimal: Path) -> None:
    """No request leaves by urllib's global opener or SPARQLWrapper's (which follow any redirect
    with the credentials): with both made to fail, every command still reaches the endpoint."""
    import urllib.request

    import SPARQLWrapper.Wrapper

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request left without the policy")

    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    monkeypatch.setattr(SPARQLWrapper.Wrapper, "urlopener", forbidden)
    replies = {"query": NO_ROWS, "sparql select": NO_ROWS, "sparql ask": (200, JSON, b'{"boolean": true}'),
               "sparql construct": (200, "text/turtle", b"<urn:a> <urn:b> <urn:c> ."),
               "push by update": DONE, "push by graph store": (201, "text/plain", b"")}
    for command, reply in replies.items():
        with fake_endpoint(reply) as fake:
            run = cli(*COMMANDS[command](fake.url, minimal))
        assert run.code == 0, (command, run.err)
        assert fake.got, command


# ---------------------------------------------------------------- HTTP Digest, to the configured origin only
CHALLENGE = (401, "text/plain", b"", {"WWW-Authenticate": 'Digest realm="SPARQL", nonce="n0nce", qop="auth", '
                                                          'algorithm="MD5", opaque="op"'})
BARE_401 = (401, "text/plain", b"")   # what Virtuoso answers Basic credentials with


def test_a_digest_challenge_is_answered_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    credentials(monkeypatch, "basic")
    with fake_endpoint(BARE_401, CHALLENGE, DONE, DONE) as fake:
        push_update(fake.origin + "/update", graph_store=fake.origin + "/crud")
    sent = [g.headers.get("Authorization", "") for g in fake.got]
    assert sent[0].startswith("Basic ") and sent[1] == ""  # Basic refused bare: asked again to hear the scheme
    assert all(value.startswith('Digest username="analyst", realm="SPARQL", nonce="n0nce", uri="/crud?graph=')
               for value in sent[2:]), sent
    assert [g.method for g in fake.got[:3]] == ["PUT"] * 3  # the first batch three times; the rest answer at once
    assert len(fake.got) > 10
    assert SECRET not in "".join(sent[1:])


def test_a_digest_answer_never_follows_a_redirect_to_another_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    credentials(monkeypatch, "basic")
    with fake_endpoint(NO_ROWS) as other:
        with fake_endpoint(CHALLENGE, redirect(307, other.url)) as first:
            with pytest.raises(EndpointError, match="another origin"):
                run_sparql("ASK {}", endpoint=fast(first.url))
    assert other.got == []
    assert first.got[1].headers["Authorization"].startswith('Digest username="analyst"')


def test_a_refused_digest_answer_is_a_401(monkeypatch: pytest.MonkeyPatch) -> None:
    credentials(monkeypatch, "basic")
    with fake_endpoint(CHALLENGE, CHALLENGE) as fake:
        with pytest.raises(EndpointError, match=r"HTTP 401 .*; expected access to the endpoint"):
            run_sparql("ASK {}", endpoint=fast(fake.url))
    assert len(fake.got) == 2  # answered once, not again and again

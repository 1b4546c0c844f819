"""An endpoint that is down, silent, failing or not SPARQL at all: one clear line naming it and
what happened, exit code 3; retries with backoff only for idempotent requests; credentials
sent but never shown. The misbehaving endpoints are tiny servers on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path

import pytest

from tradegraph.errors import EndpointError, UsageError
from tradegraph.project import Project
from tradegraph.query.run import run_query, run_sparql
from tradegraph.remote.push import push
from tradegraph.remote.transport import PASSWORD, TOKEN, USER, Endpoint

from .conftest import FIXTURES
from .fake_endpoints import JSON, NO_ROWS, closed_port_url, fake_endpoint, silent_endpoint

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
FIXTURE = FIXTURES / "minimal"
REFUSED = ("connection refused{after}; expected a SPARQL endpoint listening there (hint: is the server "
           "running? check the host and port; `tradegraph serve` starts one)")


def fast(url: str, **options: float) -> Endpoint:
    """The default policy (two retries) with a short backoff."""
    return Endpoint(url, backoff=0.01, **options)  # type: ignore[arg-type]


def remote(url: str | Endpoint):  # type: ignore[no-untyped-def]
    return run_query("who-met-whom", project=FIXTURE, endpoint=url)


# ---------------------------------------------------------------- nobody there, nobody answering
def test_a_stopped_server_is_connection_refused_after_retries(caplog: pytest.LogCaptureFixture) -> None:
    url = closed_port_url()
    with pytest.raises(EndpointError) as error:
        remote(fast(url))
    assert str(error.value) == f"{url}: " + REFUSED.format(after=" (after 3 tries)")
    assert error.value.exit_code == 3
    assert [r.getMessage() for r in caplog.records] == [
        f"{url}: connection refused; retrying in 0.01 s", f"{url}: connection refused; retrying in 0.02 s"]


def test_the_command_exits_3_with_one_error_line(cli) -> None:
    url = closed_port_url()
    run = cli("query", "who-met-whom", "--project", str(FIXTURE), "--endpoint", url)
    assert run.code == 3
    errors = [line for line in run.err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {url}: " + REFUSED.format(after=" (after 3 tries)")]
    assert run.out == ""


def test_an_endpoint_that_never_answers_times_out_without_retries() -> None:
    with silent_endpoint() as url:
        started = time.monotonic()
        with pytest.raises(EndpointError) as error:
            remote(fast(url, timeout=1))
        elapsed = time.monotonic() - started
    assert str(error.value) == (f"{url}: no answer within 1 s; expected an answer within the timeout "
                                "(hint: the server may be stuck or the work slow: check it, or raise --timeout)")
    assert 0.9 < elapsed < 4


def test_timeout_option_on_the_command_line(cli) -> None:
    with silent_endpoint() as url:
        run = cli("sparql", "--endpoint", url, "--timeout", "1", "ASK { ?s ?p ?o }")
    assert run.code == 3
    assert run.err == f"error: {url}: no answer within 1 s; expected an answer within the timeout " \
                      "(hint: the server may be stuck or the work slow: check it, or raise --timeout)\n"


def test_timeout_limits_a_local_query_too(cli) -> None:
    quick = cli("query", "who-met-whom", "--project", str(FIXTURE), "--timeout", "60", "--format", "csv")
    assert quick.code == 0 and quick.out.startswith("date,")
    slow = cli("sparql", "--project", str(FIXTURE), "--timeout", "0.2",
               "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert (slow.code, slow.err) == (2, "error: the query ran past --timeout 0.2 s "
                                        "(hint: narrow it with parameters, or give a longer --timeout)\n")


# ---------------------------------------------------------------- HTTP errors
def test_5xx_is_retried_with_backoff_and_then_answers() -> None:
    with fake_endpoint((503, "text/plain", b"busy"), (502, "text/plain", b"bad gateway"), NO_ROWS) as fake:
        assert remote(fast(fake.url)) == []
    assert [g.method for g in fake.got] == ["POST"] * 4  # three tries, then: is its default graph the union (no rows)?
    assert b"ASK" in fake.got[3].body and b"ASK" not in fake.got[2].body


def test_5xx_that_persists_names_the_status_and_the_servers_words() -> None:
    with fake_endpoint((500, "text/html", b"<html><h1>Internal error</h1>\n<p>disk full</p></html>")) as fake:
        with pytest.raises(EndpointError) as error:
            remote(fast(fake.url))
    assert str(error.value) == (f"{fake.url}: HTTP 500 Internal Server Error: Internal error disk full (after 3 tries); "
                                "expected a SPARQL answer (hint: the server failed on the request; check its log)")
    assert len(fake.got) == 3


@pytest.mark.parametrize("status, body, message", [
    (400, b"error at 1:25: expected one of ...", "HTTP 400 Bad Request: error at 1:25: expected one of ...; "
                                                 "expected the endpoint to accept the query"),
    (404, b"GET /nope is not supported", "HTTP 404 Not Found: GET /nope is not supported; expected a SPARQL "
                                         "query endpoint (hint: check the URL: Oxigraph answers queries at /query, "
                                         "Fuseki at /DATASET/query (or /sparql))"),
    (401, b"", "HTTP 401 Unauthorized; expected access to the endpoint (hint: set TRADEGRAPH_ENDPOINT_USER and "
               "TRADEGRAPH_ENDPOINT_PASSWORD, or TRADEGRAPH_ENDPOINT_TOKEN; a read-only store refuses writes: "
               "`tradegraph serve --writable` accepts them)"),
    (429, b"slow down", "HTTP 429 Too Many Requests: slow down; expected the endpoint to accept the query"),
])
def test_4xx_is_reported_at_once(status: int, body: bytes, message: str) -> None:
    with fake_endpoint((status, "text/plain", body)) as fake:
        with pytest.raises(EndpointError) as error:
            remote(fast(fake.url))
    assert str(error.value) == f"{fake.url}: {message}"
    assert len(fake.got) == 1


@pytest.mark.parametrize("content_type, body, shown", [
    ("text/html", b"<html><body>Welcome to the wiki</body></html>",
     "text/html ('<html><body>Welcome to the wiki</body></html>')"),
    (JSON, b"not json at all", f"{JSON} ('not json at all')"),
    (JSON, b'{"rows": []}', f"{JSON} ('{{\"rows\": []}}')"),
    ("application/json", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple"}}]}}', None),
])
def test_an_answer_that_is_not_sparql_results(content_type: str, body: bytes, shown: str | None) -> None:
    with fake_endpoint((200, content_type, body)) as fake:
        with pytest.raises(EndpointError) as error:
            remote(fast(fake.url))
    assert str(error.value).startswith(f"{fake.url}: answered with {shown or content_type}")
    assert str(error.value).endswith(", not SPARQL results; expected application/sparql-results+json (hint: is "
                                     "this the query URL of a SPARQL endpoint? Oxigraph's is http://HOST:PORT/query)")
    assert len(fake.got) == 1


def test_results_that_break_off_say_so() -> None:
    cut = b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled'  # Oxigraph's
    with fake_endpoint((200, JSON, cut)) as fake:
        with pytest.raises(EndpointError) as error:
            remote(fast(fake.url))
    assert str(error.value) == (
        f"{fake.url}: answered with SPARQL results that break off ('...{cut.decode()[-80:]}'); expected a whole "
        "SPARQL JSON answer (hint: the server may have stopped the query at its own time limit: ask for less, "
        "or raise the server's timeout (`tradegraph serve --timeout`))")


def test_updates_never_leave_through_the_query_commands() -> None:
    with fake_endpoint(NO_ROWS) as fake:
        for update in ["DROP ALL", "INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX x: <a:> CLEAR DEFAULT"]:
            with pytest.raises(UsageError, match="tradegraph runs queries on an endpoint, not updates"):
                run_sparql(update, endpoint=fake.url)
    assert fake.got == []


# ---------------------------------------------------------------- push: what is retried
def test_push_retries_a_put_but_never_a_post() -> None:
    replies = [(503, "text/plain", b"busy"), (201, "text/plain", b""), (503, "text/plain", b"busy")]
    with fake_endpoint(*replies) as fake:
        store = fake.url.replace("/query", "/store")
        with pytest.raises(EndpointError, match=r"/store: HTTP 503 Service Unavailable: busy; expected"):
            push(Project.open(FIXTURE), fast(fake.url.replace("/query", "/update")), graph_store=store, batch_size=5)
    assert [g.method for g in fake.got] == ["PUT", "PUT", "POST"]


def test_push_by_update_retries_only_the_first_batch_of_a_graph() -> None:
    replies = [(500, "text/plain", b"oops"), (204, "text/plain", b""), (500, "text/plain", b"oops")]
    with fake_endpoint(*replies) as fake:
        with pytest.raises(EndpointError, match=r"/update: HTTP 500 Internal Server Error: oops; expected"):
            push(Project.open(FIXTURE), fast(fake.url.replace("/query", "/update")), batch_size=5)
    updates = [g.body.decode() for g in fake.got]
    assert len(updates) == 3
    assert updates[0] == updates[1] and "DROP+SILENT+GRAPH" in updates[0] and "DROP" not in updates[2]


def test_a_store_without_graph_store_falls_back_to_update() -> None:
    replies = [(404, "text/plain", b"no such thing"), (204, "text/plain", b"")]
    with fake_endpoint(*replies) as fake:
        result = push(Project.open(FIXTURE), fast(fake.url.replace("/query", "/update")),
                      graph_store=fake.url.replace("/query", "/data"))
    assert [(g.method, g.path.split("?")[0]) for g in fake.got][:2] == [("PUT", "/data"), ("POST", "/update")]
    assert {g.path for g in fake.got[1:]} == {"/update"}
    assert result.protocol == "SPARQL Update"
    assert result.notes == ["HTTP 404 Not Found: no such thing: no Graph Store endpoint there, using SPARQL Update instead"]


# ---------------------------------------------------------------- credentials
SECRET = "pa55-w0rd-Secret"


def test_basic_credentials_are_sent_and_never_shown(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                                    cli) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(USER, "analyst")
    monkeypatch.setenv(PASSWORD, SECRET)
    basic = base64.b64encode(f"analyst:{SECRET}".encode()).decode()
    echoed = f"refused analyst:{SECRET} ({basic})".encode()
    with fake_endpoint((503, "text/plain", echoed)) as fake:
        run = cli("query", "who-met-whom", "--project", str(FIXTURE), "--endpoint", fake.url)
    assert {g.headers["Authorization"] for g in fake.got} == {f"Basic {basic}"}
    assert run.code == 3
    assert "HTTP 503 Service Unavailable: refused analyst:*** (***)" in run.err
    for secret in (SECRET, basic):
        assert secret not in run.out + run.err + caplog.text


def test_a_bearer_token_is_sent_and_never_shown(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                                                cli, minimal: Path) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(TOKEN, SECRET)
    with fake_endpoint((401, "text/plain", f"bad token {SECRET}".encode())) as fake:
        run = cli("sparql", "--endpoint", fake.url, "ASK { ?s ?p ?o }")
        push_run = cli("push", "--project", str(minimal), "--endpoint", fake.url.replace("/query", "/update"))
    assert {g.headers["Authorization"] for g in fake.got} == {f"Bearer {SECRET}"}
    assert (run.code, push_run.code) == (3, 3)
    assert "HTTP 401 Unauthorized: bad token ***; expected access" in run.err
    assert SECRET not in run.out + run.err + push_run.out + push_run.err + caplog.text


def test_credentials_in_the_url_are_refused_without_repeating_them() -> None:
    with pytest.raises(UsageError) as error:
        Endpoint(f"http://analyst:{SECRET}@127.0.0.1:7878/query")
    assert str(error.value) == ("endpoint URL 'http://127.0.0.1:7878/query' carries credentials; expected a URL "
                                "without user:password@ (hint: set TRADEGRAPH_ENDPOINT_USER and "
                                "TRADEGRAPH_ENDPOINT_PASSWORD, or TRADEGRAPH_ENDPOINT_TOKEN, in the environment)")


def test_half_a_pair_of_credentials_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(USER, "analyst")
    monkeypatch.delenv(PASSWORD, raising=False)
    with pytest.raises(UsageError, match="only one of TRADEGRAPH_ENDPOINT_USER and TRADEGRAPH_ENDPOINT_PASSWORD"):
        remote(closed_port_url())

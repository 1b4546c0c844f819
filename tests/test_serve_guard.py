"""The front of `tradegraph serve` against a hostile client: a real Oxigraph server behind a
real front on 127.0.0.1, and a canary server that SERVICE, LOAD or FROM would have to reach.

Every refusal is checked twice: the front's answer, and that nothing happened (the canary got no
request, the store holds the same quads)."""

from __future__ import annotations

import asyncio
import base64
import http.client
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper

from tradegraph.remote.serve import OxigraphServer
from tradegraph.remote.serve_guard import READ_ONLY, SPARQL_BYTES, Guard

from .fake_endpoints import fake_endpoint

pytestmark = pytest.mark.slow

ONE, TWO, NEW = "http://example.org/graph/one", "http://example.org/graph/two", "http://example.org/graph/new"
TOKEN = "t0ken-for-the-guard-tests-0123456789"
FORM, QUERY_BODY, UPDATE_BODY = ("application/x-www-form-urlencoded", "application/sparql-query",
                                 "application/sparql-update")
EMPTY_RESULTS = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A writable Oxigraph server with two named graphs, reached only by the tests and the fronts."""
    with OxigraphServer(tmp_path_factory.mktemp("guard") / "store", writable=True) as server:
        for graph, subject in ((ONE, "a"), (TWO, "b")):
            put = urllib.request.Request(f"{server.store_url}?graph={quote(graph)}", method="PUT",
                                         data=f"<http://example.org/{subject}> <http://example.org/p> 1 .".encode(),
                                         headers={"Content-Type": "text/turtle"})
            urllib.request.urlopen(put, timeout=10).close()
        yield server


@contextmanager
def guarded(backend: OxigraphServer, **options: object) -> Iterator[Guard]:
    """A front for ``backend`` in a thread of this process, on a free port, until the block ends."""
    guard = Guard(port=0, backend=backend.port, graphs=frozenset({ONE, TWO}), **options)  # type: ignore[arg-type]
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=lambda: asyncio.run(guard.run(alive=lambda: not stop.is_set(),
                                                                   on_ready=ready.set)), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield guard
    finally:
        stop.set()
        thread.join(10)


@pytest.fixture(scope="module")
def fronts(backend: OxigraphServer) -> Iterator[dict[str, Guard]]:
    """A read-only front, a writable one (token :data:`TOKEN`) and one with --allow-remote."""
    with ExitStack() as stack:
        yield {"read-only": stack.enter_context(guarded(backend, head_seconds=2, body_seconds=2)),
               "writable": stack.enter_context(guarded(backend, token=TOKEN)),
               "allow-remote": stack.enter_context(guarded(backend, allow_remote=True))}


@pytest.fixture
def canary() -> Iterator:
    """A SPARQL endpoint on loopback that records every request it gets."""
    with fake_endpoint((200, "application/sparql-results+json", EMPTY_RESULTS)) as answers:
        yield answers


def ask(guard: Guard, method: str, target: str, body: bytes | str = b"", **headers: str) -> tuple[int, str]:
    """Send one request as written (``Host`` the front's own unless given; ``None`` drops a
    header); the status and the body."""
    headers = {"Host": guard.authority, **headers}
    connection = http.client.HTTPConnection("127.0.0.1", guard.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            for one in (value if isinstance(value, list) else [value]):
                if one is not None:
                    connection.putheader(name.replace("_", "-"), one)
        data = body.encode() if isinstance(body, str) else body
        if data or method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def quads(backend: OxigraphServer) -> list[str]:
    """Every quad the store holds, as N-Quads lines, asked of the server behind the fronts."""
    with urllib.request.urlopen(urllib.request.Request(backend.store_url, headers={"Accept": "application/n-quads"}),
                                timeout=10) as answer:
        return sorted(answer.read().decode().splitlines())


def query_forms(text: str) -> list[tuple[str, str, str, dict[str, str]]]:
    """Every way the protocol lets a client send the query ``text``: (method, target, body, headers)."""
    return [("GET", f"/query?{urlencode({'query': text})}", "", {}),
            ("POST", "/query", urlencode({"query": text}), {"Content-Type": FORM}),
            ("POST", "/query", text, {"Content-Type": QUERY_BODY}),
            ("POST", "/query", text, {"Content-Type": f"{QUERY_BODY}; charset=UTF-8"}),
            ("GET", f"/sparql?{urlencode({'query': text})}", "", {}),
            ("POST", "/sparql", urlencode({"query": text}), {"Content-Type": FORM}),
            ("POST", "/sparql", text, {"Content-Type": QUERY_BODY})]


def update_forms(text: str) -> list[tuple[str, str, str, dict[str, str]]]:
    """Every way the protocol lets a client send the update ``text``."""
    return [("POST", "/update", urlencode({"update": text}), {"Content-Type": FORM}),
            ("POST", "/update", text, {"Content-Type": UPDATE_BODY}),
            ("POST", "/sparql", urlencode({"update": text}), {"Content-Type": FORM}),
            ("POST", "/sparql", text, {"Content-Type": UPDATE_BODY})]


REMOTE_QUERIES = [
    "SELECT * WHERE { SERVICE <{C}> { ?s ?p ?o } }",
    "select * where { service silent <{C}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{C}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <\\u0068ttp://{HOSTPORT}/query> { ?s ?p ?o } }",
    "PREFIX c: <http://{HOSTPORT}/> SELECT * WHERE { SERVICE c:query { ?s ?p ?o } }",
    "BASE <http://{HOSTPORT}/> SELECT * WHERE { SERVICE <query> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { { SELECT * WHERE { SERVICE <{C}> { ?s ?p ?o } } } } }",
    "ASK { FILTER EXISTS { SERVICE <{C}> { ?s ?p ?o } } }",
    "SELECT * WHERE { { ?s ?p ?o } MINUS { SERVICE <{C}> { ?s ?p ?o } } }",
    "SELECT * WHERE { VALUES ?at { <{C}> } SERVICE ?at { ?s ?p ?o } }",
    "SELECT * WHERE { # a comment } SERVICE\n SERVICE <{C}> { ?s ?p ?o } } # SERVICE",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{C}> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <{C}> { ?s ?p ?o } }",
    "SELECT * FROM <{C}> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{C}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX c: <http://{HOSTPORT}/> SELECT * FROM c:query WHERE { ?s ?p ?o }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM <graph/one> WHERE { ?s ?p ?o }",
]

REMOTE_UPDATES = [
    "LOAD <{C}>",
    "load silent <{C}> into graph <" + NEW + ">",
    "CLEAR SILENT GRAPH <" + NEW + "> ; \\u004cOAD <{C}>",
    "INSERT { GRAPH <" + NEW + "> { ?s ?p ?o } } WHERE { SERVICE <{C}> { ?s ?p ?o } }",
    "INSERT { GRAPH <" + NEW + "> { ?s ?p ?o } } USING <{C}> WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING NAMED <{C}> WHERE { GRAPH ?g { ?s ?p ?o } }",
]


def filled(text: str, canary) -> str:
    return text.replace("{C}", canary.url).replace("{HOSTPORT}", canary.url.split("/")[2])


@pytest.mark.parametrize("text", REMOTE_QUERIES)
def test_queries_that_reach_beyond_the_store_are_refused_in_every_form(fronts, canary, text: str) -> None:
    for method, target, body, headers in query_forms(filled(text, canary)):
        status, said = ask(fronts["read-only"], method, target, body, **headers)
        assert status == 403, (method, target, headers, said)
        assert "refused" in said or "not a graph of this store" in said
    assert canary.got == []


@pytest.mark.parametrize("text", REMOTE_UPDATES)
def test_updates_that_reach_beyond_the_store_are_refused_even_with_the_token(fronts, backend, canary,
                                                                            text: str) -> None:
    before = quads(backend)
    for method, target, body, headers in update_forms(filled(text, canary)):
        status, said = ask(fronts["writable"], method, target, body, Authorization=f"Bearer {TOKEN}", **headers)
        assert status == 403, (method, target, headers, said)
    assert canary.got == []
    assert quads(backend) == before


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_datasets_may_name_only_the_stores_graphs(fronts, canary, param: str) -> None:
    front = fronts["read-only"]
    query = "SELECT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    for graph in (canary.url, "file:///etc/passwd", "http://example.org/graph/on"):
        status, said = ask(front, "GET", f"/query?{urlencode({'query': query, param: graph})}")
        assert (status, said.split(" is not")[0]) == (403, f"<{graph}>")
        status, _ = ask(front, "POST", f"/query?{urlencode({param: graph})}", query, Content_Type=QUERY_BODY)
        assert status == 403
    status, said = ask(front, "GET", f"/query?{urlencode({'query': query, param: ONE})}", Accept="text/csv")
    assert status == 200 and "http://example.org/a" in said and "http://example.org/b" not in said
    assert canary.got == []


@pytest.mark.parametrize("param", ["using-graph-uri", "using-named-graph-uri"])
def test_update_datasets_may_name_only_the_stores_graphs(fronts, backend, canary, param: str) -> None:
    update = f"INSERT {{ GRAPH <{NEW}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    before = quads(backend)
    status, said = ask(fronts["writable"], "POST", "/update", urlencode({"update": update, param: canary.url}),
                       Content_Type=FORM, Authorization=f"Bearer {TOKEN}")
    assert status == 403 and said.startswith(f"<{canary.url}> is not a graph of this store")
    assert quads(backend) == before


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "SELECT ?service ?load WHERE { ?service <http://example.org/SERVICE> ?load }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:LOAD ?o }",
    "SELECT * FROM <" + ONE + "> FROM NAMED <" + TWO + "> WHERE { ?s ?p ?o }",
    "PREFIX g: <http://example.org/graph/> SELECT * FROM g:one WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p '''\\u0053ERVICE <http://127.0.0.1:9/>''' }",
])
def test_look_alikes_that_reach_nothing_are_answered(fronts, text: str) -> None:
    for method, target, body, headers in query_forms(text):
        status, said = ask(fronts["read-only"], method, target, body, **headers)
        assert status == 200, (method, target, said)


def test_allow_remote_lets_service_reach_the_canary(fronts, canary) -> None:
    """The canary can be reached: the refusals above are the front's doing."""
    status, _ = ask(fronts["allow-remote"], "GET", f"/query?{urlencode({'query': filled(REMOTE_QUERIES[0], canary)})}")
    assert status == 200 and len(canary.got) == 1


@pytest.mark.parametrize("text", ["SELECT * WHERE { ", "SELEKT * {}", "SELECT * WHERE { " + "{" * 3000 + "}" * 3000 + " }",
                                  "SELECT * WHERE { ?s ?p ?o } }", "LOAD <http://x/>"])
def test_a_query_the_front_cannot_read_is_a_400_and_it_still_answers(fronts, text: str) -> None:
    status, said = ask(fronts["read-only"], "POST", "/query", text, Content_Type=QUERY_BODY)
    assert (status, said[:52]) == (400, "tradegraph serve reads every query before running it")
    assert ask(fronts["read-only"], "GET", "/query?query=ASK%7B%7D")[0] == 200


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1", "127.0.0.1",
                                  "localhost.evil.example:{port}", "127.0.0.1:{port}.evil.example", "[::1]:{port}",
                                  "", None, ["127.0.0.1:{port}", "evil.example"]])
def test_a_host_that_does_not_name_this_server_is_refused(fronts, host) -> None:
    """DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1."""
    front = fronts["read-only"]
    given = [h.format(port=front.port) for h in host] if isinstance(host, list) else \
        host.format(port=front.port) if host is not None else None
    status, said = ask(front, "GET", "/query?query=ASK%7B%7D", Host=given)
    assert status == 403 and said.startswith("the Host header does not name this server")
    for status_page in ("/", "/store"):
        assert ask(front, "GET", status_page, Host=given)[0] == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_servers_own_names_are_answered(fronts, host: str) -> None:
    front = fronts["read-only"]
    assert ask(front, "GET", "/query?query=ASK%7B%7D", Host=host.format(port=front.port))[0] == 200


@pytest.mark.parametrize("header", [
    {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:1"},
    {"Origin": "https://127.0.0.1:{port}"}, {"Origin": "http://127.0.0.1:{port}.evil.example"},
    {"Referer": "http://evil.example/page.html"}, {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"}, {"Origin": "http://127.0.0.1:{port}", "Sec-Fetch-Site": "cross-site"},
])
def test_a_request_from_another_origins_page_is_refused(fronts, backend, header: dict[str, str]) -> None:
    """A cross-site page cannot query it, nor (even with the token) write to it."""
    front = fronts["writable"]
    header = {name: value.format(port=front.port) for name, value in header.items()}
    before = quads(backend)
    for method, target, body, headers in query_forms("ASK {}") + update_forms("DROP ALL"):
        status, said = ask(front, method, target, body, Authorization=f"Bearer {TOKEN}", **headers, **header)
        assert status == 403 and "another origin" in said, (method, target, said)
    assert quads(backend) == before


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}"])
def test_the_servers_own_page_may_query(fronts, origin: str) -> None:
    front = fronts["read-only"]
    own = origin.format(port=front.port)
    assert ask(front, "POST", "/query", "query=ASK%7B%7D", Content_Type=FORM, Origin=own,
               Referer=own + "/", Sec_Fetch_Site="same-origin")[0] == 200


def write_requests() -> list[tuple[str, str, str, dict[str, str]]]:
    turtle = {"Content-Type": "text/turtle"}
    return [("PUT", f"/store?graph={quote(NEW)}", "<http://x/a> <http://x/b> 2 .", turtle),
            ("POST", f"/store?graph={quote(ONE)}", "<http://x/a> <http://x/b> 3 .", turtle),
            ("POST", "/store", "<http://x/a> <http://x/b> 4 .", turtle),
            ("DELETE", f"/store?graph={quote(ONE)}", "", {}), ("DELETE", "/store?default", "", {}),
            *update_forms("DROP ALL")]


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer wrong", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}",
                                           f"Basic {base64.b64encode(f'user:{TOKEN}'.encode()).decode()}",
                                           f"Token {TOKEN}", TOKEN])
def test_a_writable_server_takes_no_write_without_its_token(fronts, backend, authorization: str | None) -> None:
    before = quads(backend)
    for method, target, body, headers in write_requests():
        status, said = ask(fronts["writable"], method, target, body, Authorization=authorization, **headers)
        assert status == 401 and said.startswith("writing needs the token"), (method, target, said)
    assert quads(backend) == before


def test_a_cross_site_form_post_of_drop_all_cannot_empty_it(fronts, backend) -> None:
    """What a hostile page can send: a form (no custom header), from its origin, or with none."""
    before = quads(backend)
    for origin in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {}):
        for path in ("/update", "/sparql"):
            status, _ = ask(fronts["writable"], "POST", path, "update=DROP+ALL", Content_Type=FORM, **origin)
            assert status in (401, 403)
    assert quads(backend) == before and len(before) == 2


def test_with_the_token_writes_go_through(fronts, backend) -> None:
    front, token = fronts["writable"], {"Authorization": f"Bearer {TOKEN}"}
    insert = f"INSERT DATA {{ GRAPH <{NEW}> {{ <http://x/a> <http://x/b> 5 }} }}"
    assert ask(front, "POST", "/update", insert, Content_Type=UPDATE_BODY, **token)[0] == 204
    dataset = urlencode({"query": "SELECT ?o WHERE { ?s ?p ?o }", "default-graph-uri": NEW})
    status, said = ask(front, "GET", f"/query?{dataset}", Accept="text/csv")  # a graph added since the start
    assert (status, said.split()) == (200, ["o", "5"])
    assert ask(front, "DELETE", f"/store?graph={quote(NEW)}", **token)[0] == 204
    assert len(quads(backend)) == 2


def test_a_read_only_server_refuses_every_write(fronts, backend) -> None:
    before = quads(backend)
    for method, target, body, headers in write_requests():
        status, said = ask(fronts["read-only"], method, target, body, Authorization=f"Bearer {TOKEN}", **headers)
        assert (status, said) == (403, READ_ONLY + "\n"), (method, target)
    assert quads(backend) == before


def test_bodies_past_the_limits_are_refused(fronts) -> None:
    front = fronts["read-only"]
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * SPARQL_BYTES
    assert ask(front, "POST", "/query", big, Content_Type=QUERY_BODY)[0] == 413
    with socket.create_connection(("127.0.0.1", front.port), timeout=10) as sock:
        sock.sendall(f"POST /query HTTP/1.1\r\nHost: {front.authority}\r\nTransfer-Encoding: chunked\r\n"
                     f"Content-Type: {QUERY_BODY}\r\n\r\n7\r\nASK {{}}\r\n0\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 411 ")
    with socket.create_connection(("127.0.0.1", front.port), timeout=10) as sock:
        sock.sendall(f"GET /{'x' * 70000} HTTP/1.1\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 431 ")


def test_300_half_open_connections_do_not_stop_it_answering(fronts) -> None:
    """Slowloris: 300 clients that never finish their request head, and one that drips its body."""
    front = fronts["read-only"]  # head and body deadlines of 2 s
    idle = []
    try:
        for n in range(300):
            sock = socket.create_connection(("127.0.0.1", front.port), timeout=10)
            sock.sendall(f"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: {front.authority}\r\nX-{n}: ".encode())
            idle.append(sock)
        dripping = socket.create_connection(("127.0.0.1", front.port), timeout=10)
        dripping.sendall(f"POST /query HTTP/1.1\r\nHost: {front.authority}\r\nContent-Type: {QUERY_BODY}\r\n"
                         "Content-Length: 100\r\n\r\nASK".encode())
        idle.append(dripping)
        started = time.monotonic()
        for _ in range(3):
            status, said = ask(front, "GET", "/query?query=ASK%7B%7D", Accept="application/sparql-results+json")
            assert (status, said) == (200, '{"head":{},"boolean":true}')
        assert time.monotonic() - started < 3
        for sock in (idle[0], idle[-2], dripping):  # each is told off and closed at its deadline
            assert sock.recv(100).startswith(b"HTTP/1.1 408 ")
    finally:
        for sock in idle:
            sock.close()


@pytest.mark.parametrize(("form", "accept", "content_type"), [
    (JSON, "application/sparql-results+json", "application/sparql-results+json"),
    (CSV, "text/csv", "text/csv"),
])
def test_sparqlwrapper_gets_results_with_their_content_type(fronts, form: str, accept: str,
                                                           content_type: str) -> None:
    front = fronts["read-only"]
    for method in ("GET", "POST"):
        client = SPARQLWrapper(f"http://{front.authority}/query")
        client.setQuery(f"SELECT ?s WHERE {{ GRAPH <{ONE}> {{ ?s ?p ?o }} }}")
        client.setReturnFormat(form)
        client.setMethod(method)
        answer = client.query()
        assert answer.info()["content-type"].startswith(content_type)
        assert "http://example.org/a" in str(answer.convert())
    client = SPARQLWrapper(f"http://{front.authority}/query")
    client.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONE}> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(TURTLE)
    answer = client.query()
    assert answer.info()["content-type"].startswith("text/turtle")
    assert len(answer.convert()) > 0


def test_curl_gets_the_query_page_and_results(fronts) -> None:
    import subprocess

    front = fronts["read-only"]
    page = subprocess.run(["curl", "-sS", "-i", f"http://{front.authority}/"], capture_output=True, text=True,
                          timeout=30).stdout
    assert page.startswith("HTTP/1.1 200") and "content-type: text/html" in page.lower()
    rows = subprocess.run(["curl", "-sS", "-H", "Accept: text/csv", "--data-urlencode",
                           f"query=SELECT ?s WHERE {{ GRAPH <{TWO}> {{ ?s ?p ?o }} }}", f"http://{front.authority}/query"],
                          capture_output=True, text=True, timeout=30).stdout
    assert rows.split() == ["s", "http://example.org/b"]


def test_the_front_binds_loopback_only(fronts) -> None:
    front = fronts["read-only"]
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == front.port:
                assert local.startswith("0100007F:")

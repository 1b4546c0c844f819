"""Issue 14, classes 11 and 14 (endpoint side): --timeout bounds the whole exchange with an
endpoint, an answer has a size cap, and any malformed answer is one line with exit 3, never a
traceback or exit 70. The servers are real sockets on 127.0.0.1 that drip, flood or answer
garbage; every loop in them is bounded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tradegraph.errors import EndpointError, UsageError
from tradegraph.project import Project
from tradegraph.query.run import run_sparql
from tradegraph.remote.push import push
from tradegraph.remote.transport import MAX_ANSWER, Endpoint

from .conftest import FIXTURES
from .fake_endpoints import JSON, ROWS, drip, fake_endpoint, flood, raw_endpoint

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
FIXTURE = FIXTURES / "minimal"
TIMED_OUT = ("no answer within 1 s; expected an answer within the timeout (hint: the server may be stuck or the "
             "work slow: check it, or raise --timeout)")
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"

# ---------------------------------------------------------------- class 11: one deadline for the exchange
DRIPS = {
    "the status line and headers": HEAD + b"X-Pad: " + b"a" * 200 + b"\r\n\r\n" + ROWS,
    "a body of known length": HEAD + b"Content-Length: %d\r\n\r\n" % (len(ROWS) * 20) + ROWS * 20,
    "a chunked body": HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"1\r\n{\r\n" * 200,
    "a body until the connection closes": HEAD + b"Connection: close\r\n\r\n" + ROWS * 20,
    "an error's explanation": b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n" + b"slow " * 400,
    "a same-origin redirect": b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /again\r\n" + b"X-Pad: a\r\n" * 90,
}


@pytest.mark.parametrize("part", sorted(DRIPS))
def test_a_server_dripping_any_part_of_a_query_answer_is_cut_at_the_timeout(cli, part: str) -> None:
    with raw_endpoint(drip(DRIPS[part], every=0.05)) as raw:
        started = time.monotonic()
        run = cli("sparql", "--endpoint", raw.url, "--timeout", "1", "SELECT * WHERE { ?s ?p ?o }")
        elapsed = time.monotonic() - started
    assert (run.code, run.out, run.err) == (3, "", f"error: {raw.url}: {TIMED_OUT}\n")
    assert 0.9 < elapsed < 8  # a busy machine's margin; undeadlined, the slowest part drips for 17 s
    assert raw.connections == 1 and raw.sent > 5  # it did drip, and a timeout is not retried


@pytest.mark.parametrize("how", ["SPARQL Update", "Graph Store"])
def test_push_against_a_dripping_store_is_cut_at_the_timeout(cli, minimal: Path, how: str) -> None:
    answer = b"HTTP/1.1 204 No Content\r\n" + b"X-Pad: a\r\n" * 90 + b"\r\n"
    with raw_endpoint(drip(answer, every=0.05)) as raw:
        store = ("--graph-store", raw.url) if how == "Graph Store" else ()
        started = time.monotonic()
        run = cli("push", "--project", str(minimal), "--endpoint", raw.url, "--timeout", "1", *store)
        elapsed = time.monotonic() - started
    assert run.code == 3 and "pushed" not in run.out
    assert run.err.splitlines()[-1] == f"error: {raw.url}: {TIMED_OUT}"
    assert elapsed < 15  # building the fixture and 1 s, not the 46 s the answer drips for


def test_a_store_that_never_reads_the_body_is_cut_at_the_timeout() -> None:
    def deaf(conn, raw) -> None:  # type: ignore[no-untyped-def]
        time.sleep(1.5)  # reads nothing more: the client's send blocks once the buffers are full

    with raw_endpoint(deaf) as raw:
        started = time.monotonic()
        with pytest.raises(EndpointError, match="no answer within 1 s"):
            push(Project.open(FIXTURE), Endpoint(raw.url, timeout=1), batch_size=10**9)
        assert time.monotonic() - started < 10  # the message proves the deadline; this, that nothing waited on


# ---------------------------------------------------------------- class 11: a cap on the answer
def test_an_endless_answer_stops_at_the_cap() -> None:
    with raw_endpoint(flood(HEAD + b"Connection: close\r\n\r\n")) as raw:
        started = time.monotonic()
        with pytest.raises(EndpointError) as error:
            run_sparql("SELECT * {}", endpoint=Endpoint(raw.url, max_answer=2**20, timeout=20))
        assert time.monotonic() - started < 5
    assert str(error.value) == (f"{raw.url}: sent an answer, over the limit of 1 MiB; expected an answer of at most "
                                "1 MiB (hint: ask for less (narrower parameters, a LIMIT), or raise "
                                "Endpoint(max_answer=...))")
    assert raw.connections == 1 and raw.sent < 64 * 2**20


def test_an_endless_chunked_answer_stops_at_the_cap() -> None:
    chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    with raw_endpoint(flood(HEAD + b"Transfer-Encoding: chunked\r\n\r\n", chunk=chunk)) as raw:
        with pytest.raises(EndpointError, match=r"sent an answer, over the limit of 100,000 bytes"):
            run_sparql("SELECT * {}", endpoint=Endpoint(raw.url, max_answer=100_000, timeout=20))


def test_an_announced_answer_over_the_default_cap_is_refused_before_reading(cli) -> None:
    assert MAX_ANSWER == 256 * 2**20
    huge = HEAD + b"Content-Length: 1000000000000\r\n\r\n" + b"[" * 1000
    with raw_endpoint(flood(huge, most=0)) as raw:
        run = cli("sparql", "--endpoint", raw.url, "ASK {}")
    assert (run.code, run.err) == (3, f"error: {raw.url}: announced an answer of 1,000,000,000,000 bytes, over the "
                                      "limit of 256 MiB; expected an answer of at most 256 MiB (hint: ask for less "
                                      "(narrower parameters, a LIMIT), or raise Endpoint(max_answer=...))\n")


def test_an_answer_just_at_the_cap_is_read() -> None:
    with fake_endpoint((200, JSON, ROWS)) as fake:
        assert run_sparql("SELECT * {}", endpoint=Endpoint(fake.url, max_answer=len(ROWS))) == []
        with pytest.raises(EndpointError, match=f"announced an answer of {len(ROWS)} bytes, over the limit of "
                                                f"{len(ROWS) - 1} bytes"):
            run_sparql("SELECT * {}", endpoint=Endpoint(fake.url, max_answer=len(ROWS) - 1))


@pytest.mark.parametrize("head, what", [
    (b"HTTP/1.1 200 OK\r\nX-Flood: ", "LineTooLong"),
    (b"HTTP/1.1 200 OK" + b"x" * 70000, "LineTooLong"),
    (b"HTTP/1.1 200 OK\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n", "HTTPException"),
])
def test_endless_headers_are_not_http(head: bytes, what: str) -> None:
    with raw_endpoint(flood(head, most=2**22)) as raw:
        with pytest.raises(EndpointError) as error:
            run_sparql("ASK {}", endpoint=Endpoint(raw.url, timeout=10))
    assert str(error.value) == (f"{raw.url}: answered with something that is not HTTP ({what}); expected an HTTP "
                                "server (hint: check the host and port)")


@pytest.mark.parametrize("status", [400, 500])
def test_an_endless_error_explanation_is_cut_to_a_short_line(status: int) -> None:
    with raw_endpoint(flood(b"HTTP/1.1 %d Oops\r\nContent-Type: text/plain\r\n\r\n" % status), connections=3) as raw:
        with pytest.raises(EndpointError) as error:
            run_sparql("ASK {}", endpoint=Endpoint(raw.url, backoff=0.01, timeout=10))
    message = str(error.value)
    assert message.startswith(f"{raw.url}: HTTP {status} Oops: xxxx") and len(message) < 500
    assert "\n" not in message


# ---------------------------------------------------------------- class 14: malformed answers
def nested(depth: int) -> bytes:
    return b'{"head": {"vars": ["x"]}, "results": {"bindings": [' + b"[" * depth + b"]" * depth + b"]}}"


MALFORMED = {
    "100,000 nested arrays": (JSON, b"[" * 100_000 + b"]" * 100_000),
    "100,000 nested objects": (JSON, b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    "nested inside the bindings": (JSON, nested(100_000)),
    "nested without an end": (JSON, b"[" * 200_000),
    "bytes that are not UTF-8": (JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": '
                                       b'"literal", "value": "\xff\xfe\xc3("}}]}}'),
    "a lone surrogate": (JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", '
                               b'"value": "a\\ud800b"}}]}}'),
    "a lone surrogate in a language tag": (JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": '
                                                 b'{"type": "literal", "value": "a", "xml:lang": "\\udc00"}}]}}'),
    "a bad language tag": (JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": '
                                 b'"literal", "value": "a", "xml:lang": "not a tag!"}}]}}'),
    "a 5001-digit number": (JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": '
                                  b'"literal", "value": ' + b"9" * 5001 + b"}}]}}"),
    "bindings that are an object": (JSON, b'{"head": {"vars": ["x"]}, "results": {"bindings": {"x": 1}}}'),
    "vars that are a string": (JSON, b'{"head": {"vars": "x"}, "results": {"bindings": [{"x": 1}]}}'),
    "a list": (JSON, b"[]"),
    "nothing": (JSON, b""),
    "a boolean that is a string": (JSON, b'{"boolean": "true"}'),
    "one huge line": ("text/plain", b"x" * 3_000_000),
    "gzip it was not asked for": (JSON, b"\x1f\x8b\x08\x00" + b"\x00" * 100),
    "XML results": ("application/sparql-results+xml", b"<sparql><head><variable name='x'/></head>"),
    "an HTML page": ("text/html", b"<html><body>\x1b[2J\nerror: forged line</body></html>"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_select_answer_is_one_line_exit_3(cli, case: str) -> None:
    content_type, body = MALFORMED[case]
    with fake_endpoint((200, content_type, body)) as fake:
        run = cli("sparql", "--endpoint", fake.url, "SELECT ?x WHERE { ?x ?p ?o }")
        query = cli("query", "who-met-whom", "--project", str(FIXTURE), "--endpoint", fake.url)
    for each in (run, query):
        assert (each.code, each.out) == (3, "")
        assert each.err.startswith(f"error: {fake.url}: answered with ") and each.err.count("\n") == 1
        assert "\x1b" not in each.err and len(each.err) < 600 and "Traceback" not in each.err


GRAPHS = {
    "Turtle cut off": ("text/turtle", b"<urn:a> <urn:b> \"unfinished"),
    "Turtle nested 100,000 deep": ("text/turtle", b"<urn:a> <urn:b> " + b"[ <urn:c> " * 100_000 + b"1" + b" ]" * 100_000
                                   + b" ."),
    "Turtle with a lone surrogate": ("text/turtle", b'<urn:a> <urn:b> "x\\uD800y" .'),
    "RDF/XML cut off": ("application/rdf+xml", b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
                                               b'02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a">'),
    "RDF/XML nested 100,000 deep": ("application/rdf+xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
                                                           b'syntax-ns#" xmlns:x="urn:x#">' + b"<x:a>" * 100_000),
    "N-Triples in Latin-1": ("application/n-triples", b'<urn:a> <urn:b> "caf\xe9" .\n'),
    "SPARQL JSON instead of a graph": (JSON, ROWS),
}


@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_a_malformed_construct_answer_is_one_line_exit_3(cli, case: str) -> None:
    content_type, body = GRAPHS[case]
    with fake_endpoint((200, content_type, body)) as fake:
        run = cli("sparql", "--endpoint", fake.url, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert (run.code, run.out) == (3, "")
    assert run.err.startswith(f"error: {fake.url}: answered with ") and run.err.count("\n") == 1


def test_a_json_ld_answer_cannot_make_tradegraph_fetch_its_context(cli) -> None:
    with fake_endpoint((200, "application/ld+json", b"{}")) as context:
        document = json.dumps({"@context": context.url, "@id": "urn:a", "urn:b": "c"}).encode()
        with fake_endpoint((200, "application/ld+json", document)) as fake:
            run = cli("sparql", "--endpoint", fake.url, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert context.got == []
    assert run.code == 3 and "answered with application/ld+json" in run.err


def test_an_rdf_xml_answer_cannot_read_a_local_file(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the-local-secret")
    body = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file://{secret}">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="urn:x#">'
            '<rdf:Description rdf:about="urn:a"><x:b>&e;</x:b></rdf:Description></rdf:RDF>').encode()
    with fake_endpoint((200, "application/rdf+xml", body)) as fake:
        run = cli("sparql", "--endpoint", fake.url, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert "the-local-secret" not in run.out + run.err


def test_a_well_formed_answer_still_reads(cli) -> None:
    good = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "caf\xc3\xa9"}}]}}'
    with fake_endpoint((200, JSON + "; charset=utf-8", good)) as fake:
        run = cli("sparql", "--endpoint", fake.url, "--format", "csv", "SELECT ?x WHERE { ?x ?p ?o }")
    assert (run.code, run.out) == (0, "x\ncafé\n")


@pytest.mark.parametrize("timeout", ["inf", "nan", "1e300", "604801"])
def test_a_timeout_out_of_range_is_a_usage_error(cli, timeout: str) -> None:
    expected = "expected a number of seconds above 0 and at most 604,800 (a week)\n"
    for args in (("sparql", "--endpoint", "http://127.0.0.1:9/query", "ASK {}"),
                 ("push", "--project", str(FIXTURE), "--endpoint", "http://127.0.0.1:9/update")):
        run = cli(*args, "--timeout", timeout)
        assert run.code == 2 and run.err.endswith(expected), run.err


@pytest.mark.parametrize("size", [0, -1])
def test_a_cap_that_is_not_positive_is_a_usage_error(size: int) -> None:
    with pytest.raises(UsageError, match=f"max_answer {size} is not positive; expected a number of bytes above 0"):
        Endpoint("http://127.0.0.1:9/query", max_answer=size)

"""Local queries reach only the project's graph (issue 14, class 9).

Every way a query can reach out (SERVICE anywhere in it, FROM and FROM NAMED of a URL, a local
file or a device) is refused on both local engines, rdflib (in memory) and Oxigraph (--store),
and a real HTTP server on 127.0.0.1 shows that no request left; with --allow-remote the same
server is reached (so the refusal is what kept it quiet). Ad-hoc queries stop at a default
time limit and a row cap.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tradegraph.cli import query as cmd_query
from tradegraph.sparql import engine
from tradegraph.sparql.guard import check_reach, services

from .conftest import FIXTURES
from .fake_endpoints import closed_port_url, fake_endpoint

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

ROW = json.dumps({"head": {"vars": ["x"]},
                  "results": {"bindings": [{"x": {"type": "literal", "value": "from-the-server"}}]}}).encode()
SPARQL_JSON = "application/sparql-results+json"
#: A cross product of the whole graph with itself, three times: never ends in time.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("local") / "minimal"
    shutil.copytree(FIXTURES / "minimal", root)
    return root


@pytest.fixture(scope="module")
def store(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tradegraph.cli.main import main

    folder = tmp_path_factory.mktemp("store") / "store"
    try:
        main(["build", "--project", str(project), "--store", str(folder)])
    except SystemExit as done:
        assert done.code in (0, None)
    assert (folder / "CURRENT").is_file()
    return folder


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local RDF file a query must not read."""
    path = tmp_path / "secret.nt"
    path.write_text('<http://x/secret> <http://x/p> "the-secret" .\n')
    return path


@pytest.fixture(params=["memory", "store"])
def sparql(request: pytest.FixtureRequest, project: Path, cli):
    """``tradegraph sparql`` on one engine: the in-memory graph or the Oxigraph store."""
    where = [] if request.param == "memory" else ["--store", str(request.getfixturevalue("store"))]

    def run(*args: str):
        return cli("sparql", "--project", str(project), *where, *args)

    return run


def _one_error_line(run) -> str:
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    return lines[0]


# ------------------------------------------------------------------ SERVICE
SERVICES = [
    "SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
    "SELECT ?x WHERE {{ SERVICE SILENT <{url}> {{ ?x ?p ?o }} }}",
    "SELECT ?x WHERE {{ ?x ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?x ?q ?r }} }} }}",
    "SELECT ?x WHERE {{ {{ SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }} }}",
    "SELECT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ OPTIONAL {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }} }}",
    "SELECT ?x WHERE {{ GRAPH ?g {{ MINUS {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }} }}",
    "ASK {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
    "CONSTRUCT {{ ?x ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
    "# SERVICE in a comment does not hide the real one\nSELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
]


@pytest.mark.parametrize("text", SERVICES)
def test_service_is_refused_and_no_request_leaves(sparql, text: str) -> None:
    with fake_endpoint((200, SPARQL_JSON, ROW)) as server:
        run = sparql(text.format(url=server.url))
        assert server.got == []
    assert run.code == 2
    assert "calls SERVICE" in _one_error_line(run) and "--allow-remote" in run.err


def test_service_written_with_an_escape_is_seen(project: Path, cli) -> None:
    """rdflib reads \\u escapes anywhere in the text (SERV\\u0049CE is SERVICE): so does the check."""
    with fake_endpoint((200, SPARQL_JSON, ROW)) as server:
        run = cli("sparql", "--project", str(project), f"SELECT ?x WHERE {{ SERV\\u0049CE <{server.url}> {{ ?x ?p ?o }} }}")
        assert server.got == []
    assert run.code == 2 and "calls SERVICE" in _one_error_line(run)


def test_allow_remote_lets_service_reach_the_server(sparql) -> None:
    """The control: the same server is reached when the user allows it."""
    with fake_endpoint((200, SPARQL_JSON, ROW)) as server:
        run = sparql("--allow-remote", "--format", "csv", f"SELECT ?x WHERE {{ SERVICE <{server.url}> {{ ?x ?p ?o }} }}")
        assert len(server.got) == 1
    assert run.code == 0, run.err
    assert run.out.splitlines() == ["x", "from-the-server"]


@pytest.mark.parametrize("target", ["<file:///etc/passwd>", "?where", "<ftp://127.0.0.1/x>"])
def test_allow_remote_never_reaches_files_or_a_variable(sparql, target: str) -> None:
    run = sparql("--allow-remote",
                 f"SELECT ?x WHERE {{ VALUES ?where {{ <http://127.0.0.1:1/> }} SERVICE {target} {{ ?x ?p ?o }} }}")
    assert run.code == 2 and "SERVICE <http://...> or <https://...>" in _one_error_line(run)


def test_a_failing_service_is_an_endpoint_error(sparql) -> None:
    run = sparql("--allow-remote", f"SELECT ?x WHERE {{ SERVICE <{closed_port_url()}> {{ ?x ?p ?o }} }}")
    assert run.code == 3 and "a SERVICE call of the query failed" in _one_error_line(run)


# ------------------------------------------------------------------ FROM
@pytest.mark.parametrize("clause", ["FROM <{file}>", "FROM NAMED <{file}>", "FROM <{url}>", "FROM NAMED <{url}>",
                                    "FROM <file:///dev/zero>", "FROM <file:///etc/passwd>", "FROM <secret.nt>"])
def test_from_a_file_or_url_is_refused(sparql, secret: Path, clause: str) -> None:
    with fake_endpoint((200, "text/turtle", b"<http://x/a> <http://x/b> <http://x/c> .")) as server:
        run = sparql("--allow-remote", f"SELECT * {clause.format(file=secret.as_uri(), url=server.url)} "
                                       "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        assert server.got == []
    assert run.code == 2 and "which is not a graph of the project" in _one_error_line(run)
    assert "the-secret" not in run.out


def test_from_a_graph_of_the_project_selects_it(sparql) -> None:
    graph = "http://test.example/id/graph/actors"
    counted = sparql("--format", "csv", f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    direct = sparql("--format", "csv", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert counted.code == direct.code == 0, counted.err + direct.err
    assert counted.out == direct.out and int(counted.out.split()[1]) > 0


@pytest.mark.parametrize("text", ["LOAD <file:///etc/passwd>", "INSERT DATA { <http://x/a> <http://x/b> 1 }",
                                  "DROP ALL"])
def test_updates_are_not_queries(sparql, text: str) -> None:
    run = sparql(text)
    assert run.code == 2 and "SPARQL syntax error" in _one_error_line(run)


def test_a_canned_query_that_reaches_out_needs_allow_remote(project: Path, cli) -> None:
    queries = project / "queries"
    queries.mkdir(exist_ok=True)
    with fake_endpoint((200, SPARQL_JSON, ROW)) as server:
        (queries / "federated.rq").write_text(
            f"#+ summary: Rows of another server\nSELECT ?x WHERE {{ SERVICE <{server.url}> {{ ?x ?p ?o }} }}\n")
        try:
            refused = cli("query", "federated", "--project", str(project))
            assert server.got == []
            allowed = cli("query", "federated", "--project", str(project), "--allow-remote", "--format", "csv")
            assert len(server.got) == 1
        finally:
            (queries / "federated.rq").unlink()
    assert refused.code == 2
    assert _one_error_line(refused).startswith("error: queries/federated.rq: the query calls SERVICE")
    assert allowed.code == 0 and "from-the-server" in allowed.out


def test_a_canned_query_that_does_not_parse_names_its_file(project: Path, cli) -> None:
    queries = project / "queries"
    queries.mkdir(exist_ok=True)
    (queries / "broken.rq").write_text("#+ summary: Broken\nSELECT ?x WHERE { ?x ?p }\n")
    try:
        run = cli("query", "broken", "--project", str(project))
    finally:
        (queries / "broken.rq").unlink()
    assert run.code == 1
    assert _one_error_line(run).startswith("error: queries/broken.rq: SPARQL syntax error")


@pytest.mark.parametrize("command", [["sparql"], ["query", "who-met-whom"]])
def test_help_documents_allow_remote(project: Path, cli, command: list[str]) -> None:
    run = cli(*command, "--project", str(project), "--help")
    assert run.code == 0 and "--allow-remote" in run.out and "SERVICE" in run.out


# ------------------------------------------------------------------ time and memory
def test_an_adhoc_query_has_a_default_time_limit(sparql, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --timeout, sparql stops at its default limit (here made 1 s), on Oxigraph too
    (whose evaluation never looks at signals)."""
    monkeypatch.setattr(cmd_query, "SPARQL_TIMEOUT", 1.0)
    run = sparql(ENDLESS)
    assert run.code == 2 and "ran past --timeout 1 s" in _one_error_line(run)


def test_the_default_time_limit_is_documented(project: Path, cli) -> None:
    assert cmd_query.SPARQL_TIMEOUT == 60
    assert "(default: 60)" in cli("sparql", "--help").out


def test_an_explicit_timeout_applies(sparql) -> None:
    run = sparql("--timeout", "0.5", ENDLESS)
    assert run.code == 2 and "ran past --timeout 0.5 s" in _one_error_line(run)


@pytest.mark.parametrize("form", ["SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n}", "SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n}"])
def test_a_select_past_the_row_cap_is_a_clear_error(sparql, monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    monkeypatch.setattr(engine, "MAX_ROWS", 5)
    assert sparql("--format", "csv", form.format(n=5)).code == 0
    run = sparql(form.format(n=6))
    assert run.code == 2 and "the query gives more than 5 rows" in _one_error_line(run)


# ------------------------------------------------------------------ the check itself
def test_services_are_found_at_any_depth() -> None:
    text = ("SELECT * WHERE { SERVICE <http://a/> { ?s ?p ?o } OPTIONAL { ?s ?p ?o FILTER NOT EXISTS "
            "{ SERVICE SILENT <http://b/> { ?s ?q ?r } } } { SELECT ?s WHERE { SERVICE ?c { ?s ?p ?o } } } }")
    assert sorted(str(t) for t in services(engine.LocalEngine.prepare(text).algebra)) == ["c", "http://a/", "http://b/"]


def test_from_may_name_a_known_graph_only() -> None:
    check_reach("SELECT * FROM <http://x/g> FROM NAMED <http://x/h> WHERE { ?s ?p ?o }", graphs={"http://x/g", "http://x/h"})
    with pytest.raises(Exception, match="FROM NAMED <http://x/other>"):
        check_reach("SELECT * FROM <http://x/g> FROM NAMED <http://x/other> WHERE { ?s ?p ?o }", graphs={"http://x/g"})


# ------------------------------------------------------------------ what Oxigraph cannot evaluate
@pytest.mark.parametrize("text, function", [
    ("SELECT * WHERE { ?s ?p ?o FILTER(<http://example.org/f>(?s)) } LIMIT 1", "<http://example.org/f>"),
    ("SELECT (<http://example.org/f>(1) AS ?x) {}", "<http://example.org/f>"),
    ("SELECT ?s WHERE { ?s ?p ?o BIND(<urn:x:g>(?o) AS ?y) } LIMIT 3", "<urn:x:g>"),
    ("ASK { FILTER(<http://example.org/f>(1)) }", "<http://example.org/f>"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY <urn:x:g>(?s) LIMIT 1", "<urn:x:g>"),
])
def test_an_unknown_function_on_the_store_is_one_line(project: Path, store: Path, cli, text: str,
                                                       function: str) -> None:
    run = cli("sparql", "--project", str(project), "--store", str(store), text)
    assert run.code == 2, run.err
    assert _one_error_line(run) == (
        f"error: the query cannot run on the store: The custom function {function} is not supported;"
        " expected a query of SPARQL 1.1's own functions"
        " (hint: drop or replace the function Oxigraph does not support)")

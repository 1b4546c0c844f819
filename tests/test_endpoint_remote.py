"""A real Oxigraph server on 127.0.0.1 (one for the module, stopped by its PID): push the graph,
run every canned query there with its defaults and examples and get the local rows, push
again and get the same triples, and try hostile values that must not alter or drop data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from tradegraph.build.dataset import load_dataset
from tradegraph.errors import UsageError
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.query.run import QueryRunner, Rows, run_query, run_sparql
from tradegraph.remote.endpoint import RemoteEngine
from tradegraph.remote.push import push
from tradegraph.remote.serve import OxigraphServer
from tradegraph.remote.transport import Endpoint, request

from .conftest import FIXTURES, REPO

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")]

PROJECT = Project.open(REPO)
QUERIES = load_queries(PROJECT)
LOCAL = QueryRunner(PROJECT)
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
_ANSWERS: dict[tuple[str, tuple[tuple[str, str], ...]], Rows | str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`oxigraph serve --location DIR --bind 127.0.0.1:PORT --union-default-graph`, writable."""
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store", writable=True) as running:
        yield running
    assert running.process is not None and running.process.poll() is not None  # stopped by its PID


@pytest.fixture(scope="module")
def pushed(server: OxigraphServer):
    """The project pushed the whole way (validated, then sent by the Graph Store Protocol)."""
    return push(PROJECT, server.update_url, graph_store=server.store_url)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The project's dataset, loaded once: the later pushes skip validating it again."""
    return LOCAL.engine.dataset  # type: ignore[attr-defined, no-any-return]


def local(name: str, params: dict[str, str]) -> Rows | str:
    """The rdflib answer (or its usage error), once per module."""
    key = (name, tuple(sorted(params.items())))
    if key not in _ANSWERS:
        try:
            _ANSWERS[key] = LOCAL.run(name, **params)
        except UsageError as error:
            _ANSWERS[key] = str(error)
    return _ANSWERS[key]


def cases(name: str) -> list[dict[str, str]]:
    """The defaults, every parameter's example alone, and all the examples at once."""
    examples = {p.name: str(p.example) for p in QUERIES[name].params if p.example is not None}
    alone = [{k: v} for k, v in examples.items()]
    return [{}, *alone, *([examples] if len(examples) > 1 else [])]


def named_graphs(server: OxigraphServer) -> dict[str, Graph]:
    """What the store holds, graph by graph."""
    answer = RemoteEngine(server.query_url).select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {})
    graphs: dict[str, Graph] = {}
    for g, s, p, o in answer.rows:
        graphs.setdefault(str(g), Graph()).add((s, p, o))
    return graphs


def default_graph(server: OxigraphServer) -> Graph:
    reply = request(Endpoint(server.store_url + "?default"), "GET", accept="application/n-triples",
                    idempotent=True, purpose="graph store")
    return Graph().parse(data=reply.body, format="nt")


def by_value(graph: Graph) -> Graph:
    """``graph`` with decimals in one lexical form: a store keeps the value (Oxigraph writes 25.0 as 25)."""
    def term(node):  # type: ignore[no-untyped-def]
        if isinstance(node, Literal) and node.datatype == DECIMAL and "." in node:
            return Literal(str(node).rstrip("0").rstrip("."), datatype=DECIMAL)
        return node

    out = Graph()
    for s, p, o in graph:
        out.add((s, p, term(o)))
    return out


def same_graph(got: Graph, expected: Graph) -> bool:
    return isomorphic(by_value(got), by_value(expected))


def assert_store_holds_the_project(server: OxigraphServer, *, extra: frozenset[str] = frozenset()) -> None:
    expected = {str(g.identifier): g for g in LOCAL.engine.dataset.graphs() if len(g)}  # type: ignore[attr-defined]
    got = named_graphs(server)
    assert set(got) == set(expected) | extra
    for name, graph in expected.items():
        assert same_graph(got[name], graph), name


# ---------------------------------------------------------------- parity
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_gives_the_local_rows_remotely(pushed, server: OxigraphServer, name: str) -> None:
    remote = QueryRunner(PROJECT, engine=RemoteEngine(server.query_url))
    for params in cases(name):
        expected = local(name, params)
        if isinstance(expected, str):
            with pytest.raises(UsageError) as error:
                remote.run(name, **params)
            assert str(error.value) == expected
            continue
        got = remote.run(name, **params)
        assert (got.columns, list(got)) == (expected.columns, list(expected)), params
    assert any(not isinstance(local(name, p), str) and local(name, p) for p in cases(name)), "nothing compared"


def test_the_command_line_prints_the_same_rows(pushed, server: OxigraphServer, cli) -> None:
    args = ("query", "who-met-whom", "--project", str(REPO), "--before", "2025-08-01", "--format", "tsv")
    here, there = cli(*args), cli(*args, "--endpoint", server.query_url, "--timeout", "10")
    assert (there.code, there.out, there.err) == (0, here.out, here.err)
    assert len(here.out.splitlines()) > 3


def test_outside_any_project_the_built_in_queries_run_there(pushed, server: OxigraphServer, cli,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("query", "tariff-in-force", "--target", "japan", "--on", "2025-07-31", "--format", "csv")
    here = cli(*args, "--project", str(REPO))
    monkeypatch.chdir(tmp_path)
    assert cli(*args, "--endpoint", server.query_url).out == here.out
    assert cli(*args).code == 2  # locally, a project is needed


def test_ad_hoc_queries_of_every_form(pushed, server: OxigraphServer) -> None:
    url = server.query_url
    select = "SELECT ?title WHERE { ?s a tg:NewsArticle ; tg:title ?title } ORDER BY ?title"
    assert run_sparql(select, endpoint=url) == run_sparql(select, project=REPO)
    assert run_sparql("ASK { ?s a tg:Person }", endpoint=url) is True
    construct = "CONSTRUCT { ?s tg:name ?n } WHERE { ?s a tg:Person ; tg:name ?n }"
    graph = run_sparql(construct, endpoint=url)
    assert isinstance(graph, Graph) and same_graph(graph, run_sparql(construct, project=REPO))  # type: ignore[arg-type]


# ---------------------------------------------------------------- push
def test_push_sends_every_graph_whole_with_the_ontology(pushed, server: OxigraphServer) -> None:
    assert_store_holds_the_project(server)
    assert pushed.protocol == "the Graph Store Protocol"
    assert any(name.endswith("/graph/ontology") for name in pushed.graphs)
    assert pushed.requests == len(pushed.graphs)


def test_pushing_twice_leaves_the_same_triples(pushed, server: OxigraphServer, dataset: Dataset) -> None:
    before = {name: len(g) for name, g in named_graphs(server).items()}
    again = push(PROJECT, server.update_url, graph_store=server.store_url, dataset=dataset)
    assert {name: len(g) for name, g in named_graphs(server).items()} == before
    by_update = push(PROJECT, server.update_url, batch_size=40, dataset=dataset)  # SPARQL Update, many batches
    assert by_update.protocol == "SPARQL Update" and by_update.requests > 40
    assert {name: len(g) for name, g in named_graphs(server).items()} == before
    assert_store_holds_the_project(server)  # blank nodes were never split across batches
    assert again.graphs == by_update.graphs == pushed.graphs


def test_other_graphs_stay_unless_replace(pushed, server: OxigraphServer, cli, repo_project: Path) -> None:
    stale = "urn:x-test:stale"
    request(Endpoint(server.store_url + "?graph=" + stale), "PUT", body=b"<urn:a> <urn:b> <urn:c> .\n",
            content_type="application/n-triples", idempotent=True, purpose="graph store")
    run = cli("push", "--project", str(repo_project), "--endpoint", server.update_url, "--graph-store",
              server.store_url)
    assert run.code == 0, run.err
    assert_store_holds_the_project(server, extra=frozenset({stale}))
    run = cli("push", "--project", str(repo_project), "--endpoint", server.update_url, "--replace")
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1].startswith(f"pushed {sum(pushed.graphs.values())} triples in 5 named graph(s) "
                                               f"to {server.update_url} with SPARQL Update, ")
    assert_store_holds_the_project(server)


def test_also_default_writes_the_union_into_the_default_graph(pushed, server: OxigraphServer,
                                                             dataset: Dataset) -> None:
    try:
        result = push(PROJECT, server.update_url, graph_store=server.store_url, also_default=True, dataset=dataset)
        union = Graph()
        for graph in dataset.graphs():
            union += graph
        assert result.graphs[None] == len(union)
        assert same_graph(default_graph(server), union)
    finally:
        push(PROJECT, server.update_url, replace=True, dataset=dataset)
    assert len(default_graph(server)) == 0


# ---------------------------------------------------------------- nothing injected, nothing lost
HOSTILE_TEXT = ['" } ; DROP ALL ; #', "') } DROP ALL #", '"""} INSERT DATA { <a:b> <a:c> <a:d> } #',
                '\\" } CLEAR DEFAULT #', "} } DELETE WHERE { ?s ?p ?o } #", "x" * 200, "Bessent's \"arrival\""]
HOSTILE_NAMES = ["<http://x/> } DROP ALL #", "akazawa> } DROP ALL { <x", "http://x/a b", "}", "a" * 5000,
                 "https://w3id.org/tradegraph/id/akazawa> . } DROP ALL #"]


def snapshot(server: OxigraphServer) -> list[tuple[str, ...]]:
    rows = RemoteEngine(server.query_url).select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {}).rows
    return sorted(tuple(t.n3() for t in row if t is not None) for row in rows)


def test_hostile_values_cannot_alter_or_drop_data(pushed, server: OxigraphServer, cli) -> None:
    before = snapshot(server)
    url = server.query_url
    for text in HOSTILE_TEXT:  # bound as a literal: the same (empty) answer as locally
        assert run_query("search", project=REPO, endpoint=url, text=text) == local("search", {"text": text})
    for name in HOSTILE_NAMES:
        with pytest.raises(UsageError, match="--actor"):
            run_query("actor-timeline", project=REPO, endpoint=url, actor=name)
    for day in ['2025-08-01" } DROP ALL #', "2025-08-01> } DROP ALL {"]:
        with pytest.raises(UsageError, match="is not a date"):
            run_query("who-met-whom", project=REPO, endpoint=url, before=day)
    run = cli("query", "search", "--project", str(REPO), "--endpoint", url, "--text", HOSTILE_TEXT[0])
    assert (run.code, run.err) == (0, "0 row(s)\n")
    assert cli("sparql", "--endpoint", url, "DROP ALL").code == 2
    assert snapshot(server) == before
    assert len(before) == sum(pushed.graphs.values())


def test_hostile_text_in_the_facts_is_pushed_as_data(pushed, server: OxigraphServer, dataset: Dataset,
                                                     tmp_path: Path) -> None:
    project_dir = tmp_path / "hostile"
    shutil.copytree(FIXTURES / "minimal", project_dir)
    source = project_dir / "graph" / "sources" / "first-article.yaml"
    attack = '" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } # \\ """ \' > }'
    text = source.read_text("utf-8").replace("evidence: a 12.5% tariff on fish from April",
                                             "evidence: '" + attack.replace("'", "''") + "'")
    assert attack.replace("'", "''") in text
    source.write_text(text, "utf-8")
    hostile = Project.open(project_dir)
    try:
        before = snapshot(server)
        push(hostile, server.update_url, batch_size=3)
        sent = load_dataset(hostile)
        push(hostile, server.update_url, graph_store=server.store_url, dataset=sent)
        graphs = named_graphs(server)
        for graph in sent.graphs():
            if len(graph):
                assert same_graph(graphs[str(graph.identifier)], graph)
        assert any(o == Literal(attack) for g in graphs.values() for o in g.objects())
        assert not any(URIRef("a:b") in g.subjects() for g in graphs.values())
        assert set(before) <= set(snapshot(server))  # the project's own graphs are all still there
    finally:
        push(PROJECT, server.update_url, replace=True, dataset=dataset)
    assert_store_holds_the_project(server)


# ---------------------------------------------------------------- a default graph that is not the union
def test_a_store_whose_default_graph_is_not_the_union_is_named(cli, tmp_path: Path, dataset: Dataset,
                                                              repo_project: Path) -> None:
    """Oxigraph without --union-default-graph answered every query with 0 rows, silently."""
    with OxigraphServer(tmp_path / "store", writable=True, union=False) as plain:
        run = cli("push", "--project", str(repo_project), "--endpoint", plain.update_url,
                  "--graph-store", plain.store_url)
        assert run.code == 0, run.err
        assert (f"warning: {plain.query_url}: the store's default graph is empty while its named graphs hold "
                "triples, so queries there will answer nothing (start Oxigraph with --union-default-graph") in run.err
        query = cli("query", "who-met-whom", "--project", str(REPO), "--endpoint", plain.query_url)
        assert query.code == 3 and query.out == ""
        assert query.err.splitlines()[-1] == (
            f"error: {plain.query_url}: answered nothing, and its default graph is empty while its named graphs hold "
            "triples; expected a store whose default graph is the union of its named graphs (tradegraph's queries "
            "read the default graph) (hint: start Oxigraph with --union-default-graph (`tradegraph serve` does), set "
            "Fuseki's tdb2:unionDefaultGraph true, or push with --also-default)")
        assert run_sparql("ASK { GRAPH ?g { ?s ?p ?o } }", endpoint=plain.query_url) is True  # GRAPH reads them
        push(PROJECT, plain.update_url, graph_store=plain.store_url, also_default=True, dataset=dataset)
        assert cli("query", "who-met-whom", "--project", str(REPO), "--endpoint", plain.query_url).code == 0


def test_an_empty_answer_from_a_union_store_stays_an_empty_answer(pushed, server: OxigraphServer, cli) -> None:
    run = cli("query", "search", "--project", str(REPO), "--endpoint", server.query_url, "--text", "no-such-word")
    assert (run.code, run.err) == (0, "0 row(s)\n")

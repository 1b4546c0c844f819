"""Push only the change (issue 17), against a real Oxigraph server: the graphs unchanged since
the last push to a store stay unsent, a changed source's graph goes up, a removed source's
graph is dropped, a store someone else changed gets everything again, --all forces it, and a
memory tradegraph did not write is never trusted or replaced."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tradegraph.build.provider import validated_graph
from tradegraph.project import Project
from tradegraph.remote.endpoint import RemoteEngine
from tradegraph.remote.serve import OxigraphServer

from .conftest import FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")]

SECOND = ("source:\n  id: second-article\n  title: Bo replies\n  publisher: atlantis-government\n"
          "  published:\n    date: 2025-03-15\n    how: printed on the page\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store", writable=True) as running:
        yield running
    assert running.process is not None and running.process.poll() is not None  # stopped by its PID


#: How each test's project is pushed: from its graph (no build), or from the store of a build
#: into a store made before each push (which push reads, digesting only what changed).
_READ: dict[Path, str] = {}


@pytest.fixture(params=["graph", "store"])
def project(tmp_path: Path, server: OxigraphServer, request: pytest.FixtureRequest) -> Path:
    """A fresh minimal project with a second source, and an empty store."""
    _update(server, "DROP ALL")  # the same server for every test: emptied first
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", target)
    (target / "graph" / "sources" / "second-article.yaml").write_text(SECOND, "utf-8")
    _READ[target] = request.param
    return target


def _update(server: OxigraphServer, text: str) -> None:
    from tradegraph.remote.transport import Endpoint, request

    request(Endpoint(server.update_url), "POST", body=f"update={text}".encode(),
            content_type="application/x-www-form-urlencoded", idempotent=True, purpose="update")


def _stored(server: OxigraphServer) -> dict[str, Graph]:
    answer = RemoteEngine(server.query_url).select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {})
    graphs: dict[str, Graph] = {}
    for g, s, p, o in answer.rows:
        graphs.setdefault(str(g), Graph()).add((s, p, o))
    return graphs


def _local(project: Path) -> dict[str, Graph]:
    dataset = validated_graph(Project.open(project)).dataset
    return {str(g.identifier): g for g in dataset.graphs() if len(g) and str(g.identifier).startswith("http")}


def _same(project: Path, server: OxigraphServer) -> None:
    local, stored = _local(project), _stored(server)
    assert sorted(stored) == sorted(local)
    for name, graph in local.items():
        assert isomorphic(stored[name], graph), name


def _push(cli, project: Path, server: OxigraphServer, *more: str):
    if _READ[project] == "store":
        built = cli("build", "-p", str(project), "--store", str(project / "build" / "store"))
        assert built.code == 0, built.err
    run = cli("push", "-p", str(project), "--endpoint", server.update_url, "--graph-store", server.store_url, *more)
    assert run.code == 0, run.err
    said = "graphs read from the store of the last build (build/store)" if _READ[project] == "store" \
        else "graphs read from the project's graph"
    assert run.out.splitlines()[0] == said
    return run


def _sent(run) -> list[str]:
    return sorted(line.split()[1].rstrip(":").rsplit("/", 1)[-1] for line in run.out.splitlines()
                  if line.startswith("graph ") and line.endswith(" triples"))


def test_only_changed_graphs_are_sent_and_a_removed_source_is_dropped(project: Path, server: OxigraphServer,
                                                                       cli) -> None:
    first = _push(cli, project, server)
    assert _sent(first) == ["actors", "derived", "first-article", "ontology", "second-article"]
    _same(project, server)
    again = _push(cli, project, server)
    assert _sent(again) == []
    assert "unchanged since the last push, not sent: 5 graph(s)" in again.out
    assert "pushed 0 triples in 0 named graph(s)" in again.out
    source = project / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text("utf-8").replace("date: 2025-03-13", "date: 2025-03-12"), "utf-8")
    edited = _push(cli, project, server)
    assert _sent(edited) == ["derived", "first-article"]  # the day keys are derived from the date
    _same(project, server)
    (project / "graph" / "sources" / "second-article.yaml").unlink()
    removed = _push(cli, project, server)
    assert "graph https://example.org/id/graph/second-article: dropped (the project no longer has it)" in \
        removed.out.replace(Project.open(project).base, "https://example.org/id/")
    _same(project, server)
    forced = _push(cli, project, server, "--all")
    assert _sent(forced) == ["actors", "derived", "first-article", "ontology"]


def test_a_store_changed_by_someone_else_gets_everything_again(project: Path, server: OxigraphServer, cli) -> None:
    _push(cli, project, server)
    base = Project.open(project).base
    _update(server, f"DROP GRAPH <{base}graph/actors>")
    again = _push(cli, project, server)
    assert "someone else changed it): sending every graph" in again.err
    assert _sent(again) == ["actors", "derived", "first-article", "ontology", "second-article"]
    _same(project, server)
    _update(server, "DROP ALL")  # emptied: every count is 0
    assert _sent(_push(cli, project, server)) == ["actors", "derived", "first-article", "ontology",
                                                  "second-article"]
    _same(project, server)


def test_a_memory_not_as_written_is_not_trusted_nor_replaced(project: Path, server: OxigraphServer, cli) -> None:
    _push(cli, project, server)
    memory = project / "build" / "pushed.json"
    kept = json.loads(memory.read_text("utf-8"))
    assert kept["format"] == "tradegraph-pushed/2" and len(kept["stores"]) == 1
    memory.write_text(json.dumps({**kept, "stores": {}}), "utf-8")
    run = cli("push", "-p", str(project), "--endpoint", server.update_url, "--graph-store", server.store_url)
    assert run.code == 2
    assert "pushed.json was not written by an earlier build" in run.err and "Traceback" not in run.err
    assert json.loads(memory.read_text("utf-8")) == {**kept, "stores": {}}


def test_a_store_that_cannot_be_asked_gets_everything(project: Path, server: OxigraphServer, cli) -> None:
    _push(cli, project, server)
    run = _push(cli, project, server, "--query", server.url + "no-such-endpoint")
    assert "the store's counts could not be read" in run.err
    assert len(_sent(run)) == 5

"""The Oxigraph store path: every canned query gives the same rows as the in-memory path; bulk
facts (JSON Lines, CSV) give the same graph as the same facts in YAML, and bad lines their file
and line; `tradegraph build --store DIR` writes a store and outputs, atomically."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import XSD, Graph, Literal
from rdflib.compare import isomorphic

from tradegraph.build.derive import derive_store
from tradegraph.errors import InvalidData, UsageError
from tradegraph.facts.loader import load_facts
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.query.run import QueryRunner
from tradegraph.rdf.graphs import union
from tradegraph.rdf.oxterms import to_ox
from tradegraph.store.oxigraph import FactStore, load_store

from .conftest import FIXTURES, REPO

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

PROJECTS = {"real": REPO, "fixture": FIXTURES / "queries", "minimal": FIXTURES / "minimal"}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def runners(request: pytest.FixtureRequest) -> tuple[QueryRunner, QueryRunner]:
    project = Project.open(PROJECTS[request.param])
    return QueryRunner(project), QueryRunner(project, engine=_derived(load_store(project)).engine())


def _derived(store: FactStore) -> FactStore:
    """The store with what a build derives (the closures and day keys the canned queries read)."""
    derive_store(store.store, store.base)
    return store


@pytest.mark.parametrize("name", sorted(load_queries(Project.open(REPO))))
def test_every_canned_query_gives_the_same_rows_in_memory_and_in_the_store(runners, name: str) -> None:
    memory, store = runners
    query = load_queries(memory.project)[name]
    cases = [{}] + [{p.name: p.example} for p in query.params if p.example is not None]
    for params in cases:
        try:
            expected = memory.run(name, **params)
        except UsageError:  # an example of the real graph that names nothing in a fixture
            continue
        got = store.run(name, **params)
        assert (got.columns, list(got)) == (expected.columns, list(expected)), params


def _canonical(graph: Graph) -> Graph:
    """Decimals by value: the store keeps literals by value ("25.0" comes back as "25")."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def to_bulk(source: Path, target: Path, *, csv_actors: bool = False) -> Path:
    """The YAML facts of ``source`` as bulk files: the same fields and ids, one record a line."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("graph"))
    (target / "graph" / "bulk").mkdir(parents=True)
    project = Project.open(source)
    from tradegraph.facts.model import load_model
    model = load_model()
    lines = []
    for path in project.actor_files():
        for section, items in yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader).items():
            lines += [{"kind": model.kind_by_section(section).name, **item} for item in items]
    if csv_actors:  # one CSV file per kind, flat fields
        for kind in sorted({line["kind"] for line in lines}):
            rows = [line for line in lines if line["kind"] == kind]
            columns = sorted({key for row in rows for key in row if key != "names"})
            with (target / "graph" / "bulk" / f"{kind}.csv").open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(columns)
                writer.writerows([row.get(c, "") for c in columns] for row in rows)
        lines = [line for line in lines if "names" in line]
    for path in project.source_files():
        doc = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
        header = dict(doc["source"])
        corrections = header.pop("corrections", [])
        lines.append({"kind": "source", **header})
        lines += [{"kind": "correction", "source": header["id"], **c} for c in corrections]
        lines += [{"source": header["id"], **fact} for fact in doc.get("facts") or []]
    def typed(record: dict) -> dict:  # YAML's numbers, read as text above, as JSON numbers
        return {k: (int(v) if k == "count" else float(v) if k in ("rate", "distance_miles") else v)
                for k, v in record.items()}

    (target / "graph" / "bulk" / "facts.jsonl").write_text(
        "".join(json.dumps(typed(line), ensure_ascii=False) + "\n" for line in lines), "utf-8")
    return target


@pytest.mark.slow
@pytest.mark.parametrize("csv_actors", [False, True], ids=["jsonl", "csv"])
def test_bulk_facts_give_the_graph_of_the_same_facts_in_yaml(tmp_path: Path, csv_actors: bool) -> None:
    bulk = to_bulk(REPO, tmp_path / "bulk", csv_actors=csv_actors)
    expected = union(load_facts(Project.open(REPO)).dataset)
    assert isomorphic(_canonical(union(load_facts(Project.open(bulk)).dataset)), _canonical(expected))
    stored = Graph()
    store = load_store(Project.open(bulk))
    for triple in store.triples():
        stored.add(next(iter(Graph().parse(data=f"{triple} .", format="nt"))))
    assert isomorphic(_canonical(stored), _canonical(expected))


BAD_LINES = [
    ('{"kind": "person", "id": "x"', "the line is not valid JSON: Expecting ',' delimiter (column 29); expected one "
     'JSON object a line, such as {"kind": "person", "id": "ana", "name": "Ana"}'),
    ('["person"]', 'the line holds a JSON list; expected a JSON object, such as {"kind": "person", "id": "ana", '
     '"name": "Ana"}'),
    ('{"kind": "persn", "id": "x", "name": "X"}', "unknown kind 'persn'; expected one of "),
    ('{"kind": "meeting", "id": "m1", "when": "2025-07-19", "status": "happened", "evidence": "e"}',
     "the meeting has no `source`; expected the id of the record of kind source it comes from"),
    ('{"kind": "meeting", "id": "m1", "source": "nowhere", "when": "2025-07-19", "status": "happened", '
     '"evidence": "e"}', "meeting 'm1' cites unknown source 'nowhere'; expected the id of a record of kind source"),
    ('{"kind": "person", "id": "x", "name": "X", "country": "atlantys"}',
     "`country` of person 'x' refers to unknown id 'atlantys'; expected the id of a country (hint: did you mean "
     "'atlantis'?)"),
]


@pytest.mark.parametrize("line,message", BAD_LINES, ids=range(len(BAD_LINES)))
def test_a_bad_bulk_line_gives_file_line_and_what_is_wrong(minimal: Path, line: str, message: str) -> None:
    bulk = minimal / "graph" / "bulk"
    bulk.mkdir()
    (bulk / "extra.jsonl").write_text('{"kind": "topic", "id": "ok", "name": "OK"}\n\n' + line + "\n", "utf-8")
    with pytest.raises(InvalidData) as caught:
        load_facts(Project.open(minimal))
    assert str(caught.value).startswith(f"graph/bulk/extra.jsonl:3: {message}")


def test_many_bad_lines_are_reported_together(minimal: Path) -> None:
    bulk = minimal / "graph" / "bulk"
    bulk.mkdir()
    (bulk / "people.csv").write_text("kind,id,name,country\nperson,a1,A,atlantis\nperson,a2,,atlantis\n"
                                     "person,a3,C,nowhere\n", "utf-8")
    with pytest.raises(InvalidData) as caught:
        load_facts(Project.open(minimal))
    assert str(caught.value).splitlines() == [
        "graph/bulk/people.csv:3: person 'a2' has no `name`; expected `name:` (string)",
        "graph/bulk/people.csv:4: `country` of person 'a3' refers to unknown id 'nowhere'; expected the id of a "
        "country (hint: define it first (actors go in graph/actors.yaml))"]


def test_build_with_store_writes_a_store_that_queries_run_on(minimal: Path, tmp_path: Path, cli) -> None:
    store = tmp_path / "store"
    run = cli("build", "--project", str(minimal), "--store", str(store))
    assert run.code == 0, run.err
    assert sorted(p.name for p in (minimal / "build").iterdir()) == [
        ".tradegraph-changes-record.json", ".tradegraph-outputs.json", "changes.json", "graph.nq",
        "graph.ttl", "records.json", "report.txt"]
    facts = load_facts(Project.open(minimal)).dataset
    assert isomorphic(_canonical(Graph().parse(minimal / "build" / "graph.ttl")), _canonical(union(facts)))
    # graph.nq: the facts' quads as loaded, graph by graph, without the ontology
    written = ox.Store()
    written.load(path=str(minimal / "build" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    expected = ox.Store()
    expected.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in facts.quads())
    assert set(written) == set(expected) and len(written) > 90
    assert f"{len(written)} quads," in run.out and f"wrote {store}" in run.out
    rows = QueryRunner(Project.open(minimal), engine=_derived(load_store(Project.open(minimal))).engine()).run("who-met-whom")
    assert [(r["actor1"], r["actor2"]) for r in rows] == [("Ana Example", "Bo Sample")]
    assert (store / "CURRENT").is_file()


def test_a_failed_build_leaves_the_old_store(minimal: Path, tmp_path: Path, cli) -> None:
    store = tmp_path / "store"
    assert cli("build", "--project", str(minimal), "--store", str(store)).code == 0
    before = sorted(p.name for p in store.iterdir())
    source = minimal / "graph" / "sources" / "first-article.yaml"
    source.write_text(source.read_text().replace("      - bo\n", ""))
    run = cli("build", "--project", str(minimal), "--store", str(store))
    assert run.code == 1 and "meeting 'ana-bo-meeting'" in run.err
    assert sorted(p.name for p in store.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.lock", "minimal", "store"]  # no staging left


def test_query_and_sparql_run_on_the_store(minimal: Path, tmp_path: Path, cli) -> None:
    store = tmp_path / "store"
    assert cli("build", "--project", str(minimal), "--store", str(store)).code == 0
    memory = cli("query", "who-met-whom", "--project", str(minimal), "--format", "csv")
    stored = cli("query", "who-met-whom", "--project", str(minimal), "--store", str(store), "--format", "csv")
    assert stored.code == 0 and stored.out == memory.out and "Ana Example" in stored.out
    ask = cli("sparql", "--project", str(minimal), "--store", str(store), "ASK { ?m a tg:Meeting }")
    assert (ask.code, ask.out) == (0, "true\n")
    missing = cli("query", "who-met-whom", "--project", str(minimal), "--store", str(tmp_path / "nope"))
    assert missing.code == 2
    assert missing.err == (f"error: no store at {tmp_path / 'nope'}; expected a directory written by "
                           f"`tradegraph build --store DIR` (hint: run `tradegraph build --store {tmp_path / 'nope'}` "
                           "first)\n")

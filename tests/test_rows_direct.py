"""Rows without rdflib: the store's plain values are the rdflib path's, value for value and type for type.

`StoreEngine.values` turns Oxigraph's terms straight into what `query.run.to_python` makes of
rdflib terms; `==` alone would let 25 pass for Decimal("25") or a str for a date, so the
types are compared too."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef

from tradegraph.errors import UsageError
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.query.run import QueryRunner, Rows, to_python
from tradegraph.rdf.oxterms import from_ox, to_ox
from tradegraph.store.engine import StoreEngine, plain_value

from .conftest import FIXTURES, REPO
from .oxigraph_engines import oxigraph_store

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")

BASE = "https://w3id.org/tradegraph/id/"
XSD_TYPES = ["string", "integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time", "gYear",
             "gYearMonth", "duration", "int", "long", "nonNegativeInteger", "anyURI", "token", "hexBinary"]
LEXICAL = ["25", "-0", "007", "+5", "25.0", "-1.50", ".5", "1e3", "INF", "NaN", "true", "false", "1", "0",
           "2025-07-31", "2025-02-30", "2025-07-31Z", "2025-07-31T10:00:00", "2025-07-31T10:00:00+09:00",
           "10:00:00", "2025", "2025-07", "P1Y2M", "abc", "", " 5 ", "0A1b", "9" * 40]


def _terms() -> list[Any]:
    terms: list[Any] = [Literal(text, datatype=XSD[kind]) for kind in XSD_TYPES for text in LEXICAL]
    terms += [Literal("Akazawa", lang="en"), Literal("赤沢", lang="ja"), Literal("plain"), Literal(""),
              URIRef(BASE + "japan"), URIRef(BASE + "a/b"), URIRef(BASE), URIRef("http://other.example/x"),
              BNode("b0"), Literal("x", datatype=URIRef("http://example.org/own"))]
    return terms


@pytest.mark.parametrize("term", _terms(), ids=repr)
def test_a_cell_is_the_same_value_of_the_same_type_either_way(term: Any) -> None:
    stored = _stored(to_ox(term))
    expected = to_python(from_ox(stored), BASE)
    got = plain_value(stored, BASE)
    assert (type(got), repr(got)) == (type(expected), repr(expected))


def _stored(term: Any) -> Any:
    """The term as a query on a store gives it back (Oxigraph keeps some literals by value)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), term))
    return next(iter(store.query("SELECT ?o WHERE { ?s ?p ?o }")))[0]


PROJECTS = {"real": REPO, "fixture": FIXTURES / "queries"}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def runners(request: pytest.FixtureRequest) -> tuple[QueryRunner, QueryRunner]:
    """The rdflib path and the store path over the same quads (the store is a copy of rdflib's dataset)."""
    project = Project.open(PROJECTS[request.param])
    memory = QueryRunner(project)
    return memory, QueryRunner(project, engine=StoreEngine(oxigraph_store(memory.engine.dataset)))  # type: ignore[attr-defined]


def typed(rows: Rows) -> list[dict[str, Any]]:
    """Each cell as its type (and its items' types) beside its value: the store keeps literals by
    value, so a decimal written 1200.0 comes back as Decimal("1200"), equal but not the same repr."""
    return [{k: (type(v).__name__, [type(x).__name__ for x in v] if isinstance(v, list) else None, v)
             for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("name", sorted(load_queries(Project.open(REPO))))
def test_every_canned_query_gives_the_same_typed_rows_on_the_rdflib_and_store_paths(runners, name: str) -> None:
    memory, store = runners
    query = load_queries(memory.project)[name]
    compared = 0
    for params in [{}] + [{p.name: p.example} for p in query.params if p.example is not None]:
        try:
            expected = memory.run(name, **params)
        except UsageError:  # an example of the real graph that names nothing in the fixture
            continue
        got = store.run(name, **params)
        assert got.columns == expected.columns
        assert typed(got) == typed(expected), params
        compared += len(expected)
    assert compared or memory.project.root != REPO, "no rows compared"


def test_an_ad_hoc_select_on_the_store_gives_plain_values(runners) -> None:
    memory, store = runners
    text = "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?s ?p ?o LIMIT 200"
    here, there = memory.sparql(text), store.sparql(text)
    assert isinstance(here, Rows) and isinstance(there, Rows)
    assert typed(there) == typed(here) and len(here) == 200

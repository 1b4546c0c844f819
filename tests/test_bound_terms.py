"""Parameters bound as terms: no value, however hostile, changes a query's shape, on any engine.

The store and a remote endpoint get each value written into the query text as its term
(`bind_terms`), rdflib takes `initBindings`. For every hostile value,
the bound text parses (with rdflib's parser, not ours) to the tree of the same query bound to a
benign value, the one leaf aside; Oxigraph reads it with the same variables; and the rows on
rdflib, the Oxigraph store and a real Oxigraph server are exactly what the value selects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import XSD, Dataset, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Identifier

from tradegraph.errors import UsageError
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.remote.endpoint import RemoteEngine
from tradegraph.remote.serve import OxigraphServer
from tradegraph.sparql.engine import LocalEngine
from tradegraph.sparql.text import QuerySyntaxError, bind_terms, term_text
from tradegraph.store.engine import StoreEngine

from .conftest import REPO
from .oxigraph_engines import oxigraph_store

EX = "http://example.org/"
HOSTILE_TEXT = ['a"b', "it's", 'x"""y', "x'''y", '"""', "} # {", '" } ?s ?p ?o . FILTER("', "line\nbreak",
                "cr\rlf", "\\u0022", "\\u0022) } #", "back\\slash\\", "sp ace", ">", "<http://evil.example/>",
                "?p", "$p", "tab\there", "\x00nul", "\u2028sep", "#", "\\", "{}", "') } DROP ALL #"]
HOSTILE_LITERALS: list[Literal] = [
    *(Literal(text) for text in HOSTILE_TEXT),
    Literal('" } .', lang="fr"), Literal("x", lang="en-GB"), Literal("#", lang="x-a-b"),
    Literal(10**40, datatype=XSD.integer), Literal(-(10**40), datatype=XSD.integer),
    Literal("2025-07-31", datatype=XSD.date), Literal(True, datatype=XSD.boolean),
    Literal('"x" } #', datatype=URIRef(EX + "type#weird?a=1")),
]
HOSTILE_IRIS = [URIRef(EX + tail) for tail in ("a#b", "é", "a?x=1&y=2", "'q'", "a%22b", "a(b)", "a;b,c", "a$b?c",
                                               "#", "a/b/../c", "%3E%7D")] + [URIRef("urn:x:a#?")]
NOT_IRIS = [EX + tail for tail in ("a>b", "a b", "a\\b", 'a"b', "a{b}", "a|b", "a^b", "a`b", "a\nb", "a<b")]


# ---------------------------------------------------------------- shape, every canned query
QUERIES = load_queries(Project.open(REPO))


def _queries() -> Iterator[tuple[str, str]]:
    for name, query in sorted(QUERIES.items()):
        for param in query.params:
            yield name, param.name


BENIGN = {"iri": URIRef(EX + "benign"), "xsd:date": Literal("2025-01-01", datatype=XSD.date),
          "integer": Literal(1, datatype=XSD.integer), "boolean": Literal(False, datatype=XSD.boolean),
          "string": Literal("benign")}


def same_shape(got: Any, expected: Any, benign: Identifier) -> bool:
    """Whether two parse trees are equal but where ``expected`` holds ``benign``: there ``got``
    holds one term of the same kind (an IRI, or a literal of any value, language or datatype)."""
    if _is(expected, benign):
        return isinstance(got, URIRef) if isinstance(benign, URIRef) else _literal(got)
    if isinstance(expected, CompValue):
        return (isinstance(got, CompValue) and got.name == expected.name and list(got) == list(expected)
                and all(same_shape(dict.get(got, k), dict.get(expected, k), benign) for k in expected))
    if isinstance(expected, (list, tuple)) or type(expected).__name__ == "ParseResults":
        return (type(got) is type(expected) and len(got) == len(expected)
                and all(same_shape(g, e, benign) for g, e in zip(got, expected)))
    return type(got) is type(expected) and bool(got == expected)


def _is(node: Any, benign: Identifier) -> bool:
    if isinstance(benign, URIRef):
        return isinstance(node, URIRef) and node == benign
    return _literal(node) and str(node if isinstance(node, Literal) else node["string"]) == str(benign)


def _literal(node: Any) -> bool:
    """A literal as rdflib's parse tree holds it (a ``literal`` node, or a Literal for a plain number or boolean)."""
    return isinstance(node, Literal) or (isinstance(node, CompValue) and node.name == "literal")


def _values_for(kind: str) -> list[Identifier]:
    return list(HOSTILE_IRIS) if kind == "iri" else list(HOSTILE_LITERALS)


def _variables(text: str) -> list[str]:
    """The variables Oxigraph reads in the query's head (on an empty store)."""
    return [v.value for v in ox.Store().query(text, prefixes=QUERY_PREFIXES).variables]


SMALL = ("PREFIX ex: <http://example.org/> SELECT ?x ?p (COUNT(?y) AS ?n) WHERE { ?x ex:a ?p ; ex:b ?y "
         "OPTIONAL { ?y ex:c ?p } FILTER(?y != ?p || COALESCE(sameTerm(?p, ?p), false)) } GROUP BY ?x ?p "
         "HAVING (COUNT(?p) > 0) ORDER BY ?p DESC(?x)")
#: One value of each kind that would widen a query if it were pasted in.
WORST = {"iri": URIRef(EX + "a#?p=%7D"), "literal": Literal('" } ?s ?p ?o . FILTER("\n#')}


@pytest.mark.parametrize("benign", [URIRef(EX + "benign"), Literal("benign")])
def test_no_value_changes_the_shape_of_a_query(benign: Identifier) -> None:
    values = HOSTILE_IRIS if isinstance(benign, URIRef) else HOSTILE_LITERALS
    expected = bind_terms(SMALL, {"p": benign})
    tree, heads = parseQuery(expected), _variables(expected)
    for value in values:
        text = bind_terms(SMALL, {"p": value})
        assert same_shape(parseQuery(text), tree, benign), value
        assert _variables(text) == heads, value


@pytest.mark.slow
@pytest.mark.parametrize(("name", "param"), list(_queries()))
def test_no_value_changes_the_shape_of_a_canned_query(name: str, param: str) -> None:
    """Oxigraph reads every hostile value's query (and setup) with the same variables; rdflib's
    parser reads the worst one's to the same tree."""
    query = QUERIES[name]
    declared = query.param(param)
    assert declared is not None
    benign = BENIGN[declared.type]
    kind = "iri" if declared.type == "iri" else "literal"
    bound = 0
    for text in (query.text, *([query.setup] if query.setup else [])):
        expected = bind_terms(text, {declared.variable: benign})
        if expected == text:
            continue
        bound += 1
        heads = _variables(expected)
        for value in HOSTILE_IRIS if kind == "iri" else HOSTILE_LITERALS:
            assert _variables(bind_terms(text, {declared.variable: value})) == heads, value
        worst = bind_terms(text, {declared.variable: WORST[kind]})
        assert same_shape(parseQuery(worst), parseQuery(expected), benign)
    assert bound, "the parameter was not bound"


def test_a_term_is_written_whole_and_an_iri_that_is_none_is_refused() -> None:
    for value in [*HOSTILE_LITERALS, *HOSTILE_IRIS]:
        text = term_text(value)
        assert "\n" not in text and "\r" not in text
        found = ox.Store().query(f"SELECT ?x WHERE {{ BIND({text} AS ?x) }}")
        assert [row[0] for row in found] == [ox.NamedNode(str(value)) if isinstance(value, URIRef) else ox.Literal(
            str(value), **({"language": value.language} if value.language else {"datatype": ox.NamedNode(
                str(value.datatype or XSD.string))}))]
    for iri in NOT_IRIS:
        with pytest.raises(UsageError, match="cannot be bound as an RDF term"):
            term_text(URIRef(iri))


# ---------------------------------------------------------------- where a term cannot stand
@pytest.mark.parametrize(("text", "bound"), [
    ("SELECT ?p ?x WHERE { ?x ?y ?p } GROUP BY ?p ?x ORDER BY ?p DESC(?p)",
     "SELECT ?p ?x WHERE { ?x ?y <http://example.org/v> } GROUP BY ?p ?x ORDER BY ?p DESC(<http://example.org/v>)"),
    ("SELECT DISTINCT ?p (COUNT(?p) AS ?n) { ?x ?y ?p } GROUP BY ?p (STR(?p) AS ?s)",
     "SELECT DISTINCT ?p (COUNT(<http://example.org/v>) AS ?n) { ?x ?y <http://example.org/v> } "
     "GROUP BY ?p (STR(<http://example.org/v>) AS ?s)"),
    ("SELECT ?x { { SELECT ?x ?p { ?x ?y ?p } } FILTER(?p != ?pp && $p != '?p') } # ?p",
     "SELECT ?x { { SELECT ?x ?p { ?x ?y <http://example.org/v> } } "
     "FILTER(<http://example.org/v> != ?pp && <http://example.org/v> != '?p') } # ?p"),
    ("select ?pé ?p2 { ?x <http://e/?p> ?pé, ?p2, ?p }", "select ?pé ?p2 { ?x <http://e/?p> ?pé, ?p2, <http://example.org/v> }"),
])
def test_only_the_variable_in_the_code_is_replaced(text: str, bound: str) -> None:
    assert bind_terms(text, {"p": URIRef(EX + "v"), "q": None}) == bound
    assert _variables(bound) == _variables(text)


@pytest.mark.parametrize("text", [
    "SELECT ?x { ?x ?y ?z BIND(?z AS ?p) }",
    "SELECT (1 AS ?p) { ?x ?y ?z }",
    "SELECT ?x { VALUES (?x ?p) { (1 2) } }",
    "SELECT ?x { ?x ?y ?z } VALUES ?p { 1 }",
    "SELECT ?x { ?x ?y ?p FILTER(bound( ?p )) }",
])
def test_a_query_that_assigns_or_tests_the_parameter_itself_is_refused(text: str) -> None:
    with pytest.raises(QuerySyntaxError, match=r"assigns or tests \?p itself"):
        bind_terms(text, {"p": Literal("v")})
    assert bind_terms(text, {"p": None}) == text


# ---------------------------------------------------------------- rows, on every engine
PRESENT = [*HOSTILE_LITERALS, *(Literal(f"iri {i}") for i in range(len(HOSTILE_IRIS)))]
ABSENT_LITERALS = [Literal('" } ?s ?p ?o . FILTER(true || "'), Literal("x") , Literal("} UNION { ?s ?p ?o")]
ABSENT_IRIS = [URIRef(EX + "nothing#%7D%20UNION%20%7B%20?s%20?p%20?o%20%7D")]
BY_VALUE = "PREFIX ex: <http://example.org/> SELECT ?s ?want WHERE { ?s ex:label ?want }"
BY_NODE = "PREFIX ex: <http://example.org/> SELECT ?label ?node WHERE { ?node ex:label ?label }"


def _dataset() -> Dataset:
    """Node ``n{i}`` labelled with the i-th hostile literal; each hostile IRI labelled ``iri {j}``."""
    dataset = Dataset(default_union=True)
    graph = dataset.graph(URIRef(EX + "g"))
    for i, value in enumerate(HOSTILE_LITERALS):
        graph.add((URIRef(f"{EX}n{i}"), URIRef(EX + "label"), value))
    for j, iri in enumerate(HOSTILE_IRIS):
        graph.add((iri, URIRef(EX + "label"), Literal(f"iri {j}")))
    return dataset


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """rdflib, the Oxigraph store and a real Oxigraph server (read-only, union default graph) on the same data."""
    dataset = _dataset()
    location = tmp_path_factory.mktemp("bound") / "store"
    on_disk = ox.Store(str(location))
    on_disk.extend(oxigraph_store(dataset))
    on_disk.flush()
    del on_disk
    gc.collect()  # the server takes the store's lock
    with OxigraphServer(location) as server:
        yield {"rdflib": LocalEngine(dataset), "store": StoreEngine(oxigraph_store(dataset)),
               "server": RemoteEngine(server.query_url)}
    assert server.process is not None and server.process.poll() is not None  # stopped by its PID


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["rdflib", "store", "server"])
def test_the_rows_are_what_the_value_selects_on_every_engine(engines: dict[str, Any], engine: str) -> None:
    run = engines[engine]
    for i, value in enumerate(HOSTILE_LITERALS):
        rows = run.select(BY_VALUE, {"want": value}).rows
        assert [row[0] for row in rows] == [URIRef(f"{EX}n{i}")], value
    for j, iri in enumerate(HOSTILE_IRIS):
        rows = run.select(BY_NODE, {"node": iri}).rows
        assert [row[0] for row in rows] == [Literal(f"iri {j}")], iri
    for value in ABSENT_LITERALS:
        assert run.select(BY_VALUE, {"want": value}).rows == [], value
    for iri in ABSENT_IRIS:
        assert run.select(BY_NODE, {"node": iri}).rows == [], iri
    everything = run.select(BY_VALUE, {}).rows
    assert len(everything) == len(HOSTILE_LITERALS) + len(HOSTILE_IRIS)  # the data is all there


def test_the_store_plans_with_the_value_not_a_variable() -> None:
    """What the store receives: the term in place of the variable (so Oxigraph plans with it)."""
    store = StoreEngine(oxigraph_store(_dataset()))
    seen: list[str] = []
    query = store.store.query

    class Spy:
        def query(self, text: str, **options: Any) -> Any:
            seen.append(text)
            return query(text, **options)

        def __getattr__(self, name: str) -> Any:
            return getattr(store.store, name)

    store.store = Spy()  # type: ignore[assignment]
    store.select(BY_VALUE, {"want": Literal('a"b')})
    assert seen == ['PREFIX ex: <http://example.org/> SELECT ?s ?want WHERE { ?s ex:label "a\\"b" }']

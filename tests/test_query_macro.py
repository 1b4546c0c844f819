"""`GIVEN(?p)`: the "was this parameter given" macro of canned queries, written out when a query
is loaded into the one spelling rdflib, pyoxigraph and a VALUES block read alike."""

from __future__ import annotations

import re

import pytest

from tradegraph.errors import InvalidModel
from tradegraph.project import Project
from tradegraph.query.catalogue import load_queries, parse_query
from tradegraph.query.run import QueryRunner
from tradegraph.sparql.text import GIVEN, expand_given, mask
from tradegraph.store.engine import StoreEngine

from .conftest import FIXTURES, REPO
from .oxigraph_engines import oxigraph_store

pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
HEADER = ("#+ summary: S\n#+ params:\n#+   actor: {type: iri, help: h}\n#+   on: {type: xsd:date, help: h}\n"
          "PREFIX tg: <https://w3id.org/tradegraph/ontology#>\n")
SPELLED = "COALESCE(sameTerm(?actor, ?actor), false)"
#: Queries another change converts; until then they spell the test out themselves.
NOT_YET_CONVERTED = {"contact-counts", "negotiators"}


def query(body: str):
    return parse_query(HEADER + body, "queries/x.rq")


# ---------------------------------------------------------------- the expansion
@pytest.mark.parametrize("written, expanded", [
    ("FILTER(GIVEN(?actor))", f"FILTER({SPELLED})"),
    ("FILTER(!GIVEN(?actor) || ?a = ?actor)", f"FILTER(!{SPELLED} || ?a = ?actor)"),
    ("FILTER(! given ( $actor ) )", f"FILTER(! {SPELLED} )"),
    ("FILTER(GIVEN(?actor) && GIVEN(?on))",
     f"FILTER({SPELLED} && COALESCE(sameTerm(?on, ?on), false))"),
])
def test_given_is_written_out(written: str, expanded: str) -> None:
    assert expand_given(written, ["actor", "on"]) == expanded
    assert GIVEN.format(name="actor") == SPELLED


@pytest.mark.parametrize("text", [
    "# GIVEN(?x) in a comment\n",
    'FILTER(?label = "GIVEN(?x)")',
    "FILTER(?label = '''GIVEN(\n?x)''')",
    "?s <http://example.org/GIVEN(x)> ?o",
    "?s tg:GIVEN ?GIVEN . ?s GIVEN:x $GIVEN . ?s tg:was-GIVEN ?o",
])
def test_given_outside_code_or_as_a_name_is_left_alone(text: str) -> None:
    assert expand_given(text, ["actor"]) == text


def test_a_loaded_query_holds_the_written_out_text() -> None:
    q = query("SELECT ?s ?actor ?on WHERE { ?s ?p ?o FILTER(!GIVEN(?actor) || ?o = ?actor) "
              "FILTER(!GIVEN(?on) || ?o < ?on) }")
    assert "GIVEN" not in q.text
    assert f"!{SPELLED} || ?o = ?actor" in q.text


def test_every_query_of_the_repository_is_written_out() -> None:
    for name, q in load_queries(Project.open(REPO)).items():
        assert not re.search(r"\bGIVEN\s*\(", mask(q.text), re.IGNORECASE), name
        spelled = re.search(r"sameTerm\(\s*[?$](\w+)\s*,\s*[?$]\1\s*\)", mask(q.path.read_text(encoding="utf-8")))
        assert spelled is None or name in NOT_YET_CONVERTED, f"{name}: write GIVEN(?p), not {spelled.group()}"


# ---------------------------------------------------------------- errors, with file:line:column
@pytest.mark.parametrize("body, message", [
    ("SELECT ?s ?actor ?on WHERE {\n  ?s ?p ?actor FILTER(!GIVEN(?s) || ?on > ?s) }",
     "queries/x.rq:7:24: GIVEN(?s) names no parameter of the query; expected GIVEN(?p) of a parameter the "
     "header declares (?actor, ?on) (hint: declare 's' under `#+ params:`, or test a variable the query "
     "binds itself with BOUND(?s))"),
    ("SELECT ?s ?actor ?on WHERE { ?s ?p ?actor FILTER(GIVEN(?actor, ?on)) }",
     "queries/x.rq:6:50: GIVEN is not followed by one variable in brackets: 'GIVEN(?actor, ?on)'; expected "
     "GIVEN(?p) of a parameter the header declares (?actor, ?on) (hint: see 'Parameters' in queries/README.md)"),
    ("SELECT ?s ?actor ?on WHERE { ?s ?p ?actor FILTER(GIVEN(<http://x/>)) }",
     "queries/x.rq:6:50: GIVEN is not followed by one variable in brackets: 'GIVEN(<http://x/>)'"),
    ("SELECT ?s ?actor ?on WHERE { ?s ?p ?actor FILTER(GIVEN()) }",
     "queries/x.rq:6:50: GIVEN is not followed by one variable in brackets: 'GIVEN()'"),
    ("SELECT ?s ?actor ?on WHERE { ?s ?p ?actor FILTER(GIVEN) }",
     "queries/x.rq:6:50: GIVEN is not followed by one variable in brackets: 'GIVEN)'"),
])
def test_given_of_anything_but_a_parameter_is_an_error(body: str, message: str) -> None:
    with pytest.raises(InvalidModel) as error:
        query(body)
    assert str(error.value).startswith(message)


def test_a_query_without_parameters_says_so() -> None:
    with pytest.raises(InvalidModel, match=r"^queries/x.rq:2:35: GIVEN\(\?s\) names no parameter of the query; "
                                           r"expected GIVEN\(\?p\) of a parameter the header declares \(none\)"):
        parse_query("#+ summary: S\nSELECT ?s WHERE { ?s ?p ?o FILTER(GIVEN(?s)) }", "queries/x.rq")


def test_given_of_a_parameter_a_pattern_binds_is_refused() -> None:
    with pytest.raises(InvalidModel, match="tested for being given but also bound by a pattern"):
        query("SELECT ?s ?actor ?on WHERE { ?s ?p ?actor FILTER(!GIVEN(?actor) || ?on > ?s) }")


def test_bound_of_a_parameter_points_to_given() -> None:
    with pytest.raises(InvalidModel, match=r"\?on is tested with BOUND\(\) \(write GIVEN\(\?on\)\)"):
        query("SELECT ?s ?actor ?on WHERE { ?s ?p ?actor FILTER(!BOUND(?on)) }")


# ---------------------------------------------------------------- the same rows on every engine
def test_given_gives_the_same_rows_on_rdflib_and_pyoxigraph() -> None:
    q = parse_query(
        "#+ summary: S\n#+ params:\n#+   actor: {type: iri, class: tg:Actor, help: h}\n"
        "PREFIX tg: <https://w3id.org/tradegraph/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?who ?given ?actor WHERE { ?a a tg:Person ; rdfs:label ?who .\n"
        "  FILTER(!GIVEN(?actor) || ?a = ?actor) BIND(GIVEN(?actor) AS ?given) }\n"
        "ORDER BY ?who", "x.rq")
    rdflib = QueryRunner(Project.open(FIXTURES / "queries"))
    store = oxigraph_store(rdflib.engine.dataset)  # type: ignore[attr-defined]
    others = [QueryRunner(rdflib.project, engine=StoreEngine(store))]
    everyone = rdflib.run_query(q, {})
    one = rdflib.run_query(q, {"actor": "ana"})
    assert len(everyone) > 1 and {r["given"] for r in everyone} == {False}
    assert [(r["who"], r["given"]) for r in one] == [("Ana Example", True)]
    for other in others:
        assert list(other.run_query(q, {})) == list(everyone)
        assert list(other.run_query(q, {"actor": "ana"})) == list(one)

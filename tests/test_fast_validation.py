"""The fast validation path reports what pyshacl reports, on the bundled shapes, over data
with every kind of violation the shapes can raise; and says so when it hands shapes to
pyshacl instead of skipping them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from tradegraph.shacl.fast import validate_graph_fast
from tradegraph.shacl.validate import Report, validate_graph

from .conftest import FIXTURES

TGID = "https://w3id.org/tradegraph/id/"
TGSH = "https://w3id.org/tradegraph/shapes#"
CASES = sorted((Path(__file__).resolve().parent / "shapes_cases").glob("*.ttl"))
#: Where pyshacl is off the specification, the fast path reports more, and only this:
#: pyshacl skips sh:maxInclusive for an ill-formed "abc"^^xsd:decimal, which must fail it.
PYSHACL_MISSES = Counter({
    (TGID + "malformed-rate", "rate", "MaxInclusiveConstraintComponent", TGSH + "Tariff-rate", "Violation"): 1,
    (TGID + "malformed-rate", "rate", "MaxInclusiveConstraintComponent", TGSH + "Tariff-rate-unusual", "Warning"): 1,
})


@pytest.fixture(scope="module")
def every_kind(shapes: Graph, ontology: Graph) -> tuple[Report, Report]:
    data = Graph()
    for case in [*CASES, FIXTURES / "violations" / "every-kind.ttl"]:
        data.parse(case)
    return (validate_graph(data, shapes=shapes, ontology=ontology),
            validate_graph_fast(data, shapes=shapes, ontology=ontology))


def _key(result: object) -> tuple[str, ...]:
    return tuple(getattr(result, name) for name in ("focus", "path", "component", "shape", "severity"))


def test_same_results_as_pyshacl_but_where_pyshacl_is_off_the_spec(every_kind: tuple[Report, Report]) -> None:
    reference, fast = every_kind
    expected, got = Counter(map(_key, reference.results)), Counter(map(_key, fast.results))
    assert expected - got == Counter()
    assert got - expected == PYSHACL_MISSES
    assert not fast.notes


def test_same_messages_values_and_places(every_kind: tuple[Report, Report]) -> None:
    reference, fast = every_kind
    missed = {key[0] for key in PYSHACL_MISSES}
    assert sorted(map(str, reference.results)) == sorted(str(r) for r in fast.results if r.focus not in missed
                                                         or _key(r) not in PYSHACL_MISSES)


def test_every_component_of_the_bundled_shapes_is_exercised(every_kind: tuple[Report, Report], shapes: Graph) -> None:
    used = {str(p).rsplit("#", 1)[-1] for p in shapes.predicates() if str(p).startswith(str(SH))}
    components = {name[:1].upper() + name[1:] + "ConstraintComponent" for name in used} & {
        "MinCountConstraintComponent", "MaxCountConstraintComponent", "ClassConstraintComponent",
        "DatatypeConstraintComponent", "NodeKindConstraintComponent", "MinLengthConstraintComponent",
        "PatternConstraintComponent", "UniqueLangConstraintComponent", "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent", "InConstraintComponent", "LessThanOrEqualsConstraintComponent",
        "OrConstraintComponent", "SparqlConstraintComponent"}
    components = {"SPARQLConstraintComponent" if c.startswith("Sparql") else c for c in components}
    assert len(components) == 14
    assert components <= {r.component for r in every_kind[1].results}
    sparql_shapes = {str(s) for s in shapes.subjects(SH.sparql, None)}
    assert sparql_shapes <= {r.shape for r in every_kind[1].results}


def test_a_shape_the_fast_path_cannot_run_goes_to_pyshacl_and_the_report_says_so(ontology: Graph) -> None:
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix tg: <https://w3id.org/tradegraph/ontology#> .
        @prefix ex: <http://example.org/> .
        ex:Names a sh:NodeShape ; sh:targetClass tg:Person ;
            sh:property [ sh:path tg:name ; sh:minCount 2 ; sh:message "two names" ] .
        ex:NoAna a sh:PropertyShape ; sh:targetClass tg:Person ; sh:path tg:name ;
            sh:sparql [ sh:message "not Ana" ; sh:select '''
                SELECT $this ?value WHERE { $this $PATH ?value FILTER (?value = "Ana") }''' ] .
        """)
    data = Graph().parse(format="turtle", data="""
        @prefix tg: <https://w3id.org/tradegraph/ontology#> .
        <https://w3id.org/tradegraph/id/ana> a tg:Person ; tg:name "Ana" .""")
    reference = validate_graph(data, shapes=shapes, ontology=ontology)
    fast = validate_graph_fast(data, shapes=shapes, ontology=ontology)
    assert sorted(map(str, fast.results)) == sorted(map(str, reference.results))
    assert sorted(r.message for r in fast.results) == ["not Ana", "two names"]
    assert fast.notes == ["pyshacl checks shape <http://example.org/NoAna>: the fast path does not support "
                          "sh:sparql on a property shape or a shape used by another"]


def test_the_build_says_which_shapes_pyshacl_checked(minimal: Path, cli) -> None:
    (minimal / "shapes").mkdir()
    (minimal / "shapes" / "extra.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix tg: <https://w3id.org/tradegraph/ontology#> .
        <http://example.org/Rule> a sh:NodeShape ; sh:targetClass tg:Person ;
            sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate tg:seen ; sh:object sh:this ] .
        """, "utf-8")
    run = cli("build", "--project", str(minimal))
    assert run.code == 0, run.err
    assert run.err == ("note: pyshacl checks shape <http://example.org/Rule>: the fast path does not support "
                       "sh:rule\n")

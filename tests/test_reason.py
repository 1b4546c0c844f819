"""Reasoning: inferred triples in their own named graph; plain PROV-O and schema.org queries work."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from tradegraph.build.pipeline import build
from tradegraph.build.reason import infer
from tradegraph.errors import UsageError
from tradegraph.facts.loader import load_facts
from tradegraph.project import Project

from .conftest import REPO

ID = "https://w3id.org/tradegraph/id/"


@pytest.fixture(scope="module")
def reasoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reasoned")
    build(Project.open(REPO), out=out, reason="rdfs")
    return out


def test_inferred_triples_stay_in_their_own_named_graph(reasoned: Path) -> None:
    dataset = Dataset().parse(reasoned / "graph.trig", format="trig")
    inferred = dataset.graph(URIRef(ID + "graph/inferred"))
    assert len(inferred) > 1000
    asserted = Graph().parse(reasoned / "graph.ttl")
    assert not any(triple in asserted for triple in inferred)
    assert len(Graph().parse(reasoned / "inferred.ttl")) == len(inferred)


def test_plain_prov_and_schema_org_queries_find_the_facts(reasoned: Path) -> None:
    graph = Graph().parse(reasoned / "graph.ttl").parse(reasoned / "inferred.ttl")
    events = {str(r[0]) for r in graph.query(
        "PREFIX schema: <https://schema.org/> SELECT ?e WHERE { ?e a schema:Event }")}
    assert ID + "akazawa-bessent-expo-talks-2025-07-19" in events
    derived = graph.query("""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?f WHERE { ?f prov:wasDerivedFrom ?source }""",
        initBindings={"source": URIRef(ID + "bloomberg-2025-07-19-akazawa-aims-to-visit-us")})
    assert len(derived) > 20
    people = {str(r[0]) for r in graph.query(
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?p WHERE { ?p a foaf:Person ; foaf:name ?n }")}
    assert {ID + "akazawa", ID + "bessent"} <= people
    members = graph.query("PREFIX org: <http://www.w3.org/ns/org#> ASK { ?delegation org:hasMember ?member }",
                          initBindings={"delegation": URIRef(ID + "us-delegation-expo-2025"),
                                        "member": URIRef(ID + "bessent")})
    assert members.askAnswer


def test_inverses_are_materialized_by_owlrl() -> None:
    project = Project.open(REPO / "tests" / "fixtures" / "minimal")
    inferred = infer(load_facts(project), project, profile="owlrl")
    meeting = URIRef("http://test.example/id/ana-bo-meeting")
    participated = URIRef("https://w3id.org/tradegraph/ontology#participatedIn")
    assert (URIRef("http://test.example/id/ana"), participated, meeting) in inferred


def test_unknown_profile_is_a_usage_error() -> None:
    project = Project.open(REPO / "tests" / "fixtures" / "minimal")
    with pytest.raises(UsageError, match="unknown reasoning profile 'owl-full'"):
        infer(load_facts(project), project, profile="owl-full")

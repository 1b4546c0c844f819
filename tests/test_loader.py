"""The loader on small fixture projects: golden graphs, IRIs, named graphs, citations."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from tradegraph.errors import InvalidData
from tradegraph.facts.loader import TG, InvalidFacts, load_facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import union

from .conftest import FIXTURES


def test_minimal_project_matches_golden_graph() -> None:
    facts = load_facts(Project.open(FIXTURES / "minimal"))
    expected = Graph().parse(FIXTURES / "minimal" / "expected.ttl")
    assert isomorphic(union(facts.dataset), expected)


def test_base_iri_is_configurable(minimal: Path) -> None:
    facts = load_facts(Project.open(minimal), base="urn:test:")
    subjects = {str(s) for s in union(facts.dataset).subjects()}
    assert "urn:test:ana-bo-meeting" in subjects
    assert all(s.startswith("urn:test:") for s in subjects)


def test_one_named_graph_per_source_and_actors_file(minimal: Path) -> None:
    facts = load_facts(Project.open(minimal))
    names = sorted(str(g.identifier) for g in facts.dataset.graphs() if len(g))
    assert names == ["http://test.example/id/graph/actors", "http://test.example/id/graph/first-article"]
    article = facts.dataset.graph(URIRef("http://test.example/id/graph/first-article"))
    assert (URIRef("http://test.example/id/ana-bo-meeting"), TG.source,
            URIRef("http://test.example/id/first-article")) in article


def _add_source(project: Path, name: str, text: str) -> None:
    (project / "graph" / "sources" / f"{name}.yaml").write_text(text, encoding="utf-8")


SECOND = """\
source:
  id: second-article
  title: Ana and Bo again
  publisher: atlantis-government
  published: 2025-03-20
  corrections:
    - id: fix-1
      text: Corrects that Bo did not attend the dinner.
facts:
  - id: cites-meeting
    kind: citation
    of: ana-bo-meeting
    evidence: Bo met Ana last week
  - id: dinner
    kind: meeting
    participants: [ana, bo]
    when: {from: 2025-03-10, to: 2025-03-16, text: last week, precision: week}
    status: happened
    retracted_by: fix-1
    evidence: dinner with Bo
"""


def test_citation_adds_source_and_evidence_in_its_own_graph(minimal: Path) -> None:
    _add_source(minimal, "second", SECOND)
    facts = load_facts(Project.open(minimal))
    meeting = URIRef("http://test.example/id/ana-bo-meeting")
    second = facts.dataset.graph(URIRef("http://test.example/id/graph/second-article"))
    assert set(second.predicate_objects(meeting)) == {
        (TG.source, URIRef("http://test.example/id/second-article")),
        (TG.evidence, Literal("Bo met Ana last week")),
    }


def test_correction_retracts_fact_both_ways(minimal: Path) -> None:
    _add_source(minimal, "second", SECOND)
    graph = union(load_facts(Project.open(minimal)).dataset)
    dinner, fix = URIRef("http://test.example/id/dinner"), URIRef("http://test.example/id/fix-1")
    assert (dinner, TG.retractedBy, fix) in graph
    assert (fix, TG.retracts, dinner) in graph
    assert (fix, TG.corrects, URIRef("http://test.example/id/second-article")) in graph


def test_week_interval_keeps_its_precision(minimal: Path) -> None:
    _add_source(minimal, "second", SECOND)
    graph = union(load_facts(Project.open(minimal)).dataset)
    when = URIRef("http://test.example/id/dinner/when")
    assert graph.value(when, TG.precision) == TG.WeekPrecision
    assert graph.value(when, TG.earliest).toPython().isoformat() == "2025-03-10"
    assert graph.value(when, TG.latest).toPython().isoformat() == "2025-03-16"


def test_citing_a_fact_of_the_same_source_is_an_error(minimal: Path) -> None:
    _add_source(minimal, "self", SECOND.replace("of: ana-bo-meeting", "of: dinner"))
    with pytest.raises(InvalidData, match="cites 'dinner' from the same source"):
        load_facts(Project.open(minimal))


def test_every_bad_record_is_reported_not_just_the_first(minimal: Path) -> None:
    _add_source(minimal, "two-bad", SECOND.replace("of: ana-bo-meeting", "of: nothing")
                .replace("status: happened", "status: maybe"))
    with pytest.raises(InvalidFacts) as caught:
        load_facts(Project.open(minimal))
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert "unknown id 'nothing'" in lines[0] and "'maybe'" in lines[1]


def test_unicode_names_load(minimal: Path) -> None:
    (minimal / "graph" / "more-people.yaml").write_text("""\
people:
  - id: akazawa-ja
    name: 赤沢亮正
    names: {ja: 赤沢亮正, en: Ryosei Akazawa}
  - id: he-lifeng-zh
    name: 何立峰
    names: {zh-Hans: 何立峰}
  - id: accented
    name: José Ñúñez Øre
""", encoding="utf-8")
    graph = union(load_facts(Project.open(minimal)).dataset)
    names = set(graph.objects(None, TG.name))
    assert {Literal("赤沢亮正"), Literal("何立峰"), Literal("José Ñúñez Øre")} <= names
    assert {Literal("何立峰", lang="zh-Hans"), Literal("赤沢亮正", lang="ja")} <= names

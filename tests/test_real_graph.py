"""The bundled facts of the two articles: they conform, and the facts are there."""

from __future__ import annotations

import re
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef

from tradegraph.facts.loader import TG, load_facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import union
from tradegraph.shacl.validate import validate_facts

from .conftest import REPO, SHARED_SOURCES

ID = "https://w3id.org/tradegraph/id/"
S1 = "bloomberg-2025-07-19-akazawa-aims-to-visit-us"
S2 = "bloomberg-2025-07-11-akazawa-faces-optics-risk"


@pytest.fixture(scope="module")
def facts():
    return load_facts(Project.open(REPO))


@pytest.fixture(scope="module")
def graph(facts) -> Graph:
    return union(facts.dataset)


def ask(graph: Graph, body: str) -> bool:
    return bool(graph.query(f"PREFIX tg: <{TG}> PREFIX : <{ID}> ASK {{ {body} }}").askAnswer)


def test_real_graph_conforms_to_the_shapes(facts) -> None:
    report = validate_facts(facts, Project.open(REPO))
    assert report.conforms, report.text()


def test_publication_dates_are_established_and_explained(graph: Graph) -> None:
    for source, day in ((S1, date(2025, 7, 19)), (S2, date(2025, 7, 11))):
        node = URIRef(ID + source)
        assert graph.value(node, TG.publicationDate).toPython() == day
        how = graph.value(graph.value(node, TG.published), TG.resolution)
        assert how is not None and len(str(how)) > 80


def test_every_fact_cites_a_source_and_evidence(facts, graph: Graph) -> None:
    for record in facts.records.values():
        if record.kind.is_fact and record.kind.rdf_class:  # citations add to another fact
            node = URIRef(ID + record.id)
            assert graph.value(node, TG.source) is not None, record.id
            assert graph.value(node, TG.evidence) is not None, record.id


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="the articles are not committed; "
                    "this check needs ../shared/sources beside the repository")
def test_every_evidence_and_quote_is_verbatim_in_its_article(facts, graph: Graph) -> None:
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    texts = {}
    for record in facts.records.values():
        if record.kind.name == "source":
            texts[ID + record.id] = norm((REPO / record.data["file"]).read_text("utf-8"))  # relative to the project
    checked = 0
    for named in facts.dataset.graphs():
        source = ID + str(named.identifier).rsplit("/", 1)[-1]
        for prop in (TG.evidence, TG.quote, TG.correctionText):
            for subject, text in named.subject_objects(prop):
                assert norm(str(text)) in texts[source], (subject, text)
                checked += 1
    assert checked >= 80


def test_akazawa_bessent_talks_on_saturday_did_not_touch_tariffs(graph: Graph) -> None:
    assert ask(graph, """
        :akazawa-bessent-expo-talks-2025-07-19 a tg:Meeting ; tg:participant :akazawa, :bessent ;
            tg:status tg:Happened ; tg:mode tg:InPerson ; tg:place :expo-2025-osaka ;
            tg:topic :us-japan-alliance, :whiskey ; tg:notDiscussed :tariffs ;
            tg:when/tg:earliest "2025-07-19"^^<http://www.w3.org/2001/XMLSchema#date> ;
            tg:when/tg:asWritten "on Saturday" .
        ?p tg:agent :akazawa ; tg:role tg:HostRole .
        :akazawa-bessent-expo-talks-2025-07-19 tg:participation ?p .""")


def test_relative_dates_are_resolved_against_publication(graph: Graph) -> None:
    def bounds(fact: str) -> tuple[str, str]:
        when = graph.value(URIRef(ID + fact), TG.when)
        return str(graph.value(when, TG.earliest)), str(graph.value(when, TG.latest))

    assert bounds("bessent-ishiba-meeting-2025-07-18") == ("2025-07-18", "2025-07-18")   # on Friday
    assert bounds("akazawa-washington-trip-planned") == ("2025-07-21", "2025-07-27")    # next week
    assert bounds("trump-tariff-letter-to-japan") == ("2025-07-07", "2025-07-11")       # this week
    assert bounds("onodera-calls-letter-rude") == ("2025-07-08", "2025-07-08")          # Tuesday
    assert bounds("us-china-london-talks") == ("2025-06-01", "2025-06-30")              # last month
    assert bounds("he-lifeng-moriyama-meeting") == ("2025-07-11", "2025-07-11")         # on Friday
    # "Since April" stays open: no latest bound is invented
    since = graph.value(URIRef(ID + "akazawa-washington-trips-since-april"), TG.when)
    assert graph.value(since, TG.latest) is None


def test_tariffs_rates_and_versions(graph: Graph) -> None:
    assert ask(graph, """
        :us-universal-tariff-japan-25 tg:rate ?r25 ; tg:replaces :us-universal-tariff-japan-10 ;
            tg:measureStatus tg:AnnouncedStatus ; tg:affects :japan ; tg:imposedBy :us-government ;
            tg:effective/tg:earliest "2025-08-01"^^<http://www.w3.org/2001/XMLSchema#date> .
        :us-universal-tariff-japan-10 tg:rate ?r10 ; tg:measureStatus tg:InForce .
        :us-car-tariff-25 tg:rate ?rcar ; tg:scope :cars, :car-parts .
        :trump-tariff-letter-to-japan tg:announces :us-universal-tariff-japan-25 .
        :aug-1-deadline tg:deadlineFor :us-universal-tariff-japan-25 .
        FILTER(?r25 = 25 && ?r10 = 10 && ?rcar = 25)""")


def test_correction_retracts_the_lutnick_claim(graph: Graph) -> None:
    assert ask(graph, f"""
        :correction-lutnick-not-in-delegation tg:retracts :lutnick-expo-visit-retracted ;
            tg:corrects :{S2} .
        :lutnick-expo-visit-retracted tg:participant :lutnick .""")
    # the retracted visit is the only fact that puts Lutnick in Osaka
    osaka = set(graph.query(f"""PREFIX tg: <{TG}> PREFIX : <{ID}>
        SELECT ?e WHERE {{ ?e tg:participant :lutnick ; tg:place :expo-2025-osaka }}"""))
    assert {str(row[0]) for row in osaka} == {ID + "lutnick-expo-visit-retracted"}


def test_posts_current_and_former(graph: Graph) -> None:
    rows = graph.query(f"""PREFIX tg: <{TG}> SELECT ?name ?post ?status WHERE {{
        ?t a tg:Tenure ; tg:holder/tg:name ?name ; tg:post/tg:name ?post ; tg:tenureStatus ?status }}""")
    tenures = {(str(n), str(p), str(s).rsplit("#", 1)[-1]) for n, p, s in rows}
    assert ("Yoshihiro Katayama", "Internal Affairs Minister of Japan", "FormerTenure") in tenures
    for name in ("Ryosei Akazawa", "Scott Bessent", "Donald Trump", "Howard Lutnick", "Jamieson Greer",
                 "Itsunori Onodera", "Hiroshi Moriyama", "He Lifeng", "Ishiba"):
        assert any(t[0] == name and t[2] == "CurrentTenure" for t in tenures), name


def test_every_person_named_in_the_articles_is_there(graph: Graph) -> None:
    names = {str(o) for o in graph.objects(None, TG.name)}
    assert {"Ryosei Akazawa", "Scott Bessent", "Donald Trump", "Howard Lutnick", "Jamieson Greer",
            "Ishiba", "Yoshihiro Katayama", "Itsunori Onodera", "Hiroshi Moriyama", "He Lifeng",
            "Alastair Gale"} <= names


def test_quotes_are_kept_word_for_word(graph: Graph) -> None:
    quotes = {str(o) for o in graph.objects(None, TG.quote)}
    assert "Japan is America’s most important ally in the Indo-Pacific region" in quotes
    assert "spoiled" in quotes
    assert Literal("X") in set(graph.objects(URIRef(ID + "bessent-x-post-deal-possible"), TG.medium))

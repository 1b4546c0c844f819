"""The ontology parses, documents every term, and defines every term the project uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from tradegraph.build.pipeline import build
from tradegraph.facts.model import load_model
from tradegraph.project import Project
from tradegraph.rdf.graphs import ontology_graph
from tradegraph.shacl.validate import shapes_graph

from .conftest import REPO

TG = "https://w3id.org/tradegraph/ontology#"
TGET = "https://w3id.org/tradegraph/event-type/"
OURS = (TG, TGET)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph(Project.open(REPO))


def _defined(ontology: Graph) -> set[str]:
    return {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(OURS)}


def _ours(graph: Graph) -> set[str]:
    terms = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(OURS) and str(term) not in (TG, TGET):
                terms.add(str(term))
    return terms


def test_every_term_has_a_label_and_a_comment(ontology: Graph) -> None:
    missing = sorted(t for t in _defined(ontology)
                     if ontology.value(URIRef(t), RDFS.label) is None
                     or (ontology.value(URIRef(t), RDFS.comment) is None
                         and ontology.value(URIRef(t), URIRef("http://www.w3.org/2004/02/skos/core#definition")) is None))
    assert missing == []


def test_every_property_has_domain_and_range(ontology: Graph) -> None:
    properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(
        ontology.subjects(RDF.type, OWL.DatatypeProperty))
    missing = sorted(str(p) for p in properties if str(p).startswith(TG) and (
        ontology.value(p, RDFS.domain) is None or ontology.value(p, RDFS.range) is None))
    assert missing == []


def test_every_class_and_property_is_aligned_to_a_standard(ontology: Graph) -> None:
    standards = ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://www.w3.org/2006/time#",
                 "http://semanticweb.cs.vu.nl/2009/11/sem/", "https://schema.org/", "http://xmlns.com/foaf/0.1/",
                 "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/")

    def aligned(term: URIRef, seen: frozenset = frozenset()) -> bool:
        for link in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
                     OWL.inverseOf):
            for parent in ontology.objects(term, link):
                if str(parent).startswith(standards):
                    return True
                if parent not in seen and isinstance(parent, URIRef) and aligned(parent, seen | {term}):
                    return True
        return False

    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in ontology.subjects(RDF.type, kind) if str(t).startswith(TG)]
    unaligned = sorted(str(t)[len(TG):] for t in terms if not aligned(t))
    # tradegraph-only terms with no fitting counterpart in the standards: a known, short list (the
    # CAMEO and PLOVER codes are another scheme's notations, not skos:notation of our event types)
    assert unaligned == ["agent", "cameoCode", "count", "measureStatus", "ploverMode", "ploverType", "post",
                         "precision", "rate", "tenureStatus"]


def test_every_term_of_the_fact_model_is_defined(ontology: Graph) -> None:
    model = load_model()
    used = set()
    for kind in model.kinds.values():
        if kind.rdf_class:
            used.add(model.expand(kind.rdf_class))
        for spec in model.fields_of(kind).values():
            used.add(model.expand(spec.property))
    for tokens in model.vocabularies.values():
        used.update(model.expand(curie) for curie in tokens.values())
    undefined = sorted(t for t in used if t.startswith(OURS) and t not in _defined(ontology))
    assert undefined == []


def test_no_undefined_term_in_facts_shapes_or_queries(ontology: Graph, tmp_path: Path) -> None:
    project = Project.open(REPO)
    result = build(project, out=tmp_path)
    defined = _defined(ontology)
    offenders = {"facts": sorted(_ours(result.graph) - defined),
                 "shapes": sorted(_ours(shapes_graph(project)) - defined)}  # generated ones too
    query_terms = set()
    for path in project.query_files():
        text = path.read_text("utf-8")
        query_terms.update(TG + local for local in _prefixed_locals(text, "tg"))
        query_terms.update(TGET + local for local in _prefixed_locals(text, "tget"))
    offenders["queries"] = sorted(query_terms - defined)
    assert offenders == {"facts": [], "shapes": [], "queries": []}


def _prefixed_locals(text: str, prefix: str) -> set[str]:
    import re

    body = "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("#+") else ""
                     for line in text.splitlines() if not line.lstrip().upper().startswith("PREFIX"))
    return set(re.findall(rf"(?<![\w:]){prefix}:([A-Za-z][\w-]*)", body))

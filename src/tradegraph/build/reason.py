"""Materialize what the ontology implies (RDFS or OWL 2 RL, with owlrl), kept apart.

The inferred triples about the data (subclasses, superproperties, inverses, domains and
ranges, the W3C alignments) go in a named graph of their own, ``<base>graph/inferred``, so
asserted and inferred facts never mix. Queries do not need it: they follow
``rdfs:subClassOf*`` paths over the ontology, which the query dataset holds. It is for
tools that only speak PROV-O, schema.org or FOAF.

The ontology is in OWL 2 DL, alone and with the data. What OWL 2 RL, and so ``owlrl``,
cannot use: the domains of tg:country, tg:jurisdiction and tg:name and the ranges of
tg:about, tg:addressee, tg:delegationOf, tg:imposedBy and tg:target, which are unions of
classes, and the domain and range of tg:wikidata and the domain of tg:recordOrigin, which
are owl:Thing; from those it infers nothing. The rest of the ontology is in OWL 2 RL. The data's xsd:date literals are
outside the datatypes of OWL 2 RL (and of OWL 2); they stay as they are.

>>> from tradegraph.project import Project
>>> from tradegraph.facts.loader import load_facts
>>> project = Project.open("tests/fixtures/minimal")
>>> inferred = infer(load_facts(project), project, profile="rdfs")
>>> from rdflib import URIRef, RDF
>>> (URIRef("http://test.example/id/ana"), RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")) in inferred
True
"""

from __future__ import annotations

import owlrl
from rdflib import RDF, BNode, Graph, Literal

from tradegraph.build.dataset import fact_union
from tradegraph.errors import UsageError
from tradegraph.facts.loader import Facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import ontology_graph

PROFILES = {"rdfs": owlrl.RDFS_Semantics, "owlrl": owlrl.OWLRL_Semantics}
INFERRED_GRAPH = "graph/inferred"


def infer(facts: Facts, project: Project, *, profile: str = "rdfs", ontology: Graph | None = None) -> Graph:
    """The triples about the data that ``profile`` (``rdfs`` or ``owlrl``) adds to the facts
    (and ``ontology``, the project's unless given)."""
    if profile not in PROFILES:
        raise UsageError(f"unknown reasoning profile {profile!r}", expected="rdfs or owlrl")
    asserted = fact_union(facts.dataset, facts.base)
    closure = Graph()  # the reasoner adds to it: the one copy
    closure += asserted
    closure += ontology if ontology is not None else ontology_graph(project)
    owlrl.DeductiveClosure(PROFILES[profile], axiomatic_triples=False, datatype_axioms=False).expand(closure)
    inferred = Graph()
    for triple in closure:
        subject, predicate, obj = triple
        if str(subject).startswith(facts.base) and not isinstance(subject, Literal) \
                and triple not in asserted and not _trivial(predicate, obj):
            inferred.add(triple)
    return inferred


def _trivial(predicate: object, obj: object) -> bool:
    """Types every node gets under RDFS (rdfs:Resource, owl:Thing) say nothing, and nor does
    a blank-node type: the anonymous class (such as a union) that OWL RL types a node with."""
    if predicate != RDF.type:
        return False
    return isinstance(obj, BNode) or str(obj) in ("http://www.w3.org/2000/01/rdf-schema#Resource",
                                                  "http://www.w3.org/2002/07/owl#Thing")

"""The dataset that queries, exports and the network read: facts plus the ontology.

The facts keep one named graph per source (and per actors file); the ontology goes in a
named graph of its own, ``<base>graph/ontology``, so that queries over the union default
graph can follow ``rdfs:subClassOf`` and read the labels and codes of the vocabularies.
"""

from __future__ import annotations

from rdflib import Dataset, URIRef

from tradegraph.facts.loader import Facts, load_facts
from tradegraph.project import Project
from tradegraph.rdf.graphs import ONTOLOGY_GRAPH, ontology_graph


def load_dataset(project: Project, *, base: str | None = None, facts: Facts | None = None) -> Dataset:
    """The project's facts and ontology as one dataset whose default graph is the union.

    >>> dataset = load_dataset(Project.open("tests/fixtures/minimal"))
    >>> sorted(str(g.identifier).rsplit("/", 1)[-1] for g in dataset.graphs() if len(g))
    ['actors', 'first-article', 'ontology']
    """
    facts = facts or load_facts(project, base=base)
    dataset = facts.dataset
    ontology = dataset.graph(URIRef(facts.base + ONTOLOGY_GRAPH))
    for triple in ontology_graph(project):
        ontology.add(triple)
    return dataset

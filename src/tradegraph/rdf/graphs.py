"""The graphs every wing reads: RDF files parsed safely, the project's ontology, a dataset's union.

The ontology also goes into the dataset that queries read, as the named graph
``<base>graph/ontology`` (:data:`ONTOLOGY_GRAPH`), so that queries over the union default
graph can follow ``rdfs:subClassOf`` and read the labels and codes of the vocabularies.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from tradegraph.errors import InvalidData, InvalidModel
from tradegraph.project import Project
from tradegraph.rdf.rdffile import parse_rdf_files as read_rdf_files

#: The named graph (relative to the base IRI) that holds the ontology in a built dataset.
ONTOLOGY_GRAPH = "graph/ontology"


def parse_rdf_files(paths: list[Path], *, project: Project | None = None) -> Graph:
    """Parse Turtle (or any RDF format by extension) into one graph, reading nothing else
    (see :mod:`tradegraph.rdf.rdffile`); a project's files are named relative to it."""
    return read_rdf_files(paths, shown=[project.relative(p) for p in paths] if project else None)


def ontology_graph(project: Project) -> Graph:
    """The project's ontology (classes, properties and vocabularies)."""
    try:
        return parse_rdf_files(project.ontology_files(), project=project)
    except InvalidData as error:
        raise InvalidModel(error.what, where=error.where, expected=error.expected) from None


def union(dataset: Graph) -> Graph:
    """Every triple of a dataset's named graphs, as one plain graph."""
    graph = Graph()
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    for named in dataset.graphs() if isinstance(dataset, Dataset) else [dataset]:
        for triple in named:
            graph.add(triple)
    return graph

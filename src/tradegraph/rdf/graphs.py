"""The graphs every wing reads: RDF files parsed safely, the project's ontology, a dataset's union.

The ontology also goes into the dataset that queries read, as the named graph
``<base>graph/ontology`` (:data:`ONTOLOGY_GRAPH`), so that queries over the union default
graph can follow ``rdfs:subClassOf`` and read the labels and codes of the vocabularies.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from tradegraph.errors import InvalidData, InvalidModel
from tradegraph.project import Project
from tradegraph.rdf.rdffile import parse_rdf_files as read_rdf_files

#: The named graph (relative to the base IRI) that holds the ontology in a built dataset.
ONTOLOGY_GRAPH = "graph/ontology"
#: The named graph that holds what a build derives for the queries (closures, day keys: build/derive.py).
DERIVED_GRAPH = "graph/derived"


def parse_rdf_files(paths: list[Path], *, project: Project | None = None) -> Graph:
    """Parse Turtle (or any RDF format by extension) into one graph, reading nothing else
    (see :mod:`tradegraph.rdf.rdffile`); a project's files are named relative to it."""
    return read_rdf_files(paths, shown=[project.relative(p) for p in paths] if project else None)


#: Each file's path, inode, size and modification time (-1s when it cannot be read).
FileState = tuple[tuple[str, int, int, int], ...]
#: A graph's triples and prefixes, kept between calls (terms are immutable; graphs are not).
Frozen = tuple[tuple[Any, ...], tuple[Any, ...]]


def ontology_graph(project: Project) -> Graph:
    """The project's ontology (classes, properties and vocabularies): a new graph each call,
    made from the triples parsed once a process for each state of the files, since parsing the
    Turtle costs more than validating a small project."""
    return thawed(_ontology(project, file_state(project.ontology_files())))


@lru_cache(maxsize=4)
def _ontology(project: Project, state: FileState) -> Frozen:
    """The ontology parsed for one ``state`` of its files (a failure is raised, never kept)."""
    try:
        return frozen(parse_rdf_files(project.ontology_files(), project=project))
    except InvalidData as error:
        raise InvalidModel(error.what, where=error.where, expected=error.expected) from None


def file_state(paths: list[Path]) -> FileState:
    """What says whether files changed, without reading them (a stat never blocks)."""
    def stat(path: Path) -> tuple[str, int, int, int]:
        try:
            info = path.stat()
        except OSError:
            return (str(path), -1, -1, -1)
        return (str(path), info.st_ino, info.st_size, info.st_mtime_ns)

    return tuple(stat(path) for path in paths)


def frozen(graph: Graph) -> Frozen:
    """A graph's triples and prefixes, to keep."""
    return tuple(graph), tuple(graph.namespaces())


def thawed(kept: Frozen) -> Graph:
    """A new graph of what :func:`frozen` kept."""
    triples, namespaces = kept
    graph = Graph()
    for prefix, namespace in namespaces:
        graph.bind(prefix, namespace)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def union(dataset: Graph) -> Graph:
    """Every triple of a dataset's named graphs, as one plain graph."""
    graph = Graph()
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    for named in dataset.graphs() if isinstance(dataset, Dataset) else [dataset]:
        for triple in named:
            graph.add(triple)
    return graph

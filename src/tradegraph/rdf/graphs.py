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


def parse_rdf_files(paths: list[Path], *, project: Project | None = None) -> Graph:
    """Parse Turtle (or any RDF format by extension) into one graph, reading nothing else
    (see :mod:`tradegraph.rdf.rdffile`); a project's files are named relative to it."""
    return read_rdf_files(paths, shown=[project.relative(p) for p in paths] if project else None)


def ontology_graph(project: Project) -> Graph:
    """The project's ontology (classes, properties and vocabularies): a new graph each call,
    made from the triples parsed once a process for each state of the files (path, inode, size,
    time: a stat never blocks), since parsing the Turtle costs more than validating a small
    project."""
    files = project.ontology_files()
    try:
        state = tuple((str(p), s.st_ino, s.st_size, s.st_mtime_ns) for p in files for s in [p.stat()])
    except OSError:  # the parser names the file and what is wrong
        state = None
    triples, namespaces = _parsed_ontology(project, tuple(files), state) if state else _parse_ontology(project, files)
    graph = Graph()
    for prefix, namespace in namespaces:
        graph.bind(prefix, namespace)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


@lru_cache(maxsize=4)
def _parsed_ontology(project: Project, files: tuple[Path, ...] | list[Path],
                     state: tuple[tuple[str, int, int, int], ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    return _parse_ontology(project, files)


def _parse_ontology(project: Project, files: list[Path] | tuple[Path, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    try:
        parsed = parse_rdf_files(list(files), project=project)
    except InvalidData as error:
        raise InvalidModel(error.what, where=error.where, expected=error.expected) from None
    return tuple(parsed), tuple(parsed.namespaces())


def union(dataset: Graph) -> Graph:
    """Every triple of a dataset's named graphs, as one plain graph."""
    graph = Graph()
    for prefix, namespace in dataset.namespaces():
        graph.bind(prefix, namespace)
    for named in dataset.graphs() if isinstance(dataset, Dataset) else [dataset]:
        for triple in named:
            graph.add(triple)
    return graph

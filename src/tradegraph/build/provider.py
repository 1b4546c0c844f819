"""The one way every command gets the graph: validated, from the last build while nothing changed.

:func:`validated_graph` is what ``query``, ``sparql``, ``network``, ``viz``, ``stats``,
``export``, ``push``, ``serve`` and ``docs`` read. It reuses the outputs of the project's last
``tradegraph build`` (``build/graph.trig``, or ``build/graph.nq`` of a build into a store) when

- the folder's record is one tradegraph wrote, and says the build was made from inputs with
  the fingerprint the inputs have now (:mod:`tradegraph.build.fingerprint`: every fact, shape,
  ontology and settings file by content, the base IRI, the validator, no reasoning, and
  tradegraph's version), and
- the graph file holds the bytes the record gives the hash of.

Otherwise it loads and validates the facts once, in memory, exactly as ``build`` does, and
writes nothing. Facts that violate the shapes stop it with the build's report
(:class:`~tradegraph.errors.ValidationFailed`, exit 1). A record that is corrupt, foreign or
stale, or an output edited since, is never trusted: the graph is made again.

>>> from tradegraph.project import Project
>>> graph = validated_graph(Project.open("tests/fixtures/minimal"))
>>> graph.origin is None, graph.census.records > 0, len(graph.graph) < len(graph.dataset)
(True, True, True)
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph

from tradegraph.build import fingerprint, pipeline
from tradegraph.build.dataset import Census, ValidGraph, assemble
from tradegraph.build.outputs import read_record
from tradegraph.files.atomic import Stamp
from tradegraph.project import Project
from tradegraph.rdf import serialize
from tradegraph.rdf.graphs import ontology_graph
from tradegraph.rdf.oxterms import from_ox

#: The build outputs the graph can be read back from, best first, and their formats.
GRAPH_FILES = {"graph.nq": ox.RdfFormat.N_QUADS, "graph.trig": ox.RdfFormat.TRIG}


def validated_graph(project: Project, *, base: str | None = None, validator: str = "fast") -> ValidGraph:
    """The project's graph, validated: the last build's while its inputs are unchanged, else
    loaded and validated now (in memory; nothing is written).

    Raises what ``tradegraph build`` raises: :class:`~tradegraph.errors.InvalidData` for bad
    fact files, :class:`~tradegraph.errors.ValidationFailed` with the report for violations.
    """
    return reused(project, base=base or project.base, validator=validator) \
        or loaded(project, base=base, validator=validator)


def loaded(project: Project, *, base: str | None = None, validator: str = "fast") -> ValidGraph:
    """The graph loaded and validated now, with the ontology and the derived triples as named graphs."""
    facts, report, ontology = pipeline.check(project, base=base, validator=validator)
    assemble(facts.dataset, facts.base, ontology)
    return ValidGraph(dataset=facts.dataset, base=facts.base, census=Census.of(facts), report=report, facts=facts)


def reused(project: Project, *, base: str, validator: str) -> ValidGraph | None:
    """The graph of the project's last build (``build/``), or ``None`` unless its record
    proves the build is of the inputs as they are now and its graph file is as written."""
    folder = project.build_dir()
    record = read_record(folder)
    if record is None:
        return None
    stamps, about = record
    made = fingerprint.recorded(about)
    name = next((name for name in GRAPH_FILES if name in stamps), None)
    if made is None or name is None:
        return None
    if made[0] != fingerprint.current(project, base=base, validator=validator, reason=None):
        return None
    data = _intact(folder / name, stamps[name])
    if data is None:
        return None
    try:
        dataset = read_dataset(data, GRAPH_FILES[name], base=base)
    except SyntaxError:  # bytes as recorded that do not parse: made again, not trusted
        return None
    assemble(dataset, base, ontology_graph(project))
    return ValidGraph(dataset=dataset, base=base, census=made[1], origin=folder / name)


def read_dataset(data: bytes, fmt: ox.RdfFormat, *, base: str) -> Dataset:
    """The quads of ``data`` (TriG or N-Quads) as an rdflib dataset with the build's prefixes.

    Oxigraph parses (some forty times faster than rdflib's TriG parser, and it keeps every
    literal as written); each distinct term becomes an rdflib term once.
    """
    dataset = Dataset(default_union=True)
    for prefix, namespace in serialize.prefixes(base).items():
        dataset.bind(prefix, namespace)
    terms: dict[Any, Any] = {}
    graphs: dict[Any, Graph] = {}

    def term(node: Any) -> Any:
        found = terms.get(node)
        if found is None:
            found = terms[node] = from_ox(node)
        return found

    def graph(name: Any) -> Graph:
        found = graphs.get(name)
        if found is None:
            found = graphs[name] = dataset.default_graph if isinstance(name, ox.DefaultGraph) \
                else dataset.graph(term(name))
        return found

    dataset.addN((term(q.subject), term(q.predicate), term(q.object), graph(q.graph_name))
                 for q in ox.parse(data, format=fmt))
    return dataset


def _intact(path: Path, stamp: Stamp) -> bytes | None:
    """The bytes of ``path`` when it is a regular file (not a link) holding what ``stamp`` records."""
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size != stamp.size:
                return None
            data = stream.read(stamp.size + 1)
    except OSError:  # gone, a link, unreadable: not the file the build wrote
        return None
    return data if hashlib.sha256(data).hexdigest() == stamp.sha256 else None

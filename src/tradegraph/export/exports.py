"""``tradegraph export``: the built graph in an RDF format, or the actor network in a network format.

RDF formats (``ttl``, ``nt``, ``jsonld``, ``trig``, ``xml``) hold exactly the triples of
``tradegraph build`` (TriG with one named graph per source); network formats (``gexf``,
``graphml``, ``cyjs``, ``dot``) hold the actor network (:mod:`tradegraph.network.graph`). Every
export reads the validated graph (:func:`~tradegraph.build.provider.validated_graph`: the last
build's while no input changed) and is deterministic: the same facts give the same bytes.

>>> format_for(None, "out/network.gexf")
'gexf'
>>> format_for("ttl", None)
'ttl'
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from rdflib import Dataset, Graph
from rdflib.term import Identifier

from tradegraph.build.dataset import ValidGraph, reserved_graphs
from tradegraph.build.provider import validated_graph
from tradegraph.errors import UsageError
from tradegraph.network.formats import WRITERS
from tradegraph.network.graph import NetworkFilter, actor_network
from tradegraph.project import Project
from tradegraph.rdf import serialize

RDF_FORMATS = ("ttl", "nt", "jsonld", "trig", "xml")
NETWORK_FORMATS = tuple(WRITERS)
FORMATS = RDF_FORMATS + NETWORK_FORMATS
SUFFIXES = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".trig": "trig", ".rdf": "xml", ".xml": "xml",
            ".owl": "xml", ".gexf": "gexf", ".graphml": "graphml", ".cyjs": "cyjs", ".dot": "dot", ".gv": "dot"}


def export(project: Project, fmt: str, *, filters: NetworkFilter | None = None) -> str:
    """The project's graph (RDF formats) or actor network (network formats) as text in ``fmt``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format '{fmt}'", expected="one of " + ", ".join(FORMATS))
    if fmt in RDF_FORMATS and filters is not None and filters != NetworkFilter():
        raise UsageError(f"network options do not apply to the RDF format '{fmt}'",
                         expected="a network format (" + ", ".join(NETWORK_FORMATS) + ") with them",
                         hint="the RDF formats always hold the whole built graph")
    return export_built(validated_graph(project), fmt, filters=filters)


def export_built(valid: ValidGraph, fmt: str, *, filters: NetworkFilter | None = None) -> str:
    """Like :func:`export`, from a graph already validated (or a build: ``build(project, write=False)``)."""
    if fmt in NETWORK_FORMATS:
        return WRITERS[fmt](actor_network(valid, filters))
    return rdf_text(valid.graph, valid.dataset, valid.base, fmt)


def rdf_text(graph: Graph, dataset: Dataset, base: str, fmt: str) -> str:
    """``graph`` (or, for TriG, ``dataset`` but its ontology's and inferred graph) in an RDF
    format, with the build's prefixes.

    >>> from rdflib import URIRef, Literal
    >>> g = Graph()
    >>> _ = g.add((URIRef("https://w3id.org/tradegraph/id/a"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    ...            Literal("A")))
    >>> print(rdf_text(g, Dataset(), "https://w3id.org/tradegraph/id/", "nt"), end="")
    <https://w3id.org/tradegraph/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .
    """
    if fmt == "ttl":
        return serialize.turtle(graph, base)
    if fmt == "trig":
        return serialize.trig(dataset, base, leave_out=reserved_graphs(base))
    if fmt == "jsonld":
        return serialize.jsonld(graph, base)
    if fmt == "nt":
        lines = graph.serialize(format="nt").splitlines()
        return "".join(line + "\n" for line in sorted(set(lines)) if line.strip())
    if fmt == "xml":
        out = _SortedGraph()
        for prefix, namespace in serialize.prefixes(base).items():
            out.bind(prefix, namespace, override=True, replace=True)
        for triple in graph:
            out.add(triple)
        return out.serialize(format="xml")
    raise UsageError(f"unknown RDF format '{fmt}'", expected="one of " + ", ".join(RDF_FORMATS))


def format_for(fmt: str | None, path: Path | str | None) -> str:
    """The export format: ``fmt`` when given, else the one the output file's suffix names."""
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower() if path is not None and str(path) != "-" else ""
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise UsageError(f"no export format given{f' and none known for {suffix!r} files' if suffix else ''}",
                     expected="--format " + "|".join(FORMATS),
                     hint="or name the output file with a known suffix, e.g. -o network.gexf")


class _SortedGraph(Graph):
    """A graph whose subjects and predicate-objects come out sorted, so RDF/XML repeats."""

    def subjects(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return iter(sorted(cast("set[Identifier]", set(super().subjects(*args, **kwargs)))))

    def predicate_objects(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return iter(sorted(set(super().predicate_objects(*args, **kwargs))))

"""Serialize graphs and datasets deterministically: same triples, same bytes.

Turtle comes from rdflib's serializer, which sorts subjects, predicates and objects; TriG
is written one named graph at a time in IRI order (bodies are not indented, so literals
keep their exact text); JSON-LD is sorted by ``@id`` with a
compact, readable context made from the graph's prefixes.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from rdflib import Dataset, Graph
from rdflib.term import Node

from tradegraph.rdf.namespaces import PREFIXES


def prefixes(base: str) -> dict[str, str]:
    """The prefixes of a build: the one table and ``tgid:`` for the data."""
    return {**PREFIXES, "tgid": base}


def _bind(graph: Graph, base: str) -> None:
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace, override=True, replace=True)


def turtle(graph: Graph, base: str) -> str:
    """The graph as sorted Turtle with the build's prefixes."""
    out = Graph()
    _bind(out, base)
    for triple in graph:
        out.add(triple)
    return out.serialize(format="turtle")


def trig(dataset: Dataset, base: str, *, leave_out: Collection[Node] = ()) -> str:
    """The dataset as TriG, one block per named graph (but those named in ``leave_out``), in IRI order."""
    blocks = []
    header: dict[str, str] = {}
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if graph.identifier in leave_out or len(graph) == 0:
            continue
        body = turtle(graph, base)
        lines = []
        for line in body.splitlines():
            if line.startswith("@prefix"):
                _, name, iri, _ = line.split()
                if header.setdefault(name, iri) != iri:  # pragma: no cover - needs two rdflib ns1 clashes
                    raise ValueError(f"prefix {name} means two namespaces in one dataset")
            else:
                lines.append(line)
        inner = "\n".join(lines).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n{inner}\n}}\n")
    prefix_lines = "".join(f"@prefix {name} {iri} .\n" for name, iri in sorted(header.items()))
    return prefix_lines + "\n" + "\n".join(blocks)


def jsonld(graph: Graph, base: str) -> str:
    """The graph as JSON-LD sorted by ``@id``, with a context of the build's prefixes."""
    context = dict(sorted(prefixes(base).items()))
    out = Graph()
    _bind(out, base)
    for triple in graph:
        out.add(triple)
    data = json.loads(out.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = data.get("@graph", [data] if "@id" in data else [])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    nodes = [{k: v for k, v in node.items() if k != "@context"} for node in nodes]
    document = {"@context": context, "@graph": sorted(nodes, key=lambda n: str(n.get("@id", "")))}
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

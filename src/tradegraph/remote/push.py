"""``tradegraph push``: upload the built graph to a SPARQL store, one named graph per source.

What goes up is what the canned queries read locally (:func:`~tradegraph.build.provider.validated_graph`):
a named graph per source document and one for the actors, plus the ontology in
``<base>graph/ontology``; validated, as ``tradegraph build`` does (the last build's while no input changed).

With a Graph Store Protocol URL each graph is replaced by an HTTP ``PUT`` of its first batch
and completed by ``POST``\\ s of the rest; without one (or when the store answers that it has
none) each graph is replaced by SPARQL Update: ``DROP SILENT GRAPH`` then ``INSERT DATA`` in
batches. Either way a push replaces the graphs it sends, so pushing twice leaves the same
triples. Triples that share a blank node travel in the same batch, so that a store never
splits one blank node in two. Only requests that are idempotent (``PUT``, the first
``DROP``+``INSERT``) are retried. A batch counts as sent only when the request that carried it
is answered 200, 201 or 204: a redirect that would drop its body (or leave the configured
origin) is an error, as :mod:`tradegraph.remote.exchange` rules for every request.

>>> [len(b) for b in batches(Graph().parse(data="<x:a> <x:b> [ <x:c> 1 ; <x:d> 2 ] . <x:e> <x:f> 3 .",
...                                                   format="turtle"), 1)]
[1, 3]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from tradegraph.build.provider import validated_graph
from tradegraph.errors import EndpointError
from tradegraph.project import Project
from tradegraph.remote.transport import Endpoint, request

Triple = tuple[Node, Node, Node]
NTRIPLES = "application/n-triples"


@dataclass
class PushResult:
    """What a push sent: triples per graph (``None`` for the default graph) and how."""

    endpoint: str
    protocol: str
    graphs: dict[str | None, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"graph {name or '(default)'}: {count} triples" for name, count in self.graphs.items()]
        named = sum(1 for name in self.graphs if name is not None)
        lines.append(f"pushed {sum(self.graphs.values())} triples in {named} named graph(s) to {self.endpoint} "
                     f"with {self.protocol}, {self.requests} request(s) in {self.seconds:.1f} s")
        return "\n".join(lines)


def push(project: Project, endpoint: Endpoint | str, *, graph_store: str | None = None, replace: bool = False,
         also_default: bool = False, batch_size: int = 20_000, dataset: Dataset | None = None,
         progress: Callable[[int], None] | None = None) -> PushResult:
    """Upload the project's graph to ``endpoint`` (the store's SPARQL Update URL).

    ``graph_store``: the store's Graph Store Protocol URL, used when given. ``replace``: drop
    everything else the store holds first (``DROP ALL``). ``also_default``: also write every
    triple into the default graph, for stores that cannot make it the union of the named
    graphs. ``dataset``: what to send instead of the project's graph (already loaded, and
    validated by the caller). ``progress(count)`` is called with the size of each batch sent.
    """
    update = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
    if dataset is None:
        dataset = validated_graph(project).dataset
    graphs = _graphs(dataset, also_default=also_default)
    started = time.perf_counter()
    uploader = _Uploader(update, update.at(graph_store) if graph_store else None, batch_size)
    if replace:
        uploader.update("DROP ALL", idempotent=True)
    for name, graph in graphs:
        for count in uploader.graph(name, graph):
            if progress:
                progress(count)
        uploader.result.graphs[str(name) if name is not None else None] = len(graph)
    uploader.result.seconds = time.perf_counter() - started
    return uploader.result


def _graphs(dataset: Dataset, *, also_default: bool) -> list[tuple[URIRef | None, Graph]]:
    named = sorted(((g.identifier, g) for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)
                    and g.identifier != dataset.default_graph.identifier), key=lambda pair: str(pair[0]))
    found: list[tuple[URIRef | None, Graph]] = list(named)
    if also_default:
        union = Graph()
        for _, graph in named:
            union += graph
        found.append((None, union))
    return found


class _Uploader:
    """Sends graphs by the Graph Store Protocol, or by SPARQL Update when there is none."""

    def __init__(self, update: Endpoint, store: Endpoint | None, batch_size: int) -> None:
        self.update_endpoint, self.store, self.batch_size = update, store, max(1, batch_size)
        shown = store.shown if store else update.shown
        self.result = PushResult(shown, "the Graph Store Protocol" if store else "SPARQL Update")

    def graph(self, name: URIRef | None, graph: Graph) -> Iterator[int]:
        """Replace the store's graph ``name`` (None: the default graph); yield each batch's size."""
        for number, batch in enumerate(batches(graph, self.batch_size)):
            text = _ntriples(batch)
            if self.store is not None:
                try:
                    self._graph_store(name, text, first=number == 0)
                except EndpointError as exc:
                    if number or not _no_graph_store(exc):
                        raise
                    self._fall_back(exc)
            if self.store is None:
                target = f"GRAPH {name.n3()} {{\n{text}}}" if name is not None else text
                drop = (f"DROP SILENT GRAPH {name.n3()} ;\n" if name is not None else "DROP SILENT DEFAULT ;\n")
                self.update(f"{drop if number == 0 else ''}INSERT DATA {{\n{target}}}", idempotent=number == 0)
            yield len(batch)

    def update(self, text: str, *, idempotent: bool) -> None:
        request(self.update_endpoint, "POST", body=urlencode({"update": text}).encode("utf-8"),
                content_type="application/x-www-form-urlencoded", idempotent=idempotent, purpose="update")
        self.result.requests += 1

    def _graph_store(self, name: URIRef | None, text: str, *, first: bool) -> None:
        assert self.store is not None
        query = urlencode({"graph": str(name)}) if name is not None else "default"
        url = self.store.url + ("&" if "?" in self.store.url else "?") + query
        request(self.store.at(url), "PUT" if first else "POST", body=text.encode("utf-8"),
                content_type=NTRIPLES, idempotent=first, purpose="graph store")
        self.result.requests += 1

    def _fall_back(self, exc: EndpointError) -> None:
        self.result.notes.append(f"{exc.what}: no Graph Store endpoint there, using SPARQL Update instead")
        self.result.protocol = "SPARQL Update"
        self.result.endpoint = self.update_endpoint.shown
        self.store = None


def _no_graph_store(exc: EndpointError) -> bool:
    return exc.what.startswith(("HTTP 404", "HTTP 405", "HTTP 501"))


def batches(graph: Graph, size: int) -> Iterator[list[Triple]]:
    """The triples of ``graph`` in batches of about ``size``; triples sharing a blank node together."""
    parent: dict[BNode, BNode] = {}

    def root(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    ground: list[Triple] = []
    linked: list[tuple[Triple, BNode]] = []
    for triple in graph:
        blanks = [root(n) for n in triple if isinstance(n, BNode)]
        if not blanks:
            ground.append(triple)
            continue
        for other in blanks[1:]:
            parent[other] = blanks[0]
        linked.append((triple, blanks[0]))
    groups: dict[BNode, list[Triple]] = {}
    for triple, node in linked:
        groups.setdefault(root(node), []).append(triple)
    batch: list[Triple] = []
    for unit in [*([t] for t in ground), *groups.values()]:
        batch.extend(unit)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _ntriples(triples: list[Triple]) -> str:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")

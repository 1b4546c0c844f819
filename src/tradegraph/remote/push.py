"""``tradegraph push``: upload the built graph to a SPARQL store, one named graph per source.

What goes up is what the canned queries read locally (:func:`~tradegraph.build.provider.validated_graph`):
a named graph per source document and one for the actors, plus the ontology in
``<base>graph/ontology``; validated, as ``tradegraph build`` does (the last build's while no input changed).

With a Graph Store Protocol URL each graph is replaced by an HTTP ``PUT`` of its first batch
and completed by ``POST``\\ s of the rest; without one (or when the store answers that it has
none) each graph is replaced by SPARQL Update: ``DROP SILENT GRAPH`` then ``INSERT DATA`` in
batches (``INSERT {...} WHERE {}`` for a batch with blank nodes, which Virtuoso refuses in data).
Either way a push replaces the graphs it sends, so pushing twice leaves the same
triples. Triples that share a blank node travel in the same batch, so that a store never
splits one blank node in two. Only requests that are idempotent (``PUT``, the first
``DROP``+``INSERT``) are retried. A batch counts as sent only when the request that carried it
is answered 200, 201 or 204: a redirect that would drop its body (or leave the configured
origin) is an error, as :mod:`tradegraph.remote.exchange` rules for every request.

Pushed ``incremental``\\ ly, only what changed goes up. A push that ``remember``\\ s keeps, per
store (its update and Graph Store URLs), the digest and the size of each graph it sent, in
the build folder (``build/pushed.json``, under its own record of outputs); the next push sends
only the graphs whose hash differs and drops the graphs it sent before that the project no
longer has (a removed source). It trusts the memory only when the store agrees: each
remembered graph must hold, in the store, as many triples as were sent; a store that someone
else changed (or emptied, or one that cannot be asked) gets every graph again. The memory is
cleared before a push sends anything and written again only when it finished, so a push cut
short is followed by a full one.

After a build into a store (``tradegraph build --store``), a push reads that store
(:class:`~tradegraph.build.stored.StoredBuild`) rather than the whole graph: it also remembers
which part of the build's cache each fact file was and which graphs it made, so the next push
digests again only the graphs of the files that changed (and the derived graph), and reads
from the store only the graphs it sends.

>>> [len(b) for b in batches(Graph().parse(data="<x:a> <x:b> [ <x:c> 1 ; <x:d> 2 ] . <x:e> <x:f> 3 .",
...                                                   format="turtle"), 1)]
[1, 3]
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from tradegraph.build.outputs import read_record, write_outputs
from tradegraph.build.provider import validated_graph
from tradegraph.build.stored import StoredBuild, digest_ntriples
from tradegraph.errors import EndpointError, TradegraphError
from tradegraph.files.localfile import open_regular
from tradegraph.project import Project
from tradegraph.rdf.oxterms import to_ox
from tradegraph.remote.endpoint import RemoteEngine, default_is_union, not_union_note
from tradegraph.remote.transport import Endpoint, request

Triple = tuple[Node, Node, Node]
NTRIPLES = "application/n-triples"
#: What a push remembers of each store it sent to, and the record that proves tradegraph wrote it.
PUSHED_FILE, PUSH_RECORD = "pushed.json", ".tradegraph-push-record.json"
_FORMAT = "tradegraph-pushed/2"
_DEFAULT = "(default)"


@dataclass
class PushResult:
    """What a push sent: triples per graph (``None`` for the default graph) and how."""

    endpoint: str
    protocol: str
    graphs: dict[str | None, int] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    sent_bytes: int = 0
    unchanged: list[str] = field(default_factory=list)   # graphs not sent: as the store last got them
    read_from: str = "the project's graph"               # where the graphs were read (the last build's store)
    dropped: list[str] = field(default_factory=list)     # graphs dropped: the project no longer has them

    def summary(self) -> str:
        lines = [f"graphs read from {self.read_from}"]
        lines += [f"graph {name or _DEFAULT}: {count} triples" for name, count in self.graphs.items()]
        lines += [f"graph {name}: dropped (the project no longer has it)" for name in self.dropped]
        if self.unchanged:
            lines.append(f"unchanged since the last push, not sent: {len(self.unchanged)} graph(s)")
        named = sum(1 for name in self.graphs if name is not None)
        lines.append(f"pushed {sum(self.graphs.values())} triples in {named} named graph(s) to {self.endpoint} "
                     f"with {self.protocol}, {self.requests} request(s) in {self.seconds:.1f} s")
        return "\n".join(lines)


def push(project: Project, endpoint: Endpoint | str, *, graph_store: str | None = None, replace: bool = False,
         also_default: bool = False, batch_size: int = 20_000, dataset: Dataset | None = None,
         progress: Callable[[int], None] | None = None, incremental: bool = False, remember: bool = False,
         query: str | None = None, check_union: bool = False) -> PushResult:
    """Upload the project's graph to ``endpoint`` (the store's SPARQL Update URL).

    ``graph_store``: the store's Graph Store Protocol URL, used when given. ``replace``: drop
    everything else the store holds first (``DROP ALL``). ``also_default``: also write every
    triple into the default graph, for stores that cannot make it the union of the named
    graphs. ``dataset``: what to send instead of the project's graph (already loaded, and
    validated by the caller). ``progress(count)`` is called with the size of each batch sent.

    ``remember``: keep what was sent in the project's build folder. ``incremental``: send only
    the graphs that differ from what was last sent to this store, and drop those sent then that
    the project no longer has, once the store's counts (asked at ``query``, by default the update
    URL with ``/update`` made ``/query``) show that no one else changed it.

    ``check_union``: once done, ask the store (at ``query``) whether its default graph is the
    union of the named graphs, as the canned queries expect, and add a note with what to do when
    it is empty while they are not.
    """
    update = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
    stored = StoredBuild.of(project) if dataset is None and not also_default else None
    started = time.perf_counter()
    uploader = _Uploader(update, update.at(graph_store) if graph_store else None, batch_size)
    memory = _Memory(project, f"{update.shown} {uploader.store.shown if uploader.store else ''}")
    before = memory.recalled() if remember or incremental else None
    digested = remember or incremental
    if stored is not None:
        planned = _from_store(stored, before)
        uploader.result.read_from = f"the store of the last build ({stored.shown})"
    else:
        planned = _from_dataset(dataset if dataset is not None else validated_graph(project).dataset,
                                also_default=also_default)
    digests: dict[str, dict[str, Any]] = {}
    trusted = None
    if incremental and before is not None and not replace:
        doubt = _store_differs(update.at(query or _query_url(update.url)), before.graphs)
        if doubt:
            uploader.result.notes.append(f"{doubt}: sending every graph")
        else:
            trusted = before.graphs
    if remember:
        memory.forget()
    if replace:
        uploader.update("DROP ALL", idempotent=True)
    for name, made in planned.graphs:
        if digested:  # each graph digested as it comes (read once: the text digested is the text sent)
            digest = planned.digest(_key(name))
            if not digest["triples"]:
                continue
            digests[_key(name)] = digest
            if trusted is not None and trusted.get(_key(name)) == digest:
                uploader.result.unchanged.append(_key(name))
                continue
        graph = made()
        size = len(graph) if isinstance(graph, Graph) else graph.count(b"\n")
        if not size:
            continue
        for count in uploader.graph(name, graph):
            if progress:
                progress(count)
        uploader.result.graphs[str(name) if name is not None else None] = size
    for gone in sorted(set(before.graphs if before else {}) - set(digests)) if not replace else []:
        uploader.drop(gone)
    if remember:
        memory.keep(_Recalled(digests, planned.parts))
    uploader.result.seconds = time.perf_counter() - started
    asked = update.at(query or _query_url(update.url))
    if check_union and not also_default and planned.graphs and default_is_union(asked) is False:
        uploader.result.notes.append(not_union_note(asked))
    return uploader.result


@dataclass
class _Recalled:
    """What a push remembers of one store: each graph's digest (see
    :func:`~tradegraph.build.stored.digest_ntriples`) and, when it read the build's store, each
    fact file's N-Quads part and the graphs it made, by which the next push knows, without
    reading them, which graphs cannot have changed."""

    graphs: dict[str, dict[str, Any]]
    parts: dict[str, list[Any]] | None = None


@dataclass
class _Planned:
    """The graphs to push (each made when it is sent), how to digest each (by its key), and the
    parts they came from."""

    graphs: list[tuple[URIRef | None, Callable[[], Graph | bytes]]]
    digest: Callable[[str], dict[str, Any]]
    parts: dict[str, list[Any]] | None = None


def _from_dataset(dataset: Dataset, *, also_default: bool) -> _Planned:
    graphs = _graphs(dataset, also_default=also_default)
    by_key = {_key(name): graph for name, graph in graphs}
    return _Planned([(name, lambda graph=graph: graph) for name, graph in graphs],  # type: ignore[misc]
                    lambda key: _digest(by_key[key]))


def _from_store(stored: StoredBuild, before: _Recalled | None) -> _Planned:
    """The graphs of the last build's store. A graph is digested again only when a fact file
    that makes (or made) it is not the part it was at the last push; the ontology when its part
    changed; the derived graph always (any fact may change it). A graph read to be digested is
    kept until it is sent (or the next is digested): each is read from the store once."""
    known = (before.parts or {}) if before is not None else {}
    ontology, ontology_part = stored.ontology
    parts: dict[str, list[Any]] = {"(ontology)": [ontology_part, [ontology]]}
    doubted = {stored.derived}
    for shown, nq in stored.files().items():
        kept = known.get(shown)
        if kept is not None and kept[0] == nq:
            parts[shown] = kept
            continue
        parts[shown] = [nq, stored.graphs_of(shown)]
        doubted.update(parts[shown][1])
        doubted.update(kept[1] if kept is not None else ())
    if known.get("(ontology)", [None])[0] != ontology_part:
        doubted.add(ontology)
    for shown in set(known) - set(parts):
        doubted.update(known[shown][1])
    names = sorted({stored.derived, *(name for _, graphs in parts.values() for name in graphs)})
    recalled = before.graphs if before is not None else {}
    read: dict[str, bytes] = {}  # the one graph read to be digested and not yet sent

    def digest(name: str) -> dict[str, Any]:
        if name not in doubted and name in recalled:
            return recalled[name]
        read.clear()
        read[name] = stored.ntriples(name)
        return digest_ntriples(read[name])

    def made(name: str) -> Graph | bytes:
        text = read.pop(name, None)
        text = stored.ntriples(name) if text is None else text
        return text if b"_:" not in text else stored.graph(name)  # blank nodes: sent together, by rdflib

    return _Planned([(URIRef(name), lambda name=name: made(name)) for name in names],  # type: ignore[misc]
                    digest, parts)


def _key(name: URIRef | None) -> str:
    return str(name) if name is not None else _DEFAULT


def _digest(graph: Graph) -> dict[str, Any]:
    """A graph's digest, as :func:`~tradegraph.build.stored.digest_ntriples` takes it of a stored one."""
    text = ox.serialize((ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph), None, ox.RdfFormat.N_TRIPLES)
    return digest_ntriples(text or b"")


def _query_url(update: str) -> str:
    """Where a store that takes updates at ``update`` answers queries: ``.../update`` made
    ``.../query`` (Oxigraph, Fuseki), else the same URL (Virtuoso's ``/sparql``)."""
    head, _, tail = update.partition("?")
    return head[: -len("update")] + "query" + (f"?{tail}" if tail else "") if head.endswith("/update") else update


def _store_differs(query: Endpoint, remembered: dict[str, dict[str, Any]]) -> str | None:
    """Why the store cannot be trusted to hold what was last sent (``None`` when it can): a
    remembered named graph it holds a different number of triples of, or a store that cannot be asked."""
    named = sorted(name for name in remembered if name != _DEFAULT)
    if not named:
        return None
    values = " ".join(URIRef(name).n3() for name in named)
    text = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    try:
        answer = RemoteEngine(query, union_check=False).select(text, {})
    except TradegraphError as exc:
        return f"the store's counts could not be read at {query.shown} ({exc})"
    counts = {str(row[0]): int(row[1]) for row in answer.rows if row[0] is not None and row[1] is not None}
    for name in named:
        if counts.get(name, 0) != remembered[name]["triples"]:
            return (f"the store holds {counts.get(name, 0)} triples in {name}, not the {remembered[name]['triples']} "
                    "last pushed (someone else changed it)")
    return None


@dataclass
class _Memory:
    """What was last pushed to one store (``key``), kept in the project's build folder's ``pushed.json``."""

    project: Project
    key: str

    @property
    def folder(self) -> Path:
        return self.project.build_dir()

    def _all(self) -> dict[str, _Recalled]:
        found = read_record(self.folder, every=(PUSHED_FILE,), record=PUSH_RECORD)
        path = self.folder / PUSHED_FILE
        if found is None or PUSHED_FILE not in found[0] or not found[0][PUSHED_FILE].matches(path):
            return {}
        try:
            with open_regular(path, what="a build output") as stream:
                kept = json.loads(stream.read())
            stores = kept["stores"] if kept.get("format") == _FORMAT else {}  # an earlier one: a full push
            recalled = {}
            for key, store in stores.items():
                graphs = {str(name): {"sha256": str(g["sha256"]), "triples": int(g["triples"])}
                          for name, g in store["graphs"].items()}
                parts = store.get("parts")
                if parts is not None:
                    parts = {str(shown): [str(nq), [str(name) for name in names]] for shown, (nq, names) in parts.items()}
                recalled[str(key)] = _Recalled(graphs, parts)
            return recalled
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # not as written: trusted for nothing

    def recalled(self) -> _Recalled | None:
        return self._all().get(self.key)

    def forget(self) -> None:
        self._write({key: kept for key, kept in self._all().items() if key != self.key})

    def keep(self, kept: _Recalled) -> None:
        self._write({**self._all(), self.key: kept})

    def _write(self, stores: dict[str, _Recalled]) -> None:
        written = {key: {"graphs": kept.graphs, **({"parts": kept.parts} if kept.parts is not None else {})}
                   for key, kept in stores.items()}
        data = json.dumps({"format": _FORMAT, "stores": written}, indent=1, sort_keys=True).encode("utf-8") + b"\n"
        write_outputs(self.project, self.folder, {PUSHED_FILE: data}, every=(PUSHED_FILE,),
                      record=PUSH_RECORD)


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

    def graph(self, name: URIRef | None, graph: Graph | bytes) -> Iterator[int]:
        """Replace the store's graph ``name`` (None: the default graph) with ``graph`` (or its
        N-Triples, when it has no blank node); yield each batch's size."""
        for number, (text, size, blank) in enumerate(self._batches(graph)):
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
                # blank nodes by a template (fresh ones, the same as INSERT DATA makes): Virtuoso refuses them in DATA
                insert = f"INSERT {{\n{target}}} WHERE {{}}" if blank else f"INSERT DATA {{\n{target}}}"
                self.update(f"{drop if number == 0 else ''}{insert}", idempotent=number == 0)
            yield size

    def _batches(self, graph: Graph | bytes) -> Iterator[tuple[str, int, bool]]:
        """Each batch's N-Triples, its size, and whether it has a blank node."""
        if isinstance(graph, bytes):  # N-Triples lines without a blank node: batched as they are
            lines = [line for line in graph.split(b"\n") if line]
            for start in range(0, len(lines), self.batch_size):
                chunk = lines[start:start + self.batch_size]
                yield b"\n".join(chunk).decode("utf-8") + "\n", len(chunk), False
            return
        for batch in batches(graph, self.batch_size):
            yield _ntriples(batch), len(batch), any(isinstance(n, BNode) for t in batch for n in t)

    def update(self, text: str, *, idempotent: bool) -> None:
        body = urlencode({"update": text}).encode("utf-8")
        request(self.update_endpoint, "POST", body=body,
                content_type="application/x-www-form-urlencoded", idempotent=idempotent, purpose="update")
        self.result.requests += 1
        self.result.sent_bytes += len(body)

    def drop(self, name: str) -> None:
        """Drop the store's graph ``name`` (the default graph: emptied)."""
        self.update("DROP SILENT DEFAULT" if name == _DEFAULT else f"DROP SILENT GRAPH {URIRef(name).n3()}",
                    idempotent=True)
        self.result.dropped.append(name)

    def _graph_store(self, name: URIRef | None, text: str, *, first: bool) -> None:
        assert self.store is not None
        query = urlencode({"graph": str(name)}) if name is not None else "default"
        url = self.store.url + ("&" if "?" in self.store.url else "?") + query
        body = text.encode("utf-8")
        request(self.store.at(url), "PUT" if first else "POST", body=body,
                content_type=NTRIPLES, idempotent=first, purpose="graph store")
        self.result.requests += 1
        self.result.sent_bytes += len(body)

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

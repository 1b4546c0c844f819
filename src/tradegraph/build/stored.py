"""The last build's store, as ``push`` reads it: which graphs each fact file made, each graph's
digest, and a graph's triples, without reading the whole graph into rdflib.

A build into a store (``tradegraph build --store DIR``) records, beside its outputs, where the
store is and the SHA-256 of the manifest of the cache it keeps there
(:mod:`tradegraph.build.incremental`). :meth:`StoredBuild.of` opens that store only when the
record proves the build is of the inputs as they are now (the same fingerprint that lets
commands reuse ``graph.nq``), the cache's key is that of this project and this tradegraph, and
the manifest is the one the build wrote (a store built again since, by another project or into
another folder, is not used), and the store is inside the project's folder (a record, which is a
file like any other, never sends a push to read a folder elsewhere). Otherwise ``push`` reads
the graph as every other command does.

A graph's digest (:func:`digest_ntriples`) is the SHA-256 of its N-Triples lines as Oxigraph
writes them, sorted, with its blank nodes named by RDFC-1.0, and its count of triples: the same
for the same triples, however they were stored.

>>> sorted(digest_ntriples(b'<x:a> <x:b> _:n .\\n_:n <x:c> "1" .\\n'))
['sha256', 'triples']
>>> digest_ntriples(b'<x:a> <x:b> _:one .\\n') == digest_ntriples(b'<x:a> <x:b> _:two .\\n')
True
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from tradegraph.build import fingerprint
from tradegraph.build.incremental import Cache, CacheRefused, key_of
from tradegraph.build.outputs import read_record
from tradegraph.facts.fieldvalues import canonical_decimal
from tradegraph.project import Project
from tradegraph.rdf.graphs import DERIVED_GRAPH, ONTOLOGY_GRAPH
from tradegraph.rdf.oxterms import from_ox

#: The entry of a build's record of outputs that says where its store is.
STORE_ENTRY = "store"


def record_entry(project: Project, store: Path, manifest: str) -> dict[str, str]:
    """What a build into ``store`` records of it: its folder (relative to the project when it
    is inside, so the project may move) and the SHA-256 of its cache's manifest."""
    return {"path": project.relative(Path(os.path.abspath(store))), "manifest": manifest}


def digest_ntriples(data: bytes) -> dict[str, Any]:
    """The digest of a graph given as N-Triples: the SHA-256 of its lines sorted (its blank
    nodes named canonically, RDFC-1.0, first) and how many triples it holds."""
    if b"_:" in data:  # (or a literal that says it: canonical naming leaves such a graph as it is)
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(data, ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        data = ox.serialize(dataset, None, ox.RdfFormat.N_QUADS) or b""
    lines = [line for line in data.split(b"\n") if line]
    lines.sort()
    return {"sha256": hashlib.sha256(b"\n".join(lines) + b"\n").hexdigest(), "triples": len(lines)}


@dataclass
class StoredBuild:
    """The store of the project's last build, and the cache it keeps (see the module's text)."""

    store: ox.Store
    cache: Cache
    base: str
    #: The store's folder as the build's record names it.
    shown: str

    @classmethod
    def of(cls, project: Project, *, validator: str = "fast") -> StoredBuild | None:
        """The project's last build's store, or ``None`` unless it is one to trust (see above)."""
        record = read_record(project.build_dir())
        if record is None:
            return None
        about = record[1]
        entry, made = about.get(STORE_ENTRY), fingerprint.recorded(about)
        if made is None or not isinstance(entry, dict) or not all(
                isinstance(entry.get(name), str) for name in ("path", "manifest")):
            return None
        base = project.base
        if made[0] != fingerprint.current(project, base=base, validator=validator, reason=None):
            return None
        try:  # only a store inside the project: a record names no other folder to read and send
            folder = (project.root / entry["path"]).resolve(strict=True)
            if not folder.is_relative_to(project.root.resolve()):
                return None
            cache = Cache.read(folder, key_of(project, base))
            if cache.sha256 != entry["manifest"]:
                return None
            store = ox.Store.read_only(str(folder))
        except (CacheRefused, OSError):
            return None
        return cls(store, cache, base, entry["path"])

    def files(self) -> dict[str, str]:
        """Each fact file (by its path in the project) and the name of its N-Quads in the cache."""
        return {shown: part.nq for shown, part in self.cache.files.items()}

    def graphs_of(self, shown: str) -> list[str]:
        """The IRIs of the graphs the fact file ``shown`` wrote to."""
        return [f"{self.base}graph/{name}" for name in self.cache.index(shown)["graphs"]]

    @property
    def ontology(self) -> tuple[str, str]:
        """The ontology's graph IRI and the name of its N-Quads in the cache."""
        return self.base + ONTOLOGY_GRAPH, str(self.cache.manifest["ontology_nq"])

    @property
    def derived(self) -> str:
        """The IRI of the graph of derived triples (made again from the facts by every build)."""
        return self.base + DERIVED_GRAPH

    def ntriples(self, graph: str) -> bytes:
        """The triples of ``graph`` as N-Triples, one a line (written by Oxigraph: no rdflib
        terms), with its decimals written as the loader writes them (Oxigraph keeps ``25.0`` as
        ``25``), so a push from the store sends what a push from the graph does."""
        data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        return _DECIMAL.sub(_as_loaded, data) if _DECIMAL_TYPE in data else data

    def digest(self, graph: str) -> dict[str, Any]:
        """The digest of ``graph`` as the store holds it (see :func:`digest_ntriples`)."""
        return digest_ntriples(self.ntriples(graph))

    def graph(self, graph: str) -> Graph:
        """The triples of ``graph``, as an rdflib graph (for one graph: a push's unit)."""
        found = Graph()
        found.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), found)  # type: ignore[misc]
                   for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        return found


_DECIMAL_TYPE = b"^^<http://www.w3.org/2001/XMLSchema#decimal>"
#: A decimal literal as Oxigraph writes one (its lexical form has no quote or backslash).
_DECIMAL = re.compile(rb'"([-+0-9.]+)"' + re.escape(_DECIMAL_TYPE) + rb"(?= \.$)", re.MULTILINE)


def _as_loaded(match: re.Match[bytes]) -> bytes:
    value = canonical_decimal(Decimal(match.group(1).decode("ascii")))
    return b'"' + value.encode("ascii") + b'"' + _DECIMAL_TYPE

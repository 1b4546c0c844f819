"""A dataset's union as a read-only graph, without copying a triple.

:func:`~tradegraph.rdf.graphs.union` copies every triple into a new graph; a reader that only
looks (validation, the exports, the network, counts) reads :func:`union_view` instead: a
:class:`~rdflib.Graph` over the dataset's own store that answers with every triple of its
named graphs once, leaving out the graphs it is told to (the ontology, the inferred triples).

>>> from rdflib import Dataset, Literal, URIRef
>>> dataset = Dataset(default_union=True)
>>> s, p = URIRef("x:s"), URIRef("x:p")
>>> _ = dataset.graph(URIRef("x:a")).add((s, p, Literal(1)))
>>> _ = dataset.graph(URIRef("x:b")).add((s, p, Literal(1)))
>>> _ = dataset.graph(URIRef("x:ontology")).add((URIRef("x:C"), p, Literal(2)))
>>> view = union_view(dataset, leave_out={URIRef("x:ontology")})
>>> len(view), [o.toPython() for o in view.objects(s, p)], (URIRef("x:C"), p, Literal(2)) in view
(1, [1], False)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import ModificationException
from rdflib.paths import Path as PropertyPath


def union_view(dataset: Dataset, *, leave_out: Iterable[URIRef] = ()) -> Graph:
    """Every triple of ``dataset``'s graphs but those named in ``leave_out``, each once, as a
    read-only graph over the dataset's store (adding or removing raises rdflib's
    ``ModificationException``). It follows the dataset: what is added there shows here."""
    return _UnionView(dataset, frozenset(leave_out))


class _UnionView(Graph):
    def __init__(self, dataset: Dataset, left_out: frozenset[URIRef]) -> None:
        super().__init__(store=dataset.store, namespace_manager=dataset.namespace_manager)
        self._left_out = left_out

    def triples(self, triple: Any) -> Iterator[Any]:  # type: ignore[override]
        subject, predicate, obj = triple
        if isinstance(predicate, PropertyPath):
            for s, o in predicate.eval(self, subject, obj):
                yield s, predicate, o
            return
        left_out = self._left_out
        for found, contexts in self.store.triples((subject, predicate, obj), None):
            if not left_out or any(_name(c) not in left_out for c in contexts):
                yield found

    def __len__(self) -> int:
        """The store's distinct triples, less those that only left-out graphs hold."""
        only_there = 0
        for iri in self._left_out:
            for _, contexts in self.store.triples((None, None, None), Graph(self.store, iri)):
                only_there += all(_name(c) in self._left_out for c in contexts)
        return len(self.store) - only_there

    def add(self, triple: Any) -> Graph:  # type: ignore[override]
        raise ModificationException()

    def addN(self, quads: Any) -> Graph:  # type: ignore[override]
        raise ModificationException()

    def remove(self, triple: Any) -> Graph:  # type: ignore[override]
        raise ModificationException()


def _name(context: Any) -> Any:
    """A context's graph name (the store gives a graph, or its name for one it has no graph of)."""
    return getattr(context, "identifier", context)

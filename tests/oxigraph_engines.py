"""Engines on pyoxigraph, for parity tests: the same canned queries must give the same rows
with pyoxigraph's ``substitutions`` and with a ``VALUES`` block (as sent to a remote endpoint)
as with rdflib's ``initBindings``. Test helpers only; the project's own Oxigraph store is
another issue's work."""

from __future__ import annotations

from typing import Mapping

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Identifier

from tradegraph.engine import Answer
from tradegraph.sparqltext import inline_values


def _to_ox(term: Identifier):  # type: ignore[no-untyped-def]
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _from_ox(term):  # type: ignore[no-untyped-def]
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def oxigraph_store(dataset: Dataset) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), _to_ox(g))
                 for s, p, o, g in dataset.quads((None, None, None, None)) if isinstance(g, URIRef))
    return store


class OxigraphEngine:
    """pyoxigraph with the union default graph; ``values=True`` binds as a remote store would."""

    def __init__(self, store: ox.Store, *, values: bool = False) -> None:
        self.store = store
        self.values = values

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        if self.values:
            result = self.store.query(inline_values(text, bindings), use_default_graph_as_union=True)
        else:
            result = self.store.query(text, use_default_graph_as_union=True,
                                      substitutions={ox.Variable(k): _to_ox(v) for k, v in bindings.items()})
        variables = [v.value for v in result.variables]
        return Answer(variables, [tuple(_from_ox(row[v]) for v in variables) for row in result])

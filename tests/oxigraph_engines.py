"""Engines on pyoxigraph, for parity tests: the same canned queries must give the same rows
with pyoxigraph's ``substitutions`` (the package's :class:`~tradegraph.store.oxigraph.StoreEngine`) and
with a ``VALUES`` block (as sent to a remote endpoint) as with rdflib's ``initBindings``."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.term import Identifier

from tradegraph.rdf.oxterms import from_ox, to_ox
from tradegraph.sparql.engine import Answer
from tradegraph.sparql.text import inline_values
from tradegraph.store.oxigraph import StoreEngine


def oxigraph_store(dataset: Dataset) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))
                 for s, p, o, g in dataset.quads((None, None, None, None)) if isinstance(g, URIRef))
    return store


class OxigraphEngine(StoreEngine):
    """pyoxigraph with the union default graph; ``values=True`` binds as a remote store would."""

    def __init__(self, store: ox.Store, *, values: bool = False) -> None:
        super().__init__(store)
        self.values = values

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        if not self.values:
            return super().select(text, bindings)
        result = self.store.query(inline_values(text, bindings), use_default_graph_as_union=True)
        variables = [v.value for v in result.variables]
        return Answer(variables, [tuple(from_ox(row[v]) for v in variables) for row in result])

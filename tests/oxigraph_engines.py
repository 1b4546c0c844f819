"""A pyoxigraph store made from an rdflib dataset, for parity tests: the same canned queries
must give the same rows on it (:class:`~tradegraph.store.engine.StoreEngine`, the values written
in as terms, the text a remote endpoint receives too) as with rdflib's ``initBindings``."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from tradegraph.rdf.oxterms import to_ox


def oxigraph_store(dataset: Dataset) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))
                 for s, p, o, g in dataset.quads((None, None, None, None)) if isinstance(g, URIRef))
    return store

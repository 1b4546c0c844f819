"""Engines on pyoxigraph, for parity tests: the same canned queries must give the same rows
with the values written in as terms (the package's :class:`~tradegraph.store.engine.StoreEngine`,
and the text a remote endpoint receives) and with a ``VALUES`` block (SPARQL's other way to
bind, kept here as a second reading) as with rdflib's ``initBindings``."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.term import Identifier

from tradegraph.rdf.oxterms import to_ox
from tradegraph.sparql.engine import Answer
from tradegraph.sparql.text import term_text, where_brace
from tradegraph.store.engine import StoreEngine, Values


def inline_values(text: str, bindings: Mapping[str, Identifier | None]) -> str:
    """The query with ``bindings`` as a ``VALUES`` block right after its first ``WHERE {``."""
    bound = {name: term_text(term) for name, term in bindings.items() if term is not None}
    brace = where_brace(text)
    if not bound or brace < 0:
        return text
    names = " ".join(f"?{name}" for name in bound)
    return f"{text[:brace + 1]} VALUES ({names}) {{ ({' '.join(bound.values())}) }}{text[brace + 1:]}"


def oxigraph_store(dataset: Dataset) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))
                 for s, p, o, g in dataset.quads((None, None, None, None)) if isinstance(g, URIRef))
    return store


class OxigraphEngine(StoreEngine):
    """pyoxigraph with the union default graph; ``values=True`` binds as a remote store would."""

    def __init__(self, store: ox.Store, *, values: bool = False) -> None:
        super().__init__(store)
        self.inline = values

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        if not self.inline:
            return super().select(text, bindings)
        return super().select(inline_values(text, bindings), {})

    def values(self, text: str, bindings: Mapping[str, Identifier], *, base: str) -> Values:
        if not self.inline:
            return super().values(text, bindings, base=base)
        return super().values(inline_values(text, bindings), {}, base=base)

"""The namespaces the code writes and reads, and the local name of an IRI.

>>> local_name(TG.Meeting), local_name(URIRef("https://w3id.org/tradegraph/id/akazawa"))
('Meeting', 'akazawa')
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.term import Node



class _Namespace(Namespace):
    """An rdflib namespace that makes each term once: ``TG.source`` is then an attribute
    lookup, not a new URIRef (3.7 µs each, millions of times in a large build)."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


TG = _Namespace("https://w3id.org/tradegraph/ontology#")
TIME = _Namespace("http://www.w3.org/2006/time#")


def local_name(iri: Node) -> str:
    """What follows the last ``#``, or else the last ``/``, of an IRI."""
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]

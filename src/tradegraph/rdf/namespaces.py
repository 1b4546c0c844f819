"""The namespaces tradegraph writes and reads: the one prefix table, and the local name of an IRI.

Every prefix the outputs bind (:data:`PREFIXES`) and every prefix an ad-hoc query may use
without declaring it (:data:`QUERY_PREFIXES`) comes from here; the standard ones are rdflib's
own namespace objects, not spelled again.

>>> local_name(TG.Meeting), local_name(URIRef("https://w3id.org/tradegraph/id/akazawa"))
('Meeting', 'akazawa')
>>> PREFIXES["tg"], QUERY_PREFIXES["time"]
('https://w3id.org/tradegraph/ontology#', 'http://www.w3.org/2006/time#')
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib import namespace as rdfns
from rdflib.term import Node

__all__ = ["PREFIXES", "QUERY_PREFIXES", "TG", "TGET", "TIME", "local_name"]


class _Namespace(Namespace):
    """An rdflib namespace that makes each term once: ``TG.source`` is then an attribute
    lookup, not a new URIRef (3.7 µs each, millions of times in a large build). rdflib's
    closed namespaces (``rdflib.namespace.TIME``) check every lookup, so the loader's hot
    terms come from here."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


TG = _Namespace("https://w3id.org/tradegraph/ontology#")
TGET = _Namespace("https://w3id.org/tradegraph/event-type/")
TIME = _Namespace(str(rdfns.TIME))

#: Every prefix the outputs bind (and the model file's CURIEs expand with), so files from
#: different builds diff cleanly. A build adds ``tgid:`` for its own base IRI.
PREFIXES: dict[str, str] = {
    "rdf": str(rdfns.RDF), "rdfs": str(rdfns.RDFS), "xsd": str(rdfns.XSD), "owl": str(rdfns.OWL),
    "skos": str(rdfns.SKOS), "time": str(rdfns.TIME), "prov": str(rdfns.PROV), "wd": "http://www.wikidata.org/entity/",
    "org": str(rdfns.ORG), "foaf": str(rdfns.FOAF), "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/", "dcterms": str(rdfns.DCTERMS), "tg": str(TG), "tget": str(TGET),
}

#: The prefixes an ad-hoc query may use without declaring them.
QUERY_PREFIXES: dict[str, str] = {name: PREFIXES[name] for name in ("tg", "tget", "rdfs", "rdf", "skos", "xsd", "time")}


def local_name(iri: Node) -> str:
    """What follows the last ``#``, or else the last ``/``, of an IRI."""
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]

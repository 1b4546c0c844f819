"""The namespaces the code writes and reads, and the local name of an IRI.

>>> local_name(TG.Meeting), local_name(URIRef("https://w3id.org/tradegraph/id/akazawa"))
('Meeting', 'akazawa')
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.term import Node

TG = Namespace("https://w3id.org/tradegraph/ontology#")
TIME = Namespace("http://www.w3.org/2006/time#")


def local_name(iri: Node) -> str:
    """What follows the last ``#``, or else the last ``/``, of an IRI."""
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]

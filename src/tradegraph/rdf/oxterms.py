"""RDF terms between rdflib and pyoxigraph, and as N-Quads text for bulk loading.

>>> from rdflib import Literal, URIRef
>>> to_ox(Literal("25", datatype="http://www.w3.org/2001/XMLSchema#decimal"))
<Literal value=25 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>
>>> from_ox(to_ox(Literal("Akazawa", lang="en"))) == Literal("Akazawa", lang="en")
True
>>> nquad(URIRef("http://ex/a"), URIRef("http://ex/p"), Literal('say "hi"\\n'), "<http://ex/g>")
'<http://ex/a> <http://ex/p> "say \\\\"hi\\\\"\\\\n" <http://ex/g> .\\n'
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def to_ox(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: Any) -> Identifier | None:
    """A pyoxigraph term (or ``None`` for an unbound variable) as an rdflib term."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def nt(term: Identifier) -> str:
    """A term in N-Triples syntax (IRIs are trusted: the loader made them from checked ids)."""
    if type(term) is URIRef or isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def nquad(s: Identifier, p: Identifier, o: Identifier, graph: str) -> str:
    """One line of N-Quads; ``graph`` is already in N-Triples syntax (``<iri>``)."""
    if type(s) is URIRef and type(p) is URIRef:  # nearly always (the loader's own IRIs): no call per term
        return f"<{s}> <{p}> {nt(o)} {graph} .\n"
    return f"{nt(s)} {nt(p)} {nt(o)} {graph} .\n"

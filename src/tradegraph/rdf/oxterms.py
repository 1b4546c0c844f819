"""RDF terms between rdflib and pyoxigraph, and as N-Triples text for bulk loading.

The loader writes terms as N-Triples text (:func:`iri`, :func:`literal`: one escaping for
every literal), which goes to Oxigraph as it is and to rdflib through :func:`from_nt`.

>>> from rdflib import Literal, URIRef
>>> to_ox(Literal("25", datatype="http://www.w3.org/2001/XMLSchema#decimal"))
<Literal value=25 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>
>>> from_ox(to_ox(Literal("Akazawa", lang="en"))) == Literal("Akazawa", lang="en")
True
>>> literal('say "hi"\\n'), literal("赤沢", lang="ja"), iri("http://ex/a")
('"say \\\\"hi\\\\"\\\\n"', '"赤沢"@ja', '<http://ex/a>')
>>> from_nt(literal('say "hi"\\n')) == Literal('say "hi"\\n')
True
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)", re.S)


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


def iri(value: str) -> str:
    """An IRI in N-Triples syntax. The IRI is trusted: the loader makes IRIs from checked ids, the
    model's terms and the project's checked base, and Oxigraph parses every one again as it loads."""
    return f"<{value}>"


def literal(text: str, *, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal in N-Triples syntax: ``text`` escaped, with its language tag or datatype IRI
    (none for a plain string, as rdflib and Oxigraph write ``xsd:string``)."""
    quoted = f'"{text.translate(_ESCAPES)}"'
    if lang:
        return f"{quoted}@{lang}"
    if datatype is not None and datatype != _XSD_STRING:
        return f"{quoted}^^<{datatype}>"
    return quoted


def from_nt(text: str) -> Identifier:
    """The rdflib term of an IRI or literal that :func:`iri` or :func:`literal` wrote.

    >>> from_nt('"25"^^<http://www.w3.org/2001/XMLSchema#integer>').value, from_nt('"x"@zh-Hans').language
    (25, 'zh-Hans')
    """
    if text[0] == "<":
        return URIRef(text[1:-1])
    body, _, suffix = text[1:].rpartition('"')  # neither a tag nor a datatype IRI holds a '"'
    if "\\" in body:
        body = _ESCAPED.sub(lambda match: _UNESCAPES[match[1]], body)
    if suffix.startswith("@"):
        return Literal(body, lang=suffix[1:])
    if suffix.startswith("^^<"):
        return Literal(body, datatype=URIRef(suffix[3:-1]))
    return Literal(body)

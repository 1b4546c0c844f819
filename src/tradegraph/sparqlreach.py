"""What a SPARQL request reaches beyond the store that runs it: ``SERVICE``, ``LOAD``, and the
graphs its dataset names (``FROM``, ``FROM NAMED``, ``USING``, ``USING NAMED``).

The text is parsed by rdflib's SPARQL parser, not searched: comments, strings, ``\\u`` escapes
(expanded before parsing, as the SPARQL grammar says), prefixed names, relative IRIs against
``BASE`` and keywords in any case all read as an engine reads them.

>>> reach("PREFIX e: <http://x/> SELECT * FROM e:g WHERE { # SERVICE <http://a/>\\n ?s ?p ?o }")
Reach(service=False, load=False, graphs=('http://x/g',))
>>> reach("select * { \\\\u0053ERVICE <http://a/sparql> { ?s ?p ?o } }").service
True
>>> reach("LOAD <http://a/x.ttl>", update=True).load
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Prologue

_DATASET = ("DatasetClause", "UsingClause")


class UnreadableSparql(ValueError):
    """The text is not a SPARQL query (or update) this parser reads."""


@dataclass(frozen=True)
class Reach:
    """What one SPARQL text asks for beyond the store's own graphs."""

    service: bool
    load: bool
    graphs: tuple[str, ...]  # the absolute IRIs of FROM, FROM NAMED, USING and USING NAMED

    def __or__(self, other: "Reach") -> "Reach":
        return Reach(self.service or other.service, self.load or other.load, self.graphs + other.graphs)


def reach(text: str, *, update: bool = False, base: str | None = None) -> Reach:
    """What ``text`` (a query, or an update when ``update``) reaches; :class:`UnreadableSparql`
    when it does not parse. ``base`` resolves relative IRIs, as the server's URL would."""
    try:
        if update:
            parsed = parseUpdate(text)
            found, prologue = Reach(False, False, ()), None
            for head, operation in zip(parsed.prologue, parsed.request):
                prologue = translatePrologue(head, base, prologue=prologue)
                found |= _walk(operation, prologue)
            return found
        head, query = parseQuery(text)
        return _walk(query, translatePrologue(head, base))
    except RecursionError:
        raise UnreadableSparql("it is nested too deeply to read") from None
    except Exception as error:  # pyparsing's ParseException, an unknown prefix, a bad IRI
        raise UnreadableSparql(" ".join(str(error).split())[:200]) from None


def _walk(node: Any, prologue: Prologue) -> Reach:
    parts = list(_parts(node))
    graphs = tuple(str(prologue.absolutize(iri)) for part in parts if part.name in _DATASET
                   for iri in (dict.get(part, "default"), dict.get(part, "named")) if iri is not None)
    return Reach(service=any(part.name == "ServiceGraphPattern" for part in parts),
                 load=any(part.name == "Load" for part in parts), graphs=graphs)


def _parts(node: Any) -> Iterator[CompValue]:
    """Every parse-tree node under ``node`` (itself included), depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)

"""A node's page: every statement about it (and about its own parts, such as its date), the
nodes that point at it, every source that states it with the evidence quoted, and for a
source every fact drawn from it. The node is bound as a term, never written into the text.

The facts come from the graph as stored: the derived graph's keys (``tg:earliestBegin``, the
closures) are left out, as the exports leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from tradegraph.rdf.namespaces import PREFIXES
from tradegraph.site.names import Names, node_id
from tradegraph.sparql.engine import Engine

_PREFIXES = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in ("rdfs", "tg", "xsd"))
_LABEL = "OPTIONAL { ?%s rdfs:label ?%slabel FILTER(LANG(?%slabel) IN ('', 'en')) }"
_OUT = _PREFIXES + ("SELECT DISTINCT ?p ?o ?plabel ?olabel WHERE { ?node ?p ?o . "
                    + _LABEL % ("p", "p", "p") + " OPTIONAL { ?o rdfs:label|tg:title ?olabel } }")
_PARTS = _PREFIXES + ("SELECT DISTINCT ?part ?p ?o ?plabel ?olabel WHERE { ?node ?link ?part . ?part ?p ?o . "
                      "FILTER(isIRI(?part) && STRSTARTS(STR(?part), CONCAT(STR(?node), '/'))) "
                      + _LABEL % ("p", "p", "p") + " OPTIONAL { ?o rdfs:label ?olabel } }")
_IN = _PREFIXES + ("SELECT DISTINCT ?s ?p ?plabel WHERE { ?s ?p ?node . FILTER(isIRI(?s)) "
                   + _LABEL % ("p", "p", "p") + " } LIMIT 500")
_EVIDENCE = _PREFIXES + """SELECT DISTINCT ?src ?evidence WHERE {
  GRAPH ?graph { ?node tg:source ?src ; tg:evidence ?evidence . }
}"""
_DRAWN = _PREFIXES + """SELECT DISTINCT ?fact ?evidence WHERE {
  GRAPH ?graph { ?fact tg:source ?node ; tg:evidence ?evidence . }
} ORDER BY ?fact LIMIT 5000"""
_RATES = _PREFIXES + """SELECT DISTINCT ?measure ?rate ?day WHERE {
  ?measure tg:rate ?rate .
  FILTER(?measure = ?node || EXISTS { ?node tg:supersedes ?measure } || EXISTS { ?measure tg:supersedes ?node })
  OPTIONAL { ?measure tg:effective/tg:earliest ?day }
}"""
_DERIVED = {PREFIXES["tg"] + name for name in ("earliestBegin", "latestEnd", "kindOf", "withinTopic",
                                                "withinEvent", "supersedes")}


@dataclass(frozen=True)
class Value:
    """A value shown on a page: its text, and the id of its page when it has one."""

    text: str
    link: str | None = None
    iri: bool = False

    def __html__(self) -> str:
        """How a template writes it (``{{ v }}``, escaped): its text, linked to its page when it has one.
        Markup made here and not in a macro: a macro call a cell was half the time of a long table."""
        text = f"<bdi>{escape(self.text)}</bdi>"
        return f'<a href="node-{escape(self.link)}.html">{text}</a>' if self.link else text


@dataclass
class Statement:
    """One property of a node and its values."""

    property: str
    values: list[Value] = field(default_factory=list)


@dataclass
class NodeFacts:
    """What a node's page shows, apart from the views its kind adds."""

    id: str
    iri: URIRef
    label: str
    kind: str
    statements: list[Statement]
    parts: dict[str, list[Statement]]
    pointed_by: list[Statement]
    evidence: list[tuple[Value, str]]
    drawn: list[tuple[Value, str]]
    rates: list[tuple[date | None, str, Value]]
    turtle: str


def node_facts(engine: Engine, names: Names, ident: str) -> NodeFacts | None:
    """The page of the node ``ident`` (an id under the project's base), or None when the graph has no such node."""
    iri = URIRef(names.base + ident)
    bound: dict[str, Identifier] = {"node": iri}
    out = engine.select(_OUT, bound).rows
    if not out:
        return None
    turtle = Graph(bind_namespaces="none")
    for name in ("tg", "rdfs", "xsd"):
        turtle.bind(name, PREFIXES[name])
    statements = _grouped(((p, o, plabel, olabel) for p, o, plabel, olabel in out if str(p) not in _DERIVED), names)
    for p, o, _, _ in out:
        if str(p) not in _DERIVED and p is not None and o is not None:
            turtle.add((iri, p, o))
    parts: dict[str, list[tuple[Identifier | None, ...]]] = {}
    for part, p, o, plabel, olabel in engine.select(_PARTS, bound).rows:
        parts.setdefault(str(part)[len(str(iri)) + 1:], []).append((p, o, plabel, olabel))
        if part is not None and p is not None and o is not None:
            turtle.add((part, p, o))
    pointed = _grouped(((p, s, plabel, None) for s, p, plabel in engine.select(_IN, bound).rows
                        if str(p) not in _DERIVED), names)
    evidence = [(_value(src, None, names), str(text)) for src, text in engine.select(_EVIDENCE, bound).rows]
    node = names.nodes.get(ident)
    kind = node.kind if node else ""
    drawn = [(_value(fact, None, names), str(text)) for fact, text in engine.select(_DRAWN, bound).rows] \
        if kind == "SourceDocument" else []
    rates = sorted(((_date(day), str(rate), _value(measure, None, names))
                    for measure, rate, day in engine.select(_RATES, bound).rows), key=lambda r: (r[0] is None, r))\
        if kind == "TradeMeasure" else []
    return NodeFacts(ident, iri, node.label if node else ident, kind, statements,
                     {name: _grouped(rows, names) for name, rows in sorted(parts.items())}, pointed,
                     sorted(evidence, key=lambda e: (e[0].text, e[1])), sorted(drawn, key=lambda d: (d[0].text, d[1])),
                     rates, turtle.serialize(format="turtle"))


def _grouped(rows: object, names: Names) -> list[Statement]:
    found: dict[str, Statement] = {}
    for p, o, plabel, olabel in rows:  # type: ignore[attr-defined]
        name = str(plabel) if plabel is not None else _local(str(p))
        statement = found.setdefault(name, Statement(name))
        value = _value(o, olabel, names)
        if value not in statement.values:
            statement.values.append(value)
    for statement in found.values():
        statement.values.sort(key=lambda v: v.text)
    return sorted(found.values(), key=lambda s: (s.property != "label", s.property))


def _value(term: Identifier | None, label: Identifier | None, names: Names) -> Value:
    if isinstance(term, URIRef):
        ident = node_id(term, names.base)
        node = names.nodes.get(ident)
        text = str(label) if label is not None else node.label if node else _local(str(term))
        return Value(text, ident if node and ident != str(term) else None, iri=True)
    return Value("" if term is None else str(term))


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def _date(term: Identifier | None) -> date | None:
    value = term.toPython() if isinstance(term, Literal) else None
    return value if isinstance(value, date) else None

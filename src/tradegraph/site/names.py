"""What the pages know of the whole graph: every named node (its label and kind), the
sources, the counts and the span of dates, read once per graph with three SPARQL queries on
the same engine as the canned queries (local, store or endpoint).

A result cell names a node when it is the node's id, or a label that one node alone carries;
:meth:`Names.link` says which node, so every value in a table can link to its page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from tradegraph.facts.model import ID_PATTERN
from tradegraph.rdf.namespaces import PREFIXES
from tradegraph.sparql.engine import Engine
from tradegraph.sparql.text import bind_terms

_PREFIXES = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in ("rdfs", "skos", "tg"))
_NODES = _PREFIXES + """SELECT ?node ?label ?type WHERE {
  ?node rdfs:label|tg:title|tg:summary ?label .
  OPTIONAL { ?node a ?type }
}"""
_KINDS = _PREFIXES + "SELECT ?class ?kind WHERE { ?class tg:kindOf ?kind }"
# Two aggregates over their own patterns: MIN over a UNION's rows where ?begin is unbound is
# an error, hence unbound, on Oxigraph (rdflib skips the unbound rows), and the span was lost.
_SPAN = _PREFIXES + """SELECT ?first ?last WHERE {
  { SELECT (MIN(?begin) AS ?first) WHERE { ?fact tg:earliestBegin ?begin } }
  { SELECT (MAX(?end) AS ?last) WHERE { ?fact tg:latestEnd ?end } }
}"""
# The nodes whose name or alias holds the text (the names found first, in a subquery, so that
# Oxigraph scans the few thousand names once rather than every node of the class), of a class
# (by the derived closure: subclasses count); names that start with the text first, then the
# shortest. The text is written into the query as a term (bind_terms), subquery included.
_COMPLETE = _PREFIXES + """SELECT ?node (SAMPLE(?shown) AS ?label) (MIN(?name) AS ?matched) WHERE {
  { SELECT DISTINCT ?node ?name WHERE {
      { ?node tg:name ?name } UNION { ?node skos:altLabel ?name } UNION { ?node rdfs:label ?name }
      UNION { ?node skos:prefLabel ?name } UNION { ?node skos:notation ?name }
      FILTER(CONTAINS(LCASE(STR(?name)), ?text)) } }
  %s
  OPTIONAL { ?node rdfs:label ?shown }
} GROUP BY ?node
ORDER BY (MIN(IF(STRSTARTS(LCASE(STR(?name)), ?text), 0, 1))) (MIN(STRLEN(STR(?name)))) ?node
LIMIT %d"""
#: How many names the completion endpoint offers at most.
COMPLETE_LIMIT = 20
#: The kinds a node page knows, most telling first: a node's kind is the first it belongs to.
KINDS = ("SourceDocument", "TradeMeasure", "Actor", "Country", "Tenure", "Post", "Event", "Statement",
         "Claim", "Deadline", "EventTally", "Topic", "Place", "Fact")
#: How many names an input offers for completion (the rest are still accepted when typed).
COMPLETIONS = 2000


@dataclass
class Node:
    """A node with a name: its id (or IRI outside the project's base), label and kinds."""

    id: str
    label: str
    kinds: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return next((k for k in KINDS if k in self.kinds), "")


@dataclass
class Names:
    """Every named node of the graph, the kinds it belongs to, and the span of its dates."""

    base: str
    nodes: dict[str, Node]
    by_label: dict[str, str | None]
    first: date | None = None
    last: date | None = None

    def link(self, value: object) -> str | None:
        """The id of the node ``value`` names (its id, or a label no other node has), or None."""
        if not isinstance(value, str):
            return None
        found = value if value in self.nodes else self.by_label.get(value)
        return found if found is not None and is_local_id(found) else None

    def of_kind(self, *kinds: str) -> list[Node]:
        """The nodes of any of ``kinds`` (ontology class names), sorted by label."""
        wanted = set(kinds)
        return sorted((n for n in self.nodes.values() if n.kinds & wanted), key=lambda n: (n.label.lower(), n.id))

    def counts(self) -> dict[str, int]:
        """How many nodes of each kind the graph holds (kinds of :data:`KINDS` only)."""
        found = Counter(n.kind for n in self.nodes.values() if n.kind)
        return {kind: found[kind] for kind in KINDS if found[kind]}

    def completions(self, classes: tuple[str, ...]) -> list[str]:
        """The names an input for a node of ``classes`` (full IRIs) offers, at most :data:`COMPLETIONS`."""
        kinds = {c.rsplit("#", 1)[-1] for c in classes}
        nodes = self.of_kind(*kinds) if kinds else sorted(self.nodes.values(), key=lambda n: n.label.lower())
        return [n.label for n in nodes][:COMPLETIONS]


def read_names(engine: Engine, base: str) -> Names:
    """Every named node of the graph that ``engine`` answers for (ids relative to ``base``)."""
    tg = PREFIXES["tg"]
    kinds: dict[str, set[str]] = {}
    for cls, kind in engine.select(_KINDS, {}).rows:
        if isinstance(kind, URIRef) and str(kind).startswith(tg):
            kinds.setdefault(str(cls), set()).add(str(kind)[len(tg):])
    nodes: dict[str, Node] = {}
    for term, label, kind in engine.select(_NODES, {}).rows:
        if not isinstance(term, URIRef):
            continue
        ident = node_id(term, base)
        node = nodes.setdefault(ident, Node(ident, str(label)))
        if kind is not None:
            node.kinds |= kinds.get(str(kind), set()) | ({str(kind)[len(tg):]} if str(kind).startswith(tg) else set())
    labels: dict[str, str | None] = {}
    for node in nodes.values():
        labels[node.label] = node.id if node.label not in labels else None  # a label two nodes share names neither
    span = engine.select(_SPAN, {}).rows
    first, last = (span[0] if span else (None, None))
    return Names(base, nodes, labels, _day(first), _day(last))


@dataclass(frozen=True)
class Completion:
    """A node offered for what was typed: its id (what the input takes), label, and the name or alias matched."""

    id: str
    label: str
    matched: str


def complete(engine: Engine, classes: tuple[str, ...], text: str, *, base: str) -> list[Completion]:
    """At most :data:`COMPLETE_LIMIT` nodes of ``classes`` (full IRIs; none: any node) whose name or
    alias holds ``text`` (any case), names that start with it first; one query on ``engine``.

    >>> from tradegraph.query.run import runner_for
    >>> runner = runner_for("tests/fixtures/minimal")
    >>> complete(runner.engine, (PREFIXES["tg"] + "Actor",), "sam", base=runner.base)
    [Completion(id='bo', label='Bo Sample', matched='Bo Sample')]
    """
    wanted = text.strip().lower()
    if not wanted:
        return []
    found: list[Completion] = []
    for cls in classes or ("",):
        pattern = "?node a ?type . ?type tg:kindOf ?class ." if cls else ""
        bound: dict[str, Identifier] = {"text": Literal(wanted)} | ({"class": URIRef(cls)} if cls else {})
        text = bind_terms(_COMPLETE % (pattern, COMPLETE_LIMIT), bound)
        for node, label, matched in engine.select(text, {}).rows:
            if isinstance(node, URIRef) and not any(c.id == node_id(node, base) for c in found):
                found.append(Completion(node_id(node, base), str(label or matched), str(matched)))
    return found[:COMPLETE_LIMIT]


def node_id(term: URIRef, base: str) -> str:
    """The id of ``term`` under ``base`` (as the canned queries' rows give it), else its IRI."""
    text = str(term)
    rest = text[len(base):]
    return rest if text.startswith(base) and "/" not in rest and rest else text


def is_local_id(ident: str) -> bool:
    """Whether ``ident`` is an id as the facts write them (so that it can name a page)."""
    return re.fullmatch(ID_PATTERN, ident) is not None


def _day(term: object) -> date | None:
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None

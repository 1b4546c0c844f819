"""What a build derives from the facts and the ontology, so that the canned queries need no
property path (``*``, ``+``) and no range cross product: the named graph ``<base>graph/derived``.

The terms are defined in ``ontology/derived.ttl``:

- ``tg:kindOf``: the reflexive, transitive closure of ``rdfs:subClassOf`` (``?class tg:kindOf
  tg:Interaction`` for the class itself and every subclass at any depth);
- ``tg:withinTopic``, ``tg:withinEvent``, ``tg:supersedes``: the transitive closures of
  ``tg:broaderTopic``, ``tg:partOf`` and ``tg:replaces``;
- ``tg:earliestBegin``, ``tg:latestEnd``: the day keys of every dated fact (one with
  ``tg:when``), as ``xsd:dateTime`` at midnight: the start of its earliest day and the end of
  its latest one, an open interval closed by the fact's first report unless it starts after it;
- ``tg:CalendarDay``, ``tg:dayBegin``: a calendar of the days that some day key falls on, one
  node ``<base>day/YYYY-MM-DD`` a day, so that a query finds the facts of a range of days by
  choosing the calendar's few days in it and looking each key up, rather than testing every
  fact's key (``events-before-deadline``).

Only IRIs are related (a blank node of the ontology, such as a union of classes, is left out).
Nothing here is a fact: the derivation runs on facts that were validated, its graph is never
validated nor exported with the facts, and it is computed again from the facts and the
ontology whenever a graph is assembled. :func:`derive` does it on an rdflib dataset (in
Python), :func:`derive_store` on an Oxigraph store (in SPARQL, inside Oxigraph); both give the
same triples (``tests/test_derive.py``).

>>> from tradegraph.build.dataset import load_dataset
>>> from tradegraph.project import Project
>>> project = Project.open("tests/fixtures/minimal")
>>> derived = load_dataset(project).graph(URIRef(project.base + DERIVED_GRAPH))
>>> (TG.Meeting, KIND_OF, TG.Event) in derived, (TG.Event, KIND_OF, TG.Meeting) in derived
(True, False)
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from string import Template
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from tradegraph.facts.loader import RESERVED_GRAPHS
from tradegraph.rdf.graphs import DERIVED_GRAPH
from tradegraph.rdf.namespaces import QUERY_PREFIXES, TG
from tradegraph.rdf.oxterms import from_ox, to_ox
from tradegraph.rdf.views import union_view

KIND_OF, WITHIN_TOPIC, WITHIN_EVENT, SUPERSEDES = TG.kindOf, TG.withinTopic, TG.withinEvent, TG.supersedes
EARLIEST_BEGIN, LATEST_END = TG.earliestBegin, TG.latestEnd
CALENDAR_DAY, DAY_BEGIN = TG.CalendarDay, TG.dayBegin
#: Where a day of the calendar is, under the project's base IRI.
DAY_PATH = "day/"

#: Each transitive closure: the derived property and the property it closes.
CLOSURES = ((WITHIN_TOPIC, TG.broaderTopic), (WITHIN_EVENT, TG.partOf), (SUPERSEDES, TG.replaces))

Triple = tuple[Node, Node, Node]


def derive(dataset: Dataset, base: str) -> Graph:
    """Compute the derived triples of ``dataset`` (its facts and ontology, nothing inferred or
    derived before) into its named graph ``<base>graph/derived``, replacing what that held;
    return the graph."""
    name = URIRef(base + DERIVED_GRAPH)
    dataset.remove_graph(name)
    source = union_view(dataset, leave_out={URIRef(f"{base}graph/{n}") for n in RESERVED_GRAPHS if n != "ontology"}
                        | {name})
    named = dataset.graph(name)
    named.addN((s, p, o, named) for s, p, o in derived_triples(source, base))
    return named


def derived_triples(graph: Graph, base: str) -> Iterator[Triple]:
    """The derived triples of ``graph`` (facts and ontology as one graph), each once; the
    calendar's days under ``base``."""
    yield from _class_closure(graph)
    for derived, closed in CLOSURES:
        edges: dict[URIRef, set[URIRef]] = {}
        for s, o in graph.subject_objects(closed):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                edges.setdefault(s, set()).add(o)
        for start in edges:
            for reached in _reach(start, edges):
                yield start, derived, reached
    keys: set[Literal] = set()
    for triple in _day_keys(graph):
        keys.add(triple[2])  # type: ignore[arg-type]
        yield triple
    for key in sorted(keys):
        yield from calendar_day(key, base)


def calendar_day(key: Literal, base: str) -> tuple[Triple, Triple]:
    """The calendar's two triples for the day that the day key ``key`` (a midnight) starts."""
    day = URIRef(f"{base}{DAY_PATH}{str(key).partition('T')[0]}")
    return (day, RDF.type, CALENDAR_DAY), (day, DAY_BEGIN, key)


def _class_closure(graph: Graph) -> Iterator[Triple]:
    edges: dict[URIRef, set[URIRef]] = {}
    classes: set[URIRef] = set()
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            edges.setdefault(s, set()).add(o)
            classes.update((s, o))
    for kind in (OWL.Class, RDFS.Class):
        classes.update(c for c in graph.subjects(RDF.type, kind) if isinstance(c, URIRef))
    for cls in classes:
        yield cls, KIND_OF, cls
        for reached in _reach(cls, edges):
            if reached != cls:
                yield cls, KIND_OF, reached


def _reach(start: URIRef, edges: dict[URIRef, set[URIRef]]) -> set[URIRef]:
    """The nodes one or more edges away from ``start`` (``start`` too only on a loop)."""
    found: set[URIRef] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(edges.get(node, ()))
    return found


def _day_keys(graph: Graph) -> Iterator[Triple]:
    """Each dated fact's earliest begin and latest end, as the canned queries read its dates."""
    for fact, when in graph.subject_objects(TG.when):
        reports = _values(graph.objects(fact, TG.firstReported))
        for earliest in _values(graph.objects(when, TG.earliest)):
            for stated in _values(graph.objects(when, TG.latest)):
                for reported in reports:
                    begin = _midnight(earliest)
                    if begin is not None:
                        yield fact, EARLIEST_BEGIN, begin
                    closed = stated if stated is not None or _after(earliest, reported) else reported
                    end = _midnight(closed, days=1)
                    if end is not None:
                        yield fact, LATEST_END, end


def _values(found: Iterable[Node]) -> list[Node | None]:
    """The values found, or one unbound value (an OPTIONAL that matched nothing)."""
    return list(found) or [None]


def _day(value: Node | None) -> date | None:
    if not isinstance(value, Literal) or value.datatype != XSD.date:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:  # not YYYY-MM-DD: a time zone, or a value the shapes would refuse
        return None


def _after(earliest: Node | None, reported: Node | None) -> bool:
    """``?earliest > ?reported``, an error (either missing or not a date) read as false."""
    first, then = _day(earliest), _day(reported)
    return first is not None and then is not None and first > then


def _midnight(value: Node | None, *, days: int = 0) -> Literal | None:
    day = _day(value)
    if day is None:
        return None
    try:
        day += timedelta(days=days)
    except OverflowError:
        return None
    return Literal(f"{day.isoformat()}T00:00:00", datatype=XSD.dateTime)


#: The same derivation in SPARQL, one CONSTRUCT a kind of triple, run by Oxigraph over the
#: union of the store's graphs.
STORE_QUERIES = (
    """CONSTRUCT { ?class tg:kindOf ?class } WHERE {
         { ?class rdfs:subClassOf [] } UNION { [] rdfs:subClassOf ?class }
         UNION { ?class a owl:Class } UNION { ?class a rdfs:Class }
         FILTER(isIRI(?class)) }""",
    """CONSTRUCT { ?class tg:kindOf ?super } WHERE {
         ?class rdfs:subClassOf+ ?super FILTER(isIRI(?class) && isIRI(?super)) }""",
    *(f"""CONSTRUCT {{ ?a <{derived}> ?b }} WHERE {{
         ?a <{closed}>+ ?b FILTER(isIRI(?a) && isIRI(?b)) }}""" for derived, closed in CLOSURES),
    """CONSTRUCT { ?e tg:earliestBegin ?begin . ?e tg:latestEnd ?end } WHERE {
         ?e tg:when ?when .
         OPTIONAL { ?when tg:earliest ?earliest }
         OPTIONAL { ?when tg:latest ?stated }
         OPTIONAL { ?e tg:firstReported ?reported }
         BIND(IF(BOUND(?stated) || COALESCE(?earliest > ?reported, false), ?stated, ?reported) AS ?latest)
         # a day as Python reads one (YYYY-MM-DD: a four-digit year, no time zone), and a day after
         # it only up to 9999-12-31
         BIND(IF(DATATYPE(?earliest) = xsd:date && STRLEN(STR(?earliest)) = 10,
                 xsd:dateTime(CONCAT(STR(?earliest), "T00:00:00")), ?none) AS ?begin)
         # the day after: minus a negative day, since Oxigraph 0.5 reads a date plus a duration as an error
         BIND(IF(DATATYPE(?latest) = xsd:date && STRLEN(STR(?latest)) = 10 && STR(?latest) != "9999-12-31",
                 xsd:dateTime(CONCAT(STR(?latest), "T00:00:00")) - "-P1D"^^xsd:dayTimeDuration, ?none) AS ?end) }""",
)
#: The calendar, from the day keys the queries above derived into the graph ``$derived``
#: (``$base`` is the base IRI, both written in as terms; ``$day`` is :data:`DAY_PATH`).
CALENDAR_QUERY = Template("""CONSTRUCT { ?day a tg:CalendarDay ; tg:dayBegin ?key } WHERE {
     { SELECT DISTINCT ?key WHERE { GRAPH $derived { ?e tg:earliestBegin|tg:latestEnd ?key } } }
     BIND(IRI(CONCAT(STR($base), "$day", STRBEFORE(STR(?key), "T"))) AS ?day) }""")


def derive_store(store: ox.Store, base: str, *, touched: set[Any] | None = None) -> int:
    """Compute the derived triples of ``store`` (the union of its graphs, before any derived
    graph) into its named graph ``<base>graph/derived``, replacing what that held; return how
    many it holds. The triples never pass through Python: each CONSTRUCT is serialized by
    Oxigraph to a temporary file and bulk-loaded from it.

    With ``touched`` (the subjects of the quads an incremental build removed or added), the
    closures are computed again (they are small, and cross files) and the day keys only of
    the facts among ``touched`` or whose ``tg:when`` is: a fact's day keys come from its own
    triples alone. The calendar then gains the days of their new keys and loses those of their
    old keys that no other fact holds. It then returns -1, not the count.
    """
    name = ox.NamedNode(base + DERIVED_GRAPH)
    prefixes = {**QUERY_PREFIXES, "owl": str(OWL)}
    *closures, days = STORE_QUERIES
    keys: set[Any] = set()
    if touched is None:
        if store.contains_named_graph(name):
            store.remove_graph(name)
        queries = [*STORE_QUERIES, CALENDAR_QUERY.substitute(base=str(ox.NamedNode(base)), derived=str(name),
                                                              day=DAY_PATH)]
    else:
        for predicate in (KIND_OF, WITHIN_TOPIC, WITHIN_EVENT, SUPERSEDES):
            for quad in list(store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None, name)):
                store.remove(quad)
        facts = _dated(store, touched)
        for predicate in (EARLIEST_BEGIN, LATEST_END):
            for node in facts:
                for quad in list(store.quads_for_pattern(node, ox.NamedNode(str(predicate)), None, name)):
                    keys.add(quad.object)
                    store.remove(quad)
        ordered = sorted(facts, key=str)
        queries = [*closures, *(days.replace("WHERE {", "WHERE { VALUES ?e { " + " ".join(
            str(node) for node in ordered[start:start + 500]) + " }", 1) for start in range(0, len(ordered), 500))]
    for text in queries:
        triples: Any = store.query(text, prefixes=prefixes, use_default_graph_as_union=True)
        with tempfile.TemporaryFile() as spool:
            triples.serialize(spool, ox.RdfFormat.N_TRIPLES)
            spool.seek(0)
            if touched is None:
                store.bulk_load(spool, ox.RdfFormat.N_TRIPLES, to_graph=name)
            else:
                store.load(spool, ox.RdfFormat.N_TRIPLES, to_graph=name)
    if touched is not None:  # counting them all would take longer than deriving (0.9 s at 100k events)
        _mend_calendar(store, name, base, facts, keys)
        return -1
    return sum(1 for _ in store.quads_for_pattern(None, None, None, name))


def _mend_calendar(store: ox.Store, name: ox.NamedNode, base: str, facts: set[Any], old: set[Any]) -> None:
    """Keep the calendar of ``name`` in step with the day keys of ``facts``, which were ``old``."""
    predicates = [ox.NamedNode(str(p)) for p in (EARLIEST_BEGIN, LATEST_END)]
    keys = set(old)
    for node in facts:
        for predicate in predicates:
            keys.update(quad.object for quad in store.quads_for_pattern(node, predicate, None, name))
    for key in keys:
        quads = [ox.Quad(to_ox(day), to_ox(prop), to_ox(value), name)
                 for day, prop, value in calendar_day(from_ox(key), base)]  # type: ignore[arg-type]
        if any(next(store.quads_for_pattern(None, p, key, name), None) for p in predicates):
            store.extend(quads)
        else:
            for quad in quads:
                store.remove(quad)


def _dated(store: ox.Store, touched: set[Any]) -> set[Any]:
    """The nodes among ``touched`` and those whose ``tg:when`` is among them (IRIs only)."""
    when = ox.NamedNode(str(TG.when))
    found = {node for node in touched if isinstance(node, ox.NamedNode)}
    for node in list(found):
        found.update(quad.subject for quad in store.quads_for_pattern(None, when, node, None)
                     if isinstance(quad.subject, ox.NamedNode))
    return found

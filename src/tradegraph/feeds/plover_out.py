"""``tradegraph export -f plover``: the graph's events as PLOVER JSON Lines.

Every event whose type has a PLOVER category (the rows of ``mappings/events.csv`` marked
``export``: meetings, calls, visits and rounds of talks as CONSULT, criticism as ACCUSE,
tariff threats as THREATEN) becomes one record: ``id`` (the event's id), ``date`` and
``enddate`` (the earliest and latest day of its date), ``actor`` and ``recipient``, ``event``,
``mode``, ``context``, ``event_loc``, ``event_text`` (its evidence) and ``cite_info`` (its
source's URL, title, publisher and language), plus ``cameo``, an extension field PLOVER allows,
that ``import plover`` reads back. The CONSULT rule: the visitor is the actor and the host the
recipient (and the one called the recipient of a call); without such roles every participant is
an actor. Each entity carries its country (ISO alpha-3), its name, and its Wikidata id where the
graph has one. Statements, letters, ceremonies, occasions, elections and trips have no PLOVER
category and are left out, as are events planned, cancelled, uncertain or retracted.
Events come out sorted by id: the same facts give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from tradegraph.build.dataset import ValidGraph
from tradegraph.build.provider import validated_graph
from tradegraph.feeds.mapping import country_codes, event_table
from tradegraph.project import Project
from tradegraph.rdf.namespaces import TG

_RECIPIENT_ROLES = (TG.HostRole, TG.CalleeRole)
#: The statuses of events that took place (a planned, cancelled or uncertain one is no PLOVER event).
_REPORTED = ("Happened", "Reported")
_WIKIDATA = "http://www.wikidata.org/entity/"


def plover_export(project: Project) -> str:
    """The project's events as PLOVER JSON Lines (one record a line)."""
    return plover_lines(validated_graph(project))


def plover_lines(valid: ValidGraph) -> str:
    """Like :func:`plover_export`, from a graph already validated."""
    graph, base = valid.graph, valid.base
    table = event_table()
    lines = []
    for event in sorted(set(graph.subjects(TG.eventType, None)), key=str):
        event_type = graph.value(event, TG.eventType)
        row = table.for_export(str(event_type).rsplit("/", 1)[-1]) if event_type else None
        if row is None or not isinstance(event, URIRef) or (event, TG.retractedBy, None) in graph:
            continue
        status = graph.value(event, TG.status)
        if status is not None and str(status).rsplit("#", 1)[-1] not in _REPORTED:
            continue
        record = _record(graph, base, event, row.plover_event, row.plover_mode, row.plover_context, row.cameo)
        if record is not None:
            lines.append(json.dumps(record, ensure_ascii=False, sort_keys=False))
    return "".join(line + "\n" for line in lines)


def _local(node: Node, base: str) -> str:
    return str(node).removeprefix(base)


def _record(graph: Graph, base: str, event: URIRef, category: str, mode: str, context: str,
            cameo: str) -> dict[str, Any] | None:
    roles: dict[Node, Node] = {}
    for participation in graph.objects(event, TG.participation):
        agent, role = graph.value(participation, TG.agent), graph.value(participation, TG.role)
        if agent is not None and role is not None:
            roles[agent] = role
    actors = sorted(set(graph.objects(event, TG.participant)), key=str)
    recipients: list[Node] = []
    if actors:
        recipients = [a for a in actors if roles.get(a) in _RECIPIENT_ROLES]
        if len(recipients) == len(actors):
            recipients = []
        actors = [a for a in actors if a not in recipients]
    else:  # a statement or a letter: the speaker speaks to its target or addressee
        actors = [a for a in graph.objects(event, TG.speaker)]
        recipients = sorted(set(graph.objects(event, TG.target)) | set(graph.objects(event, TG.addressee)), key=str)
    if not actors:
        return None
    when = graph.value(event, TG.when)
    earliest = graph.value(when, TG.earliest) if when is not None else None
    latest = graph.value(when, TG.latest) if when is not None else None
    if earliest is None:
        return None
    record: dict[str, Any] = {"id": _local(event, base), "date": str(earliest)[:10]}
    if latest is not None and str(latest)[:10] != record["date"]:
        record["enddate"] = str(latest)[:10]
    record["actor"] = [_entity(graph, a) for a in actors]
    if recipients:
        record["recipient"] = [_entity(graph, r) for r in recipients]
    record["event"] = [category]
    if mode:
        record["mode"] = [mode]
    if context:
        record["context"] = [context]
    record["cameo"] = cameo
    place = graph.value(event, TG.place)
    if place is not None:
        record["event_loc"] = _place(graph, place)
    evidence = sorted(str(e) for e in graph.objects(event, TG.evidence))
    if evidence:
        record["event_text"] = evidence
    source = graph.value(event, TG.source)
    if source is not None:
        record["cite_info"] = _cite(graph, source)
    return record


def _country(graph: Graph, node: Node | None) -> str | None:
    iso = graph.value(node, TG.isoCode) if node is not None else None
    return country_codes().alpha3.get(str(iso)) if iso is not None else None


def _entity(graph: Graph, actor: Node) -> dict[str, Any]:
    entity: dict[str, Any] = {}
    if (actor, RDF.type, TG.Country) in graph:  # a statement's target may be a country: its code alone
        return {"code": _country(graph, actor)}
    country = graph.value(actor, TG.country) or graph.value(actor, TG.jurisdiction)
    code = _country(graph, country)
    if code:
        entity["code"] = code
    if (actor, RDF.type, TG.Government) in graph:
        entity["sector"] = "GOV"
    else:
        name = graph.value(actor, TG.name)
        if name is not None:
            entity["entity_text"] = str(name)
    qid = graph.value(actor, TG.wikidata)
    if qid is not None and str(qid).startswith(_WIKIDATA):
        entity["identifier_id"] = str(qid).removeprefix(_WIKIDATA)
        name = graph.value(actor, TG.name)
        if name is not None:
            entity["identifier_text"] = str(name)
    return entity


def _place(graph: Graph, place: Node) -> dict[str, Any]:
    if (place, RDF.type, TG.Country) in graph:
        return {"resolved_place": str(graph.value(place, TG.name) or ""), "country_code": _country(graph, place),
                "resolution": 1}
    location: dict[str, Any] = {"resolved_place": str(graph.value(place, TG.name) or "")}
    code = _country(graph, graph.value(place, TG.country))
    if code:
        location["country_code"] = code
    return location


def _cite(graph: Graph, source: Node) -> dict[str, Any]:
    cite: dict[str, Any] = {}
    for key, prop in (("url", TG.url), ("title", TG.title), ("language", TG.language)):
        value = graph.value(source, prop)
        if value is not None:
            cite[key] = str(value)
    publisher = graph.value(source, TG.publisher)
    if publisher is not None and graph.value(publisher, TG.name) is not None:
        cite["publication"] = str(graph.value(publisher, TG.name))
    cite["coder"] = "tradegraph export"
    return cite

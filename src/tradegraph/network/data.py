"""Read the actors and the events they took part in out of the loaded facts.

This is the RDF side of the actor network (:mod:`tradegraph.network.graph` builds the graph).
What it reads is what the ``network:`` block of ``model.yaml`` declares: the kinds of actor,
and the records that link actors with the fields that name them (``participants``; a letter's
``speaker`` and ``addressee``). It turns them into plain records, with each event's date,
mode, status, the larger record it is part of, its sources and the evidence each source gives.
Tokens are the ones analysts write in ``graph/`` (``in-person``, ``happened``, ``host``).

>>> from tradegraph.project import Project
>>> from tradegraph.facts.loader import load_facts
>>> data = read_network_data(load_facts(Project.open("tests/fixtures/minimal")))
>>> sorted(data.actors)
['ana', 'atlantis-government', 'bo']
>>> data.events["ana-bo-meeting"].participants
(('ana', 'host'), ('bo', 'participant'))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from tradegraph.build.dataset import FactGraphs, fact_union
from tradegraph.facts.model import load_model
from tradegraph.rdf.namespaces import TG, local_name


@dataclass(frozen=True)
class Actor:
    """A node of the network: a person, government, ministry, party, organization or delegation."""

    id: str
    name: str
    kind: str
    country: str | None = None        # the country's id, e.g. "japan"
    country_name: str | None = None
    iso: str | None = None
    posts: tuple[str, ...] = ()       # "U.S. Treasury Secretary", "former Internal Affairs Minister of Japan"
    wikidata: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A source document of an event and the evidence it gives."""

    id: str
    title: str
    publisher: str | None
    published: str | None
    url: str | None
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """An event that actors took part in: a meeting, call, visit, trip, talks, ceremony or letter."""

    id: str
    label: str
    kind: str                         # the class: Meeting, PhoneCall, Letter, ...
    type: str | None                  # the event type token: meeting, conversation, ...
    status: str                       # happened, planned, ... ("unstated" when the fact gives none)
    mode: str | None
    place: str | None
    earliest: date | None
    latest: date | None
    when_text: str | None
    participants: tuple[tuple[str, str], ...]   # (actor id, role token)
    sources: tuple[SourceRef, ...]
    retracted: bool = False
    part_of: str | None = None        # the id of the larger record this one is part of
    origin: str = "curated"           # "coded" when a machine coded it from an event feed

    @property
    def date_label(self) -> str:
        """The date as an analyst would say it: ``2025-07-19`` or ``2025-04-01 – 2025-07-11``."""
        first, last = self.earliest, self.latest
        if first and last:
            return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        if first:
            return f"from {first.isoformat()}"
        return f"until {last.isoformat()}" if last else "undated"


@dataclass
class NetworkData:
    """Every actor and every event with participants, before any filter; ``wholes`` maps
    every record that is part of another (events, tallies, occasions alike) to that one."""

    actors: dict[str, Actor] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    wholes: dict[str, str] = field(default_factory=dict)


def read_network_data(facts: FactGraphs) -> NetworkData:
    """Actors and events of ``facts`` (retracted events are kept, marked ``retracted``)."""
    return _Reader(facts).read()


class _Reader:
    def __init__(self, facts: FactGraphs) -> None:
        self.facts = facts
        self.graph = fact_union(facts.dataset, facts.base)  # a view of the facts, not a copy
        self.base = facts.base
        self.model = load_model()

    def read(self) -> NetworkData:
        data = NetworkData()
        for node, kind in self._actor_nodes():
            data.actors[self.local(node)] = self._actor(node, kind)
        part_of = URIRef(self.model.expand(self.model.network.part_of))
        data.wholes = {self.local(s): self.local(o) for s, o in self.graph.subject_objects(part_of)}
        for node, members in sorted(self._linking_nodes().items()):
            event = self._event(node, members, data.wholes.get(self.local(node)))
            if event.participants:
                data.events[event.id] = event
        return data

    # ------------------------------------------------------------------ actors
    def _actor_nodes(self) -> list[tuple[URIRef, str]]:
        found: dict[URIRef, str] = {}
        for kind in reversed(self.model.network.actors):   # the most specific kind comes first
            for node in self.graph.subjects(RDF.type, self._class(kind)):
                if isinstance(node, URIRef):
                    found[node] = kind
        return sorted(found.items())

    def _class(self, kind: str) -> URIRef:
        return URIRef(self.model.expand(self.model.kinds[kind].rdf_class or ""))

    def _actor(self, node: URIRef, kind: str) -> Actor:
        country = self._country_of(node)
        return Actor(
            id=self.local(node), name=self.name(node), kind=kind,
            country=self.local(country) if country else None,
            country_name=self.name(country) if country else None,
            iso=self.text(country, TG.isoCode) if country else None,
            posts=self._posts(node),
            wikidata=str(w).rsplit("/", 1)[-1] if (w := self.graph.value(node, TG.wikidata)) else None)

    def _country_of(self, node: Node, depth: int = 0) -> URIRef | None:
        for prop in (TG.country, TG.jurisdiction):
            value = self.graph.value(node, prop)
            if isinstance(value, URIRef):
                return value
        for prop in (TG.subOrganizationOf, TG.delegationOf):
            parent = self.graph.value(node, prop)
            if parent is None or depth > 5:
                continue
            if (parent, RDF.type, TG.Country) in self.graph:
                return parent if isinstance(parent, URIRef) else None
            return self._country_of(parent, depth + 1)
        return None

    def _posts(self, person: URIRef) -> tuple[str, ...]:
        posts = []
        for tenure in self.graph.subjects(TG.holder, person):
            if (tenure, TG.retractedBy, None) in self.graph:
                continue
            name = self.name(self.graph.value(tenure, TG.post))
            former = self.graph.value(tenure, TG.tenureStatus) == TG.FormerTenure
            posts.append(f"former {name}" if former else name)
        return tuple(sorted(posts))

    # ------------------------------------------------------------------ events
    def _linking_nodes(self) -> dict[URIRef, set[tuple[str, str]]]:
        """Every record of a kind that links actors, with the (actor, role) pairs it names."""
        found: dict[URIRef, set[tuple[str, str]]] = {}
        for links in self.model.network.links:
            for kind in links.kinds:
                fields = self.model.kinds[kind].fields
                for node in self.graph.subjects(RDF.type, self._class(kind)):
                    if isinstance(node, URIRef):
                        members = found.setdefault(node, set())
                        for name, role in links.fields.items():
                            members |= self._members(node, fields[name].property, role)
        return found

    def _members(self, node: URIRef, prop: str, role: str) -> set[tuple[str, str]]:
        """The actors ``node`` names with ``prop`` (a CURIE), each with ``role`` unless a
        participation gives it another."""
        members = {(self.local(a), role) for a in self.graph.objects(node, URIRef(self.model.expand(prop)))}
        for part in self.graph.objects(node, TG.participation):
            agent, given = self.graph.value(part, TG.agent), self.graph.value(part, TG.role)
            if agent is not None and given is not None and (self.local(agent), role) in members:
                members.discard((self.local(agent), role))
                members.add((self.local(agent), _token("role", given)))
        return members

    def _event(self, node: URIRef, participants: set[tuple[str, str]], part_of: str | None) -> Event:
        g = self.graph
        when = g.value(node, TG.when)
        status = g.value(node, TG.status)
        place = g.value(node, TG.place)
        return Event(
            id=self.local(node), label=self.text(node, TG.name) or self.name(node),
            kind=_class_name(g, node), type=_concept(g.value(node, TG.eventType)),
            status=_token("event-status", status) if status is not None else "unstated",
            mode=_token("mode", m) if (m := g.value(node, TG.mode)) is not None else None,
            place=self.name(place) if place is not None else None,
            earliest=_date(g.value(when, TG.earliest)) if when else None,
            latest=_date(g.value(when, TG.latest)) if when else None,
            when_text=self.text(when, TG.asWritten) if when else None,
            participants=tuple(sorted(participants)),
            sources=self._sources(node),
            retracted=(node, TG.retractedBy, None) in g, part_of=part_of,
            origin="coded" if (node, TG.recordOrigin, TG.Coded) in g else "curated")

    def _sources(self, node: URIRef) -> tuple[SourceRef, ...]:
        refs = []
        every = tuple(sorted(str(e) for e in self.graph.objects(node, TG.evidence)))
        for source in sorted(s for s in self.graph.objects(node, TG.source) if isinstance(s, URIRef)):
            named = self.facts.dataset.graph(self.facts.graph_iri(self.local(source)))
            own = tuple(sorted(str(e) for e in named.objects(node, TG.evidence)))
            publisher = self.graph.value(source, TG.publisher)
            published = self.graph.value(source, TG.publicationDate)
            refs.append(SourceRef(
                id=self.local(source), title=self.text(source, TG.title) or self.local(source),
                publisher=self.name(publisher) if publisher is not None else None,
                published=str(published) if published is not None else None,
                url=self.text(source, TG.url), evidence=own or every))
        return tuple(refs)

    # ------------------------------------------------------------------ values
    def local(self, node: Node) -> str:
        text = str(node)
        return text[len(self.base):] if text.startswith(self.base) else text

    def text(self, node: Node | None, prop: URIRef) -> str | None:
        values = sorted(str(v) for v in self.graph.objects(node, prop)
                        if isinstance(v, Literal) and not v.language) if node is not None else []
        return values[0] if values else None

    def name(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.text(node, TG.name) or self.text(node, RDFS.label) or self.local(node)


@cache
def _reverse(vocabulary: str) -> dict[str, str]:
    model = load_model()
    return {model.expand(curie): token for token, curie in model.vocabularies[vocabulary].items()}


def _token(vocabulary: str, concept: Node) -> str:
    return _reverse(vocabulary).get(str(concept), _concept(concept) or str(concept))


def _concept(node: Node | None) -> str | None:
    return None if node is None else local_name(node)


def _class_name(graph: Graph, node: URIRef) -> str:
    names = sorted(_concept(c) or "" for c in graph.objects(node, RDF.type)
                   if str(c).startswith(str(TG)) and c != TG.Quote)
    return names[0] if names else "Event"


def _date(value: Node | None) -> date | None:
    python = value.toPython() if isinstance(value, Literal) else None
    return python if isinstance(python, date) else None

"""Read the actors and the events they took part in out of the loaded facts.

This is the RDF side of the actor network (:mod:`tradegraph.network.graph` builds the graph): it
turns ``tg:participant`` (and a letter's ``tg:speaker`` and ``tg:addressee``) into plain
records, with each event's date, mode, status, sources and the evidence each source gives.
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
from tradegraph.facts.loader import TG
from tradegraph.facts.model import load_model
from tradegraph.rdf.namespaces import local_name

#: Actor classes, most specific first, and the kind each becomes.
ACTOR_KINDS = {
    TG.Delegation: "delegation", TG.Ministry: "ministry", TG.Government: "government",
    TG.PoliticalParty: "party", TG.Person: "person", TG.Organization: "organization",
}


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
    """Every actor and every event with participants, before any filter."""

    actors: dict[str, Actor] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)


def read_network_data(facts: FactGraphs) -> NetworkData:
    """Actors and events of ``facts`` (retracted events are kept, marked ``retracted``)."""
    return _Reader(facts).read()


class _Reader:
    def __init__(self, facts: FactGraphs) -> None:
        self.facts = facts
        self.graph = fact_union(facts.dataset, facts.base)  # a view of the facts, not a copy
        self.base = facts.base

    def read(self) -> NetworkData:
        data = NetworkData()
        for node, kind in self._actor_nodes():
            data.actors[self.local(node)] = self._actor(node, kind)
        event_nodes = {s for s in self.graph.subjects(TG.participant, None)}
        event_nodes |= set(self.graph.subjects(RDF.type, TG.Letter))
        for node in sorted(event_nodes - set(self.graph.subjects(RDF.type, TG.EventTally))):
            if isinstance(node, URIRef):
                event = self._event(node)
                if event.participants:
                    data.events[event.id] = event
        return data

    # ------------------------------------------------------------------ actors
    def _actor_nodes(self) -> list[tuple[URIRef, str]]:
        found: dict[URIRef, str] = {}
        for cls, kind in reversed(list(ACTOR_KINDS.items())):   # the most specific class wins
            for node in self.graph.subjects(RDF.type, cls):
                if isinstance(node, URIRef):
                    found[node] = kind
        return sorted(found.items())

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
    def _event(self, node: URIRef) -> Event:
        g = self.graph
        when = g.value(node, TG.when)
        participants = {(self.local(a), "participant") for a in g.objects(node, TG.participant)}
        for part in g.objects(node, TG.participation):
            agent, role = g.value(part, TG.agent), g.value(part, TG.role)
            if agent is not None and role is not None:
                participants.discard((self.local(agent), "participant"))
                participants.add((self.local(agent), _token("role", role)))
        for prop, role in ((TG.speaker, "sender"), (TG.addressee, "addressee")):
            if (node, RDF.type, TG.Letter) in g:
                participants |= {(self.local(a), role) for a in g.objects(node, prop)}
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
            retracted=(node, TG.retractedBy, None) in g)

    def _sources(self, node: URIRef) -> tuple[SourceRef, ...]:
        refs = []
        every = tuple(sorted(str(e) for e in self.graph.objects(node, TG.evidence)))
        for source in sorted(self.graph.objects(node, TG.source)):
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

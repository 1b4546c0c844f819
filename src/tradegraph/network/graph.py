"""The actor network: actors as nodes, an edge between two actors for their encounters.

A projection of the facts onto a weighted, undirected :class:`networkx.Graph`, as the
``network:`` block of ``model.yaml`` declares it:

- nodes are actors (people, governments, ministries and parties; with
  ``include_organizations`` also organizations and delegations) that took part in at least
  one event kept by the filter; each carries its name, kind, country, posts and every kept
  event it took part in;
- an edge joins two actors for every encounter: an event both took part in (a meeting,
  call, visit, trip, talks, ceremony or occasion through its participants; a letter joins
  its sender and addressee), counted once with its parts. An event does not count for a
  pair when one of its parts (``part_of`` it, at any depth) links the same pair and is
  kept: a round of talks and the three calls in it are three encounters, a visit and the
  talks and tour during it one. Its ``weight`` is the number of encounters, and it carries
  their ids, dates, types, modes and sources, and (``within``) the larger events they were
  part of;
- ``graph.graph["events"]`` holds the details of every kept event.

Which events count is decided by :class:`NetworkFilter`. By default retracted facts are
left out, and so are events that did not (or not yet) happen: only statuses ``happened``,
``reported`` and ``unstated`` (a letter that gives no status) count;
``include_unconfirmed`` adds planned and uncertain ones. The query ``contact-counts``
counts the same encounters (``tests/test_network_agrees.py``).

>>> from tradegraph.project import Project
>>> from tradegraph.facts.loader import load_facts
>>> graph = actor_network(load_facts(Project.open("tests/fixtures/minimal")))
>>> sorted(graph.edges(data="weight"))
[('ana', 'bo', 1)]
>>> graph.nodes["ana"]["posts"]
['Trade Minister of Atlantis']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import TYPE_CHECKING, Any

from tradegraph.build.dataset import FactGraphs
from tradegraph.errors import UsageError, did_you_mean
from tradegraph.facts.model import load_model
from tradegraph.network.data import Actor, Event, NetworkData, read_network_data

if TYPE_CHECKING:  # networkx is imported where a network is made: the CLI starts faster
    import networkx as nx


#: Which events a network keeps by how they came into the graph (``--origin``), as the queries say it.
ORIGINS = ("all", "curated", "coded")


@dataclass(frozen=True)
class NetworkFilter:
    """Which events make the network. Dates mean what they mean in the canned queries:
    ``after`` keeps events known to start after it, ``before`` those known to end before it
    (an event whose start, or end, is unknown is then left out).

    >>> NetworkFilter(after=date(2025, 7, 1), modes=("in-person",)).describe()
    'events from 2025-07-01, in person'
    """

    before: date | None = None
    after: date | None = None
    modes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()      # none: the statuses the model counts
    include_organizations: bool = False
    include_unconfirmed: bool = False
    include_retracted: bool = False
    origin: str = "all"                 # or "curated" (by a person) or "coded" (from an event feed)

    def describe(self) -> str:
        """The filter in words, for titles: ``all dates`` when nothing is set."""
        parts = [_span(self.after, self.before)]
        if self.modes:
            parts.append(" or ".join(m.replace("-", " ") for m in self.modes))
        if self.countries:
            parts.append("involving " + " or ".join(self.countries))
        if self.statuses and tuple(self.statuses) != load_model().network.statuses:
            parts.append("status " + " or ".join(self.statuses))
        if self.include_unconfirmed:
            parts.append("unconfirmed events included")
        if self.include_retracted:
            parts.append("retracted facts included")
        if self.origin != "all":
            parts.append(f"{self.origin} events only")
        return ", ".join(parts)

    def counted_statuses(self) -> tuple[str, ...]:
        """The statuses of the events kept: those chosen (or the model's), and with
        ``include_unconfirmed`` the unconfirmed ones."""
        network = load_model().network
        unconfirmed = network.unconfirmed if self.include_unconfirmed else ()
        return tuple(dict.fromkeys((*(self.statuses or network.statuses), *unconfirmed)))

    def keeps(self, event: Event, actors: dict[str, Actor]) -> bool:
        """Whether ``event`` passes the filter (countries are checked against ``actors``)."""
        if event.retracted and not self.include_retracted:
            return False
        if self.origin != "all" and event.origin != self.origin:
            return False
        if event.status not in self.counted_statuses() or (self.modes and event.mode not in self.modes):
            return False
        if self.after and not (event.earliest and event.earliest > self.after):
            return False
        if self.before and not (event.latest and event.latest < self.before):
            return False
        if self.countries:
            return any(actors[a].country in self.countries for a, _ in event.participants if a in actors)
        return True


def actor_network(facts: FactGraphs, filters: NetworkFilter | None = None) -> nx.Graph[str]:
    """The actor network of ``facts`` (the validated graph, or facts as loaded), with the
    events ``filters`` keeps (see the module)."""
    return network_from_data(read_network_data(facts), filters or NetworkFilter())


def network_from_data(data: NetworkData, filters: NetworkFilter) -> nx.Graph[str]:
    """Build the network from already-read :class:`~tradegraph.network.data.NetworkData`."""
    import networkx as nx

    filters = check_filter(filters, data)
    declared = load_model().network
    kinds = declared.actors if filters.include_organizations else declared.default_actors
    actors = {k: a for k, a in data.actors.items() if a.kind in kinds}
    events = [e for e in data.events.values() if filters.keeps(e, data.actors)]
    graph: nx.Graph[str] = nx.Graph(title="Actor network", filter=filters.describe(),
                     countries=sorted({a.country for a in data.actors.values() if a.country}))
    involved: dict[str, list[Event]] = {}
    for event in events:
        for actor in sorted({a for a, _ in event.participants if a in actors}):
            involved.setdefault(actor, []).append(event)
    for ident in sorted(involved):
        graph.add_node(ident, **_node_attributes(actors[ident], involved[ident]))
    shared: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        members = sorted({a for a, _ in event.participants if a in actors})
        for pair in combinations(members, 2):
            shared.setdefault(pair, []).append(event)
    for (left, right), together in sorted(shared.items()):
        graph.add_edge(left, right, **_edge_attributes(encounters(together, data.wholes), together))
    kept = sorted(events, key=_event_order)
    graph.graph["events"] = {e.id: event_details(e, data.actors) for e in kept}
    return graph


def encounters(shared: list[Event], wholes: dict[str, str]) -> list[Event]:
    """The encounters among the kept events ``shared`` by two actors: each event but those
    that one of the others is part of (``wholes``: record -> the record it is part of), at any
    depth. An event and its parts count once, as its parts.

    >>> from tradegraph.network.data import Event
    >>> def event(ident: str) -> Event:
    ...     return Event(ident, ident, "Meeting", None, "happened", None, None, None, None, None, (), ())
    >>> [e.id for e in encounters([event("round"), event("call-1"), event("call-2")],
    ...                           {"call-1": "round", "call-2": "round", "round": "trips"})]
    ['call-1', 'call-2']
    """
    covered: set[str] = set()
    for event in shared:
        whole = wholes.get(event.id)
        while whole is not None and whole not in covered:   # stops on a cycle too
            covered.add(whole)
            whole = wholes.get(whole)
    return [event for event in shared if event.id not in covered]


def check_filter(filters: NetworkFilter, data: NetworkData) -> NetworkFilter:
    """``filters`` with countries resolved to ids; a :class:`UsageError` for unknown values."""
    model = load_model()
    for name, values, known in (("mode", filters.modes, model.vocabularies["mode"]),
                                ("status", filters.statuses, [*model.vocabularies["event-status"], "unstated"])):
        for value in values:
            if value not in known:
                raise UsageError(f"unknown {name} '{value}'", expected="one of " + ", ".join(known),
                                 hint=did_you_mean(value, list(known)))
    if filters.origin not in ORIGINS:
        raise UsageError(f"unknown origin '{filters.origin}'", expected="one of " + ", ".join(ORIGINS),
                         hint=did_you_mean(filters.origin, list(ORIGINS)))
    if filters.after and filters.before and filters.after > filters.before:
        raise UsageError(f"--after {filters.after} is later than --before {filters.before}",
                         expected="an --after date on or before the --before date")
    names: dict[str, str] = {}
    for actor in data.actors.values():
        if actor.country:
            for alias in (actor.country, actor.country_name, actor.iso):
                if alias:
                    names[alias.casefold()] = actor.country
    countries = []
    for value in filters.countries:
        if value.casefold() not in names:
            choices = sorted({a.country for a in data.actors.values() if a.country})
            raise UsageError(f"unknown country '{value}'",
                             expected="a country id, name or ISO code such as " + ", ".join(choices),
                             hint=did_you_mean(value, choices))
        countries.append(names[value.casefold()])
    return NetworkFilter(before=filters.before, after=filters.after, modes=tuple(filters.modes),
                         countries=tuple(dict.fromkeys(countries)), statuses=tuple(filters.statuses),
                         include_organizations=filters.include_organizations,
                         include_unconfirmed=filters.include_unconfirmed,
                         include_retracted=filters.include_retracted, origin=filters.origin)


def event_details(event: Event, actors: dict[str, Actor]) -> dict[str, Any]:
    """An event as plain JSON-ready data: what the HTML page shows when it is clicked."""
    return {
        "id": event.id, "label": event.label, "kind": event.kind, "type": event.type,
        "status": event.status, "mode": event.mode, "place": event.place,
        "date": event.date_label, "when_text": event.when_text,
        "earliest": event.earliest.isoformat() if event.earliest else None,
        "latest": event.latest.isoformat() if event.latest else None,
        "retracted": event.retracted, "part_of": event.part_of, "origin": event.origin,
        "participants": [{"id": a, "name": actors[a].name if a in actors else a, "role": role}
                         for a, role in event.participants],
        "sources": [{"id": s.id, "title": s.title, "publisher": s.publisher, "published": s.published,
                     "url": s.url, "evidence": list(s.evidence)} for s in event.sources],
    }


def _node_attributes(actor: Actor, events: list[Event]) -> dict[str, Any]:
    ordered = sorted(events, key=_event_order)
    return {
        "label": actor.name, "kind": actor.kind, "country": actor.country or "",
        "country_name": actor.country_name or "", "iso": actor.iso or "", "posts": list(actor.posts),
        "wikidata": actor.wikidata or "", "events": [e.id for e in ordered],
        "sources": sorted({s.id for e in ordered for s in e.sources}),
    }


def _edge_attributes(events: list[Event], shared: list[Event]) -> dict[str, Any]:
    """The attributes of a link: its encounters ``events``, and ``within`` the other events
    ``shared`` by the two, the larger ones their encounters were part of."""
    ordered = sorted(events, key=_event_order)
    counted = {e.id for e in events}
    starts = [e.earliest for e in ordered if e.earliest]
    ends = [e.latest for e in ordered if e.latest]
    return {
        "weight": len(ordered), "events": [e.id for e in ordered],
        "labels": [e.label for e in ordered], "dates": [e.date_label for e in ordered],
        "types": sorted({e.type or e.kind for e in ordered}),
        "modes": sorted({e.mode for e in ordered if e.mode}),
        "statuses": sorted({e.status for e in ordered}),
        "origins": sorted({e.origin for e in ordered}),
        "sources": sorted({s.id for e in ordered for s in e.sources}),
        "first": min(starts).isoformat() if starts else "",
        "last": max(ends).isoformat() if ends else "",
        "within": [e.id for e in sorted(shared, key=_event_order) if e.id not in counted],
    }


def _event_order(event: Event) -> tuple[str, str, str]:
    return (event.earliest.isoformat() if event.earliest else "",
            event.latest.isoformat() if event.latest else "", event.id)


def _span(after: date | None, before: date | None) -> str:
    if after and before:
        return f"events {after.isoformat()} to {before.isoformat()}"
    if after:
        return f"events from {after.isoformat()}"
    return f"events until {before.isoformat()}" if before else "all dates"

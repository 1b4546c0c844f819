"""``tradegraph stats``: what the graph holds, counted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import XSD, Literal

from tradegraph.facts.loader import TG, Facts
from tradegraph.rdf.graphs import union


def stats(facts: Facts) -> dict[str, Any]:
    """Counts of records by kind and source, events by status, retractions, and the date span.

    >>> from tradegraph.project import Project
    >>> from tradegraph.facts.loader import load_facts
    >>> figures = stats(load_facts(Project.open("tests/fixtures/minimal")))
    >>> figures["records"] > 0
    True
    """
    graph = union(facts.dataset)
    kinds = Counter(r.kind.name for r in facts.records.values())
    by_source = Counter(r.source for r in facts.records.values() if r.source and r.kind.name != "source")
    statuses = Counter(str(status).rsplit("#", 1)[-1] for status in graph.objects(None, TG.status))
    dates = [o.toPython() for o in graph.objects(None, TG.earliest) if isinstance(o, Literal)
             and o.datatype == XSD.date] + [o.toPython() for o in graph.objects(None, TG.latest)
                                             if isinstance(o, Literal) and o.datatype == XSD.date]
    return {
        "triples": len(graph),
        "records": len(facts.records),
        "files": len(facts.files),
        "kinds": dict(sorted(kinds.items())),
        "facts_per_source": dict(sorted(by_source.items())),
        "event_status": dict(sorted(statuses.items())),
        "retracted": len(set(graph.subjects(TG.retractedBy, None))),
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
    }

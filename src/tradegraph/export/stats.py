"""``tradegraph stats``: what the graph holds, counted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import XSD, Literal

from tradegraph.build.dataset import ValidGraph
from tradegraph.rdf.namespaces import TG


def stats(valid: ValidGraph) -> dict[str, Any]:
    """Counts of records by kind and source, events by status, retractions, and the date span.

    >>> from tradegraph.project import Project
    >>> from tradegraph.build.provider import validated_graph
    >>> figures = stats(validated_graph(Project.open("tests/fixtures/minimal")))
    >>> figures["records"] > 0
    True
    """
    graph, census = valid.graph, valid.census
    statuses = Counter(str(status).rsplit("#", 1)[-1] for status in graph.objects(None, TG.status))
    dates = [o.toPython() for o in graph.objects(None, TG.earliest) if isinstance(o, Literal)
             and o.datatype == XSD.date] + [o.toPython() for o in graph.objects(None, TG.latest)
                                             if isinstance(o, Literal) and o.datatype == XSD.date]
    return {
        "triples": len(graph),
        "records": census.records,
        "files": census.files,
        "kinds": census.kinds,
        "facts_per_source": census.per_source,
        "event_status": dict(sorted(statuses.items())),
        "retracted": len(set(graph.subjects(TG.retractedBy, None))),
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
    }

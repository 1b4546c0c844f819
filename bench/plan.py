"""Which canned queries the benchmarks run, and with which of the generator's parameters.

The list of queries is read at run time (the project's ``queries/*.rq``, the built-in ones
included), so a query added or rewritten is measured as it is. A query named in
:data:`SELECTIVE` runs with the parameters the generator picked (bench/generate.py,
params.json); who-met-whom runs both ways, over everything and for one actor before a date;
every other query runs on its defaults, over the whole graph.

>>> runs(["who-met-whom", "sources"], {"actor": "p-1", "date": "2025-01-01"})
{'query sources': ('sources', {}), 'query who-met-whom': ('who-met-whom', {}), \
'query who-met-whom (actor, before)': ('who-met-whom', {'actor': 'p-1', 'before': '2025-01-01'})}
"""

from __future__ import annotations

from collections.abc import Iterable

#: query -> {its parameter: the generated parameter it takes}
SELECTIVE: dict[str, dict[str, str]] = {
    "actor-timeline": {"actor": "actor"},
    "tariff-in-force": {"target": "country", "on": "date"},
    "sources-of": {"node": "event"},
    "events-before-deadline": {"deadline": "deadline"},
}
#: Queries measured twice: over everything, and with these parameters.
BOTH_WAYS: dict[str, dict[str, str]] = {"who-met-whom": {"actor": "actor", "before": "date"}}


def runs(queries: Iterable[str], params: dict[str, str]) -> dict[str, tuple[str, dict[str, str]]]:
    """Stage name -> (query name, its parameters), in the order of the names."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for name in sorted(queries):
        if name in SELECTIVE:
            found[f"query {name}"] = (name, given(name, params))
            continue
        found[f"query {name}"] = (name, {})
        if name in BOTH_WAYS:
            found[f"query {name} ({', '.join(BOTH_WAYS[name])})"] = (name, given(name, params))
    return found


def given(name: str, params: dict[str, str]) -> dict[str, str]:
    """The parameters the query ``name`` takes when it runs once, selectively if it can."""
    chosen = SELECTIVE.get(name) or BOTH_WAYS.get(name, {})
    return {k: params[v] for k, v in chosen.items()}


def selective(stage: str) -> bool:
    """Whether a stage of :func:`runs` is a selective query (the others are aggregates)."""
    return any(stage == f"query {name}" for name in SELECTIVE) or stage.endswith(")")

"""tradegraph: a knowledge graph of actors and trade events, with the source of every answer.

The public API::

    from tradegraph import Project, load_facts, build, validate_facts

    project = Project.open(".")
    facts = load_facts(project)          # YAML facts -> an RDF dataset, one named graph per source
    report = validate_facts(facts, project)
    result = build(project)              # load, validate, write build/graph.ttl and friends
    network = actor_network(facts, NetworkFilter(after=date(2025, 7, 1)))   # networkx, actors
    text = export(project, "gexf")       # RDF formats or network files
    page = render_html(network)          # the offline HTML view
"""

from importlib import import_module
from typing import Any

#: Where each public name lives; a module is imported when one of its names is first used, so
#: `tradegraph build` does not pay for networkx, and `import tradegraph` stays quick.
_WHERE = {
    "BuildResult": "build", "build": "build",
    "InvalidData": "errors", "InvalidModel": "errors", "TradegraphError": "errors", "UsageError": "errors",
    "ValidationFailed": "errors",
    "export": "export", "Facts": "loader", "load_facts": "loader", "network_metrics": "metrics",
    "NetworkFilter": "network", "actor_network": "network", "Project": "project", "Query": "queries",
    "Rows": "run", "list_queries": "run", "run_query": "run", "run_sparql": "run", "stats": "stats",
    "Report": "validate", "Result": "validate", "validate_facts": "validate", "validate_graph": "validate",
    "render_html": "viz", "viz": "viz",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'tradegraph' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)


__version__ = "0.1.0"

"""tradegraph: a knowledge graph of actors and trade events, with the source of every answer.

The public API::

    from tradegraph import Project, load_facts, build, validate_facts

    project = Project.open(".")
    facts = load_facts(project)          # YAML facts -> an RDF dataset, one named graph per source
    report = validate_facts(facts, project)
    result = build(project)              # load, validate, write build/graph.ttl and friends
    graph = validated_graph(project)     # what every command reads: the build's while no input changed
    network = actor_network(graph, NetworkFilter(after=date(2025, 7, 1)))   # networkx, actors
    text = export(project, "gexf")       # RDF formats or network files
    page = render_html(network)          # the offline HTML view
"""

from importlib import import_module
from typing import Any

#: Where each public name lives; a module is imported when one of its names is first used, so
#: `tradegraph build` does not pay for networkx, and `import tradegraph` stays quick.
_WHERE = {
    "BuildResult": "build.pipeline", "build": "build.pipeline",
    "ValidGraph": "build.dataset", "validated_graph": "build.provider",
    "InvalidData": "errors", "InvalidModel": "errors", "TradegraphError": "errors", "UsageError": "errors",
    "ValidationFailed": "errors",
    "export": "export.exports", "Facts": "facts.loader", "load_facts": "facts.loader",
    "network_metrics": "network.metrics", "NetworkFilter": "network.graph", "actor_network": "network.graph",
    "Project": "project", "Query": "query.catalogue", "Rows": "query.run", "list_queries": "query.run",
    "run_query": "query.run", "run_sparql": "query.run", "stats": "export.stats",
    "Report": "shacl.validate", "Result": "shacl.validate", "validate_facts": "shacl.validate",
    "validate_graph": "shacl.validate", "render_html": "network.page", "viz": "network.page",
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

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

from .build import BuildResult, build
from .errors import InvalidData, InvalidModel, TradegraphError, UsageError, ValidationFailed
from .export import export
from .loader import Facts, load_facts
from .metrics import network_metrics
from .network import NetworkFilter, actor_network
from .project import Project
from .queries import Query
from .run import Rows, list_queries, run_query, run_sparql
from .stats import stats
from .validate import Report, Result, validate_facts, validate_graph
from .viz import render_html, viz

__all__ = [
    "BuildResult", "Facts", "InvalidData", "InvalidModel", "NetworkFilter", "Project", "Report", "Result",
    "TradegraphError", "UsageError", "ValidationFailed", "build", "load_facts", "stats",
    "validate_facts", "validate_graph",
    "Query", "Rows", "list_queries", "run_query", "run_sparql",
    "actor_network", "export", "network_metrics", "render_html", "viz",
]
__version__ = "0.1.0"

"""tradegraph: a knowledge graph of actors and trade events, with the source of every answer.

The public API::

    from tradegraph import Project, load_facts, build, validate_facts

    project = Project.open(".")
    facts = load_facts(project)          # YAML facts -> an RDF dataset, one named graph per source
    report = validate_facts(facts, project)
    result = build(project)              # load, validate, write build/graph.ttl and friends
"""

from .build import BuildResult, build
from .errors import InvalidData, InvalidModel, TradegraphError, UsageError, ValidationFailed
from .loader import Facts, load_facts
from .project import Project
from .queries import Query
from .run import Rows, list_queries, run_query, run_sparql
from .stats import stats
from .validate import Report, Result, validate_facts, validate_graph

__all__ = [
    "BuildResult", "Facts", "InvalidData", "InvalidModel", "Project", "Report", "Result",
    "TradegraphError", "UsageError", "ValidationFailed", "build", "load_facts", "stats",
    "validate_facts", "validate_graph",
    "Query", "Rows", "list_queries", "run_query", "run_sparql",
]
__version__ = "0.1.0"

"""Where SPARQL runs. A query engine takes query text and bindings (RDF terms) and answers.

The canned queries and name resolution only need :class:`Engine`'s ``select``; the local
engine is rdflib over the project's dataset (the union of the per-source named graphs and
the ontology, see :func:`tradegraph.dataset.load_dataset`), with the bindings passed as
``initBindings``. Other engines (pyoxigraph, a remote endpoint) implement the same method.

>>> from tradegraph.dataset import load_dataset
>>> from tradegraph.project import Project
>>> engine = LocalEngine(load_dataset(Project.open("tests/fixtures/minimal")))
>>> answer = engine.select("SELECT ?name WHERE { ?x <https://w3id.org/tradegraph/ontology#name> ?name } "
...                        "ORDER BY ?name LIMIT 1", {})
>>> answer.variables, [str(row[0]) for row in answer.rows]
(['name'], ['Ana Example'])
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from rdflib import Dataset, Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query as PreparedQuery
from rdflib.term import Identifier

from .errors import UsageError

#: Prefixes an ad-hoc query may use without declaring them.
NAMESPACES = {
    "tg": "https://w3id.org/tradegraph/ontology#", "tget": "https://w3id.org/tradegraph/event-type/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "time": "http://www.w3.org/2006/time#",
}


#: Parsed queries by text: rdflib's parser is slow and a parsed query holds no data.
_PREPARED: dict[str, PreparedQuery] = {}


@dataclass
class Answer:
    """The variables of a SELECT and its rows of terms (``None`` where a variable is unbound)."""

    variables: list[str]
    rows: list[tuple[Identifier | None, ...]]


class Engine(Protocol):
    """Runs SELECT queries with parameters bound as RDF terms."""

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer: ...


class LocalEngine:
    """rdflib over an in-memory dataset whose default graph is the union of its graphs."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @staticmethod
    def prepare(text: str) -> PreparedQuery:
        """The parsed query, cached for the process; a syntax error is a :class:`UsageError`."""
        if text not in _PREPARED:
            try:
                _PREPARED[text] = prepareQuery(text, initNs=NAMESPACES)
            except Exception as exc:  # pyparsing's ParseException and friends
                raise UsageError(f"SPARQL syntax error: {_first_line(exc)}",
                                 expected="a SPARQL 1.1 query",
                                 hint="check the line and column given") from None
        return _PREPARED[text]

    def run(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Any:
        """Any query form; rdflib's result (rows, a boolean or a graph), fully evaluated."""
        with warnings.catch_warnings():  # rdflib's GRAPH evaluation calls its own deprecated API
            warnings.filterwarnings("ignore", "Dataset.contexts is deprecated", DeprecationWarning)
            result = self.dataset.query(self.prepare(text), initBindings=dict(bindings or {}))
            if result.type == "SELECT":
                result.bindings  # evaluate now, inside the filter
        return result

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        result = self.run(text, bindings)
        if result.type != "SELECT":
            raise UsageError(f"the query is a {result.type}, not a SELECT", expected="SELECT ...")
        variables = [str(v) for v in result.vars]
        return Answer(variables, [tuple(row) for row in result])


def construct_text(result: Any) -> str:
    """A CONSTRUCT or DESCRIBE result as Turtle."""
    graph = result.graph if isinstance(result.graph, Graph) else Graph()
    return graph.serialize(format="turtle")


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]

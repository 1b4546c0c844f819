"""Where SPARQL runs. A query engine takes query text and bindings (RDF terms) and answers.

The canned queries and name resolution only need :class:`Engine`'s ``select``; the local
engine is rdflib over the project's dataset (the union of the per-source named graphs and
the ontology, see :func:`tradegraph.build.dataset.load_dataset`), with the bindings passed as
``initBindings``. Other engines (pyoxigraph, a remote endpoint) implement the same method.

>>> from tradegraph.build.dataset import load_dataset
>>> from tradegraph.project import Project
>>> engine = LocalEngine(load_dataset(Project.open("tests/fixtures/minimal")))
>>> answer = engine.select("SELECT ?name WHERE { ?x <https://w3id.org/tradegraph/ontology#name> ?name } "
...                        "ORDER BY ?name LIMIT 1", {})
>>> answer.variables, [str(row[0]) for row in answer.rows]
(['name'], ['Ana Example'])
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from rdflib import Dataset, Graph, Variable
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.processor import SPARQLResult
from rdflib.plugins.sparql.sparql import Query as PreparedQuery
from rdflib.plugins.sparql.sparql import QueryContext
from rdflib.term import Identifier, URIRef

from tradegraph.errors import EndpointError, TradegraphError, UsageError
from tradegraph.sparql.guard import check_reach, prepared

T = TypeVar("T")



#: The most rows a SELECT run in this process may give: past it, a clear error, not all the memory.
MAX_ROWS = 1_000_000



@dataclass
class Answer:
    """The variables of a SELECT and its rows of terms (``None`` where a variable is unbound)."""

    variables: list[str]
    rows: list[tuple[Identifier | None, ...]]


class Engine(Protocol):
    """Runs SELECT queries with parameters bound as RDF terms."""

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer: ...


class LocalEngine:
    """rdflib over an in-memory dataset whose default graph is the union of its graphs.

    A query reaches only the dataset (see :mod:`tradegraph.sparql.guard`): no ``SERVICE``
    unless ``allow_remote``, ``FROM`` only of the dataset's graphs, and rdflib never loads a
    document for a ``FROM``. A SELECT gives at most ``max_rows`` rows.
    """

    def __init__(self, dataset: Dataset, *, allow_remote: bool = False, max_rows: int | None = None) -> None:
        self.dataset = dataset
        self.allow_remote = allow_remote
        self.max_rows = max_rows

    @staticmethod
    def prepare(text: str, prefixes: Mapping[str, str] | None = None) -> PreparedQuery:
        """The parsed query, cached for the process (see :func:`~tradegraph.sparql.guard.prepared`);
        a syntax error is a :class:`UsageError`.

        ``prefixes`` are the only ones declared for it (default: :data:`QUERY_PREFIXES`).
        """
        return prepared(text, prefixes).query

    def graph_names(self) -> set[str]:
        """The IRIs of the dataset's graphs that hold triples: what ``FROM`` may name."""
        return {str(g.identifier) for g in self.dataset.graphs() if isinstance(g.identifier, URIRef) and len(g)}

    def run(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Any:
        """Any query form; rdflib's result (rows, a boolean or a graph), fully evaluated."""
        query = prepared(text)
        check_reach(query.reach, graphs=self.graph_names, allow_remote=self.allow_remote)
        try:
            return self._evaluate(query.query, bindings)
        except TradegraphError:
            raise
        except Exception as exc:  # rdflib's SERVICE: urllib's and json's errors, or an answer of another shape
            if query.reach.services:
                raise failed(exc, remote=True) from None
            raise

    def _evaluate(self, query: PreparedQuery, bindings: Mapping[str, Identifier] | None) -> Any:
        with warnings.catch_warnings():  # rdflib's GRAPH evaluation calls its own deprecated API
            warnings.filterwarnings("ignore", "Dataset.contexts is deprecated", DeprecationWarning)
            context = _DatasetOnly(self.dataset, initBindings={Variable(k): v for k, v in (bindings or {}).items()},
                                   datasetClause=query.algebra.datasetClause)
            context.prologue = query.prologue
            answer = dict(evalPart(context, query.algebra))
            if answer["type_"] == "SELECT":
                answer["bindings"] = list(capped(answer["bindings"], self.max_rows))  # None: MAX_ROWS
        return SPARQLResult(answer)

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        result = self.run(text, bindings)
        if result.type != "SELECT":
            raise UsageError(f"the query is a {result.type}, not a SELECT", expected="SELECT ...")
        variables = [str(v) for v in result.vars]
        return Answer(variables, [tuple(row) for row in result])


class _DatasetOnly(QueryContext):
    """rdflib's query context, except that it never loads a document (rdflib's ``FROM``/``LOAD``).

    :func:`~tradegraph.sparql.guard.check_reach` lets ``FROM`` name only graphs the dataset
    holds, which rdflib takes from the dataset; this is the engine's own refusal behind it.
    """

    def load(self, source: URIRef, default: bool = False, into: Identifier | None = None, **kwargs: Any) -> None:
        raise UsageError(f"the query would load <{source}>", expected="a query of the project's graph only")


def capped(rows: Iterable[T], limit: int | None = None) -> Iterator[T]:
    """``rows``, with a :class:`UsageError` once there are more than ``limit`` (default :data:`MAX_ROWS`).

    >>> list(capped(range(3), 3))
    [0, 1, 2]
    >>> list(capped(range(4), 3))
    Traceback (most recent call last):
    ...
    tradegraph.errors.UsageError: the query gives more than 3 rows; expected a narrower query (hint: add LIMIT, or filter the rows)
    """  # noqa: E501 (a doctest's expected message is one line)
    limit = MAX_ROWS if limit is None else limit
    for count, row in enumerate(rows):
        if count == limit:
            raise UsageError(f"the query gives more than {limit:,} rows",
                             expected="a narrower query", hint="add LIMIT, or filter the rows")
        yield row


def interruptible(work: Callable[[], T]) -> T:
    """``work()`` on a daemon thread while this thread waits, so that a signal (a deadline,
    Ctrl-C) stops the wait even when ``work`` runs native code that never looks at signals.

    What ``work`` raises is raised here (a :class:`TradegraphError` without the frames of the
    thread, whose native objects, such as Oxigraph's answers, may only be freed there); a
    thread left behind by a stopped wait ends with the process.
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except TradegraphError as exc:  # handed over without the frames, which are freed here:
            exc.__context__ = exc.__traceback__ = None  # native objects may not be freed elsewhere
            outcome.append((False, exc))
        except BaseException as exc:  # a bug: handed to the waiting thread with its traceback
            outcome.append((False, exc))

    thread = threading.Thread(target=run, name="tradegraph-query", daemon=True)
    thread.start()
    thread.join()
    done, value = outcome[0]
    if not done:
        raise value
    return value  # type: ignore[no-any-return]


def excerpt(exc: BaseException) -> str:
    """What ``exc`` says, on one line of at most 300 characters (its type if it says nothing).

    >>> excerpt(RuntimeError("no such\\n   function")), excerpt(OSError())
    ('no such function', 'OSError')
    """
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def failed(exc: BaseException, *, remote: bool) -> TradegraphError:
    """The error for a query that failed while it ran: a SERVICE call (exit 3) or the store."""
    detail = excerpt(exc)
    if remote:
        return EndpointError(f"a SERVICE call of the query failed: {detail}",
                             hint="check the SERVICE IRI, or run the query without that SERVICE")
    return UsageError(f"the query failed: {detail}")


def construct_text(result: Any) -> str:
    """A CONSTRUCT or DESCRIBE result as Turtle."""
    graph = result.graph if isinstance(result.graph, Graph) else Graph()
    return graph.serialize(format="turtle")

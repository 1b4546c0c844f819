"""SPARQL on the embedded Oxigraph store: :class:`StoreEngine`.

Parameters are bound as terms (pyoxigraph ``substitutions``) and the default graph is the
union of the named graphs, as rdflib does in memory.

>>> from tradegraph.project import Project
>>> from tradegraph.store.oxigraph import load_store
>>> store = load_store(Project.open("tests/fixtures/minimal"))
>>> answer = StoreEngine(store.store).select("SELECT ?name WHERE { ?x tg:name ?name } ORDER BY ?name LIMIT 1", {})
>>> [str(row[0]) for row in answer.rows]
['Ana Example']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from tradegraph.errors import UsageError
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.rdf.oxterms import from_ox, to_ox
from tradegraph.sparql.engine import Answer, capped, excerpt, failed, interruptible
from tradegraph.sparql.text import syntax_error


class StoreEngine:
    """SPARQL on an Oxigraph store, over the union of its named graphs.

    As on rdflib, a query reaches only the store: no ``SERVICE`` unless ``allow_remote``
    (Oxigraph would call it over HTTP), ``FROM`` only of the store's graphs.
    """

    def __init__(self, store: ox.Store, *, allow_remote: bool = False) -> None:
        self.store = store
        self.allow_remote = allow_remote

    def graph_names(self) -> set[str]:
        """The IRIs of the store's named graphs: what ``FROM`` may name."""
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def _query(self, text: str, substitutions: dict[Any, Any] | None = None) -> Answer | bool | list[Any]:
        """The whole answer (rows, a boolean or triples), on a thread of its own.

        Oxigraph evaluates without looking at signals, so the query runs on a daemon thread
        and this one waits, where a deadline (``--timeout``) can stop the wait.
        """
        from tradegraph.sparql.guard import check_text

        named = check_text(text, graphs=self.graph_names, allow_remote=self.allow_remote)
        return interruptible(lambda: self._evaluate(text, substitutions, union=not named))

    def _evaluate(self, text: str, substitutions: dict[Any, Any] | None, *, union: bool) -> Answer | bool | list[Any]:
        """The answer; the default graph is the union of the graphs unless the query names its own (FROM)."""
        try:
            result = self.store.query(text, prefixes=QUERY_PREFIXES, use_default_graph_as_union=union,
                                      substitutions=substitutions)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):  # evaluation is lazy: a row can fail as it is read
                variables = [v.value for v in result.variables]
                return Answer(variables, [tuple(from_ox(row[v]) for v in variables) for row in capped(result)])
            return list(capped(result))
        except SyntaxError as exc:
            raise syntax_error(exc) from None
        except OSError as exc:
            raise failed(exc, remote=self.allow_remote) from None
        except RuntimeError as exc:
            raise _unsupported(exc) from None

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        """A SELECT with ``bindings`` substituted as terms."""
        result = self._query(text, {ox.Variable(k): to_ox(v) for k, v in bindings.items()})
        if not isinstance(result, Answer):
            raise UsageError("the query is not a SELECT", expected="SELECT ...")
        return result

    def sparql(self, text: str) -> Answer | bool | Graph:
        """Any query form: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE)."""
        result = self._query(text)
        if not isinstance(result, list):
            return result
        graph = Graph()
        for prefix, namespace in QUERY_PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in result:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))  # type: ignore[arg-type]
        return graph


def _unsupported(exc: RuntimeError) -> UsageError:
    """The one line for a query Oxigraph parsed but cannot evaluate (pyoxigraph's RuntimeError:
    a function it does not know, such as a custom ``<http://example.org/f>(?x)``)."""
    return UsageError(f"the query cannot run on the store: {excerpt(exc)}",
                      expected="a query of SPARQL 1.1's own functions",
                      hint="drop or replace the function Oxigraph does not support")

"""SPARQL on the embedded Oxigraph store: :class:`StoreEngine`.

Parameters are bound as terms written in the query text (:func:`~tradegraph.sparql.text.bind_terms`),
so that Oxigraph plans with their values, and the default graph is the union of the named
graphs, as rdflib does in memory. Rows come as rdflib terms (:meth:`StoreEngine.select`) or,
for the output formats, straight as plain Python values (:meth:`StoreEngine.values`,
:func:`plain_value`), with no rdflib term made per cell.

>>> from tradegraph.project import Project
>>> from tradegraph.store.oxigraph import load_store
>>> store = load_store(Project.open("tests/fixtures/minimal"))
>>> answer = StoreEngine(store.store).select("SELECT ?name WHERE { ?x tg:name ?name } ORDER BY ?name LIMIT 1", {})
>>> [str(row[0]) for row in answer.rows]
['Ana Example']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.term import Identifier

from tradegraph.errors import UsageError
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.rdf.oxterms import from_ox
from tradegraph.sparql.engine import Answer, capped, excerpt, failed, interruptible
from tradegraph.sparql.text import bind_terms, syntax_error

#: A cell as the output formats take it: what ``query.run.to_python`` makes of an rdflib term.
PlainValue = str | int | Decimal | float | bool | date | None

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STRING = _XSD + "string"


@dataclass
class Values:
    """The variables of a SELECT and its rows of plain values (``None`` where a variable is unbound)."""

    variables: list[str]
    rows: list[tuple[PlainValue, ...]]


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

    def _query(self, text: str, bindings: Mapping[str, Identifier] | None = None,
               cell: Callable[[Any], Any] = from_ox) -> tuple[list[str], list[tuple[Any, ...]]] | bool | list[Any]:
        """The whole answer (variables and rows of ``cell(term)``, a boolean or triples), on a thread of its own.

        The reach is checked on ``text`` as written (the same text each time, parsed once);
        the values are then written in as terms, which reach nothing. Oxigraph evaluates
        without looking at signals, so the query runs on a daemon thread and this one waits,
        where a deadline (``--timeout``) can stop the wait.
        """
        from tradegraph.sparql.guard import check_text

        named = check_text(text, graphs=self.graph_names, allow_remote=self.allow_remote)
        bound = bind_terms(text, bindings or {})
        return interruptible(lambda: self._evaluate(bound, cell, union=not named))

    def _evaluate(self, text: str, cell: Callable[[Any], Any], *,
                  union: bool) -> tuple[list[str], list[tuple[Any, ...]]] | bool | list[Any]:
        """The answer; the default graph is the union of the graphs unless the query names its own (FROM)."""
        try:
            result = self.store.query(text, prefixes=QUERY_PREFIXES, use_default_graph_as_union=union)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):  # evaluation is lazy: a row can fail as it is read
                variables = [v.value for v in result.variables]
                return variables, [tuple(map(cell, row)) for row in capped(result)]
            return list(capped(result))
        except SyntaxError as exc:
            raise syntax_error(exc) from None
        except OSError as exc:
            raise failed(exc, remote=self.allow_remote) from None
        except RuntimeError as exc:
            raise _unsupported(exc) from None

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        """A SELECT with ``bindings`` written in as terms; rows of rdflib terms."""
        result = self._query(text, bindings)
        if not isinstance(result, tuple):
            raise UsageError("the query is not a SELECT", expected="SELECT ...")
        return Answer(*result)

    def values(self, text: str, bindings: Mapping[str, Identifier], *, base: str) -> Values:
        """A SELECT as :meth:`select`, its rows as plain values (:func:`plain_value` under ``base``)."""
        result = self._query(text, bindings, lambda term: plain_value(term, base))
        if not isinstance(result, tuple):
            raise UsageError("the query is not a SELECT", expected="SELECT ...")
        return Values(*result)

    def sparql(self, text: str, *, base: str | None = None) -> Answer | Values | bool | Graph:
        """Any query form: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE).

        Rows are rdflib terms, or plain values (:class:`Values`) when ``base`` is given.
        """
        result = self._query(text, None, from_ox if base is None else lambda term: plain_value(term, base))
        if isinstance(result, tuple):
            return Answer(*result) if base is None else Values(*result)
        if not isinstance(result, list):
            return result
        graph = Graph()
        for prefix, namespace in QUERY_PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in result:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))  # type: ignore[arg-type]
        return graph


def plain_value(term: Any, base: str) -> PlainValue:
    """A pyoxigraph term (or ``None``) as the plain value ``query.run.to_python`` gives its rdflib twin.

    IRIs under ``base`` become ids; strings (with or without a language) their text; canonical
    integers, decimals, dates and booleans their Python value. Any other literal takes rdflib's
    own reading (``toPython``), so that the two paths never disagree:

    >>> plain_value(ox.NamedNode("https://w3id.org/tradegraph/id/japan"), "https://w3id.org/tradegraph/id/")
    'japan'
    >>> plain_value(ox.Literal("25.5", datatype=ox.NamedNode(_XSD + "decimal")), "")
    Decimal('25.5')
    >>> plain_value(ox.Literal("2025-07-31", datatype=ox.NamedNode(_XSD + "date")), "")
    datetime.date(2025, 7, 31)
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        text: str = term.value
        if datatype == _STRING or term.language:
            return text
        reader = _READERS.get(datatype)
        if reader is not None:
            pattern, read = reader
            if pattern.fullmatch(text):
                try:
                    return read(text)  # type: ignore[no-any-return]
                except ValueError:  # a date such as 2025-02-30
                    pass
        literal = from_ox(term)
        value = literal.toPython()  # type: ignore[union-attr]
        if isinstance(value, (str, int, Decimal, float, bool, date)) and not isinstance(value, Literal):
            return value
        return str(literal)
    if isinstance(term, ox.NamedNode):
        iri: str = term.value
        return iri[len(base):] if iri.startswith(base) and "/" not in iri[len(base):] else iri
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


_READERS: dict[str, tuple[re.Pattern[str], Callable[[str], Any]]] = {
    _XSD + "integer": (_INTEGER, int),
    _XSD + "decimal": (_DECIMAL, Decimal),
    _XSD + "date": (_DATE, date.fromisoformat),
    _XSD + "boolean": (re.compile("true|false"), lambda text: text == "true"),
}


def _unsupported(exc: RuntimeError) -> UsageError:
    """The one line for a query Oxigraph parsed but cannot evaluate (pyoxigraph's RuntimeError:
    a function it does not know, such as a custom ``<http://example.org/f>(?x)``)."""
    return UsageError(f"the query cannot run on the store: {excerpt(exc)}",
                      expected="a query of SPARQL 1.1's own functions",
                      hint="drop or replace the function Oxigraph does not support")

"""The canned queries on a remote SPARQL 1.1 endpoint, by the SPARQL 1.1 Protocol.

:class:`RemoteEngine` is an :class:`~tradegraph.sparql.engine.Engine`: parameters travel as
RDF terms written in place of their variables, as on the local store
(:func:`~tradegraph.sparql.text.bind_terms`: each value one token of its term's own
serialization, never text pasted into the query), so the rows equal the local ones and the
endpoint plans with the values, inside subqueries too. The endpoint must answer over the union of the named graphs, as
rdflib does locally (Oxigraph: ``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph``;
Virtuoso's default graph is the union of all its graphs, its own system graphs included). A
store whose default graph is empty while its named graphs hold triples would answer every
query with nothing: an empty answer makes :class:`RemoteEngine` ask (:func:`default_is_union`,
two ASK queries) and say so as an :class:`~tradegraph.errors.EndpointError` with what to do.
Queries are idempotent, so connection failures and HTTP 5xx are retried; updates are refused.
Every request goes through :func:`~tradegraph.remote.transport.request` (one policy for redirects,
credentials, the deadline and the size of the answer); SPARQLWrapper only tells a query's form,
it never opens a connection. An answer that is not SPARQL results (or an RDF graph for a
CONSTRUCT), however malformed, is one :class:`~tradegraph.errors.EndpointError`.

>>> from rdflib import Literal
>>> parse_results(b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal",'
...               b' "value": "2", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}, {}]}}',
...               "application/sparql-results+json", "http://127.0.0.1:7878/query")
Answer(variables=['n'], rows=[(rdflib.term.Literal('2', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),), (None,)])
"""  # noqa: E501 (a doctest's expected message is one line)

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier
from SPARQLWrapper import SPARQLWrapper

from tradegraph.errors import EndpointError, Location, TradegraphError, UsageError
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.remote.transport import Endpoint, one_line, request
from tradegraph.sparql.engine import Answer
from tradegraph.sparql.text import bind_terms, mask, strip_comments

_RESULT_TYPES = ("application/sparql-results+json", "application/json")
# No JSON-LD: its @context could make the parser fetch any URL or local file the endpoint names.
_RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
              "text/plain": "nt"}
_ACCEPT_RESULTS = "application/sparql-results+json, application/json;q=0.9"
_ACCEPT_GRAPH = "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.8"
_NOT_AN_ENDPOINT = "is this the query URL of a SPARQL endpoint? Oxigraph's is http://HOST:PORT/query"


_NOT_UNION_HINT = ("start Oxigraph with --union-default-graph (`tradegraph serve` does), set Fuseki's "
                   "tdb2:unionDefaultGraph true, or push with --also-default")


class RemoteEngine:
    """A SPARQL 1.1 query endpoint (its query URL, e.g. ``http://127.0.0.1:7878/query``).

    ``union_check``: on an empty answer, make sure the store's default graph is not empty while
    its named graphs hold triples (once per engine), and refuse the answer if it is.
    """

    def __init__(self, endpoint: Endpoint | str, *, union_check: bool = True) -> None:
        self.endpoint = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
        self.union_check = union_check

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        """The rows of a SELECT, its parameters written in as terms."""
        result = self.sparql(bind_terms(text, bindings))
        if not isinstance(result, Answer):
            raise UsageError("the query is not a SELECT", expected="SELECT ...")
        return result

    def sparql(self, text: str) -> Answer | bool | Graph:
        """Any query form: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE)."""
        query = with_prefixes(text)
        rows = query_form(query) in ("SELECT", "ASK")
        reply = request(self.endpoint, "POST", body=urlencode({"query": query}).encode("utf-8"),
                        content_type="application/x-www-form-urlencoded",
                        accept=_ACCEPT_RESULTS if rows else _ACCEPT_GRAPH, idempotent=True, purpose="query")
        result = (parse_results(reply.body, reply.content_type, self.endpoint.shown) if rows
                  else parse_graph(reply.body, reply.content_type, self.endpoint.shown))
        if self.union_check and not (result.rows if isinstance(result, Answer) else result):
            self.union_check = False  # asked once
            if default_is_union(self.endpoint) is False:
                raise EndpointError("answered nothing, and its default graph is empty while its named graphs hold "
                                    "triples", where=Location(self.endpoint.shown),
                                    expected="a store whose default graph is the union of its named graphs "
                                             "(tradegraph's queries read the default graph)",
                                    hint=_NOT_UNION_HINT)
        return result


def default_is_union(endpoint: Endpoint) -> bool | None:
    """False when the store's named graphs hold triples and its default graph none (a store that
    does not make the default graph their union, or that was never told to); True otherwise;
    None when it cannot be asked."""
    engine = RemoteEngine(endpoint, union_check=False)
    try:
        return not (engine.sparql("ASK { GRAPH ?g { ?s ?p ?o } }") is True
                    and engine.sparql("ASK { ?s ?p ?o }") is False)
    except TradegraphError:
        return None


def not_union_note(endpoint: Endpoint) -> str:
    """What push says of a store whose default graph is not the union of the named graphs."""
    return (f"{endpoint.shown}: the store's default graph is empty while its named graphs hold triples, so queries "
            f"there will answer nothing ({_NOT_UNION_HINT})")


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (SPARQLWrapper's reading); an update is refused.

    SPARQLWrapper 2.0 removes only every other line of a run of comment lines and then takes
    the first form keyword it finds anywhere, even inside a word (a ``#+`` header line that
    says "address" made a query an ``ADD``), so it reads the text without its comments
    (:func:`~tradegraph.sparql.text.strip_comments`, which leaves strings and IRIs alone):

    >>> query_form("PREFIX x: <x:> ASK { ?s ?p ?o }")
    'ASK'
    >>> query_form("# one\\n# to add\\n# and to drop\\nSELECT * { ?s ?p '# DROP ALL' }")
    'SELECT'
    """
    wrapper = SPARQLWrapper("http://127.0.0.1/unused")  # reads the query only: it never opens a URL here
    wrapper.setQuery(strip_comments(text))
    if wrapper.isSparqlUpdateRequest():
        raise UsageError("tradegraph runs queries on an endpoint, not updates",
                         expected="SELECT, ASK, CONSTRUCT or DESCRIBE",
                         hint="use `tradegraph push` to change what a store holds")
    return str(wrapper.queryType)


def with_prefixes(text: str) -> str:
    """``text`` with a ``PREFIX`` line for each of tradegraph's prefixes that it does not declare.

    >>> with_prefixes("PREFIX tg: <x:> SELECT * {}").count("PREFIX tg:")
    1
    """
    code = mask(text)
    missing = [f"PREFIX {name}: <{iri}>" for name, iri in QUERY_PREFIXES.items()
               if not re.search(rf"\bPREFIX\s+{name}:", code, re.IGNORECASE)]
    return "\n".join([*missing, text])


def parse_results(body: bytes, content_type: str, where: str) -> Answer | bool:
    """SPARQL 1.1 JSON results as an :class:`Answer` (SELECT) or a boolean (ASK)."""
    try:
        data = json.loads(body) if content_type in _RESULT_TYPES else None
        if isinstance(data, dict) and isinstance(data.get("boolean"), bool):
            return bool(data["boolean"])
        variables = [str(v) for v in data["head"]["vars"]]  # type: ignore[index]
        rows = [tuple(_term(binding.get(v)) for v in variables) for binding in data["results"]["bindings"]]  # type: ignore[index]
        return Answer(variables, rows)
    except json.JSONDecodeError:
        if content_type in _RESULT_TYPES and body.lstrip().startswith(b'{"head"'):
            raise _broken_off(body, where) from None
        raise _not_sparql(body, content_type, where, "application/sparql-results+json") from None
    except UnicodeError:
        raise _not_unicode(where) from None
    except RecursionError:
        raise _too_deep(body, content_type, where) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _not_sparql(body, content_type, where, "application/sparql-results+json") from None


def parse_graph(body: bytes, content_type: str, where: str) -> Graph:
    """The RDF graph a CONSTRUCT or DESCRIBE answered."""
    graph = Graph()
    try:
        graph.parse(data=body, format=_RDF_TYPES[content_type])
    except RecursionError:
        raise _too_deep(body, content_type, where) from None
    except Exception:  # KeyError for an unknown type, and whatever the parser raises
        raise _not_sparql(body, content_type, where, "text/turtle") from None
    try:
        for triple in graph:
            for term in triple:
                _unicode(str(term))
    except UnicodeError:
        raise _not_unicode(where) from None
    return graph


def _unicode(text: str) -> str:
    """``text`` if it is Unicode that can be written out (no lone surrogate such as JSON's ``"\\ud800"``);
    :class:`UnicodeEncodeError` otherwise."""
    text.encode("utf-8")
    return text


def _term(value: Any) -> Identifier | None:
    if value is None:
        return None
    kind, text = value["type"], _unicode(str(value["value"]))
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return Literal(text, lang=_unicode(str(value["xml:lang"])))
        return Literal(text, datatype=URIRef(_unicode(str(value["datatype"]))) if "datatype" in value else None)
    raise ValueError(kind)


def _broken_off(body: bytes, where: str) -> EndpointError:
    """Results that start well and stop mid-way, as Oxigraph's do when its query timeout strikes."""
    end = one_line(body[-80:].decode("utf-8", "replace"))
    return EndpointError(f"answered with SPARQL results that break off ('...{end}')", where=Location(where),
                         expected="a whole SPARQL JSON answer",
                         hint="the server may have stopped the query at its own time limit: ask for less, "
                              "or raise the server's timeout (`tradegraph serve --timeout`)")


def _not_unicode(where: str) -> EndpointError:
    return EndpointError("answered with text that is not valid Unicode (bytes that are not UTF-8, or a lone "
                         "surrogate)", where=Location(where), expected="UTF-8 text",
                         hint="check the endpoint's data and its character encoding")


def _too_deep(body: bytes, content_type: str, where: str) -> EndpointError:
    start = one_line(body[:40].decode("utf-8", "replace"))
    return EndpointError(f"answered with {content_type or 'no content type'} nested too deep to read ({start!r}...)",
                         where=Location(where), expected="SPARQL results (a few levels deep)",
                         hint=_NOT_AN_ENDPOINT)


def _not_sparql(body: bytes, content_type: str, where: str, expected: str) -> EndpointError:
    start = " ".join(body[:80].decode("utf-8", "replace").split())
    return EndpointError(f"answered with {content_type or 'no content type'} ({start!r}), not SPARQL results",
                         where=Location(where), expected=expected,
                         hint=_NOT_AN_ENDPOINT)

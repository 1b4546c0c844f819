"""The canned queries on a remote SPARQL 1.1 endpoint, through SPARQLWrapper.

:class:`RemoteEngine` is an :class:`~tradegraph.engine.Engine`: parameters travel as a
``VALUES`` block of RDF terms right after the query's first ``WHERE {``
(:func:`~tradegraph.sparqltext.inline_values`), never as text pasted into the query, so the
rows equal the local ones. The endpoint must answer over the union of the named graphs, as
rdflib does locally (Oxigraph: ``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph``).
Queries are idempotent, so connection failures and HTTP 5xx are retried; updates are refused.

>>> from rdflib import Literal
>>> parse_results(b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal",'
...               b' "value": "2", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}, {}]}}',
...               "application/sparql-results+json", "http://127.0.0.1:7878/query")
Answer(variables=['n'], rows=[(rdflib.term.Literal('2', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')),), (None,)])
"""

from __future__ import annotations

import ast
import json
import math
import re
import urllib.error
from email.message import Message
from http import HTTPStatus
from io import BytesIO
from typing import Any, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound, QueryBadFormed,
                                            SPARQLWrapperException, Unauthorized, URITooLong)

from .engine import NAMESPACES, Answer
from .errors import EndpointError, Location, UsageError
from .sparqltext import inline_values, mask
from .transport import Endpoint, call, credentials

_RESULT_TYPES = ("application/sparql-results+json", "application/json")
_RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
              "application/ld+json": "json-ld", "text/plain": "nt"}
_STATUS = {QueryBadFormed: 400, Unauthorized: 401, EndPointNotFound: 404, URITooLong: 414,
           EndPointInternalError: 500}


class RemoteEngine:
    """A SPARQL 1.1 query endpoint (its query URL, e.g. ``http://127.0.0.1:7878/query``)."""

    def __init__(self, endpoint: Endpoint | str) -> None:
        self.endpoint = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)

    def select(self, text: str, bindings: Mapping[str, Identifier]) -> Answer:
        """The rows of a SELECT, its parameters bound by a ``VALUES`` block."""
        result = self.sparql(inline_values(text, bindings))
        if not isinstance(result, Answer):
            raise UsageError("the query is not a SELECT", expected="SELECT ...")
        return result

    def sparql(self, text: str) -> Answer | bool | Graph:
        """Any query form: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE)."""
        wrapper = SPARQLWrapper(self.endpoint.url)
        wrapper.setQuery(with_prefixes(text))
        if wrapper.isSparqlUpdateRequest():
            raise UsageError("tradegraph runs queries on an endpoint, not updates",
                             expected="SELECT, ASK, CONSTRUCT or DESCRIBE",
                             hint="use `tradegraph push` to change what a store holds")
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setReturnFormat(JSON if wrapper.queryType in ("SELECT", "ASK") else TURTLE)
        wrapper.setTimeout(max(1, math.ceil(self.endpoint.timeout)))  # SPARQLWrapper takes whole seconds
        for name, value in credentials().items():
            wrapper.addCustomHttpHeader(name, value)

        def attempt() -> tuple[bytes, str]:
            try:
                response = wrapper.query().response
                return bytes(response.read()), response.headers.get_content_type()
            except SPARQLWrapperException as exc:
                raise _http_error(exc, self.endpoint.url) from None

        body, content_type = call(self.endpoint, attempt, idempotent=True, purpose="query")
        if wrapper.queryType in ("SELECT", "ASK"):
            return parse_results(body, content_type, self.endpoint.shown)
        return parse_graph(body, content_type, self.endpoint.shown)


def with_prefixes(text: str) -> str:
    """``text`` with a ``PREFIX`` line for each of tradegraph's prefixes that it does not declare.

    >>> with_prefixes("PREFIX tg: <x:> SELECT * {}").count("PREFIX tg:")
    1
    """
    code = mask(text)
    missing = [f"PREFIX {name}: <{iri}>" for name, iri in NAMESPACES.items()
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
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _not_sparql(body, content_type, where, "application/sparql-results+json") from None


def parse_graph(body: bytes, content_type: str, where: str) -> Graph:
    """The RDF graph a CONSTRUCT or DESCRIBE answered."""
    graph = Graph()
    try:
        return graph.parse(data=body, format=_RDF_TYPES[content_type])
    except Exception:  # KeyError for an unknown type, and whatever the parser raises
        raise _not_sparql(body, content_type, where, "text/turtle") from None


def _term(value: Any) -> Identifier | None:
    if value is None:
        return None
    kind, text = value["type"], str(value["value"])
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return Literal(text, lang=value["xml:lang"])
        return Literal(text, datatype=URIRef(value["datatype"]) if "datatype" in value else None)
    raise ValueError(kind)


def _broken_off(body: bytes, where: str) -> EndpointError:
    """Results that start well and stop mid-way, as Oxigraph's do when its query timeout strikes."""
    end = " ".join(body[-80:].decode("utf-8", "replace").split())
    return EndpointError(f"answered with SPARQL results that break off ('...{end}')", where=Location(where),
                         expected="a whole SPARQL JSON answer",
                         hint="the server may have stopped the query at its own time limit: ask for less, "
                              "or raise the server's timeout (`tradegraph serve --timeout`)")


def _not_sparql(body: bytes, content_type: str, where: str, expected: str) -> EndpointError:
    start = " ".join(body[:80].decode("utf-8", "replace").split())
    return EndpointError(f"answered with {content_type or 'no content type'} ({start!r}), not SPARQL results",
                         where=Location(where), expected=expected,
                         hint="is this the query URL of a SPARQL endpoint? Oxigraph's is http://HOST:PORT/query")


def _http_error(exc: SPARQLWrapperException, url: str) -> urllib.error.HTTPError:
    """SPARQLWrapper's exception for a status back as the HTTP error it was (body included)."""
    code = next((c for kind, c in _STATUS.items() if isinstance(exc, kind)), 500)
    said = str(exc).split("Response:\n", 1)[-1] if "Response:\n" in str(exc) else "b''"
    try:
        body = ast.literal_eval(said)
    except (ValueError, SyntaxError):
        body = b""
    return urllib.error.HTTPError(url, code, HTTPStatus(code).phrase, Message(),
                                  BytesIO(body if isinstance(body, bytes) else b""))

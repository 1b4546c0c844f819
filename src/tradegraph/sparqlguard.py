"""What a query run in this process may reach: the project's graph, and nothing else.

SPARQL can reach out of the graph it runs on: ``SERVICE <url>`` sends a query to another
server, and ``FROM <iri>`` / ``FROM NAMED <iri>`` make rdflib download or read the document
at that IRI (``file:///etc/passwd``, ``file:///dev/zero``) when no graph of that name is in
the dataset. Oxigraph runs ``SERVICE`` over HTTP too. :func:`check_reach` reads the *parsed*
query (rdflib's algebra, escapes resolved, comments and strings gone) before any local engine
runs it, and refuses:

- ``SERVICE``, unless the user passed ``--allow-remote`` (and then only to ``http(s)``);
- ``FROM`` and ``FROM NAMED`` of a graph the project does not have: they select the
  project's own graphs and never load anything (to query another server, use ``SERVICE``
  with ``--allow-remote``, or ``--endpoint``).

>>> check_reach("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", graphs=set())
Traceback (most recent call last):
...
tradegraph.sparqlguard.OutOfReach: the query calls SERVICE <http://example.org/sparql>; expected a query of the project's graph only (hint: pass --allow-remote to let it reach that server)
>>> check_reach("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", graphs={"http://x/graph/a"})
Traceback (most recent call last):
...
tradegraph.sparqlguard.OutOfReach: the query reads FROM <file:///etc/passwd>, which is not a graph of the project; expected FROM and FROM NAMED of the project's graphs only (hint: a query never loads documents; list the graphs with `SELECT DISTINCT ?g WHERE { GRAPH ?g {} }`)
>>> check_reach("SELECT * FROM <http://x/graph/a> WHERE { ?s ?p ?o }", graphs={"http://x/graph/a"})
"""

from __future__ import annotations

import re
from typing import Any, Callable, Collection, Iterator

from rdflib import URIRef

from .errors import UsageError

#: Schemes a SERVICE may use once the user allowed remote queries.
REMOTE_SCHEMES = ("http://", "https://")
#: The keyword where the parsed query cannot be had (a text only Oxigraph reads): see :func:`check_text`.
_SERVICE_WORD = re.compile(r"(?<![\w?$:])SERVICE(?![\w:])", re.IGNORECASE)
_FROM_WORD = re.compile(r"(?<![\w?$:])FROM(?![\w:])", re.IGNORECASE)

Graphs = Collection[str] | Callable[[], Collection[str]]


class OutOfReach(UsageError):
    """A query that would reach outside the graph it runs on."""


def check_reach(query: Any, *, graphs: Graphs, allow_remote: bool = False) -> None:
    """Refuse a query (text, or rdflib's prepared query or algebra) that reaches outside ``graphs``.

    ``graphs`` are the IRIs of the dataset's graphs, or a function that lists them (called only
    when the query has a ``FROM``); ``allow_remote`` lets ``SERVICE`` reach http(s) servers.
    """
    algebra = _algebra(query)
    for term in services(algebra):
        where = term.n3() if hasattr(term, "n3") else str(term)
        if not allow_remote:
            raise OutOfReach(f"the query calls SERVICE {where}", expected="a query of the project's graph only",
                             hint="pass --allow-remote to let it reach that server")
        if not (isinstance(term, URIRef) and str(term).startswith(REMOTE_SCHEMES)):
            raise OutOfReach(f"the query calls SERVICE {where}", expected="SERVICE <http://...> or <https://...>",
                             hint="--allow-remote lets a query reach web servers, never local files or "
                                  "a server named by a variable")
    clauses = list(algebra["datasetClause"] or []) if "datasetClause" in algebra else []
    if not clauses:
        return
    known = set(graphs() if callable(graphs) else graphs)
    for clause in clauses:
        keyword, iri = ("FROM NAMED", clause["named"]) if "named" in clause else ("FROM", clause["default"])
        if str(iri) not in known:
            raise OutOfReach(f"the query reads {keyword} <{iri}>, which is not a graph of the project",
                             expected="FROM and FROM NAMED of the project's graphs only",
                             hint="a query never loads documents; list the graphs with "
                                  "`SELECT DISTINCT ?g WHERE { GRAPH ?g {} }`")


def check_text(text: str, *, graphs: Graphs, allow_remote: bool = False,
               prefixes: dict[str, str] | None = None) -> bool:
    """:func:`check_reach` on a query's text, for engines that parse it themselves (Oxigraph);
    whether the query names its dataset (``FROM``, ``FROM NAMED``).

    A text rdflib cannot parse (syntax only Oxigraph reads) is checked for the ``SERVICE``
    keyword outside comments, strings and IRIs instead (Oxigraph's ``FROM`` only selects
    graphs of its store, never loads); its syntax errors are the engine's to report.
    """
    try:
        algebra = prepared(text, prefixes)
    except UsageError:
        from .sparqltext import mask

        code = mask(text)
        if not allow_remote and _SERVICE_WORD.search(code):
            raise OutOfReach("the query calls SERVICE", expected="a query of the project's graph only",
                             hint="pass --allow-remote to let it reach that server") from None
        return bool(_FROM_WORD.search(code))
    check_reach(algebra, graphs=graphs, allow_remote=allow_remote)
    return bool(algebra["datasetClause"]) if "datasetClause" in algebra else False


def services(algebra: Any) -> Iterator[Any]:
    """The target (an IRI or a variable) of every ``SERVICE`` in a query's algebra, nested ones too."""
    seen: set[int] = set()
    todo = [algebra]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if getattr(node, "name", None) == "ServiceGraphPattern":
                yield node["term"]
            todo.extend(v for k, v in node.items() if k != "_vars")
        elif isinstance(node, (list, tuple)):
            todo.extend(node)


def prepared(text: str, prefixes: dict[str, str] | None = None) -> Any:
    """rdflib's algebra of ``text`` (cached), or a :class:`UsageError` for a syntax error.

    ``prefixes`` are the only ones declared (default: those of an ad-hoc query).
    """
    from .engine import LocalEngine

    return LocalEngine.prepare(text, prefixes).algebra


def _algebra(query: Any) -> Any:
    from rdflib.plugins.sparql.sparql import Query

    if isinstance(query, str):
        return prepared(query)
    return query.algebra if isinstance(query, Query) else query

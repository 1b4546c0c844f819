"""What a SPARQL text reaches beyond the store that runs it, and what may be reached.

SPARQL can reach out of the graph it runs on: ``SERVICE <url>`` sends a query to another
server, ``LOAD <url>`` fetches a document, and ``FROM``, ``FROM NAMED``, ``USING`` and
``USING NAMED`` name the graphs of the dataset (rdflib downloads or reads the document at
such an IRI, ``file:///etc/passwd`` or ``file:///dev/zero``, when the dataset has no graph of
that name). :func:`reach` reads a query or an update with rdflib's SPARQL parser, not a
search of the text: comments, strings, ``\\u`` escapes (expanded before parsing, as the
grammar says), prefixed names, relative IRIs against ``BASE`` and keywords in any case all
read as an engine reads them.

>>> reach("PREFIX e: <http://x/> SELECT * FROM e:g WHERE { # SERVICE <http://a/>\\n ?s ?p ?o }")
Reach(services=(), loads=(), dataset=(('FROM', 'http://x/g'),))
>>> reach("select * { \\\\u0053ERVICE <http://a/sparql> { ?s ?p ?o } }").services
(rdflib.term.URIRef('http://a/sparql'),)
>>> reach("LOAD <http://a/x.ttl>", update=True).loads
(rdflib.term.URIRef('http://a/x.ttl'),)

One policy, :func:`stray`, says what of that is refused, for the local engines (rdflib and
Oxigraph, :func:`check_reach`) and for ``serve``'s front alike: ``SERVICE`` and ``LOAD``,
unless the user passed ``--allow-remote`` (and then only to ``http(s)`` IRIs); a dataset
naming a graph the store does not have, always (it selects the store's graphs and never
loads anything; to query another server, use ``SERVICE`` with ``--allow-remote``, or
``--endpoint``).

>>> check_reach("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", graphs=set())
Traceback (most recent call last):
...
tradegraph.sparql.guard.OutOfReach: the query calls SERVICE <http://example.org/sparql>; expected a query of the project's graph only (hint: pass --allow-remote to let it reach that server)
>>> check_reach("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", graphs={"http://x/graph/a"})
Traceback (most recent call last):
...
tradegraph.sparql.guard.OutOfReach: the query reads FROM <file:///etc/passwd>, which is not a graph of the project; expected FROM and FROM NAMED of the project's graphs only (hint: a query never loads documents; list the graphs with `SELECT DISTINCT ?g WHERE { GRAPH ?g {} }`)
>>> check_reach("SELECT * FROM <http://x/graph/a> WHERE { ?s ?p ?o }", graphs={"http://x/graph/a"})
"""  # noqa: E501 (a doctest's expected message is one line)

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translatePrologue, translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Prologue
from rdflib.plugins.sparql.sparql import Query as PreparedQuery
from rdflib.term import Identifier

from tradegraph.errors import UsageError
from tradegraph.rdf.namespaces import QUERY_PREFIXES
from tradegraph.sparql.text import syntax_error

#: Schemes a SERVICE or LOAD may use once the user allowed remote queries.
REMOTE_SCHEMES = ("http://", "https://")
#: The keyword where the text does not parse (syntax only Oxigraph reads): see :func:`check_text`.
_SERVICE_WORD = re.compile(r"(?<![\w?$:])SERVICE(?![\w:])", re.IGNORECASE)
_FROM_WORD = re.compile(r"(?<![\w?$:])FROM(?![\w:])", re.IGNORECASE)
#: The parse-tree nodes of a dataset, and the keyword of each of their two forms.
_DATASET = {"DatasetClause": ("FROM", "FROM NAMED"), "UsingClause": ("USING", "USING NAMED")}

Graphs = Collection[str] | Callable[[], Collection[str]]


class UnreadableSparql(ValueError):
    """The text is not a SPARQL query (or update) this parser reads."""


class OutOfReach(UsageError):
    """A query that would reach outside the graph it runs on."""


@dataclass(frozen=True)
class Reach:
    """What one SPARQL text asks for beyond the store's own graphs."""

    services: tuple[Identifier, ...] = ()  # the target of every SERVICE: an absolute IRI or a variable
    loads: tuple[Identifier, ...] = ()  # the document of every LOAD
    dataset: tuple[tuple[str, str], ...] = ()  # (keyword, absolute IRI) of FROM, FROM NAMED, USING, USING NAMED

    @property
    def graphs(self) -> tuple[str, ...]:
        """The IRIs the dataset names."""
        return tuple(iri for _, iri in self.dataset)

    def __or__(self, other: Reach) -> Reach:
        return Reach(self.services + other.services, self.loads + other.loads, self.dataset + other.dataset)


@dataclass(frozen=True)
class Stray:
    """What a text reaches that :func:`stray` refuses: the keyword and its target."""

    keyword: str  # SERVICE, LOAD, FROM, FROM NAMED, USING, USING NAMED (or a protocol parameter)
    target: str  # an IRI, or the variable (rdflib's Variable) of a SERVICE

    @property
    def shown(self) -> str:
        return f"?{self.target}" if isinstance(self.target, Variable) else f"<{self.target}>"


@dataclass(frozen=True)
class Prepared:
    """rdflib's prepared query (to evaluate) and what it reaches, from one parse."""

    query: PreparedQuery
    reach: Reach


#: Prepared queries by text and prefixes: rdflib's parser is slow and a prepared query holds no data.
_PREPARED: dict[tuple[str, tuple[tuple[str, str], ...]], Prepared] = {}


def reach(text: str, *, update: bool = False, base: str | None = None) -> Reach:
    """What ``text`` (a query, or an update when ``update``) reaches; :class:`UnreadableSparql`
    when it does not parse. ``base`` resolves relative IRIs, as the server's URL would."""
    try:
        if update:
            parsed = parseUpdate(text)
            found, prologue = Reach(), None
            for head, operation in zip(parsed.prologue, parsed.request):
                prologue = translatePrologue(head, base, prologue=prologue)
                found |= _walk(operation, prologue)
            return found
        head, query = parseQuery(text)
        return _walk(query, translatePrologue(head, base))
    except RecursionError:
        raise UnreadableSparql("it is nested too deeply to read") from None
    except Exception as error:  # pyparsing's ParseException, an unknown prefix, a bad IRI
        raise UnreadableSparql(" ".join(str(error).split())[:200]) from None


def prepared(text: str, prefixes: Mapping[str, str] | None = None) -> Prepared:
    """The query ``text`` parsed once (cached for the process): rdflib's prepared query and
    its :class:`Reach`; a syntax error is a :class:`UsageError`.

    ``prefixes`` are the only ones declared for it (default: those of an ad-hoc query).
    """

    prefixes = QUERY_PREFIXES if prefixes is None else prefixes
    key = (text, tuple(sorted(prefixes.items())))
    if key not in _PREPARED:
        try:
            tree = parseQuery(text)
            found = _walk(tree[1], translatePrologue(tree[0], None, prefixes))  # before translating: it rewrites the tree
            _PREPARED[key] = Prepared(translateQuery(tree, None, dict(prefixes)), found)
        except Exception as exc:  # pyparsing's ParseException and friends
            raise syntax_error(exc) from None
    return _PREPARED[key]


def stray(found: Reach, *, graphs: Graphs, allow_remote: bool = False) -> Stray | None:
    """The first thing in ``found`` that may not be reached, or ``None``: the one policy.

    ``SERVICE`` and ``LOAD`` only with ``allow_remote``, and then only to an http(s) IRI; a
    dataset only of ``graphs`` (the store's graph IRIs, or a function that lists them, called
    only when there is a dataset).
    """
    for keyword, targets in (("SERVICE", found.services), ("LOAD", found.loads)):
        for target in targets:
            if not (allow_remote and isinstance(target, URIRef) and str(target).startswith(REMOTE_SCHEMES)):
                return Stray(keyword, target)
    if found.dataset:
        known = set(graphs() if callable(graphs) else graphs)
        for keyword, iri in found.dataset:
            if iri not in known:
                return Stray(keyword, iri)
    return None


def check_reach(query: str | Reach, *, graphs: Graphs, allow_remote: bool = False) -> None:
    """An :class:`OutOfReach` for a query (text, or what it reaches) that :func:`stray` refuses
    on a local engine: ``graphs`` are the project's; ``allow_remote`` lets ``SERVICE`` reach
    http(s) servers."""
    out = stray(prepared(query).reach if isinstance(query, str) else query, graphs=graphs, allow_remote=allow_remote)
    if out is None:
        return
    if out.keyword in ("SERVICE", "LOAD") and not allow_remote:
        raise OutOfReach(f"the query calls {out.keyword} {out.shown}", expected="a query of the project's graph only",
                         hint="pass --allow-remote to let it reach that server")
    if out.keyword in ("SERVICE", "LOAD"):
        raise OutOfReach(f"the query calls {out.keyword} {out.shown}", expected="SERVICE <http://...> or <https://...>",
                         hint="--allow-remote lets a query reach web servers, never local files or "
                              "a server named by a variable")
    raise OutOfReach(f"the query reads {out.keyword} {out.shown}, which is not a graph of the project",
                     expected="FROM and FROM NAMED of the project's graphs only",
                     hint="a query never loads documents; list the graphs with `SELECT DISTINCT ?g WHERE { GRAPH ?g {} }`")


def check_text(text: str, *, graphs: Graphs, allow_remote: bool = False,
               prefixes: Mapping[str, str] | None = None) -> bool:
    """:func:`check_reach` on a query's text, for engines that parse it themselves (Oxigraph);
    whether the query names its dataset (``FROM``, ``FROM NAMED``).

    A text rdflib cannot parse (syntax only Oxigraph reads) is checked for the ``SERVICE``
    keyword outside comments, strings and IRIs instead (Oxigraph's ``FROM`` only selects
    graphs of its store, never loads); its syntax errors are the engine's to report.
    """
    try:
        found = prepared(text, prefixes).reach
    except UsageError:
        from tradegraph.sparql.text import mask

        code = mask(text)
        if not allow_remote and _SERVICE_WORD.search(code):
            raise OutOfReach("the query calls SERVICE", expected="a query of the project's graph only",
                             hint="pass --allow-remote to let it reach that server") from None
        return bool(_FROM_WORD.search(code))
    check_reach(found, graphs=graphs, allow_remote=allow_remote)
    return bool(found.dataset)


def services(tree: Any) -> Iterator[Identifier]:
    """The target (an IRI or a variable) of every ``SERVICE`` under a parse tree or rdflib's
    algebra, nested ones too (as written: a prefixed name of a parse tree is not resolved)."""
    return (part["term"] for part in _parts(tree) if part.name == "ServiceGraphPattern")


def _walk(node: Any, prologue: Prologue) -> Reach:
    parts = list(_parts(node))
    return Reach(services=tuple(_absolute(prologue, part["term"]) for part in parts if part.name == "ServiceGraphPattern"),
                 loads=tuple(_absolute(prologue, part["iri"]) for part in parts if part.name == "Load"),
                 dataset=tuple((keyword, str(prologue.absolutize(iri))) for part in parts if part.name in _DATASET
                               for keyword, key in zip(_DATASET[part.name], ("default", "named"))
                               if (iri := dict.get(part, key)) is not None))


def _absolute(prologue: Prologue, term: Any) -> Identifier:
    """A term of the parse tree with its prefix expanded (a variable stays a variable)."""
    found = prologue.absolutize(term)
    assert isinstance(found, Identifier), found  # the grammar allows only an IRI or a variable here
    return found


def _parts(node: Any) -> Iterator[CompValue]:
    """Every node of a parse tree (or algebra) under ``node``, itself included, in the order written."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(reversed(item.values()))
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(reversed(list(item)))

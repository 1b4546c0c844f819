"""Names to nodes: what a parameter naming an actor, country or event accepts.

In this order: the id used in the facts (``akazawa``), a full IRI, a case-insensitive exact
name (``Japan`` is the country, not every node whose name contains it; a vocabulary token
such as ``phone`` counts as a name), then a partial name that matches one node
(``Akazawa``). Only nodes of the parameter's classes count (subclasses included). An unknown
or ambiguous name is a :class:`UsageError` that lists the candidates.

The lookups are SPARQL queries run on the same engine as the canned query, with the value
bound as a literal, so they work on a remote endpoint too.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from tradegraph.errors import UsageError, close_matches
from tradegraph.facts.model import ID_PATTERN
from tradegraph.query.params import Param
from tradegraph.rdf.namespaces import PREFIXES
from tradegraph.sparql.engine import Answer, Engine

_ID = re.compile(ID_PATTERN)  # matched whole (fullmatch): `$` would let "id\n" through
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_PREFIXES = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in ("rdfs", "skos", "tg"))
_OF_CLASS = "?node a ?type . ?type rdfs:subClassOf* ?class ."
_LABEL = "OPTIONAL { ?node rdfs:label ?label }"
_NAMES = "?node rdfs:label|tg:name|skos:prefLabel|skos:notation|tg:title ?name ."
_KNOWN = _PREFIXES + "SELECT DISTINCT ?node ?class ?label WHERE { ?node ?p ?o . %s %s }"
_MATCH = _PREFIXES + ("SELECT DISTINCT ?node ?class ?text ?label WHERE { %s " + _NAMES +
                      " FILTER(%s) " + _LABEL + " } ORDER BY ?node LIMIT 50")
_EXACT = "LCASE(STR(?name)) = LCASE(STR(?text))"
_PARTIAL = "CONTAINS(LCASE(STR(?name)), LCASE(STR(?text)))"
_ALL = _PREFIXES + "SELECT DISTINCT ?node ?class ?label WHERE { %s " + _LABEL + " } ORDER BY ?node LIMIT 5000"


def resolve(engine: Engine, param: Param, text: str, *, base: str, query: str) -> URIRef:
    """The node ``text`` names, among the nodes of ``param.classes``."""
    classes = param.classes or ("",)
    candidates: list[URIRef] = []
    if _ID.fullmatch(text):
        candidates.append(URIRef(base + text))
    if _IRI.fullmatch(text):
        candidates.append(URIRef(text))
    for node in candidates:
        if _known(engine, node, classes):
            return node
    what, article = _what(param), "an" if _what(param)[0] in "aeiou" else "a"
    expected = f"the id, IRI or name of {article} {what}"
    wrong = next((n for n in candidates if _known(engine, n, ("",))), None)
    if wrong is not None:  # the id of a node of another class: say so rather than guess
        close = _matches(engine, classes, _PARTIAL, text)
        raise UsageError(f"query {query}: {param.option}: {text!r} is not {article} {what}", expected=expected,
                         hint=f"did you mean {_listing(close, base)}?" if close else None)
    for test in (_EXACT, _PARTIAL):
        found = _matches(engine, classes, test, text)
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise UsageError(
                f"query {query}: {param.option} {text!r} matches {len(found)} {what}s: " + _listing(found, base),
                expected=f"a name that matches one {what}",
                hint="give the id (the first word of each candidate) or more of the name")
    everything = _all(engine, classes)
    close = _close(text, everything, base)
    listing = _listing(close or dict(list(everything.items())[:8]), base)
    raise UsageError(f"query {query}: {param.option}: no {what} is named {text!r}", expected=expected,
                     hint=(f"did you mean {listing}?" if close else f"candidates: {listing}") if listing
                     else "the graph has none")


def _what(param: Param) -> str:
    if not param.classes:
        return "node"
    names = [re.sub(r"(?<!^)(?=[A-Z])", " ", c.rsplit("#", 1)[-1].rsplit("/", 1)[-1]).lower()
             for c in param.classes]
    return " or ".join(names)


def _classes(classes: tuple[str, ...]) -> list[dict[str, URIRef]]:
    return [{"class": URIRef(c)} if c else {} for c in classes]


def _pattern(bindings: dict[str, URIRef]) -> str:
    return _OF_CLASS if bindings else ""


def _known(engine: Engine, node: URIRef, classes: tuple[str, ...]) -> bool:
    for bindings in _classes(classes):
        text = _KNOWN % (_pattern(bindings), _LABEL)
        if engine.select(text, {"node": node, **bindings}).rows:
            return True
    return False


def _matches(engine: Engine, classes: tuple[str, ...], test: str, text: str) -> dict[URIRef, str]:
    found: dict[URIRef, str] = {}
    for bindings in _classes(classes):
        answer = engine.select(_MATCH % (_pattern(bindings), test), {"text": Literal(text), **bindings})
        found.update(_labelled(answer))
    return found


def _all(engine: Engine, classes: tuple[str, ...]) -> dict[URIRef, str]:
    found: dict[URIRef, str] = {}
    for bindings in _classes(classes):
        pattern = _pattern(bindings) or "?node rdfs:label ?anything ."
        answer = engine.select(_ALL % pattern, bindings)
        found.update(_labelled(answer))
    return found


def _labelled(answer: Answer) -> dict[URIRef, str]:
    """The IRI nodes of an answer's ``?node`` column, each with its ``?label`` (or "")."""
    node_at, label_at = answer.variables.index("node"), answer.variables.index("label")
    return {node: str(row[label_at] or "") for row in answer.rows if isinstance(node := row[node_at], URIRef)}


def _close(text: str, nodes: dict[URIRef, str], base: str) -> dict[URIRef, str]:
    keys = {_short(n, base): n for n in nodes} | {label.lower(): n for n, label in nodes.items() if label}
    hits = close_matches(text.lower(), keys, n=5)
    return {keys[h]: nodes[keys[h]] for h in hits}


def _short(node: URIRef, base: str) -> str:
    return str(node)[len(base):] if str(node).startswith(base) else str(node)


def _listing(nodes: dict[URIRef, str], base: str) -> str:
    items = sorted(nodes.items(), key=lambda kv: _short(kv[0], base))
    shown = [f"{_short(n, base)} ({label})" if label else _short(n, base) for n, label in items[:10]]
    more = f", and {len(items) - 10} more" if len(items) > 10 else ""
    return ", ".join(shown) + more

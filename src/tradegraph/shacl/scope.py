"""How far a shape looks from its focus node, so that a change is validated where it can matter.

A focus node's SHACL Core result depends only on the triples its shapes' paths reach: the
triples of the nodes within :attr:`Reach.depth` steps of it, a step following a predicate
a path follows (:attr:`Reach.forward`) or one it follows backwards (:attr:`Reach.inverse`,
which ``sh:targetObjectsOf`` predicates join). When some triples change, only the nodes that
reach one of them in that many steps can get another result (:func:`affected`), and these
are validated on the triples they reach (:func:`neighbourhood`) with the ontology; the
results of every other node are the last build's. A path with ``*`` or ``+``, a shape that
refers to itself, or any shape the fast path leaves to pyshacl has no bound: the caller
validates everything.

>>> from rdflib import Graph
>>> shapes = Graph().parse(data='''
...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
...     ex:A a sh:NodeShape ; sh:targetClass ex:C ;
...        sh:property [ sh:path ( ex:p ex:q ) ; sh:class ex:D ] ;
...        sh:property [ sh:path [ sh:inversePath ex:r ] ; sh:node ex:B ] .
...     ex:B a sh:NodeShape ; sh:property [ sh:path ex:s ; sh:minCount 1 ] .
... ''', format="turtle")
>>> found = reach_of(shapes)
>>> found.depth, sorted(str(p) for p in found.forward), sorted(str(p) for p in found.inverse)
(2, ['http://ex/p', 'http://ex/q', 'http://ex/s'], ['http://ex/r'])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from tradegraph.shacl.plan import plan_shapes

_NESTED = (SH.node, SH["not"], SH.qualifiedValueShape)
_LISTS = (SH["or"], SH["and"], SH.xone)


class Unbounded(Exception):
    """The shapes can look arbitrarily far (a ``*`` or ``+`` path, a shape that refers to itself)."""


@dataclass
class Reach:
    """How far, and along which predicates, the shapes look from a focus node."""

    depth: int = 0
    forward: set[URIRef] = field(default_factory=set)
    inverse: set[URIRef] = field(default_factory=set)
    #: Whether a step may go on from a literal (to the other nodes with the same value): only
    #: where a query joins two patterns on a variable in object position.
    through_literals: bool = True
    #: Predicates whose objects a pattern binds to a variable: a changed quad's object with one
    #: of these starts a walk too (``<capital> tg:locatedIn ?c`` binds ``?c``).
    objects: set[URIRef] = field(default_factory=set)


def reach_of(shapes: Graph) -> Reach | None:
    """The reach of the shapes, or ``None`` when it has no bound (see the module's text)."""
    plan = plan_shapes(shapes)
    if plan.fallback:
        return None
    reach = Reach()
    try:
        for root in plan.core:
            reach.depth = max(reach.depth, _node_depth(shapes, root, reach, ()))
            for target in shapes.objects(root, SH.targetObjectsOf):
                reach.inverse.add(target)  # type: ignore[arg-type]
    except Unbounded:
        return None
    reach.depth = max(reach.depth, 1)
    return reach


def _node_depth(shapes: Graph, shape: Node, reach: Reach, seen: tuple[Node, ...]) -> int:
    """How many steps from its focus node the constraints of ``shape`` look."""
    if shape in seen:
        raise Unbounded(f"{shape} refers to itself")
    seen = (*seen, shape)
    depth = 0
    path = shapes.value(shape, SH.path)
    steps = _path(shapes, path, reach, inverted=False) if path is not None else 0
    for nested in _shapes_below(shapes, shape):
        depth = max(depth, _node_depth(shapes, nested, reach, seen))
    for prop in shapes.objects(shape, SH.property):
        depth = max(depth, _node_depth(shapes, prop, reach, seen))
    return steps + depth


def _shapes_below(shapes: Graph, shape: Node) -> Iterator[Node]:
    for predicate in _NESTED:
        yield from shapes.objects(shape, predicate)
    for predicate in _LISTS:
        for head in shapes.objects(shape, predicate):
            yield from Collection(shapes, head)


def _path(shapes: Graph, path: Node, reach: Reach, *, inverted: bool) -> int:
    """The most steps ``path`` takes; its predicates go into ``reach`` (by direction)."""
    if isinstance(path, URIRef):
        (reach.inverse if inverted else reach.forward).add(path)
        return 1
    if (path, RDF.first, None) in shapes:  # a sequence
        return sum(_path(shapes, step, reach, inverted=inverted) for step in Collection(shapes, path))
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return _path(shapes, inverse, reach, inverted=not inverted)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return max((_path(shapes, step, reach, inverted=inverted) for step in Collection(shapes, alternatives)),
                   default=0)
    optional = shapes.value(path, SH.zeroOrOnePath)
    if optional is not None:
        return _path(shapes, optional, reach, inverted=inverted)
    raise Unbounded(f"the path {path} has no bound")


def seeds(changed: Iterable[Any], reach: Reach) -> set[Any]:
    """The nodes a change starts from: the subject of each quad added or removed, and its object
    when a path follows its predicate backwards."""
    inverse = {ox.NamedNode(str(p)) for p in reach.inverse | reach.objects}
    found = set()
    for quad in changed:
        found.add(quad.subject)
        if quad.predicate in inverse:
            found.add(quad.object)
    return found


def affected(store: ox.Store, start: set[Any], reach: Reach) -> set[Any]:
    """The nodes of ``store`` from which ``start`` is within ``reach.depth`` steps: those whose
    results a change at ``start`` can alter (the store as it is after the change)."""
    forward = [ox.NamedNode(str(p)) for p in reach.forward]
    inverse = [ox.NamedNode(str(p)) for p in reach.inverse]
    found, frontier = set(start), set(start)
    for _ in range(reach.depth):
        step: set[Any] = set()
        for node in frontier:
            for predicate in forward:
                step.update(q.subject for q in store.quads_for_pattern(None, predicate, node, None))
            if not isinstance(node, ox.Literal):
                for predicate in inverse:
                    step.update(q.object for q in store.quads_for_pattern(node, predicate, None, None))
        frontier = step - found
        found |= frontier
    return found


def neighbourhood(store: ox.Store, focus: set[Any], reach: Reach, *, leave_out: Iterable[Any] = ()) -> Iterator[Any]:
    """The triples the results of ``focus`` depend on: every triple of each node within
    ``reach.depth`` steps of one of them, and the triple of each backward step."""
    forward = {ox.NamedNode(str(p)) for p in reach.forward}
    inverse = [ox.NamedNode(str(p)) for p in reach.inverse]
    skipped = set(leave_out)
    seen, frontier = set(focus), set(focus)
    for level in range(reach.depth + 1):
        step = set()
        for node in frontier:
            if isinstance(node, ox.Literal):
                continue
            for quad in store.quads_for_pattern(node, None, None, None):
                if quad.graph_name in skipped:
                    continue
                yield quad.triple
                if quad.predicate in forward:
                    step.add(quad.object)
            for predicate in inverse:
                for quad in store.quads_for_pattern(None, predicate, node, None):
                    if quad.graph_name not in skipped:
                        yield quad.triple
                        step.add(quad.subject)
        if level == reach.depth:
            break
        frontier = step - seen
        seen |= frontier


def focus_of(results: Graph) -> dict[Node, list[Node]]:
    """The result nodes of a results graph by their focus node."""
    found: dict[Node, list[Node]] = {}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        found.setdefault(results.value(result, SH.focusNode), []).append(result)  # type: ignore[arg-type]
    return found


def copy_results(results: Graph, into: Graph, keep: Any) -> None:
    """Copy into ``into`` each result of ``results`` that ``keep(result, focus node)`` accepts,
    with the blank nodes below it (a path, a list)."""
    for focus, nodes in focus_of(results).items():
        for node in nodes:
            if not keep(node, focus):
                continue
            todo, done = [node], set()
            while todo:
                subject = todo.pop()
                if subject in done:
                    continue
                done.add(subject)
                for _, predicate, value in results.triples((subject, None, None)):
                    into.add((subject, predicate, value))
                    if isinstance(value, BNode):
                        todo.append(value)


def sparql_reach(select: str, prefixes: dict[str, str]) -> Reach | None:
    """How far a SPARQL constraint's query looks from ``$this``: as many steps as it has triple
    patterns, along the predicates of the patterns that join two variables (a pattern with a
    constant end, such as ``?x a tg:Event``, only reads the triples of its variable's node).
    ``None`` when it has no bound: a ``*`` or ``+`` path, a variable predicate, a ``GRAPH``, or
    a pattern not joined to ``$this`` through variables.

    >>> reach = sparql_reach('''SELECT $this WHERE { $this ex:when/ex:earliest ?e ; ex:source ?s .
    ...     ?s a ex:Source . FILTER NOT EXISTS { ?s ex:date ?d } }''', {"ex": "http://ex/"})
    >>> reach.depth, sorted(str(p).split("/")[-1] for p in reach.forward)
    (5, ['date', 'earliest', 'source', 'when'])
    >>> sparql_reach("SELECT $this WHERE { $this ex:partOf+ ?x }", {"ex": "http://ex/"}) is None
    True
    """
    from rdflib.paths import AlternativePath, InvPath, SequencePath
    from rdflib.term import Variable

    patterns = _patterns(select, prefixes)
    if patterns is None:
        return None
    reach = Reach()
    joined: dict[Any, set[Any]] = {}
    objects: dict[Any, int] = {}
    steps = 0
    for subject, predicate, value in patterns:
        if isinstance(predicate, URIRef):
            predicates, length = [predicate], 1
        elif isinstance(predicate, InvPath) and isinstance(predicate.arg, URIRef):
            predicates, length = [predicate.arg], 1
        elif isinstance(predicate, SequencePath | AlternativePath) and all(isinstance(a, URIRef) for a in predicate.args):
            predicates = [arg for arg in predicate.args if isinstance(arg, URIRef)]
            length = len(predicates) if isinstance(predicate, SequencePath) else 1
        else:  # a variable predicate, a * or + path, a negated one
            return None
        steps += length
        ends = [end for end in (subject, value) if isinstance(end, Variable | BNode)]
        if isinstance(value, Variable | BNode):
            objects[value] = objects.get(value, 0) + 1
        if len(ends) == 2 or length > 1:
            reach.forward.update(predicates)
        for end in ends:
            joined.setdefault(end, set()).update(e for e in ends if e != end)
        if not ends:
            return None
    this, seen = Variable("this"), set()
    todo = [this]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(joined.get(node, ()))
    if any(end not in seen for end in joined):
        return None
    reach.inverse = set(reach.forward)  # a pattern may be walked either way
    reach.depth = max(steps, 1)
    reach.through_literals = any(count > 1 for count in objects.values())
    reach.objects = set(reach.forward) | {p for s, p, o in patterns if isinstance(p, URIRef)
                                          and isinstance(o, Variable | BNode)}
    for _, predicate, _ in patterns:  # a path's inner nodes are variables
        if isinstance(predicate, SequencePath | InvPath):
            reach.objects.update(a for a in getattr(predicate, "args", [getattr(predicate, "arg", None)])
                                 if isinstance(a, URIRef))
    return reach


def _patterns(select: str, prefixes: dict[str, str]) -> list[tuple[Any, Any, Any]] | None:
    """The triple patterns of a query, at any depth (``FILTER EXISTS`` included); ``None`` when
    it cannot be read or reads a named graph or another service."""
    from rdflib.plugins.sparql.parserutils import CompValue

    from tradegraph.sparql.guard import prepared

    try:
        query = prepared(select, prefixes).query  # parsed once a process: the shapes' check parsed it
    except Exception:  # the shapes were checked; a query rdflib cannot read has no bound here
        return None
    patterns: list[tuple[Any, Any, Any]] = []
    unbounded = []

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name in ("Graph", "GraphGraphPattern", "ServiceGraphPattern"):
                unbounded.append(node.name)
            for triple in node.get("triples") or ():
                items = list(triple)
                patterns.extend(tuple(items[i:i + 3]) for i in range(0, len(items) - 2, 3))
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(query.algebra)
    return None if unbounded else patterns


def reads_terms(select: str, prefixes: dict[str, str], names: Iterable[str]) -> bool:
    """Whether a query may read triples whose predicate ends in one of ``names``: it names one,
    or it has a predicate that is a variable or a negated path (or cannot be read)."""
    from rdflib.paths import NegatedPath
    from rdflib.term import Variable

    patterns = _patterns(select, prefixes)
    if patterns is None:
        return True
    for _, predicate, _ in patterns:
        if isinstance(predicate, Variable | NegatedPath):
            return True
        if any(str(predicate).endswith(name) for name in names):  # a path's text names its steps too
            return True
        if not isinstance(predicate, URIRef) and any(name in repr(predicate) for name in names):
            return True
    return False

"""Which engine checks which shape: the plan of a fast validation.

The fast path (:mod:`tradegraph.shacl.fast`) gives SHACL Core to the ``shacl`` engine and
runs SPARQL-based constraints itself on Oxigraph. A shape that uses anything else (SHACL-AF
rules, SPARQL-based targets, custom constraint components, JavaScript), or a SPARQL
constraint the fast path cannot run as one query, is checked by pyshacl, with every shape
it reaches, and the plan says so in :attr:`Plan.notes`.

>>> from rdflib import Graph
>>> plan = plan_shapes(Graph().parse(data='''
...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
...     ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
...     ex:B a sh:NodeShape ; sh:targetClass ex:C ; sh:rule [ a sh:TripleRule ] .
... ''', format="turtle"))
>>> [str(s) for s in plan.core], [str(s) for s in plan.fallback]
(['http://ex/A'], ['http://ex/B'])
>>> plan.notes
['pyshacl checks shape <http://ex/B>: the fast path does not support sh:rule']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH
from rdflib.term import Node

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Predicates whose values are shapes (lists of shapes for the logical ones).
_SHAPE_VALUED = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
#: The SHACL Core vocabulary a shape may use and the ``shacl`` engine checks per the
#: specification (it passes the W3C SHACL Core tests: tests/test_w3c_shacl.py).
CORE = {SH[name] for name in (
    "targetClass targetNode targetSubjectsOf targetObjectsOf path property node not and or xone "
    "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive maxInclusive "
    "minLength maxLength pattern flags languageIn uniqueLang equals disjoint lessThan lessThanOrEquals "
    "qualifiedValueShape qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint closed "
    "ignoredProperties hasValue in message severity deactivated name description order group "
    "defaultValue sparql declare prefixes").split()}
#: Variables a SPARQL constraint may use besides $this for the fast path to run it.
_BLOCKERS = re.compile(r"[$?](PATH|shapesGraph|currentShape)\b|\b(MINUS|SERVICE|VALUES)\b|\{\s*SELECT\b",
                       re.IGNORECASE)


@dataclass
class SparqlJob:
    """A SPARQL-based constraint of a targeted node shape, to run once on the whole store."""

    shape: Node
    constraint: Node
    select: str
    prefixes: dict[str, str]
    messages: list[str]
    severity: URIRef


@dataclass
class Plan:
    """Targeted shapes for the ``shacl`` engine (``core``) and for pyshacl (``fallback``)."""

    core: list[Node] = field(default_factory=list)
    fallback: list[Node] = field(default_factory=list)
    sparql: list[SparqlJob] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_shapes(shapes: Graph) -> Plan:
    """Decide, for each targeted shape, which engine checks it."""
    plan = Plan()
    custom = set(shapes.objects(None, SH.parameter / SH.path)) if (None, RDF.type, SH.ConstraintComponent) in shapes else set()
    for root in _roots(shapes):
        problems = sorted({problem for shape in _reach(shapes, root) for problem in _problems(shapes, shape, root, custom)})
        if problems:
            plan.fallback.append(root)
            plan.notes.append(f"pyshacl checks shape {shape_name(root)}: the fast path does not support {', '.join(problems)}")
            continue
        plan.core.append(root)
        plan.sparql.extend(_jobs(shapes, root))
    return plan


def core_shapes(shapes: Graph, plan: Plan) -> Graph:
    """The shapes for the ``shacl`` engine: without SPARQL constraints and fallback targets."""
    graph = _copy(shapes)
    graph.remove((None, SH.sparql, None))
    _untarget(graph, plan.fallback)
    return graph


def fallback_shapes(shapes: Graph, plan: Plan) -> Graph:
    """The shapes for pyshacl: only the fallback shapes keep their targets."""
    graph = _copy(shapes)
    _untarget(graph, plan.core)
    return graph


def _copy(shapes: Graph) -> Graph:
    graph = Graph()
    for prefix, namespace in shapes.namespaces():
        graph.bind(prefix, namespace)
    for triple in shapes:
        graph.add(triple)
    return graph


def _untarget(graph: Graph, roots: list[Node]) -> None:
    for root in roots:
        for predicate in TARGETS:
            graph.remove((root, predicate, None))
        graph.remove((root, RDF.type, RDFS.Class))
        graph.remove((root, RDF.type, OWL.Class))


def _roots(shapes: Graph) -> list[Node]:
    """Shapes with targets (implicit class targets included), in a stable order."""
    found = {s for predicate in TARGETS for s in shapes.subjects(predicate, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        found |= {s for s in shapes.subjects(RDF.type, kind)
                  if (s, RDF.type, RDFS.Class) in shapes or (s, RDF.type, OWL.Class) in shapes}
    return sorted(found, key=lambda n: (isinstance(n, BNode), str(n)))


def _reach(shapes: Graph, root: Node) -> list[Node]:
    """The shape and every shape it refers to, through sh:property, sh:node, sh:or, ..."""
    seen: list[Node] = []
    todo = [root]
    while todo:
        shape = todo.pop()
        if shape in seen:
            continue
        seen.append(shape)
        for predicate in _SHAPE_VALUED:
            todo.extend(shapes.objects(shape, predicate))
        for predicate in _SHAPE_LISTS:
            for head in shapes.objects(shape, predicate):
                todo.extend(Collection(shapes, head))
    return seen


def _problems(shapes: Graph, shape: Node, root: Node, custom: set[Node]) -> set[str]:
    problems = set()
    for predicate in set(shapes.predicates(shape, None)):
        if str(predicate).startswith(str(SH)) and predicate not in CORE:
            problems.add(f"sh:{str(predicate)[len(str(SH)):]}")
        elif predicate in custom:
            problems.add(f"the custom constraint component parameter <{predicate}>")
    for constraint in shapes.objects(shape, SH.sparql):
        if _deactivated(shapes, constraint):
            continue
        select = shapes.value(constraint, SH.select)
        if shape != root or (shape, SH.path, None) in shapes:
            problems.add("sh:sparql on a property shape or a shape used by another")
        elif select is None or _BLOCKERS.search(str(select)) or not re.search(
                r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?(\*|[^{]*[$?]this\b)", str(select), re.IGNORECASE):
            problems.add("sh:sparql whose SELECT does not project $this or uses $PATH, "
                         "a subquery, MINUS, VALUES or SERVICE")
    return problems


def _jobs(shapes: Graph, root: Node) -> list[SparqlJob]:
    if _deactivated(shapes, root):
        return []
    severity = shapes.value(root, SH.severity) or SH.Violation
    jobs = []
    for constraint in shapes.objects(root, SH.sparql):
        if _deactivated(shapes, constraint):
            continue
        messages = [str(m) for m in shapes.objects(constraint, SH.message)] or \
                   [str(m) for m in shapes.objects(root, SH.message)]
        prefixes = declared_prefixes(shapes, constraint)
        jobs.append(SparqlJob(root, constraint, str(shapes.value(constraint, SH.select)), prefixes,
                              messages, severity))  # type: ignore[arg-type]
    return jobs


def declared_prefixes(shapes: Graph, node: Node) -> dict[str, str]:
    """The prefixes a SPARQL-based constraint, validator, target or rule declares (``sh:prefixes``)."""
    return {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
            for ontology in shapes.objects(node, SH.prefixes) for d in shapes.objects(ontology, SH.declare)}


def sparql_texts(shapes: Graph) -> Iterator[tuple[Node, Node, URIRef, str]]:
    """Every SPARQL text of the shapes (``sh:select``, ``sh:ask``, ``sh:construct``): the node
    that holds it, the named shape or component it belongs to (the first IRI up from it),
    the predicate and the text."""
    for predicate in (SH.select, SH.ask, SH.construct):
        for node, text in sorted(shapes.subject_objects(predicate), key=lambda pair: str(pair[1])):
            owner, seen = node, {node}
            while isinstance(owner, BNode):
                parent = next((s for s in shapes.subjects(None, owner) if s not in seen), None)
                if parent is None:
                    break
                owner = parent
                seen.add(owner)
            yield node, owner, predicate, str(text)


#: What one_line keeps as written: strings (long ones first) and IRIs ...
_STRING_OR_IRI = "|".join((r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
                           r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'", r'<[^<>"{}|^`\\\s]*>'))
#: ... and what it squeezes: runs of white space and comments.
_KEPT_OR_SQUEEZED = re.compile(rf"({_STRING_OR_IRI})|((?:\s|#[^\n]*)+)")


def one_line(text: str) -> str:
    """A SPARQL text on one line: its comments dropped and each run of white space one space,
    outside strings and IRIs.

    Shapes' queries are written on many lines with comments (shapes/*.ttl); pyshacl wants them
    on one: it scans a query with regular expressions once per focus node, line by line (on a
    dozen lines four times slower than on one), and takes a word such as VALUES or MINUS in a
    comment for the keyword. Oxigraph, which runs them on the fast path, reads either form.

    >>> one_line('''SELECT $this   # the focus node
    ...     WHERE { $this <http://x/#y> "a  # b" }''')
    'SELECT $this WHERE { $this <http://x/#y> "a  # b" }'
    """
    return _KEPT_OR_SQUEEZED.sub(lambda m: m.group(1) or " ", text).strip()


def _deactivated(shapes: Graph, node: Node) -> bool:
    value = shapes.value(node, SH.deactivated)
    return value is not None and str(value).lower() in ("true", "1")


def shape_name(node: Node) -> str:
    """A shape as messages name it: ``<iri>`` or ``_:label``."""
    return f"<{node}>" if isinstance(node, URIRef) else f"_:{node}"

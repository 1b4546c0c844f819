"""Fast SHACL validation with the same report as pyshacl's.

SHACL Core goes to the ``shacl`` engine (Rust), which reads the N-Quads the store was loaded
from (the copy :func:`~tradegraph.store.oxigraph.load_store` writes), or else an N-Triples dump of
the store;
SPARQL-based constraints run on Oxigraph, once per constraint over the whole store, keeping
the rows of the shape's focus nodes (``shacl`` compares ``xsd:date`` values wrongly in its
SPARQL); and a shape the fast path does not handle is checked by pyshacl, with a note in
:attr:`~tradegraph.shacl.validate.Report.notes` (see :mod:`tradegraph.shacl.plan`). Every result
becomes a ``sh:ValidationResult`` and the report is made by
:func:`~tradegraph.shacl.validate.report_of`, as pyshacl's is, so the two read the same.

>>> from tradegraph.project import Project
>>> from tradegraph.store.oxigraph import load_store
>>> from tradegraph.shacl.validate import shapes_graph
>>> project = Project.open("tests/fixtures/minimal")
>>> store = load_store(project)
>>> validate_store(store.store, shapes=shapes_graph(project), facts=store.facts).text()
'0 violation(s), 0 warning(s)\\n'
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
import shacl
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from tradegraph.facts.fieldvalues import canonical_decimal
from tradegraph.facts.loader import Facts
from tradegraph.rdf.oxterms import from_ox, to_ox
from tradegraph.shacl.plan import SparqlJob, core_shapes, fallback_shapes, plan_shapes
from tradegraph.shacl.scope import Reach, affected, copy_results, neighbourhood, seeds, sparql_reach
from tradegraph.shacl.validate import Report, check_shape_sparql, report_of, shapes_failed

_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")
_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def validate_store(store: ox.Store, *, shapes: Graph, facts: Facts | None = None,
                   step: Callable[[str], None] | None = None, nquads: Path | None = None,
                   keep: Graph | None = None) -> Report:
    """Validate the union of a store's graphs (the ontology included) against ``shapes``.

    ``nquads`` is an N-Quads file (``.nq``) holding exactly the store's quads, such as the copy
    :func:`~tradegraph.store.oxigraph.load_store` writes: the SHACL engine reads it instead of a
    dump of the store. ``keep`` receives the results, each SPARQL one marked with its job
    (what :func:`validate_changed` takes again).
    """
    results, notes = check_store(store, shapes=shapes, step=step, nquads=nquads, keep=keep)
    report = report_of(results, shapes=shapes, facts=facts)
    report.notes.extend(notes)
    return report


def check_store(store: ox.Store, *, shapes: Graph, step: Callable[[str], None] | None = None,
                text: tuple[str, str] | None = None, shapes_text: str | None = None,
                nquads: Path | None = None, keep: Graph | None = None) -> tuple[Graph, list[str]]:
    """The SHACL results graph (``sh:ValidationResult`` nodes) of a store, and the plan's notes.

    ``text`` is the same data as (text, format), when the caller has it: Oxigraph stores
    literals by value (``"25.0"^^xsd:decimal`` comes back as ``"25"``, an ill-formed
    ``"300"^^xsd:byte`` as an integer), and rdflib rewrites ill-formed literals when it parses
    or writes them (``"1"^^xsd:boolean`` as ``true``), so data and shapes checked as given
    are best read by the ``shacl`` engine as given (``shapes_text``: the shapes' Turtle, used
    when the plan leaves the shapes unchanged). ``nquads`` is a file of the same data, read
    instead of a dump of the store.
    """
    check_shape_sparql(shapes)
    plan = plan_shapes(shapes)
    results = Graph()
    if plan.core:
        _say(step, "SHACL Core (shacl)")
        unchanged = shapes_text is not None and not plan.sparql and not plan.fallback
        _core(store, shapes_text if unchanged else _turtle(core_shapes(shapes, plan)), results,  # type: ignore[arg-type]
              text, nquads)
    _sparql_jobs(store, shapes, plan.sparql, results, step)
    mark_jobs(results, plan.sparql, keep)
    if plan.fallback:
        _say(step, "shapes the fast path does not support (pyshacl)")
        import pyshacl  # only for shapes the fast path does not support: slow to import
        from pyshacl.errors import ReportableRuntimeError

        data = Graph()
        for quad in store.quads_for_pattern(None, None, None, None):
            data.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))  # type: ignore[arg-type]
        try:
            _, found, _ = pyshacl.validate(data, shacl_graph=fallback_shapes(shapes, plan), inference="none",
                                           abort_on_first=False, allow_warnings=True, allow_infos=True,
                                           advanced=True)
        except ReportableRuntimeError as error:
            raise shapes_failed(error) from None
        for triple in found:
            results.add(triple)
    return results, plan.notes


def _sparql_jobs(store: ox.Store, shapes: Graph, jobs: list[SparqlJob], results: Graph,
                 step: Callable[[str], None] | None) -> None:
    instances: dict[Node, set[Any]] = {}
    for job in jobs:
        _say(step, f"SPARQL constraint of {job.shape}")
        _sparql(store, job, _focus_nodes(store, job.shape, shapes, instances), results)


def validate_changed(store: ox.Store, *, shapes: Graph, facts: Facts | None, reach: Reach, changed: list[Any],
                     kept: Graph, ontology: bytes, leave_out: set[Any], keep: Graph,
                     step: Callable[[str], None] | None = None) -> Report:
    """Validate a store after ``changed`` quads were added or removed, given the results of the
    store before (``kept``, as ``keep`` of :func:`validate_store` wrote them): only the nodes
    the change can reach (see :mod:`tradegraph.shacl.scope`) are validated again, and every
    other node keeps its results.

    SHACL Core: the ``shacl`` engine validates the nodes within the shapes' reach of the
    change, on the triples they reach and the ``ontology`` (N-Quads). Decimals are written as
    the loader writes them (Oxigraph keeps ``25.0`` as ``25``), so the engine reads them as in a
    clean build. A SPARQL constraint runs with ``$this`` bound to the focus nodes within its
    query's reach of the change (:func:`~tradegraph.shacl.scope.sparql_reach`), or on the whole
    store when that has no bound. ``keep`` receives the new results, for the next build.
    """
    plan = plan_shapes(shapes)
    results = Graph()
    if plan.core:
        _say(step, "SHACL Core (shacl) where the change reaches")
        focus = affected(store, seeds(changed, reach), reach)
        text = io.BytesIO()
        ox.serialize((_as_loaded(t) for t in neighbourhood(store, focus, reach, leave_out=leave_out)), text,
                     ox.RdfFormat.N_TRIPLES)
        for quad in ox.parse(ontology, ox.RdfFormat.N_QUADS):
            text.write(f"{quad.triple} .\n".encode())
        try:
            compiled = _compiled(_turtle(core_shapes(shapes, plan)))
        except ValueError as error:
            raise shapes_failed(error) from None
        found = compiled.validate_text(text.getvalue().decode("utf-8"), format="ntriples", allow_warnings=True)
        fresh = Graph()
        if found.results:
            fresh.parse(data=found.serialize("ntriples"), format="nt")
        reached = {from_ox(node) for node in focus}
        copy_results(fresh, results, lambda result, node: node in reached)
        copy_results(kept, results, lambda result, node: node not in reached and (result, JOB, None) not in kept)
    instances: dict[Node, set[Any]] = {}
    for job in plan.sparql:
        key = Literal(job_key(job))
        bounded = sparql_reach(job.select, job.prefixes)
        where = _WHERE.search(job.select)
        if bounded is None or where is None or isinstance(job.shape, BNode):
            _say(step, f"SPARQL constraint of {job.shape}")
            _sparql(store, job, _focus_nodes(store, job.shape, shapes, instances), results)
            continue
        _say(step, f"SPARQL constraint of {job.shape} where the change reaches")
        near = affected(store, seeds(changed, bounded), bounded)
        targets = _targets(store, job.shape, shapes, near)
        for start in range(0, len(targets), 500):
            values = " ".join(str(node) for node in targets[start:start + 500])
            select = f"{job.select[:where.end()]} VALUES ?this {{ {values} }} {job.select[where.end():]}"
            _sparql(store, replace(job, select=select), set(targets[start:start + 500]), results)
        reached = {from_ox(node) for node in near}
        copy_results(kept, results, lambda result, node, key=key, reached=reached:
                     node not in reached and (result, JOB, key) in kept)
    mark_jobs(results, plan.sparql, keep)
    report = report_of(results, shapes=shapes, facts=facts)
    report.notes.extend(plan.notes)
    return report


#: The mark a kept SPARQL result carries: which constraint (shape and query) made it.
JOB = URIRef("urn:x-tradegraph:validation-job")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def job_key(job: SparqlJob) -> str:
    """A SPARQL constraint by its shape and its query: the same across builds (its node is often blank)."""
    return hashlib.sha256(f"{job.shape}\n{job.select}".encode()).hexdigest()


def mark_jobs(results: Graph, jobs: list[SparqlJob], keep: Graph | None) -> None:
    """Copy ``results`` into ``keep`` (when given), each SPARQL result marked with its job's key."""
    if keep is None:
        return
    keys = {job.constraint: Literal(job_key(job)) for job in jobs}
    for triple in results:
        keep.add(triple)
    for result, constraint in results.subject_objects(SH.sourceConstraint):
        if constraint in keys:
            keep.add((result, JOB, keys[constraint]))


def _targets(store: ox.Store, shape: Node, shapes: Graph, near: set[Any]) -> list[Any]:
    """The focus nodes of ``shape`` among ``near`` (IRIs and literals; in a stable order)."""
    kind = ox.NamedNode(str(RDF.type))
    subclasses = {c for target in _target_classes(shape, shapes) for c in _subclasses(store, target)}
    subjects = [to_ox(t) for t in shapes.objects(shape, SH.targetSubjectsOf)]
    objects = [to_ox(t) for t in shapes.objects(shape, SH.targetObjectsOf)]
    nodes = {to_ox(n) for n in shapes.objects(shape, SH.targetNode)}
    found = []
    for node in near:
        if isinstance(node, ox.BlankNode):
            continue
        if node in nodes or (not isinstance(node, ox.Literal) and (
                any(q.object in subclasses for q in store.quads_for_pattern(node, kind, None, None))
                or any(next(iter(store.quads_for_pattern(node, p, None, None)), None) for p in subjects))) \
                or any(next(iter(store.quads_for_pattern(None, p, node, None)), None) for p in objects):
            found.append(node)
    return sorted(found, key=str)


def _as_loaded(triple: Any) -> Any:
    """A triple with its decimals written as the loader writes them (``25.0``, not ``25``)."""
    value = triple.object
    if isinstance(value, ox.Literal) and value.datatype == _DECIMAL:
        return ox.Triple(triple.subject, triple.predicate,
                         ox.Literal(canonical_decimal(Decimal(value.value)), datatype=_DECIMAL))
    return triple


def validate_graph_fast(data: Graph, *, shapes: Graph, ontology: Graph, facts: Facts | None = None) -> Report:
    """:func:`~tradegraph.shacl.validate.validate_graph` on the fast path: the ontology merged into the data."""
    store = memory_store(data, ontology)
    results, notes = check_store(store, shapes=shapes, text=(_ntriples(data, ontology), "ntriples"))
    report = report_of(results, shapes=shapes, facts=facts)
    report.notes.extend(notes)
    return report


def memory_store(*graphs: Graph) -> ox.Store:
    """An in-memory store holding the triples of ``graphs`` in its default graph."""
    store = ox.Store()
    for graph in graphs:
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
    return store


def _say(step: Callable[[str], None] | None, what: str) -> None:
    if step is not None:
        step(what)


@lru_cache(maxsize=8)
def _compiled(text: str) -> Any:
    """Compiled shapes (Turtle or N-Triples, which is Turtle too), kept for the process."""
    return shacl.Shapes.from_turtle(text)


def _ntriples(*graphs: Graph) -> str:
    """Graphs as N-Triples written from the terms as parsed (rdflib's writer normalizes literals)."""
    triples = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for graph in graphs for s, p, o in graph)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")  # type: ignore[union-attr]


def _turtle(shapes: Graph) -> str:
    return _ntriples(shapes)


def _core(store: ox.Store, shapes: str, results: Graph, text: tuple[str, str] | None,
          nquads: Path | None = None) -> None:
    try:
        compiled = _compiled(shapes)
    except ValueError as error:  # the engine's "invalid shapes graph"
        raise shapes_failed(error) from None
    if text is not None:
        report = compiled.validate_text(text[0], format=text[1], allow_warnings=True)
    elif nquads is not None:
        report = compiled.validate_file(str(nquads), allow_warnings=True)
    else:
        with tempfile.TemporaryDirectory(prefix="tradegraph-shacl-") as folder:
            dump = Path(folder) / "data.nt"
            _dump_union(store, dump)
            report = compiled.validate_file(str(dump), allow_warnings=True)
    if not report.results:
        return
    # The report graph's blank nodes (results, paths) are its own: parse it as one document.
    results.parse(data=report.serialize("ntriples"), format="nt")


def _dump_union(store: ox.Store, path: Path) -> None:
    """Every graph of the store, one after the other, as one N-Triples file (the union).

    N-Triples rather than N-Quads: the engine validates the union anyway, and without a graph
    name on every line it reads the file about a fifth faster.
    """
    with path.open("wb") as out:
        for graph in [ox.DefaultGraph(), *store.named_graphs()]:
            store.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)


def _focus_nodes(store: ox.Store, shape: Node, shapes: Graph, instances: dict[Node, set[Any]]) -> set[Any]:
    """The focus nodes of a node shape's targets, as pyoxigraph terms.

    ``instances`` keeps the SHACL instances of each target class found so far, as shapes
    share their targets.
    """
    found: set[Any] = set()
    for target in _target_classes(shape, shapes):
        if target not in instances:
            instances[target] = _instances(store, target)
        found |= instances[target]
    for target in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(quad.subject for quad in store.quads_for_pattern(None, to_ox(target), None, None))
    for target in shapes.objects(shape, SH.targetObjectsOf):
        found.update(quad.object for quad in store.quads_for_pattern(None, to_ox(target), None, None))
    found.update(to_ox(node) for node in shapes.objects(shape, SH.targetNode))
    return found


def _instances(store: ox.Store, target: Node) -> set[Any]:
    """The SHACL instances of a class: typed with it or one of its subclasses, in any graph.

    The subclasses come from one small query; the instances from the store's index, one
    lookup a class (a ``rdf:type/rdfs:subClassOf*`` path query walks every typed node).
    """
    kind = ox.NamedNode(str(RDF.type))
    return {quad.subject for kind_of in _subclasses(store, target)
            for quad in store.quads_for_pattern(None, kind, kind_of, None)}


def _target_classes(shape: Node, shapes: Graph) -> list[Node]:
    """The classes a shape targets: ``sh:targetClass``, and itself when it is a class too."""
    classes = list(shapes.objects(shape, SH.targetClass))
    if any((shape, RDF.type, kind) in shapes for kind in (RDFS.Class, OWL.Class)):
        classes.append(shape)
    return classes


def _subclasses(store: ox.Store, target: Node) -> list[Any]:
    """A class and its subclasses at any depth, in the store (one small query)."""
    rows = cast(ox.QuerySolutions, store.query(
        "SELECT DISTINCT ?class ?target WHERE { ?class rdfs:subClassOf* ?target }",
        prefixes={"rdfs": str(RDFS)}, use_default_graph_as_union=True,
        substitutions={ox.Variable("target"): to_ox(target)}))
    return [row["class"] for row in rows]


def _sparql(store: ox.Store, job: SparqlJob, focus: set[Any], results: Graph) -> None:
    """Run one SPARQL constraint with $this free; each row of a focus node is a result.

    :func:`~tradegraph.shacl.validate.check_shape_sparql` has had Oxigraph read it already.
    """
    rows = cast(ox.QuerySolutions, store.query(job.select, prefixes=job.prefixes, use_default_graph_as_union=True))
    names = [v.value for v in rows.variables]
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        values = {name: row[name] for name in names if row[name] is not None}
        this = values.get("this")
        if this is None or this not in focus:
            continue
        key = tuple(sorted((k, str(v)) for k, v in values.items()))
        if key in seen:
            continue
        seen.add(key)
        _add_result(results, job, {k: from_ox(v) for k, v in values.items()})


def _add_result(results: Graph, job: SparqlJob, values: dict[str, Any]) -> None:
    node = BNode()
    this = values["this"]
    results.add((node, RDF.type, SH.ValidationResult))
    results.add((node, SH.focusNode, this))
    results.add((node, SH.sourceShape, job.shape))
    results.add((node, SH.sourceConstraint, job.constraint))
    results.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    results.add((node, SH.resultSeverity, job.severity))
    results.add((node, SH.value, values.get("value", this)))
    if "path" in values:
        results.add((node, SH.resultPath, values["path"]))
    for message in job.messages:
        text = _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), message)
        results.add((node, SH.resultMessage, Literal(text)))

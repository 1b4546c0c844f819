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

import re
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
import shacl
from rdflib import RDF, RDFS, BNode, Graph, Literal
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from tradegraph.facts.loader import Facts
from tradegraph.rdf.oxterms import from_ox, to_ox
from tradegraph.shacl.plan import SparqlJob, core_shapes, fallback_shapes, plan_shapes
from tradegraph.shacl.validate import Report, check_shape_sparql, report_of, shapes_failed

_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def validate_store(store: ox.Store, *, shapes: Graph, facts: Facts | None = None,
                   step: Callable[[str], None] | None = None, nquads: Path | None = None) -> Report:
    """Validate the union of a store's graphs (the ontology included) against ``shapes``.

    ``nquads`` is an N-Quads file (``.nq``) holding exactly the store's quads, such as the copy
    :func:`~tradegraph.store.oxigraph.load_store` writes: the SHACL engine reads it instead of a
    dump of the store.
    """
    results, notes = check_store(store, shapes=shapes, step=step, nquads=nquads)
    report = report_of(results, shapes=shapes, facts=facts)
    report.notes.extend(notes)
    return report


def check_store(store: ox.Store, *, shapes: Graph, step: Callable[[str], None] | None = None,
                text: tuple[str, str] | None = None, shapes_text: str | None = None,
                nquads: Path | None = None) -> tuple[Graph, list[str]]:
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
    instances: dict[Node, set[Any]] = {}
    for job in plan.sparql:
        _say(step, f"SPARQL constraint of {job.shape}")
        _sparql(store, job, _focus_nodes(store, job.shape, shapes, instances), results)
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
    classes = list(shapes.objects(shape, SH.targetClass))
    if any((shape, RDF.type, kind) in shapes for kind in (RDFS.Class, OWL.Class)):
        classes.append(shape)
    for target in classes:
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
    rows = cast(ox.QuerySolutions, store.query(
        "SELECT DISTINCT ?class ?target WHERE { ?class rdfs:subClassOf* ?target }",
        prefixes={"rdfs": str(RDFS)}, use_default_graph_as_union=True,
        substitutions={ox.Variable("target"): to_ox(target)}))
    kind = ox.NamedNode(str(RDF.type))
    return {quad.subject for row in rows
            for quad in store.quads_for_pattern(None, kind, row["class"], None)}


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

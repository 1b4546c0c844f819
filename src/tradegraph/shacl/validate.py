"""SHACL validation with pyshacl, and reports that read like sentences.

Each result names the fact by its file and line, the field by its YAML name, and says what
is wrong in the words of the shape's ``sh:message``::

    graph/sources/x.yaml:12: meeting 'akazawa-bessent': `participants`: A meeting needs at
    least two participants. [MinCountConstraintComponent]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from tradegraph.errors import InvalidData, InvalidModel, Location, UsageError
from tradegraph.facts.loader import Facts
from tradegraph.facts.model import load_model
from tradegraph.project import Project
from tradegraph.rdf.graphs import FileState, Frozen, file_state, frozen, ontology_graph, parse_rdf_files, thawed, union
from tradegraph.rdf.namespaces import local_name
from tradegraph.shacl.generate import model_shapes
from tradegraph.shacl.plan import declared_prefixes, one_line, shape_name, sparql_texts


@dataclass(frozen=True)
class Result:
    """One validation result, with where it points to in the fact files when known."""

    severity: str            # "Violation", "Warning" or "Info"
    focus: str
    path: str | None
    message: str
    component: str
    shape: str
    value: str | None = None
    where: Location | None = None
    subject: str | None = None   # "meeting 'akazawa-bessent'" when the focus is a known record

    def __str__(self) -> str:
        parts = [str(self.where)] if self.where else []
        parts.append(self.subject or f"<{self.focus}>")
        if self.path:
            parts.append(f"`{self.path}`")
        text = ": ".join(parts) + f": {self.message}"
        if self.value is not None and self.value not in self.message:
            text += f" (got {self.value})"
        return f"{text} [{self.component}]"


@dataclass
class Report:
    """The outcome of a validation: every result, violations first."""

    results: list[Result] = field(default_factory=list)
    #: What the validation could not do as asked, such as shapes checked by pyshacl instead.
    notes: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self) -> str:
        """The report as plain text, one result a line, with a closing count."""
        lines = [f"{r.severity}: {r}" for r in self.results]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines) + "\n"


def shapes_graph(project: Project, *, ontology: Graph | None = None) -> Graph:
    """The project's SHACL shapes: those the fact model says (:mod:`tradegraph.shacl.generate`,
    with ``ontology``, the project's by default) and the hand-written ones of its shapes files,
    every SPARQL in them checked (see :func:`check_shape_sparql`), then put on one line
    (see :func:`~tradegraph.shacl.plan.one_line`).

    A new graph each call; with the project's own ontology, its triples are made once a process
    for each state of the shape and ontology files (parsing and checking them costs more than
    validating a small project)."""
    if ontology is not None:
        return _shapes(project, model_shapes(load_model(), ontology))
    return thawed(_made(project, file_state(project.shape_files()), file_state(project.ontology_files())))


def _shapes(project: Project, generated: Graph) -> Graph:
    files = project.shape_files()
    try:
        shapes = parse_rdf_files(files, project=project)
    except InvalidData as error:
        raise InvalidModel(error.what, where=error.where, expected=error.expected) from None
    check_shape_sparql(shapes, shown=lambda text: _find_text(files, text, project))
    for node, _, predicate, text in list(sparql_texts(shapes)):
        shapes.set((node, predicate, Literal(one_line(text))))
    shapes += generated
    return shapes


@lru_cache(maxsize=4)
def _made(project: Project, shape_files: FileState, ontology_files: FileState) -> Frozen:
    """The shapes for one state of the ``shape_files`` and ``ontology_files`` (a failure is
    raised, never kept)."""
    return frozen(_shapes(project, model_shapes(load_model(), ontology_graph(project))))


def check_shape_sparql(shapes: Graph, *, shown: Callable[[str], Location | None] = lambda text: None) -> None:
    """Refuse shapes whose SPARQL does not parse or reaches outside the data (``SERVICE``, ``FROM``).

    Each is an :class:`InvalidModel` naming the shape (or component) and, through ``shown``
    (text -> where it is written), the file and line, before any validator runs it.
    """
    from tradegraph.sparql.guard import check_reach, prepared

    for shape, constraint in shapes.subject_objects(SH.sparql):
        count = len(set(shapes.objects(constraint, SH.select)))
        if count != 1:
            raise InvalidModel(f"a SPARQL constraint of shape {shape_name(shape)} has {count} sh:select",
                               where=shown(local_name(shape)) if isinstance(shape, URIRef) else None,
                               expected="exactly one sh:select", hint="see the SHACL specification, 5.1")
    for node, owner, predicate, text in sparql_texts(shapes):
        form = local_name(predicate).upper()
        article = "an" if form == "ASK" else "a"
        prefixes = declared_prefixes(shapes, node)
        try:
            query = prepared(text, prefixes)
            check_reach(query.reach, graphs=set())
            _oxigraph_reads(text, prefixes)
        except UsageError as error:
            raise InvalidModel(f"the SPARQL of shape {shape_name(owner)}: {error.what}", where=shown(text),
                               expected=error.expected or "a SPARQL 1.1 query of the data graph",
                               hint=f"fix the shape's sh:{local_name(predicate)}") from None
        if query.query.algebra.name != f"{form.title()}Query":
            raise InvalidModel(f"the sh:{local_name(predicate)} of shape {shape_name(owner)} is not {article} {form} query",
                               where=shown(text), expected=f"{form} ...",
                               hint=f"fix the shape's sh:{local_name(predicate)}")


def _oxigraph_reads(text: str, prefixes: dict[str, str]) -> None:
    """Parse ``text`` with Oxigraph too (stricter than rdflib; the fast path runs it there),
    on an empty store: what is evaluated there reads nothing."""
    import pyoxigraph as ox

    from tradegraph.sparql.text import syntax_error

    try:
        ox.Store().query(text, prefixes=prefixes)
    except SyntaxError as exc:
        raise syntax_error(exc) from None
    except RuntimeError as exc:  # such as a function it does not know
        raise UsageError(f"Oxigraph cannot run it: {' '.join(str(exc).split())[:300]}",
                         expected="SPARQL 1.1 with its standard functions") from None


def shapes_failed(error: Exception) -> InvalidModel:
    """The error for shapes a validator could not run (pyshacl's or the engine's own error)."""
    from tradegraph.sparql.engine import excerpt

    return InvalidModel(f"the shapes could not be checked: {excerpt(error)}",
                        expected="shapes as the SHACL specification defines them")


def _find_text(files: list[Path], text: str, project: Project) -> Location | None:
    """The file and line where ``text`` (a shape's SPARQL, or its name) begins, if it is written
    as is (else where its first line is: shapes' queries often begin alike)."""
    contents = [(path, path.read_text(encoding="utf-8", errors="replace")) for path in files]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    for needle in (text, first):
        for path, content in contents:
            if needle and needle in content:
                start = content.index(needle)
                start += len(needle) - len(needle.lstrip())  # the first line of the text, not a blank before it
                return Location(project.relative(path), content[:start].count("\n") + 1)
    return None


def validate_graph(data: Graph, *, shapes: Graph, ontology: Graph, facts: Facts | None = None) -> Report:
    """Validate ``data`` against ``shapes``; ``facts`` lets results point to file and line."""
    combined = Graph()
    for triple in data:
        combined.add(triple)
    return _validate_copy(combined, shapes=shapes, ontology=ontology, facts=facts)


def report_of(results: Graph, *, shapes: Graph, facts: Facts | None = None) -> Report:
    """The readable report of a SHACL validation report graph (``sh:ValidationResult`` nodes)."""
    return Report(sorted((_result(results, node, facts, shapes) for node in
                          results.subjects(RDF.type, SH.ValidationResult)), key=_order))


def validate_facts(facts: Facts, project: Project) -> Report:
    """Validate loaded facts against the project's shapes and ontology."""
    return _validate_copy(union(facts.dataset), shapes=shapes_graph(project),
                          ontology=ontology_graph(project), facts=facts)


def _validate_copy(data: Graph, *, shapes: Graph, ontology: Graph, facts: Facts | None) -> Report:
    """Validate ``data``, a graph of the caller's own that this adds the ontology to.

    The ontology is added to the data rather than passed as ``ont_graph``: pyshacl's
    ont_graph mixing clones blank-node structures recursively and takes minutes. And pyshacl
    validates the graph in place: in advanced mode it would clone the data graph first
    (about 20 µs a triple), which only matters to a caller that needs its graph unchanged.
    """
    for triple in ontology:
        data.add(triple)
    import pyshacl  # imported here: it is slow to import and most commands never validate
    from pyshacl.errors import ReportableRuntimeError

    check_shape_sparql(shapes)
    try:
        with _parsed_once():
            _, results_graph, _ = pyshacl.validate(
                data, shacl_graph=shapes, inference="none", inplace=True,
                abort_on_first=False, allow_warnings=True, allow_infos=True, advanced=True)
    except ReportableRuntimeError as error:
        raise shapes_failed(error) from None
    return report_of(results_graph, shapes=shapes, facts=facts)


@contextmanager
def _parsed_once() -> Iterator[None]:
    """Parse each SPARQL constraint once, not once per focus node.

    pyshacl hands rdflib the text of a SPARQL-based constraint for every focus node, and
    rdflib parses it again each time (about 70 ms a parse: most of a validation's time).
    While validating, translated queries are cached by their text, base and namespaces and
    reused with the new bindings, as rdflib's own prepared queries are.
    """
    from rdflib.plugins.sparql.algebra import translateQuery  # imported here: a third of a second
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    original = SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}

    def query(self: Any, strOrQuery: Any, initBindings: Any = None, initNs: Any = None,
              base: str | None = None, DEBUG: bool = False) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]


# ---------------------------------------------------------------------- helpers
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def _order(result: Result) -> tuple[int, str, int, str, str]:
    """Severity, file, line and message, then the whole line: results that tie on the first four
    (literal focus nodes, the ontology's) come in one order whatever order the engine gave."""
    where = result.where
    return (_SEVERITY_ORDER.get(result.severity, 3), str(where.path) if where else "~",
            where.line or 0 if where else 0, result.message, str(result))


def _result(graph: Graph, node: Node, facts: Facts | None, shapes: Graph) -> Result:
    def one(prop: URIRef) -> Node | None:
        return graph.value(node, prop)

    focus = one(SH.focusNode)
    path = one(SH.resultPath)
    severity = str(one(SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
    component = str(one(SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1]
    shape = one(SH.sourceShape)
    message = one(SH.resultMessage)
    value = one(SH.value)
    named = shapes.value(shape, SH.name) if shape is not None else None
    where, subject, field_name = _locate(str(focus), path, facts, str(named) if named is not None else None)
    return Result(
        severity=severity, focus=str(focus), component=component,
        path=field_name or (local_name(path) if isinstance(path, URIRef) else None),
        message=str(message) if message is not None else f"{component} failed",
        shape=str(shape) if isinstance(shape, URIRef) else "(anonymous shape)",
        value=_show(value) if value is not None else None, where=where, subject=subject)


def _locate(focus: str, path: Node | None, facts: Facts | None,
            shape_name: str | None) -> tuple[Location | None, str | None, str | None]:
    if facts is None or not focus.startswith(facts.base):
        return None, None, shape_name
    local = focus[len(facts.base):]
    ident, _, rest = local.partition("/")
    record = facts.records.get(ident)
    if record is None:
        return None, None, shape_name
    model = load_model()
    name = None
    if rest:  # a node the loader made for a field, e.g. <id>/when or <id>/participant/x
        name = rest.split("/")[0]
        name = "participants" if name == "participant" else name
    elif isinstance(path, URIRef):
        for field_name, spec in model.fields_of(record.kind).items():
            if model.expand(spec.property) == str(path):
                name = field_name
                break
    name = name or shape_name
    where = record.data.where(name) if name and name in record.data else record.where
    return where, f"{record.kind.name} '{record.id}'", name


def _show(value: Node) -> str:
    return f'"{value}"' if isinstance(value, Literal) else f"<{value}>"
